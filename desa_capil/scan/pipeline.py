"""The page pipeline: a raw page in, one small, readable, upright page image out.

Steps (pure functions, no Qt, safe to run on worker threads):

1. EXIF orientation, then the user's quarter turn (``rotate``).
2. Find the paper on a ~1000 px copy: for a scan, crop to the paper and straighten it; for a
   phone photo, find the sheet's four corners, measure its true proportion through the
   perspective and map it to what it is: an A4/F4 page, an ID-1 card (KTP-el), a photo print
   or paper of another proportion, never stretched to another shape. A candidate that does not
   look like paper seen by a camera is refused: the whole picture, deskewed, beats a wrong crop.
3. On the page at ``ANALYSIS_DPI``: measure the text skew, estimate the lighting (paper
   brightness) and decide the colour mode: colour only where a stamp or photo needs it
   (significant saturated regions), gray where there is continuous tone, bilevel otherwise.
4. Resample the full-resolution picture *once* with the composed transform, straight to the
   output resolution of the chosen mode; divide out the lighting (shadows, yellow light).
5. Encode. A text page is bilevel, at 200 dpi for ordinary print and up to 300 dpi for small
   print (``bilevel_dpi``): a one-page PDF of one lossless JBIG2 image (``jbig2.py``: a
   symbol dictionary and a text region that refines every glyph to its own pixels, or a
   generic region for handwriting and noise; ~0.55x the bytes of G4), or a CCITT G4 TIFF
   where JBIG2 is not built or does not decode back to the same pixels (``_encode_bilevel``).
   Every bilevel layer below is coded the same way (coloured-ink masks as a generic region). A page with a stamp or a photo is a *mixed*
   page, a one-page PDF in layers (mixed raster content, as in DjVu): the bilevel page as
   black ink; coloured ink (a stamp however pale, a signature, coloured pens) as its own
   bilevel mask painted with its colour at 50 dpi (``_ink_layer``); a picture (a photo, or
   a region that is not clearly ink) as a JPEG patch (150 dpi) that keeps every tone.
   A page that is mostly picture is one JPEG at 150 dpi (300 for a card or pas foto); picture
   regions keep their natural colour and contrast (no paper whitening). All of these go into the
   document's PDF unchanged (see ``pdf.py``). Why: a full-page JPEG of a stamped letter is
   ~150 KB at 150 dpi, a G4 page with the stamp as a JPEG patch ~45-55 KB, the layered page
   ~30 KB; JPEG 2000 at that size smears 8-pt print (BENCHMARKS.md "## Pages").
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import math
import warnings
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt
from PIL import ExifTags, Image, ImageOps

from desa_capil.api.models import file_extension
from desa_capil.errors import BadInputError
from desa_capil.scan import geometry, jbig2, orientation, pdf
from desa_capil.scan.sources import RawPage

log = logging.getLogger(__name__)

#: OpenCV runs each call on one thread. Its thread pool splits a call of a few milliseconds
#: (a Canny pass, a resize, a labelling) over both cores and its workers spin between calls:
#: on the benchmark pages that costs 4-12 % more CPU a page than one thread, for the same
#: bytes (BENCHMARKS.md "Pages: CPU fifth pass"). A page is one task among others on a
#: 2-core office PC (the UI, the sync): the CPU it takes is what counts, not its wall time.
#: (Set when the page pipeline is imported: this package is OpenCV's only user.)
cv2.setNumThreads(1)

Mode = Literal["color", "gray", "bilevel"]
U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]

#: Output resolution per mode. Bilevel needs the resolution to keep letter shapes (8-pt text
#: at 150 dpi bilevel loses its counters); gray and colour keep them through antialiasing.
#: The bilevel figure is the most a page gets: ``bilevel_dpi`` lowers it for ordinary print.
OUTPUT_DPI: dict[str, int] = {"bilevel": 300, "gray": 150, "color": 150}
#: Bilevel resolution by the size of the print (median glyph height on the analysis page,
#: ``text_height``): 10-pt print and larger (>= 8 px at 100 dpi) keeps every word at 200 dpi
#: (fax "fine", the usual archive minimum), and G4 costs grow with the resolution (200 dpi is
#: 0.66x the bytes of 300); 8-9 pt print needs 240, smaller print 300. Measured on the real
#: and drawn corpus with tesseract word recall (BENCHMARKS.md "Pages on real papers").
TEXT_DPI_STEPS: tuple[tuple[float, int], ...] = ((8.0, 200), (6.0, 240))
#: A small object on its own (a KTP-el card, a pas foto: long side under ``SMALL_LONG_IN``)
#: is worth more pixels per inch: a card's 6-pt print and a 3x4 cm face need them, and the
#: page stays small anyway (a card is 1/17 of an A4 page).
SMALL_OUTPUT_DPI: dict[str, int] = {"bilevel": 400, "gray": 300, "color": 300}
SMALL_LONG_IN = 5.0
CARD_RATIO = geometry.CARD_SIZE_IN[0] / geometry.CARD_SIZE_IN[1]
JPEG_QUALITY: dict[str, int] = {"gray": 60, "color": 55}
#: Resolution of the page copy on which skew, lighting and colour are measured.
ANALYSIS_DPI = 100
#: Long side of the copy on which the paper's edges are searched.
DETECT_LONG_SIDE = 1000
#: Largest skew corrected automatically; beyond that the page is probably meant that way
#: (or is a photo whose perspective was not found) and the user can rotate it.
MAX_SKEW_DEG = 10.0

#: Colour decision: the smallest patch that counts (share of the page, bounding box): a 4 cm
#: stamp is ~2.6 %, a 3x4 cm photo ~1.9 %.
COLOR_MIN_REGION = 0.006
#: Coloured ink: the smallest CIELAB chroma that counts (paper is neutral after the
#: lighting correction, within ~5; a lightly pressed blue stamp is ~20), and the least ink
#: in a region (square inches; a 4 cm ring stamp 0.5 mm thick is ~0.1, a signature more).
COLOR_MIN_CHROMA = 9.0
COLOR_MIN_INK_IN2 = 0.04
#: Colours of a region must agree this much (see ``_hue_coherence``): one ink ~0.9, a stamp
#: over a photo still > 0.5, fringes along black print ~0.1-0.3.
COLOR_MIN_COHERENCE = 0.5
#: Blobs of fewer pixels (analysis page) are specks, not part of any region.
REGION_MIN_BLOB = 6
#: Gray decision: continuous-tone area (share of the page), and the spread of its levels
#: below which it is a flat fill (a shaded table row), not a picture.
GRAY_MIN_REGION = 0.01
GRAY_MIN_SPREAD = 10.0
#: ... and the band below those in which the pipeline is unsure, so the region stays gray
#: (``tone_verdict``).
GRAY_UNSURE_REGION = 0.004
GRAY_UNSURE_SPREAD = 7.5
#: A continuous-tone region longer than this for its height is a band (a shaded table row).
BAND_ASPECT = 4.0
#: Colour/gray patches of a mixed page: margin around the region, JPEG quality (the patches
#: are small, so they can afford a good quality), and the share of the page above which one
#: full-page image is used instead.
PATCH_MARGIN_IN = 0.12
PATCH_JPEG_QUALITY = 70
MAX_MIXED_COVER = 0.45
#: A colour region is ink (see ``region_kind``) when at most this share of it is continuous
#: tone and at most this share is inked; anything else keeps every tone in a JPEG patch.
INK_MAX_TONE = 0.05
INK_MAX_COVER = 0.35
#: Ink layers: chroma from which a pixel is coloured ink even where it is too pale for the
#: bilevel threshold, and the resolution and JPEG quality of the ink's colour: one colour
#: per half millimetre for a stamp or a signature (1-3 KB), one per millimetre for a region
#: larger than ``INK_WIDE_IN2`` (a page of coloured handwriting: 36 KB of colour at 50 dpi,
#: 9 at 25), as DjVu's foreground; ink has one colour per stroke.
INK_MASK_CHROMA = 14.0
#: Neutral ink darker than this (and its edges) is black print, also inside a colour region.
INK_BLACK_LEVEL = 110
INK_COLOUR_DPI = 50
INK_WIDE_COLOUR_DPI = 25
INK_WIDE_IN2 = 12.0
INK_COLOUR_QUALITY = 60
#: Coloured ink regions covering at least this share of the page (a page of blue
#: handwriting) are cut from one colour resampling of the whole page, which also gives the
#: page's gray: cheaper than a gray page plus colour regions of nearly its area.
SHARED_RENDER_SHARE = 0.5
#: Frame of the page that never decides the colour mode (inches).
FRAME_IGNORE_IN = 0.12
#: Binarisation: neighbourhood (inches, ~2 mm) in which ink and paper levels are measured,
#: the smallest ink/paper difference that counts as print (sensor and JPEG noise on flat
#: paper stay under ~20 after the blur), and the paper level below which the neighbourhood
#: is a dark area (black box, photo) rather than paper with ink on it.
BINARIZE_WINDOW_IN = 0.08
BINARIZE_MIN_CONTRAST = 30
BINARIZE_MIN_PAPER = 120
#: Frame of a bilevel page that is always blank (inches).
EDGE_CLEAR_IN = 0.08


@dataclass(frozen=True)
class ProcessedPage:
    """A finished page image, ready for the blob store, a PDF and the upload."""

    data: bytes
    mime: str
    width: int
    height: int
    dpi: int
    mode: Mode
    sha256: str
    #: Skew (degrees) that was corrected, and whether the paper's edges were found.
    skew_deg: float = 0.0
    paper_found: bool = False
    #: Clockwise quarter turn (degrees) the pipeline found and applied to make the print
    #: upright (``auto_orient``), on top of ``rotate``; 0 when it left the page as it came.
    turn: int = 0
    #: What the paper was taken for: "page", "card", "picture", "other" or "frame" (see
    #: ``geometry.PaperFit``), or what the caller asked for with ``size``.
    kind: str = "page"

    @property
    def extension(self) -> str:
        return file_extension(self.mime)

    def image(self) -> Image.Image:
        """The page as a picture again (for previews, thumbnails and tests).

        A mixed page (PDF: bilevel text with colour patches) is rendered at its base dpi.
        """
        if self.mime == "application/pdf":
            return pdf.render_page(self.data, self.dpi)
        im = Image.open(io.BytesIO(self.data))
        im.load()
        return im


@dataclass(frozen=True)
class Thumbnail:
    data: bytes
    mime: str
    width: int
    height: int


# --- public functions ------------------------------------------------------------------------


#: EXIF orientation values that ask for a turn or a flip (1: upright as stored).
_EXIF_TURNS = frozenset(range(2, 9))


def orient(image: Image.Image) -> Image.Image:
    """The picture turned upright as its EXIF orientation tag says (phones set it)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            image.load()
            if image.getexif().get(ExifTags.Base.Orientation, 1) in _EXIF_TURNS:
                out = ImageOps.exif_transpose(image)
            else:
                # Upright as stored: the picture itself. (``exif_transpose`` would copy it,
                # ~3-6 ms for a 6-12 MP photo; nothing here changes the picture it is given.)
                out = image
        except Exception:  # noqa: BLE001 - a broken EXIF block must not lose the page; use it as is
            log.warning("EXIF orientation unreadable; page kept as stored")
            return image
    for w in caught:
        log.info("EXIF: %s", w.message)
    return out if out is not None else image


