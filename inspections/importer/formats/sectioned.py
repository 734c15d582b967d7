"""The sectioned reports family: the single inspection framework (SIF, 2013-18) and the
inspections of local authority children's services (ILACS, 2018-).

Both print judgements as "label  grade" rows on the first page ("1. Children who need help
and protection  Requires improvement"; "Overall effectiveness  Good"), repeat them as
section headings, and number their paragraphs in one sequence through the report.
SectionedReport is the family's base: a format names its first page's judgement rows
(TABLE) and gives walk() a Classifier, which says which lines start a Heading; walk() reads
the report into regions of numbered paragraphs under those headings.
"""

from __future__ import annotations

import datetime
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from ...vocabulary import grade_from_words
from ..bullets import list_items
from ..dates import parse_date, span_of_ranges, spell_numeric_dates
from ..lines import joined
from ..report import ParsedJudgement, ParsedReport, ReportText
from .layout import Heading, Paragraph

# A grade as written, possibly broken over lines ("Requires improvement / to be good").
GRADE = r"(?P<grade>requires?\s+improvement(?:\s*,?\s*to\s+be\s+good)?|inadequate|good|outstanding)"
_GRADE_ONLY = re.compile(rf"^\s*(?:is\s+|are\s+)?{GRADE}\.?\s*$", re.IGNORECASE)
_GRADE_TAIL = re.compile(
    rf"[\s:–-]*(?:\b(?:is|are)\b[\s:]*)?(?:that\s+(?:it|they)\s+)?(?:is\s+|are\s+)?{GRADE}\.?\s*$",
    re.IGNORECASE,
)

# The judgement areas as the reports name them, most specific first: "children in care
# and care leavers" (ILACS before 2023) is one judgement, in_care.
AREA_LABELS: list[tuple[str, str]] = [
    ("help_and_protection", r"children\s+who\s+need\s+help\s+and\s+protection"),
    (
        "in_care",
        r"children\s+(?:looked\s+after\s+and\s+achieving\s+permanence"
        r"|in\s+care(?:\s+and\s+care\s+leavers)?)",
    ),
    ("adoption", r"adoption\s+performance"),
    ("care_leavers", r"(?:experiences?\s+and\s+progress\s+of\s+)care\s+leavers"),
    (
        "leadership",
        r"leadership,?\s+management\s+and\s+governance"
        r"|impact\s+of\s+leaders\s+on\s+social\s+work\s+practice(?:\s+with\s+children\s+and\s+families)?",
    ),
    ("lscb", r"local\s+safeguarding\s+children\s+board|\blscb\b"),
    ("overall", r"overall\s+effectiveness"),
]

NUMBERED = re.compile(r"^(?P<number>\d{1,3})\.(?!\d)\s*(?P<text>\S.*)?$")


class SectionedReport(ABC):
    """Base of the sectioned report formats.

    A subclass names its FRAMEWORK, the first page's judgement rows (TABLE: area and the
    label's pattern, in the order they are read), where it reads the authority's name
    from and where its recommendations are (for the warnings about facts it could not
    read); its extract() walks the report with its own Classifier.
    """

    FRAMEWORK: ClassVar[str]
    TABLE: ClassVar[list[tuple[str, str]]]
    NAME_SOURCE: ClassVar[str]  # "the first page", "the title"
    RECOMMENDATIONS_PLACE: ClassVar[str] = ""  # " under 'What needs to improve'"

    @abstractmethod
    def recognise(self, text: ReportText) -> bool:
        """Whether the report says it is of this format."""

    @abstractmethod
    def extract(self, text: ReportText) -> ParsedReport:
        """The report's facts, as plain dataclasses; anything unreadable is a warning."""

    def table_judgements(self, blob: str, warnings: list[str]) -> list[ParsedJudgement]:
        """The judgements of the first page's table (TABLE), from its joined words."""
        return judgements_from_table(blob, self.TABLE, warnings)

    def warn_of_missing_facts(self, report: ParsedReport, warnings: list[str]) -> None:
        """Tell the curator which of a report's essential facts could not be read."""
        if not report.authority_name:
            warnings.append(f"The authority's name could not be read from {self.NAME_SOURCE}.")
        if report.start_date is None:
            warnings.append("The inspection dates could not be read.")
        if report.lead_inspector is None:
            warnings.append("The lead inspector's name could not be read.")
        if not report.recommendations:
            warnings.append(f"No recommendations were found{self.RECOMMENDATIONS_PLACE}.")
        if not report.findings:
            warnings.append("No numbered findings paragraphs were found.")


