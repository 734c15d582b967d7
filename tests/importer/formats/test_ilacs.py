"""ILACS golden tests on saved copies of real reports (2019 combined judgement, 2023
separate care leavers judgement)."""

import datetime
from pathlib import Path

from inspections.importer.formats import ilacs, sif
from inspections.importer.pipeline import parse_report
from inspections.importer.read import read_document
from inspections.importer.structure import structure

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "reports"


def _parse(name):
    return parse_report((FIXTURES / name).read_bytes())


def test_bristol_2023_facts():
    report = _parse("ilacs_bristol_2023.pdf")
    assert report.framework == "ilacs"
    assert report.authority_name == "Bristol"
    assert report.start_date == datetime.date(2023, 1, 16)
    assert report.end_date == datetime.date(2023, 1, 27)
    assert report.published_date is None
    assert report.lead_inspector == "Tracey Ledder"
    assert {j.area: j.grade for j in report.judgements} == {
        "leadership": "requires_improvement",
        "help_and_protection": "requires_improvement",
        "in_care": "good",
        "care_leavers": "good",
        "overall": "requires_improvement",
    }
    words = {j.area: j.words for j in report.judgements}
    assert words["overall"] == "Requires improvement to be good"
    assert report.warnings == []


def test_bristol_2023_recommendations_and_findings():
    report = _parse("ilacs_bristol_2023.pdf")
    assert len(report.recommendations) == 6
    assert report.recommendations[2].text == (
        "The timeliness of initial health assessments for children coming into care."
    )
    assert {r.addressee for r in report.recommendations} == {"authority"}
    assert [f.paragraph for f in report.findings] == [str(n) for n in range(1, 63)]
    sections = {f.section: f.area for f in report.findings}
    assert sections == {
        "The experiences and progress of children who need help and protection": (
            "help_and_protection"
        ),
        "The experiences and progress of children in care": "in_care",
        "The experiences and progress of care leavers": "care_leavers",
        "The impact of leaders on social work practice with children and families": ("leadership"),
    }
    # Paragraph 4 runs over a page break: no running header inside it.
    assert report.findings[3].text == (
        "Helpful daily meetings between children’s social care and the police in the FAS "
        "provide opportunity for swift information-sharing. The local authority decides at "
        "these meetings if the information reaches the threshold for a referral to be made. "
        "If this is the case, the police make that referral. In respect of children who do "
        "not meet the threshold, their information is not recorded by the local authority. "
        "This creates an inherent risk that information may not be available to inform the "
        "analysis of subsequent contacts about these children."
    )
    assert report.findings
    assert all(f.kind is None and not f.is_recommendation_evidence for f in report.findings)


def test_stoke_2019_combines_children_in_care_and_care_leavers():
    report = _parse("ilacs_stoke_on_trent_2019.pdf")
    assert report.authority_name == "Stoke-on-Trent City Council"
    assert report.lead_inspector == "Neil Penswick"
    assert (report.start_date, report.end_date) == (
        datetime.date(2019, 2, 4),
        datetime.date(2019, 2, 15),
    )
    assert {j.area: j.grade for j in report.judgements} == {
        "leadership": "inadequate",
        "help_and_protection": "inadequate",
        "in_care": "inadequate",
        "overall": "inadequate",
    }
    assert len(report.recommendations) == 15
    first = report.findings[0]
    assert first.paragraph == "1"
    assert first.section == (
        "The experiences and progress of children who need help and protection"
    )
    assert first.text.startswith("Local authority responses for children in need of help")
    in_care = [f for f in report.findings if f.area == "in_care"]
    assert in_care[0].section == "The experiences and progress of children in care and care leavers"


def test_ilacs_recognises_only_its_own_title():
    bristol = structure(read_document((FIXTURES / "ilacs_bristol_2023.pdf").read_bytes()))
    coventry = structure(read_document((FIXTURES / "sif_coventry_2017.pdf").read_bytes()))
    assert ilacs.recognise(bristol) and not sif.recognise(bristol)
    assert not ilacs.recognise(coventry)