def rotate_quarter(image: Image.Image, degrees: int) -> Image.Image:
    """Turn by a multiple of 90 degrees, clockwise as the user sees it. Lossless."""
    d = degrees % 360
    if d not in (0, 90, 180, 270):
        raise BadInputError(
            "Putaran halaman harus 0, 90, 180 atau 270 derajat.",
            "Page rotation must be 0, 90, 180 or 270 degrees.",
            detail=str(degrees),
        )
    ops = {
        90: Image.Transpose.ROTATE_270,
        180: Image.Transpose.ROTATE_180,
        270: Image.Transpose.ROTATE_90,
    }
    return image if d == 0 else image.transpose(ops[d])


def process(
    raw: RawPage,
    rotate: int = 0,
    *,
    mode: Mode | None = None,
    auto_orient: bool = False,
    size: geometry.SizeChoice | None = None,
) -> ProcessedPage:
    """Turn a raw page into the page file that is stored and sent.

    ``rotate``: extra clockwise quarter turns the user asked for (0/90/180/270).
    ``mode``: force "color", "gray" or "bilevel" for the whole page; ``None`` decides from
    the page, and then colour/gray is used only for the regions that need it.
    ``auto_orient``: turn a text page upright when its print says clearly which way is up
    (``orientation.detect``); the turn is reported in ``ProcessedPage.turn``. Callers pass it
    for a page as it arrives, and not when the user has chosen a rotation: the user wins.
    ``size``: the user's correction of what the paper is ("original": the whole picture as
    captured, "card", "page"; see ``geometry.SIZE_CHOICES``); ``None`` decides from the page.
    """
    img = rotate_quarter(orient(raw.image), rotate)
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    src: U8 = np.asarray(img)
    a = _analyse(src, raw, auto_orient=auto_orient, size=size)
    dpis = output_dpi(a.aw / ANALYSIS_DPI, a.ah / ANALYSIS_DPI, text_height(a.flat_gray))
    picture = False
    if mode is None:
        chosen, regions = decide_regions(a.flat, a.flat_gray, is_color=src.ndim == 3)
    else:
        chosen, regions = mode, []
    ink_boxes: list[Box] = []
    pic_boxes: list[Box] = []
    if chosen != "bilevel" and regions:
        for r in regions:
            ink = chosen == "color" and region_kind(a.flat_gray, r) == "ink"
            (ink_boxes if ink else pic_boxes).append(_box_on_page(r, a))
        covered = _area(pic_boxes) / float(a.aw * a.ah)
        if covered > MAX_MIXED_COVER:
            # Mostly picture (a pas foto, a photo print): one full-page image is smaller and
            # simpler, and it keeps the picture's own light and colour.
            regions, picture = [], True
    if chosen == "bilevel" or regions:
        base_dpi = dpis["bilevel"]
        colour_page = None
        if src.ndim == 3 and _area(ink_boxes) >= SHARED_RENDER_SHARE * a.aw * a.ah:
            # Coloured ink over most of the page (a page of blue handwriting): resample the
            # picture once, in colour; the ink layers are cut from it and the page's gray is
            # made from it, instead of a gray page plus a colour one of nearly the same area.
            colour_page = _render(src, a, base_dpi, color=True, flatten=False)
            gray = _render(src, a, base_dpi, color=False, resampled=_to_gray(colour_page))
        else:
            gray = _render(src, a, base_dpi, color=False)
        binary = _clear_edges(_binarize(gray, base_dpi), base_dpi)
        if chosen == "bilevel":
            layer = _encode_bilevel(binary, base_dpi)
            if isinstance(layer, bytes):
                return _page(layer, "image/tiff", a, base_dpi, "bilevel")
            plain = pdf.mrc_page_pdf(layer, layer.width / base_dpi, layer.height / base_dpi, [], [])
            return _page(plain, "application/pdf", a, base_dpi, "bilevel")
        k = base_dpi / ANALYSIS_DPI
        patches = []
        for b in pic_boxes:
            patches.append(_patch(src, a, b, chosen, dpis[chosen]))
            # The patch covers this part of the page: its bilevel copy would be bytes for nothing.
            binary[round(b[1] * k) : round(b[3] * k), round(b[0] * k) : round(b[2] * k)] = 255
        inks = [_ink_layer(src, a, b, binary, base_dpi, colour_page) for b in ink_boxes]
        data = pdf.mrc_page_pdf(
            _encode_bilevel(binary, base_dpi),
            binary.shape[1] / base_dpi,
            binary.shape[0] / base_dpi,
            inks,
            patches,
        )
        return _page(data, "application/pdf", a, base_dpi, chosen)
    dpi = dpis[chosen]
    page = _render(src, a, dpi, color=chosen == "color", flatten=not picture)
    if picture:
        page = _highlights(_white_balance(page) if raw.is_photo and page.ndim == 3 else page)
    else:
        page = _levels(page)
    return _page(_encode_jpeg(page, dpi, JPEG_QUALITY[chosen]), "image/jpeg", a, dpi, chosen)


