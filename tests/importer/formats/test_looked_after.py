"""Looked after children reports (2012-13): Ofsted's reports on Kent and Sandwell (2013,
in ../shared/corpus) and a fictional council's report."""

import datetime
from collections import Counter
from pathlib import Path

import pytest

from inspections.importer.formats import looked_after
from inspections.importer.pipeline import parse_report
from inspections.importer.read import read_document
from inspections.importer.structure import structure

from ...conftest import SHARED

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures/reports/fictional/looked_after_2013.txt"
CORPUS = SHARED / "corpus" / "pdfs"
KENT = CORPUS / "80476_kent" / "children's services inspection,  pdf - 23 august 2013.pdf"
SANDWELL = CORPUS / "80549_sandwell" / "children's services inspection,  pdf - 02 august 2013.pdf"
needs_corpus = pytest.mark.skipif(not KENT.exists(), reason="../shared is not beside the project")

# The real reports' facts, as the corpus labels give them, and the findings' paragraphs:
# every numbered paragraph of the five judgement sections (the "Areas for improvement"
# lead-in, 22 and 28, is not a finding).
REAL = [
    (
        KENT,
        "Kent County Council",
        (datetime.date(2013, 7, 15), datetime.date(2013, 7, 19), datetime.date(2013, 8, 23)),
        "Helen Cawston",
        {
            "overall": "adequate",
            "capacity_to_improve": "good",
            "outcomes": "adequate",
            "quality_of_provision": "adequate",
            "leadership": "adequate",
        },
        {"immediately": 3, "within_three_months": 6, "within_six_months": 3},
        [str(n) for n in [*range(11, 22), *range(23, 73)]],
    ),
    (
        SANDWELL,
        "Sandwell Metropolitan Borough Council",
        (datetime.date(2013, 6, 24), datetime.date(2013, 6, 28), datetime.date(2013, 8, 2)),
        "Christopher Sands",
        {
            "overall": "inadequate",
            "capacity_to_improve": "adequate",
            "outcomes": "adequate",
            "quality_of_provision": "inadequate",
            "leadership": "inadequate",
        },
        None,  # 18 areas for improvement
        [str(n) for n in [*range(13, 28), *range(29, 86)]],
    ),
]


@needs_corpus
@pytest.mark.parametrize(
    ("path", "authority", "dates", "lead", "grades", "timescales", "paragraphs"), REAL
)
def test_real_report_facts(path, authority, dates, lead, grades, timescales, paragraphs):
    """The title wraps ("Inspection of looked after children" / "services"), so its last
    line must not be read as the authority; section headings wrap too, and each section
    prints its grade as "Grade 3 (Adequate)" under it."""
    report = parse_report(path.read_bytes())
    assert report.framework == "looked_after"
    assert report.title == "Inspection of looked after children services"
    assert report.authority_name == authority
    assert (report.start_date, report.end_date, report.published_date) == dates
    assert report.lead_inspector == lead
    assert {j.area: j.grade for j in report.judgements} == grades
    if timescales:
        assert Counter(r.timescale for r in report.recommendations) == timescales
    else:
        assert len(report.recommendations) == 18
    assert [f.paragraph for f in report.findings] == paragraphs
    assert {f.section for f in report.findings} == {
        "Overall effectiveness of services for looked after children and young people",
        "Capacity to improve",
        "Outcomes for looked after children and young people",
        "Quality of provision",
        "Leadership and management",
    }
    assert report.warnings == []


@needs_corpus
def test_real_report_grades_from_the_record_when_sections_print_none():
    """The record of main findings prints "Overall effectiveness Adequate" with single
    spaces, and wraps a long label above its grade."""
    text = structure(read_document(KENT.read_bytes()))
    lines = [line for line in text.lines if not line.startswith("Grade ")]
    reader = looked_after.FORMAT
    grades = reader._table_grades(lines, reader._sections(lines, 0))
    assert {area: code for area, (code, _) in grades.items()} == REAL[0][4]


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
