"""The per-class page benchmark of issue 12 (run through ``benchmarks/pages.py --classes``).

Classes: scans, stamped, photos, cards. Each page is a real public image (``real_corpus.py``,
when available on this machine) or a drawn case of a failure seen on real papers
(``tests/scan/scan_pages.py``), or a page of the synthetic corpus (``corpus.py``). For each:

* ours: ``pipeline.process(raw, auto_orient=True)``: KB, CPU ms (``process_time``);
* WhatsApp-style: the raw picture, long side 1600 px, JPEG q70;
* DjVu: ``cjb2`` (lossless JB2) of our own bilevel page at the same dpi, and ``c44`` (IW44,
  default quality) of the raw picture at WhatsApp's size; DjVulibre from Debian
  (djvulibre-bin);
* OCR word recall (tesseract 5, ``-l ind+eng``): share of the reference words found again.
  The reference is the printed text when it is known (drawn and synthetic pages) and the
  words tesseract reads on the original picture otherwise (real pages: then the original
  scores 1.0 by definition, and the column says how much of what was readable stays so).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "scan"))

import real_corpus  # noqa: E402
import scan_pages as sp  # noqa: E402
from corpus import corpus  # noqa: E402

from desa_capil.scan import pipeline  # noqa: E402
from desa_capil.scan.sources import RawPage, import_file  # noqa: E402

CLASSES = ("scans", "stamped", "photos", "cards")


@dataclass
class Case:
    name: str
    cls: str
    raw: RawPage
    truth: str | None  # printed text when known
    source: str  # "real" | "drawn" | "synthetic"
    result: dict[str, float] = field(default_factory=dict)


def _scan(img: Image.Image, name: str, dpi: float = 150) -> RawPage:
    return RawPage(img, "scanner", name, False, dpi)


def _photo(img: Image.Image, name: str) -> RawPage:
    return RawPage(img, "camera", name, True, None)


def cases() -> list[Case]:
    out: list[Case] = []
    by_class = {"scan": "scans", "photo": "photos", "handwriting": "photos"}
    for item, path in real_corpus.available():
        if item.upright_turn is None:
            continue
        raw = import_file(path)[item.page]
        out.append(Case(item.name, by_class[item.cls], raw, None, "real"))
    for s in corpus():
        raw = RawPage(s.image, "camera" if s.kind == "photo" else "scanner", s.name, s.kind == "photo", s.dpi)
        if "card" in s.name:
            cls = "cards"
        elif "stamp" in s.name:
            cls = "stamped"
        elif s.kind == "photo":
            cls = "photos" if "pasfoto" not in s.name else "cards"
        else:
            cls = "scans"
        out.append(Case(s.name, cls, raw, s.truth or None, "synthetic"))
    page, lines, _ = sp.faint_dot_matrix(level=205)
    out.append(Case("faint_dot_matrix", "scans", _scan(page, "dot"), "\n".join(lines), "drawn"))
    tp = sp.text_page(lines=14)
    shaded, _ = sp.shaded_table(tp, shade=185)
    out.append(Case("shaded_table_rows", "scans", _scan(shaded, "shaded"), None, "drawn"))
    out.append(
        Case("pale_ring_stamp", "stamped", _scan(sp.pale_ring_stamp(sp.text_page()), "ring"), None, "drawn")
    )
    dark, _ = sp.shaded_table(sp.text_page(lines=10), shade=110, top=650, rows=14)
    quad = sp.camera_quad(dark.size[0] / dark.size[1], (1500, 2000), pitch=12, yaw=5, roll=2, cover=0.8)
    uneven = sp.uneven_light(sp.photograph(dark.convert("RGB"), quad), darkest=0.3)
    out.append(Case("uneven_light_dark_table", "photos", _photo(uneven, "uneven"), None, "drawn"))
    frame = (1500, 2000)
    small = sp.photograph(
        sp.id_card(), sp.camera_quad(85.6 / 54, frame, pitch=10, yaw=5, roll=3, cover=0.17), frame
    )
    out.append(Case("card_6pct_of_frame", "cards", _photo(small, "small card"), None, "drawn"))
    slanted = sp.photograph(
        sp.card_with_slanted_print(angle=8.0),
        sp.camera_quad(85.6 / 54, frame, pitch=8, yaw=-4, roll=0, cover=0.3),
        frame,
    )
    out.append(Case("card_slanted_print", "cards", _photo(slanted, "slanted"), None, "drawn"))
    crop = sp.id_card(300).convert("RGB")
    out.append(Case("card_crop_no_dpi", "cards", _photo(crop, "crop"), None, "drawn"))
    return out


_WORD = re.compile(r"[0-9A-Za-zÀ-ÿ]{3,}")


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def ocr(image: Image.Image, dpi: int) -> str:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "page.png"
        image.save(p)
        r = subprocess.run(
            ["tesseract", str(p), "stdout", "-l", "ind+eng", "--dpi", str(max(70, dpi)), "--psm", "3"],
            capture_output=True,
            text=True,
            env=dict(os.environ, OMP_THREAD_LIMIT="1"),
            check=False,
        )
        return r.stdout


def recall(found: str, reference: list[str]) -> float | None:
    if not reference:
        return None
    have: dict[str, int] = {}
    for w in words(found):
        have[w] = have.get(w, 0) + 1
    hit = 0
    for w in reference:
        if have.get(w, 0) > 0:
            have[w] -= 1
            hit += 1
    return hit / len(reference)


def whatsapp(image: Image.Image) -> bytes:
    im = image.convert("RGB")
    im.thumbnail((1600, 1600), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def djvu_sizes(
    case: Case, binary: np.ndarray | None, dpi: int
) -> tuple[int | None, int | None, Image.Image | None]:
    """cjb2 of our bilevel page, c44 of the raw picture at WhatsApp's size, and c44 decoded."""
    if not shutil.which("cjb2"):
        return None, None, None
    with tempfile.TemporaryDirectory() as d:
        jb2 = None
        if binary is not None:
            pbm = Path(d) / "p.pbm"
            Image.fromarray(binary).convert("1").save(pbm)
            subprocess.run(["cjb2", "-dpi", str(dpi), "-lossless", str(pbm), f"{d}/p.djvu"], check=True)
            jb2 = Path(f"{d}/p.djvu").stat().st_size
        im = case.raw.image.convert("RGB")
        im.thumbnail((1600, 1600), Image.Resampling.LANCZOS)
        ppm = Path(d) / "c.ppm"
        im.save(ppm)
        subprocess.run(["c44", str(ppm), f"{d}/c.djvu"], check=True, capture_output=True)
        c44 = Path(f"{d}/c.djvu").stat().st_size
        subprocess.run(
            ["ddjvu", "-format=ppm", f"{d}/c.djvu", f"{d}/c_out.ppm"], check=True, capture_output=True
        )
        back = Image.open(f"{d}/c_out.ppm")
        back.load()
        return jb2, c44, back


