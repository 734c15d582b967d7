#!/usr/bin/env python
"""Import the whole corpus into a fresh PostgreSQL database and print how fast it went.

    scripts/benchmark_import [CORPUS] [--database-url postgres://postgres@127.0.0.1:5432/postgres]

1. The real import: `import_reports CORPUS` into a new, migrated database named
   explorer_bench (dropped and recreated), timed end to end: files, pages and findings per
   second, and the peak memory (RSS) of the process.
2. Where the time goes: the pure steps (read, structure, recognise and extract, tag) timed
   one by one over the same files, and the rest (saving) by difference.
"""

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import postgres  # noqa: E402
from benchmarks.processes import peak_rss_mib  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared/corpus/pdfs"))
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    database_url = postgres.on_same_server(args.database_url, "explorer_bench")
    postgres.create(database_url, replace=True)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["MEDIA_ROOT"] = "/tmp/explorer-bench-media"
    os.environ["DJANGO_SETTINGS_MODULE"] = "explorer.settings"

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from inspections.importer.read import read_document
    from inspections.importer.recognise import recognise
    from inspections.importer.report import ImportRefused
    from inspections.importer.structure import structure
    from inspections.management.commands.import_reports import walk
    from inspections.models import Finding, Inspection, Recommendation
    from inspections.themes.features import Paragraph
    from inspections.themes.store import theme_tagger

    files = walk([args.corpus])
    devnull = open(os.devnull, "w")  # noqa: SIM115 - held for the command's lifetime
    started = time.perf_counter()
    # Some files are rejected on purpose (the saved web page), so the command exits 1.
    with contextlib.suppress(SystemExit):
        call_command("import_reports", args.corpus, format="json", stdout=devnull, stderr=devnull)
    total = time.perf_counter() - started
    peak_mb = peak_rss_mib()

    steps = dict.fromkeys(["read", "structure", "recognise+extract", "tag"], 0.0)
    pages = 0
    tagger = theme_tagger()
    for path in files:
        data = path.read_bytes()
        t0 = time.perf_counter()
        try:
            document = read_document(data)
        except ImportRefused:
            continue
        t1 = time.perf_counter()
        text = structure(document)
        t2 = time.perf_counter()
        try:
            report = recognise(text).extract(text)
        except ImportRefused:
            continue
        t3 = time.perf_counter()
        tagger.tag(
            [Paragraph(f.text, f.section, "finding") for f in report.findings]
            + [Paragraph(r.text, "", "recommendation") for r in report.recommendations]
        )
        t4 = time.perf_counter()
        pages += document.page_count
        steps["read"] += t1 - t0
        steps["structure"] += t2 - t1
        steps["recognise+extract"] += t3 - t2
        steps["tag"] += t4 - t3

    findings, recommendations = Finding.objects.count(), Recommendation.objects.count()
    print(
        f"corpus: {len(files)} files, {pages} pages -> {Inspection.objects.count()} "
        f"inspections, {findings} findings, {recommendations} recommendations"
    )
    print(
        f"import: {total:.1f} s, {pages / total:.0f} pages/s, {len(files) / total:.1f} "
        f"files/s, {findings / total:.0f} findings/s, peak RSS {peak_mb:.0f} MB"
    )
    print("where the time goes:")
    for step, seconds in steps.items():
        print(f"  {step:<18} {seconds:6.2f} s  {100 * seconds / total:5.1f}%")
    rest = total - sum(steps.values())
    print(f"  {'save (the rest)':<18} {rest:6.2f} s  {100 * rest / total:5.1f}%")


if __name__ == "__main__":
    main()
