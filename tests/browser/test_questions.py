"""The questions the explorer exists to answer, asked by address and by clicking."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from .conftest import Site
from .support import (
    checked_filters,
    download,
    follow,
    link_to,
    links_by_heading,
    menu_link,
    query,
    result_count,
    result_links,
    submit,
    tick,
)

pytestmark = pytest.mark.browser

NORTH_SOMERSET_2017 = "/inspections/north-somerset-2017-06-12-sif/"
SOMERSET = {
    2010: "/inspections/somerset-2010-07-27-cra-unannounced/",
    2013: "/inspections/somerset-2013-06-24-protection/",
    2017: "/inspections/somerset-2017-05-02-monitoring-visit/",
}


def _follow_from_home_to_authority(page, site: Site, name: str) -> None:
    page.goto(site("/"))
    follow(page, menu_link(page, "Authorities"))
    follow(page, page.get_by_role("main").get_by_role("link", name=name, exact=True))


def test_every_finding_about_management_oversight_in_inadequate_inspections_in_2013(
    page, site: Site
):
    """By address; test_journeys asks the same by ticking the boxes without JavaScript."""
    page.goto(site("/findings/?theme=management-oversight&grade=inadequate&year=2013"))
    count = result_count(page)
    assert len(result_links(page, "findings")) == min(count, 50) > 0
    rows = json.loads(download(page, page.get_by_role("link", name=re.compile(r"^JSON"))))
    assert len(rows) == count
    assert {row["authority"] for row in rows} == {"somerset", "devon"}
    assert {row["inspection_url"] for row in rows} == {
        SOMERSET[2013],
        "/inspections/devon-2013-04-15-protection/",
    }


def test_what_north_somerset_was_told_to_fix_in_2017_by_address(page, site: Site):
    page.goto(site("/recommendations/?authority=north-somerset&year=2017"))
    assert result_count(page) == 18
    links = page.get_by_role("main").get_by_role("link", name=re.compile(r"recommendation \d+"))
    names = links.all_inner_texts()
    assert len(names) == 18
    assert sum("LSCB" in name for name in names) == 6
    rows = json.loads(download(page, page.get_by_role("link", name=re.compile(r"^JSON"))))
    assert Counter(row["addressee"] for row in rows) == {"authority": 12, "lscb": 6}
    assert {row["inspection_url"] for row in rows} == {NORTH_SOMERSET_2017}


def test_what_north_somerset_was_told_to_fix_in_2017_by_clicking(page, site: Site):
    _follow_from_home_to_authority(page, site, "North Somerset")
    follow(page, link_to(page, NORTH_SOMERSET_2017))
    assert page.url == site(NORTH_SOMERSET_2017)
    # Two lists under their own headings: the council's twelve, the board's six.
    assert links_by_heading(page, "/recommendations/") == {
        "To the local authority": 12,
        "To the Local Safeguarding Children Board": 6,
    }

    page.go_back()
    follow(page, page.get_by_role("link", name=re.compile(r"^Every recommendation", re.I)))
    tick(page, "Year inspected", "2017")
    submit(page, "Apply filters")
    assert query(page.url) == [("authority", "north-somerset"), ("year", "2017")]
    assert checked_filters(page) == [("authority", "north-somerset"), ("year", "2017")]
    assert result_count(page) == 18


def test_how_somersets_grades_have_moved_since_2010(page, site: Site):
    _follow_from_home_to_authority(page, site, "Somerset")
    main = page.get_by_role("main")
    # Every inspection and visit since 2010 is on the page, graded or not.
    for path in SOMERSET.values():
        assert link_to(page, path).count() == 1, path

    # The table: a column per graded inspection (2013's), a row per judgement area.
    table = main.get_by_role("table").filter(has=page.locator(f'a[href="{SOMERSET[2013]}"]'))
    header = table.get_by_role("columnheader").filter(has=page.locator("a")).all_inner_texts()
    assert len(header) == 1
    assert "June 2013" in header[0]
    overall = table.get_by_role("row", name=re.compile(r"^Overall effectiveness"))
    assert "Inadequate" in overall.inner_text()

    # The chart draws the same grades, as an image with a text alternative.
    chart = main.get_by_role("img", name=re.compile(r"grades over time", re.I))
    assert chart.locator("[data-grade=inadequate]").count() >= 1
