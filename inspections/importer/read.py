"""Step 1, read: a file's bytes become a Document (text page by page), or are refused.

The type is decided by content, never by the file name; a PDF's pages come from pdf.py,
the only module that imports a PDF library. Files of every type are read only inside the
worker process (worker.py, limited by limits.py), with a time and a memory limit: a
hostile PDF or a pathological text cannot hang or exhaust the process that imports it.
read_document sends a file there; read_in_worker is what the worker runs.
"""

from __future__ import annotations

import html
import re
import zlib

from .limits import Deadline, read_limited
from .pdf import is_pdf, pdf_pages
from .report import Document, ImportRefused

# Below this many characters of text per page on average, a PDF is taken to be scanned.
MIN_TEXT_CHARS_PER_PAGE = 40
# The longest report in the corpus reads as 147,000 characters (58 pages, 195 findings). A
# file with ten times that is no report, or one built to overload the importer: 29 MB of
# text parsed within the worker's limits (18 s), then took a web worker past its timeout and
# to 800 MB tagging and saving its 34,671 "findings".
MAX_TEXT_CHARS = 1_500_000

# Other kinds of file people upload by mistake: (media type, how to name it to a curator).
_BINARY_SIGNATURES = {
    b"PK\x03\x04": ("application/zip", "a ZIP archive or Word/Excel document"),
    b"\xd0\xcf\x11\xe0": ("application/x-ole-storage", "an old Microsoft Office document"),
    b"\x89PNG": ("image/png", "a PNG image"),
    b"\xff\xd8\xff": ("image/jpeg", "a JPEG image"),
    b"GIF8": ("image/gif", "a GIF image"),
    b"II*\x00": ("image/tiff", "a TIFF image"),
    b"MM\x00*": ("image/tiff", "a TIFF image"),
    b"{\\rtf": ("application/rtf", "an RTF document"),
}
_MARKDOWN_HEADING_LINE = re.compile(rb"^#{1,6} \S", re.MULTILINE)


def sniff_media_type(data: bytes) -> str:
    """The file's media type, decided from its content alone (never its name)."""
    head = data[:1024]
    if is_pdf(data):
        return "application/pdf"
    for signature, (media_type, _) in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            return media_type
    if b"\x00" in data[:4096]:
        return "application/octet-stream"
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        return "text/html"
    if _MARKDOWN_HEADING_LINE.search(data):
        return "text/markdown"
    return "text/plain"


def read_document(
    data: bytes, *, max_bytes: int | None = None, deadline: Deadline | None = None
) -> Document:
    """Read a file's bytes into a Document, in the limited worker, refusing what cannot be
    a readable report.

    Raises ImportRefused with a sentence a curator understands: empty, too large,
    damaged, encrypted or scanned PDFs, binary files of other kinds, undecodable text, or
    a file that breached the worker's time or memory limit.
    """
    refuse_empty_or_oversized(data, max_bytes)
    return read_limited(data, deadline=deadline)


def read_in_worker(data: bytes) -> Document:
    """read_document's work, without limits: run only by the limits.py worker."""
    document = _read_by_type(data)
    characters = sum(len(page) for page in document.pages)
    if characters > MAX_TEXT_CHARS:
        raise ImportRefused(
            f"The file holds {characters:,} characters of text, more than the "
            f"{MAX_TEXT_CHARS:,} a report may hold (the longest Ofsted report has about "
            "150,000), so it was not parsed; it may be built to overload the importer."
        )
    return document


def _read_by_type(data: bytes) -> Document:
    media_type = sniff_media_type(data)
    if media_type == "application/pdf":
        return read_pdf(data)
    if media_type == "application/octet-stream":
        raise ImportRefused("The file is binary data of an unknown kind, not a PDF or text.")
    for signature, (_, what) in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ImportRefused(f"The file is {what}, not a PDF or text report.")
    return _read_text(data, media_type)


