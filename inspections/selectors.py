"""The public site's reads: one function per page, keyword-only, used by views and exports.

Each returns everything its page shows with a fixed number of queries, whatever the amount
of data (select_related for single objects, prefetch_related for lists, one GROUP BY per
facet); tests pin the counts. Hidden rows (`is_hidden`, a curator's choice) and withdrawn
rows (`withdrawn_at`, no longer in the report) never appear in listings.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.http import Http404

from . import search
from .filters import (
    AuthorityFilterSet,
    FindingFilterSet,
    PublishedTextFilterSet,
    RecommendationFilterSet,
)
from .models import (
    Authority,
    Finding,
    FindingTheme,
    Inspection,
    Judgement,
    Recommendation,
    RecommendationTheme,
    Region,
    StatisticalNeighbour,
    Theme,
)
from .vocabulary import (
    ADDRESSEES,
    AREAS,
    FRAMEWORKS,
    GRADE_ORDINALS,
    GRADES,
    TIMESCALES,
)


def publication_date() -> Coalesce:
    """When an inspection was published, or its last day on site where the report prints no
    date (end_date is never NULL): what "newest" means on the home page and in the feeds."""
    return Coalesce("published_date", "end_date")


def _themes_prefetch() -> Prefetch:
    return Prefetch("themes", queryset=Theme.objects.only("slug", "name").order_by("name"))


def area_grade_subquery() -> Subquery:
    """The grade of the judgement for a finding's area at its own inspection (or NULL)."""
    # order_by() drops Judgement's default ordering, which joined inspections and authorities
    # into every row's subquery (1.6 s -> 0.4 s for a facet at 1M findings).
    return Subquery(
        Judgement.objects.filter(inspection=OuterRef("inspection"), area=OuterRef("area"))
        .order_by()
        .values("grade")[:1]
    )


# --- Findings and recommendations -------------------------------------------------------


@dataclass
class Listing:
    """A filtered listing: the bound FilterSet and, when its parameters are valid, the rows."""

    filterset: PublishedTextFilterSet
    base: QuerySet
    kind: str  # "finding" or "recommendation"

    @property
    def is_valid(self) -> bool:
        return self.filterset.is_valid()

    @property
    def rows(self) -> QuerySet:
        """The filtered rows, newest inspection first, each with what a row shows.

        Empty when the parameters are invalid: the page reports the errors instead of
        guessing what was meant.
        """
        if not self.is_valid:
            return self.base.none()
        rows = self.filtered.select_related("inspection__authority")
        rows = rows.prefetch_related(_themes_prefetch())
        order: list[Any] = list(INSPECTION_ORDER)
        if self.kind == "finding":
            rows = rows.annotate(area_grade=area_grade_subquery())
            order.append("position")
        else:
            order += ["addressee", "position"]
        # A search puts the best matches first (PostgreSQL only), then the usual order.
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
        """Whether rows come best match first (a search, on PostgreSQL)."""
        return search.rank(self.filterset.search_queries()) is not None


# The usual order of a listing, newest inspection first; every row of one inspection is
# contiguous in it, which is what lets a page be read from the inspections it spans.
INSPECTION_ORDER = ("-inspection__start_date", "inspection__authority__name", "inspection_id")


def finding_list(*, filters: Mapping[str, Any]) -> Listing:
    """/findings/ filtered by `filters` (a QueryDict or a dict of lists)."""
    base = Finding.objects.published()
    return Listing(FindingFilterSet(filters, queryset=base), base, "finding")


def recommendation_list(*, filters: Mapping[str, Any]) -> Listing:
    """/recommendations/ filtered by `filters` (a QueryDict or a dict of lists)."""
    base = Recommendation.objects.published()
    return Listing(RecommendationFilterSet(filters, queryset=base), base, "recommendation")


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


def _grouped(queryset: QuerySet, *fields: str) -> list[dict[str, Any]]:
    # order_by() clears the model's default ordering, which would otherwise join the GROUP BY.
    return list(queryset.order_by().values(*fields).annotate(count=Count("pk")))


