"""A time limit on each database statement the public site runs.

A new search word or an odd combination of filters can cost seconds at a million
findings; an anonymous visitor must not be able to hold a worker and the database that
long. Inside `statement_timeout(seconds)` (PublicSiteMiddleware opens it around each public
page's view) every statement is limited:

- on PostgreSQL by the session's `statement_timeout`, set before the first statement and
  reset when the block ends, so the admin and imports on the same connection are never
  limited;
- on SQLite by a progress handler that interrupts a statement past its deadline.

A statement over the limit raises django.db.OperationalError; `timed_out(error)` tells it
from other database errors, and the public site answers it with a 503 that says to narrow
the search (inspections.views.errors.too_slow).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.dispatch import receiver

_limit_ms: ContextVar[int] = ContextVar("statement_timeout_ms", default=0)
# PostgreSQL's SQLSTATE query_canceled: statement_timeout (or a cancel request) fired.
QUERY_CANCELED = "57014"
# SQLite calls the progress handler every this many virtual machine instructions (~0.1 ms).
SQLITE_PROGRESS_STEPS = 10_000


@contextmanager
def statement_timeout(seconds: float) -> Iterator[None]:
    """Within this block, each statement on this thread's connections may run `seconds`."""
    for connection in connections.all():
        _install(None, connection)
    token = _limit_ms.set(max(1, round(seconds * 1000)) if seconds > 0 else 0)
    try:
        yield
    finally:
        _limit_ms.reset(token)
        if not _limit_ms.get():
            for connection in connections.all(initialized_only=True):
                if getattr(connection, "_statement_timeout_ms", 0) != 0:
                    try:
                        _apply(connection, 0)
                    except DatabaseError:
                        # In a transaction the stopped statement aborted: the limit is
                        # lifted before the connection's next statement instead.
                        connection._statement_timeout_ms = None


def timed_out(error: BaseException) -> bool:
    """Whether a database error is a statement stopped by its time limit."""
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == QUERY_CANCELED:  # psycopg 3
        return True
    return type(cause).__module__ == "sqlite3" and str(cause) == "interrupted"


@receiver(connection_created, dispatch_uid="explorer.statement_timeout")
def _install(sender, connection: BaseDatabaseWrapper, **kwargs) -> None:
    """Limit the connection's statements from now on; a new session starts unlimited."""
    if sender is not None or not hasattr(connection, "_statement_timeout_ms"):
        connection._statement_timeout_ms = 0
    if _limited not in connection.execute_wrappers:
        connection.execute_wrappers.append(_limited)


def _limited(execute, sql, params, many, context):
    connection = context["connection"]
    wanted = _limit_ms.get()
    if getattr(connection, "_statement_timeout_ms", None) != wanted:
        _apply(connection, wanted)
    if wanted and connection.vendor == "sqlite":
        connection._statement_deadline = time.monotonic() + wanted / 1000
    return execute(sql, params, many, context)


def _apply(connection: BaseDatabaseWrapper, milliseconds: int) -> None:
    raw = connection.connection
    if raw is None:  # closed since: a new session starts without a limit
        connection._statement_timeout_ms = 0
        return
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [str(milliseconds)])
    elif connection.vendor == "sqlite":
        if milliseconds:
            connection._statement_deadline = float("inf")
            raw.set_progress_handler(
                lambda: time.monotonic() > connection._statement_deadline, SQLITE_PROGRESS_STEPS
            )
        else:
            raw.set_progress_handler(None, 0)
    connection._statement_timeout_ms = milliseconds
