"""Review of the effectiveness of a Local Safeguarding Children Board, published on its
own (2013-18).

Graded on the SIF scale (outstanding, good, requires improvement, inadequate), area
`lscb`; its recommendations are addressed to the LSCB. Most LSCB reviews were published
inside a SIF report, whose title block names both ("Inspection of services for children
in need of help and protection ... and Review of the effectiveness of the Local
Safeguarding Children Board"): those belong to `sif`. This format claims a report only
when the review is its whole title. The text it expects::

    Northshire
    Review of the effectiveness of the Local Safeguarding Children Board
    Inspection date: 9 – 31 May 2016
    Report published: 15 July 2016
    Lead inspector: Mary Black HMI
    The Local Safeguarding Children Board in Northshire requires improvement to be good.
    ...
    Recommendations
    1. Ensure that ...
    ...
    Inspection findings: the Local Safeguarding Children Board
    20. The LSCB ...

(The fixture fixtures/reports/fictional/lscb_review_2016.txt is a fictional board's
review in this format's wording.)
"""

from __future__ import annotations

import re

from ..dates import date_window, dates_in
from ..lines import clean, find_line, norm, opening
from ..names import person_name
from ..report import (
    ParsedFinding,
    ParsedJudgement,
    ParsedRecommendation,
    ParsedReport,
    ReportText,
)
from .layout import grade_words, paragraphs, sections

FRAMEWORK = "lscb_review"

TITLE = re.compile(
    r"^(a )?review of the effectiveness of the (local safeguarding children board|lscb)\b"
)
# Any other inspection's title in the title block makes it a combined report, not this.
OTHER_TITLE = re.compile(r"^(and )?inspection of\b|^and$")
TITLE_WITHIN_LINES = 12

_GRADE_SENTENCE = re.compile(
    r"(?i)\b(?:local safeguarding children board|lscb|board)\b[^.]*?\b"
    r"(?P<words>requires improvement(?: to be good)?|is inadequate|is good|is outstanding)\b"
)
_RECOMMENDATIONS = re.compile(r"^recommendations$")
_NOT_FINDINGS = re.compile(
    r"^(recommendations|information about this review|contents|executive summary|"
    r"the inspection judgements and what they mean)$"
)


def recognise(text: ReportText) -> bool:
    """Whether the report is titled a review of an LSCB, and nothing else."""
    first_lines = opening(text.lines, TITLE_WITHIN_LINES)
    title_at = next((i for i, line in enumerate(first_lines) if TITLE.match(line)), None)
    if title_at is None:
        return False
    return not any(OTHER_TITLE.match(line) for line in first_lines[: title_at + 3])


def extract(text: ReportText) -> ParsedReport:
    """The review's facts: front matter, the board's grade, its recommendations and its
    numbered findings."""
    lines = text.lines
    title_at = find_line(lines, TITLE)
    assert title_at is not None, "extract() is only called on a recognised review"
    report = ParsedReport(
        framework=FRAMEWORK,
        authority_name=_authority(lines, title_at),
        title=clean(lines[title_at]).rstrip("¹*"),
    )
    if not report.authority_name:
        report.warnings.append("The review does not name its local authority.")
    _front_matter(lines, title_at, report)
    body = sections(
        lines,
        [re.compile(r"^[a-z].{2,100}$")],
        start=title_at + 1,
    )
    _grade(lines, title_at, report)
    for heading, first, end in body:
        folded = norm(heading)
        if _RECOMMENDATIONS.match(folded):
            for item in paragraphs(lines[first:end], numbered=True):
                report.recommendations.append(
                    ParsedRecommendation(
                        text=item.text, position=len(report.recommendations), addressee="lscb"
                    )
                )
        elif not _NOT_FINDINGS.match(folded):
            for paragraph in paragraphs(lines[first:end], numbered=True):
                if paragraph.number is None:
                    continue  # unnumbered lines between sections: captions, summaries
                report.findings.append(
                    ParsedFinding(
                        section=heading,
                        text=paragraph.text,
                        position=len(report.findings),
                        paragraph=paragraph.number,
                        area="lscb",
                    )
                )
    if not report.recommendations:
        report.warnings.append("No recommendations to the LSCB could be read.")
    return report


def _authority(lines: list[str], title_at: int) -> str:
    title = clean(lines[title_at])
    rest = re.search(r"(?i)board\W*\s+(?:in|of|for)\s+(?P<name>.+)$", title)
    if rest:
        return rest["name"].strip()
    before = [line for line in lines[max(0, title_at - 4) : title_at] if line.strip()]
    if before and not grade_words(before[-1]):
        return clean(before[-1])
    return ""


def _front_matter(lines: list[str], title_at: int, report: ParsedReport) -> None:
    for line in [clean(x) for x in lines[title_at + 1 : title_at + 20] if x.strip()]:
        folded = norm(line)
        if re.match(r"^(inspection|review) dates?\b", folded) and report.start_date is None:
            report.start_date, report.end_date = date_window(line)
        elif re.match(r"^(report )?published\b", folded):
            found = dates_in(line)
            report.published_date = found[0] if found else None
        elif folded.startswith("lead inspector"):
            report.lead_inspector = person_name(re.sub(r"(?i)lead inspector:?", "", line))
    if report.start_date is None:
        report.warnings.append("The review's dates could not be found.")
    if report.lead_inspector is None:
        report.warnings.append("The review's lead inspector could not be found.")


def _grade(lines: list[str], title_at: int, report: ParsedReport) -> None:
    """The board's grade, from the sentence or table row that states it near the top."""
    for line in lines[title_at + 1 : title_at + 40]:
        cells = [c for c in line.split("\t") if c.strip()]
        graded = grade_words(cells[-1]) if len(cells) >= 2 else None
        if graded is None:
            sentence = _GRADE_SENTENCE.search(clean(line))
            if sentence:
                words = re.sub(r"(?i)^is\s+", "", sentence["words"])
                graded = grade_words(words) or (None, words)  # type: ignore[assignment]
        if graded and graded[0]:
            if graded[0] == "adequate":
                report.warnings.append(
                    f"The review's grade {graded[1]!r} is not on the LSCB review scale."
                )
                return
            words = graded[1][0].upper() + graded[1][1:]
            report.judgements.append(ParsedJudgement(area="lscb", grade=graded[0], words=words))
            return
    report.warnings.append("The board's grade could not be read.")
