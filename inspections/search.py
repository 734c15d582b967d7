"""Full-text search over findings and recommendations: the `q` parameter (DOMAIN.md).

One `q` value is read the way PostgreSQL's websearch_to_tsquery reads it (and the way
people type into search boxes): words must all appear, `"a phrase"` must appear as written,
`or` between words means either, `-word` excludes. Several `q` values mean either of them,
like every repeated parameter.

Two back ends behind the same three functions (`matches`, `rank`, `marked_spans`):

- PostgreSQL: each row has a stored `search_vector` column, to_tsvector('english', text),
  with a GIN index (migration 0003_search). It is outside the models so Django never selects
  it; `StoredVector` names it under whatever alias a query gives the table. Queries are
  websearch_to_tsquery('english', q), so English stemming applies ("supervise" finds
  "supervision"), stop words are ignored, and no input is a syntax error. Rows are ranked
  with ts_rank_cd (ts_rank for long queries: see `Rank`). Ranking reads the stored vector
  of every matching row, but so does any ordering of them; measured, the rank adds ~1.5 µs
  a row to a query whose time goes to fetching the rows (scripts/benchmark_search.py).
- SQLite (the demo and development database): every term is matched with a
  case-insensitive `LIKE`, using a crude stem ("supervis" for "supervised") so that the
  same searches find roughly the same rows; phrases and exclusions behave the same. No rank.

Highlighting runs in Python on the shown page's rows only (ts_headline would re-parse every
row): on PostgreSQL it marks the words whose Snowball stem is one searched for — `stem` below
is the English (Porter2) algorithm at PostgreSQL's version — and on SQLite the words that
contain a searched term, as the LIKE did.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.db.models import BooleanField, Expression, F, FloatField, Func, Q, TextField, Value
from django.db.models import Field as ModelField
from django.db.models.expressions import Col
from snowballstemmer.english_stemmer import EnglishStemmer

# --- Reading a query --------------------------------------------------------------------

# PostgreSQL's english.stop (Snowball's list): not indexed, so never searched for.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now""".split()
)
WORD = re.compile(r"[^\W_]+")  # letters and digits: how PostgreSQL's parser splits words
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    """One thing a row must contain (or, negated, must not): a word or a phrase."""

    words: tuple[str, ...]  # lower case, stop words left out
    text: str  # as typed, for the SQLite fallback's LIKE
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """One `q` value: rows matching every term of any one alternative match."""

    alternatives: tuple[tuple[Term, ...], ...]

    @property
    def words(self) -> list[str]:
        """The words searched for (not excluded), in the order typed, without repeats."""
        words = (w for terms in self.alternatives for t in terms if not t.negated for w in t.words)
        return list(dict.fromkeys(words))


@lru_cache(maxsize=256)
def parse(query: str) -> ParsedQuery:
    """Read `query` as websearch_to_tsquery does: words, "phrases", `or`, `-exclusions`.

    Punctuation separates words; stop words ("the", "of") are dropped, as PostgreSQL does.
    Never fails: text that is no word at all parses to no alternative (matching nothing).
    """
    alternatives: list[tuple[Term, ...]] = []
    terms: list[Term] = []
    for match in TOKEN.finditer(query):
        minus, quoted, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            if terms:
                alternatives.append(tuple(terms))
            terms = []
            continue
        if bare is not None:
            minus = "-" if bare.startswith("-") else ""
            text = bare.lstrip("-")
        else:
            text = quoted
        words = tuple(w for w in (w.lower() for w in WORD.findall(text)) if w not in STOP_WORDS)
        if words:
            # The phrase as typed, without the punctuation around it, for LIKE.
            text = " ".join(text.split())
            text = text[WORD.search(text).start() : _last_word_end(text)]
            terms.append(Term(words, text, negated=bool(minus)))
    if terms:
        alternatives.append(tuple(terms))
    return ParsedQuery(tuple(alternatives))


def _last_word_end(text: str) -> int:
    return [m.end() for m in WORD.finditer(text)][-1]


# --- PostgreSQL -------------------------------------------------------------------------


class TsVectorField(ModelField):
    """The type of the stored column; a Django field only so expressions can name it."""

    def db_type(self, connection) -> str:
        return "tsvector"


class TsQueryField(ModelField):
    def db_type(self, connection) -> str:
        return "tsquery"


SEARCH_VECTOR = TsVectorField()
SEARCH_VECTOR.set_attributes_from_name("search_vector")  # the column migration 0003 adds


class StoredVector(Expression):
    """The row's stored `search_vector` column (PostgreSQL only).

    Resolved like the primary key, so it carries the table's alias and stays right when
    the query becomes a subquery (facet counts) and Django relabels its tables.
    """

    output_field = SEARCH_VECTOR

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        pk = F("pk").resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return Col(pk.alias, SEARCH_VECTOR, output_field=SEARCH_VECTOR)


class WebSearchQuery(Func):
    """websearch_to_tsquery('english', query): never a syntax error, whatever was typed."""

    template = "websearch_to_tsquery('english'::regconfig, %(expressions)s)"
    output_field = TsQueryField()


