"""The public pages' queries: what they return and how many queries they take."""

import itertools

import pytest
from django.db import connection
from django.http import Http404, QueryDict
from django.utils import timezone

from inspections.models import Authority, Finding, Inspection, Recommendation, Theme
from inspections.selectors import (
    authority_history,
    coverage,
    finding_list,
    finding_permalink,
    home_page,
    inspection_detail,
    listing_facets,
    national_picture,
    recommendation_list,
    recommendation_permalink,
    theme_detail,
    theme_list,
)

from .seeds import (
    ALL,
    DEVON_2013,
    NORTH_SOMERSET_2017,
    SOMERSET_2010,
    SOMERSET_2013,
    import_seeds,
)

pytestmark = pytest.mark.django_db


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
    # Plus one for the chosen themes' ids, looked up once however many facets use them.
    listing = finding_list(filters=QueryDict("theme=neglect&q=child&region=south-west"))
    with django_assert_num_queries(9):
        listing_facets(listing=listing)
    listing = recommendation_list(filters=QueryDict("theme=neglect"))
    with django_assert_num_queries(10):  # and what happened next
        listing_facets(listing=listing)


def test_authority_history(seeds, django_assert_num_queries):
    with django_assert_num_queries(9):  # with the follow-through links
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


def test_inspection_detail(django_assert_num_queries, seeds):
    inspection = seeds[ALL.index(NORTH_SOMERSET_2017)]
    Finding.objects.filter(pk=inspection.findings.first().pk).update(is_hidden=True)
    # The inspection, its judgements, recommendations, their evidence and the findings: the
    # page shows no themes, so none are read.
    with django_assert_num_queries(5):
        detail = inspection_detail(slug=inspection.slug)
        evidence = [f for r in detail.recommendations for f in r.evidence.all()]
        texts = [f.text for s in detail.sections for f in s.findings]
    assert texts and evidence
    assert [r.addressee for r in detail.recommendations].count("lscb") == 6
    shown = [f for s in detail.sections for f in s.findings]
    assert len(shown) == inspection.findings.count() - 1
    assert [f.position for f in shown] == sorted(f.position for f in shown)
    # Runs of one heading form a section; consecutive sections differ.
    headings = [s.heading for s in detail.sections]
    assert len(headings) > 1
    assert all(a != b for a, b in itertools.pairwise(headings))


def test_finding_permalink_has_its_published_neighbours(seeds):
    inspection = seeds[ALL.index(SOMERSET_2013)]
    first, second, third = inspection.findings.order_by("position")[:3]
    Finding.objects.filter(pk=second.pk).update(is_hidden=True)
    permalink = finding_permalink(public_id=first.public_id)
    assert permalink.previous is None
    assert permalink.next == third
    hidden = finding_permalink(public_id=second.public_id)  # bare, for a 410
    assert hidden.finding.is_hidden and hidden.previous is None and hidden.next is None
    with pytest.raises(Http404):
        finding_permalink(public_id="000000000000")
    Finding.objects.filter(pk=third.pk).update(withdrawn_at=timezone.now())
    withdrawn = finding_permalink(public_id=third.public_id)
    assert withdrawn.finding.withdrawn_at and withdrawn.previous is None


def test_recommendation_permalink_has_its_evidence():
    import_seeds(NORTH_SOMERSET_2017)
    recommendation = Recommendation.objects.filter(evidence__isnull=False).first()
    permalink = recommendation_permalink(public_id=recommendation.public_id)
    assert permalink.evidence == list(recommendation.evidence.order_by("position"))
    assert permalink.next is not None
    assert permalink.next.addressee == recommendation.addressee


def test_themes(seeds, django_assert_num_queries):
    with django_assert_num_queries(3):  # themes; findings and recommendations per theme
        themes = theme_list()
    # A theme the seeds raise often (hidden and withdrawn rows need two to take away).
    oversight = next(t for t in themes if t.slug == "management-oversight")
    assert oversight.finding_count == Finding.objects.filter(themes=oversight).count()
    # Hidden and withdrawn rows are not counted.
    hidden = Finding.objects.filter(themes=oversight).first()
    hidden.is_hidden = True
    hidden.save()
    withdrawn = Finding.objects.filter(themes=oversight).exclude(pk=hidden.pk).first()
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save()
    again = next(t for t in theme_list() if t.slug == "management-oversight")
    assert again.finding_count == oversight.finding_count - 2
    hidden.is_hidden = False
    hidden.save()
    withdrawn.withdrawn_at = None
    withdrawn.save()
    with django_assert_num_queries(5):
        detail = theme_detail(slug="management-oversight")
    assert detail.finding_count == oversight.finding_count
    assert sum(y.total for y in detail.years) == detail.finding_count
    assert [y.year for y in detail.years] == sorted((y.year for y in detail.years), reverse=True)
    with pytest.raises(Http404):
        theme_detail(slug="nope")


