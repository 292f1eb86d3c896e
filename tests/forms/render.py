"""Render printed papers to PNG (what a reviewer looks at) and read their text back."""

from __future__ import annotations

import os
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image


def pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def render_png(data: bytes, out: Path, scale: float = 1.4) -> list[Path]:
    """Every page as PNG under `out` (or $DESA_CAPIL_FORM_PNG_DIR when set, to look at them)."""
    target = Path(os.environ.get("DESA_CAPIL_FORM_PNG_DIR", out))
    target.mkdir(parents=True, exist_ok=True)
    doc = pdfium.PdfDocument(data)
    paths = []
    try:
        for i in range(len(doc)):
            img = doc[i].render(scale=scale).to_pil()
            path = target / f"{out.name}-{i + 1}.png"
            img.save(path)
            paths.append(path)
    finally:
        doc.close()
    return paths


def ink_ratio(path: Path) -> float:
    """Share of non-white pixels: a blank or nearly empty page is near 0."""
    img = Image.open(path).convert("L")
    hist = img.histogram()
    return 1 - sum(hist[245:]) / (img.width * img.height)
