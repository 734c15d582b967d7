"""Two inspections side by side, and an authority beside its statistical neighbours."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import (
    Finding,
    Inspection,
    Judgement,
    Recommendation,
    StatisticalNeighbour,
)

pytestmark = pytest.mark.django_db

SOMERSET_2010 = "somerset-2010-07-27-cra-unannounced"
SOMERSET_2013 = "somerset-2013-06-24-protection"
SOMERSET_2017 = "somerset-2017-05-02-monitoring-visit"
DEVON_2013 = "devon-2013-04-15-protection"
NORTH_SOMERSET_2017 = "north-somerset-2017-06-12-sif"

COMPARE = "/authorities/somerset/compare/{}/{}/"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def section(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


def text(html: str) -> str:
    """The words a reader sees: tags dropped, spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_addresses_are_contracts():
    assert reverse("authority-compare", args=["somerset"]) == "/authorities/somerset/compare/"
    assert (
        reverse("inspection-comparison", args=["somerset", "a-2013", "b-2017"])
        == "/authorities/somerset/compare/a-2013/b-2017/"
    )
    assert reverse("authority-neighbours", args=["somerset"]) == "/authorities/somerset/neighbours/"
    assert (
        reverse("authority-neighbours-theme", args=["somerset", "neglect"])
        == "/authorities/somerset/neighbours/neglect/"
    )


def test_the_seed_slugs_are_those_the_tests_name(seeds):
    assert set(Inspection.objects.values_list("slug", flat=True)) >= {
        SOMERSET_2010,
        SOMERSET_2013,
        SOMERSET_2017,
        DEVON_2013,
        NORTH_SOMERSET_2017,
    }


# --- Two inspections ---


def test_two_inspections_are_compared_area_by_area_older_first(client, seeds):
    html = page(client, COMPARE.format(SOMERSET_2017, SOMERSET_2013))  # newer named first
    grades = text(section(html, 'id="grades"', 'id="in-common"'))
    assert grades.index("June 2013") < grades.index("May 2017")
    # The 2013 protection inspection judged four areas inadequate; the 2017 visit none.
    for area in ["Overall effectiveness", "Children who need help and protection", "Leadership"]:
        assert f"{area} Inadequate Not judged" in grades, area
    assert "scale used before 2013" in grades
    # Both orders are one page: the older-first address is the one to share.
    older_first = COMPARE.format(SOMERSET_2013, SOMERSET_2017)
    assert f'<link rel="canonical" href="http://testserver{older_first}">' in html


def test_a_comparison_across_2013_explains_the_scale_change(client, seeds):
    html = page(client, COMPARE.format(SOMERSET_2013, SOMERSET_2017))
    note = text(section(html, 'id="scale-change"', "</div>"))
    assert "changed its grading scale in November 2013" in note
    assert "Only one of them was graded" in note
    neither = page(client, COMPARE.format(SOMERSET_2010, SOMERSET_2017))
    assert "Neither of them was graded." in text(section(neither, 'id="scale-change"', "</div>"))
    # 2010 and 2013 were both before the change: no note.
    assert 'id="scale-change"' not in page(client, COMPARE.format(SOMERSET_2010, SOMERSET_2013))


def test_adequate_and_requires_improvement_are_not_equated(client, seeds):
    # A fictional SIF re-inspection of Somerset, graded on the scale used since 2013.
    before = Inspection.objects.get(slug=SOMERSET_2013)
    after = Inspection.objects.create(
        authority=before.authority,
        framework="sif",
        slug="somerset-2015-03-02-sif",
        start_date=datetime.date(2015, 3, 2),
        end_date=datetime.date(2015, 3, 26),
        source_document=before.source_document,
        imported_at=timezone.now(),
    )
    Judgement.objects.create(
        inspection=after,
        area="overall",
        grade="requires_improvement",
        words="Requires improvement to be good",
    )
    Judgement.objects.filter(inspection=before, area="overall").update(
        grade="adequate", words="Adequate"
    )
    html = page(client, COMPARE.format(SOMERSET_2013, after.slug))
    note = text(section(html, 'id="scale-change"', "</div>"))
    assert "graded on different scales" in note
    assert "Adequate and requires improvement are different grades on different scales" in note
    grades = text(section(html, 'id="grades"', 'id="in-common"'))
    assert "scale used before 2013" in grades and "scale used since 2013" in grades
    assert (
        "Overall effectiveness Adequate Requires improvement “Requires improvement to be good”"
        in grades
    )
    assert 'data-grade="adequate"' in html and 'data-grade="requires_improvement"' in html


def test_each_inspections_recommendations_are_listed_with_permalinks(client, seeds):
    html = page(client, COMPARE.format(SOMERSET_2013, SOMERSET_2017))
    told = section(html, 'id="recommendations"', 'id="compare-heading"')
    made = Recommendation.objects.published().filter(inspection__slug=SOMERSET_2013)
    assert made.count() > 5
    for recommendation in made:
        assert recommendation.get_absolute_url() in told
    assert "No recommendations recorded." in told  # the 2017 monitoring visit made none


