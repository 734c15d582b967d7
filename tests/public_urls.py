"""The public site's URL patterns, found from the resolver: what the read-only and the
no-500 tests go through, so a new page is covered without being listed."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from inspections import urls as public_urls


def all_patterns(patterns) -> list[URLPattern]:
    """Every pattern of a URLconf's list, nested ones included."""
    found: list[URLPattern] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += all_patterns(pattern.url_patterns)
        else:
            found.append(pattern)
    return found


def public_patterns() -> list[URLPattern]:
    """Every pattern of inspections.urls, nested ones included."""
    return all_patterns(public_urls.urlpatterns)
