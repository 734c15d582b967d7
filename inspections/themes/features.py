"""What the theme model reads in a paragraph: its words, word pairs, heading, kind and cues.

Pure and deterministic: the same paragraph gives the same features in training, in an
import and in `retag_themes`, so the model never sees text prepared two ways.

- the text's words, lower-cased and stemmed ("assessments", "assessed" and "assessing"
  all read as "assess"), so a theme learnt from one form is found in the others;
- adjacent pairs of its content words, stopwords left out ("return home", "seen alone",
  "child protect"): pairs carry what single words cannot;
- the words of the section heading it sits under, marked `§`, since "Missing" or "Adoption"
  as a heading says more about a paragraph than the same word in passing;
- what it is: `record:finding` or `record:recommendation`. Every paragraph has this one,
  so no paragraph is empty of features;
- each theme whose cue words it contains, as `cue:<slug>` (cues read as stems, like the
  text): the model learns how far to trust each theme's cues, rather than the cues deciding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import Stemmer  # PyStemmer: the Snowball stemmers in C

from .cues import ThemeRule

_WORD = re.compile(r"[a-z0-9]+")
# Possessive and contracted endings ("children's" reads as "children s") carry nothing.
_DROP = frozenset({"s", "t"})
# Left out of word pairs, so "the child's plan" and "child plan" pair alike.
_STOPWORDS = frozenset(
    """a an and are as at be been being but by for from had has have in into is it its
    of on or that the their there these they this those to was were which who will with""".split()
)
HEADING_MARK = "§"
RECORD_MARK = "record:"
CUE_MARK = "cue:"

_stemmer = Stemmer.Stemmer("english")
# Reports reuse a vocabulary of a few tens of thousands of words: each is stemmed once per
# process. A plain dict, read with .get, is cheaper per word than even the C stemmer.
_STEMS: dict[str, str] = {}


@dataclass(frozen=True)
class Paragraph:
    """A finding or recommendation as the theme model sees it."""

    text: str
    section: str = ""
    record: str = "finding"  # "finding" | "recommendation"


def _stem(word: str) -> str:
    stem = _STEMS.get(word)
    if stem is None:
        stem = _STEMS[word] = _stemmer.stemWord(word)
    return stem


def words(text: str) -> list[str]:
    """The text's words, lower-cased and stemmed, in order."""
    stems = _STEMS
    return [stems.get(w) or _stem(w) for w in _WORD.findall(text.lower()) if w not in _DROP]


def paragraph_features(paragraph: Paragraph, cues: CuePhrases | None = None) -> list[str]:
    """The features of one paragraph, repeated as often as they occur (see the module);
    `cues` (the cue words the model was trained with) adds its cue features."""
    stems = _STEMS
    tokens: list[str] = []
    content: list[str] = []
    for word in _WORD.findall(paragraph.text.lower()):
        if word in _DROP:
            continue
        stem = stems.get(word) or _stem(word)
        tokens.append(stem)
        if word not in _STOPWORDS:
            content.append(stem)
    features = tokens + [f"{a} {b}" for a, b in pairwise(content)]
    features += [HEADING_MARK + w for w in dict.fromkeys(words(paragraph.section))]
    features.append(RECORD_MARK + paragraph.record)
    if cues is not None:
        features += cues.found(tokens)
    return features


class CuePhrases:
    """Each theme's cue words as sequences of stems, found among a paragraph's stems.

    The same words the cue matcher (`cues.py`) looks for, read the way the model reads
    text (lower-cased and stemmed, so "assessments" finds the cue "assessment"): a feature
    for the model to weigh, not a rule, so a cheap, tokenised match serves. A phrase is
    tried only when its first stem is in the paragraph.
    """

    def __init__(self, rules: Sequence[ThemeRule]) -> None:
        self.by_first: dict[str, list[tuple[str, str]]] = {}
        for rule in rules:
            for cue in rule.cues:
                stems = words(cue)
                if stems:
                    phrase = " " + " ".join(stems) + " "
                    self.by_first.setdefault(stems[0], []).append((phrase, rule.slug))

    def found(self, tokens: list[str]) -> list[str]:
        present = self.by_first.keys() & set(tokens)
        if not present:
            return []
        joined = " " + " ".join(tokens) + " "
        slugs = {
            slug for first in present for phrase, slug in self.by_first[first] if phrase in joined
        }
        return [CUE_MARK + slug for slug in sorted(slugs)]


def describe(feature: str) -> str:
    """A feature as a curator reads it in an explanation of a tag."""
    if feature.startswith(HEADING_MARK):
        return f"heading “{feature[len(HEADING_MARK) :]}”"
    if feature.startswith(RECORD_MARK):
        return f"being a {feature[len(RECORD_MARK) :]}"
    if feature.startswith(CUE_MARK):
        return f"the {feature[len(CUE_MARK) :]} cue words"
    return f"“{feature}”"
