"""/authorities/ and /authorities/<slug>/: latest grades, histories, neighbours."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.urls import reverse
from django.utils.text import slugify

from .. import search
from ..authority_names import AuthorityNameIndex
from ..filters import AuthorityFilterSet
from ..models import (
    Authority,
    Inspection,
    Judgement,
    Recommendation,
    RecommendationTheme,
    Region,
    StatisticalNeighbour,
    Theme,
    record_url_parts,
)
from ..reference import REORGANISATIONS, alternative_names, read_authority_rows
from ..vocabulary import AREAS, GRADE_ORDINALS
from .follow_through import FollowedInspection, council_follow_through


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
    `latest_start_date` is NULL only when no report about the authority is loaded at all,
    which pages must say as such rather than "not graded".
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
    # Each inspection's recommendations with their status and next evidence, oldest first.
    follow_through: list[FollowedInspection] = field(default_factory=list)


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
    # Each inspection knows the one before it, for its "compare with the previous" link.
    for previous, inspection in zip([None, *inspections], inspections, strict=False):
        inspection.previous_inspection = previous
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
            # None loaded is not the same as not graded (only visits and letters loaded).
            has_reports=Exists(Inspection.objects.filter(authority=OuterRef("neighbour"))),
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
        follow_through=council_follow_through(inspections),
    )


@dataclass(frozen=True)
class NamedAuthority:
    """An authority a search names: offered as a link to its page above the results."""

    name: str
    slug: str

    def get_absolute_url(self) -> str:
        return reverse("authority-detail", kwargs={"slug": self.slug})


@lru_cache(maxsize=1)
def _reference_name_index() -> tuple[AuthorityNameIndex, dict[str, str]]:
    # From the reference data (fixtures/authorities.csv, as migrations load it), not the
    # database: read once per process, so a search costs no query for it. Current
    # authorities first, so that a name both bear resolves to today's.
    former = {urn for urn, _, _ in REORGANISATIONS}
    rows = sorted(read_authority_rows(), key=lambda row: int(row["urn"]) in former)
    names: dict[str, str] = {}
    pairs = []
    for row in rows:
        name = row["local_authority_ons_name"]
        slug = slugify(name)
        names[slug] = name
        pairs += [(slug, name), *((slug, alias) for alias in alternative_names(row))]
    return AuthorityNameIndex(pairs), names


# Offered at most: a short form within more names than this ("Yorkshire") helps nobody.
MAX_NAMED_AUTHORITIES = 3


def authorities_named(*, queries: list[str]) -> list[NamedAuthority]:
    """The authorities the words searched for name ("Somerset", "neglect in North
    Somerset", "Hull"), so that a search for a council can offer its page. Excluded words
    (`-somerset`) name none. No query: the names come from the reference data."""
    index, names = _reference_name_index()
    found: list[str] = []
    for query in queries:
        for terms in search.parse(query).alternatives:  # "somerset or devon": both
            words = " ".join(w for t in terms if not t.negated for w in t.words)
            for slug in index.candidates(words) if words else []:
                if slug not in found:
                    found.append(slug)
    if len(found) > MAX_NAMED_AUTHORITIES:
        return []
    return [NamedAuthority(names[slug], slug) for slug in found]


# --- The national dataset: each current authority's latest grades ---------------------------

# Per judgement area: its latest grade, and the inspection that gave it.
_PER_AREA = ("grade", "inspection_date", "framework", "inspection_url")
LATEST_GRADES_FIELDS = (
    "name",
    "slug",
    "urn",
    "la_code",
    "region",
    "region_code",
    "url",
    *(f"{area}_{part}" for area in AREAS for part in _PER_AREA),
    "previous_overall_grade",
    "previous_overall_inspection_date",
    "previous_overall_inspection_url",
)


@dataclass
class LatestGrades:
    """/authorities/?format=csv|json: one row per current authority (LATEST_GRADES_FIELDS),
    or, when the filters are not valid, their bound FilterSet's errors and no rows."""

    filterset: AuthorityFilterSet
    rows: list[tuple[str | None, ...]]
    fields: tuple[str, ...] = LATEST_GRADES_FIELDS


def latest_grades(*, filters: Mapping[str, Any], origin: str = "") -> LatestGrades:
    """Each current authority (the 153 with a current LA code) with the latest grade of each
    judgement area, the inspection that gave it, and the overall grade before the latest.

    /authorities/'s filters and sort apply; former authorities never appear. Two queries
    whatever the data: the authorities, then every judgement of theirs as plain values.
    "Latest" is by the inspection's first day on site, as the authorities page has it; an
    area's latest grade may come from an older inspection than the overall grade's (a
    framework that stopped grading it). Dates are first days on site; URLs begin with
    `origin` ("https://example.org").
    """
    listing = authority_list(filters=filters)
    if not listing.filterset.is_valid():
        return LatestGrades(listing.filterset, [])
    authorities = list(
        listing.rows.filter(abolished_on__isnull=True).values_list(
            "pk", "name", "slug", "urn", "la_code", "region__slug", "region__code"
        )
    )
    judgements = (
        Judgement.objects.filter(inspection__authority_id__in=[row[0] for row in authorities])
        .order_by("inspection__authority_id", "area", "-inspection__start_date", "-inspection_id")
        .values_list(
            "inspection__authority_id",
            "area",
            "grade",
            "inspection__start_date",
            "inspection__framework",
            "inspection__slug",
        )
    )
    before, after = record_url_parts("inspection-detail", "slug")
    # authority id -> area -> its judgements' (grade, date, framework, url), latest first
    graded: dict[int, dict[str, list[tuple[str, str, str, str]]]] = {}
    for authority_id, area, grade, start, framework, slug in judgements:
        graded.setdefault(authority_id, {}).setdefault(area, []).append(
            (grade, start.isoformat(), framework, f"{origin}{before}{slug}{after}")
        )
    authority_before, authority_after = record_url_parts("authority-detail", "slug")
    rows = []
    for pk, name, slug, urn, la_code, region, region_code in authorities:
        areas = graded.get(pk, {})
        cells: list[str | None] = [
            name,
            slug,
            str(urn),
            la_code,
            region,
            region_code,
            f"{origin}{authority_before}{slug}{authority_after}",
        ]
        for area in AREAS:
            latest = areas.get(area, [])
            cells.extend(latest[0] if latest else (None,) * len(_PER_AREA))
        overall = areas.get("overall", [])
        previous = overall[1] if len(overall) > 1 else None
        cells.extend((previous[0], previous[1], previous[3]) if previous else (None,) * 3)
        rows.append(tuple(cells))
    return LatestGrades(listing.filterset, rows)
