"""The importer's pure steps chained: bytes in, a ParsedReport out, no database.

read -> structure -> recognise -> extract -> check. parse_report runs them all in the worker process
of limits.py, within its time and memory limits, whatever the file's type; parse_in_worker
is what the worker runs. Tagging and saving need the database and live in themes/ and
save.py.
"""

from __future__ import annotations

from .checks import check_facts
from .limits import Deadline, parse_limited
from .read import read_in_worker, refuse_empty_or_oversized
from .recognise import recognise
from .report import ParsedReport
from .structure import structure


def parse_report(
    data: bytes, *, max_bytes: int | None = None, deadline: Deadline | None = None
) -> ParsedReport:
    """Parse a file's bytes into a report's facts, in the limited worker; ImportRefused if
    it is not a report or breaches a limit, TimeRanOut if the deadline comes first."""
    refuse_empty_or_oversized(data, max_bytes)
    return parse_limited(data, deadline=deadline)


def parse_in_worker(data: bytes) -> ParsedReport:
    """parse_report's work, without limits: run only by the limits.py worker."""
    document = read_in_worker(data)
    text = structure(document)
    report = recognise(text).extract(text)
    check_facts(report)
    report.warnings[:0] = document.warnings  # about the file: first
    return report
