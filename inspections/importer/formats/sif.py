"""Single inspection framework (2013-18): inspection (or re-inspection) of services for
children in need of help and protection, children looked after and care leavers,
usually with a review of the LSCB.

Not yet implemented: recognises nothing.
"""

from __future__ import annotations

from ..report import ParsedReport, ReportText

FRAMEWORK = "sif"


def recognise(text: ReportText) -> bool:
    """Whether the report says it is of this format."""
    return False


def extract(text: ReportText) -> ParsedReport:
    """The report's facts."""
    raise NotImplementedError
