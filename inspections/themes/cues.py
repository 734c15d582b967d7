"""Which of each theme's cue words a text contains, from rules curators edit.

Cues are no longer what tags a paragraph (the trained model in `classifier.py` is): a cue
says a word is there, not that the paragraph is about it. They tag the themes the model has
too few labelled examples for, such as one a curator has just added, and each theme's cue
hits are one of the model's features.

A theme's rule is its slug and its cue words (the Theme model stores them; DOMAIN.md's
table, as fixtures/themes.csv, is the seed list). Pure: no database. Matching is meant for the
reports' prose:

- whole words and phrases, case-insensitive ("Early help" matches the cue "early help",
  "helpful" does not match "help");
- simple plurals either way ("plans" matches "plan", "assessment" matches "assessments",
  "histories" matches "history", "analyses" matches "analysis");
- hyphens and spaces are interchangeable ("front-door", "16 and 17 year olds" for the cue
  "16- and 17-year-old"), and so are straight and curly apostrophes;
- acronym cues (all capitals: MASH, CAF, PEP, IRO, SMART) match case-sensitively, so "pep"
  or "smart" in prose do not fire, but plurals do ("CAFs", "IROs");
- "s47"-style cues also match "s.47", "s 47" and "section 47".

Rules compile once per set of rules (a cached CueMatcher), as an import tags ~25,000
paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# Characters either side of a cue in a match's excerpt.
EXCERPT_CONTEXT = 60


@dataclass(frozen=True)
class ThemeRule:
    """A theme's slug and the cue words or phrases that give it."""

    slug: str
    cues: tuple[str, ...]


@dataclass(frozen=True)
class ThemeMatch:
    """Why a text was given a theme: the cue that matched and the words around it."""

    slug: str
    cue: str
    excerpt: str


def tag_text(text: str, rules: Sequence[ThemeRule]) -> list[ThemeMatch]:
    """The themes `text` mentions, one match per theme in the rules' order, each with the
    cue found earliest in the text and an excerpt around it."""
    return compiled_matcher(tuple(rules)).tag(text)


@lru_cache(maxsize=8)
def compiled_matcher(rules: tuple[ThemeRule, ...]) -> CueMatcher:
    """A CueMatcher for these rules, compiled once and reused while they are unchanged."""
    return CueMatcher(rules)


class CueMatcher:
    """Rules compiled once: one pattern per cue, tried only where a cheap word test says
    the cue can be in the text, and reused for every text."""

    def __init__(self, rules: Sequence[ThemeRule]):
        self._themes = [
            (rule.slug, [_compile_cue(cue) for cue in _unique(rule.cues)]) for rule in rules
        ]

    def tag(self, text: str) -> list[ThemeMatch]:
        """The themes `text` mentions (see tag_text)."""
        folded = _fold(text)
        words = set(_TOKEN.findall(folded))
        matches = []
        for slug, cues in self._themes:
            best: tuple[int, int, str] | None = None
            for cue in cues:
                found = cue.find(text, folded, words)
                if found and (best is None or found[0] < best[0]):
                    best = (found[0], found[1], cue.cue)
            if best:
                start, end, cue_words = best
                matches.append(
                    ThemeMatch(slug=slug, cue=cue_words, excerpt=_excerpt(text, start, end))
                )
        return matches


@dataclass(frozen=True)
class _Cue:
    """One cue compiled: its pattern, and the words one of which any match contains."""

    cue: str
    pattern: re.Pattern[str]
    keys: frozenset[str]  # empty for acronyms, which are tested as substrings
    acronym: bool

    def find(self, text: str, folded: str, words: set[str]) -> tuple[int, int] | None:
        """(start, end) of the cue's first whole-word match in the text, or None."""
        if self.acronym:
            if self.cue not in text:
                return None
            haystack = text
        else:
            # A set lookup first: most cues are absent from most paragraphs, and a search
            # costs far more than the lookup.
            if self.keys.isdisjoint(words):
                return None
            haystack = folded
        for match in self.pattern.finditer(haystack):
            start = match.start()
            # Checked here rather than by a look-behind so that the pattern starts with a
            # literal, which the regular expression engine finds quickly.
            if start == 0 or not _is_word_char(haystack[start - 1]):
                return start, match.end()
        return None


def _compile_cue(cue: str) -> _Cue:
    if _is_acronym(cue):
        pattern = re.compile(re.escape(cue) + r"(?:s|es)?(?![^\W_])")
        return _Cue(cue=cue, pattern=pattern, keys=frozenset(), acronym=True)
    pattern = re.compile(_cue_pattern(cue.lower()) + r"(?![^\W_])")
    return _Cue(cue=cue, pattern=pattern, keys=frozenset(_keys(cue)), acronym=False)


