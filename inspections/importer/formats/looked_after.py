"""Inspection of looked after children services (2012-13).

The sibling of `protection`: the same layout (front matter, "Areas for improvement" by
timescale, numbered paragraphs under each judgement's section, a "Record of main findings"
table) and the same four-point scale, with the looked after children judgement in place of
help and protection. Read by report2012.Report2012. The text it expects::

    Inspection of local authority services for looked after children
    Northshire County Council
    Inspection dates: 4 – 15 March 2013   Lead inspector: Jane Smith HMI
    ...
    Overall effectiveness
    2. The overall effectiveness of services for looked after children in Northshire is
    judged to be good.
    Areas for improvement
    ...
    The experiences and progress of looked after children and care leavers
    Good
    ...
    Record of main findings
    Overall effectiveness        Good

Ofsted's own reports (Kent and Sandwell 2013, in ../shared/corpus) wrap the title over two
lines and grade five areas, each section headed by its grade::

    Inspection of looked after children
    services
    Kent County Council
    Inspection dates: 15 – 19 July 2013
    Reporting inspector Helen Cawston HMI
    ...
    Overall effectiveness of services for looked
    after children and young people
    Grade 3 (Adequate)
    11. The overall effectiveness of services for looked after children ...
    Capacity to improve / Outcomes for looked after children and young people /
    Quality of provision / Leadership and management
    ...
    Record of main findings
    Overall effectiveness Adequate

(The fixture fixtures/reports/fictional/looked_after_2013.txt is a fictional council's
report in an older guess at this format's wording; it is kept as an edge case.)
"""

from __future__ import annotations

import re

from .report2012 import Report2012


class LookedAfter(Report2012):
    """A looked after children services report."""

    FRAMEWORK = "looked_after"
    # "Inspection of services for looked after children", "Inspection of local authority
    # services for looked after children and care leavers", "Inspection of looked after
    # children services", "Inspection of local authority arrangements for looked after
    # children". Not "Inspection of safeguarding and looked after children services"
    # (safeguarding_lac) nor the SIF's "services for children in need ..., children looked
    # after and care leavers": "looked after" must follow the opening words directly.
    TITLE = re.compile(
        r"^inspection of (the )?(local authority )?(arrangements for |services for )?"
        r"(looked after children|children looked after)('s)?( services)?\b"
    )
    # Ofsted's reports (Kent, Sandwell 2013) grade overall effectiveness, capacity to improve,
    # outcomes, the quality of provision, and leadership and management, each section headed
    # "Grade 3 (Adequate)"; the fictional fixture's wording is kept beside them.
    SECTION_AREAS = [
        # Matched on a heading's first line too: "Overall effectiveness of services for looked"
        # wraps onto "after children and young people".
        (re.compile(r"^overall effectiveness( of services for looked\b.*)?$"), "overall"),
        (re.compile(r"^capacity (for|to) improve(ment)?$"), "capacity_to_improve"),
        (re.compile(r"^outcomes for looked after children( and young( people)?)?$"), "outcomes"),
        (re.compile(r"^(the )?quality of provision$"), "quality_of_provision"),
        (re.compile(r"^leadership and management$"), "leadership"),
        (
            re.compile(
                r"^(the )?(experiences and progress|effectiveness of services|outcomes) .*"
                r"(looked after|care leavers|in care)"
            ),
            "in_care",
        ),
        (re.compile(r"^the quality of practice$"), "quality_of_practice"),
        (re.compile(r"^leadership(,)? (and )?(management and )?governance$"), "leadership"),
    ]


FORMAT = LookedAfter()
FRAMEWORK = FORMAT.FRAMEWORK
recognise = FORMAT.recognise
extract = FORMAT.extract
