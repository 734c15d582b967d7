"""Step 6, save: a ParsedReport becomes linked records, in one transaction, idempotently.

Re-importing a report updates records in place rather than replacing them, so:
- a finding keeps its id and permalink: it is matched to its earlier self by its printed
  paragraph number (unnumbered ones by section and order, then by identical text);
- a field a curator corrected (named in the record's `curated_fields`) is never
  overwritten, and a curator's choice of themes or evidence links stands;
- a finding or recommendation the new parse no longer contains is withdrawn (its
  permalink then answers 410), never deleted;
- nothing changes, and the outcome is "unchanged", when the parse is the same.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import freshness
from ..models import (
    Authority,
    Finding,
    Inspection,
    Judgement,
    Recommendation,
    SourceDocument,
    public_id_for,
)
from ..themes.store import apply_tags
from ..themes.tagger import ThemeTagger
from .report import ParsedFinding, ParsedRecommendation, ParsedReport


@dataclass
class SaveResult:
    status: str  # "created" | "updated" | "unchanged"
    inspection: Inspection
    log: list[str] = field(default_factory=list)


class _Changes:
    """Counts what a save changed, for the outcome and the import log."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, what: str, n: int = 1) -> None:
        if n:
            self.counts[what] += n

    def __bool__(self) -> bool:
        return bool(self.counts)

    def describe(self) -> str:
        return ", ".join(f"{n} {what}" for what, n in sorted(self.counts.items())) or "nothing"


def save_report(
    report: ParsedReport,
    *,
    authority: Authority,
    source: SourceDocument,
    tagger: ThemeTagger,
) -> SaveResult:
    """Create or update the inspection a report describes, with all its records."""
    with transaction.atomic():
        changes = _Changes()
        inspection, created = _save_inspection(report, authority, source, changes)
        _save_judgements(inspection, report, changes)
        findings = list(
            zip(
                report.findings,
                _save_findings(inspection, report.findings, tagger, changes),
                strict=True,
            )
        )
        _save_recommendations(inspection, report.recommendations, findings, tagger, changes)
        status = "created" if created else ("updated" if changes else "unchanged")
        if status != "unchanged":
            Inspection.objects.filter(pk=inspection.pk).update(imported_at=timezone.now())
            freshness.mark_changed(imported=True)  # bulk writes above send no signals
        return SaveResult(
            status=status, inspection=inspection, log=[f"Saved: {changes.describe()} changed."]
        )


def _set_fields(record, values: dict[str, Any]) -> list[str]:
    """Assign the values a curator has not corrected; return the names that changed."""
    changed = []
    for name, value in values.items():
        if name in record.curated_fields:
            continue
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed.append(name)
    return changed


def inspection_slug(authority: Authority, framework: str, start: datetime.date) -> str:
    return f"{authority.slug}-{start:%Y-%m-%d}-{framework.replace('_', '-')}"


def publication(report: ParsedReport, source: SourceDocument) -> dict[str, Any]:
    """The publication date to save and where it came from: the date the report prints;
    else the one Ofsted's listing gave for this file; else nothing, so a date known
    before stays. Never the import time or the file's name."""
    if report.published_date:
        return {
            "published_date": report.published_date,
            "published_date_source": Inspection.DateSource.REPORT,
        }
    if source.listed_published_date:
        return {
            "published_date": source.listed_published_date,
            "published_date_source": Inspection.DateSource.OFSTED_LISTING,
        }
    return {}


def _save_inspection(report, authority, source, changes) -> tuple[Inspection, bool]:
    values = {
        "title": report.title[:500],
        "end_date": report.end_date,
        "lead_inspector": report.lead_inspector or "",
        **publication(report, source),
    }
    inspection = (
        Inspection.objects.select_for_update()
        .filter(authority=authority, framework=report.framework, start_date=report.start_date)
        .first()
    )
    if inspection is None:
        try:
            # A savepoint: another import of the same inspection (the same file loaded twice
            # at once) may insert it first. PostgreSQL then makes this insert wait for that
            # transaction and fail on the unique constraint once it commits; we carry on
            # with its row, locked, as a re-import.
            with transaction.atomic():
                inspection = Inspection.objects.create(
                    authority=authority,
                    framework=report.framework,
                    start_date=report.start_date,
                    slug=inspection_slug(authority, report.framework, report.start_date),
                    source_document=source,
                    imported_at=timezone.now(),
                    **values,
                )
            return inspection, True
        except IntegrityError:
            inspection = (
                Inspection.objects.select_for_update()
                .filter(
                    authority=authority, framework=report.framework, start_date=report.start_date
                )
                .first()
            )
            if inspection is None:  # another constraint failed: a real error
                raise
    if "published_date" in inspection.curated_fields:
        # A curator's date stands, and so does its source ("curator").
        values.pop("published_date_source", None)
    changed = _set_fields(inspection, values)
    if inspection.source_document_id != source.pk:
        inspection.source_document = source
        changed.append("source_document")
    if changed:
        inspection.save(update_fields=changed)
        changes.add("inspection fields", len(changed))
    return inspection, False


