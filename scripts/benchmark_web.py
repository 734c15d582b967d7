#!/usr/bin/env python
"""Load-test the public explorer at scale and compare it with two baselines.

    scripts/benchmark_web [--findings 1000000] [--recommendations 100000] [--duration 20]
                          [--only authority,filtered] [--prepare-only]

1. The corpus: a PostgreSQL database named explorer_web_bench holding the real reports
   (../shared/corpus/pdfs and fixtures/reports) plus a synthetic corpus from
   `manage.py generate_corpus`. Reused when it already holds the corpus asked for (same
   sizes and seed); `--fresh` rebuilds it.
2. The explorer under gunicorn with the production settings (explorer.settings, DEBUG off,
   SECRET_KEY and ALLOWED_HOSTS set, collected static files), driven by wrk over loopback
   (-t2 -c8 by default) for each scenario after a short warm-up: requests/s, latency
   p50/p95/p99 (exact, from wrk's Lua `done` hook) and errors (non-2xx responses, socket
   errors and timeouts). The CSV export is timed separately: rows/s of one 100,000-row
   download, and the gunicorn worker's peak RSS sampled from /proc while it streams.
3. Baseline 1: Datasette (installed into .venv-bench/, not a project dependency) serving the
   same findings, exported to SQLite with an FTS5 index, each scenario mapped to its nearest
   Datasette URL (`_facet=`, `_search=`, keyset pages, row pages, `.csv?_stream=on`).
   Baseline 2: a Django view returning a constant string (benchmarks/settings.py)
   under the same gunicorn configuration: Django's floor on this machine.
4. Per scenario, the queries the page makes, and the slowest of them (EXPLAIN ANALYZE of
   any over --explain-ms goes to .bench/explain/).

The machine is shared, so figures are noisy: compare within one run, not across runs.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import crawl, postgres  # noqa: E402
from benchmarks.processes import free_port, rss_kib  # noqa: E402

WORK = ROOT / ".bench"
BENCH_VENV = ROOT / ".venv-bench"
DATASETTE_REQUIREMENT = "datasette>=0.65,<0.66"
DATABASE = postgres.WEB_BENCH
SQLITE = WORK / "bench.db"  # Datasette serves it as /bench/
CACHE_URL = "redis://127.0.0.1:6379/13"
# Findings list filter: a theme, an overall grade and a year (DOMAIN.md's parameters).
FILTER = {"theme": "management-oversight", "grade": "requires_improvement", "year": "2016"}
COMMON_WORD = "supervision"
DEEP_PAGE = 200
PAGE_SIZE = 50
EXPORT_ROWS = 100_000
FACETS = ["overall_grade", "area", "area_grade", "year", "framework", "region", "authority"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=1_000_000)
    parser.add_argument("--recommendations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=int, default=20, help="seconds per scenario")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per scenario")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--connections", type=int, default=8, help="wrk -c")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers"
    )
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument("--explain-ms", type=float, default=100.0)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--fresh", action="store_true", help="rebuild the database and export")
    parser.add_argument("--only", help="comma-separated scenario names (default: all)")
    parser.add_argument(
        "--crawl-urls", type=int, default=1200, help="distinct URLs the crawl scenario gathers"
    )
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="build or reuse the corpus and the SQLite export, print each page's queries, stop",
    )
    parser.add_argument(
        "--explorer-only",
        action="store_true",
        help="measure the explorer alone, without the constant view and Datasette (quicker, "
        "for comparing one change; the README's figures come from a whole run)",
    )
    args = parser.parse_args()

    WORK.mkdir(exist_ok=True)
    started = time.perf_counter()
    print_machine()
    datasette = ensure_datasette()
    env = server_environment(args.database_url)
    os.environ.update(env)
    prepare_database(args)
    collect_static()
    export_sqlite(args.fresh)
    scenarios = choose_scenarios()
    if args.only:
        wanted = set(args.only.split(","))
        scenarios = [s for s in scenarios if s.name in wanted or s.kind == "export"]
    explain_pages(scenarios, args.explain_ms)
    if args.prepare_only:
        return
    clear_cache()

    wrk = Wrk(args.threads, args.connections, args.duration, args.warmup)
    gunicorn = [str(ROOT / ".venv/bin/gunicorn"), "--workers", str(args.workers)]
    gunicorn += ["--bind", "127.0.0.1:{port}", "--timeout", "300", "--access-logfile", "-"]
    print(f"\n== explorer: gunicorn, {args.workers} workers (gunicorn.conf.py) ==")
    wanted = set(args.only.split(",")) if args.only else None
    crawled: list[crawl.Request] = []
    with Server("explorer", [*gunicorn, "explorer.wsgi"], env, "/healthz") as server:
        if wanted is None or "crawl" in wanted:
            crawled = crawl_scenario(server, args)
        for scenario in scenarios:
            if scenario.kind == "export":
                scenario.explorer = measure_export(server, scenario.paths, args.export_runs)
            else:
                scenario.explorer = wrk.run(server, scenario.name, scenario.paths)
    if args.explorer_only:
        print(f"\nwhole run: {time.perf_counter() - started:.0f} s")
        return
    constant_env = {**env, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}
    print("\n== baseline: a Django view returning a constant string, same gunicorn ==")
    with Server("constant", [*gunicorn, "explorer.wsgi"], constant_env, "/healthz") as server:
        constant = wrk.run(server, "constant", ["/benchmark/constant"])
    print("\n== baseline: Datasette on the same findings in SQLite with FTS5 ==")
    datasette_cmd = [
        str(datasette),
        "serve",
        str(SQLITE),
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        # Datasette's defaults stop a query after 1 s and a facet after 0.2 s; with a million
        # rows that would return errors and missing facets, not figures.
        "--setting",
        "sql_time_limit_ms",
        "120000",
        "--setting",
        "facet_time_limit_ms",
        "120000",
        "--setting",
        "suggest_facets",
        "off",
        "--setting",
        "max_returned_rows",
        "1000",
    ]
    datasette_crawled: list[crawl.Request] = []
    with Server("datasette", datasette_cmd, env, "/-/versions.json") as server:
        if crawled:
            datasette_crawled = datasette_crawl(server, crawled)
        for scenario in scenarios:
            if not scenario.datasette_paths:
                continue
            if scenario.kind == "export":
                scenario.datasette = measure_export(
                    server, scenario.datasette_paths, args.export_runs
                )
            else:
                scenario.datasette = wrk.run(
                    server, f"{scenario.name} (datasette)", scenario.datasette_paths
                )
    report(scenarios, constant, args)
    if datasette_crawled:
        report_crawl_comparison(crawled, datasette_crawled)
    print(f"\nwhole run: {time.perf_counter() - started:.0f} s")


# --- Setting up ----------------------------------------------------------------------------


def print_machine() -> None:
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f} (shared with other work: figures are noisy)"
    )
    others = [
        stat.parent.name
        for stat in Path("/proc").glob("[0-9]*/comm")
        if _read(stat) in {"wrk", "gunicorn", "datasette"}
    ]
    if others:
        print(f"warning: other load tests or servers are running (pids {' '.join(others)})")


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def ensure_datasette() -> Path:
    """Datasette in its own virtual environment, never in the project's."""
    binary = BENCH_VENV / "bin" / "datasette"
    if not binary.exists():
        print(f"installing {DATASETTE_REQUIREMENT} into {BENCH_VENV.name}/")
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run(
            [str(BENCH_VENV / "bin/python"), "-m", "pip", "install", "--quiet",
             DATASETTE_REQUIREMENT],
            check=True,
        )  # fmt: skip
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True)
    print(version.stdout.strip())
    return binary


