"""python manage.py import_reports PATH [PATH ...] [--format json]

The contract is in DOMAIN.md: with --format json, one JSON object per input file on
standard output and nothing else there; progress and logs go to standard error. The exit
status is 0 only when no file was rejected or failed.
"""

import json
import sys
import time
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from inspections.importer.outcome import outcome_record
from inspections.importer.report import ImportRefused
from inspections.importer.service import (
    AuthorityResolver,
    import_source,
    store_file,
)
from inspections.themes.store import theme_tagger


def walk(paths: list[str]) -> list[Path]:
    """Files named, and files in folders named (recursively), in a stable order."""
    files = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"{name}: no such file or folder.")
    return files


class Progress:
    """A progress bar on standard error for batches; silent for a single file."""

    def __init__(self, total: int, stream):
        self.total, self.stream, self.done = total, stream, 0
        self.started = time.perf_counter()
        self.live = total > 1 and stream.isatty()

    def step(self, path: Path) -> None:
        self.done += 1
        if self.total <= 1:
            return
        width = 30
        filled = width * self.done // self.total
        line = (
            f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
            f"{time.perf_counter() - self.started:5.1f}s {path.name[:40]}"
        )
        if self.live:
            end = "\n" if self.done == self.total else ""
            self.stream.write("\r" + line.ljust(100), ending=end)
        elif self.done == self.total or self.done % max(1, self.total // 10) == 0:
            self.stream.write(line)
        self.stream.flush()


class Command(BaseCommand):
    help = "Import Ofsted reports (PDF or text) from files or folders."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, paths, format, **options):
        files = walk(paths)
        resolver, tagger = AuthorityResolver(), theme_tagger()
        progress = Progress(len(files), self.stderr)
        problems = 0
        for path in files:
            record = self.import_one(path, resolver, tagger)
            problems += record["status"] in ("rejected", "failed")
            progress.step(path)
            if format == "json":
                self.stdout.write(json.dumps(record, ensure_ascii=False))
            else:
                self.stdout.write(self.describe(record))
        if problems:
            self.stderr.write(f"{problems} of {len(files)} files were not imported.")
            sys.exit(1)

    def import_one(self, path: Path, resolver, tagger) -> dict:
        try:
            with path.open("rb") as opened:  # its size is checked before it is read
                source, _ = store_file(File(opened), path.name)
        except ImportRefused as refused:
            return outcome_record(str(path), "rejected", error=str(refused))
        except OSError as error:
            return outcome_record(
                str(path), "failed", error=f"The file could not be read: {error.strerror or error}."
            )
        attempt = import_source(source, resolver=resolver, tagger=tagger)
        return {**attempt.summary, "path": str(path)}

    def describe(self, record: dict) -> str:
        status = record["status"]
        if status in ("rejected", "failed"):
            return f"{status:9} {record['path']}: {record['error']}"
        return (
            f"{status:9} {record['path']} -> {record['url']} ({record['framework']}, "
            f"{record['findings']} findings, {record['recommendations']} recommendations)"
        )
