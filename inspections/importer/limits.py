"""Reading and parsing a file with a time and a memory limit, in a separate worker process.

A PDF is a program for a renderer: a 2 KB file whose form XObjects draw each other ten
times over, six levels deep, makes pdfium build a million text objects (minutes and
gigabytes), and a few hundred KB of pages sharing one long content stream take minutes to
read. Text can be as costly: a 29 MB text file took 90 s and 1.9 GB to parse in a web
worker. So no file, of any type, is read or parsed in the web or import process itself. The
pure steps (read -> structure -> recognise -> extract: bytes in, a ParsedReport out, no
database) run in one long-lived worker per process (started on the first file, reused for
every later one, so a batch import pays the start-up once), which takes one file at a time:

- with a wall-clock limit, IMPORT_PARSE_SECONDS (default 30), cut shorter by the request's
  own Deadline where one is given: past it the worker is killed and the file refused ("took
  longer than 30 s to read"), or, where the request's time ran out first, left unread
  (TimeRanOut: not the file's fault);
- with an address-space limit (RLIMIT_AS), IMPORT_PARSE_MEMORY_MB (default 1024) on top
  of what the worker already uses: pdfium aborts, or Python raises MemoryError, when an
  allocation fails; the file is refused ("needed more than 1024 MB of memory").

A refused or crashed read leaves nothing behind: the next file gets a fresh worker. The
worker (worker.py) talks over its standard input and output: a request is one byte naming
the work (read or parse) and the file's bytes after an 8-byte length; a reply is JSON after
an 8-byte length, so nothing the worker sends back is ever unpickled.

    python -m inspections.importer.worker MEMORY_BYTES     # the worker (started for you)
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .pdf import is_pdf
from .report import Document, ImportRefused, ParsedReport, TimeRanOut

DEFAULT_PARSE_SECONDS = 30.0
DEFAULT_PARSE_MEMORY_MB = 1024

_START_SECONDS = 60  # for the worker to start and load pdfium, on a busy machine
# The protocol with the worker (worker.py): a request is one byte naming the operation and
# the file's length, then its bytes; a reply is its JSON's length, then the JSON.
HEADER = struct.Struct(">Q")
REQUEST = struct.Struct(">cQ")
READ, PARSE = b"r", b"p"
WORKER_MODULE = "inspections.importer.worker"
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ParseLimits:
    """How long, and with how much memory beyond its own, one file may take to read."""

    seconds: float
    memory_mb: int

    @classmethod
    def current(cls) -> ParseLimits:
        """The limits from Django settings, else the environment, else the defaults."""
        return cls(
            seconds=float(_setting("IMPORT_PARSE_SECONDS", DEFAULT_PARSE_SECONDS)),
            memory_mb=int(_setting("IMPORT_PARSE_MEMORY_MB", DEFAULT_PARSE_MEMORY_MB)),
        )


def _setting(name: str, default: float) -> float | str:
    # The limits are read without Django too (scripts, the worker itself).
    try:
        from django.conf import settings

        value = getattr(settings, name, None)
    except Exception:  # Django missing or not configured
        value = None
    if value is None:
        value = os.environ.get(name) or default
    return value


@dataclass(frozen=True)
class Deadline:
    """When the work of one request (every file of an upload) must be done by, on the
    monotonic clock: files not read by then are left unread, not a worker timeout."""

    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        return self.at - time.monotonic()


def read_limited(
    data: bytes, limits: ParseLimits | None = None, deadline: Deadline | None = None
) -> Document:
    """Read a file's text in the worker, within the limits; ImportRefused when it can't be.

    Refusals from the read itself (damaged, encrypted, scanned) come back unchanged;
    breaching a limit refuses the file with a sentence naming the limit; TimeRanOut
    when the deadline comes first.
    """
    return Document.from_json(_run(READ, data, limits, deadline))


def parse_limited(
    data: bytes, limits: ParseLimits | None = None, deadline: Deadline | None = None
) -> ParsedReport:
    """Read and parse a file in the worker, within the limits, as read_limited does."""
    return ParsedReport.from_json(_run(PARSE, data, limits, deadline))


def _run(
    operation: bytes, data: bytes, limits: ParseLimits | None, deadline: Deadline | None
) -> dict:
    limits = limits or ParseLimits.current()
    what = "The PDF" if is_pdf(data) else "The file"
    with _lock:
        if deadline is not None and deadline.remaining() <= 0:
            raise TimeRanOut
        worker = _worker_for(limits)
        # The clock starts once the worker is up: its start-up is not the file's.
        seconds = limits.seconds
        cut_short = deadline is not None and deadline.remaining() < seconds
        if cut_short:
            seconds = max(deadline.remaining(), 0.0)
        try:
            reply = worker.request(operation, data, seconds)
        except TimeoutError:
            worker.stop()
            if cut_short:
                raise TimeRanOut from None
            raise ImportRefused(
                f"{what} took longer than {limits.seconds:g} s to read (the limit for one "
                "file), so reading it was stopped; it may be damaged or built to overload "
                "the importer."
            ) from None
        except (BrokenPipeError, EOFError):
            raise worker.died(what, limits) from None
        if reply["status"] == "memory":
            worker.stop()
            raise ImportRefused(_too_much_memory(what, limits))
    if reply["status"] == "ok":
        return reply["result"]
    if reply["status"] == "refused":
        raise ImportRefused(reply["message"])
    raise RuntimeError(f"The importer's worker process failed:\n{reply['message']}")


class _Worker:
    """One worker process and the pipes to it."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self.owner_pid = os.getpid()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(_PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE, str(memory_mb * 1024 * 1024)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
            # Its own process group, so a terminal's Ctrl-C reaches only the importer,
            # which then closes the worker's input.
            start_new_session=True,
        )
        # The clock of a read starts once the worker is up: its start-up is not the PDF's.
        try:
            ready = self._receive(time.monotonic() + _START_SECONDS)
        except (TimeoutError, EOFError):
            ready = {}
        if ready.get("status") != "ready":
            self.stop()
            raise RuntimeError("The importer's worker process did not start.")

    def alive(self) -> bool:
        return self.process.poll() is None

    def request(self, operation: bytes, data: bytes, seconds: float) -> dict:
        """Send one file and wait for the reply, at most `seconds`: TimeoutError past
        them, EOFError or BrokenPipeError if the worker died."""
        deadline = time.monotonic() + seconds
        self.process.stdin.write(REQUEST.pack(operation, len(data)))
        self.process.stdin.write(data)
        self.process.stdin.flush()
        return self._receive(deadline)

    def _receive(self, deadline: float) -> dict:
        header = self._read_exactly(HEADER.size, deadline)
        (length,) = HEADER.unpack(header)
        return json.loads(self._read_exactly(length, deadline))

    def _read_exactly(self, n: int, deadline: float) -> bytes:
        stream = self.process.stdout
        fd = stream.fileno()
        chunks, got = [], 0
        while got < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def died(self, what: str, limits: ParseLimits) -> ImportRefused:
        """Why the worker died mid-read: out of memory, or a crash. pdfium aborts (SIGABRT)
        when an allocation fails under the limit; any other death is a crash. Either way
        the file is refused and the next one gets a new worker. (The worker's peak memory
        cannot tell: Linux counts a child's peak from its parent's size at the fork.)"""
        self.process.wait()
        if self.process.returncode == -signal.SIGABRT:
            return ImportRefused(_too_much_memory(what, limits))
        return ImportRefused(
            f"{what} made the importer's reader crash "
            f"(exit status {self.process.returncode}), so its text cannot be read safely."
        )

    def stop(self) -> None:
        """Kill the worker (if it is ours) and reap it."""
        if self.owner_pid != os.getpid():
            return
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):  # already broken
                stream.close()


def _too_much_memory(what: str, limits: ParseLimits) -> str:
    return (
        f"{what} needed more than {limits.memory_mb} MB of memory to read (the limit for one "
        "file), so reading it was stopped; it may be damaged or built to overload the importer."
    )


_lock = threading.Lock()
_worker: _Worker | None = None


def _worker_for(limits: ParseLimits) -> _Worker:
    """This process's worker, started anew after a breach, a crash, a fork or a change of
    the memory limit (the limit is fixed when the worker starts)."""
    global _worker
    if _worker is not None and (
        _worker.owner_pid != os.getpid()
        or not _worker.alive()
        or _worker.memory_mb != limits.memory_mb
    ):
        _worker.stop()
        _worker = None
    if _worker is None:
        _worker = _Worker(limits.memory_mb)
    return _worker


@atexit.register
def stop_worker() -> None:
    """Stop this process's worker, if any (it would also exit when our pipe closes)."""
    global _worker
    with _lock:
        if _worker is not None:
            _worker.stop()
            _worker = None
