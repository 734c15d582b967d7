"""The public site's HTTP policy: read-only, time-limited and cacheable pages.

A view is a public page because it says so: `public_page(view)` marks it (inspections/urls.py
marks every public route), and `PublicSiteMiddleware` applies the policy to marked views
only. Nothing is inferred from URL names or prefixes, so the admin, and any view added
later without the mark, get none of it.

For a marked view the middleware:
- answers 405 to any method but GET and HEAD (before CSRF can turn it into 403);
- answers 400 to a `format` the page does not offer (most offer none; the listings and
  /authorities/ offer csv and json), as to any other malformed parameter;
- limits each database statement to PUBLIC_STATEMENT_TIMEOUT_SECONDS
  (inspections/statement_timeout.py), and answers one that runs past it with a 503 that
  says to narrow the search;
- works out the page's validators before the view runs (for most pages one query, the
  data version: inspections.freshness) and answers a matching If-None-Match or
  If-Modified-Since with 304 without running the view;
- for a view marked `limited` (the listings), counts each client's filtered, searched or
  paged requests and answers 429 with Retry-After past PUBLIC_LISTING_RATE;
- after the view, sets Cache-Control by status: 200 and 304 get the validators and
  `public, max-age=PUBLIC_CACHE_SECONDS, stale-while-revalidate=...` (`private` if the
  response turned out to vary by cookie; public pages should not, and tests check it);
  4xx get a short `public, max-age=ERROR_CACHE_SECONDS` without validators; 5xx `no-store`.
  A Cache-Control the view set itself is kept.
A request that matches no page at all is answered 404 with the 4xx policy, outside the admin.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import reverse
from django.utils.cache import get_conditional_response, has_vary_header
from django.utils.http import http_date

from . import freshness
from .login_throttle import client_ip
from .statement_timeout import statement_timeout, timed_out
from .views import errors

SAFE_METHODS = ("GET", "HEAD")

# A page's HTTP validators: (ETag, Last-Modified), either of which may be None.
Validators = tuple[str | None, datetime.datetime | None]
ValidatorsFor = Callable[[HttpRequest, dict[str, Any]], Validators]


def data_validators(request: HttpRequest, view_kwargs: dict[str, Any]) -> Validators:
    """A page built from the public data: a weak ETag of its identity (release, data
    version, day, address: freshness.page_identity) and the data's last change."""
    identity = freshness.page_identity(request, request.build_absolute_uri())
    etag = f'W/"{hashlib.sha256(identity.encode()).hexdigest()[:32]}"'
    return etag, freshness.current(request).changed_at


@dataclass(frozen=True)
class PublicPage:
    """How the public-site policy applies to one view."""

    # False for pages that must always reach the server (the health check): no
    # validators, no Cache-Control from us.
    cacheable: bool = True
    validators: ValidatorsFor = data_validators
    # Its addresses combine without end (filters, searches, pages): a client may ask only
    # so many of them at a time (PUBLIC_LISTING_RATE).
    limited: bool = False
    formats: tuple[str, ...] = ()  # the `format` values the page offers besides its own


ATTRIBUTE = "public_page"
View = TypeVar("View", bound=Callable[..., HttpResponse])


def public_page(
    view: View | None = None,
    *,
    cacheable: bool = True,
    validators: ValidatorsFor = data_validators,
    limited: bool = False,
    formats: tuple[str, ...] = (),
) -> View | Callable[[View], View]:
    """Mark a view (a function, or a callable instance such as a Feed) as a public page.

    The view itself is returned, marked; `public_page(view)` or
    `public_page(cacheable=False)(view)`. `formats` are the `format` parameter's values the
    page answers (downloads); any other value is a 400."""
    policy = PublicPage(
        cacheable=cacheable, validators=validators, limited=limited, formats=formats
    )

    def mark(view: View) -> View:
        setattr(view, ATTRIBUTE, policy)
        return view

    return mark(view) if view is not None else mark


def page_policy(view_func: Callable[..., Any]) -> PublicPage | None:
    """The public-site policy a view is marked with, or None for any other view."""
    return getattr(view_func, ATTRIBUTE, None)


