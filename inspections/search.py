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
- SQLite (the demo and development database): an FTS5 table per table searched, with
  the porter tokenizer, kept in step with the text by triggers (migration 0012_sqlite_search;
  it ships with Python's sqlite3). The same parsed query becomes an FTS5 query: words
  stemmed, phrases as phrases, `or`, `-word`; rows are ranked by bm25. Porter is not
  PostgreSQL's Snowball English: they put a seed word with different other words in 4% of
  cases ("carefully" is "care" to Snowball, its own word to porter; tests/test_search.py
  measures it).

Curly apostrophes and quotes are straight ones to both back ends (`normalise`; the stored
vector translates them too, migration 0011): "children’s" finds "children's", and
“a phrase” is a phrase.

Highlighting runs in Python on the shown page's rows only (ts_headline would re-parse every
row): it marks the words whose stem is one searched for, with the stemmer of the back end
that matched — `stem` below is the English (Porter2) algorithm at PostgreSQL's version,
`porter_stem` the porter algorithm of SQLite's FTS5.
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
from snowballstemmer.porter_stemmer import PorterStemmer

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

# Typographic apostrophes and quotes, as word processors (and so reports) and phones type
# them, and the straight ones they stand for. Without this, PostgreSQL (whose parser may
# read "’" as part of a word) and Python's \w (which reads U+02BC as a letter) make
# “children’s social care” and "children's social care" two searches finding different rows.
CURLY_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u02bc\uff07\u201c\u201d\u201e\u201f\u2033\uff02"
STRAIGHT_QUOTES = "'" * 7 + '"' * 6
_STRAIGHTEN = str.maketrans(CURLY_QUOTES, STRAIGHT_QUOTES)


def normalise(text: str) -> str:
    """`text` with curly apostrophes and quotes made straight, so both search the same."""
    return text.translate(_STRAIGHTEN)


