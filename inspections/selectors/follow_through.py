"""What happened next, as the public site shows it: a recommendation's later findings and
recommendations (its permalink), a council's recommendations with their status and next
evidence (its page), the subjects raised again across councils (/follow-through/), and
one row per link (its download).

The links are made by the matcher and curated in the admin (inspections/follow_through.py).
Only public links are shown (`public_links`): never a rejected one; an undecided suggestion
only at or above the matcher's threshold; a confirmed or curator-added link always; and only
where both ends are published. Each page reads a fixed number of queries whatever the data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet

from .. import freshness
from ..filters import RecommendationFilterSet
from ..follow_through import THRESHOLD, subject_terms
from ..models import (
    Finding,
    FollowThroughLink,
    Inspection,
    Recommendation,
    RecommendationTheme,
    published_condition,
    record_url_parts,
)
from ..themes.features import words
from ..vocabulary import FOLLOW_THROUGH_SOURCES, FOLLOW_THROUGH_STATUSES, FRAMEWORK_SHORT_NAMES
from .listings import SUMMARY_CACHE_SECONDS, recommendation_list
from .shared import grouped

Link = FollowThroughLink


# --- Which links are public ------------------------------------------------------------


def public_link_condition() -> Q:
    """A link the public may see: not rejected; confirmed or added by a curator, or
    suggested at or above the matcher's threshold; its recommendation and its later
    finding or recommendation both published."""
    return (
        ~Q(decision=Link.Decision.REJECTED)
        & (
            Q(decision=Link.Decision.CONFIRMED)
            | Q(source=Link.Source.CURATOR)
            | Q(score__gte=THRESHOLD)
        )
        & published_condition("recommendation__")
        & (Q(later_finding__isnull=True) | published_condition("later_finding__"))
        & (Q(later_recommendation__isnull=True) | published_condition("later_recommendation__"))
    )


def public_links() -> QuerySet[FollowThroughLink]:
    """Every public link (`public_link_condition`), unordered."""
    return FollowThroughLink.objects.filter(public_link_condition()).order_by()


def link_source(source: str, decision: str) -> str:
    """Who stands behind a link, as a FOLLOW_THROUGH_SOURCES code: a curator who added it
    or confirmed it, or the matcher alone."""
    if source == Link.Source.CURATOR:
        return "curator"
    if decision == Link.Decision.CONFIRMED:
        return "confirmed"
    return "suggested"


# --- Quoting briefly ---------------------------------------------------------------------

QUOTE_WORDS = 40  # a quote's length at most, in words, as the site's other excerpts
_SENTENCE = re.compile(r"(?<=[.;!?])\s+")
ELLIPSIS = "…"


def _first_words(text: str, limit: int) -> tuple[str, bool]:
    parts = text.split()
    return " ".join(parts[:limit]), len(parts) > limit


def brief_quote(text: str, about: str) -> str:
    """A short quote of a later paragraph on the subject of the recommendation `about`:
    the whole paragraph when short; otherwise its sentence sharing most of the
    recommendation's subject words (its first one if none shares any), cut at QUOTE_WORDS
    words, with "…" where words are left out."""
    if len(text.split()) <= QUOTE_WORDS:
        return text
    subject = {term for term in subject_terms(about) if " " not in term}
    sentences = [s for s in _SENTENCE.split(text.strip()) if s.strip()]
    shared = [len(subject & set(words(sentence))) for sentence in sentences]
    best = max(range(len(sentences)), key=lambda i: (shared[i], -i))  # ties: the first
    quote, cut = _first_words(sentences[best], QUOTE_WORDS)
    before = ELLIPSIS + " " if best > 0 else ""
    after = " " + ELLIPSIS if cut or best < len(sentences) - 1 else ""
    return before + quote + after


# --- What happened next to one recommendation -------------------------------------------


@dataclass
class NextItem:
    """A later finding or recommendation linked to a recommendation, as pages show it."""

    record: Finding | Recommendation
    kind: str  # "finding" or "recommendation"
    quote: str
    stance: str  # a FollowThroughLink.Stance code
    stance_label: str
    source: str  # a FOLLOW_THROUGH_SOURCES code
    score: float | None

    @property
    def inspection(self) -> Inspection:
        return self.record.inspection

    @property
    def source_label(self) -> str:
        return FOLLOW_THROUGH_SOURCES[self.source]

    @property
    def framework_short_name(self) -> str:
        return FRAMEWORK_SHORT_NAMES.get(self.inspection.framework, self.inspection.framework)

    @property
    def label(self) -> str:
        """Which item of its report: "paragraph 12", "a finding", "recommendation 3" (as
        the permalinks' titles name them)."""
        record = self.record
        if self.kind == "finding":
            return f"paragraph {record.paragraph}" if record.paragraph else "a finding"
        lscb = " to the LSCB" if record.addressee == "lscb" else ""
        return f"recommendation {record.position + 1}{lscb}"

    @property
    def confirmed(self) -> bool:
        return self.source != "suggested"


def _next_items(links: Sequence[FollowThroughLink], about: Mapping[int, str]) -> list[NextItem]:
    items = []
    for link in links:
        record = link.later_finding or link.later_recommendation
        kind = "finding" if link.later_finding_id else "recommendation"
        items.append(
            NextItem(
                record=record,
                kind=kind,
                quote=brief_quote(record.text, about[link.recommendation_id]),
                stance=link.stance,
                stance_label=link.get_stance_display(),
                source=link_source(link.source, link.decision),
                score=link.score,
            )
        )
    # What happened next, in order: the earliest later inspection first; within one, the
    # curators' links, then the matcher's best.
    items.sort(
        key=lambda item: (
            item.inspection.start_date,
            not item.confirmed,
            -(item.score or 0),
            item.kind,
            item.record.pk,
        )
    )
    return items


def _links_of(recommendation_ids: list[int]) -> list[FollowThroughLink]:
    """The public links of these recommendations, with their later records and those
    records' inspections: one query."""
    if not recommendation_ids:
        return []
    return list(
        public_links()
        .filter(recommendation_id__in=recommendation_ids)
        .select_related("later_finding__inspection", "later_recommendation__inspection")
    )


def next_items(*, recommendation: Recommendation) -> list[NextItem]:
    """What later inspections and visits said on a recommendation's subject (its public
    links), earliest first: one query."""
    return _next_items(_links_of([recommendation.pk]), {recommendation.pk: recommendation.text})


# --- A council's recommendations followed through ----------------------------------------


@dataclass
class FollowedRecommendation:
    """One recommendation of a council's page's follow-through table."""

    recommendation: Recommendation
    items: list[NextItem]  # earliest first

    @property
    def status_label(self) -> str:
        return FOLLOW_THROUGH_STATUSES[self.recommendation.follow_through_status]

    @property
    def next(self) -> NextItem | None:
        """The next evidence: the earliest later item on its subject."""
        return self.items[0] if self.items else None

    @property
    def more(self) -> int:
        return max(0, len(self.items) - 1)


@dataclass
class FollowedInspection:
    """One inspection's recommendations, with what later inspections said on each."""

    inspection: Inspection
    rows: list[FollowedRecommendation]
    later: bool  # whether any later inspection or visit is loaded

    # Shown on the council's page, as its recommendations are (real reports make at most 42).
    SHOWN = 50

    @property
    def shown(self) -> list[FollowedRecommendation]:
        return self.rows[: self.SHOWN]

    @property
    def more(self) -> int:
        return max(0, len(self.rows) - self.SHOWN)

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        """(status code, label, how many) of its recommendations, in the vocabulary's order."""
        counted: dict[str, int] = {}
        for row in self.rows:
            status = row.recommendation.follow_through_status
            counted[status] = counted.get(status, 0) + 1
        return [
            (code, label, counted[code])
            for code, label in FOLLOW_THROUGH_STATUSES.items()
            if code in counted
        ]


def council_follow_through(inspections: Sequence[Inspection]) -> list[FollowedInspection]:
    """A council's inspections that made recommendations, oldest first, each
    recommendation with its status and public links: one query.

    `inspections` are the council's, oldest first, with their published recommendations
    prefetched (as `authority_history` reads them)."""
    if not inspections:
        return []
    newest_start = max(inspection.start_date for inspection in inspections)
    recommendations = {
        r.pk: r for inspection in inspections for r in inspection.recommendations.all()
    }
    items_of: dict[int, list[FollowThroughLink]] = {}
    for link in _links_of(list(recommendations)):
        items_of.setdefault(link.recommendation_id, []).append(link)
    about = {pk: r.text for pk, r in recommendations.items()}
    followed = []
    for inspection in inspections:
        rows = [
            FollowedRecommendation(r, _next_items(items_of.get(r.pk, []), about))
            for r in inspection.recommendations.all()
        ]
        if rows:
            followed.append(
                FollowedInspection(inspection, rows, later=inspection.start_date < newest_start)
            )
    return followed


# --- Nationally: the subjects raised again -----------------------------------------------

# What /follow-through/ counts when no `follow_through` status is chosen.
DEFAULT_STATUSES = ("raised_again",)


@dataclass(frozen=True)
class SubjectCount:
    """A theme, with how many of the chosen recommendations carry it, at how many councils."""

    slug: str
    name: str
    recommendations: int
    councils: int


@dataclass(frozen=True)
class NationalCounts:
    """What /follow-through/ counts, cached while the data is unchanged."""

    subjects: list[SubjectCount]
    statuses: list[tuple[str, str, int]]  # (code, label, how many recommendations)
    councils: int  # councils with any of the chosen recommendations


@dataclass
class NationalFollowThrough:
    """/follow-through/: the bound filters (the recommendations listing's), the statuses
    counted, and what they count (None when the filters are not valid)."""

    filterset: RecommendationFilterSet
    statuses: list[str]
    counts: NationalCounts | None = None
    filters: dict[str, list[str]] = field(default_factory=dict)  # the valid filters chosen

    @property
    def is_valid(self) -> bool:
        return self.filterset.is_valid()

    @property
    def status_labels(self) -> list[str]:
        return [FOLLOW_THROUGH_STATUSES[code] for code in self.statuses]


def national_follow_through(*, filters: Mapping[str, Any], identity: str) -> NationalFollowThrough:
    """The themes of the recommendations whose status is one of the `follow_through`
    values (raised again, unless others are chosen), most often first, each with how many
    recommendations and councils; and how many recommendations have each status.

    Takes /recommendations/'s filters (`year` and `framework` of the recommendation's own
    inspection, `authority`, `region`, ...). As the listing's facets do, the theme counts
    leave out the `theme` filter, and the status counts the `follow_through` one, so a
    count is what the listing shows with that theme or status chosen. Three queries at
    most, cached under the data's `identity`.
    """
    listing = recommendation_list(filters=filters)
    filterset = listing.filterset
    if not listing.is_valid:
        return NationalFollowThrough(filterset, list(DEFAULT_STATUSES))
    chosen = filterset.active()
    statuses = chosen.get("follow_through") or list(DEFAULT_STATUSES)
    national = NationalFollowThrough(filterset, statuses, filters=chosen)
    key = freshness.cache_key(
        "national-follow-through", f"{identity}|{sorted(chosen.items())!r}|{statuses!r}"
    )
    counts = cache.get(key)
    if counts is None:
        counts = _national_counts(filterset, listing.base, statuses)
        cache.set(key, counts, SUMMARY_CACHE_SECONDS)
    national.counts = counts
    return national


def _national_counts(
    filterset: RecommendationFilterSet, base: QuerySet, statuses: list[str]
) -> NationalCounts:
    chosen = filterset.filter_queryset_except(base, "theme", "follow_through").filter(
        follow_through_status__in=statuses
    )
    subjects = (
        RecommendationTheme.objects.filter(recommendation__in=chosen.values("pk"))
        .order_by()
        .values("theme__slug", "theme__name")
        .annotate(
            recommendations=Count("recommendation_id", distinct=True),
            councils=Count("recommendation__inspection__authority_id", distinct=True),
        )
        .order_by("-recommendations", "-councils", "theme__name")
    )
    by_status = {
        row["follow_through_status"]: row["count"]
        for row in grouped(
            filterset.filter_queryset_except(base, "follow_through"), "follow_through_status"
        )
    }
    councils = chosen.order_by().values("inspection__authority_id").distinct().count()
    return NationalCounts(
        subjects=[
            SubjectCount(
                row["theme__slug"], row["theme__name"], row["recommendations"], row["councils"]
            )
            for row in subjects
        ],
        statuses=[
            (code, label, by_status[code])
            for code, label in FOLLOW_THROUGH_STATUSES.items()
            if code in by_status
        ],
        councils=councils,
    )


# --- The links' download -----------------------------------------------------------------

FOLLOW_THROUGH_EXPORT_FIELDS = (
    "recommendation_id",
    "recommendation_url",
    "authority",
    "authority_name",
    "inspection_url",
    "framework",
    "start_date",
    "published_date",
    "addressee",
    "recommendation_text",
    "status",
    "later_kind",
    "later_id",
    "later_url",
    "later_inspection_url",
    "later_framework",
    "later_start_date",
    "later_published_date",
    "later_text",
    "score",
    "source",
    "stance",
)

CHUNK_SIZE = 500

# Each end of a link: the recommendation, then the later finding or recommendation.
_END_COLUMNS = ("public_id", "inspection__slug", "inspection__framework",
                "inspection__start_date", "inspection__published_date", "text")  # fmt: skip
_COLUMNS = (
    *(f"recommendation__{c}" for c in _END_COLUMNS),
    "recommendation__inspection__authority__slug",
    "recommendation__inspection__authority__name",
    "recommendation__addressee",
    "recommendation__follow_through_status",
    *(f"later_finding__{c}" for c in _END_COLUMNS),
    *(f"later_recommendation__{c}" for c in _END_COLUMNS),
    "score",
    "source",
    "decision",
    "stance",
)


@dataclass
class LinkDownload:
    """/follow-through/?format=csv|json: the bound filters and, when they are valid, the
    public links of the recommendations they choose, CHUNK_SIZE rows at a time."""

    filterset: RecommendationFilterSet
    chunks: Iterator[list[tuple[str | None, ...]]]
    fields: tuple[str, ...] = FOLLOW_THROUGH_EXPORT_FIELDS


def link_download(*, filters: Mapping[str, Any], origin: str = "") -> LinkDownload:
    """One row per public link (FOLLOW_THROUGH_EXPORT_FIELDS) of the recommendations
    /recommendations/'s `filters` choose (`follow_through`: their status; none: every
    status), by council, the recommendation's inspection and place, then the later items
    in date order. One query, through one cursor. URLs begin with `origin`."""
    listing = recommendation_list(filters=filters)
    if not listing.is_valid:
        return LinkDownload(listing.filterset, iter(()))
    rows = (
        public_links()
        .filter(recommendation__in=listing.filtered.values("pk"))
        .order_by(
            "recommendation__inspection__authority__name",
            "recommendation__inspection__start_date",
            "recommendation__inspection_id",
            "recommendation__addressee",
            "recommendation__position",
            F("later_finding__inspection__start_date").asc(nulls_last=True),
            F("later_recommendation__inspection__start_date").asc(nulls_last=True),
            F("score").desc(nulls_first=True),
            "id",
        )
        .values_list(*_COLUMNS)
    )
    return LinkDownload(listing.filterset, _chunks(rows, origin))


def _chunks(rows: QuerySet, origin: str) -> Iterator[list[tuple[str | None, ...]]]:
    before, after = record_url_parts("recommendation-detail", "public_id")
    recommendation_url = (origin + before, after)
    before, after = record_url_parts("finding-detail", "public_id")
    finding_url = (origin + before, after)
    before, after = record_url_parts("inspection-detail", "slug")
    inspection_url = (origin + before, after)

    def url(parts: tuple[str, str], key: str) -> str:
        return parts[0] + key + parts[1]

    def date(value) -> str | None:
        return value and value.isoformat()

    iterator = rows.iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(islice(iterator, CHUNK_SIZE)):
        out = []
        for row in chunk:
            (public_id, slug, framework, start, published, text,
             authority, authority_name, addressee, status) = row[:10]  # fmt: skip
            finding, recommendation = row[10:16], row[16:22]
            score, source, decision, stance = row[22:]
            later, kind, later_url = (
                (finding, "finding", finding_url)
                if finding[0]
                else (recommendation, "recommendation", recommendation_url)
            )
            (later_id, later_slug, later_framework, later_start, later_published,
             later_text) = later  # fmt: skip
            out.append(
                (
                    public_id,
                    url(recommendation_url, public_id),
                    authority,
                    authority_name,
                    url(inspection_url, slug),
                    framework,
                    date(start),
                    date(published),
                    addressee,
                    text,
                    status,
                    kind,
                    later_id,
                    url(later_url, later_id),
                    url(inspection_url, later_slug),
                    later_framework,
                    date(later_start),
                    date(later_published),
                    later_text,
                    None if score is None else f"{score:.4f}",
                    link_source(source, decision),
                    stance,
                )
            )
        yield out
