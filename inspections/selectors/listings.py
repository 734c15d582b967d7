"""/findings/, /recommendations/ and /inspections/: filtered rows, facet counts and pages.

What each listing's rows are, their order and their facets are described once, in
`inspections.listing_kinds`; this module reads those descriptions.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, QuerySet
from django.db.models.functions import ExtractYear

from .. import freshness, search
from ..filters import (
    FindingFilterSet,
    InspectionFilterSet,
    ListingFilterSet,
    RecommendationFilterSet,
)
from ..listing_kinds import FINDINGS, INSPECTIONS, RECOMMENDATIONS, Facet, ListingKind
from ..models import Judgement
from .shared import grouped, themes_prefetch


@dataclass
class Listing:
    """A filtered listing: the bound FilterSet and, when its parameters are valid, the rows."""

    filterset: ListingFilterSet
    base: QuerySet
    kind: ListingKind

    @property
    def is_valid(self) -> bool:
        return self.filterset.is_valid()

    @property
    def rows(self) -> QuerySet:
        """The filtered rows in the listing's order, each with what a row shows.

        Empty when the parameters are invalid: the page reports the errors instead of
        guessing what was meant.
        """
        if not self.is_valid:
            return self.base.none()
        rows = self.filtered.select_related(f"{self.kind.to_inspection}authority")
        if self.kind.theme_link is not None:
            rows = rows.prefetch_related(themes_prefetch())
        rows = rows.prefetch_related(*self.kind.prefetch())
        annotations = self.kind.annotations
        if annotations:
            rows = rows.annotate(**{name: make() for name, make in annotations.items()})
        order: list[Any] = list(self.kind.order)
        # A search puts the best matches first, then the usual order.
        relevance = search.rank(self.filterset.search_queries())
        if relevance is not None:
            rows = rows.annotate(rank=relevance)
            order.insert(0, F("rank").desc())
        return rows.order_by(*order)

    @property
    def filtered(self) -> QuerySet:
        """The filtered rows, bare and unordered: what counts are taken over."""
        if not self.is_valid:
            return self.base.none()
        return self.filterset.filter_queryset(self.base)

    @property
    def is_ranked(self) -> bool:
        """Whether rows come best match first (a search with a word to look for)."""
        return search.rank(self.filterset.search_queries()) is not None


def finding_list(*, filters: Mapping[str, Any]) -> Listing:
    """/findings/ filtered by `filters` (a QueryDict or a dict of lists)."""
    base = FINDINGS.model.objects.published()
    return Listing(FindingFilterSet(filters, queryset=base), base, FINDINGS)


def recommendation_list(*, filters: Mapping[str, Any]) -> Listing:
    """/recommendations/ filtered by `filters` (a QueryDict or a dict of lists)."""
    base = RECOMMENDATIONS.model.objects.published()
    return Listing(RecommendationFilterSet(filters, queryset=base), base, RECOMMENDATIONS)


def inspection_list(*, filters: Mapping[str, Any]) -> Listing:
    """/inspections/ filtered by `filters` (a QueryDict or a dict of lists): every
    inspection and visit, newest published first."""
    base = INSPECTIONS.model.objects.all()
    return Listing(InspectionFilterSet(filters, queryset=base), base, INSPECTIONS)


@dataclass(frozen=True)
class FacetCount:
    """One choice of a facet and how many rows it would leave given the other filters."""

    value: str
    label: str
    count: int


@dataclass
class FacetCounts:
    """A facet's choices with counts, plus the labels of choices that are selected."""

    name: str
    label: str
    counts: list[FacetCount] = field(default_factory=list)
    # Labels for values a parameter may name that do not appear in `counts` (zero rows).
    labels: dict[str, str] = field(default_factory=dict)


def _code_facet(facet: Facet, rows: QuerySet, listing: Listing) -> FacetCounts:
    make = listing.kind.annotations.get(facet.column)
    if make is not None:  # a value worked out per row, such as a finding's area grade
        rows = rows.annotate(**{facet.column: make()})
    counts = {row[facet.column]: row["count"] for row in grouped(rows, facet.column)}
    codes = facet.codes or {}
    # In the vocabulary's order (grades best to worst), leaving out empty codes.
    return FacetCounts(
        facet.name,
        facet.label,
        [FacetCount(code, words, counts[code]) for code, words in codes.items() if code in counts],
        dict(codes),
    )


