"""/authorities/<slug>/compare/…/ and /authorities/<slug>/neighbours/…/: side by side.

Two of one authority's inspections compared (grades by area, recommendations, themes), and
an authority beside its ten statistical neighbours (latest grade in every area; the newest
findings on one theme). Each reads a fixed number of queries, whatever the data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from ..models import (
    Authority,
    Finding,
    FindingTheme,
    Inspection,
    Judgement,
    Recommendation,
    RecommendationTheme,
    StatisticalNeighbour,
    Theme,
    published_condition,
)
from ..vocabulary import AREAS, FRAMEWORK_SHORT_NAMES, SCALE_CHANGED, new_scale


def _authority(slug: str) -> Authority:
    authority = Authority.objects.select_related("region").filter(slug=slug).first()
    if authority is None:
        raise Http404("No authority has that address.")
    return authority


# --- Two inspections of one authority -------------------------------------------------------


@dataclass
class AreaRow:
    """One judgement area at the two inspections: a row of the grades table."""

    area: str
    label: str
    first: Judgement | None
    second: Judgement | None


@dataclass
class ThemeRow:
    """One theme's published findings and recommendations at each of the two inspections."""

    theme: Theme
    first_findings: int = 0
    first_recommendations: int = 0
    second_findings: int = 0
    second_recommendations: int = 0

    @property
    def at_first(self) -> int:
        return self.first_findings + self.first_recommendations

    @property
    def at_second(self) -> int:
        return self.second_findings + self.second_recommendations

    @property
    def in_common(self) -> bool:
        """Raised at both: a finding or a recommendation on it at each inspection."""
        return self.at_first > 0 and self.at_second > 0


@dataclass
class InspectionComparison:
    """Everything /authorities/<slug>/compare/<first>/<second>/ shows (first: the older)."""

    authority: Authority
    first: Inspection  # with judgements and published recommendations prefetched
    second: Inspection
    areas: list[AreaRow]
    themes: list[ThemeRow]  # raised at either, most raised first
    choices: list[Inspection]  # the authority's inspections, for choosing another pair

    @property
    def pair(self) -> tuple[Inspection, Inspection]:
        """The two inspections, the older first: the columns."""
        return (self.first, self.second)

    @property
    def in_common(self) -> list[ThemeRow]:
        """Themes raised at both inspections."""
        return [row for row in self.themes if row.in_common]

    @property
    def graded(self) -> int:
        """How many of the two graded any area: 0, 1 or 2."""
        return sum(1 for i in self.pair if i.judgements.all())

    @property
    def scales_differ(self) -> bool:
        """Both graded, one on the scale used before November 2013 and one on the scale since:
        adequate and requires improvement are then different grades, not one."""
        return self.graded == 2 and new_scale(self.first.framework) != new_scale(
            self.second.framework
        )

    @property
    def straddles_scale_change(self) -> bool:
        """One inspection began before the scale changed and the other after."""
        return (self.first.start_date < SCALE_CHANGED) != (self.second.start_date < SCALE_CHANGED)


class SameInspection(ValueError):
    """The two inspections asked to be compared are one."""


def inspection_comparison(*, slug: str, first: str, second: str) -> InspectionComparison:
    """Two of an authority's inspections side by side, the older first.

    Raises Http404 when the authority, or either inspection, is unknown or is another
    authority's; SameInspection when both slugs name one inspection.
    """
    if first == second:
        raise SameInspection("Choose two different inspections.")
    choices = comparison_choices(slug=slug)
    authority = choices.authority
    chosen = {i.slug: i for i in choices.inspections if i.slug in (first, second)}
    if len(chosen) != 2:
        raise Http404("That authority has no inspection with that address.")
    pair = list(
        Inspection.objects.filter(pk__in=[i.pk for i in chosen.values()])
        .order_by("start_date", "pk")
        .prefetch_related(
            "judgements",
            Prefetch(
                "recommendations",
                queryset=Recommendation.objects.published().order_by("addressee", "position"),
            ),
        )
    )
    older, newer = pair
    for inspection in pair:
        inspection.graded_on_new_scale = new_scale(inspection.framework)
    by_area = [{j.area: j for j in i.judgements.all()} for i in pair]
    areas = [
        AreaRow(area, label, by_area[0].get(area), by_area[1].get(area))
        for area, label in AREAS.items()  # DOMAIN.md's order: overall first
        if area in by_area[0] or area in by_area[1]
    ]
    return InspectionComparison(
        authority=authority,
        first=older,
        second=newer,
        areas=areas,
        themes=_theme_rows(older, newer),
        choices=choices.inspections,
    )


@dataclass
class ComparisonChoices:
    """/authorities/<slug>/compare/: an authority's inspections to choose two from."""

    authority: Authority
    inspections: list[Inspection]  # oldest first

    @property
    def first(self) -> Inspection | None:
        """The one chosen to start with: the last but one."""
        return self.inspections[-2] if len(self.inspections) > 1 else None

    @property
    def second(self) -> Inspection | None:
        """The other chosen to start with: the latest."""
        return self.inspections[-1] if len(self.inspections) > 1 else None


def comparison_choices(*, slug: str) -> ComparisonChoices:
    """An authority's inspections, oldest first, for choosing two to compare.

    Raises Http404 for an unknown slug.
    """
    authority = _authority(slug)
    inspections = list(
        Inspection.objects.filter(authority=authority)
        .only("slug", "framework", "start_date", "authority_id")
        .order_by("start_date", "pk")  # a SIF and its LSCB review can start on one day
    )
    return ComparisonChoices(authority, inspections)


