"""The page pipeline: orientation, deskew, perspective, lighting, colour mode, encoding."""

from __future__ import annotations

import hashlib
import io
import math

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw
from scan_pages import as_photo, jpeg_bytes, on_scanner_bed, text_page, with_stamp

from desa_capil.errors import BadInputError
from desa_capil.scan import geometry, jbig2, pipeline
from desa_capil.scan.pipeline import ProcessedPage, orient, process, rotate_quarter, thumbnail
from desa_capil.scan.sources import RawPage


def _raw(img: Image.Image, *, photo: bool = False, dpi: float | None = 150) -> RawPage:
    return RawPage(img, "camera" if photo else "scanner", "t", photo, None if photo else dpi)


def _line_angle(img: Image.Image) -> float:
    """Median angle (degrees) of the long straight lines (the table rules) of a page.

    Independent of the pipeline's own projection-profile estimate.
    """
    g = np.asarray(img.convert("L"))
    edges = cv2.Canny(g, 50, 150)
    # Only edges running along a line for 7 px or more: a rule up to ~8 degrees off steps
    # every 7+ px, while most of the print's edges go (the Hough transform is ~5x faster).
    edges = cv2.morphologyEx(edges, cv2.MORPH_OPEN, np.ones((1, 7), np.uint8))
    w = g.shape[1]
    # A rule a pixel off straight (the perspective's resampling) makes a staircase of edges:
    # gaps up to 20 px are bridged.
    lines = cv2.HoughLinesP(edges, 1, np.pi / 1800, threshold=200, minLineLength=w // 3, maxLineGap=20)
    assert lines is not None, "no table rules found"
    angles = [math.degrees(math.atan2(y2 - y1, x2 - x1)) for x1, y1, x2, y2 in lines.reshape(-1, 4)]
    horizontal = [a for a in angles if abs(a) < 20]
    assert horizontal
    return float(np.median(horizontal))


def _black_fraction(img: Image.Image) -> float:
    return float((np.asarray(img.convert("L")) < 128).mean())


def test_text_page_is_bilevel_jbig2_at_200_dpi(needs_jbig2: None) -> None:
    # 11-12 pt print: 200 dpi bilevel keeps every letter (see pipeline.TEXT_DPI_STEPS), as a
    # one-page PDF of one lossless JBIG2 image.
    out = process(_raw(text_page()))
    assert out.mode == "bilevel" and out.dpi == 200
    assert out.mime == "application/pdf" and out.extension == ".pdf"
    assert b"/Filter/JBIG2Decode" in out.data and b"CCITTFax" not in out.data
    im = out.image()
    assert im.size == (out.width, out.height)
    assert abs(out.width / 200 - 1240 / 150) < 0.02
    assert out.sha256 == hashlib.sha256(out.data).hexdigest()
    # The same pixels as the G4 page that an install without the coder writes, in fewer bytes.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jbig2, "_jbig2", None)
        g4 = process(_raw(text_page()))
    assert g4.mime == "image/tiff"
    assert np.array_equal(np.asarray(im.convert("L")) < 128, np.asarray(g4.image().convert("L")) < 128)
    assert len(out.data) < 0.8 * len(g4.data)


def test_text_page_is_bilevel_g4_without_the_jbig2_coder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jbig2, "_jbig2", None)
    out = process(_raw(text_page()))
    assert out.mode == "bilevel"
    assert out.mime == "image/tiff" and out.extension == ".tif"
    im = Image.open(io.BytesIO(out.data))
    assert im.mode == "1"
    assert im.info["compression"] == "group4"
    assert round(im.info["dpi"][0]) == 200 == out.dpi
    # 150 dpi input scanned as A4: the page keeps its physical size.
    assert (out.width, out.height) == im.size
    assert abs(out.width / 200 - 1240 / 150) < 0.02
    assert out.sha256 == hashlib.sha256(out.data).hexdigest()
    assert len(out.data) < 60_000


@pytest.mark.parametrize("stamp", [False, True])
def test_same_page_same_bytes(stamp: bool) -> None:
    # A re-processed page must be recognised as the same file (content-addressed store,
    # idempotent upload), also for mixed pages whose PDF would carry a random file id.
    raw = _raw(with_stamp(text_page()) if stamp else text_page())
    assert process(raw).sha256 == process(raw).sha256


@pytest.mark.parametrize("angle", [4.0, -3.0])
def test_scanner_page_is_deskewed_and_cropped(angle: float) -> None:
    scan = on_scanner_bed(text_page(), angle)
    before = _line_angle(scan)
    assert abs(abs(before) - abs(angle)) < 0.5  # the measure itself sees the skew
    out = process(_raw(scan))
    assert out.paper_found
    assert abs(_line_angle(out.image())) < 0.5
    # Cropped to the paper: no scanner bed left, size close to the original page.
    assert abs(out.width / out.dpi * 150 - 1240) < 40
    assert abs(out.height / out.dpi * 150 - 1754) < 40


