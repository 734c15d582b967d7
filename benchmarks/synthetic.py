"""A synthetic corpus at scale, on top of the real imported reports, for benchmarks.

    summary = generate(findings=1_000_000, recommendations=100_000, seed=1)
    clear()

`generate` gives every current authority a plausible history: inspections under every
framework in its years (DOMAIN.md), graded on that framework's judgement areas and scale,
with monitoring visits after an inadequate judgement and better grades at re-inspection.
Findings and recommendations are real sentences, recombined: each synthetic paragraph joins
sentences of real imported paragraphs reporting on the same judgement area, so full-text
search and themes behave as they do on real data. Themes come from the importer's tagger
(the theme model in use), given to each real sentence once and to a paragraph as the union
of its sentences' themes, saved with why (the feature that weighed most) and the model's
probability, as an import saves them, and each row records the model that tagged it.
Permalinks follow the importer's derivation (`public_id_for`), made unique the same way.

Synthetic rows can never pass for real ones: everything hangs off one SourceDocument whose
name starts "synthetic corpus" and whose stored file says what it is, and every synthetic
inspection's title ends "(synthetic)". `clear` removes exactly those.

Loading is bulk: COPY on PostgreSQL (bulk inserts elsewhere), with the big tables'
secondary indexes and constraints dropped during the load and rebuilt after, then ANALYZE.
The same seed over the same real data gives the same corpus (texts, themes, permalinks).
"""

from __future__ import annotations

import datetime
import itertools
import json
import math
import operator
import random
import re
import sys
import time
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, TextIO

from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.utils import timezone

from inspections.freshness import mark_changed
from inspections.importer.save import inspection_slug
from inspections.models import (
    Authority,
    Finding,
    FindingTheme,
    ImportAttempt,
    Inspection,
    Judgement,
    Recommendation,
    RecommendationTheme,
    SourceDocument,
    Theme,
    public_id_for,
)
from inspections.themes.features import Paragraph
from inspections.themes.store import theme_tagger
from inspections.vocabulary import FRAMEWORK_YEARS, NEW_SCALE, OLD_SCALE, TIMESCALES, new_scale

SOURCE_PREFIX = "synthetic corpus"
TITLE_SUFFIX = " (synthetic)"
# Above this many rows, dropping and rebuilding the indexes beats maintaining them.
DEFER_INDEXES_FROM = 50_000
# No synthetic inspection starts after this, so that the corpus does not depend on the day
# it is generated.
LATEST_START = datetime.date(2025, 6, 30)

GRADE_WORDS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement to be good",
    "adequate": "Adequate",
    "inadequate": "Inadequate",
}


@dataclass(frozen=True)
class Section:
    """A heading a framework's reports print, the area it reports on, and its share."""

    heading: str
    area: str = ""
    kind: str = ""
    share: float = 1.0


@dataclass(frozen=True)
class Framework:
    """How a framework's reports look: sections, graded areas, typical sizes."""

    code: str
    title: str  # "{name}" is the authority's name; "{lscb}" a SIF's LSCB review
    sections: tuple[Section, ...]
    areas: tuple[str, ...] = ()  # graded judgement areas, overall first
    # Cumulative shares of the scale's grades, worst first (the top grade takes the rest).
    distribution: tuple[float, ...] = ()
    numbered: bool = True
    findings: int = 50  # paragraphs in a typical report
    recommendations: int = 0  # a typical report's list (authority's)
    timescales: bool = False  # recommendations grouped by timescale (2009-13)
    days_on_site: tuple[int, int] = (2, 3)

    @property
    def years(self) -> tuple[int, int]:
        """The years it was in use (inspections.vocabulary), to LATEST_START's if still is."""
        first, last = FRAMEWORK_YEARS[self.code]
        return first, last or LATEST_START.year

    @property
    def scale(self) -> tuple[str, ...]:
        """Its grades, worst to best (inspections.vocabulary's scales reversed); empty when
        it grades nothing."""
        if not self.areas:
            return ()
        return tuple(reversed(NEW_SCALE if new_scale(self.code) else OLD_SCALE))


_SIF_SECTIONS = (
    Section("Summary of key findings", "overall", share=0.6),
    Section("The local authority’s strengths", "overall", "strength", share=0.5),
    Section(
        "The experiences and progress of children who need help and protection",
        "help_and_protection",
        share=2.2,
    ),
    Section(
        "The experiences and progress of children looked after and achieving permanence",
        "in_care",
        share=2.2,
    ),
    Section("The graded judgement for adoption performance", "adoption", share=1.0),
    Section(
        "The graded judgement about the experience and progress of care leavers",
        "care_leavers",
        share=0.9,
    ),
    Section("Leadership, management and governance", "leadership", share=1.5),
)
_LSCB_SECTION = Section("Inspection findings – the Local Safeguarding Children Board", "lscb")
_ILACS_SECTIONS = (
    Section(
        "The experiences and progress of children who need help and protection",
        "help_and_protection",
        share=1.4,
    ),
    Section(
        "The experiences and progress of children in care and care leavers", "in_care", share=1.2
    ),
    Section(
        "The impact of leaders on social work practice with children and families",
        "leadership",
        share=1.0,
    ),
)
# From 2023 ILACS grades care leavers on their own, under their own heading.
_ILACS_2023_SECTIONS = (
    _ILACS_SECTIONS[0],
    Section("The experiences and progress of children in care", "in_care", share=0.8),
    Section("The experiences and progress of care leavers", "care_leavers", share=0.6),
    _ILACS_SECTIONS[2],
)

