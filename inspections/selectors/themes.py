"""/themes/ and /themes/<slug>/: how often each theme appears, and where."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.http import Http404

from ..listing_kinds import FINDINGS, RECOMMENDATIONS, ListingKind
from ..models import Finding, Recommendation, Theme
from ..vocabulary import GRADES
from .shared import grouped


def theme_list() -> list[Theme]:
    """Every theme with how many published findings and recommendations carry it."""
    findings = _theme_counts(FINDINGS)
    recommendations = _theme_counts(RECOMMENDATIONS)
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
    counts = grouped(
        findings.annotate(year=ExtractYear("inspection__start_date")),
        "year",
        "inspection__overall_grade",
    )
    by_year: dict[int, ThemeYear] = {}
    for row in counts:
        year = by_year.setdefault(row["year"], ThemeYear(row["year"], 0, {}))
        year.total += row["count"]
        year.by_grade[row["inspection__overall_grade"]] = row["count"]
    present = {row["inspection__overall_grade"] for row in counts}
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
