"""The words reports use for dates: date ranges whatever dash-like character separates
their days."""

import datetime

import pytest

from inspections.importer.dates import DASHES, parse_date_range

# What converters and fonts have printed between the days of a range: hyphen, en and em
# dashes, the minus sign, the horizontal bar, box-drawing lines, the figure dash, the
# small and full-width hyphen-minus, the horizontal line extension.
SEPARATORS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2500\u2501\u2574\ufe63\uff0d\u23af"


@pytest.mark.parametrize("dash", list(SEPARATORS))
def test_a_range_reads_whatever_dash_separates_its_days(dash):
    assert parse_date_range(f"Inspection date: 12 June {dash} 7 July 2017") == (
        datetime.date(2017, 6, 12),
        datetime.date(2017, 7, 7),
    )
    assert parse_date_range(f"16{dash}27 January 2023") == (
        datetime.date(2023, 1, 16),
        datetime.date(2023, 1, 27),
    )


def test_every_unicode_dash_is_a_dash():
    """Unicode's dash punctuation (category Pd), all of it: the rule, not a list."""
    assert {"\u2e3a", "\u301c", "\u30a0", "\ufe58"} <= set(DASHES)
    assert not {"a", "1", " ", "."} & set(DASHES)