FRAMEWORKS: dict[str, Framework] = {
    f.code: f
    for f in [
        Framework(
            "cra_unannounced",
            "Annual unannounced inspection of contact, referral and assessment arrangements "
            "within {name} children's services",
            (
                Section("Strengths", kind="strength", share=0.3),
                Section("Satisfactory practice", kind="satisfactory", share=0.5),
                Section("Areas for development", kind="area_for_development", share=0.2),
            ),
            numbered=False,
            findings=16,
            recommendations=3,
        ),
        Framework(
            "safeguarding_lac",
            "Inspection of safeguarding and looked after children services: {name}",
            (
                Section("Overall effectiveness", "overall"),
                Section("Capacity for improvement", "capacity_to_improve"),
                Section("Outcomes for children and young people", "outcomes", share=1.5),
                Section("Quality of provision", "quality_of_provision", share=1.5),
                Section("Leadership and management", "leadership"),
                Section(
                    "How good are outcomes for looked after children and care leavers?",
                    "in_care",
                    share=1.5,
                ),
            ),
            areas=(
                "overall",
                "capacity_to_improve",
                "outcomes",
                "quality_of_provision",
                "leadership",
                "in_care",
            ),
            distribution=(0.10, 0.55, 0.95),
            findings=60,
            recommendations=8,
            timescales=True,
            days_on_site=(9, 11),
        ),
        Framework(
            "protection",
            "Inspection of local authority arrangements for the protection of children: {name}",
            (
                Section("Overall effectiveness", "overall", share=0.5),
                Section(
                    "The effectiveness of the help and protection provided to children, young "
                    "people, families and carers",
                    "help_and_protection",
                    share=1.2,
                ),
                Section("The quality of practice", "quality_of_practice", share=1.4),
                Section("Leadership and governance", "leadership"),
            ),
            areas=("overall", "help_and_protection", "quality_of_practice", "leadership"),
            distribution=(0.12, 0.60, 0.96),
            findings=45,
            recommendations=9,
            timescales=True,
            days_on_site=(9, 11),
        ),
        Framework(
            "looked_after",
            "Inspection of local authority services for looked after children: {name}",
            (
                Section("Overall effectiveness", "overall", share=0.5),
                Section(
                    "The experiences and progress of looked after children and care leavers",
                    "in_care",
                    share=1.4,
                ),
                Section("The quality of practice", "quality_of_practice", share=1.2),
                Section("Leadership and governance", "leadership"),
            ),
            areas=("overall", "in_care", "quality_of_practice", "leadership"),
            distribution=(0.08, 0.55, 0.95),
            findings=45,
            recommendations=8,
            timescales=True,
            days_on_site=(9, 11),
        ),
        Framework(
            "sif",
            "Inspection of services for children in need of help and protection, children "
            "looked after and care leavers{lscb}: {name}",
            _SIF_SECTIONS,
            areas=(
                "overall",
                "help_and_protection",
                "in_care",
                "adoption",
                "care_leavers",
                "leadership",
            ),
            distribution=(0.18, 0.62, 0.97),
            findings=122,
            recommendations=14,
            days_on_site=(19, 26),
        ),
        Framework(
            "lscb_review",
            "Review of the effectiveness of the Local Safeguarding Children Board: {name}",
            (_LSCB_SECTION,),
            areas=("lscb",),
            distribution=(0.15, 0.60, 0.96),
            findings=30,
            recommendations=0,
            days_on_site=(19, 26),
        ),
        Framework(
            "ilacs",
            "Inspection of {name} local authority children's services",
            _ILACS_SECTIONS,
            areas=("overall", "help_and_protection", "in_care", "leadership"),
            distribution=(0.14, 0.44, 0.88),
            findings=50,
            recommendations=4,
            days_on_site=(11, 15),
        ),
        Framework(
            "focused_visit",
            "Focused visit to {name} local authority children's services",
            (Section("Overview", share=0.5), Section("Areas for improvement")),
            numbered=False,
            findings=20,
            recommendations=3,
        ),
        Framework(
            "monitoring_visit",
            "Monitoring visit of {name} children's services",
            (Section("Overview", share=0.3), Section("Findings and evaluation of progress")),
            numbered=False,
            findings=30,
        ),
        Framework(
            "jtai",
            "Joint targeted area inspection of the multi-agency response to abuse and neglect "
            "in {name}",
            (Section("Key strengths"), Section("Areas for improvement")),
            numbered=False,
            findings=20,
            recommendations=2,
            days_on_site=(4, 5),
        ),
    ]
}
_PRIORITY_SECTION = Section("Areas for priority action", kind="area_for_priority_action", share=0.2)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z‘“(])")
_EVIDENCE_MARK = re.compile(r"\s*\(Recommendation\)\s*$")


# --- Planning: which inspections, with which grades --------------------------------------


