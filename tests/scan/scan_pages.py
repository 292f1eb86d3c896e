"""Pages drawn at test time (nothing binary is committed): text with known skew, stamps, photos.

A plain module (not conftest) so that test files can import the helpers by name."""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

WORDS = "desa kartu keluarga nomor induk kependudukan akta kelahiran surat keterangan pindah".split()


def text_page(
    width: int = 1240, height: int = 1754, *, seed: int = 1, lines: int = 28, size: int = 26
) -> Image.Image:
    """An A4 page at 150 dpi (gray) with lines of text and a ruled table."""
    rng = random.Random(seed)
    img = Image.new("L", (width, height), 255)
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=size)
    y = 120
    for _ in range(lines):
        d.text((110, y), " ".join(rng.choice(WORDS) for _ in range(7)), font=font, fill=0)
        y += int(size * 1.6)
    for i in range(5):
        d.rectangle([110, y + i * 50, width - 110, y + (i + 1) * 50], outline=0, width=2)
    return img


def with_stamp(page: Image.Image, colour: tuple[int, int, int] = (40, 60, 190)) -> Image.Image:
    rgb = page.convert("RGB")
    d = ImageDraw.Draw(rgb)
    w, h = rgb.size
    r = w // 10
    cx, cy = int(w * 0.7), int(h * 0.8)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=colour, width=max(4, r // 12))
    d.ellipse([cx - r // 2, cy - r // 2, cx + r // 2, cy + r // 2], outline=colour, width=3)
    return rgb


def on_scanner_bed(page: Image.Image, angle: float, bed: int = 60) -> Image.Image:
    """The page rotated by ``angle`` (counter-clockwise on screen) on a darker scanner bed."""
    rgb = page.convert("RGB")
    rot = rgb.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(110, 110, 110))
    canvas = Image.new("RGB", (rot.width + 2 * bed, rot.height + 2 * bed), (110, 110, 110))
    canvas.paste(rot, (bed, bed))
    return canvas


def as_photo(page: Image.Image, *, seed: int = 3) -> tuple[Image.Image, np.ndarray]:
    """The page photographed at an angle on a dark table, with a shadow. Returns the photo
    and the four page corners in it (tl, tr, br, bl)."""
    rng = random.Random(seed)
    W, H = 1500, 2000
    pw, ph = page.size
    dst = np.array(
        [[260 + rng.uniform(-20, 20), 180], [1240, 230], [1330, 1820], [170, 1760]], dtype=np.float32
    )
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    paper = np.asarray(page.convert("RGB"))
    warped = cv2.warpPerspective(paper, m, (W, H), borderValue=(70, 50, 35))
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    light = 0.65 + 0.35 * xx / W
    out = np.clip(warped * light[..., None], 0, 255).astype(np.uint8)
    return Image.fromarray(out), dst


def jpeg_bytes(img: Image.Image, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", **kw)
    return buf.getvalue()
