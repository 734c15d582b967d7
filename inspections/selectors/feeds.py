"""The Atom feeds' reads: the latest inspections, all, one authority's or one theme's.

Every feed runs the same few queries whatever it holds: the authority or theme, then one
query for the entries with their grade words and recommendation counts as subqueries.
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from ..models import (
    Authority,
    FindingTheme,
    Inspection,
    Judgement,
    ListingCell,
    Recommendation,
    RecommendationTheme,
    Theme,
    published_condition,
)
from .shared import publication_date

FEED_LENGTH = 50


def _published_recommendation_count(addressee: str) -> Subquery:
    return Subquery(
        Recommendation.objects.published()
        .filter(inspection=OuterRef("pk"), addressee=addressee)
        .order_by()
        .values("inspection")
        .annotate(n=Count("pk"))
        .values("n")
    )


def feed_inspections(
    *,
    authority: Authority | None = None,
    theme: Theme | None = None,
    inspections: QuerySet[Inspection] | None = None,
    cells_current: bool = False,
) -> QuerySet[Inspection]:
    """The latest inspections for a feed, newest first, at most FEED_LENGTH, in one query.

    `inspections`, if given, are those the feed may hold (an /inspections/ listing's
    filtered rows: `selectors.inspection_list(...).filtered`); otherwise every inspection.
    "Newest" is the publication date, or the last day on site where the report gives none.
    With `theme`, only inspections with at least one published finding or recommendation
    tagged with it (read from the listing cells when `cells_current`: an EXISTS per
    inspection over a million findings' links took 0.8 s). Each row carries `feed_date`,
    `overall_words` (the report's words for the overall grade, or NULL) and counts of
    published recommendations to the authority and to its LSCB.
    """
    if inspections is None:
        inspections = Inspection.objects.all()
    if authority is not None:
        inspections = inspections.filter(authority=authority)
    if theme is not None and cells_current:
        # Cells count published rows only, of either listing.
        tagged = ListingCell.objects.filter(theme=theme).values("inspection_id")
        inspections = inspections.filter(pk__in=tagged)
    elif theme is not None:
        tagged_finding = FindingTheme.objects.filter(
            published_condition(via="finding__"), theme=theme, finding__inspection=OuterRef("pk")
        )
        tagged_recommendation = RecommendationTheme.objects.filter(
            published_condition(via="recommendation__"),
            theme=theme,
            recommendation__inspection=OuterRef("pk"),
        )
        inspections = inspections.filter(Exists(tagged_finding) | Exists(tagged_recommendation))
    return (
        inspections.select_related("authority")
        .annotate(
            feed_date=publication_date(),
            overall_words=Subquery(
                Judgement.objects.filter(inspection=OuterRef("pk"), area="overall").values("words")[
                    :1
                ]
            ),
            # Subqueries give NULL, not 0, when there are none.
            authority_recommendations=Coalesce(
                _published_recommendation_count("authority"), Value(0)
            ),
            lscb_recommendations=Coalesce(_published_recommendation_count("lscb"), Value(0)),
        )
        .order_by(F("feed_date").desc(), "authority__name", "slug")[:FEED_LENGTH]
    )


def feed_authority(*, slug: str) -> Authority:
    """The authority whose feed /authorities/<slug>/feed/ is. Raises Http404 if none."""
    return get_object_or_404(Authority, slug=slug)


def feed_theme(*, slug: str) -> Theme:
    """The theme whose feed /themes/<slug>/feed/ is. Raises Http404 if none."""
    return get_object_or_404(Theme, slug=slug)