def refuse_empty_or_oversized(data: bytes, max_bytes: int | None) -> None:
    """Refuse an empty file, or one over the size limit, before anything else is done."""
    if not data or data.isspace():
        raise ImportRefused("The file is empty.")
    refuse_oversized(len(data), max_bytes)


def refuse_oversized(size: int, max_bytes: int | None) -> None:
    """Refuse a file of `size` bytes over the limit: check before reading it."""
    if max_bytes is not None and size > max_bytes:
        raise ImportRefused(
            f"The file is {describe_size(size)}, over the {describe_size(max_bytes)} limit "
            "for a report."
        )


def describe_size(n: int) -> str:
    """A size as a curator reads it: "30.0 MB", "12 KB"."""
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{n / 1024:.0f} KB"


def read_pdf(data: bytes) -> Document:
    """A PDF's text page by page, refused where it has no text layer (a scan). Runs in
    the limits.py worker only: never call it in a web or import process."""
    pages, named_scripts = pdf_pages(data)
    pages = [_normalise_newlines(page) for page in pages]
    page_count = len(pages)
    characters = sum(len(page.strip()) for page in pages)
    if characters < MIN_TEXT_CHARS_PER_PAGE * page_count:
        raise ImportRefused(
            "The PDF has no text layer (it looks like a scan of printed pages), so "
            "its words cannot be read; it would need OCR first."
        )
    return Document(
        media_type="application/pdf",
        pages=pages,
        page_count=page_count,
        warnings=active_content_warnings(data, named_scripts=named_scripts),
    )


