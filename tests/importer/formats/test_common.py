"""Rules shared by the SIF and ILACS readers (sectioned.py)."""

import pytest

from inspections.importer.formats.sectioned import states_none


@pytest.mark.parametrize(
    "item",
    [
        "There are no priority actions.",
        "The inspection did not find any areas for priority and immediate action.",
        "There were no areas for priority action",
        "No priority and immediate actions were identified.",
        "None.",
        "None identified",
        "Not applicable.",
        "Inspectors did not identify any areas for priority action.",
    ],
)
def test_statements_that_a_list_is_empty(item):
    assert states_none(item)


@pytest.mark.parametrize(
    "item",
    [
        "Ensure that there are no delays in initial health assessments.",
        "No child should be placed in bed and breakfast accommodation.",
        "Improve the timeliness of notifications of domestic abuse.",
        "The LSCB should ensure that none of its sub-groups lacks a chair.",
    ],
)
def test_recommendations_are_not_such_statements(item):
    assert not states_none(item)
