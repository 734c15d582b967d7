"""Train a ThemeClassifier from labelled examples: the only module that loads scikit-learn.

For each theme with at least `min_examples` labelled paragraphs, two logistic regressions
(liblinear, L2, classes weighted by their frequency) over the paragraphs' features, their
log-odds averaged; the others are left to their cue words:
- one over the features as they are (tf-idf weighted);
- one over the features scaled by how much likelier each is in the theme's paragraphs than
  in the rest (the naive Bayes log-count ratio, as in Wang and Manning's NBSVM, 2012),
  which lets a rare but telling phrase count for more than a common word.
Averaging log-odds keeps the result one linear model (weights and an intercept per theme),
so tagging costs what one model did. The mix and each model's C were chosen by the same
grouped cross-validation (README, "Themes"). One threshold serves every theme: the one whose tags,
predicted for each council by a model trained without that council (grouped
cross-validation over the training part), have the best F1 among those whose precision is at
least `target_precision` in every fold, that is for every group of councils held out, not
only on average. A tag is a promise to a researcher, so precision comes first, and the
councils it will meet are ones it never saw.

Deterministic: the same examples and settings give the same artefact, byte for byte.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from .classifier import ThemeClassifier, encode
from .cues import ThemeRule
from .evaluation import evaluate
from .examples import TRAINING, Example
from .features import CuePhrases, paragraph_features


@dataclass(frozen=True)
class TrainingSettings:
    """What `train` was measured with (README, "Themes"); change only with a measurement."""

    regularisation: float = 300.0  # liblinear's C: the inverse of the L2 penalty (README)
    ratio_regularisation: float = 30.0  # C of the model over ratio-scaled features
    ratio_share: float = 0.7  # that model's share of the averaged log-odds
    min_document_frequency: int = 2  # features seen in fewer paragraphs are dropped
    min_examples: int = 15  # below this many labelled paragraphs a theme uses its cues
    folds: int = 5
    target_precision: float = 0.85
    threshold_grid: tuple[float, ...] = tuple(round(0.2 + 0.05 * i, 2) for i in range(13))


def train(
    examples: Sequence[Example],
    rules: Sequence[ThemeRule],
    settings: TrainingSettings = TrainingSettings(),  # frozen, so safely shared
) -> ThemeClassifier:
    """A classifier for the rules' themes, from the examples of the training split."""
    training = [e for e in examples if e.split == TRAINING]
    rules = tuple(rules)
    cues = CuePhrases(rules)
    docs = [paragraph_features(e.paragraph, cues) for e in training]
    vocabulary, idf = _vocabulary(docs, settings.min_document_frequency)
    matrix = _sparse(encode(docs, vocabulary, idf), len(vocabulary))
    positives = Counter(slug for e in training for slug in e.themes)
    themes = tuple(r.slug for r in rules if positives[r.slug] >= settings.min_examples)
    labels = np.array([[slug in e.themes for slug in themes] for e in training], dtype=np.int8)
    labels = labels.reshape(len(training), len(themes))

    weights = np.zeros((len(vocabulary), len(themes)), dtype=np.float32)
    intercepts = np.zeros(len(themes), dtype=np.float32)
    for column in range(len(themes)):
        weights[:, column], intercepts[column] = _fit(matrix, labels[:, column], settings)

    groups = [e.authority for e in training]
    threshold, cross_validation = _threshold(docs, labels, groups, themes, settings)
    summary = {
        "settings": asdict(settings),
        "training_paragraphs": len(training),
        "features": len(vocabulary),
        "examples": {
            r.slug: {
                "labelled": sum(
                    1 for e in training if r.slug in e.themes and e.origin != "curated"
                ),
                "curated": sum(1 for e in training if r.slug in e.themes and e.origin == "curated"),
            }
            for r in rules
        },
        "cue_themes": [r.slug for r in rules if r.slug not in themes],
        "threshold": threshold,
        "cross_validation": cross_validation,
    }
    return ThemeClassifier(
        themes=themes,
        features=tuple(sorted(vocabulary, key=vocabulary.__getitem__)),
        idf=idf,
        weights=weights,
        intercepts=intercepts,
        thresholds=np.full(len(themes), threshold, dtype=np.float32),
        cue_rules=rules,
        summary=summary,
    )


def _vocabulary(docs: Sequence[Sequence[str]], min_df: int) -> tuple[dict[str, int], np.ndarray]:
    """Features in at least `min_df` paragraphs, sorted, and their smoothed inverse document
    frequencies (as scikit-learn's TfidfVectorizer computes them)."""
    frequency: Counter[str] = Counter()
    for doc in docs:
        frequency.update(set(doc))
    kept = sorted(f for f, n in frequency.items() if n >= min_df)
    n = len(docs)
    idf = np.array([math.log((1 + n) / (1 + frequency[f])) + 1 for f in kept], dtype=np.float32)
    return {f: i for i, f in enumerate(kept)}, idf


