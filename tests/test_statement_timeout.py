"""Each statement of a public page is time-limited (inspections/statement_timeout.py), and one
that runs past the limit answers 503 "narrow it" with Retry-After, never 500 or a hang."""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from django.db import DatabaseError, OperationalError, connection
from django.urls import reverse

from inspections.statement_timeout import statement_timeout, timed_out

from .seeds import NORTH_SOMERSET_2017, import_seeds

pytestmark = pytest.mark.django_db

# A statement that runs for seconds on each database, whatever the data.
SLOW = {
    "postgresql": "SELECT pg_sleep(3)",
    "sqlite": (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) "
        "SELECT count(*) FROM c"
    ),
}

# Longer than the public limit the tests set (0.2 s), short enough to wait for.
BRIEFLY_SLOW = {
    "postgresql": "SELECT pg_sleep(0.5)",
    "sqlite": SLOW["sqlite"].replace("100000000", "1000000"),
}


def session_timeout() -> str | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@contextmanager
def slow_listing_query():
    """Makes the findings listing's first query slow, as a new search word at a million
    findings is: a real statement on the real database, run through the same connection."""
    slowed = []

    def wrapper(execute, sql, params, many, context):
        if not slowed and "inspections_finding" in sql and "COUNT" in sql.upper():
            slowed.append(sql)
            with context["connection"].cursor() as cursor:
                cursor.execute(SLOW[connection.vendor])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield slowed


# Public requests run in autocommit, as these tests do; in a transaction (a test's, say)
# the stopped statement would abort it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_statement_past_the_limit_is_stopped_and_recognised():
    started = time.monotonic()
    with (
        pytest.raises(OperationalError) as stopped,
        statement_timeout(0.2),
        connection.cursor() as cursor,
    ):
        cursor.execute(SLOW[connection.vendor])
    assert time.monotonic() - started < 2
    assert timed_out(stopped.value)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_other_database_errors_are_not_timeouts():
    with pytest.raises(DatabaseError) as error, connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    assert not timed_out(error.value)


def test_the_limit_ends_with_its_block():
    with statement_timeout(0.2), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if connection.vendor == "postgresql":
            assert session_timeout() == "200ms"
    assert session_timeout() in (None, "0")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # and no progress handler is left behind on SQLite
    assert connection._statement_timeout_ms == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_public_page_past_the_limit_answers_503_narrow_it(client, settings):
    import_seeds(NORTH_SOMERSET_2017)
    settings.PUBLIC_STATEMENT_TIMEOUT_SECONDS = 0.2
    started = time.monotonic()
    with slow_listing_query() as slowed:
        response = client.get("/findings/", {"q": "supervision"})
    assert slowed, "the listing ran no COUNT query to slow down"
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "This search took too long" in page
    assert "<strong>supervision</strong>" in page
    assert 'href="/findings/"' in page
    # The connection is fine afterwards, and unlimited outside public pages.
    assert session_timeout() in (None, "0")
    assert client.get("/findings/", {"q": "supervision"}).status_code == 200


def test_the_admin_is_not_limited(client, superuser, settings):
    settings.PUBLIC_STATEMENT_TIMEOUT_SECONDS = 0.2
    client.force_login(superuser)
    assert client.get("/").status_code == 200
    with connection.execute_wrapper(_slow_once()):
        response = client.get(reverse("admin:inspections_finding_changelist"))
    assert response.status_code == 200


def _slow_once():
    done = []

    def wrapper(execute, sql, params, many, context):
        if not done and "inspections_finding" in sql:
            done.append(sql)
            with context["connection"].cursor() as cursor:
                cursor.execute(BRIEFLY_SLOW[connection.vendor])
        return execute(sql, params, many, context)

    return wrapper
