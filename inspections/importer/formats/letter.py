"""The letters family: unannounced CRA letters (2009-12), monitoring visit letters
(2015-), focused visit letters (2018-) and JTAI letters (2016-).

A letter is found by its subject line (the format's TITLE): its date and salutation come
just before it, its body runs to "Yours sincerely", and it may be wrapped in other papers
(a council's cabinet agenda), of which only the letter is the report. Its date is its
publication date; its visit's dates are in its opening words. LetterFormat is the family's
base; VisitLetter reads the visit letters, whose findings are paragraphs under headings
and whose "areas for priority action" and "areas for improvement" are recommendations.
"""

from __future__ import annotations

import datetime
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from ..dates import standalone_date, visit_window
from ..lines import clean, find_line, norm, opening
from ..names import letter_lead_inspector, signatory
from ..report import ParsedFinding, ParsedRecommendation, ParsedReport, ReportText
from .layout import Section, is_heading_like, paragraphs


@dataclass
class Letter:
    """Where a letter sits among the lines: a letter may be wrapped in other papers (a
    council's cabinet agenda), and only the letter is the report.

    `start` is its date line (or its salutation), `title_at` its subject line, `end` the
    line after its signature block; `body` runs from after the title to the sign-off.
    """

    start: int
    title_at: int
    sign_off: int | None
    end: int
    date: datetime.date | None
    signatory: str | None

    @property
    def body_end(self) -> int:
        """The index of "Yours sincerely", or the letter's end."""
        return self.sign_off if self.sign_off is not None else self.end


_SALUTATION = re.compile(r"^dear\b")
_SIGN_OFF = re.compile(r"^yours (sincerely|faithfully)")


def find_letter(lines: Sequence[str], title: re.Pattern[str]) -> Letter | None:
    """The letter whose subject line matches `title` (tested on folded lines)."""
    title_at = find_line(lines, title)
    if title_at is None:
        return None
    start = title_at
    date = None
    # Its date and salutation come just before the subject line, after the address.
    for index in range(title_at - 1, max(-1, title_at - 25), -1):
        if not lines[index].strip():
            continue
        found = standalone_date(clean(lines[index]))
        if found:
            start, date = index, found
            break
        if _SALUTATION.match(norm(lines[index])):
            start = index
    sign_off = find_line(lines, _SIGN_OFF, title_at)
    end = len(lines)
    if sign_off is not None:
        end = _signature_end(lines, sign_off)
    return Letter(
        start=start,
        title_at=title_at,
        sign_off=sign_off,
        end=end,
        date=date,
        signatory=signatory(lines, title_at) if sign_off is not None else None,
    )


def _signature_end(lines: Sequence[str], sign_off: int) -> int:
    """The line after the signature block: the name, and the title under it."""
    seen = 0
    for index in range(sign_off + 1, min(len(lines), sign_off + 12)):
        if not lines[index].strip():
            continue
        seen += 1
        if re.search(r"(?i)inspector|director|hmi\b", lines[index]) or seen >= 3:
            return index + 1
    return min(len(lines), sign_off + 12)


def letter_sections(lines: Sequence[str], start: int, end: int) -> list[Section]:
    """Split a letter's body [start, end) at its headings: short capitalised lines that
    stand alone between paragraphs. The text before the first heading is the section ""."""
    marks = []
    previous = ""
    for index in range(start, end):
        line = lines[index]
        if not line.strip():
            continue
        text = clean(line)
        ends_sentence = (
            not previous
            or previous.endswith((".", ":", "?", ")", "!"))
            or (previous in [h for h, _ in marks])
        )
        if is_heading_like(line) and ends_sentence and not text.lower().startswith("yours"):
            marks.append((text, index))
        previous = text
    result: list[Section] = []
    bounds = [(h, i + 1) for h, i in marks]
    first_heading = marks[0][1] if marks else end
    if first_heading > start:
        result.append(Section("", start, first_heading))
    for n, (heading, first) in enumerate(bounds):
        stop = marks[n + 1][1] if n + 1 < len(marks) else end
        result.append(Section(heading, first, stop))
    return result


_NOT_FINDINGS = re.compile(r"^(areas covered by the visit|scope of the (visit|inspection))$")
_BOILERPLATE = re.compile(
    r"(?i)^(I am copying this letter|This letter will be published|Yours sincerely)"
)
_PRIORITY = re.compile(r"^(areas? for priority action)$")
_IMPROVE = re.compile(r"^(areas? for improvement|what needs to improve\b.*)$")


