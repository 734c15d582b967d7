#!/usr/bin/env python
"""Hold 64 connections on gunicorn for 60 s with a mix of public pages; print what happened.

    scripts/load_test [--database-url postgres://postgres@127.0.0.1:5432/explorer_load]
                      [--corpus ../shared/corpus/pdfs] [--connections 64] [--seconds 60]
                      [--workers 5] [--reimport]

1. The database (created if missing) is migrated and, when it holds no inspection (or
   with --reimport), the corpus is imported into it.
2. gunicorn serves the explorer from it on a free loopback port, with production
   settings (DEBUG off; static files from the app folders: tests/process_settings.py).
3. wrk (apt: wrk) holds the connections for the duration, each request the next URL of
   a rotating mix read from the database: home, listings with filters, full-text search,
   facets, authority, inspection, finding and recommendation pages, themes, feeds,
   /healthz and a filtered CSV export.
4. It prints requests/s, latency percentiles, socket errors and status codes (any 5xx is
   a failure: the script exits 1), and the resident memory of gunicorn's workers before
   and after.

Traffic goes to 127.0.0.1 only, and stops by itself after the duration.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))

from benchmarks import postgres  # noqa: E402
from benchmarks.processes import children, free_port, rss_kib, status_of, wait_for_200  # noqa: E402

LUA = r"""
-- Rotate through the URLs in the file named by the environment (each thread starts at a
-- different place) and count the statuses; done() prints them with the latencies.
local urls = {}
for line in io.lines(os.getenv("LOAD_URLS")) do urls[#urls + 1] = line end
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  i = id * 97
end

function request()
  i = i % #urls + 1
  return wrk.format("GET", urls[i])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + n
    end
  end
  local keys = {}
  for status in pairs(totals) do keys[#keys + 1] = status end
  table.sort(keys)
  for _, status in ipairs(keys) do
    io.write(string.format("STATUS %d %d\n", status, totals[status]))
  end
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("LATENCY p%s %.1f\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("LATENCY max %.1f\n", latency.max / 1000))
  io.write(string.format("TOTAL %d %.2f\n", summary.requests, summary.duration / 1e6))
  local e = summary.errors
  io.write(string.format("ERRORS connect=%d read=%d write=%d timeout=%d status=%d\n",
    e.connect, e.read, e.write, e.timeout, e.status))
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/explorer_load"
    )
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "pdfs"))
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=4, help="wrk's threads")
    parser.add_argument("--reimport", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="explorer-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.process_settings",
        DATABASE_URL=args.database_url,
        SECRET_KEY=os.environ.get("SECRET_KEY", "load-test-only"),
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        MEDIA_ROOT=str(work / "media"),
        PYTHONPATH=str(ROOT),
    )
    prepare_database(args, env)
    urls = url_mix(env)
    (work / "urls.txt").write_text("\n".join(urls) + "\n")
    (work / "mix.lua").write_text(LUA)

    port = free_port()
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "explorer.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        # Django logs every 404 and 500: to the file; its errors are shown at the end.
        stdout=(work / "gunicorn.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_200(base + "/healthz")
        urls = check_urls(base, urls)
        (work / "urls.txt").write_text("\n".join(urls) + "\n")
        workers = sorted(children(server.pid))
        rss_start = {pid: rss_kib(pid) / 1024 for pid in workers}
        print(
            f"gunicorn: {len(workers)} workers (gunicorn.conf.py) on {base}, database "
            f"{args.database_url.rsplit('/', 1)[-1]}; {len(urls)} URLs in the mix"
        )
        print(f"wrk: {args.connections} connections, {args.threads} threads, {args.seconds} s")
        result = subprocess.run(
            [
                "wrk",
                "--threads",
                str(args.threads),
                "--connections",
                str(args.connections),
                "--duration",
                f"{args.seconds}s",
                "--timeout",
                "30s",
                "--script",
                str(work / "mix.lua"),
                base,
            ],
            env={**os.environ, "LOAD_URLS": str(work / "urls.txt")},
            capture_output=True,
            text=True,
            check=True,
        )
        still = sorted(children(server.pid))
        rss_end = {pid: rss_kib(pid) / 1024 for pid in still}
        failed = report(result.stdout, rss_start, rss_end, workers, still)
        errors = [
            line
            for line in (work / "gunicorn.log").read_text().splitlines()
            if "Error" in line or "CRITICAL" in line
        ]
        print(f"errors in gunicorn's log: {len(errors)}")
        print("\n".join(errors[-10:]))
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed else 0)


def prepare_database(args, env: dict) -> None:
    import psycopg

    postgres.create(args.database_url)
    manage(env, "migrate", "--verbosity", "0")
    with psycopg.connect(args.database_url) as db:
        inspections = db.execute("SELECT count(*) FROM inspections_inspection").fetchone()[0]
    if inspections == 0 or args.reimport:
        corpus = args.corpus if Path(args.corpus).exists() else str(ROOT / "fixtures" / "reports")
        print(f"importing {corpus} ...", flush=True)
        started = time.monotonic()
        # Some corpus files are rejected on purpose (saved web pages), so it exits 1.
        subprocess.run(
            [PYTHON, "manage.py", "import_reports", corpus],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            check=False,
        )
        print(f"imported in {time.monotonic() - started:.0f} s", flush=True)


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], env=env, cwd=ROOT, check=True)