@dataclass
class PlannedInspection:
    """One synthetic inspection before it is saved, with how many rows it will hold."""

    authority: Authority
    framework: Framework
    start: datetime.date
    grades: dict[str, str] = field(default_factory=dict)
    with_lscb: bool = False  # a SIF with the LSCB review in the same report
    priority_action: bool = False  # a focused visit with areas for priority action
    weight: float = 1.0  # relative size, drawn once
    findings: int = 0
    recommendations: int = 0
    lscb_recommendations: int = 0
    pk: int | None = None
    slug: str = ""

    @property
    def sections(self) -> tuple[Section, ...]:
        code = self.framework.code
        if code == "ilacs" and self.start.year >= 2023:
            return _ILACS_2023_SECTIONS
        if code == "sif" and self.with_lscb:
            return (*_SIF_SECTIONS, _LSCB_SECTION)
        if code == "focused_visit" and self.priority_action:
            return (*self.framework.sections, _PRIORITY_SECTION)
        return self.framework.sections

    @property
    def typical_findings(self) -> float:
        return self.framework.findings * self.weight

    @property
    def typical_recommendations(self) -> float:
        lscb = 5 if self.with_lscb or self.framework.code == "lscb_review" else 0
        return (self.framework.recommendations + lscb) * self.weight


def _date_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    """A Monday (inspections start early in the week) between two dates."""
    day = first + datetime.timedelta(days=rng.randrange((last - first).days + 1))
    return max(first, day - datetime.timedelta(days=day.weekday()))


def _grade(score: float, framework: Framework) -> str:
    cutoffs = [NormalDist().inv_cdf(p) for p in framework.distribution]
    rung = sum(score > cutoff for cutoff in cutoffs)
    return framework.scale[rung]


def _judge(rng: random.Random, framework: Framework, score: float, areas: Iterable[str]):
    """Grades for each area: correlated with the inspection's score; for SIF and ILACS
    help and protection limits the overall grade, as the frameworks' rules say."""
    grades = {
        area: _grade(0.85 * score + 0.5 * rng.gauss(0, 1), framework)
        for area in areas
        if area != "overall"
    }
    overall = _grade(score, framework)
    if grades.get("help_and_protection") == "inadequate" and framework.code in {"sif", "ilacs"}:
        overall = "inadequate"
    return {"overall": overall, **grades} if "overall" in framework.areas else grades


def plan_authority(rng: random.Random, authority: Authority) -> list[PlannedInspection]:
    """A plausible history of inspections for one authority, 2009 to 2025."""
    fw = FRAMEWORKS
    quality = rng.gauss(0, 1)
    plans: list[PlannedInspection] = []

    def add(code: str, start: datetime.date, score: float | None = None, **extra):
        framework = fw[code]
        plan = PlannedInspection(authority, framework, start, weight=rng.uniform(0.7, 1.3), **extra)
        if framework.scale and score is not None:
            areas = list(framework.areas) + (["lscb"] if plan.with_lscb else [])
            if code == "ilacs" and start.year >= 2023:
                areas.append("care_leavers")  # graded on their own from 2023
            plan.grades = _judge(rng, framework, score, areas)
        plans.append(plan)
        return plan

    def score() -> float:
        return 0.8 * quality + 0.6 * rng.gauss(0, 1)

    def monitoring_visits(after: datetime.date, until: datetime.date) -> None:
        # Monitoring visits began in 2015.
        visit = max(after + datetime.timedelta(days=rng.randint(90, 150)), d(2015, 1, 5))
        while visit < until - datetime.timedelta(days=60) and visit <= LATEST_START:
            add("monitoring_visit", _date_between(rng, visit, visit + datetime.timedelta(days=6)))
            visit += datetime.timedelta(days=rng.randint(100, 140))

    d = datetime.date
    for year in sorted(rng.sample(range(2009, 2013), rng.randint(1, 3))):
        add("cra_unannounced", _date_between(rng, d(year, 1, 5), d(year, 12, 10)))
    if rng.random() < 0.85:
        add("safeguarding_lac", _date_between(rng, d(2009, 6, 1), d(2012, 5, 31)), score())
    if rng.random() < 0.5:
        add("protection", _date_between(rng, d(2012, 6, 1), d(2013, 10, 31)), score())
    if rng.random() < 0.3:
        add("looked_after", _date_between(rng, d(2012, 6, 1), d(2013, 10, 31)), score())

    sif_start = _date_between(rng, d(2013, 11, 4), d(2017, 12, 1))
    with_lscb = rng.random() < 0.85
    sif = add("sif", sif_start, score(), with_lscb=with_lscb)
    if not with_lscb:
        add("lscb_review", _date_between(rng, d(2013, 11, 4), d(2018, 3, 1)), score())
    next_standard = _date_between(rng, d(2018, 6, 4), d(2021, 12, 1))
    if d(2020, 3, 16) <= next_standard <= d(2021, 4, 12):  # no inspections in lockdown
        next_standard += datetime.timedelta(days=400)
    if sif.grades["overall"] == "inadequate":
        again = sif_start + datetime.timedelta(days=rng.randint(540, 760))
        monitoring_visits(sif_start, again)
        if again <= d(2018, 3, 1):
            add("sif", again, score() + 1.0, with_lscb=False)
        else:
            next_standard = min(next_standard, again)
    if rng.random() < 0.3:
        add("jtai", _date_between(rng, d(2016, 5, 2), d(2024, 12, 2)), None)

    ilacs_score = score() + 0.2  # authorities improved, on the whole
    while next_standard <= LATEST_START:
        ilacs = add("ilacs", next_standard, ilacs_score)
        gap = rng.randint(1000, 1400)
        if ilacs.grades["overall"] == "inadequate":
            gap = rng.randint(540, 760)
            monitoring_visits(next_standard, next_standard + datetime.timedelta(days=gap))
            ilacs_score += 1.0
        elif rng.random() < 0.8:
            visit = next_standard + datetime.timedelta(days=rng.randint(300, gap - 200))
            if visit <= LATEST_START:
                add(
                    "focused_visit",
                    _date_between(rng, visit, visit + datetime.timedelta(7)),
                    priority_action=rng.random() < 0.2,
                )
        next_standard += datetime.timedelta(days=gap)
        ilacs_score += 0.2 * rng.gauss(0, 1)
    return plans


