"""The CSV and JSON twins of /findings/ and /recommendations/ (DOMAIN.md's row fields).

Exactly the filtered rows, all pages, streamed: rows are read in chunks with
`.iterator(chunk_size=...)`, and Django prefetches each chunk's themes in one query, so
memory stays flat and no query runs per row.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse

from ..models import Finding, Recommendation
from ..selectors import Listing

CHUNK_SIZE = 500

FINDING_FIELDS = [
    "id",
    "url",
    "authority",
    "authority_name",
    "inspection_url",
    "framework",
    "start_date",
    "published_date",
    "section",
    "paragraph",
    "overall_grade",
    "area",
    "area_grade",
    "themes",
    "text",
]
RECOMMENDATION_FIELDS = [*FINDING_FIELDS, "addressee", "timescale"]
CSV_THEME_SEPARATOR = ";"  # slugs never contain it


def _common(record: Finding | Recommendation) -> dict[str, Any]:
    inspection = record.inspection
    return {
        "id": record.public_id,
        "url": record.get_absolute_url(),
        "authority": inspection.authority.slug,
        "authority_name": inspection.authority.name,
        "inspection_url": inspection.get_absolute_url(),
        "framework": inspection.framework,
        "start_date": inspection.start_date,
        "published_date": inspection.published_date,
        "overall_grade": inspection.overall_grade or None,
        "themes": [theme.slug for theme in record.themes.all()],
        "text": record.text,
    }


def finding_row(finding: Finding) -> dict[str, Any]:
    """A finding as an export row. Expects `area_grade` annotated and themes prefetched."""
    row = _common(finding)
    row.update(
        section=finding.section,
        paragraph=finding.paragraph or None,
        area=finding.area or None,
        area_grade=getattr(finding, "area_grade", None),
    )
    return {name: row[name] for name in FINDING_FIELDS}


def recommendation_row(recommendation: Recommendation) -> dict[str, Any]:
    """A recommendation as an export row.

    A recommendation is not printed under a section, with a paragraph number or a judgement
    area, so those are null (the `area` filter reaches recommendations via their evidence).
    """
    row = _common(recommendation)
    row.update(
        section=None,
        paragraph=None,
        area=None,
        area_grade=None,
        addressee=recommendation.addressee,
        timescale=recommendation.timescale or None,
    )
    return {name: row[name] for name in RECOMMENDATION_FIELDS}


class _Echo:
    """A file-like object csv.writer writes to, handing each line back."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[dict[str, Any]], fields: list[str]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(fields)
    for row in rows:
        yield writer.writerow([_csv_value(row[name]) for name in fields])


# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (=HYPERLINK(...) can send a reader's data away), so such text gets a leading apostrophe
# and is shown as text (OWASP's advice on CSV injection). The JSON export keeps it exact.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return CSV_THEME_SEPARATOR.join(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _json_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    yield "["
    separator = "\n"
    for row in rows:
        yield separator + json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def export_response(listing: Listing, fmt: str) -> StreamingHttpResponse:
    """The listing's rows as a streamed CSV or JSON download."""
    to_row = finding_row if listing.kind == "finding" else recommendation_row
    fields = FINDING_FIELDS if listing.kind == "finding" else RECOMMENDATION_FIELDS
    rows = (to_row(record) for record in listing.rows.iterator(chunk_size=CHUNK_SIZE))
    if fmt == "csv":
        content, content_type = _csv_lines(rows, fields), "text/csv; charset=utf-8"
    else:
        content, content_type = _json_chunks(rows), "application/json"
    response = StreamingHttpResponse(content, content_type=content_type)
    filename = f"ofsted-{listing.kind}s-{datetime.date.today():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
