"""Every public page with a table, on a phone 375 CSS pixels wide (issue 17).

Nothing scrolls sideways: not the page, nor a table's key columns inside its scrolling
region. Tables stack their rows below tablet width (`.app-table--stack`, in
frontend/explorer.scss); this checks that each table's key cells are on screen whole,
with and without JavaScript, and that axe-core finds nothing wrong with the stacked layout.
"""

from __future__ import annotations

import pytest

from .conftest import NORTH_SOMERSET_2017, Site
from .support import axe_violations, describe_violations

pytestmark = pytest.mark.browser

WIDTH = 375
EVERY = "every column"

# Each page with its tables: the start of a table's caption, and its key columns (each
# row's cells, counted from 0 in the order they come in the row, header cells included).
PAGES: dict[str, tuple[str, dict[str, tuple[int, ...] | str]]] = {
    "home": ("/", {"Current authorities by region": EVERY}),
    # The authority's name and its latest overall grade.
    "authority list": ("/authorities/", {"Authorities with their region": (0, 2)}),
    "authority": (
        "/authorities/somerset/",
        {
            "Judgements at each graded inspection": EVERY,
            # Per earlier inspection: each recommendation, its status and the next evidence.
            "Its recommendations, their status": EVERY,
            # Rank comes first in the row: the neighbour's name and its latest grade.
            "The ten authorities most like": (1, 2),
        },
    ),
    "neighbours": (
        "/authorities/somerset/neighbours/",
        {"Somerset first, then its neighbours": EVERY},
    ),
    "neighbours on a theme": (
        "/authorities/somerset/neighbours/management-oversight/",
        {"Somerset first, then its neighbours": EVERY},
    ),
    "two inspections compared": (
        "/authorities/somerset/compare/"
        "somerset-2013-06-24-protection/somerset-2017-05-02-monitoring-visit/",
        {
            "Each judgement area at the two inspections": EVERY,
            "Published findings and recommendations by theme": EVERY,
        },
    ),
    # The area and its grade; the report's own words may come below.
    "inspection": (f"/inspections/{NORTH_SOMERSET_2017}/", {"Judgements, as grades": (0, 1)}),
    "inspections": ("/inspections/", {}),
    "inspections filtered": ("/inspections/?region=south-west", {}),
    "subjects raised again": ("/follow-through/", {"Themes of the recommendations": EVERY}),
    "themes": ("/themes/", {"Every theme": EVERY}),
    "theme": ("/themes/management-oversight/", {"Findings about": EVERY}),
    "about": (
        "/about/",
        {
            # The kind of inspection and how many reports of it.
            "Reports by kind of inspection": (0, 3),
            "Files the importer rejected": (0, 1),
        },
    ),
}
# Shown only when the importer refused a file: the browser tests' reports all import.
SOMETIMES_ABSENT = {"Files the importer rejected"}

# Each table in the main content: its caption and, row by row, where each cell is.
TABLES = """() => [...document.querySelectorAll("main table")].map((table) => ({
  caption: table.caption ? table.caption.textContent.trim().replace(/\\s+/g, " ") : "",
  rows: [...table.tBodies].flatMap((body) => [...body.rows]).map((row) =>
    [...row.cells].map((cell) => {
      const box = cell.getBoundingClientRect();
      return {
        text: cell.textContent.trim().replace(/\\s+/g, " ").slice(0, 40),
        left: box.left, right: box.right, width: box.width, height: box.height,
        visible: cell.checkVisibility({visibilityProperty: true, opacityProperty: true}),
      };
    })),
}))"""


def _misplaced(path: str, tables: list[dict], expected: dict) -> list[str]:
    """What is wrong with the page's tables: unexpected or missing, or key cells off screen."""
    problems = []
    found = []  # (the caption's start, the table)
    for table in tables:
        starts = [start for start in expected if table["caption"].startswith(start)]
        if not starts:
            problems.append(f"{path}: a table this test does not know: {table['caption']!r}")
            continue
        found.append((starts[0], table))
    for start in expected.keys() - {start for start, _ in found} - SOMETIMES_ABSENT:
        problems.append(f"{path}: no table whose caption starts {start!r}")
    for start, table in found:
        if not table["rows"]:
            problems.append(f"{path}: {start!r} has no rows")
        off_screen: dict[int, list[tuple[int, dict]]] = {}  # column -> (row, cell)
        for number, cells in enumerate(table["rows"], start=1):
            columns = range(len(cells)) if expected[start] == EVERY else expected[start]
            for column in columns:
                cell = cells[column]
                if not (
                    cell["visible"]
                    and cell["width"] > 0
                    and cell["height"] > 0
                    and cell["left"] >= 0
                    and cell["right"] <= WIDTH
                ):
                    off_screen.setdefault(column, []).append((number, cell))
        for column, misplaced in off_screen.items():
            number, cell = misplaced[0]
            problems.append(
                f"{path}: {start!r} column {column} is off screen in {len(misplaced)} of"
                f" {len(table['rows'])} rows; row {number} ({cell['text']!r}) runs from"
                f" {cell['left']:.0f} to {cell['right']:.0f} px, visible: {cell['visible']}"
            )
    return problems


def _check(tab, site: Site, name: str, *, axe: bool) -> None:
    path, expected = PAGES[name]
    tab.set_viewport_size({"width": WIDTH, "height": 800})
    response = tab.goto(site(path))
    assert response.status == 200
    problems = []
    width = tab.evaluate("() => document.documentElement.scrollWidth")
    if width > WIDTH:
        problems.append(f"{path} is {width} px wide at {WIDTH}")
    problems += _misplaced(path, tab.evaluate(TABLES), expected)
    if axe:
        violations = axe_violations(tab)
        if violations:
            problems.append(describe_violations(path, violations))
    assert not problems, "\n" + "\n".join(problems)


@pytest.mark.parametrize("name", list(PAGES))
def test_key_columns_fit_a_phone_and_meet_wcag(page, site: Site, name: str):
    """At 375 px: no sideways scrolling, every key cell on screen, no axe-core violation."""
    _check(page, site, name, axe=True)


@pytest.mark.parametrize("name", [name for name, (_, tables) in PAGES.items() if tables])
def test_key_columns_fit_a_phone_without_javascript(page_without_js, site: Site, name: str):
    """The stacking is the stylesheet's alone: it needs no script."""
    _check(page_without_js, site, name, axe=False)