def _apportion(total: int, weights: list[float], order: list[int]) -> list[int]:
    """Split `total` rows over inspections of the given typical sizes.

    When there are at least as many rows as the typical sizes add up to, every inspection
    gets a share proportional to its size (largest remainders, so the shares add up
    exactly). With fewer, whole typical-sized reports are filled in `order` until the rows
    run out, so a small corpus is a few complete reports rather than crumbs everywhere.
    """
    counts = [0] * len(weights)
    capacity = sum(weights)
    if total <= 0 or capacity <= 0:
        return counts
    if total >= capacity:
        exact = [total * w / capacity for w in weights]
        counts = [int(x) for x in exact]
        by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
        for i in by_remainder[: total - sum(counts)]:
            counts[i] += 1
        return counts
    left = total
    for i in order:
        if left <= 0:
            break
        if weights[i] <= 0:
            continue
        counts[i] = min(left, max(1, round(weights[i])))
        left -= counts[i]
    return counts


# --- Text: real sentences, recombined ------------------------------------------------------


def sentences_of(text: str) -> list[str]:
    """A paragraph's sentences, without the "(Recommendation)" mark SIF paragraphs end with."""
    # Whole sentences only: bulleted lists give fragments without a full stop.
    return [
        s.strip()
        for s in _SENTENCE.split(_EVIDENCE_MARK.sub("", text))
        if 40 <= len(s.strip()) <= 800 and s.strip()[-1] in ".!?"
    ]


class SentencePool:
    """Real sentences by the judgement area their paragraph reported on."""

    def __init__(self, paragraphs: Iterable[tuple[str, str]]):
        by_area: dict[str, dict[str, None]] = {}
        everything: dict[str, None] = {}
        for area, text in paragraphs:
            for sentence in sentences_of(text):
                by_area.setdefault(area, {})[sentence] = None
                everything[sentence] = None
        self.all = list(everything)
        # An area with few sentences of its own would repeat them: use them all instead.
        self.by_area = {area: list(s) for area, s in by_area.items() if len(s) >= 30}

    def __len__(self) -> int:
        return len(self.all)

    def paragraph(self, rng: random.Random, area: str, lengths, weights) -> list[str]:
        """Sentences for one paragraph on `area`, as many as one of `lengths` says."""
        pool = self.by_area.get(area, self.all)
        count = rng.choices(lengths, weights)[0]
        return [pool[rng.randrange(len(pool))] for _ in range(count)]


class SentenceTagger:
    """The importer's tagger (`theme_tagger`), given every pool sentence once, in batches.

    A synthetic paragraph's themes are the union of its sentences' themes, each with the
    reason and probability of its first sentence that has it. Tagging each of a million
    paragraphs whole would cost more than the rest of the load together; each sentence is
    reused many times over, so tagging sentences once keeps the tagger out of the load's
    time, and themes still come from the model, sentence by sentence.
    """

    def __init__(self, theme_ids: dict[str, int]) -> None:
        self._tagger = theme_tagger()
        self._theme_ids = theme_ids
        self.model_id = self._tagger.model_id
        # Per record type: sentence -> ((theme id, reason, probability or None), ...), as
        # the load stores them, so a million paragraphs cost a few lookups each.
        self._known: dict[str, dict[str, tuple[tuple[int, str, float | None], ...]]] = {}

    def learn(self, sentences: Sequence[str], record: str) -> None:
        """Tag these sentences now, in one batch, as parts of a finding or recommendation."""
        known = self._known.setdefault(record, {})
        ids = self._theme_ids
        todo = [s for s in dict.fromkeys(sentences) if s not in known]
        for start in range(0, len(todo), 5000):
            chunk = todo[start : start + 5000]
            # The one feature that weighed most: a sentence's themes rarely need more, and
            # a million rows of reasons are a load's bytes.
            tags = self._tagger.tag([Paragraph(s, "", record) for s in chunk], explain=1)
            for sentence, found in zip(chunk, tags, strict=True):
                known[sentence] = tuple(
                    (ids[t.slug], t.why[:200], t.score) for t in found if t.slug in ids
                )

    def tag(self, sentences: Iterable[str], record: str) -> Iterable[tuple[int, str, float | None]]:
        """(theme id, reason, probability) for the paragraph the sentences make."""
        known = self._known.setdefault(record, {})
        found: dict[int, tuple[int, str, float | None]] = {}
        for sentence in sentences:
            tags = known.get(sentence)
            if tags is None:
                self.learn([sentence], record)
                tags = known[sentence]
            for tag in tags:
                found.setdefault(tag[0], tag)
        return found.values()


