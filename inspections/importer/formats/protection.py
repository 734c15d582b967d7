"""Inspection of local authority arrangements for the protection of children (2012-13).

Not yet implemented: recognises nothing.
"""

from __future__ import annotations

from ..report import ParsedReport, ReportText

FRAMEWORK = "protection"


def recognise(text: ReportText) -> bool:
    """Whether the report says it is of this format."""
    return False


def extract(text: ReportText) -> ParsedReport:
    """The report's facts."""
    raise NotImplementedError
