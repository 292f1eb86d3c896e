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
import tempfile
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image, ImageDraw, ImageFont

from desa_capil.scan import jbig2, pdf, pipeline
from desa_capil.scan.sources import RawPage, import_file

pytestmark = pytest.mark.usefixtures("needs_jbig2")

CORPUS = Path(__file__).parent / "corpus"
U8 = np.ndarray


def _ink(binary: U8) -> U8:
    return binary < 128


def _page_pdf(binary: U8, dpi: int, stream: bytes | None = None) -> bytes:
    h, w = binary.shape
    stream = stream or jbig2.encode(binary)
    assert stream is not None
    return pdf.mrc_page_pdf(pdf.Jbig2Image(stream, w, h), w / dpi, h / dpi, [], [])


def jbig2dec(binary: U8, tmp: Path, *, embedded: bool = True, stream: bytes | None = None) -> U8:
    """jbig2dec's reading of our stream: as PDF embeds it (-e), or as a standalone file."""
    stream = stream or jbig2.encode(binary)
    assert stream is not None
    src, out = tmp / "page.jb2", tmp / "page.pbm"
    src.write_bytes(stream if embedded else jbig2.file_stream(stream))
    subprocess.run(
        ["jbig2dec", *(["-e"] if embedded else []), "-t", "pbm", "-o", str(out), str(src)],
        check=True,
        capture_output=True,
    )
    return _ink(np.asarray(Image.open(out).convert("L")))


def pdfium_render(binary: U8, stream: bytes | None = None) -> U8:
    """The page PDF rendered by PDFium. At 72 dpi one image pixel is one point and one
    device pixel, so the rendering is the decoded image itself, with no resampling."""
    page = pdf.render_page(_page_pdf(binary, 72, stream), 72)
    return _ink(np.asarray(page.convert("L")))


def pdfium_image(binary: U8, stream: bytes) -> U8:
    """PDFium's decoding of the image alone (what the pipeline checks every layer with)."""
    return _ink(pdf.jbig2_pixels(pdf.Jbig2Image(stream, binary.shape[1], binary.shape[0])))


def poppler_render(binary: U8, tmp: Path, stream: bytes | None = None) -> U8:
    (tmp / "page.pdf").write_bytes(_page_pdf(binary, 72, stream))
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


def assert_decodes_everywhere(b: U8, stream: bytes, tmp: Path) -> None:
    """jbig2dec (embedded and as a file), PDFium (image and page) and poppler all give back
    exactly the pixels of ``b``."""
    ink = _ink(b)
    assert np.array_equal(jbig2dec(b, tmp, stream=stream), ink), "jbig2dec"
    assert np.array_equal(jbig2dec(b, tmp, embedded=False, stream=stream), ink), "jbig2dec file"
    assert np.array_equal(pdfium_image(b, stream), ink), "PDFium image"
    assert np.array_equal(pdfium_render(b, stream), ink), "PDFium page"
    assert np.array_equal(poppler_render(b, tmp, stream), ink), "poppler"


