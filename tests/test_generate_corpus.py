"""generate_corpus: a synthetic corpus on top of the real seed reports (benchmarks/synthetic.py).

Runs on SQLite and PostgreSQL (DATABASE_URL); on PostgreSQL the rows go in with COPY, and
the deferred-index test drops and rebuilds the real indexes, the full-text one included.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from benchmarks import synthetic
from inspections import freshness
from inspections.models import (
    Authority,
    Finding,
    FindingTheme,
    Inspection,
    Judgement,
    Recommendation,
    RecommendationTheme,
    SourceDocument,
    public_id_for,
)
from inspections.themes.features import Paragraph
from inspections.themes.store import theme_tagger
from inspections.vocabulary import FRAMEWORKS

from . import seeds

pytestmark = pytest.mark.django_db

FINDINGS, RECOMMENDATIONS = 1500, 120


@pytest.fixture
def real(db):
    """The five real seed reports, and how many rows they gave."""
    seeds.import_seeds(*seeds.ALL)
    return _counts()


def _counts() -> dict[str, int]:
    return {
        "inspections": Inspection.objects.count(),
        "judgements": Judgement.objects.count(),
        "findings": Finding.objects.count(),
        "recommendations": Recommendation.objects.count(),
        "finding themes": FindingTheme.objects.count(),
        "recommendation themes": RecommendationTheme.objects.count(),
        "evidence": Recommendation.evidence.through.objects.count(),
        "sources": SourceDocument.objects.count(),
    }


def _generate(seed: int = 7, **options) -> None:
    call_command(
        "generate_corpus",
        findings=FINDINGS,
        recommendations=RECOMMENDATIONS,
        seed=seed,
        verbosity=0,
        **options,
    )
    # As the command's commit would: the listing cells counted for the new rows (inside a
    # test's transaction its on-commit mark never runs).
    freshness.record_change_now()


def _synthetic_findings():
    return Finding.objects.filter(inspection__in=synthetic.synthetic_inspections())


def _synthetic_recommendations():
    return Recommendation.objects.filter(inspection__in=synthetic.synthetic_inspections())


def _fingerprint() -> list[tuple]:
    """Everything generated that must not depend on anything but the seed and real data."""
    inspections = synthetic.synthetic_inspections()
    return [
        sorted(
            inspections.values_list(
                "slug", "title", "framework", "start_date", "end_date", "overall_grade"
            )
        ),
        sorted(
            Judgement.objects.filter(inspection__in=inspections).values_list(
                "inspection__slug", "area", "grade", "words"
            )
        ),
        sorted(
            _synthetic_findings().values_list(
                "public_id", "inspection__slug", "section", "area", "paragraph", "position", "text"
            )
        ),
        sorted(
            FindingTheme.objects.filter(finding__in=_synthetic_findings()).values_list(
                "finding__public_id", "theme__slug", "reason", "score"
            )
        ),
        sorted(
            _synthetic_recommendations().values_list(
                "public_id", "addressee", "position", "timescale", "text"
            )
        ),
        sorted(
            Recommendation.evidence.through.objects.filter(
                recommendation__in=_synthetic_recommendations()
            ).values_list("recommendation__public_id", "finding__public_id")
        ),
    ]


def test_generates_the_rows_asked_for_on_top_of_the_real_reports(real, capsys):
    _generate()

    assert "findings: 1500" in capsys.readouterr().out
    assert _synthetic_findings().count() == FINDINGS
    assert _synthetic_recommendations().count() == RECOMMENDATIONS
    # The real records are all still there, untouched.
    assert Finding.objects.count() == real["findings"] + FINDINGS
    assert Inspection.objects.exclude(title__endswith="(synthetic)").count() == real["inspections"]
    # Every current authority has a history, under every framework.
    inspections = synthetic.synthetic_inspections()
    current = Authority.objects.filter(abolished_on__isnull=True)
    assert current.count() == 153
    assert set(inspections.values_list("authority", flat=True)) == set(
        current.values_list("pk", flat=True)
    )
    assert set(inspections.values_list("framework", flat=True)) == set(FRAMEWORKS)

    # Marked as synthetic, so never taken for real.
    source = synthetic.synthetic_sources().get()
    assert source.original_name.startswith("synthetic corpus")
    with source.file.open("rb") as fh:
        assert fh.read().startswith(b"Synthetic data, not an Ofsted report.")
    assert not inspections.exclude(title__endswith=" (synthetic)").exists()
    assert not Inspection.objects.filter(title__endswith="(synthetic)").exclude(
        source_document=source
    )
    summary = synthetic.current_summary()
    assert summary["seed"] == 7
    assert summary["findings"] == FINDINGS
    assert summary["recommendations"] == RECOMMENDATIONS
    assert summary["authorities"] == 153


def test_each_framework_is_inspected_in_its_years_and_graded_on_its_areas(real):
    _generate()

    for inspection in synthetic.synthetic_inspections().prefetch_related("judgements"):
        framework = synthetic.FRAMEWORKS[inspection.framework]
        grades = {j.area: j.grade for j in inspection.judgements.all()}
        if not framework.scale:
            assert grades == {}, inspection
            continue
        expected = set(framework.areas) | ({"lscb"} if "lscb" in grades else set())
        if inspection.framework == "ilacs" and inspection.start_date.year >= 2023:
            expected.add("care_leavers")
        assert set(grades) == expected, inspection
        assert set(grades.values()) <= set(framework.scale), inspection
        assert inspection.overall_grade == grades.get("overall", "")
        assert framework.years[0] <= inspection.start_date.year <= framework.years[1]


class RealSentences:
    """The real (imported) paragraphs' sentences, to split a synthetic text back into."""

    def __init__(self, model) -> None:
        self.by_start: dict[str, list[str]] = {}
        real = model.objects.exclude(inspection__in=synthetic.synthetic_inspections())
        for text in real.values_list("text", flat=True):
            for sentence in synthetic.sentences_of(text):
                self.by_start.setdefault(sentence[:20], []).append(sentence)

    def split(self, text: str) -> list[str]:
        """The whole real sentences the text is made of, from the start; fails if it is not."""
        rest, parts = text, []
        while rest and rest != "(Recommendation)":
            found = (s for s in self.by_start.get(rest[:20], []) if rest.startswith(s))
            sentence = next(found, None)
            assert sentence, f"not a real sentence: {rest[:80]!r}"
            rest = rest[len(sentence) :].lstrip()
            parts.append(sentence)
        return parts


