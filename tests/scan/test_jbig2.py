"""The lossless JBIG2 coder, proven against decoders that are not ours.

Every bitmap coded here is decoded by three independent JBIG2 decoders and must come back bit
for bit: jbig2dec (Artifex; the embedded stream as a PDF carries it, and the standalone file
with its header), PDFium (the decoder the app itself uses: the image alone and the page
rendered at its own resolution) and poppler (``pdftoppm``, the page rendered). Bitmaps: the
edge cases of the coder (all white, all black, 1x1, every width around a byte, rows repeated
for typical prediction, noise that defeats the contexts, a huge page) and real scans
through the page pipeline.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from desa_capil.scan import jbig2, pdf, pipeline
from desa_capil.scan.sources import RawPage, import_file

pytestmark = pytest.mark.usefixtures("needs_jbig2")

CORPUS = Path(__file__).parent / "corpus"
U8 = np.ndarray


def _ink(binary: U8) -> U8:
    return binary < 128


def _page_pdf(binary: U8, dpi: int) -> bytes:
    h, w = binary.shape
    stream = jbig2.encode(binary)
    assert stream is not None
    return pdf.mrc_page_pdf(pdf.Jbig2Image(stream, w, h), w / dpi, h / dpi, [], [])


def jbig2dec(binary: U8, tmp: Path, *, embedded: bool = True) -> U8:
    """jbig2dec's reading of our stream: as PDF embeds it (-e), or as a standalone file."""
    stream = jbig2.encode(binary)
    assert stream is not None
    src, out = tmp / "page.jb2", tmp / "page.pbm"
    src.write_bytes(stream if embedded else jbig2.file_stream(stream))
    subprocess.run(
        ["jbig2dec", *(["-e"] if embedded else []), "-t", "pbm", "-o", str(out), str(src)],
        check=True,
        capture_output=True,
    )
    return _ink(np.asarray(Image.open(out).convert("L")))


def pdfium_render(binary: U8) -> U8:
    """The page PDF rendered by PDFium. At 72 dpi one image pixel is one point and one
    device pixel, so the rendering is the decoded image itself, with no resampling."""
    page = pdf.render_page(_page_pdf(binary, 72), 72)
    return _ink(np.asarray(page.convert("L")))


def poppler_render(binary: U8, tmp: Path) -> U8:
    (tmp / "page.pdf").write_bytes(_page_pdf(binary, 72))
    subprocess.run(
        ["pdftoppm", "-r", "72", "-mono", "-singlefile", str(tmp / "page.pdf"), str(tmp / "out")],
        check=True,
        capture_output=True,
    )
    return _ink(np.asarray(Image.open(tmp / "out.pbm").convert("L")))


