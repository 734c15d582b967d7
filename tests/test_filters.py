"""The listings' query parameters (DOMAIN.md): each filter, their combinations, bad values."""

import pytest
from django.http import QueryDict
from django.utils import timezone

from inspections.filters import search_words, text_search
from inspections.models import Authority, Finding, Recommendation
from inspections.selectors import authority_list, finding_list, recommendation_list

pytestmark = pytest.mark.django_db


def findings(query: str):
    listing = finding_list(filters=QueryDict(query))
    assert listing.is_valid, listing.filterset.errors
    return list(listing.rows)


def recommendations(query: str):
    listing = recommendation_list(filters=QueryDict(query))
    assert listing.is_valid, listing.filterset.errors
    return list(listing.rows)


def authorities_of(rows):
    return {row.inspection.authority.slug for row in rows}


def test_management_oversight_in_inadequate_inspections_in_2013(seeds):
    # DOMAIN/issue: "every finding about management oversight in inadequate inspections in
    # 2013" shows Somerset and Devon.
    rows = findings("theme=management-oversight&grade=inadequate&year=2013")
    assert authorities_of(rows) == {"somerset", "devon"}
    assert all(
        "management-oversight" in {t.slug for t in row.themes.all()}
        and row.inspection.overall_grade == "inadequate"
        and row.inspection.start_date.year == 2013
        for row in rows
    )


def test_repeated_values_mean_either(seeds):
    neglect = {f.pk for f in findings("theme=neglect")}
    missing = {f.pk for f in findings("theme=missing")}
    either = [f.pk for f in findings("theme=neglect&theme=missing")]
    assert neglect and missing
    assert set(either) == neglect | missing
    assert len(either) == len(set(either)), "a row with both themes appears once"


def test_grade_codes_are_never_merged(seeds):
    # Only the 2017 SIF report grades "requires improvement"; no seed uses "adequate".
    assert authorities_of(findings("grade=requires_improvement")) == {"north-somerset"}
    assert findings("grade=adequate") == []


def test_region_by_ons_code_or_slug(seeds):
    by_code = [f.pk for f in findings("region=E12000009")]
    by_slug = [f.pk for f in findings("region=south-west")]
    assert by_code == by_slug
    assert len(by_code) == Finding.objects.count()
    assert findings("region=london") == []


def test_area_and_area_grade(seeds):
    rows = findings("area=adoption")
    assert rows and {f.area for f in rows} == {"adoption"}
    good = findings("area_grade=good")
    # North Somerset's adoption and care leavers judgements were good; nothing else was.
    assert {f.area for f in good} == {"adoption", "care_leavers"}
    assert {f.area for f in findings("area=lscb&area_grade=inadequate")} == {"lscb"}
    assert findings("area=lscb&area_grade=good") == []


def test_framework_authority_and_year(seeds):
    assert authorities_of(findings("framework=protection")) == {"somerset", "devon"}
    rows = findings("authority=somerset&year=2010")
    assert {f.inspection.framework for f in rows} == {"cra_unannounced"}
    assert authorities_of(findings("authority=north-somerset&authority=devon")) == {
        "north-somerset",
        "devon",
    }


def test_text_search_is_case_insensitive_needs_every_word_and_either_phrase(seeds):
    rows = findings("q=MANAGEMENT+Oversight")
    assert rows
    # "manag" on both databases: PostgreSQL stems, SQLite looks for the stem's prefix.
    assert all("manag" in f.text.lower() and "oversight" in f.text.lower() for f in rows)
    either = {f.pk for f in findings("q=neglectful&q=foster+carers")}
    assert either == {f.pk for f in findings("q=neglectful")} | {
        f.pk for f in findings("q=foster+carers")
    }


def test_text_search_treats_like_wildcards_as_text(seeds):
    # No seed text holds "%%%" or "_"; as LIKE patterns they would match every row.
    assert Finding.objects.exclude(text__contains="_").count() == Finding.objects.count()
    assert findings("q=%25%25%25") == []
    assert findings("q=_") == []


