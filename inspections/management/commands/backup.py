"""python manage.py backup FOLDER (scripts/backup FOLDER)

Backs up everything the explorer holds into one folder; `restore` puts it back.
DATABASE_URL and MEDIA_ROOT are read as for the site. FOLDER (created; must not exist yet)
then holds:
- data.json.gz: every record (authorities, themes, inspections, findings with their
  permalinks and curators' corrections, users, the admin's history) as Django fixtures,
  portable between SQLite and PostgreSQL. Content types and permissions are written by
  their natural keys and rebuilt by `migrate`; sessions are left out. Timestamps keep
  milliseconds.
- postgresql.dump: on PostgreSQL also `pg_dump --format=custom`, the exact database
  (restored with pg_restore when the target is PostgreSQL too).
- media.tar: the uploaded source documents (MEDIA_ROOT), the evidence behind the records.
- MANIFEST.json: when, from which kind of database, at which migrations, how many rows.

The dump runs in one transaction (PostgreSQL: REPEATABLE READ; SQLite: one read), so the
site can stay up while it runs.
"""

from __future__ import annotations

import datetime
import gzip
import json
import os
import subprocess
import tarfile
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

# Made again by `migrate` (content types, permissions) or not worth keeping (sessions).
# Made again on their own: content types and permissions by migrate, the listing cells
# (counts derived from the records) by restore.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "inspections.ListingCell"]


class Command(BaseCommand):
    help = "Back up the database and the stored files into a new folder."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="created; must not exist yet")

    def handle(self, *args, folder: Path, **options):
        try:
            folder.mkdir(parents=True, exist_ok=False)
        except FileExistsError as error:
            raise CommandError(f"{folder} already exists: back up into a new folder.") from error
        vendor = connection.vendor

        with transaction.atomic():
            if vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            with gzip.open(folder / "data.json.gz", "wt", encoding="utf-8") as out:
                call_command(
                    "dumpdata",
                    natural_foreign=True,
                    exclude=EXCLUDED,
                    indent=None,
                    stdout=out,
                    verbosity=0,
                )
            migrations = sorted(
                f"{app}.{name}"
                for app, name in MigrationRecorder.Migration.objects.values_list("app", "name")
            )
        if vendor == "postgresql":
            subprocess.run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    str(folder / "postgresql.dump"),
                    "--dbname",
                    os.environ["DATABASE_URL"],
                ],
                check=True,
            )
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(folder / "media.tar", "w") as tar:
            if media.exists():
                tar.add(media, arcname=".")

        with gzip.open(folder / "data.json.gz", "rt", encoding="utf-8") as dumped:
            rows = json.load(dumped)
        counts = Counter(row["model"] for row in rows)
        manifest = {
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "database": vendor,
            "migrations": migrations,
            "rows": dict(sorted(counts.items())),
            "files": sorted(os.listdir(folder)),
        }
        (folder / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n")
        self.stdout.write(
            f"Backed up {len(rows)} records and {_count_files(media)} stored files "
            f"from {vendor} to {folder}."
        )


def _count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0
