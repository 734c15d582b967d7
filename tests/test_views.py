"""The public pages: URLs as contracts, status codes, bad input, and query counts."""

import re

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from inspections import freshness
from inspections.models import Authority, Finding, Inspection, Recommendation

from .pages import (
    Checkbox,
    checkboxes,
    citation,
    next_page,
    removal_links,
    result_count,
    result_links,
)
from .seeds import ALL, DEVON_2013, NORTH_SOMERSET_2017, SOMERSET_2013, import_seeds

pytestmark = pytest.mark.django_db


@pytest.fixture
def north_somerset(seeds):
    return seeds[ALL.index(NORTH_SOMERSET_2017)]


def test_urls_are_contracts():
    assert reverse("finding-list") == "/findings/"
    assert reverse("recommendation-list") == "/recommendations/"
    assert reverse("authority-list") == "/authorities/"
    assert reverse("authority-detail", args=["somerset"]) == "/authorities/somerset/"
    assert reverse("theme-list") == "/themes/"
    assert reverse("theme-detail", args=["neglect"]) == "/themes/neglect/"
    assert reverse("finding-detail", args=["abc123"]) == "/findings/abc123/"
    assert resolve("/findings/").url_name == "finding-list"
    assert resolve("/findings/abc123/").url_name == "finding-detail"
    assert resolve("/recommendations/").url_name == "recommendation-list"
    assert resolve("/recommendations/abc123/").url_name == "recommendation-detail"


def test_every_page_type_answers(client, seeds):
    finding = Finding.objects.first()
    recommendation = Recommendation.objects.first()
    for url in [
        "/",
        "/findings/",
        "/recommendations/",
        "/authorities/",
        "/authorities/somerset/",
        "/authorities/north-somerset/",
        f"/inspections/{seeds[1].slug}/",
        finding.get_absolute_url(),
        recommendation.get_absolute_url(),
        "/themes/",
        "/themes/neglect/",
    ]:
        assert client.get(url).status_code == 200, url
        assert client.head(url).status_code == 200, url
        assert client.post(url).status_code == 405, url


@pytest.mark.parametrize(
    "url",
    [
        "/authorities/atlantis/",
        "/inspections/atlantis-2013-01-01-sif/",
        "/inspections/atlantis/source/",
        "/findings/000000000000/",
        "/recommendations/000000000000/",
        "/themes/no-such-theme/",
        "/findings/?page=99",
        "/findings/?page=abc",
        "/findings/?page=0",
        "/findings/?page=-1",
    ],
)
def test_unknown_addresses_and_pages_are_friendly_404s(client, seeds, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"Page not found" in response.content


# NUL cannot be sent to PostgreSQL in a query (psycopg refuses it: a 500 if it got that far).
NUL_ADDRESSES = [
    "/findings/%00/",
    "/recommendations/a%00b/",
    "/inspections/%00/",
    "/inspections/a%00b/source/",
    "/authorities/%00/",
    "/authorities/a%00b/feed/",
    "/themes/%00/",
    "/themes/a%00b/feed/",
]


@pytest.mark.parametrize("url", NUL_ADDRESSES)
def test_a_nul_in_an_address_is_not_found(client, north_somerset, url):
    # Every key in a public path is a <slug:>: the resolver refuses NUL before any query.
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/findings/?authority=%00",
        "/findings/?theme=a%00b",
        "/findings/?region=a%00b",
        "/findings/?q=a%00b",
        "/recommendations/?authority=a%00b&format=csv",
        "/recommendations/?theme=%00&format=json",
        "/authorities/?region=%00",
        "/authorities/?name=a%00b",
    ],
)
def test_a_nul_in_a_filter_is_refused_before_the_database(client, north_somerset, url):
    # Names of records are checked by shape, free text for NUL: 400, with no query sent.
    response = client.get(url)
    assert response.status_code == 400