def test_raised_again_lists_themes_recommended_at_two_inspections(seeds):
    history = authority_history(slug="somerset")
    raised = {item.theme.slug: item for item in history.raised_again}
    # The 2010 letter and the 2013 inspection both asked for better management oversight;
    # only the 2013 one asked for better assessments (the 2010 letter's point about initial
    # assessments is their sign-off); the 2017 monitoring visit made no recommendations.
    assert set(raised) == {"management-oversight"}
    oversight = raised["management-oversight"]
    assert [o.inspection.start_date.year for o in oversight.occasions] == [2010, 2013]
    for occasion in oversight.occasions:
        expected = Recommendation.objects.filter(
            inspection=occasion.inspection, themes__slug="management-oversight"
        ).order_by("position")
        assert [r.pk for r in occasion.recommendations] == [r.pk for r in expected]

    # A curator judges that the 2010 letter did ask about assessments too: then both are
    # raised at two inspections, and are listed by name.
    letter = Recommendation.objects.filter(
        inspection__authority__slug="somerset", inspection__start_date__year=2010
    ).first()
    letter.themes.add(Theme.objects.get(slug="assessment"))
    letter.curated_fields = ["themes"]
    letter.save()
    history = authority_history(slug="somerset")
    assert [item.theme.slug for item in history.raised_again] == [
        "management-oversight",  # "Management oversight and supervision"
        "assessment",  # "Quality and timeliness of assessments"
    ]


def test_raised_again_uses_only_what_the_authority_was_told_to_improve(seeds):
    """Recommendations (a letter's areas for development and priority action are its
    recommendations), never strengths or other findings, however they are tagged."""
    somerset = Finding.objects.filter(inspection__authority__slug="somerset")
    strength = somerset.filter(kind="strength", inspection__start_date__year=2010).first()
    finding = somerset.filter(inspection__start_date__year=2013).first()
    assert strength and finding
    told = set(
        Recommendation.objects.filter(inspection__authority__slug="somerset").values_list(
            "themes__slug", flat=True
        )
    )
    untold = Theme.objects.exclude(slug__in=told).first()
    for record in (strength, finding):
        record.themes.add(untold)
        record.curated_fields = ["themes"]
        record.save()
    raised = authority_history(slug="somerset").raised_again
    assert untold.slug not in {item.theme.slug for item in raised}
    assert raised
    for item in raised:
        for occasion in item.occasions:
            assert occasion.recommendations
            assert all(isinstance(r, Recommendation) for r in occasion.recommendations)
            assert {r.addressee for r in occasion.recommendations} == {"authority"}


def test_raised_again_needs_two_different_inspections_to_the_authority():
    import_seeds(SOMERSET_2010, SOMERSET_2013)
    assert authority_history(slug="somerset").raised_again
    # Several recommendations of one inspection on one theme are not "again"; nor are
    # recommendations to an LSCB, which were not addressed to the authority.
    Recommendation.objects.filter(inspection__start_date__year=2010).update(addressee="lscb")
    assert authority_history(slug="somerset").raised_again == []
    import_seeds(NORTH_SOMERSET_2017)
    assert authority_history(slug="north-somerset").raised_again == []


def test_national_picture_counts_every_current_authority_by_region(
    seeds, django_assert_num_queries
):
    with django_assert_num_queries(1):
        picture = national_picture()
    current = Authority.objects.filter(abolished_on__isnull=True)
    assert picture.authority_count == current.count()
    assert sum(len(r.authorities) for r in picture.regions) == current.count()
    assert not any(a.abolished_on for r in picture.regions for a in r.authorities)
    # Every authority without a seed report has none loaded: not "not graded".
    no_report = current.count() - 3
    assert picture.totals == {"inadequate": 2, "requires_improvement": 1, "no-report": no_report}
    assert [code for code, _ in picture.columns] == [
        "requires_improvement",
        "inadequate",
        "no-report",
    ]
    south_west = next(r for r in picture.regions if r.region.slug == "south-west")
    assert south_west.counts["inadequate"] == 2  # Somerset and Devon
    assert south_west.counts["requires_improvement"] == 1  # North Somerset
    assert sum(south_west.counts.values()) == len(south_west.authorities)
    for region in picture.regions:
        assert sum(region.counts.values()) == len(region.authorities)
        assert [a.name for a in region.authorities] == sorted(a.name for a in region.authorities)


