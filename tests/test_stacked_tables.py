"""Every public table can stack on a phone: each cell names its column, roles kept.

Below tablet width `.app-table--stack` (frontend/explorer.scss) shows each cell under the
name in its `data-label`, and the repeated table roles keep the table a table for screen
readers once its display changes. tests/browser/test_small_screen.py checks the layout.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from .seeds import make_follow_through_links

pytestmark = pytest.mark.django_db

SOMERSET_2013 = "somerset-2013-06-24-protection"
SOMERSET_2017_VISIT = "somerset-2017-05-02-monitoring-visit"
NORTH_SOMERSET_2017 = "north-somerset-2017-06-12-sif"

PAGES_WITH_TABLES = [
    "/",
    "/authorities/",
    "/authorities/somerset/",
    "/authorities/somerset/neighbours/",
    f"/authorities/somerset/compare/{SOMERSET_2013}/{SOMERSET_2017_VISIT}/",
    f"/inspections/{NORTH_SOMERSET_2017}/",
    "/themes/",
    "/themes/management-oversight/",
    "/about/",
    "/follow-through/",
]

# The role each table element must state, as it stops being displayed as a table.
ROLES = {"table": "table", "thead": "rowgroup", "tbody": "rowgroup", "tr": "row", "td": "cell"}
HEADER_ROLES = {"col": "columnheader", "row": "rowheader"}


class Tables(HTMLParser):
    """Each table of a page: its class, and its rows of cells (tag, attributes, text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.problems: list[str] = []
        self._cell: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "br" and self._cell is not None:
            self._cell["text"] += " "
        if tag in ROLES or tag == "th":
            wanted = HEADER_ROLES.get(attributes.get("scope") or "") if tag == "th" else ROLES[tag]
            if attributes.get("role") != wanted:
                self.problems.append(f"<{tag} {attributes}> should have role={wanted!r}")
        if tag == "table":
            self.tables.append({"class": attributes.get("class", ""), "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("th", "td") and self.tables:
            self._cell = {"tag": tag, "attributes": attributes, "text": ""}
            self.tables[-1]["rows"][-1].append(self._cell)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td"):
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell["text"] += data


def _words(text: str) -> str:
    """Text without commas and semicolons, its spaces folded: how a label and header compare."""
    return " ".join(re.sub(r"[,;]", " ", text).split())


@pytest.mark.parametrize("path", PAGES_WITH_TABLES)
def test_every_table_stacks_and_each_cell_names_its_column(client, seeds, path):
    make_follow_through_links()  # for what happened next, on Somerset's page and nationally
    response = client.get(path)
    assert response.status_code == 200
    parser = Tables()
    parser.feed(response.content.decode())
    assert parser.tables, f"{path} has no table"
    problems = list(parser.problems)
    for table in parser.tables:
        assert "app-table--stack" in table["class"].split(), f"{path}: a table that won't stack"
        header, *rows = table["rows"]
        assert rows, f"{path}: a table with no rows"
        names = [_words(cell["text"]) for cell in header]
        for row in rows:
            assert len(row) == len(names), f"{path}: a row of {len(row)} cells under {names}"
            for name, cell in zip(names, row, strict=True):
                if cell["tag"] == "th":
                    continue  # the row's own name: shown first, with no label
                label = _words(cell["attributes"].get("data-label") or "")
                # The column header may say more (a framework's scale) than the label.
                if not label or not name.startswith(label):
                    problems.append(f"{path}: a cell labelled {label!r} under {name!r}")
    assert not problems, "\n".join(problems)
