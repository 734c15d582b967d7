"""The explorer keeps its data, and keeps answering, when processes and the database fail.

Real processes against a throwaway database on the suite's backend (tests/throwaway.py):
`manage.py import_reports` killed with SIGKILL inside its transactions, two importers of one
file at once, and gunicorn losing its database and getting it back.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.processes import children, free_port, status_of

from .conftest import REPORTS, ROOT
from .throwaway import ON_POSTGRESQL, Databases, Outage, sleeping_in_sqlite_busy_wait

pytestmark = pytest.mark.slow  # real processes: servers, workers, restores

IMPORTABLE = sorted([*REPORTS.glob("seed_*.txt"), *REPORTS.glob("*.pdf")])


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    made = Databases(tmp_path_factory.mktemp("faults"))
    yield made
    made.drop_all()


@pytest.fixture
def reports(tmp_path) -> Path:
    """A folder of the importable bundled reports: five texts and five PDFs."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in IMPORTABLE:
        shutil.copy(path, folder / path.name)
    return folder


def wait_for(condition, timeout: float, what: str, interval: float = 0.005) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(interval)


def records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


# --- An import killed half-way -------------------------------------------------------


def test_an_import_killed_inside_its_transactions_leaves_whole_inspections_and_reruns(
    databases, reports
):
    clean = databases.migrated()
    started = time.monotonic()
    clean.manage("import_reports", str(reports), "--format", "json")
    clean_seconds = time.monotonic() - started
    expected = clean.snapshot()
    assert len(expected) == len(IMPORTABLE)

    database = databases.migrated()
    killed_inside = 0
    # Each round is killed later, at the first moment after the delay when the importer
    # is inside a transaction that has written; later rounds find earlier work committed.
    for fraction in (0.3, 0.55, 0.8):
        importer = database.popen("import_reports", str(reports), "--format", "json")
        time.sleep(fraction * clean_seconds)
        while importer.poll() is None:
            if database.in_write_transaction():
                importer.send_signal(signal.SIGKILL)
                killed_inside += 1
                break
            time.sleep(0.002)
        importer.communicate()
        database.wait_until_no_sessions()
        # Whatever was committed is whole: every inspection present has every record a
        # clean import gives it, with the same permalinks.
        for slug, saved in database.snapshot().items():
            assert saved == expected[slug], slug
    assert killed_inside >= 2, "the kills did not land inside transactions"

    out = database.manage("import_reports", str(reports), "--format", "json")
    assert {r["status"] for r in records(out)} <= {"created", "unchanged"}
    assert database.snapshot() == expected
    # No file was stored twice, and none is left without its record.
    stored = {row[0] for row in database.query("SELECT file FROM inspections_sourcedocument")}
    assert database.stored_files() == stored


# --- The same file imported twice at once ---------------------------------------------


def test_the_same_report_imported_twice_at_once_gives_one_inspection(databases):
    report = str(REPORTS / "sif_coventry_2017.pdf")
    clean = databases.migrated()
    clean.manage("import_reports", report)
    database = databases.migrated()

    if ON_POSTGRESQL:
        # Hold back both importers' first inserts (the stored file's row, then the
        # inspection) until both are waiting, so they really race at each.
        with database.connect() as sources, database.connect() as inspections:
            for connection, table in (
                (sources, "inspections_sourcedocument"),
                (inspections, "inspections_inspection"),
            ):
                connection.execute("BEGIN")
                connection.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            importers = [
                database.popen("import_reports", report, "--format", "json") for _ in range(2)
            ]
            for connection, table in (
                (sources, "inspections_sourcedocument"),
                (inspections, "inspections_inspection"),
            ):
                wait_for(
                    lambda table=table: (
                        database.query(
                            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                            "WHERE NOT l.granted AND c.relname = %s",
                            (table,),
                        )[0][0]
                        == 2
                    ),
                    timeout=120,
                    what=f"both importers waiting to insert into {table}",
                    interval=0.02,
                )
                connection.execute("COMMIT")
            outputs = [importer.communicate(timeout=120) for importer in importers]
    else:
        # SQLite lets one writer in at a time: hold the write lock until both importers
        # wait for it, having both found the file not yet stored.
        with database.connect() as lock:
            lock.execute("BEGIN IMMEDIATE")
            importers = [
                database.popen("import_reports", report, "--format", "json") for _ in range(2)
            ]
            wait_for(
                lambda: all(sleeping_in_sqlite_busy_wait(p.pid) for p in importers),
                timeout=120,
                what="both importers waiting for the write lock",
            )
            lock.execute("COMMIT")
            outputs = [importer.communicate(timeout=120) for importer in importers]

    for importer, (_, err) in zip(importers, outputs, strict=True):
        assert importer.returncode == 0, err
    statuses = sorted(records(out)[0]["status"] for out, _ in outputs)
    assert statuses == ["created", "unchanged"]
    assert database.snapshot() == clean.snapshot()
    assert database.query("SELECT count(*) FROM inspections_sourcedocument") == [(1,)]
    assert len(database.stored_files()) == 1