def test_skew_on_white_background_is_found_from_the_text() -> None:
    # Lid closed, white all round: no paper edge to see, only the text lines.
    rotated = text_page().rotate(4.0, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    out = process(_raw(rotated))
    assert abs(out.skew_deg + 4.0) < 0.3 or abs(out.skew_deg - 4.0) < 0.3
    assert abs(_line_angle(out.image())) < 0.5


def test_estimate_skew_sign_and_precision() -> None:
    page = np.asarray(text_page(620, 877, size=13, lines=28)) < 128
    for angle in (-6.0, -1.5, 2.5, 7.0):
        img = Image.fromarray((~page).astype(np.uint8) * 255).rotate(angle, fillcolor=255)
        dark = np.asarray(img) < 128
        # PIL rotates counter-clockwise; lines then rise to the right: clockwise angle is -angle.
        assert geometry.estimate_skew(dark) == pytest.approx(-angle, abs=0.2)


def test_phone_photo_gets_perspective_and_lighting_corrected() -> None:
    original = text_page()
    photo, _corners = as_photo(original)
    out = process(_raw(photo, photo=True))
    assert out.paper_found
    assert out.mode == "bilevel"
    assert out.height / out.width == pytest.approx(297 / 210, abs=0.01)  # snapped to A4
    result = out.image().convert("L")
    assert abs(_line_angle(result)) < 0.5
    # The straightened page looks like the page that was photographed.
    a = cv2.resize(np.asarray(result, dtype=np.float32), (310, 438), interpolation=cv2.INTER_AREA)
    b = cv2.resize(np.asarray(original, dtype=np.float32), (310, 438), interpolation=cv2.INTER_AREA)
    corr = float(np.corrcoef(a.ravel(), b.ravel())[0, 1])
    assert corr > 0.8
    # The shadow is gone: the empty lower part of the page is white, not a black wedge.
    lower = result.crop((0, int(result.height * 0.9), result.width, int(result.height * 0.97)))
    assert _black_fraction(lower) < 0.01


def test_photo_without_visible_paper_edge_keeps_the_whole_frame() -> None:
    out = process(_raw(text_page(), photo=True))
    assert not out.paper_found
    assert out.mode == "bilevel"


def test_stamp_makes_a_mixed_colour_page() -> None:
    out = process(_raw(with_stamp(text_page())))
    assert out.mode == "color"
    assert out.mime == "application/pdf"
    img = out.image()
    assert img.mode == "RGB"
    arr = np.asarray(img).astype(int)
    blue = (arr[:, :, 2] - arr[:, :, 0] > 80).mean()
    assert blue > 0.002  # the stamp is still blue
    assert len(out.data) < 60_000


def test_blue_signature_keeps_its_colour() -> None:
    # A signature in blue ink says "signed in person, not a photocopy": it must not turn black.
    img = text_page().convert("RGB")
    d = ImageDraw.Draw(img)
    pts = [(700 + 6 * i, 1500 + int(40 * math.sin(i / 4.0))) for i in range(60)]
    d.line(pts, fill=(20, 40, 160), width=3)
    d.line([(700, 1500), (900, 1480), (1000, 1520)], fill=(20, 40, 160), width=3)
    out = process(_raw(img))
    assert out.mode == "color" and out.mime == "application/pdf"
    arr = np.asarray(out.image().convert("RGB").resize(img.size)).astype(int)
    line = np.zeros(img.size[::-1], bool)
    for x, y in pts:
        line[y - 1 : y + 2, x - 1 : x + 2] = True
    blue = arr[:, :, 2] - arr[:, :, 0] > 40
    assert blue[line].mean() > 0.5


def test_colour_fringes_of_black_print_stay_bilevel() -> None:
    # A phone's JPEG puts coloured fringes along black letters: that is not coloured ink.
    page = text_page().convert("RGB")
    arr = np.asarray(page).astype(np.int16)
    shifted = arr.copy()
    shifted[:, 1:, 0] = arr[:, :-1, 0]  # red channel one pixel to the right: lateral CA
    shifted[:, :-1, 2] = arr[:, 1:, 2]
    img = Image.open(io.BytesIO(jpeg_bytes(Image.fromarray(shifted.astype(np.uint8)), quality=70)))
    assert process(_raw(img)).mode == "bilevel"


def test_gray_photo_region_makes_a_gray_page() -> None:
    img = text_page()
    yy, xx = np.mgrid[0:300, 0:240]
    tone = (60 + 120 * (xx / 240) * (yy / 300)).astype(np.uint8)
    img.paste(Image.fromarray(tone), (120, 1300))
    out = process(_raw(img))
    assert out.mode == "gray"
    assert out.mime == "application/pdf"


def test_page_that_is_mostly_picture_is_one_jpeg() -> None:
    yy, xx = np.mgrid[0:1754, 0:1240]
    rgb = np.stack([xx * 200 // 1240, yy * 200 // 1754, np.full_like(xx, 150)], axis=2).astype(np.uint8)
    out = process(_raw(Image.fromarray(rgb)))
    assert out.mode == "color"
    assert out.mime == "image/jpeg" and out.dpi == 150


@pytest.mark.parametrize("mode", ["bilevel", "gray", "color"])
def test_forced_mode(mode: str, needs_jbig2: None) -> None:
    out = process(_raw(with_stamp(text_page())), mode=mode)  # type: ignore[arg-type]
    assert out.mode == mode
    assert out.mime == ("application/pdf" if mode == "bilevel" else "image/jpeg")


def test_exif_orientation_is_applied() -> None:
    page = text_page(600, 848, size=14, lines=20)
    # Stored sideways (as a phone does) with the tag that says "turn 90 clockwise to view".
    stored = page.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    stored.save(buf, "JPEG", exif=exif, quality=95)
    img = Image.open(io.BytesIO(buf.getvalue()))
    assert img.size == (848, 600)
    upright = orient(img)
    assert upright.size == (600, 848)
    out = process(RawPage(img, "file", "x.jpg", False, 72.0))
    assert out.height > out.width


@pytest.mark.parametrize("tag", [None, 1])
def test_upright_picture_is_used_as_it_is(tag: int | None) -> None:
    # No orientation tag, or "upright as stored": the picture itself, pixels untouched.
    exif = Image.Exif()
    if tag is not None:
        exif[0x0112] = tag
    buf = io.BytesIO()
    text_page(300, 424, size=10, lines=6).save(buf, "JPEG", exif=exif, quality=95)
    img = Image.open(io.BytesIO(buf.getvalue()))
    assert orient(img) is img
    assert img.size == (300, 424)


@pytest.mark.parametrize("turn,portrait", [(0, True), (90, False), (180, True), (270, False), (-90, False)])
def test_user_rotation(turn: int, portrait: bool) -> None:
    out = process(_raw(text_page()), rotate=turn)
    assert (out.height > out.width) == portrait


def test_rotation_is_exact_quarter_turns() -> None:
    img = Image.new("L", (4, 2), 0)
    img.putpixel((0, 0), 255)
    assert rotate_quarter(img, 90).getpixel((1, 0)) == 255  # top-left goes to top-right
    with pytest.raises(BadInputError):
        rotate_quarter(img, 45)


def test_thumbnail_from_processed_raw_and_image() -> None:
    page = text_page()
    processed: ProcessedPage = process(_raw(with_stamp(page)))
    for src in (processed, _raw(page), page):
        t = thumbnail(src)
        assert t.mime == "image/jpeg"
        assert max(t.width, t.height) == 240
        im = Image.open(io.BytesIO(t.data))
        assert im.format == "JPEG" and im.size == (t.width, t.height)
        assert len(t.data) < 30_000


@pytest.mark.parametrize(
    "img",
    [
        Image.new("L", (1, 1), 0),
        Image.new("RGB", (5, 300), (255, 0, 0)),
        Image.new("L", (300, 5), 255),
        Image.new("L", (620, 877), 255),
        Image.new("L", (620, 877), 0),
        Image.new("L", (2500, 1), 0),  # long enough for the paper search's halving step
        Image.new("RGB", (1, 2500), (0, 0, 255)),
    ],
    ids=["1px", "thin", "wide", "blank", "black", "1px row", "1px column"],
)
@pytest.mark.parametrize("photo", [False, True])
def test_degenerate_pictures_still_make_a_page(img: Image.Image, photo: bool) -> None:
    out = process(_raw(img, photo=photo))
    assert out.data and out.width >= 1 and out.height >= 1
    assert thumbnail(out).width >= 1


def test_opencv_on_one_thread_makes_the_same_page_as_on_two() -> None:
    # The pipeline keeps OpenCV on one thread (less CPU a page, see pipeline.py); the page
    # must not depend on it: a photographed stamped page (paper search, labelling, resizes,
    # warps, colour ink) comes out byte for byte the same with OpenCV's thread pool.
    assert cv2.getNumThreads() == 1
    raw = _raw(as_photo(with_stamp(text_page()))[0], photo=True)
    one = process(raw, auto_orient=True)
    cv2.setNumThreads(2)
    try:
        two = process(raw, auto_orient=True)
    finally:
        cv2.setNumThreads(1)
    assert one.mime == "application/pdf"  # the stamp made it a layered page
    assert one.sha256 == two.sha256


def test_percentile_u8_is_numpys() -> None:
    # The same float, to the last bit, as np.percentile: any size, spread and percentile
    # (a level cut to an integer later must not move by one).
    rng = np.random.default_rng(5)
    for _ in range(400):
        n = int(rng.integers(1, 2000))
        lo, hi = sorted(int(v) for v in rng.integers(0, 256, 2))
        v = rng.integers(lo, hi + 1, n).astype(np.uint8).reshape(1, -1)
        for q in (0, 5, 50, 90, 95, 97, 100):
            assert pipeline.percentile_u8(v, q) == float(np.percentile(v, q))
