"""PDFs of processed pages, without re-encoding any page image.

* ``page_pdf``: one processed page as a one-page PDF. Image pages (G4 TIFF, JPEG, PNG) go
  through img2pdf, which copies the compressed data into the PDF as it is.
* ``mrc_page_pdf``: a mixed page in layers (mixed raster content, as in DjVu): the bilevel
  page as black ink (a G4 stencil), JPEG patches for pictures, and coloured ink (a stamp, a
  signature, coloured pens) as a G4 mask painted with a small JPEG of the ink's colour. Written
  directly (a few objects), every image stream copied as it is.
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
import numpy as np
import numpy.typing as npt
import pypdfium2 as pdfium
from PIL import Image, TiffImagePlugin

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
    """Render one page of a PDF made here (for previews and thumbnails).

    The bitmap is ``round(page size x dpi)`` pixels: PDFium rounds the size up, so 1654
    pixels at 200 dpi (595.44 pt) would come out 1655 wide; the scale is taken a hair smaller
    (1e-6; PDFium keeps the size as a float32), which keeps a page image's pixels one to one
    at its own resolution."""
    with _pdfium_lock:
        doc = pdfium.PdfDocument(data)
        try:
            page = doc[index]
            img = page.render(scale=dpi / 72.0 * (1.0 - 1e-6)).to_pil()
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


@dataclass(frozen=True)
class Jbig2Image:
    """A bilevel image as an embedded lossless JBIG2 stream (``jbig2.encode``: page
    information, then a symbol dictionary and a text region, or a generic region), to be
    written with ``/JBIG2Decode``."""

    stream: bytes
    width: int
    height: int


#: A bilevel layer: a one-strip G4 TIFF (``pipeline._encode_g4``) or a JBIG2 stream.
Bilevel = bytes | Jbig2Image


@dataclass(frozen=True)
class InkLayer:
    """Coloured ink of one region (a stamp, a signature, coloured pens): where the ink is
    (``mask``, bilevel at the page's resolution, JBIG2 or a G4 TIFF, black = ink) and its colour
    (``colour``, a small JPEG of the same region at a low resolution). Position and size in
    inches from the page's top-left."""

    mask: Bilevel
    colour: bytes
    x_in: float
    y_in: float
    w_in: float
    h_in: float


def _g4_strip(tiff: bytes) -> tuple[bytes, int, int, bool]:
    """The CCITT G4 data of a one-strip TIFF made by ``pipeline._encode_g4``, its size, and
    the ``/BlackIs1`` a PDF needs to read it as the TIFF means it."""
    with Image.open(io.BytesIO(tiff)) as im:
        if not isinstance(im, TiffImagePlugin.TiffImageFile):
            raise ValueError("a G4 TIFF is expected")
        tags = im.tag_v2
        offsets, counts = tags[273], tags[279]
        if len(offsets) != 1:
            raise ValueError("a one-strip G4 TIFF is expected")
        w, h = im.size
        # libtiff codes 0 bits as the fax "white" runs whatever the photometric tag says:
        # with "min is black" (1, what Pillow writes for mode "1") the ink (0) is in the
        # white runs, and /BlackIs1 true gives it back as 0 (as img2pdf does).
        black_is_1 = int(tags.get(262, 0)) == 1
    return tiff[offsets[0] : offsets[0] + counts[0]], w, h, black_is_1


def _jbig2_image(img: Jbig2Image, mask: bool) -> bytes:
    # JBIG2Decode gives black (1 in JBIG2) as 0, as for /DeviceGray: a stencil paints it.
    kind = b"/ImageMask true" if mask else b"/ColorSpace/DeviceGray"
    return (
        b"<</Type/XObject/Subtype/Image" + kind + b"/BitsPerComponent 1"
        + f"/Width {img.width}/Height {img.height}/Filter/JBIG2Decode/Length {len(img.stream)}>>stream\n".encode()
        + img.stream
        + b"\nendstream"
    )  # fmt: skip


def jbig2_pixels(img: Jbig2Image) -> npt.NDArray[np.uint8]:
    """The pixels PDFium decodes from a JBIG2 stream (0 = black, 255 = white): an independent
    decoder's reading, checked against the page before a JBIG2 layer is used."""
    body = _jbig2_image(img, mask=False)
    page = f"<</Type/Page/Parent 2 0 R/MediaBox[0 0 {img.width} {img.height}]/Resources<</XObject<</I 4 0 R>>>>/Contents 5 0 R>>"
    content = f"q {img.width} 0 0 {img.height} 0 0 cm /I Do Q".encode()
    data = _write_pdf(
        [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>", page.encode(), body,
         f"<</Length {len(content)}>>stream\n".encode() + content + b"\nendstream"]
    )  # fmt: skip
    with _pdfium_lock:
        doc = pdfium.PdfDocument(data)
        try:
            pg = doc[0]
            (obj,) = list(pg.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]))
            if not isinstance(obj, pdfium.PdfImage):
                raise ValueError(f"PDFium read the JBIG2 layer as {type(obj).__name__}, not an image")
            bitmap = obj.get_bitmap(render=False)
            arr = np.array(bitmap.to_numpy(), copy=True)
            pg.close()
        finally:
            doc.close()
    gray = arr if arr.ndim == 2 else arr[:, :, 0]
    return np.multiply(gray >= 128, 255, dtype=np.uint8)