def test_national_picture_keeps_adequate_apart_from_requires_improvement(seeds):
    Inspection.objects.filter(authority__slug="devon").update(overall_grade="adequate")
    picture = national_picture()
    assert picture.totals["adequate"] == 1
    assert picture.totals["requires_improvement"] == 1
    assert [code for code, _ in picture.columns] == [
        "requires_improvement",
        "adequate",
        "inadequate",
        "no-report",
    ]


def test_recent_inspections_place_a_report_without_a_publication_date_by_its_dates(db):
    older, newer = import_seeds(SOMERSET_2010, DEVON_2013)
    Inspection.objects.filter(pk=newer.pk).update(published_date=None)
    recent = home_page()["recent_inspections"]
    assert [i.pk for i in recent] == [newer.pk, older.pk]


# --- Pages of a listing: read from the summary's index, the same rows as sorting all ---


def _all_pages(listing, page_size: int, *, cells_current: bool = True) -> list:
    from django.core.paginator import Paginator

    from inspections.selectors import ListingPages, listing_summary

    summary = listing_summary(listing=listing, identity="test", cells_current=cells_current)
    paginator = Paginator(ListingPages(listing, summary), page_size)
    return [row for number in paginator.page_range for row in paginator.page(number)]


@pytest.mark.parametrize("cells_current", [True, False], ids=["stored cells", "rows counted"])
@pytest.mark.parametrize(
    ("select", "params"),
    [
        (finding_list, ""),
        (finding_list, "theme=management-oversight&grade=inadequate"),
        (finding_list, "q=child"),
        (finding_list, "q=supervision or neglect"),
        (finding_list, "theme=neglect&theme=management-oversight&area_grade=inadequate"),
        (recommendation_list, ""),
        (recommendation_list, "authority=somerset"),
        (finding_list, "authority=atlantis"),
    ],
)
def test_every_page_holds_the_listings_rows_in_its_order(seeds, select, params, cells_current):
    listing = select(filters=QueryDict(params))
    expected = [row.pk for row in listing.rows]
    # Page sizes that split inspections anywhere, not only at their edges.
    for page_size in (7, 50):
        pages = _all_pages(listing, page_size, cells_current=cells_current)
        assert [row.pk for row in pages] == expected


def test_a_search_with_too_many_matches_to_rank_comes_newest_first(seeds, monkeypatch):
    from inspections.selectors import ListingPages, listing_summary, listings

    monkeypatch.setattr(listings, "RANKED_IDS", 10)
    listing = finding_list(filters=QueryDict("q=child"))
    ranked = [row.pk for row in listing.rows]
    summary = listing_summary(listing=listing, identity="test", cells_current=True)
    assert summary.too_many_to_rank and summary.count == len(ranked) > 10
    assert not listing.is_ranked
    usual = [row.pk for row in finding_list(filters=QueryDict("")).rows if row.pk in ranked]
    assert usual != ranked  # so the test tells the two orders apart
    assert [row.pk for row in _all_pages(listing, 7)] == usual
    assert len(ListingPages(listing, summary)[0:50]) == 10 + 40


# Filters each answered a different way: by cells alone, by a single theme's cells, by
# rows (several themes, a search, a recommendation's area through its evidence).
SUMMARY_CASES = [
    (finding_list, ""),
    (finding_list, "grade=inadequate&year=2013"),
    (finding_list, "theme=management-oversight"),
    (finding_list, "theme=management-oversight&theme=neglect&region=E12000009"),
    (finding_list, "area=help_and_protection&area_grade=inadequate&authority=somerset"),
    (finding_list, "area_grade=good&area_grade=requires_improvement&framework=sif"),
    (finding_list, "q=supervision&region=south-west"),
    (finding_list, "q=child&theme=neglect&grade=requires_improvement"),
    (finding_list, "theme=no-such-theme"),
    (recommendation_list, ""),
    (recommendation_list, "addressee=authority&timescale=immediately&theme=neglect"),
    (recommendation_list, "area=help_and_protection&year=2013"),
    (recommendation_list, "q=plans&authority=somerset&authority=devon"),
]


