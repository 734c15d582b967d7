"""/findings/, /recommendations/ and /inspections/: filtered rows, facet counts and pages.

What each listing's rows are, their order and their facets are described once, in
`inspections.listing_kinds`; this module reads those descriptions.
"""

from __future__ import annotations

import bisect
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import ExtractYear

from .. import freshness, listing_cells, search
from ..filters import (
    FindingFilterSet,
    InspectionFilterSet,
    ListingFilterSet,
    RecommendationFilterSet,
)
from ..listing_kinds import (
    FINDINGS,
    INSPECTIONS,
    RECOMMENDATIONS,
    Facet,
    ListingKind,
)
from ..models import Inspection, Judgement, ListingCell, Theme
from .shared import grouped, themes_prefetch


@dataclass
class Listing:
    """A filtered listing: the bound FilterSet and, when its parameters are valid, the rows."""

    filterset: ListingFilterSet
    base: QuerySet
    kind: ListingKind
    # False when a search matches too many rows to rank (RANKED_IDS): its rows come in the
    # usual order instead (listing_summary decides).
    rank_matches: bool = True

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
        relevance = search.rank(self.filterset.search_queries()) if self.rank_matches else None
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
        return self.rank_matches and search.rank(self.filterset.search_queries()) is not None


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
    count: int | None  # None: not counted (a search too broad to count: BROAD_SEARCH_ROWS)


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
    return _code_counts(facet, counts)


def _code_counts(facet: Facet, counts: Mapping[str, int | None]) -> FacetCounts:
    """A code facet's choices in the vocabulary's order (grades best to worst), leaving out
    codes no row has."""
    codes = facet.codes or {}
    return FacetCounts(
        facet.name,
        facet.label,
        [FacetCount(code, words, counts[code]) for code, words in codes.items() if code in counts],
        dict(codes),
    )


def _theme_facet(facet: Facet, rows: QuerySet, listing: Listing) -> FacetCounts:
    kind = listing.kind
    links = kind.theme_link.objects.filter(**{f"{kind.theme_link_field}__in": rows.values("pk")})
    # The theme, not the link's id: PostgreSQL reads it from the (row, theme) index alone.
    return _themes_counted(facet, links, Count("theme"))


