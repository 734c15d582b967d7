"""Single inspection framework (2013-18): inspection (or re-inspection) of services for
children in need of help and protection, children looked after and care leavers,
usually with a review of the Local Safeguarding Children Board (LSCB).

Sample of the text expected (first page)::

    North Somerset
    Inspection of services for children in need of help and protection, children
    looked after and care leavers
    and
    Review of the effectiveness of the Local Safeguarding Children Board
    Inspection date: 12 June – 7 July 2017
    Report published: 25 August 2017
    Children's services in North Somerset require improvement to be good
    1. Children who need help and protection          Requires improvement to be good
    2. Children looked after and achieving permanence  Requires improvement to be good
       2.1 Adoption performance                        Good
       2.2 Experiences and progress of care leavers    Good
    3. Leadership, management and governance           Requires improvement to be good

Paragraphs are numbered in one sequence through the report, recommendations included.
Early reports (2013-15) open with numbered "Summary of key findings" and the local
authority's strengths, and group recommendations under "Priority and immediate action"
and "Areas for improvement".

What is extracted as findings: every numbered paragraph that is not a recommendation,
under the heading it sits in. Unnumbered narrative (the executive summary, each
section's "Summary", the children's summary, the area's facts and figures) is left out:
it restates the numbered findings, and findings are cited by their number.
"""

from __future__ import annotations

import re

from ..evidence import link_evidence
from ..lines import content_lines, joined
from ..names import labelled_lead_inspector
from ..report import ParsedFinding, ParsedJudgement, ParsedRecommendation, ParsedReport, ReportText
from . import sectioned
from .layout import Heading
from .sectioned import SectionedReport

_TITLE = re.compile(
    r"(?:re-?\s*)?inspection\s+of\s+services\s+for\s+children\s+in\s+need\s+of\s+help\s+and\s+"
    r"protection",
    re.IGNORECASE,
)
# The first page's lines searched for the title.
_TITLE_LINES = 12

_FRONT_ENDS = re.compile(
    r"^(?:executive\s+summary|contents|section\s+1\b|summary\s+of\s+(?:key\s+)?findings"
    r"|the\s+local\s+authority$)",
    re.IGNORECASE,
)

# The sentence that states the overall judgement, in its variants: "Children's services in
# Kent are good", "The overall judgement is that children's services require
# improvement", "... that children's service requires improvement" (singular), "The
# overall judgement is inadequate". The grade must follow the subject and its verb; a
# place name never spans a verb, so "... in Kent are not yet good" states no grade, and
# "The overall judgement is that there are widespread failures" neither: both warn.
_PLACE = r"in\s+(?:(?!\b(?:are|is|was|were|has|have|requires?|not)\b).){1,80}?\s+"
_OVERALL_SENTENCE = (
    r"(?:the\s+overall\s+judgement\s+is\s+(?:that\s+)?)?(?:the\s+local\s+authority['’]s\s+)?"
    rf"children['’]s\s+services?\s+(?:{_PLACE})?(?=(?:are\s+|is\s+)?(?:judged\s+to\s+be\s+)?"
    r"(?:requires?\s+improvement|inadequate|good|outstanding))"
    r"|the\s+overall\s+judgement\s+is\s+(?:that\s+)?"
)

# Judgement rows of the first page's table, and the sentence for the overall judgement.
_TABLE: list[tuple[str, str]] = [
    ("overall", _OVERALL_SENTENCE),
    ("help_and_protection", r"children\s+who\s+need\s+help\s+and\s+protection"),
    ("in_care", r"children\s+looked\s+after\s+and\s+achieving\s+permanence"),
    ("adoption", r"adoption\s+performance"),
    ("care_leavers", r"experiences?\s+and\s+progress\s+of\s+care\s+leavers"),
    ("leadership", r"leadership,?\s+management\s+and\s+governance"),
]
_LSCB_SENTENCE = re.compile(
    r"^(?:the\s+)?(?:effectiveness\s+of\s+the\s+)?(?:local\s+safeguarding\s+children\s+board"
    r"|lscb)(?:\s*\(lscb\))?\s+(?:is\s+|are\s+)?" + sectioned.GRADE + r"\b",
    re.IGNORECASE,
)