def _save_judgements(inspection: Inspection, report: ParsedReport, changes: _Changes) -> None:
    existing = {j.area: j for j in inspection.judgements.all()}
    for parsed in report.judgements:
        judgement = existing.pop(parsed.area, None)
        if judgement is None:
            Judgement.objects.create(
                inspection=inspection, area=parsed.area, grade=parsed.grade, words=parsed.words
            )
            changes.add("judgements added")
        elif _set_fields(judgement, {"grade": parsed.grade, "words": parsed.words}):
            judgement.save()
            changes.add("judgements updated")
    for judgement in existing.values():
        # A judgement a curator added or corrected stays; one the report no longer
        # gives is removed (judgements have no permalinks).
        if not judgement.curated_fields:
            judgement.delete()
            changes.add("judgements removed")


def _identity_keys(items, numbered: Callable, section: Callable) -> list[tuple]:
    """A key per item that survives re-parsing: the printed number where there is one
    (with a count for repeats), else the section and the order within it."""
    seen: dict[tuple, int] = defaultdict(int)
    keys = []
    for item in items:
        base = ("n", numbered(item)) if numbered(item) else ("s", section(item))
        keys.append((*base, seen[base]))
        seen[base] += 1
    return keys


def _match(existing: list, parsed: list, key_existing, key_parsed, text_existing, text_parsed):
    """Pair each parsed item with its earlier record (or None); also the unpaired records."""
    by_key = dict(zip(key_existing(existing), existing, strict=True))
    pairs: list[list] = []
    for key, item in zip(key_parsed(parsed), parsed, strict=True):
        pairs.append([item, by_key.pop(key, None)])
    by_text = {}
    for record in by_key.values():
        by_text.setdefault(" ".join(text_existing(record).split()), record)
    for pair in pairs:
        if pair[1] is None:
            pair[1] = by_text.pop(" ".join(text_parsed(pair[0]).split()), None)
    paired = {id(p[1]) for p in pairs if p[1] is not None}
    leftover = [r for r in existing if id(r) not in paired]
    return pairs, leftover


def _match_findings(inspection: Inspection, parsed: list[ParsedFinding]):
    """The inspection's findings paired with the parse's, and those it no longer has."""
    existing = list(inspection.findings.order_by("position", "id"))
    return _match(
        existing,
        parsed,
        lambda rs: _identity_keys(rs, lambda r: r.paragraph, lambda r: r.section),
        lambda ps: _identity_keys(ps, lambda p: p.paragraph, lambda p: p.section),
        lambda r: r.text,
        lambda p: p.text,
    )


def _match_recommendations(inspection: Inspection, parsed: list[ParsedRecommendation]):
    """The inspection's recommendations paired with the parse's, and those it no longer has."""
    existing = list(inspection.recommendations.order_by("addressee", "position", "id"))
    return _match(
        existing,
        parsed,
        lambda rs: [(r.addressee, r.position) for r in rs],
        lambda ps: [(p.addressee, p.position) for p in ps],
        lambda r: r.text,
        lambda p: p.text,
    )


@dataclass
class Replacement:
    """What importing a report would do to the inspection it describes, already held."""

    inspection: Inspection
    withdrawn_findings: list[Finding]  # published now; the new parse no longer has them
    withdrawn_recommendations: list[Recommendation]


def replacement(report: ParsedReport, authority: Authority) -> Replacement | None:
    """The inspection saving `report` would update, with the published findings and
    recommendations it would withdraw (matched exactly as save_report matches them);
    None when it would create a new inspection. Reads only."""
    inspection = Inspection.objects.filter(
        authority=authority, framework=report.framework, start_date=report.start_date
    ).first()
    if inspection is None:
        return None
    _, findings = _match_findings(inspection, report.findings)
    _, recommendations = _match_recommendations(inspection, report.recommendations)
    return Replacement(
        inspection=inspection,
        withdrawn_findings=[f for f in findings if f.withdrawn_at is None],
        withdrawn_recommendations=[r for r in recommendations if r.withdrawn_at is None],
    )


def _save_findings(
    inspection: Inspection, parsed: list[ParsedFinding], tagger: ThemeTagger, changes: _Changes
) -> list[Finding]:
    pairs, leftover = _match_findings(inspection, parsed)
    saved = _save_published_texts(
        Finding,
        inspection,
        pairs,
        leftover,
        lambda item: {
            "section": item.section[:300],
            "area": item.area or "",
            "paragraph": item.paragraph or "",
            "position": item.position,
            "text": item.text,
            "kind": item.kind or "",
        },
        lambda item: ("finding", item.position, item.paragraph),
        changes,
    )
    _tag(saved, tagger, changes)
    return saved