def output_dpi(width_in: float, height_in: float, text_px: float | None = None) -> dict[str, int]:
    """Output resolution per mode for a page of this physical size, whose print is
    ``text_px`` high (``text_height``; ``None``: not measured, the most resolution)."""
    if max(width_in, height_in) < SMALL_LONG_IN:
        return SMALL_OUTPUT_DPI
    return {**OUTPUT_DPI, "bilevel": bilevel_dpi(text_px)}


def bilevel_dpi(text_px: float | None) -> int:
    """Bilevel resolution of a page whose glyphs are ``text_px`` high at ``ANALYSIS_DPI``."""
    if text_px is not None:
        for least, dpi in TEXT_DPI_STEPS:
            if text_px >= least:
                return dpi
    return OUTPUT_DPI["bilevel"]


def text_height(flat_gray: U8) -> float | None:
    """Median height (analysis pixels) of the glyph-shaped ink blobs of a page, or ``None``
    when there are too few to say (a page of pictures, an empty page).

    Blobs of 3-40 px high and at most about twice as wide are letters, digits or short
    groups of them; rules, words run together and specks are left out.
    """
    ink = (flat_gray < 170).astype(np.uint8)
    _blank_frame(ink)
    n, _, stats = geometry.blob_stats(ink)
    h, w = stats[1:, 3], stats[1:, 2]
    glyph = (h >= 3) & (h <= 40) & (w >= 2) & (w <= 2 * h + 2)
    if int(glyph.sum()) < 30:
        return None
    return float(np.median(h[glyph]))


@dataclass(frozen=True)
class _Analysis:
    """The page geometry and the page measured at ``ANALYSIS_DPI``."""

    m_an: npt.NDArray[np.float64]  # source pixels -> analysis page (before deskew)
    m_rot: npt.NDArray[np.float64]  # deskew rotation on the analysis page
    aw: int
    ah: int
    skew: float
    found: bool
    kind: str
    turn: int
    bg: U8  # paper brightness on the analysis page (before deskew)
    flat: U8  # lighting-corrected analysis page
    flat_gray: U8

    @functools.cached_property
    def bg_page(self) -> U8:
        """``bg`` on the deskewed analysis page (made once: the page and each patch use it)."""
        if np.array_equal(self.m_rot, np.eye(3)):
            return self.bg  # no skew: the warp would copy it pixel for pixel
        return _warp(self.bg, self.m_rot, self.aw, self.ah, border=None)


def _analyse(
    src: U8, raw: RawPage, *, auto_orient: bool = False, size: geometry.SizeChoice | None = None
) -> _Analysis:
    h, w = src.shape[:2]
    k_det = min(1.0, DETECT_LONG_SIDE / max(h, w))
    small = _reduce(src, k_det)
    fit = geometry.fit_paper(small, k_det, w, h, is_photo=raw.is_photo, dpi=raw.dpi, size=size)
    m_an, aw, ah = geometry.page_transform(fit, ANALYSIS_DPI)
    # The analysis page comes from the small copy: it has enough pixels for 100 dpi.
    an = _warp(small, m_an @ geometry.scale_matrix(1.0 / k_det), aw, ah)
    bg = _background(an)
    flat = _divide(an, bg)
    flat_gray = _to_gray(flat)
    turn = 0
    # Only pages: a card's print is short lines of capitals (no ascenders to read, and
    # wrong guesses there are worse than none), a photo print has no print at all.
    long_in, short_in = max(fit.width_in, fit.height_in), min(fit.width_in, fit.height_in)
    card_like = long_in < SMALL_LONG_IN and abs(long_in / max(short_in, 1e-6) / CARD_RATIO - 1.0) < 0.08
    if auto_orient and not card_like and fit.kind not in ("card", "picture"):
        turn = orientation.detect(flat_gray).turn
        if turn:
            m_an = quarter_turn(turn, aw, ah) @ m_an
            k = -turn // 90
            bg, flat, flat_gray = (np.ascontiguousarray(np.rot90(x, k)) for x in (bg, flat, flat_gray))
            if turn != 180:
                aw, ah = ah, aw
    skew = geometry.estimate_skew(_ink(flat_gray, border=0.04), MAX_SKEW_DEG)
    if abs(skew) < 0.05 or fit.kind in ("card", "picture"):
        # A card's or a photo print's own edges say where horizontal is; print on a card is
        # often askew (a KTP's lines, a stamp), and following it would turn the card.
        skew = 0.0
    m_rot = geometry.rotation_about_centre(skew, aw, ah)
    return _Analysis(m_an, m_rot, aw, ah, skew, fit.found, fit.kind, turn, bg, flat, flat_gray)


def quarter_turn(turn: int, w: int, h: int) -> npt.NDArray[np.float64]:
    """3x3 matrix that turns a w x h picture clockwise by ``turn`` (90/180/270) degrees, in
    the pixel convention of ``np.rot90`` (so that the matrix and the turned arrays agree)."""
    if turn == 90:
        return np.array([[0.0, -1.0, h - 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    if turn == 180:
        return np.array([[-1.0, 0.0, w - 1.0], [0.0, -1.0, h - 1.0], [0.0, 0.0, 1.0]])
    if turn == 270:
        return np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, w - 1.0], [0.0, 0.0, 1.0]])
    return np.eye(3)


