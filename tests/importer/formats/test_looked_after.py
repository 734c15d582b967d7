"""Looked after children reports (2012-13), from a fictional council's report."""

import datetime
from pathlib import Path

from inspections.importer.pipeline import parse_report

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures/reports/fictional/looked_after_2013.txt"


def test_fictional_report_facts():
    report = parse_report(FIXTURE.read_bytes())
    assert report.framework == "looked_after"
    assert report.authority_name == "Northshire County Council"
    assert (report.start_date, report.end_date) == (
        datetime.date(2013, 3, 4),
        datetime.date(2013, 3, 15),
    )
    assert report.published_date == datetime.date(2013, 4, 19)
    assert report.lead_inspector == "Jane Smith"
    assert {j.area: j.grade for j in report.judgements} == {
        "overall": "good",
        "in_care": "good",
        "quality_of_practice": "adequate",
        "leadership": "good",
    }
    assert [r.timescale for r in report.recommendations] == [
        "immediately",
        "within_three_months",
        "within_three_months",
        "within_six_months",
    ]
    assert [(f.paragraph, f.area) for f in report.findings] == [
        ("2", "overall"),
        ("5", "overall"),
        ("6", "in_care"),
        ("7", "in_care"),
        ("8", "quality_of_practice"),
        ("9", "leadership"),
    ]
    assert report.warnings == []


def test_unreadable_grade_is_a_warning_not_a_placeholder():
    text = FIXTURE.read_text().replace(
        "The quality of practice\tAdequate", "The quality of practice\t"
    )
    text = text.replace("The quality of practice\n\nAdequate\n", "The quality of practice\n\n")
    text = text.replace("The quality of practice is adequate.", "Practice has improved.")
    report = parse_report(text.encode())
    assert "quality_of_practice" not in {j.area for j in report.judgements}
    assert any("The quality of practice" in w for w in report.warnings)