def test_themes_are_counted_per_inspection_and_those_in_common_named(client, seeds):
    html = page(client, COMPARE.format(SOMERSET_2013, SOMERSET_2017))
    themes = text(section(html, 'id="themes"', 'id="recommendations"'))

    def counted(slug: str, theme: str) -> tuple[int, int]:
        findings = Finding.objects.published().filter(inspection__slug=slug, themes__slug=theme)
        recommendations = Recommendation.objects.published().filter(
            inspection__slug=slug, themes__slug=theme
        )
        return findings.count(), recommendations.count()

    oversight = (
        *counted(SOMERSET_2013, "management-oversight"),
        *counted(SOMERSET_2017, "management-oversight"),
    )
    assert oversight[0] and oversight[1] and oversight[2]
    assert "Management oversight and supervision {} {} {} {}".format(*oversight) in themes
    early_help = (*counted(SOMERSET_2013, "early-help"), *counted(SOMERSET_2017, "early-help"))
    assert early_help[2:] == (0, 0)
    assert "Early help {} {} 0 0".format(*early_help[:2]) in themes

    common = text(section(html, 'id="in-common"', 'id="themes"'))
    assert "Management oversight and supervision :" in common
    assert "Early help" not in common  # raised in 2013 only


def test_an_unpublished_finding_is_not_counted(client, seeds):
    finding = Finding.objects.filter(
        inspection__slug=SOMERSET_2017, themes__slug="adoption"
    ).first()
    assert finding is not None
    before = (
        Finding.objects.published()
        .filter(inspection__slug=SOMERSET_2017, themes__slug="adoption")
        .count()
    )
    themes = text(
        section(
            page(client, COMPARE.format(SOMERSET_2013, SOMERSET_2017)),
            'id="themes"',
            'id="recommendations"',
        )
    )
    assert f"Adoption 0 0 {before} 0" in themes
    Finding.objects.filter(pk=finding.pk).update(is_hidden=True)
    from django.core.cache import cache

    cache.clear()
    themes = text(
        section(
            page(client, COMPARE.format(SOMERSET_2013, SOMERSET_2017)),
            'id="themes"',
            'id="recommendations"',
        )
    )
    assert (f"Adoption 0 0 {before - 1} 0" in themes) if before > 1 else ("Adoption" not in themes)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/authorities/atlantis/compare/{a}/{b}/", 404),  # no such authority
        ("/authorities/somerset/compare/{a}/somerset-2030-01-01-sif/", 404),  # no such inspection
        (f"/authorities/somerset/compare/{{a}}/{DEVON_2013}/", 404),  # another authority's
        (f"/authorities/devon/compare/{{a}}/{DEVON_2013}/", 404),  # Somerset's, under Devon
        ("/authorities/somerset/compare/{a}/{a}/", 400),  # one inspection twice
    ],
)
def test_a_bad_pair_is_refused_without_error(client, seeds, url, status):
    response = client.get(url.format(a=SOMERSET_2013, b=SOMERSET_2017))
    assert response.status_code == status


def test_the_form_redirects_to_the_comparisons_permalink(client, seeds):
    response = client.get(
        "/authorities/somerset/compare/", {"a": SOMERSET_2010, "b": SOMERSET_2013}
    )
    assert response.status_code == 302
    assert response["Location"] == COMPARE.format(SOMERSET_2010, SOMERSET_2013)
    for query in [
        {"a": SOMERSET_2010},
        {"a": SOMERSET_2010, "b": SOMERSET_2010},
        {"a": "x y", "b": "z"},
    ]:
        response = client.get("/authorities/somerset/compare/", query)
        assert response.status_code == 400, query
        html = response.content.decode()
        assert "There is a problem" in html and 'name="a"' in html, query


def test_the_choice_page_offers_the_two_latest(client, seeds):
    form = page(client, "/authorities/somerset/compare/")
    assert f'<option value="{SOMERSET_2013}" selected>' in section(form, 'name="a"', "</select>")
    assert f'<option value="{SOMERSET_2017}" selected>' in section(form, 'name="b"', "</select>")
    assert "There is a problem" not in form
    one = page(client, "/authorities/north-somerset/compare/")
    assert "only one inspection imported" in one and 'name="a"' not in one
    assert client.get("/authorities/atlantis/compare/").status_code == 404


def test_the_authority_page_offers_comparisons_without_javascript(client, seeds):
    html = page(client, "/authorities/somerset/")
    form = section(html, '<form method="get" action="/authorities/somerset/compare/"', "</form>")
    assert 'name="a"' in form and 'name="b"' in form
    # The two latest are chosen to start with.
    assert f'<option value="{SOMERSET_2013}" selected>' in section(form, 'name="a"', "</select>")
    assert f'<option value="{SOMERSET_2017}" selected>' in section(form, 'name="b"', "</select>")
    # Each inspection after the first links to its comparison with the one before.
    assert COMPARE.format(SOMERSET_2010, SOMERSET_2013) in html
    assert COMPARE.format(SOMERSET_2013, SOMERSET_2017) in html
    assert 'action="/authorities/north-somerset/compare/"' not in page(
        client, "/authorities/north-somerset/"
    )


