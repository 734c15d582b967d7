"""Uploads are refused on their size as they arrive, before they are kept, let alone read.

Django receives a multipart body through its upload handlers before any view runs (the CSRF
check reads the form), keeping a file of up to FILE_UPLOAD_MAX_MEMORY_SIZE in memory and
spooling a larger one to disk. SizeLimitUploadHandler comes first of them
(FILE_UPLOAD_HANDLERS in the settings) and:

- when the request's Content-Length is over IMPORT_UPLOAD_MAX_BYTES, keeps none of its
  files: each is read past and dropped, chunk by chunk, so the worker's memory never holds
  more than a chunk of it; the form's other fields (its CSRF token among them) are still
  read, so the page can say why;
- drops any one file as soon as it passes IMPORT_MAX_BYTES.

What it dropped, and why, is left on the request for the view: refused_uploads(request).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from .importer.read import describe_size
from .importer.service import clean_file_name


class SizeLimitUploadHandler(FileUploadHandler):
    """Drops files over the size limits before the other handlers keep them."""

    over_request_limit = False  # the whole upload is too big: drop every file
    dropping = False  # drop the file now arriving

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.over_request_limit = content_length > settings.IMPORT_UPLOAD_MAX_BYTES
        if self.over_request_limit:
            _refuse(
                self.request,
                f"The upload is {describe_size(content_length)}, over the "
                f"{describe_size(settings.IMPORT_UPLOAD_MAX_BYTES)} limit for one upload; "
                "upload fewer files at a time.",
            )
        return None  # Django parses on, through this handler and the others

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        # A file is dropped at its first chunk, not here: by then the other handlers have
        # opened it, and Django closes their open files when one is skipped (here, that
        # would be the previous file, complete and kept).
        self.dropping = self.over_request_limit

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if self.dropping:
            raise SkipFile
        if start + len(raw_data) > settings.IMPORT_MAX_BYTES:
            _refuse(
                self.request,
                f"Not loaded: {clean_file_name(self.file_name)}. The file is over the "
                f"{describe_size(settings.IMPORT_MAX_BYTES)} limit for a report.",
            )
            raise SkipFile
        return raw_data  # on to the handler that keeps it

    def file_complete(self, file_size: int) -> None:
        return None  # the handler that kept it gives the file


def refused_uploads(request: HttpRequest) -> list[str]:
    """Why files of this request were dropped on their size, a sentence each (or none)."""
    request.FILES  # noqa: B018 - the handlers run when the body is first parsed
    return list(getattr(request, "_refused_uploads", []))


def _refuse(request: HttpRequest | None, message: str) -> None:
    if request is not None:
        request._refused_uploads = [*getattr(request, "_refused_uploads", []), message]