# --- The database goes away and comes back --------------------------------------------


PAGES = ["/healthz", "/", "/findings/", "/authorities/somerset/", "/findings/?q=neglect"]


def test_healthz_answers_503_without_its_database_and_the_site_recovers_unrestarted(
    databases,
):
    database = databases.migrated()
    database.manage("import_reports", str(REPORTS / "seed_000_somerset_protection_2013.txt"))
    port = free_port()
    outage = None
    env = database.env(CONN_MAX_AGE="60")
    if ON_POSTGRESQL:
        outage = Outage(database.server["host"], int(database.server["port"]))
        env["DATABASE_URL"] = database.url.replace(
            f":{database.server['port']}/", f":{outage.port}/"
        )
    else:
        env["CONN_MAX_AGE"] = "0"
    server = subprocess_gunicorn(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: status_of(base + "/healthz") == 200, 60, "gunicorn up", interval=0.2)
        assert {page: status_of(base + page) for page in PAGES} == dict.fromkeys(PAGES, 200)
        workers = children(server.pid)

        if outage:
            outage.cut()
        else:
            away = take_sqlite_away(database.name)
        try:
            during = {page: status_of(base + page) for page in PAGES}
        finally:
            if outage:
                outage.restore()
            else:
                bring_sqlite_back(database.name, away)
        print("during the outage:", during)
        assert during["/healthz"] == 503
        # Without a database no page can be right: each answers 503 (Retry-After), never
        # a page pretending to be empty, and the server itself stays up.
        assert all(status == 503 for status in during.values()), during

        wait_for(lambda: status_of(base + "/healthz") == 200, 30, "recovery", interval=0.2)
        assert {page: status_of(base + page) for page in PAGES} == dict.fromkeys(PAGES, 200)
        assert server.poll() is None
        assert children(server.pid) == workers, "gunicorn had to restart its workers"
    finally:
        server.terminate()
        _, log = server.communicate(timeout=30)
        print(log[-5000:])  # shown when the test fails
        if outage:
            outage.cut()


def subprocess_gunicorn(env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "explorer.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "60",
        ],
        env=env,
        cwd=ROOT,  # where gunicorn.conf.py is, as in production
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def take_sqlite_away(path: str) -> Path:
    """Move the SQLite file (and its journal files) aside and leave a folder in its place,
    which SQLite cannot open: as a database whose volume went away."""
    away = Path(path + ".away")
    away.mkdir()
    for suffix in ("", "-wal", "-shm"):
        source = Path(path + suffix)
        if source.exists():
            source.rename(away / source.name)
    Path(path).mkdir()
    return away


def bring_sqlite_back(path: str, away: Path) -> None:
    Path(path).rmdir()
    for moved in away.iterdir():
        moved.rename(Path(path).parent / moved.name)
    away.rmdir()


# --- Slow readers of downloads ------------------------------------------------------------


def slow_reader(port: int, path: str) -> socket.socket:
    """A client that asks for a download, reads its first bytes and then stops reading."""
    client = socket.socket()
    client.settimeout(10)  # a server with no one free to answer fails the test, not hangs it
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    try:
        client.connect(("127.0.0.1", port))
        client.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        assert client.recv(1024).startswith(b"HTTP/1.1 200")
    except BaseException:
        client.close()
        raise
    return client


def test_healthz_answers_while_slow_clients_hold_downloads(databases):
    """Two clients reading a big CSV slowly held both sync workers: /healthz stopped
    answering for 60 s, and gunicorn killed the workers mid-download. With the threaded
    workers of gunicorn.conf.py they hold one thread each."""
    database = databases.migrated()
    database.manage("import_reports", str(REPORTS / "seed_000_somerset_protection_2013.txt"))
    # About 20 MB of CSV: more than the kernel buffers on both sides of a connection.
    database.manage("generate_corpus", "--findings", "30000", "--recommendations", "0")
    port = free_port()
    server = subprocess_gunicorn(database.env(), port)
    base = f"http://127.0.0.1:{port}"
    readers = []
    try:
        wait_for(lambda: status_of(base + "/healthz") == 200, 60, "gunicorn up", interval=0.2)
        workers = children(server.pid)
        readers = [slow_reader(port, "/findings/?format=csv") for _ in range(2)]
        time.sleep(3)  # each download fills the buffers and its writer blocks
        started = time.monotonic()
        assert status_of(base + "/healthz", timeout=10) == 200
        assert status_of(base + "/findings/", timeout=10) == 200
        assert time.monotonic() - started < 5
        assert children(server.pid) == workers, "gunicorn restarted a worker"
    finally:
        for reader in readers:
            reader.close()
        # Not a graceful stop, which would wait for the downloads that are stuck.
        for pid in children(server.pid):
            os.kill(pid, signal.SIGKILL)
        server.kill()
        _, log = server.communicate(timeout=30)
        print(log[-5000:])  # shown when the test fails
