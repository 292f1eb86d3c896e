"""Every bilevel layer of the benchmark pages, JBIG2-coded, decoded by three other decoders.

    .venv/bin/python benchmarks/jbig2_check.py

For each page of ``page_classes.cases()`` (the real corpus of ``real_corpus.py``, the synthetic
captures and the drawn failure cases) the page pipeline runs as in the app; every bilevel layer
it codes (the plain page, the black print of a mixed page, each ink mask) is caught at
``pipeline._encode_bilevel``; its JBIG2 streams, the one the app stores (``jbig2.encode``, or
``encode_generic`` for an ink mask, as the pipeline asks),
the text-region coding (``encode_text``, symbol dictionary + text region with refinement)
and the generic region alone (``encode_generic``), are each decoded by jbig2dec (``-e``, the
embedded stream as PDF carries it), by PDFium (the image alone) and by poppler (``pdftoppm``
of a page whose points are the image's pixels); each must give back the layer's pixels bit
for bit. Sizes of the same pixels: the stored JBIG2 stream, the generic region alone, CCITT G4
(libtiff) and DjVu ``cjb2 -lossless``; and the CPU time ``jbig2.encode`` takes (min of 3).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import page_classes  # noqa: E402

from desa_capil.scan import jbig2, pdf, pipeline  # noqa: E402


def ink_of(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L")) < 128


def decodes(stream: bytes, ink: np.ndarray, tmp: Path) -> tuple[bool, bool, bool]:
    h, w = ink.shape
    (tmp / "l.jb2").write_bytes(stream)
    subprocess.run(
        ["jbig2dec", "-e", "-q", "-t", "pbm", "-o", str(tmp / "l.pbm"), str(tmp / "l.jb2")], check=True
    )
    ok_jbig2dec = np.array_equal(ink_of(tmp / "l.pbm"), ink)
    ok_pdfium = np.array_equal(pdf.jbig2_pixels(pdf.Jbig2Image(stream, w, h)) == 0, ink)
    (tmp / "l.pdf").write_bytes(pdf.mrc_page_pdf(pdf.Jbig2Image(stream, w, h), w / 72, h / 72, [], []))
    subprocess.run(
        ["pdftoppm", "-r", "72", "-mono", "-singlefile", str(tmp / "l.pdf"), str(tmp / "p")], check=True
    )
    ok_poppler = np.array_equal(ink_of(tmp / "p.pbm"), ink)
    return ok_jbig2dec, ok_pdfium, ok_poppler


def check(binary: np.ndarray, dpi: int, glyphs: bool, tmp: Path) -> dict[str, object]:
    ink = binary < 128
    h, w = binary.shape
    times = []
    for _ in range(3):
        t0 = time.process_time()  # CPU time: the box is shared, wall time follows the load
        stream = jbig2.encode(binary) if glyphs else jbig2.encode_generic(binary)
        times.append(time.process_time() - t0)
    assert stream is not None, "the JBIG2 coder is not built"
    generic = jbig2.encode_generic(binary)
    text = jbig2.encode_text(binary)
    assert generic is not None
    results = [decodes(stream, ink, tmp), decodes(generic, ink, tmp)]
    if text is not None:
        results.append(decodes(text, ink, tmp))
    Image.fromarray(binary).convert("1").save(tmp / "l.pbm")
    subprocess.run(
        ["cjb2", "-dpi", str(dpi), "-lossless", str(tmp / "l.pbm"), str(tmp / "l.djvu")], check=True
    )
    return {
        "size": f"{w}x{h}",
        "jbig2": len(stream),
        "generic": len(generic),
        "coding": "text" if stream == text else "generic",
        "ms": min(times) * 1000,
        "g4": len(pipeline._encode_g4(binary, dpi)),
        "jb2": (tmp / "l.djvu").stat().st_size,
        "ok": all(all(r) for r in results),
        "decoders": results[0],
    }


def main() -> None:
    layers: list[tuple[np.ndarray, int, bool]] = []
    real = pipeline._encode_bilevel

    def catch(binary: np.ndarray, dpi: int, *, glyphs: bool = True) -> pdf.Bilevel:
        layers.append((binary.copy(), dpi, glyphs))
        return real(binary, dpi, glyphs=glyphs)

    pipeline._encode_bilevel = catch  # type: ignore[assignment]
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for c in page_classes.cases():
            layers.clear()
            pipeline.process(c.raw, auto_orient=True)
            for i, (binary, dpi, glyphs) in enumerate(layers):
                r = check(binary, dpi, glyphs, Path(d))
                rows.append((c.name, c.cls, i, r))
                print(
                    f"{c.name} layer {i} {r['size']} @{dpi}: JBIG2 {r['jbig2'] / 1024:.1f} KB ({r['coding']}, "
                    f"{r['ms']:.1f} ms), generic {r['generic'] / 1024:.1f}, G4 {r['g4'] / 1024:.1f}, "
                    f"cjb2 {r['jb2'] / 1024:.1f}; jbig2dec/PDFium/poppler {r['decoders']}, all codings {r['ok']}",
                    flush=True,
                )
    bad = [r for r in rows if not r[3]["ok"]]
    print(
        f"\n{len(rows)} layers of {len({r[0] for r in rows})} pages; every coding bit-exact in all three "
        f"decoders: {len(rows) - len(bad)}"
    )
    print(
        "| class | layers | text-region coded | JBIG2 KB | generic only KB | G4 KB | cjb2 -lossless KB "
        "| JBIG2 / generic | JBIG2 / G4 | JBIG2 / cjb2 | encode ms mean / max |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for cls in dict.fromkeys(r[1] for r in rows):
        rs = [r[3] for r in rows if r[1] == cls]
        j, gen, g, b = (sum(int(r[k]) for r in rs) / 1024 for k in ("jbig2", "generic", "g4", "jb2"))  # type: ignore[call-overload]
        ms = [float(r["ms"]) for r in rs]  # type: ignore[arg-type]
        n_text = sum(r["coding"] == "text" for r in rs)
        print(
            f"| {cls} | {len(rs)} | {n_text} | {j:.1f} | {gen:.1f} | {g:.1f} | {b:.1f} | {j / gen:.2f} | "
            f"{j / g:.2f} | {j / b:.2f} | {sum(ms) / len(ms):.1f} / {max(ms):.1f} |"
        )
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