def run(ocr_on: bool = True) -> list[Case]:
    all_cases = cases()
    pool = ThreadPoolExecutor(max_workers=2)
    jobs = []
    for c in all_cases:
        src = pipeline.orient(c.raw.image)
        t = time.process_time()
        out = pipeline.process(c.raw, auto_orient=True)
        c.result["cpu_ms"] = (time.process_time() - t) * 1000
        c.result["kb"] = len(out.data) / 1024
        c.result["w_in"], c.result["h_in"] = out.width / out.dpi, out.height / out.dpi
        c.result["mode"] = {"bilevel": 0, "gray": 1, "color": 2}[out.mode]
        c.result["turn"] = out.turn
        wa = whatsapp(src)
        c.result["wa_kb"] = len(wa) / 1024
        binary = None
        if out.mode == "bilevel" or out.mime == "application/pdf":
            binary = np.asarray(out.image().convert("L")) if out.mode == "bilevel" else None
        jb2, c44, c44_img = djvu_sizes(c, binary, out.dpi)
        if jb2 is not None:
            c.result["jb2_kb"] = jb2 / 1024
        if c44 is not None:
            c.result["c44_kb"] = c44 / 1024
        print(f"{c.name}: {c.result['kb']:.1f} KB {c.result['cpu_ms']:.0f} ms", file=sys.stderr)
        if ocr_on:
            wa_img = Image.open(io.BytesIO(wa))
            wa_dpi = round(1600 / max(out.width / out.dpi, out.height / out.dpi))
            jobs.append((c, "ref", pool.submit(ocr, src.convert("RGB"), round(c.raw.dpi or wa_dpi * 1.5))))
            jobs.append((c, "ours", pool.submit(ocr, out.image(), out.dpi)))
            jobs.append((c, "wa", pool.submit(ocr, wa_img, wa_dpi)))
            if c44_img is not None:
                jobs.append((c, "c44", pool.submit(ocr, c44_img, wa_dpi)))
    texts: dict[tuple[str, str], str] = {}
    for c, key, fut in jobs:
        texts[(c.name, key)] = fut.result()
    pool.shutdown()
    if ocr_on:
        for c in all_cases:
            ref = words(c.truth) if c.truth else words(texts[(c.name, "ref")])
            if len(ref) < 10:
                continue
            for key in ("ref", "ours", "wa", "c44"):
                if (c.name, key) in texts:
                    r = recall(texts[(c.name, key)], ref)
                    if r is not None:
                        c.result[f"rec_{key}"] = r
    return all_cases