class LetterFormat(ABC):
    """Base of the letter formats. A subclass names its FRAMEWORK and its subject line's
    TITLE (matched on folded lines), says how the letter is recognised, and reads it."""

    FRAMEWORK: ClassVar[str]
    TITLE: ClassVar[re.Pattern[str]]

    @abstractmethod
    def recognise(self, text: ReportText) -> bool:
        """Whether the report is a letter of this format."""

    @abstractmethod
    def extract(self, text: ReportText) -> ParsedReport:
        """The letter's facts, as plain dataclasses; anything unreadable is a warning."""

    def letter(self, lines: Sequence[str]) -> Letter:
        """Where the letter sits in a recognised report (extract is only called on one)."""
        letter = find_letter(lines, self.TITLE)
        assert letter is not None, "extract() is only called on a recognised letter"
        return letter


class VisitLetter(LetterFormat):
    """A visit letter (monitoring, focused or JTAI): front matter from its opening,
    findings from its headed sections; "areas for priority action" and "areas for
    improvement" (or "what needs to improve") become recommendations."""

    # Whether a letter naming no inspectors was led by its signatory: true of
    # one-inspector letters; JTAI letters are signed by the inspectorates' directors.
    SIGNATORY_MAY_LEAD: ClassVar[bool] = True
    # Sections whose paragraphs are not findings.
    SKIP_SECTIONS: ClassVar[re.Pattern[str]] = _NOT_FINDINGS

    def recognise(self, text: ReportText) -> bool:
        """Whether the text holds a letter whose subject is this format's title, followed
        by the letter's opening words."""
        letter = find_letter(text.lines, self.TITLE)
        if letter is None:
            return False
        after = opening(text.lines[letter.title_at + 1 :], 3)
        return any(self.opens_letter(line) for line in after)

    def opens_letter(self, line: str) -> bool:
        """Whether a folded line is one of the letter's opening words."""
        return line.startswith("this letter summarises")

    def extract(self, text: ReportText) -> ParsedReport:
        """The letter's facts: dates, inspectors, findings and areas to improve."""
        lines = text.lines
        letter = self.letter(lines)
        subject = clean(lines[letter.title_at])
        name = self.TITLE.match(norm(subject))
        folded_name = name.groupdict().get("name") if name else None
        authority = _as_printed(subject, folded_name) if folded_name else ""
        report = ParsedReport(
            framework=self.FRAMEWORK,
            authority_name=authority,
            title=subject,
            published_date=letter.date,
        )
        if letter.date is None:
            report.warnings.append("The letter's date could not be found.")
        body = letter_sections(lines, letter.title_at + 1, letter.body_end)
        intro = " ".join(
            clean(line) for h, a, b in body if h == "" for line in lines[a:b] if line.strip()
        )
        body_text = " ".join(clean(line) for line in lines[letter.title_at : letter.body_end])
        report.start_date, report.end_date = visit_window(intro or body_text)
        if report.start_date is None:
            report.warnings.append("The letter does not say when the visit took place.")
        report.lead_inspector = letter_lead_inspector(
            intro or body_text, letter.signatory if self.SIGNATORY_MAY_LEAD else None
        )
        for heading, first, end in body:
            if not self.SKIP_SECTIONS.match(norm(heading)):
                _read_section(lines[first:end], heading, report)
        return report


def _as_printed(subject: str, folded_name: str) -> str:
    """The authority's name with the subject line's own capitals."""
    start = subject.lower().replace("\u2019", "'").find(folded_name)
    return subject[start : start + len(folded_name)] if start >= 0 else folded_name


def _read_section(lines: list[str], heading: str, report: ParsedReport) -> None:
    folded = norm(heading)
    if not heading:
        return
    kind = "area_for_priority_action" if _PRIORITY.match(folded) else None
    is_recommendation = bool(kind) or bool(_IMPROVE.match(folded))
    for paragraph in paragraphs(lines):
        if _BOILERPLATE.match(paragraph.text):
            continue
        if is_recommendation and paragraph.text.endswith(":") and not paragraph.bulleted:
            # "Ofsted has identified the following areas for priority action:" introduces
            # the list; it is not an item of it.
            continue
        report.findings.append(
            ParsedFinding(
                section=heading, text=paragraph.text, position=len(report.findings), kind=kind
            )
        )
        if is_recommendation:
            report.recommendations.append(
                ParsedRecommendation(text=paragraph.text, position=len(report.recommendations))
            )