def test_search_words_and_text_search_agree():
    assert search_words("  management   oversight ") == ["management", "oversight"]
    # Highlighting marks neither excluded words nor stop words, nor repeats.
    assert search_words('"Oversight of the drift" -neglect or drift') == ["oversight", "drift"]
    assert text_search(Finding.objects.all(), []).query.where.children == []
    assert text_search(Finding.objects.all(), ["  "]).query.where.children == []


def test_hidden_and_withdrawn_rows_are_not_listed(seeds):
    hidden, withdrawn, kept = Finding.objects.filter(area="adoption")[:3]
    Finding.objects.filter(pk=hidden.pk).update(is_hidden=True)
    Finding.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())
    listed = {f.pk for f in findings("area=adoption")}
    assert kept.pk in listed
    assert hidden.pk not in listed and withdrawn.pk not in listed
    recommendation = Recommendation.objects.first()
    Recommendation.objects.filter(pk=recommendation.pk).update(is_hidden=True)
    assert recommendation.pk not in {r.pk for r in recommendations("")}


def test_recommendations_by_addressee(seeds):
    # "What was North Somerset told to fix in 2017": 12 for the authority, 6 for the LSCB.
    assert len(recommendations("authority=north-somerset&year=2017&addressee=authority")) == 12
    assert len(recommendations("authority=north-somerset&year=2017&addressee=lscb")) == 6
    assert {r.timescale for r in recommendations("timescale=immediately")} == {"immediately"}


def test_recommendations_reach_areas_through_their_evidence(seeds):
    lscb = recommendations("area=lscb")
    assert lscb
    assert all(any(f.area == "lscb" for f in r.evidence.all()) for r in lscb)
    assert recommendations("area=lscb&area_grade=inadequate") == lscb
    assert recommendations("area=lscb&area_grade=good") == []


@pytest.mark.parametrize(
    "query, field",
    [
        ("grade=awful", "grade"),
        ("grade=' OR 1=1", "grade"),
        ("area=everything", "area"),
        ("framework=SIF", "framework"),
        ("theme=%00", "theme"),
        ("theme=Neglect", "theme"),
        ("theme=" + "a" * 101, "theme"),
        ("year=abc", "year"),
        ("year=13", "year"),
        ("region=South West", "region"),
        ("authority=../etc", "authority"),
        ("q=%00", "q"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_malformed_values_are_errors(seeds, query, field):
    listing = finding_list(filters=QueryDict(query))
    assert not listing.is_valid
    assert field in listing.filterset.errors
    assert list(listing.rows) == []


@pytest.mark.parametrize(
    "query", ["theme=no-such-theme", "authority=atlantis", "region=E12999999", "year=1999"]
)
def test_well_formed_unknown_names_match_nothing(seeds, query):
    assert findings(query) == []


def test_unknown_parameters_are_ignored(seeds):
    assert len(findings("utm_source=x&page=2&format=html")) == Finding.objects.count()


def test_authorities_by_latest_grade_region_name_and_sort(seeds):
    def slugs(query):
        listing = authority_list(filters=QueryDict(query))
        assert listing.filterset.is_valid(), listing.filterset.errors
        return [a.slug for a in listing.rows]

    assert set(slugs("latest_grade=inadequate")) == {"somerset", "devon"}
    assert slugs("latest_grade=requires_improvement") == ["north-somerset"]
    ungraded = slugs("latest_grade=none")
    assert "somerset" not in ungraded and "bath-and-north-east-somerset" in ungraded
    assert set(slugs("region=E12000009")) == set(slugs("region=south-west"))
    assert "somerset" in slugs("name=SOMERSET") and "north-somerset" in slugs("name=somerset")
    worst_first = slugs("sort=-grade")
    assert set(worst_first[:2]) == {"devon", "somerset"}
    assert slugs("sort=-name")[0] > slugs("sort=-name")[-1]
    assert len(slugs("")) == Authority.objects.count()


@pytest.mark.parametrize("query", ["sort=evil", "latest_grade=bad", "region=%00", "name=%00"])
def test_authority_filters_refuse_malformed_values(seeds, query):
    listing = authority_list(filters=QueryDict(query))
    assert not listing.filterset.is_valid()
    assert list(listing.rows) == []
