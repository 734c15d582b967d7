"""The report formats the importer knows, in the order they are tried.

Each format is one module that provides what ReportFormat names: its framework code, how
it recognises a report (by what the report says, e.g. its title, never by a proxy such as
its length) and how it extracts the facts as plain dataclasses. Its docstring names the
format, its years and a sample of the text it expects. A format is read by its family's
base class, with small overrides:

- sectioned.SectionedReport: SIF (2013-18) and ILACS (2018-) reports;
- report2012.Report2012: the 2009-13 reports (protection, looked after children,
  safeguarding and looked after children);
- letter.LetterFormat and letter.VisitLetter: CRA, monitoring visit, focused visit and
  JTAI letters.

(lscb_review, the one standalone review, reads its plain lines with layout.py alone.)
Adding a format means adding its module to FORMATS and its fixtures under
fixtures/reports/ (and their golden files: tests/importer/test_golden.py).
"""

from __future__ import annotations

from typing import Protocol

from ..report import ParsedReport, ReportText
from . import (
    cra_unannounced,
    focused_visit,
    ilacs,
    jtai,
    looked_after,
    lscb_review,
    monitoring_visit,
    protection,
    safeguarding_lac,
    sif,
)


class ReportFormat(Protocol):
    """What a format module provides."""

    FRAMEWORK: str  # its framework code (vocabulary.FRAMEWORKS)

    def recognise(self, text: ReportText) -> bool:
        """Whether the report says it is of this format."""
        ...

    def extract(self, text: ReportText) -> ParsedReport:
        """The report's facts; only called on a report this format recognised."""
        ...


FORMATS: list[ReportFormat] = [
    cra_unannounced,
    safeguarding_lac,
    protection,
    looked_after,
    sif,
    lscb_review,
    ilacs,
    focused_visit,
    monitoring_visit,
    jtai,
]
