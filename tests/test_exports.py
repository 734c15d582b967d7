"""The CSV and JSON twins of the listings: DOMAIN.md's row fields, all pages, streamed."""

import csv
import datetime
import io
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from inspections import selectors
from inspections.models import Authority, Finding, Inspection, Recommendation, Theme
from inspections.selectors import exports as export_rows
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


def test_a_finding_row(client, seeds):
    inspection = seeds[ALL.index(NORTH_SOMERSET_2017)]
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
    assert rows and all(r["paragraph"] == "" and r["overall_grade"] == "" for r in rows)


def test_csv_themes_are_slugs_separated_by_semicolons(client, seeds):
    _, rows = csv_rows(client, "/findings/?format=csv&theme=neglect&theme=missing")
    assert rows
    for row in rows:
        themes = row["themes"].split(";")
        assert {"neglect", "missing"} & set(themes)


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_themes_cell_that_starts_like_a_formula_is_defused(client, start):
    # Slugs can no longer start so (Theme.slug's validator), but older rows, or a theme
    # written past the admin, still reach the download: the cell is defused like text.
    (inspection,) = import_seeds(NORTH_SOMERSET_2017)
    finding = inspection.findings.first()
    finding.themes.set([Theme.objects.create(slug=f"{start}cmd", name="Aaa first by name")])
    finding.themes.add(Theme.objects.get(slug="neglect"))
    _, rows = csv_rows(client, "/findings/?format=csv")
    (row,) = [r for r in rows if r["id"] == finding.public_id]
    assert row["themes"] == f"'{start}cmd;neglect"
    (record,) = [
        r for r in json_rows(client, "/findings/?format=json") if r["id"] == finding.public_id
    ]
    assert record["themes"] == [f"{start}cmd", "neglect"]  # JSON keeps the slugs exact


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
    # The data version, the themes, and the rows (each with its theme ids) through one
    # cursor: never one per row, nor one per chunk.
    total = Finding.objects.count()
    with django_assert_num_queries(3):
        _, body = download(client, "/findings/?format=json")
    assert len(json.loads(body)) == total
    monkeypatch.setattr(export_rows, "CHUNK_SIZE", 100)
    assert total > 2 * 100  # several chunks
    with django_assert_num_queries(3):
        _, body = download(client, "/findings/?format=csv")
    assert body.count("\n") >= total


# --- Byte for byte what the model instances say ------------------------------------------
# The exports read plain columns, not model instances, for speed (selectors/exports.py). These
# tests write the same downloads the straightforward way, from instances with
# get_absolute_url() and the csv and json modules, and require the same bytes.


