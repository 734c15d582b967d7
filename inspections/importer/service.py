"""The importer as one service for the admin and the command line.

    source, _ = store_source(data, "report.pdf", user=request.user)
    deadline = request_deadline()                 # for all the files of one web request
    preview = preview_source(source, deadline=deadline)  # what would be imported, nothing saved
    attempt = import_source(source, deadline=deadline)   # parse, resolve, tag and save; logged

    # Without storing or saving anything (the accuracy test, scripts/parse_reports.py):
    record = dry_run_outcome(path, data, AuthorityResolver.from_reference())

Every run is recorded as an ImportAttempt with its outcome and full log, whatever
happened; the records themselves are written in one transaction or not at all. The one
exception is a file the request's deadline left unread (TimeRanOut): that is the
request's doing, not the file's, so nothing is recorded and the file waits as it was.
"""

from __future__ import annotations

import hashlib
import time
import traceback
import unicodedata
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from ..authority_names import AuthorityNameIndex
from ..models import (
    AlternativeName,
    Authority,
    ImportAttempt,
    SourceDocument,
    source_document_path,
)
from ..reference import alternative_names, read_authority_rows
from ..themes.store import theme_tagger
from .limits import Deadline
from .outcome import outcome_record
from .pipeline import parse_report
from .read import refuse_empty_or_oversized, refuse_oversized, sniff_media_type
from .report import ImportRefused, ParsedReport, TimeRanOut
from .save import Replacement, replacement, save_report


@dataclass
class Preview:
    """What importing a source would give, computed without saving anything."""

    report: ParsedReport | None = None
    authority: Authority | None = None
    error: str | None = None
    failed: bool = False
    out_of_time: bool = False  # not read: the request's deadline came first
    log: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.failed:
            return "failed"
        return "rejected" if self.error else "ok"


class AuthorityResolver:
    """Resolves report spellings against the authorities and their alternative names.

    `AuthorityResolver()` reads them from the database; from_reference() from the bundled
    CSV, without a database.
    """

    def __init__(
        self,
        names: list[tuple[Hashable, str]] | None = None,
        authorities: dict[Hashable, Authority] | None = None,
    ) -> None:
        """`names` are (key, spelling) pairs, current authorities' first; `authorities`
        the authority of each key. Without them, both come from the database."""
        if names is None or authorities is None:
            in_order = list(Authority.objects.order_by("abolished_on", "name"))
            authorities = {a.pk: a for a in in_order}
            names = [(a.pk, a.name) for a in in_order if a.is_current]
            names += [
                (pk, name)
                for pk, name in AlternativeName.objects.values_list("authority_id", "name")
            ]
            names += [(a.pk, a.name) for a in in_order if not a.is_current]
        self._index = AuthorityNameIndex(names)
        self._by_pk = authorities

    @classmethod
    def from_reference(cls) -> AuthorityResolver:
        """A resolver over fixtures/authorities.csv and its alternative names, needing no
        database: its authorities are unsaved, and those with a current ONS code come
        first (as abolished ones come last from the database)."""
        rows = read_authority_rows()
        names: list[tuple[Hashable, str]] = []
        for row in sorted(rows, key=lambda row: not row["la_code_new"]):
            names.append((row["urn"], row["local_authority_ons_name"]))
            names += [(row["urn"], alias) for alias in alternative_names(row)]
        authorities: dict[Hashable, Authority] = {
            row["urn"]: Authority(
                urn=int(row["urn"]),
                name=row["local_authority_ons_name"],
                slug=slugify(row["local_authority_ons_name"]),
            )
            for row in rows
        }
        return cls(names, authorities)

    def resolve(self, name: str) -> Authority | None:
        """The one authority a report's spelling names, or None (unknown or ambiguous)."""
        pk = self._index.resolve(name)
        return self._by_pk.get(pk) if pk is not None else None

    def candidates(self, name: str) -> list[Authority]:
        """Every authority a spelling may name: several where a short form is ambiguous."""
        return [self._by_pk[pk] for pk in self._index.candidates(name)]


def request_deadline() -> Deadline:
    """The deadline for all the files one web request reads: IMPORT_REQUEST_SECONDS from
    now, well inside gunicorn's timeout, so a slow upload is answered, never killed."""
    return Deadline.after(settings.IMPORT_REQUEST_SECONDS)


