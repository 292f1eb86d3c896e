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
    # A real camera view (pinhole), so that the page's true proportion can be measured.
    dst = camera_quad(
        page.size[0] / page.size[1], (W, H), pitch=15 + rng.uniform(-3, 3), yaw=-6, roll=3, cover=0.72
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


def camera_quad(
    aspect: float,
    frame: tuple[int, int],
    *,
    pitch: float = 0.0,
    yaw: float = 0.0,
    roll: float = 0.0,
    cover: float = 0.75,
    shift: tuple[float, float] = (0.0, 0.0),
    focal: float = 0.8,
) -> np.ndarray:
    """Corners (tl, tr, br, bl) of a flat rectangle of ``aspect`` (width/height) as a pinhole
    camera sees it: turned by pitch/yaw/roll (degrees), its height ~``cover`` of the frame,
    focal length ``focal`` x the frame's long side (a phone's main camera is ~0.75-0.85)."""
    fw, fh = frame
    f = focal * max(fw, fh)
    rx, ry, rz = (np.radians(v) for v in (pitch, yaw, roll))
    rot_x = np.array([[1, 0, 0], [0, np.cos(rx), -np.sin(rx)], [0, np.sin(rx), np.cos(rx)]])
    rot_y = np.array([[np.cos(ry), 0, np.sin(ry)], [0, 1, 0], [-np.sin(ry), 0, np.cos(ry)]])
    rot_z = np.array([[np.cos(rz), -np.sin(rz), 0], [np.sin(rz), np.cos(rz), 0], [0, 0, 1]])
    obj = np.array(
        [[-aspect / 2, -0.5, 0], [aspect / 2, -0.5, 0], [aspect / 2, 0.5, 0], [-aspect / 2, 0.5, 0]]
    )
    dist = f / (cover * fh)
    pts = obj @ (rot_z @ rot_y @ rot_x).T + np.array([shift[0], shift[1], dist])
    u = f * pts[:, 0] / pts[:, 2] + fw / 2
    v = f * pts[:, 1] / pts[:, 2] + fh / 2
    return np.stack([u, v], axis=1).astype(np.float32)


def photo_like(width: int = 354, height: int = 472, *, seed: int = 5) -> Image.Image:
    """A pas foto: a face-like blob and shoulders on a red background, soft shading and
    grain, in colour (the test compares its saturation and contrast after processing)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    img = np.stack([np.full_like(xx, 190.0), 35 + 25 * yy / height, np.full_like(xx, 45.0)], axis=2)
    face = (
        (xx - width / 2) ** 2 / (width * 0.28) ** 2 + (yy - height * 0.42) ** 2 / (height * 0.27) ** 2
    ) < 1
    hair = (
        (xx - width / 2) ** 2 / (width * 0.31) ** 2 + (yy - height * 0.32) ** 2 / (height * 0.22) ** 2
    ) < 1
    body = (yy > height * 0.72) & (np.abs(xx - width / 2) < width * 0.45)
    img[hair] = (35, 28, 25)
    img[face] = (222, 176, 140)
    img[body] = (235, 235, 240)  # white shirt: a photo has its own whites, they must stay
    shade = 0.78 + 0.22 * np.cos((xx - width * 0.45) / width * 3.0)[..., None]
    img = np.clip(img * shade + rng.normal(0, 3, img.shape), 0, 255).astype(np.uint8)
    return Image.fromarray(cv2.GaussianBlur(img, (0, 0), 2.0))


def id_card(dpi: int = 400, *, seed: int = 2) -> Image.Image:
    """A KTP-el-like ID-1 card (85.6 x 54 mm, 3.18 mm corner radius) at ``dpi``: pale blue
    guilloche background, dark text, a pas foto on the right. Outside the rounded corners the
    picture is transparent (RGBA) so it can be laid on any table."""
    rng = random.Random(seed)
    w, h = round(85.6 / 25.4 * dpi), round(54 / 25.4 * dpi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    wave = 8 * np.sin(xx / 9.0 + 4 * np.sin(yy / 40.0))
    bg = np.stack([200 + wave, 225 + wave / 2, np.full_like(xx, 245)], axis=2)
    card = Image.fromarray(np.clip(bg, 0, 255).astype(np.uint8)).convert("RGBA")
    d = ImageDraw.Draw(card)
    s = dpi / 300
    d.text(
        (w * 0.5, 40 * s),
        "PROVINSI JAWA BARAT",
        font=ImageFont.load_default(size=round(34 * s)),
        fill=(0, 0, 0),
        anchor="mt",
    )
    d.text(
        (40 * s, 120 * s),
        "NIK : " + "".join(str(rng.randrange(10)) for _ in range(16)),
        font=ImageFont.load_default(size=round(36 * s)),
        fill=(0, 0, 0),
    )
    font = ImageFont.load_default(size=round(24 * s))
    y = 190 * s
    for label in ("Nama", "Tempat/Tgl Lahir", "Alamat", "RT/RW", "Agama", "Pekerjaan"):
        d.text(
            (40 * s, y),
            f"{label} : {' '.join(rng.choice(WORDS) for _ in range(2)).upper()}",
            font=font,
            fill=(0, 0, 0),
        )
        y += 44 * s
    ph = photo_like(round(w * 0.24), round(h * 0.5))
    card.paste(ph, (round(w * 0.72), round(h * 0.22)))
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, w - 1, h - 1], radius=round(3.18 / 25.4 * dpi), fill=255)
    card.putalpha(mask)
    return card


def table(size: tuple[int, int], kind: str = "wood", *, seed: int = 4) -> np.ndarray:
    """A table top: dark wood, a white table, or wood cluttered with bright things."""
    W, H = size
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    if kind == "white":
        out = np.stack([238 + 0 * xx, 236 + 0 * xx, 232 + 0 * xx], axis=2)
        return np.clip(out + rng.normal(0, 2, out.shape), 0, 255).astype(np.float32)
    streak = 0.85 + 0.15 * np.sin(xx / 37.0 + 3 * np.sin(yy / 300.0))
    out = np.stack([110 * streak, 75 * streak, 45 * streak], axis=2)
    if kind == "clutter":
        pil = Image.fromarray(out.astype(np.uint8))
        d = ImageDraw.Draw(pil)
        for _ in range(7):  # mugs, phones, papers, pens lying around
            x, y = rng.uniform(0, W), rng.uniform(0, H)
            r = rng.uniform(0.04, 0.12) * W
            colour = tuple(int(c) for c in rng.integers(120, 250, 3))
            if rng.random() < 0.5:
                d.ellipse([x - r, y - r, x + r, y + r], fill=colour)
            else:
                d.rectangle([x - r, y - r / 2, x + r, y + r / 2], fill=colour)
        out = np.asarray(pil, dtype=np.float32)
    return out


def photograph(
    obj: Image.Image,
    quad: np.ndarray,
    frame: tuple[int, int] = (1500, 2000),
    *,
    background: str = "wood",
    curl: float = 0.0,
) -> Image.Image:
    """``obj`` (RGB, or RGBA with its own outline) laid on a table and photographed so that
    its corners land on ``quad``; warm light, vignette, noise, phone JPEG. ``curl`` bows
    the sheet's long edges (fraction of its width)."""
    W, H = frame
    rgba = obj.convert("RGBA")
    arr = np.asarray(rgba).astype(np.float32)
    ow, oh = rgba.size
    if curl:
        # A slight curl: rows shift sideways along a parabola, edges included.
        yy, xx = np.mgrid[0:oh, 0:ow].astype(np.float32)
        bow = curl * ow * (1 - ((yy - oh / 2) / (oh / 2)) ** 2)
        mapx = (xx - bow * (1 - 2 * xx / ow)).astype(np.float32)
        arr = cv2.remap(arr, mapx, yy, cv2.INTER_LINEAR, borderValue=(0, 0, 0, 0))
    src = np.array([[0, 0], [ow, 0], [ow, oh], [0, oh]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    warped = cv2.warpPerspective(arr, m, (W, H), flags=cv2.INTER_AREA, borderValue=(0, 0, 0, 0))
    alpha = warped[..., 3:4] / 255.0
    out = warped[..., :3] * alpha + table((W, H), background) * (1 - alpha)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    light = 0.97 - 0.2 * ((xx - W / 2) ** 2 + (yy - H / 2) ** 2) / (W * W)
    out = out * light[..., None] * np.array([1.0, 0.96, 0.9], dtype=np.float32)
    out = cv2.GaussianBlur(out, (0, 0), 0.8)
    out = np.clip(out + np.random.default_rng(1).normal(0, 3, out.shape), 0, 255).astype(np.uint8)
    return Image.open(io.BytesIO(jpeg_bytes(Image.fromarray(out), quality=88))).convert("RGB")


# --- the failures seen on real papers (issue 12), drawn -------------------------------------


def pale_ring_stamp(
    page: Image.Image,
    colour: tuple[int, int, int] = (185, 198, 245),
    *,
    centre: tuple[float, float] = (0.7, 0.8),
) -> Image.Image:
    """A village stamp pressed lightly: a thin pale ring (gray ~200, saturation ~62 of 255)
    with a thinner inner ring and a few letters, multiplied over the page like real ink."""
    rgb = page.convert("RGB")
    w, h = rgb.size
    r = w // 11
    layer = Image.new("RGB", rgb.size, (255, 255, 255))
    d = ImageDraw.Draw(layer)
    cx, cy = int(w * centre[0]), int(h * centre[1])
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=colour, width=max(3, r // 30))
    d.ellipse([cx - r * 2 // 3, cy - r * 2 // 3, cx + r * 2 // 3, cy + r * 2 // 3], outline=colour, width=2)
    d.text((cx, cy), "DESA", font=ImageFont.load_default(size=max(10, r // 4)), fill=colour, anchor="mm")
    out = np.asarray(rgb, dtype=np.float32) * np.asarray(layer, dtype=np.float32) / 255.0
    return Image.fromarray(out.astype(np.uint8))


def ring_mask(size: tuple[int, int], *, centre: tuple[float, float] = (0.7, 0.8)) -> np.ndarray:
    """Pixels of the outer ring drawn by ``pale_ring_stamp`` on a page of ``size``."""
    w, h = size
    r = w // 11
    m = Image.new("L", size, 0)
    cx, cy = int(w * centre[0]), int(h * centre[1])
    ImageDraw.Draw(m).ellipse([cx - r, cy - r, cx + r, cy + r], outline=255, width=max(3, r // 30))
    return np.asarray(m) > 0


def faint_dot_matrix(
    width: int = 1240, height: int = 1754, *, level: int = 200, seed: int = 6
) -> tuple[Image.Image, list[str], np.ndarray]:
    """An A4 page at 150 dpi printed by a worn dot-matrix ribbon: each letter made of
    separate dots, ink gray ``level`` on white. Also a black pre-printed form heading, as on
    old KK printouts. Returns the page, the faint lines and the mask of the faint glyphs."""
    rng = random.Random(seed)
    img = Image.new("L", (width, height), 255)
    d = ImageDraw.Draw(img)
    d.text((110, 80), "KARTU KELUARGA  No. 3201012345678901", font=ImageFont.load_default(size=34), fill=0)
    glyphs = Image.new("L", (width, height), 0)
    g = ImageDraw.Draw(glyphs)
    lines = []
    font = ImageFont.load_default(size=30)
    y = 200
    for i in range(16):
        words = [rng.choice(WORDS).upper() for _ in range(4)]
        text = f"{i + 1:02d} " + " ".join(words) + f" {rng.randrange(10**6, 10**7)}"
        g.text((110, y), text, font=font, fill=255)
        lines.append(text)
        y += 70
    mask = np.asarray(glyphs) > 127
    yy, xx = np.mgrid[0:height, 0:width]
    dots = ((yy % 2) == 0) | ((xx % 2) == 0)  # the print head's dots, with gaps between
    faint = mask & dots
    arr = np.asarray(img).copy()
    arr[faint] = level
    out = cv2.GaussianBlur(arr, (3, 3), 0.6)
    return Image.fromarray(out), lines, mask


def shaded_table(
    page: Image.Image, *, shade: int = 185, top: int = 1000, rows: int = 6
) -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """Table rows filled with gray ``shade`` (every other row) with black text in them.
    Returns the page and the boxes of the shaded rows."""
    img = page.convert("L")
    d = ImageDraw.Draw(img)
    w = img.width
    font = ImageFont.load_default(size=26)
    boxes = []
    for i in range(rows):
        y0, y1 = top + i * 60, top + (i + 1) * 60
        if i % 2 == 0:
            d.rectangle([110, y0, w - 110, y1], fill=shade)
            boxes.append((110, y0, w - 110, y1))
        d.rectangle([110, y0, w - 110, y1], outline=0, width=2)
        d.text((130, y0 + 14), f"Baris {i + 1} nomor 3201{i:02d}", font=font, fill=0)
    return img, boxes


def card_with_slanted_print(dpi: int = 400, *, angle: float = 8.0, seed: int = 2) -> Image.Image:
    """An ID-1 card whose printed lines run at ``angle`` degrees (a card printed askew):
    its edges, not its print, say where horizontal is."""
    rng = random.Random(seed)
    w, h = round(85.6 / 25.4 * dpi), round(54 / 25.4 * dpi)
    card = Image.new("RGB", (w, h), (232, 238, 246))
    text = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(text)
    s = dpi / 300
    y = 60 * s
    for _ in range(8):
        d.text(
            (60 * s, y),
            " ".join(rng.choice(WORDS).upper() for _ in range(3)),
            font=ImageFont.load_default(size=round(30 * s)),
            fill=255,
        )
        d.line([(40 * s, y + 40 * s), (w - 40 * s, y + 40 * s)], fill=255, width=round(3 * s))
        y += 70 * s
    text = text.rotate(angle, resample=Image.Resampling.BICUBIC)
    card.paste((20, 20, 20), (0, 0), text)
    rgba = card.convert("RGBA")
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, w - 1, h - 1], radius=round(3.18 / 25.4 * dpi), fill=255)
    rgba.putalpha(mask)
    return rgba


def uneven_light(img: Image.Image, *, darkest: float = 0.4) -> Image.Image:
    """The picture under one lamp at a corner: brightness falls to ``darkest`` across it."""
    arr = np.asarray(img.convert("RGB")).astype(np.float32)
    h, w = arr.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 1.0 - (1.0 - darkest) * np.clip((xx / w + yy / h) / 2.0, 0, 1) ** 0.8
    return Image.fromarray(np.clip(arr * light[..., None], 0, 255).astype(np.uint8))
