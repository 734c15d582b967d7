"""The national dataset: each current authority's latest grades, one row per authority, as
/authorities/?format=csv and ?format=json (README, "The public site")."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest

from inspections.models import Authority, Inspection, Judgement
from inspections.vocabulary import AREAS

pytestmark = pytest.mark.django_db

IDENTITY = ["name", "slug", "urn", "la_code", "region", "region_code", "url"]
PER_AREA = ["grade", "inspection_date", "framework", "inspection_url"]
# Written out here rather than read from the code: a change to the dataset's columns shows.
FIELDS = [
    *IDENTITY,
    *(f"{area}_{part}" for area in AREAS for part in PER_AREA),
    "previous_overall_grade",
    "previous_overall_inspection_date",
    "previous_overall_inspection_url",
]
SOMERSET_2013 = "http://testserver/inspections/somerset-2013-06-24-protection/"


def body_of(response) -> str:
    return b"".join(response.streaming_content).decode()


def csv_rows(client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/authorities/?format=csv{query}")
    assert response.status_code == 200, body_of(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="ofsted-latest-grades-' in response["Content-Disposition"]
    reader = csv.reader(io.StringIO(body_of(response)))
    assert next(reader) == FIELDS
    return [dict(zip(FIELDS, row, strict=True)) for row in reader]


def json_rows(client, query: str = "") -> list[dict]:
    response = client.get(f"/authorities/?format=json{query}")
    assert response.status_code == 200, body_of(response)
    assert response["Content-Type"] == "application/json"
    return json.loads(body_of(response))


def by_slug(rows) -> dict[str, dict]:
    return {row["slug"]: row for row in rows}


def test_one_row_per_current_authority(client, seeds):
    rows = csv_rows(client)
    assert len(rows) == 153 == Authority.objects.filter(abolished_on__isnull=True).count()
    slugs = [row["slug"] for row in rows]
    assert slugs == sorted(slugs, key=lambda s: by_slug(rows)[s]["name"])  # by name
    # Former authorities (Poole, Northamptonshire, Cumbria) are not current councils.
    assert not {"poole", "northamptonshire", "cumbria"} & set(slugs)
    assert {"bournemouth-christchurch-and-poole", "cumberland"} <= set(slugs)


def test_somerset_has_its_latest_grades(client, seeds):
    somerset = by_slug(csv_rows(client))["somerset"]
    authority = Authority.objects.get(slug="somerset")
    judged = {"overall", "help_and_protection", "leadership", "quality_of_practice"}
    expected = dict.fromkeys(FIELDS, "")
    expected.update(
        name="Somerset",
        slug="somerset",
        urn=str(authority.urn),
        la_code=authority.la_code,
        region="south-west",
        region_code="E12000009",
        url="http://testserver/authorities/somerset/",
    )
    for area in judged:  # the 2013 inspection; the visits and the 2010 letter grade nothing
        expected.update(
            {
                f"{area}_grade": "inadequate",
                f"{area}_inspection_date": "2013-06-24",
                f"{area}_framework": "protection",
                f"{area}_inspection_url": SOMERSET_2013,
            }
        )
    assert somerset == expected
    assert authority.la_code == "933"


def test_an_authority_never_inspected_has_its_identity_and_no_grades(client, seeds):
    barnet = by_slug(csv_rows(client))["barnet"]
    assert barnet["urn"] == "80487" and barnet["la_code"] == "302" and barnet["region"] == "london"
    assert all(barnet[field] == "" for field in FIELDS if field not in IDENTITY)


def test_each_area_has_its_own_latest_and_the_previous_overall_grade_is_given(client, seeds):
    """A later inspection that grades fewer areas: the areas it grades come from it, the
    others stay with the older one, and the older overall grade becomes the previous."""
    older = Inspection.objects.get(slug="somerset-2013-06-24-protection")
    later = Inspection.objects.create(
        authority=older.authority,
        framework="ilacs",
        slug="somerset-2022-01-10-ilacs",
        start_date=datetime.date(2022, 1, 10),
        end_date=datetime.date(2022, 1, 21),
        published_date=datetime.date(2022, 3, 1),
        source_document=older.source_document,
        imported_at=older.imported_at,
    )
    for area, grade in [("overall", "requires_improvement"), ("care_leavers", "good")]:
        Judgement.objects.create(inspection=later, area=area, grade=grade, words=grade)
    somerset = by_slug(json_rows(client))["somerset"]
    later_url = "http://testserver/inspections/somerset-2022-01-10-ilacs/"
    assert (somerset["overall_grade"], somerset["overall_inspection_date"]) == (
        "requires_improvement",
        "2022-01-10",
    )
    assert somerset["overall_framework"] == "ilacs"
    assert somerset["overall_inspection_url"] == later_url
    assert somerset["care_leavers_grade"] == "good"
    assert somerset["leadership_grade"] == "inadequate"  # not graded since 2013
    assert somerset["leadership_inspection_url"] == SOMERSET_2013
    assert somerset["previous_overall_grade"] == "inadequate"  # adequate stays adequate, too
    assert somerset["previous_overall_inspection_date"] == "2013-06-24"
    assert somerset["previous_overall_inspection_url"] == SOMERSET_2013


def test_csv_and_json_hold_the_same_rows(client, seeds):
    from_json = json_rows(client)
    assert list(from_json[0]) == FIELDS
    assert csv_rows(client) == [
        {k: ("" if v is None else v) for k, v in row.items()} for row in from_json
    ]


def test_the_authorities_filters_apply(client, seeds):
    rows = csv_rows(client, "&region=south-west&latest_grade=inadequate")
    assert [row["slug"] for row in rows] == ["devon", "somerset"]
    rows = json_rows(client, "&latest_grade=requires_improvement&sort=-name")
    assert [row["slug"] for row in rows] == ["north-somerset"]
    assert json_rows(client, "&name=cumbria") == []  # a former authority, never in the dataset


@pytest.mark.parametrize(
    "query", ["format=xlsx", "format=", "format=csv&format=json", "format=csv&latest_grade=meh"]
)
def test_bad_parameters_answer_400_not_the_page(client, seeds, query):
    response = client.get(f"/authorities/?{query}")
    assert response.status_code == 400, query
    assert not response.content.startswith(b"<!DOCTYPE html>")


def test_the_dataset_is_linked_from_the_authorities_and_home_pages(client, seeds):
    html = client.get("/authorities/").content.decode()
    assert 'href="/authorities/?format=csv"' in html and 'href="/authorities/?format=json"' in html
    html = client.get("/authorities/?region=london").content.decode()
    assert 'href="/authorities/?region=london&amp;format=csv"' in html
    home = client.get("/").content.decode()
    assert 'href="/authorities/?format=csv"' in home and 'href="/authorities/?format=json"' in home


def test_the_dataset_takes_the_same_queries_with_little_and_more_data(
    client, seeds, django_assert_num_queries
):
    # The data version (HTTP validators), the authorities, their judgements.
    with django_assert_num_queries(3):
        rows = csv_rows(client)
    assert sum(1 for row in rows if row["overall_grade"]) == 3
    older = Inspection.objects.get(slug="devon-2013-04-15-protection")
    for year in (2016, 2019, 2023):
        later = Inspection.objects.create(
            authority=older.authority,
            framework="ilacs",
            slug=f"devon-{year}-ilacs",
            start_date=datetime.date(year, 1, 10),
            end_date=datetime.date(year, 1, 20),
            source_document=older.source_document,
            imported_at=older.imported_at,
        )
        for area in ("overall", "help_and_protection", "in_care", "leadership"):
            Judgement.objects.create(inspection=later, area=area, grade="good", words="Good")
    with django_assert_num_queries(3):
        rows = csv_rows(client)
    assert by_slug(rows)["devon"]["in_care_inspection_date"] == "2023-01-10"