@pytest.mark.parametrize("cells_current", [True, False], ids=["stored cells", "rows counted"])
@pytest.mark.parametrize(("select", "params"), SUMMARY_CASES)
def test_a_summary_counts_what_counting_the_rows_counts(seeds, select, params, cells_current):
    from inspections.selectors import listing_summary

    listing = select(filters=QueryDict(params))
    assert listing.is_valid
    summary = listing_summary(listing=listing, identity="test", cells_current=cells_current)
    assert summary.count == listing.filtered.count()
    # Each facet as one GROUP BY over the rows gives it (listing_facets: the reference).
    assert summary.facets == listing_facets(listing=listing)


def test_the_cells_follow_a_curators_change(seeds, django_capture_on_commit_callbacks):
    from inspections import freshness
    from inspections.selectors import listing_summary

    finding = Finding.objects.published().filter(themes__slug="neglect").first()
    with django_capture_on_commit_callbacks(execute=True):
        finding.is_hidden = True
        finding.save()
    state = freshness.current()
    assert state.cells_are_current
    listing = finding_list(filters=QueryDict("theme=neglect"))
    summary = listing_summary(listing=listing, identity=state.cache_key, cells_current=True)
    assert summary.count == listing.filtered.count()
    assert finding.pk not in {row.pk for row in _all_pages(listing, 50)}


def test_a_deep_page_takes_the_queries_the_first_does(seeds, django_assert_num_queries):
    from django.core.paginator import Paginator

    from inspections.selectors import ListingPages, listing_summary

    listing = finding_list(filters=QueryDict(""))
    summary = listing_summary(listing=listing, identity="test", cells_current=True)
    paginator = Paginator(ListingPages(listing, summary), 5)
    assert paginator.num_pages > 3
    for number in (1, paginator.num_pages // 2, paginator.num_pages):
        with django_assert_num_queries(2):  # the page's rows, their themes
            list(paginator.page(number))


@pytest.mark.parametrize("slug", ["neglect", "management-oversight", "workforce", "missing"])
def test_a_theme_page_from_the_cells_is_the_page_counted_from_the_rows(seeds, slug):
    stored, counted = (theme_detail(slug=slug, cells_current=c) for c in (True, False))
    assert stored.finding_count == counted.finding_count > 0
    assert stored.recommendation_count == counted.recommendation_count
    assert stored.years == counted.years and stored.grades == counted.grades
    assert stored.recent_findings == counted.recent_findings
    assert stored.recent_recommendations == counted.recent_recommendations


def test_the_theme_list_and_the_totals_from_the_cells_are_those_counted(seeds):
    def counts(themes):
        return [(t.slug, t.finding_count, t.recommendation_count) for t in themes]

    assert counts(theme_list(cells_current=True)) == counts(theme_list(cells_current=False))
    stored, counted = (coverage(cells_current=c) for c in (True, False))
    assert (stored.findings, stored.recommendations) == (counted.findings, counted.recommendations)
    assert stored.findings == Finding.objects.published().count() > 0


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's planner estimates a search's rows"
)
def test_a_search_too_broad_to_count_shows_its_newest_rows_and_an_estimate(
    seeds, monkeypatch, client
):
    from inspections.selectors import listing_summary, listings

    monkeypatch.setattr(listings, "BROAD_SEARCH_ROWS", 0)  # any estimate is broad
    monkeypatch.setattr(listings, "BROAD_SEARCH_SHOWN", 20)
    listing = finding_list(filters=QueryDict("q=child"))
    matches = set(listing.filtered.values_list("pk", flat=True))
    summary = listing_summary(listing=listing, identity="broad", cells_current=True)
    assert summary.estimated >= 20 and summary.count == 20 < len(matches)
    usual = [row.pk for row in finding_list(filters=QueryDict("")).rows if row.pk in matches]
    assert [row.pk for row in _all_pages(listing, 7)] == usual[:20]
    # Every choice offered, none counted.
    assert all(c.count is None for facet in summary.facets for c in facet.counts)
    assert {f.name for f in summary.facets if f.counts} >= {"theme", "grade", "authority"}
    page = client.get("/findings/?q=child").content.decode()
    assert "About <strong>" in page and "data-broad-search" in page


@pytest.mark.parametrize("slug", ["neglect", "management-oversight", "workforce"])
def test_a_theme_feed_from_the_cells_holds_the_inspections_counted(seeds, slug):
    from inspections.selectors.feeds import feed_inspections

    theme = Theme.objects.get(slug=slug)
    stored, counted = (
        [i.pk for i in feed_inspections(theme=theme, cells_current=c)] for c in (True, False)
    )
    assert stored == counted and counted
