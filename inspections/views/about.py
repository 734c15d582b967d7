"""The About page: what the explorer is, what it holds, and where its text comes from."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import selectors


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    """What the explorer is, who it is for, how much of Ofsted's record it covers, what it
    could not read, and the licences and sources."""
    return render(request, "inspections/about.html", {"coverage": selectors.coverage()})
