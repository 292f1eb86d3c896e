"""Fixtures for the intake tests: an AppContext, page files made with Pillow, settling."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from desa_capil.paths import AppPaths
from desa_capil.store.db import Database
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext


@pytest.fixture
def ctx(db: Database, paths: AppPaths, qapp: object) -> Iterator[AppContext]:
    context = AppContext(db, paths)
    yield context
    # Background work must not outlive the test's database (torn down after this fixture).
    tasks.wait_idle()
    qapp.processEvents()  # type: ignore[attr-defined]
    tasks.wait_idle()


def page_image(label: str, size: tuple[int, int] = (850, 1100)) -> Image.Image:
    """A letter-like page with some lines of 'text' (A4-ish at 100 dpi, small for speed)."""
    im = Image.new("RGB", size, (250, 250, 245))
    d = ImageDraw.Draw(im)
    d.text((size[0] // 3, 60), label, fill="black")
    for i, y in enumerate(range(140, size[1] - 120, 36)):
        d.text((90, y), f"{i + 1}. {label} nama / tanggal / tempat ........ {i * 37}", fill="black")
        d.line((90, y + 22, size[0] - 90, y + 22), fill=(120, 120, 120))
    return im


@pytest.fixture
def make_png(tmp_path: Path) -> Callable[[str], Path]:
    def make(name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page_image(name).save(path, dpi=(100, 100))
        return path

    return make


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[[str, int], Path]:
    def make(name: str, pages: int) -> Path:
        path = tmp_path / f"{name}.pdf"
        ims = [page_image(f"{name} {i + 1}") for i in range(pages)]
        ims[0].save(path, save_all=True, append_images=ims[1:], resolution=100)
        return path

    return make


def png_bytes(label: str) -> bytes:
    buf = io.BytesIO()
    page_image(label).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def bad_file(tmp_path: Path) -> Callable[[str], Path]:
    """Files the import must refuse with a message: 0 bytes, not an image, cut short, 200 pages."""

    def make(kind: str) -> Path:
        if kind == "empty":
            path = tmp_path / "kosong.jpg"
            path.write_bytes(b"")
        elif kind == "text":
            path = tmp_path / "surat.jpg"
            path.write_text("bukan gambar, hanya teks\n" * 20)
        elif kind == "truncated":
            path = tmp_path / "terpotong.png"
            data = png_bytes("terpotong")
            path.write_bytes(data[: len(data) // 2])
        elif kind == "too_many_pages":
            path = tmp_path / "tebal.pdf"
            small = [Image.new("L", (60, 80), 255) for _ in range(200)]
            small[0].save(path, save_all=True, append_images=small[1:], resolution=20)
        else:
            raise ValueError(kind)
        return path

    return make