def find_grade(words: str) -> tuple[str, str] | None:
    """(code, words as printed) for the grade that `words` starts with."""
    match = re.match(
        rf"[\s:.]*(?:is\s+|are\s+)?(?:judged\s+to\s+be\s+)?{GRADE}", words, re.IGNORECASE
    )
    if not match:
        return None
    printed = " ".join(match.group("grade").split())
    code = grade_from_words(printed)
    return (code, printed[:1].upper() + printed[1:]) if code else None


def judgements_from_table(
    blob: str, patterns: list[tuple[str, str]], warnings: list[str]
) -> list[ParsedJudgement]:
    """Judgements from the first page's "label  grade" rows, in the order given.

    An area whose label is printed without a readable grade after it gets a warning,
    never a guessed grade.
    """
    found: list[ParsedJudgement] = []
    for area, label in patterns:
        match = re.search(label, blob, re.IGNORECASE)
        if not match:
            continue
        grade = find_grade(blob[match.end() : match.end() + 80])
        if grade is None:
            warnings.append(
                f"The {area.replace('_', ' ')} judgement is named on the first page but its "
                "grade could not be read."
            )
            continue
        found.append(ParsedJudgement(area=area, grade=grade[0], words=grade[1]))
    return found


def area_of(heading: str) -> str | None:
    """The judgement area a heading reports on, or None."""
    for area, label in AREA_LABELS:
        if re.search(label, heading, re.IGNORECASE):
            return area
    return None


def strip_grade(heading: str) -> str:
    """A section heading without the grade printed with it."""
    return _GRADE_TAIL.sub("", heading).rstrip(" :–-")


def is_grade_line(line: str) -> bool:
    """Whether a line holds nothing but a grade (or its broken-off "to be good")."""
    return bool(_GRADE_ONLY.match(line)) or line.strip().lower() in ("to be good", "improvement")


def inspection_dates(
    lines: list[str],
) -> tuple[datetime.date | None, datetime.date | None]:
    """The on-site dates from "Inspection date(s): ..." (first start, last end).

    Two windows may be printed ("8 to 12 July and 5 to 9 August 2019"); the words up to
    the next field ("Report published", "Lead inspector") are read.
    """
    for index, line in enumerate(lines):
        match = re.match(r"^inspection\s+dates?\s*:?\s*(.*)$", line, re.IGNORECASE)
        if not match:
            continue
        words = [match.group(1)]
        for follow in lines[index + 1 : index + 3]:
            if re.match(r"^(report|lead|publication|the |children)", follow, re.IGNORECASE):
                break
            words.append(follow)
        return span_of_ranges(joined(words))
    return None, None


def published_date(lines: list[str]) -> datetime.date | None:
    """The date after "Report published:", where the report states it."""
    for line in lines:
        match = re.match(r"^(?:report\s+)?published\s*:?\s*(.*)$", line, re.IGNORECASE)
        if match:
            return parse_date(spell_numeric_dates(match.group(1)))
    return None


@dataclass
class Region:
    """A stretch of the report under one heading."""

    heading: str
    role: str  # what the walker's classifier said the heading starts
    area: str | None = None
    kind: str | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    other: list[tuple[int, str]] = field(default_factory=list)  # unnumbered lines


# Whether line i of the lines starts a heading, given the role of the region it would end.
Classifier = Callable[[list[str], int, str], Heading | None]

