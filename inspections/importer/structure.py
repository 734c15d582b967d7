"""Step 2, structure: a Document's pages become a report's clean lines (ReportText).

For PDFs this removes what a reader's eye skips: running headers and footers (ILACS pages
begin "Inspection of Bristol local authority children's services" + "16 to 27 January
2023 4"; SIF pages begin with a bare page number), page numbers, footnote text at page
bottoms and the footnote marks glued to words ("Board1" -> "Board"), and it joins words
hyphenated across lines and pages ("day-to-" + "day" -> "day-to-day"). Blank lines are
dropped.

Text sources (plain, Markdown, HTML) keep one ReportText line per source line, blank lines
included, because text-format parsers rely on the source's line breaks; only footnote
marks (superscript digits) and footnote lines are cleaned there.
"""

from __future__ import annotations

import re
from collections import Counter

from .report import Document, ReportText

# pdfium marks a hyphen it found at a line end (and joined the lines over) with \x02.
# Ofsted reports are not typeset with automatic hyphenation, so such a hyphen is part of
# the word ("community-based") and is kept.
_PDFIUM_LINE_END_HYPHEN = "\x02"

# Bullet glyphs from the Symbol and Wingdings fonts come through as private-use code
# points; a reader sees a bullet (or a dash, for the Symbol minus used as a sub-bullet).
_GLYPHS = str.maketrans(
    {
        "\uf06e": "•",
        "\uf0b7": "•",
        "\uf0a7": "•",
        "\uf0d8": "•",
        "\uf0fc": "•",
        "\uf02d": "-",
        "\u202f": " ",
        "\u00a0": " ",
    }
)

# How many lines at the top (and bottom) of a page may be running header (footer).
_EDGE_LINES = 3
# A line is a running header or footer when it appears (digits aside) at the edge of at
# least this share of the pages after the first, and on at least _MIN_PAGES of them.
_REPEAT_SHARE = 0.2
_MIN_PAGES = 3

