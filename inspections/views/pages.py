"""The public pages other than the filtered listings."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.cache import caches
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .. import freshness, selectors
from ..links import query_url
from ..listing_kinds import FINDINGS
from .caching import cached_until_data_changes
from .exports import download_response, invalid_filters

if TYPE_CHECKING:
    from ..models import Finding, Recommendation

# Stored sources are served as these types only; anything else downloads as bytes.
# Extensions for the media types an imported source can have (decided from its content).
SOURCE_EXTENSIONS = {
    "application/pdf": "pdf",
    "text/plain": "txt",
    "text/markdown": "md",
    "text/html": "html",
}


@require_safe
@cached_until_data_changes
def home(request: HttpRequest) -> HttpResponse:
    """What the explorer is, a search box, and entry points."""
    return render(request, "inspections/home.html", selectors.home_page())


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the app and its database answer, 503 otherwise; the body says how the
    database and the cache are. A cache outage is not a failure: pages are served uncached
    (explorer/cache.py), so it is reported but the answer stays 200."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        database = "unavailable"
    else:
        database = "ok"
    cache = caches["default"]
    health = getattr(cache, "health", None)
    state = health() if health else f"ok ({type(cache).__name__})"
    body = f"{'ok' if database == 'ok' else 'unavailable'}\ndatabase: {database}\ncache: {state}\n"
    return HttpResponse(body, status=200 if database == "ok" else 503, content_type="text/plain")


@require_safe
def authority_list(request: HttpRequest) -> HttpResponse:
    """Every authority with its latest grade; filterable by region, grade and name; sortable.

    With `format=csv|json`, the national dataset instead: each current authority's latest
    grade in every judgement area (`selectors.latest_grades`), with the same filters."""
    fmt = request.GET.get("format")
    if fmt:  # the public-site policy has refused any format but csv and json
        return _latest_grades(request, fmt)
    listing = selectors.authority_list(filters=request.GET)
    downloads = {}
    for name in ("csv", "json"):
        params = request.GET.copy()
        params["format"] = name
        downloads[name] = query_url(reverse("authority-list"), params)
    return render(
        request,
        "inspections/authority_list.html",
        {
            "downloads": downloads,
            "canonical_url": request.build_absolute_uri(request.path),
            "filterset": listing.filterset,
            "authorities": listing.rows,
            "regions": selectors.region_choices(),
        },
        status=200 if listing.filterset.is_valid() else 400,
    )


def _latest_grades(request: HttpRequest, fmt: str) -> HttpResponse:
    dataset = selectors.latest_grades(
        filters=request.GET, origin=f"{request.scheme}://{request.get_host()}"
    )
    if not dataset.filterset.is_valid():
        return invalid_filters(dataset.filterset)
    return download_response(iter([dataset.rows]), dataset.fields, fmt, "latest-grades")


@require_safe
@cached_until_data_changes
def authority_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One authority's history."""
    history = selectors.authority_history(slug=slug)
    return render(request, "inspections/authority_detail.html", {"history": history})


@require_safe
@cached_until_data_changes
def inspection_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One inspection: judgements, recommendations with evidence, findings by section."""
    detail = selectors.inspection_detail(slug=slug)
    return render(request, "inspections/inspection_detail.html", {"detail": detail})


@require_safe
def inspection_source(request: HttpRequest, slug: str) -> FileResponse:
    """The original document an inspection was imported from, as it was loaded."""
    inspection = selectors.inspection_source(slug=slug)
    source = inspection.source_document
    try:
        handle = source.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The original document is not available.") from error
    media_type = (
        source.media_type
        if source.media_type in SOURCE_EXTENSIONS
        else ("application/octet-stream")
    )
    # Always a download, never rendered on our origin: a report's text is data.
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{inspection.slug}.{SOURCE_EXTENSIONS.get(media_type, 'bin')}",
        content_type=media_type + ("; charset=utf-8" if media_type.startswith("text/") else ""),
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Should a client render it despite the attachment (an HTML source), no script runs and
    # it is a unique origin, away from our cookies. The pages' policy yields to this one.
    response["Content-Security-Policy"] = "sandbox"
    return response


@require_safe
@cached_until_data_changes
def finding_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A finding's permalink: 410 with a link to its inspection once hidden or withdrawn."""
    permalink = selectors.finding_permalink(public_id=public_id)
    finding = permalink.finding
    return render(
        request,
        "inspections/finding_detail.html",
        {
            "permalink": permalink,
            "finding": finding,
            "citation": citation(request, finding),
            "share_title": share_title(finding),
        },
        status=200 if finding.is_published else 410,
    )


