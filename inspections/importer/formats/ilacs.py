"""Inspection of local authority children's services (ILACS), standard or short (2018-).

Titled "Inspection of <authority> local authority children's services" (from 2021),
"Inspection of local authority children's services" or, in 2018-20, "<authority> /
Inspection of children's social care services". Sample of the text expected::

    Inspection of Bristol local authority children's services
    Inspection dates: 16 to 27 January 2023
    Lead inspector: Tracey Ledder, His Majesty's Inspector
    Judgement                                                     Grade
    The impact of leaders on social work practice with children   Requires improvement
    and families                                                  to be good
    The experiences and progress of children who need help and    Requires improvement
    protection                                                    to be good
    The experiences and progress of children in care              Good
    The experiences and progress of care leavers                  Good
    Overall effectiveness                                         Requires improvement
                                                                  to be good

Until 2022 children in care and care leavers were one judgement ("children in care and
care leavers", area in_care); from 2023 care leavers are graded on their own. The
recommendations are the bullets under "What needs to improve?"; findings are the
numbered paragraphs under each judgement's heading. The unnumbered summary on the first
page is left out of the findings: it restates them, and findings are cited by number.
Reports do not state their publication date, so it is left empty.
"""

from __future__ import annotations

import re

from ..lines import content_lines, joined
from ..names import labelled_lead_inspector
from ..report import ParsedFinding, ParsedRecommendation, ParsedReport, ReportText
from . import sectioned
from .layout import Heading
from .sectioned import SectionedReport

# The title at a line's start, possibly wrapped over lines.
_TITLE = re.compile(
    r"^inspection\s+of\s+(?!services\s+for\b)(?P<name>(?:(?!inspection\b)[^\n]){0,120}?\s*\n?[^\n]{0,80}?)"
    r"(?:\s*local\s+authority\s+)?children['’]s\s+(?:social\s+care\s+)?services\b",
    re.IGNORECASE | re.MULTILINE,
)
_TITLE_LINES = 8

_TABLE: list[tuple[str, str]] = [
    (
        "leadership",
        r"impact\s+of\s+leaders\s+on\s+social\s+work\s+practice\s+with\s+children\s+and\s+families",
    ),
    ("help_and_protection", r"progress\s+of\s+children\s+who\s+need\s+help\s+and\s+protection"),
    ("in_care", r"progress\s+of\s+children\s+in\s+care(?:\s+and\s+care\s+leavers)?"),
    ("care_leavers", r"progress\s+of\s+care\s+leavers"),
    ("overall", r"overall\s+effectiveness"),
]

_HEADINGS: list[tuple[str, re.Pattern[str]]] = [
    (
        "findings",
        re.compile(
            r"^(?:the\s+)?(?:experiences?\s+and\s+progress\s+of\b|impact\s+of\s+leaders\b)",
            re.IGNORECASE,
        ),
    ),
    ("recommendations", re.compile(r"^what\s+needs\s+to\s+improve\b.*$", re.IGNORECASE)),
    (
        "other",
        re.compile(
            r"^(?:the\s+office\s+for\s+standards\b|any\s+complaints\b|information\s+about\s+this"
            r"\s+inspection|ofsted\s+produces\s+this\b|judgement\s+grade$)",
            re.IGNORECASE,
        ),
    ),
]


