"""Unannounced inspection of contact, referral and assessment arrangements: a letter (2009-12).

Not yet implemented: recognises nothing.
"""

from __future__ import annotations

from ..report import ParsedReport, ReportText

FRAMEWORK = "cra_unannounced"


def recognise(text: ReportText) -> bool:
    """Whether the report says it is of this format."""
    return False


def extract(text: ReportText) -> ParsedReport:
    """The report's facts."""
    raise NotImplementedError
