"""Annual unannounced inspection of contact, referral and assessment arrangements
(2009-12): a letter to the director of children's services.

Ungraded. Its findings are bullets under "Strengths", "Satisfactory practice" and "Areas
for development"; the areas for development are also its recommendations. The letter's
date is its publication date; the inspector who signs it led it (seed 002)::

    25 August 2010
    ...
    Dear Mr Clark
    Annual unannounced inspection of contact, referral and assessment arrangements within
    Somerset County Council children's services
    This letter summarises the findings of the recent unannounced inspection ... which was
    conducted on 27 and 28 July 2010. ...
    Strengths
    - The staffing structure of assessment teams ...
    Satisfactory practice
    - Contact, referral and duty arrangements are robust. ...
    Areas for development
    - The pods are working at full capacity ...
    Yours sincerely
    Martin Ayres
    Her Majesty's Inspector
"""

from __future__ import annotations

import re

from ..dates import visit_window
from ..lines import clean, norm, opening
from ..names import letter_lead_inspector
from ..report import ParsedFinding, ParsedRecommendation, ParsedReport, ReportText
from .layout import paragraphs, sections
from .letter import Letter, LetterFormat

# The subject line sits under the address block: within the letter's first lines.
TITLE_WITHIN_LINES = 30

_AUTHORITY = re.compile(
    r"(?i)\barrangements\s+(?:within|in|for|at)\s+(?P<name>.+?)"
    r"(?:\s+(?:local authority\s+)?children['’]s services)?\s*$"
)

# The three headings and the kind of finding each introduces.
KIND_HEADINGS = [
    (re.compile(r"^strengths?$"), "strength"),
    (re.compile(r"^satisfactory practice$"), "satisfactory"),
    (re.compile(r"^areas? for development$"), "area_for_development"),
]
# The closing sentence under the areas for development is not one of them.
_CLOSING = re.compile(r"(?i)^any areas for development identified above")


class CraLetter(LetterFormat):
    """An unannounced CRA letter: bulleted findings under three kinds of heading."""

    FRAMEWORK = "cra_unannounced"
    TITLE = re.compile(
        r"^(annual )?unannounced inspection of contact,? referral and assessment"
        r"( arrangements)?\b"
    )

    def recognise(self, text: ReportText) -> bool:
        """Whether the letter's subject is an unannounced inspection of contact, referral
        and assessment arrangements."""
        return any(self.TITLE.match(line) for line in opening(text.lines, TITLE_WITHIN_LINES))

    def extract(self, text: ReportText) -> ParsedReport:
        """The letter's facts: dates, inspector, and its bulleted findings by kind."""
        lines = text.lines
        letter = self.letter(lines)
        title = _title(lines, letter.title_at)
        name = _AUTHORITY.search(title)
        report = ParsedReport(
            framework=self.FRAMEWORK,
            authority_name=name["name"].strip() if name else "",
            title=title,
            published_date=letter.date,
        )
        if not report.authority_name:
            report.warnings.append(f"The letter's subject {title!r} does not name the authority.")
        if letter.date is None:
            report.warnings.append("The letter's date could not be found.")
        body_text = " ".join(clean(line) for line in lines[letter.title_at : letter.body_end])
        report.start_date, report.end_date = visit_window(body_text)
        if report.start_date is None:
            report.warnings.append("The letter does not say when the inspection took place.")
        report.lead_inspector = letter_lead_inspector(body_text, letter.signatory)
        if report.lead_inspector is None:
            report.warnings.append("The letter's inspector could not be found.")
        _findings(lines, letter, report)
        return report


def _title(lines: list[str], title_at: int) -> str:
    """The subject line, which may run on to a second line."""
    title = clean(lines[title_at])
    following = lines[title_at + 1] if title_at + 1 < len(lines) else ""
    if following.strip() and clean(following).lower().startswith(
        ("children", "services", "arrangements")
    ):
        title = f"{title} {clean(following)}"
    return title


def _findings(lines: list[str], letter: Letter, report: ParsedReport) -> None:
    headings = [pattern for pattern, _ in KIND_HEADINGS]
    found = sections(lines, headings, start=letter.title_at + 1, end=letter.body_end)
    for heading, first, end in found:
        folded = norm(heading)
        kind = next(code for pattern, code in KIND_HEADINGS if pattern.match(folded))
        for paragraph in paragraphs(lines[first:end]):
            if _CLOSING.match(paragraph.text):
                break
            report.findings.append(
                ParsedFinding(
                    section=heading,
                    text=paragraph.text,
                    position=len(report.findings),
                    kind=kind,
                )
            )
            if kind == "area_for_development":
                report.recommendations.append(
                    ParsedRecommendation(text=paragraph.text, position=len(report.recommendations))
                )
    if not found:
        report.warnings.append(
            "The letter has none of the headings Strengths, Satisfactory practice or "
            "Areas for development."
        )


FORMAT = CraLetter()
FRAMEWORK = FORMAT.FRAMEWORK
recognise = FORMAT.recognise
extract = FORMAT.extract