# Characters that change how a name reads without being seen: with U+202E, a right-to-left
# override, "report\u202efdp.exe" shows as "reportexe.pdf". Cc (C0 and C1 controls, DEL)
# are dropped by category; these are the format characters (Cf) that reorder text.
_BIDIRECTIONAL_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def clean_file_name(name: str) -> str:
    """An uploader's file name as it may be stored and shown: without control characters
    or bidirectional controls, trimmed, and at most its last 255 characters (so the
    extension stays); "unnamed file" where nothing is left. Every name an uploader gives
    passes through here before it is kept or shown."""
    kept = "".join(
        c for c in name if c not in _BIDIRECTIONAL_CONTROLS and unicodedata.category(c) != "Cc"
    )
    return kept.strip()[-255:].strip() or "unnamed file"


def store_file(file: File, name: str, *, user=None) -> tuple[SourceDocument, bool]:
    """Keep an uploaded file, or one opened from disk (File(open(path, "rb"))), as
    store_source does: its size is checked before a byte of it is read, so a 400 MB file
    is refused without ever being in memory, and no more than the limit is ever read."""
    refuse_oversized(file.size, settings.IMPORT_MAX_BYTES)
    file.seek(0)
    return store_source(file.read(settings.IMPORT_MAX_BYTES + 1), name, user=user)


def store_source(data: bytes, name: str, *, user=None) -> tuple[SourceDocument, bool]:
    """Keep a file as uploaded (once per content); returns (source, newly stored).

    Empty and oversized files are refused before anything is stored; the name is kept
    without its control characters (clean_file_name).
    """
    refuse_empty_or_oversized(data, settings.IMPORT_MAX_BYTES)
    sha256 = SourceDocument.hash_of(data)
    existing = SourceDocument.objects.filter(sha256=sha256).first()
    if existing:
        return existing, False
    source = SourceDocument(
        sha256=sha256,
        original_name=clean_file_name(name),
        size=len(data),
        media_type=sniff_media_type(data),
        loaded_by=user,
    )
    path = source_document_path(source, sha256)
    # Files are named by their content's hash, so a complete file already at that name holds
    # these very bytes: left by an import killed before its row was committed, or written
    # by another import of the same file running now. Use it rather than store a copy.
    if _holds(source.file.storage, path, sha256):
        source.file.name = path
    else:
        source.file.save(sha256, ContentFile(data), save=False)
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError:
        # The same file loaded at the same moment elsewhere, and its row was saved first.
        existing = SourceDocument.objects.filter(sha256=sha256).first()
        if existing is None:
            raise
        if source.file.name != existing.file.name:
            source.file.delete(save=False)
        return existing, False
    return source, True


