"""The fixed codes of DOMAIN.md and the words reports use for them.

(Dates as reports write them are read by inspections/importer/dates.py.)

Shared by every format module, the models' choices and the filters, so a code is spelled
in one place.
"""

from __future__ import annotations

import datetime
import re

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

# What a table cell calls a framework, where the full name would not fit.
FRAMEWORK_SHORT_NAMES = {
    "cra_unannounced": "CRA letter",
    "safeguarding_lac": "safeguarding and looked after",
    "protection": "protection",
    "looked_after": "looked after",
    "sif": "SIF",
    "lscb_review": "LSCB review",
    "ilacs": "ILACS",
    "focused_visit": "focused visit",
    "monitoring_visit": "monitoring visit",
    "jtai": "JTAI",
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

# What later inspections and visits of the same council said on a recommendation's subject
# (follow_through.py), most telling first.
FOLLOW_THROUGH_STATUSES = {
    "raised_again": "Raised again",
    "improved": "Later findings say it improved",
    "not_improved": "Later findings say it has not improved",
    "later_findings": "Later findings (not yet read)",
    "nothing_yet": "Nothing yet",
}

# Who stands behind a follow-through link, as the public pages and downloads say it: a
# curator confirmed the matcher's suggestion, a curator added it, or the matcher alone.
FOLLOW_THROUGH_SOURCES = {
    "confirmed": "Confirmed by a curator",
    "curator": "Added by a curator",
    "suggested": "Suggested by the explorer",
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