# --- Loading --------------------------------------------------------------------------


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _columns(model, keys) -> tuple[list[str], list[str], tuple]:
    """The model's stored columns (generated ones left out), in two groups: those whose
    values rows carry (by attribute name, in `keys`), then the rest, with their fields'
    defaults ready for the database. Returns (columns, keys read from rows, defaults)."""
    from_rows, keys_read, from_defaults, defaults = [], [], [], []
    for f in model._meta.concrete_fields:
        if getattr(f, "generated", False) or (f.primary_key and f.attname not in keys):
            continue  # computed by the database
        if f.attname in keys:
            from_rows.append(f.column)
            keys_read.append(f.attname)
        else:
            default = f.get_default()
            if isinstance(f, models.JSONField):
                default = json.dumps(default)
            from_defaults.append(f.column)
            defaults.append(default)
    return from_rows + from_defaults, keys_read, tuple(defaults)


def insert_rows(model, rows: Iterable[dict[str, Any]]) -> int:
    """Insert plain rows (dicts by attribute name) as fast as the database allows: COPY on
    PostgreSQL, batched multi-row inserts elsewhere. Returns how many."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    names, keys, defaults = _columns(model, first.keys())
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    # One C-level lookup of every key per row (a million rows: this loop is the load's).
    read = operator.itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    count = 0

    def values() -> Iterator[tuple]:
        nonlocal count
        for row in itertools.chain([first], rows):
            count += 1
            yield read(row) + defaults

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {_table(model)} ({quoted}) FROM STDIN") as copy:
                for row in values():
                    copy.write_row(row)
        else:
            sql = (
                f"INSERT INTO {_table(model)} ({quoted}) VALUES ({', '.join(['%s'] * len(names))})"
            )
            batch: list[tuple] = []
            for row in values():
                batch.append(row)
                if len(batch) == 5000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
    return count


def reserve_ids(model, count: int) -> int:
    """The first of `count` consecutive unused primary keys, which later inserts will not
    reuse; taken under a lock so a concurrent import cannot take them too."""
    table = _table(model)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
            sequence = cursor.fetchone()[0]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            highest = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = max(cursor.fetchone()[0], highest + 1)
            if count:
                cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
            return first
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return cursor.fetchone()[0] + 1


class DeferredIndexes:
    """Drop the secondary indexes and constraints of some tables now; rebuild them later.

    Primary keys stay. On PostgreSQL: unique and foreign key constraints and plain
    indexes (including the full-text GIN index); on SQLite: the named indexes (inline
    constraints cannot be dropped there). Run inside a transaction, so a failure leaves the
    indexes as they were.
    """

    def __init__(self, tables: list[str]):
        self.tables = tables
        self.rebuild: list[str] = []

    def drop(self) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                self._drop_postgresql(cursor)
            elif connection.vendor == "sqlite":
                placeholders = ", ".join(["%s"] * len(self.tables))
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT "
                    f"NULL AND tbl_name IN ({placeholders}) ORDER BY name",
                    self.tables,
                )
                for name, sql in cursor.fetchall():
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                    self.rebuild.append(sql)

    def _drop_postgresql(self, cursor) -> None:
        # Check the rows inserted so far (their deferred foreign keys) now: PostgreSQL will
        # not alter a table that has checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f') "
            "ORDER BY contype DESC, conname",  # unique ones first when rebuilt, then keys
            [self.tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
            "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
            "AND c.conrelid = i.indrelid) ORDER BY 1",
            [self.tables],
        )
        indexes = cursor.fetchall()
        for table, name, _, _ in reversed(constraints):  # keys before the uniques they use
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        uniques = [c for c in constraints if c[3] == "u"]
        keys = [c for c in constraints if c[3] == "f"]
        for table, name, definition, _ in uniques:
            self.rebuild.append(
                f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )
        self.rebuild.extend(definition for _, definition in indexes)
        for table, name, definition, _ in keys:
            self.rebuild.append(
                f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )

    def restore(self) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Index builds sort in memory when they may; this machine has room.
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for statement in self.rebuild:
                cursor.execute(statement)
            if connection.vendor == "postgresql":
                # Back to Django's way for the rest of the transaction: keys checked at commit.
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        self.rebuild = []


def analyze(models_: Iterable) -> None:
    """Refresh the planner's statistics for the tables just loaded.

    On PostgreSQL, outside a transaction, VACUUM too: it marks the new pages all-visible,
    as autovacuum would later, so index-only scans (theme links, at every filtered page)
    need not visit the table from the first request.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            for model in models_:
                cursor.execute(f"{command} {_table(model)}")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


# --- Generating ---------------------------------------------------------------------------


def synthetic_sources():
    """The SourceDocuments that synthetic inspections hang off."""
    return SourceDocument.objects.filter(original_name__startswith=SOURCE_PREFIX)


def synthetic_inspections():
    """Every synthetic inspection."""
    return Inspection.objects.filter(source_document__in=synthetic_sources())


def current_summary() -> dict[str, Any] | None:
    """What the synthetic corpus in the database was generated with, or None if none is."""
    attempt = (
        ImportAttempt.objects.filter(source_document__in=synthetic_sources())
        .order_by("-started_at")
        .first()
    )
    return attempt.summary if attempt else None


