"""Synthetic A4 pages with known text, for benchmarks/pages.py.

Each page is drawn with Pillow at 300 dpi (printed text in several sizes, a table,
handwriting-like strokes, optionally a coloured stamp or a photo), then "captured" the way
it reaches a village office: through a flatbed scanner (slight rotation, noise, scanner bed
border) or a phone camera (perspective, table background, shadow, warm light, sensor noise,
phone JPEG). The text that was printed is returned as ground truth for OCR accuracy.

Deterministic: the same seed draws the same pages. Run it alone to write the corpus to a
folder for looking at:  python benchmarks/corpus.py /tmp/corpus
"""

from __future__ import annotations

import io
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

DPI = 300
A4 = (2480, 3508)  # 210 x 297 mm at 300 dpi

WORDS = (
    "yang dengan untuk dari dalam pada kepada oleh sebagai telah akan tidak dapat atau ini itu "
    "desa kelurahan kecamatan kabupaten provinsi penduduk keluarga kartu nomor induk kependudukan "
    "akta kelahiran kematian perkawinan perceraian pindah datang surat keterangan pengantar "
    "permohonan pemohon ayah ibu anak saksi alamat jalan dusun rukun tetangga warga agama "
    "pekerjaan petani pedagang guru wiraswasta tanggal bulan tahun tempat lahir jenis kelamin "
    "laki perempuan status belum kawin sudah dinas kependudukan pencatatan sipil berdasarkan "
    "peraturan menteri dalam negeri nomor tentang persyaratan formulir pelayanan dokumen "
    "ditandatangani kepala sekretaris dengan sebenarnya dipergunakan sebagaimana mestinya"
).split()
NAMES = "Siti Rahayu Budi Santoso Dewi Lestari Agus Salim Nur Hidayah Wayan Sudarsana Made Ayu".split()


@dataclass
class Sample:
    name: str
    kind: str  # "scan" | "photo"
    image: Image.Image  # what the scanner / phone produced
    truth: str  # printed text, lines joined by newlines
    dpi: float | None  # scanner resolution; None for photos
    expect_mode: str  # what a person would choose: bilevel / gray / color


