"""The About page: what the explorer is, what it holds, and where its text comes from."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import freshness, selectors


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    """What the explorer is, who it is for, how much of Ofsted's record it covers, what it
    could not read, and the licences and sources."""
    coverage = selectors.coverage(cells_current=freshness.current(request).cells_are_current)
    return render(request, "inspections/about.html", {"coverage": coverage})
