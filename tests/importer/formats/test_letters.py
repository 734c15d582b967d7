"""People's names (names.py)."""

import pytest

from inspections.importer.names import person_name


@pytest.mark.parametrize(
    ("printed", "name"),
    [
        ("Simon Rushall HMI", "Simon Rushall"),
        ("Fiona J Millns", "Fiona J Millns"),
        ("Paula Thomson-Jones", "Paula Thomson-Jones"),
        ("Dick O’Brien", "Dick O’Brien"),
        ("Zoë Ashby", "Zoë Ashby"),
        # Labels and what is left of titles are no part of the name.
        ("on site: Jane Smith", "Jane Smith"),
        ("(on site) Jane Smith HMI", "Jane Smith"),
        ("Jane Smith (HMI)", "Jane Smith"),
        ("Jane Smith ()", "Jane Smith"),
        ("Mary Candlin (OI)", "Mary Candlin"),
        ("Lead inspector: Jane Smith", "Jane Smith"),
    ],
)
def test_names_are_read_clean(printed, name):
    assert person_name(printed) == name


@pytest.mark.parametrize(
    "printed",
    [
        "",
        "()",
        "on site:",
        "Smith",
        "the inspection was led by",
        "The Inspection Team",
        "Children's Services",
        "Age Group All",
        "Jane Smith was supported by a team of four",
        "Jane 12 Smith",
    ],
)
def test_what_is_not_a_name_is_refused(printed):
    assert person_name(printed) is None
