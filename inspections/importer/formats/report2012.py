"""The 2009-13 reports family: inspections of arrangements for the protection of children
and of looked after children services (2012-13), and of safeguarding and looked after
children services (2009-12).

They share one layout: a title naming the authority, front matter (dates, lead
inspector), "Areas for improvement" grouped by timescale, numbered paragraphs under each
judgement's section, and a "Record of main findings" table, graded on the four-point scale
(outstanding, good, adequate, inadequate). Report2012 reads it; each format is a subclass
naming its title and its judgement sections.
"""

from __future__ import annotations

import re
from typing import ClassVar

from ...vocabulary import grade_from_words
from ..bullets import is_bulleted
from ..dates import date_window, dates_in
from ..lines import clean, find_line, find_title, norm
from ..names import front_matter_lead_inspector
from ..report import (
    ParsedFinding,
    ParsedJudgement,
    ParsedRecommendation,
    ParsedReport,
    ReportText,
)
from .layout import Section, grade_words, paragraphs, sections

# Sections that are not findings: the grading scale, the method, facts about the area.
# "Service information" describes the area (population, services) rather than judging it.
OTHER_SECTIONS = [
    re.compile(r"^the inspection judgements and what they mean$"),
    re.compile(r"^areas for improvement$"),
    re.compile(r"^about this inspection$"),
    re.compile(r"^service information$"),
    re.compile(r"^record of main findings$"),
    re.compile(r"^contents$"),
]

TIMESCALE_HEADINGS = [
    (re.compile(r"^immediately$"), "immediately"),
    (re.compile(r"^within (three|3) months$"), "within_three_months"),
    (re.compile(r"^within (six|6) months$"), "within_six_months"),
]

_DATES_LINE = re.compile(r"^inspection dates?\b")
_PUBLISHED = re.compile(r"^(report )?published\b|^publication date\b")
_FRONT_MATTER_END = re.compile(r"^(contents|© crown copyright|the inspection judgements)")


