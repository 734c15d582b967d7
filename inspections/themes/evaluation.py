"""Precision, recall and F1 of theme tags against labels: per theme, micro and macro.

Pure. Micro averages count every tag alike (the figure a reader of a theme filter feels);
macro averages give each theme an equal say (rare themes count as much as common ones).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    """Counts of tags right (true positives), given wrongly and missed, and the rates."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def support(self) -> int:
        """How many labelled tags there were to find."""
        return self.true_positives + self.false_negatives

    @property
    def precision(self) -> float | None:
        given = self.true_positives + self.false_positives
        return self.true_positives / given if given else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.support if self.support else None

    @property
    def f1(self) -> float | None:
        denominator = 2 * self.true_positives + self.false_positives + self.false_negatives
        return 2 * self.true_positives / denominator if denominator else None

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            self.true_positives + other.true_positives,
            self.false_positives + other.false_positives,
            self.false_negatives + other.false_negatives,
        )

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "f1": _round(self.f1),
            "support": self.support,
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
        }


@dataclass(frozen=True)
class Evaluation:
    """Scores per theme, in the themes' order, and their averages."""

    per_theme: dict[str, Scores]
    paragraphs: int

    @property
    def micro(self) -> Scores:
        total = Scores()
        for scores in self.per_theme.values():
            total += scores
        return total

    @property
    def macro_f1(self) -> float | None:
        """The mean of the themes' F1, over the themes with any labelled or given tag."""
        values = [s.f1 for s in self.per_theme.values() if s.f1 is not None]
        return sum(values) / len(values) if values else None

    @property
    def macro_precision(self) -> float | None:
        values = [s.precision for s in self.per_theme.values() if s.precision is not None]
        return sum(values) / len(values) if values else None

    @property
    def macro_recall(self) -> float | None:
        values = [s.recall for s in self.per_theme.values() if s.recall is not None]
        return sum(values) / len(values) if values else None

    def as_dict(self) -> dict:
        micro = self.micro
        return {
            "paragraphs": self.paragraphs,
            "micro": micro.as_dict(),
            "macro": {
                "precision": _round(self.macro_precision),
                "recall": _round(self.macro_recall),
                "f1": _round(self.macro_f1),
            },
            "themes": {slug: scores.as_dict() for slug, scores in self.per_theme.items()},
        }


def evaluate(
    labels: Iterable[frozenset[str] | set[str]],
    given: Iterable[frozenset[str] | set[str]],
    themes: Sequence[str],
) -> Evaluation:
    """Compare the themes given to each paragraph with its labels, theme by theme. Themes
    outside `themes` are ignored on both sides."""
    counts = {slug: [0, 0, 0] for slug in themes}
    paragraphs = 0
    for labelled, tagged in zip(labels, given, strict=True):
        paragraphs += 1
        for slug in (set(labelled) | set(tagged)) & counts.keys():
            row = counts[slug]
            if slug in labelled and slug in tagged:
                row[0] += 1
            elif slug in tagged:
                row[1] += 1
            else:
                row[2] += 1
    return Evaluation({slug: Scores(*counts[slug]) for slug in themes}, paragraphs)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
