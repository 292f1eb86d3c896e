"""Moved to :mod:`desa_capil.services.pages` (page processing is a Qt-free use case); this name
stays so that code written against the old place keeps importing."""

from desa_capil.services.pages import (
    ORIGINAL_QUALITY,
    ReportFn,
    decode_original,
    encode_original,
    new_page,
    pages_from_file,
    pages_from_raw,
    reprocess,
)

__all__ = [
    "ORIGINAL_QUALITY",
    "ReportFn",
    "decode_original",
    "encode_original",
    "new_page",
    "pages_from_file",
    "pages_from_raw",
    "reprocess",
]