def _render(
    src: U8,
    a: _Analysis,
    dpi: int,
    *,
    color: bool,
    box: tuple[int, int, int, int] | None = None,
    flatten: bool = True,
    resampled: U8 | None = None,
) -> U8:
    """Resample the full picture once, straight to the (part of the) output page at ``dpi``.

    ``box`` (analysis-page pixels, after deskew) selects a region; default the whole page.
    ``flatten``: divide out the local lighting (paper white, shadows gone). Off for a page
    that is a picture: its dark and light areas are its content, not the lighting.
    ``resampled``: the picture already resampled to this (part of the) page, not flattened
    (cut from a render of the whole page); only the lighting is then divided out.
    """
    k = dpi / ANALYSIS_DPI
    x0, y0, x1, y1 = box or (0, 0, a.aw, a.ah)
    if resampled is not None:
        return _flatten(resampled, a, box) if flatten else resampled
    shift = np.array([[1.0, 0.0, -x0 * k], [0.0, 1.0, -y0 * k], [0.0, 0.0, 1.0]])
    m = shift @ geometry.scale_matrix(k) @ a.m_rot @ a.m_an
    ow, oh = max(1, round((x1 - x0) * k)), max(1, round((y1 - y0) * k))
    work: U8 = src
    if box is not None:
        # Only the part of the picture the patch comes from: resampling and colour conversion
        # of the whole 300 dpi scan for a 4 cm stamp would cost more than the stamp.
        inv = np.linalg.inv(m)
        corners = np.array([[0, 0, 1], [ow, 0, 1], [ow, oh, 1], [0, oh, 1]], dtype=np.float64).T
        pts = inv @ corners
        xs, ys = pts[0] / pts[2], pts[1] / pts[2]
        h, w = src.shape[:2]
        sx0, sy0 = max(0, int(xs.min()) - 4), max(0, int(ys.min()) - 4)
        sx1, sy1 = min(w, int(math.ceil(xs.max())) + 4), min(h, int(math.ceil(ys.max())) + 4)
        if sx1 > sx0 and sy1 > sy0:
            work = src[sy0:sy1, sx0:sx1]
            m = m @ np.array([[1.0, 0.0, sx0], [0.0, 1.0, sy0], [0.0, 0.0, 1.0]])
    if not color and work.ndim == 3:
        work = _to_gray(work)
    # A big reduction (600 dpi scan to 150 dpi) first goes through an area average: the
    # warp's bilinear sampling would alias fine print otherwise.
    reduction = _scale_of(m)
    if reduction < 0.7:
        work = _resize(work, reduction * 1.15)
        m = m @ geometry.scale_matrix(1.0 / (reduction * 1.15))
    page = _warp(work, m, ow, oh)
    return _flatten(page, a, box) if flatten else page


def _flatten(page: U8, a: _Analysis, box: Box | None) -> U8:
    """Divide the lighting out of a page (or the part ``box`` of it) resampled by ``_render``."""
    x0, y0, x1, y1 = box or (0, 0, a.aw, a.ah)
    oh, ow = page.shape[:2]
    bg = a.bg_page[y0:y1, x0:x1]
    if page.ndim == 2 and bg.ndim == 3:
        bg = _to_gray(bg)
    if box is not None:
        # A patch (stamp, photo) is small: the lighting over it is nearly even, while the
        # local estimate would "correct" a photo's own dark areas. One level per channel
        # (each channel's values on their own: the same percentile, ~3x faster).
        chans = [bg] if bg.ndim == 2 else [bg[:, :, c] for c in range(bg.shape[2])]
        level = np.array([percentile_u8(c, 95) for c in chans])
        return _divide_by_level(page, np.maximum(level, 1.0).astype(np.uint8))
    bg = np.asarray(cv2.resize(bg, (ow, oh), interpolation=cv2.INTER_LINEAR), dtype=np.uint8)
    return _divide(page, bg)


def _area(boxes: list[Box]) -> int:
    return sum((b[2] - b[0]) * (b[3] - b[1]) for b in boxes)


def _box_on_page(r: tuple[int, int, int, int], a: _Analysis) -> tuple[int, int, int, int]:
    """A region found before deskew, as a box on the deskewed analysis page, with a margin."""
    x0, y0, x1, y1 = r
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64).T
    q = (a.m_rot @ pts)[:2]
    m = round(PATCH_MARGIN_IN * ANALYSIS_DPI)
    return (
        max(0, int(q[0].min()) - m),
        max(0, int(q[1].min()) - m),
        min(a.aw, int(math.ceil(q[0].max())) + m),
        min(a.ah, int(math.ceil(q[1].max())) + m),
    )


def _patch(src: U8, a: _Analysis, box: tuple[int, int, int, int], mode: Mode, dpi: int) -> pdf.Patch:
    # The patch was already divided by the paper level around it (one gain per channel, which
    # removes a colour cast without touching the picture's contrast); only the near-white
    # paper is pushed to white so that the patch meets the bilevel page without a seam.
    pixels = _render(src, a, dpi, color=mode == "color", box=box)
    # Only near-white goes to white: a lightly pressed stamp (gray ~200) must keep every
    # level it has, and a photo its own contrast.
    pixels = _highlights(pixels)
    if mode == "gray" and pixels.ndim == 3:
        pixels = _to_gray(pixels)
    x0, y0, x1, y1 = box
    return pdf.Patch(
        jpeg=_encode_jpeg(pixels, dpi, PATCH_JPEG_QUALITY),
        x_in=x0 / ANALYSIS_DPI,
        y_in=y0 / ANALYSIS_DPI,
        w_in=(x1 - x0) / ANALYSIS_DPI,
        h_in=(y1 - y0) / ANALYSIS_DPI,
    )


def region_kind(flat_gray: U8, r: Box) -> Literal["ink", "picture"]:
    """What a colour region is: coloured "ink" on paper (a stamp, a signature, coloured
    pens: thin strokes, paper between them, no continuous tone) or a "picture" (a photo, a
    printed picture). Ink goes out as its bilevel shape painted in its colour (``_ink_layer``);
    a picture, and a region that is not clearly ink, as a JPEG patch that keeps every tone.

    Measured on the corpus: stamps and handwriting have no continuous tone (< 0.01 of the
    region) and ink on 8-26 % of it; photos and cards 23-45 % continuous tone, 47-76 % ink.
    """
    x0, y0, x1, y1 = r
    sub = flat_gray[y0:y1, x0:x1]
    if sub.size == 0:
        return "picture"
    tone = float(_tone_mask(sub).mean())
    inked = float((sub < 215).mean())
    return "ink" if tone <= INK_MAX_TONE and inked <= INK_MAX_COVER else "picture"