# Headings, matched at a line's start. Each gives the role of what follows.
_HEADINGS: list[tuple[str, re.Pattern[str]]] = [
    (
        "lscb",
        re.compile(
            r"^(?:section\s+2\b.*|(?:review|inspection)\s+of\s+the\s+effectiveness\s+of\s+the"
            r"\s+local\s+safeguarding.*|the\s+local\s+safeguarding\s+children\s+board\s*\(lscb\)\s*$"
            r"|the\s+local\s+safeguarding\s+children\s+board\s*$"
            r"|inspection\s+judgements?\s+about\s+the\s+(?:lscb|local\s+safeguarding).*"
            r"|inspection\s+findings\W+the\s+(?:lscb|local\s+safeguarding).*)",
            re.IGNORECASE,
        ),
    ),
    (
        "findings",
        re.compile(
            r"^(?:(?:the\s+)?experiences?\s+and\s+progress\s+of\b"
            r"|the\s+graded\s+judge?ments?\s+(?:for|about)\b"
            r"|leadership,?\s+management\s+and\b)",
            re.IGNORECASE,
        ),
    ),
    (
        "summary_findings",
        re.compile(
            r"^(?:executive\s+summary|(?:section\s+1\b.*\W)?summary\s+of\s+(?:key\s+)?findings)\s*$",
            re.IGNORECASE,
        ),
    ),
    (
        "strengths",
        re.compile(
            r"^(?:the\s+local\s+authority['’]s\s+strengths|the\s+local\s+authority\s+has\s+the"
            r"\s+following\s+strengths|the\s+lscb['’]s\s+strengths)\s*:?\s*$",
            re.IGNORECASE,
        ),
    ),
    (
        "recommendations",
        re.compile(
            r"^(?:recommendations|what\s+does\s+the\s+(?:local\s+authority|lscb)\s+need\s+to"
            r"\s+improve\??|priority\s+(?:and\s+immediate\s+)?actions?|immediate\s+action"
            r"|areas\s+for\s+improvement)\s*:?\s*$",
            re.IGNORECASE,
        ),
    ),
    (
        "sub",
        re.compile(
            r"^(?:summary|inspection\s+findings|key\s+strengths\s+and\s+weaknesses.*)\s*$",
            re.IGNORECASE,
        ),
    ),
    (
        "other",
        re.compile(
            r"^(?:contents|information\s+about\s+this\b.*"
            r"|information\s+about\s+the\s+(?:\w+\s+){0,3}(?:inspection|review|area)"
            r"|what\s+the\s+(?:\w+\s+){0,2}inspection\s+judge?ments?\s+mean.*"
            r"|summary\s+for\s+children\s+and"
            r"\s+young\s+people|progress\s+since\s+the\s+last\s+inspection|the\s+office\s+for"
            r"\s+standards\b.*|any\s+complaints\b.*|section\s+1\b.*|the\s+local\s+authority"
            r"|local\s+leadership|previous\s+ofsted\s+inspections|the\s+inspection\s+team"
            r"|inspection\s+judgements\s+about\s+the\s+local\s+authority"
            r"|children\s+(?:living|looked\s+after)\s+in\s+this\s+area"
            r"|child\s+protection\s+in\s+this\s+area|other\s+information\s+about\s+this\s+area)"
            r"\s*$",
            re.IGNORECASE,
        ),
    ),
]
_CONTENTS_ENTRY = re.compile(r"\D\s+\d{1,3}\s*$")
_RECOMMENDATION_MARK = re.compile(r"\s*\(\s*recommendations?\s*\)\s*\.?$", re.IGNORECASE)