class Progress:
    """Lines on a stream saying how far a long step has got, at most every few seconds."""

    def __init__(self, stream: TextIO | None):
        self.stream = stream
        self.started = time.perf_counter()
        self.last = 0.0

    def say(self, message: str, *, force: bool = True) -> None:
        now = time.perf_counter()
        if self.stream is None or (not force and now - self.last < 5):
            return
        self.last = now
        self.stream.write(f"[{now - self.started:7.1f} s] {message}\n")
        self.stream.flush()


def generate(
    *,
    findings: int,
    recommendations: int,
    seed: int = 0,
    defer_indexes: bool | None = None,
    progress: TextIO | None = None,
) -> dict[str, Any]:
    """Add a synthetic corpus of `findings` findings and `recommendations` recommendations.

    Refuses (ValueError) when a synthetic corpus is already there (clear it first) or when
    no real findings have been imported to take sentences from. Returns a summary (also
    stored on the synthetic source's ImportAttempt).
    """
    say = Progress(progress).say
    if synthetic_sources().exists():
        raise ValueError("A synthetic corpus is already loaded: clear it first (--clear).")
    findings_pool = SentencePool(
        Finding.objects.order_by("inspection__slug", "position", "id").values_list("area", "text")
    )
    if not len(findings_pool):
        raise ValueError(
            "No real findings to take sentences from: import some reports first "
            "(manage.py import_reports)."
        )
    recommendations_pool = SentencePool(
        ("", text)
        for text in Recommendation.objects.order_by(
            "inspection__slug", "addressee", "position", "id"
        ).values_list("text", flat=True)
    )
    if not len(recommendations_pool):
        recommendations_pool = findings_pool
    say(
        f"{len(findings_pool)} real finding sentences, {len(recommendations_pool)} "
        "recommendation sentences to recombine"
    )

    plans = _plan(seed, findings, recommendations)
    say(f"planned {len(plans)} inspections")
    if defer_indexes is None:
        defer_indexes = findings + recommendations >= DEFER_INDEXES_FROM

    theme_ids = dict(Theme.objects.values_list("slug", "pk"))
    tagger = SentenceTagger(theme_ids)
    tagger.learn(findings_pool.all, "finding")
    tagger.learn(recommendations_pool.all, "recommendation")
    say("tagged the sentences")
    text_rng = random.Random(f"{seed}:text")
    with transaction.atomic():
        source = _create_source(seed, findings, recommendations)
        _save_inspections(plans, source, random.Random(f"{seed}:dates"))
        say("saved inspections and judgements")
        big = [
            Finding,
            Recommendation,
            FindingTheme,
            RecommendationTheme,
            Recommendation.evidence.through,
        ]
        deferred = DeferredIndexes([m._meta.db_table for m in big])
        if defer_indexes:
            deferred.drop()
            say("dropped secondary indexes")
        first_finding = reserve_ids(Finding, findings)
        first_recommendation = reserve_ids(Recommendation, recommendations)
        finding_themes = _Links()
        evidence: dict[int, list[int]] = {}  # inspection pk -> evidence finding ids in order
        written = insert_rows(
            Finding,
            _finding_rows(
                plans,
                first_finding,
                findings_pool,
                text_rng,
                tagger,
                finding_themes,
                evidence,
                lambda n: say(f"findings: {n}", force=False),
            ),
        )
        say(f"wrote {written} findings")
        recommendation_themes = _Links()
        links = _Links()
        written = insert_rows(
            Recommendation,
            _recommendation_rows(
                plans,
                first_recommendation,
                recommendations_pool,
                text_rng,
                tagger,
                recommendation_themes,
                evidence,
                links,
                lambda n: say(f"recommendations: {n}", force=False),
            ),
        )
        say(f"wrote {written} recommendations")
        insert_rows(FindingTheme, finding_themes.rows("finding_id", "theme_id", tagged=True))
        insert_rows(
            RecommendationTheme,
            recommendation_themes.rows("recommendation_id", "theme_id", tagged=True),
        )
        insert_rows(Recommendation.evidence.through, links.rows("recommendation_id", "finding_id"))
        say(
            f"wrote {len(finding_themes) + len(recommendation_themes)} theme tags and "
            f"{len(links)} evidence links"
        )
        if defer_indexes:
            deferred.restore()
            say("rebuilt indexes and constraints")
        summary = {
            "synthetic": True,
            "seed": seed,
            "findings": findings,
            "recommendations": recommendations,
            "inspections": len(plans),
            "authorities": len({p.authority.pk for p in plans}),
            "finding_themes": len(finding_themes),
            "recommendation_themes": len(recommendation_themes),
            "evidence_links": len(links),
        }
        ImportAttempt.objects.create(
            source_document=source,
            outcome=ImportAttempt.Outcome.CREATED,
            summary=summary,
            log="Generated by manage.py generate_corpus: synthetic data, not an Ofsted report.",
        )
        # Bulk writes send no signals: say the public data changed (on commit).
        mark_changed(imported=True)
    analyze([Inspection, Judgement, *big])
    say("analyzed")
    return summary


