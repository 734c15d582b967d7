"""The public-site policy (inspections/public_site.py) applies to the views marked public,
and only to them: every public route is marked, the admin's are not, and an unmarked view
is left alone whatever its address."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from inspections.public_site import page_policy, public_page

from .public_urls import public_patterns

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


def _admin_patterns(patterns) -> list[URLPattern]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _admin_patterns(pattern.url_patterns)
        else:
            found.append(pattern)
    return found


def test_every_public_route_is_marked_public():
    patterns = public_patterns()
    assert len(patterns) >= 16
    unmarked_names = [p.name for p in patterns if page_policy(p.callback) is None]
    assert unmarked_names == []


def test_no_admin_view_is_marked_public():
    patterns = _admin_patterns(admin.site.urls[0])
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
