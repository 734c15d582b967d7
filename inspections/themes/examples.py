"""Labelled examples the theme model learns from and is measured on. Pure: reading the
curators' corrections from the database is `store.curated_examples`.

Two sources:
- the labelled set, `fixtures/themes/labelled.jsonl` (provenance in the README beside it):
  paragraphs from real reports labelled by reading them against THEMES.md, split by
  council into a training part and an evaluation part, so that no council is in both;
- curators' corrections: every finding or recommendation whose themes a curator chose in
  the admin (`"themes"` in its `curated_fields`) is an example with those themes.

A correction of a paragraph that is also in the labelled set replaces its label there. A
correction in a council of the evaluation part is left out of training, so the
evaluation stays a measure of councils the model never learnt from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .features import Paragraph

LABELLED_SET = Path(settings.BASE_DIR) / "fixtures" / "themes" / "labelled.jsonl"
TRAINING, EVALUATION = "training", "evaluation"


class LabelledSetError(ValueError):
    """The labelled set cannot be read; the message names the line and what is wrong."""


@dataclass(frozen=True)
class Example:
    """A paragraph and the themes a person gave it."""

    paragraph: Paragraph
    themes: frozenset[str]
    authority: str  # slug: cross-validation and the split keep a council's paragraphs together
    split: str  # TRAINING | EVALUATION
    origin: str = "labelled"  # "labelled" | "curated"
    sample: str = "random"  # how the labelled set drew it: "random" | "targeted" (rare themes)

    @property
    def key(self) -> str:
        return " ".join(self.paragraph.text.split())


def read_labelled_set(path: Path = LABELLED_SET) -> list[Example]:
    """The labelled set's rows as examples; LabelledSetError on a malformed line."""
    examples = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                record = row["record"]
                examples.append(
                    Example(
                        paragraph=Paragraph(
                            text=row["text"],
                            section=(row.get("section") or "") if record == "finding" else "",
                            record=record,
                        ),
                        themes=frozenset(row["themes"]),
                        authority=row["authority"],
                        split=row["split"],
                        sample=row.get("sample") or "random",
                    )
                )
            except (ValueError, KeyError, TypeError) as error:
                raise LabelledSetError(f"{path}, line {number}: {error!r}") from error
            if examples[-1].split not in (TRAINING, EVALUATION):
                raise LabelledSetError(f"{path}, line {number}: unknown split {row['split']!r}")
    return examples


def evaluation_authorities(examples: Iterable[Example]) -> frozenset[str]:
    """The councils of the evaluation part."""
    return frozenset(e.authority for e in examples if e.split == EVALUATION)


def combine(labelled: Sequence[Example], curated: Sequence[Example]) -> list[Example]:
    """The labelled set with curators' corrections: a correction replaces the label of the
    same paragraph (same text), and the others are added."""
    corrected = {example.key: example for example in curated}
    combined = [corrected.pop(example.key, example) for example in labelled]
    return combined + list(corrected.values())
