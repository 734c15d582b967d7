"""/follow-through/: the subjects raised again across councils, and every public
follow-through link as CSV or JSON.

It takes /recommendations/'s filters (the page's form offers year, kind of inspection and
what happened next), so that each count links to the listing showing those
recommendations. Malformed filters answer 400, as on the listings.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .. import selectors
from ..freshness import data_identity
from ..links import filter_url, query_url
from ..listing_kinds import RECOMMENDATIONS
from ..vocabulary import FOLLOW_THROUGH_STATUSES, FRAMEWORK_YEARS, FRAMEWORKS
from .exports import download_response, invalid_filters
from .presentation import without_response_params

FORMATS = ("csv", "json")
# The filters the page's form offers; any others chosen are kept as they are.
FORM_FILTERS = ("year", "framework", "follow_through")


@require_safe
def follow_through(request: HttpRequest) -> HttpResponse:
    """The themes of recommendations raised again (or with the statuses chosen), most
    often first, with how many councils; or, with `format`, the public links."""
    path = reverse("follow-through")
    if any(value == "" for _, values in request.GET.lists() for value in values):
        # The form's "any" choice sends an empty value: the same page without it.
        params = request.GET.copy()
        for name, values in request.GET.lists():
            params.setlist(name, [value for value in values if value != ""])
        return redirect(query_url(path, params))
    fmt = request.GET.get("format")
    if fmt:  # the public-site policy has refused any format but csv and json
        return _download(request, fmt)
    national = selectors.national_follow_through(
        filters=request.GET, identity=data_identity(request)
    )
    chosen = national.filters
    others = {name: values for name, values in chosen.items() if name not in FORM_FILTERS}
    # The subjects are counted without the theme filter, as a listing's theme facet is;
    # the statuses without the status filter. Each count's link has the same filters.
    but_theme = {k: v for k, v in chosen.items() if k not in ("theme", "follow_through")}
    but_status = {k: v for k, v in chosen.items() if k != "follow_through"}
    subjects = []
    if national.counts is not None:
        for subject in national.counts.subjects:
            listing = filter_url(
                RECOMMENDATIONS.url_name,
                theme=subject.slug,
                follow_through=national.statuses,
                **but_theme,
            )
            subjects.append((subject, listing))
    statuses = []
    if national.counts is not None:
        for code, label, count in national.counts.statuses:
            statuses.append(
                {
                    "code": code,
                    "label": label,
                    "count": count,
                    "chosen": code in national.statuses,
                    "url": _url(path, {**but_status, "follow_through": [code]}),
                    "listing": filter_url(
                        RECOMMENDATIONS.url_name, follow_through=code, **but_status
                    ),
                }
            )
    counted = {**but_theme, "follow_through": national.statuses}
    downloads = {}
    for name in FORMATS:
        downloads[name] = _url(path, {**counted, "format": [name]})  # the links counted
        downloads[f"all_{name}"] = _url(path, {"format": [name]})  # every public link
    first_year = min(first for first, _ in FRAMEWORK_YEARS.values())
    return render(
        request,
        "inspections/follow_through.html",
        {
            "national": national,
            "subjects": subjects,
            "statuses": statuses,
            "downloads": downloads,
            "canonical_url": request.build_absolute_uri(path),
            "path": path,
            "years": [str(y) for y in range(datetime.date.today().year, first_year - 1, -1)],
            "frameworks": FRAMEWORKS,
            "follow_through_statuses": FOLLOW_THROUGH_STATUSES,
            "chosen_year": (chosen.get("year") or [""])[0],
            "chosen_framework": (chosen.get("framework") or [""])[0],
            "chosen_status": national.statuses[0],
            "hidden": [(name, value) for name, values in others.items() for value in values],
            "has_filters": bool(without_response_params(request.GET)),
        },
        status=200 if national.is_valid else 400,
    )


def _url(path: str, params: dict[str, list[str]]) -> str:
    query = QueryDict(mutable=True)
    for name, values in params.items():
        query.setlist(name, [str(value) for value in values])
    return query_url(path, query)


def _download(request: HttpRequest, fmt: str) -> HttpResponse:
    download = selectors.link_download(
        filters=request.GET, origin=f"{request.scheme}://{request.get_host()}"
    )
    if not download.filterset.is_valid():
        return invalid_filters(download.filterset)
    return download_response(download.chunks, download.fields, fmt, "follow-through")
