"""The project's HTTP middleware (their order, and the app's, is set in settings).

- ContentSecurityPolicyMiddleware: a Content-Security-Policy header on every response.
  Django 5.2 has none built in; our policy is one fixed header (no nonces, because no
  template has inline script or style), which needs no library. The setting uses Django
  6.0's name and shape (SECURE_CSP), so moving to its middleware changes no policy.
- ReplicaReadsMiddleware: the public site's GET and HEAD requests read from the replica
  (explorer.routers), including while a download streams.

The public site's own policy (read-only, time-limited, cacheable pages) is the app's:
inspections.public_site, applied to the views it marks. Admin log-in throttling is
inspections.login_throttle's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from inspections.public_site import SAFE_METHODS, admin_prefix

from .routers import replica_reads

GetResponse = Callable[[HttpRequest], HttpResponse]


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
