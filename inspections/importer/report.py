"""What the importer's pure steps produce: plain dataclasses, no database.

The pipeline is read (bytes -> Document) -> structure (Document -> ReportText) ->
recognise (ReportText -> format module) -> extract (format module -> ParsedReport) ->
tag -> save. Only the save step touches the database.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from typing import Any


class ImportRefused(Exception):
    """A file is not an importable report. The message is a sentence a curator understands."""


class TimeRanOut(ImportRefused):
    """A file was not read because the time of the request reading it ran out.

    Not the file's fault, so never recorded as a rejection: the file stays waiting for review.
    """

    def __init__(self, message: str = "Not read: the upload's time ran out; upload it on its own."):
        super().__init__(message)


@dataclass(frozen=True)
class Document:
    """A file's text as read, page by page, before any cleaning.

    `media_type` is decided from the content ("application/pdf", "text/plain",
    "text/markdown", "text/html"). Text documents have a single page. `warnings` are what
    the curator should know about the file itself (a PDF's JavaScript, say), as sentences.
    """

    media_type: str
    pages: list[str]
    page_count: int
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """As JSON-ready values: how the worker process of limits.py sends it back."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        return cls(**data)


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

    def to_json(self) -> dict[str, Any]:
        """As JSON-ready values (dates in ISO form): how the worker process of limits.py
        sends it back, so nothing it sends is ever unpickled."""
        data = dataclasses.asdict(self)
        for name in _DATES:
            data[name] = data[name].isoformat() if data[name] else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParsedReport:
        return cls(
            **{
                **data,
                **{name: _date(data[name]) for name in _DATES},
                "judgements": [ParsedJudgement(**j) for j in data["judgements"]],
                "recommendations": [ParsedRecommendation(**r) for r in data["recommendations"]],
                "findings": [ParsedFinding(**f) for f in data["findings"]],
            }
        )


_DATES = ("start_date", "end_date", "published_date")


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None