class Report2012:
    """Base of the 2012-13 report formats (protection, looked after children) and of the
    2009-12 safeguarding and looked after children reports: the same layout, different
    judgement sections.

    A subclass names its FRAMEWORK, its TITLE (matched on folded lines among the first
    TITLE_WITHIN_LINES) and SECTION_AREAS: the sections whose paragraphs are findings, and
    the judgement area each reports on, tested in order on the folded heading.
    """

    FRAMEWORK: ClassVar[str]
    TITLE: ClassVar[re.Pattern[str]]
    SECTION_AREAS: ClassVar[list[tuple[re.Pattern[str], str]]]
    # How far into the report its title may sit: after a blank cover page at most.
    TITLE_WITHIN_LINES: ClassVar[int] = 8

    def recognise(self, text: ReportText) -> bool:
        """Whether the report is titled as this format's reports are."""
        return find_title(text.lines, self.TITLE, self.TITLE_WITHIN_LINES) is not None

    def extract(self, text: ReportText) -> ParsedReport:
        """The report's facts; anything unreadable becomes a warning."""
        lines = text.lines
        title_at, report = self._title_and_authority(lines)
        self._front_matter(lines, title_at, report)
        body = self._sections(lines, title_at)
        self._judgements(lines, body, report)
        self._recommendations(lines, body, report)
        self._findings(lines, body, report)
        return report

    # Front matter ------------------------------------------------------------------

    def _title_and_authority(self, lines: list[str]) -> tuple[int, ParsedReport]:
        """Where the title starts, and a report with the title and the authority's name
        read; a title wrapped over lines is read whole, so its last line ("services") is
        never taken for the name."""
        found = find_title(lines, self.TITLE, self.TITLE_WITHIN_LINES)
        assert found is not None, "extract() is only called on a recognised report"
        title_at, spanned = found
        report = ParsedReport(
            framework=self.FRAMEWORK,
            authority_name=self._authority(lines, spanned),
            title=" ".join(clean(lines[i]) for i in spanned),
        )
        if not report.authority_name:
            report.warnings.append("The report's title does not name the local authority.")
        return title_at, report

    def _authority(self, lines: list[str], spanned: list[int]) -> str:
        title = " ".join(clean(lines[i]) for i in spanned)
        match = re.match(self.TITLE.pattern, norm(title))
        rest = title[match.end() :].strip(" ,:–-") if match else ""
        if rest:
            return rest
        # The name on a line of its own, after the title (or, failing that, before it).
        title_at, after = spanned[0], spanned[-1] + 1
        following = [line for line in lines[after : after + 5] if line.strip()]
        preceding = [line for line in lines[max(0, title_at - 4) : title_at] if line.strip()]
        for candidate in following[:1] + preceding[-1:]:
            name = clean(candidate)
            if name and not re.match(r"(?i)inspection dates?|age group|lead inspector", name):
                return name
        return ""

    def _front_matter(self, lines: list[str], title_at: int, report: ParsedReport) -> None:
        end = find_line(lines, _FRONT_MATTER_END, title_at) or title_at + 20
        front = [clean(line) for line in lines[title_at + 1 : end] if line.strip()]
        dates_at = next((i for i, line in enumerate(front) if _DATES_LINE.match(norm(line))), None)
        if dates_at is None:
            report.warnings.append("The report's inspection dates could not be found.")
        else:
            report.start_date, report.end_date = date_window(front[dates_at])
            if report.start_date is None:
                report.warnings.append(f"The inspection dates {front[dates_at]!r} are unreadable.")
        report.lead_inspector = front_matter_lead_inspector(front)
        if report.lead_inspector is None:
            report.warnings.append("The report's lead inspector could not be found.")
        for line in front:
            if _PUBLISHED.match(norm(line)):
                report.published_date = dates_in(line)[0] if dates_in(line) else None

    # Sections ----------------------------------------------------------------------

    def _sections(self, lines: list[str], title_at: int) -> list[Section]:
        """The report's sections, headings read whole. The record of main findings is the
        last: its table's rows ("Overall effectiveness  Adequate") name sections but
        are not headings, so it runs to the end."""
        headings = [pattern for pattern, _ in self.SECTION_AREAS]
        headings += [*OTHER_SECTIONS, self.TITLE]
        found = sections(lines, headings, start=title_at + 1)
        record = next((n for n, (h, _, _) in enumerate(found) if norm(h) == _RECORD), None)
        if record is not None:
            heading, first, _ = found[record]
            found = [*found[:record], Section(heading, first, len(lines))]
        merged: list[Section] = []
        for heading, first, end in (_wrapped_heading(lines, *section) for section in found):
            if (_CONTENTS_ENTRY.search(heading) or heading[:1].islower()) and merged:
                # A contents entry ("Capacity to improve 4"), or a line of a paragraph that
                # happens to begin with a heading's words ("outcomes for looked after
                # children and young people, some of which"): part of the section before.
                merged[-1] = merged[-1]._replace(end=end)
            else:
                merged.append(Section(heading, first, end))
        return merged

    def _area(self, heading: str) -> str | None:
        folded = norm(heading)
        if self.TITLE.search(folded):
            return None  # the title, repeated above the first section
        return next((area for pattern, area in self.SECTION_AREAS if pattern.search(folded)), None)

    # Judgements --------------------------------------------------------------------

    def _judgements(self, lines: list[str], body: list[Section], report: ParsedReport) -> None:
        """From the record of main findings where there is one; each judgement section's
        grade line otherwise. A disagreement between the two is a warning."""
        from_table = self._table_grades(lines, body)
        from_sections = self._section_grades(lines, body)
        for area, (code, words) in {**from_sections, **from_table}.items():
            report.judgements.append(ParsedJudgement(area=area, grade=code, words=words))
            other = from_sections.get(area)
            if area in from_table and other and other[0] != code:
                report.warnings.append(
                    f"The record of main findings grades {area} {words!r} but its section "
                    f"says {other[1]!r}; the record was used."
                )
        graded = {j.area for j in report.judgements}
        for heading, _, _ in body:
            area = self._area(heading)
            if area and area not in graded:
                report.warnings.append(f"No grade could be read for {heading!r}.")
                graded.add(area)

    def _table_grades(self, lines: list[str], body: list[Section]) -> dict[str, tuple[str, str]]:
        """The record of main findings' rows: "label <tab> grade" in text sources; in PDFs
        "label grade" with single spaces, a long label wrapped over the lines above its
        grade ("Outcomes for looked after children and" / "young people" / "Adequate")."""
        grades: dict[str, tuple[str, str]] = {}
        for heading, first, end in body:
            if norm(heading) != _RECORD:
                continue
            above: list[str] = []  # the lines since the last graded row
            for line in lines[first:end]:
                if not line.strip():
                    continue
                label, grade = _table_row(line)
                if grade is None:
                    above.append(line)
                    continue
                # The label is the row's own words, or, where they name no area, those
                # with the fewest lines above that do.
                candidates = [label] if label else []
                candidates += [" ".join([*above[-k:], label]) for k in range(1, 4)]
                area = next((a for a in map(self._area, candidates) if a), None)
                if area:
                    grades.setdefault(area, grade)
                above = []
        return grades

    def _section_grades(self, lines: list[str], body: list[Section]) -> dict[str, tuple[str, str]]:
        grades: dict[str, tuple[str, str]] = {}
        for heading, first, end in body:
            area = self._area(heading)
            if not area:
                continue
            first_line = next((line for line in lines[first:end] if line.strip()), "")
            grade = grade_words(first_line)
            if grade is None:
                # "The overall effectiveness of ... is judged to be inadequate."
                sentence = re.search(
                    r"\bis (?:judged to be )?(outstanding|good|adequate|inadequate)\b",
                    clean(first_line),
                    re.IGNORECASE,
                )
                if sentence:
                    word = sentence.group(1)
                    grade = (grade_from_words(word), word.capitalize())
            if grade and grade[0]:
                grades.setdefault(area, grade)
        return grades

    # Recommendations ---------------------------------------------------------------

    def _recommendations(self, lines: list[str], body: list[Section], report: ParsedReport) -> None:
        section = next((s for s in body if norm(s[0]) == "areas for improvement"), None)
        if section is None:
            report.warnings.append("The report has no 'Areas for improvement' section.")
            return
        _, first, end = section
        timescale = None
        chunk: list[str] = []
        for line in [*lines[first:end], "Within never"]:
            folded = norm(line)
            heading = next((code for p, code in TIMESCALE_HEADINGS if p.match(folded)), None)
            if heading or folded == "within never":
                if timescale:
                    self._add_items(chunk, timescale, report)
                timescale, chunk = heading, []
            elif timescale:
                chunk.append(line)
        if not report.recommendations:
            report.warnings.append("No areas for improvement could be read.")

    @staticmethod
    def _add_items(chunk: list[str], timescale: str, report: ParsedReport) -> None:
        for item in paragraphs(chunk):
            report.recommendations.append(
                ParsedRecommendation(
                    text=item.text,
                    position=len(report.recommendations),
                    timescale=timescale,
                )
            )

    # Findings ----------------------------------------------------------------------

    def _findings(self, lines: list[str], body: list[Section], report: ParsedReport) -> None:
        for heading, first, end in body:
            area = self._area(heading)
            if not area:
                continue
            section_lines = [line for line in lines[first:end] if not grade_words(line)]
            for paragraph in paragraphs(section_lines, numbered=True):
                report.findings.append(
                    ParsedFinding(
                        section=heading,
                        text=paragraph.text,
                        position=len(report.findings),
                        paragraph=paragraph.number,
                        area=area,
                    )
                )