def _ink_layer(
    src: U8, a: _Analysis, box: Box, binary: U8, dpi: int, colour_page: U8 | None = None
) -> pdf.InkLayer:
    """A coloured ink region as a mask at the page's resolution and its colour at
    ``INK_COLOUR_DPI`` (``INK_WIDE_COLOUR_DPI`` for a big region); the region's ink is taken out of the page's black ``binary``.

    The mask is the page's own bilevel ink there (the local threshold already keeps a pale
    stamp's strokes) plus every clearly coloured pixel (a stamp lighter still), less black
    print (dark neutral strokes), which stays in the black layer. The colour
    of each cell is the mean colour of its ink pixels, not of ink and paper together, so a
    thin pale ring keeps its hue instead of fading to white; cells without ink take the
    colour around them, which costs the JPEG nothing.
    """
    k = dpi / ANALYSIS_DPI
    px0, py0 = round(box[0] * k), round(box[1] * k)
    if colour_page is None:
        rgb = _render(src, a, dpi, color=True, box=box)
    else:
        # Cut from the page resampled in colour (``process``), on the pixels of ``binary``.
        cut = colour_page[py0 : py0 + round((box[3] - box[1]) * k), px0 : px0 + round((box[2] - box[0]) * k)]
        rgb = _render(src, a, dpi, color=True, box=box, resampled=cut)
    h = min(rgb.shape[0], binary.shape[0] - py0)
    w = min(rgb.shape[1], binary.shape[1] - px0)
    rgb = np.ascontiguousarray(rgb[:h, :w])
    region = binary[py0 : py0 + h, px0 : px0 + w]
    ca, cb = _chroma_ab(rgb)
    chroma = cv2.magnitude(ca, cb)
    light = _to_gray(rgb)
    # Black print crossing a stamp (dark neutral strokes and their edges) stays in the black
    # layer, sharp: a colour layer at 50 dpi would grey a thin black rule. Every other ink,
    # coloured or pale (a pale stamp, pencil, a blue pen), is painted in its own colour.
    neutral = chroma < COLOR_MIN_CHROMA
    core = (neutral & (light < INK_BLACK_LEVEL)).astype(np.uint8)
    black = (region < 128) & neutral & (cv2.dilate(core, np.ones((3, 3), np.uint8)) > 0)
    ink = ((region < 128) | ((chroma >= INK_MASK_CHROMA) & (light < 240))) & ~black
    mask = np.multiply(~ink, 255, dtype=np.uint8)  # ink 0, paper 255
    np.copyto(region, np.uint8(255), where=ink)
    wide_region = w * h / float(dpi * dpi) > INK_WIDE_IN2
    colour_dpi = INK_WIDE_COLOUR_DPI if wide_region else INK_COLOUR_DPI
    kc = colour_dpi / dpi
    size = (max(1, round(w * kc)), max(1, round(h * kc)))
    m = ink.astype(np.float32)
    # The ink's colour and 0 elsewhere (= rgb x m, m being 0 or 1), without a float product.
    inked = cv2.bitwise_and(rgb, rgb, mask=ink.view(np.uint8))
    num = cv2.resize(inked.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    den = cv2.resize(m, size, interpolation=cv2.INTER_AREA)[:, :, None]
    wide = max(3, round(colour_dpi * 0.2)) | 1
    num_w = cv2.blur(num, (wide, wide))
    den_w = cv2.blur(den[:, :, 0], (wide, wide))[:, :, None]
    around = np.where(den_w > 1e-4, num_w / np.maximum(den_w, 1e-4), 255.0)
    colour = np.where(den > 0.02, num / np.maximum(den, 1e-4), around)
    fg = np.clip(colour, 0, 255).astype(np.uint8)
    return pdf.InkLayer(
        # Coloured ink is stamps, signatures and handwriting: shapes that do not repeat, which
        # a symbol dictionary does not pay for (the generic region won on every ink layer of
        # the benchmark pages), so its text-region coding is not tried.
        mask=_encode_bilevel(mask, dpi, glyphs=False),
        colour=_encode_jpeg(fg, colour_dpi, INK_COLOUR_QUALITY),
        x_in=px0 / dpi,
        y_in=py0 / dpi,
        w_in=w / dpi,
        h_in=h / dpi,
    )


def _page(data: bytes, mime: str, a: _Analysis, dpi: int, mode: Mode) -> ProcessedPage:
    k = dpi / ANALYSIS_DPI
    return ProcessedPage(
        data=data,
        mime=mime,
        width=max(1, round(a.aw * k)),
        height=max(1, round(a.ah * k)),
        dpi=dpi,
        mode=mode,
        sha256=hashlib.sha256(data).hexdigest(),
        skew_deg=a.skew,
        paper_found=a.found,
        turn=a.turn,
        kind=a.kind,
    )


def thumbnail(
    page: ProcessedPage | RawPage | Image.Image, max_side: int = 240, quality: int = 70
) -> Thumbnail:
    """A small JPEG (long side ``max_side``) for lists and previews."""
    if isinstance(page, ProcessedPage):
        im = page.image()
    elif isinstance(page, RawPage):
        im = orient(page.image)
    else:
        im = orient(page)
    if im.mode not in ("RGB", "L"):
        im = im.convert("L" if im.mode == "1" else "RGB")
    im = im.copy()
    # reducing_gap: Pillow first shrinks by an integer factor (fast, the JPEG draft way for
    # big pictures), then resamples properly.
    im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=2.0)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, optimize=True)
    return Thumbnail(buf.getvalue(), "image/jpeg", im.width, im.height)


def decide_mode(flat: U8, flat_gray: U8, *, is_color: bool) -> Mode:
    """Colour, gray or bilevel for a lighting-corrected page at ``ANALYSIS_DPI``."""
    return decide_regions(flat, flat_gray, is_color=is_color)[0]


def decide_regions(
    flat: U8, flat_gray: U8, *, is_color: bool
) -> tuple[Mode, list[tuple[int, int, int, int]]]:
    """The page's mode and the regions (x0, y0, x1, y1 in analysis pixels) that need it.

    Colour: coloured ink that matters (a stamp however lightly pressed, a blue signature, a
    photo, a coloured seal): enough coloured pixels (see ``colour_ink``) in a region of some
    size, whose colours agree. The colour fringes of a phone JPEG along black print come in
    opposite pairs (red on one side of a stroke, blue on the other) and average to gray.
    Gray: a region of continuous tone (a black-and-white photo, a shaded box): mid-gray pixels
    in a smooth neighbourhood. The antialiased edges of text are mid-gray too, but always sit
    next to paper white or ink black, so their neighbourhood is not smooth.
    Bilevel otherwise: text, tables, handwriting (no regions).
    """
    h, w = flat_gray.shape
    area = float(h * w)
    if is_color and flat.ndim == 3:
        a, b = _chroma_ab(flat)
        coloured = colour_ink(flat, (a, b))
        _blank_frame(coloured)
        min_ink = COLOR_MIN_INK_IN2 * ANALYSIS_DPI * ANALYSIS_DPI
        regions = [
            r
            for r in _regions(coloured, COLOR_MIN_REGION * area, min_pixels=min_ink)
            if _hue_coherence(a, b, coloured, r) >= COLOR_MIN_COHERENCE
        ]
        if regions:
            return "color", regions
    tone = _tone_mask(flat_gray)
    _blank_frame(tone)
    if float(tone.mean()) >= GRAY_UNSURE_REGION:
        regions = []
        for r in _regions(tone, GRAY_UNSURE_REGION * area):
            w, h = r[2] - r[0], r[3] - r[1]
            verdict = tone_verdict(
                _tone_spread(flat_gray, tone, r), w * h / area, max(w, h) / max(1, min(w, h))
            )
            if verdict != "flat":
                if verdict == "unsure":
                    log.info("region %s kept in gray: not clearly a flat fill", r)
                regions.append(r)
        if regions:
            return "gray", regions
    return "bilevel", []