def _mean(xs: list[float]) -> str:
    return f"{sum(xs) / len(xs):.1f}" if xs else "-"


def report(all_cases: list[Case]) -> None:
    print(
        "| page | class | source | ours KB | mode | size (in) | CPU ms | recall ours | recall original | WhatsApp KB | recall WA | cjb2 KB (our bilevel) | c44 KB | recall c44 |"
    )
    print("|---|---|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    modes = ("bilevel", "gray", "color")

    def f(c: Case, k: str, fmt: str = "{:.2f}") -> str:
        return fmt.format(c.result[k]) if k in c.result else "-"

    for c in all_cases:
        r = c.result
        print(
            f"| {c.name} | {c.cls} | {c.source} | {r['kb']:.1f} | {modes[int(r['mode'])]} | {r['w_in']:.2f}x{r['h_in']:.2f} | "
            f"{r['cpu_ms']:.0f} | {f(c, 'rec_ours')} | {f(c, 'rec_ref')} | {r['wa_kb']:.1f} | {f(c, 'rec_wa')} | "
            f"{f(c, 'jb2_kb', '{:.1f}')} | {f(c, 'c44_kb', '{:.1f}')} | {f(c, 'rec_c44')} |"
        )
    print()
    print(
        "| class | pages | ours KB mean | ours KB max | WhatsApp KB mean | c44 KB mean | ours / cjb2 -lossless (bilevel pages) | recall ours / original / WA / c44 (mean) | CPU ms mean / max |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    for cls in CLASSES:
        cs = [c for c in all_cases if c.cls == cls]
        if not cs:
            continue
        kb = [c.result["kb"] for c in cs]
        bil = [c for c in cs if "jb2_kb" in c.result]
        ratio = (
            f"{sum(c.result['kb'] for c in bil) / max(1e-9, sum(c.result['jb2_kb'] for c in bil)):.2f}x"
            if bil
            else "-"
        )
        rec = " / ".join(
            f"{np.mean([c.result[k] for c in cs if k in c.result]):.2f}"
            if any(k in c.result for c in cs)
            else "-"
            for k in ("rec_ours", "rec_ref", "rec_wa", "rec_c44")
        )
        cpu = [c.result["cpu_ms"] for c in cs]
        print(
            f"| {cls} | {len(cs)} | {_mean(kb)} | {max(kb):.1f} | {_mean([c.result['wa_kb'] for c in cs])} | "
            f"{_mean([c.result['c44_kb'] for c in cs if 'c44_kb' in c.result])} | {ratio} | {rec} | {_mean(cpu)} / {max(cpu):.0f} |"
        )
