"""The page for an unexpected error; a 503 when the database is out of reach, or when a
public page's query ran past its time limit (inspections/statement_timeout.py).

Django calls `server_error` inside the `except` block of the exception it could not handle,
so `sys.exc_info()` says what went wrong. Neither page may touch the database: it is
rendered without the request, so no context processor (the data version) runs.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

# Long enough for PostgreSQL to restart or fail over; short enough that nobody waits long.
RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 with Retry-After when the cause is a database that cannot be reached."""
    _, error, _ = sys.exc_info()
    if isinstance(error, (OperationalError, InterfaceError)):
        body = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(loader.get_template("500.html").render({}), status=500)


# A search that ran out of time will run out again unless it changes; a minute's wait lets
# the database's cache and ours warm, which is sometimes enough.
TOO_SLOW_RETRY_AFTER_SECONDS = 60


def too_slow(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: the page's query took longer than the public site allows.

    Rendered without the request (no context processor runs a query after the one that
    was stopped), like the other error pages."""
    body = loader.get_template("503_too_slow.html").render(
        {
            "retry_after": TOO_SLOW_RETRY_AFTER_SECONDS,
            "searched": request.GET.get("q", "")[:200],
            "path": request.path,
        }
    )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(TOO_SLOW_RETRY_AFTER_SECONDS)
    return response


def too_many(request: HttpRequest, wait: int) -> HttpResponse:
    """429 with Retry-After: this client asked the listings more often than the site allows.

    Never cached by anyone (a shared cache must not give one client's 429 to another), and
    rendered without the request, so it costs no query."""
    download = request.GET.copy()
    download.pop("page", None)
    download["format"] = "csv"
    body = loader.get_template("429.html").render(
        {"retry_after": wait, "path": request.path, "download": download.urlencode()}
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store"
    return response