def url_mix(env: dict) -> list[str]:
    """Public URLs to rotate through, read from the database, in a fixed random order."""
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as db:

        def column(sql: str) -> list:
            return [row[0] for row in db.execute(sql).fetchall()]

        authorities = column(
            "SELECT a.slug FROM inspections_authority a WHERE EXISTS "
            "(SELECT 1 FROM inspections_inspection i WHERE i.authority_id = a.id)"
        )
        inspections = column("SELECT slug FROM inspections_inspection")
        findings = column(
            "SELECT public_id FROM inspections_finding WHERE NOT is_hidden "
            "AND withdrawn_at IS NULL ORDER BY id"
        )
        recommendations = column(
            "SELECT public_id FROM inspections_recommendation WHERE NOT is_hidden "
            "AND withdrawn_at IS NULL ORDER BY id"
        )
        themes = column("SELECT slug FROM inspections_theme")
        years = column(
            "SELECT DISTINCT CAST(EXTRACT(YEAR FROM start_date) AS integer) "
            "FROM inspections_inspection"
        )
        grades = ["good", "inadequate", "requires_improvement", "outstanding"]
    rng = random.Random(6)
    urls = ["/", "/healthz", "/authorities/", "/themes/", "/findings/", "/recommendations/"]
    urls += ["/feeds/inspections/", "/about/"]
    urls += [f"/authorities/{slug}/" for slug in rng.sample(authorities, min(30, len(authorities)))]
    urls += [f"/inspections/{slug}/" for slug in rng.sample(inspections, min(30, len(inspections)))]
    urls += [f"/findings/{pid}/" for pid in rng.sample(findings, min(60, len(findings)))]
    urls += [
        f"/recommendations/{pid}/"
        for pid in rng.sample(recommendations, min(30, len(recommendations)))
    ]
    urls += [f"/themes/{slug}/" for slug in rng.sample(themes, min(10, len(themes)))]
    for _ in range(40):
        kind = rng.choice(["findings", "recommendations"])
        params = [f"theme={rng.choice(themes)}"]
        if rng.random() < 0.5:
            params.append(f"year={rng.choice(years)}")
        if rng.random() < 0.4:
            params.append(f"grade={rng.choice(grades)}")
        if rng.random() < 0.3:
            params.append(f"page={rng.randint(2, 4)}")
        urls.append(f"/{kind}/?{'&'.join(params)}")
    for word in ["neglect", "supervision", "missing", "care leavers", "management oversight"]:
        urls.append(f"/findings/?q={word.replace(' ', '+')}")
        urls.append(f"/recommendations/?q={word.replace(' ', '+')}")
    urls.append(f"/findings/?authority={rng.choice(authorities)}&format=csv")
    urls.append(f"/recommendations/?theme={rng.choice(themes)}&format=json")
    rng.shuffle(urls)
    return urls


def report(output: str, rss_start: dict, rss_end: dict, workers, still) -> bool:
    statuses: dict[int, int] = {}
    lines = {}
    for line in output.splitlines():
        parts = line.split()
        if parts and parts[0] == "STATUS":
            statuses[int(parts[1])] = int(parts[2])
        elif parts and parts[0] in ("LATENCY", "TOTAL", "ERRORS"):
            lines.setdefault(parts[0], []).append(parts[1:])
    total, seconds = int(lines["TOTAL"][0][0]), float(lines["TOTAL"][0][1])
    print(f"requests: {total} in {seconds:.1f} s = {total / seconds:.1f} requests/s")
    print("statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    print("latency (ms): " + ", ".join(f"{name} {value}" for name, value in lines["LATENCY"]))
    print("socket errors: " + " ".join(lines["ERRORS"][0]))
    print("worker RSS (MB) at start: " + ", ".join(f"{v:.0f}" for v in rss_start.values()))
    print("worker RSS (MB) at end:   " + ", ".join(f"{v:.0f}" for v in rss_end.values()))
    if set(workers) != set(still):
        print(f"workers restarted during the run: {sorted(set(workers) - set(still))}")
    server_errors = sum(n for s, n in statuses.items() if s >= 500)
    socket_errors = sum(int(part.split("=")[1]) for part in lines["ERRORS"][0][:4])
    print(f"5xx: {server_errors}; socket errors: {socket_errors}")
    return bool(server_errors or socket_errors)


def check_urls(base: str, urls: list[str]) -> list[str]:
    """Fetch each URL once, alone: drop those not answering 200 (say which), and print
    the slowest, so the figures under load can be read against them."""
    timed, dropped = [], []
    for path in urls:
        started = time.perf_counter()
        status = status_of(base + path)
        elapsed = time.perf_counter() - started
        (timed if status == 200 else dropped).append((elapsed, path, status))
    for _, path, status in dropped:
        print(f"left out of the mix: {path} answered {status}")
    timed.sort(reverse=True)
    total = sum(elapsed for elapsed, _, _ in timed)
    print(
        f"each URL alone: {len(timed)} answered 200 in {total:.1f} s "
        f"(mean {1000 * total / len(timed):.0f} ms); slowest:"
    )
    for elapsed, path, _ in timed[:6]:
        print(f"  {1000 * elapsed:7.0f} ms  {path}")
    return [path for _, path, _ in sorted(timed, key=lambda t: urls.index(t[1]))]


if __name__ == "__main__":
    main()
