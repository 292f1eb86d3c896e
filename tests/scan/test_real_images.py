"""The pipeline on real public scans (tests/scan/corpus, see its README for sources and
licences): they come out upright from any quarter turn, page-sized, bilevel and readable."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from desa_capil.scan.pipeline import ProcessedPage, process, rotate_quarter
from desa_capil.scan.sources import import_file

CORPUS = Path(__file__).parent / "corpus"


@functools.cache
def _upright(name: str) -> ProcessedPage:
    """The scan as it comes, processed once for all the tests that compare with it."""
    (raw,) = import_file(CORPUS / name)
    return process(raw, auto_orient=True)


@pytest.mark.parametrize("name", ["phototest.tif", "eurotext.tif", "typewriter.png"])
@pytest.mark.parametrize("turned", [90, 180, 270])
def test_real_scan_comes_out_upright(name: str, turned: int) -> None:
    (raw,) = import_file(CORPUS / name)
    upright = _upright(name)
    assert upright.turn == 0
    raw.image = rotate_quarter(raw.image, turned)
    out = process(raw, auto_orient=True)
    assert out.turn == (360 - turned) % 360
    assert (out.width, out.height) == pytest.approx((upright.width, upright.height), abs=8)


def test_real_scan_keeps_its_words() -> None:
    (raw,) = import_file(CORPUS / "eurotext.tif")
    out = _upright("eurotext.tif")
    assert out.mode == "bilevel" and len(out.data) < 40_000
    assert out.width / out.dpi == pytest.approx(1024 / 300, rel=0.02)  # its scanned size
    if shutil.which("tesseract") is None:
        # Without OCR: the ink is where the original's is.
        src = np.asarray(raw.image.convert("L").resize((256, 200))) < 128
        got = np.asarray(out.image().convert("L").resize((256, 200))) < 128
        assert (src & got).sum() / src.sum() > 0.8
        return
    r = subprocess.run(
        ["tesseract", "stdin", "stdout", "--psm", "3", "-l", "eng"],
        input=_png(out.image()),
        capture_output=True,
        check=True,
        env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
    )
    text = r.stdout.decode()
    for word in ("quick", "brown", "jumps", "lazy", "E-mail", "spammer", "schnelle", "Hund", "volpe"):
        assert word in text, word


def _png(im: Image.Image) -> bytes:
    import io

    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()
