"""The models' constraints keep the data honest on both databases."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from inspections.models import (
    Authority,
    Finding,
    Inspection,
    Judgement,
    Recommendation,
    SourceDocument,
    StatisticalNeighbour,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return SourceDocument.objects.create(
        sha256="0" * 64, original_name="report.pdf", size=1, file="sources/00/0"
    )


@pytest.fixture
def inspection(source):
    return Inspection.objects.create(
        authority=Authority.objects.get(slug="somerset"),
        framework="protection",
        slug="somerset-2013-06-24-protection",
        start_date=datetime.date(2013, 6, 24),
        end_date=datetime.date(2013, 7, 3),
        source_document=source,
        imported_at=timezone.now(),
    )


def test_a_second_inspection_of_the_same_authority_framework_and_start_is_refused(
    inspection, source
):
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspection.objects.create(
            authority=inspection.authority,
            framework="protection",
            slug="another-slug",
            start_date=inspection.start_date,
            end_date=inspection.end_date,
            source_document=source,
            imported_at=timezone.now(),
        )


def test_an_inspection_cannot_end_before_it_starts(inspection):
    inspection.end_date = datetime.date(2013, 1, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        inspection.save()


def test_an_unknown_framework_is_refused(inspection):
    inspection.framework = "ofsted_2030"
    with pytest.raises(IntegrityError), transaction.atomic():
        inspection.save()


def test_one_judgement_per_area_per_inspection(inspection):
    Judgement.objects.create(
        inspection=inspection, area="overall", grade="inadequate", words="Inadequate"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Judgement.objects.create(inspection=inspection, area="overall", grade="good", words="Good")


@pytest.mark.parametrize(("area", "grade"), [("overall", "satisfactory"), ("vibes", "good")])
def test_judgement_grades_and_areas_are_limited_to_the_codes(inspection, area, grade):
    with pytest.raises(IntegrityError), transaction.atomic():
        Judgement.objects.create(inspection=inspection, area=area, grade=grade, words="x")


def test_the_overall_judgement_sets_the_inspections_overall_grade(inspection):
    judgement = Judgement.objects.create(
        inspection=inspection, area="overall", grade="inadequate", words="Inadequate"
    )
    inspection.refresh_from_db()
    assert inspection.overall_grade == "inadequate"
    judgement.delete()
    inspection.refresh_from_db()
    assert inspection.overall_grade == ""


def test_adequate_and_requires_improvement_stay_different_grades(inspection):
    adequate = Judgement.objects.create(
        inspection=inspection, area="leadership", grade="adequate", words="Adequate"
    )
    ri = Judgement.objects.create(
        inspection=inspection,
        area="overall",
        grade="requires_improvement",
        words="Requires improvement",
    )
    assert adequate.grade != ri.grade
    assert adequate.ordinal == ri.ordinal == 3  # shared rung for charts only


def test_permalink_ids_are_unique(inspection):
    Finding.objects.create(
        inspection=inspection, public_id="abc", section="S", position=0, text="One."
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(
            inspection=inspection, public_id="abc", section="S", position=1, text="Two."
        )


@pytest.mark.parametrize(
    "values",
    [{"addressee": "mayor"}, {"timescale": "eventually"}],
)
def test_recommendation_codes_are_limited(inspection, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        Recommendation.objects.create(
            inspection=inspection, public_id="r1", position=0, text="Improve.", **values
        )


def test_finding_kind_is_limited_to_the_codes(inspection):
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(
            inspection=inspection,
            public_id="f1",
            section="S",
            position=0,
            text="x",
            kind="compliment",
        )


def test_an_authority_is_not_its_own_neighbour():
    somerset = Authority.objects.get(slug="somerset")
    with pytest.raises(IntegrityError), transaction.atomic():
        StatisticalNeighbour.objects.create(authority=somerset, neighbour=somerset, rank=11)


def test_duplicate_urns_are_refused():
    devon = Authority.objects.get(slug="devon")
    with pytest.raises(IntegrityError), transaction.atomic():
        Authority.objects.create(
            name="Devonshire", slug="devonshire", urn=devon.urn, la_code="999", region=devon.region
        )


def test_record_urls_are_what_reverse_gives(db):
    from django.urls import reverse

    from inspections.models import record_url

    for name, kwarg, key in [
        ("authority-detail", "slug", "north-somerset"),
        ("inspection-detail", "slug", "somerset-2013-06-10-sif"),
        ("finding-detail", "public_id", "0a1b2c3d4e5f"),
        ("recommendation-detail", "public_id", "0a1b2c3d4e5f"),
    ]:
        assert record_url(name, kwarg, key) == reverse(name, kwargs={kwarg: key})
