"""The public site's URL patterns, found from the resolver: what the read-only and the
no-500 tests go through, so a new page is covered without being listed."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from inspections import urls as public_urls


def public_patterns() -> list[URLPattern]:
    """Every pattern of inspections.urls, nested ones included."""

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            else:
                yield pattern

    return list(walk(public_urls.urlpatterns))
