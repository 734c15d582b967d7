"""The public pages' queries: what they return and how many queries they take."""

import itertools

import pytest
from django.http import Http404, QueryDict
from django.utils import timezone

from inspections.models import Finding, Recommendation
from inspections.selectors import (
    authority_history,
    finding_list,
    finding_permalink,
    inspection_detail,
    listing_facets,
    recommendation_list,
    recommendation_permalink,
    theme_detail,
    theme_list,
)

from .seeds import ALL, NORTH_SOMERSET_2017, SOMERSET_2013, import_seeds

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeds():
    return import_seeds(*ALL)


def facets_of(listing):
    return {
        facet.name: {count.value: count.count for count in facet.counts}
        for facet in listing_facets(listing=listing)
    }


def test_facet_counts_are_what_each_choice_would_leave(seeds):
    listing = finding_list(filters=QueryDict("grade=inadequate"))
    facets = facets_of(listing)
    # The grade facet ignores its own filter: every grade with its count.
    assert facets["grade"] == {
        "inadequate": Finding.objects.filter(inspection__overall_grade="inadequate").count(),
        "requires_improvement": Finding.objects.filter(
            inspection__overall_grade="requires_improvement"
        ).count(),
    }
    # Other facets count within the active filter, and each count is what clicking leaves.
    assert set(facets["authority"]) == {"somerset", "devon"}
    for theme, count in facets["theme"].items():
        rows = finding_list(filters=QueryDict(f"grade=inadequate&theme={theme}")).rows
        assert rows.count() == count, theme
    for year, count in facets["year"].items():
        rows = finding_list(filters=QueryDict(f"grade=inadequate&year={year}")).rows
        assert rows.count() == count, year


def test_a_facets_own_choices_show_what_either_would_add(seeds):
    facets = facets_of(finding_list(filters=QueryDict("theme=neglect")))
    unfiltered = facets_of(finding_list(filters=QueryDict("")))
    assert facets["theme"] == unfiltered["theme"]
    assert (
        sum(facets["region"].values())
        == finding_list(filters=QueryDict("theme=neglect")).rows.count()
    )


def test_area_grade_facet_counts_the_rows_own_area(seeds):
    facets = facets_of(finding_list(filters=QueryDict("authority=north-somerset")))
    assert (
        facets["area_grade"]["good"]
        == Finding.objects.filter(
            inspection__authority__slug="north-somerset", area__in=["adoption", "care_leavers"]
        ).count()
    )


def test_recommendation_facets(seeds):
    facets = facets_of(recommendation_list(filters=QueryDict("authority=north-somerset")))
    assert facets["addressee"] == {"authority": 12, "lscb": 6}
    assert "area" not in facets


def test_no_facets_for_invalid_filters(seeds):
    assert listing_facets(listing=finding_list(filters=QueryDict("grade=nope"))) == []


def test_facets_take_one_query_each(seeds, django_assert_num_queries):
    listing = finding_list(filters=QueryDict("theme=neglect&q=child&region=south-west"))
    with django_assert_num_queries(8):
        listing_facets(listing=listing)
    listing = recommendation_list(filters=QueryDict("theme=neglect"))
    with django_assert_num_queries(8):
        listing_facets(listing=listing)


def test_authority_history(seeds, django_assert_num_queries):
    with django_assert_num_queries(8):
        history = authority_history(slug="somerset")
    assert [i.start_date.year for i in history.inspections] == [2010, 2013, 2017]
    assert [i.framework for i in history.graded] == ["protection"]
    overall = history.judgement_rows[0]
    assert overall.area == "overall"
    assert [j.grade for j in overall.cells] == ["inadequate"]
    assert len(history.neighbours) == 10
    assert [n.rank for n in history.neighbours] == list(range(1, 11))
    devon = [n for n in history.neighbours if n.neighbour.slug == "devon"]
    if devon:  # Devon is one of Somerset's neighbours in the DfE list
        assert devon[0].latest_grade == "inadequate"
    protection = history.inspections[1]
    assert len(protection.recommendations.all()) == 11


def test_authority_history_of_an_unknown_slug():
    with pytest.raises(Http404):
        authority_history(slug="atlantis")


def test_inspection_detail(django_assert_num_queries):
    (inspection,) = import_seeds(NORTH_SOMERSET_2017)
    Finding.objects.filter(pk=inspection.findings.first().pk).update(is_hidden=True)
    # The inspection, its judgements, recommendations, their evidence and themes, the
    # findings and their themes.
    with django_assert_num_queries(7):
        detail = inspection_detail(slug=inspection.slug)
        evidence = [f for r in detail.recommendations for f in r.evidence.all()]
        themes = [t for s in detail.sections for f in s.findings for t in f.themes.all()]
    assert themes and evidence
    assert [r.addressee for r in detail.recommendations].count("lscb") == 6
    shown = [f for s in detail.sections for f in s.findings]
    assert len(shown) == inspection.findings.count() - 1
    assert [f.position for f in shown] == sorted(f.position for f in shown)
    # Runs of one heading form a section; consecutive sections differ.
    headings = [s.heading for s in detail.sections]
    assert all(a != b for a, b in itertools.pairwise(headings))


def test_finding_permalink_has_its_published_neighbours():
    (inspection,) = import_seeds(SOMERSET_2013)
    first, second, third = inspection.findings.order_by("position")[:3]
    Finding.objects.filter(pk=second.pk).update(is_hidden=True)
    permalink = finding_permalink(public_id=first.public_id)
    assert permalink.previous is None
    assert permalink.next == third
    with pytest.raises(Http404):
        finding_permalink(public_id=second.public_id)
    Finding.objects.filter(pk=third.pk).update(withdrawn_at=timezone.now())
    withdrawn = finding_permalink(public_id=third.public_id)
    assert withdrawn.finding.withdrawn_at and withdrawn.previous is None


def test_recommendation_permalink_has_its_evidence():
    import_seeds(NORTH_SOMERSET_2017)
    recommendation = Recommendation.objects.filter(evidence__isnull=False).first()
    permalink = recommendation_permalink(public_id=recommendation.public_id)
    assert permalink.evidence == list(recommendation.evidence.order_by("position"))
    assert permalink.next is None or permalink.next.addressee == recommendation.addressee


def test_themes(seeds, django_assert_num_queries):
    with django_assert_num_queries(1):
        themes = theme_list()
    neglect = next(t for t in themes if t.slug == "neglect")
    assert neglect.finding_count == Finding.objects.filter(themes=neglect).count()
    with django_assert_num_queries(5):
        detail = theme_detail(slug="neglect")
    assert detail.finding_count == neglect.finding_count
    assert sum(y.total for y in detail.years) == detail.finding_count
    assert [y.year for y in detail.years] == sorted((y.year for y in detail.years), reverse=True)
    with pytest.raises(Http404):
        theme_detail(slug="nope")
