"""/inspections/: every inspection and visit, its filters and facets, its downloads (one row
per inspection, or per judgement) and its Atom feed with the same filters."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.http import QueryDict
from django.urls import reverse

from inspections import selectors
from inspections.models import Inspection, Judgement

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"

# The seeds, newest published first; the two 2013 reports print no publication date and
# take their last day on site (3 July and 24 April 2013).
NEWEST_FIRST = [
    "north-somerset-2017-06-12-sif",  # published 25 August 2017
    "somerset-2017-05-02-monitoring-visit",  # published 13 June 2017
    "somerset-2013-06-24-protection",
    "devon-2013-04-15-protection",
    "somerset-2010-07-27-cra-unannounced",  # published 25 August 2010
]

# DOMAIN.md's fields for an inspection's row, written out so a change shows as a failure.
INSPECTION_FIELDS = [
    "slug",
    "url",
    "authority",
    "authority_name",
    "region",
    "framework",
    "title",
    "start_date",
    "end_date",
    "published_date",
    "lead_inspector",
    "overall_grade",
    "help_and_protection_grade",
    "in_care_grade",
    "care_leavers_grade",
    "adoption_grade",
    "leadership_grade",
    "quality_of_practice_grade",
    "capacity_to_improve_grade",
    "outcomes_grade",
    "quality_of_provision_grade",
    "lscb_grade",
]
JUDGEMENT_FIELDS = [
    "authority",
    "authority_name",
    "region",
    "inspection",
    "inspection_url",
    "framework",
    "start_date",
    "end_date",
    "published_date",
    "area",
    "grade",
    "words",
]


def body_of(response) -> str:
    return (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()


def csv_rows(client, url: str) -> tuple[list[str], list[dict[str, str]]]:
    response = client.get(url)
    assert response.status_code == 200, body_of(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    reader = csv.reader(io.StringIO(body_of(response)))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


def json_rows(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, body_of(response)
    assert response["Content-Type"] == "application/json"
    return json.loads(body_of(response))


def listed(client, query: str = "") -> list[str]:
    """The inspections' slugs the page lists, in its order (from the links of its rows)."""
    response = client.get(f"/inspections/?{query}")
    assert response.status_code == 200, query
    html = response.content.decode()
    results = html[html.index('id="results-heading"') :]
    slugs = []
    for piece in results.split('<li class="app-result">')[1:]:
        href = piece.split('href="', 1)[1].split('"', 1)[0]
        slugs.append(href.removeprefix("/inspections/").strip("/"))
    return slugs


def test_the_url_is_a_contract():
    assert reverse("inspection-list") == "/inspections/"


def test_every_inspection_and_visit_is_listed_newest_published_first(client, seeds):
    assert listed(client) == NEWEST_FIRST
    assert [i.slug for i in seeds] and set(NEWEST_FIRST) == {i.slug for i in seeds}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("framework=protection", ["somerset-2013-06-24-protection", "devon-2013-04-15-protection"]),
        (
            "framework=sif&framework=monitoring_visit",
            ["north-somerset-2017-06-12-sif", "somerset-2017-05-02-monitoring-visit"],
        ),
        ("year=2010", ["somerset-2010-07-27-cra-unannounced"]),
        ("grade=requires_improvement", ["north-somerset-2017-06-12-sif"]),
        ("area=care_leavers", ["north-somerset-2017-06-12-sif"]),
        # Any area graded inadequate: North Somerset's LSCB was.
        ("area_grade=inadequate", NEWEST_FIRST[:1] + NEWEST_FIRST[2:4]),
        # The pair chooses one judgement: in care judged requires improvement.
        ("area=in_care&area_grade=requires_improvement", ["north-somerset-2017-06-12-sif"]),
        ("area=in_care&area_grade=inadequate", []),
        ("area=quality_of_practice&area_grade=inadequate", NEWEST_FIRST[2:4]),
        ("region=south-west", NEWEST_FIRST),
        ("region=E12000009&year=2013", NEWEST_FIRST[2:4]),
        ("region=london", []),
        (
            "authority=somerset",
            [s for s in NEWEST_FIRST if s.startswith("somerset-")],
        ),
        ("authority=devon&authority=north-somerset", [NEWEST_FIRST[0], NEWEST_FIRST[3]]),
    ],
)
def test_each_filter_chooses_its_inspections(client, seeds, query, expected):
    assert listed(client, query) == expected