def _theme_facet(facet: Facet, rows: QuerySet, listing: Listing) -> FacetCounts:
    kind = listing.kind
    link_field = kind.theme_link_field
    theme_counts = (
        kind.theme_link.objects.filter(**{f"{link_field}__in": rows.values("pk")})
        .order_by()
        .values("theme__slug", "theme__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "theme__name")
    )
    return FacetCounts(
        facet.name,
        facet.label,
        [FacetCount(r["theme__slug"], r["theme__name"], r["count"]) for r in theme_counts],
    )


def _year_facet(facet: Facet, rows: QuerySet, listing: Listing) -> FacetCounts:
    start_date = f"{listing.kind.to_inspection}start_date"
    years = grouped(rows.annotate(year=ExtractYear(start_date)), "year")
    return FacetCounts(
        facet.name,
        facet.label,
        [
            FacetCount(str(r["year"]), str(r["year"]), r["count"])
            for r in sorted(years, key=lambda r: r["year"], reverse=True)
        ],
    )


def _region_facet(facet: Facet, rows: QuerySet, listing: Listing) -> FacetCounts:
    region = f"{listing.kind.to_inspection}authority__region__"
    slug, code, name = f"{region}slug", f"{region}code", f"{region}name"
    regions = grouped(rows, slug, code, name)
    return FacetCounts(
        facet.name,
        facet.label,
        [FacetCount(r[slug], r[name], r["count"]) for r in sorted(regions, key=lambda r: r[name])],
        # A region may be named by its ONS code too: the same choice.
        {r[code]: r[slug] for r in regions},
    )


def _authority_facet(facet: Facet, rows: QuerySet, listing: Listing) -> FacetCounts:
    authority = f"{listing.kind.to_inspection}authority__"
    slug, name = f"{authority}slug", f"{authority}name"
    authorities = grouped(rows, slug, name)
    return FacetCounts(
        facet.name,
        facet.label,
        [
            FacetCount(r[slug], r[name], r["count"])
            for r in sorted(authorities, key=lambda r: r[name])
        ],
    )


def _judgement_facet(
    facet: Facet, rows: QuerySet, listing: Listing, column: str, other: str
) -> FacetCounts:
    # Inspections that judged each area (or gave each grade), within the other filters and
    # the pair's other half: an inspection counts once however many judgements match.
    fs = listing.filterset
    chosen = fs.form.cleaned_data.get(other) or []
    condition = fs.judgement_condition(**{"areas" if other == "area" else "grades": chosen})
    counts = dict(
        Judgement.objects.filter(condition, inspection__in=rows.values("pk"))
        .order_by()
        .values(column)
        .annotate(count=Count("inspection_id", distinct=True))
        .values_list(column, "count")
    )
    codes = facet.codes or {}
    return FacetCounts(
        facet.name,
        facet.label,
        [FacetCount(code, words, counts[code]) for code, words in codes.items() if code in counts],
        dict(codes),
    )


def _judged_area_facet(facet: Facet, rows: QuerySet, listing: Listing) -> FacetCounts:
    return _judgement_facet(facet, rows, listing, "area", "area_grade")


def _judged_area_grade_facet(facet: Facet, rows: QuerySet, listing: Listing) -> FacetCounts:
    return _judgement_facet(facet, rows, listing, "grade", "area")


# How the facets that are not lists of codes are counted, by parameter.
_FacetCounter = Callable[[Facet, QuerySet, "Listing"], FacetCounts]
FACET_COUNTERS: dict[str, _FacetCounter] = {
    "theme": _theme_facet,
    "year": _year_facet,
    "region": _region_facet,
    "authority": _authority_facet,
    "judged_area": _judged_area_facet,
    "judged_area_grade": _judged_area_grade_facet,
}


def listing_facets(*, listing: Listing) -> list[FacetCounts]:
    """Each filter's choices with how many rows each would leave, given the other filters.

    One GROUP BY query per facet, in the order the listing's description gives. A facet's
    own filter is left out of its count (Datasette's rule), so choosing a second theme shows
    what "either" would add.
    """
    if not listing.is_valid:
        return []
    fs = listing.filterset
    return [
        FACET_COUNTERS.get(facet.counter or facet.name, _code_facet)(
            facet,
            fs.filter_queryset_except(listing.base, facet.name, *facet.counted_without),
            listing,
        )
        for facet in listing.kind.facets
    ]


# Counting every row a filter leaves is what costs at scale (a common word matches 34,000 of
# 1M findings; the count and eight facets read them all, seconds of work), and the answer
# changes only when the data does. So counts are cached under the data version: any import
# or correction changes the version, and with it every key. How long: settings.
SUMMARY_CACHE_SECONDS = settings.SHARED_CACHE_SECONDS


# A ranked listing keeps its best RANKED_IDS row ids (200 pages); pages past them are sorted
# in the database as before. Ranking reads every match's stored vector (68,000 rows, 0.6 s
# for "supervision" at 1M findings), so it is done once per data version, not per page view.
RANKED_IDS = 10_000


@dataclass
class ListingSummary:
    """How many rows a listing has, its facets' counts, and where its pages' rows are.

    In the usual order, `inspection_ids` are the inspections with rows, in listing order,
    and `rows_before[i]` how many rows come before inspection_ids[i]'s. Ranked, `ranked_ids`
    are the first RANKED_IDS rows' ids, best first. Either way a page reads just its rows
    (see `ListingPages`), instead of sorting every match to skip all but fifty.
    """

    count: int
    facets: list[FacetCounts]
    inspection_ids: list[int] = field(default_factory=list)
    rows_before: list[int] = field(default_factory=list)
    ranked_ids: list[int] | None = None


def _rows_per_inspection(listing: Listing) -> list[tuple[int, int]]:
    kind = listing.kind
    rows = listing.filtered.order_by()
    named = {column.lstrip("-") for column in kind.inspection_order}
    # Only what the inspections' order names: a finding's area grade is a subquery a row.
    rows = rows.annotate(
        **{name: make() for name, make in kind.annotations.items() if name in named}
    )
    return list(
        rows.values(kind.inspection_key)
        .annotate(rows=Count("pk"))
        .order_by(*kind.inspection_order)
        .values_list(kind.inspection_key, "rows")
    )


def listing_summary(*, listing: Listing, identity: str) -> ListingSummary:
    """The listing's row count, facet counts and page index, cached while the data is
    unchanged: `identity` is the data's (freshness.data_identity)."""
    if not listing.is_valid:
        return ListingSummary(0, [])
    filters = json.dumps(sorted(listing.filterset.active().items()), default=str)
    key = freshness.cache_key(f"listing-summary:{listing.kind.name}", f"{identity}|{filters}")
    summary = cache.get(key)
    if summary is not None:
        return summary
    if listing.is_ranked:
        ranked_ids = list(listing.rows.values_list("pk", flat=True)[:RANKED_IDS])
        count = len(ranked_ids)
        if count == RANKED_IDS:
            count = listing.filtered.count()
        summary = ListingSummary(count, listing_facets(listing=listing), ranked_ids=ranked_ids)
    else:
        per_inspection = _rows_per_inspection(listing)
        rows_before, total = [], 0
        for _, rows in per_inspection:
            rows_before.append(total)
            total += rows
        summary = ListingSummary(
            total,
            listing_facets(listing=listing),
            inspection_ids=[inspection_id for inspection_id, _ in per_inspection],
            rows_before=rows_before,
        )
    cache.set(key, summary, SUMMARY_CACHE_SECONDS)
    return summary


class ListingPages:
    """A listing's rows as Django's Paginator reads them: `count()` and slices.

    A slice is read from its summary's index: in the usual order, only the inspections the
    slice spans are read (every inspection's rows are contiguous, and the index says where
    each starts); ranked, the rows with the slice's ids. Page 2,000 costs what page 1 does.
    """

    def __init__(self, listing: Listing, summary: ListingSummary) -> None:
        self.listing, self.summary = listing, summary

    def count(self) -> int:
        return self.summary.count

    def __len__(self) -> int:
        return self.summary.count

    def __getitem__(self, window: slice) -> list:
        start, stop = window.start or 0, window.stop
        if stop is None or stop <= start or not self.listing.is_valid:
            return []
        summary = self.summary
        if summary.ranked_ids is not None:
            if stop > len(summary.ranked_ids):
                return list(self.listing.rows[start:stop])
            # Same order as the whole listing's, over just these rows.
            ids = summary.ranked_ids[start:stop]
            return list(self.listing.rows.filter(pk__in=ids))
        first = bisect.bisect_right(summary.rows_before, start) - 1
        last = bisect.bisect_left(summary.rows_before, stop)
        if first < 0:
            return []
        skip = start - summary.rows_before[first]
        ids = summary.inspection_ids[first:last]
        rows = self.listing.rows.filter(**{f"{self.listing.kind.inspection_key}__in": ids})
        return list(rows[skip : skip + stop - start])