_RECORD = "record of main findings"
_CONTENTS_ENTRY = re.compile(r"\D\s+\d{1,3}$")
_TRAILING_GRADE = re.compile(
    r"^(?P<label>.*?)\s+(?P<grade>outstanding|good|adequate|inadequate)\.?$", re.IGNORECASE
)


def _table_row(line: str) -> tuple[str, tuple[str, str] | None]:
    """A record of main findings line as (label, grade), the grade None where the line
    ends with none (a part's heading, or a label wrapped onto the next line)."""
    cells = [cell.strip() for cell in re.split(r"\t|\s{3,}", line) if cell.strip()]
    if len(cells) >= 2:
        return cells[0], grade_words(cells[-1])
    if grade_words(line):
        return "", grade_words(line)
    trailing = _TRAILING_GRADE.match(clean(line))
    if trailing:
        return trailing["label"], grade_words(trailing["grade"])
    return clean(line), None


def _wrapped_heading(lines: list[str], heading: str, first: int, end: int) -> Section:
    """A section whose heading wraps onto the lines below it ("Overall effectiveness of
    services for looked" / "after children and young people"), with the heading whole:
    a short line in lower case, not a numbered paragraph, carries it on."""
    while first < end and (
        lines[first].strip()
        and clean(lines[first])[:1].islower()
        and len(lines[first].strip()) < 70
        and not is_bulleted(lines[first])
    ):
        heading = f"{heading} {clean(lines[first])}"
        first += 1
    return Section(heading, first, end)
