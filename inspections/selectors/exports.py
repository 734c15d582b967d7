"""The rows of the CSV and JSON downloads of the listings (findings, recommendations,
inspections and their judgements), read fast.

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

from django.db.models import (
    Aggregate,
    Case,
    CharField,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat

from ..listing_kinds import FINDINGS, INSPECTIONS, RECOMMENDATIONS, ListingKind
from ..models import Judgement, Theme, record_url_parts
from ..vocabulary import AREAS
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
    (what models.record_url does, without its lookup per row). With `origin`
    ("https://example.org") they are whole URLs; without, absolute paths."""

    def __init__(self, kind: ListingKind, origin: str = "") -> None:
        key = "slug" if kind.detail_url_name == "inspection-detail" else "public_id"
        before, after = record_url_parts(kind.detail_url_name, key)
        self.record = (origin + before, after)
        before, after = record_url_parts("inspection-detail", "slug")
        self.inspection = (origin + before, after)

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


# An inspection's judgements in one column, "area:grade;area:grade", split per row in Python.
_AREA_GRADES = tuple(AREAS)


def _judgement_grades() -> Subquery:
    return Subquery(
        Judgement.objects.filter(inspection=OuterRef("pk"))
        .order_by()
        .values("inspection")
        .annotate(grades=_JoinedText(Concat(F("area"), Value(":"), F("grade"))))
        .values("grades")
    )


def _inspection_values(row: Sequence[Any], themes: _Themes | None, urls: _Urls) -> Values:
    (grades, slug, authority, authority_name, region, framework, title, start, end, published,
     lead_inspector) = row  # fmt: skip
    by_area = dict(pair.split(":", 1) for pair in grades.split(";")) if grades else {}
    return (
        slug,
        urls.of_record(slug),
        authority,
        authority_name,
        region,
        framework,
        title or None,
        start.isoformat(),
        end.isoformat(),
        published and published.isoformat(),
        lead_inspector or None,
        *(by_area.get(area) for area in _AREA_GRADES),
    )


# What turns a row's `export_columns` into its `export_fields`' values, by listing.
VALUES = {
    FINDINGS.name: _finding_values,
    RECOMMENDATIONS.name: _recommendation_values,
    INSPECTIONS.name: _inspection_values,
}


def value_chunks(listing: Listing, *, origin: str = "") -> Iterator[list[Values]]:
    """The listing's rows as tuples of values in its fields' order, CHUNK_SIZE at a time.

    Two queries in all, whatever the number of rows: the themes (for listings with themes),
    then the rows through one cursor. The same filters and order as the listing's pages
    (`Listing.rows`). URLs begin with `origin` (none: absolute paths).
    """
    kind = listing.kind
    to_values = VALUES[kind.name]
    # The listing's prefetch is for model instances; these rows bring their theme ids
    # (or an inspection's judgements) as one column.
    rows: QuerySet = listing.rows.prefetch_related(None)
    if kind.theme_link is not None:
        rows = rows.annotate(theme_ids=_theme_ids(kind))
    else:
        rows = rows.annotate(judgement_grades=_judgement_grades())
    rows = rows.values_list(*kind.export_columns)
    themes = _Themes(rows.db) if kind.theme_link is not None else None
    urls = _Urls(kind, origin)
    iterator = rows.iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(islice(iterator, CHUNK_SIZE)):
        yield [to_values(row, themes, urls) for row in chunk]


def _area_rank() -> Case:
    # DOMAIN.md's order of areas (overall first), as the inspection page shows them.
    return Case(
        *[When(area=area, then=Value(rank)) for rank, area in enumerate(AREAS)],
        output_field=IntegerField(),
    )


def judgement_chunks(listing: Listing, *, origin: str = "") -> Iterator[list[Values]]:
    """The judgements of an inspections listing's rows (JUDGEMENT_EXPORT_FIELDS), in the
    listing's order and each inspection's in DOMAIN.md's order of areas, CHUNK_SIZE at a
    time through one cursor (one query).

    Where `area` or `area_grade` is chosen, only the judgements they choose: the rows are
    the judgements asked about, not every judgement of the inspections that have one.
    """
    filterset = listing.filterset
    chosen = filterset.active()
    condition = filterset.judgement_condition(
        areas=chosen.get("area", []), grades=chosen.get("area_grade", [])
    )
    rows = (
        Judgement.objects.filter(condition, inspection__in=listing.filtered.values("pk"))
        .order_by(
            Coalesce("inspection__published_date", "inspection__end_date").desc(),
            "inspection__authority__name",
            "inspection_id",
            _area_rank(),
        )
        .values_list(
            "inspection__authority__slug",
            "inspection__authority__name",
            "inspection__authority__region__slug",
            "inspection__slug",
            "inspection__framework",
            "inspection__start_date",
            "inspection__end_date",
            "inspection__published_date",
            "area",
            "grade",
            "words",
        )
    )
    urls = _Urls(listing.kind, origin)
    iterator = rows.iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(islice(iterator, CHUNK_SIZE)):
        yield [_judgement_values(row, urls) for row in chunk]


def _judgement_values(row: Sequence[Any], urls: _Urls) -> Values:
    (authority, authority_name, region, slug, framework, start, end, published, area, grade,
     words) = row  # fmt: skip
    return (
        authority,
        authority_name,
        region,
        slug,
        urls.of_inspection(slug),
        framework,
        start.isoformat(),
        end.isoformat(),
        published and published.isoformat(),
        area,
        grade,
        words,
    )