class Ilacs(SectionedReport):
    """An ILACS report."""

    FRAMEWORK = "ilacs"
    TABLE = _TABLE
    NAME_SOURCE = "the title"
    RECOMMENDATIONS_PLACE = " under 'What needs to improve'"

    def recognise(self, text: ReportText) -> bool:
        """Whether the report's title says it is an inspection of local authority
        children's services (or, 2018-20, of children's social care services)."""
        return _title_match(text) is not None

    def extract(self, text: ReportText) -> ParsedReport:
        """The report's facts."""
        indexed = content_lines(text)
        lines = [line for _, line in indexed]
        title = _title_match(text)
        assert title is not None, "extract() is only called on a recognised report"
        head_lines = lines[:_TITLE_LINES]
        front = lines[: _front_end(lines)]
        warnings: list[str] = []
        report = ParsedReport(
            framework=self.FRAMEWORK,
            authority_name=_authority_name(title, head_lines),
            title=joined(title.group(0).split("\n")),
        )
        report.start_date, report.end_date = sectioned.inspection_dates(front)
        report.lead_inspector = labelled_lead_inspector(front) or labelled_lead_inspector(lines)
        report.judgements = self.table_judgements(joined(front), warnings)
        if not any(j.area == "overall" for j in report.judgements):
            warnings.append("The overall effectiveness judgement could not be read.")
        regions = sectioned.walk(text, 0, _classify)
        report.recommendations, report.findings = _recommendations_and_findings(regions)
        self.warn_of_missing_facts(report, warnings)
        report.warnings = warnings
        return report


def _title_match(text: ReportText) -> re.Match[str] | None:
    head = "\n".join(line for _, line in content_lines(text)[:_TITLE_LINES])
    return _TITLE.search(head)


def _front_end(lines: list[str]) -> int:
    """Where the first page's table ends: at the first "What needs to improve" heading."""
    for index, line in enumerate(lines):
        if re.match(r"^what\s+needs\s+to\s+improve", line, re.IGNORECASE):
            return index
    return min(len(lines), 60)


def _authority_name(title: re.Match[str], head_lines: list[str]) -> str:
    """The authority as the title names it, or as the line above the 2018-20 title does."""
    name = joined(title.group("name").split("\n")).strip()
    name = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)
    name = re.sub(r"\s*local\s+authority\s*$", "", name, flags=re.IGNORECASE).strip(" ,")
    if name:
        return name
    # "Birmingham City Council" / "Inspection of children's social care services".
    above = []
    for line in head_lines:
        if re.match(r"^inspection\s+of\b", line, re.IGNORECASE):
            break
        above.append(line)
    return joined(above).strip(" ,")


def _classify(lines: list[str], index: int, role_before: str) -> Heading | None:
    """The heading that line `index` starts, or None."""
    line = lines[index]
    if sectioned.NUMBERED.match(line) or len(line) > 110:
        return None
    for role, pattern in _HEADINGS:
        if not pattern.match(line):
            continue
        if role != "findings":
            return Heading(role, 1, None, None, line)
        span, heading = 1, line
        # "The experiences and progress of children who need help and" / "protection:
        # requires improvement to be good": take wrapped lines until the grade is read.
        while (
            index + span < len(lines)
            and span < 4
            and sectioned.find_grade(heading.split(":")[-1]) is None
            and not re.search(r":\s*\S", heading)
        ):
            following = lines[index + span]
            if sectioned.NUMBERED.match(following) or len(following) > 90:
                break
            heading = f"{heading} {following}"
            span += 1
        if sectioned.strip_grade(heading) == heading:
            # Judgement headings carry their grade; without one this is a sentence that
            # happens to start with the words of a heading.
            return None
        area = sectioned.area_of(heading)
        return Heading(role, span, area, None, sectioned.strip_grade(heading))
    return None


def _recommendations_and_findings(
    regions: list[sectioned.Region],
) -> tuple[list[ParsedRecommendation], list[ParsedFinding]]:
    recommendations: list[ParsedRecommendation] = []
    findings: list[ParsedFinding] = []
    for region in regions:
        if region.role == "recommendations" and not recommendations:
            items = sectioned.bullets(region.other) or [p.text for p in region.paragraphs]
            recommendations = [
                ParsedRecommendation(text=item, position=position)
                for position, item in enumerate(items)
            ]
            continue
        if region.role != "findings":
            continue
        for paragraph in region.paragraphs:
            findings.append(
                ParsedFinding(
                    section=region.heading,
                    text=paragraph.text,
                    position=len(findings),
                    paragraph=paragraph.number,
                    area=region.area,
                )
            )
    return recommendations, findings


FORMAT = Ilacs()
FRAMEWORK = FORMAT.FRAMEWORK
recognise = FORMAT.recognise
extract = FORMAT.extract
