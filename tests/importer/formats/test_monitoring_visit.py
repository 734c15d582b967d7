"""Monitoring visit letters: seed 003, a letter wrapped in a council's cabinet papers."""

import datetime
from pathlib import Path

from inspections.importer.pipeline import parse_report

FIXTURE = (
    Path(__file__).resolve().parents[3]
    / "fixtures/reports/seed_003_somerset_monitoring_visit_2017.txt"
)


def test_only_the_letter_is_read():
    report = parse_report(FIXTURE.read_bytes())
    assert report.framework == "monitoring_visit"
    assert report.authority_name == "Somerset"
    assert (report.start_date, report.end_date) == (
        datetime.date(2017, 5, 2),
        datetime.date(2017, 5, 3),
    )
    assert report.published_date == datetime.date(2017, 6, 13)
    texts = " ".join(f.text for f in report.findings)
    assert "Cabinet" not in texts and "Forward Plan" not in texts
    assert "This page is intentionally left blank" not in texts
    assert report.findings[-1].text.endswith("raise outcomes for children in Somerset.")


def test_two_inspectors_named_means_no_lead_and_progress_is_not_a_grade():
    report = parse_report(FIXTURE.read_bytes())
    assert report.lead_inspector is None
    assert report.judgements == []
    assert report.recommendations == []


def test_paragraph_split_by_a_page_break_is_joined():
    report = parse_report(FIXTURE.read_bytes())
    finding = next(f for f in report.findings if f.text.startswith("The quality of assessments in"))
    assert "in some highly complex cases, work does not target" in finding.text
    assert {f.section for f in report.findings} == {
        "Overview",
        "Findings and evaluation of progress",
    }