def _font(
    size_pt: float, bold: bool = False, serif: bool = False
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    px = round(size_pt * DPI / 72)
    family = "DejaVuSerif" if serif else "DejaVuSans"
    path = Path("/usr/share/fonts/truetype/dejavu") / f"{family}{'-Bold' if bold else ''}.ttf"
    if path.exists():
        return ImageFont.truetype(str(path), px)
    return ImageFont.load_default(size=px)


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    if rng.random() < 0.5:
        words.insert(rng.randrange(len(words)), f"{rng.randrange(1, 9999):04d}")
    s = " ".join(words)
    return s[0].upper() + s[1:]


def draw_document(
    rng: random.Random, *, stamp: bool = False, photo: bool = False, sizes: tuple[float, ...] = (12, 10, 8)
) -> tuple[Image.Image, list[str]]:
    """An A4 letter/form at 300 dpi in RGB, and the lines of text printed on it."""
    img = Image.new("RGB", A4, (255, 255, 255))
    d = ImageDraw.Draw(img)
    lines: list[str] = []
    margin = 236  # 20 mm
    y = 200
    for text, size, bold in (
        ("PEMERINTAH KABUPATEN SUKAMAJU", 14, True),
        ("KECAMATAN SUKADAMAI - DESA SUKAMULYA", 12, True),
    ):
        f = _font(size, bold)
        w = d.textlength(text, font=f)
        d.text(((A4[0] - w) / 2, y), text, font=f, fill=(0, 0, 0))
        lines.append(text)
        y += round(size * DPI / 72 * 1.5)
    d.line([(margin, y), (A4[0] - margin, y)], fill=(0, 0, 0), width=6)
    y += 60
    title = f"SURAT KETERANGAN Nomor: 474/{rng.randrange(100, 999)}/DS/2025"
    f = _font(12, True)
    d.text(((A4[0] - d.textlength(title, font=f)) / 2, y), title, font=f, fill=(0, 0, 0))
    lines.append(title)
    y += 110
    for size in sizes:
        f = _font(size, serif=size == 10)
        line_h = round(size * DPI / 72 * 1.45)
        for _ in range(5 if size >= 10 else 4):
            words: list[str] = []
            while True:
                cand = " ".join([*words, rng.choice(WORDS)])
                if d.textlength(cand, font=f) > A4[0] - 2 * margin:
                    break
                words = cand.split()
            text = " ".join(words)
            d.text((margin, y), text, font=f, fill=(0, 0, 0))
            lines.append(text)
            y += line_h
        y += 40
    # A table: label / value rows with ruled cells.
    f = _font(10)
    row_h = 70
    col = margin + 700
    x1 = A4[0] - margin
    for i in range(6):
        label = ["Nama", "NIK", "Tempat lahir", "Tanggal lahir", "Pekerjaan", "Alamat"][i]
        value = [
            f"{rng.choice(NAMES)} {rng.choice(NAMES)}",
            "".join(str(rng.randrange(10)) for _ in range(16)),
            rng.choice(["Sukamaju", "Sukadamai", "Cibodas", "Mekarsari"]),
            f"{rng.randrange(1, 28):02d}-{rng.randrange(1, 12):02d}-{rng.randrange(1950, 2020)}",
            rng.choice(["Petani", "Pedagang", "Guru", "Wiraswasta"]),
            f"Dusun {rng.randrange(1, 9)} RT {rng.randrange(1, 20):03d} RW {rng.randrange(1, 9):03d}",
        ][i]
        d.rectangle([margin, y, x1, y + row_h], outline=(0, 0, 0), width=3)
        d.line([(col, y), (col, y + row_h)], fill=(0, 0, 0), width=3)
        d.text((margin + 20, y + 12), label, font=f, fill=(0, 0, 0))
        d.text((col + 20, y + 12), value, font=f, fill=(0, 0, 0))
        lines.append(f"{label} {value}")
        y += row_h
    y += 80
    f = _font(10)
    closing = "Demikian surat keterangan ini dibuat untuk dipergunakan sebagaimana mestinya."
    d.text((margin, y), closing, font=f, fill=(0, 0, 0))
    lines.append(closing)
    y += 90
    sig_x = A4[0] - margin - 700
    place = "Sukamulya, 12 Maret 2025"
    d.text((sig_x, y), place, font=f, fill=(0, 0, 0))
    d.text((sig_x, y + 50), "Kepala Desa", font=f, fill=(0, 0, 0))
    lines += [place, "Kepala Desa"]
    sig_y = y + 120
    _signature(d, rng, sig_x + 40, sig_y, colour=(20, 40, 150) if stamp else (30, 30, 30))
    name = f"{rng.choice(NAMES).upper()} {rng.choice(NAMES).upper()}"
    d.text((sig_x, sig_y + 260), name, font=_font(10, True), fill=(0, 0, 0))
    lines.append(name)
    if photo:
        _photo(img, rng, margin, sig_y - 40)
    if stamp:
        img = _stamp(img, rng, sig_x - 120, sig_y - 60)
    return img, lines


def _signature(
    d: ImageDraw.ImageDraw, rng: random.Random, x: int, y: int, colour: tuple[int, int, int]
) -> None:
    """Handwriting-like strokes: a few smooth random loops, pen width ~0.5 mm."""
    pts = []
    cx, cy = x, y + 100
    for i in range(60):
        t = i / 59
        cx = x + t * 520 + 60 * math.sin(t * 19 + rng.random())
        cy = y + 100 + 70 * math.sin(t * 11 + rng.random() * 0.3) + rng.uniform(-8, 8)
        pts.append((cx, cy))
    d.line(pts, fill=colour, width=6, joint="curve")
    d.line([(x + 40, y + 190), (x + 560, y + 150)], fill=colour, width=5)


def _stamp(img: Image.Image, rng: random.Random, x: int, y: int) -> Image.Image:
    """A round purple-blue office stamp, multiplied over the page like real ink."""
    size = 470  # ~40 mm
    ink = (90, 60, 170) if rng.random() < 0.5 else (40, 70, 180)
    layer = Image.new("RGB", (size, size), (255, 255, 255))
    d = ImageDraw.Draw(layer)
    d.ellipse([5, 5, size - 5, size - 5], outline=ink, width=14)
    d.ellipse([70, 70, size - 70, size - 70], outline=ink, width=6)
    f = _font(9, True)
    d.text((size / 2, size / 2 - 40), "KEPALA DESA", font=f, fill=ink, anchor="mm")
    d.text((size / 2, size / 2 + 40), "SUKAMULYA", font=f, fill=ink, anchor="mm")
    layer = layer.rotate(rng.uniform(-20, 20), fillcolor=(255, 255, 255))
    region = img.crop((x, y, x + size, y + size))
    a = np.asarray(region, dtype=np.float32) * np.asarray(layer, dtype=np.float32) / 255.0
    img.paste(Image.fromarray(a.astype(np.uint8)), (x, y))
    return img


def _photo(img: Image.Image, rng: random.Random, x: int, y: int) -> None:
    """A 3x4 cm pas foto: smooth shapes in colour (face-like blob on a red background)."""
    w, h = 354, 472
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    bg = np.stack([np.full((h, w), 200.0), 40 + 20 * yy / h, np.full((h, w), 50.0)], axis=2)
    face = ((xx - w / 2) ** 2 / (w * 0.3) ** 2 + (yy - h * 0.42) ** 2 / (h * 0.28) ** 2) < 1
    body = (yy > h * 0.7) & (np.abs(xx - w / 2) < w * 0.42)
    bg[face] = (225, 180, 150)
    bg[body] = (40, 40, 60)
    shade = 0.8 + 0.2 * np.cos((xx - w / 2) / w * 3)[..., None]
    arr = np.clip(bg * shade, 0, 255).astype(np.uint8)
    pic = Image.fromarray(arr).filter(ImageFilter.GaussianBlur(4))
    img.paste(pic, (x, y))


def _noise(a: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    return np.clip(a.astype(np.float32) + rng.normal(0, sigma, a.shape), 0, 255).astype(np.uint8)


def as_scan(
    page: Image.Image, rng: random.Random, *, angle: float, dpi: int = 300, noise: float = 6.0
) -> Image.Image:
    """A flatbed scan: the sheet a little crooked on a slightly larger grey bed, noise, blur."""
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    k = dpi / DPI
    src = page.resize((round(A4[0] * k), round(A4[1] * k)), Image.Resampling.LANCZOS) if k != 1 else page
    bed = (round(8.5 * dpi), round(11.9 * dpi))  # US letter-ish bed, ~0.2 inch larger than A4
    canvas = Image.new("RGB", bed, (120, 120, 118))
    rot = src.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(120, 120, 118))
    canvas.paste(rot, ((bed[0] - rot.width) // 2, (bed[1] - rot.height) // 2))
    a = np.asarray(canvas.filter(ImageFilter.GaussianBlur(0.7)))
    return Image.fromarray(_noise(a, nrng, noise))


def as_photo(
    page: Image.Image,
    rng: random.Random,
    *,
    tilt: float,
    shadow: str = "soft",
    size: tuple[int, int] = (3000, 4000),
) -> Image.Image:
    """A phone photo of the sheet lying on a wooden table (12 MP, portrait)."""
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    W, H = size
    # Wood-ish background: brown with streaks.
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    streak = 0.85 + 0.15 * np.sin(xx / 37.0 + 3 * np.sin(yy / 300.0))
    bg = np.stack([110 * streak, 75 * streak, 45 * streak], axis=2)
    # Paper corners: the sheet covers ~75 % of the frame's height, with a perspective tilt.
    ph = H * 0.78
    pw = ph / math.sqrt(2)
    cx, cy = W / 2 + rng.uniform(-80, 80), H / 2 + rng.uniform(-80, 80)
    t = tilt * pw
    dst = np.array(
        [
            [cx - pw / 2 + t, cy - ph / 2],
            [cx + pw / 2 - t, cy - ph / 2 + rng.uniform(-40, 40)],
            [cx + pw / 2 + rng.uniform(-30, 30), cy + ph / 2],
            [cx - pw / 2 + rng.uniform(-30, 30), cy + ph / 2 + rng.uniform(-40, 40)],
        ],
        dtype=np.float32,
    )
    src_pts = np.array([[0, 0], [A4[0], 0], [A4[0], A4[1]], [0, A4[1]]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src_pts, dst)
    paper = np.asarray(page, dtype=np.uint8)
    warped = cv2.warpPerspective(paper, m, (W, H), flags=cv2.INTER_AREA, borderValue=(0, 0, 0))
    mask = cv2.warpPerspective(np.full(paper.shape[:2], 255, np.uint8), m, (W, H))
    out = np.where(mask[..., None] > 127, warped.astype(np.float32), bg)
    # Light: warm cast, vignette and a shadow (soft gradient or the phone's hard-edged one).
    light = 0.95 - 0.25 * ((xx - W / 2) ** 2 + (yy - H / 2) ** 2) / (W * W)
    if shadow == "soft":
        light *= 0.75 + 0.25 * (xx / W)
    else:
        edge = (xx * 0.6 + yy * 0.4) - (W * 0.6 * 0.55 + H * 0.4 * 0.55)
        light *= 1.0 - 0.45 / (1 + np.exp(edge / 25.0))
    warm = np.array([1.0, 0.93, 0.80], dtype=np.float32)
    out = out * light[..., None] * warm
    out = cv2.GaussianBlur(out, (0, 0), 1.0)
    out = _noise(np.clip(out, 0, 255), nrng, 5.0)
    buf = io.BytesIO()
    Image.fromarray(out).save(buf, "JPEG", quality=88)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def camera_quad(
    aspect: float, frame: tuple[int, int], *, pitch: float, yaw: float, roll: float, cover: float
) -> np.ndarray:
    """Corners (tl, tr, br, bl) of a flat rectangle (width/height ``aspect``) seen by a
    pinhole camera (focal length 0.8 x the long side, like a phone's main camera)."""
    fw, fh = frame
    f = 0.8 * max(fw, fh)
    rx, ry, rz = (math.radians(v) for v in (pitch, yaw, roll))
    r_x = np.array([[1, 0, 0], [0, math.cos(rx), -math.sin(rx)], [0, math.sin(rx), math.cos(rx)]])
    r_y = np.array([[math.cos(ry), 0, math.sin(ry)], [0, 1, 0], [-math.sin(ry), 0, math.cos(ry)]])
    r_z = np.array([[math.cos(rz), -math.sin(rz), 0], [math.sin(rz), math.cos(rz), 0], [0, 0, 1]])
    obj = np.array(
        [[-aspect / 2, -0.5, 0], [aspect / 2, -0.5, 0], [aspect / 2, 0.5, 0], [-aspect / 2, 0.5, 0]]
    )
    pts = obj @ (r_z @ r_y @ r_x).T + np.array([0.0, 0.0, f / (cover * fh)])
    return np.stack([f * pts[:, 0] / pts[:, 2] + fw / 2, f * pts[:, 1] / pts[:, 2] + fh / 2], axis=1).astype(
        np.float32
    )


def _table(W: int, H: int, kind: str, rng: np.random.Generator) -> np.ndarray:
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    if kind == "white":  # a white plastic table or bed sheet: hardly any edge
        return np.stack([240 + 0 * xx, 238 + 0 * xx, 234 + 0 * xx], axis=2)
    streak = 0.85 + 0.15 * np.sin(xx / 37.0 + 3 * np.sin(yy / 300.0))
    out = np.stack([110 * streak, 75 * streak, 45 * streak], axis=2)
    if kind == "clutter":  # mugs, a phone, other papers, partly under the sheet
        pil = Image.fromarray(out.astype(np.uint8))
        d = ImageDraw.Draw(pil)
        for _ in range(8):
            x, y, r = rng.uniform(0, W), rng.uniform(0, H), rng.uniform(0.04, 0.12) * W
            colour = tuple(int(c) for c in rng.integers(120, 250, 3))
            if rng.random() < 0.5:
                d.ellipse([x - r, y - r, x + r, y + r], fill=colour)
            else:
                d.rectangle([x - r, y - r / 2, x + r, y + r / 2], fill=colour)
        out = np.asarray(pil, dtype=np.float32)
    return out


def photograph(
    obj: Image.Image,
    rng: random.Random,
    *,
    view: dict[str, float],
    background: str = "wood",
    curl: float = 0.0,
    size: tuple[int, int] = (3000, 4000),
) -> Image.Image:
    """``obj`` (RGB, or RGBA with its own outline) on a table, photographed by a pinhole
    camera (12 MP), warm light, vignette, noise, phone JPEG. ``curl`` bows the sheet."""
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    W, H = size
    arr = np.asarray(obj.convert("RGBA")).astype(np.float32)
    oh, ow = arr.shape[:2]
    if curl:
        yy, xx = np.mgrid[0:oh, 0:ow].astype(np.float32)
        bow = curl * ow * (1 - ((yy - oh / 2) / (oh / 2)) ** 2)
        arr = cv2.remap(arr, (xx - bow * (1 - 2 * xx / ow)).astype(np.float32), yy, cv2.INTER_LINEAR)
    quad = camera_quad(ow / oh, (W, H), **view)
    src = np.array([[0, 0], [ow, 0], [ow, oh], [0, oh]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src, quad)
    warped = cv2.warpPerspective(arr, m, (W, H), flags=cv2.INTER_AREA, borderValue=(0, 0, 0, 0))
    alpha = warped[..., 3:4] / 255.0
    out = warped[..., :3] * alpha + _table(W, H, background, nrng) * (1 - alpha)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    light = (0.95 - 0.25 * ((xx - W / 2) ** 2 + (yy - H / 2) ** 2) / (W * W)) * (0.8 + 0.2 * xx / W)
    out = out * light[..., None] * np.array([1.0, 0.95, 0.85], dtype=np.float32)
    out = _noise(np.clip(cv2.GaussianBlur(out, (0, 0), 1.0), 0, 255), nrng, 4.0)
    buf = io.BytesIO()
    Image.fromarray(out).save(buf, "JPEG", quality=88)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def draw_pasfoto(w: int, h: int) -> Image.Image:
    """A 3x4 pas foto on its own: face, hair, white shirt on a red background."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([np.full_like(xx, 190.0), 35 + 25 * yy / h, np.full_like(xx, 45.0)], axis=2)
    hair = ((xx - w / 2) ** 2 / (w * 0.31) ** 2 + (yy - h * 0.32) ** 2 / (h * 0.22) ** 2) < 1
    face = ((xx - w / 2) ** 2 / (w * 0.28) ** 2 + (yy - h * 0.42) ** 2 / (h * 0.27) ** 2) < 1
    body = (yy > h * 0.72) & (np.abs(xx - w / 2) < w * 0.45)
    img[hair], img[face], img[body] = (35, 28, 25), (222, 176, 140), (235, 235, 240)
    img = img * (0.78 + 0.22 * np.cos((xx - w * 0.45) / w * 3.0))[..., None]
    return Image.fromarray(cv2.GaussianBlur(np.clip(img, 0, 255).astype(np.uint8), (0, 0), 3.0))


def draw_card(rng: random.Random) -> tuple[Image.Image, list[str]]:
    """A KTP-el-like ID-1 card (85.6 x 54 mm, rounded corners) at 600 dpi, RGBA, and its text."""
    dpi = 600
    w, h = round(85.6 / 25.4 * dpi), round(54 / 25.4 * dpi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    wave = 8 * np.sin(xx / 14.0 + 4 * np.sin(yy / 60.0))
    bg = np.stack([200 + wave, 225 + wave / 2, np.full_like(xx, 245)], axis=2)
    card = Image.fromarray(np.clip(bg, 0, 255).astype(np.uint8)).convert("RGBA")
    d = ImageDraw.Draw(card)
    k = dpi / DPI
    lines = ["PROVINSI JAWA BARAT", "KABUPATEN SUKAMAJU"]
    for i, text in enumerate(lines):
        f = _font(8 * k, True)
        d.text(((w - d.textlength(text, font=f)) / 2, (30 + 40 * i) * k), text, font=f, fill=(0, 0, 0))
    nik = "NIK : " + "".join(str(rng.randrange(10)) for _ in range(16))
    d.text((30 * k, 130 * k), nik, font=_font(9 * k, True), fill=(0, 0, 0))
    lines.append(nik)
    y = 190 * k
    for label, value in (
        ("Nama", f"{rng.choice(NAMES)} {rng.choice(NAMES)}".upper()),
        (
            "Tempat/Tgl Lahir",
            f"SUKAMAJU, {rng.randrange(1, 28):02d}-{rng.randrange(1, 12):02d}-19{rng.randrange(50, 99)}",
        ),
        ("Alamat", f"DUSUN {rng.randrange(1, 9)}"),
        ("RT/RW", f"{rng.randrange(1, 20):03d}/{rng.randrange(1, 9):03d}"),
        ("Agama", "ISLAM"),
        ("Pekerjaan", rng.choice(["PETANI", "PEDAGANG", "GURU"])),
    ):
        text = f"{label} : {value}"
        d.text((30 * k, y), text, font=_font(6.5 * k), fill=(0, 0, 0))
        lines.append(text)
        y += 36 * k
    card.paste(draw_pasfoto(round(w * 0.24), round(h * 0.5)), (round(w * 0.72), round(h * 0.25)))
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, w - 1, h - 1], radius=round(3.18 / 25.4 * dpi), fill=255)
    card.putalpha(mask)
    return card, lines


def corpus(seed: int = 7) -> list[Sample]:
    """The benchmark pages, in a fixed order."""
    rng = random.Random(seed)
    out: list[Sample] = []

    page, lines = draw_document(rng)
    out.append(
        Sample(
            "scan_text_300dpi",
            "scan",
            as_scan(page, rng, angle=0.0, noise=3),
            "\n".join(lines),
            300,
            "bilevel",
        )
    )
    page, lines = draw_document(rng)
    out.append(
        Sample(
            "scan_noisy_form_4deg",
            "scan",
            as_scan(page, rng, angle=4.0, noise=12),
            "\n".join(lines),
            300,
            "bilevel",
        )
    )
    page, lines = draw_document(rng, sizes=(11, 9, 8))
    out.append(
        Sample(
            "scan_200dpi_2deg",
            "scan",
            as_scan(page, rng, angle=-2.0, dpi=200, noise=6),
            "\n".join(lines),
            200,
            "bilevel",
        )
    )
    page, lines = draw_document(rng, stamp=True)
    out.append(
        Sample("scan_stamp", "scan", as_scan(page, rng, angle=1.0, noise=6), "\n".join(lines), 300, "color")
    )
    page, lines = draw_document(rng, photo=True)
    out.append(
        Sample("scan_pasfoto", "scan", as_scan(page, rng, angle=0.5, noise=6), "\n".join(lines), 300, "color")
    )
    page, lines = draw_document(rng)
    out.append(
        Sample(
            "photo_soft_shadow",
            "photo",
            as_photo(page, rng, tilt=0.05, shadow="soft"),
            "\n".join(lines),
            None,
            "bilevel",
        )
    )
    page, lines = draw_document(rng)
    out.append(
        Sample(
            "photo_hard_shadow",
            "photo",
            as_photo(page, rng, tilt=0.08, shadow="hard"),
            "\n".join(lines),
            None,
            "bilevel",
        )
    )
    page, lines = draw_document(rng, stamp=True)
    out.append(
        Sample(
            "photo_stamp",
            "photo",
            as_photo(page, rng, tilt=0.06, shadow="soft"),
            "\n".join(lines),
            None,
            "color",
        )
    )
    # Not A4 on a dark table: a card and a pas foto on their own, and sheets that are hard
    # to find (white table, clutter around, a curled sheet).
    card, lines = draw_card(rng)
    out.append(
        Sample(
            "photo_ktp_card",
            "photo",
            photograph(card, rng, view={"pitch": 18, "yaw": -10, "roll": 4, "cover": 0.35}),
            "\n".join(lines),
            None,
            "color",
        )
    )
    out.append(
        Sample(
            "photo_pasfoto",
            "photo",
            photograph(draw_pasfoto(945, 1260), rng, view={"pitch": 12, "yaw": 8, "roll": 2, "cover": 0.5}),
            "",
            None,
            "color",
        )
    )
    for name, background, curl in (
        ("photo_white_table", "white", 0.0),
        ("photo_clutter", "clutter", 0.0),
        ("photo_curl", "wood", 0.012),
    ):
        page, lines = draw_document(rng)
        out.append(
            Sample(
                name,
                "photo",
                photograph(
                    page,
                    rng,
                    view={"pitch": 14, "yaw": -6, "roll": 2, "cover": 0.8},
                    background=background,
                    curl=curl,
                ),
                "\n".join(lines),
                None,
                "bilevel",
            )
        )
    return out


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    folder.mkdir(parents=True, exist_ok=True)
    for s in corpus():
        s.image.save(folder / f"{s.name}.png")
        (folder / f"{s.name}.txt").write_text(s.truth, encoding="utf-8")
        print(folder / f"{s.name}.png")