def test_a_comparison_reads_a_fixed_number_of_queries(client, seeds, django_assert_num_queries):
    # The data version, authority, its inspections, the pair, their judgements and
    # recommendations, findings' and recommendations' themes counted.
    with django_assert_num_queries(1 + 7):
        page(client, COMPARE.format(SOMERSET_2013, SOMERSET_2017))


def test_the_choice_page_reads_a_fixed_number_of_queries(client, seeds, django_assert_num_queries):
    # The data version, the authority, its inspections.
    with django_assert_num_queries(1 + 2):
        page(client, "/authorities/somerset/compare/")


# --- Neighbours ---


def test_the_neighbours_latest_grades_in_every_area(client, seeds):
    html = page(client, "/authorities/somerset/neighbours/")
    table = section(html, "<table", "</table>")
    rows = re.findall(r"<tr class=\"govuk-table__row\"[^>]*>(.*?)</tr>", table, re.S)
    assert len(rows) == 1 + 1 + 10  # header, Somerset, its ten neighbours
    neighbours = StatisticalNeighbour.objects.filter(authority__slug="somerset").order_by("rank")
    assert [n.neighbour.name for n in neighbours][6] == "Devon"
    assert text(rows[1]).startswith("Somerset Inadequate Jun 2013, protection (scale before 2013)")
    devon = text(rows[2 + 6])
    assert devon.startswith("7. Devon Inadequate Apr 2013, protection")
    assert f'href="/inspections/{DEVON_2013}/"' in rows[2 + 6]
    assert text(rows[2]) == "1. Suffolk " + " ".join(["Not judged"] * 4)
    # Every area any of them was judged on is a column, not only overall effectiveness.
    header = text(rows[0])
    assert "Children who need help and protection" in header and "Leadership" in header


def test_latest_means_newest_in_each_area(client, seeds):
    # A fictional later SIF inspection of Devon judged only overall effectiveness.
    earlier = Inspection.objects.get(slug=DEVON_2013)
    later = Inspection.objects.create(
        authority=earlier.authority,
        framework="sif",
        slug="devon-2015-06-01-sif",
        start_date=datetime.date(2015, 6, 1),
        end_date=datetime.date(2015, 6, 20),
        source_document=earlier.source_document,
        imported_at=timezone.now(),
    )
    Judgement.objects.create(inspection=later, area="overall", grade="good", words="Good")
    rows = re.findall(
        r"<tr class=\"govuk-table__row\"[^>]*>(.*?)</tr>",
        page(client, "/authorities/somerset/neighbours/"),
        re.S,
    )
    devon = text(rows[2 + 6])
    assert devon.startswith("7. Devon Good Jun 2015, SIF Inadequate Apr 2013, protection")


def test_a_themes_newest_findings_per_neighbour(client, seeds):
    html = page(client, "/authorities/somerset/neighbours/management-oversight/")
    devon = section(html, 'id="findings-devon"', "</section>")
    newest = list(
        Finding.objects.published()
        .filter(inspection__authority__slug="devon", themes__slug="management-oversight")
        .order_by("-inspection__start_date", "position")
    )
    assert len(newest) > 2
    for finding in newest[:2]:
        assert finding.get_absolute_url() in devon
    assert newest[2].get_absolute_url() not in devon
    assert "/findings/?authority=devon&amp;theme=management-oversight" in devon
    suffolk = section(html, 'id="findings-suffolk"', "</section>")
    assert "No published finding on management oversight and supervision yet." in suffolk
    # Somerset's newest are from its 2017 visit, not from 2013.
    somerset = section(html, 'id="findings-somerset"', "</section>")
    assert "May 2017" in somerset and "June 2013" not in somerset


def test_the_theme_form_redirects_to_the_themes_permalink(client, seeds):
    url = "/authorities/somerset/neighbours/"
    response = client.get(url, {"theme": "neglect"})
    assert (response.status_code, response["Location"]) == (302, f"{url}neglect/")
    response = client.get(url, {"theme": ""})
    assert (response.status_code, response["Location"]) == (302, url)
    assert client.get(url, {"theme": "no such/theme"}).status_code == 400
    assert client.get(f"{url}no-such-theme/").status_code == 404
    assert client.get("/authorities/atlantis/neighbours/").status_code == 404
    assert 'name="theme"' in page(client, url)


def test_the_authority_page_links_to_its_neighbours(client, seeds):
    assert 'href="/authorities/somerset/neighbours/"' in page(client, "/authorities/somerset/")


def test_the_neighbours_pages_read_a_fixed_number_of_queries(
    client, seeds, django_assert_num_queries
):
    # The data version, authority, themes, neighbours, their judgements; and the findings.
    with django_assert_num_queries(1 + 4):
        page(client, "/authorities/somerset/neighbours/")
    with django_assert_num_queries(1 + 5):
        page(client, "/authorities/somerset/neighbours/management-oversight/")
