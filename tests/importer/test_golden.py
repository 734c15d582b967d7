"""Golden files: each fixture report's extracted text and its whole parse, committed, so a
parser change shows as a reviewable diff of what it reads, never as a silent pass.

For every report under fixtures/reports/ (the seed texts, the PDFs and the fictional
reports), tests/importer/golden/ holds, at the same relative path:

- `<name>.json`: the parse in full (framework, dates, authority, judgements,
  recommendations, findings with their kinds, sections, numbers and text, warnings),
  keys sorted, two-space indented;
- `<name>.txt`, for a PDF: the text the format modules read (after structure.py), with a
  line `=== page N ===` where each page starts.

After a deliberate parser change, rewrite them and review the diff:

    .venv/bin/python -m pytest tests/importer/test_golden.py --update-golden
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspections.importer.pipeline import parse_report
from inspections.importer.read import read_document
from inspections.importer.report import ReportText
from inspections.importer.structure import structure

from ..conftest import REPORTS

GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = sorted(
    path.relative_to(REPORTS)
    for path in REPORTS.rglob("*")
    if path.suffix in (".txt", ".pdf") and path.is_file()
)


def parse_as_json(data: bytes) -> str:
    """A report's parse as stable, diffable JSON: lists in the report's order."""
    parsed = parse_report(data).to_json()
    return json.dumps(parsed, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def text_with_pages(text: ReportText) -> str:
    """The report's clean lines, each page's first preceded by its page marker."""
    out: list[str] = []
    page = None
    for line, page_of_line in zip(text.lines, text.page_of_line, strict=True):
        if page_of_line != page:
            page = page_of_line
            out.append(f"=== page {page} ===")
        out.append(line)
    return "\n".join(out) + "\n"


def golden_files(relative: Path) -> dict[Path, str]:
    """The golden files for one fixture and what they should hold now."""
    data = (REPORTS / relative).read_bytes()
    files = {GOLDEN / relative.with_suffix(".json"): parse_as_json(data)}
    if relative.suffix == ".pdf":
        files[GOLDEN / relative.with_suffix(".txt")] = text_with_pages(
            structure(read_document(data))
        )
    return files


def test_every_fixture_report_is_covered():
    assert len(FIXTURES) == 15, FIXTURES  # 5 seeds, 5 PDFs, 5 fictional reports


@pytest.mark.parametrize("relative", FIXTURES, ids=str)
def test_parse_matches_its_golden_file(relative, request):
    update = request.config.getoption("--update-golden")
    for path, now in golden_files(relative).items():
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(now, encoding="utf-8")
            continue
        assert path.exists(), f"{path} is missing: run pytest with --update-golden"
        assert now == path.read_text(encoding="utf-8"), (
            f"{relative} now parses differently from {path.relative_to(GOLDEN.parent)}; "
            "if the change is meant, rewrite it with --update-golden and review the diff"
        )
