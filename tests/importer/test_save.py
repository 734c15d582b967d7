"""The save step on its own: evidence links stored as the parse gave them, including in
reports whose printed paragraph numbers repeat."""

import datetime

import pytest

from inspections.importer.report import (
    ParsedFinding,
    ParsedJudgement,
    ParsedRecommendation,
    ParsedReport,
)
from inspections.importer.save import save_report
from inspections.importer.service import import_source, store_source
from inspections.models import Authority, Recommendation, SourceDocument
from inspections.themes.tagger import ThemeTagger

from ..conftest import REPORTS
from .formats.test_sif import NORTH_SOMERSET_LINKS

pytestmark = pytest.mark.django_db


def stored_links(inspection):
    return {
        (r.addressee, f.paragraph): r.position + 1
        for r in Recommendation.objects.filter(inspection=inspection).prefetch_related("evidence")
        for f in r.evidence.all()
    }


def test_north_somerset_evidence_links_are_stored():
    path = REPORTS / "seed_001_north_somerset_sif_2017.txt"
    source, _ = store_source(path.read_bytes(), path.name)
    attempt = import_source(source)
    assert attempt.outcome == "created", attempt.log
    links = stored_links(source.inspections.get())
    for key, number in NORTH_SOMERSET_LINKS.items():
        assert links.get(key) == number, key


def test_a_repeated_paragraph_number_links_to_the_recommendations_own_part():
    """Fictional: an appended LSCB review restarts its numbering at 1."""
    report = ParsedReport(
        framework="sif",
        authority_name="Devon",
        start_date=datetime.date(2015, 1, 5),
        end_date=datetime.date(2015, 1, 29),
        judgements=[ParsedJudgement("lscb", "good", "Good")],
        findings=[
            ParsedFinding(
                "Children who need help",
                "Early help is patchy.",
                0,
                "1",
                "help_and_protection",
                is_recommendation_evidence=True,
            ),
            ParsedFinding(
                "The LSCB",
                "The board lacks a dataset.",
                1,
                "1",
                "lscb",
                is_recommendation_evidence=True,
            ),
        ],
        recommendations=[
            ParsedRecommendation("Improve early help.", 0, "authority", evidence_paragraphs=["1"]),
            ParsedRecommendation("Build a dataset.", 0, "lscb", evidence_paragraphs=["1"]),
        ],
    )
    source = SourceDocument.objects.create(
        sha256="1" * 64, original_name="x.txt", size=1, file="sources/11/1"
    )
    result = save_report(
        report,
        authority=Authority.objects.get(slug="devon"),
        source=source,
        tagger=ThemeTagger(None, []),
    )
    lscb = Recommendation.objects.get(addressee="lscb")
    authority = Recommendation.objects.get(addressee="authority")
    assert [f.text for f in lscb.evidence.all()] == ["The board lacks a dataset."]
    assert [f.text for f in authority.evidence.all()] == ["Early help is patchy."]
    assert result.status == "created"