def tone_verdict(spread: float, share: float, aspect: float = 1.0) -> Literal["picture", "unsure", "flat"]:
    """What a continuous-tone region of ``share`` of the page, whose levels spread by
    ``spread`` and whose box is ``aspect`` times longer than wide, is: clearly a "picture" (big and varied: a photo), clearly "flat" (a
    shaded row or a tinted box, whose text the bilevel page reads), or "unsure" in between.

    The rule of the pipeline: a region it is unsure about stays in gray, never bilevel:
    bytes can be saved later, a photo turned to black blobs cannot be got back. Unsure is a
    region nearly as varied as a picture (a faded or low-contrast photo, a thumbprint) or a
    varied one smaller than a picture (a 3x4 cm pas foto glued on an A4 form is ~0.8 % of
    it, once made bilevel). Shaded rows measure 2-7.6 (the darkest under uneven light), a
    gray pas foto 7.6 too, other photos 9-34: the spread alone cannot tell them apart, the
    shape can (a row is a band, 18 times longer than high; a photo is compact).
    """
    if spread >= GRAY_MIN_SPREAD and share >= GRAY_MIN_REGION:
        return "picture"
    if (spread >= GRAY_UNSURE_SPREAD and share >= GRAY_MIN_REGION and aspect <= BAND_ASPECT) or (
        spread >= GRAY_MIN_SPREAD and share >= GRAY_UNSURE_REGION
    ):
        return "unsure"
    return "flat"


def _tone_mask(flat_gray: U8) -> U8:
    """Continuous-tone pixels (1): mid-gray in a smooth neighbourhood (see ``decide_regions``)."""
    mid = (flat_gray > 50) & (flat_gray < 200)
    grad = cv2.morphologyEx(flat_gray, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    return (cv2.blur((mid & (grad < 40)).astype(np.float32), (11, 11)) > 0.6).astype(np.uint8)


def _tone_spread(flat_gray: U8, tone: U8, r: tuple[int, int, int, int]) -> float:
    """Standard deviation of the continuous-tone pixels of a region: a photo has many
    levels; a shaded table row or a tinted box has one, and the bilevel page (whose local
    threshold reads the text on the shading) carries all it says."""
    x0, y0, x1, y1 = r
    sel = flat_gray[y0:y1, x0:x1][tone[y0:y1, x0:x1] > 0]
    return float(sel.std()) if sel.size else 0.0


def _blank_frame(mask: U8) -> None:
    """Ignore a thin frame: a sliver of table or scanner bed left by a corner found a few
    pixels off is not a colour region of the page."""
    m = max(1, round(FRAME_IGNORE_IN * ANALYSIS_DPI))
    mask[:m] = 0
    mask[-m:] = 0
    mask[:, :m] = 0
    mask[:, -m:] = 0


def _chroma_ab(flat: U8) -> tuple[F32, F32]:
    """CIELAB a* and b* of an RGB page (the neutral axis at 0)."""
    _, a, b = cv2.split(cv2.cvtColor(flat, cv2.COLOR_RGB2LAB))
    # One pass each (uint8 to float32 and the shift are exact, as in astype(...) - 128.0).
    return np.subtract(a, 128.0, dtype=np.float32), np.subtract(b, 128.0, dtype=np.float32)


def colour_ink(flat: U8, ab: tuple[F32, F32] | None = None) -> U8:
    """Pixels of coloured ink (1) on a lighting-corrected RGB page at ``ANALYSIS_DPI``.

    Coloured means away from the neutral axis (CIELAB chroma), whatever the lightness: a
    lightly pressed stamp (gray ~200, saturation ~65 of 255) counts as much as a saturated
    one, and a blue signature as much as a red seal. The paper is neutral after the
    lighting correction. The colour fringes a phone's JPEG and lens put along black print
    always touch dark neutral pixels, so those neighbours are left out, and their hues
    cancel out over a few pixels, which real ink's do not.
    """
    a, b = ab if ab is not None else _chroma_ab(flat)
    chroma = cv2.magnitude(a, b)
    light = _to_gray(flat)
    coloured = (chroma >= COLOR_MIN_CHROMA) & (light > 30)
    dark_neutral = ((light < 150) & (chroma < COLOR_MIN_CHROMA)).astype(np.uint8)
    near_dark = cv2.dilate(dark_neutral, np.ones((3, 3), np.uint8)) > 0
    mask = coloured & ~near_dark
    # Fringes come in opposite hues a stroke's width apart (red on one side, blue on the
    # other): around them the mean colour cancels out, around real ink it does not.
    m = mask.astype(np.float32)
    box = (7, 7)
    mean_a, mean_b = cv2.blur(a * m, box), cv2.blur(b * m, box)
    mean_c = cv2.blur(chroma * m, box)
    coherent = cv2.magnitude(mean_a, mean_b) >= COLOR_MIN_COHERENCE * mean_c
    return np.asarray(mask & coherent, dtype=np.uint8)


def _hue_coherence(a: F32, b: F32, mask: U8, r: tuple[int, int, int, int]) -> float:
    """|mean colour| / mean |colour| of the masked pixels in a region: 1 for one ink, ~0 for
    colours that cancel out (fringes of opposite hue along black print)."""
    x0, y0, x1, y1 = r
    sel = mask[y0:y1, x0:x1] > 0
    if not sel.any():
        return 0.0
    sa, sb = a[y0:y1, x0:x1][sel], b[y0:y1, x0:x1][sel]
    mean_abs = float(np.mean(np.hypot(sa, sb)))
    return math.hypot(float(sa.mean()), float(sb.mean())) / max(mean_abs, 1e-6)


def _regions(mask: U8, min_box: float, *, min_pixels: float = 0.0) -> list[tuple[int, int, int, int]]:
    """Boxes of the mask's blobs (closed over ~2 mm) whose bounding box is at least
    ``min_box`` and that hold at least ``min_pixels`` pixels of the mask.

    Blobs whose boxes overlap (with a margin) are one region first: a thin ring stamp
    crossed by black print falls apart into arcs, and a portrait must not be split into two
    patches with a bilevel strip between them.
    """
    closed = np.asarray(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8)), np.uint8)
    n, labels, stats = geometry.blob_stats(closed)
    # Mask pixels per blob: the labels under the mask, counted (integers, ~10x cheaper than
    # weighting every pixel of the page by the mask).
    counts = np.bincount(labels[mask > 0], minlength=n)
    blobs = [
        (
            (
                int(stats[i, 0]),
                int(stats[i, 1]),
                int(stats[i, 0] + stats[i, 2]),
                int(stats[i, 1] + stats[i, 3]),
            ),
            float(counts[i]),
        )
        for i in range(1, n)
        if counts[i] >= REGION_MIN_BLOB
    ]
    merged = merge_boxes(blobs, margin=round(PATCH_MARGIN_IN * ANALYSIS_DPI))
    return [b for b, c in merged if (b[2] - b[0]) * (b[3] - b[1]) >= min_box and c >= min_pixels]


