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
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from ...vocabulary import grade_from_words, parse_date, parse_date_range
from ..report import (
    ParsedFinding,
    ParsedJudgement,
    ParsedRecommendation,
    ParsedReport,
    ReportText,
)
from . import letters

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


_LEAD_LABEL = re.compile(r"^lead\s+inspectors?\b(?P<rest>.*)$", re.IGNORECASE)


def lead_inspector(lines: list[str]) -> str | None:
    """The (first) lead inspector's name, without titles such as "HMI", from the line
    labelled "Lead inspector" (or the line under a label that stands alone). None where
    no line is labelled, or what follows the label does not read as a person's name
    (letters.person_name): a fragment is never kept."""
    for index, line in enumerate(lines):
        match = _LEAD_LABEL.match(line)
        if not match:
            continue
        rest = match["rest"]
        below = lines[index + 1] if index + 1 < len(lines) else ""
        if not re.sub(r"(?i)\W|\bon\s+site\b", "", rest) and ":" not in below:
            # "Lead inspector:" (or "... on site:") alone, the name under it; a labelled
            # line under it ("Deputy lead inspector: ...") names someone else.
            rest = below
        # "Rebecca Quested, HMI, and Matthew Reed, HMI": the first named.
        first = re.split(r",?\s+and\s+|;|/", rest)[0]
        first = _TITLES.sub("", first).split(",")[0]
        return letters.person_name(first)
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


