"""Count the listing cells afresh (inspections/listing_cells.py).

Every change of the public data rebuilds them once it is committed; this is for a database
whose cells were never counted (just migrated, or restored from a backup) or whose rebuild
failed (the listings count their rows meanwhile, slower but right).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from inspections import listing_cells


class Command(BaseCommand):
    help = "Count the findings' and recommendations' listing cells for the current data."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--database", default="default")

    def handle(self, *args, database: str, **options) -> None:
        started = time.perf_counter()
        written = listing_cells.rebuild(database)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{written} listing cells counted in {elapsed:.1f} s")