@dataclass(frozen=True)
class Term:
    """One thing a row must contain (or, negated, must not): a word or a phrase."""

    words: tuple[str, ...]  # lower case, stop words left out
    text: str  # as typed (straightened), for an FTS5 phrase
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

    Punctuation separates words; stop words ("the", "of") are dropped, as PostgreSQL does;
    curly quotes are straight ones (`normalise`). Never fails: text that is no word at all
    parses to no alternative (matching nothing).
    """
    alternatives: list[tuple[Term, ...]] = []
    terms: list[Term] = []
    for match in TOKEN.finditer(normalise(query)):
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
            # The phrase as typed, without the punctuation around it, for FTS5.
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
    parts = [WebSearchQuery(Value(normalise(q), output_field=TextField())) for q in queries]
    return parts[0] if len(parts) == 1 else EitherQuery(*parts)


def _uses_postgresql() -> bool:
    return connection.vendor == "postgresql"


# --- SQLite: FTS5 ---------------------------------------------------------------------


def fts_table(model_table: str) -> str:
    """The FTS5 index of a searched table (migration 0012_sqlite_search)."""
    return f"{model_table}_fts"


def _fts_term(term: Term) -> str:
    """One term as an FTS5 phrase: its words in a row, as typed.

    Stop words inside a phrase stay (FTS5 indexed them; PostgreSQL counts their places),
    those at either end go, as PostgreSQL drops them. Words are letters and digits only,
    so nothing in them needs quoting.
    """
    words = [w.lower() for w in WORD.findall(term.text)] if len(term.words) > 1 else []
    while words and words[0] in STOP_WORDS:
        words.pop(0)
    while words and words[-1] in STOP_WORDS:
        words.pop()
    return '"' + " ".join(words or term.words) + '"'


def fts_queries(queries: Iterable[str]) -> tuple[str | None, list[str]]:
    """What `queries` ask of FTS5: one MATCH expression for every alternative with a word
    to look for (None if none has), and, for each alternative made only of exclusions
    ("-neglect", which FTS5 cannot say alone), the MATCH expression of what it excludes.
    """
    positive: list[str] = []
    only_excluding: list[str] = []
    for query in queries:
        for terms in parse(query).alternatives:
            wanted = [_fts_term(t) for t in terms if not t.negated]
            unwanted = [_fts_term(t) for t in terms if t.negated]
            if not wanted:
                only_excluding.append(" OR ".join(unwanted))
                continue
            expression = " AND ".join(wanted)
            if unwanted:
                expression = f"({expression}) NOT ({' OR '.join(unwanted)})"
            positive.append(f"({expression})")
    return (" OR ".join(positive) if positive else None), only_excluding


class FtsMatches(Expression):
    """The rowids of the rows whose FTS5 index matches `expression` (SQLite only): the
    right-hand side of `pk__in`. The index is the one of whatever table the query reads."""

    output_field = ModelField()

    def __init__(self, expression: str, table: str | None = None) -> None:
        super().__init__()
        self.expression = expression
        self.table = table

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        if self.table is not None:
            # Resolved already: a subquery's conditions are resolved again against the
            # outer query (facet counts), whose table is not the one searched.
            return self
        return FtsMatches(self.expression, query.model._meta.db_table)

    def as_sql(self, compiler, connection):
        fts = connection.ops.quote_name(fts_table(self.table))
        return f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [self.expression]


class FtsRank(Expression):
    """How well the row matches (SQLite only): bm25, negated so that higher is better as
    with PostgreSQL's ranks; 0 for a row found only by an exclusion.

    The matches and their scores are worked out once, as a MATERIALIZED common table
    expression the row looks itself up in: a plain correlated subquery ran the full-text
    query again for every row (19 s for 15,000 of 50,000 findings; 50 ms this way).
    """

    output_field = FloatField()

    def __init__(self, expression: str, pk=None, table: str | None = None) -> None:
        super().__init__()
        self.expression = expression
        self.pk = pk
        self.table = table

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        if self.table is not None:
            return self  # as FtsMatches
        pk = F("pk").resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return FtsRank(self.expression, pk, query.model._meta.db_table)

    def get_source_expressions(self):
        return [self.pk] if self.pk is not None else []

    def set_source_expressions(self, exprs):
        if exprs:
            (self.pk,) = exprs

    def as_sql(self, compiler, connection):
        fts = connection.ops.quote_name(fts_table(self.table))
        pk_sql, pk_params = compiler.compile(self.pk)
        sql = (
            f"COALESCE((WITH scores AS MATERIALIZED (SELECT rowid AS id, -bm25({fts}) AS score "
            f"FROM {fts} WHERE {fts} MATCH %s) SELECT score FROM scores WHERE id = {pk_sql}), 0)"
        )
        return sql, [self.expression, *pk_params]


def _fts_condition(queries: list[str]) -> Q:
    positive, only_excluding = fts_queries(queries)
    condition = Q(pk__in=[])  # no searchable word at all: nothing matches
    if positive is not None:
        condition |= Q(pk__in=FtsMatches(positive))
    for expression in only_excluding:
        condition |= ~Q(pk__in=FtsMatches(expression))
    return condition


# --- The three entry points -------------------------------------------------------------


def matches(queries: Iterable[str]) -> Q | Matches | None:
    """A filter condition: rows matching any of `queries`. None when there is no query."""
    queries = [q for q in queries if q.strip()]
    if not queries:
        return None
    if _uses_postgresql():
        return Matches(StoredVector(), _tsquery(queries))
    return _fts_condition(queries)


def rank(queries: Iterable[str]) -> Rank | FtsRank | None:
    """How well a row matches `queries` (higher is better); None when there is no query
    with a word to look for (nothing to rank by)."""
    queries = [q for q in queries if q.strip()]
    if not queries:
        return None
    if _uses_postgresql():
        words = sum(len(WORD.findall(q)) for q in queries)
        return Rank(StoredVector(), _tsquery(queries), words=words)
    positive, _ = fts_queries(queries)
    return None if positive is None else FtsRank(positive)


def marked_spans(text: str, queries: Iterable[str]) -> list[tuple[int, int]]:
    """Where `text` matches `queries`: (start, end) of each word to mark, in order.

    Both back ends match by stem, so every word sharing a searched word's stem is marked
    ("supervision" for "supervise"), with the stemmer of the back end in use: Snowball
    English on PostgreSQL, porter on SQLite. Words only excluded (`-word`) are never marked.
    """
    stemmer = stem if _uses_postgresql() else porter_stem
    wanted = {stemmer(word) for q in queries for word in parse(q).words}
    if not wanted:
        return []
    return [
        m.span()
        for m in WORD.finditer(text)
        if m.group().lower() not in STOP_WORDS and stemmer(m.group().lower()) in wanted
    ]


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


@lru_cache(maxsize=65536)
def porter_stem(word: str) -> str:
    """The porter stem of a lower-case word, as SQLite's FTS5 porter tokenizer stems it
    (Snowball's implementation of Porter's original algorithm: the two differ on a handful
    of the seeds' 2,600 words, such as "chronology")."""
    return PorterStemmer().stemWord(word)