def walk(
    text: ReportText,
    start: int,
    classify: Classifier,
    *,
    restart_roles: frozenset[str] = frozenset(),
) -> list[Region]:
    """The report from line `start` on as regions under headings.

    `classify(lines, i, role)` says whether line i starts a heading, given the role of the
    region it would end: it returns (role, how many lines the heading spans, area, kind,
    heading as printed) or None. Numbered paragraphs are recognised by their number
    following the previous one (one number may be skipped), so a line that happens to
    start "16." inside a paragraph does not split it.

    A second document bound into the same file (an LSCB review appended to a SIF report,
    Hull 2015) numbers its paragraphs from 1 again. A "1." opening a region whose role is
    in `restart_roles`, before any of the region's own paragraphs, restarts the sequence.
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
        restarts = (
            match is not None
            and match["number"] == "1"
            and regions[-1].role in restart_roles
            and not regions[-1].paragraphs
            and current is None
        )
        if match and (restarts or _follows(int(match["number"]), expected)):
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


# Words that carry no topic: grammar, and the words every recommendation and finding
# uses ("ensure", "children", "services") or uses loosely ("provide", "timely",
# "support"). Rarer generic words are left to the report's own word counts (below).
_STOPWORDS = frozenset(
    """a about across after against all also an and any are as at be been being both but
    by can could do does for from had has have how however if in into is it its may more
    most much must not of on or other over so some such than that the their them there
    these they this those through to under up was were what when where whether which while
    who whom why will with within without would

    child children young people person family families local authority lscb board
    partner partners service services ensure ensuring improve improving improvement
    improvements practice make made making use used well effective effectively consistent
    consistently good quality need needs including include includes further develop
    developed development strengthen review appropriate appropriately

    provide provided provides detail detailed previous previously response responses
    respond high higher access regular regularly result results resulted time timely
    support supported supports help helped helps stage stages work working number numbers
    level levels area areas way ways aspect aspects able sufficient sufficiently clear
    clearly full fully new recent recently""".split()
)

# The same thing named in different words across a report and its recommendations
# ("independent reviewing officers (IROs)", "the designated officer" for the LADO,
# "management oversight" and "managers"): each spelling is read as one term.
_SYNONYMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), f" {term} ")
    for pattern, term in [
        (r"independent reviewing (?:officers?|service)|\biros?\b", "iro"),
        (r"(?:local authority )?designated officers?|\blados?\b", "lado"),
        (r"(?:child )?sexual exploitation|\bcse\b", "cse"),
        (
            r"(?:not in )?education,? employment,? (?:and|or) training|\bn?eet\b",
            "eet",
        ),
        (r"personal advis[eo]rs?|\bpas\b", "pa"),
        (r"\bmanag(?:ers?|ement|erial|ed|ing)\b", "manage"),
        (r"\bdisab(?:led|ility|ilities)\b", "disab"),
        (r"\bsupervis(?:ion|ed|ing|e)\b", "supervis"),
        (r"\bmass?h\b", "mash"),
    ]
]

# Each pair of neighbouring words counts this much on top of its words, so a shared
# phrase ("private fostering", "life story", "health assessments") outweighs the same
# words found apart.
_PHRASE_WEIGHT = 0.5
# A paragraph and a recommendation are linked only when the words they share weigh at
# least this much (about one distinctive shared word and one more).
_MIN_LINK_SCORE = 4.0


def _tokens(text: str) -> list[str | None]:
    """The words in order, lightly stemmed so "assessments" meets "assessment", with None
    in place of each stopword (so phrases are only read from words printed together)."""
    text = text.lower().replace("’", "'")
    for pattern, term in _SYNONYMS:
        text = pattern.sub(term, text)
    words = [w.removesuffix("'s") for w in re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text)]
    return [None if w in _STOPWORDS or len(w) < 2 else _stem(w) for w in words]


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ly", "es"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    if word.endswith("s") and len(word) >= 4 and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _terms(text: str) -> Counter[str]:
    """A text's terms and how often it uses each: its content words and each pair of
    content words printed side by side ("life story")."""
    counts: Counter[str] = Counter()
    for sentence in re.split(r"(?<=[.;?!])\s+", text):
        tokens = _tokens(sentence)
        counts.update(t for t in tokens if t)
        counts.update(f"{a} {b}" for a, b in pairwise(tokens) if a and b)
    return counts


def link_evidence(
    recommendations: list[ParsedRecommendation], findings: list[ParsedFinding]
) -> list[str]:
    """Link each "(Recommendation)" finding to the recommendation it supports.

    Rule: a paragraph marked "(Recommendation)" supports the recommendation, of the same
    addressee (LSCB findings support LSCB recommendations), with which it shares the most
    weight of terms. Terms are content words (a few domain synonyms read as one: IROs,
    the designated officer and the LADO, management and managers) and neighbouring pairs
    of them. A shared term weighs its inverse document frequency over the whole report
    (each finding and each recommendation is a document), so the words a report uses
    everywhere ("plans", "assessments") count for little and the few paragraphs' words
    ("allegations", "life story") for much, times 1 + log of how often the paragraph
    uses it (a paragraph repeats its topic). The sum is divided by the square root of the
    recommendation's own weight, so a long recommendation does not win by its size. Ties
    go to the earlier recommendation.

    A marked paragraph whose best match shares under _MIN_LINK_SCORE of weight is left
    unlinked, with a warning: reports sometimes mark a paragraph whose recommendation was
    not printed (North Somerset 2017's private fostering paragraph), and a wrong link
    misleads more than none. The order of marked paragraphs is not used: recommendations
    are not listed in the order of the sections that prompted them.
    """
    warnings: list[str] = []
    marked = [f for f in findings if f.is_recommendation_evidence]
    if not marked:
        return warnings
    documents = [_terms(f.text) for f in findings] + [_terms(r.text) for r in recommendations]
    frequency: Counter[str] = Counter()
    for terms in documents:
        frequency.update(terms.keys())

    def weight(term: str) -> float:
        rarity = math.log(len(documents) / frequency[term]) if frequency[term] else 0.0
        return rarity * (_PHRASE_WEIGHT if " " in term else 1.0)

    rec_terms = documents[len(findings) :]
    rec_size = [math.sqrt(sum(weight(t) for t in sorted(terms))) or 1.0 for terms in rec_terms]
    for finding in marked:
        addressee = "lscb" if finding.area == "lscb" else "authority"
        pool = [i for i, r in enumerate(recommendations) if r.addressee == addressee]
        pool = pool or list(range(len(recommendations)))
        label = finding.paragraph or repr(finding.text[:40] + "…")
        if not pool:
            warnings.append(
                f"Paragraph {label} is marked (Recommendation) but the report "
                "has no recommendations to link it to."
            )
            continue
        mine = _terms(finding.text)
        shared = {
            # Sorted so that the sum, and so any tie, is the same on every run.
            i: sum(
                (1 + math.log(mine[t])) * weight(t)
                for t in sorted(mine.keys() & rec_terms[i].keys())
            )
            for i in pool
        }
        best = max(pool, key=lambda i: (round(shared[i] / rec_size[i], 9), -i))
        if shared[best] < _MIN_LINK_SCORE:
            warnings.append(
                f"Paragraph {label} is marked (Recommendation) but no recommendation "
                "shares enough of its words to link it with confidence, so it is not linked."
            )
            continue
        recommendations[best].evidence_paragraphs.append(finding.paragraph or "")
    return warnings


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


def warn_of_missing_facts(
    report: ParsedReport, warnings: list[str], *, name_source: str, recommendations_place: str
) -> None:
    """Tell the curator which of a report's essential facts could not be read."""
    if not report.authority_name:
        warnings.append(f"The authority's name could not be read from {name_source}.")
    if report.start_date is None:
        warnings.append("The inspection dates could not be read.")
    if report.lead_inspector is None:
        warnings.append("The lead inspector's name could not be read.")
    if not report.recommendations:
        warnings.append(f"No recommendations were found{recommendations_place}.")
    if not report.findings:
        warnings.append("No numbered findings paragraphs were found.")
