"""Property: no address and no query string makes the public site answer 500.

Hypothesis throws hostile values at every public URL pattern (enumerated from the
resolver, so new pages are covered) and at every filter parameter of the listings (read
from their FilterSets, so new filters are covered): SQL fragments, huge and negative
numbers, NUL and other control characters, lone surrogates and broken UTF-8 as percent
escapes, very long values, repeated parameters, path segments with dots and unicode.

Each test imports the seed reports once and sends every example to that same database:
the public site never writes, so examples cannot disturb one another.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from inspections.filters import (
    AuthorityFilterSet,
    FindingFilterSet,
    InspectionFilterSet,
    RecommendationFilterSet,
)
from inspections.vocabulary import AREAS, FRAMEWORKS, GRADES

from .public_urls import public_patterns
from .seeds import ALL, import_seeds

pytestmark = pytest.mark.django_db

# Enough examples to find the classes of failure, few enough that the file takes under a
# minute on SQLite. No example database: nothing is written to the checkout.
CI = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

LISTINGS = {
    "/findings/": FindingFilterSet,
    "/recommendations/": RecommendationFilterSet,
    "/authorities/": AuthorityFilterSet,
    "/inspections/": InspectionFilterSet,
    "/feeds/inspections/": InspectionFilterSet,  # the same filters as /inspections/
}
# Parameters of one response rather than of the filtered set, and names no page knows.
EXTRA_PARAMETERS = [
    "page",
    "format",
    "rows",
    "sort",
    "order",
    "limit",
    "id",
    "",
    "q[]",
    "theme[0]",
]

HOSTILE = [
    "' OR 1=1 --",
    '" OR ""="',
    "1; DROP TABLE inspections_finding; --",
    "%",
    "_",
    "\\",
    "%%",
    "\x00",
    "a\x00b",
    "NULL",
    "None",
    "-1",
    "0",
    "1e308",
    "NaN",
    "9" * 40,
    "-" + "9" * 40,
    "0x10",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "${jndi:ldap://x}",
    "\u202e\u200b\ufeff",
    "ß",
    "İ",
    "🙂" * 50,
    "E12000009",
    "csv",
    "json",
    "xml",
]
# Raw pieces of a query string: escapes that are broken, truncated, or decode to bytes
# that are not UTF-8 (a lone surrogate's bytes among them).
RAW_ESCAPES = ["%", "%G1", "%%", "%E2%82", "%ED%A0%80", "%FF%FE", "%C0%AF", "%00", "+", "&&", "=="]


def known_values() -> list[str]:
    """Valid codes and names, so that hostile values also meet working filters."""
    return [
        *GRADES,
        *AREAS,
        *FRAMEWORKS,
        "none",
        "authority",
        "lscb",
        "neglect",
        "missing",
        "north-somerset",
        "somerset",
        "south-west",
        "2013",
        "2017",
        "1",
        "2",
        "name",
        "-grade",
        "child",
        "judgements",
        "inspections",
    ]


def encoded(text: str) -> str:
    """Percent-encode any text, lone surrogates included (as the bytes they would be)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


values = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(known_values()),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=30),
    st.text(st.characters(codec=None, categories=["Cs", "Cc", "Co", "Zs", "So"]), max_size=10),
    st.builds(lambda c, n: c * n, st.characters(), st.integers(200, 6000)),
).map(encoded)


def parameter_names(filterset) -> list[str]:
    return [*filterset.base_filters, *EXTRA_PARAMETERS]


def query_strings(names: list[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(st.sampled_from(names).map(encoded), values).map("=".join)
    piece = st.one_of(pair, pair, pair, st.sampled_from(RAW_ESCAPES))
    return st.lists(piece, max_size=12).map("&".join)


segment_values = st.one_of(
    st.sampled_from(
        [".", "..", "%2e%2e", "...", "-", "a.b", "..%2f..", "%2F", "%00", "%ED%A0%80", "%FF"]
    ),
    st.sampled_from(HOSTILE).map(encoded),
    st.text(min_size=1, max_size=40).map(encoded),
    st.text(st.characters(codec=None), min_size=1, max_size=5).map(encoded),
    st.builds(lambda n: "a" * n, st.integers(100, 3000)),
)


def addresses() -> st.SearchStrategy[str]:
    """A public pattern with each argument replaced by a hostile path segment."""

    def build(pattern: URLPattern, draw_segment) -> str:
        route = str(pattern.pattern)
        for _argument in pattern.pattern.converters:
            start = route.index("<")
            end = route.index(">", start)
            route = route[:start] + draw_segment() + route[end + 1 :]
        return "/" + route

    @st.composite
    def address(draw) -> str:
        pattern = draw(st.sampled_from(public_patterns()))
        path = build(pattern, lambda: draw(segment_values))
        if draw(st.booleans()):
            path += "?" + draw(query_strings([*EXTRA_PARAMETERS, "q", "theme", "v", "a", "b"]))
        return path

    return address()


def assert_answers_without_error(client: Client, url: str) -> None:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    event(f"status {response.status_code}")  # shown by --hypothesis-show-statistics
    assert response.status_code < 500, url
    assert b"Traceback" not in body, url


@pytest.fixture
def client_with_seeds(client):
    import_seeds(*ALL)
    return client


@pytest.mark.parametrize("path", list(LISTINGS))
@CI
@given(query=st.data())
def test_no_filter_value_gives_a_500(client_with_seeds, path, query):
    url = f"{path}?{query.draw(query_strings(parameter_names(LISTINGS[path])))}"
    assert_answers_without_error(client_with_seeds, url)


@CI
@given(url=addresses())
def test_no_address_gives_a_500(client_with_seeds, url):
    assert_answers_without_error(client_with_seeds, url)


def test_the_strategies_reach_every_pattern_and_parameter():
    """The properties above mean something only if they reach every page and filter."""
    names = {pattern.name for pattern in public_patterns()}
    assert {"finding-list", "authority-detail", "finding-detail", "healthz"} <= names
    assert {"theme", "grade", "year", "framework", "region", "authority", "q"} <= set(
        parameter_names(FindingFilterSet)
    )
    assert {"addressee", "timescale"} <= set(parameter_names(RecommendationFilterSet))
    assert {"region", "latest_grade", "name", "sort"} <= set(parameter_names(AuthorityFilterSet))
    assert {"framework", "year", "grade", "area", "area_grade", "region", "authority"} <= set(
        parameter_names(InspectionFilterSet)
    )
    assert {"inspection-list", "feed-inspections"} <= names
    assert encoded("\ud800") == "%ED%A0%80"
