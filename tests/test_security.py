"""Security: headers on every response, a strict CSP the pages and the admin live with, a
read-only public site, and production settings that pass
`check --deploy`."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from itertools import product

import pytest
from django.contrib import admin
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Count
from django.test import Client, RequestFactory
from django.urls import reverse

from explorer.settings import cache_from_url
from inspections.models import Finding, Inspection, Recommendation, Theme

from .conftest import ROOT
from .public_urls import public_patterns
from .seeds import ALL, NORTH_SOMERSET_2017

pytestmark = pytest.mark.django_db

CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
UNSAFE_METHODS = ["post", "put", "patch", "delete"]


@pytest.fixture
def north_somerset(seeds):
    return seeds[ALL.index(NORTH_SOMERSET_2017)]


def assert_security_headers(response, names=tuple(HEADERS)) -> None:
    closed(response)
    for name in names:
        assert response.get(name) == HEADERS[name], (name, response.status_code)


def closed(response):
    """The response, read to the end so that the test client closes it and its file.

    (Closing it directly would also close the database connection, mid-test, on PostgreSQL.)
    """
    if response.streaming:
        b"".join(response.streaming_content)
    return response


# --- Headers ------------------------------------------------------------------------------


def test_every_kind_of_response_has_the_security_headers(client, north_somerset, superuser):
    page = client.get("/findings/")
    assert page.status_code == 200
    assert_security_headers(page)
    assert_security_headers(client.get("/findings/", headers={"if-none-match": page["ETag"]}))
    assert_security_headers(client.get("/no-such-page/"))
    assert_security_headers(client.get("/findings/?grade=awful"))
    assert_security_headers(client.post("/findings/"))
    # Static files are answered before the frame-options middleware; CSP covers framing.
    static = client.get("/static/css/explorer.css")
    assert static.status_code == 200
    assert_security_headers(static, ["Content-Security-Policy", "X-Content-Type-Options"])
    assert_security_headers(client.get(reverse("admin:login")))
    client.force_login(superuser)
    assert_security_headers(client.get(reverse("admin:inspections_inspection_changelist")))
    assert_security_headers(client.get("/admin/no-such-page/"))


def test_a_source_document_is_sandboxed_wherever_it_is_opened(client, north_somerset):
    # Its own policy, not the pages': a stored HTML source rendered despite the attachment
    # runs no script and is a unique origin, away from our cookies.
    response = closed(client.get(f"/inspections/{north_somerset.slug}/source/"))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_https_responses_tell_browsers_to_stay_on_https(client, north_somerset):
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_plain_http_is_redirected_unless_the_proxy_says_it_was_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/themes/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/themes/"
    assert Client().get("/healthz").status_code == 200  # load balancers' checks
    # A TLS-terminating proxy forwards plain http and says so in a header, if trusted.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = Client().get("/themes/", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200


def test_the_policy_allows_no_inline_code():
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP


INLINE_CODE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE), "inline <script>"),
    (re.compile(r"<style\b", re.IGNORECASE), "<style> element"),
    (re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE), "style attribute"),
    (re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE), "inline event handler"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
]


def inline_code(html: str) -> list[str]:
    """What in a page a strict CSP would block: inline scripts, styles and handlers."""
    found = []
    for pattern, what in INLINE_CODE:
        found += [f"{what}: {m.group(0)[:80]!r}" for m in pattern.finditer(html)]
    return found


def admin_pages(inspection: Inspection, user) -> list[str]:
    """The admin's index, every registered model's list and add pages and one change page
    each, and the pages of our own admin views."""
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(reverse(f"{info}_changelist"))
        if model_admin.has_add_permission(request):
            pages.append(reverse(f"{info}_add"))
        obj = model._default_manager.first()
        if obj is not None:
            pages += [
                reverse(f"{info}_change", args=[obj.pk]),
                reverse(f"{info}_history", args=[obj.pk]),
            ]
    pages.append(
        reverse("admin:inspections_sourcedocument_review") + f"?ids={inspection.source_document_id}"
    )
    return pages


def test_the_admin_works_under_the_policy(client, north_somerset, superuser):
    """Django's admin has no inline code in its pages (since 4.x); nor have ours.

    One exception exists in Django: the change list's <style> when a ModelAdmin turns
    off actions at both top and bottom; no ModelAdmin of ours does.
    """
    login = client.get(reverse("admin:login"))
    assert inline_code(login.content.decode()) == []
    client.force_login(superuser)
    for url in admin_pages(north_somerset, superuser):
        response = client.get(url)
        assert response.status_code == 200, url
        assert inline_code(response.content.decode()) == [], url
    for model_admin in admin.site._registry.values():
        assert model_admin.actions_on_top or model_admin.actions_on_bottom


def test_the_public_pages_work_under_the_policy(client, north_somerset):
    for url in public_pages(north_somerset).values():
        response = closed(client.get(url))
        if response["Content-Type"].startswith("text/html"):
            assert inline_code(response.content.decode()) == [], url


def test_the_inline_code_check_finds_inline_code():
    page = (
        '<script>alert(1)</script><script src="/static/a.js"></script>'
        '<p style="color:red" onclick="x()">a</p><style>p{}</style><a href="javascript:x()">'
    )
    assert len(inline_code(page)) == 5


def test_cookies_are_secure_and_out_of_reach_of_scripts(client, superuser):
    client.get(reverse("admin:login"))
    response = client.post(
        reverse("admin:login"), {"username": "admin", "password": "correct horse 123"}
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert response.cookies["csrftoken"]["secure"]


def test_logging_in_without_a_next_address_lands_on_the_admin(client, superuser):
    # Django's default, /accounts/profile/, is no page here.
    response = client.post(
        reverse("admin:login"), {"username": "admin", "password": "correct horse 123"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_passwords_must_be_long_and_uncommon():
    with pytest.raises(ValidationError):
        validate_password("password123")
    with pytest.raises(ValidationError):
        validate_password("short-Pw1")
    validate_password("a long and unusual passphrase")


# --- A read-only public site: every public pattern, found from the resolver ----------------


def public_pages(inspection: Inspection) -> dict[str, str]:
    """A URL that answers 200 for every public pattern, with keys from the seed's records.

    A new pattern whose arguments none of these values fills fails here, so that it is
    added and then tested like the rest.
    """
    finding = Finding.objects.filter(inspection=inspection).first()
    recommendation = Recommendation.objects.filter(inspection=inspection).first()
    theme = Theme.objects.filter(findings__inspection=inspection).first()
    # A comparison needs two inspections of one authority: the one with the most.
    most = (
        Inspection.objects.values("authority")
        .annotate(n=Count("pk"))
        .order_by("-n", "authority")
        .first()
    )
    pair = Inspection.objects.filter(authority=most["authority"]).order_by("start_date")[:2]
    candidates = {
        "slug": [inspection.authority.slug, inspection.slug, theme.slug, pair[0].authority.slug],
        "public_id": [finding.public_id, recommendation.public_id],
        "first": [pair[0].slug],
        "second": [pair[1].slug],
        "theme": [theme.slug],
    }
    client = Client()
    pages = {}
    for pattern in public_patterns():
        names = sorted(pattern.pattern.converters)
        for values in product(*(candidates.get(name, []) for name in names)):
            url = reverse(pattern.name, kwargs=dict(zip(names, values, strict=True)))
            response = closed(client.get(url))
            if response.status_code == 200:
                pages[pattern.name] = url
                break
        assert pattern.name in pages, f"no seed value makes {pattern.pattern} answer 200"
    return pages


def test_every_public_pattern_is_named():
    patterns = public_patterns()
    assert patterns
    assert all(pattern.name for pattern in patterns)


def test_every_public_page_answers_get_and_refuses_every_change(north_somerset):
    pages = public_pages(north_somerset)
    assert len(pages) == len(public_patterns()) >= 12
    # CSRF checked as in a browser, so a 403 from it would show here.
    client = Client(enforce_csrf_checks=True)
    for name, url in pages.items():
        response = closed(client.head(url))
        assert response.status_code == 200, (name, url)
        for method in UNSAFE_METHODS:
            response = getattr(client, method)(url, data="a=1", content_type="text/plain")
            assert response.status_code == 405, (method, url, response.status_code)
            assert response["Allow"] == "GET, HEAD"


# --- Settings -----------------------------------------------------------------------------


def test_cache_url_chooses_the_backend():
    assert cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")
    redis = cache_from_url("redis://127.0.0.1:6379/1")
    assert redis["BACKEND"] == "explorer.cache.ResilientRedisCache"
    assert redis["OPTIONS"]["socket_timeout"] == redis["OPTIONS"]["socket_connect_timeout"] == 0.25
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert cache_from_url("dummy://")["BACKEND"].endswith("DummyCache")
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        cache_from_url("memcached://127.0.0.1")


def production_environment(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"))
    }
    return {**env, "DJANGO_SETTINGS_MODULE": "explorer.settings", **extra}


def check_deploy(**extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(**extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checklist():
    result = check_deploy(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_deployment_checklist_refuses_a_weak_key_and_debug():
    weak = check_deploy(SECRET_KEY="x", ALLOWED_HOSTS="example.org")
    assert weak.returncode != 0 and "security.W009" in weak.stderr
    assert "security.W0" not in weak.stderr.replace("security.W009", "")
    debug = check_deploy(SECRET_KEY=secrets.token_urlsafe(50), DEBUG="true")
    assert debug.returncode != 0 and "security.W018" in debug.stderr


# The pages with downloads and the formats they offer; every other page offers none.
DOWNLOADS = {
    "authority-list": ("csv", "json"),
    "inspection-list": ("csv", "json"),
    "finding-list": ("csv", "json"),
    "recommendation-list": ("csv", "json"),
    "follow-through": ("csv", "json"),  # its links
}


def test_an_unknown_format_answers_400_on_every_public_page(north_somerset):
    client = Client()
    pages = public_pages(north_somerset)
    for name, url in pages.items():
        joiner = "&" if "?" in url else "?"
        for fmt in ["xml", "", "CSV", "csv", "json", "html", "atom", "%00"]:
            response = closed(client.get(f"{url}{joiner}format={fmt}"))
            offered = fmt in DOWNLOADS.get(name, ())
            assert response.status_code == (200 if offered else 400), (name, fmt)
            if offered:  # a download, never the page
                assert not response["Content-Type"].startswith("text/html"), (name, fmt)
        response = closed(client.get(f"{url}{joiner}format=csv&format=csv"))
        assert response.status_code == 400, name  # once
    assert set(DOWNLOADS) <= set(pages)
