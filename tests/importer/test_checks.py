"""The checks every extracted report passes before it is shown or saved."""

import datetime

import pytest

from inspections.importer.checks import check_facts
from inspections.importer.pipeline import parse_report
from inspections.importer.report import ParsedReport

from ..conftest import REPORTS


def test_dates_that_run_backwards_are_dropped_with_a_warning():
    report = ParsedReport(
        framework="sif",
        authority_name="North Somerset",
        start_date=datetime.date(2017, 7, 7),
        end_date=datetime.date(2017, 6, 12),
    )
    check_facts(report)
    assert (report.start_date, report.end_date) == (None, None)
    assert any("7 July 2017" in w and "12 June 2017" in w for w in report.warnings)


def test_dates_in_order_are_kept():
    start, end = datetime.date(2017, 6, 12), datetime.date(2017, 7, 7)
    report = ParsedReport(framework="sif", authority_name="X", start_date=start, end_date=end)
    check_facts(report)
    assert (report.start_date, report.end_date) == (start, end)
    assert report.warnings == []


def test_a_report_whose_dates_run_backwards_is_refused_its_dates():
    """Through the pipeline, for any format: the seed's range printed end first."""
    text = (REPORTS / "seed_001_north_somerset_sif_2017.txt").read_text(encoding="utf-8")
    text = text.replace("12 June – 7 July 2017", "7 July 2017 – 12 June 2017")
    report = parse_report(text.encode())
    assert (report.start_date, report.end_date) == (None, None)
    assert any("before they start" in w for w in report.warnings)


def test_a_lead_inspector_that_is_not_a_name_is_dropped_with_a_warning():
    report = ParsedReport(framework="sif", authority_name="X", lead_inspector="on site: ()")
    check_facts(report)
    assert report.lead_inspector is None
    assert any("on site: ()" in w for w in report.warnings)


@pytest.mark.parametrize(
    ("printed", "lead"),
    [
        ("Lead inspector: Emmy Tomsett", "Emmy Tomsett"),
        ("Lead inspector on site: Emmy Tomsett HMI", "Emmy Tomsett"),
        ("Lead inspector (on site): Emmy Tomsett", "Emmy Tomsett"),
        ("Lead inspector: Emmy Tomsett (HMI)", "Emmy Tomsett"),
        ("Lead inspector:\nEmmy Tomsett HMI", "Emmy Tomsett"),
        ("Lead inspector: the inspection team was led by", None),
        ("Lead inspector: ()", None),
    ],
)
def test_the_lead_inspector_is_read_clean_or_not_at_all(printed, lead):
    """However the seed's line is printed, the value is a clean name or empty with a
    warning; never a label, brackets or a fragment."""
    text = (REPORTS / "seed_001_north_somerset_sif_2017.txt").read_text(encoding="utf-8")
    text = text.replace("Lead inspector: Emmy Tomsett", printed)
    report = parse_report(text.encode())
    assert report.lead_inspector == lead
    if lead is None:
        assert any("lead inspector" in w.lower() for w in report.warnings)
