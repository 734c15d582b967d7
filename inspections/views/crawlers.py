"""What the site tells crawlers: /robots.txt."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawl the records and each council's, theme's and listing's own page; not every
    combination of a listing's filters, searches and downloads, which never ends."""
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")
