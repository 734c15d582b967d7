"""Full-text search on PostgreSQL: a stored tsvector per finding and recommendation, indexed.

`search_vector` is a generated column (to_tsvector('english', text), kept in step by
PostgreSQL itself) with a GIN index. It exists on PostgreSQL only, outside Django's model
state: SQLite has no tsvector, and leaving it out of the models keeps Django from selecting
it with every row. inspections/search.py reads it; SQLite searches the text instead.
Nothing here changes the model state, so `makemigrations --check` stays clean on both.
"""

from django.db import migrations

TABLES = ("inspections_finding", "inspections_recommendation")
COLUMN = "search_vector"


def add_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN {COLUMN} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {table}_search ON {table} USING gin ({COLUMN})")


def remove_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {COLUMN}")


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_reference_data")]

    operations = [migrations.RunPython(add_search_vectors, remove_search_vectors)]
