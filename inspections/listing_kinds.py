"""Each public listing described once: its rows, their themes, order, facets and download.

The filter sets (`inspections.filters`), the facet counts and pages
(`inspections.selectors.listings`), the downloads (`inspections.selectors.exports`,
`inspections.views.exports`), the URLs (`inspections.links`) and the listing template read
these descriptions rather than restating them. A new listing is one more `ListingKind` with
its filter set: /inspections/ is one, whose rows are the inspections themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db.models import Expression, Model, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from .models import (
    Finding,
    FindingTheme,
    Inspection,
    Judgement,
    Recommendation,
    RecommendationTheme,
)
from .vocabulary import (
    ADDRESSEES,
    AREAS,
    FOLLOW_THROUGH_STATUSES,
    FRAMEWORKS,
    GRADES,
    TIMESCALES,
)


@dataclass(frozen=True)
class Facet:
    """One filter a listing offers as choices with counts (DOMAIN.md's query parameters)."""

    name: str  # the query parameter
    label: str  # as the page names it: the filter's heading, its errors, the chosen filters
    # A code facet groups rows by `column` and offers `codes` in their order (best grade
    # first); the others (theme, year, region, authority) are counted their own way.
    column: str = ""
    codes: Mapping[str, str] | None = None
    # How it is counted when not by `column` or by its name (`selectors.listings`), and the
    # other parameters its counts leave out besides its own (a pair of filters that choose
    # one judgement together are both left out of either's counts).
    counter: str = ""
    counted_without: tuple[str, ...] = ()


THEME = Facet("theme", "Theme")
GRADE = Facet("grade", "Overall grade", "inspection__overall_grade", GRADES)
AREA = Facet("area", "Judgement area", "area", AREAS)
AREA_GRADE = Facet("area_grade", "Grade for that area", "area_grade", GRADES)
ADDRESSEE = Facet("addressee", "Addressed to", "addressee", ADDRESSEES)
TIMESCALE = Facet("timescale", "Timescale", "timescale", TIMESCALES)
# What later inspections said on a recommendation's subject (follow_through.py).
FOLLOW_THROUGH = Facet(
    "follow_through", "What happened next", "follow_through_status", FOLLOW_THROUGH_STATUSES
)
YEAR = Facet("year", "Year inspected")
FRAMEWORK = Facet("framework", "Kind of inspection", "inspection__framework", FRAMEWORKS)
REGION = Facet("region", "Region")
AUTHORITY = Facet("authority", "Authority")
SEARCH_LABEL = "Search the text"  # the `q` parameter: free text, not a facet

# On /inspections/ a row is an inspection: its grade and framework are its own columns, and
# `area` with `area_grade` choose inspections by any one of their judgements.
INSPECTION_GRADE = Facet("grade", GRADE.label, "overall_grade", GRADES)
INSPECTION_FRAMEWORK = Facet("framework", FRAMEWORK.label, "framework", FRAMEWORKS)
JUDGED_AREA = Facet(
    "area", "Judged area", codes=AREAS, counter="judged_area", counted_without=("area_grade",)
)
JUDGED_AREA_GRADE = Facet(
    "area_grade",
    "Grade for a judged area",
    codes=GRADES,
    counter="judged_area_grade",
    counted_without=("area",),
)

# The usual order of a listing of an inspection's rows begins here, newest inspection first:
# every row of one inspection is contiguous in it, which is what lets a page be read from
# the inspections it spans (`selectors.listings.ListingPages`).
INSPECTION_ORDER = ("-inspection__start_date", "inspection__authority__name", "inspection_id")


def area_grade_subquery() -> Subquery:
    """The grade of the judgement for a finding's area at its own inspection (or NULL)."""
    # order_by() drops Judgement's default ordering, which joined inspections and authorities
    # into every row's subquery (1.6 s -> 0.4 s for a facet at 1M findings).
    return Subquery(
        Judgement.objects.filter(inspection=OuterRef("inspection"), area=OuterRef("area"))
        .order_by()
        .values("grade")[:1]
    )


# What every download row of findings and recommendations has (DOMAIN.md's row fields).
TEXT_EXPORT_FIELDS = (
    "id",
    "url",
    "authority",
    "authority_name",
    "inspection_url",
    "framework",
    "start_date",
    "published_date",
    "section",
    "paragraph",
    "overall_grade",
    "area",
    "area_grade",
    "themes",
    "text",
)
# The columns read for those fields, in this order (`selectors.exports` turns them into the
# fields' values).
TEXT_EXPORT_COLUMNS = (
    "theme_ids",  # annotated by `selectors.exports`
    "public_id",
    "inspection__slug",
    "inspection__authority__slug",
    "inspection__authority__name",
    "inspection__framework",
    "inspection__start_date",
    "inspection__published_date",
    "inspection__overall_grade",
    "text",
)


@dataclass(frozen=True)
class ListingKind:
    """One public listing: what its rows are and everything that is said about them once."""

    name: str  # a row's noun: "finding"; in templates, cache keys and download names
    title: str  # the page's heading
    url_name: str  # the listing's URL
    detail_url_name: str  # a row's permalink, by its public_id
    model: type[Model]
    theme_link: type[Model] | None  # the through model from a row to its themes, if any
    theme_link_field: str  # the through model's field naming the row
    order: tuple[str, ...]  # the default order, whole
    facets: tuple[Facet, ...]  # in the order the page offers them
    export_fields: tuple[str, ...]  # the download's fields, in order
    export_columns: tuple[str, ...]  # the columns read for them (selectors.exports)
    # Values computed per row that rows, facets and downloads read: name -> expression.
    annotations: Mapping[str, Callable[[], Expression]] = field(default_factory=dict)
    # The path from a row to its inspection ("" when rows are inspections), the column
    # naming it, and the inspections' order: pages are read inspection by inspection
    # (`selectors.listings.ListingPages`), and `order` begins with this one.
    to_inspection: str = "inspection__"
    inspection_key: str = "inspection_id"
    inspection_order: tuple[str, ...] = INSPECTION_ORDER
    # More of each row that the page shows: prefetches, made afresh for each listing.
    prefetch: Callable[[], tuple[Prefetch, ...]] = tuple
    absolute_urls: bool = False  # downloads give whole URLs, not paths (newer listings)
    # A row's own values that facets and filters read, besides its themes and inspection:
    # what its listing cells are counted by (inspections/listing_cells.py). None: the
    # listing has no cells (its rows are few: the inspections).
    cell_columns: tuple[str, ...] | None = None
    template: str = "inspections/listing.html"
    feed_url_name: str = ""  # an Atom feed of the same rows, taking the same filters


FINDINGS = ListingKind(
    name="finding",
    title="Findings",
    url_name="finding-list",
    detail_url_name="finding-detail",
    model=Finding,
    theme_link=FindingTheme,
    theme_link_field="finding",
    order=(*INSPECTION_ORDER, "position"),
    facets=(THEME, GRADE, AREA, AREA_GRADE, YEAR, FRAMEWORK, REGION, AUTHORITY),
    export_fields=TEXT_EXPORT_FIELDS,
    export_columns=(*TEXT_EXPORT_COLUMNS, "section", "paragraph", "area", "area_grade"),
    annotations={"area_grade": area_grade_subquery},
    cell_columns=("area",),
)

RECOMMENDATIONS = ListingKind(
    name="recommendation",
    title="Recommendations",
    url_name="recommendation-list",
    detail_url_name="recommendation-detail",
    model=Recommendation,
    theme_link=RecommendationTheme,
    theme_link_field="recommendation",
    order=(*INSPECTION_ORDER, "addressee", "position"),
    facets=(
        THEME,
        GRADE,
        ADDRESSEE,
        TIMESCALE,
        FOLLOW_THROUGH,
        YEAR,
        FRAMEWORK,
        REGION,
        AUTHORITY,
    ),
    export_fields=(*TEXT_EXPORT_FIELDS, "addressee", "timescale"),
    export_columns=(*TEXT_EXPORT_COLUMNS, "addressee", "timescale"),
    cell_columns=("addressee", "timescale", "follow_through_status"),
)


def publication_date() -> Coalesce:
    """When an inspection was published, or its last day on site where the report prints no
    date (end_date is never NULL): what "newest" means on the home page and in the feeds."""
    return Coalesce("published_date", "end_date")


def judgements_prefetch() -> tuple[Prefetch, ...]:
    """An inspection's judgements in the order they were read from the report (by id: the
    model's default order would join inspections and authorities again)."""
    return (Prefetch("judgements", queryset=Judgement.objects.order_by("id")),)


# The inspections' own order: newest published first, as the feeds and the home page have it.
PUBLICATION_ORDER = ("-publication_date", "authority__name", "id")

# An inspection's download row: its identity, dates and every judgement's grade.
INSPECTION_EXPORT_FIELDS = (
    "slug",
    "url",
    "authority",
    "authority_name",
    "region",
    "framework",
    "title",
    "start_date",
    "end_date",
    "published_date",
    "lead_inspector",
    *(f"{area}_grade" for area in AREAS),
)

INSPECTIONS = ListingKind(
    name="inspection",
    title="Inspections and visits",
    url_name="inspection-list",
    detail_url_name="inspection-detail",
    model=Inspection,
    theme_link=None,
    theme_link_field="",
    order=PUBLICATION_ORDER,
    facets=(
        INSPECTION_FRAMEWORK,
        YEAR,
        INSPECTION_GRADE,
        JUDGED_AREA,
        JUDGED_AREA_GRADE,
        REGION,
        AUTHORITY,
    ),
    export_fields=INSPECTION_EXPORT_FIELDS,
    export_columns=(
        "judgement_grades",  # annotated by `selectors.exports`
        "slug",
        "authority__slug",
        "authority__name",
        "authority__region__slug",
        "framework",
        "title",
        "start_date",
        "end_date",
        "published_date",
        "lead_inspector",
    ),
    annotations={"publication_date": publication_date},
    to_inspection="",
    inspection_key="id",
    inspection_order=PUBLICATION_ORDER,
    prefetch=judgements_prefetch,
    absolute_urls=True,
    template="inspections/inspection_list.html",
    feed_url_name="feed-inspections",
)

# /inspections/?format=csv&rows=judgements: one row per judgement of the listed inspections.
JUDGEMENT_EXPORT_FIELDS = (
    "authority",
    "authority_name",
    "region",
    "inspection",
    "inspection_url",
    "framework",
    "start_date",
    "end_date",
    "published_date",
    "area",
    "grade",
    "words",
)
