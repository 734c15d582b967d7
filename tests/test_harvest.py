"""manage.py harvest_ofsted against a local copy of Ofsted's site: pages in the reports
site's structure (tests/fixtures/ofsted/) and a real report PDF as the file. Never the
real site."""

import datetime
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from inspections.harvest import PoliteClient, parse_provider_page
from inspections.importer.service import import_source, store_source
from inspections.models import Inspection, SourceDocument

from .conftest import REPORTS, ROOT

pytestmark = pytest.mark.django_db

PAGES = ROOT / "tests" / "fixtures" / "ofsted"
BRISTOL_URN = 80441
REPORT_PATH = "/v1/file/50219873"  # Bristol's ILACS report: it prints no publication date
SEND_PATH = "/v1/file/50100001"  # not about children's services


class FakeOfsted:
    """A local HTTP server standing in for both of Ofsted's hosts; records every request."""

    def __init__(self) -> None:
        self.routes: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.user_agents: list[str] = []
        self.failures: dict[str, int] = {}  # path -> how many 503s to answer first
        self.redirects: dict[str, str] = {}  # path -> where it redirects
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # http.server calls it by this name
                fake.requests.append(self.path)
                fake.user_agents.append(self.headers.get("User-Agent", ""))
                if fake.failures.get(self.path, 0) > 0:
                    fake.failures[self.path] -= 1
                    self.send_error(503)
                    return
                if self.path in fake.redirects:
                    self.send_response(302)
                    self.send_header("Location", fake.redirects[self.path])
                    self.end_headers()
                    return
                body = fake.routes.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def page(self, fixture: str) -> None:
        """Serve a fixture as Bristol's provider page, its links pointing here."""
        html = (PAGES / fixture).read_text()
        html = html.replace("{files}", self.host).replace("{elsewhere}", "elsewhere.invalid")
        self.routes[f"/provider/44/{BRISTOL_URN}"] = html.encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ofsted(settings):
    fake = FakeOfsted()
    fake.page("provider_bristol.html")
    fake.routes[REPORT_PATH] = (REPORTS / "ilacs_bristol_2023.pdf").read_bytes()
    fake.routes[SEND_PATH] = b"%PDF-1.4 not ours"
    settings.OFSTED_PROVIDER_URL = f"http://{fake.host}/provider/44/{{urn}}"
    settings.OFSTED_FILE_HOSTS = ["127.0.0.1"]
    settings.HARVEST_DELAY_SECONDS = 0
    settings.HARVEST_RETRY_SECONDS = 0
    settings.HARVEST_CONTACT = "harvest@example.org"
    settings.HARVEST_REVIEW = False
    yield fake
    fake.close()