@pytest.mark.parametrize(
    "filters",
    [
        "",
        "area_grade=inadequate",
        "area=leadership",
        "area=in_care&area_grade=good&area_grade=requires_improvement",
        "grade=inadequate&year=2013",
        "authority=somerset",
    ],
)
def test_each_facet_count_is_the_rows_its_choice_gives(client, seeds, filters):
    """Following a choice (adding it to the filters, or taking it away when chosen) lists
    as many inspections as its count said."""
    listing = selectors.inspection_list(filters=QueryDict(filters))
    facets = selectors.listing_facets(listing=listing)
    assert [f.name for f in facets] == [
        "framework",
        "year",
        "grade",
        "area",
        "area_grade",
        "region",
        "authority",
    ]
    checked = 0
    for facet in facets:
        for option in facet.counts:
            params = QueryDict(filters, mutable=True)
            if option.value not in params.getlist(facet.name):
                params.setlist(facet.name, [option.value])  # one choice of this facet
            rows = selectors.inspection_list(filters=params).filtered.count()
            assert rows == option.count, (facet.name, option.value)
            checked += 1
    assert checked >= 3


def test_the_area_facet_counts_inspections_not_judgements(seeds):
    listing = selectors.inspection_list(filters=QueryDict("area_grade=inadequate"))
    facets = {f.name: f for f in selectors.listing_facets(listing=listing)}
    areas = {c.value: c.count for c in facets["area"].counts}
    # Inspections with that area judged inadequate: the two 2013 reports, and North
    # Somerset's LSCB.
    assert areas == {
        "overall": 2,
        "help_and_protection": 2,
        "leadership": 2,
        "quality_of_practice": 2,
        "lscb": 1,
    }
    grades = {c.value: c.count for c in facets["area_grade"].counts}
    assert grades == {"good": 1, "requires_improvement": 1, "inadequate": 3}


def test_a_row_shows_the_grades_and_links_to_the_inspection(client, seeds):
    html = client.get("/inspections/?authority=north-somerset").content.decode()
    assert 'href="/inspections/north-somerset-2017-06-12-sif/"' in html
    assert "North Somerset: Single inspection framework, June 2017" in html
    assert "Published 25 August 2017" in html
    assert "Care leavers: " in html
    html = client.get("/inspections/?authority=devon").content.decode()
    assert "Publication date not known; last day on site 24 April 2013" in html


def test_the_inspection_download_has_a_row_per_inspection(client, seeds):
    header, rows = csv_rows(client, "/inspections/?format=csv")
    assert header == INSPECTION_FIELDS
    assert [row["slug"] for row in rows] == NEWEST_FIRST
    north_somerset = rows[0]
    assert north_somerset == {
        "slug": "north-somerset-2017-06-12-sif",
        "url": "http://testserver/inspections/north-somerset-2017-06-12-sif/",
        "authority": "north-somerset",
        "authority_name": "North Somerset",
        "region": "south-west",
        "framework": "sif",
        "title": Inspection.objects.get(slug="north-somerset-2017-06-12-sif").title,
        "start_date": "2017-06-12",
        "end_date": "2017-07-07",
        "published_date": "2017-08-25",
        "lead_inspector": "Emmy Tomsett",
        "overall_grade": "requires_improvement",
        "help_and_protection_grade": "requires_improvement",
        "in_care_grade": "requires_improvement",
        "care_leavers_grade": "good",
        "adoption_grade": "good",
        "leadership_grade": "requires_improvement",
        "quality_of_practice_grade": "",
        "capacity_to_improve_grade": "",
        "outcomes_grade": "",
        "quality_of_provision_grade": "",
        "lscb_grade": "inadequate",
    }
    visit = rows[1]
    assert visit["overall_grade"] == "" and visit["published_date"] == "2017-06-13"


@pytest.mark.parametrize("query", ["", "&area_grade=inadequate", "&rows=judgements"])
def test_csv_and_json_hold_the_same_rows(client, seeds, query):
    _, from_csv = csv_rows(client, f"/inspections/?format=csv{query}")
    from_json = json_rows(client, f"/inspections/?format=json{query}")
    # CSV writes null as an empty cell; otherwise the two say the same.
    assert from_csv == [{k: ("" if v is None else v) for k, v in row.items()} for row in from_json]
    assert from_csv


def test_the_download_has_the_rows_the_page_lists(client, seeds):
    for query in ["area_grade=inadequate", "year=2017", "framework=cra_unannounced"]:
        rows = json_rows(client, f"/inspections/?format=json&{query}")
        assert [row["slug"] for row in rows] == listed(client, query), query


