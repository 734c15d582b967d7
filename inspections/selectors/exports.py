"""The rows of the CSV and JSON downloads of /findings/ and /recommendations/, read fast.

Exactly the filtered rows, all pages, with a fixed number of queries whatever the number of
rows: the rows come through one cursor (`.iterator()`, a server-side cursor on PostgreSQL),
each carrying the ids of its themes, so memory stays flat. How they are written out:
`inspections.views.exports`.

Measured at 1M findings (scripts/benchmark_export.py), what used to cost the time, and what
replaced it:
- a model instance per row, plus its inspection and authority: rows are plain tuples of
  the columns a row shows (`values_list`);
- themes prefetched per chunk (an `IN (...)` query of 500 ids, ~20 ms each): each row
  carries its theme ids, aggregated by a subquery (an index lookup), and they are put in
  the pages' order (by theme name) in Python from one read of the themes;
- two reverse() calls per row: each URL is reversed once per download and completed per
  row by concatenation.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any

from django.db.models import Aggregate, CharField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast

from ..listing_kinds import FINDINGS, RECOMMENDATIONS, ListingKind
from ..models import Theme, record_url_parts
from .listings import Listing

CHUNK_SIZE = 500

# Where a row's list of theme slugs is: the same place in every listing's download.
THEMES = FINDINGS.export_fields.index("themes")


# --- Reading the rows -------------------------------------------------------------------


class _JoinedText(Aggregate):
    """Its expression's values as text, joined by ";" in no particular order; NULL for none.

    GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL.
    """

    function = "GROUP_CONCAT"
    output_field = CharField()

    def __init__(self, expression: str) -> None:
        super().__init__(Cast(expression, CharField()), Value(";"))

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra_context)


def _theme_ids(kind: ListingKind) -> Subquery:
    """The ids of a row's themes, e.g. "3;17;5", or NULL when it has none."""
    row = kind.theme_link_field
    return Subquery(
        kind.theme_link.objects.filter(**{row: OuterRef("pk")})
        .order_by()
        .values(row)
        .annotate(ids=_JoinedText("theme_id"))
        .values("ids")
    )


class _Themes:
    """Theme slugs by id, for putting a row's themes in the pages' order: by name."""

    def __init__(self, db: str) -> None:
        self.db = db
        self._load()

    def _load(self) -> None:
        ordered = Theme.objects.using(self.db).order_by("name").values_list("pk", "slug")
        # Keyed by the id as text, as the aggregate gives it, so rows need no int().
        self.ranked = {str(pk): (rank, slug) for rank, (pk, slug) in enumerate(ordered)}

    def slugs(self, ids: str | None) -> list[str]:
        """The slugs of the themes `ids` names ("3;17;5"), ordered by theme name."""
        if not ids:
            return []
        try:
            ranked = [self.ranked[i] for i in ids.split(";")]
        except KeyError:  # a theme added while the download runs; a gone one is left out
            self._load()
            ranked = [self.ranked[i] for i in ids.split(";") if i in self.ranked]
        ranked.sort()
        return [slug for _, slug in ranked]


class _Urls:
    """A listing's permalinks, completed per row from parts worked out once per download
    (what models.record_url does, without its lookup per row)."""

    def __init__(self, kind: ListingKind) -> None:
        self.record = record_url_parts(kind.detail_url_name, "public_id")
        self.inspection = record_url_parts("inspection-detail", "slug")

    def of_record(self, public_id: str) -> str:
        before, after = self.record
        return before + public_id + after

    def of_inspection(self, slug: str) -> str:
        before, after = self.inspection
        return before + slug + after


# A row's values in its listing's `export_fields` order: str, None, and the
# themes as a list of slugs; dates as ISO text.
Values = tuple[Any, ...]


def _finding_values(row: Sequence[Any], themes: _Themes, urls: _Urls) -> Values:
    (theme_ids, public_id, slug, authority, authority_name, framework, start, published,
     grade, text, section, paragraph, area, area_grade) = row  # fmt: skip
    return (
        public_id,
        urls.of_record(public_id),
        authority,
        authority_name,
        urls.of_inspection(slug),
        framework,
        start.isoformat(),  # never NULL
        published and published.isoformat(),
        section,
        paragraph or None,
        grade or None,
        area or None,
        area_grade,
        themes.slugs(theme_ids),
        text,
    )


def _recommendation_values(row: Sequence[Any], themes: _Themes, urls: _Urls) -> Values:
    # A recommendation is not printed under a section, with a paragraph number or a judgement
    # area, so those are null (the `area` filter reaches recommendations via their evidence).
    (theme_ids, public_id, slug, authority, authority_name, framework, start, published,
     grade, text, addressee, timescale) = row  # fmt: skip
    return (
        public_id,
        urls.of_record(public_id),
        authority,
        authority_name,
        urls.of_inspection(slug),
        framework,
        start.isoformat(),  # never NULL
        published and published.isoformat(),
        None,
        None,
        grade or None,
        None,
        None,
        themes.slugs(theme_ids),
        text,
        addressee,
        timescale or None,
    )


# What turns a row's `export_columns` into its `export_fields`' values, by listing.
VALUES = {FINDINGS.name: _finding_values, RECOMMENDATIONS.name: _recommendation_values}


def value_chunks(listing: Listing) -> Iterator[list[Values]]:
    """The listing's rows as tuples of values in its fields' order, CHUNK_SIZE at a time.

    Two queries in all, whatever the number of rows: the themes, then the rows through one
    cursor. The same filters and order as the listing's pages (`Listing.rows`).
    """
    to_values = VALUES[listing.kind.name]
    # The listing's prefetch is for model instances; these rows bring their theme ids.
    rows: QuerySet = (
        listing.rows.prefetch_related(None)
        .annotate(theme_ids=_theme_ids(listing.kind))
        .values_list(*listing.kind.export_columns)
    )
    themes, urls = _Themes(rows.db), _Urls(listing.kind)
    iterator = rows.iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(islice(iterator, CHUNK_SIZE)):
        yield [to_values(row, themes, urls) for row in chunk]
