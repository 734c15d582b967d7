"""Report text is data, never markup, nor a spreadsheet formula.

A fictional letter (tests/fixtures/hostile_focused_visit_2019.txt) is imported through the
real importer. Its findings and recommendations hold <script>, an <img onerror>, a
<b onmouseover>, the literal text "&lt;entities&gt;" and cells that start with = and @.
Every public page that shows them, the exports, the Atom feeds and the admin are read
back: each page parses to the same elements it would have without that text (no script,
no event-handler attribute, no image), and shows the text itself, character for character.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from inspections.importer.service import import_source, store_source
from inspections.models import (
    AlternativeName,
    Authority,
    Finding,
    Inspection,
    Judgement,
    Recommendation,
)

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "hostile_focused_visit_2019.txt"
SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(2)>"
ENTITIES = "&lt;entities&gt;"
GRADE_WORDS = 'Good <script>alert("grade")</script> & <i>more</i>'
HOSTILE = [SCRIPT, IMAGE, ENTITIES, "<script>alert(3)</script>", "<b onmouseover=alert(4)>"]


class Page(HTMLParser):
    """An HTML page as a browser's parser sees it: its elements and its text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.texts: list[str] = []
        self._in_script = False
        self.feed(html)
        self.close()
        self.text = " ".join("".join(self.texts).split())

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.texts).append(data)

    def meta(self, key: str) -> str | None:
        for tag, attrs in self.elements:
            if tag == "meta" and key in (attrs.get("property"), attrs.get("name")):
                return attrs.get("content")
        return None


def assert_inert(html: str) -> Page:
    """The page has no element, attribute or script that the report's text could have made."""
    page = Page(html)
    for tag, attrs in page.elements:
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, f"<{tag}> has event handler attributes {handlers}"
        assert not (tag == "img" and attrs.get("src") == "x"), "an <img> from report text"
    assert not any("alert(" in script for script in page.scripts), "report text ran as script"
    for markup in ("<script>alert", "<img src=x", "<b onmouseover", "<i>more</i>"):
        assert markup not in html, markup
    return page


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def hostile(db) -> Inspection:
    northshire = Authority.objects.get(slug="rutland")
    AlternativeName.objects.create(authority=northshire, name="Northshire")
    source, _ = store_source(FIXTURE.read_bytes(), FIXTURE.name)
    attempt = import_source(source)
    assert attempt.outcome == "created", attempt.log
    return source.inspections.get()


def test_the_fixture_really_holds_markup_entities_and_formulas(hostile):
    texts = [f.text for f in hostile.findings.all()] + [
        r.text for r in hostile.recommendations.all()
    ]
    for needle in [*HOSTILE, "=HYPERLINK(", "@SUM("]:
        assert any(needle in text for text in texts), needle


def test_inspection_page_shows_the_markup_as_text(client, hostile):
    page = assert_inert(client.get(hostile.get_absolute_url()).content.decode())
    for needle in HOSTILE:
        assert needle in page.text, needle


def test_finding_permalinks_and_their_open_graph_tags_show_the_markup_as_text(client, hostile):
    for finding in hostile.findings.all():
        page = assert_inert(client.get(finding.get_absolute_url()).content.decode())
        assert words(finding.text) in page.text
        # The description tags carry the text as an attribute value, whole (to 200 chars).
        for key in ("description", "og:description", "twitter:description"):
            assert words(finding.text)[:150] in words(page.meta(key) or ""), key
    first = hostile.findings.get(text__contains=SCRIPT)
    assert SCRIPT in Page(client.get(first.get_absolute_url()).content.decode()).meta(
        "og:description"
    )


def test_recommendation_permalinks_show_the_markup_as_text(client, hostile):
    for recommendation in hostile.recommendations.all():
        page = assert_inert(client.get(recommendation.get_absolute_url()).content.decode())
        assert words(recommendation.text) in page.text


