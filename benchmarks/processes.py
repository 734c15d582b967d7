"""Ports, child processes, memory and HTTP probes: what the benchmark and fault scripts
(and the test suite's throwaway servers) need to start a server and watch it (Linux)."""

from __future__ import annotations

import contextlib
import resource
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_free(port: int) -> bool:
    """Whether nothing listens on this loopback port now."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def children(pid: int) -> set[int]:
    """The process ids of a process's children; none once it has gone."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    with contextlib.suppress(OSError):
        return {int(p) for p in path.read_text().split()}
    return set()


def rss_kib(pid: int) -> int:
    """A process's resident memory now, in KiB; 0 once it has gone."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def status_of(url: str, timeout: float = 30) -> int:
    """The HTTP status a GET of the URL answers, its body read; 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        error.close()
        return error.code
    except OSError:
        return 0


def wait_for_200(url: str, timeout: float = 60) -> None:
    """Return once the URL answers 200; stop the script if it has not within `timeout`."""
    deadline = time.monotonic() + timeout
    while status_of(url) != 200:
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not answer 200 within {timeout:.0f} s")
        time.sleep(0.2)
