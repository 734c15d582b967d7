"""Atom feeds of newly published inspections: all (or those /inspections/'s filters choose),
one authority's, one theme's.

Built on Django's syndication framework. Each entry is one inspection: its id is the
inspection page's absolute URL, which never changes because an inspection's slug is set
once (so re-imports never make a reader show an entry twice). What each feed holds is
read by `inspections.selectors.feeds`.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.views.decorators.http import require_safe

from . import freshness
from .selectors.feeds import feed_authority, feed_inspections, feed_theme
from .selectors.listings import Listing, inspection_list
from .views.presentation import without_response_params
from .vocabulary import GRADES

if TYPE_CHECKING:
    from .models import Authority, Inspection, Theme


def _midnight_utc(day: datetime.date) -> datetime.datetime:
    # Midnight UTC shows as the same calendar day to readers in the UK and in UTC.
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def _count(n: int, noun: str) -> str:
    if n == 0:
        return f"No {noun}s"
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def inspection_summary(inspection: Inspection) -> str:
    """One sentence or two: the overall grade in words and how many recommendations.

    Plain text; the feed escapes it for its HTML summary.
    """
    if inspection.overall_grade:
        words = (inspection.overall_words or GRADES[inspection.overall_grade]).rstrip(". ")
        grade = f"Overall effectiveness: {words}."
    else:
        grade = "No overall grade."
    counts = _count(inspection.authority_recommendations, "recommendation")
    if inspection.lscb_recommendations:
        counts += f" to the local authority and {inspection.lscb_recommendations} to the LSCB"
    return f"{grade} {counts}."


class InspectionFeed(Feed):
    """The latest published inspections of every authority (/feeds/inspections/), or of
    those /inspections/'s filters choose (`?framework=ilacs&region=south-west`): the same
    parameters, the same rows, newest first."""

    feed_type = Atom1Feed
    author_name = "Ofsted"
    feed_copyright = (
        "Contains public sector information licensed under the Open Government Licence v3.0."
    )

    @method_decorator(require_safe)
    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Feeds are read, never written to: anything but GET and HEAD is 405.
        if not kwargs and not inspection_list(filters=request.GET).is_valid:
            return HttpResponse(
                "Some filters are not valid: see /inspections/ with the same parameters.\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request: HttpRequest, *args, **kwargs) -> Listing:
        return inspection_list(filters=request.GET)

    def _filters(self, obj: Listing) -> str:
        return without_response_params(obj.filterset.data).urlencode()

    def get_feed(self, obj, request: HttpRequest):
        feed = super().get_feed(obj, request)
        # The feed's own absolute address identifies it; the alternate link is a page.
        feed.feed["id"] = feed.feed["feed_url"]
        return feed

    def title(self, obj) -> str:
        filtered = " (filtered)" if self._filters(obj) else ""
        return f"Ofsted inspections of children's services{filtered}"

    def subtitle(self, obj) -> str:
        return "Inspection reports as they are published, newest first."

    def link(self, obj) -> str:
        filters = self._filters(obj)
        return f"{reverse('inspection-list')}?{filters}" if filters else reverse("home")

    def feed_url(self, obj) -> str:
        filters = self._filters(obj)
        return (
            f"{reverse('feed-inspections')}?{filters}" if filters else reverse("feed-inspections")
        )

    def items(self, obj) -> QuerySet[Inspection]:
        return feed_inspections(inspections=obj.filtered)

    def item_title(self, item: Inspection) -> str:
        # An Atom title is text: the XML writer escapes it once and readers show it as is.
        label = item.get_framework_display()
        return f"{item.authority.name}: {label}, {format_date(item.feed_date, 'j F Y')}"

    def item_description(self, item: Inspection) -> str:
        # Atom1Feed marks the summary type="html": escape the text so it stays text.
        return escape(inspection_summary(item))

    def item_link(self, item: Inspection) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Inspection) -> str:
        return "Ofsted"

    def item_pubdate(self, item: Inspection) -> datetime.datetime | None:
        return _midnight_utc(item.published_date) if item.published_date else None

    def item_updateddate(self, item: Inspection) -> datetime.datetime:
        # The publication date, or the last day on site where the report prints none: the
        # date the feed is ordered by. Never the import time, which would make a report
        # loaded today look new however old it is (and the feed's own `updated` is the
        # latest of its entries').
        return _midnight_utc(item.feed_date)


class AuthorityInspectionFeed(InspectionFeed):
    """One authority's latest published inspections (/authorities/<slug>/feed/)."""

    def get_object(self, request: HttpRequest, slug: str) -> Authority:
        return feed_authority(slug=slug)

    def title(self, obj: Authority) -> str:
        return f"Ofsted inspections of {obj.name}'s children's services"

    def link(self, obj: Authority) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj: Authority) -> str:
        return reverse("feed-authority-inspections", kwargs={"slug": obj.slug})

    def items(self, obj: Authority) -> QuerySet[Inspection]:
        return feed_inspections(authority=obj)


class ThemeInspectionFeed(InspectionFeed):
    """The latest inspections with a published finding or recommendation on one theme."""

    def get_object(self, request: HttpRequest, slug: str) -> Theme:
        theme = feed_theme(slug=slug)
        # Whether the listing cells say which inspections have the theme (items() is not
        # given the request).
        theme.cells_current = freshness.current(request).cells_are_current
        return theme

    def title(self, obj: Theme) -> str:
        return f"Ofsted inspections on {obj.name}"

    def subtitle(self, obj: Theme) -> str:
        return (
            f"Inspection reports with findings or recommendations about {obj.name}, newest first."
        )

    def link(self, obj: Theme) -> str:
        return reverse("theme-detail", kwargs={"slug": obj.slug})

    def feed_url(self, obj: Theme) -> str:
        return reverse("feed-theme-inspections", kwargs={"slug": obj.slug})

    def items(self, obj: Theme) -> QuerySet[Inspection]:
        return feed_inspections(theme=obj, cells_current=obj.cells_current)
