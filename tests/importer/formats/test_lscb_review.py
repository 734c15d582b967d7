"""Standalone LSCB reviews (2013-18), from a fictional board's review."""

import datetime
from pathlib import Path

from inspections.importer.formats import lscb_review
from inspections.importer.pipeline import parse_report
from inspections.importer.read import read_document
from inspections.importer.structure import structure

REPORTS = Path(__file__).resolve().parents[3] / "fixtures/reports"
FIXTURE = REPORTS / "fictional/lscb_review_2016.txt"


def test_fictional_review_facts():
    report = parse_report(FIXTURE.read_bytes())
    assert report.framework == "lscb_review"
    assert report.authority_name == "Northshire"
    assert (report.start_date, report.end_date, report.published_date) == (
        datetime.date(2016, 5, 9),
        datetime.date(2016, 5, 31),
        datetime.date(2016, 7, 15),
    )
    assert report.lead_inspector == "Mary Black"
    assert [(j.area, j.grade, j.words) for j in report.judgements] == [
        ("lscb", "requires_improvement", "Requires improvement to be good")
    ]
    assert [r.addressee for r in report.recommendations] == ["lscb", "lscb"]
    assert [f.paragraph for f in report.findings] == ["3", "4"]
    assert report.recommendation_count("authority") == 0


def test_a_sif_report_with_a_review_in_its_title_is_not_claimed():
    seed = structure(read_document((REPORTS / "seed_001_north_somerset_sif_2017.txt").read_bytes()))
    assert not lscb_review.recognise(seed)