def test_texts_are_real_sentences_recombined(real):
    _generate()

    real_sentences = RealSentences(Finding)
    for text in _synthetic_findings().values_list("text", flat=True)[:300]:
        assert 2 <= len(real_sentences.split(text)) <= 6


def test_themes_are_the_importers_tagger_given_sentence_by_sentence(real):
    _generate()

    tagger = theme_tagger()
    for through, records, owner in [
        (FindingTheme, _synthetic_findings(), "finding"),
        (RecommendationTheme, _synthetic_recommendations(), "recommendation"),
    ]:
        stored: dict[int, set[str]] = {}
        for owner_id, slug in through.objects.filter(**{f"{owner}__in": records}).values_list(
            f"{owner}_id", "theme__slug"
        ):
            stored.setdefault(owner_id, set()).add(slug)
        tagged = 0
        real_sentences = RealSentences(records.model)
        for pk, text, model in records.values_list("pk", "text", "tagged_by"):
            assert model == tagger.model_id
            sentences = real_sentences.split(text)
            found = tagger.tag([Paragraph(s, "", owner) for s in sentences])
            assert stored.get(pk, set()) == {t.slug for tags in found for t in tags}, text
            tagged += bool(stored.get(pk))
        assert tagged > records.count() / 2


def test_public_ids_are_unique_and_derived_as_the_importer_derives_them(real):
    _generate()

    ids = list(Finding.objects.values_list("public_id", flat=True))
    assert len(ids) == len(set(ids))
    rows = _synthetic_findings().values_list(
        "public_id", "inspection__slug", "position", "paragraph"
    )
    derived = sum(
        public_id == public_id_for(slug, "finding", position, paragraph or None)
        for public_id, slug, position, paragraph in rows
    )
    assert derived == FINDINGS  # 48-bit ids: a collision in 3,000 is all but impossible
    rows = _synthetic_recommendations().values_list(
        "public_id", "inspection__slug", "addressee", "position"
    )
    assert rows
    assert all(
        public_id == public_id_for(slug, "recommendation", addressee, position)
        for public_id, slug, addressee, position in rows
    )