def test_a_withdrawn_permalink_answers_410_with_its_inspection(client, north_somerset):
    finding = north_somerset.findings.first()
    recommendation = north_somerset.recommendations.first()
    Finding.objects.filter(pk=finding.pk).update(withdrawn_at=timezone.now())
    Recommendation.objects.filter(pk=recommendation.pk).update(withdrawn_at=timezone.now())
    for record in (finding, recommendation):
        response = client.get(record.get_absolute_url())
        assert response.status_code == 410
        assert north_somerset.get_absolute_url().encode() in response.content
        assert record.text.encode() not in response.content


def test_a_hidden_permalink_answers_410_with_its_inspection(client, north_somerset):
    # A curator's "hidden" takes a record off the public site as a withdrawal does: the
    # permalink says it is gone and where to go, and never shows the hidden text.
    finding = north_somerset.findings.first()
    recommendation = north_somerset.recommendations.first()
    Finding.objects.filter(pk=finding.pk).update(is_hidden=True)
    Recommendation.objects.filter(pk=recommendation.pk).update(is_hidden=True)
    inspection_page = client.get(north_somerset.get_absolute_url()).content
    for record in (finding, recommendation):
        response = client.get(record.get_absolute_url())
        assert response.status_code == 410
        page = response.content.decode()
        assert "taken off the public record" in page
        assert f'href="{north_somerset.get_absolute_url()}"' in page
        assert record.text not in page and 'property="og:' not in page
        assert record.public_id.encode() not in inspection_page


