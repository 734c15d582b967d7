"""The About page: what the explorer holds per framework, the totals, the last import, the
files it could not read (names and reasons only), licences, and a fixed query count."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inspections.importer.service import import_source, store_source
from inspections.models import Authority, Finding, ImportAttempt, Recommendation
from inspections.selectors import coverage

from .conftest import ROOT
from .seeds import ALL, DEVON_2013, NORTH_SOMERSET_2017, import_seeds

pytestmark = pytest.mark.django_db

BAD = ROOT / "fixtures" / "bad"


def reject(name: str, *, stored_as: str | None = None, user=None) -> ImportAttempt:
    """Load one of the fixtures that are not reports through the real importer."""
    source, _ = store_source((BAD / name).read_bytes(), stored_as or name, user=user)
    attempt = import_source(source, user=user)
    assert attempt.outcome == "rejected"
    return attempt


def framework_row(content: str, code: str) -> list[str]:
    """The cells of the coverage table's row for one framework, as text."""
    row = re.search(rf'<tr[^>]*data-framework="{code}"[^>]*>(.*?)</tr>', content, re.S)
    assert row, code
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def test_the_about_url_is_a_contract():
    assert reverse("about") == "/about/"


def test_coverage_counts_authorities_and_reports_per_framework(seeds):
    # A former authority's report counts as a report, not as a current authority.
    devon = Authority.objects.get(slug="devon")
    Authority.objects.filter(pk=devon.pk).update(abolished_on=datetime.date(2020, 1, 1))
    result = coverage()
    assert result.current_authorities == 152  # 153 less the one just abolished
    by_code = {f.code: (f.authorities, f.reports) for f in result.frameworks}
    assert list(by_code)[:3] == ["cra_unannounced", "safeguarding_lac", "protection"]
    assert by_code["protection"] == (1, 2)  # Somerset's and (former) Devon's
    assert by_code["sif"] == (1, 1)
    assert by_code["cra_unannounced"] == (1, 1)
    assert by_code["monitoring_visit"] == (1, 1)
    assert by_code["ilacs"] == (0, 0)
    assert result.authorities_with_reports == 2  # Somerset and North Somerset
    assert result.inspections == 5


def test_totals_count_published_findings_and_recommendations_only(seeds):
    findings = Finding.objects.count()
    recommendations = Recommendation.objects.count()
    Finding.objects.filter(pk=Finding.objects.first().pk).update(is_hidden=True)
    Recommendation.objects.filter(pk=Recommendation.objects.first().pk).update(
        withdrawn_at=timezone.now()
    )
    result = coverage()
    assert (result.findings, result.recommendations) == (findings - 1, recommendations - 1)


def test_the_page_shows_coverage_totals_and_the_last_import(client, seeds):
    response = client.get("/about/")
    assert response.status_code == 200
    content = response.content.decode()
    assert framework_row(content, "protection") == [
        "Inspection of arrangements for the protection of children",
        "protection",
        "2 of 153",
        "2",
    ]
    assert framework_row(content, "ilacs")[2:] == ["0 of 153", "0"]
    assert re.search(r'data-count="inspections">5<', content)
    assert re.search(rf'data-count="findings">{Finding.objects.count()}<', content)
    assert re.search(r'data-count="authorities">3 of 153<', content)
    # The last import is the latest successful attempt, not a later rejection.
    last = ImportAttempt.objects.filter(source_document=seeds[-1].source_document).get()
    ImportAttempt.objects.filter(pk=last.pk).update(
        started_at=datetime.datetime(2024, 3, 9, 12, tzinfo=datetime.UTC)
    )
    ImportAttempt.objects.exclude(pk=last.pk).update(
        started_at=datetime.datetime(2024, 3, 1, 12, tzinfo=datetime.UTC)
    )
    rejected = reject("encrypted.pdf")
    ImportAttempt.objects.filter(pk=rejected.pk).update(
        started_at=datetime.datetime(2025, 1, 1, 12, tzinfo=datetime.UTC)
    )
    content = client.get("/about/").content.decode()
    assert re.search(r'data-count="last-imported"><time datetime="2024-03-09T12:00', content)
    assert "9 March 2024" in content
    assert "Open Government Licence v3.0" in content
    assert "MIT licence" in content
    assert "https://reports.ofsted.gov.uk/" in content


def test_an_empty_explorer_says_nothing_is_imported_yet(client):
    content = client.get("/about/").content.decode()
    assert "No reports have been imported yet." in content
    assert "Every file loaded so far was imported." in content
    assert framework_row(content, "sif")[2:] == ["0 of 153", "0"]


def test_the_page_lists_unreadable_files_by_name_and_reason_only(client):
    import_seeds(NORTH_SOMERSET_2017)
    staff = User.objects.create_user("jane-curator-smith", is_staff=True)
    reject("report-not-found-web-page.pdf", user=staff)
    reject("unrelated-parish-minutes.pdf", stored_as="minutes <script>alert(1)</script>.pdf")
    content = client.get("/about/").content.decode()
    assert "2 files could not be imported" in content
    assert "report-not-found-web-page.pdf" in content
    assert "a saved web page" in content
    assert "minutes &lt;script&gt;alert(1)&lt;/script&gt;.pdf" in content
    assert "<script>" not in content
    assert "jane-curator-smith" not in content
    assert "Refused:" not in content  # the log is for staff


def test_only_the_latest_attempts_first_line_is_shown():
    attempt = reject("encrypted.pdf")
    source = attempt.source_document
    ImportAttempt.objects.create(
        source_document=source,
        outcome="failed",
        error="The importer broke while reading this file.\nTraceback (most recent call last)",
    )
    source.status = "failed"
    source.save()
    (document,) = coverage().unreadable
    assert document.original_name == "encrypted.pdf"
    assert document.status == "failed"
    assert document.error == "The importer broke while reading this file."


def test_a_file_imported_after_a_rejection_is_no_longer_listed():
    attempt = reject("scanned-no-text.pdf")
    assert [d.original_name for d in coverage().unreadable] == ["scanned-no-text.pdf"]
    source = attempt.source_document
    source.status = "imported"
    source.save()
    assert coverage().unreadable == []


def test_the_about_page_answers_get_and_head_only(client):
    assert client.get("/about/").status_code == 200
    assert client.head("/about/").status_code == 200
    assert client.post("/about/").status_code == 405


def test_the_page_keeps_to_a_strict_content_security_policy(client):
    import_seeds(NORTH_SOMERSET_2017)
    reject("encrypted.pdf")
    content = client.get("/about/").content.decode()
    assert "<style" not in content
    assert not re.search(r"\sstyle=", content)
    assert not re.search(r"\son[a-z]+=", content)
    assert not re.search(r"<script(?![^>]*\ssrc=)", content), "an inline script"


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/about/").status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_data(client, django_assert_num_queries):
    import_seeds(DEVON_2013)
    reject("encrypted.pdf")
    few = _queries(client)
    with django_assert_num_queries(7):
        coverage()
    import_seeds(*[name for name in ALL if name != DEVON_2013])
    reject("scanned-no-text.pdf")
    reject("report-not-found-web-page.pdf")
    with django_assert_num_queries(7):
        assert len(coverage().unreadable) == 3
    assert _queries(client) == few