def server_environment(admin_url: str) -> dict[str, str]:
    """The production configuration, from the environment as DOMAIN.md says."""
    return {
        "DATABASE_URL": postgres.on_same_server(admin_url, DATABASE),
        "DJANGO_SETTINGS_MODULE": "explorer.settings",
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-" + "x" * 40,
        # testserver: the in-process query counts use Django's test client.
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "MEDIA_ROOT": str(WORK / "media"),
        # As in production: one Redis cache shared by every worker (its own database number,
        # emptied before the run, so each scenario's first request finds nothing cached).
        "CACHE_URL": CACHE_URL,
        # The per-client limit on listings would answer most of a load test 429: off.
        "PUBLIC_LISTING_RATE": "off",
        # As behind a TLS-terminating proxy: the production redirect to HTTPS stays on, and
        # every request here says it came over HTTPS (X-Forwarded-Proto, below).
        "SECURE_PROXY_SSL_HEADER": "true",
        "PATH": os.environ.get("PATH", ""),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
    }


def prepare_database(args) -> None:
    """explorer_web_bench with the real reports and the synthetic corpus asked for: reused
    when it has them, otherwise made anew (quicker than deleting a million rows)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from benchmarks import synthetic
    from benchmarks.management.commands.generate_corpus import Command as GenerateCorpus
    from inspections.models import Finding, Inspection

    wanted = {"seed": args.seed, "findings": args.findings, "recommendations": args.recommendations}
    fresh = args.fresh
    database_url = postgres.on_same_server(args.database_url, DATABASE)
    for attempt in range(2):
        if fresh:
            connections.close_all()
        if postgres.create(database_url, replace=fresh):
            shutil.rmtree(WORK / "media", ignore_errors=True)
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrated in {time.perf_counter() - t0:.1f} s")
        summary = synthetic.current_summary() or {}
        if {k: summary.get(k) for k in wanted} == wanted:
            print(f"reusing {DATABASE}: {summary}")
            return
        if summary and not attempt:
            print(f"{DATABASE} holds another corpus ({summary}): making it anew")
            fresh = True
            continue
        break
    paths = [
        p for p in (ROOT.parent / "shared/corpus/pdfs", ROOT / "fixtures/reports") if p.exists()
    ]
    t0 = time.perf_counter()
    with open(os.devnull, "w") as devnull, contextlib.suppress(SystemExit):
        call_command(
            "import_reports", *map(str, paths), format="json", stdout=devnull, stderr=devnull
        )
    print(
        f"imported the real reports ({', '.join(map(str, paths))}): "
        f"{Inspection.objects.count()} inspections, {Finding.objects.count()} findings in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    t0 = time.perf_counter()
    # The command object itself: this process runs production settings, where the
    # benchmarks app (and so the command's name) is not installed.
    call_command(
        GenerateCorpus(),
        findings=args.findings,
        recommendations=args.recommendations,
        seed=args.seed,
    )
    print(f"generate_corpus: {time.perf_counter() - t0:.0f} s")


def clear_cache() -> None:
    """Empty the benchmark's cache, so that nothing measured was cached by an earlier run."""
    from django.core.cache import cache

    cache.clear()


