"""Training: deterministic, cue words for themes with too few examples, and the bundled
model is what the labelled set trains."""

import numpy as np
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

    trained, _ = train_model(store=False)
    assert theme_rules()  # the seed themes, from the migrations
    bundled = ThemeClassifier.from_bytes(BUNDLED_MODEL.read_bytes())
    stale = "Run `manage.py train_themes --bundle` and commit fixtures/themes/model.gz."
    # What the labelled set, the features and the settings decide is the same exactly.
    assert trained.themes == bundled.themes, stale
    assert trained.features == bundled.features, stale
    assert trained.cue_rules == bundled.cue_rules, stale
    assert np.array_equal(trained.thresholds, bundled.thresholds), stale
    assert np.allclose(trained.idf, bundled.idf, rtol=1e-6), stale
    # The solver's last digits are not: they move with the numerical libraries' versions (a
    # fresh install may bring newer ones; 0.017 at most, for weights of up to 50, measured
    # between scikit-learn builds). Training twice in one environment is byte for byte
    # the same (above).
    assert np.allclose(trained.weights, bundled.weights, atol=0.05), stale
    assert np.allclose(trained.intercepts, bundled.intercepts, atol=0.05), stale
    assert bundled.summary["evaluation"]
