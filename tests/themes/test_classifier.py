"""The theme model as data: tagging, explanations and the artefact, with no database."""

import numpy as np
import pytest

from inspections.themes.classifier import ThemeClassifier, digest_of, encode
from inspections.themes.features import Paragraph, paragraph_features, words
from inspections.themes.store import BUNDLED_MODEL

RETURN_HOME = Paragraph(
    "Return home interviews are not offered to all children who go missing from care, and "
    "the information from them is not used to reduce the risk of children going missing again.",
    "Children missing from home, care or education",
)
ADOPTION = Paragraph(
    "Adopters are well prepared and supported, and children are matched with their adoptive "
    "families without delay.",
    "Adoption performance",
)


@pytest.fixture(scope="module")
def bundled():
    return ThemeClassifier.from_bytes(BUNDLED_MODEL.read_bytes())


def test_the_bundled_model_tags_real_paragraphs_with_their_subjects(bundled):
    missing, adoption = bundled.tag([RETURN_HOME, ADOPTION])
    assert "missing" in {t.slug for t in missing}
    assert "adoption" in {t.slug for t in adoption}
    assert "missing" not in {t.slug for t in adoption}
    for tag in missing + adoption:
        assert tag.score >= bundled.thresholds[bundled.themes.index(tag.slug)] - 1e-6


def test_a_tag_says_which_words_weighed_most(bundled):
    (tags,) = bundled.tag([RETURN_HOME])
    missing = next(t for t in tags if t.slug == "missing")
    named = missing.why.split(", ")
    assert 1 <= len(named) <= 3
    # Each is a feature of this paragraph: its words (stemmed), its heading, or its cues.
    stems = set(words(RETURN_HOME.text))
    for feature in named:
        if feature.startswith("“"):
            assert set(feature.strip("“”").split()) <= stems, feature
        else:
            assert feature.startswith(("heading", "the ", "being")), feature


def test_probabilities_are_the_logistic_of_the_linear_score(bundled):
    paragraph = RETURN_HOME
    features = paragraph_features(paragraph, bundled.cue_phrases)
    vector = np.zeros(len(bundled.features))
    counts = {}
    for f in features:
        if f in bundled.vocabulary:
            counts[bundled.vocabulary[f]] = counts.get(bundled.vocabulary[f], 0) + 1
    for column, n in counts.items():
        vector[column] = (1 + np.log(n)) * bundled.idf[column]
    vector /= np.linalg.norm(vector)
    expected = 1 / (1 + np.exp(-(vector @ bundled.weights + bundled.intercepts)))
    assert np.allclose(bundled.probabilities([paragraph])[0], expected, atol=1e-5)


def test_a_paragraph_with_no_known_word_gets_no_theme_and_no_error(bundled):
    assert bundled.tag([Paragraph("Zyxw qwvb.", "", "nothing")]) == [[]]
    assert bundled.tag([]) == []
    encoded = encode([[], ["zzz"]], {"a": 0}, np.ones(1, dtype=np.float32))
    assert encoded.rows == 2 and list(encoded.indptr) == [0, 0, 0]


def test_the_artefact_round_trips_byte_for_byte(bundled):
    data = bundled.to_bytes()
    again = ThemeClassifier.from_bytes(data)
    assert again.to_bytes() == data
    assert digest_of(data) == digest_of(BUNDLED_MODEL.read_bytes())
    paragraphs = [RETURN_HOME, ADOPTION]
    assert again.tag(paragraphs) == bundled.tag(paragraphs)


@pytest.mark.parametrize(
    "data",
    [b"", b"not gzip", __import__("gzip").compress(b'{"format": 99}', mtime=0)],
    ids=["empty", "not gzip", "another format"],  # the same in every process (pytest-xdist)
)
def test_something_else_is_refused_with_a_clear_error(data):
    with pytest.raises(ValueError, match="theme model"):
        ThemeClassifier.from_bytes(data)