@pytest.mark.parametrize("listing", ["finding-list", "recommendation-list"])
@pytest.mark.parametrize("q", ["protection", "script", "alert", "onerror", "entities", "lt"])
def test_listings_with_the_markup_highlighted_show_it_as_text(client, hostile, listing, q):
    response = client.get(reverse(listing), {"q": q, "authority": "rutland"})
    assert response.status_code == 200
    page = assert_inert(response.content.decode())
    # PostgreSQL's text search skips what looks like markup, so "script" finds rows on
    # SQLite only; "protection" finds the rows with markup on both.
    if q == "protection":
        assert "<script>alert(3)</script>" in page.text
        assert any(tag == "mark" for tag, _ in page.elements)
    # The highlight marks only words, inside escaped text.
    assert all(attrs == {} for tag, attrs in page.elements if tag == "mark")


def test_other_pages_that_quote_the_text_show_it_as_text(client, hostile):
    urls = [
        reverse("authority-detail", kwargs={"slug": "rutland"}),
        reverse("finding-list") + "?authority=rutland",
        reverse("recommendation-list") + "?authority=rutland",
        reverse("home"),
    ]
    themes = {t.slug for f in hostile.findings.all() for t in f.themes.all()}
    urls += [reverse("theme-detail", kwargs={"slug": slug}) for slug in themes]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode())


@pytest.mark.parametrize("listing", ["finding-list", "recommendation-list"])
def test_json_exports_carry_the_text_exactly(client, hostile, listing):
    response = client.get(reverse(listing), {"authority": "rutland", "format": "json"})
    rows = json.loads(b"".join(response.streaming_content))
    model = Finding if listing == "finding-list" else Recommendation
    stored = dict(model.objects.filter(inspection=hostile).values_list("public_id", "text"))
    assert {row["id"]: row["text"] for row in rows} == stored


@pytest.mark.parametrize("listing", ["finding-list", "recommendation-list"])
def test_csv_exports_defuse_spreadsheet_formulas_and_keep_markup_as_text(client, hostile, listing):
    response = client.get(reverse(listing), {"authority": "rutland", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    texts = [row["text"] for row in rows]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert any(text.startswith("'@SUM(1+1)") for text in texts)
    if listing == "finding-list":
        assert any(text.startswith("'=HYPERLINK(") for text in texts)
        assert any(SCRIPT in text for text in texts)
        assert any(ENTITIES in text for text in texts)


@pytest.mark.parametrize(
    "feed",
    [
        reverse("feed-inspections"),
        reverse("feed-authority-inspections", kwargs={"slug": "rutland"}),
        reverse("feed-theme-inspections", kwargs={"slug": "missing"}),
    ],
)
def test_atom_feeds_carry_the_reports_words_as_text(client, hostile, feed):
    # The feeds quote the report's own words for the overall grade.
    Judgement.objects.create(inspection=hostile, area="overall", grade="good", words=GRADE_WORDS)
    response = client.get(feed)
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # well-formed: the markup did not break it
    atom = "{http://www.w3.org/2005/Atom}"
    (entry,) = [
        e for e in root.iter(f"{atom}entry") if hostile.slug in (e.findtext(f"{atom}id") or "")
    ]
    summary = entry.find(f"{atom}summary")
    assert summary.get("type") == "html"
    # type="html": the element's text is HTML, which must show the words as text.
    page = assert_inert(summary.text)
    assert words(GRADE_WORDS) in page.text


def test_admin_change_pages_show_the_markup_as_text(client, superuser, hostile):
    client.force_login(superuser)
    urls = [reverse("admin:inspections_inspection_change", args=[hostile.pk])]
    urls += [
        reverse("admin:inspections_finding_change", args=[pk])
        for pk in hostile.findings.values_list("pk", flat=True)
    ]
    urls += [
        reverse("admin:inspections_recommendation_change", args=[pk])
        for pk in hostile.recommendations.values_list("pk", flat=True)
    ]
    urls += [
        reverse("admin:inspections_finding_changelist") + "?q=script",
        reverse("admin:inspections_recommendation_changelist") + "?q=script",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_inert(html)
    finding = hostile.findings.get(text__contains=SCRIPT)
    page = Page(
        client.get(reverse("admin:inspections_finding_change", args=[finding.pk])).content.decode()
    )
    assert SCRIPT in page.text  # in its <textarea>, as text
