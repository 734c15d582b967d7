"""The site's HTTP policies, each in one middleware (their order is set in settings).

- ContentSecurityPolicyMiddleware: a Content-Security-Policy header on every response.
  Django 5.2 has none built in; our policy is one fixed header (no nonces, because no
  template has inline script or style), which needs no library. The setting uses Django
  6.0's name and shape (SECURE_CSP), so moving to its middleware changes no policy.
- ReplicaReadsMiddleware: the public site's GET and HEAD requests read from the replica
  (explorer.routers), including while a download streams.
- PublicSiteMiddleware: the public site is read-only (405 to anything but GET and HEAD,
  before CSRF can turn it into 403) and cacheable: ETag and Last-Modified from the data
  version (inspections.freshness), 304 before the view runs, Cache-Control by status.
- AdminLoginThrottleMiddleware: after LOGIN_FAILURE_LIMIT failed logins for one username
  from one address within LOGIN_LOCKOUT_SECONDS, that pair is locked out for as long.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path

import django
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache as shared_cache
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, has_vary_header
from django.utils.http import http_date

from inspections import freshness

from .routers import replica_reads

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
# The first hex digits of the source's SHA-256 in `?v=` make a download URL
# content-addressed, so it may be cached for good.
SOURCE_VERSION_LENGTH = 16


def source_version(sha256: str) -> str:
    """The `v` query value that makes a source download's URL content-addressed."""
    return sha256[:SOURCE_VERSION_LENGTH]


@cache
def release_id() -> str:
    """What identifies the deployed code in ETags, so a deploy never yields a stale 304.

    RELEASE_ID if set (a commit hash, say); otherwise a digest of the templates, the
    Python code and the static files' manifest, the same on every server of one release.
    """
    if settings.RELEASE_ID:
        return settings.RELEASE_ID
    digest = hashlib.sha256(django.get_version().encode())
    base = Path(settings.BASE_DIR)
    files = [
        path
        for folder in ("templates", "inspections", "explorer")
        for path in (base / folder).rglob("*")
        if path.suffix in {".py", ".html", ".txt", ".xml"} and path.is_file()
    ]
    files.append(Path(settings.STATIC_ROOT) / "staticfiles.json")
    for path in sorted(files):
        if path.is_file():
            # Names relative to the checkout, which may live in a different place per server.
            digest.update(path.as_posix().removeprefix(base.as_posix()).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


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
        response = self.get_response(request)
        if request.method in SAFE_METHODS and self._cacheable(request):
            self._add_caching_headers(request, response)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not is_public(request):
            return None
        if request.method not in SAFE_METHODS:
            return HttpResponseNotAllowed(SAFE_METHODS)
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

    @staticmethod
    def _page_validators(request: HttpRequest) -> tuple[str, datetime.datetime | None]:
        state = freshness.current(request)
        # A page depends on the data, the code, its full address (citations print absolute
        # URLs) and, through "accessed on" dates in citations, on the day.
        identity = "|".join(
            [
                release_id(),
                str(state.version),
                state.changed_at.isoformat() if state.changed_at else "",
                timezone.localdate().isoformat(),
                request.build_absolute_uri(),
            ]
        )
        return f'W/"{hashlib.sha256(identity.encode()).hexdigest()[:32]}"', state.changed_at

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
        elif (
            request.resolver_match.url_name == SOURCE_DOWNLOAD
            and etag
            and request.GET.get("v") == source_version(etag.strip('"'))
        ):
            response["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            response["Cache-Control"] = (
                f"public, max-age={settings.PUBLIC_CACHE_SECONDS}, "
                f"stale-while-revalidate={settings.PUBLIC_CACHE_STALE_SECONDS}"
            )


# --- Admin login throttling ---------------------------------------------------------------

LOCKED_OUT = (
    "Too many failed log-in attempts for this username from your network. "
    "For your security, logging in as this user from here is paused until %(until)s "
    "(%(minutes)s minutes). If you have forgotten your password, ask an administrator "
    "to reset it."
)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or as the trusted proxies in front report it.

    With TRUSTED_PROXY_COUNT proxies in front, the address is the one the outermost of
    them saw, counted from the right of X-Forwarded-For (the left part is the client's
    to write, so it is never trusted).
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _throttle_keys(username: str, request: HttpRequest) -> tuple[str, str]:
    pair = f"{username.strip().casefold()}|{client_ip(request)}"
    digest = hashlib.sha256(pair.encode()).hexdigest()
    return f"login-failures:{digest}", f"login-locked:{digest}"


@receiver(user_login_failed, dispatch_uid="explorer.login_throttle.failed")
def _count_failure(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    if request is None:
        return
    failures, locked = _throttle_keys(str(credentials.get("username", "")), request)
    window = settings.LOGIN_LOCKOUT_SECONDS
    shared_cache.add(failures, 0, timeout=window)  # the window starts at the first failure
    try:
        count = shared_cache.incr(failures)
    except ValueError:  # expired between add and incr
        shared_cache.set(failures, count := 1, timeout=window)
    if count >= settings.LOGIN_FAILURE_LIMIT:
        shared_cache.set(locked, time.time() + window, timeout=window)
        shared_cache.delete(failures)


@receiver(user_logged_in, dispatch_uid="explorer.login_throttle.succeeded")
def _forget_failures(sender, request: HttpRequest | None = None, user=None, **kwargs):
    if request is not None and user is not None:
        shared_cache.delete(_throttle_keys(user.get_username(), request)[0])


class _LockedOutForm(AdminAuthenticationForm):
    """The admin's login form, refusing before any password is checked."""

    def __init__(self, *args, until: float, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.until = until

    def clean(self):
        local = timezone.localtime(datetime.datetime.fromtimestamp(self.until, datetime.UTC))
        minutes = max(1, round((self.until - time.time()) / 60))
        raise ValidationError(
            LOCKED_OUT, code="locked_out", params={"until": f"{local:%H:%M}", "minutes": minutes}
        )


class AdminLoginThrottleMiddleware:
    """Refuses admin log-ins for a locked-out username and address, with 429.

    Failures are counted from Django's user_login_failed signal; a success clears them.
    The counts live in the cache (CACHE_URL): shared by every server with Redis, per
    process with the default local-memory cache.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == reverse("admin:login"):
            username = request.POST.get("username", "")
            until = shared_cache.get(_throttle_keys(username, request)[1])
            if until is not None:
                return self._locked_out(request, username, until)
        return self.get_response(request)

    @staticmethod
    def _locked_out(request: HttpRequest, username: str, until: float) -> HttpResponse:
        form = _LockedOutForm(
            request, data={"username": username[:150], "password": "-"}, until=until
        )
        form.is_valid()  # fills in the refusal
        context = {
            **admin.site.each_context(request),
            "title": "Log in",
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
            "form": form,
            REDIRECT_FIELD_NAME: request.POST.get(REDIRECT_FIELD_NAME, ""),
        }
        response = TemplateResponse(request, "admin/login.html", context, status=429).render()
        response["Retry-After"] = str(max(1, int(until - time.time())))
        return response
