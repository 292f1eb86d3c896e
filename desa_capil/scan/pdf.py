"""PDFs of processed pages, without re-encoding any page image.

* ``page_pdf``: one processed page as a one-page PDF. Image pages (G4 TIFF, JPEG, PNG) go
  through img2pdf, which copies the compressed data into the PDF as it is.
* ``mixed_page_pdf``: a bilevel page plus colour/gray JPEG patches placed over it (a stamp,
  a photo). img2pdf makes the base page; PDFium adds each JPEG as an image object, also
  copied as it is (DCTDecode).
* ``assemble_pdf``: one document (berkas) from its pages, in order: PDFium imports the pages
  of the one-page PDFs, which copies their objects and streams unchanged.

PDFium is not thread-safe: every use goes through ``sources._pdfium_lock``.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import img2pdf
import pypdfium2 as pdfium
from PIL import Image

from desa_capil.errors import BadInputError
from desa_capil.scan.sources import _pdfium_lock

if TYPE_CHECKING:
    from desa_capil.scan.pipeline import ProcessedPage

log = logging.getLogger(__name__)

#: A document of more pages than this is refused (the same limit as an import).
MAX_DOCUMENT_PAGES = 200


@dataclass(frozen=True)
class Patch:
    """A JPEG placed on a page; position and size in inches from the page's top-left."""

    jpeg: bytes
    x_in: float
    y_in: float
    w_in: float
    h_in: float


def page_pdf(data: bytes, mime: str) -> bytes:
    """One page file (as stored) as a one-page PDF; a PDF is returned as it is."""
    if mime == "application/pdf":
        return data
    # nodate: the same pages make the same bytes, so a re-made document has the same
    # SHA-256 and a retried upload is recognised as the same file. The internal engine, named
    # so that the same bytes come out whether pikepdf is installed or not (the installer
    # leaves pikepdf and its lxml out: 18 MB).
    out: bytes = img2pdf.convert(data, nodate=True, engine=img2pdf.Engine.internal)
    return out


def mixed_page_pdf(base: bytes, patches: Sequence[Patch]) -> bytes:
    """A one-page PDF: the bilevel ``base`` image (G4 TIFF) with JPEG ``patches`` over it."""
    base_pdf = img2pdf.convert(base, nodate=True, engine=img2pdf.Engine.internal)
    with _pdfium_lock:
        doc = pdfium.PdfDocument(base_pdf)
        try:
            page = doc[0]
            _, height_pt = page.get_size()
            for p in patches:
                img = pdfium.PdfImage.new(doc)
                img.load_jpeg(io.BytesIO(p.jpeg), inline=False)
                w_pt, h_pt = p.w_in * 72.0, p.h_in * 72.0
                x_pt = p.x_in * 72.0
                y_pt = height_pt - (p.y_in * 72.0) - h_pt  # PDF's origin is bottom-left
                img.set_matrix(pdfium.PdfMatrix().scale(w_pt, h_pt).translate(x_pt, y_pt))
                page.insert_obj(img)
            page.gen_content()
            buf = io.BytesIO()
            doc.save(buf, flags=pdfium.raw.FPDF_NO_INCREMENTAL)
            page.close()
        finally:
            doc.close()
    return _stable_id(buf.getvalue())


def assemble_pdf(pages: Sequence[ProcessedPage] | Sequence[tuple[bytes, str]]) -> bytes:
    """One PDF for a document, its pages in the given order, page images not re-encoded.

    Accepts ``ProcessedPage`` objects or ``(data, mime)`` pairs (as read back from the blob
    store). Pages of different modes (bilevel, mixed, colour) may be mixed freely.
    """
    if not pages:
        raise BadInputError(
            "Dokumen belum punya halaman. Pindai atau impor paling sedikit satu halaman.",
            "The document has no pages yet. Scan or import at least one page.",
        )
    if len(pages) > MAX_DOCUMENT_PAGES:
        raise BadInputError(
            f"Dokumen berisi {len(pages)} halaman; paling banyak {MAX_DOCUMENT_PAGES}. Pisahkan menjadi beberapa dokumen.",
            f"The document has {len(pages)} pages; at most {MAX_DOCUMENT_PAGES}. Split it into several documents.",
        )
    singles = []
    for p in pages:
        data, mime = (p.data, p.mime) if not isinstance(p, tuple) else p
        singles.append(page_pdf(data, mime))
    if len(singles) == 1:
        return singles[0]
    with _pdfium_lock:
        out = pdfium.PdfDocument.new()
        try:
            for s in singles:
                src = pdfium.PdfDocument(s)
                try:
                    out.import_pages(src)
                finally:
                    src.close()
            buf = io.BytesIO()
            out.save(buf, flags=pdfium.raw.FPDF_NO_INCREMENTAL)
        finally:
            out.close()
    return _stable_id(buf.getvalue())


_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]*)>\s*<([0-9A-Fa-f]*)>\s*\]")


def _stable_id(data: bytes) -> bytes:
    """Replace the file identifier PDFium draws at random with one made from the content.

    Same pages, same bytes: the document's SHA-256 then identifies it, and a retried upload
    is recognised as the same file. The new id has the same length, so the cross-reference
    offsets stay right.
    """
    blank = _ID.sub(
        lambda m: b"/ID[<" + b"0" * len(m.group(1)) + b"><" + b"0" * len(m.group(2)) + b">]", data
    )
    digest = hashlib.sha256(blank).hexdigest().upper().encode() * 4

    def repl(m: re.Match[bytes]) -> bytes:
        a, b = m.group(1), m.group(2)
        return m.group(0).replace(a, digest[: len(a)], 1).replace(b, digest[: len(b)], 1) if a else m.group(0)

    return _ID.sub(repl, data)


def render_page(data: bytes, dpi: float, index: int = 0) -> Image.Image:
    """Render one page of a PDF made here (for previews and thumbnails)."""
    with _pdfium_lock:
        doc = pdfium.PdfDocument(data)
        try:
            page = doc[index]
            img = page.render(scale=dpi / 72.0).to_pil()
            page.close()
        finally:
            doc.close()
    out: Image.Image = img.convert("RGB")
    return out


def page_count(data: bytes) -> int:
    with _pdfium_lock:
        doc = pdfium.PdfDocument(data)
        try:
            return len(doc)
        finally:
            doc.close()
