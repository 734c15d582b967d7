"""Full-text search on SQLite: an FTS5 table per searched table, kept in step by triggers.

Each of inspections_finding and inspections_recommendation gets `<table>_fts`, an FTS5
index of its `text` (an external-content table: the text is not stored twice) with the
porter tokenizer, so that SQLite stems, ranks (bm25) and reads phrases, `or` and `-word`
as PostgreSQL's websearch_to_tsquery does (inspections/search.py). Triggers keep it in
step with every insert, update and delete, whoever writes: the ORM, QuerySet.update,
bulk_create or raw SQL. Tokens are split at anything but letters and digits, as
PostgreSQL's parser splits them; "ʼ" (a modifier letter, so a letter to unicode61) is a
separator too, with the other apostrophes. Diacritics are kept, as PostgreSQL keeps them.

Django's SQLite schema editor alters a table by copying it to a new one, which drops its
triggers: a later migration that alters either table must create these triggers again
(tests/test_search.py fails, as the search finds nothing new, if it does not).

PostgreSQL is left alone: it searches its stored tsvector (migrations 0003 and 0011).
Nothing here changes the model state, so `makemigrations --check` stays clean on both.
"""

from django.db import migrations

TABLES = ("inspections_finding", "inspections_recommendation")
TOKENIZE = "porter unicode61 remove_diacritics 0 separators '\u02bc'"


def _statements(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5("
        f"text, content='{table}', content_rowid='id', tokenize=\"{TOKENIZE}\")",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, text) VALUES (new.id, new.text); END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, text) VALUES ('delete', old.id, old.text); END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF text ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, text) VALUES ('delete', old.id, old.text); "
        f"INSERT INTO {fts}(rowid, text) VALUES (new.id, new.text); END",
        # Index what is there already.
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in TABLES:
        for statement in _statements(table):
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in TABLES:
        fts = f"{table}_fts"
        for trigger in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {fts}")


class Migration(migrations.Migration):
    dependencies = [("inspections", "0011_search_straight_quotes")]

    operations = [migrations.RunPython(create, drop)]