def _themes_counted(facet: Facet, rows: QuerySet, count: Count | Sum) -> FacetCounts:
    """The theme facet from `rows` (theme links, or theme cells) grouped by theme, most
    first, `count` of each."""
    theme_counts = (
        rows.order_by()
        .values("theme__slug", "theme__name")
        .annotate(count=count)
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
    return _code_counts(facet, counts)


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
    `too_many_to_rank`: a search matched more than RANKED_IDS rows, which come in the
    usual order instead (ranking every one of 68,000 matches took 0.7 s).
    """

    count: int
    facets: list[FacetCounts]
    inspection_ids: list[int] = field(default_factory=list)
    rows_before: list[int] = field(default_factory=list)
    ranked_ids: list[int] | None = None
    too_many_to_rank: bool = False
    # A search too broad to count (BROAD_SEARCH_ROWS): about how many rows it has, by the
    # database's estimate; `count` is then the newest rows shown (BROAD_SEARCH_SHOWN).
    estimated: int | None = None


def listing_summary(
    *, listing: Listing, identity: str, cells_current: bool = False
) -> ListingSummary:
    """The listing's row count, facet counts and page index, cached while the data is
    unchanged: `identity` is the data's (freshness.data_identity).

    Findings and recommendations are counted from their listing cells when
    `cells_current` (freshness.Freshness.cells_are_current), otherwise from cells counted
    from the matching rows; either way in a few queries (inspections/listing_cells.py).
    Also tells `listing` whether its rows are ranked.
    """
    if not listing.is_valid:
        return ListingSummary(0, [])
    filters = json.dumps(sorted(listing.filterset.active().items()), default=str)
    key = freshness.cache_key(f"listing-summary:{listing.kind.name}", f"{identity}|{filters}")
    summary = cache.get(key)
    if summary is None:
        if listing.kind.cell_columns is None:
            summary = _counted_summary(listing)
        else:
            summary = _cell_summary(listing, stored=cells_current, identity=identity)
        cache.set(key, summary, SUMMARY_CACHE_SECONDS)
    listing.rank_matches = not summary.too_many_to_rank
    return summary


def _rows_per_inspection(listing: Listing) -> list[tuple[int, int]]:
    kind = listing.kind
    rows = listing.filtered.order_by()
    named = {column.lstrip("-") for column in kind.inspection_order}
    # Only what the inspections' order names.
    rows = rows.annotate(
        **{name: make() for name, make in kind.annotations.items() if name in named}
    )
    return list(
        rows.values(kind.inspection_key)
        .annotate(rows=Count("pk"))
        .order_by(*kind.inspection_order)
        .values_list(kind.inspection_key, "rows")
    )


def _counted_summary(listing: Listing) -> ListingSummary:
    # A listing without cells (the inspections: a few thousand rows) counts its rows.
    per_inspection = _rows_per_inspection(listing)
    rows_before, total = [], 0
    for _, rows in per_inspection:
        rows_before.append(total)
        total += rows
    return ListingSummary(
        total,
        listing_facets(listing=listing),
        inspection_ids=[inspection_id for inspection_id, _ in per_inspection],
        rows_before=rows_before,
    )


@dataclass(frozen=True)
class _InspectionFacts:
    """What the filters and facets read of a row's inspection, and its place in the order."""

    order: int
    values: dict[str, Any]  # by parameter: grade, year, framework, region, authority
    region_code: str
    region_name: str
    authority_name: str
    grades: dict[str, list[str]]  # by area: its judgements' grades, first read first

    def keeps(self, name: str, wanted: set[str]) -> bool:
        """Whether inspection filter `name` with the values `wanted` keeps it; a region may
        be named by slug or by ONS code."""
        if self.values[name] in wanted:
            return True
        return name == "region" and self.region_code in wanted

    def is_chosen(self, chosen: Mapping[str, set[str]]) -> bool:
        """Whether every inspection filter in `chosen` (parameter -> values) keeps it."""
        return all(self.keeps(name, chosen[name]) for name in INSPECTION_FILTERS if name in chosen)


# Each process keeps the facts it read last, per listing, under the data's identity and a
# token the shared cache holds for them. Unpickled from the cache on every listing they cost
# more than reading them (1,600 objects: 15 ms each, a tenth of a crawl's CPU); the token
# makes them go with the shared cache (emptied, or out: read anew) as well as with the data.
_held_facts: dict[str, tuple[str, str, dict[int, _InspectionFacts]]] = {}


def _inspection_facts(kind: ListingKind, identity: str) -> dict[int, _InspectionFacts]:
    """Every inspection's facts, by id, in the order the listing's rows follow them: read
    once per data version in each process (1,600 inspections and 10,000 judgements)."""
    key = freshness.cache_key(f"inspection-facts:{kind.name}", identity)
    token = cache.get(key)
    if token is None:
        # Another process's token, if it set one first: never replaced, so processes do
        # not take turns making each other's facts stale.
        cache.add(key, secrets.token_hex(8), SUMMARY_CACHE_SECONDS)
        token = cache.get(key)
    held = _held_facts.get(kind.name)
    if token is not None and held is not None and held[:2] == (identity, token):
        return held[2]
    facts = _read_inspection_facts(kind)
    if token is not None:
        _held_facts[kind.name] = (identity, token, facts)
    return facts


def _read_inspection_facts(kind: ListingKind) -> dict[int, _InspectionFacts]:
    # The inspections in the order the listing's rows follow them, by the database's
    # collation (a page is then read with the same ORDER BY).
    order = [
        column.replace("inspection__", "").replace("inspection_id", "id")
        for column in kind.inspection_order
    ]
    grades: dict[int, dict[str, list[str]]] = {}
    if "area" in kind.cell_columns:
        judgements = Judgement.objects.order_by("id").values_list("inspection_id", "area", "grade")
        for inspection_id, area, grade in judgements:
            grades.setdefault(inspection_id, {}).setdefault(area, []).append(grade)
    rows = Inspection.objects.order_by(*order).values_list(
        "id",
        "overall_grade",
        "start_date",
        "framework",
        "authority__slug",
        "authority__name",
        "authority__region__slug",
        "authority__region__code",
        "authority__region__name",
    )
    return {
        pk: _InspectionFacts(
            position,
            {
                "grade": grade,
                "year": str(start.year),
                "framework": framework,
                "authority": authority,
                "region": region,
            },
            region_code,
            region_name,
            authority_name,
            grades.get(pk, {}),
        )
        for position, (
            pk,
            grade,
            start,
            framework,
            authority,
            authority_name,
            region,
            region_code,
            region_name,
        ) in enumerate(rows)
    }


INSPECTION_FILTERS = ("grade", "year", "framework", "region", "authority")


def _cell_columns(kind: ListingKind) -> dict[str, int]:
    """Each filter on a listing cell's own columns, by name, and its column's place in the
    cell (inspection id, *columns, rows)."""
    places = {column: place + 1 for place, column in enumerate(kind.cell_columns)}
    return {f.name: places[f.column] for f in kind.facets if f.column in places}


def _cell_filters(kind: ListingKind) -> set[str]:
    """The filters a listing cell answers: its inspection's, its own columns', and a
    finding's area grade (its inspection's judgement of its area)."""
    names = {*INSPECTION_FILTERS, *_cell_columns(kind)}
    if "area" in kind.cell_columns:
        names.add("area_grade")
    return names


def _counted_cells(listing: Listing, by_rows: list[str], identity: str) -> tuple[list, list]:
    """The cells of the rows the filters `by_rows` and the themes leave, and the theme cells
    of those `by_rows` leave: counted from the rows (in one statement, without a theme
    filter), and cached under the data's `identity` and those filters alone (every other
    filter is applied to the cells, so a search's facet links all reuse its counts)."""
    fs = listing.filterset
    active = fs.active()
    named = {name: active[name] for name in sorted([*by_rows, "theme"]) if name in active}
    key = freshness.cache_key(
        f"listing-cells:{listing.kind.name}", f"{identity}|{json.dumps(named, default=str)}"
    )
    counted = cache.get(key)
    if counted is None:
        rows = fs.filter_queryset_only(listing.base, *by_rows)
        if "theme" not in active:
            counted = listing_cells.counted_cells(listing.kind, rows)
        else:  # the cells of the rows with a chosen theme; the theme cells of every row
            cells = fs.filter_queryset_only(rows, "theme")
            counted = (
                list(listing_cells.cell_rows(listing.kind, cells)),
                list(listing_cells.theme_cell_rows(listing.kind, rows)),
            )
        cache.set(key, counted, SUMMARY_CACHE_SECONDS)
    return counted


# A search PostgreSQL expects to match more rows than this is too broad to count on a visit
# ("assessment" matches 305,000 of 1M findings: counting them ran past the 5 s limit; at
# 20,000 matches counting takes 0.3-0.8 s, several times that with 8 requests at a time):
# its total is the database's estimate, its facets are offered without counts, and its
# newest BROAD_SEARCH_SHOWN rows are shown, with the way to narrow it or download it all.
BROAD_SEARCH_ROWS = 20_000
BROAD_SEARCH_SHOWN = 1_000
BROAD_SEARCH_BATCH = 25  # inspections counted at a time, newest first
BROAD_SEARCH_BATCHES = 8  # at most: a search with few matches a year shows fewer rows


def estimated_rows(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of how many rows `queryset` has (its planner's, from table
    statistics: no row is read); None on other databases."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def _broad_summary(listing: Listing, estimate: int, identity: str) -> ListingSummary:
    kind, fs = listing.kind, listing.filterset
    facts = _inspection_facts(kind, identity)
    active = fs.active()
    chosen = {name: set(active[name]) for name in INSPECTION_FILTERS if name in active}
    newest = [
        pk for pk in sorted(facts, key=lambda pk: facts[pk].order) if facts[pk].is_chosen(chosen)
    ]
    inspection_ids, rows_before, total = [], [], 0
    for start in range(0, len(newest), BROAD_SEARCH_BATCH):
        batch = newest[start : start + BROAD_SEARCH_BATCH]
        counts = dict(
            listing.filtered.filter(inspection_id__in=batch)
            .order_by()
            .values_list("inspection_id")
            .annotate(n=Count("pk"))
        )
        for pk in batch:
            if counts.get(pk):
                inspection_ids.append(pk)
                rows_before.append(total)
                total += counts[pk]
        if total >= BROAD_SEARCH_SHOWN or start >= (BROAD_SEARCH_BATCHES - 1) * BROAD_SEARCH_BATCH:
            break
    return ListingSummary(
        min(total, BROAD_SEARCH_SHOWN),
        _uncounted_facets(kind, facts),
        inspection_ids=inspection_ids,
        rows_before=rows_before,
        too_many_to_rank=True,
        estimated=max(estimate, total),
    )


def _uncounted_facets(kind: ListingKind, facts: dict[int, _InspectionFacts]) -> list[FacetCounts]:
    """Every facet's choices, without counts."""
    facets = []
    for facet in kind.facets:
        if facet.name == "theme":
            choices = [
                FacetCount(slug, name, None)
                for slug, name in Theme.objects.order_by("name").values_list("slug", "name")
            ]
            facets.append(FacetCounts(facet.name, facet.label, choices))
            continue
        tally: dict[Any, None] = {}
        if facet.name in ("year", "region", "authority"):
            tally = {fact.values[facet.name]: None for fact in facts.values()}
        else:
            tally = dict.fromkeys(facet.codes or {})
        facets.append(_tallied_facet(facet, tally, facts))
    return facets


def _cell_summary(listing: Listing, *, stored: bool, identity: str) -> ListingSummary:
    kind, fs = listing.kind, listing.filterset
    active = fs.active()
    themes = active.get("theme", [])
    by_cell = _cell_filters(kind)
    # A search, or a filter no cell answers (a recommendation's area, through its
    # evidence), is applied to the rows, which are then counted into cells.
    by_rows = [name for name in active if name not in by_cell and name != "theme"]
    stored = stored and not by_rows
    if "q" in by_rows:
        matches = estimated_rows(fs.filter_queryset_only(listing.base, *by_rows))
        if matches is not None and matches > BROAD_SEARCH_ROWS:
            return _broad_summary(listing, estimated_rows(listing.filtered) or matches, identity)
    if stored and len(themes) <= 1:
        theme_ids = fs.theme_ids(themes) if themes else [None]
        cells = (
            []
            if not theme_ids
            else list(
                ListingCell.objects.filter(listing=kind.name, theme_id=theme_ids[0])
                .order_by()
                .values_list("inspection_id", *kind.cell_columns, "rows")
            )
        )
        theme_cells = None  # the theme facet is summed over the stored theme cells
    else:
        cells, theme_cells = _counted_cells(listing, by_rows, identity)

    facts = _inspection_facts(kind, identity)
    columns = _cell_columns(kind)
    chosen = {name: set(values) for name, values in active.items() if name in by_cell}

    def getter(name: str) -> Callable[[tuple, _InspectionFacts], Any]:
        """What a cell's rows have for filter `name`: made once per filter, since a
        summary reads it for each of thousands of cells and each facet."""
        if name in columns:
            place = columns[name]
            return lambda cell, fact: cell[place]
        if name == "area_grade":
            area = columns["area"]

            def area_grade(cell: tuple, fact: _InspectionFacts) -> Any:
                grades = fact.grades.get(cell[area])
                return grades[0] if grades else None

            return area_grade
        return lambda cell, fact: fact.values[name]

    def test(name: str) -> Callable[[tuple, _InspectionFacts], bool]:
        """Whether a cell's rows pass filter `name`."""
        wanted = chosen[name]
        if name in INSPECTION_FILTERS:
            return lambda cell, fact: fact.keeps(name, wanted)
        if name == "area_grade":
            area = columns["area"]
            return lambda cell, fact: not wanted.isdisjoint(fact.grades.get(cell[area], ()))
        value = getter(name)
        return lambda cell, fact: value(cell, fact) in wanted

    facets = [f for f in kind.facets if f.name != "theme"]  # the theme's: from theme cells
    tests = {name: test(name) for name in chosen}
    value_of = {facet.name: getter(facet.name) for facet in facets}
    tallies: dict[str, dict[Any, int]] = {f.name: {} for f in facets}
    # A facet's own filter is left out of its counts (Datasette's rule): a cell counts for
    # a facet when the filters it fails are at most the facet's own.
    counters = [
        (tallies[f.name], frozenset({f.name, *f.counted_without}), value_of[f.name]) for f in facets
    ]
    per_inspection: dict[int, int] = {}
    for cell in cells:
        fact = facts.get(cell[0])
        if fact is None:
            continue
        failed = {name for name, passed in tests.items() if not passed(cell, fact)}
        rows = cell[-1]
        if not failed:
            per_inspection[cell[0]] = per_inspection.get(cell[0], 0) + rows
        for tally, own, value in counters:
            if failed <= own:
                key = value(cell, fact)
                tally[key] = tally.get(key, 0) + rows

    def tally_themes(cells: list[tuple]) -> dict[int, int]:
        # Theme cells are (inspection id, *columns, theme id, rows); the theme filter is
        # left out of the theme facet's counts.
        tally: dict[int, int] = {}
        for cell in cells:
            fact = facts.get(cell[0])
            if fact is not None and all(passed(cell, fact) for passed in tests.values()):
                tally[cell[-2]] = tally.get(cell[-2], 0) + cell[-1]
        return tally

    counts: list[FacetCounts] = []
    for facet in kind.facets:
        if facet.name == "theme":
            if theme_cells is not None:
                counts.append(_tallied_theme_facet(facet, theme_cells, tally_themes))
                continue
            # The inspections every inspection filter leaves, by id (a short list, or none).
            inspection_ids = None
            if any(name in chosen for name in INSPECTION_FILTERS):
                inspection_ids = [pk for pk, fact in facts.items() if fact.is_chosen(chosen)]
            counts.append(_stored_theme_facet(facet, listing, inspection_ids, identity))
            continue
        counts.append(_tallied_facet(facet, tallies[facet.name], facts))

    order = sorted(per_inspection, key=lambda pk: facts[pk].order)
    rows_before, total = [], 0
    for inspection_id in order:
        rows_before.append(total)
        total += per_inspection[inspection_id]
    if listing.is_ranked and total <= RANKED_IDS:
        ranked_ids = list(listing.rows.values_list("pk", flat=True)[:RANKED_IDS])
        return ListingSummary(total, counts, ranked_ids=ranked_ids)
    return ListingSummary(
        total,
        counts,
        inspection_ids=order,
        rows_before=rows_before,
        too_many_to_rank=listing.is_ranked,
    )


def _tallied_facet(
    facet: Facet, tally: dict[Any, int], facts: dict[int, _InspectionFacts]
) -> FacetCounts:
    """A facet's choices from its tally, as the GROUP BY counters give them."""
    if facet.name == "year":
        years = sorted((year for year in tally if year), key=int, reverse=True)
        return FacetCounts(facet.name, facet.label, [FacetCount(y, y, tally[y]) for y in years])
    if facet.name in ("region", "authority"):
        names, codes = {}, {}
        for fact in facts.values():
            slug = fact.values[facet.name]
            if slug in tally:
                names[slug] = fact.region_name if facet.name == "region" else fact.authority_name
                codes[fact.region_code] = slug
        choices = [FacetCount(slug, names[slug], tally[slug]) for slug in names]
        return FacetCounts(
            facet.name,
            facet.label,
            sorted(choices, key=lambda choice: choice.label),
            codes if facet.name == "region" else {},
        )
    return _code_counts(facet, tally)


def _tallied_theme_facet(
    facet: Facet, theme_cells: list[tuple], tally_themes: Callable[[list], dict[int, int]]
) -> FacetCounts:
    """The theme facet from theme cells counted from the rows."""
    tally = tally_themes(theme_cells)
    themes = Theme.objects.filter(pk__in=list(tally)).values_list("pk", "slug", "name")
    return FacetCounts(
        facet.name,
        facet.label,
        [
            FacetCount(slug, name, tally[pk])
            for pk, slug, name in sorted(themes, key=lambda t: (-tally[t[0]], t[2]))
        ],
    )


def _stored_theme_facet(
    facet: Facet, listing: Listing, inspection_ids: list[int] | None, identity: str
) -> FacetCounts:
    """The theme cells every other filter leaves, summed per theme: the inspections'
    filters as the inspections they leave (`inspection_ids`; None: every one), the cells'
    own columns' filters as they are.

    Cached under those alone: the facet leaves out its own filter, so every theme's listing
    (and every region's, once per theme) has the same theme facet, summed once (120,000
    theme cells at 1M findings: 20-80 ms).
    """
    kind = listing.kind
    own = sorted(name for name in _cell_filters(kind) if name not in INSPECTION_FILTERS)
    active = listing.filterset.active()
    inputs = json.dumps([{name: active.get(name) for name in own}, inspection_ids], default=str)
    key = freshness.cache_key(f"theme-facet:{kind.name}", f"{identity}|{inputs}")
    counted = cache.get(key)
    if counted is None:
        cells = ListingCell.objects.filter(listing=kind.name, theme__isnull=False)
        if inspection_ids is not None:
            cells = cells.filter(inspection_id__in=inspection_ids)
        cells = listing.filterset.filter_queryset_only(cells, *own)
        counted = _themes_counted(facet, cells, Sum("rows"))
        cache.set(key, counted, SUMMARY_CACHE_SECONDS)
    return counted


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
