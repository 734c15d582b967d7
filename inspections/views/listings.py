"""/findings/, /recommendations/ and /inspections/: filters, facet counts, pages and downloads.

Invalid parameters (a grade code that does not exist, a malformed slug) give the page with
the errors and no rows, status 400; a page number that is not a page gives a 404. Neither
is ever a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from .. import freshness, selectors
from ..freshness import data_identity
from ..links import query_url
from ..listing_kinds import INSPECTIONS
from ..selectors import Listing
from .exports import export_response, invalid_filters
from .presentation import (
    Facet,
    FacetOption,
    highlight,
    present_facets,
    toggled,
    without_response_params,
)

PAGE_SIZE = 50
FORMATS = ("csv", "json")
# What an inspections download's rows are (`rows=`): the inspections, or their judgements.
ROWS = ("inspections", "judgements")


@require_safe
def finding_list(request: HttpRequest) -> HttpResponse:
    """Findings paragraphs, filtered; or their CSV or JSON download."""
    return _respond(request, selectors.finding_list(filters=request.GET))


@require_safe
def recommendation_list(request: HttpRequest) -> HttpResponse:
    """Recommendations, filtered; or their CSV or JSON download."""
    return _respond(request, selectors.recommendation_list(filters=request.GET))


@require_safe
def inspection_list(request: HttpRequest) -> HttpResponse:
    """Every inspection and visit, filtered, newest published first; or their CSV or JSON
    download, one row per inspection or (`rows=judgements`) per judgement."""
    return _respond(request, selectors.inspection_list(filters=request.GET))


def _bad_request(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _respond(request: HttpRequest, listing: Listing) -> HttpResponse:
    kind = listing.kind
    path = reverse(kind.url_name)
    fmt = request.GET.get("format")
    if fmt is not None and fmt not in FORMATS:
        return _bad_request("format must be csv or json.\n")
    rows = request.GET.getlist("rows") if kind is INSPECTIONS else []
    if len(rows) > 1 or (rows and rows[0] not in ROWS):
        return _bad_request(f"rows must be one of {', '.join(ROWS)}.\n")
    if fmt and not listing.is_valid:
        return invalid_filters(listing.filterset)
    if fmt:
        # Newer listings give whole URLs, ready to follow from a spreadsheet.
        origin = f"{request.scheme}://{request.get_host()}" if kind.absolute_urls else ""
        return export_response(listing, fmt, origin=origin, judgements=rows == ["judgements"])

    summary = selectors.listing_summary(
        listing=listing,
        identity=data_identity(request),
        cells_current=freshness.current(request).cells_are_current,
    )
    # Counted once per data version, and each page read without sorting every row.
    paginator = Paginator(selectors.ListingPages(listing, summary), PAGE_SIZE)
    try:
        # With invalid filters there are no rows to page through: the errors come first.
        page = paginator.page((request.GET.get("page") if listing.is_valid else None) or 1)
    except InvalidPage as error:
        raise Http404("There is no such page of results.") from error
    queries = listing.filterset.search_queries()
    if kind.theme_link is not None:  # rows of report text: findings, recommendations
        for record in page.object_list:
            record.highlighted = highlight(record.text, queries)

    params = without_response_params(request.GET)
    page_params = params.copy()
    # The filter form and the chosen-filters list depend only on the filters and the data,
    # not on the page: rendered once per data version (153 authorities' checkboxes and their
    # links were two thirds of a page's time), and only then are the options worked out.
    filters_key = data_identity(request, f"{path}?{params.urlencode()}")
    facets = SimpleLazyObject(lambda: selected_first(present_facets(summary.facets, params, path)))

    def page_url(number: int) -> str:
        page_params.setlist("page", [str(number)] if number > 1 else [])
        return query_url(path, page_params)

    downloads = {}
    for name in FORMATS:
        download = params.copy()
        download["format"] = name
        downloads[name] = query_url(path, download)
        if kind is INSPECTIONS:
            download["rows"] = "judgements"
            downloads[f"judgements_{name}"] = query_url(path, download)

    return render(
        request,
        kind.template,
        {
            "title": kind.title,
            "kind": kind,
            "feed_url": query_url(reverse(kind.feed_url_name), params)
            if kind.feed_url_name
            else None,
            "path": path,
            # One address for crawlers and sharing: the listing itself, whatever its filters.
            "canonical_url": request.build_absolute_uri(path),
            "filterset": listing.filterset,
            "facets": facets,  # worked out only when a fragment is not cached
            "filters_key": filters_key,
            "filters_cache_seconds": settings.SHARED_CACHE_SECONDS,
            "queries": queries,
            "page": page,
            "previous_url": page_url(page.previous_page_number()) if page.has_previous() else None,
            "next_url": page_url(page.next_page_number()) if page.has_next() else None,
            "pagination": pagination(page, page_url),
            # "Looking for Somerset?": a council's name searched for offers its page.
            "named_authorities": selectors.authorities_named(queries=queries),
            "query_options": [
                FacetOption(query, query, 0, True, toggled(path, params, "q", [query], on=False))
                for query in queries
            ],
            "downloads": downloads,
            "has_filters": bool(params),
            "too_many_to_rank": summary.too_many_to_rank,
            # About how many a search too broad to count has, as "68,000".
            "estimated": f"{summary.estimated:,}" if summary.estimated else None,
        },
        status=200 if listing.is_valid else 400,
    )


def pagination(page: Page, page_url: Callable[[int], str]) -> dict[str, Any] | None:
    """GOV.UK's pagination component for `page`: previous, numbered pages, next.

    The first, last, current and adjacent pages are numbered; gaps are ellipses. None when
    there is only one page.
    """
    last = page.paginator.num_pages
    if last <= 1:
        return None
    shown = sorted(
        {1, last, page.number - 1, page.number, page.number + 1} & set(range(1, last + 1))
    )
    items: list[dict[str, Any]] = []
    for number in shown:
        if items and number - items[-1]["number"] > 1:
            items.append({"ellipsis": True, "number": number - 1})
        items.append({"number": number, "url": page_url(number), "current": number == page.number})
    return {
        "previous": page_url(page.number - 1) if page.has_previous() else None,
        "next": page_url(page.number + 1) if page.has_next() else None,
        "items": items,
    }


def selected_first(facets: list[Facet]) -> list[Facet]:
    """Each facet's chosen options first (otherwise in their order), so they are in view."""
    for facet in facets:
        facet.options.sort(key=lambda option: not option.selected)
    return facets
