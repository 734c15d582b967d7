"""Unannounced CRA letters (2009-12): seed 002 (Somerset, 2010)."""

import datetime
from pathlib import Path

from inspections.importer.pipeline import parse_report

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures/reports/seed_002_somerset_cra_2010.txt"


def test_letter_facts():
    report = parse_report(FIXTURE.read_bytes())
    assert report.framework == "cra_unannounced"
    assert report.authority_name == "Somerset County Council"
    assert (report.start_date, report.end_date) == (
        datetime.date(2010, 7, 27),
        datetime.date(2010, 7, 28),
    )
    assert report.published_date == datetime.date(2010, 8, 25)
    assert report.lead_inspector == "Martin Ayres"
    assert report.judgements == []
    assert report.warnings == []


def test_findings_by_kind_and_areas_for_development_as_recommendations():
    report = parse_report(FIXTURE.read_bytes())
    kinds = [f.kind for f in report.findings]
    assert kinds == ["strength"] * 5 + ["satisfactory"] * 8 + ["area_for_development"] * 3
    assert [r.text for r in report.recommendations] == [
        f.text for f in report.findings if f.kind == "area_for_development"
    ]
    assert report.findings[10].text.endswith(
        "seen alone as part of assessments and subsequent planning and arrangements are in "
        "place to ensure visits are undertaken in any period when the allocated social "
        "worker is absent."
    )
    assert "Working Together (2010)" in report.recommendations[1].text
    assert not any("Any areas for development" in f.text for f in report.findings)
