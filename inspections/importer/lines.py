"""A report's lines as the format modules compare and join them: cleaned of bullet and
emphasis marks, folded for matching known wording, joined into one string, and searched
for a line or a title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .bullets import without_mark
from .dates import DASH
from .report import ReportText

_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*(?!\s)|(?<=\S)\*(?!\w)")
# Runs of spaces, tabs and the wide and narrow spaces converters leave between words.
SPACE = re.compile(r"[ \t\u00a0\u2002\u2003\u2009]+")


def clean(line: str) -> str:
    """A line's words without bullet marks, emphasis marks or runs of spaces and tabs."""
    line = without_mark(line)
    line = _EMPHASIS.sub("", line)
    return SPACE.sub(" ", line).strip()


def norm(line: str) -> str:
    """A line folded for comparing with known wording: lower case, straight quotes, no
    bullets, emphasis or trailing colon."""
    text = clean(line).lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(DASH, "-", text)
    return text.rstrip(" :.").strip()


def joined(lines: Iterable[str]) -> str:
    """Lines joined into one string with single spaces."""
    return " ".join(" ".join(line.split()) for line in lines if line.strip())


def content_lines(text: ReportText) -> list[tuple[int, str]]:
    """(index, stripped line) for each line with words."""
    return [(index, line.strip()) for index, line in enumerate(text.lines) if line.strip()]


def opening(lines: Sequence[str], count: int = 30) -> list[str]:
    """The first `count` non-blank lines, folded with norm(): where titles are."""
    folded = []
    for line in lines:
        if line.strip():
            folded.append(norm(line))
            if len(folded) == count:
                break
    return folded


def find_line(
    lines: Sequence[str], pattern: re.Pattern[str], start: int = 0, end: int | None = None
) -> int | None:
    """The index of the first line in [start, end) whose folded text matches `pattern`."""
    stop = len(lines) if end is None else min(end, len(lines))
    for index in range(start, stop):
        if lines[index].strip() and pattern.search(norm(lines[index])):
            return index
    return None


def title_lines(
    lines: Sequence[str], at: int, pattern: re.Pattern[str], most: int = 3
) -> list[int]:
    """The indexes of the lines a title starting at line `at` spans.

    Titles wrap ("Inspection of looked after children" + "services"): a following line is
    part of the title while `pattern`, matched on the folded lines joined, reads into it.
    The name printed under the title is not, because the pattern stops before it.
    """
    taken = [at]
    for index in range(at + 1, min(len(lines), at + 1 + most)):
        if not lines[index].strip():
            continue
        before = " ".join(norm(lines[i]) for i in taken)
        match = pattern.match(f"{before} {norm(lines[index])}")
        if not match or match.end() <= len(before):
            break
        taken.append(index)
    return taken


def find_title(
    lines: Sequence[str], pattern: re.Pattern[str], within: int
) -> tuple[int, list[int]] | None:
    """Where a title matching `pattern` starts among the first `within` non-blank lines,
    with the lines it spans; a title wrapped over two lines ("Inspection of safeguarding
    and looked after" + "children services") is found too."""
    filled = [index for index, line in enumerate(lines) if line.strip()][:within]
    for position, index in enumerate(filled):
        both = " ".join(norm(lines[i]) for i in filled[position : position + 2])
        if pattern.match(norm(lines[index])) or pattern.match(both):
            return index, title_lines(lines, index, pattern)
    return None
