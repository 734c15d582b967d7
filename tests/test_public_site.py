"""The public-site policy (inspections/public_site.py) applies to the views marked public,
and only to them: every public route is marked, the admin's are not, and an unmarked view
is left alone whatever its address."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path

from inspections.public_site import page_policy, public_page

from .public_urls import all_patterns, public_patterns

pytestmark = pytest.mark.django_db


def unmarked(request: HttpRequest) -> HttpResponse:
    return HttpResponse("unmarked")


def marked(request: HttpRequest) -> HttpResponse:
    return HttpResponse("marked")


# This module is also the URLconf of the tests marked `urls(__name__)` below.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("findings-lookalike/", unmarked),
    path("marked/", public_page(marked)),
]


def test_every_public_route_is_marked_public():
    patterns = public_patterns()
    assert len(patterns) >= 16
    unmarked_names = [p.name for p in patterns if page_policy(p.callback) is None]
    assert unmarked_names == []


def test_no_admin_view_is_marked_public():
    patterns = all_patterns(admin.site.urls[0])
    assert len(patterns) > 20
    assert [p.name for p in patterns if page_policy(p.callback) is not None] == []


def test_only_the_health_check_is_never_cached():
    never_cached = [p.name for p in public_patterns() if not page_policy(p.callback).cacheable]
    assert never_cached == ["healthz"]


@pytest.mark.urls(__name__)
def test_an_unmarked_view_gets_none_of_the_policy(client):
    response = client.post("/findings-lookalike/")
    assert response.status_code == 200  # not 405: the read-only rule is the mark's
    assert not response.has_header("ETag")
    assert not response.has_header("Cache-Control")


@pytest.mark.urls(__name__)
def test_a_marked_view_is_read_only_and_cacheable(client):
    assert client.post("/marked/").status_code == 405
    response = client.get("/marked/")
    assert response.status_code == 200
    assert response["ETag"].startswith('W/"')
    assert response["Cache-Control"].startswith("public, max-age=")
    assert client.get("/marked/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


# --- Crawlers: robots.txt and a per-client limit on the listings -----------------------------


def test_robots_txt_keeps_crawlers_to_the_records(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    rules = [line for line in response.content.decode().splitlines() if line[:1] not in "# "]
    assert "User-agent: *" in rules
    assert {
        "Disallow: /findings/?",
        "Disallow: /recommendations/?",
        "Disallow: /inspections/?",
    } <= set(rules)
    assert "Disallow: /*?*format=" in rules


@time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, 30, tzinfo=dt.UTC), tick=False)
def test_a_client_past_the_listing_rate_is_told_to_wait(client, settings):
    # The clock stands still mid-window: a fixed window that turned over between the
    # requests would start the count again (as it once did in CI).
    settings.PUBLIC_LISTING_RATE = "2/60"
    for query in ("theme=neglect", "year=2013"):
        assert client.get(f"/findings/?{query}").status_code == 200
    refused = client.get("/recommendations/?page=2&theme=neglect")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 30
    assert refused["Cache-Control"] == "no-store"  # no shared cache gives it to another
    # The way to every row at once: the same filters as one download, no page.
    assert 'href="/recommendations/?theme=neglect&amp;format=csv"' in refused.content.decode()
    # A listing's own page, the records and other clients are not held back.
    assert client.get("/findings/").status_code == 200
    assert client.get("/themes/").status_code == 200
    assert client.get("/findings/?q=x", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_listing_rate_can_be_turned_off(client, settings):
    settings.PUBLIC_LISTING_RATE = "off"
    assert all(client.get(f"/findings/?page={n}").status_code in (200, 404) for n in range(5))
    assert client.get("/findings/?theme=neglect").status_code == 200


@pytest.mark.parametrize("setting", ["ten per minute", "0/60", "5/0"])
def test_a_mistyped_listing_rate_stops_the_server_starting(setting, settings):
    from django.core.exceptions import ImproperlyConfigured

    from inspections.public_site import PublicSiteMiddleware

    settings.PUBLIC_LISTING_RATE = setting
    with pytest.raises(ImproperlyConfigured):
        PublicSiteMiddleware(lambda request: HttpResponse())


def test_without_its_cache_the_limit_lets_every_request_through(client, settings):
    settings.PUBLIC_LISTING_RATE = "1/60"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert [client.get(f"/findings/?year={y}").status_code for y in (2012, 2013)] == [200, 200]


@pytest.mark.parametrize("path", ["/findings/", "/recommendations/", "/inspections/"])
def test_a_listing_names_one_canonical_address_and_asks_not_to_follow_its_toggles(
    client, seeds, path
):
    page = client.get(f"{path}?framework=protection&page=1").content.decode()
    canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', page)
    assert canonical == [f"http://testserver{path}"]
    toggles = re.findall(r"<a [^>]*app-filter-summary__link[^>]*>", page)
    downloads = re.findall(r'<a [^>]*href="[^"]*format=(?:csv|json)[^"]*"[^>]*>', page)
    assert toggles and downloads
    assert all('rel="nofollow"' in link for link in toggles + downloads)


def test_the_authority_list_names_its_canonical_address(client):
    page = client.get("/authorities/?region=south-west").content.decode()
    assert '<link rel="canonical" href="http://testserver/authorities/">' in page


# --- Sharing: Open Graph and Twitter cards on every page type --------------------------------


def _sharing(page: str) -> dict[str, str]:
    tags = re.findall(
        r'<meta (?:property|name)="((?:og|twitter):[a-z_]+)" content="([^"]*)">', page
    )
    return dict(tags)


def test_every_page_type_can_be_shared(client, seeds):
    inspection = seeds[0]
    finding = inspection.findings.first()
    pages = [
        "/",
        "/about/",
        "/authorities/",
        "/themes/",
        "/themes/neglect/",
        "/authorities/somerset/",
        "/authorities/somerset/neighbours/",
        f"/inspections/{inspection.slug}/",
        "/findings/?theme=neglect",
        "/recommendations/",
        "/inspections/",
        finding.get_absolute_url(),
    ]
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200, address
        tags = _sharing(response.content.decode())
        assert tags.get("og:title") and tags.get("og:description"), address
        assert tags["og:url"].startswith("http://testserver/"), address
        assert "?" not in tags["og:url"], address  # one address per page, whatever its filters
        assert tags["twitter:card"] == "summary", address