def reference_body(listing, fmt):
    """The download written from model instances: what the export must equal."""
    is_finding = listing.kind.name == "finding"
    fields = FINDING_FIELDS if is_finding else [*FINDING_FIELDS, "addressee", "timescale"]
    rows = []
    for record in listing.rows:  # instances, themes prefetched by name
        inspection = record.inspection
        row = {
            "id": record.public_id,
            "url": record.get_absolute_url(),
            "authority": inspection.authority.slug,
            "authority_name": inspection.authority.name,
            "inspection_url": inspection.get_absolute_url(),
            "framework": inspection.framework,
            "start_date": inspection.start_date,
            "published_date": inspection.published_date,
            "section": record.section if is_finding else None,
            "paragraph": (record.paragraph or None) if is_finding else None,
            "overall_grade": inspection.overall_grade or None,
            "area": (record.area or None) if is_finding else None,
            "area_grade": record.area_grade if is_finding else None,
            "themes": [theme.slug for theme in record.themes.all()],
            "text": record.text,
        }
        if not is_finding:
            row.update(addressee=record.addressee, timescale=record.timescale or None)
        rows.append(row)
    if fmt == "json":
        dumped = [json.dumps(r, cls=DjangoJSONEncoder, ensure_ascii=False) for r in rows]
        return (
            "[" + "".join(("\n" if i == 0 else ",\n") + d for i, d in enumerate(dumped)) + "\n]\n"
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(fields)
    for row in rows:
        writer.writerow([reference_cell(row[name]) for name in fields])
    return out.getvalue()


def reference_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = ";".join(value) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


@pytest.fixture
def awkward(seeds):
    """Text that needs quoting or defusing, and themes whose names and ids disagree."""
    texts = [
        '=HYPERLINK("http://x")',
        "-1, minus",
        "-1 minus",
        "=1+1",
        '"Quoted", she said',
        "Line one\r\nline two",
        "\ttabbed",
        "\rreturn first",
        "Ünïcödé “curly” — dash, and € \u2028 separator",
        "@SUM(1+1)",
        "+44",
        "trailing space, ",
        "",
    ]
    findings = list(Finding.objects.order_by("pk")[: len(texts)])
    for finding, text in zip(findings, texts, strict=True):
        Finding.objects.filter(pk=finding.pk).update(
            text=text, section=text[:300], paragraph=text[:10]
        )
    recommendations = list(Recommendation.objects.order_by("pk")[: len(texts)])
    for recommendation, text in zip(recommendations, texts, strict=True):
        Recommendation.objects.filter(pk=recommendation.pk).update(text=text)
    # Created last (the highest ids) but first and in between by name; a slug that starts
    # like a formula (written past Theme.slug's validator), so the themes cell is defused.
    first = Theme.objects.create(slug="-aaa-first", name="Aaa first by name")
    middle = Theme.objects.create(slug="middle", name="Mmm in between")
    for record in [*findings[:4], *recommendations[:4]]:
        record.themes.add(middle, first)
    Authority.objects.filter(pk=findings[0].inspection.authority_id).update(name="=Somerset, 1")
    Inspection.objects.filter(pk=findings[1].inspection_id).update(published_date=None)


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize(
    "url",
    [
        "/findings/",
        "/findings/?q=child",  # ranked first on PostgreSQL
        "/findings/?theme=neglect&theme=middle",
        "/findings/?area=adoption&area_grade=good",
        "/recommendations/",
        "/recommendations/?q=child",
        "/recommendations/?addressee=lscb",
    ],
)
def test_the_download_is_what_the_model_instances_say(client, awkward, monkeypatch, url, fmt):
    monkeypatch.setattr(export_rows, "CHUNK_SIZE", 7)  # rows across many chunks
    _, body = download(client, url + ("&" if "?" in url else "?") + f"format={fmt}")
    path, _, query = url.partition("?")
    build = selectors.finding_list if path == "/findings/" else selectors.recommendation_list
    expected = reference_body(build(filters=QueryDict(query)), fmt)
    assert expected.count("\n") > 3  # rows, not just a header
    assert body == expected


def test_a_theme_added_during_a_download_is_still_named(db):
    themes = export_rows._Themes("default")
    added = Theme.objects.create(slug="added", name="Aaa added later")
    other = Theme.objects.create(slug="other", name="Zzz other")
    themes_later = export_rows._Themes("default")
    assert themes_later.slugs(f"{other.pk};{added.pk}") == ["added", "other"]
    assert themes.slugs(f"{other.pk};{added.pk}") == ["added", "other"]
    assert themes.slugs(f"{other.pk};999999") == ["other"]  # deleted since: left out
    assert themes.slugs(None) == themes.slugs("") == []


# Cells that exercise every rule of csv.writer and of the formula defusing; plain ones too,
# so that whole lines without commas, quotes or line breaks come up often.
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]
plain_text = st.text(alphabet=["a", " ", "'", ";", "é", "\x00", *FORMULA_STARTS[:5]], max_size=6)
any_text = st.text(alphabet=["a", ",", '"', "\r", "\n", *FORMULA_STARTS], max_size=6)
cells = st.one_of(st.none(), plain_text, plain_text, any_text)


@settings(max_examples=500, deadline=None, database=None)
@given(
    head=st.lists(cells, min_size=13, max_size=13),
    themes=st.lists(st.from_regex(r"-?[a-z0-9]+(-[a-z0-9]+)*", fullmatch=True), max_size=3),
    tail=st.lists(cells, min_size=1, max_size=3),
)
def test_a_csv_line_is_what_csv_writer_writes(head, themes, tail):
    values = (*head, themes, *tail)
    out = io.StringIO()
    csv.writer(out).writerow([reference_cell(value) for value in values])
    assert exports.csv_line(values) == out.getvalue()


@pytest.mark.parametrize("start", [*FORMULA_STARTS, ",", '"', "\n", "a"])
@pytest.mark.parametrize("position", [0, 1, 12, 14])
def test_one_awkward_cell_in_a_plain_line(start, position):
    # Each rule on its own, anywhere: the quick look at the whole line must see it.
    values = ["plain", None, *["x"] * 11, ["a-theme"], "text", "addressee"]
    values[position] = start + "cell"
    out = io.StringIO()
    csv.writer(out).writerow([reference_cell(value) for value in values])
    assert exports.csv_line(tuple(values)) == out.getvalue()