def _save_recommendations(
    inspection: Inspection,
    parsed: list[ParsedRecommendation],
    findings: list[tuple[ParsedFinding, Finding]],
    tagger: ThemeTagger,
    changes: _Changes,
) -> None:
    pairs, leftover = _match_recommendations(inspection, parsed)
    saved = _save_published_texts(
        Recommendation,
        inspection,
        pairs,
        leftover,
        lambda item: {
            "position": item.position,
            "addressee": item.addressee,
            "timescale": item.timescale or "",
            "text": item.text,
        },
        lambda item: ("recommendation", item.addressee, item.position),
        changes,
    )
    pairs_saved = list(zip(parsed, saved, strict=True))
    _tag(saved, tagger, changes)
    _link_evidence(pairs_saved, findings, changes)


def _save_published_texts(
    model, inspection, pairs, leftover, values_of, identity_of, changes: _Changes
) -> list:
    """Update matched findings or recommendations in place (keeping their ids and
    permalinks), insert new ones, and withdraw the ones the new parse lacks."""
    what = model._meta.verbose_name_plural
    saved, new = [], []
    for item, record in pairs:
        values = values_of(item)
        if record is None:
            record = model(
                inspection=inspection,
                public_id=public_id_for(inspection.slug, *identity_of(item)),
                **values,
            )
            new.append(record)
        else:
            changed = _set_fields(record, values)
            if record.withdrawn_at is not None:
                record.withdrawn_at = None
                changed.append("withdrawn_at")
            if changed:
                record.save(update_fields=changed)
                changes.add(f"{what} updated")
        saved.append(record)
    _insert_with_public_ids(model, new)
    changes.add(f"{what} added", len(new))
    _withdraw(leftover, changes, f"{what} withdrawn")
    return saved


def _insert_with_public_ids(model, records: list) -> None:
    """Insert new records, giving any whose derived public id is taken a fresh one."""
    if not records:
        return
    wanted = {r.public_id for r in records}
    taken = set(model.objects.filter(public_id__in=wanted).values_list("public_id", flat=True))
    used: set[str] = set()
    for record in records:
        while record.public_id in taken or record.public_id in used:
            record.public_id = public_id_for(record.public_id, "again")
        used.add(record.public_id)
    model.objects.bulk_create(records)
    if records[0].pk is None:  # Backends that don't return ids from bulk inserts.
        ids = dict(model.objects.filter(public_id__in=used).values_list("public_id", "pk"))
        for record in records:
            record.pk = record.id = ids[record.public_id]


def _withdraw(records: list, changes: _Changes, what: str) -> None:
    now = timezone.now()
    for record in records:
        if record.withdrawn_at is None:
            record.withdrawn_at = now
            record.save(update_fields=["withdrawn_at"])
            changes.add(what)


def _tag(records: list, tagger: ThemeTagger, changes: _Changes) -> None:
    """Tag the records as saved (a curator's corrected text included), except where a
    curator chose their themes (see apply_tags)."""
    if records:
        what = records[0]._meta.verbose_name_plural
        changes.add(f"{what} re-themed", apply_tags(records, tagger).records)


def _link_evidence(
    pairs: list[tuple], findings: list[tuple[ParsedFinding, Finding]], changes: _Changes
) -> None:
    """Link each recommendation to the findings paragraphs that are its evidence.

    Printed numbers can repeat in one report (an appended LSCB review may restart at 1),
    so a number resolves to the paragraphs marked "(Recommendation)" first, and among
    those to one in the recommendation's own part of the report (the LSCB's or not).
    """
    candidates: dict[str, list[tuple[ParsedFinding, Finding]]] = defaultdict(list)
    for item, record in findings:
        if item.paragraph and record.withdrawn_at is None:
            candidates[item.paragraph].append((item, record))

    def evidence_for(number: str, addressee: str) -> Finding | None:
        ranked = sorted(
            candidates.get(number, []),
            key=lambda pair: (
                not pair[0].is_recommendation_evidence,
                (pair[0].area == "lscb") != (addressee == "lscb"),
            ),
        )
        return ranked[0][1] if ranked else None

    links = Recommendation.evidence.through.objects
    current: dict[int, set[int]] = defaultdict(set)
    for recommendation_id, finding_id in links.filter(
        recommendation__in=[record for _, record in pairs]
    ).values_list("recommendation_id", "finding_id"):
        current[recommendation_id].add(finding_id)
    for item, record in pairs:
        if "evidence" in record.curated_fields:
            continue
        found = (evidence_for(n, item.addressee) for n in item.evidence_paragraphs)
        wanted = {finding.pk for finding in found if finding is not None}
        if wanted != current.get(record.pk, set()):
            record.evidence.set(wanted)
            changes.add("evidence links changed")
