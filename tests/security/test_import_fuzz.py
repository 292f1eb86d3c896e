"""Mutated PNG/JPEG/TIFF/PDF bytes at the file importer: BadInputError or success, never a
crash or a hang.

A seeded mutator (reproducible: a failure names its seed) runs in a child process so that a
hang in native code (Pillow, PDFium) can be detected per case and killed.
"""

from __future__ import annotations

import io
import json
import os
import selectors
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw

CASES_PER_SEED_FILE = 50  # 4 formats: 200 cases
CASE_SECONDS = 20.0  # generous on a slow CI box; a real hang never ends
WORKER = Path(__file__).with_name("fuzz_import_worker.py")


def _page_image() -> Image.Image:
    im = Image.new("RGB", (120, 90), "white")
    draw = ImageDraw.Draw(im)
    draw.rectangle((10, 10, 110, 30), outline="black")
    draw.text((14, 40), "NIK 3201", fill="black")
    return im


def _seed_files(folder: Path) -> list[Path]:
    im = _page_image()
    out = []
    for fmt, ext, kwargs in (
        ("PNG", "png", {}),
        ("JPEG", "jpg", {"quality": 70}),
        ("TIFF", "tif", {"compression": "tiff_lzw"}),
    ):
        p = folder / f"seed.{ext}"
        im.save(p, fmt, **kwargs)
        out.append(p)
    # A real PDF with an image page (Pillow writes it), normalised by pikepdf into a plain
    # object layout so mutations hit xref tables, streams and dictionaries alike.
    raw = io.BytesIO()
    im.save(raw, "PDF", resolution=72)
    pdf = folder / "seed.pdf"
    with pikepdf.open(io.BytesIO(raw.getvalue())) as doc:
        doc.save(pdf, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    out.append(pdf)
    return out


def test_seed_files_import(tmp_path: Path) -> None:
    """The un-mutated seeds import fine: the fuzz starts from valid files."""
    from desa_capil.scan.sources import import_file

    for p in _seed_files(tmp_path):
        assert len(import_file(p, pdf_dpi=50)) == 1, p.name


def test_mutated_files_give_bad_input_or_pages(tmp_path: Path) -> None:
    seeds = _seed_files(tmp_path)
    cases = [
        {"seed": 1000 * k + j, "base": str(p)}
        for k, p in enumerate(seeds)
        for j in range(CASES_PER_SEED_FILE)
    ]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    proc = subprocess.Popen(
        [sys.executable, str(WORKER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("".join(json.dumps(c) + "\n" for c in cases))
    proc.stdin.close()
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    outcomes: dict[int, str] = {}
    warned: set[str] = set()
    current: int | None = None
    deadline = time.monotonic() + CASE_SECONDS
    try:
        while len(outcomes) < len(cases):
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(timeout=left):
                case = cases[current] if current is not None else None
                pytest.fail(f"importer hung (> {CASE_SECONDS}s) on case {current}: {case}")
            line = proc.stdout.readline()
            if not line:
                err = proc.stderr.read() if proc.stderr else ""
                case = cases[current] if current is not None else None
                pytest.fail(f"worker died on case {current} ({case}): {err[-2000:]}")
            msg = json.loads(line)
            if msg.get("start"):
                current = msg["i"]
                deadline = time.monotonic() + CASE_SECONDS
            else:
                outcomes[msg["i"]] = msg["outcome"]
                warned.update(msg["warnings"])
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        sel.close()
        proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    crashes = {i: (cases[i], o) for i, o in outcomes.items() if o.startswith("crash")}
    assert not crashes, f"{len(crashes)} crashes, e.g. {next(iter(crashes.values()))}"
    # The mutations must exercise both paths, or the test proves nothing.
    kinds = Counter(outcomes.values())
    assert kinds["ok"] and kinds["bad_input"], kinds
    # Warnings are findings too: corrupt EXIF is read through scan.sources.read_exif, which logs
    # Pillow's complaint; a DecompressionBombWarning or a numpy RuntimeWarning must not escape.
    assert not warned, (warned, kinds)
