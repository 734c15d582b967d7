#!/usr/bin/env python
"""Build every URL of the last crawl again, one after another in this process, and say where
the time goes: per page type, and (--profile N) the N costliest functions.

    .venv/bin/python scripts/profile_crawl.py                 # after scripts/benchmark_web
    .venv/bin/python scripts/profile_crawl.py --profile 40 --sort tottime
    .venv/bin/python scripts/profile_crawl.py --only "authority pages"

The URLs are those `scripts/benchmark_web`'s crawl gathered (.bench/crawl-urls.txt), and the
database is its `explorer_web_bench` (DATABASE_URL to use another). The cache is this
process's own memory, emptied first, as the crawl empties Redis: each summary, fragment and
page is built once, then reused as under the crawl. One process and no concurrency, so the
figures are what the work costs, not what waiting for a core costs; compare two versions of
the code with it, one after the other.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", default=str(ROOT / ".bench" / "crawl-urls.txt"))
    parser.add_argument("--only", help="one page type (as the crawl's report names them)")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime")
    args = parser.parse_args()
    from benchmarks import postgres
    from benchmarks.crawl import kind_of

    os.environ.setdefault(
        "DATABASE_URL",
        postgres.on_same_server("postgres://postgres@127.0.0.1:5432/postgres", postgres.WEB_BENCH),
    )
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "explorer.settings",
            "DEBUG": "false",
            "SECRET_KEY": "profile-crawl-only-" + "x" * 40,
            "ALLOWED_HOSTS": "testserver",
            "CACHE_URL": "locmem://profile-crawl",
            "PUBLIC_LISTING_RATE": "off",
        }
    )
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    paths = [line.strip() for line in Path(args.urls).read_text().splitlines() if line.strip()]
    if args.only:
        paths = [path for path in paths if kind_of(path) == args.only]
    client = Client()
    cache.clear()
    by_kind: dict[str, list[float]] = defaultdict(list)
    profile = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profile:
        profile.enable()
    for path in paths:
        began = time.perf_counter()
        client.get(path, secure=True)  # as behind the TLS-terminating proxy
        by_kind[kind_of(path)].append(time.perf_counter() - began)
    if profile:
        profile.disable()
    total = time.perf_counter() - started
    print(f"{len(paths)} URLs in {total:.1f} s: {total / max(len(paths), 1) * 1000:.1f} ms each")
    for kind, times in sorted(by_kind.items(), key=lambda item: -sum(item[1])):
        print(
            f"  {kind:38} {len(times):5} URLs {sum(times):7.2f} s "
            f"{sum(times) / len(times) * 1000:7.1f} ms each"
        )
    if profile:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.profile)


if __name__ == "__main__":
    main()
