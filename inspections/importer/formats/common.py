"""Helpers shared by the SIF and ILACS formats: front matter, judgement tables, dates,
lead inspector, and the walk through a report's headings, numbered paragraphs and
bulleted lists.

Both frameworks print judgements as "label  grade" rows on the first page ("1. Children
who need help and protection  Requires improvement"; "Overall effectiveness  Good"),
repeat them as section headings, and number their paragraphs in one sequence through the
report. The formats differ in which headings they use; they pass those in as patterns.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..report import ParsedFinding, ParsedJudgement, ParsedRecommendation, ReportText
from ..vocabulary import grade_from_words, parse_date, parse_date_range

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
BULLET = re.compile(r"^\s*(?:[•◼▪■●◦\-–−]|\d{1,2}\))\s*(?P<text>\S.*)?$")

_TITLES = re.compile(
    r",?\s*(?:(?:senior\s+|regional\s+)?(?:her|his)\s+majesty['’]s\s+inspector(?:\s*\(HMI\))?"
    r"|(?:senior\s+)?HMI\b|ofsted\s+inspector|social\s+care\s+regulatory\s+inspector)\.?",
    re.IGNORECASE,
)


def joined(lines: Iterable[str]) -> str:
    """Lines joined into one string with single spaces."""
    return " ".join(" ".join(line.split()) for line in lines if line.strip())


def content_lines(text: ReportText) -> list[tuple[int, str]]:
    """(index, stripped line) for each line with words."""
    return [(index, line.strip()) for index, line in enumerate(text.lines) if line.strip()]


def find_grade(words: str) -> tuple[str, str] | None:
    """(code, words as printed) for the grade that `words` starts with."""
    match = re.match(rf"[\s:.]*(?:is\s+|are\s+)?{GRADE}", words, re.IGNORECASE)
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
        return dates_in(joined(words))
    return None, None


def dates_in(words: str) -> tuple[datetime.date | None, datetime.date | None]:
    """First start and last end of the date ranges written in `words`."""
    words = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", words)
    words = _NUMERIC_DATE.sub(_spelt_date, words)
    ranges = []
    rest = words
    while True:
        found = parse_date_range(rest)
        if not found:
            break
        ranges.append(found)
        match = re.search(r"(?:19|20)\d\d", rest)
        # Move past the range just read: its end year is the first year after its start.
        end_year = str(found[1].year)
        cut = rest.find(end_year, match.start() if match else 0)
        if cut < 0:
            break
        rest = rest[cut + 4 :]
    if ranges:
        return ranges[0][0], ranges[-1][1]
    single = parse_date(words)
    return single, single


_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b")
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()


def _spelt_date(match: re.Match[str]) -> str:
    """ "12/09/2016" as "12 September 2016" (reports write dates day first)."""
    day, month, year = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        return match.group(0)
    return f"{day} {_MONTH_NAMES[month - 1]} {year}"


def published_date(lines: list[str]) -> datetime.date | None:
    """The date after "Report published:", where the report states it."""
    for line in lines:
        match = re.match(r"^(?:report\s+)?published\s*:?\s*(.*)$", line, re.IGNORECASE)
        if match:
            return parse_date(_NUMERIC_DATE.sub(_spelt_date, match.group(1)))
    return None


def lead_inspector(lines: list[str]) -> str | None:
    """The (first) lead inspector's name, without titles such as "HMI"."""
    for line in lines:
        match = re.match(r"^lead\s+inspectors?\s*:?\s*(.+)$", line, re.IGNORECASE)
        if not match:
            continue
        name = match.group(1)
        # "Rebecca Quested, HMI, and Matthew Reed, HMI": the first named.
        name = re.split(r",?\s+and\s+|;|/", name)[0]
        name = _TITLES.sub("", name)
        name = name.split(",")[0].strip(" .,")
        if name:
            return name
    return None


@dataclass
class Paragraph:
    """A numbered paragraph as printed, with the lines it spans."""

    number: str
    lines: list[str]
    first_line: int  # index into ReportText.lines

    @property
    def text(self) -> str:
        return clean_paragraph(self.lines)


def clean_paragraph(lines: list[str]) -> str:
    """A paragraph's lines as one clean string."""
    return joined(lines)


@dataclass
class Region:
    """A stretch of the report under one heading."""

    heading: str
    role: str  # what the walker's classifier said the heading starts
    area: str | None = None
    kind: str | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    other: list[tuple[int, str]] = field(default_factory=list)  # unnumbered lines


Classifier = Callable[[list[str], int, str], "tuple[str, int, str | None, str | None, str] | None"]

# In a list of recommendations, a short line without end punctuation after an item that
# has ended is a theme heading ("Help and protection", "Care leavers"), not more words.
_LIST_THEME = re.compile(r"^[A-Z][^.;:]{0,48}$")


