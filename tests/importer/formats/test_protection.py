"""Protection reports (2012-13): seeds 000 (Somerset) and 004 (Devon)."""

import datetime
import json
from pathlib import Path

import pytest

from inspections.importer.formats import (
    cra_unannounced,
    focused_visit,
    jtai,
    looked_after,
    lscb_review,
    monitoring_visit,
    protection,
    safeguarding_lac,
)
from inspections.importer.pipeline import parse_report
from inspections.importer.read import read_document
from inspections.importer.report import ImportRefused
from inspections.importer.structure import structure

REPORTS = Path(__file__).resolve().parents[3] / "fixtures" / "reports"
CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "pdfs"
MY_FORMATS = [
    cra_unannounced,
    safeguarding_lac,
    protection,
    looked_after,
    lscb_review,
    focused_visit,
    monitoring_visit,
    jtai,
]


def parse(name):
    return parse_report((REPORTS / name).read_bytes())


def test_somerset_front_matter_and_judgements():
    report = parse("seed_000_somerset_protection_2013.txt")
    assert report.framework == "protection"
    assert report.authority_name == "Somerset County Council"
    assert (report.start_date, report.end_date) == (
        datetime.date(2013, 6, 24),
        datetime.date(2013, 7, 3),
    )
    assert report.published_date is None
    assert report.lead_inspector == "Simon Rushall"
    assert {j.area: j.grade for j in report.judgements} == {
        "overall": "inadequate",
        "help_and_protection": "inadequate",
        "quality_of_practice": "inadequate",
        "leadership": "inadequate",
    }
    assert report.warnings == []


def test_somerset_areas_for_improvement_by_timescale():
    report = parse("seed_000_somerset_protection_2013.txt")
    timescales = [r.timescale for r in report.recommendations]
    assert (
        timescales == ["immediately"] * 3 + ["within_three_months"] * 6 + ["within_six_months"] * 2
    )
    # The first item of "within three months" lost its bullet mark in conversion.
    assert report.recommendations[3].text.startswith("Improve the quality of assessments")
    assert [r.position for r in report.recommendations] == list(range(11))


def test_paragraph_number_printed_mid_line_is_taken_out_of_the_text():
    report = parse("seed_000_somerset_protection_2013.txt")
    finding = next(f for f in report.findings if f.paragraph == "18")
    assert finding.text.startswith(
        "The council has recognised that too many aspects of its children's social care "
        "services are not of sufficient quality"
    )
    assert finding.section == "Overall effectiveness"
    assert finding.area == "overall"


def test_paragraph_continued_over_a_page_break_is_one_finding():
    report = parse("seed_000_somerset_protection_2013.txt")
    finding = next(f for f in report.findings if f.paragraph == "15")
    assert finding.text.endswith("its impact remains to be seen.")
    assert "signed off by managers, and there is little evidence" in finding.text


def test_findings_carry_their_sections_area_and_skip_boilerplate_sections():
    report = parse("seed_000_somerset_protection_2013.txt")
    numbers = [f.paragraph for f in report.findings]
    assert numbers == ["2", *map(str, range(12, 53))]
    areas = {f.paragraph: f.area for f in report.findings}
    assert areas["20"] == "help_and_protection"
    assert areas["31"] == "quality_of_practice"
    assert areas["52"] == "leadership"
    assert report.findings
    assert all(f.text and not f.text.startswith(("-", "**")) for f in report.findings)


def test_devon_dates_and_lead_run_together_on_one_line():
    report = parse("seed_004_devon_protection_2013.txt")
    assert report.authority_name == "Devon County Council"
    assert (report.start_date, report.end_date) == (
        datetime.date(2013, 4, 15),
        datetime.date(2013, 4, 24),
    )
    assert report.lead_inspector == "Richard Nash"
    assert [r.timescale for r in report.recommendations].count("immediately") == 4
    assert len(report.recommendations) == 7
    assert next(f for f in report.findings if f.paragraph == "26").text.startswith(
        "Inspectors saw a high number of cases where weak planning and a lack of rigour"
    )


@pytest.mark.parametrize(
    "name",
    [
        "seed_000_somerset_protection_2013.txt",
        "seed_001_north_somerset_sif_2017.txt",
        "seed_002_somerset_cra_2010.txt",
        "seed_003_somerset_monitoring_visit_2017.txt",
        "seed_004_devon_protection_2013.txt",
        *[f"fictional/{p.name}" for p in sorted((REPORTS / "fictional").glob("*.txt"))],
    ],
)
def test_at_most_one_of_these_formats_claims_each_fixture(name):
    text = structure(read_document((REPORTS / name).read_bytes()))
    claims = [m.FRAMEWORK for m in MY_FORMATS if m.recognise(text)]
    assert len(claims) <= 1, claims
    if "sif" in name:
        assert claims == []


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is absent")
def test_none_of_these_formats_claims_a_sif_or_ilacs_report_in_the_corpus():
    # By the corpus's labels: it also holds reports of these formats (looked after
    # children's services, 2013), which are theirs to claim.
    labels = CORPUS.parent / "labels.jsonl"
    framework_of = {
        row["file"]: row["framework"]
        for row in map(json.loads, labels.read_text(encoding="utf-8").splitlines())
    }
    refused: list[str] = []
    judged = 0
    for path in sorted(CORPUS.rglob("*.pdf")):
        if framework_of.get(path.relative_to(CORPUS).as_posix()) not in ("sif", "ilacs"):
            continue
        try:
            text = structure(read_document(path.read_bytes()))
        except ImportRefused:  # refused files (a saved web page) are not ours to judge
            refused.append(path.name)
            continue
        claims = [m.FRAMEWORK for m in MY_FORMATS if m.recognise(text)]
        assert claims == [], (path.name, claims)
        judged += 1
    assert judged >= 20 and len(refused) <= 2, (judged, refused)
