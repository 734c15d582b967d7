"""Recommendations followed through: what the council's later inspections said next.

For each recommendation, the findings and recommendations of the same council's later
inspections and visits (a later start date, any framework) that speak to the same subject,
best first, with the matcher's score; and from them the recommendation's status:

- `raised_again`: a later recommendation on the same subject;
- `improved` / `not_improved`: later findings on the subject, whose words say which;
- `later_findings`: later findings on the subject whose stance cannot be read reliably
  (mixed or no cue words): a curator decides;
- `nothing_yet`: no later inspection speaks to it (yet).

The match is offline and deterministic: TF-IDF over the project's stemmed words and word
pairs (themes/features.py), fitted on the council's own reports, plus the themes the two
share. The stance is read from cue words in the sentences of the finding that share the
recommendation's words, and only when every cue found points the same way: never guessed.

Curators confirm, reject or add links in the admin (FollowThroughLink). Rebuilding
(`rebuild_follow_through`, run after each import that changed a council's records)
replaces only undecided suggestions: a confirmed link stays, a rejected pair is never
suggested again.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from django.db import transaction

from . import freshness
from .models import (
    Authority,
    Finding,
    FindingTheme,
    FollowThroughLink,
    Recommendation,
    RecommendationTheme,
    published_condition,
)
from .themes.features import words

# At most this many suggestions per recommendation, best first.
MAX_LINKS = 5
# Chosen on half the corpus councils' links, measured on the other half (README,
# scripts/evaluate_follow_through.py).
THRESHOLD = 0.12
# A purpose clause is left out only where the words before it say this much.
MIN_SUBJECT_WORDS = 5
# Suggestions beside the best must score at least this share of the best's score.
NEAR_BEST = 0.8
# The share of the score that needs the recommendation's themes on the later text too.
THEME_WEIGHT = 0.8
# A long paragraph speaks of many subjects, so it meets more of any recommendation's words
# by chance: its score is scaled by (LENGTH_SCALE / (LENGTH_SCALE + its content words)) **
# LENGTH_EXPONENT: 0.96 for a one-line finding (8 content words), 0.84 for a typical
# paragraph (40), 0.66 for a long ILACS one (150).
LENGTH_SCALE = 50
LENGTH_EXPONENT = 0.3

# Words every report uses about every subject: they say nothing about which subject.
_GENERIC = frozenset(
    """a an and are as at be been being but by for from had has have in into is it its of
    on or that the their there these they this those to was were which who will with not
    no all any more most much so than such also should ensure ensures ensuring need needs
    local authority authorities council children child young people person partner partners
    service services social care work worker workers make made including include includes
    improve improved improvement improvements improving quality effective effectiveness
    consistent consistently practice always well good better sufficient sufficiently
    across within where when what how each they them our other some many very can""".split()
)
_GENERIC_STEMS = frozenset(words(" ".join(_GENERIC)))

# One spelling for what reports write both in full and abbreviated, so the two meet (read
# on the stems: "IROs" is "iro"). "Looked after" reads as "in care", which says as little
# about a subject as "children".
_SPELT_OUT = {
    abbreviation: tuple(words(spelling))
    for abbreviation, spelling in {
        "cla": "children in care",
        "cse": "sexual exploitation",
        "neet": "not in education, employment or training",
        "eet": "education, employment or training",
        "iro": "independent reviewing officer",
        "mash": "multi-agency safeguarding hub",
        "lscb": "local safeguarding children board",
        "plo": "public law outline",
    }.items()
}
_LOOKED_AFTER = ("look", "after")
_IN_CARE = tuple(words("in care"))


def _spelt_out(stems: list[str]) -> list[str]:
    """The stems with abbreviations spelt out and "looked after" read as "in care"."""
    out: list[str] = []
    i = 0
    while i < len(stems):
        if tuple(stems[i : i + 2]) == _LOOKED_AFTER:
            out += _IN_CARE
            i += 2
            continue
        out += _SPELT_OUT.get(stems[i], (stems[i],))
        i += 1
    return out


Stance = FollowThroughLink.Stance

# The stance cues, read in the sentences of a later finding on the recommendation's subject.
_IMPROVED_CUES = [
    r"\b(?:has|have|had) (?:\w+ )?(?:improved|strengthened)\b",
    r"\b(?:is|are) now (?:effective|robust|consistent|embedded|timely|good|strong|in place)\b",
    r"\bstrengthened\b",
    r"\bsignificant(?:ly)? improve",
    r"\b(?:good|considerable|significant|strong) progress\b",
    r"\bmuch (?:better|improved)\b",
]
_NOT_IMPROVED_CUES = [
    r"\bnot yet\b",
    # Not "remain living with their families", "remain at home": staying, not stalling.
    r"\bremains?\b(?! (?:living|at home|with|in (?:their|the) care))",
    r"\bstill\b",
    r"\binconsistent(?:ly)?\b",
    r"\bweak(?:ness|nesses)?\b",
    r"\bnot (?:always|consistently|sufficiently|routinely|robust|effective|timely)\b",
    r"\btoo (?:variable|slow|often|many|few|long)\b",
    r"\bvariable\b",
    r"\bpoor\b",
    r"\binsufficient(?:ly)?\b",
    r"\black(?:s|ing)? (?:of )?\b",
]
_IMPROVED = re.compile("|".join(_IMPROVED_CUES))
_NOT_IMPROVED = re.compile("|".join(_NOT_IMPROVED_CUES))
_SENTENCE = re.compile(r"(?<=[.;!?])\s+")


# Where a recommendation turns from what to improve to why ("... so that the quality of
# work is understood"): the purpose speaks of every subject, so it is left out.
_PURPOSE = re.compile(
    r"[,;]?\s+(?:so that|so as to|in order to|in order that|to enable|to make sure|"
    r"(?:and )?to ensure|ensuring that|which will)\b",
    re.IGNORECASE,
)


def recommendation_subject(text: str) -> str:
    """What a recommendation asks to improve: its words before its purpose clause (or all
    of them, where the purpose would leave too few)."""
    match = _PURPOSE.search(text, 20)
    if match is None:
        return text
    subject = text[: match.start()]
    content = [w for w in words(subject) if w not in _GENERIC_STEMS]
    return subject if len(set(content)) >= MIN_SUBJECT_WORDS else text


def subject_terms(text: str) -> list[str]:
    """What a paragraph's subject is read from: its stemmed words, less those every report
    uses whatever its subject, and the pairs of adjacent ones ("manag oversight").
    Abbreviations are read spelt out, and "looked after" as "in care"."""
    content = [w for w in _spelt_out(words(text)) if w not in _GENERIC_STEMS and not w.isdigit()]
    return content + [f"{a} {b}" for a, b in pairwise(content)]


def read_stance(recommendation_text: str, finding_text: str) -> tuple[str, str]:
    """The stance of a later finding on a recommendation's subject, and why.

    Read in the finding's sentences that share at least two of the recommendation's words
    (or its one closest sentence): `improved` or `not_improved` where every cue found
    there points that way; `unclear` where they disagree or there are none.
    """
    subject = {t for t in subject_terms(recommendation_text) if " " not in t}
    sentences = [s for s in _SENTENCE.split(finding_text) if s.strip()]
    shared = [len(subject & set(subject_terms(s))) for s in sentences]
    if not sentences:
        return Stance.UNCLEAR, "no sentences"
    on_subject = [s for s, n in zip(sentences, shared, strict=True) if n >= 2]
    if not on_subject:
        on_subject = [sentences[int(np.argmax(shared))]]
    text = " ".join(on_subject).lower()
    better = sorted({m.group(0).strip() for m in _IMPROVED.finditer(text)})
    worse = sorted({m.group(0).strip() for m in _NOT_IMPROVED.finditer(text)})
    if better and not worse:
        return Stance.IMPROVED, "says “" + "”, “".join(better) + "”"
    if worse and not better:
        return Stance.NOT_IMPROVED, "says “" + "”, “".join(worse) + "”"
    if better:
        return Stance.UNCLEAR, "mixed: “" + "”, “".join(better + worse) + "”"
    return Stance.UNCLEAR, "no stance words"


@dataclass(frozen=True)
class _Text:
    pk: int
    is_recommendation: bool
    start: object  # the inspection's start date
    text: str
    themes: frozenset[int]


@dataclass(frozen=True)
class Suggestion:
    """One suggested link: a later finding or recommendation for a recommendation."""

    recommendation_id: int
    later_id: int
    later_is_recommendation: bool
    score: float
    stance: str
    reason: str

    @property
    def key(self) -> tuple[int, bool, int]:
        return (self.recommendation_id, self.later_is_recommendation, self.later_id)


def _council_texts(authority: Authority) -> list[_Text]:
    """Every published finding and recommendation of the council's inspections."""
    themes: dict[tuple[bool, int], set[int]] = defaultdict(set)
    for record_id, theme_id in FindingTheme.objects.filter(
        finding__inspection__authority=authority
    ).values_list("finding_id", "theme_id"):
        themes[False, record_id].add(theme_id)
    for record_id, theme_id in RecommendationTheme.objects.filter(
        recommendation__inspection__authority=authority
    ).values_list("recommendation_id", "theme_id"):
        themes[True, record_id].add(theme_id)
    texts = []
    for model, is_recommendation in ((Recommendation, True), (Finding, False)):
        rows = (
            model.objects.filter(published_condition(), inspection__authority=authority)
            .order_by("pk")
            .values_list("pk", "inspection__start_date", "text")
        )
        texts += [
            _Text(pk, is_recommendation, start, text, frozenset(themes[is_recommendation, pk]))
            for pk, start, text in rows
        ]
    return texts