def test_the_judgement_download_has_a_row_per_judgement(client, seeds):
    header, rows = csv_rows(client, "/inspections/?format=csv&rows=judgements")
    assert header == JUDGEMENT_FIELDS
    assert len(rows) == Judgement.objects.count() == 15
    # Inspections newest first, each's judgements overall first.
    assert [row["inspection"] for row in rows[:7]] == [NEWEST_FIRST[0]] * 7
    assert rows[0] == {
        "authority": "north-somerset",
        "authority_name": "North Somerset",
        "region": "south-west",
        "inspection": "north-somerset-2017-06-12-sif",
        "inspection_url": "http://testserver/inspections/north-somerset-2017-06-12-sif/",
        "framework": "sif",
        "start_date": "2017-06-12",
        "end_date": "2017-07-07",
        "published_date": "2017-08-25",
        "area": "overall",
        "grade": "requires_improvement",
        "words": "Require improvement to be good",
    }
    assert [row["area"] for row in rows[7:11]] == [
        "overall",
        "help_and_protection",
        "leadership",
        "quality_of_practice",
    ]


def test_the_judgement_download_keeps_to_the_chosen_area_and_grade(client, seeds):
    rows = json_rows(client, "/inspections/?format=json&rows=judgements&area_grade=inadequate")
    assert {(r["inspection"], r["area"]) for r in rows} == {
        ("north-somerset-2017-06-12-sif", "lscb"),
        *((s, a) for s in NEWEST_FIRST[2:4] for a in ["overall", "help_and_protection",
                                                       "leadership", "quality_of_practice"]),
    }  # fmt: skip
    rows = json_rows(client, "/inspections/?format=json&rows=judgements&area=in_care")
    assert [(r["inspection"], r["grade"]) for r in rows] == [
        ("north-somerset-2017-06-12-sif", "requires_improvement")
    ]
    rows = json_rows(client, "/inspections/?format=json&rows=judgements&authority=somerset")
    assert {r["inspection"] for r in rows} == {"somerset-2013-06-24-protection"}


@pytest.mark.parametrize(
    "query",
    [
        "grade=awful",
        "area=everything",
        "year=nineteen",
        "format=xlsx",
        "format=",
        "format=csv&format=json",
        "format=csv&grade=awful",
        "format=csv&rows=findings",
        "rows=judgements&rows=inspections",
    ],
)
def test_bad_parameters_answer_400(client, seeds, query):
    assert client.get(f"/inspections/?{query}").status_code == 400, query


def test_downloads_and_feed_are_linked_with_the_filters(client, seeds):
    html = client.get("/inspections/?region=south-west&grade=inadequate").content.decode()
    query = "region=south-west&amp;grade=inadequate"
    assert f'href="/inspections/?{query}&amp;format=csv"' in html
    assert f'href="/inspections/?{query}&amp;format=json"' in html
    assert f'href="/inspections/?{query}&amp;format=csv&amp;rows=judgements"' in html
    assert f'href="/feeds/inspections/?{query}"' in html
    assert '<link rel="alternate" type="application/atom+xml" title="These inspections' in html


def test_the_feed_takes_the_same_filters(client, seeds):
    response = client.get("/feeds/inspections/?authority=somerset&year=2017&year=2010")
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    ids = [e.find(f"{ATOM}id").text for e in feed.findall(f"{ATOM}entry")]
    assert ids == [
        "http://testserver/inspections/somerset-2017-05-02-monitoring-visit/",
        "http://testserver/inspections/somerset-2010-07-27-cra-unannounced/",
    ]
    self_link = next(link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self")
    assert self_link.get("href") == (
        "http://testserver/feeds/inspections/?authority=somerset&year=2017&year=2010"
    )
    assert "(filtered)" in feed.find(f"{ATOM}title").text
    # The unfiltered feed is as it was.
    feed = ET.fromstring(client.get("/feeds/inspections/").content)
    assert len(feed.findall(f"{ATOM}entry")) == 5
    assert feed.find(f"{ATOM}title").text == "Ofsted inspections of children's services"


def test_a_feed_with_bad_filters_answers_400(client, seeds):
    assert client.get("/feeds/inspections/?grade=awful").status_code == 400
    assert client.get("/feeds/inspections/?format=rss").status_code == 400


def test_the_navigation_and_the_home_page_link_to_the_list(client, seeds):
    html = client.get("/themes/").content.decode()
    assert 'class="govuk-service-navigation__link" href="/inspections/"' in html
    html = client.get("/inspections/").content.decode()
    assert 'href="/inspections/" aria-current="page"' in html
    home = client.get("/").content.decode()
    recent = home[home.index("Recently published inspections") :]
    assert '<a class="govuk-link" href="/inspections/">See all inspections and visits</a>' in recent


def test_the_list_is_limited_like_the_other_listings(client, seeds, settings):
    # Its filters combine without end, like the findings': crawlers are held back.
    settings.PUBLIC_LISTING_RATE = "1/60"
    assert client.get("/inspections/?year=2013").status_code == 200
    refused = client.get("/inspections/?year=2017")
    assert refused.status_code == 429
    assert 'href="/inspections/?year=2017&amp;format=csv"' in refused.content.decode()
    assert client.get("/inspections/").status_code == 200  # its own page is never held back