def _unique(cues: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for cue in cues:
        if cue.strip():
            seen.setdefault(cue.strip(), None)
    return list(seen)


def _fold(text: str) -> str:
    """Lower case, keeping every character's position (the few characters that lengthen
    when lower-cased, such as "İ", are kept as they are)."""
    folded = text.lower()
    if len(folded) == len(text):
        return folded
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _is_acronym(cue: str) -> bool:
    return len(cue) >= 2 and cue.isalpha() and cue.isupper()


_TOKEN = re.compile(r"[^\W_]+")


def _keys(cue: str) -> set[str]:
    """Words (as _TOKEN splits a lower-cased text) of which any match of a word cue
    contains one: its first word in every form the cue's pattern allows."""
    section = _SECTION_CUE.match(cue)
    if section:
        return {section.group(1), f"s{section.group(1)}"}
    lowered = cue.lower()
    tokens = _TOKEN.findall(lowered)
    if not tokens:
        return set()
    first = tokens[0]
    keys = {first}
    if len(tokens) > 1 and re.match(rf"{re.escape(first)}[\-–'’]", lowered):
        # "sign-off" written "signoff", "children's" written "childrens".
        keys.add(first + tokens[1])
    if len(tokens) == 1:
        forms = (
            first + "s",
            first + "es",
            first[:-1],
            first[:-1] + "ies",
            first[:-2],
            first[:-2] + "es",
            first[:-2] + "is",
            first[:-3] + "y",
        )
        pattern = re.compile(_plural(first))
        keys |= {form for form in forms if form and pattern.fullmatch(form)}
    return keys


_SECTION_CUE = re.compile(r"^s\.?\s?(\d+)$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-–]+")
# Between a cue's words: any run of spaces and hyphens ("front door", "front-door",
# "16- and 17-year-old"); where the cue itself hyphenates, the words may also be joined.
_GAP = r"[\s\-–]+"
_JOIN = r"[\s\-–]*"


def _cue_pattern(cue: str) -> str:
    """A lower-case word cue as a pattern for lower-cased text (without word boundaries)."""
    section = _SECTION_CUE.match(cue)
    if section:
        return rf"(?:s\.?\s?|section\s+){section.group(1)}"
    words = [w for w in _SEPARATORS.split(cue) if w]
    gaps = [_JOIN if "-" in sep else _GAP for sep in re.findall(r"[\s\-–]+", cue.strip())]
    pattern = ""
    for index, word in enumerate(words):
        last = index == len(words) - 1
        pattern += _plural(word) if last else _word(word)
        if not last:
            pattern += gaps[index] if index < len(gaps) else _GAP
    return pattern


def _word(word: str) -> str:
    # Apostrophes straight or curly, or left out ("childrens").
    return re.sub(r"\\?['’]", "['’]?", re.escape(word))


def _plural(word: str) -> str:
    """A cue's last word, matching its singular and its simple plural."""
    lower = word.lower()
    if not word.isalpha():
        return _word(word)
    if lower.endswith("ies") and len(word) > 4:
        return re.escape(word[:-3]) + "(?:y|ies)"
    if lower.endswith("y") and len(word) > 2 and lower[-2] not in "aeiou":
        return re.escape(word[:-1]) + "(?:y|ies)"
    if lower.endswith("is") and len(word) > 4:  # analysis, analyses
        return re.escape(word[:-2]) + "(?:is|es)"
    if lower.endswith(("ss", "us")):
        return re.escape(word) + "(?:es)?"
    if lower.endswith(("ches", "shes", "sses", "xes")):
        return re.escape(word[:-2]) + "(?:es)?"
    if lower.endswith("s"):
        return re.escape(word[:-1]) + "s?"
    if lower.endswith(("ch", "sh", "x")):
        return re.escape(word) + "(?:es)?"
    return re.escape(word) + "s?"


def _excerpt(text: str, match_start: int, match_end: int) -> str:
    """The words around a match, cut at word boundaries, with ellipses where cut."""
    start = max(0, match_start - EXCERPT_CONTEXT)
    end = min(len(text), match_end + EXCERPT_CONTEXT)
    if start > 0:
        space = text.find(" ", start, match_start)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", match_end, end)
        end = space if space != -1 else end
    excerpt = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + excerpt + ("…" if end < len(text) else "")