@pytest.mark.parametrize("name", list(BITMAPS))
def test_edge_case_bitmaps_decode_bit_exact_everywhere(name: str, tmp_path: Path) -> None:
    """Both codings: the generic region, and the text region where the bitmap has two glyph
    shapes at least (else ``encode_text`` declines and the generic region is used)."""
    _tools()
    b = BITMAPS[name]
    for stream in (jbig2.encode(b), jbig2.encode_generic(b), jbig2.encode_text(b)):
        if stream is not None:
            assert_decodes_everywhere(b, stream, tmp_path)


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
    (type 48) then one immediate lossless generic region (type 39) with TPGDON, template 2."""
    b = BITMAPS["noise"]
    stream = jbig2.encode(b)
    assert stream is not None
    assert not stream.startswith(jbig2.FILE_ID)
    assert stream[4] == 48 and int.from_bytes(stream[7:11], "big") == 19
    page = stream[11:30]
    assert (int.from_bytes(page[0:4], "big"), int.from_bytes(page[4:8], "big")) == (131, 157)
    region = stream[30:]
    assert region[4] == 39 and int.from_bytes(region[7:11], "big") == len(region) - 11
    assert region[11 + 17] == 0x0C  # generic region flags: MMR 0, template 2, TPGDON 1
    assert region[11 + 18 : 11 + 20] == b"\x02\xff"  # its AT pixel A1 = (2, -1)
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


@pytest.mark.parametrize(
    ("width", "height", "stride"),
    [(8, 8, 1 << 61), (8, 1 << 30, 1 << 40), (2**31 - 1, 1, 1 << 28), (8, 2**31 - 1, 1)],
)
def test_text_coder_refuses_overflowing_sizes(width: int, height: int, stride: int) -> None:
    coder = jbig2._jbig2
    assert coder is not None
    with pytest.raises(ValueError):
        coder.encode_text(b"\x00", width, height, stride, 160, 0, 200)


@pytest.mark.parametrize(
    "params",
    [
        (0, 0, 200),  # no glyph size
        (5000, 0, 200),
        (160, 4, 200),  # LOGSBSTRIPS has 2 bits
        (160, -1, 200),
        (160, 0, 1001),
        (160, 0, -1),
    ],
)
def test_text_coder_refuses_bad_parameters(params: tuple[int, int, int]) -> None:
    coder = jbig2._jbig2
    assert coder is not None
    with pytest.raises(ValueError):
        coder.encode_text(b"\x00" * 64, 8, 8, 1, *params)


def _of(ink: np.ndarray) -> U8:
    return np.where(ink, 0, 255).astype(np.uint8)


def _segment_types(stream: bytes) -> list[int]:
    types, pos = [], 0
    while pos < len(stream):
        types.append(stream[pos + 4] & 0x3F)
        pos += 6 + (stream[pos + 5] >> 5) + 1
        pos += 4 + int.from_bytes(stream[pos : pos + 4], "big")
    return types


def _digits(size: int = 26) -> dict[str, np.ndarray]:
    """The ten digits as Pillow's own font draws them: tight ink bitmaps."""
    font = ImageFont.load_default(size=size)
    out = {}
    for ch in "0123456789":
        im = Image.new("L", (2 * size, 2 * size), 255)
        ImageDraw.Draw(im).text((size // 2, size // 2), ch, font=font, fill=0)
        ink = np.asarray(im) < 128
        ys, xs = np.nonzero(ink)
        out[ch] = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    return out


def _grown(glyph: np.ndarray, pixels: list[tuple[int, int]]) -> np.ndarray:
    """The glyph with a few more ink pixels (each beside its ink: still one component)."""
    g = glyph.copy()
    for y, x in pixels:
        assert not g[y, x] and g[max(0, y - 1) : y + 2, max(0, x - 1) : x + 2].any()
        g[y, x] = True
    return g


def _edge_pixels(glyph: np.ndarray) -> list[tuple[int, int]]:
    """Paper pixels next to the glyph's ink, inside its box."""
    h, w = glyph.shape
    return [
        (y, x)
        for y in range(h)
        for x in range(w)
        if not glyph[y, x] and glyph[max(0, y - 1) : y + 2, max(0, x - 1) : x + 2].any()
    ]


def _nik_page(rows: list[list[np.ndarray]], gap: int = 6, lead: int = 40) -> np.ndarray:
    width = max(sum(g.shape[1] + gap for g in row) for row in rows) + 2 * gap
    page = np.zeros((lead * (len(rows) + 1), width), bool)
    for r, row in enumerate(rows):
        x, base = gap, lead * (r + 1) - 4
        for g in row:
            page[base - g.shape[0] + 1 : base + 1, x : x + g.shape[1]] |= g
            x += g.shape[1] + gap
    return page


def _text_coding(b: np.ndarray) -> tuple[Any, ...]:
    """The raw text coding of a page with the product's parameters (counts included)."""
    coder = jbig2._jbig2
    assert coder is not None
    got = coder.encode_text(
        jbig2.pack(b),
        b.shape[1],
        b.shape[0],
        (b.shape[1] + 7) // 8,
        jbig2.MAX_GLYPH,
        jbig2.LOG_STRIPS,
        jbig2.REFINE_PERMILLE,
    )
    assert got is not None
    return tuple(got)


def test_near_identical_digits_each_decode_to_their_own_pixels(tmp_path: Path) -> None:
    """The case that made lossy JBIG2 swap digits: an "8" and an "8" one pixel off (a "6"
    closing at scan resolution) fall in one class, coded from one prototype, yet each decodes
    to its own pixels in every decoder. The odd one, a third of the 8s, is worth promoting:
    it becomes a symbol of its own, refined from the prototype in a second dictionary, and
    every odd 8 is placed as exactly it."""
    _tools()
    d = _digits()
    eight = d["8"]
    odd = _grown(eight, _edge_pixels(eight)[:1])
    one = d["1"]
    rows = [[eight if (r + i) % 3 else odd for i in range(16)] + [one] for r in range(6)]
    ink = _nik_page(rows)
    b = _of(ink)
    got = _text_coding(b)
    _, nsyms, _, nsyms2, _, ninstances, rest, _ = got
    assert (nsyms, nsyms2, ninstances, rest) == (2, 1, 6 * 17, None)  # 8 and 1; the odd 8
    stream = jbig2.encode_text(b)
    assert stream is not None and _segment_types(stream) == [48, 0, 0, 7]
    assert_decodes_everywhere(b, stream, tmp_path)
    # ... and the page coder chooses it: it is the smaller coding here.
    assert jbig2.encode(b) == stream
    assert len(stream) < len(jbig2.encode_generic(b) or b"")


def test_a_nik_page_with_scanner_noise_keeps_every_digit(tmp_path: Path) -> None:
    """Rows of 16-digit NIKs, every digit with 0-2 random edge pixels more (scanner noise),
    so most glyphs are refinements; 6 and 8, 1 and 7, 3 and 8 of the same size class side by
    side. Every pixel comes back in every decoder."""
    _tools()
    rng = np.random.default_rng(16)
    d = _digits()
    rows = []
    for _ in range(12):
        row = []
        for ch in "".join(rng.choice(list("0123456789"), 16)):
            g = d[str(ch)]
            edge = _edge_pixels(g)
            picks = rng.choice(len(edge), size=int(rng.integers(0, 3)), replace=False)
            row.append(_grown(g, [edge[i] for i in picks]))
        rows.append(row)
    b = _of(_nik_page(rows))
    stream = jbig2.encode_text(b)
    assert stream is not None
    assert_decodes_everywhere(b, stream, tmp_path)
    assert jbig2.encode(b) == stream


def test_look_alike_symbols_are_refined_from_each_other_in_a_second_dictionary(tmp_path: Path) -> None:
    """A "0" and a slashed "0" are two symbols (too different to share one), but close
    enough that the second is coded as a refinement of the first in a second symbol
    dictionary (T.88 6.5.8.2.2). Both decode to their own pixels everywhere."""
    _tools()
    zero = _digits(40)["0"]
    slashed = _slashed(zero)
    rows = [[zero, slashed] * 6 + [_digits(40)["1"]] for _ in range(3)]
    b = _of(_nik_page(rows, lead=64))
    stream = jbig2.encode_text(b)
    assert stream is not None and _segment_types(stream) == [48, 0, 0, 7]
    assert_decodes_everywhere(b, stream, tmp_path)


def _slashed(zero: np.ndarray) -> np.ndarray:
    slashed = zero.copy()
    h, w = zero.shape
    for y in range(h // 4, 3 * h // 4):
        x = w // 4 + (y - h // 4) * (w // 2) // (h // 2)
        slashed[y, x : x + 3] = True
    return slashed


def test_a_lone_look_alike_is_refined_in_the_text_region_not_a_symbol(tmp_path: Path) -> None:
    """A slashed "0" that occurs once is not worth a symbol number: no second dictionary,
    its glyph is refined in the text region from the "0" symbol, to its own pixels."""
    _tools()
    d = _digits(40)
    zero = d["0"]
    rows = [[zero] * 12 + [d["1"]] for _ in range(3)]
    rows[1][5] = _slashed(zero)
    b = _of(_nik_page(rows, lead=64))
    stream = jbig2.encode_text(b)
    assert stream is not None and _segment_types(stream) == [48, 0, 7]
    assert_decodes_everywhere(b, stream, tmp_path)


def test_promoted_glyphs_chain_in_the_second_dictionary(tmp_path: Path) -> None:
    """Slashed "0"s (a second-dictionary class, refined from the "0") and among them two
    recurring variants, a few pixels more each: the variants are promoted to symbols of their
    own in the second dictionary, refined from the slashed prototype or from each other (a
    chain: each reference decoded before the symbols refined from it), and every copy of a
    variant is placed as exactly it. Every pixel decodes everywhere."""
    _tools()
    d = _digits(40)
    zero, slashed = d["0"], _slashed(d["0"])
    edge = _edge_pixels(slashed)
    v1 = _grown(slashed, edge[:4])
    v2 = _grown(v1, [p for p in _edge_pixels(v1) if p not in edge][:3])
    cycle = [zero, slashed, v1, slashed, v2, zero]
    rows = [[cycle[(r + i) % len(cycle)] for i in range(12)] + [d["1"]] for r in range(6)]
    b = _of(_nik_page(rows, lead=64))
    got = _text_coding(b)
    _, nsyms, _, nsyms2, _, ninstances, _, _ = got
    assert (nsyms, nsyms2, ninstances) == (2, 3, 6 * 13)
    stream = jbig2.encode_text(b)
    assert stream is not None and _segment_types(stream) == [48, 0, 0, 7]
    assert_decodes_everywhere(b, stream, tmp_path)
    assert jbig2.encode(b) == stream


def test_a_glyph_is_refined_from_the_closest_symbol_of_any_class(tmp_path: Path) -> None:
    """A glyph is coded from the symbol it differs least from, whatever class the matcher
    put it in. A "0" with 20 pixels more (g) comes early, when only the "0" class exists, and
    joins it; a "0" with 34 pixels more (y, too far from the "0") then starts a class, and
    the later copies of g, closer to y than to the "0", join that one: its prototype is g
    itself. The early g, 20 pixels off its own prototype, is placed as that symbol, exactly,
    not refined from the "0"; only y is still a refinement. Every pixel decodes everywhere."""
    _tools()
    d = _digits(40)
    zero = d["0"]
    edge = _edge_pixels(zero)
    g = _grown(zero, edge[:: len(edge) // 20][:20])
    y = _grown(g, [p for p in _edge_pixels(g) if p not in edge][::2][:14])
    assert (int((g ^ zero).sum()), int((y ^ g).sum())) == (20, 14)
    rows = [[zero] * 6 + [g, d["1"]], [y] + [g] * 10 + [d["1"]], [zero] * 10 + [d["1"]]]
    b = _of(_nik_page(rows, lead=64))
    _, nsyms, _, nsyms2, _, ninstances, rest, nrefined = _text_coding(b)
    # "0" and "1"; g's class, refined from the "0" in the second dictionary; y refined.
    assert (nsyms, nsyms2, ninstances, rest, nrefined) == (2, 1, 31, None, 1)
    stream = jbig2.encode_text(b)
    assert stream is not None and _segment_types(stream) == [48, 0, 0, 7]
    assert_decodes_everywhere(b, stream, tmp_path)


def test_a_glyph_refined_from_a_one_row_symbol_decodes_in_pdfium(tmp_path: Path) -> None:
    """PDFium decodes a refinement whose reference has the glyph's width, at no horizontal
    offset, on a fast path that reads a vertical offset beyond the reference's height - 1 as 0
    (CJBig2_GRRDProc::DecodeTemplate1Opt); jbig2dec and poppler follow T.88. A rule one row
    high (a form's underline) and rules three rows high with a few pixels more above and
    below: the second of those, 2 pixels off the thin rule when centred on it (one row down)
    and 8 off the first (its class), is refined from the thin rule. Every decoder must give
    back every pixel."""
    _tools()
    w = 100
    page = np.zeros((60, 240), bool)
    page[5, 5 : 5 + w] = True  # the thin rule
    thick = np.zeros((3, w), bool)
    thick[1] = True
    first, second = thick.copy(), thick.copy()
    first[0, [10, 30, 50]] = first[2, [20, 40, 60]] = True
    second[0, 70] = second[2, 80] = True
    page[15:18, 5 : 5 + w] = first
    page[25:28, 5 : 5 + w] = second
    page[40:50, 150:158] = True  # a third shape (two symbols at least)
    b = _of(page)
    _, nsyms, _, _, _, ninstances, rest, nrefined = _text_coding(b)
    # (the thick rules are one class or two, as the matcher's size margin decides; either way
    # one of them is refined from the thin rule one row down)
    assert (ninstances, rest) == (4, None) and nsyms >= 2 and nrefined >= 1
    stream = jbig2.encode_text(b)
    assert stream is not None
    assert_decodes_everywhere(b, stream, tmp_path)


def test_text_region_with_big_components_nested_glyphs_and_edges(tmp_path: Path) -> None:
    """Glyphs, a frame bigger than a glyph (the generic "rest" region), a ring with a dot in
    its box (overlapping boxes: the dot starts left of where the ring ends), glyphs touching
    every edge of the page and glyphs sharing a bottom row but overlapping in x."""
    _tools()
    d = _digits()
    page = np.zeros((300, 420), bool)
    page[5:295, 5] = page[5:295, 400] = page[5, 5:401] = page[294, 5:401] = True  # frame
    yy, xx = np.mgrid[0:40, 0:40]
    ring = np.abs(np.hypot(yy - 20, xx - 20) - 15) < 2
    page[100:140, 100:140] |= ring
    page[118:122, 118:122] = True  # dot inside the ring
    for i, ch in enumerate("3201012345678901"):
        g = d[ch]
        page[60 - g.shape[0] : 60, 20 + 22 * i : 20 + 22 * i + g.shape[1]] |= g
    g = d["7"]
    page[: g.shape[0], : g.shape[1]] |= g  # top-left corner
    page[-g.shape[0] :, -g.shape[1] :] |= g  # bottom-right corner
    page[-g.shape[0] :, 200 : 200 + g.shape[1]] |= g
    page[-g.shape[0] // 2 :, 205 : 205 + g.shape[1]] |= g[: g.shape[0] // 2 + (g.shape[0] % 2)]
    b = _of(page)
    stream = jbig2.encode_text(b)
    assert stream is not None and _segment_types(stream) == [48, 0, 7, 39]
    assert_decodes_everywhere(b, stream, tmp_path)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_random_look_alike_shapes_decode_bit_exact_everywhere(seed: int) -> None:
    """Random shapes of 3-9 pixels and variants of each (1-5 pixels flipped, sometimes a
    row or column more): most pages have look-alike symbols refined from each other in the
    second dictionary and glyphs refined from symbols in the text region."""
    _tools()
    rng = np.random.default_rng(seed)
    page = np.zeros((120, 200), bool)
    shapes = []
    for _ in range(4):
        base = rng.random((int(rng.integers(3, 10)), int(rng.integers(3, 10)))) < 0.6
        shapes.append(base)
        for _ in range(3):
            v = base.copy()
            for _ in range(int(rng.integers(1, 6))):
                v[int(rng.integers(v.shape[0])), int(rng.integers(v.shape[1]))] ^= True
            if rng.random() < 0.3:
                v = np.pad(
                    v, ((int(rng.integers(0, 2)), 0), (0, int(rng.integers(0, 2)))), constant_values=True
                )
            shapes.append(v)
    for bottom in range(15, 120, 18):
        x = 1
        while x < 188:
            g = shapes[int(rng.integers(len(shapes)))]
            page[bottom - g.shape[0] + 1 : bottom + 1, x : x + g.shape[1]] |= g
            x += g.shape[1] + 3
    b = _of(page)
    stream = jbig2.encode_text(b)
    # Random shapes can fall apart into many specks: past one glyph per 8 x 8 pixels the
    # coder's noise rule leaves the page to the generic region (about 1 seed in 1000).
    glyphs = cv2.connectedComponents(page.astype(np.uint8), connectivity=8)[0] - 1
    if glyphs > page.size // 64:
        assert stream is None
        return
    assert stream is not None
    with tempfile.TemporaryDirectory() as tmp:
        assert_decodes_everywhere(b, stream, Path(tmp))


@pytest.mark.parametrize("density", [0.05, 0.3, 0.6])
def test_noise_is_not_glyph_coded(density: float) -> None:
    """Noise (speckle: a glyph every few pixels; or one huge component) is left to the
    generic region, which codes it smaller and without the glyph matcher's work."""
    ink = np.random.default_rng(3).random((400, 400)) < density
    b = _of(ink)
    assert jbig2.encode_text(b) is None
    assert jbig2.encode(b) == jbig2.encode_generic(b)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_random_glyph_pages_decode_bit_exact_everywhere(seed: int) -> None:
    """Random pages of a few random glyph shapes, each copy with 0-3 pixels flipped (near
    duplicates), at random places (overlapping, clipped by the edges), sometimes a rule
    longer than a glyph."""
    _tools()
    rng = np.random.default_rng(seed)
    h, w = int(rng.integers(8, 160)), int(rng.integers(8, 260))
    page = np.zeros((h, w), bool)
    shapes = [
        rng.random((int(rng.integers(1, 14)), int(rng.integers(1, 14)))) < 0.6
        for _ in range(int(rng.integers(1, 5)))
    ]
    for _ in range(int(rng.integers(2, 80))):
        g = shapes[int(rng.integers(len(shapes)))].copy()
        for _ in range(int(rng.integers(0, 4))):
            g[int(rng.integers(g.shape[0])), int(rng.integers(g.shape[1]))] ^= True
        y, x = int(rng.integers(0, h)), int(rng.integers(0, w))
        part = page[y : y + g.shape[0], x : x + g.shape[1]]
        part |= g[: part.shape[0], : part.shape[1]]
    if rng.random() < 0.3:
        page[int(rng.integers(h)), :] = True
    b = _of(page)
    stream = jbig2.encode_text(b)
    if stream is None:  # fewer than two glyph shapes
        return
    with tempfile.TemporaryDirectory() as tmp:
        assert_decodes_everywhere(b, stream, Path(tmp))


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


def test_a_text_region_pdfium_misreads_falls_back_to_the_generic_region(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """When the text-region stream of a page does not decode back, the page's generic-region
    stream (checked the same way) is used before CCITT G4."""
    real = pdf.jbig2_pixels
    seen: list[bool] = []

    def text_regions_fail(img: pdf.Jbig2Image) -> np.ndarray:
        seen.append(jbig2.is_generic(img.stream))
        if not jbig2.is_generic(img.stream):
            raise pdfium.PdfiumError("bad stream")
        return real(img)

    monkeypatch.setattr(pdf, "jbig2_pixels", text_regions_fail)
    with caplog.at_level(logging.WARNING, logger="desa_capil.scan.pipeline"):
        out = pipeline.process(_scan(), auto_orient=True)
    assert seen == [False, True]  # the text region was tried first, then the generic region
    assert out.mime == "application/pdf" and out.mode == "bilevel"
    doc = pikepdf.open(io.BytesIO(out.data))
    (image,) = doc.pages[0].Resources.XObject.values()
    assert image.Filter == "/JBIG2Decode" and jbig2.is_generic(image.read_raw_bytes())
    assert "could not be decoded back" in caplog.text


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
