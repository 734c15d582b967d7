#!/usr/bin/env python
"""Run the import over files without storing or saving anything and print the import
contract's JSON Lines, for scoring parsers while developing them:

    python scripts/parse_reports.py ../shared/corpus/pdfs > /tmp/out.jsonl
    python ../shared/tools/score_import.py ../shared/corpus/labels.jsonl /tmp/out.jsonl --show

Each file goes the import's own way (service.dry_run_outcome: parse, resolve, the same
refusals), with authorities resolved against fixtures/authorities.csv, so no database is
needed. `--dump` prints each report's parse in full instead.
"""

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def files(paths):
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        else:
            yield path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--dump", action="store_true", help="print each parse in full")
    args = parser.parse_args()
    # Settings for the import's limits; no database is opened.
    os.environ.setdefault("SECRET_KEY", "parse-reports-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "explorer.settings")
    import django

    django.setup()
    from inspections.importer.service import AuthorityResolver, dry_run_outcome, preview_data

    resolver = AuthorityResolver.from_reference()
    for path in files(args.paths):
        data = path.read_bytes()
        report = preview_data(data, resolver).report if args.dump else None
        if report is not None:
            print(json.dumps(dataclasses.asdict(report), default=str, indent=1))
        else:  # the outcome; with --dump, of a file refused before it was parsed
            print(json.dumps(dry_run_outcome(str(path), data, resolver)))


if __name__ == "__main__":
    main()