def _sparse(encoded, columns: int):
    from scipy.sparse import csr_matrix

    return csr_matrix(
        (encoded.values, encoded.indices, encoded.indptr), shape=(encoded.rows, columns)
    )


def _fit(matrix, labels: np.ndarray, settings: TrainingSettings) -> tuple[np.ndarray, float]:
    """One theme's weights and intercept: the two models' log-odds averaged (see the module)."""
    from scipy.sparse import diags
    from sklearn.linear_model import LogisticRegression

    if labels.min() == labels.max():  # every paragraph the same: nothing to learn
        raise ValueError("A theme needs labelled paragraphs both with and without it.")

    def fitted(features, regularisation: float):
        # The dual problem: with fewer paragraphs than features it solves 3-8 times faster
        # than the primal, to the same weights (measured: README, "Themes").
        model = LogisticRegression(
            C=regularisation,
            class_weight="balanced",
            solver="liblinear",
            dual=True,
            random_state=0,
        )
        model.fit(features, labels)
        return model.coef_[0], model.intercept_[0]

    plain, plain_intercept = fitted(matrix, settings.regularisation)
    ratio = _log_count_ratio(matrix, labels)
    scaled, scaled_intercept = fitted(matrix @ diags(ratio), settings.ratio_regularisation)
    share = settings.ratio_share
    # x·(r∘w) is (x∘r)·w: the scaled model folds into weights over the plain features.
    weights = (1 - share) * plain + share * ratio * scaled
    return weights, (1 - share) * plain_intercept + share * scaled_intercept


def _log_count_ratio(matrix, labels: np.ndarray) -> np.ndarray:
    """For each feature, log of how much likelier it is in the theme's paragraphs than in
    the others (add-one smoothed), from the paragraphs it occurs in."""
    present = (matrix > 0).astype(np.float64)
    inside = 1 + np.asarray(present[labels == 1].sum(axis=0)).ravel()
    outside = 1 + np.asarray(present[labels == 0].sum(axis=0)).ravel()
    return np.log((inside / inside.sum()) / (outside / outside.sum()))


def _threshold(
    docs: Sequence[Sequence[str]],
    labels: np.ndarray,
    groups: list[str],
    themes: Sequence[str],
    settings: TrainingSettings,
) -> tuple[float, dict]:
    """The threshold chosen by grouped cross-validation (see the module), and the
    cross-validated scores at each threshold tried. Each fold learns its own vocabulary
    and document frequencies too, so the held-out councils' words are as new to it as a
    new council's are to the model."""
    from sklearn.model_selection import GroupKFold

    if len(set(groups)) < settings.folds or not themes:
        return 0.5, {}
    predicted = np.zeros(labels.shape, dtype=np.float32)
    folds = list(GroupKFold(n_splits=settings.folds).split(labels, groups=groups))
    for fit_rows, held_out in folds:
        vocabulary, idf = _vocabulary([docs[i] for i in fit_rows], settings.min_document_frequency)
        fit_matrix = _sparse(encode([docs[i] for i in fit_rows], vocabulary, idf), len(vocabulary))
        held_matrix = _sparse(encode([docs[i] for i in held_out], vocabulary, idf), len(vocabulary))
        for column in range(len(themes)):
            if labels[fit_rows, column].min() == labels[fit_rows, column].max():
                continue  # a fold without the theme: it predicts nothing there
            weights, intercept = _fit(fit_matrix, labels[fit_rows, column], settings)
            score = held_matrix @ weights + intercept
            predicted[held_out, column] = 1 / (1 + np.exp(-score))
    gold = [frozenset(themes[c] for c in np.flatnonzero(row)) for row in labels]
    tried, lowest = {}, {}
    for threshold in settings.threshold_grid:
        given = [
            frozenset(themes[c] for c in np.flatnonzero(row >= threshold)) for row in predicted
        ]
        tried[threshold] = evaluate(gold, given, themes).micro
        lowest[threshold] = min(
            evaluate([gold[i] for i in rows], [given[i] for i in rows], themes).micro.precision
            or 0.0
            for _, rows in folds
        )
    meeting = [t for t in tried if lowest[t] >= settings.target_precision]
    threshold = max(meeting or tried, key=lambda t: (tried[t].f1 or 0, -t))
    return threshold, {
        str(t): {**s.as_dict(), "lowest_fold_precision": round(lowest[t], 4)}
        for t, s in tried.items()
    }