Box = tuple[int, int, int, int]


def merge_boxes(boxes: list[tuple[Box, float]], *, margin: int) -> list[tuple[Box, float]]:
    """(box, weight) pairs whose boxes overlap once grown by ``margin`` become one (the union
    box, the summed weight), until none do."""
    out = list(boxes)
    merged = True
    while merged:
        merged = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                (a, wa), (b, wb) = out[i], out[j]
                if (
                    a[0] - margin < b[2]
                    and b[0] - margin < a[2]
                    and a[1] - margin < b[3]
                    and b[1] - margin < a[3]
                ):
                    out[i] = ((min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])), wa + wb)
                    del out[j]
                    merged = True
                    break
            if merged:
                break
    return out


# --- helpers ---------------------------------------------------------------------------------


def _resize(a: U8, k: float) -> U8:
    if abs(k - 1.0) < 1e-6:
        return a
    h, w = a.shape[:2]
    size = (max(1, round(w * k)), max(1, round(h * k)))
    interp = cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(a, size, interpolation=interp), dtype=np.uint8)


def _reduce(a: U8, k: float) -> U8:
    """``_resize`` for a reduction to well under half (the ~1000 px copy on which the paper
    is found, from a 9-12 MP picture): halved first by OpenCV's exact 2x2 average (its fast
    path, ~10x cheaper than an area average by an odd factor), then area-averaged to the
    size ``_resize`` gives. Both steps average areas, so the copy is the same picture."""
    h, w = a.shape[:2]
    if k >= 0.5 or min(h, w) < 2:  # (a picture 1 pixel thin has no 2x2 to average)
        return _resize(a, k)
    size = (max(1, round(w * k)), max(1, round(h * k)))
    half = cv2.resize(a[: h // 2 * 2, : w // 2 * 2], (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    return np.asarray(cv2.resize(half, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def percentile_u8(values: U8, q: float) -> float:
    """``np.percentile(values, q)`` of 8-bit values (its default linear method, the same
    arithmetic to the last bit) from their histogram: a count instead of numpy's partition of
    a copy, ~5x cheaper on a page."""
    hist = np.bincount(np.ravel(values), minlength=256)
    n = int(values.size)
    index = (n - 1) * (q / 100)  # numpy's virtual index
    if index >= n - 1:
        return float(np.flatnonzero(hist)[-1])
    lo = math.floor(index)
    cum = np.cumsum(hist)
    # The sorted values at lo and lo + 1 (0-based), as numpy's uint8 scalars.
    a = np.uint8(np.searchsorted(cum, lo, side="right"))
    b = np.uint8(np.searchsorted(cum, lo + 1, side="right"))
    t = index - lo
    diff = b - a
    # numpy's _lerp: from the nearer end.
    return float(b - diff * (1 - t)) if t >= 0.5 else float(a + diff * t)


def _to_gray(a: U8) -> U8:
    return a if a.ndim == 2 else np.asarray(cv2.cvtColor(a, cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def _scale_of(m: npt.NDArray[np.float64]) -> float:
    """Approximate linear scale of a homography near the page centre."""
    return math.sqrt(abs(float(np.linalg.det(m[:2, :2])))) / max(1e-9, abs(float(m[2, 2])))


def _warp(a: U8, m: npt.NDArray[np.float64], w: int, h: int, border: int | None = 255) -> U8:
    """Resample ``a`` through homography ``m`` into a w x h page; outside is paper white."""
    if border is None:
        mode, value = cv2.BORDER_REPLICATE, 0
    else:
        mode, value = cv2.BORDER_CONSTANT, border
    if np.allclose(m[2, :2], 0.0):
        out = cv2.warpAffine(
            a, (m[:2] / m[2, 2]).astype(np.float64), (w, h), flags=cv2.INTER_LINEAR,
            borderMode=mode, borderValue=(value, value, value),
        )  # fmt: skip
    else:
        out = cv2.warpPerspective(
            a, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=mode, borderValue=(value, value, value)
        )
    return np.asarray(out, dtype=np.uint8)


def _background(a: U8) -> U8:
    """The paper's brightness everywhere (lighting, shadows, colour cast), ink removed.

    At a quarter of the analysis resolution: a max filter (~1 cm) lifts the paper over the
    ink, a blur smooths it. A floor keeps a big dark patch (a photo, a black box) from being
    "corrected" to white: shadows rarely dim paper below ~45 % of its lit level.
    """
    h, w = a.shape[:2]
    q = _resize(a, 0.25)
    k = max(3, round(0.4 * ANALYSIS_DPI * 0.25)) | 1
    bg = cv2.dilate(q, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.GaussianBlur(bg, (0, 0), sigmaX=k / 2)
    paper = np.percentile(bg.reshape(-1, bg.shape[2] if bg.ndim == 3 else 1), 90, axis=0)
    floor = np.maximum(paper * 0.45, 1.0).astype(np.uint8)
    bg = np.maximum(bg, floor)
    return np.asarray(cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR), dtype=np.uint8)


def _divide(a: U8, bg: U8) -> U8:
    """Ink relative to the local paper brightness: paper becomes white, shadows vanish."""
    if a.ndim == 3 and bg.ndim == 2:
        bg = np.asarray(cv2.cvtColor(bg, cv2.COLOR_GRAY2RGB), dtype=np.uint8)
    return np.asarray(cv2.divide(a, bg, scale=255.0), dtype=np.uint8)


def _divide_by_level(a: U8, level: U8) -> U8:
    """``_divide`` by one paper level per channel, as a lookup table: the table is made by
    ``cv2.divide`` itself, so every pixel gets exactly what dividing the whole picture by a
    constant picture gives, without making that picture (a full page of it for a big region)."""
    values = np.arange(256, dtype=np.uint8).reshape(256, 1)
    lut = np.concatenate(
        [cv2.divide(values, np.full_like(values, int(v)), scale=255.0) for v in level.ravel()], axis=1
    )
    if a.ndim == 2:
        return np.asarray(cv2.LUT(a, lut[:, 0]), dtype=np.uint8)
    return np.asarray(cv2.LUT(a, np.ascontiguousarray(lut.reshape(1, 256, -1))), dtype=np.uint8)


def _ink(flat_gray: U8, border: float) -> npt.NDArray[np.bool_]:
    """Ink pixels of a lighting-corrected page, ignoring a border where edges and shadows live."""
    ink = flat_gray < 140
    h, w = ink.shape
    by, bx = int(h * border), int(w * border)
    ink[:by] = False
    ink[h - by :] = False
    ink[:, :bx] = False
    ink[:, w - bx :] = False
    return ink


def _levels(page: U8) -> U8:
    """Paper to pure white, ink a little darker: JPEG spends no bytes on paper texture."""
    lut = np.clip((np.arange(256, dtype=np.float32) - 10.0) * 255.0 / (225.0 - 10.0), 0, 255)
    return np.asarray(cv2.LUT(page, lut.astype(np.uint8)), dtype=np.uint8)


def _white_balance(page: U8) -> U8:
    """Remove a lamp's colour cast from a photographed picture, gently.

    The brightest pixels of a portrait (a white shirt, the catch-lights) are nearly neutral
    in reality; their mean colour gives one gain per channel. Only a mild cast is corrected
    (gains within 0.85-1.2): a strongly coloured brightest area is the picture's own colour.
    """
    lum = _to_gray(page)
    top = lum >= percentile_u8(lum, 97)
    if not top.any():
        return page
    m = page[top].reshape(-1, 3).mean(axis=0).astype(np.float64)
    if m.min() < 1 or m.max() / m.min() > 1.3:
        return page
    gain = np.clip(m.mean() / m, 0.85, 1.2)
    out = page.astype(np.float32) * gain.astype(np.float32)
    return np.asarray(np.clip(out, 0, 255), dtype=np.uint8)


def _highlights(page: U8) -> U8:
    """Near-white (paper) to white; everything darker than 200 untouched (picture content)."""
    x = np.arange(256, dtype=np.float32)
    lut = np.where(x <= 200, x, 200 + (x - 200) * 55.0 / 38.0)
    return np.asarray(cv2.LUT(page, np.clip(lut, 0, 255).astype(np.uint8)), dtype=np.uint8)


def _clear_edges(binary: U8, dpi: int) -> U8:
    """Blank a 2 mm frame: what is there is the paper's own edge or the scanner bed, never print."""
    m = max(1, round(EDGE_CLEAR_IN * dpi))
    binary[:m] = 255
    binary[-m:] = 255
    binary[:, :m] = 255
    binary[:, -m:] = 255
    return binary


def _binarize(gray: U8, dpi: int = 300) -> U8:
    """Black ink on white paper (0/255), with a threshold that follows the local contrast.

    The page is already lighting-corrected, so a per-page cut fits ordinary print; but a
    single cut either loses faint print (a worn dot-matrix ribbon at gray ~200, a pale
    pencil) or turns a shaded table row into a black bar. So, as in Bernsen's method, each
    pixel is compared with its neighbourhood (~2 mm): the darkest ink and the brightest
    paper around it. Where they differ enough, the cut sits between them (at 65 % of the
    way from ink to paper: antialiased strokes keep their width); where they do not, there
    is no ink and the per-page cut holds (a speck of noise on paper stays paper). Where even
    the brightest pixel around is dark (inside a black box, a dark photo) the per-page cut
    holds too, so a solid area is never hollowed out.
    """
    g = cv2.GaussianBlur(gray, (3, 3), 0)
    t, _ = cv2.threshold(g, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Otsu splits ink from paper near mid-gray, which breaks thin rules and pen strokes that
    # resampling has lightened to ~150 into dashes. The paper is ~255 after the lighting
    # correction, so a higher cut is safe; on a nearly empty page Otsu is meaningless anyway.
    t = float(min(max(t, 170.0), 200.0))
    win = max(3, round(BINARIZE_WINDOW_IN * dpi) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (win, win))
    # All in uint8 OpenCV calls: this runs on the 300 dpi page (~9 MP).
    ink = cv2.erode(g, kernel)
    paper = cv2.dilate(g, kernel)
    local = cv2.addWeighted(ink, 0.35, paper, 0.65, 0.0)  # 65 % of the way from ink to paper
    # No contrast: no ink around (noise on paper, a flat shaded area): nothing is ink there.
    contrast = cv2.subtract(paper, ink)
    _, has_contrast = cv2.threshold(contrast, BINARIZE_MIN_CONTRAST - 1, 255, cv2.THRESH_BINARY)
    cut = cv2.bitwise_and(local, has_contrast)
    # A dark neighbourhood (inside a black box, a dark photo): the page cut.
    _, on_paper = cv2.threshold(paper, BINARIZE_MIN_PAPER - 1, 255, cv2.THRESH_BINARY)
    cut = cv2.bitwise_or(
        cv2.bitwise_and(cut, on_paper), cv2.bitwise_and(np.full_like(g, round(t)), cv2.bitwise_not(on_paper))
    )
    # Ink where the pixel is darker than its cut: 0; paper: 255.
    return np.asarray(cv2.compare(g, cut, cv2.CMP_GE), dtype=np.uint8)


def _encode_bilevel(binary: U8, dpi: int, *, glyphs: bool = True) -> pdf.Bilevel:
    """A bilevel layer (0 = ink, 255 = paper) in lossless JBIG2, or CCITT G4 when JBIG2
    cannot be trusted here: the extension is not built, or PDFium does not decode the stream
    back to exactly these pixels (then a NIK digit could change; never used). A text-region
    stream that fails the check is replaced by the generic-region stream, checked the same way.
    ``glyphs``: JBIG2 may code the layer as text (``jbig2.encode``); else as one generic
    region (``jbig2.encode_generic``)."""
    stream = jbig2.encode(binary) if glyphs else jbig2.encode_generic(binary)
    if stream is None:
        _no_jbig2()
        return _encode_g4(binary, dpi)
    layer = _checked_jbig2(stream, binary)
    if layer is None and not jbig2.is_generic(stream):
        generic = jbig2.encode_generic(binary)
        layer = None if generic is None else _checked_jbig2(generic, binary)
    return layer if layer is not None else _encode_g4(binary, dpi)


def _checked_jbig2(stream: bytes, binary: U8) -> pdf.Jbig2Image | None:
    layer = pdf.Jbig2Image(stream, binary.shape[1], binary.shape[0])
    try:
        back = pdf.jbig2_pixels(layer)
    except Exception:  # noqa: BLE001 - whatever PDFium makes of it, the page keeps G4
        log.warning(
            "JBIG2 layer %dx%d could not be decoded back; not used", *binary.shape[::-1], exc_info=True
        )
        return None
    if back.shape != binary.shape or not np.array_equal(back == 0, binary < 128):
        log.warning("JBIG2 layer %dx%d did not decode to the same pixels; not used", *binary.shape[::-1])
        return None
    return layer


@functools.cache
def _no_jbig2() -> None:
    log.warning("JBIG2 coder not built in this install (no C compiler?); bilevel layers are CCITT G4")


def _encode_g4(binary: U8, dpi: int) -> bytes:
    im = Image.fromarray(binary, "L").convert("1", dither=Image.Dither.NONE)
    buf = io.BytesIO()
    # One strip: img2pdf can then copy the G4 data into the PDF as it is (with several
    # strips it would have to re-encode).
    im.save(buf, "TIFF", compression="group4", dpi=(dpi, dpi), strip_size=2**30)
    return buf.getvalue()


def _encode_jpeg(a: U8, dpi: int, quality: int) -> bytes:
    im = Image.fromarray(a, "RGB" if a.ndim == 3 else "L")
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, optimize=True, dpi=(dpi, dpi), subsampling="4:2:0")
    return buf.getvalue()
