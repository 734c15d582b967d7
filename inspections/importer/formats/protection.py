"""Inspection of local authority arrangements for the protection of children (2012-13).

Graded on the four-point scale (outstanding, good, adequate, inadequate): overall
effectiveness, the effectiveness of the help and protection provided, the quality of
practice, and leadership and governance. Areas for improvement are grouped by timescale.
The text it expects (seeds 000 and 004)::

    Inspection of local authority arrangements for the protection of children
    Somerset County Council
    Inspection dates: 24 June – 3 July 2013   Lead inspector: Simon Rushall HMI
    ...
    Areas for improvement
    3. In order to improve the quality of help and protection ... take the following action.
    Immediately:
    - ensure that ...
    Within three months:
    ...
    The quality of practice
    Inadequate
    31. The quality of practice is inadequate.
    ...
    Record of main findings
    Overall effectiveness        Inadequate

The sibling format `looked_after` (2012-13 inspections of looked after children services)
shares this layout: both are read by report2012.Report2012.
"""

from __future__ import annotations

import re

from .report2012 import Report2012


class Protection(Report2012):
    """A protection report: the four judgements' sections."""

    FRAMEWORK = "protection"
    TITLE = re.compile(
        r"^inspection of (the )?local authority arrangements for the protection of children\b"
    )
    # The opening summary under "Overall effectiveness" and the section of that name both
    # count.
    SECTION_AREAS = [
        (re.compile(r"^overall effectiveness$"), "overall"),
        (re.compile(r"^the effectiveness of the help and protection"), "help_and_protection"),
        (re.compile(r"^the quality of practice$"), "quality_of_practice"),
        (re.compile(r"^leadership(,)? (and )?(management and )?governance$"), "leadership"),
    ]


FORMAT = Protection()
FRAMEWORK = FORMAT.FRAMEWORK
recognise = FORMAT.recognise
extract = FORMAT.extract
