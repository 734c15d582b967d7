"""Review of the effectiveness of a Local Safeguarding Children Board, published on its
own (2013-18).

Not yet implemented: recognises nothing.
"""

from __future__ import annotations

from ..report import ParsedReport, ReportText

FRAMEWORK = "lscb_review"


def recognise(text: ReportText) -> bool:
    """Whether the report says it is of this format."""
    return False


def extract(text: ReportText) -> ParsedReport:
    """The report's facts."""
    raise NotImplementedError
