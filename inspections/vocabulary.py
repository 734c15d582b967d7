"""The fixed codes of DOMAIN.md and the words reports use for them.

Shared by every format module, the models' choices and the filters, so a code is spelled
in one place.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

FRAMEWORKS = {
    "cra_unannounced": "Unannounced inspection of contact, referral and assessment",
    "safeguarding_lac": "Inspection of safeguarding and looked after children services",
    "protection": "Inspection of arrangements for the protection of children",
    "looked_after": "Inspection of looked after children services",
    "sif": "Single inspection framework",
    "lscb_review": "Review of the Local Safeguarding Children Board",
    "ilacs": "Inspection of local authority children's services (ILACS)",
    "focused_visit": "Focused visit",
    "monitoring_visit": "Monitoring visit",
    "jtai": "Joint targeted area inspection",
}

AREAS = {
    "overall": "Overall effectiveness",
    "help_and_protection": "Children who need help and protection",
    "in_care": "Children in care",
    "care_leavers": "Care leavers",
    "adoption": "Adoption performance",
    "leadership": "Leadership",
    "quality_of_practice": "Quality of practice",
    "capacity_to_improve": "Capacity to improve",
    "outcomes": "Outcomes",
    "quality_of_provision": "Quality of provision",
    "lscb": "Local Safeguarding Children Board",
}

GRADES = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "adequate": "Adequate",
    "inadequate": "Inadequate",
}

# For charts only: adequate (pre-2013) and requires improvement are different grades on
# different scales that happen to share a rung. Filters always use the codes.
GRADE_ORDINALS = {
    "outstanding": 1,
    "good": 2,
    "requires_improvement": 3,
    "adequate": 3,
    "inadequate": 4,
}

# The years each framework was in use, as DOMAIN.md gives them; None: still in use.
FRAMEWORK_YEARS: dict[str, tuple[int, int | None]] = {
    "cra_unannounced": (2009, 2012),
    "safeguarding_lac": (2009, 2012),
    "protection": (2012, 2013),
    "looked_after": (2012, 2013),
    "sif": (2013, 2018),
    "lscb_review": (2013, 2018),
    "ilacs": (2018, None),
    "focused_visit": (2018, None),
    "monitoring_visit": (2015, None),
    "jtai": (2016, None),
}

# Two grading scales: frameworks from the SIF on grade outstanding, good, requires
# improvement, inadequate; the graded frameworks before it used adequate in place of
# requires improvement. The change came with the first SIF inspections.
NEW_SCALE_FRAMEWORKS = frozenset({"sif", "lscb_review", "ilacs"})
SCALE_CHANGED = datetime.date(2013, 11, 1)
OLD_SCALE = ("outstanding", "good", "adequate", "inadequate")
NEW_SCALE = ("outstanding", "good", "requires_improvement", "inadequate")


def new_scale(framework: str) -> bool:
    """Whether a framework graded on the scale used from November 2013."""
    return framework in NEW_SCALE_FRAMEWORKS


TIMESCALES = {
    "immediately": "Immediately",
    "within_three_months": "Within three months",
    "within_six_months": "Within six months",
}

FINDING_KINDS = {
    "strength": "Strength",
    "satisfactory": "Satisfactory practice",
    "area_for_development": "Area for development",
    "area_for_priority_action": "Area for priority action",
}

ADDRESSEES = {"authority": "The local authority", "lscb": "The LSCB"}

_GRADE_WORDS = [
    # Longest first: "requires improvement to be good" must not read as "good".
    (re.compile(r"requires?\s+improvement", re.IGNORECASE), "requires_improvement"),
    (re.compile(r"\binadequate\b", re.IGNORECASE), "inadequate"),
    (re.compile(r"\boutstanding\b", re.IGNORECASE), "outstanding"),
    (re.compile(r"\badequate\b", re.IGNORECASE), "adequate"),
    (re.compile(r"\bgood\b", re.IGNORECASE), "good"),
]


def grade_from_words(words: str) -> str | None:
    """The grade code that a judgement's words state, or None if they state none.

    >>> grade_from_words("Requires improvement to be good")
    'requires_improvement'
    """
    for pattern, code in _GRADE_WORDS:
        if pattern.search(words):
            return code
    return None


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
# Characters that separate the days of a range ("12 June – 7 July 2017"): every Unicode
# dash (category Pd: hyphen, en and em dashes, horizontal bar, wave dash, ...), and the
# characters that converters and fonts put in a dash's place: minus signs and the
# horizontal lines of box drawing ("12 June ─ 7 July 2017").
DASHES = "".join(
    sorted(
        {chr(code) for code in range(0x10000) if unicodedata.category(chr(code)) == "Pd"}
        | set("\u2212\u2796\u02d7\u2043\u23af\u2e3a\u2e3b")  # minus signs, hyphen bullet, line
        | set("\u2500\u2501\u2504\u2505\u2508\u2509\u254c\u254d")  # box drawing ─ ━ ┄ ┅ ┈ ┉ ╌ ╍
        | set("\u2574\u2576\u2578\u257a\u257c\u257e")  # box drawing half lines ╴ ╶ ╸ ╺ ╼ ╾
    )
)
DASH = "[" + re.escape(DASHES) + "]"

_MONTH = r"(?P<{}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<{}>\d{{1,2}})(?:st|nd|rd|th)?"

_DATE = re.compile(
    _DAY.format("day") + r"\s+" + _MONTH.format("month") + r"\s+(?P<year>(?:19|20)\d\d)",
    re.IGNORECASE,
)
# "12 June – 7 July 2017", "16 to 27 January 2023", "30 September - 22 October 2014",
# "2 and 3 May 2017", "27 November 2017 to 5 January 2018", "12 June ─ 7 July 2017".
_RANGE = re.compile(
    _DAY.format("d1")
    + r"(?:\s+"
    + _MONTH.format("m1")
    + r")?(?:\s+(?P<y1>(?:19|20)\d\d))?\s*(?:"
    + DASH
    + r"|to|and|until)\s*"
    + _DAY.format("d2")
    + r"\s+"
    + _MONTH.format("m2")
    + r"\s+(?P<y2>(?:19|20)\d\d)",
    re.IGNORECASE,
)


def parse_date(text: str) -> datetime.date | None:
    """The first date written out in `text` ("5 December 2014"), or None."""
    match = _DATE.search(text)
    if not match:
        return None
    return _make_date(match["year"], match["month"], match["day"])


def parse_date_range(text: str) -> tuple[datetime.date, datetime.date] | None:
    """The first range of dates in `text` as (start, end), or None.

    A range may leave out the first month and year ("16 to 27 January 2023"), and be
    separated by any dash-like character (DASHES). It is returned as printed, even where
    it ends before it starts: checks.check_facts refuses such dates for every format.
    """
    match = _RANGE.search(text)
    if not match:
        return None
    end = _make_date(match["y2"], match["m2"], match["d2"])
    if end is None:
        return None
    start = _make_date(match["y1"] or match["y2"], match["m1"] or match["m2"], match["d1"])
    if start is None:
        return None
    if start > end and not match["y1"]:
        # "30 December to 3 January 2019": the start is in the previous year.
        start = start.replace(year=start.year - 1)
    return start, end


def _make_date(year: str, month: str, day: str) -> datetime.date | None:
    try:
        return datetime.date(int(year), MONTHS[month.lower().rstrip(".")], int(day))
    except (KeyError, ValueError):
        return None
