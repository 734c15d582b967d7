"""The importer's pure steps chained: bytes in, a ParsedReport out, no database.

read -> structure -> recognise -> extract. Tagging and saving need the database and
live in tag.py and save.py.
"""

from __future__ import annotations

from .read import read_document
from .recognise import recognise
from .report import ParsedReport
from .structure import structure


def parse_report(data: bytes, *, max_bytes: int | None = None) -> ParsedReport:
    """Parse a file's bytes into a report's facts; ImportRefused if it is not a report."""
    document = read_document(data, max_bytes=max_bytes)
    text = structure(document)
    report_format = recognise(text)
    return report_format.extract(text)
