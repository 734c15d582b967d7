"""The public pages: URLs as contracts, status codes, bad input, and query counts."""

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from inspections.models import Finding, Recommendation

from .seeds import ALL, DEVON_2013, NORTH_SOMERSET_2017, SOMERSET_2013, import_seeds

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeds():
    return import_seeds(*ALL)


@pytest.fixture
def north_somerset():
    (inspection,) = import_seeds(NORTH_SOMERSET_2017)
    return inspection


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


def test_a_hidden_permalink_is_not_found(client, north_somerset):
    finding = north_somerset.findings.first()
    Finding.objects.filter(pk=finding.pk).update(is_hidden=True)
    assert client.get(finding.get_absolute_url()).status_code == 404
    assert finding.public_id.encode() not in client.get(north_somerset.get_absolute_url()).content


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
    response = client.get("/findings/?theme=management-oversight&page=1")
    facets = {facet.name: facet for facet in response.context["facets"]}
    chosen = next(o for o in facets["theme"].options if o.value == "management-oversight")
    assert chosen.selected and chosen.toggle_url == "/findings/"
    devon = next(o for o in facets["authority"].options if o.value == "devon")
    assert not devon.selected
    assert devon.toggle_url == "/findings/?theme=management-oversight&authority=devon"
    assert (
        devon.count
        == Finding.objects.filter(
            themes__slug="management-oversight", inspection__authority__slug="devon"
        ).count()
    )


def test_a_region_chosen_by_code_shows_as_selected_and_can_be_removed(client, seeds):
    response = client.get("/findings/?region=E12000009")
    (region,) = [f for f in response.context["facets"] if f.name == "region"]
    (south_west,) = region.options
    assert south_west.selected and south_west.toggle_url == "/findings/"


def test_a_selected_choice_with_no_rows_can_still_be_removed(client, seeds):
    response = client.get("/findings/?theme=neglect&authority=atlantis")
    assert response.status_code == 200
    (authority,) = [f for f in response.context["facets"] if f.name == "authority"]
    atlantis = next(o for o in authority.options if o.value == "atlantis")
    assert atlantis.selected and atlantis.count == 0
    assert atlantis.toggle_url == "/findings/?theme=neglect"


def test_pages_of_results(client, seeds):
    total = Finding.objects.count()
    first = client.get("/findings/")
    assert first.context["page"].paginator.count == total
    assert len(first.context["page"].object_list) == 50
    assert first.context["next_url"] == "/findings/?page=2"
    last_number = first.context["page"].paginator.num_pages
    last = client.get(f"/findings/?page={last_number}")
    assert len(last.context["page"].object_list) == total - 50 * (last_number - 1)
    assert last.context["next_url"] is None


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
    citation = response.context["citation"]
    assert f"paragraph {finding.paragraph}" in citation["text"]
    assert citation["url"] == f"http://testserver/findings/{finding.public_id}/"
    assert citation["bibtex"].startswith(f"@misc{{ofsted-{finding.public_id},")


def test_the_source_document_is_served_as_imported(client, north_somerset):
    response = client.get(f"/inspections/{north_somerset.slug}/source/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)
    response.close()
    with north_somerset.source_document.file.open("rb") as stored:
        assert body == stored.read()


# --- Query counts: pinned, and the same with one report as with three. ---

PAGE_QUERIES = {
    "home": 2,  # latest inspections, themes
    "findings": 11,  # count, page, themes of the page, 8 facets
    "filtered findings": 11,
    "recommendations": 11,  # count, page, themes of the page, 8 facets
    "authorities": 2,  # every authority with its region and latest grade; the regions
    "authority": 8,  # authority, inspections, judgements, recommendations, their themes,
    # neighbours with grades, predecessors, successors
    "inspection": 7,  # inspection, judgements, recommendations, evidence, themes x2, findings
    "finding": 5,  # finding, its themes, previous, next, recommendations it supports
    "recommendation": 5,  # recommendation, its themes, previous, next, evidence
    "themes": 1,
    "theme": 5,  # theme, counts by year and grade, recommendations count, latest of each
}


def page_urls(inspection):
    finding = inspection.findings.filter(recommendations__isnull=False).first()
    recommendation = inspection.recommendations.first()
    return {
        "home": "/",
        "findings": "/findings/",
        "filtered findings": "/findings/?theme=neglect&theme=missing&q=child&region=E12000009",
        "recommendations": "/recommendations/",
        "authorities": "/authorities/?sort=-grade",
        "authority": "/authorities/north-somerset/",
        "inspection": inspection.get_absolute_url(),
        "finding": finding.get_absolute_url(),
        "recommendation": recommendation.get_absolute_url(),
        "themes": "/themes/",
        "theme": "/themes/neglect/",
    }


@pytest.mark.parametrize(
    "reports", [[NORTH_SOMERSET_2017], [NORTH_SOMERSET_2017, SOMERSET_2013, DEVON_2013]]
)
def test_query_counts_do_not_grow_with_the_data(client, django_assert_num_queries, reports):
    inspection = import_seeds(*reports)[0]
    for page, url in page_urls(inspection).items():
        with django_assert_num_queries(PAGE_QUERIES[page], info=page):
            response = client.get(url)
        assert response.status_code == 200, page
