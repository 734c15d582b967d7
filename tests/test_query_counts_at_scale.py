"""Every public page type makes the same number of queries at 10 and at 1,000 findings.

The data grows with generate_corpus (on top of the real seed reports). Each page is asked
for about a subject that has rows of every kind it shows at both sizes (the synthetic SIF
inspection with findings, recommendations and evidence links), so a query per row, or per
inspection, shows up as a difference.
"""

from __future__ import annotations

from contextlib import ExitStack
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks import synthetic
from inspections import freshness
from inspections.models import DataVersion, Finding

from . import seeds

pytestmark = pytest.mark.django_db


def _subject_urls() -> dict[str, str]:
    """One URL per public page type, about synthetic records that have everything."""
    inspection = (
        synthetic.synthetic_inspections()
        .filter(framework="sif", recommendations__evidence__isnull=False)
        .distinct()
        .order_by("pk")
        .first()
    )
    recommendation = inspection.recommendations.filter(evidence__isnull=False).first()
    finding = (
        Finding.objects.filter(inspection=inspection, themes__isnull=False).order_by("pk").first()
    )
    theme = finding.themes.order_by("slug").first()
    word = max(finding.text.split(), key=len).strip(".,;:()’'")
    filters = urlencode(
        {
            "theme": theme.slug,
            "grade": inspection.overall_grade,
            "year": inspection.start_date.year,
            "q": word,
        }
    )
    previous = (
        inspection.authority.inspections.filter(start_date__lt=inspection.start_date)
        .order_by("-start_date")
        .first()
    )
    authority = inspection.authority.slug
    return {
        "home": "/",
        "authority list": "/authorities/",
        "authority detail": inspection.authority.get_absolute_url(),
        "inspection detail": inspection.get_absolute_url(),
        "findings list": f"/findings/?{filters}",
        "inspection list": "/inspections/?"
        + urlencode({"framework": "sif", "area_grade": inspection.overall_grade}),
        "inspections download": "/inspections/?format=csv",
        "judgements download": "/inspections/?format=json&rows=judgements",
        "latest grades download": "/authorities/?format=csv",
        "recommendations list": f"/recommendations/?theme={theme.slug}",
        "subjects raised again": "/follow-through/",
        "subjects filtered": "/follow-through/?"
        + urlencode({"year": inspection.start_date.year, "framework": "sif"}),
        "follow-through links download": "/follow-through/?format=csv",
        "finding permalink": finding.get_absolute_url(),
        "recommendation permalink": recommendation.get_absolute_url(),
        "theme list": "/themes/",
        "theme detail": reverse("theme-detail", kwargs={"slug": theme.slug}),
        "inspection comparison": reverse(
            "inspection-comparison",
            kwargs={"slug": authority, "first": previous.slug, "second": inspection.slug},
        ),
        "comparison choice": reverse("authority-compare", kwargs={"slug": authority}),
        "authority neighbours": reverse("authority-neighbours", kwargs={"slug": authority}),
        "authority neighbours on a theme": reverse(
            "authority-neighbours-theme", kwargs={"slug": authority, "theme": theme.slug}
        ),
    }


def _query_counts(client) -> dict[str, int]:
    counts = {}
    for page, url in _subject_urls().items():
        cache.clear()  # the page built anew, not served from the cache
        with ExitStack() as stack:
            captured = [
                stack.enter_context(CaptureQueriesContext(connections[alias]))
                for alias in connections
            ]
            response = client.get(url)
            if response.streaming:  # a download's rows are read as it is sent
                b"".join(response.streaming_content)
        assert response.status_code == 200, (page, url, response.status_code)
        counts[page] = sum(len(c.captured_queries) for c in captured)
    return counts


@pytest.mark.parametrize("cells", ["counted after the change", "not yet counted"])
def test_each_page_makes_the_same_queries_at_10_and_at_1000_findings(client, cells):
    seeds.import_seeds(*seeds.ALL)

    def changed() -> None:
        # As the change's commit would: the listing cells counted for it, or (a rebuild
        # still to come) the listings counting their rows meanwhile.
        freshness.record_change_now()
        if cells == "not yet counted":
            DataVersion.objects.update(version=F("version") + 1)
        assert freshness.current().cells_are_current == (cells == "counted after the change")

    call_command("generate_corpus", findings=10, recommendations=3, seed=1, verbosity=0)
    changed()
    small = _query_counts(client)
    call_command(
        "generate_corpus", clear=True, findings=1000, recommendations=100, seed=1, verbosity=0
    )
    changed()
    large = _query_counts(client)

    assert Finding.objects.filter(inspection__in=synthetic.synthetic_inspections()).count() == 1000
    differences = {page: (small[page], large[page]) for page in small if small[page] != large[page]}
    assert not differences, f"queries at 10 and at 1,000 findings: {differences}"