def _plan(seed: int, findings: int, recommendations: int) -> list[PlannedInspection]:
    rng = random.Random(f"{seed}:plan")
    plans: list[PlannedInspection] = []
    for authority in Authority.objects.filter(abolished_on__isnull=True).order_by("slug"):
        plans.extend(plan_authority(rng, authority))
    taken = set(Inspection.objects.values_list("authority_id", "framework", "start_date"))
    for plan in plans:
        key = (plan.authority.pk, plan.framework.code, plan.start)
        while key in taken:  # a real inspection (or another plan) starts that day
            plan.start += datetime.timedelta(days=7)
            key = (plan.authority.pk, plan.framework.code, plan.start)
        taken.add(key)
        plan.slug = inspection_slug(plan.authority, plan.framework.code, plan.start)
    # Small corpora fill whole SIF reports first (findings, recommendations and evidence
    # links together), then other reports with recommendations, then letters.
    rank = {"sif": 0}
    order = sorted(
        range(len(plans)),
        key=lambda i: (
            rank.get(plans[i].framework.code, 1 if plans[i].typical_recommendations else 2),
            rng.random(),
        ),
    )
    finding_counts = _apportion(findings, [p.typical_findings for p in plans], order)
    recommendation_counts = _apportion(
        recommendations, [p.typical_recommendations for p in plans], order
    )
    for plan, f, r in zip(plans, finding_counts, recommendation_counts, strict=True):
        plan.findings = f
        if plan.framework.code == "lscb_review":
            plan.lscb_recommendations = r
        elif plan.with_lscb:
            plan.lscb_recommendations = round(r * 5 / (plan.framework.recommendations + 5))
            plan.recommendations = r - plan.lscb_recommendations
        else:
            plan.recommendations = r
    return plans


def _create_source(seed: int, findings: int, recommendations: int) -> SourceDocument:
    content = (
        "Synthetic data, not an Ofsted report.\n\n"
        f"Generated by `manage.py generate_corpus --seed {seed} --findings {findings} "
        f"--recommendations {recommendations}` for benchmarks: inspections, judgements and "
        "paragraphs made up by recombining sentences of real imported reports. Every "
        "inspection generated this way has a title ending '(synthetic)'.\n"
    ).encode()
    source = SourceDocument(
        sha256=SourceDocument.hash_of(content),
        original_name=f"{SOURCE_PREFIX} (seed {seed})",
        media_type="text/plain",
        size=len(content),
        status=SourceDocument.Status.IMPORTED,
    )
    source.file.save(source.sha256, ContentFile(content), save=False)
    source.save()
    return source


def _save_inspections(
    plans: list[PlannedInspection], source: SourceDocument, rng: random.Random
) -> None:
    now = timezone.now()
    records = []
    for plan in plans:
        framework = plan.framework
        end = plan.start + datetime.timedelta(days=rng.randint(*framework.days_on_site))
        lscb = " and review of the Local Safeguarding Children Board" if plan.with_lscb else ""
        title = framework.title.format(name=plan.authority.name, lscb=lscb)
        records.append(
            Inspection(
                authority=plan.authority,
                framework=framework.code,
                slug=plan.slug,
                title=(title + TITLE_SUFFIX)[-500:],
                start_date=plan.start,
                end_date=end,
                published_date=end + datetime.timedelta(days=rng.randint(25, 60)),
                lead_inspector="Synthetic Inspector",
                overall_grade=plan.grades.get("overall", ""),
                source_document=source,
                imported_at=now,
            )
        )
    Inspection.objects.bulk_create(records, batch_size=1000)
    if records and records[0].pk is None:  # backends that return no ids from bulk inserts
        ids = dict(synthetic_inspections().values_list("slug", "pk"))
        for record in records:
            record.pk = ids[record.slug]
    for plan, record in zip(plans, records, strict=True):
        plan.pk = record.pk
    Judgement.objects.bulk_create(
        [
            Judgement(inspection_id=plan.pk, area=area, grade=grade, words=GRADE_WORDS[grade])
            for plan in plans
            for area, grade in plan.grades.items()
        ],
        batch_size=1000,
    )


class _Links:
    """Many (id, id, reason, score) rows held compactly: arrays and a table of reasons."""

    def __init__(self) -> None:
        self.left, self.right, self.reason = array("q"), array("q"), array("l")
        self.score = array("d")  # NaN for none
        self.reasons: dict[str, int] = {}

    def add(self, left: int, right: int, reason: str = "", score: float | None = None) -> None:
        """One row; `reason` at most 200 characters, as the column holds."""
        self.left.append(left)
        self.right.append(right)
        self.reason.append(self.reasons.setdefault(reason, len(self.reasons)))
        self.score.append(math.nan if score is None else score)

    def __len__(self) -> int:
        return len(self.left)

    def rows(self, left: str, right: str, tagged: bool = False) -> Iterator[dict[str, Any]]:
        """Rows by attribute name; with `tagged`, each tag's reason and score too."""
        words = list(self.reasons)
        for i in range(len(self.left)):
            row: dict[str, Any] = {left: self.left[i], right: self.right[i]}
            if tagged:
                row["reason"] = words[self.reason[i]]
                row["score"] = None if math.isnan(self.score[i]) else self.score[i]
            yield row


def _unique_public_id(public_id: str, taken: set[str]) -> str:
    # As the importer does (save._insert_with_public_ids): derive again until unused.
    while public_id in taken:
        public_id = public_id_for(public_id, "again")
    taken.add(public_id)
    return public_id


