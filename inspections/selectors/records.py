"""/inspections/<slug>/ and the permalinks of findings and recommendations."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404

from ..listing_kinds import area_grade_subquery
from ..models import Finding, Inspection, Judgement, Recommendation
from .follow_through import NextItem, next_items
from .shared import themes_prefetch


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
        )
        .order_by("addressee", "position")
    )
    # The page shows no themes: a report of 2,000 findings would read 7,000 theme links
    # for nothing.
    findings = Finding.objects.published().filter(inspection=inspection).order_by("position")
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
        .prefetch_related(themes_prefetch())
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
    # What later inspections said on its subject, earliest first (its public links).
    next_items: list[NextItem] = field(default_factory=list)


def recommendation_permalink(*, public_id: str) -> RecommendationPermalink:
    """A recommendation by its permalink, with its evidence, its neighbours in its list,
    and what later inspections said on its subject.

    Raises Http404 when there is none; a hidden or withdrawn one is returned bare.
    """
    recommendation = (
        Recommendation.objects.select_related("inspection__authority")
        .prefetch_related(themes_prefetch())
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
    return RecommendationPermalink(
        recommendation, previous, following, evidence, next_items(recommendation=recommendation)
    )


def inspection_source(*, slug: str) -> Inspection:
    """An inspection with the original document it was imported from (`source_document`).

    Raises Http404 for an unknown slug.
    """
    inspection = Inspection.objects.select_related("source_document").filter(slug=slug).first()
    if inspection is None:
        raise Http404("No inspection has that address.")
    return inspection


def source_sha256(*, slug: str) -> str | None:
    """The hash of the bytes of an inspection's original document; None for no inspection."""
    return (
        Inspection.objects.filter(slug=slug)
        .values_list("source_document__sha256", flat=True)
        .first()
    )