def walk(text: ReportText, start: int, classify: Classifier) -> list[Region]:
    """The report from line `start` on as regions under headings.

    `classify(lines, i, role)` says whether line i starts a heading, given the role of the
    region it would end: it returns (role, how many lines the heading spans, area, kind,
    heading as printed) or None. Numbered paragraphs are recognised by their number
    following the previous one (one number may be skipped), so a line that happens to
    start "16." inside a paragraph does not split it.
    """
    lines = [line.strip() for line in text.lines]
    regions = [Region(heading="", role="front")]
    expected = None
    current: Paragraph | None = None
    index = start
    while index < len(lines):
        line = lines[index]
        if not line:
            index += 1
            continue
        heading = classify(lines, index, regions[-1].role)
        if heading is not None:
            role, span, area, kind, printed = heading
            regions.append(Region(heading=printed, role=role, area=area, kind=kind))
            current = None
            index += span
            continue
        match = NUMBERED.match(line)
        if match and _follows(int(match["number"]), expected):
            expected = int(match["number"]) + 1
            current = Paragraph(match["number"], [match["text"] or ""], index)
            regions[-1].paragraphs.append(current)
        elif (
            current is not None
            and regions[-1].role == "recommendations"
            and current.lines[-1].rstrip().endswith(".")
            and _LIST_THEME.match(line)
        ):
            current = None
            regions[-1].other.append((index, line))
        elif current is not None:
            current.lines.append(line)
        else:
            regions[-1].other.append((index, line))
        index += 1
    return regions


def _follows(number: int, expected: int | None) -> bool:
    if expected is None:
        return number == 1
    return expected <= number <= expected + 1


def bullets(other: list[tuple[int, str]]) -> list[str]:
    """Bulleted items among unnumbered lines, each with its wrapped continuation lines.

    The first item's bullet is the list's; other bullets (a "-" under a "◼") are sub-items
    and stay part of their item.
    """
    items: list[list[str]] = []
    marker = None
    for _, line in other:
        match = BULLET.match(line)
        if match and not re.match(r"^[-–−]\s*\d", line):
            this = line.strip()[:1]
            marker = marker or this
            if this == marker:
                items.append([match["text"] or ""])
                continue
        if items:
            items[-1].append(line)
    return [joined(item) for item in items if joined(item)]


_STOPWORDS = set(
    """a about after all also an and are as at be been being by can children child for
    from has have in into is it its local authority lscb board make more of on or so
    such that the their them they this to use used well where which who with ensure
    ensuring improve improving improvement ways practice services service young people
    when not those these there other""".split()
)


def _words(text: str) -> set[str]:
    """Content words, lightly stemmed so "assessments" meets "assessment"."""
    words = re.findall(r"[a-z]+", text.lower().replace("’", "'"))
    return {_stem(w) for w in words if len(w) > 2 and w not in _STOPWORDS}


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ly", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def link_evidence(
    recommendations: list[ParsedRecommendation], findings: list[ParsedFinding]
) -> list[str]:
    """Link each "(Recommendation)" finding to the recommendation it supports.

    Rule: a paragraph marked "(Recommendation)" supports the recommendation, of the same
    addressee (LSCB findings support LSCB recommendations), whose words it shares most,
    each shared word weighted by how rare it is among that addressee's recommendations
    (so "chronologies" counts for more than "plans"). Ties go to the earlier
    recommendation. The order of the marked paragraphs is not used: reports often have
    more or fewer marked paragraphs than recommendations, and recommendations are not
    listed in the order of the sections that prompted them. Returns warnings for marked
    paragraphs that share no words with any recommendation (left unlinked).
    """
    warnings: list[str] = []
    for finding in findings:
        if not finding.is_recommendation_evidence:
            continue
        addressee = "lscb" if finding.area == "lscb" else "authority"
        pool = [r for r in recommendations if r.addressee == addressee] or recommendations
        if not pool:
            warnings.append(
                f"Paragraph {finding.paragraph} is marked (Recommendation) but the report "
                "has no recommendations to link it to."
            )
            continue
        vocab = [_words(r.text) for r in pool]
        frequency: dict[str, int] = {}
        for words in vocab:
            for word in words:
                frequency[word] = frequency.get(word, 0) + 1
        mine = _words(finding.text)
        scores = [
            sum(math.log(1 + len(pool) / frequency[w]) for w in words & mine) for words in vocab
        ]
        best = max(range(len(pool)), key=lambda i: (scores[i], -i))
        if scores[best] == 0:
            warnings.append(
                f"Paragraph {finding.paragraph} is marked (Recommendation) but shares no words "
                "with any recommendation, so it is not linked."
            )
            continue
        pool[best].evidence_paragraphs.append(finding.paragraph or "")
    return warnings
