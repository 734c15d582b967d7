#!/usr/bin/env python
"""Restart and stop PostgreSQL under a running explorer; show it answers 503 and recovers.

    scripts/fault_postgres_restart [--port 5499] [--keep]

Self-contained, and never touches another PostgreSQL server: it makes a throwaway cluster
(initdb into a temporary folder, as the postgres user when run as root) on its own port,
imports the bundled reports (fixtures/reports) into it, starts gunicorn on it (two
workers, production settings, persistent connections with health checks), and has six
threads fetch public pages in a loop while it

  1. restarts PostgreSQL (pg_ctl restart -m fast), then
  2. stops it for 8 seconds (pg_ctl stop -m fast) and starts it again.

It prints a timeline (per second: answers by status) and a summary, and exits 0 only when
/healthz answered 503 while the database was down, every page answered 200 again after it
came back, and gunicorn's workers were never restarted. The cluster and folder are removed
at the end (--keep leaves them). Traffic goes to 127.0.0.1 only and stops by itself.
"""

from __future__ import annotations

import argparse
import collections
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))

from benchmarks import postgres  # noqa: E402
from benchmarks.processes import children, free_port, port_free, status_of, wait_for_200  # noqa: E402

PAGES = [
    "/healthz",
    "/",
    "/findings/",
    "/findings/?q=neglect",
    "/authorities/somerset/",
    "/recommendations/?theme=planning",
]
DOWN_SECONDS = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5499)
    parser.add_argument("--keep", action="store_true", help="leave the cluster and folder")
    args = parser.parse_args()
    port = args.port if port_free(args.port) else free_port()

    folder = Path(tempfile.mkdtemp(prefix="explorer-fault-"))
    cluster = Cluster(folder, port)
    server = None
    ok = False
    try:
        cluster.create()
        env = environment(folder, port)
        prepare(env)
        web_port = free_port()
        log = (folder / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [
                *(PYTHON, "-m", "gunicorn", "explorer.wsgi", "--bind", f"127.0.0.1:{web_port}"),
                *("--workers", "2", "--timeout", "30", "--log-level", "error"),
            ],
            env=env,
            cwd=ROOT,
            # Django logs each failed request with its traceback: to the file, not here.
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{web_port}"
        wait_for_200(base + "/healthz")
        workers_before = children(server.pid)
        ok = run_scenario(base, cluster)
        workers_after = children(server.pid)
        restarted = workers_before != workers_after
        print(
            f"gunicorn workers before {sorted(workers_before)}, after {sorted(workers_after)}: "
            + ("RESTARTED" if restarted else "the same processes, never restarted")
        )
        ok = ok and not restarted
        log.flush()
        errors = (folder / "gunicorn.log").read_text().count("OperationalError: connection")
        print(f"gunicorn's log: {errors} requests failed on a lost database connection")
        print("RESULT: " + ("recovered without a restart" if ok else "FAILED"))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if args.keep:
            print(f"kept {folder} (cluster on port {port})")
        else:
            cluster.stop(quiet=True)
            shutil.rmtree(folder, ignore_errors=True)
    sys.exit(0 if ok else 1)


class Cluster:
    """A throwaway PostgreSQL cluster in a folder of its own."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.data = folder / "data"
        self.log = folder / "postgresql.log"
        self.bindir = postgres_bindir()
        self.as_postgres = []
        if os.geteuid() == 0:  # initdb refuses root: run the cluster as postgres
            user = pwd.getpwnam("postgres")
            os.chown(folder, user.pw_uid, user.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.as_postgres, *args], check=check, capture_output=True, text=True
        )

    def create(self) -> None:
        self._run(
            f"{self.bindir}/initdb",
            "--pgdata",
            str(self.data),
            "--username",
            "postgres",
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-sync",
        )
        self.start()

    def pg_ctl(self, action: str, *extra: str, check: bool = True):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        return self._run(
            f"{self.bindir}/pg_ctl",
            action,
            "--pgdata",
            str(self.data),
            "--log",
            str(self.log),
            "--options",
            options,
            "--wait",
            *extra,
            check=check,
        )

    def start(self) -> None:
        self.pg_ctl("start")

    def restart(self) -> None:
        self.pg_ctl("restart", "--mode", "fast")

    def stop(self, quiet: bool = False) -> None:
        self.pg_ctl("stop", "--mode", "fast", check=not quiet)


def postgres_bindir() -> str:
    """The folder of initdb and pg_ctl (on Debian they are not on the PATH)."""
    found = shutil.which("initdb")
    if found:
        return str(Path(found).resolve().parent)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not candidates:
        sys.exit("PostgreSQL's server programs (initdb, pg_ctl) are not installed.")
    return candidates[-1]


def environment(folder: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.process_settings",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/explorer",
        SECRET_KEY="fault-script-only",
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        MEDIA_ROOT=str(folder / "media"),
        PYTHONPATH=str(ROOT),
    )
    return env


def prepare(env: dict[str, str]) -> None:
    postgres.create(env["DATABASE_URL"])
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True
    )
    # The fictional fixtures are rejected on purpose (unknown council), so it exits 1.
    subprocess.run(
        [PYTHON, "manage.py", "import_reports", str(ROOT / "fixtures" / "reports")],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


class Hammer:
    """Threads fetching the pages in turn until stopped, recording every answer."""

    def __init__(self, base: str, threads: int = 6) -> None:
        self.base = base
        self.started = time.monotonic()
        # (sent at, page, status or 0 for no HTTP answer, answered at)
        self.answers: list[tuple[float, str, int, float]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._loop, args=(i,), daemon=True) for i in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def _loop(self, offset: int) -> None:
        i = offset
        while not self._stop.is_set() and time.monotonic() - self.started < 120:
            page = PAGES[i % len(PAGES)]
            i += 1
            # Each answer is filed under when its request was sent.
            sent = time.monotonic() - self.started
            status = status_of(self.base + page, timeout=10)
            with self._lock:
                self.answers.append((sent, page, status, time.monotonic() - self.started))
            time.sleep(0.02)

    def now(self) -> float:
        return time.monotonic() - self.started

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def between(self, start: float, end: float) -> list[tuple[float, str, int, float]]:
        """The requests sent at or after start and answered before end."""
        with self._lock:
            return [a for a in self.answers if start <= a[0] and a[3] < end]


def run_scenario(base: str, cluster: Cluster) -> bool:
    hammer = Hammer(base)
    events: list[tuple[float, str]] = []
    time.sleep(5)
    events.append((hammer.now(), "pg_ctl restart -m fast"))
    cluster.restart()
    events.append((hammer.now(), "restarted"))
    time.sleep(6)
    events.append((hammer.now(), "pg_ctl stop -m fast"))
    cluster.stop()
    down = hammer.now()
    events.append((down, f"stopped; down for {DOWN_SECONDS} s"))
    time.sleep(DOWN_SECONDS)
    starting = hammer.now()
    cluster.start()
    up = hammer.now()
    events.append((up, "pg_ctl start: up again"))
    time.sleep(8)
    end = hammer.now()
    hammer.stop()

    print("timeline (second sent, from the start: answers by status, 0 = no HTTP answer):")
    timeline: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    for seconds, _, status, _ in hammer.between(0, end):
        timeline[int(seconds)][status] += 1
    marks = collections.defaultdict(list)
    for seconds, what in events:
        marks[int(seconds)].append(what)
    for second in sorted(timeline):
        counts = ", ".join(f"{s}: {n}" for s, n in sorted(timeline[second].items()))
        note = f"   <- {'; '.join(marks[second])}" if marks[second] else ""
        print(f"  {second:3d} s  {counts}{note}")

    def summary(answers) -> str:
        counts = collections.Counter(status for _, _, status, _ in answers)
        return ", ".join(f"{s}: {n}" for s, n in sorted(counts.items())) or "none"

    restart_at, restarted_at = events[0][0], events[1][0]
    before = hammer.between(0, restart_at)
    around_restart = hammer.between(restart_at, down)
    outage = hammer.between(down, starting)
    after = hammer.between(up, end)
    # Recovery: from the moment PostgreSQL was up to the first of an unbroken run of 200s.
    recovered_at = None
    for seconds, _, status, _ in after:
        if status != 200:
            recovered_at = None
        elif recovered_at is None:
            recovered_at = seconds
    settled = [a for a in after if recovered_at is not None and a[0] >= recovered_at]
    print("summary:")
    print("  (requests sent and answered within each period)")
    print(f"  before the restart:         {summary(before)}")
    print(f"  restart ({restarted_at - restart_at:.1f} s) and after: {summary(around_restart)}")
    print(f"  database down ({DOWN_SECONDS} s):       {summary(outage)}")
    print("  /healthz while down:        " + summary([a for a in outage if a[1] == "/healthz"]))
    print(f"  after it came back:         {summary(after)}")
    if recovered_at is not None:
        print(
            f"  every page answered 200 from {recovered_at - up:.2f} s after PostgreSQL was "
            f"up ({len(settled)} answers since)"
        )
    healthz_down = {status for _, page, status, _ in outage if page == "/healthz"}
    return (
        all(status == 200 for _, _, status, _ in before)
        and healthz_down == {503}
        and recovered_at is not None
        and recovered_at - up < 5
        and len(settled) > 20
    )


if __name__ == "__main__":
    main()
