"""When the public data last changed, when reports were last imported, and how new they are.

The public pages' HTTP validators (ETag, Last-Modified: inspections.public_site) and the
"data last updated" line in every page (context_processors.freshness: the newest report's
publication date, kept on the same row) read `current()`: one primary-key lookup, done
once per request and kept on the request.

What marks a change (`mark_changed`):
- an import that changed anything: importer/save.py calls `mark_changed(imported=True)`;
- any save, delete or many-to-many change of a public record through the ORM, such as a
  curator's correction or an admin action: the signals `connect_signals()` connects at
  start-up;
- code that writes public records without signals (QuerySet.update, bulk_create: the
  generate_corpus command, say) must call `mark_changed()` itself.

Inside a transaction the row is written once, after the commit: a long import holds no
lock on it, and a change that is rolled back marks nothing.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import F, Max
from django.db.models.functions import Now
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest
from django.utils import timezone

from . import listing_cells
from .models import (
    DataVersion,
    ImportAttempt,
    Inspection,
    ListingCell,
    LoginAttempts,
    SourceDocument,
    ThemeModel,
)

# Records that are not public: loading a file for review changes no public page.
# Nor does a new theme model until records are tagged with it (which marks a change).
# Nor do the listing cells, which are counted from the public records after each change.
NOT_PUBLIC = (DataVersion, ImportAttempt, ListingCell, LoginAttempts, SourceDocument, ThemeModel)
_REQUEST_ATTRIBUTE = "_data_freshness"


@cache
def release_id() -> str:
    """What identifies the deployed code in ETags and cache keys: a deploy never yields a
    stale 304 or a page cached by the release before.

    RELEASE_ID if set (a commit hash, say); otherwise a digest of the templates, the
    Python code and the static files' manifest, the same on every server of one release.
    """
    if settings.RELEASE_ID:
        return settings.RELEASE_ID
    digest = hashlib.sha256(django.get_version().encode())
    base = Path(settings.BASE_DIR)
    files = [
        path
        for folder in ("templates", "inspections", "explorer")
        for path in (base / folder).rglob("*")
        if path.suffix in {".py", ".html", ".txt", ".xml"} and path.is_file()
    ]
    files.append(Path(settings.STATIC_ROOT) / "staticfiles.json")
    for path in sorted(files):
        if path.is_file():
            # Names relative to the checkout, which may live in a different place per server.
            digest.update(path.as_posix().removeprefix(base.as_posix()).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Freshness:
    """The state of the public data: a change counter, when it last changed, and the newest
    report's publication date."""

    version: int
    changed_at: datetime.datetime | None
    imported_at: datetime.datetime | None
    newest_published_date: datetime.date | None = None
    cells_version: int = 0  # the version the listing cells were counted at

    @property
    def cells_are_current(self) -> bool:
        """Whether the listing cells count the data as it is now (listing_cells)."""
        return self.version > 0 and self.cells_version == self.version

    @property
    def cache_key(self) -> str:
        """Names this state, and the release, in cache keys: what is cached under it is stale
        once the data changes, and a deploy never serves pages or objects an earlier release
        cached (old markup, or pickles of classes that have since changed)."""
        return f"{release_id()}|{self.version}@{self.changed_at}"


def data_identity(request: HttpRequest | None, *parts: str) -> str:
    """Names something built from the public data: the release and the data's state, then
    `parts`, which must name everything else it depends on (a listing's filters, a page's
    address). What is cached under it is stale once the data changes or a release is
    deployed. Every cache of public data is keyed by one (cache_key)."""
    return "|".join([current(request).cache_key, *parts])


def page_identity(request: HttpRequest, address: str) -> str:
    """Everything a public page's body depends on, named once for both the HTTP validators
    (inspections.public_site's ETag) and the page cache (views/caching.py): the data's
    identity, the day (citations say "accessed on" it, and it changes at midnight here,
    not in UTC) and the page's absolute `address` (pages print it)."""
    return data_identity(request, timezone.localdate().isoformat(), address)


def cache_key(kind: str, identity: str) -> str:
    """A cache key of bounded length for what `identity` names (data_identity)."""
    return f"{kind}:{hashlib.sha256(identity.encode()).hexdigest()[:40]}"


