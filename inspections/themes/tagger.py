"""The tagger imports and `retag_themes` use: the theme model, and cue words where it has
no say.

A theme is tagged by the model when the model was trained on it; otherwise (too few
labelled examples, or added by a curator since) by its cue words as they are now. A theme
the model knows but the database no longer has (deleted, or renamed to another slug) is
not tagged. Pure: the caller passes the classifier and the themes' rules.
"""

from __future__ import annotations

from collections.abc import Sequence

from .classifier import ThemeClassifier, ThemeTag
from .cues import ThemeRule, compiled_matcher
from .features import Paragraph


class ThemeTagger:
    """Tags paragraphs with the current themes (see the module). `model_id` is the stored
    ThemeModel's primary key, recorded on every row it tags; None for cues alone."""

    def __init__(
        self,
        classifier: ThemeClassifier | None,
        rules: Sequence[ThemeRule],
        model_id: int | None = None,
    ) -> None:
        self.classifier = classifier
        self.model_id = model_id
        self.themes = tuple(rule.slug for rule in rules)
        self._order = {slug: i for i, slug in enumerate(self.themes)}
        modelled = set(classifier.themes) if classifier else set()
        self.model_themes = frozenset(modelled & self._order.keys())
        self.cue_rules = tuple(rule for rule in rules if rule.slug not in modelled)

    def tag(
        self, paragraphs: Sequence[Paragraph], *, explain: int | bool = True
    ) -> list[list[ThemeTag]]:
        """Each paragraph's themes, in the rules' order, each with why it was given
        (`explain` as ThemeClassifier.tag takes it)."""
        if self.classifier is not None and self.model_themes:
            tags = [
                [t for t in found if t.slug in self.model_themes]
                for found in self.classifier.tag(paragraphs, explain=explain)
            ]
        else:
            tags = [[] for _ in paragraphs]
        if self.cue_rules:
            matcher = compiled_matcher(self.cue_rules)
            for found, paragraph in zip(tags, paragraphs, strict=True):
                found.extend(
                    ThemeTag(m.slug, f"the cue “{m.cue}”") for m in matcher.tag(paragraph.text)
                )
                found.sort(key=lambda t: self._order[t.slug])
        return tags
