"""Monitoring visit letter (2015-): a letter to the director of children's services of an
authority judged inadequate, on its progress since.

Ungraded: its "progress" words ("only making adequate progress") are not a grade. The
letter may come wrapped in a council's papers (seed 003: a cabinet agenda supplement);
only the letter, from its date to its signature, is read. A letter names its inspectors;
it states a lead only when it says so (signing is not leading)::

    13 June 2017
    ...
    Dear Mr Wooster
    Monitoring visit of Somerset children's services
    This letter summarises the findings of the monitoring visit to Somerset children's
    services that was conducted on 2 and 3 May 2017. ... The inspectors were Emmy Tomsett
    HMI and Joy Howick HMI.
    ...
    Overview
    ...
    Yours sincerely
    Joy Howick
    Her Majesty's Inspector
"""

from __future__ import annotations

import re

from .letter import VisitLetter


class MonitoringVisit(VisitLetter):
    """A monitoring visit letter, read as every visit letter is."""

    FRAMEWORK = "monitoring_visit"
    # "Monitoring visit of Somerset children's services", "Monitoring visit to Birmingham
    # local authority children's services", "Re: Monitoring visit of ...".
    TITLE = re.compile(
        r"^(re:?\s+|subject:?\s+)?monitoring visit (of|to) (?P<name>.+?) "
        r"(local authority )?children's (social care )?services$"
    )


FORMAT = MonitoringVisit()
FRAMEWORK = FORMAT.FRAMEWORK
recognise = FORMAT.recognise
extract = FORMAT.extract
