"""Side by side: two of an authority's inspections, and an authority beside its neighbours.

Each comparison's address is a path (`/authorities/somerset/compare/<a>/<b>/`,
`/authorities/somerset/neighbours/<theme>/`), so it is a permalink and the page cache
(keyed on the path) can keep it. The no-JavaScript forms that choose them send query
parameters to a plain address, which redirects to the path.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .. import selectors
from .caching import cached_until_data_changes

# What `<slug:…>` accepts: anything else cannot be an inspection's or a theme's address.
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def _bad_choice(request: HttpRequest, slug: str, message: str) -> HttpResponse:
    return render(
        request,
        "inspections/bad_choice.html",
        {"message": message, "back": reverse("authority-detail", kwargs={"slug": slug})},
        status=400,
    )


@require_safe
def compare_choice(request: HttpRequest, slug: str) -> HttpResponse:
    """Choosing two of an authority's inspections: the form alone, or its answer:
    `?a=<inspection>&b=<inspection>` redirects to the comparison's permalink, and a missing,
    malformed or repeated choice is a 400 that shows the form again with what to change."""
    choices = selectors.comparison_choices(slug=slug)
    error = None
    if request.GET:
        first, second = request.GET.get("a", ""), request.GET.get("b", "")
        if not (SLUG.fullmatch(first) and SLUG.fullmatch(second)):
            error = "Choose two inspections to compare."
        elif first == second:
            error = "Choose two different inspections to compare."
        else:
            return redirect("inspection-comparison", slug=slug, first=first, second=second)
    return render(
        request,
        "inspections/compare_choice.html",
        {"choices": choices, "error": error},
        status=400 if error else 200,
    )


@require_safe
@cached_until_data_changes
def inspection_comparison(request: HttpRequest, slug: str, first: str, second: str) -> HttpResponse:
    """Two of an authority's inspections side by side, the older first (in either order)."""
    try:
        comparison = selectors.inspection_comparison(slug=slug, first=first, second=second)
    except selectors.SameInspection as error:
        return _bad_choice(request, slug, str(error))
    # Both orders show the same page; the older-first address is the one to share.
    canonical = request.build_absolute_uri(
        reverse(
            "inspection-comparison",
            kwargs={
                "slug": slug,
                "first": comparison.first.slug,
                "second": comparison.second.slug,
            },
        )
    )
    return render(
        request,
        "inspections/inspection_comparison.html",
        {"comparison": comparison, "share": {"url": canonical}},
    )


@require_safe
def authority_neighbours(request: HttpRequest, slug: str) -> HttpResponse:
    """An authority beside its statistical neighbours; the theme form's `?theme=<slug>`
    redirects to that theme's permalink (an empty choice, to this page without it)."""
    if "theme" in request.GET:
        theme = request.GET["theme"]
        if theme == "":
            return redirect("authority-neighbours", slug=slug)
        if not SLUG.fullmatch(theme):
            return _bad_choice(request, slug, "Choose a theme from the list.")
        return redirect("authority-neighbours-theme", slug=slug, theme=theme)
    return _neighbours(request, slug=slug)


@require_safe
def authority_neighbours_theme(request: HttpRequest, slug: str, theme: str) -> HttpResponse:
    """An authority beside its neighbours, with what each was last told about one theme."""
    return _neighbours(request, slug=slug, theme=theme)


@cached_until_data_changes
def _neighbours(request: HttpRequest, slug: str, theme: str | None = None) -> HttpResponse:
    comparison = selectors.neighbour_comparison(slug=slug, theme=theme)
    return render(
        request,
        "inspections/authority_neighbours.html",
        {"comparison": comparison, "share": {"url": request.build_absolute_uri(request.path)}},
    )
