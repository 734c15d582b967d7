"""The CSV and JSON twins of the listings: DOMAIN.md's row fields, all pages, streamed."""

import csv
import io
import json

import pytest

from inspections.models import Finding, Recommendation
from inspections.views import exports

from .seeds import ALL, NORTH_SOMERSET_2017, import_seeds

pytestmark = pytest.mark.django_db

# DOMAIN.md's row fields written out here, not imported from the code, so a change to
# the contract shows up as a failing test.
FINDING_FIELDS = [
    "id",
    "url",
    "authority",
    "authority_name",
    "inspection_url",
    "framework",
    "start_date",
    "published_date",
    "section",
    "paragraph",
    "overall_grade",
    "area",
    "area_grade",
    "themes",
    "text",
]


@pytest.fixture
def seeds():
    return import_seeds(*ALL)


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response.streaming
    return response, b"".join(response.streaming_content).decode()


def csv_rows(client, url):
    response, body = download(client, url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    reader = csv.reader(io.StringIO(body))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


def json_rows(client, url):
    response, body = download(client, url)
    assert response["Content-Type"] == "application/json"
    return json.loads(body)


def test_csv_has_every_filtered_row_on_every_page(client, seeds):
    header, rows = csv_rows(client, "/findings/?format=csv")
    assert header == FINDING_FIELDS
    assert len(rows) == Finding.objects.count() > 50  # more than one page
    header, rows = csv_rows(client, "/findings/?format=csv&grade=inadequate&year=2013")
    assert {r["authority"] for r in rows} == {"somerset", "devon"}
    assert len(rows) == Finding.objects.filter(inspection__overall_grade="inadequate").count()


def test_a_finding_row(client):
    (inspection,) = import_seeds(NORTH_SOMERSET_2017)
    finding = inspection.findings.filter(area="adoption").exclude(paragraph="").first()
    rows = json_rows(client, "/findings/?format=json&area=adoption")
    (row,) = [r for r in rows if r["id"] == finding.public_id]
    assert list(row) == FINDING_FIELDS
    assert row == {
        "id": finding.public_id,
        "url": f"/findings/{finding.public_id}/",
        "authority": "north-somerset",
        "authority_name": "North Somerset",
        "inspection_url": f"/inspections/{inspection.slug}/",
        "framework": "sif",
        "start_date": "2017-06-12",
        "published_date": "2017-08-25",
        "section": finding.section,
        "paragraph": finding.paragraph,
        "overall_grade": "requires_improvement",
        "area": "adoption",
        "area_grade": "good",
        "themes": [t.slug for t in finding.themes.order_by("name")],
        "text": finding.text,
    }


def test_nulls_in_json_and_blanks_in_csv(client, seeds):
    rows = json_rows(client, "/findings/?format=json&framework=cra_unannounced")
    assert rows and all(r["paragraph"] is None and r["overall_grade"] is None for r in rows)
    assert all(r["area"] is None and r["area_grade"] is None for r in rows)
    _, rows = csv_rows(client, "/findings/?format=csv&framework=cra_unannounced")
    assert all(r["paragraph"] == "" and r["overall_grade"] == "" for r in rows)


def test_csv_themes_are_slugs_separated_by_semicolons(client, seeds):
    _, rows = csv_rows(client, "/findings/?format=csv&theme=neglect&theme=missing")
    assert rows
    for row in rows:
        themes = row["themes"].split(";")
        assert {"neglect", "missing"} & set(themes)


def test_recommendation_rows_add_addressee_and_timescale(client, seeds):
    rows = json_rows(client, "/recommendations/?format=json&authority=north-somerset")
    assert len(rows) == 18
    assert list(rows[0]) == [*FINDING_FIELDS, "addressee", "timescale"]
    assert sorted({r["addressee"] for r in rows}) == ["authority", "lscb"]
    assert [r["addressee"] for r in rows].count("lscb") == 6
    rows = json_rows(client, "/recommendations/?format=json&authority=devon")
    assert {r["timescale"] for r in rows} == {
        "immediately",
        "within_three_months",
        "within_six_months",
    }
    header, rows = csv_rows(client, "/recommendations/?format=csv")
    assert header[-2:] == ["addressee", "timescale"]
    assert len(rows) == Recommendation.objects.count()


def test_hidden_rows_are_not_exported(client, seeds):
    hidden = Finding.objects.first()
    Finding.objects.filter(pk=hidden.pk).update(is_hidden=True)
    rows = json_rows(client, "/findings/?format=json")
    assert hidden.public_id not in {r["id"] for r in rows}


def test_an_empty_export_is_a_header_or_an_empty_array(client, seeds):
    header, rows = csv_rows(client, "/findings/?format=csv&theme=no-such-theme")
    assert header == FINDING_FIELDS and rows == []
    assert json_rows(client, "/findings/?format=json&theme=no-such-theme") == []


def test_downloads_are_attachments(client, seeds):
    response = client.get("/findings/?format=csv")
    assert response["Content-Disposition"].startswith('attachment; filename="ofsted-findings-')
    assert response["Content-Disposition"].endswith('.csv"')
    response = client.get("/recommendations/?format=json")
    assert response["Content-Disposition"].endswith('.json"')


def test_invalid_filters_give_400_not_a_partial_download(client, seeds):
    response = client.get("/findings/?format=csv&grade=awful")
    assert response.status_code == 400
    assert "grade" in response.content.decode()
    assert client.get("/findings/?format=xlsx").status_code == 400


def test_no_query_per_row(client, seeds, django_assert_num_queries, monkeypatch):
    # One query for the rows, one per chunk for their themes: never one per row.
    total = Finding.objects.count()
    with django_assert_num_queries(3):
        _, body = download(client, "/findings/?format=json")
    assert len(json.loads(body)) == total
    monkeypatch.setattr(exports, "CHUNK_SIZE", 100)
    chunks = -(-total // 100)
    with django_assert_num_queries(2 + chunks):
        _, body = download(client, "/findings/?format=csv")
    assert body.count("\n") >= total