def _as_read(terms: list[str]) -> list[str]:
    """The vectoriser's analyser for texts whose terms are already read."""
    return terms


def suggest(
    authority: Authority, *, threshold: float = THRESHOLD, limit: int = MAX_LINKS
) -> list[Suggestion]:
    """The matcher's suggestions for every recommendation of a council, best first per
    recommendation: those scoring at least `threshold`, at most `limit` each."""
    # Loaded here, not with the module: the admin and the web processes read statuses and
    # links without ever matching, and need not hold scikit-learn in memory.
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = _council_texts(authority)
    recommendations = [t for t in texts if t.is_recommendation]
    if not recommendations or not any(
        t.start > min(r.start for r in recommendations) for t in texts
    ):
        return []
    # Each text's terms read once: for the weights and for its length.
    terms = [
        subject_terms(recommendation_subject(t.text) if t.is_recommendation else t.text)
        for t in texts
    ]
    vectoriser = TfidfVectorizer(analyzer=_as_read, sublinear_tf=True, norm="l2")
    matrix = vectoriser.fit_transform(terms)
    index = {id(t): i for i, t in enumerate(texts)}
    content_words = np.asarray([sum(" " not in w for w in ws) for ws in terms], dtype=np.float64)
    length_factor = (LENGTH_SCALE / (LENGTH_SCALE + content_words)) ** LENGTH_EXPONENT
    suggestions: list[Suggestion] = []
    for recommendation in recommendations:
        later = [t for t in texts if t.start > recommendation.start]
        if not later:
            continue
        # How much of the recommendation's subject (its words' weight) the later text
        # speaks to: a long finding is not penalised for speaking of more besides.
        row = matrix[index[id(recommendation)]]
        squared = row.multiply(row)
        present = (matrix[[index[id(t)] for t in later]] > 0).astype(np.float64)
        coverage = (present @ squared.T).toarray().ravel()
        scored = []
        for candidate, words_score in zip(later, coverage, strict=True):
            own = recommendation.themes
            themes_score = len(own & candidate.themes) / len(own) if own else 0
            score = (
                float(words_score)
                * (1 - THEME_WEIGHT + THEME_WEIGHT * themes_score)
                * length_factor[index[id(candidate)]]
            )
            if score >= threshold:
                scored.append((round(score, 4), candidate))
        # Deterministic: ties go to the earlier inspection's record, then the lower id.
        scored.sort(key=lambda pair: (-pair[0], pair[1].start, pair[1].pk))
        # Only those nearly as close as the best: a paragraph that speaks of the subject
        # in passing scores well below one about it.
        kept = [(score, c) for score, c in scored[:limit] if score >= NEAR_BEST * scored[0][0]]
        for score, candidate in kept:
            if candidate.is_recommendation:
                stance, reason = Stance.RAISED_AGAIN, "a later recommendation"
            else:
                stance, reason = read_stance(recommendation.text, candidate.text)
            suggestions.append(
                Suggestion(
                    recommendation.pk,
                    candidate.pk,
                    candidate.is_recommendation,
                    score,
                    stance,
                    reason[:300],
                )
            )
    return suggestions


