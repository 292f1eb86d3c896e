"""Getting pages in: image files, PDFs and in-memory camera frames become ``RawPage`` objects.

Every way a page can arrive ends here, so that every way is checked the same: the file is
read once, its type is told from its bytes (never from its name), size and pixel count are
checked *before* anything is decoded, and whatever goes wrong becomes a ``BadInputError``
with a message that says what to do. Nothing on disk is changed by an import.

Memory: a raw page is held decoded (an A4 page rendered at 200 dpi is ~12 MB in RGB). Use
``iter_file`` to handle a long PDF one page at a time; ``import_file`` is the list version.
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from PIL import Image, UnidentifiedImageError

from desa_capil.errors import BadInputError

log = logging.getLogger(__name__)

SourceKind = Literal["file", "pdf", "scanner", "camera", "folder", "phone"]

#: Pages accepted from one file (PDF pages or TIFF frames). A 200-page PDF is refused with
#: a message instead of filling memory; the limit is a parameter for callers that know better.
DEFAULT_MAX_PAGES = 50
#: Pixels in one decoded image. 80 MP covers a 600 dpi A3 scan and a 64 MP phone photo;
#: above it (or a decompression bomb: a tiny file that claims huge dimensions) we refuse
#: before decoding anything.
DEFAULT_MAX_PIXELS = 80_000_000
#: Bytes read from one file. A 50-page scanned PDF is rarely above 100 MB.
DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024
#: Resolution at which PDF pages are rendered. 200 dpi keeps 8-pt print readable and an A4
#: page at ~1654x2339 px; the pipeline re-samples to its own target anyway.
DEFAULT_PDF_DPI = 200
#: Photos above this many pixels are decoded at a reduced JPEG scale (libjpeg's DCT scaling,
#: nearly free): a 48 MP photo of a paper holds no more readable detail than a 12 MP one at
#: the resolution we send, and decoding it whole costs ~150 MB and a second.
PHOTO_DECODE_PIXELS = 16_000_000

# Formats Pillow may open. A short list keeps rarely used (and rarely audited) decoders out
# of reach of files that come from anywhere.
_PIL_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "BMP", "GIF")

# PDFium is not thread-safe; the UI imports from worker threads.
_pdfium_lock = threading.Lock()


@dataclass(eq=False)
class RawPage:
    """One page as it arrived, decoded, before any processing.

    ``dpi`` is the resolution the page was captured at when it is known (scanner, PDF
    rendering, a scan file that says so); ``None`` for photos, whose scale depends on how far
    the camera was from the paper. ``is_photo`` tells the pipeline to look for the paper in
    the picture and correct perspective and lighting.
    """

    image: Image.Image
    source: SourceKind
    origin_name: str
    is_photo: bool
    dpi: float | None = None
    #: 0-based index of the page inside its file (PDF page, TIFF frame).
    index: int = 0
    #: Page count of the file this page came from.
    count: int = 1
    meta: dict[str, str] = field(default_factory=dict)


# --- messages --------------------------------------------------------------------------------


def _bad(msg_id: str, msg_en: str, detail: str = "") -> BadInputError:
    return BadInputError(msg_id, msg_en, detail=detail)


def _err_empty(name: str) -> BadInputError:
    return _bad(
        f"Berkas \u201c{name}\u201d kosong (0 byte). Pindai atau salin ulang berkasnya, lalu coba lagi.",
        f"The file \u201c{name}\u201d is empty (0 bytes). Scan or copy it again, then retry.",
    )


def _err_not_image(name: str, detail: str = "") -> BadInputError:
    return _bad(
        f"\u201c{name}\u201d bukan gambar atau PDF yang dapat dibaca. Pilih berkas JPG, PNG, TIFF, WebP, BMP atau PDF.",
        f"\u201c{name}\u201d is not a readable image or PDF. Choose a JPG, PNG, TIFF, WebP, BMP or PDF file.",
        detail,
    )


def _err_corrupt(name: str, detail: str = "") -> BadInputError:
    return _bad(
        f"Gambar \u201c{name}\u201d rusak atau terpotong. Simpan atau kirim ulang berkasnya dari sumber aslinya, lalu coba lagi.",
        f"The image \u201c{name}\u201d is damaged or incomplete. Save or send it again from the original, then retry.",
        detail,
    )


def _err_too_many_pixels(name: str, width: int, height: int, limit: int) -> BadInputError:
    mp = width * height / 1e6
    return _bad(
        f"Gambar \u201c{name}\u201d terlalu besar ({width}\u00d7{height} piksel, {mp:.0f} MP; batas {limit / 1e6:.0f} MP). "
        "Pindai ulang dengan resolusi 300 dpi atau kecilkan ukuran foto, lalu coba lagi.",
        f"The image \u201c{name}\u201d is too large ({width}\u00d7{height} pixels, {mp:.0f} MP; limit {limit / 1e6:.0f} MP). "
        "Scan again at 300 dpi or reduce the photo size, then retry.",
    )


def _err_file_too_big(name: str, size: int, limit: int) -> BadInputError:
    return _bad(
        f"Berkas \u201c{name}\u201d terlalu besar ({size / 2**20:.0f} MB; batas {limit / 2**20:.0f} MB). "
        "Pisahkan menjadi beberapa berkas atau pindai dengan resolusi lebih rendah.",
        f"The file \u201c{name}\u201d is too large ({size / 2**20:.0f} MB; limit {limit / 2**20:.0f} MB). "
        "Split it into several files or scan at a lower resolution.",
    )


def _err_too_many_pages(name: str, pages: int, limit: int) -> BadInputError:
    return _bad(
        f"\u201c{name}\u201d berisi {pages} halaman; paling banyak {limit} halaman per berkas. "
        "Pisahkan menjadi beberapa berkas (misalnya satu per dokumen), lalu impor satu per satu.",
        f"\u201c{name}\u201d has {pages} pages; at most {limit} pages per file are accepted. "
        "Split it into several files (for example one per document) and import them one by one.",
    )


def _err_password(name: str) -> BadInputError:
    return _bad(
        f"PDF \u201c{name}\u201d dilindungi kata sandi. Minta versi tanpa kata sandi, atau cetak lalu pindai kertasnya.",
        f"The PDF \u201c{name}\u201d is password-protected. Ask for a copy without a password, or print it and scan the paper.",
    )


def _err_heic(name: str) -> BadInputError:
    return _bad(
        f"\u201c{name}\u201d berformat HEIC, yang belum didukung. Di ponsel, atur kamera ke format \u201cPaling Kompatibel\u201d/JPG "
        "atau kirim fotonya sebagai gambar biasa, lalu impor lagi.",
        f"\u201c{name}\u201d is a HEIC photo, which is not supported. Set the phone camera to \u201cMost Compatible\u201d/JPG "
        "or send it as a normal picture, then import again.",
    )


def _err_unreadable(name: str, detail: str) -> BadInputError:
    return _bad(
        f"Berkas \u201c{name}\u201d tidak dapat dibuka. Periksa bahwa berkasnya masih ada dan tidak sedang dipakai program lain.",
        f"The file \u201c{name}\u201d cannot be opened. Check that it still exists and is not in use by another program.",
        detail,
    )


# --- entry points ----------------------------------------------------------------------------


def import_file(
    path: str | Path,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    pdf_dpi: int = DEFAULT_PDF_DPI,
    source: SourceKind = "file",
) -> list[RawPage]:
    """All pages of an image file or PDF. Raises ``BadInputError`` for anything unusable.

    The whole file is checked (type, size, page count) before the first page is decoded, so
    a refused file costs no memory and leaves nothing half-imported.
    """
    return list(
        iter_file(
            path,
            max_pages=max_pages,
            max_pixels=max_pixels,
            max_bytes=max_bytes,
            pdf_dpi=pdf_dpi,
            source=source,
        )
    )


def iter_file(
    path: str | Path,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    pdf_dpi: int = DEFAULT_PDF_DPI,
    source: SourceKind = "file",
) -> Iterator[RawPage]:
    """Like ``import_file`` but decodes one page at a time.

    The checks that can refuse the whole file (size, type, encryption, page count) run when
    the iterator is created, not at the first ``next()``.
    """
    p = Path(path)
    name = p.name
    try:
        size = p.stat().st_size
        if size == 0:
            raise _err_empty(name)
        if size > max_bytes:
            raise _err_file_too_big(name, size, max_bytes)
        data = p.read_bytes()
    except BadInputError:
        raise
    except OSError as e:
        raise _err_unreadable(name, f"{type(e).__name__}: {e.strerror or e}") from e
    return iter_bytes(
        data,
        name,
        max_pages=max_pages,
        max_pixels=max_pixels,
        max_bytes=max_bytes,
        pdf_dpi=pdf_dpi,
        source=source,
    )


def import_bytes(
    data: bytes,
    name: str,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    pdf_dpi: int = DEFAULT_PDF_DPI,
    source: SourceKind = "file",
) -> list[RawPage]:
    """All pages of an image or PDF held in memory (e.g. a camera's JPEG, a download)."""
    return list(
        iter_bytes(
            data,
            name,
            max_pages=max_pages,
            max_pixels=max_pixels,
            max_bytes=max_bytes,
            pdf_dpi=pdf_dpi,
            source=source,
        )
    )


def iter_bytes(
    data: bytes,
    name: str,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    pdf_dpi: int = DEFAULT_PDF_DPI,
    source: SourceKind = "file",
) -> Iterator[RawPage]:
    """Pages of in-memory file bytes, one at a time; whole-file checks run eagerly."""
    if not data:
        raise _err_empty(name)
    if len(data) > max_bytes:
        raise _err_file_too_big(name, len(data), max_bytes)
    if _is_pdf(data):
        return _pdf_pages(data, name, max_pages=max_pages, max_pixels=max_pixels, dpi=pdf_dpi, source=source)
    if _is_heic(data):
        raise _err_heic(name)
    return _image_pages(data, name, max_pages=max_pages, max_pixels=max_pixels, source=source)


def from_camera(
    frame: Image.Image | bytes, name: str = "kamera", *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> RawPage:
    """A camera frame (from the UI's QtMultimedia capture) as a raw photo page.

    Accepts a decoded PIL image or the encoded JPEG bytes the camera produced.
    """
    if isinstance(frame, bytes):
        pages = import_bytes(frame, name, max_pages=1, max_pixels=max_pixels, source="camera")
        page = pages[0]
        page.is_photo = True
        page.dpi = None
        return page
    w, h = frame.size
    if w * h > max_pixels:
        raise _err_too_many_pixels(name, w, h, max_pixels)
    return RawPage(image=frame, source="camera", origin_name=name, is_photo=True, dpi=None)


# --- images ----------------------------------------------------------------------------------


def _is_pdf(data: bytes) -> bool:
    # The PDF spec lets junk precede the header; readers look in the first 1024 bytes.
    return b"%PDF-" in data[:1024]


def _is_heic(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1")


@contextlib.contextmanager
def _pillow_warnings_logged() -> Iterator[None]:
    """Pillow's complaints about damaged metadata (corrupt EXIF/TIFF tags) go to the log.

    They are not the user's business: the pixels either decode (the page is used) or they do
    not (BadInputError). Our explicit pixel cap decides about size, so Pillow's own
    DecompressionBombWarning is dropped too.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        yield
    for w in caught:
        log.info("image metadata: %s: %s", w.category.__name__, w.message)


def read_exif(im: Image.Image) -> Image.Exif | None:
    """The EXIF block, or None when it is broken: damaged metadata must not cost the page.

    Pillow warns about corrupt EXIF (a UserWarning); that goes to the log, not to the user.
    """
    with _pillow_warnings_logged():
        try:
            exif: Image.Exif | None = im.getexif()
        except Exception as e:  # noqa: BLE001 - a broken EXIF block only loses us a hint
            log.info("EXIF unreadable: %s: %s", type(e).__name__, e)
            exif = None
    return exif


def _open_image(data: bytes, name: str, max_pixels: int) -> Image.Image:
    """Open (header only) and check the pixel count before any decoding happens."""
    # Our own explicit cap below is the one that decides about size.
    with _pillow_warnings_logged():
        try:
            im = Image.open(io.BytesIO(data), formats=_PIL_FORMATS)
        except Image.DecompressionBombError as e:
            raise _bad(
                f"Gambar \u201c{name}\u201d mengaku berukuran sangat besar dan tidak aman dibuka. Pindai atau simpan ulang gambarnya.",
                f"The image \u201c{name}\u201d claims an enormous size and is unsafe to open. Scan or save the image again.",
                str(e),
            ) from e
        except UnidentifiedImageError as e:
            raise _err_not_image(name, str(e)) from e
        except (OSError, SyntaxError, ValueError, EOFError) as e:
            raise _err_corrupt(name, f"{type(e).__name__}: {e}") from e
    w, h = im.size
    if w <= 0 or h <= 0:
        raise _err_corrupt(name, f"size {w}x{h}")
    if w * h > max_pixels:
        raise _err_too_many_pixels(name, w, h, max_pixels)
    return im


def _load(im: Image.Image, name: str) -> Image.Image:
    """Decode fully, turning every decoder complaint into a message about a damaged file."""
    # Pillow's default (ImageFile.LOAD_TRUNCATED_IMAGES False) refuses truncated files; we rely
    # on it: a half-grey page must not be sent to the office as if it were the paper.
    with _pillow_warnings_logged():
        try:
            im.load()
        except Image.DecompressionBombError as e:
            raise _err_corrupt(name, str(e)) from e
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as e:
            raise _err_corrupt(name, f"{type(e).__name__}: {e}") from e
    return im


def _image_dpi(im: Image.Image) -> float | None:
    """The resolution the file claims, if it is believable for a scan of a paper."""
    dpi = im.info.get("dpi")
    if not dpi:
        return None
    try:
        x = float(dpi[0])
    except (TypeError, ValueError, IndexError):
        return None
    # 72 and 96 are "screen" defaults written by tools that know nothing; scans are 100+.
    if not 99 <= x <= 2400:
        return None
    # A paper 2-20 inches wide at that resolution: otherwise the number is not about paper.
    if not 2.0 <= im.size[0] / x <= 20.0:
        return None
    return x


_CAMERA_EXIF_TAGS = (0x010F, 0x0110)  # Make, Model
_EXIF_IFD = 0x8769
#: Exposure time, F-number, focal length: written by a camera, never by a flatbed scanner.
_EXPOSURE_TAGS = (0x829A, 0x829D, 0x920A)


def _looks_like_photo(im: Image.Image, fmt: str, dpi: float | None) -> bool:
    """Was this picture taken with a camera (perspective, uneven light) rather than scanned?

    A camera writes its exposure into EXIF. A maker and model alone do not tell: Canon,
    Epson or Brother scanners write them too (with the scan's dpi), and such a scan of a KTP
    once came out as a 13-inch page. So a maker counts only when the file says nothing
    believable about its resolution (phones write 72 dpi). Messengers strip EXIF, so a JPEG,
    WebP or PNG that says nothing believable about its resolution is a photo too: scanners
    and scanning apps write their dpi.
    """
    exif = read_exif(im)
    if exif:
        try:
            if any(exif.get_ifd(_EXIF_IFD).get(t) for t in _EXPOSURE_TAGS):
                return True
        except Exception:  # noqa: BLE001 - an unreadable EXIF block decides nothing
            pass
        if dpi is None and any(exif.get(t) for t in _CAMERA_EXIF_TAGS):
            return True
    if fmt in ("TIFF", "BMP"):
        return False
    return dpi is None


def _image_pages(
    data: bytes, name: str, *, max_pages: int, max_pixels: int, source: SourceKind
) -> Iterator[RawPage]:
    im = _open_image(data, name, max_pixels)
    fmt = im.format or ""
    frames = 1
    if fmt == "TIFF":
        frames = int(getattr(im, "n_frames", 1))
        if frames > max_pages:
            raise _err_too_many_pages(name, frames, max_pages)

    def gen() -> Iterator[RawPage]:
        for i in range(frames):
            if i:
                try:
                    im.seek(i)
                except (OSError, EOFError, ValueError) as e:
                    raise _err_corrupt(name, f"frame {i}: {e}") from e
                w, h = im.size
                if w * h > max_pixels:
                    raise _err_too_many_pixels(name, w, h, max_pixels)
            dpi = _image_dpi(im)
            is_photo = source == "camera" or _looks_like_photo(im, fmt, dpi)
            if is_photo and fmt in ("JPEG", "MPO") and im.size[0] * im.size[1] > PHOTO_DECODE_PIXELS:
                scale = (PHOTO_DECODE_PIXELS / (im.size[0] * im.size[1])) ** 0.5
                im.draft("RGB", (int(im.size[0] * scale), int(im.size[1] * scale)))
            page = _load(im, name)
            exif = read_exif(page) if fmt in ("JPEG", "MPO", "WEBP", "PNG", "TIFF") else None
            # A decoded copy that owns its pixels and nothing else: the file object and the
            # other frames are released; the EXIF orientation stays for the pipeline.
            img = _normalise_mode(page, name)
            if exif is not None and exif.get(0x0112):
                img.info["exif"] = exif.tobytes()
            yield RawPage(
                image=img,
                source=source,
                origin_name=name,
                is_photo=is_photo,
                dpi=None if is_photo else dpi,
                index=i,
                count=frames,
                meta={"format": fmt},
            )

    return gen()


def _normalise_mode(im: Image.Image, name: str) -> Image.Image:
    """RGB or L, 8 bits: what the pipeline works on. Transparency is composed onto white."""
    try:
        if im.mode in ("RGB", "L"):
            out = im.copy()
        elif im.mode == "1":
            out = im.convert("L")
        elif im.mode in ("I;16", "I;16B", "I;16L", "I"):
            # 16-bit gray scans: scale to 8 bits.
            arr = im.convert("I")
            out = arr.point(lambda v: v / 256).convert("L")
        elif im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
            rgba = im.convert("RGBA")
            out = Image.new("RGB", rgba.size, (255, 255, 255))
            out.paste(rgba, mask=rgba.getchannel("A"))
        elif im.mode == "CMYK":
            out = im.convert("RGB")
        else:
            out = im.convert("RGB")
    except (OSError, ValueError) as e:
        raise _err_corrupt(name, f"{type(e).__name__}: {e}") from e
    return out


# --- PDF -------------------------------------------------------------------------------------


def _pdf_pages(
    data: bytes, name: str, *, max_pages: int, max_pixels: int, dpi: int, source: SourceKind
) -> Iterator[RawPage]:
    import pypdfium2 as pdfium  # imported here: only PDF import pays for loading PDFium

    with _pdfium_lock:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as e:
            if getattr(e, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
                raise _err_password(name) from e
            raise _err_corrupt(name, str(e)) from e
        count = len(doc)
    if count == 0:
        doc.close()
        raise _err_not_image(name, "PDF without pages")
    if count > max_pages:
        doc.close()
        raise _err_too_many_pages(name, count, max_pages)

    def gen() -> Iterator[RawPage]:
        try:
            for i in range(count):
                with _pdfium_lock:
                    try:
                        page = doc[i]
                        w_pt, h_pt = page.get_size()
                        scale = dpi / 72.0
                        # A poster-sized page is rendered smaller, not refused: its content
                        # is still one paper for the office.
                        px = w_pt * h_pt * scale * scale
                        if px > max_pixels:
                            scale *= (max_pixels / px) ** 0.5
                        bitmap = page.render(scale=scale, may_draw_forms=True)
                        img = bitmap.to_pil().convert("RGB")
                        page.close()
                    except pdfium.PdfiumError as e:
                        raise _err_corrupt(name, f"page {i + 1}: {e}") from e
                yield RawPage(
                    image=img,
                    source="pdf" if source == "file" else source,
                    origin_name=name,
                    is_photo=False,
                    dpi=scale * 72.0,
                    index=i,
                    count=count,
                    meta={"format": "PDF"},
                )
        finally:
            with _pdfium_lock:
                doc.close()

    return gen()
