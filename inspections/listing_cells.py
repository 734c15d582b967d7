"""Listing cells: each inspection's published findings and recommendations counted once per
data version, by row dimension and by theme.

Every facet of /findings/ and /recommendations/ but the theme is a property of a row's
inspection (grade, year, framework, region, authority) or of a small set of row values (a
finding's area and so its area grade; a recommendation's addressee and timescale). So a
listing's total, its facet counts and its page index are sums over cells (inspection,
dimensions, theme) -> rows: about 5,000 cells and 120,000 theme cells for 1,000,000
findings, instead of nine GROUP BYs over a million rows on every distinct filter a crawler
follows (12 s for /findings/?page=200 on a cold cache).

The cells are rebuilt whole after every change of the public data (`freshness` calls
`rebuild` once the change is committed) and record the data version they were counted at;
they are read only while that is still the current version, and a listing falls back to
counting its rows meanwhile, so they are never stale. A search or a filter that is not a
cell's (several themes at once; a recommendation's area, reached through its evidence)
counts the matching rows per cell in one GROUP BY instead (`selectors.listings`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connections, transaction
from django.db.models import Count, QuerySet

from .listing_kinds import FINDINGS, RECOMMENDATIONS, ListingKind
from .models import DataVersion, ListingCell

logger = logging.getLogger(__name__)

KINDS = (FINDINGS, RECOMMENDATIONS)
# Every listing's row columns a cell may have; a listing's others are left blank.
DIMENSIONS = ("area", "addressee", "timescale", "follow_through_status")


def cell_rows(kind: ListingKind, rows: QuerySet) -> Iterable[tuple]:
    """(inspection id, *dimensions, rows) for `rows`, a queryset of the listing's model."""
    return (
        rows.order_by()
        .values_list("inspection_id", *kind.cell_columns)
        .annotate(rows=Count("pk"))
        .values_list("inspection_id", *kind.cell_columns, "rows")
    )


def theme_cell_rows(kind: ListingKind, rows: QuerySet) -> Iterable[tuple]:
    """(inspection id, *dimensions, theme id, rows) for the theme links of `rows`."""
    # Through the rows' own join to their links (not a subquery of their ids, which joined
    # the rows to themselves), counting the theme: PostgreSQL reads the links' (row, theme)
    # index alone.
    return (
        rows.order_by()
        .filter(themes__isnull=False)
        .values_list("inspection_id", *kind.cell_columns, "themes")
        .annotate(rows=Count("themes"))
        .values_list("inspection_id", *kind.cell_columns, "themes", "rows")
    )


def counted_cells(kind: ListingKind, rows: QuerySet) -> tuple[list[tuple], list[tuple]]:
    """`cell_rows` and `theme_cell_rows` of `rows` in one statement.

    The rows are found once and both counts read them: a search's matches are read from the
    table once instead of twice ("strategy meetings" matches 25,000 of 1M findings; each
    pass visited 22,000 pages of the table).
    """
    columns = ("inspection_id", *kind.cell_columns)
    try:
        matches, params = rows.order_by().values_list("pk", *columns).query.sql_with_params()
    except EmptyResultSet:  # nothing can match (a search of only punctuation)
        return [], []
    connection = connections[rows.db]
    name = connection.ops.quote_name
    link = kind.theme_link._meta
    dimensions = ", ".join(f"m.{name(column)}" for column in columns)
    groups = ", ".join(str(place) for place in range(2, len(columns) + 2))
    sql = (
        f"WITH m ({name('pk')}, {', '.join(name(c) for c in columns)}) AS MATERIALIZED "
        f"({matches}) "
        f"SELECT NULL, {dimensions}, COUNT(*) FROM m GROUP BY {groups} "
        "UNION ALL "
        f"SELECT l.{name(link.get_field('theme').column)}, {dimensions}, COUNT(*) "
        f"FROM m JOIN {name(link.db_table)} l "
        f"ON l.{name(link.get_field(kind.theme_link_field).column)} = m.{name('pk')} "
        f"GROUP BY 1, {groups}"
    )
    cells: list[tuple] = []
    theme_cells: list[tuple] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for theme, *cell in cursor.fetchall():
            if theme is None:
                cells.append(tuple(cell))
            else:
                theme_cells.append((*cell[:-1], theme, cell[-1]))
    return cells, theme_cells


def rebuild(using: str = "default") -> int:
    """Count every listing's cells afresh for the current data version; the cells written.

    A failure leaves the cells marked as of an older version, which no listing reads.
    """
    try:
        with transaction.atomic(using=using):
            # The row lock orders rebuilds after concurrent changes; the version read under
            # it is the one these counts are of.
            state = (
                DataVersion.objects.using(using)
                .select_for_update()
                .filter(pk=DataVersion.SINGLETON_ID)
                .values_list("version", flat=True)
            )
            versions = list(state)
            if not versions:
                return 0
            ListingCell.objects.using(using).all().delete()
            written = 0
            for kind in KINDS:
                published = kind.model.objects.using(using).published()
                written += _insert(kind, cell_rows(kind, published), using)
                written += _insert(kind, theme_cell_rows(kind, published), using, themes=True)
            connection = connections[using]
            if connection.vendor == "postgresql":
                # Fresh statistics for the planner: with those of the table before the
                # rebuild it expected 1,200 theme cells, not 120,000, and chose worse plans.
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"ANALYZE {connection.ops.quote_name(ListingCell._meta.db_table)}"
                    )
            DataVersion.objects.using(using).filter(pk=DataVersion.SINGLETON_ID).update(
                cells_version=versions[0]
            )
            return written
    except DatabaseError:
        # The listings count their rows until the next change rebuilds the cells.
        logger.exception("Could not rebuild the listing cells on %s", using)
        connections[using].close_if_unusable_or_obsolete()
        return 0


def _insert(kind: ListingKind, counts: QuerySet, using: str, *, themes: bool = False) -> int:
    # INSERT ... SELECT: the counts never pass through Python (173,000 cells at 1M findings
    # took 17 s through bulk_create).
    connection = connections[using]
    quote = connection.ops.quote_name
    sql, params = counts.query.sql_with_params()
    values = {
        "listing": "%s",
        "inspection_id": "s.inspection_id",
        **{
            column: f"s.{quote(column)}" if column in kind.cell_columns else "''"
            for column in DIMENSIONS
        },
        "theme_id": "s.themes" if themes else "NULL",
        "rows": f"s.{quote('rows')}",
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(ListingCell._meta.db_table)} "
            f"({', '.join(quote(column) for column in values)}) "
            f"SELECT {', '.join(values.values())} FROM ({sql}) s",
            [kind.name, *params],
        )
        return cursor.rowcount
