"""A real headless Chromium driving the real site, served by pytest-django's live server.

The browser tests only read, so they share one data set: the bundled reports, imported once
for the package through the real importer and committed where the server thread sees it,
then deleted again. (pytest-django would otherwise give each live-server test a
transactional database, flushed after every test: re-importing and restoring the reference
data each time costs seconds per test.) One browser serves the whole package.

Chromium is Debian's (`apt-get install chromium`): Playwright cannot download its own build
here. Without it the tests skip, unless REQUIRE_BROWSER=1 (as in CI), where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import connections
from django.test import override_settings

from inspections.importer.service import import_source, store_source
from inspections.models import Finding, Inspection, Recommendation, SourceDocument, ThemeModel

from ..conftest import REPORTS
from ..seeds import ALL, import_seeds, make_follow_through_links

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
NORTH_SOMERSET_2017 = "north-somerset-2017-06-12-sif"


def _browser_unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and REQUIRE_BROWSER=1 says the browser tests must run.")
    pytest.skip(f"{reason}: the browser tests need it (apt-get install chromium).")


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """One headless Chromium for every browser test."""
    if not CHROMIUM.exists():
        _browser_unavailable(f"No Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("The playwright package is not installed")
    # Playwright's sync API keeps an event loop running in this thread. While it runs,
    # Django takes every ORM call made here for one made from async code (there is none:
    # the server answers in its own thread), and hands out a second set of database
    # connections, closed before the loop stops so the test database can be dropped.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
        connections.close_all()


@pytest.fixture(autouse=True)
def _live_server_helper(request: pytest.FixtureRequest) -> Iterator[None]:
    """pytest-django's helper of the same name, less the per-test transactional database.

    Database access is opened for the whole package by `site` instead.
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    live_server = request.getfixturevalue("live_server")
    live_server._live_server_modified_settings.enable()
    yield
    live_server._live_server_modified_settings.disable()


@pytest.fixture(autouse=True)
def media_root() -> None:
    """Keep the package's media folder (see `site`), not a new empty one per test."""


@dataclass
class Site:
    """The live server's address, and permalinks of records on it worth a page test."""

    url: str
    finding: str  # evidence for a recommendation, with themes
    recommendation: str  # one addressed to an LSCB
    followed: str  # a recommendation with what happened next: a curator's confirmed link

    def __call__(self, path: str) -> str:
        """The absolute address of a path on the site."""
        return self.url + path


def import_reports() -> str:
    """The five seed reports and every PDF in fixtures/reports/, through the real importer,
    and follow-through links on Somerset's (tests/seeds.py); the permalink of a
    recommendation with a confirmed link."""
    import_seeds(*ALL)
    for path in sorted(REPORTS.glob("*.pdf")):
        source, _ = store_source(path.read_bytes(), path.name)
        attempt = import_source(source)
        assert attempt.outcome == "created", attempt.log
    return make_follow_through_links().oversight_2013.get_absolute_url()


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture(scope="package")
def site(
    browser, live_server, django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[Site]:
    """The site with every bundled report imported, for the whole package."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
    ):
        before = _row_counts()
        assert before["inspections.Authority"], "the reference data is missing"
        try:
            followed = import_reports()
            yield Site(
                url=live_server.url,
                finding=_permalink(
                    Finding.objects.filter(
                        inspection__slug=NORTH_SOMERSET_2017,
                        recommendations__isnull=False,
                        themes__isnull=False,
                    )
                ),
                recommendation=_permalink(
                    Recommendation.objects.filter(
                        inspection__slug=NORTH_SOMERSET_2017, addressee="lscb"
                    )
                ),
                followed=followed,
            )
        finally:
            # Leave the database as the other tests expect it: reference data only.
            Inspection.objects.all().delete()
            SourceDocument.objects.all().delete()
            ThemeModel.objects.all().delete()  # the bundled model, installed by the import
        assert _row_counts() == before, "an import left rows the clean-up does not remove"


def _permalink(records) -> str:
    record = records.order_by("pk").first()
    assert record is not None, "the seed reports no longer contain the record the tests use"
    return record.get_absolute_url()


class PageProblems(list):
    """What went wrong in a page besides its own content: script errors, failed loads."""

    def watch(self, page) -> None:
        page.on("pageerror", lambda error: self.append(f"{page.url}: script error: {error}"))
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message) -> None:
        # A document answered 400 or 404 on purpose is logged as a failed load: the
        # response handler below judges loads instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.append(f"console error: {message.text}")

    def _response(self, response) -> None:
        # Chromium asks for /favicon.ico whatever the page links to.
        if urlsplit(response.url).path == "/favicon.ico":
            return
        if response.request.resource_type != "document" and response.status >= 400:
            self.append(f"{response.url} answered {response.status}")


def _context(browser, **options):
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    return context


def _page(context) -> Iterator:
    page = context.new_page()
    problems = PageProblems()
    problems.watch(page)
    yield page
    page.close()
    assert not problems, "\n".join(problems)


# One browser context of each kind for the package; each test gets a fresh tab in one.


@pytest.fixture(scope="package")
def _context_with_js(browser):
    context = _context(browser)
    yield context
    context.close()


@pytest.fixture(scope="package")
def _context_without_js(browser):
    context = _context(browser, java_script_enabled=False)
    yield context
    context.close()


@pytest.fixture
def page(_context_with_js, site):
    """A fresh browser tab with JavaScript, failing the test on script or load errors."""
    yield from _page(_context_with_js)


@pytest.fixture
def page_without_js(_context_without_js, site):
    """A fresh browser tab with JavaScript turned off: every page must work without it."""
    yield from _page(_context_without_js)
