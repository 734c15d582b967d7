"""A PDF that carries JavaScript or a launch action is read as any other, with a warning
the curator sees wherever warnings show (the review page, the import's record and output).

An Ofsted report has no reason to carry either; a file that does may have been tampered
with, and a curator opening the stored file in a PDF reader could run it. The warnings come
from the read step, in the limited worker, without running anything.
"""

from __future__ import annotations

import re
import zlib

import pytest

from inspections.importer.read import read_document
from inspections.importer.service import import_source, store_source

from ..conftest import REPORTS
from .test_limits import FONT, PAGE, pdf, stream

BRISTOL = REPORTS / "ilacs_bristol_2023.pdf"  # a real report with a classic xref table
JAVASCRIPT = "The PDF carries JavaScript"
LAUNCH = "The PDF carries a launch action"


def updated(original: bytes, catalog_extra: bytes, objects: list[bytes]) -> bytes:
    """The PDF with an incremental update, as any PDF editor appends one: its catalogue
    (object 1) again with `catalog_extra` in it, and new objects numbered from its /Size."""
    catalog = re.search(rb"\n1 0 obj\s*<<(.*?)>>\s*endobj", original, re.DOTALL).group(1)
    size = int(re.findall(rb"/Size (\d+)", original)[-1])
    previous = int(re.findall(rb"startxref\s+(\d+)", original)[-1])
    out = bytearray(original)
    offsets = {1: len(out)}
    out += b"1 0 obj\n<<" + catalog + catalog_extra + b">>\nendobj\n"
    for number, body in enumerate(objects, start=size):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for number, offset in sorted(offsets.items()):
        out += b"%d 1\n%010d 00000 n \n" % (number, offset)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        size + len(objects),
        previous,
        xref,
    )
    return bytes(out)


def object_stream(objects: dict[int, bytes]) -> bytes:
    """Objects packed in a compressed object stream (PDF 1.5), where a dictionary's names
    cannot be seen in the file's bytes."""
    bodies, index, offset = b"", b"", 0
    for number, body in objects.items():
        index += b"%d %d " % (number, offset)
        bodies += body + b"\n"
        offset = len(bodies)
    packed = zlib.compress(index + bodies)
    return stream(
        packed, b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(objects), len(index))
    )


def open_action_javascript() -> bytes:
    original = BRISTOL.read_bytes()
    size = int(re.findall(rb"/Size (\d+)", original)[-1])
    action = b"<< /Type /Action /S /JavaScript /JS (app.alert\\('opened'\\)) >>"
    return updated(original, b" /OpenAction %d 0 R" % size, [action])


def javascript_in_an_object_stream() -> bytes:
    # The names spelt with #-escapes too (/J#61vaScript is /JavaScript), as malware does.
    original = BRISTOL.read_bytes()
    size = int(re.findall(rb"/Size (\d+)", original)[-1])
    hidden = object_stream({size + 1: b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"})
    return updated(original, b" /OpenAction %d 0 R" % (size + 1), [hidden])


def named_document_script() -> bytes:
    # Run when the document opens, by every reader with JavaScript on; pdfium counts these.
    original = BRISTOL.read_bytes()
    size = int(re.findall(rb"/Size (\d+)", original)[-1])
    names = b" /Names << /JavaScript << /Names [(greeting) %d 0 R] >> >>" % size
    return updated(original, names, [b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"])


def launch_action() -> bytes:
    original = BRISTOL.read_bytes()
    size = int(re.findall(rb"/Size (\d+)", original)[-1])
    action = b"<< /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >>"
    return updated(original, b" /OpenAction %d 0 R" % size, [action])


@pytest.mark.parametrize(
    ("build", "warning"),
    [
        (open_action_javascript, JAVASCRIPT),
        (javascript_in_an_object_stream, JAVASCRIPT),
        (named_document_script, JAVASCRIPT),
        (launch_action, LAUNCH),
    ],
)
def test_active_content_is_read_with_a_warning(build, warning):
    document = read_document(build())
    assert document.page_count == read_document(BRISTOL.read_bytes()).page_count
    assert [w for w in document.warnings if w.startswith("The PDF carries")] == [
        next(w for w in document.warnings if w.startswith(warning))
    ]


@pytest.mark.parametrize("report", sorted(REPORTS.glob("*.pdf")), ids=lambda p: p.name)
def test_real_reports_carry_no_warning_of_active_content(report):
    assert read_document(report.read_bytes()).warnings == []


def test_names_inside_page_content_are_not_mistaken_for_actions():
    # "/JS" as a marked-content tag drawn on the page, and by chance in compressed bytes.
    content = b"/JS BMC BT /F1 12 Tf 72 720 Td (" + b"Children are safe. " * 20 + b") Tj ET EMC"
    data = pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
            FONT,
            stream(content),
            PAGE,
            stream(b"x\x9c/JS /Launch /JavaScript", b"/Filter /FlateDecode"),
        ]
    )
    assert read_document(data).warnings == []


@pytest.mark.django_db
def test_the_warning_is_kept_with_the_import_and_shown_for_review(client, curator):
    source, _ = store_source(open_action_javascript(), "bristol.pdf")
    client.force_login(curator)
    review = client.get("/admin/inspections/sourcedocument/review/", {"ids": source.pk})
    assert JAVASCRIPT in review.content.decode()
    attempt = import_source(source)
    assert attempt.outcome == "created"
    assert any(w.startswith(JAVASCRIPT) for w in attempt.warnings)
    assert any(w.startswith(JAVASCRIPT) for w in attempt.summary["warnings"])
