"""Focused visit letters (2018-), from a fictional council's letter."""

import datetime
from pathlib import Path

from inspections.importer.pipeline import parse_report

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures/reports/fictional/focused_visit_2019.txt"


def test_fictional_letter_facts():
    report = parse_report(FIXTURE.read_bytes())
    assert report.framework == "focused_visit"
    assert report.authority_name == "Northshire"
    assert (report.start_date, report.end_date, report.published_date) == (
        datetime.date(2019, 6, 11),
        datetime.date(2019, 6, 12),
        datetime.date(2019, 7, 12),
    )
    # Two inspectors named, none called lead: signing the letter is not leading it.
    assert report.lead_inspector is None
    assert report.judgements == []


def test_priority_actions_and_improvements_are_recommendations():
    report = parse_report(FIXTURE.read_bytes())
    assert [r.text for r in report.recommendations] == [
        "the quality and timeliness of child protection plans",
        "management oversight of drift and delay in children in need work.",
        "the response to children who go missing from home.",
    ]
    priority = [f for f in report.findings if f.kind == "area_for_priority_action"]
    assert [f.text for f in priority] == ["the response to children who go missing from home."]
    assert not any(f.text.startswith("I am copying") for f in report.findings)


def test_a_single_named_inspector_leads():
    text = FIXTURE.read_text().replace(
        "Her Majesty's Inspectors Anne Green and Tom White.", "Her Majesty's Inspector Anne Green."
    )
    assert parse_report(text.encode()).lead_inspector == "Anne Green"