@require_safe
@cached_until_data_changes
def recommendation_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A recommendation's permalink: 410 with a link to its inspection once hidden or
    withdrawn."""
    permalink = selectors.recommendation_permalink(public_id=public_id)
    recommendation = permalink.recommendation
    return render(
        request,
        "inspections/recommendation_detail.html",
        {
            "permalink": permalink,
            "recommendation": recommendation,
            "citation": citation(request, recommendation),
            "share_title": share_title(recommendation),
        },
        status=200 if recommendation.is_published else 410,
    )


@require_safe
@cached_until_data_changes
def theme_list(request: HttpRequest) -> HttpResponse:
    """Every theme with how often it appears."""
    themes = selectors.theme_list(cells_current=freshness.current(request).cells_are_current)
    return render(request, "inspections/theme_list.html", {"themes": themes})


@require_safe
@cached_until_data_changes
def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A theme by year and grade, and its latest findings and recommendations."""
    detail = selectors.theme_detail(
        slug=slug, cells_current=freshness.current(request).cells_are_current
    )
    return render(request, "inspections/theme_detail.html", {"detail": detail})


def share_title(record: Finding | Recommendation) -> str:
    """A permalink page's title, also its title when shared: who, which item, which report.

    "North Somerset, paragraph 34: Single inspection framework, June 2017".
    """
    inspection = record.inspection
    if isinstance(record, FINDINGS.model):
        item = f"paragraph {record.paragraph}" if record.paragraph else "finding"
    else:
        item = f"recommendation {record.position + 1}"
        if record.addressee == "lscb":
            item += " to the LSCB"
    return (
        f"{inspection.authority.name}, {item}: {inspection.get_framework_display()}, "
        f"{format_date(inspection.start_date, 'F Y')}"
    )


def citation(request: HttpRequest, record: Finding | Recommendation) -> dict[str, str]:
    """How to cite a finding or recommendation: a sentence and a BibTeX entry."""
    inspection = record.inspection
    title = inspection.title or inspection.get_framework_display()
    dates = _date_range(inspection.start_date, inspection.end_date)
    if isinstance(record, FINDINGS.model):
        where = f"paragraph {record.paragraph}" if record.paragraph else f"“{record.section}”"
    else:
        where = f"recommendation {record.position + 1}"
        if record.addressee == "lscb":
            where += " to the Local Safeguarding Children Board"
    url = request.build_absolute_uri(record.get_absolute_url())
    today = timezone.localdate()  # the day the page identity names (freshness.py)
    # The year of publication, as citations give; "n.d." where the report prints no date
    # (the year of the visit would be a guess at it).
    published_on = inspection.published_date
    year = str(published_on.year) if published_on else "n.d."
    published = f", published {format_date(published_on, 'j F Y')}" if published_on else ""
    text = (
        f"Ofsted ({year}). {title}. {inspection.authority.name}, "
        f"inspected {dates}{published}, {where}. {url} (accessed {format_date(today, 'j F Y')})."
    )

    def braces_free(value: str) -> str:
        return value.replace("{", "(").replace("}", ")")

    bibtex = "\n".join(
        [
            f"@misc{{ofsted-{record.public_id},",
            "  author = {{Ofsted}},",
            f"  title = {{{braces_free(title)}: {braces_free(inspection.authority.name)}}},",
            *([f"  year = {{{year}}},"] if published_on else []),
            f"  note = {{Inspected {dates}, {braces_free(where)}}},",
            f"  url = {{{url}}},",
            f"  urldate = {{{today:%Y-%m-%d}}}",
            "}",
        ]
    )
    return {"text": text, "bibtex": bibtex, "url": url}


def _date_range(start: datetime.date, end: datetime.date) -> str:
    if start == end:
        return format_date(start, "j F Y")
    if start.year == end.year:
        return f"{format_date(start, 'j F')} to {format_date(end, 'j F Y')}"
    return f"{format_date(start, 'j F Y')} to {format_date(end, 'j F Y')}"


def source_validators(request: HttpRequest, view_kwargs: dict[str, Any]) -> tuple[str | None, None]:
    """The original document's validators: a strong ETag of its bytes' hash (the bytes are
    exactly those whose hash this is), and no Last-Modified."""
    sha256 = selectors.source_sha256(slug=view_kwargs["slug"])
    return (f'"{sha256}"' if sha256 else None), None
