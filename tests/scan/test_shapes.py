"""Objects that are not A4 pages, and photos that are hard to crop: cards stay card-shaped,
a pas foto keeps its colour, and a doubtful paper outline gives the whole photo, not a
wrong crop."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image
from scan_pages import camera_quad, id_card, on_scanner_bed, photo_like, photograph, text_page

from desa_capil.scan import geometry
from desa_capil.scan.pipeline import process
from desa_capil.scan.sources import RawPage

CARD = 85.6 / 54.0


def _photo(img: Image.Image) -> RawPage:
    return RawPage(img, "camera", "t", True, None)


def _stats(img: Image.Image) -> tuple[float, float]:
    """Mean saturation (HSV, 0-255) and contrast (std of the luminance)."""
    arr = np.asarray(img.convert("RGB"))
    hsv = cv2.cvtColor(arr, cv2.COLOR_RGB2HSV)
    return float(hsv[:, :, 1].mean()), float(cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY).std())


def _inner(img: Image.Image, margin: float = 0.12) -> Image.Image:
    w, h = img.size
    return img.crop((round(w * margin), round(h * margin), round(w * (1 - margin)), round(h * (1 - margin))))


@pytest.mark.parametrize(
    "frame,view",
    [
        ((1500, 2000), {"pitch": 20, "yaw": 10, "roll": -5, "cover": 0.3}),
        ((2000, 1500), {"pitch": -15, "yaw": -12, "roll": 4, "cover": 0.6}),
        ((1500, 2000), {"pitch": 5, "yaw": 25, "roll": 80, "cover": 0.45}),  # held upright
    ],
    ids=["far-tilted", "near-landscape", "turned"],
)
def test_photographed_id_card_stays_card_shaped(frame: tuple[int, int], view: dict[str, float]) -> None:
    quad = camera_quad(CARD, frame, **view)
    out = process(_photo(photograph(id_card(), quad, frame)))
    assert out.paper_found
    long_side, short_side = max(out.width, out.height), min(out.width, out.height)
    assert long_side / short_side == pytest.approx(CARD, rel=0.03)
    # At the card's real size and 300-400 dpi: its 6-pt print stays readable.
    assert 300 <= out.dpi <= 400
    assert long_side / out.dpi == pytest.approx(85.6 / 25.4, rel=0.05)
    assert len(out.data) < 60_000


@pytest.mark.parametrize(
    "size,ratio",
    [((1240, 1754), 297 / 210), ((1270, 1949), 330 / 215)],
    ids=["A4", "F4"],
)
def test_photographed_sheets_stay_pages(size: tuple[int, int], ratio: float) -> None:
    quad = camera_quad(size[0] / size[1], (1500, 2000), pitch=-14, yaw=6, roll=-2, cover=0.8)
    out = process(_photo(photograph(text_page(*size).convert("RGB"), quad)))
    assert out.paper_found
    assert out.height / out.width == pytest.approx(ratio, rel=0.01)
    assert out.dpi in (200, 240, 300) and out.width / out.dpi == pytest.approx(size[0] / 150, rel=0.03)


def test_true_aspect_sees_through_perspective() -> None:
    for aspect in (CARD, 0.75, 210 / 297):
        quad = camera_quad(aspect, (3000, 4000), pitch=35, yaw=-15, roll=7, cover=0.5)
        naive = float(np.linalg.norm(quad[1] - quad[0]) / np.linalg.norm(quad[3] - quad[0]))
        measured = geometry.true_aspect(quad.astype(np.float64), 3000, 4000)
        assert measured == pytest.approx(aspect, rel=0.02)
        assert abs(naive / aspect - 1) > 0.05  # the perspective really distorts it


def test_classify_size_never_distorts_beyond_the_snap_tolerance() -> None:
    for ratio in np.linspace(0.3, 3.0, 55):
        for rounded in (False, True):
            for picture in (False, True):
                w, h, _kind = geometry.classify_size(float(ratio), rounded=rounded, picture=picture)
                assert w / h == pytest.approx(ratio, rel=geometry.SNAP_TOLERANCE + 1e-6)


def _photo_stats_close(out: Image.Image, source: Image.Image) -> None:
    s_out, c_out = _stats(_inner(out))
    s_src, c_src = _stats(_inner(source))
    assert s_out == pytest.approx(s_src, rel=0.15), "saturation"
    assert c_out == pytest.approx(c_src, rel=0.15), "contrast"


def test_photographed_pas_foto_keeps_its_colour() -> None:
    source = photo_like(708, 944)
    quad = camera_quad(0.75, (1500, 2000), pitch=12, yaw=8, roll=2, cover=0.6)
    out = process(_photo(photograph(source, quad)))
    assert out.paper_found and out.mode == "color" and out.mime == "image/jpeg"
    assert out.height / out.width == pytest.approx(4 / 3, rel=0.03)
    _photo_stats_close(out.image(), source)
    assert len(out.data) < 60_000


def test_pas_foto_on_a_scanned_form_keeps_its_colour() -> None:
    source = photo_like()
    page = text_page(lines=12).convert("RGB")
    page.paste(source, (700, 1100))
    out = process(RawPage(on_scanner_bed(page, 0.0), "scanner", "t", False, 150))
    assert out.mode == "color"
    img = out.image()  # rendered at 300 dpi: the photo is at twice its 150-dpi size
    k = img.width / page.width
    x, y = round(700 * k), round(1100 * k)
    found = img.crop((x, y, x + round(source.width * k), y + round(source.height * k)))
    _photo_stats_close(found, source)


def test_paper_on_white_table_falls_back_to_the_whole_photo() -> None:
    quad = camera_quad(1240 / 1754, (1500, 2000), pitch=12, yaw=-5, roll=2, cover=0.8)
    out = process(_photo(photograph(text_page().convert("RGB"), quad, background="white")))
    # No trustworthy edge: the whole photo, in its own proportion, text still straightened.
    assert not out.paper_found
    assert out.width / out.height == pytest.approx(1500 / 2000, rel=0.01)
    assert out.mode == "bilevel"


@pytest.mark.parametrize("background,curl", [("clutter", 0.0), ("wood", 0.015)], ids=["clutter", "curl"])
def test_hard_backgrounds_find_the_sheet_or_nothing(background: str, curl: float) -> None:
    quad = camera_quad(1240 / 1754, (1500, 2000), pitch=12, yaw=-5, roll=2, cover=0.75)
    out = process(_photo(photograph(text_page().convert("RGB"), quad, background=background, curl=curl)))
    if out.paper_found:
        assert out.height / out.width == pytest.approx(297 / 210, rel=0.01)
        assert out.mode == "bilevel"  # no bright mug or table sliver taken for a colour patch
    else:
        assert out.width / out.height == pytest.approx(0.75, rel=0.01)


@pytest.mark.parametrize(
    "quad,ok",
    [
        ([[100, 100], [900, 120], [880, 1200], [120, 1180]], True),
        ([[100, 100], [900, 120], [400, 300], [120, 1180]], False),  # concave
        ([[100, 100], [200, 100], [200, 200], [100, 200]], False),  # too small
        ([[100, 100], [900, 100], [600, 1200], [500, 1200]], False),  # one side shrunk to an eighth
        ([[0, 200], [450, 200], [990, 578], [540, 578]], False),  # 35-degree corners
    ],
    ids=["sheet", "concave", "small", "narrow", "angles"],
)
def test_quad_sanity(quad: list[list[int]], ok: bool) -> None:
    q = geometry.order_corners(np.array(quad, dtype=np.float64))
    assert geometry.quad_is_sane(q, 1000, 1300 if q[2][1] > 600 else 600) is ok


def test_card_on_a_scanner_bed_keeps_its_measured_size() -> None:
    card = id_card(300)
    bed = Image.new("RGB", (2550, 3508), (60, 60, 60))  # dark lid open, A4 bed at 300 dpi
    bed.paste(card, (300, 400), card)
    out = process(RawPage(bed, "scanner", "t", False, 300))
    assert out.paper_found
    assert out.width / out.height == pytest.approx(CARD, rel=0.02)
    assert out.width / out.dpi == pytest.approx(85.6 / 25.4, rel=0.03)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_blob_stats_are_opencvs(seed: int) -> None:
    # The same labels and blob boxes/areas as cv2.connectedComponentsWithStats: speckle,
    # blobs inside holes (rings around dots), touching diagonals, the picture's edges.
    rng = np.random.default_rng(seed)
    mask = (rng.random((97, 131)) < 0.08 + 0.1 * seed).astype(np.uint8)
    cv2.circle(mask, (60, 40), 20, 1, 2)
    mask[38:42, 58:62] = 1
    mask[0, :] = 1
    mask[:, -1] = 1
    for m in (mask, np.zeros_like(mask), np.ones_like(mask)):
        n, labels, stats = geometry.blob_stats(m)
        n_cv, labels_cv, stats_cv, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
        assert n == n_cv
        assert np.array_equal(labels, labels_cv)
        assert np.array_equal(stats[1:], stats_cv[1:])