def status_of(links: Iterable[FollowThroughLink]) -> str:
    """A recommendation's status from its links (see the module): a curator's confirmed
    links decide where there are any; rejected ones never count."""
    kept = [link for link in links if link.decision != FollowThroughLink.Decision.REJECTED]
    confirmed = [
        link
        for link in kept
        if link.decision == FollowThroughLink.Decision.CONFIRMED
        or link.source == FollowThroughLink.Source.CURATOR
    ]
    counted = confirmed or kept
    if not counted:
        return "nothing_yet"
    if any(link.later_recommendation_id for link in counted):
        return "raised_again"
    stances = {link.stance for link in counted}
    if stances == {Stance.IMPROVED}:
        return "improved"
    if stances == {Stance.NOT_IMPROVED}:
        return "not_improved"
    return "later_findings"


def update_statuses(recommendation_ids: Iterable[int]) -> int:
    """Store the status of these recommendations from their links; how many changed."""
    ids = list(recommendation_ids)
    links: dict[int, list[FollowThroughLink]] = defaultdict(list)
    for link in FollowThroughLink.objects.filter(recommendation_id__in=ids):
        links[link.recommendation_id].append(link)
    changed = []
    for recommendation in Recommendation.objects.filter(pk__in=ids).only(
        "pk", "follow_through_status"
    ):
        status = status_of(links[recommendation.pk])
        if status != recommendation.follow_through_status:
            recommendation.follow_through_status = status
            changed.append(recommendation)
    Recommendation.objects.bulk_update(changed, ["follow_through_status"], batch_size=500)
    if changed:
        freshness.mark_changed()  # bulk_update sends no signals
    return len(changed)


