"""The checks every extracted report passes before it is shown or saved."""

import datetime

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
