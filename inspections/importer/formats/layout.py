"""Headings and paragraphs as printed: the types every family of formats reads a report
into (one Paragraph, a Section under a plain heading, a sectioned report's Heading), and
the readers of plain lines into paragraphs and sections.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ...vocabulary import grade_from_words
from ..bullets import is_bulleted
from ..lines import SPACE, clean, norm

_NUMBER_AT_START = re.compile(r"^\s*(?:[-•*·▪●\uf0b7]\s+)?(\d{1,3})\.\s+(?=\S)")


@dataclass
class Paragraph:
    """A paragraph as printed: its words joined across line and page breaks.

    `number` is the number printed before it ("34"), None where it has none; `bulleted`
    whether it is a list's item; `first_line` the index in ReportText.lines of the line it
    starts on, where the reader tracks it.
    """

    text: str
    number: str | None = None
    bulleted: bool = False
    first_line: int | None = None


class Section(NamedTuple):
    """A stretch of lines under a heading: lines[first:end], the heading as printed."""

    heading: str
    first: int
    end: int


@dataclass(frozen=True)
class Heading:
    """A heading that a sectioned report's reader found at a line: what the stretch it
    starts holds (`role`, such as "findings" or "recommendations"), how many lines the
    heading spans, the judgement area and finding kind it reports on, and its words."""

    role: str
    span: int
    area: str | None
    kind: str | None
    printed: str


def _starts_lower(text: str) -> bool:
    first = next((ch for ch in text if ch.isalnum() or ch in "("), "")
    return first.islower() or first == "("


def paragraphs(lines: Iterable[str], *, numbered: bool = False) -> list[Paragraph]:
    """Group lines into paragraphs.

    A new paragraph starts at a bulleted line, a line after a blank line (unless it starts
    in lower case: the rest of a sentence cut by a page break), or, with `numbered`, at a
    printed paragraph number. Numbers are taken where they start a line ("12. The ...") or,
    as PDF conversions of the 2012-13 reports leave them, mid-line where the next number
    in sequence is expected ("children's social 18. care services"). With `numbered`, an
    unnumbered, unbulleted line continues the paragraph before it (a page break).
    """
    result: list[Paragraph] = []
    after_blank = True
    for raw in lines:
        if not raw.strip():
            after_blank = True
            continue
        bulleted = is_bulleted(raw)
        number, text = _split_number(raw, result) if numbered else (None, clean(raw))
        if not text:
            continue
        starts_new = (
            not result
            or number is not None
            or bulleted
            or (after_blank and not numbered and not _starts_lower(text))
        )
        if starts_new:
            result.append(Paragraph(text=text, number=number, bulleted=bulleted))
        else:
            result[-1].text = _join(result[-1].text, text)
        after_blank = False
    return result


def _join(before: str, after: str) -> str:
    if before.endswith("-") and not before.endswith(" -"):
        return before + after
    return f"{before} {after}"


def _split_number(raw: str, so_far: list[Paragraph]) -> tuple[str | None, str]:
    start = _NUMBER_AT_START.match(raw)
    if start:
        return start.group(1), clean(raw[start.end() :])
    text = clean(raw)
    last = next((p.number for p in reversed(so_far) if p.number), None)
    if last is not None and is_bulleted(raw):
        expected = str(int(last) + 1)
        mid = re.search(rf"(?<=\s){expected}\.\s+(?=[a-z(])", text)
        if mid:
            return expected, SPACE.sub(" ", text[: mid.start()] + text[mid.end() :]).strip()
    return None, text


def is_heading_like(line: str) -> bool:
    """Whether a line reads as a heading: short, capitalised, not a sentence."""
    text = clean(line)
    if not text or len(text) > 110 or is_bulleted(line) or _NUMBER_AT_START.match(line):
        return False
    words = text.split()
    return (
        len(words) <= 14
        and text[0].isupper()
        and not text.endswith((".", ",", ";"))
        # "Ofsted has identified the following areas for priority action:" introduces a
        # list; "Immediately:" is a heading.
        and not (text.endswith(":") and len(words) > 4)
        and "\t" not in line
    )


def _could_be_heading(line: str, grade_beside: bool) -> bool:
    # Known headings can be long ("The effectiveness of the help and protection provided to
    # children, young people, families and carers"), so only the shape is checked here. A
    # tab is allowed only before a grade printed beside the heading.
    text = clean(line)
    if not text or is_bulleted(line) or _NUMBER_AT_START.match(line):
        return False
    cells = [cell for cell in line.strip().split("\t") if cell.strip()]
    if len(cells) > 1 and not (grade_beside and len(cells) == 2 and grade_words(cells[1])):
        return False
    return not text.endswith((".", ",", ";"))


def sections(
    lines: Sequence[str],
    headings: Iterable[re.Pattern[str]],
    start: int = 0,
    end: int | None = None,
    *,
    grade_beside: bool = False,
) -> list[Section]:
    """Split lines [start, end) at lines that match one of `headings` (tested on the folded
    line). Returns (heading as printed, first body line, end line) in order.

    `grade_beside`: headings may carry their grade after a tab ("Overall effectiveness
    <tab> Grade 3 (adequate)"); otherwise such lines are table rows, not headings."""
    stop = len(lines) if end is None else end
    patterns = list(headings)
    marks = [
        index
        for index in range(start, stop)
        if lines[index].strip()
        and _could_be_heading(lines[index], grade_beside)
        and any(p.search(norm(lines[index])) for p in patterns)
    ]
    return [
        Section(clean(lines[index]), index + 1, marks[n + 1] if n + 1 < len(marks) else stop)
        for n, index in enumerate(marks)
    ]


def grade_words(text: str) -> tuple[str, str] | None:
    """(grade code, the words as printed) for a cell or heading that states a grade only:
    "Inadequate", "Requires improvement to be good", "Grade 3 (adequate)"."""
    words = clean(text).strip(" .:")
    folded = words.lower()
    if not re.fullmatch(
        r"(grade\s*\d\s*:?\s*)?\(?(outstanding|good|adequate|inadequate|requires? improvement"
        r"(?: to be good)?)\)?(\s*\(?(grade\s*)?\d\)?)?",
        folded,
    ):
        return None
    code = grade_from_words(words)
    return (code, words) if code else None
