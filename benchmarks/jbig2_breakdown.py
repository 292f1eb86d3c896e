"""Where the bytes of our JBIG2 text coding go, per part, on every bilevel benchmark layer.

    .venv/bin/python benchmarks/jbig2_breakdown.py [PAGE-NAME-PART ...]

Builds ``desa_capil/scan/_jbig2.c`` once more with ``-DJBIG2_STATS`` into a temporary folder
(the product's build never has it) and loads that build in place of the product's. Each MQ
decision then adds exactly -log2 of the share of the coding interval it keeps to the part
being coded: first-dictionary sizes and bitmaps, second/third-dictionary sizes, references
and refinement bitmaps, text-region strips (IADT), first and next positions (IAFS, IADS),
symbol numbers (IAID), RI, refinement sizes/offsets (IARDW/H/X/Y) and bitmaps, the generic
"rest" region. The parts sum to the coded data within a few bytes (the MQ flushes); the
segment headers are the rest of the stream. Layers are caught as ``jbig2_check.py`` does;
with ``cjb2 -lossless``'s size beside each.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


def load_stats_build(tmp: Path) -> object:
    """The coder built with -DJBIG2_STATS, registered as ``desa_capil.scan._jbig2``."""
    out = tmp / f"_jbig2{sysconfig.get_config_var('EXT_SUFFIX')}"
    subprocess.run(
        [
            "cc",
            "-O2",
            "-shared",
            "-fPIC",
            "-DJBIG2_STATS",
            f"-I{sysconfig.get_paths()['include']}",
            "-o",
            str(out),
            str(ROOT / "desa_capil" / "scan" / "_jbig2.c"),
            "-lm",
        ],
        check=True,
    )
    name = "desa_capil.scan._jbig2"
    loader = importlib.machinery.ExtensionFileLoader(name, str(out))
    spec = importlib.util.spec_from_file_location(name, out, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    sys.modules[name] = module
    return module


def main() -> None:
    only = sys.argv[1:]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        coder = load_stats_build(tmp)
        import page_classes

        from desa_capil.scan import jbig2, pipeline

        assert jbig2._jbig2 is coder
        layers: list[tuple[np.ndarray, int, bool]] = []
        real = pipeline._encode_bilevel

        def catch(binary: np.ndarray, dpi: int, *, glyphs: bool = True) -> object:
            layers.append((binary.copy(), dpi, glyphs))
            return real(binary, dpi, glyphs=glyphs)

        pipeline._encode_bilevel = catch  # type: ignore[assignment]
        totals: dict[str, float] = {}
        for c in page_classes.cases():
            if only and not any(o in c.name for o in only):
                continue
            layers.clear()
            pipeline.process(c.raw, auto_orient=True)
            for i, (binary, dpi, glyphs) in enumerate(layers):
                if not glyphs:
                    continue
                coder.stats()  # type: ignore[attr-defined]
                text = jbig2.encode_text(binary)
                stats: dict[str, float] = coder.stats()  # type: ignore[attr-defined]
                if text is None:
                    continue
                Image.fromarray(binary).convert("1").save(tmp / "l.pbm")
                subprocess.run(
                    ["cjb2", "-dpi", str(dpi), "-lossless", str(tmp / "l.pbm"), str(tmp / "l.djvu")],
                    check=True,
                )
                jb2 = (tmp / "l.djvu").stat().st_size
                coded = sum(v for k, v in stats.items() if not k.startswith("n_") and k != "tr_id_h0") / 8
                parts = " ".join(
                    f"{k}={v:.0f}" if k.startswith("n_") else f"{k}={v / 8:.0f}"
                    for k, v in stats.items()
                    if v > 0
                )
                print(
                    f"{c.name} layer {i}: text coding {len(text)} B (coded {coded:.0f}, headers/flush "
                    f"{len(text) - coded:.0f}), cjb2 {jb2} B; bytes by part: {parts}",
                    flush=True,
                )
                for k, v in stats.items():
                    totals[k] = totals.get(k, 0) + v
        print(
            "all layers, bytes by part:",
            " ".join(
                f"{k}={v:.0f}" if k.startswith("n_") else f"{k}={v / 8:.0f}"
                for k, v in totals.items()
                if v > 0
            ),
        )


if __name__ == "__main__":
    main()
