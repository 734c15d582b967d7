"""Template context every page gets."""

from __future__ import annotations

from django.http import HttpRequest

from . import freshness as data_freshness


def freshness(request: HttpRequest) -> dict[str, object]:
    """`data_updated_at` and `data_imported_at` (datetimes, or None before any change), and
    `data_published_to`: the newest report's publication date, which the footer's "data
    last updated" shows (the import time would make old reports look new).

    Shares the request's one lookup with the HTTP caching middleware.
    """
    state = data_freshness.current(request)
    return {
        "data_updated_at": state.changed_at,
        "data_imported_at": state.imported_at,
        "data_published_to": state.newest_published_date,
    }
