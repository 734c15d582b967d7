"""Harvesting children's services reports from Ofsted's reports site.

Each authority has a provider page (OFSTED_PROVIDER_URL) listing its publications. Each is
a link of class `publication-link` to a file on Ofsted's file host, whose hidden
description (`span.nonvisual`) names the kind and the publication date, for example:

    <a class="publication-link" href="https://files.ofsted.gov.uk/v1/file/2280443">
      Children's services inspection
      <span class="nonvisual">Children's services inspection, PDF - 16 August 2013</span>
    </a>

Reading the page is pure (parse_provider_page) and stops loudly, quoting what it saw, when
the page is not laid out as expected. The PoliteClient makes one request at a time with a
delay, retries with backoff, and names us in its User-Agent. harvest_authority downloads
only children's services publications it does not hold and imports them through the same
import_source() as the admin and import_reports.
"""

from __future__ import annotations

import datetime
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

from django.conf import settings

from .importer.dates import parse_date
from .importer.report import ImportRefused
from .importer.service import AuthorityResolver, import_source, store_source
from .models import Authority, SourceDocument

USER_AGENT = "ofsted-explorer-harvester/1.0 (children's services inspection explorer; {contact})"

# The kinds of publication that are about children's services, as the descriptions name
# them (lower case). Anything else on a provider page (SEND area inspections, other
# settings' reports) is never fetched.
CHILDRENS_KINDS = (
    "children's services",
    "children's social care",
    "focused visit",
    "monitoring visit",
    "joint targeted area inspection",
    "safeguarding and looked after children",
    "looked after children",
    "protection of children",
    "contact, referral and assessment",
    "local safeguarding children board",
)

# "<kind>, <format> - <d Month yyyy>", with spacing that varies (",  PDF - ").
_DESCRIPTION = re.compile(
    r"^(?P<kind>.+?)\s*,\s*(?P<format>[A-Za-z]+)\s*-\s*(?P<date>\d{1,2} [A-Za-z]+ \d{4})$"
)


class ListingChanged(Exception):
    """The provider page is not laid out as the harvester expects; the message quotes it."""


@dataclass(frozen=True)
class Publication:
    """One publication listed on a provider page."""

    url: str
    kind: str
    file_format: str
    published: datetime.date
    description: str

    @property
    def is_childrens_services(self) -> bool:
        """Whether the kind is one of the children's services reports the explorer holds."""
        kind = self.kind.lower().replace("\u2019", "'")
        return any(cue in kind for cue in CHILDRENS_KINDS)