class Sif(SectionedReport):
    """A SIF report, with or without its LSCB review."""

    FRAMEWORK = "sif"
    TABLE = _TABLE
    NAME_SOURCE = "the first page"

    def recognise(self, text: ReportText) -> bool:
        """Whether the report says it is an inspection of services for children in need of
        help and protection, children looked after and care leavers.

        A standalone LSCB review ("Review of the effectiveness of the Local Safeguarding
        Children Board" alone) does not carry this title, so it is left to lscb_review.
        """
        head = joined(line for _, line in content_lines(text)[:_TITLE_LINES])
        return bool(_TITLE.search(head))

    def extract(self, text: ReportText) -> ParsedReport:
        """The report's facts."""
        lines = [line for _, line in content_lines(text)]
        indexed = content_lines(text)
        title_at = next(i for i, (_, line) in enumerate(indexed) if _starts_title(indexed, i))
        front_end = _front_end(indexed, title_at)
        front = [line for _, line in indexed[:front_end]]
        warnings: list[str] = []
        report = ParsedReport(
            framework=self.FRAMEWORK,
            authority_name=joined(front[:title_at]).strip(" ,"),
            title=_title(front[title_at:]),
        )
        report.start_date, report.end_date = sectioned.inspection_dates(front)
        report.published_date = sectioned.published_date(front)
        report.lead_inspector = labelled_lead_inspector(lines)
        report.judgements = self._judgements(front, lines, warnings)
        walk_from = indexed[front_end][0] if front_end < len(indexed) else len(text.lines)
        regions = sectioned.walk(
            text,
            walk_from,
            _classifier(text),
            restart_roles=frozenset({"lscb", "recommendations"}),
        )
        report.recommendations, report.findings = _recommendations_and_findings(regions)
        warnings.extend(link_evidence(report.recommendations, report.findings))
        self.warn_of_missing_facts(report, warnings)
        report.warnings = warnings
        return report

    def _judgements(
        self, front: list[str], lines: list[str], warnings: list[str]
    ) -> list[ParsedJudgement]:
        judgements = self.table_judgements(joined(front), warnings)
        if not any(j.area == "overall" for j in judgements):
            warnings.append("The overall judgement could not be read from the first page.")
        lscb = _lscb_judgement(front) or _lscb_judgement(lines)
        if lscb is not None:
            judgements.append(lscb)
        return judgements


def _starts_title(indexed: list[tuple[int, str]], position: int) -> bool:
    window = joined(line for _, line in indexed[position : position + 3])
    return bool(_TITLE.match(window))


def _front_end(indexed: list[tuple[int, str]], title_at: int) -> int:
    for position in range(title_at + 1, len(indexed)):
        if _FRONT_ENDS.match(indexed[position][1]):
            return position
    return len(indexed)


def _title(lines: list[str]) -> str:
    words = []
    for line in lines:
        if re.match(r"^inspection\s+dates?\b", line, re.IGNORECASE):
            break
        words.append(line)
    return joined(words)


def _lscb_judgement(lines: list[str]) -> ParsedJudgement | None:
    """The LSCB's grade, from its own sentence ("The effectiveness of the LSCB is good")."""
    for index, line in enumerate(lines):
        if not re.match(r"^(?:the\s+)?(?:effectiveness|local\s+safeguarding|lscb)", line, re.I):
            continue
        window = joined(lines[index : index + 2])
        match = _LSCB_SENTENCE.match(window)
        if match:
            grade = sectioned.find_grade(match.group("grade"))
            if grade:
                return ParsedJudgement(area="lscb", grade=grade[0], words=grade[1])
    return None


def _classifier(text: ReportText) -> sectioned.Classifier:
    """The heading classifier for sectioned.walk, knowing the pages lines came from."""

    def classify(lines: list[str], index: int, role_before: str) -> Heading | None:
        if re.match(r"^contents$", lines[index], re.IGNORECASE):
            return Heading("other", _contents_span(text, lines, index), None, None, lines[index])
        return _classify(lines, index, role_before)

    return classify


