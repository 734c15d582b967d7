"""The home page: the national picture, the latest inspections, the themes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..models import Authority, Inspection, Region, Theme
from ..vocabulary import GRADES
from .authorities import with_latest_grade
from .shared import publication_date


@dataclass
class RegionPicture:
    """One region's current authorities with their latest overall grades."""

    region: Region
    authorities: list[Authority]  # annotated by `with_latest_grade`, by name
    counts: dict[str, int]  # grade code, or NO_GRADED_REPORT / NO_REPORT -> authorities


@dataclass
class NationalPicture:
    """Every current authority's latest overall grade, by region, with counts per grade."""

    regions: list[RegionPicture]
    columns: list[tuple[str, str]]  # (grade code or a NOT_GRADED key, words) that occur
    totals: dict[str, int]
    authority_count: int
    grade_codes: frozenset[str] = frozenset(GRADES)


# Authorities without a latest grade, in two columns: every authority has been graded by
# Ofsted, so "not graded" would be untrue; what is missing is a report here.
NO_GRADED_REPORT = "no-graded-report"  # only visits or letters loaded
NO_REPORT = "no-report"  # nothing loaded at all
NOT_GRADED = {NO_GRADED_REPORT: "No graded report loaded", NO_REPORT: "No report loaded yet"}


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
        grade = authority.latest_grade or (
            NO_GRADED_REPORT if authority.latest_start_date else NO_REPORT
        )
        picture.counts[grade] = picture.counts.get(grade, 0) + 1
        totals[grade] = totals.get(grade, 0) + 1
    columns = [(code, words) for code, words in GRADES.items() if code in totals]
    columns += [(key, words) for key, words in NOT_GRADED.items() if key in totals]
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
