#!/usr/bin/env python
"""Run the importer's pure steps (no database) over files and print the import contract's
JSON Lines, for scoring parsers while developing them:

    python scripts/parse_reports.py ../shared/corpus/pdfs > /tmp/out.jsonl
    python ../shared/tools/score_import.py ../shared/corpus/labels.jsonl /tmp/out.jsonl --show

Authorities are resolved against fixtures/authorities.csv. `--dump FILE` prints one
report's parse in full instead.
"""

import argparse
import dataclasses
import json
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from django.utils.text import slugify  # noqa: E402

from inspections.authority_names import AuthorityNameIndex  # noqa: E402
from inspections.importer.outcome import outcome_record  # noqa: E402
from inspections.importer.pipeline import parse_report  # noqa: E402
from inspections.importer.report import ImportRefused  # noqa: E402
from inspections.reference import alternative_names, read_authority_rows  # noqa: E402


def authority_index():
    """Names to URNs from the bundled CSV, current authorities first (as the importer's
    AuthorityResolver does from the database), so this harness needs no database."""
    rows = read_authority_rows()
    current = [r for r in rows if r["la_code_new"]]
    former = [r for r in rows if not r["la_code_new"]]
    names = []
    for row in current + former:
        names.append((row["urn"], row["local_authority_ons_name"]))
        names += [(row["urn"], alias) for alias in alternative_names(row)]
    by_urn = {r["urn"]: r for r in rows}
    return AuthorityNameIndex(names), by_urn


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
    index, by_urn = authority_index()
    for path in files(args.paths):
        try:
            report = parse_report(path.read_bytes())
        except ImportRefused as refused:
            print(json.dumps(outcome_record(str(path), "rejected", error=str(refused))))
            continue
        except Exception as error:
            traceback.print_exc()
            print(json.dumps(outcome_record(str(path), "failed", error=repr(error))))
            continue
        if args.dump:
            print(json.dumps(dataclasses.asdict(report), default=str, indent=1))
            continue
        urn = index.resolve(report.authority_name)
        authority = None
        if urn:
            row = by_urn[urn]
            name = row["local_authority_ons_name"]
            authority = {"slug": slugify(name), "name": name, "urn": int(urn)}
        status = "created" if authority else "rejected"
        error = None if authority else f"Unknown authority {report.authority_name!r}"
        print(
            json.dumps(
                outcome_record(str(path), status, error=error, report=report, authority=authority)
            )
        )


if __name__ == "__main__":
    main()