def listing_rate() -> tuple[int, int] | None:
    """PUBLIC_LISTING_RATE as (requests, seconds), or None when the limit is off."""
    setting = str(getattr(settings, "PUBLIC_LISTING_RATE", "") or "off").strip().lower()
    if setting in ("off", "0", "none"):
        return None
    requests, _, seconds = setting.partition("/")
    try:
        rate = int(requests), int(seconds or "60")
    except ValueError as error:
        raise ImproperlyConfigured(
            f"PUBLIC_LISTING_RATE must be 'requests/seconds' or 'off', not {setting!r}."
        ) from error
    if min(rate) < 1:
        raise ImproperlyConfigured("PUBLIC_LISTING_RATE's requests and seconds must be 1 or more.")
    return rate


def rate_limit_wait(request: HttpRequest) -> int:
    """Seconds the client must wait before its next limited request; 0 to let it through.

    A fixed window per client address, counted in the shared cache: a cache out of reach
    (explorer/cache.py answers misses) or any failure counts nothing, so the site stays up.
    """
    rate = listing_rate()
    if rate is None:
        return 0
    allowed, seconds = rate
    now = time.time()
    window = int(now // seconds)
    key = f"listing-rate:{client_ip(request)}:{window}"
    try:
        caches["default"].add(key, 0, seconds + 1)
        count = caches["default"].incr(key)
    except Exception:  # the cache is best effort here: never a 500 for it
        return 0
    if count <= allowed:
        return 0
    return max(1, math.ceil((window + 1) * seconds - now))


@cache
def admin_prefix() -> str:
    """Where the admin's addresses start (read once; the URLconf does not change)."""
    return reverse("admin:index")


def _request_policy(request: HttpRequest) -> PublicPage | None:
    return getattr(request, "_public_page", None)


def unknown_format(policy: PublicPage) -> HttpResponse:
    """400: a `format` the page does not offer, or more than one."""
    offered = " or ".join(policy.formats)
    message = f"format must be {offered}, once." if offered else "This page has no other format."
    return HttpResponse(message + "\n", status=400, content_type="text/plain; charset=utf-8")


class PublicSiteMiddleware:
    """Applies a marked view's PublicPage policy (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        listing_rate()  # a mistyped setting stops the server starting, not a page

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with ExitStack() as request._public_limits:
            response = self.get_response(request)
        if request.method in SAFE_METHODS and self._cacheable(request):
            self._add_caching_headers(request, response)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        policy = page_policy(view_func)
        if policy is None:
            return None
        request._public_page = policy
        if request.method not in SAFE_METHODS:
            return HttpResponseNotAllowed(SAFE_METHODS)
        formats = request.GET.getlist("format")
        if formats and (len(formats) > 1 or formats[0] not in policy.formats):
            return unknown_format(policy)
        if policy.limited and request.GET:
            wait = rate_limit_wait(request)
            if wait:
                return errors.too_many(request, wait)
        # The view, its template and its validators' query each get this long per statement
        # (a download's rows, streamed after, are not limited: a slow reader is no query).
        request._public_limits.enter_context(
            statement_timeout(settings.PUBLIC_STATEMENT_TIMEOUT_SECONDS)
        )
        if not policy.cacheable:
            return None
        etag, last_modified = policy.validators(request, view_kwargs)
        request._cache_validators = (etag, last_modified)
        if etag is None:
            return None
        return get_conditional_response(
            request,
            etag=etag,
            last_modified=int(last_modified.timestamp()) if last_modified else None,
        )

    def process_exception(self, request: HttpRequest, exception: Exception):
        if (
            _request_policy(request) is not None
            and isinstance(exception, OperationalError)
            and timed_out(exception)
        ):
            return errors.too_slow(request)
        return None

    @staticmethod
    def _cacheable(request: HttpRequest) -> bool:
        if getattr(request, "resolver_match", None) is None:
            return not request.path.startswith(admin_prefix())  # no page here at all
        policy = _request_policy(request)
        return policy is not None and policy.cacheable

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