def _theme_rows(first: Inspection, second: Inspection) -> list[ThemeRow]:
    # Two GROUP BYs over the theme links of the two inspections' published rows; the theme's
    # slug and name come as values (no Theme instances to build per row).
    rows: dict[int, ThemeRow] = {}
    for link, via, kind in (
        (FindingTheme, "finding__", "findings"),
        (RecommendationTheme, "recommendation__", "recommendations"),
    ):
        counts = (
            link.objects.filter(published_condition(via))
            .filter(**{f"{via}inspection__in": [first.pk, second.pk]})
            .order_by()
            .values(f"{via}inspection_id", "theme_id", "theme__slug", "theme__name")
            .annotate(n=Count("pk"))
        )
        for count in counts:
            row = rows.get(count["theme_id"])
            if row is None:
                theme = Theme(
                    pk=count["theme_id"], slug=count["theme__slug"], name=count["theme__name"]
                )
                row = rows[theme.pk] = ThemeRow(theme)
            side = "first" if count[f"{via}inspection_id"] == first.pk else "second"
            setattr(row, f"{side}_{kind}", count["n"])
    return sorted(rows.values(), key=lambda r: (-(r.at_first + r.at_second), r.theme.name))


# --- An authority beside its statistical neighbours -----------------------------------------


@dataclass
class LatestGrade:
    """An authority's latest judgement in one area, and the inspection that gave it."""

    grade: str
    words: str
    start_date: datetime.date
    framework: str
    inspection_slug: str

    @property
    def new_scale(self) -> bool:
        """Graded on the scale used since November 2013 (requires improvement, not adequate)."""
        return new_scale(self.framework)

    @property
    def framework_name(self) -> str:
        """The framework's short name, for a table cell."""
        return FRAMEWORK_SHORT_NAMES[self.framework]


@dataclass
class NeighbourRow:
    """One authority of the comparison: the council itself (rank None) or a neighbour."""

    authority: Authority
    rank: int | None
    latest: dict[str, LatestGrade] = field(default_factory=dict)  # area -> its latest grade
    findings: list[Finding] = field(default_factory=list)  # newest on the chosen theme

    def cells(self, areas: list[tuple[str, str]]) -> list[LatestGrade | None]:
        """The latest grade in each of `areas`, None where never judged."""
        return [self.latest.get(area) for area, _ in areas]


@dataclass
class NeighbourComparison:
    """Everything /authorities/<slug>/neighbours/ (and …/<theme>/) shows."""

    authority: Authority
    rows: list[NeighbourRow]  # the council first, then its neighbours closest first
    areas: list[tuple[str, str]]  # (code, label) judged at any of them, DOMAIN.md's order
    themes: list[Theme]  # for choosing one
    theme: Theme | None = None

    def grid(self) -> list[tuple[NeighbourRow, list[LatestGrade | None]]]:
        """Each row with its cells, in the areas' order: what the grades table shows."""
        return [(row, row.cells(self.areas)) for row in self.rows]


# Per authority on a theme: the newest findings, quoted briefly. Two say what an inspection
# said on it without turning the page into a listing (which is a link away).
FINDINGS_PER_NEIGHBOUR = 2


def neighbour_comparison(*, slug: str, theme: str | None = None) -> NeighbourComparison:
    """An authority and its statistical neighbours: latest grade in every area and, for a
    theme, each one's newest published findings on it.

    Raises Http404 for an unknown authority or theme.
    """
    authority = _authority(slug)
    chosen = None
    themes = list(Theme.objects.only("slug", "name").order_by("name"))
    if theme is not None:
        chosen = next((t for t in themes if t.slug == theme), None)
        if chosen is None:
            raise Http404("No theme has that address.")
    neighbours = list(
        StatisticalNeighbour.objects.filter(authority=authority)
        .select_related("neighbour")
        .order_by("rank")
    )
    rows = [NeighbourRow(authority, None)] + [NeighbourRow(n.neighbour, n.rank) for n in neighbours]
    by_pk = {row.authority.pk: row for row in rows}
    # Every judgement of the eleven, newest first: the first seen per area is the latest.
    # A few dozen rows per authority (a handful of graded inspections, eight areas at most).
    judgements = (
        Judgement.objects.filter(inspection__authority__in=list(by_pk))
        .order_by("-inspection__start_date", "pk")
        .values_list(
            "inspection__authority_id",
            "area",
            "grade",
            "words",
            "inspection__start_date",
            "inspection__framework",
            "inspection__slug",
        )
    )
    for authority_id, area, grade, words, start, framework, inspection_slug in judgements:
        by_pk[authority_id].latest.setdefault(
            area, LatestGrade(grade, words, start, framework, inspection_slug)
        )
    judged = {area for row in rows for area in row.latest}
    if chosen is not None:
        newest = (
            Finding.objects.published()
            .filter(themes=chosen, inspection__authority__in=list(by_pk))
            .annotate(
                newness=Window(
                    RowNumber(),
                    partition_by=[F("inspection__authority_id")],
                    order_by=[
                        F("inspection__start_date").desc(),
                        F("inspection_id").desc(),  # two inspections can start on one day
                        F("position").asc(),
                    ],
                )
            )
            .filter(newness__lte=FINDINGS_PER_NEIGHBOUR)
            .select_related("inspection")
            .order_by("-inspection__start_date", "-inspection_id", "position")
        )
        for finding in newest:
            by_pk[finding.inspection.authority_id].findings.append(finding)
    return NeighbourComparison(
        authority=authority,
        rows=rows,
        areas=[(code, label) for code, label in AREAS.items() if code in judged],
        themes=themes,
        theme=chosen,
    )
