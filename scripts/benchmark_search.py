#!/usr/bin/env python
"""Time the search listings (/findings/?q=...) on PostgreSQL with about a million findings.

    .venv/bin/python scripts/benchmark_search.py \\
        --database-url postgres://postgres@127.0.0.1:5432/search_bench [--findings 1000000] \\
        [--corpus ../shared/corpus/pdfs] [--drop] [--explain]

1. Builds the data once (skipped when the database already has it): creates the database,
   migrates, imports the corpus with `import_reports`, then copies every inspection (moved
   to another authority and a few days later), with its judgements, findings,
   recommendations and theme links, with INSERT ... SELECT until there are about
   `--findings` findings. (Recommendations' evidence links are not copied.)
2. For a rare word and a common one ("supervision"), page 1 and a deep page: every SQL
   statement the listing runs (count, rows, themes of the page, one per facet) under
   EXPLAIN ANALYZE, with its execution time; then the whole listing (selectors, paginator,
   highlighting, facets: the view without its template), timed sequentially and with
   `--concurrency` threads, each on its own connection; then the full page through the test
   client (template included). Prints figures; asserts nothing.
3. `--drop` drops the database at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import statistics
import sys
import threading
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RARE = "concordat"  # in one paragraph of the corpus: ~120 rows at a million findings
COMMON = "supervision"  # in ~3% of paragraphs: ~34,000 rows at a million
PAGE_SIZE = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/search_bench")
    parser.add_argument("--findings", type=int, default=1_000_000)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus/pdfs"))
    parser.add_argument("--repeat", type=int, default=10, help="sequential runs per shape")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--explain", action="store_true", help="print the plans in full")
    args = parser.parse_args()

    import psycopg

    server, name = args.database_url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["MEDIA_ROOT"] = "/tmp/search-bench-media"
    os.environ["DJANGO_SETTINGS_MODULE"] = "explorer.settings"
    import django

    django.setup()
    try:
        build(args.corpus, args.findings)
        measure(args)
    finally:
        from django.db import connections

        connections.close_all()
        if args.drop:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            print(f"dropped {name}")


# --- Building a million findings --------------------------------------------------------


def build(corpus: str, target: int) -> None:
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


GROW = """
SET CONSTRAINTS ALL IMMEDIATE;
DROP INDEX inspections_finding_search;
DROP INDEX inspections_recommendation_search;
CREATE TEMP TABLE copies ON COMMIT DROP AS SELECT generate_series(1, {copies}) AS k;
CREATE TEMP TABLE place ON COMMIT DROP AS
    SELECT id, row_number() OVER (ORDER BY id) - 1 AS n, count(*) OVER () AS total
    FROM inspections_authority;
INSERT INTO inspections_inspection (framework, slug, title, start_date, end_date,
    published_date, lead_inspector, overall_grade, curated_fields, imported_at, authority_id,
    source_document_id)
SELECT i.framework, i.slug || '-copy-' || c.k, i.title, i.start_date + c.k, i.end_date + c.k,
    i.published_date + c.k, i.lead_inspector, i.overall_grade, i.curated_fields, i.imported_at,
    p2.id, i.source_document_id
FROM inspections_inspection i
JOIN place p ON p.id = i.authority_id
CROSS JOIN copies c
JOIN place p2 ON p2.n = (p.n + c.k * 7) % p.total
ON CONFLICT DO NOTHING;
CREATE TEMP TABLE moved ON COMMIT DROP AS
    SELECT o.id AS old, n.id AS new, c.k
    FROM inspections_inspection o CROSS JOIN copies c
    JOIN inspections_inspection n ON n.slug = o.slug || '-copy-' || c.k
    WHERE o.slug NOT LIKE '%-copy-%';
INSERT INTO inspections_judgement (area, grade, words, curated_fields, inspection_id)
SELECT j.area, j.grade, j.words, j.curated_fields, m.new
FROM inspections_judgement j JOIN moved m ON m.old = j.inspection_id;
INSERT INTO inspections_finding (public_id, text, is_hidden, withdrawn_at, curated_fields,
    section, area, paragraph, position, kind, inspection_id)
SELECT left(md5(f.public_id || '~' || m.k), 16), f.text, f.is_hidden, f.withdrawn_at,
    f.curated_fields, f.section, f.area, f.paragraph, f.position, f.kind, m.new
FROM moved m JOIN inspections_finding f ON f.inspection_id = m.old
ORDER BY m.k, f.id;
INSERT INTO inspections_findingtheme (cue, finding_id, theme_id)
SELECT t.cue, n.id, t.theme_id
FROM inspections_findingtheme t
JOIN inspections_finding f ON f.id = t.finding_id
JOIN moved m ON m.old = f.inspection_id
JOIN inspections_finding n ON n.public_id = left(md5(f.public_id || '~' || m.k), 16);
INSERT INTO inspections_recommendation (public_id, text, is_hidden, withdrawn_at,
    curated_fields, position, addressee, timescale, inspection_id)
SELECT left(md5(r.public_id || '~' || m.k), 16), r.text, r.is_hidden, r.withdrawn_at,
    r.curated_fields, r.position, r.addressee, r.timescale, m.new
FROM moved m JOIN inspections_recommendation r ON r.inspection_id = m.old
ORDER BY m.k, r.id;
INSERT INTO inspections_recommendationtheme (cue, recommendation_id, theme_id)
SELECT t.cue, n.id, t.theme_id
FROM inspections_recommendationtheme t
JOIN inspections_recommendation r ON r.id = t.recommendation_id
JOIN moved m ON m.old = r.inspection_id
JOIN inspections_recommendation n ON n.public_id = left(md5(r.public_id || '~' || m.k), 16);
"""
INDEX = """
SET maintenance_work_mem = '512MB';
CREATE INDEX inspections_finding_search ON inspections_finding USING gin (search_vector);
CREATE INDEX inspections_recommendation_search ON inspections_recommendation
    USING gin (search_vector);
