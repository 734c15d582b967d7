"""Bullets: the marks that start a list's items, as PDF converters leave them, and the
items of a bulleted list.

Two families of report print them differently, so there are two sets of marks:

- MARK: the marks a line of a letter or a 2009-13 report starts with: "-", "•", "*",
  "·" and the Symbol-font bullet (U+F0B7) that PDF text layers carry; "o" and U+F0A7
  for second-level lists. A mark is followed by a space.
- LIST_ITEM: the marks of the SIF and ILACS reports' lists ("◼", "▪", "•", "-", and
  "1)"), read by list_items().
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MARK = re.compile(r"^\s*(?:[-•*·▪●\uf0b7\uf0a7]|o(?=\s))\s+")
LIST_ITEM = re.compile(r"^\s*(?:[•◼▪■●◦\-–−]|\d{1,2}\))\s*(?P<text>\S.*)?$")


def is_bulleted(line: str) -> bool:
    """Whether the line starts a list item (MARK)."""
    return bool(MARK.match(line))


def without_mark(line: str) -> str:
    """The line without the bullet mark it starts with, if any."""
    return MARK.sub("", line)


def list_items(lines: Iterable[str]) -> list[list[str]]:
    """Bulleted items among unnumbered lines (LIST_ITEM), each as its lines: the first
    without its mark, then its wrapped continuation lines. Lines before the first item
    belong to none.

    The first item's bullet is the list's; other bullets (a "-" under a "◼") are sub-items
    and stay part of their item.
    """
    items: list[list[str]] = []
    marker = None
    for line in lines:
        match = LIST_ITEM.match(line)
        if match and not re.match(r"^[-–−]\s*\d", line):
            this = line.strip()[:1]
            marker = marker or this
            if this == marker:
                items.append([match["text"] or ""])
                continue
        if items:
            items[-1].append(line)
    return items
