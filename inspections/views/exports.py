"""The CSV and JSON twins of the listings (DOMAIN.md's row fields), and of the national
dataset of each current authority's latest grades.

Exactly the filtered rows, all pages, streamed in chunks as `selectors.exports` reads them.

Measured at 1M findings (scripts/benchmark_export.py: 100,000 rows, 3,000 -> 24,000 rows/s
as CSV, 3,300 -> 18,000-21,000 as JSON); besides reading plain columns (see
`inspections.selectors.exports`), what used to cost the time here, and what replaced it:
- the csv module (~25 µs a row: it tests each character of the text in turn): cells are
  quoted here with str methods, by the same rule (`_csv_quote`, checked against csv.writer
  in tests/test_exports.py, as is the whole download against model instances);
- one piece of output per row: each chunk of rows is written out as one string.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator, Sequence

from django.http import HttpResponse, StreamingHttpResponse

from ..listing_kinds import JUDGEMENT_EXPORT_FIELDS
from ..selectors import Listing
from ..selectors.exports import THEMES, Values, judgement_chunks, value_chunks

CSV_THEME_SEPARATOR = ";"  # slugs never contain it

# --- Writing them -----------------------------------------------------------------------

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (=HYPERLINK(...) can send a reader's data away), so such text gets a leading apostrophe
# and is shown as text (OWASP's advice on CSV injection). The JSON export keeps it exact.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_quote(text: str) -> str:
    # csv.writer's rule with its defaults (QUOTE_MINIMAL, doublequote, "\r\n" lines): quote a
    # cell holding a comma, a double quote or a line break, doubling its double quotes.
    # tests/test_exports.py checks this against csv.writer.
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


def _csv_cell(value: str | None) -> str:
    if not value:
        return ""
    return _csv_quote("'" + value if value.startswith(FORMULA_STARTS) else value)


_FORMULA_FIRST = "".join(FORMULA_STARTS)


def _csv_cells(values: Sequence[str | None]) -> str:
    """Cells of str or None, defused and quoted as `_csv_cell` does, joined by commas."""
    # Most of these are codes, slugs, ids, URLs and dates that need neither: join them as
    # they are and look at the line once (a few scans in C rather than a Python call a
    # cell). Only a line where some cell holds a comma, a quote or a line break, or starts
    # like a formula, is done cell by cell.
    line = ",".join([value or "" for value in values])
    if (
        line.count(",") == len(values) - 1
        and '"' not in line
        and "\n" not in line
        and "\r" not in line
        and line[:1] not in _FORMULA_FIRST  # "" is "in" any text: the slow way, rightly
        and ",=" not in line
        and ",+" not in line
        and ",-" not in line
        and ",@" not in line
        and ",\t" not in line
    ):
        return line
    return ",".join(map(_csv_cell, values))


def csv_line(values: Values) -> str:
    """One CSV line (with its "\\r\\n"), as csv.writer writes it, formulas defused."""
    # Defused like text: a slug written before slugs were checked may start like a formula.
    themes = _csv_cell(CSV_THEME_SEPARATOR.join(values[THEMES]))
    rest = ",".join(map(_csv_cell, values[THEMES + 1 :]))  # the text, and so on
    return _csv_cells(values[:THEMES]) + "," + themes + "," + rest + "\r\n"


def plain_csv_line(values: Values) -> str:
    """One CSV line of cells that are all str or None, formulas defused."""
    return _csv_cells(values) + "\r\n"


def _csv_chunks(chunks: Iterator[list[Values]], fields: Sequence[str]) -> Iterator[str]:
    yield ",".join(map(_csv_quote, fields)) + "\r\n"
    # Only findings and recommendations have a list among their values: their themes.
    line = csv_line if "themes" in fields else plain_csv_line
    for chunk in chunks:
        yield "".join(map(line, chunk))


# Values are str, None and lists of str only, so the standard encoder writes what
# DjangoJSONEncoder did (json.dumps(row, ensure_ascii=False)); one instance serves all rows.
# (No value holds itself, so the check for circular references is skipped: it only costs.)
_encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def _json_chunks(chunks: Iterator[list[Values]], fields: Sequence[str]) -> Iterator[str]:
    yield "["
    separator = "\n"
    for chunk in chunks:
        yield separator + ",\n".join(_encode(dict(zip(fields, v, strict=True))) for v in chunk)
        separator = ",\n"
    yield "\n]\n"


def invalid_filters(filterset) -> HttpResponse:
    """400 for a download whose filters are not valid, naming each bad one: a download has
    no page to show its errors on."""
    errors = "\n".join(
        f"{name}: {' '.join(messages)}" for name, messages in filterset.errors.items()
    )
    return HttpResponse(
        f"Some filters are not valid:\n{errors}\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def download_response(
    chunks: Iterator[list[Values]], fields: Sequence[str], fmt: str, name: str
) -> StreamingHttpResponse:
    """Rows (chunks of tuples in `fields`' order) as a streamed CSV or JSON download
    named ofsted-<name>-<today>.<fmt>."""
    if fmt == "csv":
        content, content_type = _csv_chunks(chunks, fields), "text/csv; charset=utf-8"
    else:
        content, content_type = _json_chunks(chunks, fields), "application/json"
    response = StreamingHttpResponse(content, content_type=content_type)
    filename = f"ofsted-{name}-{datetime.date.today():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_response(
    listing: Listing, fmt: str, *, origin: str = "", judgements: bool = False
) -> StreamingHttpResponse:
    """The listing's rows as a streamed CSV or JSON download; with `judgements` (an
    inspections listing only), one row per judgement of its inspections instead. URLs begin
    with `origin` ("https://example.org"; none: absolute paths)."""
    if judgements:
        return download_response(
            judgement_chunks(listing, origin=origin), JUDGEMENT_EXPORT_FIELDS, fmt, "judgements"
        )
    return download_response(
        value_chunks(listing, origin=origin),
        listing.kind.export_fields,
        fmt,
        f"{listing.kind.name}s",
    )
