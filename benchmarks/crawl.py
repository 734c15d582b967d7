"""A crawler's walk of the public site, for scripts/benchmark_web's crawl scenario.

`gather` finds distinct public URLs the way a crawler does: from the home page, the
listings and searches for a fixed word list, it follows every link on the pages it reads
(facet toggles, page links, authority, inspection, theme and record pages), level by level,
taking a seeded sample of each level so that the mix is not only the first page's facets.
`walk` then requests each URL once, a few at a time, and times it.

Plain HTTP over loopback (urllib, threads): nothing here imports the project.
"""

from __future__ import annotations

import random
import statistics
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

START = (
    "/",
    "/findings/",
    "/recommendations/",
    "/inspections/",
    "/authorities/",
    "/themes/",
    "/about/",
)
# Searches a visitor types: common words (tens of thousands of matches at 1M findings),
# phrases and rarer words.
WORDS = (
    "supervision",
    "neglect",
    "assessment",
    "plans",
    "management oversight",
    "return home interviews",
    "missing",
    "exploitation",
    "care leavers",
    "placement stability",
    "thresholds",
    "early help",
    "domestic abuse",
    "private fostering",
    "advocacy",
    "chronologies",
    "caseloads",
    "recruitment",
    "LADO",
    "disabled children",
    "pathway plans",
    "strategy meetings",
    "child protection conferences",
    "permanence",
    "sufficiency",
)
# What a crawler is asked not to fetch (robots.txt) or cannot: downloads, the admin, files.
SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/healthz")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _public_path(href: str, page: str) -> str | None:
    """The site path `href` on `page` leads to, or None when a crawler would not fetch it."""
    parts = urlsplit(urljoin(page, href))
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != "x"):
        return None
    if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith((".pdf", ".csv", ".json")):
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "format" for name, _ in query):
        return None  # a download: robots.txt disallows it
    return parts.path + (f"?{urlencode(query)}" if query else "")


def fetch(base: str, path: str, timeout: float = 120.0) -> tuple[int, bytes, float]:
    """GET `path`: its status, body and seconds."""
    request = urllib.request.Request(
        base + path, headers={"X-Forwarded-Proto": "https", "User-Agent": "benchmark-crawler"}
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        body, status = b"", 0
    return status, body, time.perf_counter() - started


def gather(base: str, limit: int, *, seed: int = 1, concurrency: int = 8) -> list[str]:
    """At least `limit` distinct public paths (if the site has them), as a crawler finds
    them from START and a search for each of WORDS on both text listings."""
    rng = random.Random(seed)
    searches = [f"/{listing}/?{urlencode({'q': word})}" for word in WORDS
                for listing in ("findings", "recommendations")]  # fmt: skip
    found: list[str] = []
    seen: set[str] = set()
    level = [*START, *searches]
    for path in level:
        seen.add(path)
        found.append(path)
    while level and len(found) < limit:
        with ThreadPoolExecutor(concurrency) as pool:
            pages = list(pool.map(lambda p: (p, fetch(base, p)), level))
        following: list[str] = []
        for page, (status, body, _) in pages:
            if status != 200 or b"<html" not in body[:2000].lower():
                continue
            links = _Links()
            links.feed(body.decode("utf-8", "replace"))
            for href in links.hrefs:
                path = _public_path(href, "http://x" + page)
                if path is not None and path not in seen:
                    seen.add(path)
                    following.append(path)
        rng.shuffle(following)
        # Half of what is left to find from this level; the rest from the next.
        take = following[: max((limit - len(found) + 1) // 2, min(len(following), 50))]
        if len(found) + len(take) >= limit:
            take = following[: limit - len(found)]
        found.extend(take)
        level = take
    return found


@dataclass
class Request:
    path: str
    status: int
    seconds: float


def walk(base: str, paths: Iterable[str], *, concurrency: int = 8) -> list[Request]:
    """Request each of `paths` once, `concurrency` at a time, in the order given."""
    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(lambda p: Request(p, *_timed(base, p)), paths))


def _timed(base: str, path: str) -> tuple[int, float]:
    status, _, seconds = fetch(base, path)
    return status, seconds


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def summary(requests: list[Request]) -> dict:
    """p50, p95, p99, max (seconds), errors (not 2xx) and requests/s of a walk."""
    seconds = [r.seconds for r in requests]
    return {
        "n": len(requests),
        "p50": statistics.median(seconds),
        "p95": percentile(seconds, 0.95),
        "p99": percentile(seconds, 0.99),
        "max": max(seconds),
        "errors": sum(1 for r in requests if not 200 <= r.status < 300),
        "over_2s": sum(1 for s in seconds if s > 2),
    }


def kind_of(path: str) -> str:
    """The page type of `path`, for grouping the figures."""
    parts = urlsplit(path)
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return "home"
    head = segments[0]
    if head in ("findings", "recommendations", "inspections") and len(segments) == 1:
        query = dict(parse_qsl(parts.query))
        if "q" in query:
            return f"{head} search"
        if "page" in query and len(query) == 1:
            return f"{head} page"
        return f"{head} list" if query else f"{head} list (all)"
    if head in ("findings", "recommendations"):
        return f"{head[:-1]} permalink"
    if head == "inspections":
        return "inspection page"
    if head == "authorities":
        return "authority list" if len(segments) == 1 else "authority pages"
    if head == "themes":
        return "theme list" if len(segments) == 1 else "theme page"
    return head


def grouped(requests: list[Request]) -> dict[str, dict]:
    """The walk's summary per page type."""
    kinds: dict[str, list[Request]] = {}
    for request in requests:
        kinds.setdefault(kind_of(request.path), []).append(request)
    return {kind: summary(group) for kind, group in sorted(kinds.items())}


Mapper = Callable[[str], str | None]