def _holds(storage, path: str, sha256: str) -> bool:
    """Whether the storage has a file at path with exactly the content of that hash."""
    if not storage.exists(path):
        return False
    digest = hashlib.sha256()
    with storage.open(path, "rb") as stored:
        for chunk in iter(lambda: stored.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() == sha256


def preview_source(
    source: SourceDocument,
    resolver: AuthorityResolver | None = None,
    *,
    deadline: Deadline | None = None,
) -> Preview:
    """Parse a stored source and resolve its authority, saving nothing.

    With a deadline, a file it leaves unread has `out_of_time` set and says so in `error`.
    """

    def read() -> bytes:
        if deadline is not None and deadline.remaining() <= 0:
            raise TimeRanOut  # not even worth opening the file
        refuse_oversized(source.size, settings.IMPORT_MAX_BYTES)  # before reading it
        with source.file.open("rb") as fh:
            return fh.read()

    return _preview(read, resolver, deadline)


def preview_data(
    data: bytes, resolver: AuthorityResolver | None = None, *, deadline: Deadline | None = None
) -> Preview:
    """preview_source for a file's bytes, not stored: nothing is stored or saved."""
    return _preview(lambda: data, resolver, deadline)


def _preview(
    read: Callable[[], bytes], resolver: AuthorityResolver | None, deadline: Deadline | None
) -> Preview:
    """Parse the bytes `read` gives and resolve the report's authority: the one path from
    a file to what importing it would give."""
    preview = Preview()
    started = time.perf_counter()
    try:
        data = read()
        report = parse_report(data, max_bytes=settings.IMPORT_MAX_BYTES, deadline=deadline)
    except ImportRefused as refused:
        preview.error = str(refused)
        preview.out_of_time = isinstance(refused, TimeRanOut)
        preview.log.append(f"Refused: {refused}")
        return preview
    except Exception as error:
        preview.failed = True
        preview.error = (
            f"The importer broke while reading this file ({type(error).__name__}); "
            "the details are in the import log for the developers."
        )
        preview.log.append(traceback.format_exc())
        return preview
    preview.report = report
    preview.log.append(
        f"Read as {report.framework} in {time.perf_counter() - started:.2f} s: "
        f"{len(report.judgements)} judgements, {len(report.recommendations)} "
        f"recommendations, {len(report.findings)} findings."
    )
    resolver = resolver or AuthorityResolver()
    preview.authority = resolver.resolve(report.authority_name)
    candidates = resolver.candidates(report.authority_name) if preview.authority is None else []
    if len(candidates) > 1:
        # A short form of several names ("Kingston"): refused, never a guess.
        names = "; ".join(sorted(a.name for a in candidates))
        preview.error = (
            f"The report names its authority as {report.authority_name!r}, which could be "
            f"any of: {names}. Add the report's spelling as an alternative name of the "
            "right one and import again."
        )
    elif preview.authority is None:
        preview.error = (
            f"The report names its authority as {report.authority_name!r}, which matches "
            "none of the authorities on record. If it is another spelling of one, add it "
            "as an alternative name of that authority and import again."
        )
    elif report.start_date is None or report.end_date is None:
        preview.error = "The importer could not find the inspection's dates in the report."
    else:
        preview.log.append(f"Authority {report.authority_name!r} is {preview.authority}.")
    return preview


def replacement_of(preview: Preview) -> Replacement | None:
    """For the review page: the inspection importing this preview would update, and what
    that would withdraw; None for a new inspection, or a file that would not import."""
    if preview.report is None or preview.authority is None or preview.error:
        return None
    return replacement(preview.report, preview.authority)


def dry_run_outcome(path: str, data: bytes, resolver: AuthorityResolver) -> dict[str, Any]:
    """The import command's record for a file as importing it anew would give it, with
    nothing stored or saved: "created" where import_source would save it, otherwise
    rejected or failed as it would be, with the same error. What the accuracy test and
    scripts/parse_reports.py measure, so they measure the import itself."""
    preview = preview_data(data, resolver)
    status = "created" if preview.status == "ok" else preview.status
    return _record(path, status, preview, error=preview.error)


def import_source(
    source: SourceDocument,
    *,
    user=None,
    resolver: AuthorityResolver | None = None,
    tagger=None,
    deadline: Deadline | None = None,
) -> ImportAttempt:
    """Import a stored source: parse, resolve, tag and save, and record the attempt.

    Raises TimeRanOut, recording nothing and leaving the source as it was, when the
    deadline leaves the file unread. (Saving, once the file is read, is not cut short.)
    """
    preview = preview_source(source, resolver, deadline=deadline)
    if preview.out_of_time:
        raise TimeRanOut(preview.error)
    record: dict[str, Any]
    if preview.status != "ok":
        outcome = preview.status
        record = _record(source.original_name, outcome, preview, error=preview.error)
        log = preview.log
    else:
        try:
            result = save_report(
                preview.report,
                authority=preview.authority,
                source=source,
                tagger=tagger or theme_tagger(),
            )
        except Exception as error:
            outcome = "failed"
            record = _record(
                source.original_name,
                outcome,
                preview,
                error=f"Saving the report's records failed ({type(error).__name__}); "
                "nothing was saved.",
            )
            log = [*preview.log, traceback.format_exc()]
        else:
            outcome = result.status
            record = _record(
                source.original_name,
                outcome,
                preview,
                url=result.inspection.get_absolute_url(),
                published_date_source=result.inspection.published_date_source or None,
            )
            log = preview.log + result.log
            if outcome in ("created", "updated"):
                log += _rebuild_follow_through(result.inspection.authority)
    source.status = {
        "rejected": SourceDocument.Status.REJECTED,
        "failed": SourceDocument.Status.FAILED,
    }.get(outcome, SourceDocument.Status.IMPORTED)
    source.save(update_fields=["status"])
    return ImportAttempt.objects.create(
        source_document=source,
        run_by=user,
        outcome=outcome,
        error=record["error"] or "",
        warnings=record["warnings"],
        log="\n".join(log),
        summary=record,
    )


def _rebuild_follow_through(authority: Authority) -> list[str]:
    """After a save that changed the council's records, what its later inspections said on
    each recommendation (follow_through.py); lines for the import log. The import stands
    whatever happens here: the command rebuilds it again."""
    from ..follow_through import rebuild_follow_through  # scikit-learn loads only when used

    try:
        return [f"Follow-through: {rebuild_follow_through(authority).describe()}"]
    except Exception:
        return [
            "Follow-through not rebuilt (run manage.py rebuild_follow_through):",
            traceback.format_exc(),
        ]


def _record(path: str, status: str, preview: Preview, **fields: Any) -> dict[str, Any]:
    """The contract's record of a preview's report and authority, with `fields` added."""
    return outcome_record(
        path,
        status,
        report=preview.report,
        authority=_authority_json(preview.authority),
        **fields,
    )


def _authority_json(authority: Authority | None) -> dict[str, Any] | None:
    if authority is None:
        return None
    return {"slug": authority.slug, "name": authority.name, "urn": authority.urn}