RESET maintenance_work_mem;
"""


def grow(copies: int) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for statement in GROW.format(copies=copies).split(";\n"):
            if statement.strip():
                cursor.execute(statement)  # no parameters: % is the operator
    with connection.cursor() as cursor:
        for statement in INDEX.split(";\n"):
            if statement.strip():
                cursor.execute(statement)
        cursor.execute("VACUUM ANALYZE")


# --- Measuring --------------------------------------------------------------------------


def run_listing(query: str, page_number: int, path: str = "findings") -> int:
    """What the listing view does for one page, without the template: returns the row count."""
    from django.core.paginator import Paginator
    from django.http import QueryDict

    from inspections.selectors import finding_list, listing_facets, recommendation_list
    from inspections.views.presentation import highlight

    select = finding_list if path == "findings" else recommendation_list
    listing = select(filters=QueryDict(query))
    paginator = Paginator(listing.rows, PAGE_SIZE)
    page = paginator.page(min(page_number, paginator.num_pages))
    queries = listing.filterset.search_queries()
    for record in page.object_list:
        highlight(record.text, queries)
    listing_facets(listing=listing)
    return paginator.count


def label(sql: str) -> str:
    if sql.startswith("SELECT COUNT(*)"):
        return "count (paginator)"
    if "_prefetch_related_val" in sql:
        return "themes of the page"
    if "ts_rank_cd" in sql and "LIMIT" in sql:
        return "rows of the page"
    if "GROUP BY" in sql:
        # The facet's first column: "inspections_theme"."slug", "inspections_finding"."area"...
        selected = sql.split("SELECT", 1)[1].split(" AS ", 1)[0].split(",")[0]
        return f"facet {selected.strip()[:60]}"
    return sql[:40]


def explain_all(query: str, page_number: int, full: bool) -> float:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        count = run_listing(query, page_number)
    total = 0.0
    print(f"\n  {query} page {page_number} ({count:,} rows match)")
    with connection.cursor() as cursor:
        for entry in captured.captured_queries:
            sql = entry["sql"]
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
            ms = plan["Planning Time"] + plan["Execution Time"]
            total += ms
            print(f"    {ms:8.1f} ms  {label(sql)}")
            if full and label(sql) in ("count (paginator)", "rows of the page"):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                for (line,) in cursor.fetchall():
                    print("               " + line)
    print(f"    {total:8.1f} ms  all {len(captured.captured_queries)} statements")
    return total


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p * len(ordered)) - 1)]


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def concurrently(function, threads: int, repeat: int) -> tuple[list[float], float]:
    from django.db import connection

    results: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            mine = timed(function, repeat)
            with lock:
                results.extend(mine)
        except Exception as error:  # one line, not a traceback per thread
            print(f"  a run failed: {error!r}"[:300])
        finally:
            connection.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results, time.perf_counter() - started


def summary(times: list[float]) -> str:
    if not times:
        return "no successful run"
    return (
        f"median {statistics.median(times):7.1f} ms   p95 {percentile(times, 0.95):7.1f} ms"
        f"   max {max(times):7.1f} ms   (n={len(times)})"
    )


def measure(args) -> None:
    from django.db import connection
    from django.test import Client

    from inspections.models import Finding, Recommendation

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SELECT current_setting('jit'), current_setting('shared_buffers')")
        jit, shared_buffers = cursor.fetchone()
    print(
        f"\n{version}, jit={jit}, shared_buffers={shared_buffers}; "
        f"{Finding.objects.count():,} findings, {Recommendation.objects.count():,} "
        f"recommendations; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} "
        "(other work on the machine inflates every figure)"
    )
    shapes = [(f"q={RARE}", 1), (f"q={COMMON}", 1), (f"q={COMMON}", 200)]
    run_listing(shapes[1][0], 1)  # warm the cache once

    print("\nEXPLAIN ANALYZE of every statement a listing page runs (planning + execution)")
    for query, page in shapes:
        explain_all(query, page, args.explain)
    explain_all(f'q="{COMMON}"+-neglect+or+{RARE}', 1, False)

    print(f"\nThe whole listing without its template, sequential (x{args.repeat})")
    for query, page in shapes:
        times = timed(partial(run_listing, query, page), args.repeat)
        print(f"  /findings/?{query:20} page {page:<4} {summary(times)}")
    times = timed(partial(run_listing, f"q={COMMON}", 1, "recommendations"), args.repeat)
    print(f"  /recommendations/?q={COMMON} page 1    {summary(times)}")

    print(f"\nThe whole listing, {args.concurrency} threads at once (each its own connection)")
    for query, page in shapes[:2]:
        times, wall = concurrently(partial(run_listing, query, page), args.concurrency, 3)
        print(f"  /findings/?{query:20} page {page:<4} {summary(times)}  {len(times) / wall:.1f}/s")

    print(f"\nThe page through the test client (template too), {args.concurrency} threads")
    counter = iter(range(10**9))

    def get(query: str) -> None:
        # An ignored parameter makes each URL new, so no page cache can answer.
        response = Client().get(f"/findings/?{query}&bench={next(counter)}", secure=True)
        assert response.status_code == 200, response.status_code

    for query, _ in shapes[:2]:
        times, wall = concurrently(partial(get, query), args.concurrency, 3)
        print(f"  /findings/?{query:20} page 1    {summary(times)}  {len(times) / wall:.1f}/s")


if __name__ == "__main__":
    main()
