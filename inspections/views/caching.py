"""Pages served from the cache until the public data changes.

The home page, an authority's, an inspection's, a permalink's and the theme pages are the
same for every visitor and change only when an import or a correction does
(inspections.freshness counts those). At a million findings they took 0.1 to 2.5 s to
build (an authority's hundreds of recommendations; a theme's counts by year and grade)
and about 2 ms to serve from the cache, so each is built once per data version and kept in
Django's cache (CACHE_URL: Redis in production, shared by every app server).

Only pages whose content depends on the address alone use this: the key is the page's
identity (inspections.freshness.page_identity: release, data version, day, address) with
the scheme, host and path but never the query string, so made-up parameters cannot fill
the cache.
Listings are not cached whole (their parameters combine without end); their counts and
filter forms are.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from ..freshness import cache_key, page_identity


def cached_until_data_changes(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a public GET view whose 200 response depends only on its path and the data."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # The address without its query string: made-up parameters cannot fill the cache.
        # Its scheme and host (one of ALLOWED_HOSTS) are in: pages print their address.
        address = f"{request.scheme}://{request.get_host()}{request.path}"
        key = cache_key("page", page_identity(request, address))
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            cache.set(
                key, (response.content, response["Content-Type"]), settings.SHARED_CACHE_SECONDS
            )
        return response

    return wrapper
