"""SIF golden tests on saved copies of real reports and the North Somerset 2017 text seed."""

import datetime
from pathlib import Path

from inspections.importer.formats import sif
from inspections.importer.pipeline import parse_report
from inspections.importer.report import ReportText

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "reports"


def _parse(name):
    return parse_report((FIXTURES / name).read_bytes())


def test_north_somerset_2017_facts():
    report = _parse("seed_001_north_somerset_sif_2017.txt")
    assert report.framework == "sif"
    assert report.authority_name == "North Somerset"
    assert (report.start_date, report.end_date) == (
        datetime.date(2017, 6, 12),
        datetime.date(2017, 7, 7),
    )
    assert report.published_date == datetime.date(2017, 8, 25)
    assert report.lead_inspector == "Emmy Tomsett"
    assert {j.area: j.grade for j in report.judgements} == {
        "overall": "requires_improvement",
        "help_and_protection": "requires_improvement",
        "in_care": "requires_improvement",
        "adoption": "good",
        "care_leavers": "good",
        "leadership": "requires_improvement",
        "lscb": "inadequate",
    }
    assert report.recommendation_count("authority") == 12
    assert report.recommendation_count("lscb") == 6
    assert report.warnings == []


def test_north_somerset_2017_findings_sections_and_numbers():
    report = _parse("seed_001_north_somerset_sif_2017.txt")
    assert [f.paragraph for f in report.findings] == [str(n) for n in range(13, 99)] + [
        str(n) for n in range(105, 119)
    ]
    by_number = {f.paragraph: f for f in report.findings}
    assert by_number["59"].section == "The graded judgement for adoption performance"
    assert by_number["59"].area == "adoption"
    assert by_number["71"].area == "care_leavers"
    assert by_number["105"].area == "lscb"
    # A paragraph whose source breaks over a blank line reads as one paragraph.
    assert by_number["19"].text.endswith(
        "The local authority has continued to challenge this practice with strategic "
        "police leaders in an attempt to remedy this matter."
    )
    assert by_number["19"].is_recommendation_evidence
    assert "(Recommendation)" not in by_number["19"].text


def test_north_somerset_2017_evidence_links():
    report = _parse("seed_001_north_somerset_sif_2017.txt")
    authority = [r for r in report.recommendations if r.addressee == "authority"]
    lscb = [r for r in report.recommendations if r.addressee == "lscb"]
    assert authority[11].text.startswith("Ensure the consistent use of performance data")
    assert "90" in authority[11].evidence_paragraphs  # performance information
    assert lscb[3].evidence_paragraphs == ["109", "111"]  # training needs analysis
    linked = {p for r in report.recommendations for p in r.evidence_paragraphs}
    marked = {f.paragraph for f in report.findings if f.is_recommendation_evidence}
    assert linked == marked


def test_coventry_2017_reinspection_without_lscb_review():
    report = _parse("sif_coventry_2017.pdf")
    assert report.authority_name == "Coventry City Council"
    assert report.lead_inspector == "Jenny Turnross"
    assert report.published_date == datetime.date(2017, 6, 13)
    assert {j.area: j.grade for j in report.judgements}["care_leavers"] == "good"
    assert "lscb" not in {j.area for j in report.judgements}
    assert report.recommendation_count("authority") == 9
    assert report.recommendations[3].evidence_paragraphs == ["17"]  # chronologies
    by_number = {f.paragraph: f for f in report.findings}
    assert report.findings[0].paragraph == "10"
    # Paragraph 14 runs over a page break; the page number and broken words are gone.
    assert by_number["14"].text == (
        "The local authority’s out-of-hours service is effective in safeguarding children "
        "and offering expertise and advice, and it provides timely interventions. The "
        "service has good access to a range of support, including legal advice, crisis "
        "intervention/edge of care services and placements for children in need of care. "
        "Social workers in the out-of-hours service are notified when children are missing. "
        "They are also made aware of, and respond effectively to, children who are at risk "
        "of child sexual exploitation."
    )


def test_peterborough_2015_with_lscb_review():
    report = _parse("sif_peterborough_2015.pdf")
    assert report.authority_name == "Peterborough City Council"
    assert report.lead_inspector == "Nigel Parkes"
    assert {j.area: j.grade for j in report.judgements}["lscb"] == "good"
    assert report.recommendation_count("authority") == 19
    assert report.recommendation_count("lscb") == 6
    by_number = {f.paragraph: f for f in report.findings}
    assert by_number["88"].section == "The graded judgment for adoption performance"
    assert by_number["88"].text.startswith("All children with a plan for adoption")
    assert {f.area for f in report.findings if int(f.paragraph) > 150} == {"lscb"}


def test_standalone_lscb_review_is_not_sif():
    text = ReportText(
        lines=[
            "Kingston upon Hull Safeguarding Children Board",
            "Review of the effectiveness of the Local Safeguarding Children Board",
            "Inspection date: 18 November – 10 December 2014",
        ],
        page_of_line=[1, 1, 1],
        media_type="text/plain",
    )
    assert not sif.recognise(text)