class EitherQuery(Func):
    """tsquery OR tsquery: several `q` values mean either (one index scan, one rank)."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = TsQueryField()


class Matches(Func):
    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class Rank(Func):
    """ts_rank_cd (cover density: the words close together rank higher) for short queries,
    ts_rank (frequency) for long ones, whose cover density costs too much per row."""

    # Normalisation 1: divide by 1 + log(length), so a long paragraph does not win by size.
    template = "%(function)s(%(expressions)s, 1)"
    output_field = FloatField()

    def __init__(self, *expressions, words: int) -> None:
        super().__init__(*expressions)
        self.function = "ts_rank_cd" if words <= COVER_DENSITY_WORDS else "ts_rank"


# ts_rank_cd's cost grows faster than linearly with the query's words (measured ~1.5 µs a
# row for one word, ~16 µs for eight, ~70 µs for 32); ts_rank stays ~2-10 µs.
COVER_DENSITY_WORDS = 8


def _tsquery(queries: list[str]) -> Func:
    parts = [WebSearchQuery(Value(q, output_field=TextField())) for q in queries]
    return parts[0] if len(parts) == 1 else EitherQuery(*parts)


def _uses_postgresql() -> bool:
    return connection.vendor == "postgresql"


# --- SQLite fallback --------------------------------------------------------------------


def like_needle(term: Term) -> str:
    """What LIKE looks for: a phrase as typed, or a single word cut to its stem.

    "supervised" becomes "supervis", finding "supervision" as PostgreSQL would; the cut is
    kept only where the stem is a prefix of at least four letters of the word typed.
    """
    if len(term.words) > 1:
        return term.text
    word = term.words[0]
    stemmed = stem(word)
    prefix = 0
    while prefix < min(len(word), len(stemmed)) and word[prefix] == stemmed[prefix]:
        prefix += 1
    return word[:prefix] if prefix >= 4 else word


def _like_condition(parsed: ParsedQuery) -> Q:
    condition = Q(pk__in=[])  # no searchable word at all: nothing matches
    for terms in parsed.alternatives:
        every = Q()
        for term in terms:
            contains = Q(text__icontains=like_needle(term))
            every &= ~contains if term.negated else contains
        condition |= every
    return condition


# --- The three entry points -------------------------------------------------------------


def matches(queries: Iterable[str]) -> Q | Matches | None:
    """A filter condition: rows matching any of `queries`. None when there is no query."""
    queries = [q for q in queries if q.strip()]
    if not queries:
        return None
    if _uses_postgresql():
        return Matches(StoredVector(), _tsquery(queries))
    condition = Q(pk__in=[])
    for query in queries:
        condition |= _like_condition(parse(query))
    return condition


def rank(queries: Iterable[str]) -> Rank | None:
    """How well a row matches `queries` (higher is better); None when not ranked.

    Only PostgreSQL ranks; SQLite keeps the listing's usual order.
    """
    queries = [q for q in queries if q.strip()]
    if not queries or not _uses_postgresql():
        return None
    words = sum(len(WORD.findall(q)) for q in queries)
    return Rank(StoredVector(), _tsquery(queries), words=words)


def marked_spans(text: str, queries: Iterable[str]) -> list[tuple[int, int]]:
    """Where `text` matches `queries`: (start, end) of each word to mark, in order.

    PostgreSQL matched by stem, so every word sharing a searched word's stem is marked
    ("supervision" for "supervise"); SQLite matched by LIKE, so words containing a searched
    term are. Words only excluded (`-word`) are never marked.
    """
    parsed = [parse(q) for q in queries]
    if _uses_postgresql():
        wanted = {stem(word) for p in parsed for word in p.words}
        if not wanted:
            return []
        return [
            m.span()
            for m in WORD.finditer(text)
            if m.group().lower() not in STOP_WORDS and stem(m.group().lower()) in wanted
        ]
    needles = sorted(
        {
            like_needle(term).lower()
            for p in parsed
            for terms in p.alternatives
            for term in terms
            if not term.negated
        },
        key=len,
        reverse=True,
    )
    if not needles:
        return []
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(text):
        start, end = match.span()
        # The whole word (or words, for a phrase) the term was found in.
        while start > 0 and _is_word_char(text[start - 1]):
            start -= 1
        while end < len(text) and _is_word_char(text[end]):
            end += 1
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def _is_word_char(ch: str) -> bool:
    return ch.isalnum()


# --- The English stemmer --------------------------------------------------------------
# Snowball's "english" algorithm as PostgreSQL's english_stem dictionary runs it, so that
# highlighting marks the words PostgreSQL matched. snowballstemmer 2.x is Snowball 2.x, the
# version in PostgreSQL 15 (Snowball 3 stems "emergency", "university" and more otherwise);
# tests/test_search.py compares the two on every seed word. Its pure-Python class, named
# directly: snowballstemmer.stemmer() would hand over to PyStemmer (Snowball 3, installed
# for the theme model) where it is installed.


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball English stem of a lower-case word ("supervision" → "supervis")."""
    # A stemmer per call: one keeps the word being stemmed, so threads cannot share it.
    return EnglishStemmer().stemWord(word)
