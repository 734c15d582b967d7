"""Throwaway databases on the suite's backend, used by real processes.

Fault tests kill importers, run two at once, take the database away from gunicorn and
restore backups into empty databases. Those are separate processes, so they cannot use
pytest-django's test database (in memory on SQLite, inside a transaction on PostgreSQL).
Each test gets its own database instead: a copy of one migrated once per session (a
copied file on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL), on the same backend
as the suite (DATABASE_URL), dropped afterwards.

Checks read the databases with plain SQL (the same on both backends), never through the
code under test.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url

from benchmarks.processes import free_port

ROOT = Path(__file__).resolve().parent.parent
SUITE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRESQL = SUITE_URL.startswith(("postgres://", "postgresql://"))


@dataclass
class Database:
    """One throwaway database and the environment that points a process at it."""

    url: str
    media: Path
    vendor: str
    name: str  # the PostgreSQL database's name, or the SQLite file's path
    server: dict = field(default_factory=dict)

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a production-like process using this database."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
        env.update(
            DJANGO_SETTINGS_MODULE="tests.process_settings",
            SECRET_KEY="fault-tests-only",
            DATABASE_URL=self.url,
            MEDIA_ROOT=str(self.media),
            DEBUG="false",
            SECURE_SSL_REDIRECT="false",
            PYTHONPATH=str(ROOT),
        )
        env.update(extra)
        return env

    def popen(self, *args: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
        """`manage.py ARGS` running against this database, not waited for."""
        return subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=env or self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **kwargs,
        )

    def manage(self, *args: str, ok_statuses=(0,), timeout: float = 600) -> str:
        """Run `manage.py ARGS` to the end; its standard output. Fails on another status."""
        process = self.popen(*args)
        out, err = process.communicate(timeout=timeout)
        assert process.returncode in ok_statuses, f"manage.py {args}: {process.returncode}\n{err}"
        return out

    @contextlib.contextmanager
    def connect(self) -> Iterator:
        """A plain DB-API connection (psycopg or sqlite3), in autocommit."""
        if self.vendor == "postgresql":
            import psycopg

            connection = psycopg.connect(self.url, autocommit=True)
        else:
            connection = sqlite3.connect(self.name, timeout=30, isolation_level=None)
        try:
            yield connection
        finally:
            connection.close()

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.vendor == "sqlite":
            sql = sql.replace("%s", "?")
        with self.connect() as connection:
            return list(connection.execute(sql, params).fetchall())

    def snapshot(self) -> dict[str, dict]:
        """Every inspection by slug with what hangs off it: judgements, the permalinks of
        its findings and recommendations, and counts of theme tags and evidence links."""
        inspections: dict[str, dict] = {}
        for slug, title in self.query("SELECT slug, title FROM inspections_inspection"):
            inspections[slug] = {
                "title": title,
                "judgements": [],
                "findings": [],
                "recommendations": [],
                "finding_themes": 0,
                "recommendation_themes": 0,
                "evidence": 0,
            }
        for slug, area, grade in self.query(
            "SELECT i.slug, j.area, j.grade FROM inspections_judgement j "
            "JOIN inspections_inspection i ON i.id = j.inspection_id"
        ):
            inspections[slug]["judgements"].append((area, grade))
        for table in ("finding", "recommendation"):
            for slug, public_id in self.query(
                f"SELECT i.slug, t.public_id FROM inspections_{table} t "
                "JOIN inspections_inspection i ON i.id = t.inspection_id "
                "WHERE t.withdrawn_at IS NULL"
            ):
                inspections[slug][f"{table}s"].append(public_id)
            for slug, count in self.query(
                f"SELECT i.slug, count(*) FROM inspections_{table}theme tt "
                f"JOIN inspections_{table} t ON t.id = tt.{table}_id "
                "JOIN inspections_inspection i ON i.id = t.inspection_id GROUP BY i.slug"
            ):
                inspections[slug][f"{table}_themes"] = count
        for slug, count in self.query(
            "SELECT i.slug, count(*) FROM inspections_recommendation_evidence e "
            "JOIN inspections_recommendation r ON r.id = e.recommendation_id "
            "JOIN inspections_inspection i ON i.id = r.inspection_id GROUP BY i.slug"
        ):
            inspections[slug]["evidence"] = count
        for record in inspections.values():
            for key in ("judgements", "findings", "recommendations"):
                record[key].sort()
        return inspections

    def in_write_transaction(self) -> bool:
        """Whether some other process is inside a transaction that has written, now.

        PostgreSQL: a session of this database holds a transaction id. SQLite: the write
        lock is taken (the explorer's transactions begin IMMEDIATE), so ours is refused.
        """
        if self.vendor == "postgresql":
            return bool(
                self.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
                    (self.name,),
                )[0][0]
            )
        probe = sqlite3.connect(self.name, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        else:
            probe.execute("ROLLBACK")
            return False
        finally:
            probe.close()

    def wait_until_no_sessions(self, timeout: float = 30) -> None:
        """Wait for the server to notice killed clients and roll their work back."""
        if self.vendor != "postgresql":
            return
        deadline = time.monotonic() + timeout
        sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
        while self.query(sql, (self.name,))[0][0]:
            assert time.monotonic() < deadline, "sessions of killed processes linger"
            time.sleep(0.05)

    def stored_files(self) -> set[str]:
        """The source documents' files present in MEDIA_ROOT, as storage names."""
        folder = self.media / "sources"
        if not folder.exists():
            return set()
        return {str(p.relative_to(self.media)) for p in folder.rglob("*") if p.is_file()}


_template: Database | None = None


class Databases:
    """Makes throwaway databases, each a copy of one migrated at first use."""

    _counter = itertools.count(1)

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: list[Database] = []
        self._template: Database | None = None
        if ON_POSTGRESQL:
            parsed = dj_database_url.parse(SUITE_URL)
            self.server = {
                "host": parsed["HOST"] or "127.0.0.1",
                "port": parsed["PORT"] or 5432,
                "user": parsed["USER"] or "postgres",
                "password": parsed["PASSWORD"] or "",
            }
            self.prefix = f"{parsed['NAME'] or 'explorer'}_t{os.getpid()}"[:40]

    def _postgres_url(self, name: str) -> str:
        s = self.server
        auth = s["user"] + (f":{s['password']}" if s["password"] else "")
        return f"postgres://{auth}@{s['host']}:{s['port']}/{name}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self._postgres_url("postgres"), autocommit=True) as admin:
            admin.execute(sql)

    def empty(self) -> Database:
        """A database with nothing in it, not even tables."""
        n = next(self._counter)
        media = self.folder / f"media-{n}"
        media.mkdir(parents=True)
        if ON_POSTGRESQL:
            name = f"{self.prefix}_{n}"
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{name}"')
            database = Database(self._postgres_url(name), media, "postgresql", name, self.server)
        else:
            path = self.folder / f"db-{n}.sqlite3"
            database = Database(f"sqlite:///{path}", media, "sqlite", str(path))
        self.made.append(database)
        return database

    def migrated(self) -> Database:
        """A migrated database: reference data (authorities, regions, themes) only."""
        global _template
        if _template is None:
            # Migrated once for the whole test session, dropped when it ends.
            template = self.empty()
            self.made.remove(template)
            template.manage("migrate", "--verbosity", "0")
            _template = template
            if ON_POSTGRESQL:
                atexit.register(
                    self._admin, f'DROP DATABASE IF EXISTS "{template.name}" WITH (FORCE)'
                )
        self._template = _template
        n = next(self._counter)
        media = self.folder / f"media-{n}"
        media.mkdir(parents=True)
        if ON_POSTGRESQL:
            name = f"{self.prefix}_{n}"
            self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self._template.name}"')
            database = Database(self._postgres_url(name), media, "postgresql", name, self.server)
        else:
            path = self.folder / f"db-{n}.sqlite3"
            shutil.copyfile(self._template.name, path)
            database = Database(f"sqlite:///{path}", media, "sqlite", str(path))
        self.made.append(database)
        return database

    def drop_all(self) -> None:
        if ON_POSTGRESQL:
            for database in self.made:
                self._admin(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')


def sleeping_in_sqlite_busy_wait(pid: int) -> bool:
    """Whether a process is asleep waiting for SQLite's write lock (its busy handler sleeps
    in nanosleep between tries), as Linux reports it."""
    try:
        return "nanosleep" in Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return False


class Outage:
    """A TCP relay in front of the database server that can be cut and restored, so a
    server process loses its database without the real server being touched.

    While cut it refuses new connections and has closed every relayed one, as a server
    that went away would.
    """

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    client.close()
                    upstream.close()
                    return
                self._sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            # Each direction's pump closes the socket it reads, so both close once.
            source.close()
            with self._lock:
                self._sockets.discard(source)
