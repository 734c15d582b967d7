"""Step 2, structure: a Document's pages become a report's clean lines (ReportText).

Placeholder: joins the pages' lines. Running headers, footers, page numbers and
footnote marks are still to be removed here.
"""

from __future__ import annotations

from .report import Document, ReportText


def structure(document: Document) -> ReportText:
    """The report's lines in reading order, with the page each came from."""
    lines: list[str] = []
    pages: list[int] = []
    for number, page in enumerate(document.pages, start=1):
        for line in page.split("\n"):
            lines.append(line.rstrip())
            pages.append(number)
    return ReportText(lines=lines, page_of_line=pages, media_type=document.media_type)
