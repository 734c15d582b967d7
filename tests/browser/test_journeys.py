"""What people do on the site, in a real browser: follow links, filter, reload, download."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import urlsplit

import pytest

from inspections.models import Finding

from .conftest import Site
from .support import (
    checked_filters,
    download,
    follow,
    link_to,
    menu_link,
    query,
    result_count,
    result_links,
    submit,
    tick,
)

pytestmark = pytest.mark.browser

SOMERSET_2013 = "/inspections/somerset-2013-06-24-protection/"
MANAGEMENT_OVERSIGHT = "management-oversight"


def test_from_home_to_a_finding_and_on_to_every_finding_on_its_theme(page, site: Site):
    published = Finding.objects.filter(is_hidden=False, withdrawn_at__isnull=True)
    finding = (
        published.filter(
            inspection__slug="somerset-2013-06-24-protection", themes__slug=MANAGEMENT_OVERSIGHT
        )
        .order_by("position")
        .first()
    )
    assert finding is not None
    on_theme = published.filter(themes__slug=MANAGEMENT_OVERSIGHT).distinct().count()

    page.goto(site("/"))
    follow(page, menu_link(page, "Authorities"))
    assert page.url == site("/authorities/")
    follow(page, page.get_by_role("main").get_by_role("link", name="Somerset", exact=True))
    assert page.url == site("/authorities/somerset/")
    assert page.get_by_role("heading", level=1).inner_text() == "Somerset"

    follow(page, link_to(page, SOMERSET_2013))
    assert page.url == site(SOMERSET_2013)
    assert "Somerset" in page.title()

    follow(page, link_to(page, finding.get_absolute_url()))
    assert page.url == site(finding.get_absolute_url())
    assert finding.text[:60] in " ".join(page.get_by_role("main").inner_text().split())

    follow(page, link_to(page, f"/themes/{MANAGEMENT_OVERSIGHT}/"))
    follow(page, link_to(page, f"/findings/?theme={MANAGEMENT_OVERSIGHT}"))
    assert query(page.url) == [("theme", MANAGEMENT_OVERSIGHT)]
    assert checked_filters(page) == [("theme", MANAGEMENT_OVERSIGHT)]
    assert result_count(page) == on_theme

    page.go_back()
    assert page.url == site(f"/themes/{MANAGEMENT_OVERSIGHT}/")


def test_every_finding_about_an_authority_from_its_page(page, site: Site):
    somerset = Finding.objects.filter(
        inspection__authority__slug="somerset", is_hidden=False, withdrawn_at__isnull=True
    ).count()
    page.goto(site("/authorities/somerset/"))
    follow(page, page.get_by_role("link", name=re.compile(r"^Every finding about Somerset")))
    assert query(page.url) == [("authority", "somerset")]
    assert checked_filters(page) == [("authority", "somerset")]
    assert result_count(page) == somerset


def _rows(csv_text: str, json_text: str) -> list[dict]:
    """The two downloads' rows, checked to be the same rows; JSON's, with lists for themes."""
    from_csv = list(csv.DictReader(io.StringIO(csv_text)))
    from_json = json.loads(json_text)
    assert [row["id"] for row in from_csv] == [row["id"] for row in from_json]
    for row_csv, row_json in zip(from_csv, from_json, strict=True):
        assert row_csv["themes"].split(";") == row_json["themes"]
        assert row_csv["overall_grade"] == (row_json["overall_grade"] or "")
    return from_json


def test_filters_work_without_javascript_survive_a_reload_and_match_the_downloads(
    page_without_js, site: Site
):
    """Every finding about management oversight in inadequate inspections in 2013."""
    page = page_without_js
    page.goto(site("/findings/"))
    tick(page, "Theme", "Management oversight")
    tick(page, "Overall grade", "Inadequate")
    tick(page, "Year inspected", "2013")
    submit(page, "Apply filters")

    wanted = [("grade", "inadequate"), ("theme", MANAGEMENT_OVERSIGHT), ("year", "2013")]
    assert query(page.url) == wanted
    assert checked_filters(page) == wanted
    count = result_count(page)
    shown = result_links(page, "findings")
    assert 0 < len(shown) <= count

    url = page.url
    page.reload()
    assert page.url == url
    assert checked_filters(page) == wanted
    assert result_count(page) == count
    assert result_links(page, "findings") == shown

    rows = _rows(
        download(page, page.get_by_role("link", name=re.compile(r"^CSV"))),
        download(page, page.get_by_role("link", name=re.compile(r"^JSON"))),
    )
    assert len(rows) == count
    assert {row["url"] for row in rows} >= set(shown)
    for row in rows:
        assert MANAGEMENT_OVERSIGHT in row["themes"]
        assert row["overall_grade"] == "inadequate"
        assert row["start_date"].startswith("2013-")
    assert {row["authority"] for row in rows} == {"somerset", "devon"}
    # The page names both authorities among its results too.
    main = page.get_by_role("main").inner_text()
    assert "Somerset" in main
    assert "Devon" in main


def test_a_search_and_a_filter_from_the_form_with_javascript(page, site: Site):
    page.goto(site("/recommendations/"))
    page.get_by_role("searchbox", name="Search the text").fill("supervision")
    tick(page, "Theme", "Management oversight")
    submit(page, "Apply filters")
    assert query(page.url) == [
        ("q", "supervision"),
        ("theme", MANAGEMENT_OVERSIGHT),
    ]
    assert page.get_by_role("searchbox", name="Search the text").input_value() == "supervision"
    count = result_count(page)
    rows = json.loads(download(page, page.get_by_role("link", name=re.compile(r"^JSON"))))
    assert len(rows) == count > 0
    for row in rows:
        assert "supervision" in row["text"].lower()
        assert MANAGEMENT_OVERSIGHT in row["themes"]


def test_what_happened_next_from_a_permalink_and_across_councils(page_without_js, site: Site):
    """A recommendation's later evidence, then the subjects raised again at 2010's
    inspections, their recommendations, and the links as a download, without JavaScript."""
    page = page_without_js
    page.goto(site(site.followed))
    section = page.get_by_role("heading", name="What happened next")
    assert section.is_visible()
    main = page.get_by_role("main").inner_text()
    assert "Later findings say it has not improved" in main
    assert "Confirmed by a curator" in main
    follow(page, page.get_by_role("link", name="Monitoring visit, May 2017: a finding"))
    assert re.fullmatch(r"/findings/[0-9a-z]+/", urlsplit(page.url).path)
    assert "not sufficiently robust" in page.get_by_role("main").inner_text()

    page.goto(site("/recommendations/"))
    follow(page, page.get_by_role("link", name="What happened next, by subject"))
    page.get_by_label("Year of the recommendation's inspection").select_option("2010")
    submit(page, "Show")
    # "Any kind" sends an empty framework: the page drops it from its address.
    assert query(page.url) == [("follow_through", "raised_again"), ("year", "2010")]
    table = page.locator("table[data-subjects]")
    first = table.locator("tbody tr").first
    count = int(first.locator("td").first.inner_text().split()[0])
    follow(page, first.locator("td a").first)
    assert ("follow_through", "raised_again") in query(page.url)
    assert result_count(page) == count

    page.goto(site("/follow-through/?year=2010"))
    rows = list(
        csv.DictReader(
            io.StringIO(download(page, page.get_by_role("link", name=re.compile(r"^CSV")).first))
        )
    )
    assert rows
    for row in rows:
        assert row["status"] == "raised_again"
        assert row["start_date"].startswith("2010-")
        assert row["source"] in ("suggested", "confirmed", "curator")
