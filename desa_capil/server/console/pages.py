"""Pages of a received paper as PNG for the browser: PDFs rendered with PDFium, images (TIFF G4,
WebP, JPEG, PNG) converted with Pillow. Rotation is for viewing only (the image is rendered
turned); the stored file is never changed."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageSequence

log = logging.getLogger(__name__)

MIN_DPI = 72
MAX_DPI = 300
VIEW_DPI = 150


class PageUnreadable(Exception):
    """The stored file cannot be shown as pages (damaged, or a format no library reads)."""


def _is_pdf(path: Path, mime: str) -> bool:
    if mime == "application/pdf":
        return True
    with path.open("rb") as f:
        return f.read(5) == b"%PDF-"


def page_count(path: Path, mime: str) -> int:
    try:
        if _is_pdf(path, mime):
            pdf = pdfium.PdfDocument(path)
            try:
                return len(pdf)
            finally:
                pdf.close()
        with Image.open(path) as im:
            return int(getattr(im, "n_frames", 1))
    except (pdfium.PdfiumError, OSError, ValueError) as exc:
        raise PageUnreadable(str(exc)) from exc


def render_png(path: Path, mime: str, index: int, dpi: int = VIEW_DPI, rotate: int = 0) -> bytes:
    """Page ``index`` as PNG at ``dpi``, turned clockwise by ``rotate`` degrees (0/90/180/270)."""
    dpi = max(MIN_DPI, min(MAX_DPI, dpi))
    try:
        if _is_pdf(path, mime):
            pdf = pdfium.PdfDocument(path)
            try:
                if not 0 <= index < len(pdf):
                    raise PageUnreadable("no such page")
                page = pdf[index]
                image = page.render(scale=dpi / 72, grayscale=False).to_pil()
                page.close()
            finally:
                pdf.close()
        else:
            with Image.open(path) as im:
                frames = list(ImageSequence.Iterator(im))
                if not 0 <= index < len(frames):
                    raise PageUnreadable("no such page")
                image = frames[index].copy()
                src_dpi = float(im.info.get("dpi", (300, 300))[0] or 300)
            if src_dpi > dpi:
                w, h = image.size
                image = image.resize((max(1, int(w * dpi / src_dpi)), max(1, int(h * dpi / src_dpi))))
        if rotate % 360 in (90, 180, 270):
            image = image.rotate(-(rotate % 360), expand=True)
        if image.mode not in ("1", "L", "RGB", "RGBA"):
            image = image.convert("RGB")
        buf = io.BytesIO()
        image.save(buf, "PNG", optimize=False)
        return buf.getvalue()
    except (pdfium.PdfiumError, OSError, ValueError) as exc:
        raise PageUnreadable(str(exc)) from exc