def test_sif_recommendations_link_to_their_evidence(real):
    _generate()

    links = Recommendation.evidence.through.objects.filter(
        recommendation__in=_synthetic_recommendations()
    ).select_related("recommendation", "finding")
    assert links.exists()
    for link in links:
        assert link.finding.inspection_id == link.recommendation.inspection_id
        assert link.finding.text.endswith("(Recommendation)")


def test_the_same_seed_gives_the_same_corpus_and_another_seed_another(real):
    _generate(seed=7)
    first = _fingerprint()
    call_command("generate_corpus", clear=True, verbosity=0)
    _generate(seed=7)
    assert _fingerprint() == first
    call_command("generate_corpus", clear=True, verbosity=0)
    _generate(seed=8)
    assert _fingerprint()[2] != first[2]


def test_clear_removes_the_synthetic_corpus_and_nothing_else(real, capsys):
    _generate()
    source = synthetic.synthetic_sources().get()
    assert source.file.storage.exists(source.file.name)

    call_command("generate_corpus", clear=True, verbosity=0)

    assert "removed" in capsys.readouterr().out
    assert _counts() == real
    assert not source.file.storage.exists(source.file.name)
    assert synthetic.current_summary() is None


def test_clear_with_counts_generates_anew(real):
    _generate(seed=1)
    call_command("generate_corpus", clear=True, findings=50, recommendations=5, seed=2, verbosity=0)
    assert _synthetic_findings().count() == 50
    assert synthetic.current_summary()["seed"] == 2


def test_a_second_corpus_is_refused(real):
    _generate()
    with pytest.raises(CommandError, match="already loaded"):
        _generate(seed=9)


def test_without_real_reports_there_is_nothing_to_recombine(db):
    with pytest.raises(CommandError, match="import some reports first"):
        _generate()


def _indexes(tables: list[str]) -> dict[str, dict[str, tuple]]:
    with connection.cursor() as cursor:
        return {
            table: {
                name: (
                    tuple(c["columns"] or ()),
                    c["unique"],
                    c["index"],
                    c["foreign_key"],
                    c.get("type"),
                )
                for name, c in connection.introspection.get_constraints(cursor, table).items()
            }
            for table in tables
        }


def test_deferred_indexes_are_all_rebuilt(real):
    tables = [
        m._meta.db_table for m in (Finding, Recommendation, FindingTheme, RecommendationTheme)
    ] + [Recommendation.evidence.through._meta.db_table]
    before = _indexes(tables)
    assert sum(len(v) for v in before.values()) > 10

    _generate(defer_indexes=True)

    assert _indexes(tables) == before
    assert _synthetic_findings().count() == FINDINGS


def test_public_pages_answer_200_on_generated_data(real, client):
    _generate()

    inspection = (
        synthetic.synthetic_inspections()
        .filter(framework="sif", recommendations__evidence__isnull=False)
        .distinct()
        .first()
    )
    finding = inspection.findings.filter(themes__isnull=False).first()
    recommendation = inspection.recommendations.filter(evidence__isnull=False).first()
    theme = finding.themes.first()
    word = max(finding.text.split(), key=len).strip(".,;:()")
    urls = [
        "/",
        "/authorities/",
        inspection.authority.get_absolute_url(),
        inspection.get_absolute_url(),
        finding.get_absolute_url(),
        recommendation.get_absolute_url(),
        f"/findings/?theme={theme.slug}&grade={inspection.overall_grade}"
        f"&year={inspection.start_date.year}&q={word}",
        f"/findings/?theme={theme.slug}&page=2",
        f"/recommendations/?theme={theme.slug}",
        "/findings/?format=csv&framework=sif",
        "/themes/",
        f"/themes/{theme.slug}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    listing = client.get(
        f"/findings/?theme={theme.slug}&grade={inspection.overall_grade}"
        f"&year={inspection.start_date.year}&q={word}"
    )
    assert finding.public_id.encode() in listing.content
