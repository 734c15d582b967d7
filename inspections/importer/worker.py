"""The worker process of limits.py: reads and parses files, one at a time, within the
time and memory limits the importer's process sets on it.

    python -m inspections.importer.worker MEMORY_BYTES     # started by limits.py

It loads pdfium (pdf.py) and the parsers before any limit, so each file's limit is all
its own; it talks over its standard input and output (the protocol is in limits.py), and
sends back JSON only, so nothing it sends is ever unpickled.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import threading
import time
import traceback
from typing import BinaryIO

from . import pdf
from .limits import HEADER, PARSE, READ, REQUEST
from .pipeline import parse_in_worker
from .read import read_in_worker
from .report import ImportRefused


def _address_space_in_use() -> int:
    """This process's virtual memory size in bytes (Linux), or 0 where unknown."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _exit_with_parent(parent: int) -> None:
    """End the worker when the process that started it is gone (killed by gunicorn's
    timeout, say), even in the middle of a PDF: pdfium runs without the GIL, so this
    thread still gets to look."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def serve(memory_bytes: int) -> None:
    """Read or parse files from standard input until it closes; reply on standard output."""
    pdf.load()
    operations = {
        READ: lambda data: read_in_worker(data).to_json(),
        PARSE: lambda data: parse_in_worker(data).to_json(),
    }
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must never corrupt the replies
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the importer decides when we stop
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    _reply(replies, {"status": "ready"})
    while True:
        header = requests.read(REQUEST.size)
        if len(header) < REQUEST.size:
            return
        operation, length = REQUEST.unpack(header)
        data = requests.read(length)
        if len(data) < length:
            return
        # The limit counts from what the worker holds now, so each file gets the same room.
        limit = _address_space_in_use() + memory_bytes
        if limit > memory_bytes and (hard == resource.RLIM_INFINITY or limit <= hard):
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        try:
            reply = {"status": "ok", "result": operations[operation](data)}
        except ImportRefused as refused:
            reply = {"status": "refused", "message": str(refused)}
        except MemoryError:
            reply = {"status": "memory"}
        except Exception:
            reply = {"status": "error", "message": traceback.format_exc()}
        finally:
            del data
            resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
        _reply(replies, reply)


def _reply(replies: BinaryIO, reply: dict) -> None:
    body = json.dumps(reply).encode()  # ASCII: keeps any lone surrogate pdfium gives
    replies.write(HEADER.pack(len(body)) + body)
    replies.flush()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
