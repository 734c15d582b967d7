"""What the importer's pure steps produce: plain dataclasses, no database.

The pipeline is read (bytes -> Document) -> structure (Document -> ReportText) ->
recognise (ReportText -> format module) -> extract (format module -> ParsedReport) ->
tag -> save. Only the save step touches the database.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


class ImportRefused(Exception):
    """A file is not an importable report. The message is a sentence a curator understands."""


@dataclass(frozen=True)
class Document:
    """A file's text as read, page by page, before any cleaning.

    `media_type` is decided from the content ("application/pdf", "text/plain",
    "text/markdown", "text/html"). Text documents have a single page.
    """

    media_type: str
    pages: list[str]
    page_count: int


@dataclass(frozen=True)
class ReportText:
    """A report's clean text: running headers, footers, page numbers and footnote
    marks removed, so format modules see the words as a reader would.

    `lines` are the report's lines in reading order (no blank lines unless they mark a
    paragraph break in a text source); `page_of_line[i]` is the page number (1-based)
    that line i came from.
    """

    lines: list[str]
    page_of_line: list[int]
    media_type: str

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class ParsedJudgement:
    area: str  # a code from vocabulary.AREAS
    grade: str  # a code from vocabulary.GRADES
    words: str  # the report's own words, e.g. "Requires improvement to be good"


@dataclass
class ParsedFinding:
    section: str  # the heading the paragraph sits under, as printed
    text: str
    position: int  # 0-based order within the report
    paragraph: str | None = None  # the number as printed ("34"), None where unnumbered
    area: str | None = None  # the judgement area the section reports on
    kind: str | None = None  # a code from vocabulary.FINDING_KINDS, where the report says
    is_recommendation_evidence: bool = False  # SIF paragraphs ending "(Recommendation)"


@dataclass
class ParsedRecommendation:
    text: str
    position: int  # 0-based order within its addressee's list
    addressee: str = "authority"  # "authority" | "lscb"
    timescale: str | None = None  # a code from vocabulary.TIMESCALES
    # Printed numbers of the findings paragraphs that are this recommendation's evidence.
    evidence_paragraphs: list[str] = field(default_factory=list)


@dataclass
class ParsedReport:
    framework: str  # a code from vocabulary.FRAMEWORKS
    authority_name: str  # as the report spells it
    title: str = ""
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    published_date: datetime.date | None = None
    lead_inspector: str | None = None  # without titles ("HMI", "Her Majesty's Inspector")
    judgements: list[ParsedJudgement] = field(default_factory=list)
    recommendations: list[ParsedRecommendation] = field(default_factory=list)
    findings: list[ParsedFinding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def recommendation_count(self, addressee: str) -> int:
        return sum(1 for r in self.recommendations if r.addressee == addressee)
