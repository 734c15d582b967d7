"""The importer end to end on real reports: stored, parsed, saved, and safe to repeat."""

import io

import pytest

from inspections.importer.service import import_source, store_source
from inspections.models import (
    Finding,
    FindingTheme,
    ImportAttempt,
    Inspection,
    Judgement,
    Recommendation,
    SourceDocument,
    ThemeModel,
)
from inspections.themes.store import retag_records

from ..conftest import REPORTS

pytestmark = pytest.mark.django_db

DEVON = REPORTS / "seed_004_devon_protection_2013.txt"


def import_file(path):
    source, _ = store_source(path.read_bytes(), path.name)
    return import_source(source)


def snapshot():
    """Everything an import writes, as comparable values."""
    return {
        "inspections": list(
            Inspection.objects.values_list(
                "slug",
                "start_date",
                "end_date",
                "published_date",
                "lead_inspector",
                "overall_grade",
                "imported_at",
            )
        ),
        "judgements": list(Judgement.objects.values_list("area", "grade", "words")),
        "findings": list(
            Finding.objects.order_by("id").values_list(
                "id",
                "public_id",
                "section",
                "paragraph",
                "position",
                "text",
                "kind",
                "withdrawn_at",
            )
        ),
        "recommendations": list(
            Recommendation.objects.order_by("id").values_list(
                "id", "public_id", "addressee", "position", "timescale", "text"
            )
        ),
        "themes": list(
            FindingTheme.objects.order_by("id").values_list(
                "finding_id", "theme__slug", "reason", "score"
            )
        ),
    }


def test_a_report_is_imported_with_its_facts():
    attempt = import_file(DEVON)
    assert attempt.outcome == "created", attempt.log
    inspection = Inspection.objects.get()
    assert inspection.authority.slug == "devon"
    assert inspection.framework == "protection"
    assert inspection.overall_grade == "inadequate"
    assert attempt.summary["url"] == f"/inspections/{inspection.slug}/"
    assert inspection.recommendations.count() == 7
    assert set(inspection.recommendations.values_list("timescale", flat=True)) == {
        "immediately",
        "within_three_months",
        "within_six_months",
    }
    assert inspection.findings.count() > 20
    assert FindingTheme.objects.exists()
    source = SourceDocument.objects.get()
    assert (source.status, source.media_type) == ("imported", "text/plain")


def test_importing_the_same_file_twice_changes_nothing():
    import_file(DEVON)
    before = snapshot()
    second = import_file(DEVON)
    assert second.outcome == "unchanged"
    assert snapshot() == before
    assert SourceDocument.objects.count() == 1
    assert ImportAttempt.objects.count() == 2


def test_themes_say_why_the_model_gave_them():
    import_file(DEVON)
    model = ThemeModel.objects.get()  # the bundled model, installed by the first import
    taggings = list(FindingTheme.objects.select_related("theme", "finding"))
    assert taggings
    for tagging in taggings:
        assert tagging.finding.tagged_by_id == model.pk
        assert 0.0 < tagging.score <= 1.0
        # The words that weighed most: quoted, and (stemmed) in the paragraph or its heading.
        first = tagging.reason.split(", ")[0]
        assert first.startswith(("“", "heading", "the ", "being")), tagging.reason
        word = first.strip("“”").split()[0]
        if first.startswith("“"):
            haystack = (tagging.finding.text + " " + tagging.finding.section).lower()
            assert word[:4] in haystack, (word, tagging.finding.text)