def _classify(lines: list[str], index: int, role_before: str) -> Heading | None:
    """The heading that line `index` starts, or None."""
    line = lines[index]
    if sectioned.NUMBERED.match(line) or len(line) > 110:
        return None
    for role, pattern in _HEADINGS:
        if not pattern.match(line):
            continue
        if role in ("findings", "lscb"):
            heading, graded = _findings_heading(lines, index, role)
            if (
                role == "findings"
                and not graded
                and not re.match(r"^(?:the|leadership)\b", line, re.IGNORECASE)
            ):
                # "experiences and progress of children in X had not improved": a
                # sentence's continuation, not an (always graded) untitled heading.
                return None
            if role == "findings" and role_before == "recommendations" and not graded:
                # A theme heading inside a list of recommendations ("Leadership,
                # management and governance"): the list goes on.
                return None
            if role == "findings" and role_before == "summary_findings":
                # A summary's theme heading, graded or not ("Leadership, management
                # and governance require improvement" over the summary's bullets): the
                # judgement sections come after the recommendations and the facts.
                return None
            return heading
        kind = "strength" if role == "strengths" else None
        return Heading(role, 1, None, kind, line)
    return None


def _contents_span(text: ReportText, lines: list[str], index: int) -> int:
    """How many lines the table of contents takes: in a PDF the rest of its page; in a
    text source the entries ending with a page number (an entry may wrap)."""
    if text.media_type == "application/pdf":
        page = text.page_of_line[index]
        end = index + 1
        while end < len(lines) and text.page_of_line[end] == page:
            end += 1
        return end - index
    end = index + 1
    while end < len(lines):
        if _CONTENTS_ENTRY.search(lines[end]):
            end += 1
        elif end + 1 < len(lines) and _CONTENTS_ENTRY.search(lines[end + 1]):
            end += 2
        elif not lines[end]:
            end += 1
        else:
            break
    return end - index


def _findings_heading(lines: list[str], index: int, role: str) -> tuple[Heading, bool]:
    """A judgement section's heading, which may wrap over lines and end with its grade,
    and whether a grade ended it."""
    span = 1
    heading = lines[index]
    while index + span < len(lines) and span < 4:
        following = lines[index + span]
        if not following:
            span += 1
            continue
        if sectioned.NUMBERED.match(following) or _is_heading(following):
            break
        if sectioned.is_grade_line(following) or (
            len(following) < 70 and sectioned.area_of(heading) is None
        ):
            heading = f"{heading} {following}"
            span += 1
            continue
        if following[:1].islower() and len(following) < 70:
            heading = f"{heading} {following}"
            span += 1
            continue
        break
    area = "lscb" if role == "lscb" else sectioned.area_of(heading)
    graded = sectioned.strip_grade(heading) != heading
    return Heading(role, span, area, None, sectioned.strip_grade(heading)), graded


def _is_heading(line: str) -> bool:
    return any(pattern.match(line) for _, pattern in _HEADINGS)