def _code_facet(
    name: str, label: str, rows: QuerySet, field_name: str, vocabulary: dict[str, str]
) -> FacetCounts:
    counts = {row[field_name]: row["count"] for row in _grouped(rows, field_name)}
    # In the vocabulary's order (grades best to worst), leaving out empty codes.
    return FacetCounts(
        name,
        label,
        [
            FacetCount(code, words, counts[code])
            for code, words in vocabulary.items()
            if code in counts
        ],
        dict(vocabulary),
    )


def listing_facets(*, listing: Listing) -> list[FacetCounts]:
    """Each filter's choices with how many rows each would leave, given the other filters.

    One GROUP BY query per facet. A facet's own filter is left out of its count (Datasette's
    rule), so choosing a second theme shows what "either" would add.
    """
    if not listing.is_valid:
        return []
    fs = listing.filterset

    def rows(exclude: str) -> QuerySet:
        return fs.filter_queryset_except(listing.base, exclude)

    facets: list[FacetCounts] = []

    link_model = FindingTheme if listing.kind == "finding" else RecommendationTheme
    link_field = fs.theme_link_field
    theme_counts = (
        link_model.objects.filter(**{f"{link_field}__in": rows("theme").values("pk")})
        .order_by()
        .values("theme__slug", "theme__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "theme__name")
    )
    facets.append(
        FacetCounts(
            "theme",
            "Theme",
            [FacetCount(r["theme__slug"], r["theme__name"], r["count"]) for r in theme_counts],
        )
    )
    facets.append(
        _code_facet("grade", "Overall grade", rows("grade"), "inspection__overall_grade", GRADES)
    )
    if listing.kind == "finding":
        facets.append(_code_facet("area", "Judgement area", rows("area"), "area", AREAS))
        facets.append(
            _code_facet(
                "area_grade",
                "Grade for that area",
                rows("area_grade").annotate(area_grade=area_grade_subquery()),
                "area_grade",
                GRADES,
            )
        )
    else:
        facets.append(
            _code_facet("addressee", "Addressed to", rows("addressee"), "addressee", ADDRESSEES)
        )
        facets.append(
            _code_facet("timescale", "Timescale", rows("timescale"), "timescale", TIMESCALES)
        )
    years = _grouped(rows("year").annotate(year=ExtractYear("inspection__start_date")), "year")
    facets.append(
        FacetCounts(
            "year",
            "Year inspected",
            [
                FacetCount(str(r["year"]), str(r["year"]), r["count"])
                for r in sorted(years, key=lambda r: r["year"], reverse=True)
            ],
        )
    )
    facets.append(
        _code_facet(
            "framework",
            "Kind of inspection",
            rows("framework"),
            "inspection__framework",
            FRAMEWORKS,
        )
    )
    regions = _grouped(
        rows("region"),
        "inspection__authority__region__slug",
        "inspection__authority__region__code",
        "inspection__authority__region__name",
    )
    facets.append(
        FacetCounts(
            "region",
            "Region",
            [
                FacetCount(
                    r["inspection__authority__region__slug"],
                    r["inspection__authority__region__name"],
                    r["count"],
                )
                for r in sorted(regions, key=lambda r: r["inspection__authority__region__name"])
            ],
            # A region may be named by its ONS code too: the same choice.
            {
                r["inspection__authority__region__code"]: r["inspection__authority__region__slug"]
                for r in regions
            },
        )
    )
    authorities = _grouped(
        rows("authority"), "inspection__authority__slug", "inspection__authority__name"
    )
    facets.append(
        FacetCounts(
            "authority",
            "Authority",
            [
                FacetCount(
                    r["inspection__authority__slug"], r["inspection__authority__name"], r["count"]
                )
                for r in sorted(authorities, key=lambda r: r["inspection__authority__name"])
            ],
        )
    )
    return facets


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
    return list(
        listing.filtered.order_by()
        .values("inspection_id")
        .annotate(rows=Count("pk"))
        .order_by(*INSPECTION_ORDER)
        .values_list("inspection_id", "rows")
    )


def listing_summary(*, listing: Listing, data_version: str) -> ListingSummary:
    """The listing's row count, facet counts and page index, cached while the data is
    unchanged.

    `data_version` must change whenever any public record does (inspections.freshness).
    """
    if not listing.is_valid:
        return ListingSummary(0, [])
    filters = json.dumps(sorted(listing.filterset.active().items()), default=str)
    digest = hashlib.sha256(f"{data_version}|{filters}".encode()).hexdigest()[:40]
    key = f"listing-summary:{listing.kind}:{digest}"
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
        rows = self.listing.rows.filter(inspection_id__in=summary.inspection_ids[first:last])
        return list(rows[skip : skip + stop - start])


# --- Authorities ------------------------------------------------------------------------


def _latest_graded(field_name: str) -> Subquery:
    return Subquery(
        Inspection.objects.filter(authority=OuterRef("pk"))
        .exclude(overall_grade="")
        .order_by("-start_date")
        .values(field_name)[:1]
    )


def _grade_rank(field_name: str) -> Case:
    # Ordinal for sorting only (adequate and requires improvement share a rung); NULL when
    # ungraded, which the sorts put last.
    return Case(
        *[When(**{field_name: code}, then=Value(rank)) for code, rank in GRADE_ORDINALS.items()],
        default=None,
        output_field=IntegerField(),
    )


def with_latest_grade(queryset: QuerySet[Authority]) -> QuerySet[Authority]:
    """Authorities annotated with the overall grade of their latest graded inspection.

    Monitoring visits and letters are not graded, so "latest grade" skips them;
    `latest_inspection_slug` says which inspection gave the grade. NULL when none has.
    """
    return queryset.annotate(
        latest_grade=_latest_graded("overall_grade"),
        latest_grade_date=_latest_graded("start_date"),
        latest_inspection_slug=_latest_graded("slug"),
        latest_start_date=Subquery(
            Inspection.objects.filter(authority=OuterRef("pk"))
            .order_by("-start_date")
            .values("start_date")[:1]
        ),
    ).annotate(latest_grade_rank=_grade_rank("latest_grade"))


def region_choices() -> list[Region]:
    """The regions, for the authorities filter."""
    return list(Region.objects.order_by("name"))


@dataclass
class AuthorityListing:
    """/authorities/: the bound FilterSet and the matching authorities."""

    filterset: AuthorityFilterSet

    @property
    def rows(self) -> QuerySet[Authority]:
        if not self.filterset.is_valid():
            return Authority.objects.none()
        return self.filterset.qs


def authority_list(*, filters: Mapping[str, Any]) -> AuthorityListing:
    """Every authority (former ones too) with its region and latest overall grade."""
    queryset = with_latest_grade(Authority.objects.select_related("region")).order_by("name")
    return AuthorityListing(AuthorityFilterSet(filters, queryset=queryset))


@dataclass
class JudgementRow:
    """One judgement area across an authority's graded inspections: a row of the grid."""

    area: str
    label: str
    cells: list[Judgement | None]


@dataclass
class RaisedAt:
    """One inspection's recommendations under a theme that was raised again."""

    inspection: Inspection
    recommendations: list[Recommendation]

    # Shown on the authority page; the rest are a link away. Real reports make at most ten
    # under one theme (three at the 90th percentile); a page listing dozens would bury the
    # point, that the theme came back.
    SHOWN = 10

    @property
    def shown(self) -> list[Recommendation]:
        return self.recommendations[: self.SHOWN]

    @property
    def more(self) -> int:
        return max(0, len(self.recommendations) - self.SHOWN)


@dataclass
class RaisedAgain:
    """A theme the authority was told to improve at two or more different inspections."""

    theme: Theme
    occasions: list[RaisedAt]  # oldest inspection first


@dataclass
class AuthorityHistory:
    """Everything /authorities/<slug>/ shows."""

    authority: Authority
    inspections: list[Inspection]  # oldest first, each with judgements and recommendations
    graded: list[Inspection]  # the columns of the judgements table
    judgement_rows: list[JudgementRow]
    neighbours: list[StatisticalNeighbour]  # each neighbour annotated with latest_grade
    predecessors: list[Authority]
    successors: list[Authority]
    raised_again: list[RaisedAgain] = field(default_factory=list)


def raised_again(inspections: list[Inspection]) -> list[RaisedAgain]:
    """Themes of recommendations to the authority made at two or more different inspections.

    `inspections` are the authority's, oldest first, with their published recommendations
    prefetched. One query reads which themes each recommendation has, as plain values: as
    model instances, the themes of a few hundred recommendations were most of the authority
    page's time. Recommendations to an LSCB are left out: they were not addressed to the
    authority. Most often raised first, then by theme name.
    """
    recommendations = {
        r.pk: (inspection, r)
        for inspection in inspections
        for r in inspection.recommendations.all()
        if r.addressee == "authority"
    }
    links = (
        RecommendationTheme.objects.filter(recommendation_id__in=list(recommendations))
        .order_by()
        .values_list("recommendation_id", "theme_id", "theme__slug", "theme__name")
    )
    themes: dict[int, Theme] = {}
    themes_of: dict[int, list[Theme]] = {}
    for recommendation_id, theme_id, slug, name in links:
        if theme_id not in themes:
            themes[theme_id] = Theme(pk=theme_id, slug=slug, name=name)
        themes_of.setdefault(recommendation_id, []).append(themes[theme_id])
    by_theme: dict[int, dict[int, RaisedAt]] = {}
    for pk, (inspection, recommendation) in recommendations.items():  # oldest first
        for theme in themes_of.get(pk, []):
            occasions = by_theme.setdefault(theme.pk, {})
            occasion = occasions.setdefault(inspection.pk, RaisedAt(inspection, []))
            occasion.recommendations.append(recommendation)
    repeated = [
        RaisedAgain(themes[theme_id], list(occasions.values()))
        for theme_id, occasions in by_theme.items()
        if len(occasions) >= 2
    ]
    return sorted(repeated, key=lambda item: (-len(item.occasions), item.theme.name))


def authority_history(*, slug: str) -> AuthorityHistory:
    """One authority's inspections over time, what each told it to fix, and its neighbours.

    Raises Http404 for an unknown slug.
    """
    authority = Authority.objects.select_related("region").filter(slug=slug).first()
    if authority is None:
        raise Http404("No authority has that address.")
    inspections = list(
        authority.inspections.order_by("start_date").prefetch_related(
            "judgements",
            Prefetch(
                "recommendations",
                queryset=Recommendation.objects.published().order_by("addressee", "position"),
            ),
        )
    )
    graded = [i for i in inspections if i.judgements.all()]
    areas_seen = {j.area for i in graded for j in i.judgements.all()}
    judgement_rows = []
    for area, label in AREAS.items():  # DOMAIN.md's order: overall first
        if area in areas_seen:
            cells = [{j.area: j for j in i.judgements.all()}.get(area) for i in graded]
            judgement_rows.append(JudgementRow(area, label, cells))
    neighbours = list(
        StatisticalNeighbour.objects.filter(authority=authority)
        .select_related("neighbour")
        .annotate(
            latest_grade=Subquery(
                Inspection.objects.filter(authority=OuterRef("neighbour"))
                .exclude(overall_grade="")
                .order_by("-start_date")
                .values("overall_grade")[:1]
            ),
            latest_grade_date=Subquery(
                Inspection.objects.filter(authority=OuterRef("neighbour"))
                .exclude(overall_grade="")
                .order_by("-start_date")
                .values("start_date")[:1]
            ),
        )
        .order_by("rank")
    )
    return AuthorityHistory(
        authority=authority,
        inspections=inspections,
        graded=graded,
        judgement_rows=judgement_rows,
        neighbours=neighbours,
        predecessors=list(authority.predecessors.order_by("name")),
        successors=list(authority.successors.order_by("name")),
        raised_again=raised_again(inspections),
    )


# --- One inspection ---------------------------------------------------------------------


@dataclass
class Section:
    """Consecutive findings under one printed heading."""

    heading: str
    findings: list[Finding]


@dataclass
class InspectionDetail:
    """Everything /inspections/<slug>/ shows."""

    inspection: Inspection
    judgements: list[Judgement]
    recommendations: list[Recommendation]  # each with `evidence` prefetched (published only)
    sections: list[Section]


def inspection_detail(*, slug: str) -> InspectionDetail:
    """One inspection: judgements, recommendations with evidence, findings by section.

    Raises Http404 for an unknown slug.
    """
    inspection = (
        Inspection.objects.select_related("authority__region", "source_document")
        .filter(slug=slug)
        .first()
    )
    if inspection is None:
        raise Http404("No inspection has that address.")
    recommendations = list(
        Recommendation.objects.published()
        .filter(inspection=inspection)
        .prefetch_related(
            Prefetch("evidence", queryset=Finding.objects.published().order_by("position")),
            _themes_prefetch(),
        )
        .order_by("addressee", "position")
    )
    findings = (
        Finding.objects.published()
        .filter(inspection=inspection)
        .prefetch_related(_themes_prefetch())
        .order_by("position")
    )
    sections: list[Section] = []
    for finding in findings:
        # Group runs, not all equal headings: a heading printed twice is two places.
        if not sections or sections[-1].heading != finding.section:
            sections.append(Section(finding.section, []))
        sections[-1].findings.append(finding)
    return InspectionDetail(
        inspection=inspection,
        judgements=list(inspection.judgements.all()),
        recommendations=recommendations,
        sections=sections,
    )


# --- Permalinks -------------------------------------------------------------------------


@dataclass
class FindingPermalink:
    """Everything a finding's permalink page shows."""

    finding: Finding
    previous: Finding | None
    next: Finding | None
    recommendations: list[Recommendation]  # those it is evidence for


def finding_permalink(*, public_id: str) -> FindingPermalink:
    """A finding by its permalink, with its neighbouring paragraphs for context.

    Raises Http404 when there is none. A hidden or withdrawn finding is returned (with no
    context) so the page can answer 410 and link to its inspection.
    """
    finding = (
        Finding.objects.select_related("inspection__authority")
        .prefetch_related(_themes_prefetch())
        .filter(public_id=public_id)
        .annotate(area_grade=area_grade_subquery())
        .first()
    )
    if finding is None:
        raise Http404("No finding has that address.")
    if not finding.is_published:
        return FindingPermalink(finding, None, None, [])
    siblings = Finding.objects.published().filter(inspection_id=finding.inspection_id)
    previous = siblings.filter(position__lt=finding.position).order_by("-position").first()
    following = siblings.filter(position__gt=finding.position).order_by("position").first()
    recommendations = list(Recommendation.objects.published().filter(evidence=finding))
    return FindingPermalink(finding, previous, following, recommendations)


@dataclass
class RecommendationPermalink:
    """Everything a recommendation's permalink page shows."""

    recommendation: Recommendation
    previous: Recommendation | None
    next: Recommendation | None
    evidence: list[Finding]


def recommendation_permalink(*, public_id: str) -> RecommendationPermalink:
    """A recommendation by its permalink, with its evidence and neighbours in its list.

    Raises Http404 when there is none; a hidden or withdrawn one is returned bare.
    """
    recommendation = (
        Recommendation.objects.select_related("inspection__authority")
        .prefetch_related(_themes_prefetch())
        .filter(public_id=public_id)
        .first()
    )
    if recommendation is None:
        raise Http404("No recommendation has that address.")
    if not recommendation.is_published:
        return RecommendationPermalink(recommendation, None, None, [])
    siblings = Recommendation.objects.published().filter(
        inspection_id=recommendation.inspection_id, addressee=recommendation.addressee
    )
    previous = siblings.filter(position__lt=recommendation.position).order_by("-position").first()
    following = siblings.filter(position__gt=recommendation.position).order_by("position").first()
    evidence = list(
        Finding.objects.published().filter(recommendations=recommendation).order_by("position")
    )
    return RecommendationPermalink(recommendation, previous, following, evidence)


# --- Themes -----------------------------------------------------------------------------


def theme_list() -> list[Theme]:
    """Every theme with how many published findings and recommendations carry it."""
    findings = _theme_counts(FindingTheme, "finding", Finding)
    recommendations = _theme_counts(RecommendationTheme, "recommendation", Recommendation)
    themes = list(Theme.objects.order_by("name"))
    for theme in themes:
        theme.finding_count = findings.get(theme.pk, 0)
        theme.recommendation_count = recommendations.get(theme.pk, 0)
    return themes


def _theme_counts(link_model, row_field: str, row_model) -> dict[int, int]:
    # Every link, counted from the (theme, row) index, less the links of the few unpublished
    # rows (a partial index finds them). Joining each link to its row to test the row's
    # flags read the whole table: 44 s at a million findings, against 0.4 s.
    unpublished = row_model.objects.unpublished().values("pk")
    return dict(
        link_model.objects.exclude(**{f"{row_field}__in": unpublished})
        .order_by()
        .values_list("theme")
        .annotate(n=Count("pk"))
    )


@dataclass
class ThemeYear:
    """One year of a theme: findings per overall grade of their inspections."""

    year: int
    total: int
    by_grade: dict[str, int]  # grade code ("" for ungraded) -> findings


@dataclass
class ThemeDetail:
    """Everything /themes/<slug>/ shows."""

    theme: Theme
    finding_count: int
    recommendation_count: int
    years: list[ThemeYear]  # newest first
    grades: list[tuple[str, str]]  # the grade columns present: (code, label), best first
    recent_findings: list[Finding]
    recent_recommendations: list[Recommendation]


RECENT = 10


def theme_detail(*, slug: str) -> ThemeDetail:
    """How often a theme appears per year and grade, and its latest findings.

    Raises Http404 for an unknown slug.
    """
    theme = Theme.objects.filter(slug=slug).first()
    if theme is None:
        raise Http404("No theme has that address.")
    findings = Finding.objects.published().filter(themes=theme)
    recommendations = Recommendation.objects.published().filter(themes=theme)
    grouped = _grouped(
        findings.annotate(year=ExtractYear("inspection__start_date")),
        "year",
        "inspection__overall_grade",
    )
    by_year: dict[int, ThemeYear] = {}
    for row in grouped:
        year = by_year.setdefault(row["year"], ThemeYear(row["year"], 0, {}))
        year.total += row["count"]
        year.by_grade[row["inspection__overall_grade"]] = row["count"]
    present = {row["inspection__overall_grade"] for row in grouped}
    grades = [(code, label) for code, label in GRADES.items() if code in present]
    if "" in present:
        grades.append(("", "Not graded"))
    related = ("inspection__authority",)
    return ThemeDetail(
        theme=theme,
        finding_count=sum(y.total for y in by_year.values()),
        recommendation_count=recommendations.count(),
        years=sorted(by_year.values(), key=lambda y: y.year, reverse=True),
        grades=grades,
        recent_findings=list(
            findings.select_related(*related).order_by("-inspection__start_date", "position")[
                :RECENT
            ]
        ),
        recent_recommendations=list(
            recommendations.select_related(*related).order_by(
                "-inspection__start_date", "addressee", "position"
            )[:RECENT]
        ),
    )


# --- Home -------------------------------------------------------------------------------


@dataclass
class RegionPicture:
    """One region's current authorities with their latest overall grades."""

    region: Region
    authorities: list[Authority]  # annotated by `with_latest_grade`, by name
    counts: dict[str, int]  # grade code ("" for not graded yet) -> authorities


@dataclass
class NationalPicture:
    """Every current authority's latest overall grade, by region, with counts per grade."""

    regions: list[RegionPicture]
    columns: list[tuple[str, str]]  # (grade code or "", words) that occur, best first
    totals: dict[str, int]
    authority_count: int


NOT_GRADED_YET = "Not graded yet"


def national_picture() -> NationalPicture:
    """The latest overall grade of every current authority, grouped by region: one query.

    An authority's latest grade is that of its latest graded inspection, whichever scale
    it was on: adequate (before 2013) stays adequate, never requires improvement.
    """
    authorities = with_latest_grade(
        Authority.objects.filter(abolished_on__isnull=True).select_related("region")
    ).order_by("region__name", "name")
    regions: dict[int, RegionPicture] = {}
    totals: dict[str, int] = {}
    for authority in authorities:
        picture = regions.setdefault(authority.region_id, RegionPicture(authority.region, [], {}))
        picture.authorities.append(authority)
        grade = authority.latest_grade or ""
        picture.counts[grade] = picture.counts.get(grade, 0) + 1
        totals[grade] = totals.get(grade, 0) + 1
    columns = [(code, words) for code, words in GRADES.items() if code in totals]
    if "" in totals:
        columns.append(("", NOT_GRADED_YET))
    return NationalPicture(
        regions=list(regions.values()),
        columns=columns,
        totals=totals,
        authority_count=sum(totals.values()),
    )


def home_page() -> dict[str, Any]:
    """The national picture, the latest published inspections and the themes."""
    return {
        "national_picture": national_picture(),
        "recent_inspections": list(
            # Some reports print no publication date: they take their last day on site rather
            # than sinking below reports a decade older.
            Inspection.objects.select_related("authority").order_by(
                publication_date().desc(), "-start_date"
            )[:10]
        ),
        "themes": list(Theme.objects.order_by("name")),
    }
