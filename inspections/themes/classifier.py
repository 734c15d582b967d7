"""The theme model: a linear classifier per theme over a paragraph's features, as data.

A trained ThemeClassifier is plain arrays (vocabulary, inverse document frequencies, one
weight per feature and theme, an intercept and a threshold per theme) and needs nothing but
numpy to tag: training (scikit-learn) lives in `training.py`, and a web worker or an import
never loads it. Pure and deterministic: no database, no network, the same bytes in give the
same tags out.

A paragraph's features (`features.py`) become a vector of sublinear term frequency times
inverse document frequency, scaled to unit length; each theme's probability is the logistic
of its weights' dot product with that vector plus its intercept, and the theme is given
where the probability reaches the theme's threshold. Why a theme was given is the few
features that added most to its score.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from .cues import ThemeRule
from .features import CuePhrases, Paragraph, describe, paragraph_features

ARTEFACT_FORMAT = 1
# Paragraphs vectorised at once: bounds the (features x themes) array a batch gathers.
_CHUNK = 256
# Features named in a tag's explanation.
EXPLAINED_FEATURES = 3


@dataclass(frozen=True)
class ThemeTag:
    """One theme given to a paragraph, and why."""

    slug: str
    why: str  # the features that weighed most, or the cue that matched
    score: float | None = None  # the model's probability; None when given by cue words


@dataclass(frozen=True)
class Encoded:
    """Paragraphs as a sparse matrix in CSR form: row i's features are
    indices[indptr[i]:indptr[i + 1]], with those values."""

    indices: np.ndarray
    values: np.ndarray
    indptr: np.ndarray

    @property
    def rows(self) -> int:
        return len(self.indptr) - 1


def encode(docs: Sequence[Sequence[str]], vocabulary: dict[str, int], idf: np.ndarray) -> Encoded:
    """Feature lists as unit-length rows of (1 + log count) x idf, over the vocabulary's
    features (others are dropped)."""
    get = vocabulary.get
    columns: list[int] = []
    lengths: list[int] = []
    for doc in docs:
        # map() looks features up in C; counting and sorting happen below, in numpy.
        found = [c for c in map(get, doc) if c is not None]
        columns.extend(found)
        lengths.append(len(found))
    width = max(len(vocabulary), 1)
    rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    keys, counts = np.unique(rows * width + np.asarray(columns, dtype=np.int64), return_counts=True)
    row_of, index_array = np.divmod(keys, width)
    pointers = np.searchsorted(row_of, np.arange(len(lengths) + 1)).astype(np.int64)
    index_array = index_array.astype(np.int32)
    values = (1.0 + np.log(counts.astype(np.float32))) * idf[index_array]
    if len(values):
        squares = np.bincount(row_of, weights=values * values, minlength=len(lengths))
        norms = np.sqrt(np.where(squares > 0, squares, 1.0)).astype(np.float32)
        values = values / norms[row_of]
    return Encoded(index_array, values.astype(np.float32), pointers)


@dataclass(frozen=True, eq=False)
class ThemeClassifier:
    """A trained theme model (see the module). `themes` are the slugs it tags, in the
    columns' order; `cue_rules` are the cue words its `cue:` features were trained with,
    kept so those features mean the same whatever curators later change."""

    themes: tuple[str, ...]
    features: tuple[str, ...]
    idf: np.ndarray  # (features,)
    weights: np.ndarray  # (features, themes)
    intercepts: np.ndarray  # (themes,)
    thresholds: np.ndarray  # (themes,) probabilities
    cue_rules: tuple[ThemeRule, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def vocabulary(self) -> dict[str, int]:
        return {feature: i for i, feature in enumerate(self.features)}

    @cached_property
    def cue_phrases(self) -> CuePhrases:
        return CuePhrases(self.cue_rules)

    @cached_property
    def _logit_thresholds(self) -> np.ndarray:
        # Compare raw scores with the thresholds' logits: no exponentials per paragraph.
        p = np.clip(self.thresholds.astype(np.float64), 1e-9, 1 - 1e-9)
        return np.log(p / (1 - p)).astype(np.float32)

    def encode(self, paragraphs: Sequence[Paragraph]) -> Encoded:
        cues = self.cue_phrases
        docs = [paragraph_features(p, cues) for p in paragraphs]
        return encode(docs, self.vocabulary, self.idf)

    def _scores(self, encoded: Encoded) -> np.ndarray:
        """Raw scores (logits), one row per paragraph, one column per theme."""
        scores = np.zeros((encoded.rows, len(self.themes)), dtype=np.float32)
        lengths = np.diff(encoded.indptr)
        for start in range(0, encoded.rows, _CHUNK):
            stop = min(start + _CHUNK, encoded.rows)
            lo, hi = encoded.indptr[start], encoded.indptr[stop]
            if hi == lo:
                continue
            gathered = self.weights[encoded.indices[lo:hi]] * encoded.values[lo:hi, None]
            # Sum each row's features; a row with none (no known feature) stays zero.
            rows = np.flatnonzero(lengths[start:stop]) + start
            offsets = encoded.indptr[rows] - lo
            scores[rows] = np.add.reduceat(gathered, offsets, axis=0)
        return scores + self.intercepts

    def probabilities(self, paragraphs: Sequence[Paragraph]) -> np.ndarray:
        """Each theme's probability for each paragraph (rows), in `themes` order."""
        return 1.0 / (1.0 + np.exp(-self._scores(self.encode(paragraphs))))

    def tag(
        self, paragraphs: Sequence[Paragraph], *, explain: int | bool = True
    ) -> list[list[ThemeTag]]:
        """The themes each paragraph is given, in `themes` order, each with why: the
        EXPLAINED_FEATURES features that weighed most (`explain` may say how many; 0 or
        False for none, which is faster)."""
        if not paragraphs:
            return []
        named = EXPLAINED_FEATURES if explain is True else int(explain)
        encoded = self.encode(paragraphs)
        scores = self._scores(encoded)
        rows, columns = np.nonzero(scores >= self._logit_thresholds)
        logits = scores[rows, columns].astype(np.float64)
        probabilities = np.round(1.0 / (1.0 + np.exp(-logits)), 3).tolist()
        tags: list[list[ThemeTag]] = [[] for _ in paragraphs]
        for row, column, probability in zip(
            rows.tolist(), columns.tolist(), probabilities, strict=True
        ):
            why = self._why(encoded, row, column, named) if named else ""
            tags[row].append(ThemeTag(self.themes[column], why, probability))
        return tags

    def _why(self, encoded: Encoded, row: int, column: int, named: int) -> str:
        lo, hi = encoded.indptr[row], encoded.indptr[row + 1]
        columns = encoded.indices[lo:hi]
        contributions = encoded.values[lo:hi] * self.weights[columns, column]
        # Largest first; columns are sorted, so ties fall to the earlier feature name.
        order = np.argsort(-contributions, kind="stable")[:named]
        return ", ".join(describe(self.features[columns[i]]) for i in order if contributions[i] > 0)

    # --- The artefact ------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The classifier as a compressed, deterministic artefact (same model, same bytes)."""
        payload = {
            "format": ARTEFACT_FORMAT,
            "themes": list(self.themes),
            "features": list(self.features),
            "idf": _pack(self.idf),
            "weights": _pack(self.weights),
            "intercepts": _pack(self.intercepts),
            "thresholds": _pack(self.thresholds),
            "cue_rules": [[rule.slug, list(rule.cues)] for rule in self.cue_rules],
            "summary": self.summary,
        }
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return gzip.compress(text.encode(), compresslevel=9, mtime=0)

    @classmethod
    def from_bytes(cls, data: bytes) -> ThemeClassifier:
        """Read an artefact written by `to_bytes`; ValueError if it is not one."""
        try:
            payload = json.loads(gzip.decompress(data))
        except (OSError, EOFError, ValueError) as error:
            raise ValueError(f"Not a theme model artefact: {error}") from error
        if payload.get("format") != ARTEFACT_FORMAT:
            raise ValueError(f"Unknown theme model format {payload.get('format')!r}.")
        themes = tuple(payload["themes"])
        features = tuple(payload["features"])
        return cls(
            themes=themes,
            features=features,
            idf=_unpack(payload["idf"], (len(features),)),
            weights=_unpack(payload["weights"], (len(features), len(themes))),
            intercepts=_unpack(payload["intercepts"], (len(themes),)),
            thresholds=_unpack(payload["thresholds"], (len(themes),)),
            cue_rules=tuple(ThemeRule(slug, tuple(cues)) for slug, cues in payload["cue_rules"]),
            summary=payload["summary"],
        )


def digest_of(artefact: bytes) -> str:
    """The artefact's SHA-256: two trainings that agree give the same digest."""
    return hashlib.sha256(artefact).hexdigest()


def _pack(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode()


def _unpack(text: str, shape: tuple[int, ...]) -> np.ndarray:
    array = np.frombuffer(base64.b64decode(text), dtype="<f4").astype(np.float32)
    return array.reshape(shape)