# A PDF can carry actions a reader runs: JavaScript (/JS, /JavaScript), run when the file is
# opened (/OpenAction, a document's named scripts) or used, and /Launch, which asks the
# reader to start another program or open another file. An Ofsted report has no use for
# either. pdfium runs neither and says little about them (it counts a document's named
# scripts only), so their names are looked for in the file's objects: in its bytes outside
# streams (a stream's compressed bytes hold "/JS" by chance), and inside its compressed
# object streams, where PDF 1.5 files keep most dictionaries.
_ACTIVE_CONTENT = {
    b"JS": "javascript",
    b"JavaScript": "javascript",
    b"Launch": "launch",
}
_ACTIVE_CONTENT_WARNINGS = {
    "javascript": (
        "The PDF carries JavaScript, which a PDF reader may run when the file is opened; "
        "an Ofsted report has none. Check where the file came from, and open it only in a "
        "reader with JavaScript turned off."
    ),
    "launch": (
        "The PDF carries a launch action, which asks a PDF reader to start another program "
        "or open another file; an Ofsted report has none. Check where the file came from "
        "before opening it in a PDF reader."
    ),
}
# A name, its characters possibly #-escaped ("/J#53" is "/JS"), ending at a delimiter.
_NAME = re.compile(rb"/((?:[A-Za-z]|#[0-9A-Fa-f]{2})+)(?=[\s/<>\[\]()%{}]|$)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# A stream's data starts after its dictionary's ">>" and the keyword on its own line.
_STREAM_START = re.compile(rb">>\s*stream(?:\r\n|\r|\n)")
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b")
_OBJECT_STREAM_MAX_BYTES = 16 * 1_048_576  # of one object stream inflated: ample for names


def active_content_warnings(data: bytes, *, named_scripts: bool = False) -> list[str]:
    """Warnings for the JavaScript and launch actions a PDF carries (none for a plain
    report), from its bytes; `named_scripts` where pdfium counted document scripts.

    Linear in the file's size, whatever it holds: each stream is found with one search
    for its start and one for its end, and an unterminated one ends the file.
    """
    found = {"javascript"} if named_scripts else set()
    position = 0
    while start := _STREAM_START.search(data, position):
        outside = data[position : start.end()]
        found |= _active_names(outside)
        end = data.find(b"endstream", start.end())
        end = len(data) if end < 0 else end
        dictionary = outside[outside.rfind(b"obj") :]  # the stream's own
        if _OBJECT_STREAM.search(dictionary) and b"/FlateDecode" in dictionary:
            found |= _active_names(_inflate(data[start.end() : end]))
        position = end
    found |= _active_names(data[position:])
    return [_ACTIVE_CONTENT_WARNINGS[kind] for kind in sorted(found)]


def _active_names(objects: bytes) -> set[str]:
    kinds = set()
    for match in _NAME.finditer(objects):
        name = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        if name in _ACTIVE_CONTENT:
            kinds.add(_ACTIVE_CONTENT[name])
    return kinds


def _inflate(compressed: bytes) -> bytes:
    """A Flate stream's bytes, at most _OBJECT_STREAM_MAX_BYTES; what a damaged one gave."""
    inflater = zlib.decompressobj()
    try:
        return inflater.decompress(compressed, _OBJECT_STREAM_MAX_BYTES)
    except zlib.error:
        return b""


def _read_text(data: bytes, media_type: str) -> Document:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise ImportRefused(
                "The file is neither a PDF nor readable text (its characters cannot be decoded)."
            ) from error
    text = _normalise_newlines(text)
    if media_type == "text/html":
        return Document(media_type=media_type, pages=[html_page_to_text(text)], page_count=1)
    return Document(media_type=media_type, pages=[plain_text(text)], page_count=1)


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


# Patterns run on uploaded text, so none may take quadratic time on hostile input: a tag
# stops at the next "<" (so a run of unclosed "<p " costs linear time), and a horizontal
# rule's spaces never span lines.
_BLOCK_TAG = re.compile(r"</?(p|br|li|ul|ol|div|tr|h[1-6]|table)\b[^<>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_MARKDOWN_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.MULTILINE)
_MARKDOWN_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_MARKDOWN_RULE = re.compile(r"^[ \t]*-{3,}[ \t]*$", re.MULTILINE)
_TITLE = re.compile(r"<title\b[^<>]*>([^<]*)</title", re.IGNORECASE)
_HIDDEN_BLOCK = re.compile(r"<(script|style|head)\b|<!--", re.IGNORECASE)
_DECLARATION = re.compile(r"<![^<>]*>")


def plain_text(text: str) -> str:
    """Text converted from a report (plain, Markdown or with HTML fragments) as plain lines.

    Block-level tags become line breaks and inline tags vanish, so "<p>...</p> <p>...</p>"
    reads as separate paragraphs; Markdown heading marks and emphasis are dropped.
    """
    text = _BLOCK_TAG.sub("\n", text)
    text = _ANY_TAG.sub("", text)
    text = html.unescape(text)
    text = _MARKDOWN_HEADING.sub("", text)
    text = _MARKDOWN_EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)
    text = _MARKDOWN_RULE.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines)


def html_page_to_text(page: str) -> str:
    """A whole saved web page as text: its title first, scripts and styles dropped."""
    title = _TITLE.search(page)
    body = _DECLARATION.sub("\n", _without_hidden_blocks(page))
    text = plain_text(body)
    text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
    if title:
        text = html.unescape(" ".join(title.group(1).split())) + "\n" + text
    return text


def _without_hidden_blocks(page: str) -> str:
    """The page without its scripts, styles, head and comments, in linear time: each block
    is cut at its closing tag, and an unclosed one cuts the rest of the page."""
    pieces, position = [], 0
    while match := _HIDDEN_BLOCK.search(page, position):
        pieces.append(page[position : match.start()])
        closing = "-->" if match.group(0) == "<!--" else f"</{match.group(1)}"
        end = re.compile(re.escape(closing), re.IGNORECASE).search(page, match.end())
        if end is None:
            position = len(page)
            break
        position = page.find(">", end.start()) + 1 or len(page)
        pieces.append("\n")
    pieces.append(page[position:])
    return "".join(pieces)