def _recommendations_and_findings(
    regions: list[sectioned.Region],
) -> tuple[list[ParsedRecommendation], list[ParsedFinding]]:
    """Numbered paragraphs under recommendation headings are recommendations (or, where a
    list is bulleted, its bullets); every other numbered paragraph is a finding.

    Some reports (Derbyshire 2014) bullet their findings instead of numbering them. In a
    judgement section (or the strengths) that has no numbered paragraph at all, each
    bullet is a finding, unnumbered. Bullets elsewhere are never findings: the summary of
    findings, the children's summary and the facts and figures restate or describe.
    """
    recommendations: list[ParsedRecommendation] = []
    findings: list[ParsedFinding] = []
    in_lscb = False
    section, area, kind = "", None, None
    positions = {"authority": 0, "lscb": 0}
    addressee = "authority"
    previous_role = major_role = ""
    bulleted = _bulleted_sections(regions)
    for number, region in enumerate(regions):
        if region.role == "lscb":
            in_lscb = True
        if region.role == "recommendations":
            addressee = _addressee(region.heading, in_lscb, addressee, previous_role)
            previous_role = region.role
            items = [p.text for p in region.paragraphs] or sectioned.bullets(region.other)
            for item in items:
                if sectioned.states_none(item):
                    continue  # "There are no priority actions."
                recommendations.append(
                    ParsedRecommendation(
                        text=_RECOMMENDATION_MARK.sub("", item),
                        position=positions[addressee],
                        addressee=addressee,
                    )
                )
                positions[addressee] += 1
            continue
        previous_role = region.role
        if region.role == "sub" and major_role not in ("findings", "lscb"):
            # "Inspection findings" after a list or summary: its own heading.
            section, area, kind = region.heading, ("lscb" if in_lscb else area), None
        if region.role in ("findings", "lscb", "summary_findings", "strengths", "other"):
            major_role = region.role
        if region.role in ("findings", "lscb", "summary_findings", "strengths"):
            section = region.heading
            area = region.area or ("lscb" if in_lscb else "overall")
            if region.role in ("summary_findings", "strengths") and not in_lscb:
                area = "overall"
            kind = region.kind
        elif region.role == "other":
            section, area, kind = region.heading, None, None
        paragraphs = [(p.number, p.text) for p in region.paragraphs]
        if number in bulleted:
            paragraphs = [(None, item) for item in sectioned.bullets(region.other)]
        for printed, body in paragraphs:
            evidence = bool(_RECOMMENDATION_MARK.search(body))
            findings.append(
                ParsedFinding(
                    section=section,
                    text=_RECOMMENDATION_MARK.sub("", body).strip(),
                    position=len(findings),
                    paragraph=printed,
                    area=area,
                    kind=kind,
                    is_recommendation_evidence=evidence,
                )
            )
    return recommendations, findings


# Sections whose bullets may be findings, and sub-headings within them whose bullets
# never are ("Summary" restates the section).
_FINDINGS_ROLES = ("findings", "lscb", "strengths")
_RESTATING_SUB = re.compile(r"^summary\b", re.IGNORECASE)


def _bulleted_sections(regions: list[sectioned.Region]) -> set[int]:
    """Indexes of the regions whose bullets are findings: those in a judgement section
    (its heading's region and the sub-headed regions after it) where no paragraph is
    numbered. A section with numbered paragraphs keeps bullets as parts of them."""
    sections: list[list[int]] = []
    for number, region in enumerate(regions):
        if region.role in _FINDINGS_ROLES:
            sections.append([number])
        elif region.role == "sub" and sections and sections[-1][-1] == number - 1:
            sections[-1].append(number)
        elif region.role == "recommendations" and sections and sections[-1][-1] == number - 1:
            # An LSCB section's own list ("Areas for improvement") sits inside it; the
            # section goes on after it.
            sections[-1].append(number)
    chosen: set[int] = set()
    for members in sections:
        if any(regions[n].paragraphs for n in members if regions[n].role != "recommendations"):
            continue
        chosen.update(
            n
            for n in members
            if regions[n].role != "recommendations" and not _RESTATING_SUB.match(regions[n].heading)
        )
    return chosen


def _addressee(heading: str, in_lscb: bool, before: str, previous_role: str) -> str:
    """Who a list of recommendations is for. "What does the LSCB need to improve?" says
    so; "Areas for improvement" right after it inherits it; otherwise the lists in the
    LSCB's part of the report are the LSCB's."""
    words = heading.lower()
    if "lscb" in words or "safeguarding children board" in words:
        return "lscb"
    if "local authority" in words:
        return "authority"
    if previous_role == "recommendations":
        return before
    return "lscb" if in_lscb else "authority"


FORMAT = Sif()
FRAMEWORK = FORMAT.FRAMEWORK
recognise = FORMAT.recognise
extract = FORMAT.extract
