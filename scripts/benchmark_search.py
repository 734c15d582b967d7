#!/usr/bin/env python
"""Time the search listings (/findings/?q=...) on PostgreSQL with about a million findings.

    .venv/bin/python scripts/benchmark_search.py \\
        --database-url postgres://postgres@127.0.0.1:5432/search_bench [--findings 1000000] \\
        [--corpus ../shared/corpus/pdfs] [--drop] [--explain]

1. Builds the data once (skipped when the database already has it): creates the database,
   migrates, imports the corpus with `import_reports`, then copies every inspection until
   there are about `--findings` findings (benchmarks/copies.py).
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
import json
import os
import sys
import threading
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import postgres  # noqa: E402
from benchmarks.copies import build  # noqa: E402
from benchmarks.timing import summary, timed  # noqa: E402

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

    postgres.create(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["MEDIA_ROOT"] = "/tmp/search-bench-media"
    os.environ["DJANGO_SETTINGS_MODULE"] = "explorer.settings"
    import django

    django.setup()
    from django.core.management import call_command

    try:
        build(args.corpus, args.findings)
        # The pages name their static files through the production manifest.
        call_command("collectstatic", interactive=False, verbosity=0)
        measure(args)
    finally:
        from django.db import connections

        connections.close_all()
        if args.drop:
            postgres.drop(args.database_url)
            print(f"dropped {postgres.split_url(args.database_url)[1]}")


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
