"""Automatic orientation: sideways and upside-down text pages come out upright; pictures,
cards and blank pages are left alone; the user's rotation always wins."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from scan_pages import faint_dot_matrix, id_card, photo_like, text_page

from desa_capil.scan import orientation
from desa_capil.scan.pdf import render_page
from desa_capil.scan.pipeline import ProcessedPage, process, quarter_turn, rotate_quarter
from desa_capil.scan.sources import RawPage


def _raw(img: Image.Image, dpi: float | None = 150) -> RawPage:
    return RawPage(img, "scanner" if dpi else "camera", "t", dpi is None, dpi)


def _small(out: ProcessedPage) -> np.ndarray:
    return np.asarray(out.image().convert("L").resize((124, 175), Image.Resampling.BOX)).astype(float)


@pytest.fixture(scope="module")
def upright() -> tuple[Image.Image, np.ndarray]:
    page = text_page(seed=11)
    return page, _small(process(_raw(page)))


@pytest.mark.parametrize("turned", [90, 180, 270])
def test_turned_text_page_comes_out_upright(upright: tuple[Image.Image, np.ndarray], turned: int) -> None:
    page, reference = upright
    out = process(_raw(rotate_quarter(page, turned)), auto_orient=True)
    assert out.turn == (360 - turned) % 360
    assert out.height > out.width
    got = _small(out)
    corr = np.corrcoef(got.ravel(), reference.ravel())[0, 1]
    assert corr > 0.9  # the same page, the same way up


def test_upright_page_is_not_turned(upright: tuple[Image.Image, np.ndarray]) -> None:
    page, _ = upright
    assert process(_raw(page), auto_orient=True).turn == 0


def test_user_rotation_wins(upright: tuple[Image.Image, np.ndarray]) -> None:
    # Without auto_orient (the user chose a rotation), the page is turned as asked even
    # when that makes it sideways.
    page, _ = upright
    out = process(_raw(page), rotate=90)
    assert out.turn == 0 and out.width > out.height


@pytest.mark.parametrize(
    "img,dpi",
    [(Image.new("L", (1240, 1754), 255), 150), (photo_like(708, 944), None)],
    ids=["blank", "pas-foto"],
)
def test_pages_without_running_text_are_left_as_they_came(img: Image.Image, dpi: float | None) -> None:
    for turned in (0, 90, 180):
        out = process(_raw(rotate_quarter(img, turned), dpi), auto_orient=True)
        assert out.turn == 0


def test_upright_card_stays_upright() -> None:
    # A KTP's print is all capitals in short lines: no reason to turn it.
    card = id_card(300).convert("RGB")
    assert process(_raw(card, 300), auto_orient=True).turn == 0


def test_detect_reports_unsure_on_too_little_print() -> None:
    flat = np.full((1100, 850), 255, np.uint8)
    flat[500:510, 100:160] = 0  # one word
    o = orientation.detect(flat)
    assert o.turn == 0 and o.glyphs < orientation.MIN_GLYPHS


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_quarter_turn_matrix_matches_rot90(turn: int) -> None:
    a = np.arange(12 * 7, dtype=np.uint8).reshape(7, 12)
    q = quarter_turn(turn, 12, 7)
    turned = np.rot90(a, -turn // 90)
    ys, xs = np.mgrid[0:7, 0:12]
    pts = q @ np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])
    assert (turned[pts[1].astype(int), pts[0].astype(int)] == a.ravel()).all()


def _picture(data: bytes, mime: str, dpi: int) -> Image.Image:
    return render_page(data, dpi) if mime == "application/pdf" else Image.open(io.BytesIO(data))


def test_a_page_as_it_arrives_is_stored_upright_and_the_user_can_undo_it() -> None:
    from desa_capil.ui.intake import processing  # Qt-free glue between scan and store

    page = rotate_quarter(text_page(seed=12), 180)
    new = processing.new_page(_raw(page))
    assert new.rotation == 180  # the turn the pipeline applied is the page's rotation
    assert new.original is not None
    # The user's rotation (here: back to the page as scanned) is used as it is.
    again = processing.reprocess(new.original, 0)
    assert again.rotation == 0
    upright = processing.reprocess(new.original, 180)
    a = np.asarray(_picture(again.data, again.mime, again.dpi).convert("L"), dtype=float)
    b = np.asarray(_picture(upright.data, upright.mime, upright.dpi).convert("L"), dtype=float)
    assert a.shape == b.shape
    assert np.corrcoef(a[::8, ::8].ravel(), np.rot90(b, 2)[::8, ::8].ravel())[0, 1] > 0.8


@pytest.mark.parametrize("level", [200, 205])
@pytest.mark.parametrize("turned", [0, 90, 180, 270])
def test_faint_dot_matrix_page_comes_out_upright(turned: int, level: int) -> None:
    """A worn ribbon's print (gray ~205 dots) was too faint for the detector and stayed
    sideways; it is now looked for at a lighter level when too little print is found."""
    page, _, _ = faint_dot_matrix(level=level)
    out = process(_raw(rotate_quarter(page, turned)), auto_orient=True)
    assert out.turn == (360 - turned) % 360  # and upright stays upright (once turned 180)
    assert out.height > out.width
