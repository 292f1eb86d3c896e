"""What a bundle must be able to do beyond starting: run the page pipeline on a real scan.

Used by the app's ``--self-test`` (so by the build and by an update before it switches to a new
version). The build slims OpenCV's native libraries (``build_slim.py``); a library the pipeline
needs that went missing shows here, where the pipeline runs the ways a village uses it: a file
as scanned, a page turned on a scanner bed with a colour stamp (paper detection, deskew,
orientation, a mixed PDF), and a photo at an angle (perspective). Qt-free.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from desa_capil.scan import pdf
from desa_capil.scan.pipeline import process, thumbnail
from desa_capil.scan.sources import RawPage, import_file


def _on_bed(page: Image.Image) -> Image.Image:
    """The page turned a quarter and a few degrees, with a blue stamp, on a gray scanner bed."""
    rgb = page.convert("RGB").rotate(90, expand=True)
    d = ImageDraw.Draw(rgb)
    w, h = rgb.size
    r = min(w, h) // 8
    cx, cy = int(w * 0.3), int(h * 0.75)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(40, 60, 190), width=max(4, r // 10))
    rot = rgb.rotate(6, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(110, 110, 110))
    bed = Image.new("RGB", (rot.width + 120, rot.height + 120), (110, 110, 110))
    bed.paste(rot, (60, 60))
    return bed


def _as_photo(page: Image.Image) -> Image.Image:
    """The page photographed at an angle on a dark table."""
    w, h = page.size
    W, H = int(w * 1.5), int(h * 1.6)
    corners = [(0, 0), (w, 0), (w, h), (0, h)]
    target = [(W * 0.18, H * 0.12), (W * 0.85, H * 0.16), (W * 0.8, H * 0.88), (W * 0.14, H * 0.84)]
    # Pillow maps each output pixel back to the input: solve the 8 coefficients of that map
    # (numpy, not OpenCV: every OpenCV call here must be the pipeline's own).
    rows, rhs = [], []
    for (x, y), (u, v) in zip(target, corners, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    coeffs = np.linalg.solve(np.array(rows, dtype=np.float64), np.array(rhs, dtype=np.float64))
    table = Image.new("RGB", (W, H), (35, 30, 28))
    paper = page.convert("RGB").transform(
        (W, H), Image.Transform.PERSPECTIVE, tuple(coeffs), Image.Resampling.BICUBIC
    )
    mask = Image.new("L", page.size, 255).transform((W, H), Image.Transform.PERSPECTIVE, tuple(coeffs))
    table.paste(paper, (0, 0), mask)
    return table


def scan_check(picture: Path) -> list[str]:
    """Problems found running the page pipeline on ``picture`` (a real scan); [] when fine."""
    problems: list[str] = []
    try:
        raw = import_file(picture)[0]
        plain = process(raw, auto_orient=True)
        # A bilevel page in lossless JBIG2 (the compiled coder, decoded back by PDFium).
        if plain.mime != "application/pdf" or plain.mode != "bilevel" or b"/JBIG2Decode" not in plain.data:
            problems.append(f"scan as scanned: {plain.mime} {plain.mode}, expected a bilevel JBIG2 page")
        else:
            pdf.render_page(plain.data, 50)
        page = raw.image
        bed = RawPage(_on_bed(page), "scanner", "selftest-bed", is_photo=False, dpi=raw.dpi)
        turned = process(bed, auto_orient=True)
        if not turned.paper_found or turned.turn % 180 == 0:
            problems.append(f"scanner bed: paper found {turned.paper_found}, turn {turned.turn}")
        if turned.mime == "application/pdf":
            pdf.render_page(turned.data, 50)
        photo = RawPage(_as_photo(page), "camera", "selftest-photo", is_photo=True)
        shot = process(photo)
        if not shot.paper_found:
            problems.append("photo: the paper was not found")
        thumbnail(shot)
    except Exception as exc:  # noqa: BLE001 - every failure is reported to the self-test
        problems.append(f"page pipeline: {exc!r}")
    return problems
