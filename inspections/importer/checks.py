"""Checks every extracted report passes, whatever its format, before it is shown or saved.

A format module reads what the report prints; these checks hold what it read to the rules
a fact must meet. A fact that fails is dropped with a warning for the curator, never kept
half-right: an import without it is refused or flagged, where a wrong one would be
published.
"""

from __future__ import annotations

from .names import person_name
from .report import ParsedReport


def check_facts(report: ParsedReport) -> None:
    """Drop, with a warning, the facts of `report` that cannot be right."""
    _dates_in_order(report)
    _lead_inspector_is_a_name(report)


def _dates_in_order(report: ParsedReport) -> None:
    """An inspection ends on or after the day it starts. Dates read the other way round
    are a misprint or a misreading (a range whose end was taken from elsewhere), so
    neither is kept: the import is then refused for want of dates, and says why."""
    start, end = report.start_date, report.end_date
    if start is None or end is None or start <= end:
        return
    report.warnings.append(
        f"The inspection dates were read as starting on {start:%-d %B %Y} and ending on "
        f"{end:%-d %B %Y}, before they start, so neither was used."
    )
    report.start_date = report.end_date = None


def _lead_inspector_is_a_name(report: ParsedReport) -> None:
    """The lead inspector is a person's name as person_name reads one, and already clean:
    a label ("on site:"), empty brackets or a sentence's fragment is dropped, with a
    warning, whichever format read it."""
    lead = report.lead_inspector
    if lead is None or person_name(lead) == lead:
        return
    report.warnings.append(
        f"The lead inspector was read as {lead!r}, which does not look like a person's "
        "name, so it was left empty."
    )
    report.lead_inspector = None
