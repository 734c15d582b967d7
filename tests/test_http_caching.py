"""HTTP caching of the public site: validators from the data version, 304 before the view,
Cache-Control by status; and the data version itself (inspections.freshness)."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date

from inspections import freshness
from inspections.models import DataVersion, Finding, Judgement

from .seeds import ALL, NORTH_SOMERSET_2017, import_seeds
from .test_admin import admin_url, form_data
from .test_security import public_pages

pytestmark = pytest.mark.django_db

PAGE = "/findings/?theme=neglect"


@pytest.fixture
def north_somerset(seeds):
    return seeds[ALL.index(NORTH_SOMERSET_2017)]


def version_queries(captured) -> int:
    return sum("inspections_dataversion" in q["sql"] for q in captured.captured_queries)


# --- Headers on the public pages ---------------------------------------------------------


def test_a_public_page_carries_validators_and_a_short_public_lifetime(client, north_somerset):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response["ETag"].startswith('W/"')
    state = freshness.current()
    assert response["Last-Modified"] == http_date(state.changed_at.timestamp())
    assert response["Cache-Control"] == "public, max-age=300, stale-while-revalidate=60"
    # Nothing in a public page depends on who asks: no cookies, no Vary on them.
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_every_public_page_is_cacheable_by_anyone(client, north_somerset):
    for name, url in public_pages(north_somerset).items():
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        if name == "healthz":
            assert "no-store" in response["Cache-Control"]
            continue
        assert response["Cache-Control"].startswith("public, max-age="), name
        assert response.has_header("ETag"), name
        assert not response.cookies, name
        assert "Cookie" not in response.get("Vary", ""), name


def test_each_address_has_its_own_etag(client, north_somerset):
    etags = {
        client.get(url)["ETag"]
        for url in ["/findings/", PAGE, "/findings/?theme=missing", "/recommendations/", "/"]
    }
    assert len(etags) == 5
    assert client.get(PAGE)["ETag"] == client.get(PAGE)["ETag"]


def test_a_matching_etag_is_answered_304_without_running_the_view(
    client, north_somerset, django_assert_num_queries
):
    etag = client.get(PAGE)["ETag"]
    with django_assert_num_queries(1):  # the data version only: no page query ran
        response = client.get(PAGE, headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"].startswith("public, max-age=300")
    assert client.head(PAGE, headers={"if-none-match": etag}).status_code == 304
    stale = client.get(PAGE, headers={"if-none-match": 'W/"something-older"'})
    assert stale.status_code == 200 and stale.content


def test_if_modified_since_is_answered_304_until_the_data_changes(client, north_somerset):
    last_modified = client.get(PAGE)["Last-Modified"]
    response = client.get(PAGE, headers={"if-modified-since": last_modified})
    assert response.status_code == 304
    earlier = http_date(freshness.current().changed_at.timestamp() - 60)
    assert client.get(PAGE, headers={"if-modified-since": earlier}).status_code == 200


def test_one_query_for_the_data_version_serves_the_middleware_and_the_templates(
    client, north_somerset
):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PAGE)
    assert version_queries(captured) == 1
    # The footer's date comes from the same lookup.
    published_to = freshness.current().newest_published_date
    assert published_to is not None
    assert (
        f'data-freshness>Data last updated <time datetime="{published_to:%Y-%m-%d}">'
        in response.content.decode()
    )


def test_a_new_release_changes_every_etag(client, north_somerset, settings):
    before = client.get(PAGE)["ETag"]
    settings.RELEASE_ID = "a-new-release"
    freshness.release_id.cache_clear()
    try:
        after = client.get(PAGE)["ETag"]
        assert client.get(PAGE, headers={"if-none-match": before}).status_code == 200
    finally:
        freshness.release_id.cache_clear()
    assert after != before


def test_the_code_digest_is_stable_when_no_release_is_named(settings):
    settings.RELEASE_ID = ""
    freshness.release_id.cache_clear()
    try:
        first = freshness.release_id()
        freshness.release_id.cache_clear()
        assert freshness.release_id() == first and len(first) == 16
    finally:
        freshness.release_id.cache_clear()


@pytest.mark.parametrize(
    ("url", "status"),
    [("/no-such-page/", 404), ("/findings/?grade=awful", 400), ("/authorities/nowhere/", 404)],
)
def test_errors_are_cached_briefly_and_without_validators(client, north_somerset, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response["Cache-Control"] == "public, max-age=60"
    assert not response.has_header("ETag")
    assert not response.has_header("Last-Modified")


def test_a_withdrawn_permalink_is_cached_briefly(client, north_somerset):
    finding = north_somerset.findings.first()
    Finding.objects.filter(pk=finding.pk).update(withdrawn_at=north_somerset.imported_at)
    response = client.get(finding.get_absolute_url())
    assert response.status_code == 410
    assert response["Cache-Control"] == "public, max-age=60"


def test_the_health_check_and_the_admin_are_never_cached(client, superuser):
    health = client.get("/healthz")
    assert "no-store" in health["Cache-Control"]
    assert not health.has_header("ETag")
    client.force_login(superuser)
    page = client.get(reverse("admin:index"))
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    assert not page.has_header("ETag")


def test_downloads_share_the_page_validators(client, north_somerset):
    response = client.get("/findings/?format=csv")
    b"".join(response.streaming_content)
    assert response["ETag"].startswith('W/"')
    again = client.get("/findings/?format=csv", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


# --- Source documents: content-addressed --------------------------------------------------


def test_a_source_download_is_validated_by_its_hash(client, north_somerset, settings):
    url = reverse("inspection-source", args=[north_somerset.slug])
    sha256 = north_somerset.source_document.sha256
    response = client.get(url)
    b"".join(response.streaming_content)
    assert response["ETag"] == f'"{sha256}"'
    assert response["Cache-Control"] == "public, max-age=300, stale-while-revalidate=60"
    # Answered from the hash alone: the stored file is not even needed.
    north_somerset.source_document.file.delete(save=False)
    unchanged = client.get(url, headers={"if-none-match": f'"{sha256}"'})
    assert unchanged.status_code == 304


# --- The data version --------------------------------------------------------------------


def test_the_version_counts_on_from_the_migration(north_somerset):
    # The migration's row (version 1), then the seeds' import, recorded as its commit would
    # have been (tests/conftest.py), with the listing cells counted for it. (Tests that
    # really commit, run earlier in the same process, may have counted on further.)
    state = freshness.current()
    assert state.version >= 2 and state.changed_at is not None
    assert state.cells_are_current


def test_without_the_row_pages_still_answer(client, north_somerset):
    DataVersion.objects.all().delete()
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.has_header("ETag") and not response.has_header("Last-Modified")
    assert "data-freshness" not in response.content.decode()  # no date to give


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transaction_marks_one_change_on_commit_and_a_rollback_none():
    """Committed for real: the marks run after each commit, as in production."""
    (inspection,) = import_seeds(NORTH_SOMERSET_2017)
    before = freshness.current()
    with transaction.atomic():
        for finding in inspection.findings.all()[:5]:
            finding.text += " (corrected)"
            finding.save()
        inspection.findings.first().themes.clear()
        assert freshness.current() == before  # nothing until the commit
    assert freshness.current().version == before.version + 1

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        Judgement.objects.filter(inspection=inspection).first().save()
        raise Undo
    assert freshness.current().version == before.version + 1

    freshness.mark_changed()  # outside a transaction: at once
    assert freshness.current().version == before.version + 2
    assert freshness.current().imported_at == before.imported_at


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_imports_and_curators_corrections_change_the_validators(client, curator):
    """Committed for real, as in production: the marks run after each commit."""
    before = freshness.current()
    (inspection,) = import_seeds(NORTH_SOMERSET_2017)
    imported = freshness.current()
    assert imported.version == before.version + 1
    assert imported.imported_at is not None and imported.imported_at >= imported.changed_at

    first = client.get(PAGE)
    assert first.status_code == 200

    client.force_login(curator)
    judgement = Judgement.objects.filter(inspection=inspection).first()
    url = admin_url(Judgement, "change", judgement.pk)
    data = form_data(client.get(url))
    data["words"] = "Requires improvement to be good (corrected)"
    assert client.post(url, data).status_code == 302
    corrected = freshness.current()
    assert corrected.version > imported.version
    assert corrected.imported_at == imported.imported_at  # a correction is not an import
    client.logout()

    second = client.get(PAGE)
    assert second["ETag"] != first["ETag"]
    assert client.get(PAGE, headers={"if-none-match": first["ETag"]}).status_code == 200
    assert client.get(PAGE, headers={"if-none-match": second["ETag"]}).status_code == 304


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_admin_action_that_updates_in_bulk_changes_the_validators(client, curator):
    from inspections.models import Theme

    import_seeds(NORTH_SOMERSET_2017)
    before = freshness.current()
    client.force_login(curator)
    keep, gone = Theme.objects.get(slug="neglect"), Theme.objects.get(slug="domestic-abuse")
    response = client.post(
        admin_url(Theme, "changelist"),
        {"action": "merge", "_selected_action": [keep.pk, gone.pk], "keep": keep.pk},
    )
    assert response.status_code == 302
    assert freshness.current().version > before.version


# --- The day: citations say "accessed on" it -------------------------------------------------


@pytest.mark.parametrize(
    ("first_day", "next_day", "accessed"),
    [
        # Winter: London is on UTC.
        ("2026-03-01T12:00Z", "2026-03-02T09:00Z", ("1 March 2026", "2 March 2026")),
        # Summer: at 23:30 UTC it is already the next day in London (BST).
        ("2026-07-01T12:00Z", "2026-07-01T23:30Z", ("1 July 2026", "2 July 2026")),
    ],
    ids=["winter", "after midnight in London, before it in UTC"],
)
def test_the_next_day_a_permalink_is_the_next_days_page(
    client, north_somerset, first_day, next_day, accessed
):
    """The ETag named the day and the cached page did not: the next day a browser got a new
    ETag and a 200 with yesterday's body, its citation "accessed" yesterday."""
    url = north_somerset.findings.first().get_absolute_url()
    with time_machine.travel(first_day, tick=False):
        first = client.get(url)
        assert f"accessed {accessed[0]}" in first.content.decode()
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    with time_machine.travel(next_day, tick=False):
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    page = again.content.decode()
    assert f"accessed {accessed[1]}" in page
    assert f"accessed {accessed[0]}" not in page
