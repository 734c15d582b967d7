"""Each public listing described once: its rows, their themes, order, facets and download.

The filter sets (`inspections.filters`), the facet counts and pages
(`inspections.selectors.listings`), the downloads (`inspections.selectors.exports`,
`inspections.views.exports`), the URLs (`inspections.links`) and the listing template read
these descriptions rather than restating them. A new listing (the inspections, say) is one
more `ListingKind` with its filter set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db.models import Expression, Model, OuterRef, Subquery

from .models import Finding, FindingTheme, Judgement, Recommendation, RecommendationTheme
from .vocabulary import ADDRESSEES, AREAS, FRAMEWORKS, GRADES, TIMESCALES


@dataclass(frozen=True)
class Facet:
    """One filter a listing offers as choices with counts (DOMAIN.md's query parameters)."""

    name: str  # the query parameter
    label: str  # as the page names it: the filter's heading, its errors, the chosen filters
    # A code facet groups rows by `column` and offers `codes` in their order (best grade
    # first); the others (theme, year, region, authority) are counted their own way.
    column: str = ""
    codes: Mapping[str, str] | None = None


THEME = Facet("theme", "Theme")
GRADE = Facet("grade", "Overall grade", "inspection__overall_grade", GRADES)
AREA = Facet("area", "Judgement area", "area", AREAS)
AREA_GRADE = Facet("area_grade", "Grade for that area", "area_grade", GRADES)
ADDRESSEE = Facet("addressee", "Addressed to", "addressee", ADDRESSEES)
TIMESCALE = Facet("timescale", "Timescale", "timescale", TIMESCALES)
YEAR = Facet("year", "Year inspected")
FRAMEWORK = Facet("framework", "Kind of inspection", "inspection__framework", FRAMEWORKS)
REGION = Facet("region", "Region")
AUTHORITY = Facet("authority", "Authority")
SEARCH_LABEL = "Search the text"  # the `q` parameter: free text, not a facet

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
    facets=(THEME, GRADE, ADDRESSEE, TIMESCALE, YEAR, FRAMEWORK, REGION, AUTHORITY),
    export_fields=(*TEXT_EXPORT_FIELDS, "addressee", "timescale"),
    export_columns=(*TEXT_EXPORT_COLUMNS, "addressee", "timescale"),
)
