"""Automatic orientation: accuracy on a labelled set, and its cost.

    .venv/bin/python benchmarks/orientation.py [--synthetic N]

Labelled set: every real page of ``real_corpus.py`` that has running text (its upright turn
known), plus N synthetic A4 pages of ``corpus.py`` (letters, forms, tables at 8-14 pt,
scanned at 200 or 300 dpi with 0-3 degree skew, or photographed on a table), plus the drawn
test pages (tiny bitmap-font lists, faint dot-matrix print, shaded tables). Each page is fed
to the pipeline's analysis turned by 0, 90, 180 and 270 degrees; the detector must find the
turn that makes it upright. A wrong turn is worse than none: "unsure" (the page left as it
came) is counted apart from "wrong".
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "scan"))

import real_corpus  # noqa: E402
from corpus import as_photo, as_scan, draw_document  # noqa: E402
from scan_pages import faint_dot_matrix, shaded_table, text_page  # noqa: E402

from desa_capil.scan import orientation, pipeline  # noqa: E402
from desa_capil.scan.sources import RawPage, import_file  # noqa: E402


def labelled(n_synthetic: int) -> list[tuple[str, str, RawPage, int]]:
    """(name, class, raw page, clockwise turn that makes it upright)."""
    out: list[tuple[str, str, RawPage, int]] = []
    for item, path in real_corpus.available():
        if item.upright_turn is None:
            continue
        pages = import_file(path)
        cls = "real handwriting" if item.cls == "handwriting" else "real print"
        out.append((item.name, cls, pages[item.page], item.upright_turn))
    rng = random.Random(5)
    for i in range(n_synthetic):
        sizes = rng.choice([(12, 10, 8), (11, 9, 8), (14, 12, 10)])
        page, _ = draw_document(rng, sizes=sizes, stamp=i % 3 == 0)
        if i % 4 == 3:
            raw = RawPage(as_photo(page, rng, tilt=0.05), "camera", f"photo{i}", True, None)
        else:
            dpi = rng.choice([200, 300])
            raw = RawPage(
                as_scan(page, rng, angle=rng.uniform(-3, 3), dpi=dpi), "scanner", f"scan{i}", False, dpi
            )
        out.append((raw.origin_name, "synthetic A4", raw, 0))
    drawn = [
        ("bitmap_font_list", text_page(seed=3)),
        ("dot_matrix", faint_dot_matrix()[0]),
        ("shaded_table", shaded_table(text_page(lines=12))[0]),
    ]
    for name, img in drawn:
        out.append((name, "drawn test pages", RawPage(img, "scanner", name, False, 150), 0))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synthetic", type=int, default=16)
    args = ap.parse_args()
    rows: dict[str, list[str]] = {}
    cpu: list[float] = []
    fails = []
    for name, cls, raw, upright in labelled(args.synthetic):
        for t in (0, 90, 180, 270):
            img = pipeline.rotate_quarter(pipeline.orient(raw.image), t)
            if img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            turned = RawPage(img, raw.source, name, raw.is_photo, raw.dpi)
            a = pipeline._analyse(np.asarray(img), turned)
            c = time.process_time()
            o = orientation.detect(a.flat_gray)
            cpu.append((time.process_time() - c) * 1000)
            # What the pipeline itself decides (it skips cards and photo prints).
            o = orientation.Orientation(
                pipeline._analyse(np.asarray(img), turned, auto_orient=True).turn,
                o.axis,
                o.ascent,
                o.align,
                o.glyphs,
            )
            want = (upright - t) % 360
            verdict = "right" if o.turn == want else ("unsure" if o.turn == 0 else "wrong")
            rows.setdefault(cls, []).append(verdict)
            if verdict != "right":
                fails.append(
                    f"{name} turned {t}: {verdict} (found {o.turn}, axis {o.axis:.2f}, ascent {o.ascent:.2f}, align {o.align:.2f}, {o.glyphs} glyphs)"
                )
    print("| set | pages x 4 turns | right | unsure (left as it came) | wrong turn | accuracy |")
    print("|---|---:|---:|---:|---:|---:|")
    total = [v for vs in rows.values() for v in vs]
    for cls, vs in [*rows.items(), ("all", total)]:
        n = len(vs)
        print(
            f"| {cls} | {n} | {vs.count('right')} | {vs.count('unsure')} | {vs.count('wrong')} | "
            f"{vs.count('right') / n:.3f} |"
        )
    print()
    print(
        f"Detector CPU per page: median {statistics.median(cpu):.1f} ms, max {max(cpu):.1f} ms (on the 100 dpi analysis page)."
    )
    for f in fails:
        print("-", f)
    Image.init()


if __name__ == "__main__":
    main()