class _LinkCollector(HTMLParser):
    """Collects (href, hidden description) for each a.publication-link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._spans: list[bool] = []  # for each open span in a link: is it .nonvisual?
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "a" and "publication-link" in classes:
            self._href, self._spans, self._text = dict(attrs).get("href") or "", [], []
        elif tag == "span" and self._href is not None:
            self._spans.append("nonvisual" in classes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._href is not None and self._spans:
            self._spans.pop()
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._href is not None and any(self._spans):
            self._text.append(data)


def parse_provider_page(html: str, page_url: str) -> list[Publication]:
    """The publications a provider page lists. Raises ListingChanged, quoting the page or
    the description, when there are no publication links or a description does not read
    as "<kind>, <format> - <date>"."""
    collector = _LinkCollector()
    collector.feed(html)
    collector.close()
    if not collector.links:
        quoted = " ".join(html.split())[:300]
        raise ListingChanged(
            f"{page_url} has no publication-link elements; the page begins: {quoted!r}"
        )
    publications = []
    for href, description in collector.links:
        found = _DESCRIPTION.match(description)
        try:
            if not found:
                raise ValueError
            published = parse_date(found["date"])  # the importer's one rule for a date
            if published is None:
                raise ValueError
        except ValueError:
            raise ListingChanged(
                f"{page_url}: the description of the link to {href!r} does not read as "
                f"'<kind>, PDF - <d Month yyyy>': {description!r}"
            ) from None
        publications.append(
            Publication(
                url=urljoin(page_url, href),
                kind=found["kind"],
                file_format=found["format"].upper(),
                published=published,
                description=description,
            )
        )
    return publications


class FetchFailed(Exception):
    """A request failed for good: a 4xx answer, or still failing after the retries."""


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to an allowed host: otherwise a file host could send the
    harvester anywhere, past the check on the links themselves."""

    def __init__(self, allowed_hosts: frozenset[str]) -> None:
        super().__init__()
        self.allowed_hosts = allowed_hosts

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        target = urlparse(newurl)
        if target.scheme not in ("http", "https") or (
            (target.hostname or "").lower() not in self.allowed_hosts
        ):
            raise FetchFailed(
                f"{req.full_url} redirected to {newurl}, a host not allowed "
                f"({', '.join(sorted(self.allowed_hosts))}); not followed."
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class PoliteClient:
    """One request at a time, `delay` seconds apart; 5xx answers and broken connections are
    retried after `retry_seconds`, doubled each time, up to `retries` times. With
    `allowed_hosts`, a redirect to any other host fails the request."""

    def __init__(
        self,
        *,
        contact: str,
        delay: float,
        retry_seconds: float,
        retries: int,
        max_bytes: int,
        allowed_hosts: frozenset[str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        handlers = [_CheckedRedirects(allowed_hosts)] if allowed_hosts is not None else []
        self._opener = urllib.request.build_opener(*handlers)
        self.user_agent = USER_AGENT.format(contact=contact)
        self.delay, self.retry_seconds, self.retries = delay, retry_seconds, retries
        self.max_bytes = max_bytes
        self.sleep = sleep
        self.requests: list[str] = []  # every URL requested, in order
        self._last: float | None = None

    def get(self, url: str) -> bytes:
        """The body at url (at most max_bytes + 1 bytes, so an oversized file is known to be
        one without being read whole). Raises FetchFailed."""
        for attempt in range(self.retries + 1):
            self._wait()
            self.requests.append(url)
            request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
            try:
                with self._opener.open(request, timeout=60) as response:
                    return response.read(self.max_bytes + 1)
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    raise FetchFailed(f"{url} answered {error.code} {error.reason}.") from None
                problem = f"{url} answered {error.code} {error.reason}"
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                problem = f"{url} could not be reached ({getattr(error, 'reason', error)})"
            finally:
                self._last = time.monotonic()
            if attempt < self.retries:
                self.sleep(self.retry_seconds * 2**attempt)
        raise FetchFailed(f"{problem}, {self.retries + 1} times.")

    def _wait(self) -> None:
        # The delay counts from the end of the previous request, whatever it was.
        if self._last is not None:
            remaining = self.delay - (time.monotonic() - self._last)
            if remaining > 0:
                self.sleep(remaining)


def client_from_settings() -> PoliteClient:
    """A PoliteClient configured by the HARVEST_* settings."""
    return PoliteClient(
        contact=settings.HARVEST_CONTACT,
        delay=settings.HARVEST_DELAY_SECONDS,
        retry_seconds=settings.HARVEST_RETRY_SECONDS,
        retries=settings.HARVEST_RETRIES,
        max_bytes=settings.IMPORT_MAX_BYTES,
        allowed_hosts=frozenset(
            [
                *settings.OFSTED_FILE_HOSTS,
                (urlparse(settings.OFSTED_PROVIDER_URL).hostname or "").lower(),
            ]
        ),
    )


@dataclass
class HarvestResult:
    """What one run did, file by file."""

    new: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)  # SourceDocument ids awaiting review
    messages: list[str] = field(default_factory=list)  # warnings and failures, for stderr

    def summary(self) -> str:
        """The one line a run ends with."""
        return (
            f"{len(self.new)} new, {len(self.unchanged)} unchanged, "
            f"{len(self.failed)} failed files."
        )


def harvest_authority(
    authority: Authority,
    client: PoliteClient,
    result: HarvestResult,
    *,
    resolver: AuthorityResolver,
    tagger,
    review: bool,
) -> None:
    """Read an authority's provider page and fetch and import the children's services
    publications not yet held. Raises ListingChanged when the page is not as expected."""
    page_url = authority.ofsted_url
    try:
        html = client.get(page_url).decode("utf-8", errors="replace")
    except FetchFailed as error:
        result.failed.append(page_url)
        result.messages.append(f"{authority}: {error}")
        return
    for publication in parse_provider_page(html, page_url):
        if not publication.is_childrens_services:
            continue  # never fetched
        url = publication.url
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or (
            (parsed.hostname or "").lower() not in settings.OFSTED_FILE_HOSTS
        ):
            result.messages.append(
                f"Warning: {authority}: refused {url}: not on OFSTED_FILE_HOSTS "
                f"({', '.join(settings.OFSTED_FILE_HOSTS)})."
            )
            continue
        if publication.file_format != "PDF":
            result.messages.append(
                f"Warning: {authority}: skipped {url}, a {publication.file_format} "
                f"({publication.description!r}); only PDFs are imported."
            )
            continue
        if SourceDocument.objects.filter(source_url=url).exists():
            result.unchanged.append(url)  # held: not fetched again
            continue
        _fetch_and_import(publication, client, result, resolver, tagger, review)


def _fetch_and_import(publication, client, result, resolver, tagger, review) -> None:
    url = publication.url
    try:
        data = client.get(url)
        name = urlparse(url).path.rstrip("/").rsplit("/", 1)[-1] or "ofsted-report"
        source, stored_now = store_source(data, f"{name}.pdf")
    except (FetchFailed, ImportRefused) as error:
        result.failed.append(url)
        result.messages.append(f"{url}: {error}")
        return
    # Recorded even on a file already held by content (uploaded by hand), so the next run
    # knows it by its address and does not download it again.
    updates = {"source_url": url}
    if source.listed_published_date is None:
        updates["listed_published_date"] = publication.published
    changed = [name for name, value in updates.items() if getattr(source, name) != value]
    for name in changed:
        setattr(source, name, updates[name])
    if changed:
        source.save(update_fields=changed)
    if not stored_now:
        result.unchanged.append(url)
        if source.status != SourceDocument.Status.PENDING and "listed_published_date" in changed:
            import_source(source, resolver=resolver, tagger=tagger)  # to use the listing's date
        return
    if review:
        result.new.append(url)
        result.pending.append(source.pk)
        return
    attempt = import_source(source, resolver=resolver, tagger=tagger)
    if attempt.outcome in ("rejected", "failed"):
        result.failed.append(url)
        result.messages.append(f"{url}: {attempt.outcome}: {attempt.error}")
    else:
        result.new.append(url)
