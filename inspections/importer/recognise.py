"""Step 3, recognise: which format a report is in, by what the report says.

Exactly one format must recognise a report: none means it is not a report we can
import; two means our formats overlap, which is our error to fix, never a guess.
"""

from __future__ import annotations

from .formats import FORMATS, ReportFormat
from .report import ImportRefused, ReportText


def recognise(text: ReportText) -> ReportFormat:
    """The one format module that recognises this report; ImportRefused otherwise."""
    matches = [module for module in FORMATS if module.recognise(text)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ImportRefused(_not_a_report_message(text))
    names = ", ".join(module.FRAMEWORK for module in matches)
    raise ImportRefused(
        f"The report matches more than one known format ({names}), so the importer "
        "cannot tell which it is; please report this file to the developers."
    )


def _not_a_report_message(text: ReportText) -> str:
    first_words = next((line.strip() for line in text.lines if line.strip()), "")[:80]
    if text.media_type == "text/html":
        return (
            f"The file is a saved web page (it begins {first_words!r}), not an Ofsted "
            "inspection report."
        )
    return (
        "The file does not read as an Ofsted children's services inspection report or "
        f"letter in any known format (it begins {first_words!r})."
    )
