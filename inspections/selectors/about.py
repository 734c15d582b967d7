"""What the explorer holds and what it could not read: the reads behind /about/.

A fixed number of queries whatever the amount of data: counts are aggregates, the
coverage per framework is one GROUP BY, and the unreadable files come with their latest
error in one query (a subquery per row, not a query per row).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum

from ..listing_kinds import FINDINGS, RECOMMENDATIONS, ListingKind
from ..models import (
    Authority,
    Finding,
    ImportAttempt,
    Inspection,
    ListingCell,
    Recommendation,
    SourceDocument,
)
from ..vocabulary import FRAMEWORKS

# The outcomes after which the document's records are in the database as imported.
SUCCESSFUL_OUTCOMES = [
    ImportAttempt.Outcome.CREATED,
    ImportAttempt.Outcome.UPDATED,
    ImportAttempt.Outcome.UNCHANGED,
]
UNREADABLE_STATUSES = [SourceDocument.Status.REJECTED, SourceDocument.Status.FAILED]


@dataclass(frozen=True)
class FrameworkCoverage:
    """One framework: how many current authorities have a report of it, and how many reports."""

    code: str
    label: str
    authorities: int  # current authorities with at least one report of this framework
    reports: int  # every report of this framework, former authorities' too


@dataclass(frozen=True)
class UnreadableDocument:
    """A file the importer rejected or failed on, as the public may see it.

    Only the file's name as loaded and the first line of the importer's sentence: never who
    loaded it or the log.
    """

    original_name: str
    status: str  # "rejected" or "failed"
    error: str


@dataclass
class Coverage:
    """Everything /about/ shows about the data."""

    current_authorities: int
    authorities_with_reports: int  # current authorities with a report of any framework
    without_reports: list[Authority]  # current authorities with none loaded, by name
    frameworks: list[FrameworkCoverage]  # DOMAIN.md's order, every framework
    inspections: int
    findings: int  # published
    recommendations: int  # published
    last_imported_at: datetime.datetime | None
    unreadable: list[UnreadableDocument]


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else ""


def _published(model, kind: ListingKind, cells_current: bool) -> int:
    # Summed over the listing cells when current: counting a million rows took 0.6 s.
    if cells_current:
        cells = ListingCell.objects.filter(listing=kind.name, theme__isnull=True)
        return cells.aggregate(n=Sum("rows"))["n"] or 0
    return model.objects.published().count()


def coverage(*, cells_current: bool = False) -> Coverage:
    """How many authorities and reports each framework covers, the totals, the date of the
    latest import, and the files the importer could not read. Seven queries."""
    current = Q(authority__abolished_on__isnull=True)
    by_framework = {
        row["framework"]: row
        for row in Inspection.objects.order_by()
        .values("framework")
        .annotate(
            reports=Count("pk"),
            authorities=Count("authority", filter=current, distinct=True),
        )
    }
    inspection_totals = Inspection.objects.aggregate(
        inspections=Count("pk"),
        authorities=Count("authority", filter=current, distinct=True),
    )
    latest_error = Subquery(
        ImportAttempt.objects.filter(source_document=OuterRef("pk"))
        .order_by("-started_at", "-id")
        .values("error")[:1]
    )
    unreadable = [
        UnreadableDocument(row["original_name"], row["status"], _first_line(row["error"] or ""))
        for row in SourceDocument.objects.filter(status__in=UNREADABLE_STATUSES)
        .annotate(error=latest_error)
        .order_by("original_name", "pk")
        .values("original_name", "status", "error")
    ]
    last_import = (
        ImportAttempt.objects.filter(outcome__in=SUCCESSFUL_OUTCOMES)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    # Every current authority (about 150 short rows) in the query that used to count them.
    current_authorities = list(
        Authority.objects.filter(abolished_on__isnull=True)
        .annotate(has_reports=Exists(Inspection.objects.filter(authority=OuterRef("pk"))))
        .order_by("name")
        .only("name", "slug", "urn")
    )
    return Coverage(
        current_authorities=len(current_authorities),
        authorities_with_reports=inspection_totals["authorities"],
        without_reports=[a for a in current_authorities if not a.has_reports],
        frameworks=[
            FrameworkCoverage(
                code,
                label,
                by_framework.get(code, {}).get("authorities", 0),
                by_framework.get(code, {}).get("reports", 0),
            )
            for code, label in FRAMEWORKS.items()
        ],
        inspections=inspection_totals["inspections"],
        findings=_published(Finding, FINDINGS, cells_current),
        recommendations=_published(Recommendation, RECOMMENDATIONS, cells_current),
        last_imported_at=last_import,
        unreadable=unreadable,
    )
