"""What more than one page family reads: theme prefetches, GROUP BY counts, dates."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from ..listing_kinds import publication_date
from ..models import Theme

__all__ = ["grouped", "publication_date", "themes_prefetch"]


def themes_prefetch() -> Prefetch:
    """A record's themes as the pages show them: slug and name, by name."""
    return Prefetch("themes", queryset=Theme.objects.only("slug", "name").order_by("name"))


def grouped(queryset: QuerySet, *fields: str) -> list[dict[str, Any]]:
    """`fields`' distinct values with how many rows have each (`count`): one GROUP BY."""
    # order_by() clears the model's default ordering, which would otherwise join the GROUP BY.
    return list(queryset.order_by().values(*fields).annotate(count=Count("pk")))
