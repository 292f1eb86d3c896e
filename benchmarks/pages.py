"""Page pipeline benchmark: bytes, time and OCR readability per page, against WhatsApp.

    .venv/bin/python benchmarks/pages.py            # prints a Markdown table
    .venv/bin/python benchmarks/pages.py --quick    # no OCR (bytes and time only)
    .venv/bin/python benchmarks/pages.py --classes  # per class: scans, stamped, photos, cards,
                                                    # real + drawn + synthetic, vs WhatsApp and DjVu

Corpus: benchmarks/corpus.py (synthetic A4 pages with known text, scanned or photographed).
For each page:

* ours: ``desa_capil.scan.pipeline.process`` on the raw page (the time is the pipeline only,
  median of 3 runs; decoding the source file is reported apart);
* WhatsApp-style: the raw page resized to a long side of 1600 px, JPEG quality 70 (what a
  phone sends today, without any correction);
* readability: tesseract (``-l ind``) character accuracy against the printed text,
  1 - edit distance / length, after collapsing whitespace;
* alternatives encoders of our own processed page, to justify the choice of formats.

Needs the ``tesseract`` CLI with the ``ind`` language (apt: tesseract-ocr tesseract-ocr-ind).
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import Sample, corpus  # noqa: E402

from desa_capil.scan import pipeline  # noqa: E402
from desa_capil.scan.sources import RawPage, import_bytes  # noqa: E402


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one numpy row at a time (O(len(a)*len(b)) but vectorised)."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    bb = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    prev = np.arange(len(b) + 1, dtype=np.int64)
    idx = np.arange(len(b) + 1, dtype=np.int64)
    for i, ch in enumerate(a, 1):
        cost = (bb != ord(ch)).astype(np.int64)
        cur = np.empty_like(prev)
        cur[0] = i
        # substitution/match and deletion, then insertion via a running minimum.
        cur[1:] = np.minimum(prev[:-1] + cost, prev[1:] + 1)
        cur = np.minimum.accumulate(cur - idx) + idx
        prev = cur
    return int(prev[-1])


def norm(s: str) -> str:
    return " ".join(s.split())


def accuracy(ocr: str, truth: str) -> float | None:
    t = norm(truth)
    if not t:
        return None  # a picture without text (pas foto)
    return max(0.0, 1.0 - edit_distance(norm(ocr), t) / len(t))


def ocr(image: Image.Image, dpi: int) -> str:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "page.png"
        image.save(p)
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        r = subprocess.run(
            ["tesseract", str(p), "stdout", "-l", "ind", "--dpi", str(dpi), "--psm", "3"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return r.stdout


def whatsapp(image: Image.Image) -> bytes:
    im = image.copy()
    im.thumbnail((1600, 1600), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def raw_page(s: Sample) -> RawPage:
    return RawPage(s.image, "camera" if s.kind == "photo" else "scanner", s.name, s.kind == "photo", s.dpi)


def source_file(s: Sample) -> bytes:
    """The file the page would arrive as: phone JPEG (q90) or scanner PNG."""
    buf = io.BytesIO()
    if s.kind == "photo":
        s.image.save(buf, "JPEG", quality=90)
    else:
        s.image.save(buf, "PNG", compress_level=1, dpi=(s.dpi or 300, s.dpi or 300))
    return buf.getvalue()


def alternatives(s: Sample) -> dict[str, int]:
    """Sizes of other encodings of our own straightened, lighting-corrected page."""
    raw = raw_page(s)
    src = np.asarray(raw.image)
    a = pipeline._analyse(src, raw)
    out: dict[str, int] = {}
    g300 = pipeline._render(src, a, 300, color=False)
    b300 = pipeline._clear_edges(pipeline._binarize(g300), 300)
    out["G4 300"] = len(pipeline._encode_g4(b300, 300))
    buf = io.BytesIO()
    Image.fromarray(b300).convert("1").save(buf, "PNG", optimize=True)
    out["PNG1 300"] = len(buf.getvalue())
    g200 = pipeline._render(src, a, 200, color=False)
    out["G4 200"] = len(pipeline._encode_g4(pipeline._clear_edges(pipeline._binarize(g200, 200), 200), 200))
    g150 = pipeline._levels(pipeline._render(src, a, 150, color=False))
    out["grayJPEG 150"] = len(pipeline._encode_jpeg(g150, 150, 60))
    buf = io.BytesIO()
    Image.fromarray(g150).save(buf, "WEBP", quality=50)
    out["grayWebP 150"] = len(buf.getvalue())
    c150 = pipeline._levels(pipeline._render(src, a, 150, color=True))
    out["colorJPEG 150"] = len(pipeline._encode_jpeg(c150, 150, 55))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip OCR")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument(
        "--classes", action="store_true", help="the per-class report of issue 12 (page_classes.py)"
    )
    args = ap.parse_args()
    if args.classes:
        import page_classes

        page_classes.report(page_classes.run(ocr_on=not args.quick))
        return
    if not args.quick and not shutil.which("tesseract"):
        sys.exit("tesseract not found: apt-get install tesseract-ocr tesseract-ocr-ind, or use --quick")

    t0 = time.perf_counter()
    samples = corpus()
    print(f"corpus: {len(samples)} pages in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    rows = []
    jobs = []
    pool = ThreadPoolExecutor(max_workers=2)
    for s in samples:
        raw = raw_page(s)
        times, cpu = [], []
        out = None
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            out = pipeline.process(raw)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        assert out is not None
        f = source_file(s)
        t = time.perf_counter()
        import_bytes(f, s.name + (".jpg" if s.kind == "photo" else ".png"))
        decode_ms = (time.perf_counter() - t) * 1000
        wa = whatsapp(s.image)
        wa_img = Image.open(io.BytesIO(wa))
        wa_dpi = round(1600 / (11.9 if s.kind == "scan" else 11.69 / 0.78))
        row = {
            "name": s.name,
            "expect": s.expect_mode,
            "mode": out.mode,
            "mime": out.mime,
            "bytes": len(out.data),
            "ms": statistics.median(times),
            "cpu_ms": statistics.median(cpu),
            "decode_ms": decode_ms,
            "wa_bytes": len(wa),
            "skew": out.skew_deg,
            "w_in": out.width / out.dpi,
            "h_in": out.height / out.dpi,
            "found": out.paper_found,
            "alt": alternatives(s),
        }
        rows.append(row)
        if not args.quick:
            ours_img = (
                out.image() if out.mime != "application/pdf" else pipeline.pdf.render_page(out.data, out.dpi)
            )
            jobs.append((row, "ours_acc", pool.submit(ocr, ours_img, out.dpi), s.truth))
            jobs.append((row, "wa_acc", pool.submit(ocr, wa_img, wa_dpi), s.truth))
        print(f"{s.name}: {row['bytes'] / 1024:.1f} KB {row['ms']:.0f} ms", file=sys.stderr)
    for row, key, fut, truth in jobs:
        acc = accuracy(fut.result(), truth)
        if acc is not None:
            row[key] = acc
    pool.shutdown()

    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"OpenCV {cv2.__version__}, load average {os.getloadavg()[0] if hasattr(os, 'getloadavg') else -1:.1f} at the end"
    )
    print()
    print(
        "| page | mode (expected) | output size (paper found) | ours KB | ours ms wall | ours ms CPU | ours OCR | WhatsApp KB | WhatsApp OCR | size vs WA |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        acc = f"{r['ours_acc']:.3f}" if "ours_acc" in r else "-"
        shape = f"{r['w_in']:.2f}x{r['h_in']:.2f} in"
        wacc = f"{r['wa_acc']:.3f}" if "wa_acc" in r else "-"
        print(
            f"| {r['name']} | {r['mode']} ({r['expect']}) | {shape} ({'yes' if r['found'] else 'no'}) | {r['bytes'] / 1024:.1f} | {r['ms']:.0f} | {r['cpu_ms']:.0f} | {acc} | "
            f"{r['wa_bytes'] / 1024:.1f} | {wacc} | {r['wa_bytes'] / r['bytes']:.1f}x smaller |"
        )
    n = len(rows)
    print()
    print(
        f"Mean: ours {sum(r['bytes'] for r in rows) / n / 1024:.1f} KB, "
        f"{sum(r['ms'] for r in rows) / n:.0f} ms/page wall (pipeline; max {max(r['ms'] for r in rows):.0f} ms), "
        f"{sum(r['cpu_ms'] for r in rows) / n:.0f} ms CPU; "
        f"WhatsApp {sum(r['wa_bytes'] for r in rows) / n / 1024:.1f} KB. "
        f"Decoding the source file: mean {sum(r['decode_ms'] for r in rows) / n:.0f} ms."
    )
    if not args.quick:
        text_rows = [r for r in rows if "ours_acc" in r and "wa_acc" in r]
        m = max(1, len(text_rows))
        print(
            f"OCR character accuracy, mean over {len(text_rows)} pages with text: "
            f"ours {sum(r['ours_acc'] for r in text_rows) / m:.3f}, "
            f"WhatsApp {sum(r['wa_acc'] for r in text_rows) / m:.3f}."
        )
    print()
    keys = list(rows[0]["alt"])
    print("Other encodings of our processed page (KB):")
    print()
    print("| page | " + " | ".join(keys) + " |")
    print("|---|" + "---:|" * len(keys))
    for r in rows:
        print(f"| {r['name']} | " + " | ".join(f"{r['alt'][k] / 1024:.1f}" for k in keys) + " |")


if __name__ == "__main__":
    main()