def harvest(*slugs: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    args = [arg for slug in slugs for arg in ("--authority", slug)]
    call_command("harvest_ofsted", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_new_report_is_downloaded_and_imported_with_the_listings_date(ofsted):
    out, _ = harvest("bristol-city-of")
    assert out.strip().endswith("1 new, 0 unchanged, 0 failed files.")
    source = SourceDocument.objects.get()
    assert source.source_url == f"http://{ofsted.host}{REPORT_PATH}"
    assert source.listed_published_date == datetime.date(2023, 7, 14)
    inspection = Inspection.objects.get()
    assert inspection.authority.slug == "bristol-city-of"
    assert inspection.framework == "ilacs"
    assert inspection.published_date == datetime.date(2023, 7, 14)
    assert inspection.published_date_source == "ofsted_listing"
    assert ofsted.user_agents
    assert all(
        "harvest@example.org" in agent and "ofsted-explorer" in agent
        for agent in ofsted.user_agents
    )


def test_a_second_run_fetches_no_file_and_reports_it_unchanged(ofsted):
    harvest("bristol-city-of")
    ofsted.requests.clear()
    out, _ = harvest("bristol-city-of")
    assert ofsted.requests == [f"/provider/44/{BRISTOL_URN}"]  # the page only
    assert out.strip().endswith("0 new, 1 unchanged, 0 failed files.")
    assert SourceDocument.objects.count() == 1


def test_a_publication_not_about_childrens_services_is_never_requested(ofsted):
    harvest("bristol-city-of")
    assert SEND_PATH not in ofsted.requests
    assert ofsted.requests == [f"/provider/44/{BRISTOL_URN}", REPORT_PATH]


def test_a_link_to_another_host_is_refused_with_a_warning(ofsted):
    _, err = harvest("bristol-city-of")
    assert "refused http://elsewhere.invalid/v1/file/50000002" in err
    assert not SourceDocument.objects.filter(source_url__contains="elsewhere").exists()


@pytest.mark.parametrize(
    "fixture, quoted",
    [
        ("provider_without_links.html", "no publication-link elements"),
        (
            "provider_unreadable_description.html",
            "Children's services inspection (published 14/07/2023)",
        ),
    ],
)
def test_a_changed_page_fails_quoting_what_it_saw(ofsted, fixture, quoted):
    ofsted.page(fixture)
    with pytest.raises(CommandError) as failure:
        harvest("bristol-city-of")
    assert quoted in str(failure.value)
    assert REPORT_PATH not in ofsted.requests


def test_a_503_is_retried_then_the_file_is_fetched(ofsted):
    ofsted.failures[REPORT_PATH] = 2
    out, _ = harvest("bristol-city-of")
    assert ofsted.requests.count(REPORT_PATH) == 3
    assert out.strip().endswith("1 new, 0 unchanged, 0 failed files.")


def test_a_file_still_failing_after_the_retries_is_counted_and_fetched_next_time(ofsted, settings):
    settings.HARVEST_RETRIES = 1
    ofsted.failures[REPORT_PATH] = 5
    with pytest.raises(CommandError, match="1 files failed"):
        harvest("bristol-city-of")
    assert ofsted.requests.count(REPORT_PATH) == 2
    ofsted.failures.clear()
    out, _ = harvest("bristol-city-of")
    assert out.strip().endswith("1 new, 0 unchanged, 0 failed files.")


def test_with_review_on_a_harvested_report_waits_with_its_date(ofsted, settings):
    settings.HARVEST_REVIEW = True
    out, _ = harvest("bristol-city-of")
    assert "1 files await review" in out
    source = SourceDocument.objects.get()
    assert source.status == SourceDocument.Status.PENDING
    assert source.listed_published_date == datetime.date(2023, 7, 14)
    assert not Inspection.objects.exists()


def test_every_current_authority_is_harvested_without_naming_one(ofsted, settings):
    settings.HARVEST_RETRIES = 0
    with pytest.raises(CommandError, match="files failed"):
        harvest()  # the other authorities' pages answer 404 here
    assert f"/provider/44/{BRISTOL_URN}" in ofsted.requests
    assert len([r for r in ofsted.requests if r.startswith("/provider/")]) > 100


def test_without_a_contact_address_it_refuses_to_run(ofsted, settings):
    settings.HARVEST_CONTACT = ""
    with pytest.raises(CommandError, match="HARVEST_CONTACT"):
        harvest("bristol-city-of")
    assert ofsted.requests == []


def test_descriptions_read_with_varied_spacing():
    html = (PAGES / "provider_bristol.html").read_text()
    publications = parse_provider_page(html, "https://reports.ofsted.gov.uk/provider/44/1")
    assert [(p.kind, p.published, p.is_childrens_services) for p in publications] == [
        ("Children's services inspection", datetime.date(2023, 7, 14), True),
        ("Area SEND inspection", datetime.date(2023, 3, 3), False),
        ("Focused visit", datetime.date(2021, 5, 2), True),
    ]


def test_a_file_already_held_by_content_is_linked_to_its_address_and_dated(ofsted):
    pdf = REPORTS / "ilacs_bristol_2023.pdf"
    source, _ = store_source(pdf.read_bytes(), pdf.name)  # uploaded by hand earlier
    import_source(source)
    assert Inspection.objects.get().published_date_source == ""
    out, _ = harvest("bristol-city-of")
    assert out.strip().endswith("0 new, 1 unchanged, 0 failed files.")
    source.refresh_from_db()
    assert source.source_url == f"http://{ofsted.host}{REPORT_PATH}"
    inspection = Inspection.objects.get()
    assert (inspection.published_date, inspection.published_date_source) == (
        datetime.date(2023, 7, 14),
        "ofsted_listing",
    )
    ofsted.requests.clear()
    harvest("bristol-city-of")
    assert REPORT_PATH not in ofsted.requests  # known by its address now


def test_requests_are_spaced_by_the_delay_and_retries_back_off(ofsted):
    waits: list[float] = []
    client = PoliteClient(
        contact="harvest@example.org",
        delay=2,
        retry_seconds=5,
        retries=3,
        max_bytes=1000,
        sleep=waits.append,
    )
    ofsted.failures[SEND_PATH] = 2
    client.get(f"http://{ofsted.host}{SEND_PATH}")
    # 503, wait 5; 503, wait 10; then the delay before each retry and the success.
    backoffs = [w for w in waits if w >= 4]
    assert backoffs == [5, 10]
    delays = [w for w in waits if w < 4]
    assert len(delays) == 2 and all(1.5 < w <= 2 for w in delays)


def test_a_redirect_to_another_host_is_not_followed(ofsted):
    # "localhost" is this same server, under a name OFSTED_FILE_HOSTS does not allow.
    port = ofsted.server.server_port
    ofsted.redirects[REPORT_PATH] = f"http://localhost:{port}/v1/file/elsewhere"
    err = StringIO()
    with pytest.raises(CommandError, match="1 files failed"):
        call_command("harvest_ofsted", "--authority", "bristol-city-of", stderr=err)
    assert "redirected to http://localhost" in err.getvalue()
    assert "/v1/file/elsewhere" not in ofsted.requests
    assert not Inspection.objects.exists()