def collect_static() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def export_sqlite(fresh: bool) -> None:
    """The published findings as one denormalised SQLite table in listing order (so that
    Datasette's rowid pages follow the explorer's order), with FTS5 and indexes on the
    filtered columns; and the inspections, for the authority page's nearest equivalent."""
    import sqlite3

    from django.db import connection, transaction

    from benchmarks import synthetic
    from inspections.models import Finding

    signature = json.dumps(
        [synthetic.current_summary(), Finding.objects.count(), Finding.objects.order_by("-pk")
         .values_list("pk", flat=True).first()],
        default=str,
    )  # fmt: skip
    if SQLITE.exists() and not fresh:
        with contextlib.closing(sqlite3.connect(SQLITE)) as db, contextlib.suppress(sqlite3.Error):
            if db.execute("SELECT value FROM bench_meta").fetchone()[0] == signature:
                print(f"reusing {SQLITE.relative_to(ROOT)}")
                return
    t0 = time.perf_counter()
    partial = SQLITE.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    db = sqlite3.connect(partial)
    db.executescript(
        """
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE TABLE findings (
            id INTEGER PRIMARY KEY, public_id TEXT, authority TEXT, authority_name TEXT,
            region TEXT, inspection TEXT, framework TEXT, start_date TEXT, year INTEGER,
            published_date TEXT, section TEXT, paragraph TEXT, overall_grade TEXT, area TEXT,
            area_grade TEXT, themes TEXT, text TEXT
        );
        CREATE TABLE inspections (
            slug TEXT PRIMARY KEY, authority TEXT, authority_name TEXT, framework TEXT,
            title TEXT, start_date TEXT, end_date TEXT, published_date TEXT, overall_grade TEXT
        );
        CREATE TABLE bench_meta (value TEXT);
        """
    )
    query = """
        SELECT f.public_id, a.slug, a.name, r.slug, i.slug, i.framework, i.start_date,
               EXTRACT(YEAR FROM i.start_date)::int, i.published_date, f.section, f.paragraph,
               i.overall_grade, f.area, j.grade,
               COALESCE((SELECT json_agg(t.slug ORDER BY t.slug)::text
                         FROM inspections_findingtheme ft
                         JOIN inspections_theme t ON t.id = ft.theme_id
                         WHERE ft.finding_id = f.id), '[]'),
               f.text
        FROM inspections_finding f
        JOIN inspections_inspection i ON i.id = f.inspection_id
        JOIN inspections_authority a ON a.id = i.authority_id
        JOIN inspections_region r ON r.id = a.region_id
        LEFT JOIN inspections_judgement j ON j.inspection_id = i.id AND j.area = f.area
        WHERE NOT f.is_hidden AND f.withdrawn_at IS NULL
        ORDER BY i.start_date DESC, a.name, i.id, f.position
    """
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor.connection.cursor(name="bench_export")  # server-side: streams
        raw.itersize = 10_000
        raw.execute(query)
        while batch := raw.fetchmany(10_000):
            db.executemany(
                "INSERT INTO findings VALUES (NULL" + ", ?" * 16 + ")",
                [tuple(str(v) if hasattr(v, "isoformat") else v for v in row) for row in batch],
            )
            rows += len(batch)
        raw.close()
        cursor.execute(
            """SELECT i.slug, a.slug, a.name, i.framework, i.title, i.start_date, i.end_date,
                      i.published_date, i.overall_grade
               FROM inspections_inspection i
               JOIN inspections_authority a ON a.id = i.authority_id"""
        )
        db.executemany(
            "INSERT INTO inspections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [tuple(str(v) if hasattr(v, "isoformat") else v for v in r) for r in cursor],
        )
    db.executescript(
        """
        CREATE INDEX findings_authority ON findings (authority);
        CREATE INDEX findings_inspection ON findings (inspection);
        CREATE INDEX findings_year ON findings (year);
        CREATE INDEX findings_overall_grade ON findings (overall_grade);
        CREATE INDEX findings_framework ON findings (framework);
        CREATE INDEX findings_public_id ON findings (public_id);
        CREATE INDEX inspections_authority ON inspections (authority);
        CREATE VIRTUAL TABLE findings_fts USING fts5(
            text, content="findings", content_rowid="id", tokenize="porter unicode61"
        );
        INSERT INTO findings_fts (findings_fts) VALUES ('rebuild');
        ANALYZE;
        """
    )
    db.execute("INSERT INTO bench_meta VALUES (?)", [signature])
    db.commit()
    db.close()
    partial.replace(SQLITE)
    print(
        f"exported {rows} findings to {SQLITE.relative_to(ROOT)} (FTS5, porter) in "
        f"{time.perf_counter() - t0:.0f} s"
    )


