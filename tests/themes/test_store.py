"""Theme models in the database: the one imports use, curators' corrections as training
data that re-tagging never overwrites, new themes tagged by their cues, and no network."""

import re
import socket
from io import StringIO

import pytest
from django.core.management import call_command

from inspections import freshness
from inspections.models import Finding, FindingTheme, Recommendation, Theme, ThemeModel
from inspections.themes.classifier import ThemeClassifier
from inspections.themes.features import Paragraph
from inspections.themes.store import (
    BUNDLED_MODEL,
    current_model,
    install,
    retag,
    theme_tagger,
    train_model,
)

from ..conftest import ROOT
from ..seeds import DEVON_2013, NORTH_SOMERSET_2017, import_seeds

pytestmark = pytest.mark.django_db
SMALL = ROOT / "fixtures" / "themes" / "small.jsonl"


def themes_of(record) -> set[str]:
    return set(record.themes.values_list("slug", flat=True))


def test_a_new_database_starts_with_the_bundled_model():
    assert not ThemeModel.objects.exists()
    model = current_model()
    assert model.version == 1
    assert bytes(ThemeModel.objects.get().artefact) == BUNDLED_MODEL.read_bytes()
    assert current_model().pk == model.pk  # installed once
    assert theme_tagger().model_id == model.pk


def test_the_model_loads_and_tags_with_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    classifier = ThemeClassifier.from_bytes(BUNDLED_MODEL.read_bytes())
    (tags,) = classifier.tag([Paragraph("Return home interviews are not offered to children.")])
    assert "missing" in {t.slug for t in tags}


def test_every_imported_record_records_the_model_that_tagged_it():
    import_seeds(DEVON_2013)
    model = current_model()
    assert set(Finding.objects.values_list("tagged_by", flat=True)) == {model.pk}
    assert set(Recommendation.objects.values_list("tagged_by", flat=True)) == {model.pk}
    assert FindingTheme.objects.exclude(score=None).exists()


def test_a_theme_a_curator_adds_is_tagged_by_its_cues():
    Theme.objects.create(
        slug="young-carers", name="Young carers", cues="young carer\nyoung carers' service"
    )
    (tags,) = theme_tagger().tag([Paragraph("Young carers are identified early and supported.")])
    given = {t.slug: t for t in tags}
    assert given["young-carers"].why == "the cue “young carer”"
    assert given["young-carers"].score is None


def test_a_curated_correction_survives_retagging_and_reimport_and_teaches_the_next_model():
    (inspection,) = import_seeds(DEVON_2013)
    finding = inspection.findings.order_by("position")[3]
    chosen = {"private-fostering", "uasc"}  # surely not what the model gave it
    assert themes_of(finding) != chosen
    finding.themes.set(Theme.objects.filter(slug__in=chosen), through_defaults={"reason": ""})
    finding.curated_fields = ["themes"]
    finding.save()

    changes = retag()
    finding.refresh_from_db()
    assert themes_of(finding) == chosen
    assert changes.records == 0  # nothing else changed either: the model is the same

    source = inspection.source_document
    from inspections.importer.service import import_source

    assert import_source(source).outcome == "unchanged"
    assert themes_of(finding) == chosen

    # The correction is an example for the next model, counted as a curator's.
    classifier, trained = train_model(labelled=SMALL)
    assert trained.curated == 1
    assert classifier.summary["examples"]["uasc"]["curated"] == 1
    assert trained.model.version == 2 and trained.created


def theme_page_count(client, slug: str) -> int:
    html = client.get(f"/themes/{slug}/").content.decode()
    return int(re.search(rf'\?theme={slug}">(\d+) finding', html).group(1))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_retagging_applies_a_new_model_and_says_what_changed(client):
    """Committed for real, as in production: the data version moves after each commit, and
    the cached theme pages follow."""
    import_seeds(DEVON_2013, NORTH_SOMERSET_2017)
    before = freshness.current().version
    counts = {s: theme_page_count(client, s) for s in ("missing", "planning", "assessment")}
    _, trained = train_model(labelled=SMALL)  # a much smaller model: other tags
    assert trained.created
    out = StringIO()
    call_command("retag_themes", stdout=out, stderr=StringIO())
    report = out.getvalue()
    assert "changed themes" in report and "added" in report and "removed" in report
    assert set(Finding.objects.values_list("tagged_by", flat=True)) == {trained.model.pk}
    assert freshness.current().version > before
    published = Finding.objects.filter(is_hidden=False, withdrawn_at=None)
    now = {s: theme_page_count(client, s) for s in counts}
    assert now == {s: published.filter(themes__slug=s).count() for s in counts}
    assert now != counts  # the small model tags differently, and the pages show it
    # Tagged as the tagger tags them now.
    tagger = theme_tagger()
    for finding in Finding.objects.order_by("pk")[:40]:
        (tags,) = tagger.tag([Paragraph(finding.text, finding.section, "finding")])
        assert themes_of(finding) == {t.slug for t in tags}
    # Again: nothing to change, and the data version stays.
    version = freshness.current().version
    out = StringIO()
    call_command("retag_themes", stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("0 findings and recommendations changed themes.")
    assert freshness.current().version == version


def test_training_the_same_examples_again_stores_nothing_new():
    current_model()  # the bundled model, as after the first import
    out = StringIO()
    call_command("train_themes", labelled=SMALL, stdout=out)
    assert "Stored theme model v" in out.getvalue()
    out = StringIO()
    call_command("train_themes", labelled=SMALL, stdout=out)
    assert "nothing stored" in out.getvalue()
    assert ThemeModel.objects.count() == 2  # the bundled one, then this one


def test_installing_refuses_what_is_not_a_model():
    with pytest.raises(ValueError):
        install(b"a picture of a cat")
    assert not ThemeModel.objects.exists()


def test_the_evaluation_command_prints_figures_per_theme_on_a_small_set():
    out = StringIO()
    call_command("evaluate_themes", labelled=SMALL, stdout=out)
    text = out.getvalue()
    assert "Evaluation part: 30 paragraphs" in text
    assert "missing" in text and "micro average" in text and "macro average" in text
    out = StringIO()
    call_command("evaluate_themes", labelled=SMALL, cues=True, format="json", stdout=out)
    import json

    result = json.loads(out.getvalue())
    assert result["paragraphs"] == 30
    micro = result["micro"]
    assert micro["true_positives"] + micro["false_negatives"] == micro["support"]


def test_a_malformed_labelled_set_is_refused_with_the_line(tmp_path):
    bad = tmp_path / "labelled.jsonl"
    bad.write_text('{"text": "x"}\n')
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="line 1"):
        call_command("evaluate_themes", labelled=bad, stdout=StringIO())
    with pytest.raises(CommandError, match="no such labelled set"):
        call_command("train_themes", labelled=tmp_path / "none.jsonl", stdout=StringIO())