def _stencil(layer: Bilevel) -> bytes:
    if isinstance(layer, Jbig2Image):
        return _jbig2_image(layer, mask=True)
    data, w, h, black_is_1 = _g4_strip(layer)
    # A stencil paints where a sample is 0 (the default /Decode [0 1]); the fax decoder
    # gives black as 0 unless /BlackIs1, so black = ink = painted either way.
    return (
        b"<</Type/XObject/Subtype/Image/ImageMask true/BitsPerComponent 1"
        + f"/Width {w}/Height {h}/Filter/CCITTFaxDecode".encode()
        + f"/DecodeParms<</K -1/Columns {w}/Rows {h}/BlackIs1 {'true' if black_is_1 else 'false'}>>".encode()
        + f"/Length {len(data)}>>stream\n".encode()
        + data
        + b"\nendstream"
    )


def _jpeg_object(jpeg: bytes, extra: bytes = b"") -> bytes:
    with Image.open(io.BytesIO(jpeg)) as im:
        w, h = im.size
        space = b"/DeviceGray" if im.mode == "L" else b"/DeviceRGB"
    return (
        f"<</Type/XObject/Subtype/Image/Width {w}/Height {h}/BitsPerComponent 8".encode()
        + b"/ColorSpace"
        + space
        + b"/Filter/DCTDecode"
        + extra
        + f"/Length {len(jpeg)}>>stream\n".encode()
        + jpeg
        + b"\nendstream"
    )


def mrc_page_pdf(
    text: Bilevel, width_in: float, height_in: float, inks: Sequence[InkLayer], patches: Sequence[Patch]
) -> bytes:
    """A one-page PDF in layers (mixed raster content, as in DjVu): JPEG ``patches``
    (pictures) first, then the bilevel ``text`` (the whole page, lossless JBIG2 or a G4
    TIFF) as black ink, then each coloured ink region: its low-resolution colour painted
    through its bilevel mask. Every image is copied as it is (JBIG2Decode, CCITTFaxDecode,
    DCTDecode). A plain bilevel page in JBIG2 is this with no inks and no patches. Written here, not by
    a PDF library, so that the same layers make the same bytes (no dates, no random ids).
    """
    objects: list[bytes] = []

    def add(obj: bytes) -> int:
        objects.append(obj)
        return len(objects) + 3  # 1 catalog, 2 pages, 3 page; then the content stream

    names: list[bytes] = []
    draw: list[bytes] = []
    h_pt = height_in * 72.0

    def place(x_in: float, y_in: float, w_in: float, hh_in: float) -> bytes:
        return f"{w_in * 72.0:.3f} 0 0 {hh_in * 72.0:.3f} {x_in * 72.0:.3f} {h_pt - (y_in + hh_in) * 72.0:.3f} cm".encode()

    objects.append(b"")  # 4: the content stream, filled in below
    for i, p in enumerate(patches):
        num = add(_jpeg_object(p.jpeg))
        names.append(f"/P{i} {num} 0 R".encode())
        draw.append(b"q " + place(p.x_in, p.y_in, p.w_in, p.h_in) + f" /P{i} Do Q".encode())
    num = add(_stencil(text))
    names.append(f"/T {num} 0 R".encode())
    draw.append(b"q 0 g " + place(0.0, 0.0, width_in, height_in) + b" /T Do Q")
    for i, ink in enumerate(inks):
        mask = add(_stencil(ink.mask))
        num = add(_jpeg_object(ink.colour, f"/Mask {mask} 0 R".encode()))
        names.append(f"/C{i} {num} 0 R".encode())
        draw.append(b"q " + place(ink.x_in, ink.y_in, ink.w_in, ink.h_in) + f" /C{i} Do Q".encode())
    content = b"\n".join(draw)
    objects[0] = f"<</Length {len(content)}>>stream\n".encode() + content + b"\nendstream"
    page = (
        f"<</Type/Page/Parent 2 0 R/MediaBox[0 0 {width_in * 72.0:.3f} {h_pt:.3f}]".encode()
        + b"/Resources<</XObject<<"
        + b"".join(names)
        + b">>>>/Contents 4 0 R>>"
    )
    head = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>", page]
    return _write_pdf(head + objects)


def _write_pdf(objects: Sequence[bytes]) -> bytes:
    """A PDF file of these objects (numbered from 1; 1 is the catalog), with its xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<</Size {len(offsets) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()
