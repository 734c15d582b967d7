"""What happened next, in public: a recommendation's permalink, a council's page, the
subjects raised again across councils (/follow-through/), the links' CSV and JSON, and the
recommendations listing's `follow_through` filter.

The links are made here row by row, as a curator or the matcher would store them, so each
case is exact: one confirmed, one suggested above the threshold, one suggested below it and
one rejected (neither of which may ever show)."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.http import QueryDict

from inspections.follow_through import update_statuses
from inspections.models import Finding, FollowThroughLink, Recommendation
from inspections.selectors.follow_through import (
    FOLLOW_THROUGH_EXPORT_FIELDS,
    QUOTE_WORDS,
    brief_quote,
    council_follow_through,
    link_download,
    national_follow_through,
    next_items,
    public_links,
)

from .pages import result_count
from .seeds import FollowThroughLinks, make_follow_through_links

pytestmark = pytest.mark.django_db

Link = FollowThroughLink
FRESHNESS = 1  # every HTML page reads the data version once (its footer)


@pytest.fixture
def links(seeds) -> FollowThroughLinks:
    return make_follow_through_links()


def _more_links(links: FollowThroughLinks) -> None:
    """More public links on every Somerset recommendation: the data grows, not the queries."""
    later = list(Finding.objects.filter(inspection__slug__contains="monitoring-visit"))
    for recommendation in Recommendation.objects.filter(
        inspection__authority__slug="somerset", inspection__start_date__year__lt=2017
    ):
        for finding in later[:4]:
            Link.objects.get_or_create(
                recommendation=recommendation,
                later_finding=finding,
                defaults={"score": 0.5, "stance": Link.Stance.UNCLEAR, "source": "suggested"},
            )
    update_statuses(Recommendation.objects.values_list("pk", flat=True))


# --- Which links are public ---


def test_only_public_links_are_public(links):
    public = set(public_links().values_list("pk", flat=True))
    assert public == {links.confirmed.pk, links.suggested.pk}
    # An unpublished end takes the link off too.
    Finding.objects.filter(pk=links.confirmed.later_finding_id).update(is_hidden=True)
    assert set(public_links().values_list("pk", flat=True)) == {links.suggested.pk}
    Recommendation.objects.filter(pk=links.suggested.recommendation_id).update(is_hidden=True)
    assert not public_links().exists()


def test_statuses_come_from_the_links(links):
    links.oversight_2013.refresh_from_db()
    links.recommendation_2010.refresh_from_db()
    assert links.oversight_2013.follow_through_status == "not_improved"
    assert links.recommendation_2010.follow_through_status == "raised_again"


# --- Quoting briefly ---


def test_a_short_paragraph_is_quoted_whole():
    assert brief_quote("Supervision is regular.", "Improve supervision.") == (
        "Supervision is regular."
    )


def test_a_long_paragraph_is_quoted_by_its_sentence_on_the_subject():
    text = (
        "Leaders have a clear plan for the service and have invested in new staff across "
        "every team in the county this year. "
        "Management oversight of cases is still not robust enough. "
        "Children in care are seen regularly by their social workers, who know them well "
        "and speak warmly of them and of their carers and their schools."
    )
    quote = brief_quote(text, "Ensure routine management oversight of cases.")
    assert quote == "… Management oversight of cases is still not robust enough. …"


def test_a_long_paragraph_off_the_subject_is_quoted_from_its_start():
    text = " ".join(["Word"] * 100) + "."
    quote = brief_quote(text, "Improve management oversight.")
    assert quote.endswith(" …")
    assert len(quote.split()) == QUOTE_WORDS + 1  # the words and the ellipsis


# --- A recommendation's permalink ---


def test_next_items_show_only_public_links_earliest_first(links, django_assert_num_queries):
    with django_assert_num_queries(1):
        items = next_items(recommendation=links.recommendation_2010)
    assert [item.record.pk for item in items] == [links.suggested.later_recommendation_id]
    (item,) = items
    assert item.kind == "recommendation"
    assert item.source == "suggested"
    assert item.source_label == "Suggested by the explorer"
    assert item.label.startswith("recommendation ")
    (confirmed,) = next_items(recommendation=links.oversight_2013)
    assert confirmed.source_label == "Confirmed by a curator"
    assert confirmed.framework_short_name == "monitoring visit"
    assert "management oversight" in confirmed.quote


def test_the_permalink_says_what_happened_next(client, links):
    html = client.get(links.oversight_2013.get_absolute_url()).content.decode()
    assert 'id="what-happened-next"' in html
    assert "Later findings say it has not improved" in html
    assert links.confirmed.later_finding.get_absolute_url() in html
    assert "Confirmed by a curator" in html
    assert "Monitoring visit, May 2017" in html
    assert 'published <time datetime="2017-06-13">13 June 2017</time>' in html
    assert "not sufficiently robust" in html  # the quote


def test_the_permalink_never_shows_a_rejected_or_weak_link(client, links):
    html = client.get(links.recommendation_2010.get_absolute_url()).content.decode()
    assert links.suggested.later_recommendation.get_absolute_url() in html
    assert "Suggested by the explorer" in html
    assert "Raised again as a recommendation" in html
    assert links.rejected.later_finding.get_absolute_url() not in html
    assert links.weak.later_finding.get_absolute_url() not in html


def test_a_recommendation_with_nothing_later_says_so(client, seeds):
    devon = Recommendation.objects.filter(inspection__authority__slug="devon").first()
    html = client.get(devon.get_absolute_url()).content.decode()
    assert "Nothing yet." in html
    assert "No later inspection or visit of Devon loaded here speaks to its subject yet" in html


# --- A council's page ---


def test_council_follow_through_table(links, django_assert_num_queries):
    from inspections.selectors.authorities import authority_history

    history = authority_history(slug="somerset")
    followed = {f.inspection.start_date.year: f for f in history.follow_through}
    assert sorted(followed) == [2010, 2013]  # the 2017 visit made no recommendations
    assert followed[2010].later and followed[2013].later
    rows = {row.recommendation.pk: row for row in followed[2013].rows}
    row = rows[links.oversight_2013.pk]
    assert row.status_label == "Later findings say it has not improved"
    assert row.next.record.pk == links.confirmed.later_finding_id
    rows_2010 = {row.recommendation.pk: row for row in followed[2010].rows}
    assert [i.record.pk for i in rows_2010[links.recommendation_2010.pk].items] == [
        links.suggested.later_recommendation_id
    ]
    with django_assert_num_queries(1):
        council_follow_through(history.inspections)


def test_the_council_page_shows_the_table_above_raised_again(client, links):
    html = client.get("/authorities/somerset/").content.decode()
    assert html.index('id="follow-through"') < html.index('id="raised-again"')
    assert links.confirmed.later_finding.get_absolute_url() in html
    assert "(confirmed by a curator)" in html
    assert "(suggested by the explorer)" in html
    assert links.rejected.later_finding.get_absolute_url() not in html
    assert 'href="/follow-through/"' in html
    devon = client.get("/authorities/devon/").content.decode()  # one inspection loaded
    assert "No later inspection or visit of Devon is loaded yet" in devon


# --- Nationally ---


def test_national_counts_subjects_raised_again(links):
    national = national_follow_through(filters=QueryDict(), identity="test")
    assert national.statuses == ["raised_again"]
    themes = set(links.recommendation_2010.themes.values_list("slug", flat=True))
    assert themes, "the 2010 recommendation has themes to count"
    assert {s.slug for s in national.counts.subjects} == themes
    assert all(s.recommendations == 1 and s.councils == 1 for s in national.counts.subjects)
    assert national.counts.councils == 1
    statuses = {code: count for code, _, count in national.counts.statuses}
    assert statuses["raised_again"] == 1
    assert statuses["not_improved"] == 1


def test_national_filters_by_year_and_framework(links):
    def subjects(query: str) -> int:
        return len(national_follow_through(filters=QueryDict(query), identity="t").counts.subjects)

    assert subjects("year=2010")
    assert subjects("framework=cra_unannounced")
    assert not subjects("year=2013")
    assert not subjects("framework=sif")
    assert subjects("follow_through=not_improved&year=2013")


def test_each_national_count_links_to_the_same_recommendations(client, links):
    response = client.get("/follow-through/")
    assert response.status_code == 200
    html = response.content.decode()
    theme = links.recommendation_2010.themes.order_by("name").first()
    listing = f"/recommendations/?theme={theme.slug}&amp;follow_through=raised_again"
    assert listing in html
    rows = client.get(listing.replace("&amp;", "&")).content.decode()
    assert links.recommendation_2010.get_absolute_url() in rows
    assert links.oversight_2013.get_absolute_url() not in rows
    assert 'rel="canonical" href="http://testserver/follow-through/"' in html


@pytest.mark.parametrize(
    "query",
    [
        "year=20x3",
        "year=1",
        "framework=bogus",
        "follow_through=maybe",
        "authority=%27%20OR%201%3D1",
        "year=2013&format=csv&follow_through=nope",
    ],
)
def test_bad_parameters_answer_400(client, seeds, query):
    assert client.get(f"/follow-through/?{query}").status_code == 400


def test_an_empty_choice_from_the_form_means_any(client, seeds):
    response = client.get("/follow-through/?follow_through=raised_again&year=&framework=")
    assert response.status_code == 302
    assert response["Location"] == "/follow-through/?follow_through=raised_again"


def test_the_listing_filters_by_what_happened_next(client, links):
    html = client.get("/recommendations/?follow_through=not_improved").content.decode()
    assert links.oversight_2013.get_absolute_url() in html
    assert links.recommendation_2010.get_absolute_url() not in html
    assert "What happened next: <a" in html
    assert client.get("/recommendations/?follow_through=bogus").status_code == 400


# --- The download ---


def _csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_the_csv_has_one_row_per_public_link(client, links):
    response = client.get("/follow-through/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    header = body.split("\r\n", 1)[0]
    assert header == ",".join(FOLLOW_THROUGH_EXPORT_FIELDS)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 2
    row = next(r for r in rows if r["later_kind"] == "finding")
    finding = links.confirmed.later_finding
    assert row == row | {
        "recommendation_id": links.oversight_2013.public_id,
        "recommendation_url": f"http://testserver{links.oversight_2013.get_absolute_url()}",
        "authority": "somerset",
        "authority_name": "Somerset",
        "framework": "protection",
        "start_date": "2013-06-24",
        "status": "not_improved",
        "later_id": finding.public_id,
        "later_url": f"http://testserver{finding.get_absolute_url()}",
        "later_framework": "monitoring_visit",
        "later_start_date": "2017-05-02",
        "later_published_date": "2017-06-13",
        "later_text": finding.text,
        "score": "0.2000",
        "source": "confirmed",
        "stance": "not_improved",
    }


def test_the_json_has_the_same_keys(client, links):
    response = client.get("/follow-through/?format=json&authority=somerset")
    assert response["Content-Type"] == "application/json"
    rows = json.loads(b"".join(response.streaming_content))
    assert len(rows) == 2
    assert all(list(row) == list(FOLLOW_THROUGH_EXPORT_FIELDS) for row in rows)
    raised = next(r for r in rows if r["later_kind"] == "recommendation")
    assert raised["source"] == "suggested"
    assert raised["status"] == "raised_again"
    assert raised["published_date"] == "2010-08-25"


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("authority=devon", 0),
        ("follow_through=not_improved", 1),
        ("follow_through=raised_again&follow_through=not_improved", 2),
        ("year=2010", 1),
        ("framework=protection", 1),
    ],
)
def test_the_download_takes_the_filters(client, links, query, count):
    assert len(_csv(client.get(f"/follow-through/?format=csv&{query}"))) == count


def test_the_download_reads_one_query_whatever_the_links(links, django_assert_num_queries):
    def read() -> int:
        download = link_download(filters=QueryDict(), origin="https://example.org")
        return sum(len(chunk) for chunk in download.chunks)

    with django_assert_num_queries(1):
        few = read()
    _more_links(links)
    with django_assert_num_queries(1):
        many = read()
    assert many > few


# --- Query counts: pinned, and the same with few links as with many ---

PAGE_QUERIES = {
    "permalink": 6 + FRESHNESS,  # recommendation, its themes, previous, next, evidence, links
    "council": 9 + FRESHNESS,  # as before, and the links of its recommendations
    "national": 3 + FRESHNESS,  # themes counted, statuses counted, councils counted
    "national filtered": 3 + FRESHNESS,
    "listing by status": 5 + FRESHNESS,  # as /recommendations/: its cells answer the status
}


def _page_urls(links: FollowThroughLinks) -> dict[str, str]:
    return {
        "permalink": links.recommendation_2010.get_absolute_url(),
        "council": "/authorities/somerset/",
        "national": "/follow-through/",
        "national filtered": "/follow-through/?year=2010&framework=cra_unannounced",
        "listing by status": "/recommendations/?follow_through=raised_again",
    }


def test_query_counts_do_not_grow_with_the_links(client, links, django_assert_num_queries):
    for grown in (False, True):
        if grown:
            _more_links(links)
            cache.clear()  # in a test's transaction the data version stays as it was
        for page, url in _page_urls(links).items():
            with django_assert_num_queries(PAGE_QUERIES[page], info=f"{page} {grown=}"):
                response = client.get(url)
            assert response.status_code == 200, page


@pytest.mark.parametrize(
    "query", ["", "year=2010", "follow_through=not_improved", "theme=management-oversight"]
)
def test_every_national_count_is_the_count_of_the_listing_it_links_to(client, links, query):
    response = client.get(f"/follow-through/?{query}")
    assert response.status_code == 200
    # Each count links to its listing: the subjects' table and the statuses' list.
    counted = re.findall(
        r'<a class="govuk-link" href="([^"]+)">(\d+)(?:<span class="govuk-visually-hidden">)? '
        r"recommendations?\b",
        response.content.decode(),
    )
    assert counted
    for url, count in counted:
        listing = client.get(unescape(url))
        assert listing.status_code == 200, url
        assert result_count(listing.content.decode()) == int(count), url
