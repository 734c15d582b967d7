"""PostgreSQL's stored search vector reads curly apostrophes and quotes as straight ones.

Depending on the database's locale, PostgreSQL's parser reads "’" as part of a word, so
"children’s" was indexed as one word and never found by "children's" (nor the reverse).
The generated column now indexes translate(text, curly, straight), with the characters
inspections.search.normalise() straightens in queries; its GIN index is rebuilt with it.
SQLite is left alone: its search (migration 0012) reads these characters as separators.
"""

from django.db import migrations


TABLES = ("inspections_finding", "inspections_recommendation")
COLUMN = "search_vector"
# As inspections.search.CURLY_QUOTES and STRAIGHT_QUOTES were when this was written (a
# migration keeps its own copy: it must mean the same whatever the code says later).
CURLY_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u02bc\uff07\u201c\u201d\u201e\u201f\u2033\uff02"
STRAIGHT_QUOTES = "'" * 7 + '"' * 6


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


STRAIGHTENED = f"translate(text, {_literal(CURLY_QUOTES)}, {_literal(STRAIGHT_QUOTES)})"


def _recreate(schema_editor, source: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {COLUMN}")
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN {COLUMN} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('english'::regconfig, {source})) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {table}_search ON {table} USING gin ({COLUMN})")


def straighten(apps, schema_editor):
    _recreate(schema_editor, STRAIGHTENED)


def as_before(apps, schema_editor):
    _recreate(schema_editor, "text")


class Migration(migrations.Migration):
    dependencies = [("inspections", "0010_newest_published_date")]

    operations = [migrations.RunPython(straighten, as_before)]
