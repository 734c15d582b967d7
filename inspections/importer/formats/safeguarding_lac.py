"""Inspection of safeguarding and looked after children services (2009-12).

One report in two parts, each graded on the four-point scale with its own overall
effectiveness, capacity for improvement, areas for improvement (by timescale) and
sub-judgements. The text it expects::

    Inspection of safeguarding and looked after children services
    Westmere
    Inspection dates: 7 – 18 November 2011
    Reporting inspector: Peter Jones HMI
    Published: 23 December 2011
    ...
    Safeguarding services
    Overall effectiveness            Grade 3 (adequate)
    ...
    Services for looked after children
    Overall effectiveness            Grade 2 (good)
    ...
    Record of main findings

Judgement areas: a report has two "overall effectiveness" grades, and the area codes hold
one grade each, so the safeguarding part's grades are read as the report's (`overall`,
`capacity_to_improve`, `quality_of_provision`, `leadership`) and the looked after children
part's overall effectiveness as `in_care`; the looked after part's sub-judgements stay in
its findings' text. Findings in the looked after part report on `in_care`.

(The fixture fixtures/reports/fictional/safeguarding_lac_2011.txt is a fictional
council's report in this format's wording.)
"""

from __future__ import annotations

import re

from ..lines import find_line, norm
from ..report import ParsedFinding, ParsedJudgement, ParsedReport, ReportText
from .layout import Section, grade_words, paragraphs, sections
from .report2012 import OTHER_SECTIONS, Report2012

_SAFEGUARDING_PART = re.compile(r"^safeguarding services$")
_LAC_PART = re.compile(
    r"^(services for looked after children|looked after children('s)? services)$"
)

# The safeguarding part's sections and the area each reports on.
SAFEGUARDING_AREAS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^overall effectiveness\b"), "overall"),
    (re.compile(r"^capacity (for|to) improve(ment)?\b"), "capacity_to_improve"),
    (re.compile(r"^(safeguarding )?outcomes for children and young people\b"), "outcomes"),
    (re.compile(r"^(the )?quality of provision\b"), "quality_of_provision"),
    (re.compile(r"^leadership and management\b"), "leadership"),
]
# Headings within the looked after children part: all of its findings report on in_care.
LAC_HEADINGS = [
    re.compile(r"^overall effectiveness\b"),
    re.compile(r"^capacity (for|to) improve(ment)?\b"),
    re.compile(r"^how good are outcomes\b"),
    re.compile(r"^(the )?quality of provision\b"),
    re.compile(r"^leadership and management\b"),
]


class SafeguardingLac(Report2012):
    """The 2012-13 reader, with sections read part by part: the safeguarding part's
    sections report on their own areas, every section of the looked after part on in_care."""

    FRAMEWORK = "safeguarding_lac"
    TITLE = re.compile(r"^inspection of safeguarding and looked after children('s)? services\b")
    SECTION_AREAS = SAFEGUARDING_AREAS

    def extract(self, text: ReportText) -> ParsedReport:
        """The report's facts: front matter, the safeguarding part's judgements and the
        looked after part's overall effectiveness, both parts' areas for improvement and
        findings; anything unreadable becomes a warning."""
        lines = text.lines
        title_at, report = self._title_and_authority(lines)
        self._front_matter(lines, title_at, report)
        parts = self._parts(lines, title_at)
        for part, body in parts.items():
            self._read_part(lines, part, body, report)
        if "lac" not in parts or "safeguarding" not in parts:
            report.warnings.append(
                "The report's 'Safeguarding services' and 'Services for looked after "
                "children' parts could not both be found."
            )
        self._record_of_main_findings(lines, title_at, report)
        return report

    def _parts(self, lines: list[str], title_at: int) -> dict[str, list[Section]]:
        headings = [_SAFEGUARDING_PART, _LAC_PART, *LAC_HEADINGS]
        headings += [p for p, _ in SAFEGUARDING_AREAS] + OTHER_SECTIONS
        parts: dict[str, list[Section]] = {}
        part = None
        found = sections(lines, headings, start=title_at + 1, grade_beside=True)
        for heading, first, end in found:
            folded = norm(heading)
            if _SAFEGUARDING_PART.match(folded):
                part = "safeguarding"
            elif _LAC_PART.match(folded):
                part = "lac"
            elif folded == "record of main findings":
                break  # its table repeats the parts' headings; read by its own method
            elif part:
                parts.setdefault(part, []).append((heading, first, end))
        return parts

    def _read_part(
        self, lines: list[str], part: str, body: list[Section], report: ParsedReport
    ) -> None:
        self._recommendations(lines, body, report)
        for heading, first, end in body:
            folded = norm(heading)
            if folded.startswith("areas for improvement"):
                continue
            area = "in_care" if part == "lac" else self._area(heading)
            grade = _grade_of_section(heading, lines[first:end])
            if grade and folded.startswith("overall effectiveness"):
                self._judge(report, "overall" if part == "safeguarding" else "in_care", grade)
            elif grade and part == "safeguarding" and area and area != "outcomes":
                self._judge(report, area, grade)
            kept = [line for line in lines[first:end] if not grade_words(line)]
            for paragraph in paragraphs(kept, numbered=True):
                report.findings.append(
                    ParsedFinding(
                        section=_heading_words(heading),
                        text=paragraph.text,
                        position=len(report.findings),
                        paragraph=paragraph.number,
                        area=area,
                    )
                )

    @staticmethod
    def _judge(report: ParsedReport, area: str, grade: tuple[str, str]) -> None:
        if not any(j.area == area for j in report.judgements):
            report.judgements.append(ParsedJudgement(area=area, grade=grade[0], words=grade[1]))

    def _record_of_main_findings(
        self, lines: list[str], title_at: int, report: ParsedReport
    ) -> None:
        """Where no section stated a grade, the record of main findings table may."""
        record = find_line(lines, re.compile(r"^record of main findings$"), title_at)
        if record is None:
            return
        part = None
        for line in lines[record + 1 :]:
            folded = norm(line)
            if _SAFEGUARDING_PART.match(folded) or folded.startswith("safeguarding services"):
                part = "safeguarding"
                continue
            if _LAC_PART.match(folded) or folded.startswith(
                ("looked after children", "services for")
            ):
                part = "lac"
                continue
            cells = [c.strip() for c in re.split(r"\t|\s{3,}", line) if c.strip()]
            grade = grade_words(cells[-1]) if len(cells) >= 2 else None
            if not (grade and part):
                continue
            label = norm(cells[0])
            if label.startswith("overall effectiveness"):
                self._judge(report, "overall" if part == "safeguarding" else "in_care", grade)
            elif part == "safeguarding":
                area = self._area(cells[0])
                if area and area != "outcomes":
                    self._judge(report, area, grade)
        if not any(j.area == "overall" for j in report.judgements):
            report.warnings.append(
                "No grade could be read for safeguarding services' overall effectiveness."
            )


def _heading_words(heading: str) -> str:
    """A heading without the grade printed beside it."""
    return re.sub(r"(?i)\s+grade\s*\d.*$", "", heading).strip()


def _grade_of_section(heading: str, body: list[str]) -> tuple[str, str] | None:
    """The grade printed beside a heading ("Overall effectiveness Grade 3 (adequate)") or on
    the first line under it."""
    beside = re.search(r"(?i)grade\s*\d.*$", heading)
    if beside:
        return grade_words(beside.group(0))
    first = next((line for line in body if line.strip()), "")
    return grade_words(first)


FORMAT = SafeguardingLac()
FRAMEWORK = FORMAT.FRAMEWORK
recognise = FORMAT.recognise
extract = FORMAT.extract
