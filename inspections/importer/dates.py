"""Dates as reports write them: every reader of dates the importer has, in one place.

- parse_date, parse_date_range: the first date ("5 December 2014") or range ("12 June –
  7 July 2017", "16 to 27 January 2023") in any text; also what harvest.py reads an
  Ofsted listing's dates with.
- span_of_ranges: the first start and last end of the ranges a field writes out (the
  SIF and ILACS "Inspection dates:" field, which may hold two windows).
- dates_in, date_window: every date a short clause known to be about dates writes out,
  filling a day's missing month and year from the next ones written (letters and the
  2009-13 reports, "2 and 3 May 2017").
- standalone_date, visit_window: a letter's own date line, and the dates of a visit as a
  letter's opening states them.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
# Characters that separate the days of a range ("12 June – 7 July 2017"): every Unicode
# dash (category Pd: hyphen, en and em dashes, horizontal bar, wave dash, ...), and the
# characters that converters and fonts put in a dash's place: minus signs and the
# horizontal lines of box drawing ("12 June ─ 7 July 2017").
DASHES = "".join(
    sorted(
        {chr(code) for code in range(0x10000) if unicodedata.category(chr(code)) == "Pd"}
        | set("\u2212\u2796\u02d7\u2043\u23af\u2e3a\u2e3b")  # minus signs, hyphen bullet, line
        | set("\u2500\u2501\u2504\u2505\u2508\u2509\u254c\u254d")  # box drawing ─ ━ ┄ ┅ ┈ ┉ ╌ ╍
        | set("\u2574\u2576\u2578\u257a\u257c\u257e")  # box drawing half lines ╴ ╶ ╸ ╺ ╼ ╾
    )
)
DASH = "[" + re.escape(DASHES) + "]"

_MONTH = r"(?P<{}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<{}>\d{{1,2}})(?:st|nd|rd|th)?"

_DATE = re.compile(
    _DAY.format("day") + r"\s+" + _MONTH.format("month") + r"\s+(?P<year>(?:19|20)\d\d)",
    re.IGNORECASE,
)
# "12 June – 7 July 2017", "16 to 27 January 2023", "30 September - 22 October 2014",
# "2 and 3 May 2017", "27 November 2017 to 5 January 2018", "12 June ─ 7 July 2017".
_RANGE = re.compile(
    _DAY.format("d1")
    + r"(?:\s+"
    + _MONTH.format("m1")
    + r")?(?:\s+(?P<y1>(?:19|20)\d\d))?\s*(?:"
    + DASH
    + r"|to|and|until)\s*"
    + _DAY.format("d2")
    + r"\s+"
    + _MONTH.format("m2")
    + r"\s+(?P<y2>(?:19|20)\d\d)",
    re.IGNORECASE,
)


def parse_date(text: str) -> datetime.date | None:
    """The first date written out in `text` ("5 December 2014"), or None."""
    match = _DATE.search(text)
    if not match:
        return None
    return _make_date(match["year"], match["month"], match["day"])


def parse_date_range(text: str) -> tuple[datetime.date, datetime.date] | None:
    """The first range of dates in `text` as (start, end), or None.

    A range may leave out the first month and year ("16 to 27 January 2023"), and be
    separated by any dash-like character (DASHES). It is returned as printed, even where
    it ends before it starts: checks.check_facts refuses such dates for every format.
    """
    match = _RANGE.search(text)
    if not match:
        return None
    end = _make_date(match["y2"], match["m2"], match["d2"])
    if end is None:
        return None
    start = _make_date(match["y1"] or match["y2"], match["m1"] or match["m2"], match["d1"])
    if start is None:
        return None
    if start > end and not match["y1"]:
        # "30 December to 3 January 2019": the start is in the previous year.
        start = start.replace(year=start.year - 1)
    return start, end


def _make_date(year: str, month: str, day: str) -> datetime.date | None:
    try:
        return datetime.date(int(year), MONTHS[month.lower().rstrip(".")], int(day))
    except (KeyError, ValueError):
        return None


def span_of_ranges(words: str) -> tuple[datetime.date | None, datetime.date | None]:
    """First start and last end of the date ranges written in `words`."""
    words = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", words)
    words = spell_numeric_dates(words)
    ranges = []
    rest = words
    while True:
        found = parse_date_range(rest)
        if not found:
            break
        ranges.append(found)
        match = re.search(r"(?:19|20)\d\d", rest)
        # Move past the range just read: its end year is the first year after its start.
        end_year = str(found[1].year)
        cut = rest.find(end_year, match.start() if match else 0)
        if cut < 0:
            break
        rest = rest[cut + 4 :]
    if ranges:
        return ranges[0][0], ranges[-1][1]
    single = parse_date(words)
    return single, single


_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b")
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()


def spell_numeric_dates(words: str) -> str:
    """Words with each numeric date ("12/09/2016") spelt out ("12 September 2016")."""
    return _NUMERIC_DATE.sub(_spelt_date, words)


def _spelt_date(match: re.Match[str]) -> str:
    """ "12/09/2016" as "12 September 2016" (reports write dates day first)."""
    day, month, year = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        return match.group(0)
    return f"{day} {_MONTH_NAMES[month - 1]} {year}"


MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_TOKEN = re.compile(
    r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?P<month>" + MONTH_WORDS + r")\.?)?"
    r"(?:\s*(?P<year>(?:19|20)\d\d))?(?![\d%])(?!\s*(?:am|pm)\b)",
    re.IGNORECASE,
)
_STANDALONE_DATE = re.compile(
    r"^(?:date:?\s*)?\d{1,2}(?:st|nd|rd|th)?\s+(?:" + MONTH_WORDS + r")\.?\s+(?:19|20)\d\d$",
    re.IGNORECASE,
)


def dates_in(clause: str) -> list[datetime.date]:
    """Every date a short clause writes out, in order, filling a day's missing month and
    year from the next ones written: "2 and 3 May 2017", "12-16 March and 26-30 March 2012",
    "27 November 2017 to 5 January 2018".

    Only for a clause known to be about dates: any bare number would count as a day.
    """
    tokens = [
        (int(m["day"]), m["month"], m["year"])
        for m in _DATE_TOKEN.finditer(re.sub(DASH, " - ", clause))
    ]
    dates: list[datetime.date] = []
    month = year = None
    filled = []
    for day, token_month, token_year in reversed(tokens):
        month = token_month or month
        year = token_year or year
        if month and year:
            filled.append((day, month, year))
    for day, month_word, year_word in reversed(filled):
        try:
            dates.append(datetime.date(int(year_word), MONTHS[month_word.lower()], day))
        except ValueError:
            continue
    # "30 December to 3 January 2019": the start is in the year before the one written.
    for index in range(len(dates) - 1):
        if dates[index] > dates[index + 1] and dates[index].month > dates[index + 1].month:
            dates[index] = dates[index].replace(year=dates[index].year - 1)
    return dates


def date_window(clause: str) -> tuple[datetime.date | None, datetime.date | None]:
    """The first and last dates a dates clause writes out; (None, None) when it has none."""
    found = dates_in(clause)
    if not found:
        return None, None
    return found[0], found[-1]


def standalone_date(text: str) -> datetime.date | None:
    """The date a cleaned line consists of ("13 June 2017"), as a letter's date is printed."""
    if not _STANDALONE_DATE.match(text):
        return None
    found = dates_in(text)
    return found[0] if found else None


_VISIT_DATES = re.compile(
    r"\b(?:on|between|from|dates?:?)\s+(?P<clause>\d{1,2}(?:st|nd|rd|th)?\b[^.]{0,80}?"
    r"(?:19|20)\d\d)",
    re.IGNORECASE,
)


def visit_window(text: str) -> tuple[datetime.date | None, datetime.date | None]:
    """The dates of a visit as a letter's opening states them ("which was conducted on 27
    and 28 July 2010", "on 12 to 14 March 2019"): (first day, last day)."""
    match = _VISIT_DATES.search(text)
    if not match:
        return None, None
    return date_window(match["clause"])
