"""Inspection of local authority children's services, standard or short (2018-).

Not yet implemented: recognises nothing.
"""

from __future__ import annotations

from ..report import ParsedReport, ReportText

FRAMEWORK = "ilacs"


def recognise(text: ReportText) -> bool:
    """Whether the report says it is of this format."""
    return False


def extract(text: ReportText) -> ParsedReport:
    """The report's facts."""
    raise NotImplementedError
