"""Focused visit letter (2018-): a letter on one area of a local authority's children's
services, between ILACS inspections.

Ungraded. "Areas for priority action" (kind area_for_priority_action) and "Areas for
improvement" or "What needs to improve in this area of social work practice" are its
recommendations. The letter's date is its publication date. The text it expects::

    12 July 2019
    Dear Ms Brown
    Focused visit to Northshire local authority children's services
    This letter summarises the findings of a focused visit to Northshire local authority
    children's services on 11 and 12 June 2019. The visit was carried out by Her Majesty's
    Inspectors Anne Green and Tom White.
    ...
    Overview
    ...
    Areas for improvement
    - the quality of assessments ...
    Yours sincerely
    Anne Green
    Her Majesty's Inspector

(The fixture fixtures/reports/fictional/focused_visit_2019.txt is a fictional council's
letter in this format's wording.)
"""

from __future__ import annotations

import re

from .letter import VisitLetter


class FocusedVisit(VisitLetter):
    """A focused visit letter, read as every visit letter is; some open "Inspectors
    carried out a focused visit" rather than "This letter summarises"."""

    FRAMEWORK = "focused_visit"
    TITLE = re.compile(
        r"^(re:?\s+|subject:?\s+)?focused visit to (?P<name>.+?) "
        r"(local authority )?children's (social care )?services$"
    )

    def opens_letter(self, line: str) -> bool:
        """Whether a folded line is one of the letter's opening words."""
        return super().opens_letter(line) or "carried out a focused visit" in line


FORMAT = FocusedVisit()
FRAMEWORK = FORMAT.FRAMEWORK
recognise = FORMAT.recognise
extract = FORMAT.extract
