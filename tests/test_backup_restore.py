"""A backup (`manage.py backup`) restored (`manage.py restore`) into an empty database gives back
every record, every curator's correction and every permalink, and the stored files.

Real commands in real processes, on the suite's backend: reports imported, then corrected
as a curator would (a hidden finding, a corrected grade, chosen themes, a merged theme, a
corrected title, an alternative name, a curator account), backed up, restored into a
database with no tables at all, and compared table by table and permalink by permalink.
"""

from __future__ import annotations

import datetime
import json
import re
import subprocess

import pytest

from .conftest import REPORTS, ROOT
from .throwaway import ON_POSTGRESQL, Database, Databases

pytestmark = pytest.mark.slow  # real processes: backup and restore commands

REPORT_FILES = sorted(REPORTS.glob("seed_*.txt"))

# What a curator does in the admin, done with the admin's own code where it has one.
CURATE = """
import json
from django.contrib.auth.models import Group, User
from inspections.admin import merge_themes
from inspections.models import *
from inspections.permissions import CURATOR_GROUP

curator = User.objects.create_user("curator", "c@example.org", "correct horse 123", is_staff=True)
curator.groups.add(Group.objects.get(name=CURATOR_GROUP))
hidden = Finding.objects.order_by("id")[3]
hidden.is_hidden = True
hidden.curated_fields = ["is_hidden"]
hidden.save()
judgement = Judgement.objects.filter(area="overall").order_by("id").first()
judgement.grade = "inadequate" if judgement.grade != "inadequate" else "good"
judgement.words = "Corrected by a curator"
judgement.curated_fields = ["grade", "words"]
judgement.save()
chosen = Recommendation.objects.order_by("id")[2]
chosen.themes.set([Theme.objects.get(slug="voice-of-child")], through_defaults={"reason": ""})
chosen.curated_fields = ["themes"]
chosen.save()
inspection = Inspection.objects.order_by("id").first()
inspection.title = "Corrected title"
inspection.curated_fields = ["title"]
inspection.save()
merge_themes(Theme.objects.get(slug="neglect"), [Theme.objects.get(slug="domestic-abuse")])
AlternativeName.objects.create(
    authority=Authority.objects.get(slug="somerset"), name="Somerset County Council (old)"
)
print(json.dumps({
    "hidden": hidden.public_id,
    "judgement": judgement.pk,
    "grade": judgement.grade,
    "chosen": chosen.public_id,
    "inspection": inspection.slug,
}))
"""

# Every permalink's status, and the text of those shown, as the public site answers.
PERMALINKS = """
import json
from django.test import Client
from inspections.models import Finding, Inspection, Recommendation
client = Client(SERVER_NAME="localhost")
answers = {}
for record in [*Finding.objects.all(), *Recommendation.objects.all()]:
    response = client.get(record.get_absolute_url())
    answers[record.get_absolute_url()] = response.status_code
for inspection in Inspection.objects.all():
    answers[inspection.get_absolute_url()] = client.get(inspection.get_absolute_url()).status_code
print(json.dumps(answers))
"""

# Compared through their natural keys: their ids are remade by `migrate` on restore.
BY_NATURAL_KEY = {
    "django_content_type",
    "auth_permission",
    "auth_group_permissions",
    "auth_user_user_permissions",
    "django_admin_log",
    "django_session",
    "django_migrations",  # when each was applied differs, by design
    "inspections_dataversion",  # a restore is a change: pages' validators must move on
}
GROUP_PERMISSIONS = (
    "SELECT g.name, ct.app_label, p.codename FROM auth_group_permissions gp "
    "JOIN auth_group g ON g.id = gp.group_id JOIN auth_permission p ON p.id = gp.permission_id "
    "JOIN django_content_type ct ON ct.id = p.content_type_id"
)
# Many-to-many tables Django makes itself: a backup keeps their pairs, not their row ids.
PAIRS_ONLY = {
    "inspections_authority_successors",
    "inspections_listingcell",  # counted again by the restore
    "inspections_recommendation_evidence",
    "auth_user_groups",
}
# SQLite's search indexes (migration 0012_sqlite_search), and what is asked of them.
SEARCH_INDEX = re.compile(r"^inspections_\w+_fts(_\w+)?$")
SEARCHES = ["care", "supervision NOT neglect", '"management oversight"']
# A time of day as text, to the millisecond: SQLite keeps what was written, and a whole
# second may be written with or without ".000".
TIME_OF_DAY = re.compile(r"\b(\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\b")


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    made = Databases(tmp_path_factory.mktemp("backups"))
    yield made
    made.drop_all()


def shell(database: Database, code: str) -> dict:
    out = database.manage("shell", "--command", code)
    return json.loads(out.strip().splitlines()[-1])


def tables(database: Database) -> list[str]:
    if database.vendor == "postgresql":
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    return sorted(row[0] for row in database.query(sql))