def test_a_curators_corrections_and_the_permalinks_survive_a_reimport():
    import_file(DEVON)
    finding = Finding.objects.order_by("position")[5]
    finding.is_hidden = True
    finding.text = "Corrected by a curator."
    finding.curated_fields = ["is_hidden", "text"]
    finding.save()
    retag_records([finding])  # as the admin does when a curator corrects a text
    judgement = Judgement.objects.get(area="leadership")
    judgement.grade, judgement.curated_fields = "adequate", ["grade"]
    judgement.save()
    permalinks = dict(Finding.objects.values_list("pk", "public_id"))

    # The importer improves and the file is re-run: corrections stand.
    attempt = import_source(SourceDocument.objects.get())
    assert attempt.outcome == "unchanged"
    finding.refresh_from_db()
    assert (finding.is_hidden, finding.text) == (True, "Corrected by a curator.")
    assert Judgement.objects.get(area="leadership").grade == "adequate"
    assert dict(Finding.objects.values_list("pk", "public_id")) == permalinks


def test_a_finding_the_new_parse_lacks_is_withdrawn_not_deleted():
    import_file(DEVON)
    inspection = Inspection.objects.get()
    extra = Finding.objects.create(
        inspection=inspection,
        public_id="gone0001",
        section="A section the parser no longer sees",
        position=999,
        text="An old parse's paragraph.",
    )
    attempt = import_source(inspection.source_document)
    assert attempt.outcome == "updated"
    extra.refresh_from_db()
    assert extra.withdrawn_at is not None


def test_text_and_pdf_of_two_reports_of_one_authority_are_separate_inspections():
    import_file(REPORTS / "seed_000_somerset_protection_2013.txt")
    import_file(REPORTS / "seed_002_somerset_cra_2010.txt")
    slugs = sorted(Inspection.objects.values_list("slug", flat=True))
    assert slugs == ["somerset-2010-07-27-cra-unannounced", "somerset-2013-06-24-protection"]


def test_permalinks_are_the_same_when_a_report_is_imported_into_a_new_database():
    """Public ids derive from the record's identity, so a rebuilt database keeps them.
    Changing the derivation breaks every published link: never update these values."""
    import_file(DEVON)
    first_finding = Finding.objects.order_by("position").first()
    first_recommendation = Recommendation.objects.order_by("addressee", "position").first()
    assert (first_finding.paragraph, first_finding.public_id) == ("2", "1d05147bf655")
    assert first_recommendation.public_id == "5a6198e01783"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        # An override makes "report‮fdp.exe" display as "reportexe.pdf".
        ("report\u202efdp.exe", "reportfdp.exe"),
        ("\u2067devon\u2069 \u200fprotection\u200e\u061c.txt", "devon protection.txt"),
        ("\u202a\u202b\u202c\u202d\u2066\u2068name.pdf", "name.pdf"),
        ("colour\x1b[31m red\x00\x07\x7f.pdf", "colour[31m red.pdf"),  # C0 controls and DEL
        ("c1\x85\x9b\x9f.pdf", "c1.pdf"),  # C1 controls
        (
            "Ceredigion – Cyngor Sir Ceredigion ‘a’.pdf",
            "Ceredigion – Cyngor Sir Ceredigion ‘a’.pdf",
        ),
        ("\u202e\x1b", "unnamed file"),
    ],
)
def test_an_uploaders_file_name_loses_control_characters_before_it_is_stored(given, kept):
    source, _ = store_source(DEVON.read_bytes(), given)
    assert source.original_name == kept
    assert import_source(source).summary["path"] == kept


def test_the_command_stores_a_file_name_without_its_control_characters(tmp_path):
    from django.core.management import call_command

    named = tmp_path / "devon\u202etxt.\x1b.txt"
    named.write_bytes(DEVON.read_bytes())
    call_command("import_reports", str(named), format="json", stdout=io.StringIO())
    assert SourceDocument.objects.get().original_name == "devontxt..txt"


def test_an_ambiguous_short_name_is_refused_naming_the_candidates():
    text = DEVON.read_text(encoding="utf-8").replace("Devon County Council", "Kingston", 1)
    source, _ = store_source(text.encode(), "kingston.txt")
    attempt = import_source(source)
    assert attempt.outcome == "rejected"
    assert "any of: Kingston Upon Hull, City of; Kingston upon Thames." in attempt.error
