"""Honest coverage: what is loaded is said as such. A council with no report loaded is never
"not graded"; each council page counts its reports loaded and links Ofsted's page for it;
/about/ names the councils with none; "data last updated" and the feeds and citations date
reports by publication, never by when we imported them."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest

from inspections import freshness
from inspections.models import Authority, Inspection

from .pages import citation
from .seeds import ALL, NORTH_SOMERSET_2017, SOMERSET_2017_VISIT

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
# Devon's statistical neighbours include councils with no seed report.
PAGES = ["/", "/authorities/", "/authorities/devon/", "/authorities/somerset/", "/about/"]


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


@pytest.mark.parametrize("url", PAGES)
def test_no_page_says_not_graded_of_a_council_with_no_report_loaded(client, seeds, url):
    text = visible_text(client.get(url).content.decode())
    assert "not graded yet" not in text.lower(), url


def test_the_listing_says_which_councils_have_no_report_loaded(client, seeds):
    html = client.get("/authorities/").content.decode()
    row = re.search(r'href="/authorities/cornwall/".*?</tr>', html, re.S).group()
    assert "No report loaded yet" in row
    row = re.search(r'href="/authorities/devon/".*?</tr>', html, re.S).group()
    assert "No report loaded yet" not in row


def test_a_council_with_only_ungraded_visits_loaded_says_no_graded_report(client, seeds):
    Inspection.objects.exclude(pk=seeds[ALL.index(SOMERSET_2017_VISIT)].pk).filter(
        authority__slug="somerset"
    ).delete()
    html = client.get("/authorities/").content.decode()
    row = re.search(r'href="/authorities/somerset/".*?</tr>', html, re.S).group()
    assert "No graded report loaded" in row
    assert "No graded report loaded yet" in client.get("/authorities/somerset/").content.decode()


def test_the_home_page_counts_councils_with_no_report_apart(client, seeds):
    html = client.get("/").content.decode()
    assert (
        '<th scope="col" class="govuk-table__header govuk-table__header--numeric" '
        'role="columnheader">No report loaded yet</th>' in html
    )
    loaded = set(Inspection.objects.values_list("authority__slug", flat=True))
    current = Authority.objects.filter(abolished_on__isnull=True)
    # England's row: its total in that column.
    england = html[html.index('role="rowheader">England</th>') :]
    (total,) = re.findall(r'data-label="No report loaded yet"><strong>(\d+)</strong>', england)
    assert int(total) == current.exclude(slug__in=loaded).count()


def test_a_council_page_counts_its_reports_and_links_its_ofsted_page(client, seeds, settings):
    somerset = Authority.objects.get(slug="somerset")
    html = client.get("/authorities/somerset/").content.decode()
    coverage = re.search(r"<p[^>]*data-coverage>(.*?)</p>", html, re.S).group(1)
    loaded = somerset.inspections.count()
    assert loaded == 3
    assert "3 of its reports are loaded here." in coverage
    assert f'href="https://reports.ofsted.gov.uk/provider/44/{somerset.urn}"' in coverage


def test_a_council_page_with_no_report_says_so(client, seeds):
    html = client.get("/authorities/cornwall/").content.decode()
    coverage = re.search(r"<p[^>]*data-coverage>(.*?)</p>", html, re.S).group(1)
    assert "No report loaded yet." in coverage
    assert "Not graded" not in html


def test_the_ofsted_link_and_the_harvester_follow_one_setting(client, seeds, settings):
    settings.OFSTED_PROVIDER_URL = "https://example.org/p/{urn}/"
    devon = Authority.objects.get(slug="devon")
    assert devon.ofsted_url == f"https://example.org/p/{devon.urn}/"
    assert f'href="{devon.ofsted_url}"' in client.get("/authorities/devon/").content.decode()


def test_about_lists_the_current_councils_with_no_report_loaded(client, seeds):
    html = client.get("/about/").content.decode()
    listed = re.search(r"<ul[^>]*data-authorities-without-reports>(.*?)</ul>", html, re.S)
    slugs = re.findall(r'href="/authorities/([^/]+)/"', listed.group(1))
    loaded = set(Inspection.objects.values_list("authority__slug", flat=True))
    expected = (
        Authority.objects.filter(abolished_on__isnull=True)
        .exclude(slug__in=loaded)
        .order_by("name")
        .values_list("slug", flat=True)
    )
    assert slugs == list(expected)
    assert "cornwall" in slugs and "somerset" not in slugs and "devon" not in slugs


def test_data_last_updated_is_the_newest_publication_date(
    client, seeds, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        freshness.mark_changed(imported=True)
    newest = max(i.published_date for i in seeds if i.published_date)
    assert newest == datetime.date(2017, 8, 25)  # North Somerset's report; imported today
    html = client.get("/").content.decode()
    footer = visible_text(html[html.index("<footer") :])
    assert "Data last updated 25 August 2017, the newest report's publication date." in footer
    assert '<time datetime="2017-08-25">' in html


def test_a_corrected_publication_date_moves_data_last_updated(
    client, seeds, django_capture_on_commit_callbacks
):
    north_somerset = seeds[ALL.index(NORTH_SOMERSET_2017)]
    with django_capture_on_commit_callbacks(execute=True):
        north_somerset.published_date = datetime.date(2018, 1, 2)
        north_somerset.save()
    assert freshness.current().newest_published_date == datetime.date(2018, 1, 2)
    assert "Data last updated 2 January 2018" in visible_text(client.get("/").content.decode())


@pytest.mark.parametrize("url", ["/feeds/inspections/", "/authorities/somerset/feed/"])
def test_feeds_date_entries_and_themselves_by_publication_never_import(client, seeds, url):
    Inspection.objects.update(imported_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    feed = ET.fromstring(client.get(url).content)
    by_url = {f"http://testserver{i.get_absolute_url()}": i for i in seeds}
    dates = []
    for entry in feed.findall(f"{ATOM}entry"):
        inspection = by_url[entry.find(f"{ATOM}id").text]
        expected = inspection.published_date or inspection.end_date
        updated = datetime.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
        assert updated.date() == expected and updated.year != 2030
        published = entry.find(f"{ATOM}published")
        if inspection.published_date:
            assert published.text.startswith(inspection.published_date.isoformat())
        else:
            assert published is None
        dates.append(updated)
    assert dates
    feed_updated = datetime.datetime.fromisoformat(feed.find(f"{ATOM}updated").text)
    assert feed_updated == max(dates)


def test_a_citation_gives_the_year_of_publication(client, seeds):
    visit = seeds[ALL.index(SOMERSET_2017_VISIT)]
    finding = visit.findings.first()
    # Dates chosen so that visit and publication years differ.
    Inspection.objects.filter(pk=visit.pk).update(
        start_date=datetime.date(2016, 12, 20),
        end_date=datetime.date(2016, 12, 21),
        published_date=datetime.date(2017, 1, 30),
    )
    cited = citation(client.get(finding.get_absolute_url()).content.decode())
    assert cited["text"].startswith("Ofsted (2017). ")
    assert "  year = {2017}," in cited["bibtex"]


def test_a_citation_without_a_publication_date_says_no_date(client, seeds):
    visit = seeds[ALL.index(SOMERSET_2017_VISIT)]
    Inspection.objects.filter(pk=visit.pk).update(published_date=None)
    cited = citation(client.get(visit.findings.first().get_absolute_url()).content.decode())
    assert cited["text"].startswith("Ofsted (n.d.). ")
    assert "year =" not in cited["bibtex"]
