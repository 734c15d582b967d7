"""A cache outage is a cache miss (explorer/cache.py): with CACHE_URL naming a Redis that
refuses connections, hangs, or is stopped mid-run, every page is served, uncached; the
outage is logged once; /healthz stays up and says so."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from django.core.cache import cache

from benchmarks.processes import free_port
from explorer.settings import cache_from_url

from .seeds import NORTH_SOMERSET_2017, import_seeds

pytestmark = pytest.mark.django_db


def use_cache(settings, url: str, retry_seconds: float = 10.0) -> None:
    config = cache_from_url(url)
    config["OPTIONS"]["retry_seconds"] = retry_seconds
    settings.CACHES = {"default": config}


@pytest.fixture
def north_somerset():
    (inspection,) = import_seeds(NORTH_SOMERSET_2017)
    return inspection


def public_pages(inspection) -> list[str]:
    finding = inspection.findings.first()
    return [
        "/",
        "/findings/",
        "/findings/?q=supervision",
        "/recommendations/",
        f"/authorities/{inspection.authority.slug}/",
        inspection.get_absolute_url(),
        finding.get_absolute_url(),
        "/themes/",
        "/admin/login/",
    ]


@pytest.fixture
def refusing(settings) -> str:
    """CACHE_URL naming a port nothing listens on."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    use_cache(settings, url)
    return url


@pytest.fixture
def hanging(settings) -> Iterator[str]:
    """A 'Redis' that accepts connections (the kernel completes them) but never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
        use_cache(settings, url)
        yield url


def test_every_page_answers_while_redis_refuses_connections(client, north_somerset, refusing):
    for url in public_pages(north_somerset):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_the_admin_log_in_works_while_redis_refuses_connections(client, superuser, refusing):
    response = client.post(
        "/admin/login/", {"username": "admin", "password": "correct horse 123", "next": "/admin/"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_hanging_redis_costs_one_short_timeout_not_every_request(client, north_somerset, hanging):
    pages = public_pages(north_somerset)
    started = time.monotonic()
    first = client.get("/")
    first_took = time.monotonic() - started
    assert first.status_code == 200
    assert first_took < 2, first_took  # was 5.2 s and then a 500
    started = time.monotonic()
    for url in pages:
        assert client.get(url).status_code == 200, url
    # The outage is known: the rest skip the cache instead of waiting for it again.
    assert time.monotonic() - started < 0.25 * len(pages)


def test_the_outage_is_logged_once_not_per_request(client, north_somerset, refusing, caplog):
    with caplog.at_level(logging.WARNING, logger="explorer.cache"):
        for url in public_pages(north_somerset) * 3:
            client.get(url)
    errors = [r for r in caplog.records if r.name == "explorer.cache"]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert "unavailable" in errors[0].getMessage()
    assert "serving pages uncached" in errors[0].getMessage()


def test_healthz_reports_the_cache_and_stays_up(client, refusing):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith("ok\n")
    assert "database: ok" in body
    assert "cache: unavailable (ConnectionError" in body


def test_healthz_does_not_show_the_redis_password(client, settings):
    use_cache(settings, f"redis://:s3cret-pass@127.0.0.1:{free_port()}/0")
    client.get("/")
    assert "s3cret" not in client.get("/healthz").content.decode()


def test_healthz_says_ok_for_a_local_memory_cache(client):
    body = client.get("/healthz").content.decode()
    assert "cache: ok (LocMemCache)" in body


@pytest.fixture
def redis_server() -> Iterator[tuple[str, callable]]:
    """A real Redis of the test's own, on a free port, which the test may stop and restart."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no"]
    servers: list[subprocess.Popen] = []

    def start() -> None:
        servers.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop() -> None:
        servers[-1].terminate()
        servers[-1].wait(10)

    start()
    yield f"redis://127.0.0.1:{port}/0", start, stop
    for server in servers:
        if server.poll() is None:
            server.terminate()
            server.wait(10)


def test_a_real_redis_stopped_and_restarted(client, north_somerset, settings, redis_server, caplog):
    url, start, stop = redis_server
    use_cache(settings, url, retry_seconds=0.5)
    pages = public_pages(north_somerset)
    assert all(client.get(page).status_code == 200 for page in pages)
    assert cache.get("anything", "missing") == "missing"
    cache.set("marker", "cached")
    assert cache.get("marker") == "cached"
    assert "cache: ok" in client.get("/healthz").content.decode()

    stop()
    with caplog.at_level(logging.WARNING, logger="explorer.cache"):
        assert all(client.get(page).status_code == 200 for page in pages)
        assert "cache: unavailable" in client.get("/healthz").content.decode()
        start()  # an empty Redis: what was cached is gone, which is only a miss
        time.sleep(0.6)
        assert all(client.get(page).status_code == 200 for page in pages)
        cache.set("marker", "cached again")
        assert cache.get("marker") == "cached again"
        assert "cache: ok" in client.get("/healthz").content.decode()
    messages = [r.getMessage() for r in caplog.records if r.name == "explorer.cache"]
    assert len(messages) == 2, messages
    assert "unavailable" in messages[0] and "is back after" in messages[1]
