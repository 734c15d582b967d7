"""The search benchmark's corpus (scripts/benchmark_search.py): the real reports imported,
then every inspection copied, moved to another authority and a few days later, with its
judgements, findings, recommendations and theme links, by INSERT ... SELECT, until there
are about as many findings as asked for. PostgreSQL only. (Recommendations' evidence links
are not copied.)

Quicker than the synthetic corpus (benchmarks/synthetic.py) and made only of whole real
paragraphs, so that a word's share of paragraphs stays the real corpus's.
"""

from __future__ import annotations

import contextlib
import math
import os
import time


def build(corpus: str, target: int) -> None:
    """Migrate, import the corpus (a folder of reports) into an empty database, then copy
    it until there are about `target` findings; skipped where copies were made before."""
    from django.core.management import call_command
    from django.db import connection

    from inspections.models import Finding

    call_command("migrate", verbosity=0)
    if Finding.objects.count() == 0:
        started = time.perf_counter()
        # Some corpus files are rejected on purpose, so the command exits 1.
        with open(os.devnull, "w") as devnull, contextlib.suppress(SystemExit):
            call_command("import_reports", corpus, format="json", stdout=devnull)
        print(f"imported the corpus in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inspections_inspection WHERE slug LIKE '%-copy-%'")
        if cursor.fetchone()[0]:
            print(f"already grown: {Finding.objects.count():,} findings")
            return
        cursor.execute("SELECT count(*) FROM inspections_finding")
        originals = cursor.fetchone()[0]
    copies = max(0, math.ceil(target / originals) - 1)
    started = time.perf_counter()
    grow(copies)
    print(
        f"grew {originals:,} findings x{copies + 1} to {Finding.objects.count():,} "
        f"in {time.perf_counter() - started:.0f} s"
    )


# Copied inspections: under another authority (seven places on in id order, per copy), k
# days later, with "-copy-k" slugs; copied paragraphs get new permalinks (`_NEW_ID`).
_NEW_ID = "left(md5({alias}.public_id || '~' || m.k), 16)"
PREPARE = """
SET CONSTRAINTS ALL IMMEDIATE;
DROP INDEX inspections_finding_search;
DROP INDEX inspections_recommendation_search;
CREATE TEMP TABLE copies ON COMMIT DROP AS SELECT generate_series(1, {copies}) AS k;
CREATE TEMP TABLE place ON COMMIT DROP AS
    SELECT id, row_number() OVER (ORDER BY id) - 1 AS n, count(*) OVER () AS total
    FROM inspections_authority
"""
MOVED = """
CREATE TEMP TABLE moved ON COMMIT DROP AS
    SELECT o.id AS old, n.id AS new, c.k
    FROM inspections_inspection o CROSS JOIN copies c
    JOIN inspections_inspection n ON n.slug = o.slug || '-copy-' || c.k
    WHERE o.slug NOT LIKE '%-copy-%'
"""


def _copy(model, alias: str, changed: dict[str, str], source: str) -> str:
    """INSERT ... SELECT of every column of the model but its id: as it was (`alias.column`)
    unless `changed` gives the expression. Columns come from the model, so a new field is
    copied without this file changing."""
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    values = [changed.get(column, f"{alias}.{column}") for column in columns]
    return (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)})\n"
        f"SELECT {', '.join(values)}\n{source}"
    )


def _grow_statements(copies: int) -> list[str]:
    from inspections.models import (
        Finding,
        FindingTheme,
        Inspection,
        Judgement,
        Recommendation,
        RecommendationTheme,
    )

    inspection = _copy(
        Inspection,
        "i",
        {
            "slug": "i.slug || '-copy-' || c.k",
            "start_date": "i.start_date + c.k",
            "end_date": "i.end_date + c.k",
            "published_date": "i.published_date + c.k",
            "authority_id": "p2.id",
        },
        "FROM inspections_inspection i JOIN place p ON p.id = i.authority_id CROSS JOIN copies c "
        "JOIN place p2 ON p2.n = (p.n + c.k * 7) % p.total ON CONFLICT DO NOTHING",
    )
    judgement = _copy(
        Judgement,
        "j",
        {"inspection_id": "m.new"},
        "FROM inspections_judgement j JOIN moved m ON m.old = j.inspection_id",
    )
    paragraphs = []  # each kind, then its theme links
    for model, theme_model, alias, table in (
        (Finding, FindingTheme, "f", "inspections_finding"),
        (Recommendation, RecommendationTheme, "r", "inspections_recommendation"),
    ):
        new_id = _NEW_ID.format(alias=alias)
        link = f"{model._meta.model_name}_id"
        paragraphs.append(
            _copy(
                model,
                alias,
                {"public_id": new_id, "inspection_id": "m.new"},
                f"FROM moved m JOIN {table} {alias} ON {alias}.inspection_id = m.old "
                f"ORDER BY m.k, {alias}.id",
            )
        )
        paragraphs.append(
            _copy(
                theme_model,
                "t",
                {link: "n.id"},
                f"FROM {theme_model._meta.db_table} t "
                f"JOIN {table} {alias} ON {alias}.id = t.{link} "
                f"JOIN moved m ON m.old = {alias}.inspection_id "
                f"JOIN {table} n ON n.public_id = {new_id}",
            )
        )
    return [
        *PREPARE.format(copies=copies).strip().split(";\n"),
        inspection,
        MOVED,
        judgement,
        *paragraphs,
    ]


INDEX = """
SET maintenance_work_mem = '512MB';
CREATE INDEX inspections_finding_search ON inspections_finding USING gin (search_vector);
CREATE INDEX inspections_recommendation_search ON inspections_recommendation
    USING gin (search_vector);
RESET maintenance_work_mem;
"""


def grow(copies: int) -> None:
    """Add `copies` copies of every inspection with everything that hangs off it, then
    rebuild the search indexes dropped meanwhile, and VACUUM ANALYZE."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for statement in _grow_statements(copies):
            cursor.execute(statement)  # no parameters: % is the operator
    with connection.cursor() as cursor:
        for statement in INDEX.split(";\n"):
            if statement.strip():
                cursor.execute(statement)
        cursor.execute("VACUUM ANALYZE")
