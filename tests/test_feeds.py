"""Atom feeds of inspections: valid XML, the right entries in order, stable ids, absolute
links, escaping, unknown slugs, methods, and a query count that does not grow."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from inspections import freshness
from inspections.feeds import InspectionFeed, inspection_summary
from inspections.importer.service import import_source
from inspections.models import (
    Authority,
    Finding,
    FindingTheme,
    Inspection,
    Judgement,
    Recommendation,
    RecommendationTheme,
    SourceDocument,
    Theme,
)
from inspections.selectors.feeds import feed_inspections

from .seeds import ALL, DEVON_2013, NORTH_SOMERSET_2017, SOMERSET_2017_VISIT, import_seeds

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = [
    "/feeds/inspections/",
    "/authorities/somerset/feed/",
    "/themes/management-oversight/feed/",
]


def get_feed(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{ATOM}entry")


def text(element: ET.Element, tag: str) -> str:
    return element.find(f"{ATOM}{tag}").text


def entry_ids(feed: ET.Element) -> list[str]:
    return [text(entry, "id") for entry in entries(feed)]


def test_feed_urls_are_contracts():
    assert reverse("feed-inspections") == "/feeds/inspections/"
    assert reverse("feed-authority-inspections", args=["somerset"]) == "/authorities/somerset/feed/"
    assert reverse("feed-theme-inspections", args=["neglect"]) == "/themes/neglect/feed/"
    assert resolve("/authorities/somerset/feed/").url_name == "feed-authority-inspections"
    # The authority's own page is still the authority's page.
    assert resolve("/authorities/feed/").url_name == "authority-detail"


def test_the_feed_of_all_inspections_has_each_one_newest_first(client, seeds):
    feed = get_feed(client, "/feeds/inspections/")
    assert feed.tag == f"{ATOM}feed"
    expected = sorted(seeds, key=lambda i: i.published_date or i.end_date, reverse=True)
    assert entry_ids(feed) == [f"http://testserver{i.get_absolute_url()}" for i in expected]
    assert text(feed, "title") == "Ofsted inspections of children's services"
    assert text(feed, "id") == "http://testserver/feeds/inspections/"
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "http://testserver/feeds/inspections/"
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == "http://testserver/"


def test_an_entry_names_the_authority_kind_and_date_and_summarises_the_grade(client):
    (inspection,) = import_seeds(NORTH_SOMERSET_2017)
    (entry,) = entries(get_feed(client, "/feeds/inspections/"))
    date = inspection.published_date or inspection.end_date
    assert text(entry, "title") == (
        f"North Somerset: Single inspection framework, {date.day} {date:%B %Y}"
    )
    link = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert link == f"http://testserver/inspections/{inspection.slug}/"
    assert text(entry, "id") == link
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Ofsted"
    assert text(entry, "updated").startswith(date.isoformat())
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    overall = Judgement.objects.get(inspection=inspection, area="overall")
    to_authority = Recommendation.objects.filter(inspection=inspection, addressee="authority")
    to_lscb = Recommendation.objects.filter(inspection=inspection, addressee="lscb")
    assert to_authority.count() > 1 and to_lscb.count() > 1
    assert summary.text == (
        f"Overall effectiveness: {overall.words}. {to_authority.count()} recommendations "
        f"to the local authority and {to_lscb.count()} to the LSCB."
    )


def test_an_ungraded_inspection_says_so_and_counts_only_published_recommendations(client):
    (inspection,) = import_seeds(DEVON_2013)
    Inspection.objects.filter(pk=inspection.pk).update(overall_grade="")
    recommendations = Recommendation.objects.filter(inspection=inspection)
    total = recommendations.count()
    assert total > 1
    Recommendation.objects.filter(pk=recommendations.first().pk).update(is_hidden=True)
    (entry,) = entries(get_feed(client, "/feeds/inspections/"))
    assert text(entry, "summary") == f"No overall grade. {total - 1} recommendations."


def test_a_visit_without_recommendations_says_so(client):
    import_seeds(SOMERSET_2017_VISIT)
    (entry,) = entries(get_feed(client, "/feeds/inspections/"))
    assert text(entry, "summary") == "No overall grade. No recommendations."


def test_an_inspection_without_a_publication_date_is_placed_by_its_last_day_on_site(client, seeds):
    newest = max(seeds, key=lambda i: i.published_date or i.end_date)
    oldest = min(seeds, key=lambda i: i.published_date or i.end_date)
    assert newest != oldest
    # Without a publication date, the newest inspection of all falls back to its end date,
    # which is moved to before every other one's date.
    Inspection.objects.filter(pk=newest.pk).update(
        published_date=None,
        start_date=datetime.date(2000, 1, 1),
        end_date=datetime.date(2000, 1, 5),
    )
    ids = entry_ids(get_feed(client, "/feeds/inspections/"))
    assert ids[-1] == f"http://testserver{newest.get_absolute_url()}"
    entry = entries(get_feed(client, "/feeds/inspections/"))[-1]
    newest.refresh_from_db()
    assert text(entry, "title").endswith(", 5 January 2000")
    # With no publication date, "updated" is its last day on site, never the import time.
    updated = datetime.datetime.fromisoformat(text(entry, "updated"))
    assert updated == datetime.datetime(2000, 1, 5, tzinfo=datetime.UTC)


def test_an_authority_feed_has_only_its_inspections(client, seeds):
    somerset = Authority.objects.get(slug="somerset")
    expected = {
        f"http://testserver{i.get_absolute_url()}"
        for i in Inspection.objects.filter(authority=somerset)
    }
    assert len(expected) == 3
    feed = get_feed(client, "/authorities/somerset/feed/")
    assert set(entry_ids(feed)) == expected
    assert text(feed, "title") == "Ofsted inspections of Somerset's children's services"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == (
        "http://testserver/authorities/somerset/feed/"
    )
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == (
        "http://testserver/authorities/somerset/"
    )
    assert entries(get_feed(client, "/authorities/devon/feed/"))
    assert entries(get_feed(client, "/authorities/cornwall/feed/")) == []


def _inspections_on(theme: Theme) -> set[int]:
    findings = FindingTheme.objects.filter(
        theme=theme, finding__is_hidden=False, finding__withdrawn_at__isnull=True
    ).values_list("finding__inspection", flat=True)
    recommendations = RecommendationTheme.objects.filter(
        theme=theme, recommendation__is_hidden=False, recommendation__withdrawn_at__isnull=True
    ).values_list("recommendation__inspection", flat=True)
    return set(findings) | set(recommendations)


def test_a_theme_feed_has_the_inspections_with_published_text_on_that_theme(client, seeds):
    # A theme some seeds have and others lack, so the filter is seen to work.
    theme = next(t for t in Theme.objects.order_by("slug") if 1 < len(_inspections_on(t)) < 5)
    on_theme = _inspections_on(theme)
    url = f"/themes/{theme.slug}/feed/"
    feed = get_feed(client, url)
    assert set(entry_ids(feed)) == {
        f"http://testserver{i.get_absolute_url()}" for i in seeds if i.pk in on_theme
    }
    assert text(feed, "title") == f"Ofsted inspections on {theme.name}"

    # Hiding every tagged finding and withdrawing every tagged recommendation of one of
    # them takes that inspection out of the feed.
    dropped = Inspection.objects.get(pk=min(on_theme))
    Finding.objects.filter(inspection=dropped, themes=theme).update(is_hidden=True)
    Recommendation.objects.filter(inspection=dropped, themes=theme).update(
        withdrawn_at=dropped.imported_at
    )
    freshness.record_change_now()  # update() sends no signal: its commit would mark this
    assert f"http://testserver{dropped.get_absolute_url()}" not in entry_ids(get_feed(client, url))
    assert len(entries(get_feed(client, url))) == len(on_theme) - 1


@pytest.mark.parametrize("url", ["/authorities/atlantis/feed/", "/themes/no-such-theme/feed/"])
def test_an_unknown_slug_is_a_404(client, url):
    import_seeds(NORTH_SOMERSET_2017)
    response = client.get(url)
    assert response.status_code == 404
    assert b"Page not found" in response.content


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_answer_get_and_head_only(client, url):
    import_seeds(NORTH_SOMERSET_2017)
    assert client.get(url).status_code == 200
    assert client.head(url).status_code == 200
    for method in (client.post, client.put, client.patch, client.delete):
        response = method(url)
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"


def test_report_text_in_a_feed_stays_text(client):
    (inspection,) = import_seeds(NORTH_SOMERSET_2017)
    script = "<script>alert('x')</script>"
    Authority.objects.filter(pk=inspection.authority_id).update(name=f"{script} & Co")
    Judgement.objects.filter(inspection=inspection, area="overall").update(words=script)
    response = client.get("/feeds/inspections/")
    assert b"<script>" not in response.content
    feed = ET.fromstring(response.content)
    assert not list(feed.iter("script")), "report text became markup"
    (entry,) = entries(feed)
    # The title is an Atom text construct: readers show it as written.
    assert text(entry, "title").startswith(f"{script} & Co: ")
    # The summary is HTML: the report's words arrive escaped, to be shown, not run.
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text(entry, "summary")
    assert "<script>" not in text(entry, "summary")


def test_entry_ids_are_stable_across_reimports(client):
    (inspection,) = import_seeds(NORTH_SOMERSET_2017)
    before = entry_ids(get_feed(client, "/feeds/inspections/"))
    # Pinned: the id is the inspection's address, derived from the report itself.
    assert before == ["http://testserver/inspections/north-somerset-2017-06-12-sif/"]

    source = inspection.source_document
    assert import_source(source).outcome == "unchanged"
    assert entry_ids(get_feed(client, "/feeds/inspections/")) == before

    # Into an empty database: the same report gives the same id.
    Inspection.objects.all().delete()
    SourceDocument.objects.all().delete()
    import_seeds(NORTH_SOMERSET_2017)
    assert entry_ids(get_feed(client, "/feeds/inspections/")) == before


def test_a_feed_holds_the_latest_fifty(client):
    (inspection,) = import_seeds(DEVON_2013)
    # Older inspections of the same authority, enough to pass the limit.
    for weeks in range(1, 55):
        start = inspection.start_date - datetime.timedelta(weeks=weeks * 20)
        Inspection.objects.create(
            authority=inspection.authority,
            framework=inspection.framework,
            slug=f"devon-extra-{weeks}",
            start_date=start,
            end_date=start,
            published_date=start + datetime.timedelta(days=30),
            source_document=inspection.source_document,
            imported_at=inspection.imported_at,
        )
    for url in ("/feeds/inspections/", "/authorities/devon/feed/"):
        ids = entry_ids(get_feed(client, url))
        assert len(ids) == 50
        assert ids[0] == f"http://testserver{inspection.get_absolute_url()}"
        assert ids[-1] == "http://testserver/inspections/devon-extra-49/"


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", FEEDS)
def test_query_count_does_not_grow_with_the_data(client, url):
    import_seeds(DEVON_2013)
    few = _queries(client, url)
    import_seeds(*[name for name in ALL if name != DEVON_2013])
    assert len(entries(get_feed(client, url))) > 1
    assert _queries(client, url) == few


@pytest.mark.parametrize("which", ["all", "authority", "theme"])
def test_a_feed_reads_its_entries_in_one_query(which, django_assert_num_queries, seeds):
    choice = {
        "all": {},
        "authority": {"authority": Authority.objects.get(slug="somerset")},
        "theme": {"theme": Theme.objects.get(slug="management-oversight")},
    }[which]
    with django_assert_num_queries(1):
        rows = list(feed_inspections(**choice))
        # Everything an entry shows, without another query.
        for row in rows:
            InspectionFeed().item_title(row)
            inspection_summary(row)
    assert len(rows) > 1