# In a list of recommendations, a short line without end punctuation after an item that
# has ended is a theme heading ("Help and protection", "Care leavers"), not more words.
_LIST_THEME = re.compile(r"^[A-Z][^.;:]{0,48}$")


def walk(
    text: ReportText,
    start: int,
    classify: Classifier,
    *,
    restart_roles: frozenset[str] = frozenset(),
) -> list[Region]:
    """The report from line `start` on as regions under headings.

    `classify(lines, i, role)` says whether line i starts a heading, given the role of the
    region it would end: the Heading, or None. Numbered paragraphs are recognised by their
    number following the previous one (one number may be skipped), so a line that happens
    to start "16." inside a paragraph does not split it.

    A second document bound into the same file (an LSCB review appended to a SIF report,
    Hull 2015) numbers its paragraphs from 1 again. A "1." opening a region whose role is
    in `restart_roles`, before any of the region's own paragraphs, restarts the sequence.
    """
    lines = [line.strip() for line in text.lines]
    regions = [Region(heading="", role="front")]
    expected = None
    current: list[str] | None = None  # the lines of the paragraph being read
    spans: list[tuple[Paragraph, list[str]]] = []
    index = start
    while index < len(lines):
        line = lines[index]
        if not line:
            index += 1
            continue
        heading = classify(lines, index, regions[-1].role)
        if heading is not None:
            regions.append(
                Region(
                    heading=heading.printed, role=heading.role, area=heading.area, kind=heading.kind
                )
            )
            current = None
            index += heading.span
            continue
        match = NUMBERED.match(line)
        restarts = (
            match is not None
            and match["number"] == "1"
            and regions[-1].role in restart_roles
            and not regions[-1].paragraphs
            and current is None
        )
        if match and (restarts or _follows(int(match["number"]), expected)):
            expected = int(match["number"]) + 1
            current = [match["text"] or ""]
            paragraph = Paragraph(text="", number=match["number"], first_line=index)
            spans.append((paragraph, current))
            regions[-1].paragraphs.append(paragraph)
        elif (
            current is not None
            and regions[-1].role == "recommendations"
            and current[-1].rstrip().endswith(".")
            and _LIST_THEME.match(line)
        ):
            current = None
            regions[-1].other.append((index, line))
        elif current is not None:
            current.append(line)
        else:
            regions[-1].other.append((index, line))
        index += 1
    for paragraph, paragraph_lines in spans:
        paragraph.text = joined(paragraph_lines)
    return regions


def _follows(number: int, expected: int | None) -> bool:
    if expected is None:
        return number == 1
    return expected <= number <= expected + 1


def bullets(other: list[tuple[int, str]]) -> list[str]:
    """Bulleted items among a region's unnumbered lines, each joined into one string."""
    items = (joined(item) for item in list_items(line for _, line in other))
    return [item for item in items if item]


# A list's statement that it is empty: "There are no priority actions.", "The inspection
# did not find any areas for priority and immediate action.", "None identified.", "No
# priority actions were identified." Recommendations are instructions ("Ensure that
# ..."), so a statement of this shape is never one.
_STATES_NONE = re.compile(
    r"^(?:there\s+(?:are|were|is|was)\s+no\b"
    r"|(?:the\s+)?(?:inspection|inspectors?|ofsted)\s+(?:did|does|has|have)\s+not\s+"
    r"(?:find|found|identify|identified|make|made)\b"
    r"|no\s+(?:[\w-]+\s+){0,6}(?:(?:were|was|have\s+been|has\s+been|are|is)\s+)?"
    r"(?:identified|found|made|required|needed)\b"
    r"|(?:none|nil|not\s+applicable)(?:\s+(?:identified|found))?\s*\.?$)",
    re.IGNORECASE,
)


def states_none(item: str) -> bool:
    """Whether a list's item states that the list is empty ("There are no priority
    actions."): such a statement is neither a recommendation nor a finding."""
    return bool(_STATES_NONE.match(item.strip()))