_BARE_NUMBER = re.compile(r"^\s*(?:page\s+)?(\d{1,3})(?:\s+of\s+\d{1,3})?\s*$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_EDGE_NUMBER = re.compile(r"^# |\s#$")

# A footnote at a page's foot: "1 Ofsted produces ...", "[1] These are ...", or the
# number alone on its line with the text below.
_FOOTNOTE_START = re.compile(r"^\s*(?:\[(\d{1,2})\]|(\d{1,2}))(?:\s+(\S.*))?$")

_FOOTNOTE_WORDS = re.compile(r"^(?:[A-Z‘'\"]|https?:|www\.)")
# Footnotes sit within this many lines of a page's foot.
_FOOTNOTE_ZONE = 16

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_MARK = re.compile(f"(?<=\\S)[{_SUPERSCRIPTS}]+")
_SUPERSCRIPT_FOOTNOTE = re.compile(f"^\\s*[{_SUPERSCRIPTS}]+\\s")

# A word broken after its hyphen at a line's end: "seven-days-a-" + "week".
_HYPHEN_END = re.compile(r"[A-Za-z]-$")
_CONTINUES_WORD = re.compile(r"^[A-Za-z0-9]")


def structure(document: Document) -> ReportText:
    """The report's lines in reading order, with the page each came from."""
    if document.media_type != "application/pdf":
        return _structure_text(document)
    pages = [_page_lines(page) for page in document.pages]
    headers = _repeated_edge_lines(pages, top=True)
    footers = _repeated_edge_lines(pages, top=False)
    lines: list[str] = []
    page_of_line: list[int] = []
    for number, page in enumerate(pages, start=1):
        body = _strip_edges(page, number, headers, footers)
        body = _strip_footnotes(body)
        for line in body:
            if line.strip():
                lines.append(line.strip())
                page_of_line.append(number)
    lines, page_of_line = _join_hyphenated(lines, page_of_line)
    return ReportText(lines=lines, page_of_line=page_of_line, media_type=document.media_type)


def _structure_text(document: Document) -> ReportText:
    """One line per source line; superscript footnote marks and footnote lines cleaned."""
    lines: list[str] = []
    pages: list[int] = []
    for number, page in enumerate(document.pages, start=1):
        for line in page.split("\n"):
            line = line.replace(_PDFIUM_LINE_END_HYPHEN, "-").rstrip()
            if _SUPERSCRIPT_FOOTNOTE.match(line):
                line = ""
            lines.append(_SUPERSCRIPT_MARK.sub("", line))
            pages.append(number)
    return ReportText(lines=lines, page_of_line=pages, media_type=document.media_type)


def _page_lines(page: str) -> list[str]:
    page = page.replace(_PDFIUM_LINE_END_HYPHEN, "-").translate(_GLYPHS)
    return [line.rstrip() for line in page.split("\n")]


def _shape(line: str) -> str:
    """A line with its digits blurred and its page number dropped, so "16 to 27 January
    2023 4" and "2 Inspection of ... board: Hull" match on every page."""
    shape = _DIGITS.sub("#", " ".join(line.split())).casefold()
    return _EDGE_NUMBER.sub("", shape)


def _edge(page: list[str], top: bool) -> list[str]:
    filled = [line for line in page if line.strip()]
    return filled[:_EDGE_LINES] if top else filled[-_EDGE_LINES:]


def _repeated_edge_lines(pages: list[list[str]], top: bool) -> set[str]:
    """Shapes of lines repeated at the top (or bottom) of the pages after the first.

    The first page is left out of the count because it carries the title, which a
    running header may repeat word for word.
    """
    later = pages[1:]
    counts: Counter[str] = Counter()
    for page in later:
        counts.update({_shape(line) for line in _edge(page, top) if not _BARE_NUMBER.match(line)})
    needed = max(_MIN_PAGES, _REPEAT_SHARE * len(later))
    return {shape for shape, count in counts.items() if count >= needed}


def _strip_edges(page: list[str], number: int, headers: set[str], footers: set[str]) -> list[str]:
    """The page without its running header, footer and page number.

    Whitespace-only lines are kept (they may separate footnotes from the text); edges are
    counted in lines with words.
    """
    lines = list(page)
    repeated = headers if number > 1 else set()
    start, seen = 0, 0
    while start < len(lines) and seen <= _EDGE_LINES:
        if not lines[start].strip():
            start += 1
            continue
        if not _is_edge_noise(lines[start], number, repeated):
            break
        start, seen = start + 1, seen + 1
    end, seen = len(lines), 0
    repeated = footers if number > 1 else set()
    while end > start and seen <= _EDGE_LINES:
        if not lines[end - 1].strip():
            end -= 1
            continue
        if not _is_edge_noise(lines[end - 1], number, repeated):
            break
        end, seen = end - 1, seen + 1
    return lines[start:end]


def _is_edge_noise(line: str, page_number: int, repeated: set[str]) -> bool:
    number = _BARE_NUMBER.match(line)
    if number:
        return int(number.group(1)) == page_number
    return _shape(line) in repeated


def _strip_footnotes(lines: list[str]) -> list[str]:
    """The page without the footnotes at its foot and their marks in its text.

    Looking upwards from the foot, a line starting with a small number ("1 Ofsted
    produces ...", "[1] These are ...", or "3" alone with the text below) starts a
    footnote when a thin rule (a whitespace-only line) sits just above it or its mark is
    found higher up the page: glued to a word ("Board1") or alone on a line. The
    condition keeps numbered table rows and list items.
    """
    start = None
    numbers: list[str] = []
    for index in range(len(lines) - 1, max(0, len(lines) - _FOOTNOTE_ZONE), -1):
        match = _FOOTNOTE_START.match(lines[index])
        if not match:
            continue
        number = match.group(1) or match.group(2)
        words = match.group(3) or (lines[index + 1].strip() if index + 1 < len(lines) else "")
        if not _FOOTNOTE_WORDS.match(words):
            continue
        ruled = not lines[index - 1].strip()
        if not ruled and _find_mark(lines[:index], number) is None:
            continue
        start = index
        numbers.append(number)
    if start is None:
        return lines
    body = list(lines[:start])
    for number in numbers:
        found = _find_mark(body, number)
        if found is not None:
            row, match = found
            line = body[row]
            body[row] = line[: match.start()] + line[match.end() :]
    return body


def _mark_patterns(number: str) -> list[re.Pattern[str]]:
    """A footnote mark, most telling first: the number glued to a word ("schools3"),
    glued after closing punctuation ("(LSCB).1"), or alone on its line. Punctuation
    after a digit is a decimal point or thousands comma ("74.3 per 10,000"), not a
    word's end, so it does not count."""
    follows = r"(?=[\s.,;:()]|$)"
    return [
        re.compile(rf"(?<=[A-Za-z]){number}{follows}"),
        re.compile(rf"(?<=[)’'”.,;:])(?<!\d[.,]){number}{follows}"),
        re.compile(rf"^\s*{number}\s*$"),
    ]


def _find_mark(lines: list[str], number: str) -> tuple[int, re.Match[str]] | None:
    for pattern in _mark_patterns(number):
        for row, line in enumerate(lines):
            match = pattern.search(line)
            if match:
                return row, match
    return None


def _join_hyphenated(lines: list[str], pages: list[int]) -> tuple[list[str], list[int]]:
    """Lines with a word broken after its hyphen joined to the rest of the word."""
    joined: list[str] = []
    joined_pages: list[int] = []
    for line, page in zip(lines, pages, strict=True):
        if joined and _HYPHEN_END.search(joined[-1]) and _CONTINUES_WORD.match(line):
            joined[-1] += line
            continue
        joined.append(line)
        joined_pages.append(page)
    return joined, joined_pages