# --- Scenarios -------------------------------------------------------------------------------


@dataclass
class Scenario:
    """A page type: the explorer's URL(s) and the nearest Datasette URL(s)."""

    name: str
    paths: list[str]
    datasette_paths: list[str]
    kind: str = "page"  # or "export"
    note: str = ""
    explorer: dict = field(default_factory=dict)
    datasette: dict = field(default_factory=dict)


def datasette_facets() -> list[tuple[str, str]]:
    return [("_facet_array", "themes")] + [("_facet", f) for f in FACETS]


def choose_scenarios() -> list[Scenario]:
    """The scenarios, with subjects picked from the data (printed, so runs are comparable)."""
    import sqlite3

    from django.db.models import Count

    from benchmarks import synthetic
    from inspections.models import Finding, Inspection

    facets = datasette_facets()
    synthetic_ids = synthetic.synthetic_inspections().values("pk")
    # The inspection page: a real SIF report of median length, and the largest synthetic one.
    real = list(
        Inspection.objects.exclude(pk__in=synthetic_ids)
        .filter(framework="sif")
        .annotate(n=Count("findings"))
        .order_by("n", "slug")
    )
    median = real[len(real) // 2]
    largest = (
        Inspection.objects.filter(pk__in=synthetic_ids)
        .annotate(n=Count("findings"))
        .order_by("-n", "slug")
        .first()
    )
    filtered = Finding.objects.published().filter(
        themes__slug=FILTER["theme"],
        inspection__overall_grade=FILTER["grade"],
        inspection__start_date__year=int(FILTER["year"]),
    )
    rare = rare_word()
    rng = random.Random(1)
    count = Finding.objects.published().count()
    sample = sorted(rng.sample(range(count), min(1000, count)))
    with contextlib.closing(sqlite3.connect(SQLITE)) as db:
        permalinks = [
            db.execute("SELECT id, public_id FROM findings WHERE id = ?", [i + 1]).fetchone()
            for i in sample
        ]
    export_filter, export_rows = export_subject()
    scenarios = [
        Scenario(
            "authority",
            ["/authorities/somerset/"],
            ["/bench/inspections?" + urlencode({"authority": "somerset", "_sort": "start_date"})],
            note="Datasette: the authority's inspections table rows",
        ),
        Scenario(
            "inspection",
            [f"/inspections/{median.slug}/"],
            ["/bench/findings?" + urlencode({"inspection": median.slug, "_size": "max"})],
            note=f"real SIF report of median length, {median.n} findings",
        ),
        Scenario(
            "inspection-large",
            [f"/inspections/{largest.slug}/"],
            ["/bench/findings?" + urlencode({"inspection": largest.slug, "_size": "max"})],
            note=f"largest synthetic report, {largest.n} findings (Datasette: 1,000 rows max)",
        ),
        Scenario(
            "filtered",
            ["/findings/?" + urlencode(FILTER)],
            [
                "/bench/findings?"
                + urlencode(
                    [
                        ("themes__arraycontains", FILTER["theme"]),
                        ("overall_grade", FILTER["grade"]),
                        ("year", FILTER["year"]),
                        ("_size", PAGE_SIZE),
                        *facets,
                    ]
                )
            ],
            note=f"theme+grade+year, {filtered.count()} rows, 8 facets",
        ),
        Scenario(
            "deep-page",
            [f"/findings/?page={DEEP_PAGE}"],
            # Without facets: Datasette counts them on every request, and over all 1M rows
            # one request ran for more than 8 minutes before it was stopped (the explorer
            # shows them, from its cache). A kinder baseline than the page it stands for.
            [
                "/bench/findings?"
                + urlencode([("_size", PAGE_SIZE), ("_next", (DEEP_PAGE - 1) * PAGE_SIZE)])
            ],
            note=f"page {DEEP_PAGE} of all {count} findings (Datasette: keyset _next, no facets)",
        ),
        Scenario(
            "search-rare",
            ["/findings/?" + urlencode({"q": rare[0]})],
            ["/bench/findings?" + urlencode([("_search", rare[0]), ("_size", PAGE_SIZE), *facets])],
            note=f"q={rare[0]}: {rare[1]} rows",
        ),
        Scenario(
            "search-common",
            ["/findings/?" + urlencode({"q": COMMON_WORD})],
            [
                "/bench/findings?"
                + urlencode([("_search", COMMON_WORD), ("_size", PAGE_SIZE), *facets])
            ],
            note=f"q={COMMON_WORD}: {search_count(COMMON_WORD)} rows",
        ),
        Scenario(
            "permalink",
            [f"/findings/{public_id}/" for _, public_id in permalinks],
            [f"/bench/findings/{rowid}" for rowid, _ in permalinks],
            note=f"{len(permalinks)} findings at random, in turn",
        ),
        Scenario(
            "export-csv",
            ["/findings/?" + urlencode([*export_filter, ("format", "csv")], doseq=True)],
            [
                "/bench/findings.csv?"
                + urlencode(
                    [*datasette_export_filter(export_filter), ("_stream", "on"), ("_size", "max")]
                )
            ],
            kind="export",
            note=f"{export_rows} rows",
        ),
    ]
    for scenario in scenarios:
        print(f"scenario {scenario.name}: {scenario.paths[0]}  [{scenario.note}]")
    assert Finding.objects.exists()
    return scenarios


def search_count(word: str) -> int:
    from inspections.filters import text_search
    from inspections.models import Finding

    return text_search(Finding.objects.published(), [word]).count()


def rare_word() -> tuple[str, int]:
    """A word in few findings (10 to 400), taken from the real paragraphs' vocabulary."""
    import re

    from benchmarks import synthetic
    from inspections.models import Finding

    counts: dict[str, int] = {}
    texts = Finding.objects.exclude(inspection__in=synthetic.synthetic_inspections()).values_list(
        "text", flat=True
    )
    for text in texts:
        for word in set(re.findall(r"\b[a-z]{9,}\b", text)):
            counts[word] = counts.get(word, 0) + 1
    for word in sorted(w for w, n in counts.items() if n == 1)[:200]:
        n = search_count(word)
        if 10 <= n <= 400:
            return word, n
    word = min(counts, key=lambda w: (counts[w], w))
    return word, search_count(word)


def export_subject() -> tuple[list[tuple[str, str]], int]:
    """A filter giving about EXPORT_ROWS findings: everything if that is near, else whole
    authorities, alphabetically, until there are enough."""
    from django.db.models import Count

    from inspections.models import Finding

    total = Finding.objects.published().count()
    if total <= EXPORT_ROWS * 1.5:
        return [], total
    per_authority = (
        Finding.objects.published()
        .order_by()
        .values("inspection__authority__slug")
        .annotate(n=Count("pk"))
        .order_by("inspection__authority__slug")
    )
    chosen, rows = [], 0
    for row in per_authority:
        if rows >= EXPORT_ROWS or len(chosen) == 50:
            break
        chosen.append(("authority", row["inspection__authority__slug"]))
        rows += row["n"]
    return chosen, rows


def datasette_export_filter(explorer_filter: list[tuple[str, str]]) -> list[tuple[str, str]]:
    slugs = [value for name, value in explorer_filter if name == "authority"]
    return [("authority__in", ",".join(slugs))] if slugs else []


def explain_pages(scenarios: list[Scenario], threshold_ms: float) -> None:
    """Each page's queries through Django's test client: how many, and the slowest; plans
    of the slow ones go to .bench/explain/<scenario>.txt."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    folder = WORK / "explain"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    client = Client()
    print("\nqueries per page (built anew, nothing cached; in-process):")
    for scenario in scenarios:
        if scenario.kind == "export":
            continue
        client.get(scenario.paths[0], secure=True)  # warm the database's buffers
        clear_cache()  # but measure the queries of a page built anew
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            response = client.get(scenario.paths[0], secure=True)
            elapsed = time.perf_counter() - t0
        queries = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)
        slowest = float(queries[0]["time"]) * 1000 if queries else 0.0
        print(
            f"  {scenario.name:<17} {response.status_code} {len(queries):3d} queries, "
            f"{elapsed * 1000:8.1f} ms, slowest query {slowest:8.1f} ms"
        )
        slow = [q for q in queries if float(q["time"]) * 1000 >= threshold_ms]
        if not slow:
            continue
        with open(folder / f"{scenario.name}.txt", "w") as out:
            for query in slow:
                out.write(f"-- {float(query['time']) * 1000:.1f} ms\n{query['sql']}\n\n")
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    out.write("\n".join(row[0] for row in cursor.fetchall()) + "\n\n")
        print(f"    {len(slow)} slower than {threshold_ms:.0f} ms: plans in {out.name}")


# --- The crawl ------------------------------------------------------------------------------


def crawl_scenario(server: Server, args) -> list[crawl.Request]:
    """Gather --crawl-urls distinct URLs as a crawler would, empty the shared cache, then
    request each once, --connections at a time."""
    started = time.perf_counter()
    paths = crawl.gather(server.url(""), args.crawl_urls, concurrency=args.connections)
    print(f"\ncrawl: gathered {len(paths)} distinct URLs in {time.perf_counter() - started:.0f} s")
    clear_cache()
    started = time.perf_counter()
    requests = crawl.walk(server.url(""), paths, concurrency=args.connections)
    elapsed = time.perf_counter() - started
    print(f"crawl: requested each once in {elapsed:.0f} s ({len(paths) / elapsed:.1f} req/s)")
    (WORK / "crawl-urls.txt").write_text("\n".join(paths) + "\n")
    report_crawl(requests, args)
    return requests


def datasette_path(path: str) -> str | None:
    """The nearest Datasette URL to one of ours, or None where it has none."""
    import sqlite3
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(path)
    segments = [s for s in parts.path.split("/") if s]
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(parts.query):
        query.setdefault(name, []).append(value)
    if segments == ["findings"]:
        columns = {
            "grade": "overall_grade",
            "year": "year",
            "framework": "framework",
            "region": "region",
            "authority": "authority",
            "area": "area",
            "area_grade": "area_grade",
        }
        params: list[tuple[str, str]] = []
        for name, values in query.items():
            if name == "theme" and len(values) == 1:
                params.append(("themes__arraycontains", values[0]))
            elif name == "q":
                params.append(("_search", " ".join(values)))
            elif name == "page":
                if len(query) > 1:
                    return None  # Datasette pages by key; only the whole table maps
                params.append(("_next", str((int(values[0]) - 1) * PAGE_SIZE)))
            elif name in columns:
                column = columns[name]
                params.append(
                    (column, values[0]) if len(values) == 1 else (f"{column}__in", ",".join(values))
                )
            else:
                return None
        facets = [] if "page" in query else datasette_facets()
        return "/bench/findings?" + urlencode([*params, ("_size", PAGE_SIZE), *facets])
    if len(segments) == 2 and segments[0] == "findings":
        with contextlib.closing(sqlite3.connect(SQLITE)) as db:
            row = db.execute("SELECT id FROM findings WHERE public_id = ?", [segments[1]])
            found = row.fetchone()
        return f"/bench/findings/{found[0]}" if found else None
    if len(segments) == 2 and segments[0] == "authorities":
        return "/bench/inspections?" + urlencode({"authority": segments[1], "_sort": "start_date"})
    return None


def datasette_crawl(server: Server, crawled: list[crawl.Request]) -> list[crawl.Request]:
    """The crawl's URLs that Datasette has an equivalent of, requested the same way."""
    pairs = [(r.path, datasette_path(r.path)) for r in crawled]
    theirs = [p for _, p in pairs if p]
    print(f"\ncrawl (datasette): {len(theirs)} of {len(crawled)} URLs have an equivalent")
    results = crawl.walk(server.url(""), theirs, concurrency=8)
    # Each result names the explorer URL it stands for, to compare the same subset.
    ours = iter(path for path, p in pairs if p)
    for result in results:
        result.path = f"{next(ours)} -> {result.path}"
    return results


def _crawl_line(name: str, figures: dict) -> str:
    def at(share: str) -> str:
        return ms(figures[share] * 1_000_000)  # seconds; ms() takes microseconds

    return (
        f"{name:<26} {figures['n']:6d} {at('p50')} {at('p95')} {at('p99')} {at('max')} "
        f"{figures['errors']:7d} {figures['over_2s']:7d}"
    )


CRAWL_HEADER = (
    f"{'page type':<26} {'URLs':>6} {'p50':>10} {'p95':>10} {'p99':>10} {'max':>10} "
    f"{'errors':>7} {'> 2 s':>7}"
)


def report_crawl_comparison(crawled: list[crawl.Request], theirs: list[crawl.Request]) -> None:
    """The crawl's URLs that Datasette has equivalents of: ours, then Datasette's."""
    mapped = {r.path.split(" -> ")[0] for r in theirs}
    print("\n== crawl, the URLs Datasette has an equivalent of (each once, 8 at a time) ==")
    print(CRAWL_HEADER)
    print("-" * len(CRAWL_HEADER))
    print(_crawl_line("explorer", crawl.summary([r for r in crawled if r.path in mapped])))
    print(_crawl_line("datasette", crawl.summary(theirs)))
    for kind in sorted({crawl.kind_of(path) for path in mapped}):
        ours = [r for r in crawled if r.path in mapped and crawl.kind_of(r.path) == kind]
        them = [r for r in theirs if crawl.kind_of(r.path.split(" -> ")[0]) == kind]
        print(_crawl_line(f"  {kind}: explorer", crawl.summary(ours)))
        print(_crawl_line(f"  {kind}: datasette", crawl.summary(them)))


def report_crawl(crawled: list[crawl.Request], args) -> None:
    print(
        f"\n== crawl: {len(crawled)} distinct URLs, each requested once, "
        f"{args.connections} at a time, shared cache emptied first =="
    )
    print(CRAWL_HEADER)
    print("-" * len(CRAWL_HEADER))
    print(_crawl_line("all", crawl.summary(crawled)))
    for kind, figures in crawl.grouped(crawled).items():
        print(_crawl_line(kind, figures))
    errors = [r for r in crawled if not 200 <= r.status < 300]
    for request in errors[:10]:
        print(f"  error {request.status}: {request.path}")
    slowest = sorted(crawled, key=lambda r: r.seconds, reverse=True)[:10]
    print("\nslowest URLs (each built again in-process, nothing cached: queries, slowest query):")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for request in slowest:
        clear_cache()
        with CaptureQueriesContext(connection) as captured:
            client.get(request.path, secure=True)
        queries = sorted(captured.captured_queries, key=lambda q: float(q["time"]))
        top = queries[-1] if queries else {"time": "0", "sql": ""}
        print(
            f"  {request.seconds * 1000:8.0f} ms  {request.path}\n"
            f"{'':>14}{len(queries)} queries; slowest {float(top['time']) * 1000:.0f} ms: "
            f"{top['sql'][:160]}"
        )


# --- Servers and load --------------------------------------------------------------------------


class Server:
    """A server process on a free loopback port, started and stopped by this script."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], health: str):
        self.name, self.env, self.health = name, env, health
        self.port = free_port()
        self.command = [part.replace("{port}", str(self.port)) for part in command]
        self.log = open(WORK / f"{name}.log", "w")  # noqa: SIM115 - closed in __exit__

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(https_request(self.url(self.health)), timeout=5) as response,
            ):
                if response.status == 200:
                    return self
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise SystemExit(f"{self.name} did not start: see {self.log.name}")

    def __exit__(self, *exc) -> None:
        # Only the process group this script started.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()

    def wait_idle(self, limit: float = 600) -> float:
        """Wait until the server has no connection left open, returning how long it took.

        When wrk stops, requests it sent are still queued or running (a sync worker
        finishes a request whose client has gone): measuring the next scenario before they
        end would charge it for them. Their sockets stay open (CLOSE_WAIT) until then.
        """
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit and (self.open_connections() or self.busy()):
            time.sleep(0.2)
        return time.monotonic() - t0

    def busy(self, window: float = 0.5) -> bool:
        """Whether the server's processes used more than a twentieth of a core lately
        (Datasette goes on running a query after its client has gone)."""
        before = cpu_seconds(self.pids())
        time.sleep(window)
        return cpu_seconds(self.pids()) - before > window / 20

    def open_connections(self) -> int:
        port = f"{self.port:04X}"
        count = 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with contextlib.suppress(OSError):
                for line in Path(table).read_text().splitlines()[1:]:
                    fields = line.split()
                    # Local address "0100007F:1F90"; state 01 is ESTABLISHED (queued or being
                    # answered), 08 CLOSE_WAIT (the client has gone, the server not yet).
                    if fields[1].rsplit(":", 1)[1] == port and fields[3] in {"01", "08"}:
                        count += 1
        return count

    def pids(self) -> list[int]:
        """The server's processes: gunicorn's workers, or Datasette itself."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:
                    children.append(int(stat.parent.name))
        return children or [self.process.pid]


LUA = """
local paths = {%s}
local counter = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

function request()
  counter = counter %% #paths + 1
  return wrk.format("GET", paths[counter])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%f, "p50": %%d, "p95": %%d, "p99": %%d, ' ..
    '"max": %%d, "non2xx": %%d, "socket": %%d, "timeouts": %%d, "bytes": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max, bad,
    e.connect + e.read + e.write, e.timeout, summary.bytes))
end
"""


class Wrk:
    """wrk over loopback with exact percentiles from a Lua `done` hook."""

    def __init__(self, threads: int, connections: int, duration: int, warmup: int):
        self.threads, self.connections = threads, connections
        self.duration, self.warmup = duration, warmup

    def run(self, server: Server, name: str, paths: list[str]) -> dict:
        server.wait_idle()
        # The first request for the page since the cache was emptied: what it costs to build.
        status, size, cold = probe(server.url(paths[0]))
        lua = LUA % ", ".join(f"[==[{p}]==]" for p in paths)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(lua)
        try:
            if self.warmup:
                self._wrk(server, script.name, self.warmup)
                server.wait_idle()
            result = self._wrk(server, script.name, self.duration)
            # Requests still running when wrk stopped: not counted, but waited for.
            result["drain"] = server.wait_idle()
            # One request with nothing else running: the best of two, once warm.
            alone = min(probe(server.url(paths[0]))[2] for _ in range(2))
        finally:
            os.unlink(script.name)
        result["rps"] = result["requests"] / result["seconds"]
        if not result["requests"]:
            print(f"  {name}: no request finished within {self.duration} s")
        result.update(status=status, size=size, alone=alone * 1e6, cold=cold * 1e6)
        print(
            f"  {name:<28} {result['rps']:8.1f} req/s  p50 {ms(result['p50'])}  p95 "
            f"{ms(result['p95'])}  p99 {ms(result['p99'])}  errors {errors(result)}  "
            f"[{status}, {size / 1024:.0f} KiB, first {ms(result['cold'])}, "
            f"alone {ms(result['alone'])}, "
            f"drained in {result['drain']:.1f} s]"
        )
        return result

    def _wrk(self, server: Server, script: str, seconds: int) -> dict:
        command = [
            "wrk",
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{seconds}s",
            "--timeout",
            "120s",
            "-H",
            ": ".join(FORWARDED),
            "-s",
            script,
            server.url("/"),
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        line = next(line for line in output.splitlines() if line.startswith("RESULT "))
        return json.loads(line.removeprefix("RESULT "))


FORWARDED = ("X-Forwarded-Proto", "https")


def https_request(url: str) -> urllib.request.Request:
    """A request as the TLS-terminating proxy would pass it on."""
    return urllib.request.Request(url, headers=dict([FORWARDED]))


def probe(url: str) -> tuple[int, int, float]:
    """One request: its status, body size and seconds (so that a scenario that errors says
    so at once, and one too slow for wrk's duration still has a figure)."""
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(https_request(url), timeout=600) as response:
            status, size = response.status, len(response.read())
    except urllib.error.HTTPError as error:
        status, size = error.code, len(error.read())
    return status, size, time.perf_counter() - t0


def measure_export(server: Server, paths: list[str], runs: int) -> dict:
    """Stream the CSV download `runs` times: rows/s, and the peak RSS of the server's
    processes sampled from /proc every 20 ms."""
    url = server.url(paths[0])
    server.wait_idle()
    baseline = max(rss_kib(pid) for pid in server.pids())
    results = []
    for _ in range(runs):
        peak = [0]
        done = threading.Event()

        def sample(peak=peak, done=done) -> None:
            while not done.is_set():
                for pid in server.pids():
                    peak[0] = max(peak[0], rss_kib(pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(https_request(url), timeout=600) as response:
                status = response.status
                reader = csv.reader(io.TextIOWrapper(response, encoding="utf-8"))
                rows = sum(1 for _ in reader) - 1
        except urllib.error.HTTPError as error:
            status, rows = error.code, 0
        finally:
            elapsed = time.perf_counter() - t0
            done.set()
            sampler.join()
        results.append({"rows": rows, "seconds": elapsed, "peak_kib": peak[0], "status": status})
    best = min(results, key=lambda r: r["seconds"])
    summary = {
        "rows": best["rows"],
        "rows_per_s": best["rows"] / best["seconds"],
        "median_rows_per_s": statistics.median(r["rows"] / r["seconds"] for r in results),
        "seconds": best["seconds"],
        "peak_mib": max(r["peak_kib"] for r in results) / 1024,
        "baseline_mib": baseline / 1024,
        "status": best["status"],
    }
    print(
        f"  export: {summary['rows']} rows in {summary['seconds']:.1f} s = "
        f"{summary['rows_per_s']:.0f} rows/s (median of {runs}: "
        f"{summary['median_rows_per_s']:.0f}), peak RSS {summary['peak_mib']:.0f} MiB "
        f"(idle {summary['baseline_mib']:.0f} MiB)  [{summary['status']}]"
    )
    return summary


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of some processes, from /proc/<pid>/stat."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


# --- Report --------------------------------------------------------------------------------


def ms(microseconds: float) -> str:
    return f"{microseconds / 1000:7.1f} ms"


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.3f}" if theirs else "n/a"


def errors(result: dict) -> str:
    return f"{result['non2xx']}/{result['socket']}/{result['timeouts']}"


def report(scenarios: list[Scenario], constant: dict, args) -> None:
    print(
        f"\n== results: wrk -t{args.threads} -c{args.connections} -d{args.duration}s "
        f"(+{args.warmup}s warm-up), {args.findings:,} synthetic findings, "
        f"{args.recommendations:,} recommendations; errors = non-2xx/socket/timeouts; "
        "first = the scenario's first request, nothing cached; alone = one request with no "
        "other load, afterwards; ÷ = explorer req/s over the baseline's =="
    )
    header = (
        f"{'scenario':<17} | {'explorer req/s':>14} {'p50':>10} {'p95':>10} {'p99':>10} "
        f"{'errors':>8} {'first':>10} {'alone':>10} | {'datasette req/s':>15} {'p50':>10} "
        f"{'p95':>10} {'p99':>10} {'errors':>8} {'alone':>10} | {'÷ datasette':>11} "
        f"{'÷ constant':>10}"
    )
    print(header)
    print("-" * len(header))
    for scenario in scenarios:
        if scenario.kind == "export":
            continue
        ours, theirs = scenario.explorer, scenario.datasette
        line = (
            f"{scenario.name:<17} | {ours['rps']:14.1f} {ms(ours['p50'])} {ms(ours['p95'])} "
            f"{ms(ours['p99'])} {errors(ours):>8} {ms(ours['cold'])} {ms(ours['alone'])} | "
        )
        if theirs:
            line += (
                f"{theirs['rps']:15.1f} {ms(theirs['p50'])} {ms(theirs['p95'])} "
                f"{ms(theirs['p99'])} "
                f"{errors(theirs):>8} {ms(theirs['alone'])} | "
                f"{ratio(ours['rps'], theirs['rps']):>11} "
            )
        else:
            line += f"{'':>15} {'':>10} {'':>10} {'':>10} {'':>8} {'':>10} | {'':>11} "
        line += f"{ratio(ours['rps'], constant['rps']):>10}"
        print(line)
    print(
        f"{'constant view':<17} | {constant['rps']:14.1f} {ms(constant['p50'])} "
        f"{ms(constant['p95'])} {ms(constant['p99'])} {errors(constant):>8} "
        f"{'':>10} {ms(constant['alone'])} |"
    )
    for scenario in scenarios:
        if scenario.kind != "export":
            continue
        ours, theirs = scenario.explorer, scenario.datasette
        print(
            f"\nCSV export ({scenario.note}): explorer {ours['rows_per_s']:.0f} rows/s, peak "
            f"worker RSS {ours['peak_mib']:.0f} MiB (idle {ours['baseline_mib']:.0f}); "
            f"datasette {theirs['rows_per_s']:.0f} rows/s, peak RSS {theirs['peak_mib']:.0f} "
            f"MiB (idle {theirs['baseline_mib']:.0f}); ÷ datasette "
            f"{ratio(ours['rows_per_s'], theirs['rows_per_s'])}"
        )
    print("\nscenarios:")
    for scenario in scenarios:
        print(f"  {scenario.name:<17} {scenario.paths[0]}")
        if scenario.datasette_paths:
            print(f"  {'':<17} {scenario.datasette_paths[0]}")
        print(f"  {'':<17} {scenario.note}")


if __name__ == "__main__":
    main()