@dataclass
class RebuildResult:
    """What rebuilding one council's links changed."""

    authority: Authority
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    kept_decided: int = 0
    statuses: Counter = field(default_factory=Counter)
    statuses_changed: int = 0

    def describe(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in sorted(self.statuses.items()))
        return (
            f"{self.authority}: {self.added} links suggested, {self.updated} rescored, "
            f"{self.removed} withdrawn, {self.unchanged} unchanged, "
            f"{self.kept_decided} curators' kept; "
            f"{self.statuses_changed} statuses changed ({counts or 'no recommendations'})."
        )


def rebuild_follow_through(authority: Authority, *, threshold: float = THRESHOLD) -> RebuildResult:
    """Replace a council's undecided suggestions with the matcher's current ones (those
    scoring at least `threshold`), and store its recommendations' statuses. Curators'
    decisions and links are kept."""
    result = RebuildResult(authority)
    with transaction.atomic():
        links = FollowThroughLink.objects.filter(recommendation__inspection__authority=authority)
        undecided = {}
        decided_keys = set()
        for link in links:
            key = (
                link.recommendation_id,
                link.later_recommendation_id is not None,
                link.later_recommendation_id or link.later_finding_id,
            )
            if link.source == FollowThroughLink.Source.SUGGESTED and (
                link.decision == FollowThroughLink.Decision.NONE
            ):
                undecided[key] = link
            else:
                decided_keys.add(key)
        result.kept_decided = len(decided_keys)
        wanted: dict[tuple, FollowThroughLink] = {}
        rank: Counter = Counter()
        for suggestion in suggest(authority, threshold=threshold):
            if suggestion.key in decided_keys:
                continue  # a curator has decided on this pair: never suggested again
            rank[suggestion.recommendation_id] += 1
            wanted[suggestion.key] = FollowThroughLink(
                recommendation_id=suggestion.recommendation_id,
                later_recommendation_id=(
                    suggestion.later_id if suggestion.later_is_recommendation else None
                ),
                later_finding_id=None
                if suggestion.later_is_recommendation
                else suggestion.later_id,
                score=suggestion.score,
                rank=rank[suggestion.recommendation_id],
                stance=suggestion.stance,
                reason=suggestion.reason,
                source=FollowThroughLink.Source.SUGGESTED,
            )
        fields = ("score", "rank", "stance", "reason")
        stale = [link.pk for key, link in undecided.items() if key not in wanted]
        changed = []
        for key, new in wanted.items():
            old = undecided.get(key)
            if old is None:
                continue
            if any(getattr(old, f) != getattr(new, f) for f in fields):
                for f in fields:
                    setattr(old, f, getattr(new, f))
                changed.append(old)
            else:
                result.unchanged += 1
        FollowThroughLink.objects.filter(pk__in=stale).delete()
        FollowThroughLink.objects.bulk_update(changed, fields, batch_size=500)
        FollowThroughLink.objects.bulk_create(
            [link for key, link in wanted.items() if key not in undecided], batch_size=500
        )
        result.added = sum(1 for key in wanted if key not in undecided)
        result.updated = len(changed)
        result.removed = len(stale)
        ids = list(
            Recommendation.objects.filter(inspection__authority=authority).values_list(
                "pk", flat=True
            )
        )
        result.statuses_changed = update_statuses(ids)
        result.statuses = Counter(
            Recommendation.objects.filter(pk__in=ids).values_list(
                "follow_through_status", flat=True
            )
        )
        if result.added or result.updated or result.removed or result.statuses_changed:
            freshness.mark_changed()
    return result
