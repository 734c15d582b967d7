#!/usr/bin/env python
"""Time the CSV and JSON downloads of /findings/ and /recommendations/ (views/exports.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/explorer_web_bench \\
        .venv/bin/python scripts/benchmark_export.py [--kind finding|recommendation] \\
        [--format csv|json] [--rows 100000] [--filters "authority=a&authority=b"] \\
        [--repeat 3] [--digest]

Reads only: the session is put in read-only mode before anything runs, so it is safe to
point at a shared benchmark database (scripts/benchmark_search.py builds one).

Builds the listing the view builds (`selectors.finding_list` / `recommendation_list`) from
`--filters`, or, without them, from the first authorities by name that together hold at
least `--rows` published rows (one GROUP BY to choose them). Then consumes
`export_response(listing, fmt).streaming_content` to the end, `--repeat` times, in-process
(no HTTP server, so no load on the machine beyond one core), and prints for each run the
rows, bytes, seconds, rows per second, time to the first rows and the number of SQL
statements; then the process's peak RSS before the first export and after the last one
(`resource.getrusage`): flat memory means the two stay close however many rows stream.
`--digest` also prints the SHA-256 of the body, to compare two versions of the code
byte for byte (hashing adds a little time, so leave it off for the figures).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.processes import peak_rss_mib  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--kind", choices=["finding", "recommendation"], default="finding")
    parser.add_argument("--format", choices=["csv", "json"], default="csv")
    parser.add_argument("--rows", type=int, default=100_000, help="about how many rows")
    parser.add_argument("--filters", default="", help="a query string, instead of --rows")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--digest", action="store_true", help="print the body's SHA-256")
    args = parser.parse_args()

    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "explorer.settings")
    import django

    django.setup()

    from django.db import connection
    from django.http import QueryDict

    from inspections import selectors
    from inspections.views.exports import export_response

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # a benchmark must never write
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

    filters = args.filters or choose_authorities(args.kind, args.rows)
    build = selectors.finding_list if args.kind == "finding" else selectors.recommendation_list
    print(f"{connection.vendor}, {args.kind}s as {args.format}: ?{filters[:100]}...")
    # A row is one line unless its text holds newlines, so rows are counted, not lines.
    rows = build(filters=QueryDict(filters)).rows.count()
    before = peak_rss_mib()
    speeds = []
    for run in range(1, args.repeat + 1):
        listing = build(filters=QueryDict(filters))
        assert listing.is_valid, listing.filterset.errors
        statements = []
        digest = hashlib.sha256()
        size = 0
        first = None  # when the first rows (not the header) were ready
        started = time.perf_counter()
        with connection.execute_wrapper(partial(count, statements)):
            for number, chunk in enumerate(export_response(listing, args.format).streaming_content):
                if number == 1:
                    first = time.perf_counter() - started
                size += len(chunk)
                if args.digest:
                    digest.update(chunk)
        seconds = time.perf_counter() - started
        speeds.append(rows / seconds)
        print(
            f"run {run}: {rows} rows, {size / 1e6:.1f} MB, {seconds:.2f} s, "
            f"{rows / seconds:,.0f} rows/s, first rows after {(first or 0) * 1000:.0f} ms, "
            f"{len(statements)} SQL statements"
            + (f", sha256 {digest.hexdigest()}" if args.digest else "")
        )
    print(f"median {statistics.median(speeds):,.0f} rows/s")
    print(f"peak RSS: {before:.0f} MiB before the first export, {peak_rss_mib():.0f} MiB after")


def count(statements: list[str], execute, sql, *rest):
    """An execute wrapper that notes each statement (DEBUG's query log may be off)."""
    statements.append(sql)
    return execute(sql, *rest)


def choose_authorities(kind: str, rows: int) -> str:
    """A query string naming the first authorities by name holding `rows` rows together.

    Empty (the whole listing) when that would take more authorities than a filter accepts.
    """
    from django.db.models import Count

    from inspections.filters import MAX_VALUES
    from inspections.models import Finding, Recommendation

    base = (Finding if kind == "finding" else Recommendation).objects.published()
    counts = (
        base.order_by()
        .values("inspection__authority__slug", "inspection__authority__name")
        .annotate(n=Count("pk"))
        .order_by("inspection__authority__name")
    )
    chosen, total = [], 0
    for row in counts:
        if total >= rows:
            break
        chosen.append(row["inspection__authority__slug"])
        total += row["n"]
    if len(chosen) > MAX_VALUES:
        return ""
    return "&".join(f"authority={slug}" for slug in chosen)


if __name__ == "__main__":
    main()