def _finding_rows(
    plans, first_id, pool, rng, tagger, themes: _Links, evidence, report
) -> Iterator[dict[str, Any]]:
    taken = set(Finding.objects.values_list("public_id", flat=True))
    pk = first_id
    for plan in plans:
        if not plan.findings:
            continue
        # SIF paragraphs behind a recommendation end "(Recommendation)"; pick them now.
        marked: set[int] = set()
        if plan.framework.code == "sif" and plan.recommendations:
            wanted = min(plan.findings, max(1, plan.recommendations // 2))
            marked = set(rng.sample(range(plan.findings), wanted))
        sections = plan.sections
        shares = [s.share for s in sections]
        counts = (
            _apportion(plan.findings, shares, [])
            if plan.findings >= sum(shares)
            else [1 if i < plan.findings else 0 for i in range(len(sections))]
        )
        position = 0
        for section, count in zip(sections, counts, strict=True):
            for _ in range(count):
                sentences = pool.paragraph(rng, section.area, (2, 3, 4, 5, 6), (15, 30, 30, 15, 10))
                if position in marked:
                    sentences.append("(Recommendation)")
                    evidence.setdefault(plan.pk, []).append(pk)
                text = " ".join(sentences)
                paragraph = str(position + 1) if plan.framework.numbered else None
                for theme_id, reason, score in tagger.tag(sentences, "finding"):
                    themes.add(pk, theme_id, reason, score)
                yield {
                    "id": pk,
                    "inspection_id": plan.pk,
                    "tagged_by_id": tagger.model_id,
                    "public_id": _unique_public_id(
                        public_id_for(plan.slug, "finding", position, paragraph), taken
                    ),
                    "text": text,
                    "section": section.heading,
                    "area": section.area,
                    "paragraph": paragraph or "",
                    "position": position,
                    "kind": section.kind,
                }
                pk += 1
                position += 1
                if pk % 20_000 == 0:
                    report(pk - first_id)


_TIMESCALES = tuple(TIMESCALES)  # in order: the soonest first


def _recommendation_rows(
    plans, first_id, pool, rng, tagger, themes: _Links, evidence, links: _Links, report
) -> Iterator[dict[str, Any]]:
    taken = set(Recommendation.objects.values_list("public_id", flat=True))
    pk = first_id
    for plan in plans:
        lists = [("authority", plan.recommendations), ("lscb", plan.lscb_recommendations)]
        marked = iter(evidence.get(plan.pk, []))
        for addressee, count in lists:
            timescales = sorted(rng.choices(range(3), (2, 5, 3), k=count))
            for position in range(count):
                sentences = pool.paragraph(rng, "", (1, 2), (70, 30))
                text = " ".join(sentences)
                for theme_id, reason, score in tagger.tag(sentences, "recommendation"):
                    themes.add(pk, theme_id, reason, score)
                if addressee == "authority":
                    finding = next(marked, None)
                    if finding is not None:
                        links.add(pk, finding)
                yield {
                    "id": pk,
                    "inspection_id": plan.pk,
                    "tagged_by_id": tagger.model_id,
                    "public_id": _unique_public_id(
                        public_id_for(plan.slug, "recommendation", addressee, position), taken
                    ),
                    "text": text,
                    "position": position,
                    "addressee": addressee,
                    "timescale": (
                        _TIMESCALES[timescales[position]] if plan.framework.timescales else ""
                    ),
                }
                pk += 1
                if pk % 20_000 == 0:
                    report(pk - first_id)


# --- Clearing -----------------------------------------------------------------------------


def clear(progress: TextIO | None = None) -> int:
    """Remove every synthetic inspection and everything under it; returns how many
    inspections went. Real records are untouched."""
    say = Progress(progress).say
    sources = list(synthetic_sources())
    if not sources:
        return 0
    inspection = _table(Inspection)
    inspections = (
        f"SELECT id FROM {inspection} WHERE source_document_id IN "
        f"({', '.join(['%s'] * len(sources))})"
    )
    params = [s.pk for s in sources]
    finding, recommendation = _table(Finding), _table(Recommendation)
    findings = f"SELECT id FROM {finding} WHERE inspection_id IN ({inspections})"
    recommendations = f"SELECT id FROM {recommendation} WHERE inspection_id IN ({inspections})"
    steps = [
        (Recommendation.evidence.through, f"recommendation_id IN ({recommendations})"),
        (Recommendation.evidence.through, f"finding_id IN ({findings})"),
        (RecommendationTheme, f"recommendation_id IN ({recommendations})"),
        (FindingTheme, f"finding_id IN ({findings})"),
        (Recommendation, f"inspection_id IN ({inspections})"),
        (Finding, f"inspection_id IN ({inspections})"),
        (Judgement, f"inspection_id IN ({inspections})"),
        (Inspection, f"id IN ({inspections})"),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({inspections}) AS synthetic", params)
        removed = cursor.fetchone()[0]
        for model, condition in steps:
            cursor.execute(f"DELETE FROM {_table(model)} WHERE {condition}", params)
            say(f"removed {cursor.rowcount} rows from {model._meta.db_table}")
        for source in sources:
            source.file.delete(save=False)
            source.delete()
        mark_changed()
    return removed


def print_summary(summary: dict[str, Any], stream: TextIO = sys.stdout) -> None:
    """One line per count of a generation summary."""
    for key, value in summary.items():
        stream.write(f"{key}: {value}\n")