@pytest.mark.parametrize("path", ["/findings/", "/recommendations/", "/authorities/"])
@pytest.mark.parametrize(
    "query",
    [
        "year=abc&page=-1&theme=%00&grade=' OR 1=1",
        "theme=%00",
        "q=%00",
        "q=" + "%25" * 300,
        "region=%00&authority=%FF%FE",
        "area=&area_grade=&year=&theme=",
        "name=%00&sort=';DROP TABLE x",
        "latest_grade=%00",
        "format=csv&grade=nope",
        "format=json&theme=%00",
        "format=xml",
        "page=99999999999999999999999",
        "q=%5Cx00&q=%27&q=%22",
    ],
)
def test_malformed_parameters_never_give_a_500(client, seeds, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code in (200, 400, 404), response.status_code


def test_invalid_filters_are_reported_on_the_page(client, seeds):
    response = client.get("/findings/?grade=awful&theme=neglect")
    assert response.status_code == 400
    assert "“awful” is not one of the codes" in response.content.decode()


def test_search_terms_are_highlighted_and_text_is_escaped(client, north_somerset):
    finding = north_somerset.findings.first()
    Finding.objects.filter(pk=finding.pk).update(text="<script>alert('x')</script> Neglect & drift")
    response = client.get("/findings/?q=neglect+DRIFT")
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<mark>Neglect</mark> &amp; <mark>drift</mark>" in html


def test_facets_arrive_with_toggle_urls(client, seeds):
    html = client.get("/findings/?theme=management-oversight&page=1").content.decode()
    assert checkboxes(html, "theme")["management-oversight"].checked
    # The chosen theme's removal link drops it, and the page number with it.
    assert removal_links(html) == {"Theme: Management oversight and supervision": "/findings/"}
    devon = checkboxes(html, "authority")["devon"]
    assert not devon.checked
    count = Finding.objects.filter(
        themes__slug="management-oversight", inspection__authority__slug="devon"
    ).count()
    assert devon.label == f"Devon ({count})"
    # Choosing Devon too: the form's submission, as its checkboxes are in the theme's order.
    both = client.get("/findings/?theme=management-oversight&authority=devon").content.decode()
    assert removal_links(both) == {
        "Theme: Management oversight and supervision": "/findings/?authority=devon",
        "Authority: Devon": "/findings/?theme=management-oversight",
    }


def test_a_region_chosen_by_code_shows_as_selected_and_can_be_removed(client, seeds):
    html = client.get("/findings/?region=E12000009").content.decode()
    in_region = Finding.objects.filter(inspection__authority__region__slug="south-west")
    assert checkboxes(html, "region") == {
        "south-west": Checkbox(True, f"South West ({in_region.count()})")
    }
    assert removal_links(html) == {"Region: South West": "/findings/"}


def test_a_selected_choice_with_no_rows_can_still_be_removed(client, seeds):
    response = client.get("/findings/?theme=neglect&authority=atlantis")
    assert response.status_code == 200
    html = response.content.decode()
    atlantis = checkboxes(html, "authority")["atlantis"]
    assert atlantis.checked and atlantis.label.endswith(" (0)")
    assert removal_links(html)[f"Authority: {atlantis.label[: -len(' (0)')]}"] == (
        "/findings/?theme=neglect"
    )


def test_pages_of_results(client, seeds):
    total = Finding.objects.count()
    first = client.get("/findings/").content.decode()
    assert result_count(first) == total
    assert len(result_links(first)) == 50
    assert next_page(first) == "/findings/?page=2"
    last_number = -(-total // 50)
    last = client.get(f"/findings/?page={last_number}").content.decode()
    assert len(result_links(last)) == total - 50 * (last_number - 1)
    assert next_page(last) is None
    assert client.get(f"/findings/?page={last_number + 1}").status_code == 404


def test_north_somerset_told_to_fix_in_2017(client, north_somerset):
    response = client.get("/authorities/north-somerset/")
    html = response.content.decode()
    assert html.count("(to the Local Safeguarding Children Board)") == 6
    inspection_page = client.get(north_somerset.get_absolute_url()).content.decode()
    assert "To the local authority" in inspection_page
    assert "To the Local Safeguarding Children Board" in inspection_page
    assert "Open Government Licence" in inspection_page


def test_grades_are_shown_in_words(client, seeds):
    html = client.get("/authorities/somerset/").content.decode()
    assert "Inadequate" in html
    html = client.get("/authorities/?latest_grade=requires_improvement").content.decode()
    assert "Requires improvement" in html and "North Somerset" in html


def test_a_permalink_page_offers_a_citation(client, north_somerset):
    finding = north_somerset.findings.exclude(paragraph="").first()
    response = client.get(finding.get_absolute_url())
    cited = citation(response.content.decode())
    assert f"paragraph {finding.paragraph}" in cited["text"]
    assert cited["url"] == f"http://testserver/findings/{finding.public_id}/"
    assert cited["bibtex"].startswith(f"@misc{{ofsted-{finding.public_id},")


def test_the_source_document_is_served_as_imported(client, north_somerset):
    response = client.get(f"/inspections/{north_somerset.slug}/source/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)  # the test client closes it at the end
    with north_somerset.source_document.file.open("rb") as stored:
        assert body == stored.read()


# --- Query counts: pinned, and the same with one report as with three. ---

# Every HTML page also reads the data version once (the footer's "Data last updated").
FRESHNESS = 1
PAGE_QUERIES = {
    "home": 3 + FRESHNESS,  # national picture (every current authority with its latest
    # grade, one query), latest inspections, themes
    "findings": 6 + FRESHNESS,  # the listing cells (or the rows counted per cell: the
    # count, page index and facets but the theme), the inspections in order, their
    # judgements, the theme facet, the page's rows, their themes
    "filtered findings": 9 + FRESHNESS,  # a search: counted from its rows, so the theme
    # cells and the themes' names too; the chosen themes' ids; the best matches' ids
    "recommendations": 5 + FRESHNESS,  # as findings, without judgements (a 9th facet, what
    # happened next, is counted from the same cells)
    "inspections": 10 + FRESHNESS,  # inspections in order (the count and page index), the
    # page's inspections, their judgements, 7 facets
    "filtered inspections": 10 + FRESHNESS,  # the same, whatever the filters
    "authorities": 2 + FRESHNESS,  # every authority with its region and latest grade; regions
    "authority": 9 + FRESHNESS,  # authority, inspections, judgements, recommendations, their
    # themes as values (for "raised again"), their follow-through links with the later
    # records and inspections, neighbours with grades, predecessors, successors
    "inspection": 5 + FRESHNESS,  # inspection, judgements, recommendations, evidence
    # x2, findings
    "finding": 5 + FRESHNESS,  # finding, its themes, previous, next, recommendations it supports
    "recommendation": 6 + FRESHNESS,  # recommendation, its themes, previous, next, evidence,
    # its follow-through links with the later records and their inspections
    "themes": 3 + FRESHNESS,  # themes; findings and recommendations per theme
    "theme": 5 + FRESHNESS,  # theme, counts by year and grade, recommendations count, latest
}


# Until a change's listing cells are counted, a listing counts its rows into cells, the
# theme cells in the same statement, and then reads the themes' names (rather than the
# stored theme cells' sums): as many queries either way.


def page_urls(inspection):
    finding = inspection.findings.filter(recommendations__isnull=False).first()
    recommendation = inspection.recommendations.first()
    return {
        "home": "/",
        "findings": "/findings/",
        "filtered findings": "/findings/?theme=neglect&theme=missing&q=child&region=E12000009",
        "recommendations": "/recommendations/",
        "inspections": "/inspections/",
        "filtered inspections": "/inspections/?area=in_care&area_grade=requires_improvement"
        "&region=E12000009&year=2017&grade=requires_improvement",
        "authorities": "/authorities/?sort=-grade",
        "authority": "/authorities/north-somerset/",
        "inspection": inspection.get_absolute_url(),
        "finding": finding.get_absolute_url(),
        "recommendation": recommendation.get_absolute_url(),
        "themes": "/themes/",
        "theme": "/themes/neglect/",
    }


@pytest.mark.parametrize("cells_current", [True, False], ids=["cells counted", "rows counted"])
@pytest.mark.parametrize(
    "reports", [[NORTH_SOMERSET_2017], [NORTH_SOMERSET_2017, SOMERSET_2013, DEVON_2013]]
)
def test_query_counts_do_not_grow_with_the_data(
    client, django_assert_num_queries, reports, cells_current
):
    inspection = import_seeds(*reports)[0]
    if cells_current:  # as the import's commit would have
        freshness.record_change_now(imported=True)
    for page, url in page_urls(inspection).items():
        expected = PAGE_QUERIES[page]
        if page == "filtered findings" and connection.vendor == "postgresql":
            expected += 1  # its planner is asked how broad the search is (EXPLAIN)
        cache.clear()  # each page built with nothing cached, as a crawler's first visit
        with django_assert_num_queries(expected, info=page):
            response = client.get(url)
        assert response.status_code == 200, page


@pytest.mark.parametrize("path", ["/findings/", "/recommendations/"])
def test_a_listing_reads_the_inspections_facts_once_per_data_version(client, path):
    import_seeds(NORTH_SOMERSET_2017, SOMERSET_2013)
    freshness.record_change_now(imported=True)
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        assert client.get(f"{path}?year=2017").status_code == 200
    # Another filter a crawler follows: its counts are new, the inspections' facts are not.
    with CaptureQueriesContext(connection) as second:
        assert client.get(f"{path}?year=2013").status_code == 200
    # The inspections in order, and for findings (whose area grade is a judgement) their
    # judgements.
    facts = 2 if path == "/findings/" else 1
    assert len(second.captured_queries) == len(first.captured_queries) - facts
    assert not any(q["sql"].startswith('SELECT "inspections_judgement"') for q in second)
    # Once the data changes, they are read again.
    freshness.record_change_now()
    with CaptureQueriesContext(connection) as third:
        assert client.get(f"{path}?year=2017").status_code == 200
    assert len(third.captured_queries) == len(first.captured_queries)


def test_the_inspection_facts_a_process_holds_go_with_the_shared_cache(client):
    # Kept in the process under the data's identity, they are read anew once the shared
    # cache is emptied, even where the identity is the same (as between tests).
    inspection = import_seeds(NORTH_SOMERSET_2017)[0]
    freshness.record_change_now(imported=True)
    assert "data-result-count" in client.get("/findings/?year=2017").content.decode()
    Inspection.objects.filter(pk=inspection.pk).update(
        start_date=inspection.start_date.replace(year=2016)
    )
    cache.clear()
    html = client.get("/findings/?year=2016").content.decode()
    assert "Nothing matches these filters" not in html
    assert re.search(r"<strong>[1-9]\d*</strong> findings match", html)


def test_every_themes_listing_sums_the_theme_facet_once(client):
    import_seeds(NORTH_SOMERSET_2017, SOMERSET_2013)
    freshness.record_change_now(imported=True)
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        neglect = client.get("/findings/?theme=neglect")
    with CaptureQueriesContext(connection) as second:
        missing = client.get("/findings/?theme=missing")
    # The facet leaves out its own filter, so it is the same for both: the second page
    # reads neither it nor the inspections' facts (2 queries) again.
    assert len(second.captured_queries) == len(first.captured_queries) - 3
    assert not any("SUM(" in q["sql"] for q in second)

    def theme_facet(response) -> list[str]:
        html = response.content.decode()
        start = html.index('id="filter-theme"')
        facet = html[start : html.index("</details>", start)]
        # Each theme's label and count; the chosen theme is listed first, so sorted.
        return sorted(re.findall(r'checkboxes__label"[^>]*>([^<]*)<', facet))

    assert theme_facet(neglect) == theme_facet(missing)
    assert len(theme_facet(neglect)) > 5
    # Another area's findings are another facet.
    with CaptureQueriesContext(connection) as third:
        client.get("/findings/?theme=missing&area=in_care")
    assert any("SUM(" in q["sql"] for q in third)


# --- What the pages show ---


def breadcrumbs(html: str) -> list[tuple[str, str]]:
    trail = re.search(r'<nav class="govuk-breadcrumbs".*?</nav>', html, re.S)
    assert trail, "the page has breadcrumbs"
    return re.findall(r'href="([^"]*)">([^<]*)</a>', trail.group(0))


def test_a_records_breadcrumbs_go_through_its_council_and_inspection(client, seeds):
    inspection = seeds[ALL.index(NORTH_SOMERSET_2017)]
    council = [
        ("/", "Home"),
        ("/authorities/", "Authorities"),
        (inspection.authority.get_absolute_url(), "North Somerset"),
    ]
    for record in (inspection.findings.first(), inspection.recommendations.first()):
        trail = breadcrumbs(client.get(record.get_absolute_url()).content.decode())
        assert trail[:3] == council
        assert trail[3][0] == inspection.get_absolute_url() and "2017" in trail[3][1]
        assert len(trail) == 4
    assert breadcrumbs(client.get(inspection.get_absolute_url()).content.decode()) == council


def svg_of(html: str) -> str:
    start = html.index('<svg class="app-chart"')
    return html[start : html.index("</svg>", start)]


def test_the_authority_page_charts_its_grades_accessibly(client, seeds):
    html = client.get("/authorities/somerset/").content.decode()
    svg = svg_of(html)
    assert 'role="img"' in svg
    assert 'aria-labelledby="grade-chart-title"' in svg
    assert '<title id="grade-chart-title">Chart of Somerset\'s grades over time' in svg
    assert 'aria-describedby="grade-chart-desc"' in svg and '<desc id="grade-chart-desc">' in svg
    # The y-scale in words, both eras' scales labelled: adequate is not requires improvement.
    for words in ["Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate"]:
        assert f">{words}</text>" in svg, words
    assert "Scale before 2013" in svg and "Scale from 2013" in svg
    # The description says what the chart shows, and the table stays as its text version.
    assert "Overall effectiveness: inadequate in June 2013." in svg
    assert svg.count('data-grade="inadequate"') == 4  # four areas judged inadequate
    assert "Judgements at each graded inspection" in html


def test_the_authority_page_shows_what_was_raised_again(client, seeds):
    html = client.get("/authorities/somerset/").content.decode()
    section = html[html.index('id="raised-again"') : html.index("Inspections and visits")]
    assert "Management oversight and supervision</a>: raised at 2 inspections" in section
    assert "Quality and timeliness of assessments</a>" not in section  # raised once
    for recommendation in Recommendation.objects.filter(
        inspection__authority__slug="somerset", themes__slug="management-oversight"
    ):
        assert recommendation.get_absolute_url() in section
    html = client.get("/authorities/north-somerset/").content.decode()
    assert "No theme was raised in recommendations at more than one" in html


def test_the_authority_page_links_to_what_it_does_not_show(client, seeds, monkeypatch):
    from inspections.selectors.authorities import RaisedAt

    # Real reports never exceed the limits, so lower one: each occasion shows one.
    monkeypatch.setattr(RaisedAt, "SHOWN", 1)
    html = client.get("/authorities/somerset/").content.decode()
    section = html[html.index('id="raised-again"') : html.index("Inspections and visits")]
    oversight_2013 = Recommendation.objects.filter(
        inspection__authority__slug="somerset",
        inspection__start_date__year=2013,
        themes__slug="management-oversight",
        addressee="authority",
    ).count()
    assert oversight_2013 > 1
    link = (
        "/recommendations/?authority=somerset&amp;theme=management-oversight&amp;year=2013"
        f'">{oversight_2013 - 1} more on management oversight and supervision at this'
    )
    assert link in section.replace("Management", "management")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_record_pages_come_from_the_cache_until_the_data_changes(client):
    (inspection,) = import_seeds(SOMERSET_2013)
    for url in ("/authorities/somerset/", inspection.get_absolute_url()):
        first = client.get(url)
        with CaptureQueriesContext(connection) as repeat:
            again = client.get(url)
        assert again.content == first.content
        assert len(repeat) == FRESHNESS  # only the data version is read
    # A curator corrects a recommendation: both pages show it at once.
    recommendation = inspection.recommendations.first()
    recommendation.text = "Corrected by a curator."
    recommendation.save()
    for url in ("/authorities/somerset/", inspection.get_absolute_url()):
        assert "Corrected by a curator." in client.get(url).content.decode()
    # The query string is not part of the key: made-up parameters reuse the page.
    with CaptureQueriesContext(connection) as made_up:
        client.get("/authorities/somerset/?utm_source=x")
    assert len(made_up) == FRESHNESS


def test_the_home_page_gives_the_national_picture(client, seeds):
    html = client.get("/").content.decode()
    current = Authority.objects.filter(abolished_on__isnull=True)
    table = html[html.index("<caption") : html.index("</table>")]
    assert "Current authorities by region and latest overall grade" in table
    south_west = table[table.index(">South West</a>") :]
    south_west = south_west[: south_west.index("</tr>")]
    # Requires improvement (North Somerset), inadequate (Somerset, Devon), not graded, all.
    counts = re.findall(r'govuk-table__cell--numeric"[^>]*>([^<]*)', south_west)
    in_region = current.filter(region__slug="south-west").count()
    assert counts == ["1", "2", str(in_region - 3), str(in_region)]
    assert f'data-label="All"><strong>{current.count()}</strong>' in table
    assert 'action="/findings/"' in html and 'name="q"' in html
    assert "/themes/neglect/" in html


def test_the_home_authority_and_theme_pages_offer_atom_feeds(
    client, seeds, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        freshness.mark_changed(imported=True)  # as the import did (the seeds' marks never run)
    for url, feed in [
        ("/", "/feeds/inspections/"),
        ("/authorities/somerset/", "/authorities/somerset/feed/"),
        ("/themes/neglect/", "/themes/neglect/feed/"),
    ]:
        html = client.get(url).content.decode()
        head = html[: html.index("</head>")]
        assert 'type="application/atom+xml" title="' in head, url
        assert f'href="{feed}"' in head, url
        assert f'<a class="govuk-link" href="{feed}">Subscribe (Atom feed)</a>' in html, url
    footer = html[html.index("<footer") :]
    assert 'href="/about/"' in footer and "Data last updated" in footer


def test_a_permalink_page_can_be_shared(client, north_somerset):
    finding = north_somerset.findings.exclude(paragraph="").first()
    Finding.objects.filter(pk=finding.pk).update(text='<b>"Drift"</b> & delay ' + "x" * 300)
    html = client.get(finding.get_absolute_url()).content.decode()
    head = html[: html.index("</head>")]
    url = f"http://testserver/findings/{finding.public_id}/"
    assert '<meta property="og:type" content="article">' in head
    assert f'<meta property="og:url" content="{url}">' in head
    assert '<meta name="twitter:card" content="summary">' in head
    assert (
        f'<meta property="og:title" content="North Somerset, paragraph {finding.paragraph}: '
        'Single inspection framework, June 2017">'
    ) in head
    description = head.split('<meta property="og:description" content="')[1].split('">')[0]
    assert description.startswith("&lt;b&gt;&#34;Drift&#34;&lt;/b&gt; &amp; delay xxx")
    assert description.endswith("…") and len(description) < 260
    recommendation = north_somerset.recommendations.first()
    html = client.get(recommendation.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="North Somerset, recommendation 1:' in html


def test_a_permalink_page_shows_its_neighbours_and_citations_to_copy(client, north_somerset):
    first, second, third = north_somerset.findings.order_by("position")[:3]
    html = client.get(second.get_absolute_url()).content.decode()
    assert "The paragraph before" in html and first.get_absolute_url() in html
    assert "The paragraph after" in html and third.get_absolute_url() in html
    assert (
        '<pre class="app-cite" data-copy-label="Copy the citation as text">Ofsted (2017).' in html
    )
    assert '<pre class="app-cite" data-copy-label="Copy the BibTeX">@misc{ofsted-' in html


def test_listing_filters_are_checkboxes_with_counts_and_removable(client, seeds):
    html = client.get("/findings/?theme=management-oversight&q=children").content.decode()
    # The theme facet leaves out its own filter, so its count is the rows shown.
    oversight = result_count(html)
    assert oversight > 1
    assert 'type="checkbox" id="theme-1" name="theme" value="management-oversight" checked>' in html
    assert f"Management oversight and supervision ({oversight})</label>" in html
    assert '<details class="govuk-details" id="filter-theme" open>' in html
    assert (
        '<a class="app-filter-summary__link" rel="nofollow" href="/findings/?q=children">' in html
    )
    link = '<a class="app-filter-summary__link" rel="nofollow" href="/findings/?theme={}">'
    assert link.format("management-oversight") in html
    assert f"<strong>{oversight}</strong> findings match" in html


def test_listing_pages_use_numbered_pagination(client, seeds):
    last = -(-Finding.objects.count() // 50)
    assert last >= 4
    html = client.get("/findings/?page=3").content.decode()
    nav = html[
        html.index('<nav class="govuk-pagination"') : html.index(
            "</nav>", html.index("govuk-pagination")
        )
    ]
    assert 'href="/findings/?page=2" rel="prev"' in nav
    assert 'href="/findings/?page=4" rel="next"' in nav
    assert 'href="/findings/" aria-label="Page 1"' in nav
    assert 'aria-label="Page 3" aria-current="page"' in nav
    assert f'aria-label="Page {last}"' in nav


def test_grades_are_tags_whose_words_differ(client, seeds):
    Inspection.objects.filter(authority__slug="devon").update(overall_grade="adequate")
    html = client.get("/").content.decode()
    assert 'class="govuk-tag app-grade govuk-tag--purple" data-grade="adequate">Adequate<' in html
    assert (
        'class="govuk-tag app-grade govuk-tag--orange" data-grade="requires_improvement">'
        "Requires improvement<"
    ) in html
    assert 'data-grade="inadequate">Inadequate<' in html


@pytest.mark.parametrize("url", ["/", "/findings/?q=child", "/authorities/somerset/", "/themes/"])
def test_pages_need_no_inline_script_or_style(client, seeds, url):
    html = client.get(url).content.decode()
    assert "<style" not in html and ' style="' not in html
    assert html.count("<script") == html.count('<script type="module" src="/static/')
    assert not re.search(r"\son[a-z]+=", html)


def test_the_filter_form_and_the_chosen_filters_are_cached_per_filters(client, seeds):
    # Keyed by the filters and the data version, not the page: a page that finds them
    # cached shows them as cached, unescaped, without rendering them again.
    url = "/findings/?theme=management-oversight"
    first = client.get(url).content.decode()
    filters = freshness.data_identity(None, url)
    form = make_template_fragment_key("listing-filters", [filters])
    chosen = make_template_fragment_key("listing-chosen-filters", [filters])
    assert cache.get(form) in first and "Search and filter" in cache.get(form)
    assert cache.get(chosen) in first and "Your search and filters" in cache.get(chosen)
    cache.set(form, "<p>The form as cached</p>")
    cache.set(chosen, "<p>The choices as cached</p>")
    html = client.get(f"{url}&page=1").content.decode()
    assert "<p>The form as cached</p>" in html and "<p>The choices as cached</p>" in html
    assert 'name="theme"' not in html
    # Nothing cached (as when the cache is out: explorer.cache answers misses): rendered again.
    cache.clear()
    assert client.get(url).content.decode() == first


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_listing_counts_are_cached_until_the_data_changes(client):
    # Real commits: the data version moves only when a change commits.
    import_seeds(DEVON_2013)
    first = client.get("/findings/?grade=inadequate").content.decode()
    total = result_count(first)
    facet_queries = first.count('<details class="govuk-details" id="filter-')
    with CaptureQueriesContext(connection) as repeat:
        again = client.get("/findings/?grade=inadequate").content.decode()
    assert result_count(again) == total
    # The count and every facet come from the cache: the repeat runs that many fewer queries.
    with CaptureQueriesContext(connection) as fresh:
        cache.clear()
        client.get("/findings/?grade=inadequate")
    # Counted from the listing cells: the inspections, their judgements, the cells, and the
    # theme cells for the theme facet (whatever the number of facets).
    assert facet_queries == 8
    assert len(fresh) - len(repeat) == 4
    # A curator hides a finding: the data version changes, so the count is taken again.
    public_id = result_links(first)[0].split("/")[-2]
    assert Finding.objects.filter(public_id=public_id).update(is_hidden=True) == 1
    freshness.mark_changed()  # update() sends no signal
    assert result_count(client.get("/findings/?grade=inadequate").content.decode()) == total - 1


def test_a_new_release_never_serves_what_an_earlier_one_cached(client, settings):
    from inspections.freshness import release_id

    import_seeds(SOMERSET_2013)
    try:
        settings.RELEASE_ID = "release-one"
        release_id.cache_clear()
        client.get("/authorities/somerset/")
        with CaptureQueriesContext(connection) as same_release:
            client.get("/authorities/somerset/")
        settings.RELEASE_ID = "release-two"
        release_id.cache_clear()
        with CaptureQueriesContext(connection) as next_release:
            client.get("/authorities/somerset/")
    finally:
        release_id.cache_clear()
    assert len(same_release) == FRESHNESS
    assert len(next_release) > FRESHNESS  # built anew


def test_cached_pages_keep_the_address_they_were_asked_at(client, settings, north_somerset):
    settings.ALLOWED_HOSTS = ["testserver", "explorer.example"]
    url = north_somerset.findings.first().get_absolute_url()
    here = client.get(url).content.decode()
    there = client.get(url, HTTP_HOST="explorer.example", secure=True).content.decode()
    assert f"http://testserver{url}" in here
    assert f"https://explorer.example{url}" in there and "testserver" not in there


def test_the_inspection_page_says_where_its_publication_date_came_from(client, seeds):
    by_source = {
        inspection.published_date_source: inspection
        for inspection in Inspection.objects.exclude(published_date=None)
    }
    page = client.get(by_source["report"].get_absolute_url()).content.decode()
    assert "(source: printed in the report)" in page
    undated = Inspection.objects.filter(published_date=None).first()
    Inspection.objects.filter(pk=undated.pk).update(
        published_date="2013-08-16", published_date_source="ofsted_listing"
    )
    page = client.get(undated.get_absolute_url()).content.decode()
    assert (
        '16 August 2013 <span class="govuk-body-s">(source: Ofsted&#39;s list of reports)' in page
    )