# Before the first change is recorded (the row is made by a migration; a test that
# empties every table removes it).
UNKNOWN = Freshness(version=0, changed_at=None, imported_at=None)


def current(request: HttpRequest | None = None) -> Freshness:
    """The public data's state: one query, or none when `request` already knows it."""
    if request is not None:
        known = getattr(request, _REQUEST_ATTRIBUTE, None)
        if known is not None:
            return known
    rows = list(
        DataVersion.objects.filter(pk=DataVersion.SINGLETON_ID).values_list(
            "version", "changed_at", "imported_at", "newest_published_date", "cells_version"
        )
    )
    state = Freshness(*rows[0]) if rows else UNKNOWN
    if request is not None:
        setattr(request, _REQUEST_ATTRIBUTE, state)
    return state


def mark_changed(*, imported: bool = False, using: str | None = None) -> None:
    """Record that public data changed (and, with `imported`, that a report was imported).

    Call it after writing public records in ways that send no signals (bulk_create,
    QuerySet.update). Inside a transaction it takes effect on commit, once however often
    it is called.
    """
    alias = using or router.db_for_write(DataVersion)
    connection = connections[alias]
    if not connection.in_atomic_block:
        _write(alias, imported)
        return
    # `run_on_commit` is Django's list of this transaction's pending callbacks (it drops
    # those of a rolled-back savepoint): one pending mark serves every later call.
    for _savepoints, pending, *_ in connection.run_on_commit:
        if isinstance(pending, _PendingMark) and pending.alias == alias:
            pending.imported |= imported
            return
    transaction.on_commit(_PendingMark(alias, imported), using=alias)


def record_change_now(*, imported: bool = False, using: str | None = None) -> None:
    """Record a change at once, even inside a transaction, and count the listing cells
    for it: for data written where no commit will follow (the tests' shared seeds)."""
    _write(using or router.db_for_write(DataVersion), imported)


class _PendingMark:
    """A mark waiting for its transaction's commit; later calls may make it an import."""

    def __init__(self, alias: str, imported: bool) -> None:
        self.alias = alias
        self.imported = imported

    def __call__(self) -> None:
        _write(self.alias, self.imported)


def newest_published_date(alias: str) -> datetime.date | None:
    """The newest publication date of any inspection (None when none has one)."""
    return Inspection.objects.using(alias).aggregate(newest=Max("published_date"))["newest"]


def _write(alias: str, imported: bool) -> None:
    # Read on every change, not only imports: a curator may correct a publication date.
    newest = newest_published_date(alias)
    values = {"version": F("version") + 1, "changed_at": Now(), "newest_published_date": newest}
    if imported:
        values["imported_at"] = Now()
    rows = DataVersion.objects.using(alias).filter(pk=DataVersion.SINGLETON_ID)
    if not rows.update(**values):
        now = timezone.now()
        DataVersion.objects.using(alias).get_or_create(
            pk=DataVersion.SINGLETON_ID,
            defaults={
                "version": 1,
                "changed_at": now,
                "imported_at": now if imported else None,
                "newest_published_date": newest,
            },
        )
    # The listings' counts follow the change (one GROUP BY per listing and its themes).
    listing_cells.rebuild(alias)


def _saved_or_deleted(sender, using: str | None = None, raw: bool = False, **kwargs) -> None:
    if not raw:  # loaddata writes fixtures as they are; it is not a change of ours to mark
        mark_changed(using=using)


def _links_changed(sender, action: str, using: str | None = None, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        mark_changed(using=using)


def connect_signals() -> None:
    """Mark a change whenever a public record is saved, deleted or linked through the ORM.

    Called once, from the app's ready().
    """
    for model in apps.get_app_config("inspections").get_models(include_auto_created=True):
        if model in NOT_PUBLIC:
            continue
        uid = f"freshness:{model._meta.label}"
        post_save.connect(_saved_or_deleted, sender=model, dispatch_uid=uid)
        post_delete.connect(_saved_or_deleted, sender=model, dispatch_uid=uid)
        # For many-to-many fields the sender is the through model.
        m2m_changed.connect(_links_changed, sender=model, dispatch_uid=uid)
