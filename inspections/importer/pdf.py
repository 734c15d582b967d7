"""A PDF's text, page by page: the only module that imports a PDF library (pypdfium2).

Called only inside the worker process of limits.py (worker.py), within its time and
memory limits: a PDF is a program for a renderer, and a hostile one can hang or exhaust
the process reading it. pypdfium2 is imported inside these functions, never at module
level, so a process that merely imports the importer (a web worker) never loads pdfium.
"""

from __future__ import annotations

from .report import ImportRefused


def is_pdf(data: bytes) -> bool:
    """Whether the bytes are a PDF: its header within the first kilobyte, as readers allow."""
    return b"%PDF-" in data[:1024]


def load() -> None:
    """Load pdfium now: the worker does so before any limit, so a file's limit is its own."""
    import pypdfium2  # noqa: F401


def pdf_pages(data: bytes) -> tuple[list[str], bool]:
    """Each page's text as pdfium gives it, and whether the document has named scripts
    (which pdfium sees even where the bytes are encrypted).

    ImportRefused, with a sentence a curator understands, for an encrypted, damaged or
    empty PDF.
    """
    import pypdfium2 as pdfium  # here, so only the worker loads pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        message = str(error).lower()
        if "password" in message or "security" in message:
            raise ImportRefused(
                "The PDF is encrypted with a password, so its text cannot be read; "
                "upload an unencrypted copy."
            ) from error
        raise ImportRefused(
            "The PDF is damaged or incomplete (it may have been truncated while "
            "downloading) and cannot be opened."
        ) from error
    try:
        if len(pdf) == 0:
            raise ImportRefused("The PDF has no pages.")
        pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        named_scripts = pdfium.raw.FPDFDoc_GetJavaScriptActionCount(pdf) > 0
    except pdfium.PdfiumError as error:
        raise ImportRefused("The PDF is damaged: some of its pages cannot be read.") from error
    finally:
        pdf.close()
    return pages, named_scripts
