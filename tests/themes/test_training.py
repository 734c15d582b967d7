"""Training: deterministic, cue words for themes with too few examples, and the bundled
model is what the labelled set trains."""

import pytest

from inspections.themes.classifier import ThemeClassifier
from inspections.themes.cues import ThemeRule
from inspections.themes.examples import EVALUATION, TRAINING, read_labelled_set
from inspections.themes.features import Paragraph
from inspections.themes.store import BUNDLED_MODEL
from inspections.themes.tagger import ThemeTagger
from inspections.themes.training import TrainingSettings, train

from ..conftest import ROOT

SMALL = ROOT / "fixtures" / "themes" / "small.jsonl"
RULES = [
    ThemeRule("missing", ("missing", "return home interview")),
    ThemeRule("adoption", ("adoption", "adopters")),
    ThemeRule("uasc", ("unaccompanied", "asylum")),
]


def test_training_twice_gives_the_same_artefact_byte_for_byte():
    examples = read_labelled_set(SMALL)
    first = train(examples, RULES).to_bytes()
    assert train(examples, RULES).to_bytes() == first


def test_themes_with_too_few_examples_are_left_to_their_cues():
    examples = read_labelled_set(SMALL)
    classifier = train(examples, RULES)
    assert set(classifier.themes) == {"missing", "adoption"}  # 20 examples each
    assert classifier.summary["cue_themes"] == ["uasc"]
    tagger = ThemeTagger(classifier, RULES)
    (tags,) = tagger.tag([Paragraph("Unaccompanied asylum-seeking children are well supported.")])
    assert [(t.slug, t.score) for t in tags] == [("uasc", None)]
    assert tags[0].why == "the cue “unaccompanied”"


def test_only_the_training_part_is_learnt_from():
    examples = read_labelled_set(SMALL)
    without = [e for e in examples if e.split == TRAINING]
    assert any(e.split == EVALUATION for e in examples)
    assert train(examples, RULES).to_bytes() == train(without, RULES).to_bytes()


def test_settings_change_the_model():
    examples = read_labelled_set(SMALL)
    looser = TrainingSettings(regularisation=1.0)
    assert train(examples, RULES, looser).to_bytes() != train(examples, RULES).to_bytes()


@pytest.mark.slow
def test_the_bundled_model_is_what_the_labelled_set_trains(db):
    """`train_themes --bundle` was run after the labelled set last changed."""
    from inspections.themes.store import theme_rules, train_model

    classifier, _ = train_model(store=False)
    assert theme_rules()  # the seed themes, from the migrations
    assert classifier.to_bytes() == BUNDLED_MODEL.read_bytes(), (
        "Run `manage.py train_themes --bundle` and commit fixtures/themes/model.gz."
    )
    assert ThemeClassifier.from_bytes(BUNDLED_MODEL.read_bytes()).summary["evaluation"]