def _tools() -> None:
    for tool in ("jbig2dec", "pdftoppm"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed (dev.py APT_TEST)")


def _bitmaps() -> dict[str, U8]:
    rng = np.random.default_rng(12)

    def of(ink: np.ndarray) -> U8:
        return np.where(ink, 0, 255).astype(np.uint8)

    lines = np.zeros((90, 203), bool)
    lines[10:14] = True  # a rule: rows repeat (typical prediction on and off)
    lines[30:60, 5:200:7] = True
    lines[70, :] = rng.random(203) < 0.5
    lines[71:80] = lines[70]
    edge = np.zeros((33, 9), bool)
    edge[:, -1] = True  # the last column: bits past the width must not leak
    edge[-1, :] = True
    return {
        "white": of(np.zeros((64, 80), bool)),
        "black": of(np.ones((50, 77), bool)),
        "1x1 white": of(np.zeros((1, 1), bool)),
        "1x1 black": of(np.ones((1, 1), bool)),
        "one row": of(rng.random((1, 300)) < 0.4),
        "one column": of(rng.random((300, 1)) < 0.4),
        "noise": of(rng.random((157, 131)) < 0.5),
        "sparse noise": of(rng.random((400, 333)) < 0.01),
        "repeated rows": of(lines),
        "right and bottom edge": of(edge),
        **{f"width {w}": of(rng.random((21, w)) < 0.3) for w in (2, 7, 8, 9, 15, 16, 17, 31, 33)},
    }


BITMAPS = _bitmaps()


@pytest.mark.parametrize("name", list(BITMAPS))
def test_edge_case_bitmaps_decode_bit_exact_everywhere(name: str, tmp_path: Path) -> None:
    _tools()
    b = BITMAPS[name]
    ink = _ink(b)
    assert np.array_equal(jbig2dec(b, tmp_path), ink)
    assert np.array_equal(jbig2dec(b, tmp_path, embedded=False), ink)
    stream = jbig2.encode(b)
    assert stream is not None
    assert np.array_equal(_ink(pdf.jbig2_pixels(pdf.Jbig2Image(stream, b.shape[1], b.shape[0]))), ink)
    assert np.array_equal(pdfium_render(b), ink)
    assert np.array_equal(poppler_render(b, tmp_path), ink)


def test_a_huge_page_decodes_bit_exact(tmp_path: Path) -> None:
    """An A3 sheet at 600 dpi (7016 x 9921, 70 M pixels) with print-like blocks and noise."""
    _tools()
    rng = np.random.default_rng(5)
    ink = np.zeros((9921, 7016), bool)
    for y in range(200, 9700, 60):
        ink[y : y + 30, 300:6700] = rng.random((30, 6400)) < 0.25
    b = np.where(ink, 0, 255).astype(np.uint8)
    assert np.array_equal(jbig2dec(b, tmp_path), ink)
    stream = jbig2.encode(b)
    assert stream is not None
    assert np.array_equal(_ink(pdf.jbig2_pixels(pdf.Jbig2Image(stream, 7016, 9921))), ink)


@pytest.mark.parametrize("name", ["phototest.tif", "eurotext.tif", "typewriter.png"])
def test_real_pages_decode_bit_exact_everywhere(name: str, tmp_path: Path) -> None:
    """Real scans and a phone photo, binarised by the pipeline (at 200-400 dpi)."""
    _tools()
    (raw,) = import_file(CORPUS / name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jbig2, "_jbig2", None)  # the G4 page: the same pixels, decoded by libtiff
        g4 = pipeline.process(raw, auto_orient=True)
    assert g4.mime == "image/tiff"
    b = np.asarray(g4.image().convert("L"))
    ink = _ink(b)
    assert 0.005 < ink.mean() < 0.5
    assert np.array_equal(jbig2dec(b, tmp_path), ink)
    assert np.array_equal(pdfium_render(b), ink)
    assert np.array_equal(poppler_render(b, tmp_path), ink)
    # What the pipeline stores for that page: its JBIG2 stream decodes (jbig2dec) to the
    # same pixels, in fewer bytes than G4.
    out = pipeline.process(raw, auto_orient=True)
    assert out.mime == "application/pdf" and out.mode == "bilevel"
    stored = pikepdf.open(io.BytesIO(out.data))
    (image,) = stored.pages[0].Resources.XObject.values()
    assert image.Filter == "/JBIG2Decode" and image.ImageMask is True
    (tmp_path / "stored.jb2").write_bytes(image.read_raw_bytes())
    subprocess.run(
        ["jbig2dec", "-e", "-t", "pbm", "-o", str(tmp_path / "stored.pbm"), str(tmp_path / "stored.jb2")],
        check=True,
    )
    assert np.array_equal(_ink(np.asarray(Image.open(tmp_path / "stored.pbm").convert("L"))), ink)
    assert len(out.data) < 0.85 * len(g4.data)


@settings(max_examples=60, deadline=None)
@given(arrays(np.bool_, st.tuples(st.integers(1, 40), st.integers(1, 70))))
def test_any_small_bitmap_round_trips_through_pdfium(ink: np.ndarray) -> None:
    b = np.where(ink, 0, 255).astype(np.uint8)
    stream = jbig2.encode(b)
    assert stream is not None
    back = pdf.jbig2_pixels(pdf.Jbig2Image(stream, b.shape[1], b.shape[0]))
    assert np.array_equal(_ink(back), ink)


def test_same_pixels_same_bytes() -> None:
    b = BITMAPS["sparse noise"]
    assert jbig2.encode(b) == jbig2.encode(b.copy())


def test_stream_is_what_pdf_embeds() -> None:
    """PDF 32000 7.4.7: no file header, no end-of-page segment; a page information segment
    (type 48) then one immediate lossless generic region (type 39) with TPGDON, template 0."""
    b = BITMAPS["noise"]
    stream = jbig2.encode(b)
    assert stream is not None
    assert not stream.startswith(jbig2.FILE_ID)
    assert stream[4] == 48 and int.from_bytes(stream[7:11], "big") == 19
    page = stream[11:30]
    assert (int.from_bytes(page[0:4], "big"), int.from_bytes(page[4:8], "big")) == (131, 157)
    region = stream[30:]
    assert region[4] == 39 and int.from_bytes(region[7:11], "big") == len(region) - 11
    assert region[11 + 17] == 0x08  # generic region flags: MMR 0, template 0, TPGDON 1
    assert region.endswith(b"\xff\xac")


def test_bad_sizes_are_refused() -> None:
    coder = jbig2._jbig2
    assert coder is not None
    with pytest.raises(ValueError):
        coder.encode_generic(b"\x00" * 3, 8, 4, 1)  # 4 rows need 4 bytes
    with pytest.raises(ValueError):
        coder.encode_generic(b"\x00" * 4, 9, 4, 1)  # 9 pixels need 2 bytes a row
    with pytest.raises(ValueError):
        coder.encode_generic(b"", 0, 0, 0)


@pytest.mark.parametrize(
    ("width", "height", "stride"),
    [
        (8, 8, 1 << 61),  # stride * height overflows Py_ssize_t
        (8, 1 << 30, 1 << 40),  # so does this product
        (2**31 - 1, 1, 1 << 28),  # x + 4 in the coder's loop would overflow int
        (2**31 - 16, 1, 1 << 28),
        (8, 2**31 - 1, 1),  # more rows than the data holds (and near INT_MAX)
    ],
)
def test_overflowing_sizes_are_refused_not_crashed(width: int, height: int, stride: int) -> None:
    coder = jbig2._jbig2
    assert coder is not None
    with pytest.raises(ValueError):
        coder.encode_generic(b"\x00", width, height, stride)


def _scan() -> RawPage:
    (raw,) = import_file(CORPUS / "phototest.tif")
    return raw


def test_a_stream_that_does_not_decode_back_is_never_used(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A JBIG2 layer is decoded once by PDFium before it is used; one pixel off and the
    page is written in CCITT G4 instead (a NIK digit must never change)."""
    real = pdf.jbig2_pixels

    def one_pixel_off(img: pdf.Jbig2Image) -> np.ndarray:
        out = real(img).copy()
        out[img.height // 2, img.width // 2] ^= 255
        return out

    monkeypatch.setattr(pdf, "jbig2_pixels", one_pixel_off)
    with caplog.at_level(logging.WARNING, logger="desa_capil.scan.pipeline"):
        out = pipeline.process(_scan(), auto_orient=True)
    assert out.mime == "image/tiff" and out.mode == "bilevel"
    assert "did not decode to the same pixels" in caplog.text
    assert Image.open(io.BytesIO(out.data)).info["compression"] == "group4"


@pytest.mark.parametrize("error", [ValueError("unpack"), pdfium.PdfiumError("bad stream"), AssertionError()])
def test_a_stream_pdfium_cannot_read_back_falls_back_to_g4(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, error: Exception
) -> None:
    """When the check decode itself fails, the page is still written (in CCITT G4)."""

    def broken(img: pdf.Jbig2Image) -> np.ndarray:
        raise error

    monkeypatch.setattr(pdf, "jbig2_pixels", broken)
    with caplog.at_level(logging.WARNING, logger="desa_capil.scan.pipeline"):
        out = pipeline.process(_scan(), auto_orient=True)
    assert out.mime == "image/tiff" and out.mode == "bilevel"
    assert "could not be decoded back" in caplog.text
    assert Image.open(io.BytesIO(out.data)).info["compression"] == "group4"


def test_mixed_page_layers_are_jbig2_and_decode_to_the_page() -> None:
    """The black print and each ink mask of a layered page are JBIG2 stencils; the page
    renders with the same black print as the G4 page of an install without the coder."""
    from scan_pages import text_page, with_stamp

    raw = RawPage(with_stamp(text_page(seed=4)), "scanner", "t", False, 150)
    out = pipeline.process(raw)
    assert out.mime == "application/pdf" and out.mode == "color"
    doc = pikepdf.open(io.BytesIO(out.data))
    filters = sorted(
        str(x.Filter) if "/Mask" not in x else f"{x.Filter}+{x.Mask.Filter}"
        for x in doc.pages[0].Resources.XObject.values()
    )
    assert filters == ["/DCTDecode+/JBIG2Decode", "/JBIG2Decode"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jbig2, "_jbig2", None)
        g4 = pipeline.process(raw)
    assert b"CCITTFaxDecode" in g4.data and b"JBIG2" not in g4.data
    a = np.asarray(out.image().convert("RGB"))
    b = np.asarray(g4.image().convert("RGB"))
    assert a.shape == b.shape and np.array_equal(a, b)
    assert len(out.data) < len(g4.data)
