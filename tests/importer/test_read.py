"""The read step decides a file's type by content and refuses what it cannot read."""

from pathlib import Path

import pytest

from inspections.importer.read import read_document, sniff_media_type
from inspections.importer.report import ImportRefused

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "reports"


def test_empty_file_is_refused():
    with pytest.raises(ImportRefused, match="The file is empty"):
        read_document(b"  \n ")


def test_file_over_the_size_limit_is_refused():
    with pytest.raises(ImportRefused, match=r"over the 1\.0 MB limit"):
        read_document(b"x" * 2_000_000, max_bytes=1_048_576)


def test_truncated_pdf_is_refused_as_damaged():
    with pytest.raises(ImportRefused, match="damaged or incomplete"):
        read_document(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")


def test_zip_file_is_refused_by_its_content():
    with pytest.raises(ImportRefused, match="ZIP archive or Word"):
        read_document(b"PK\x03\x04" + b"\x00" * 100)


def test_html_fragments_in_text_become_plain_lines():
    document = read_document(b"<p><b>Summary</b></p> <p>Children are safe &amp; well.</p>")
    assert document.media_type == "text/plain"
    assert [line.strip() for line in document.pages[0].split("\n") if line.strip()] == [
        "Summary",
        "Children are safe & well.",
    ]


def test_saved_web_page_is_read_as_html_with_its_title_first():
    page = (
        b"<!DOCTYPE html><html><head><title>Report not found</title></head>"
        b"<body><p>Sorry</p></body></html>"
    )
    document = read_document(page)
    assert document.media_type == "text/html"
    assert document.pages[0].split("\n")[:2] == ["Report not found", "Sorry"]


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"<!DOCTYPE html><html></html>", "text/html"),
        (b"# Inspection of Somerset\n\nText", "text/markdown"),
        (b"Inspection of Somerset", "text/plain"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"abc\x00def", "application/octet-stream"),
    ],
)
def test_media_type_is_decided_by_content(data, media_type):
    assert sniff_media_type(data) == media_type


def test_a_pdf_saved_as_txt_is_still_read_as_a_pdf():
    pdf = sorted(FIXTURES.glob("*.pdf"))[0].read_bytes()
    assert read_document(pdf).media_type == "application/pdf"
