"""/themes/ and /themes/<slug>/: how often each theme appears, and where."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404

from ..listing_kinds import FINDINGS, RECOMMENDATIONS, ListingKind
from ..models import Finding, ListingCell, Recommendation, Theme
from ..vocabulary import GRADES
from .shared import grouped


def theme_list(*, cells_current: bool = False) -> list[Theme]:
    """Every theme with how many published findings and recommendations carry it: summed
    over the listing cells when they are current (freshness.Freshness.cells_are_current),
    otherwise counted."""
    counts = _stored_theme_counts if cells_current else _theme_counts
    findings = counts(FINDINGS)
    recommendations = counts(RECOMMENDATIONS)
    themes = list(Theme.objects.order_by("name"))
    for theme in themes:
        theme.finding_count = findings.get(theme.pk, 0)
        theme.recommendation_count = recommendations.get(theme.pk, 0)
    return themes


def _theme_counts(kind: ListingKind) -> dict[int, int]:
    # Every link, counted from the (theme, row) index, less the links of the few unpublished
    # rows (a partial index finds them). Joining each link to its row to test the row's
    # flags read the whole table: 44 s at a million findings, against 0.4 s.
    unpublished = kind.model.objects.unpublished().values("pk")
    return dict(
        kind.theme_link.objects.exclude(**{f"{kind.theme_link_field}__in": unpublished})
        .order_by()
        .values_list("theme")
        .annotate(n=Count("pk"))
    )


def _stored_theme_counts(kind: ListingKind) -> dict[int, int]:
    return dict(
        ListingCell.objects.filter(listing=kind.name, theme__isnull=False)
        .order_by()
        .values_list("theme")
        .annotate(n=Sum("rows"))
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


def theme_detail(*, slug: str, cells_current: bool = False) -> ThemeDetail:
    """How often a theme appears per year and grade, and its latest findings: from the
    listing cells when they are current, otherwise counted from the rows.

    Raises Http404 for an unknown slug.
    """
    theme = Theme.objects.filter(slug=slug).first()
    if theme is None:
        raise Http404("No theme has that address.")
    findings = Finding.objects.published().filter(themes=theme)
    recommendations = Recommendation.objects.published().filter(themes=theme)
    related = ("inspection__authority",)
    finding_order = ("-inspection__start_date", "position")
    recommendation_order = ("-inspection__start_date", "addressee", "position")
    if cells_current:
        # Per inspection, newest first: the counts, and the few inspections the latest rows
        # are in (so those are read from them, not sorted out of every tagged row).
        cells = {
            kind.name: list(
                ListingCell.objects.filter(listing=kind.name, theme=theme)
                .order_by()
                .values("inspection_id", "inspection__start_date", "inspection__overall_grade")
                .annotate(count=Sum("rows"))
                .order_by("-inspection__start_date", "inspection_id")
            )
            for kind in (FINDINGS, RECOMMENDATIONS)
        }
        counts = _by_year_and_grade(cells[FINDINGS.name])
        recommendation_count = sum(cell["count"] for cell in cells[RECOMMENDATIONS.name])
        findings = findings.filter(inspection__in=_newest(cells[FINDINGS.name]))
        recommendations = recommendations.filter(
            inspection__in=_newest(cells[RECOMMENDATIONS.name])
        )
    else:
        counts = grouped(
            findings.annotate(year=ExtractYear("inspection__start_date")),
            "year",
            "inspection__overall_grade",
        )
        recommendation_count = recommendations.count()
    by_year: dict[int, ThemeYear] = {}
    for row in counts:
        year = by_year.setdefault(row["year"], ThemeYear(row["year"], 0, {}))
        year.total += row["count"]
        year.by_grade[row["inspection__overall_grade"]] = row["count"]
    present = {row["inspection__overall_grade"] for row in counts}
    grades = [(code, label) for code, label in GRADES.items() if code in present]
    if "" in present:
        grades.append(("", "Not graded"))
    return ThemeDetail(
        theme=theme,
        finding_count=sum(y.total for y in by_year.values()),
        recommendation_count=recommendation_count,
        years=sorted(by_year.values(), key=lambda y: y.year, reverse=True),
        grades=grades,
        recent_findings=list(findings.select_related(*related).order_by(*finding_order)[:RECENT]),
        recent_recommendations=list(
            recommendations.select_related(*related).order_by(*recommendation_order)[:RECENT]
        ),
    )


def _by_year_and_grade(cells: list[dict]) -> list[dict]:
    counts: dict[tuple[int, str], int] = {}
    for cell in cells:
        key = (cell["inspection__start_date"].year, cell["inspection__overall_grade"])
        counts[key] = counts.get(key, 0) + cell["count"]
    return [
        {"year": year, "inspection__overall_grade": grade, "count": count}
        for (year, grade), count in counts.items()
    ]


def _newest(cells: list[dict]) -> list[int]:
    """The newest inspections holding RECENT rows, and every other inspection that began
    on the day the last of them did (rows of one day come in their own order)."""
    chosen: list[int] = []
    rows, last_day = 0, None
    for cell in cells:  # newest first
        if rows >= RECENT and cell["inspection__start_date"] != last_day:
            break
        chosen.append(cell["inspection_id"])
        rows += cell["count"]
        last_day = cell["inspection__start_date"]
    # No inspection has id 0: with none chosen the rows are still asked for, so that the
    # page's queries never depend on the data.
    return chosen or [0]
