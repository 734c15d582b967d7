"""python manage.py restore FOLDER [--portable] (scripts/restore FOLDER [--portable])

Restores a folder written by `backup` into an EMPTY database and media folder
(DATABASE_URL and MEDIA_ROOT name the targets):
- PostgreSQL backup into PostgreSQL: pg_restore of postgresql.dump (exact), then
  `migrate` (applies migrations newer than the backup, if the code is newer).
- Anything else (SQLite, a move between SQLite and PostgreSQL, or --portable):
  `migrate`, then the reference rows the migrations made are removed (`flush`: the
  backup has them as the curators left them, merged themes included) and data.json.gz
  is loaded; loaddata resets PostgreSQL's id sequences.
- media.tar is unpacked into MEDIA_ROOT.

It refuses a database that already holds inspections or source documents, and a media
folder that already holds files: restoring never overwrites data.
"""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from inspections import listing_cells


class Command(BaseCommand):
    help = "Restore a folder made by `backup` into an empty database and media folder."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--portable", action="store_true", help="load data.json.gz even into PostgreSQL"
        )

    def handle(self, *args, folder: Path, portable: bool, **options):
        manifest = json.loads((folder / "MANIFEST.json").read_text())
        media = Path(settings.MEDIA_ROOT)
        if media.exists() and any(p.is_file() for p in media.rglob("*")):
            raise CommandError(f"{media} already holds files: restore into an empty media folder.")
        _refuse_unless_empty()

        dump = folder / "postgresql.dump"
        if connection.vendor == "postgresql" and dump.exists() and not portable:
            if connection.introspection.table_names():
                raise CommandError(
                    "pg_restore needs a database without tables: create a new one (createdb), "
                    "or restore with --portable."
                )
            connection.close()
            subprocess.run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    "--dbname",
                    os.environ["DATABASE_URL"],
                    str(dump),
                ],
                check=True,
            )
            call_command("migrate", verbosity=0)
            how = "pg_restore of postgresql.dump"
        else:
            call_command("migrate", verbosity=0)
            # The migrations' reference rows (authorities, themes, ...) give way to the
            # backup's; content types and permissions are made again by flush's post-migrate.
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(folder / "data.json.gz"), verbosity=0)
            # The backup leaves out the listing cells, which are counted from the records.
            listing_cells.rebuild()
            how = "loaddata of data.json.gz"

        media.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / "media.tar") as tar:
            # The "data" filter refuses absolute paths, links out and device files.
            tar.extractall(media, filter="data")
        self.stdout.write(
            f"Restored the {manifest['database']} backup of {manifest['created_at']} into "
            f"{connection.vendor} ({how}) and {media}."
        )


def _refuse_unless_empty() -> None:
    """Stop unless the database holds no inspection and no source document (or has no
    tables yet)."""
    tables = set(connection.introspection.table_names())
    for table in ("inspections_inspection", "inspections_sourcedocument"):
        if table in tables:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")
                if cursor.fetchone():
                    raise CommandError(
                        f"The database already holds data ({table}): restore into an empty "
                        "database, or drop this one first."
                    )
