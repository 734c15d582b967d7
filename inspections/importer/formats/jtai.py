"""Joint targeted area inspection (JTAI) letter (2016-): Ofsted, the CQC, HMICFRS and HMI
Probation on the multi-agency response to one theme in a local area.

Ungraded narrative. "Areas for priority action" and "Areas for improvement" are its
recommendations (addressed to the local partnership; recorded as the authority's). The
letter is signed by the inspectorates' directors, so a lead inspector is recorded only
where the letter names one. The text it expects::

    2 May 2018
    Dear Director of Children's Services, Chief Constable, ...
    Joint targeted area inspection of the multi-agency response to abuse and neglect in
    Northshire
    Between 5 and 9 March 2018, Ofsted, the Care Quality Commission (CQC), HMI
    Constabulary and Fire & Rescue Services (HMICFRS) and HMI Probation (HMIP) undertook a
    joint inspection of the multi-agency response to abuse and neglect in Northshire.
    ...
    Key strengths
    ...
    Areas for improvement
    ...
    Next steps
    ...
    Yours sincerely

(The fixture fixtures/reports/fictional/jtai_2018.txt is a fictional area's letter in
this format's wording.)
"""

from __future__ import annotations

import re

from ..lines import clean, find_line, opening
from ..report import ParsedReport, ReportText
from .letter import VisitLetter

# The subject line sits under the addressees: within the letter's first lines.
TITLE_WITHIN_LINES = 40
_AREA = re.compile(r"(?i)\bresponse to .+ in (?P<name>[^,.]+?)\s*$")


class Jtai(VisitLetter):
    """A JTAI letter: a visit letter signed by the inspectorates' directors, whose subject
    names an area rather than an authority's services."""

    FRAMEWORK = "jtai"
    TITLE = re.compile(r"^joint targeted area inspection of the multi-agency response to\b")
    SIGNATORY_MAY_LEAD = False
    # "Next steps" asks for a written statement of action; it is not a finding.
    SKIP_SECTIONS = re.compile(r"^(next steps|the inspection|scope of the inspection)$")

    def recognise(self, text: ReportText) -> bool:
        """Whether the letter's subject is a joint targeted area inspection."""
        return any(self.TITLE.match(line) for line in opening(text.lines, TITLE_WITHIN_LINES))

    def extract(self, text: ReportText) -> ParsedReport:
        """The letter's facts: dates, findings and areas to improve."""
        report = super().extract(text)
        title_at = find_line(text.lines, self.TITLE)
        assert title_at is not None
        subject = clean(text.lines[title_at])
        area = _AREA.search(subject)
        following = next((line for line in text.lines[title_at + 1 :] if line.strip()), "")
        if area is None and following:
            # The subject runs on to a second line ("... abuse and neglect in\nNorthshire").
            subject = f"{subject} {clean(following)}"
            area = _AREA.search(subject)
        report.title = subject
        report.authority_name = area["name"] if area else ""
        if not report.authority_name:
            report.warnings.append(f"The letter's subject {subject!r} does not name the area.")
        # The letter's opening paragraph was read as a heading when the subject ran on.
        report.findings = [f for f in report.findings if f.section != clean(following)]
        for position, finding in enumerate(report.findings):
            finding.position = position
        return report


FORMAT = Jtai()
FRAMEWORK = FORMAT.FRAMEWORK
recognise = FORMAT.recognise
extract = FORMAT.extract
