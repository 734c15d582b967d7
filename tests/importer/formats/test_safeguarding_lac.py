"""Safeguarding and looked after children reports (2009-12), from a fictional council."""

import datetime
from pathlib import Path

from inspections.importer.pipeline import parse_report

FIXTURE = (
    Path(__file__).resolve().parents[3] / "fixtures/reports/fictional/safeguarding_lac_2011.txt"
)


def test_fictional_report_facts():
    report = parse_report(FIXTURE.read_bytes())
    assert report.framework == "safeguarding_lac"
    assert report.authority_name == "Westmere"
    assert (report.start_date, report.end_date, report.published_date) == (
        datetime.date(2011, 11, 7),
        datetime.date(2011, 11, 18),
        datetime.date(2011, 12, 23),
    )
    assert report.lead_inspector == "Peter Jones"
    assert {j.area: j.grade for j in report.judgements} == {
        "overall": "adequate",
        "capacity_to_improve": "good",
        "quality_of_provision": "adequate",
        "leadership": "good",
        "in_care": "good",
    }
    assert [r.timescale for r in report.recommendations] == [
        "immediately",
        "within_three_months",
        "within_six_months",
    ]
    assert {f.paragraph: f.area for f in report.findings}["11"] == "in_care"
    assert "1" not in {f.paragraph for f in report.findings}  # "About this inspection"
    assert report.warnings == []


def test_grades_from_the_record_when_sections_print_none():
    text = FIXTURE.read_text().replace("\tGrade 3 (adequate)", "").replace("\tGrade 2 (good)", "")
    report = parse_report(text.encode())
    assert {j.area: j.grade for j in report.judgements}["overall"] == "adequate"
    assert {j.area: j.grade for j in report.judgements}["in_care"] == "good"
