"""The site's HTTP policies, each in one middleware (their order is set in settings).

- ContentSecurityPolicyMiddleware: a Content-Security-Policy header on every response.
  Django 5.2 has none built in; our policy is one fixed header (no nonces, because no
  template has inline script or style), which needs no library. The setting uses Django
  6.0's name and shape (SECURE_CSP), so moving to its middleware changes no policy.
- ReplicaReadsMiddleware: the public site's GET and HEAD requests read from the replica
  (explorer.routers), including while a download streams.
- PublicSiteMiddleware: the public site is read-only (405 to anything but GET and HEAD,
  before CSRF can turn it into 403) and cacheable: ETag and Last-Modified from the data
  version (inspections.freshness), 304 before the view runs, Cache-Control by status;
  each statement of a public view limited to PUBLIC_STATEMENT_TIMEOUT_SECONDS, and one
  that runs past it answered 503 "narrow your search" (explorer/statement_timeout.py).

Admin log-in throttling is inspections.login_throttle's.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from functools import cache

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, reverse
from django.utils.cache import get_conditional_response, has_vary_header
from django.utils.http import http_date

from inspections import freshness
from inspections.views import errors

from .routers import replica_reads
from .statement_timeout import statement_timeout, timed_out

GetResponse = Callable[[HttpRequest], HttpResponse]
SAFE_METHODS = ("GET", "HEAD")


# --- Content-Security-Policy --------------------------------------------------------------


def csp_header(policy: dict[str, list[str]]) -> str:
    """A policy as a header value: `{"img-src": ["'self'", "data:"]}` → "img-src 'self' data:"."""
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    """Adds settings.SECURE_CSP to every response that has no policy of its own."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.header = csp_header(getattr(settings, "SECURE_CSP", {}))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Content-Security-Policy", self.header)
        return response


# --- Which requests are the public site's --------------------------------------------------


@cache
def admin_prefix() -> str:
    return reverse("admin:index")


@cache
def public_url_names() -> frozenset[str]:
    """The names of the public site's URL patterns (inspections/urls.py), read once."""
    from inspections import urls

    def names(patterns: Iterable[URLPattern | URLResolver]) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from names(pattern.url_patterns)
            elif pattern.name:
                yield pattern.name

    return frozenset(names(urls.urlpatterns))


def is_public(request: HttpRequest) -> bool:
    """Whether the request resolved to a public page (so not the admin, nor no page)."""
    match = getattr(request, "resolver_match", None)
    return bool(match and not match.namespaces and match.url_name in public_url_names())


# --- Replica reads ------------------------------------------------------------------------


class ReplicaReadsMiddleware:
    """GET and HEAD requests outside the admin read from the replica, if there is one."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in SAFE_METHODS or request.path.startswith(admin_prefix()):
            return self.get_response(request)
        with replica_reads():
            response = self.get_response(request)
        if response.streaming and not response.is_async:
            # A download runs its queries as it streams, after the view has returned.
            response.streaming_content = _reading_replica(response.streaming_content)
        return response


def _reading_replica(chunks: Iterable[bytes]) -> Iterator[bytes]:
    iterator = iter(chunks)
    while True:
        with replica_reads():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


# --- The public site: read-only and cacheable -----------------------------------------------

NOT_CACHED = {"healthz"}  # must always reach the database
SOURCE_DOWNLOAD = "inspection-source"


class PublicSiteMiddleware:
    """Read-only, cacheable public pages.

    Before the view: 405 to any method but GET and HEAD; otherwise the validators are
    worked out (one query: the data version) and a matching If-None-Match or
    If-Modified-Since is answered 304 without running the view.

    After the view, for GET and HEAD on the public site (and on no page at all):
    - 200 and 304: ETag and Last-Modified; `public, max-age=PUBLIC_CACHE_SECONDS,
      stale-while-revalidate=...`, or `private` if the response turned out to vary by
      cookie (public pages should not; tests check they don't);
    - 4xx: `public, max-age=ERROR_CACHE_SECONDS`, short, and without validators;
    - 5xx: `no-store`.
    A Cache-Control the view set itself is kept.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with ExitStack() as request._public_limits:
            response = self.get_response(request)
        if request.method in SAFE_METHODS and self._cacheable(request):
            self._add_caching_headers(request, response)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not is_public(request):
            return None
        if request.method not in SAFE_METHODS:
            return HttpResponseNotAllowed(SAFE_METHODS)
        # The view, its template and its validators' query each get this long per statement
        # (a download's rows, streamed after, are not limited: a slow reader is no query).
        request._public_limits.enter_context(
            statement_timeout(settings.PUBLIC_STATEMENT_TIMEOUT_SECONDS)
        )
        url_name = request.resolver_match.url_name
        if url_name in NOT_CACHED:
            return None
        if url_name == SOURCE_DOWNLOAD:
            etag, last_modified = self._source_validators(view_kwargs["slug"])
        else:
            etag, last_modified = self._page_validators(request)
        request._cache_validators = (etag, last_modified)
        if etag is None:
            return None
        return get_conditional_response(
            request,
            etag=etag,
            last_modified=int(last_modified.timestamp()) if last_modified else None,
        )

    def process_exception(self, request: HttpRequest, exception: Exception):
        if is_public(request) and isinstance(exception, OperationalError) and timed_out(exception):
            return errors.too_slow(request)
        return None

    @staticmethod
    def _page_validators(request: HttpRequest) -> tuple[str, datetime.datetime | None]:
        identity = freshness.page_identity(request, request.build_absolute_uri())
        changed_at = freshness.current(request).changed_at
        return f'W/"{hashlib.sha256(identity.encode()).hexdigest()[:32]}"', changed_at

    @staticmethod
    def _source_validators(slug: str) -> tuple[str | None, None]:
        from inspections.models import Inspection

        sha256 = (
            Inspection.objects.filter(slug=slug)
            .values_list("source_document__sha256", flat=True)
            .first()
        )
        # The bytes are exactly those whose hash this is: a strong validator.
        return (f'"{sha256}"' if sha256 else None), None

    @staticmethod
    def _cacheable(request: HttpRequest) -> bool:
        if getattr(request, "resolver_match", None) is None:
            return not request.path.startswith(admin_prefix())  # no page here at all
        return is_public(request) and request.resolver_match.url_name not in NOT_CACHED

    @staticmethod
    def _add_caching_headers(request: HttpRequest, response: HttpResponse) -> None:
        status = response.status_code
        if status >= 500:
            response.headers.setdefault("Cache-Control", "no-store")
            return
        if "Cache-Control" in response.headers:
            return
        if status >= 400:
            response["Cache-Control"] = f"public, max-age={settings.ERROR_CACHE_SECONDS}"
            return
        if status not in (200, 304):
            return
        etag, last_modified = getattr(request, "_cache_validators", (None, None))
        if etag:
            response.headers.setdefault("ETag", etag)
        if last_modified:
            response.headers.setdefault("Last-Modified", http_date(last_modified.timestamp()))
        if has_vary_header(response, "Cookie"):
            response["Cache-Control"] = "private, max-age=0, must-revalidate"
        else:
            response["Cache-Control"] = (
                f"public, max-age={settings.PUBLIC_CACHE_SECONDS}, "
                f"stale-while-revalidate={settings.PUBLIC_CACHE_STALE_SECONDS}"
            )