def normalise(value, milliseconds: bool):
    """A value as compared: datetimes to the millisecond where the route keeps no more."""
    if not milliseconds:
        return value
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    if isinstance(value, str):
        return TIME_OF_DAY.sub(lambda m: f"{m[1]}.{(m[2] or '').ljust(6, '0')[:3]}", value)
    return value


def contents(database: Database, milliseconds: bool) -> dict[str, list]:
    """Every row of every table, sorted, except the tables compared by natural key."""
    everything = {}
    for table in tables(database):
        if table in BY_NATURAL_KEY:
            continue
        if SEARCH_INDEX.match(table):
            # SQLite's FTS5 index (and its shadow tables) is derived from the text and laid
            # out by the order rows were written: compared by what it answers.
            if table.endswith("_fts"):
                everything[table] = [
                    sorted(database.query(f"SELECT rowid FROM {table} WHERE {table} MATCH '{q}'"))
                    for q in SEARCHES
                ]
                assert everything[table][0], f"{table} finds nothing"
            continue
        rows = database.query(f"SELECT * FROM {table}")
        if table in PAIRS_ONLY:  # the first column is the row's id
            rows = [row[1:] for row in rows]
        everything[table] = sorted(
            (tuple(normalise(v, milliseconds) for v in row) for row in rows), key=repr
        )
    everything["group permissions"] = sorted(database.query(GROUP_PERMISSIONS))
    everything["migrations"] = sorted(database.query("SELECT app, name FROM django_migrations"))
    return everything


def files(database: Database) -> dict[str, bytes]:
    return {
        str(p.relative_to(database.media)): p.read_bytes()
        for p in database.media.rglob("*")
        if p.is_file()
    }


ROUTES = ["native", "portable"] if ON_POSTGRESQL else ["portable"]


@pytest.mark.parametrize("route", ROUTES)
def test_a_backup_restored_into_an_empty_database_gives_back_everything(databases, tmp_path, route):
    original = databases.migrated()
    original.manage("import_reports", *map(str, REPORT_FILES))
    curated = shell(original, CURATE)
    original_permalinks = shell(original, PERMALINKS)

    backup = tmp_path / "backup"
    original.manage("backup", str(backup))
    restored = databases.empty()
    restored.manage("restore", str(backup), *(["--portable"] if route == "portable" else []))

    milliseconds = route == "portable"
    before, after = contents(original, milliseconds), contents(restored, milliseconds)
    assert before.keys() == after.keys()
    for table in before:
        assert after[table] == before[table], table
    assert files(restored) == files(original)
    version = "SELECT version FROM inspections_dataversion"
    assert restored.query(version)[0][0] >= original.query(version)[0][0]
    assert shell(restored, PERMALINKS) == original_permalinks

    # The corrections themselves, read back from the restored database.
    assert restored.query(
        "SELECT is_hidden, curated_fields FROM inspections_finding WHERE public_id = %s",
        (curated["hidden"],),
    ) in ([(True, ["is_hidden"])], [(1, '["is_hidden"]')])
    assert original_permalinks[f"/findings/{curated['hidden']}/"] != 200
    assert restored.query(
        "SELECT grade FROM inspections_judgement WHERE id = %s", (curated["judgement"],)
    ) == [(curated["grade"],)]
    assert restored.query("SELECT slug FROM inspections_theme WHERE slug = 'domestic-abuse'") == []
    assert restored.query(
        "SELECT t.slug FROM inspections_recommendationtheme rt "
        "JOIN inspections_theme t ON t.id = rt.theme_id "
        "JOIN inspections_recommendation r ON r.id = rt.recommendation_id "
        "WHERE r.public_id = %s",
        (curated["chosen"],),
    ) == [("voice-of-child",)]

    # The restored site goes on: new rows get new ids (sequences were reset), and
    # importing the same reports again changes nothing a curator corrected.
    restored.manage("import_reports", str(REPORTS / "ilacs_bristol_2023.pdf"))
    out = restored.manage("import_reports", *map(str, REPORT_FILES), "--format", "json")
    assert {json.loads(line)["status"] for line in out.splitlines()} <= {"unchanged", "updated"}
    assert restored.query(
        "SELECT grade FROM inspections_judgement WHERE id = %s", (curated["judgement"],)
    ) == [(curated["grade"],)]
    assert shell(restored, PERMALINKS).items() >= original_permalinks.items()


def test_restore_refuses_a_database_that_holds_data(databases, tmp_path):
    original = databases.migrated()
    original.manage("import_reports", str(REPORT_FILES[0]))
    original.manage("backup", str(tmp_path / "backup"))
    result = subprocess.run(
        # Through the README's wrapper, which runs `manage.py restore`.
        [str(ROOT / "scripts" / "restore"), str(tmp_path / "backup")],
        env=original.env(MEDIA_ROOT=str(tmp_path / "elsewhere")),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode != 0
    assert "already holds data" in result.stderr
    assert original.query("SELECT count(*) FROM inspections_inspection") == [(1,)]
