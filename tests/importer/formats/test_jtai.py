"""Joint targeted area inspection letters (2016-), from a fictional area's letter."""

import datetime
from pathlib import Path

from inspections.importer.pipeline import parse_report

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures/reports/fictional/jtai_2018.txt"


def test_fictional_letter_facts():
    report = parse_report(FIXTURE.read_bytes())
    assert report.framework == "jtai"
    assert report.authority_name == "Northshire"
    assert report.title.endswith("abuse and neglect in Northshire")
    assert (report.start_date, report.end_date, report.published_date) == (
        datetime.date(2018, 3, 5),
        datetime.date(2018, 3, 9),
        datetime.date(2018, 5, 2),
    )
    # Signed by the inspectorates' directors; no lead inspector is named.
    assert report.lead_inspector is None
    assert report.judgements == []
    assert len(report.recommendations) == 2
    assert {f.section for f in report.findings} == {"Key strengths", "Areas for improvement"}
