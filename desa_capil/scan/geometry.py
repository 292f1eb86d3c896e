"""Where the paper is in a picture, how it is skewed, and the transform that straightens it.

All detection runs on small images (about 1000 px on the long side, or the page at
``ANALYSIS_DPI``); the full-resolution page is then resampled exactly once with the composed
transform. That single resampling is what keeps a page within the time budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

U8 = npt.NDArray[np.uint8]
F64 = npt.NDArray[np.float64]

#: Paper sizes (width, height in inches) we snap photographed pages to. F4/folio is the
#: everyday paper of Indonesian offices; A4 the official one.
PAPER_SIZES: dict[str, tuple[float, float]] = {
    "A4": (210 / 25.4, 297 / 25.4),
    "F4": (215 / 25.4, 330 / 25.4),
}
#: ISO/IEC 7810 ID-1 (KTP-el, SIM, bank cards): 85.6 x 54 mm, corner radius 3.18 mm.
CARD_SIZE_IN: tuple[float, float] = (85.6 / 25.4, 54.0 / 25.4)
#: A photographed page is snapped to A4/F4 only when its measured proportion is this close;
#: anything else keeps the proportion it has (a half sheet, a receipt, a photo print).
SNAP_TOLERANCE = 0.045
#: Long side given to a photo print (pas foto 3x4 / 4x6 cm) found on its own: its real size
#: is unknown in a photo, and this many inches at the colour resolution keep a face sharp.
PICTURE_LONG_IN = 6.0 / 2.54
#: Smallest share of a photo that a card (only a card) may fill and still be found.
PHOTO_CARD_MIN_AREA = 0.035

Kind = str  # "page" | "card" | "picture" | "other" | "frame"


@dataclass(frozen=True)
class PaperFit:
    """The paper found in a picture (corners in source pixels) and its physical size."""

    corners: F64  # 4x2: top-left, top-right, bottom-right, bottom-left
    width_in: float
    height_in: float
    found: bool  # False: no paper edge seen; the corners are the picture's own corners
    #: What was found: "page" (A4/F4 or a scan at its measured size), "card" (ID-1, rounded
    #: corners), "picture" (a photo print), "other" (paper of another proportion), "frame"
    #: (nothing found: the whole picture).
    kind: Kind = "page"


def order_corners(pts: F64) -> F64:
    """Top-left, top-right, bottom-right, bottom-left, whatever order they came in."""
    pts = pts.reshape(4, 2).astype(np.float64)
    s = pts.sum(axis=1)
    d = pts[:, 1] - pts[:, 0]
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])


def _quad_from_contour(contour: npt.NDArray[Any]) -> F64 | None:
    hull = cv2.convexHull(contour)
    peri = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            return order_corners(approx.reshape(4, 2).astype(np.float64))
    return None


def _is_rectangle(q: F64, tol_deg: float = 2.5) -> bool:
    for i in range(4):
        a, b, c = q[i - 1], q[i], q[(i + 1) % 4]
        v1, v2 = a - b, c - b
        cosang = float(np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
        if abs(math.degrees(math.acos(max(-1.0, min(1.0, cosang)))) - 90) > tol_deg:
            return False
    return True


def quad_is_sane(q: F64, w: int, h: int, *, min_area: float = 0.2) -> bool:
    """Could ``q`` (ordered corners in a w x h picture) be a sheet seen by a camera?

    A wrong crop is worse than none (the page is then cut or stretched beyond reading), so a
    candidate must be convex, cover at least ``min_area`` of the picture, have corner angles a
    hand-held phone produces (40-140 degrees) and opposite sides of similar length (a
    perspective that shrinks a side to less than half is a table edge, not the paper).
    """
    pts = q.reshape(4, 2).astype(np.float32)
    if not cv2.isContourConvex(pts.reshape(-1, 1, 2)):
        return False
    area = abs(float(cv2.contourArea(pts)))
    if area < min_area * w * h:
        return False
    top, right, bottom, left = side_lengths(q)
    if min(top, right, bottom, left) < 8:
        return False
    if min(top, bottom) / max(top, bottom) < 0.5 or min(left, right) / max(left, right) < 0.5:
        return False
    for i in range(4):
        a, b, c = q[i - 1], q[i], q[(i + 1) % 4]
        v1, v2 = a - b, c - b
        cosang = float(np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
        if not 40.0 <= math.degrees(math.acos(max(-1.0, min(1.0, cosang)))) <= 140.0:
            return False
    return True


@dataclass(frozen=True)
class _Found:
    quad: F64
    contour: npt.NDArray[Any]  # the outline the quad came from (for the corner shape)


def find_paper(gray: U8, *, allow_perspective: bool, min_area: float = 0.2) -> F64 | None:
    """Corners of a sheet of paper clearly brighter than what surrounds it, or None."""
    found = _find(gray, allow_perspective=allow_perspective, min_area=min_area)
    return None if found is None else found.quad


def edge_support(q: F64, contour: npt.NDArray[Any]) -> float:
    """Share of the quadrilateral's perimeter that runs along ``contour`` (within 2 % of a side)."""
    tol = max(3.0, 0.02 * sum(side_lengths(q)) / 4.0)
    c = contour.reshape(-1, 1, 2).astype(np.float32)
    hits = total = 0
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        for t in np.linspace(0.05, 0.95, 40):
            pt = a + t * (b - a)
            total += 1
            if abs(cv2.pointPolygonTest(c, (float(pt[0]), float(pt[1])), True)) <= tol:
                hits += 1
    return hits / max(total, 1)


def _find(gray: U8, *, allow_perspective: bool, min_area: float, color: U8 | None = None) -> _Found | None:
    """Corners of a sheet of paper clearly brighter than what surrounds it, or None.

    ``gray`` is a small image (long side ~1000 px). Candidates come from two detectors: the
    bright region (Otsu threshold, text holes closed) and paper edges (Canny). A candidate is
    accepted only if it covers a good part of the picture and the picture outside it is
    clearly darker than inside: that rejects a table frame or a box printed on the paper
    itself, whose outside is the same white paper. Without ``allow_perspective`` (scans) the
    paper is forced to a rectangle.
    """
    return _choose(_candidates(gray, allow_perspective=allow_perspective, color=color), min_area)


@dataclass(frozen=True)
class _Candidates:
    """Paper outlines found in a small picture (``_candidates``), before any is chosen: the
    detectors do not depend on the least area asked for, so a second search for something
    smaller (``fit_paper``: a card on a big table) reuses them."""

    gray: U8
    blur: U8
    color: U8 | None
    allow_perspective: bool
    found: list[tuple[F64, npt.NDArray[Any], bool]]  # quad, outline, from a blob box


def _candidates(gray: U8, *, allow_perspective: bool, color: U8 | None = None) -> _Candidates:
    blur = np.asarray(cv2.GaussianBlur(gray, (5, 5), 0), dtype=np.uint8)
    candidates: list[tuple[F64, npt.NDArray[Any], bool]] = []  # quad, outline, from a blob box

    otsu, _ = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Higher thresholds too: on a cluttered table a bright mug or a second paper touching the
    # sheet merges with it at Otsu's level, but the sheet is usually the brightest thing.
    levels = [otsu] + ([otsu + (250 - otsu) * k for k in (0.35, 0.6)] if allow_perspective else [])
    for level in levels:
        _, bright = cv2.threshold(blur, level, 255, cv2.THRESH_BINARY)
        # Only the outer contour counts (text holes do not matter); the opening cuts thin
        # bright bridges to things lying next to the paper.
        bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
        contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        if not contours:
            continue
        c = max(contours, key=cv2.contourArea)
        q = _quad_from_contour(c) if allow_perspective else None
        boxed = q is None
        if q is None:
            q = order_corners(cv2.boxPoints(cv2.minAreaRect(c)).astype(np.float64))
        candidates.append((q, c, boxed))

    edges = cv2.Canny(blur, 40, 120)
    if color is not None and allow_perspective:
        # A red-backed pas foto on a brown table can have the table's brightness: its edge is
        # in the colour channels only.
        cblur = cv2.GaussianBlur(color, (5, 5), 0)
        for ch in range(3):
            edges = cv2.bitwise_or(edges, cv2.Canny(np.ascontiguousarray(cblur[:, :, ch]), 40, 120))
    edges = cv2.dilate(edges, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    for c in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
        q = _quad_from_contour(c)
        if q is not None:
            candidates.append((q, c, False))
    return _Candidates(gray, blur, color, allow_perspective, candidates)


def _choose(cands: _Candidates, min_area: float) -> _Found | None:
    """The best candidate of at least ``min_area`` of the picture (see ``_find``)."""
    gray, blur, color, allow_perspective = cands.gray, cands.blur, cands.color, cands.allow_perspective
    h, w = gray.shape
    total = float(h * w)
    best: _Found | None = None
    best_score = 0.0
    for q, c, boxed in cands.found:
        if not allow_perspective and not _is_rectangle(q):
            q = order_corners(cv2.boxPoints(cv2.minAreaRect(q.astype(np.float32))).astype(np.float64))
        area = abs(cv2.contourArea(q.astype(np.float32)))
        if area < min_area * total:
            continue
        if allow_perspective and not quad_is_sane(q, w, h, min_area=min_area):
            continue
        # The outline must fill its quadrilateral: a blob of paper merged with a bright cup or
        # a second sheet has a box around it that is not the paper.
        if boxed or allow_perspective:
            fill = abs(float(cv2.contourArea(c))) / max(area, 1.0)
            if fill < 0.9 or fill > 1.1:
                continue
            # ... and each side must lie along the outline: a sheet merged with something
            # beside it gives a quad whose side cuts across the other thing.
            if edge_support(q, c) < 0.85:
                continue
        mask = np.zeros_like(gray)
        cv2.fillConvexPoly(mask, np.round(q).astype(np.int32), 255)
        # Too little outside the paper to compare with: the paper fills the picture.
        if cv2.countNonZero(mask) > 0.995 * total:
            continue
        inside = float(cv2.mean(blur, mask=mask)[0])
        outside = float(cv2.mean(blur, mask=cv2.bitwise_not(mask))[0])
        contrast = inside - outside
        if color is not None and allow_perspective:
            # A photo print or a coloured card can be darker than the table but of another
            # colour: the colour difference counts too (for photos, where edges decide).
            cin = np.array(cv2.mean(color, mask=mask)[:3])
            cout = np.array(cv2.mean(color, mask=cv2.bitwise_not(mask))[:3])
            contrast = max(contrast, 0.5 * float(np.linalg.norm(cin - cout)))
        if contrast < 25:
            continue
        score = contrast * area
        if score > best_score:
            best, best_score = _Found(q, c), score
    return best


def corner_rounding(q: F64, contour: npt.NDArray[Any]) -> float:
    """How rounded the corners of the outline are, relative to the mean side length.

    Each side is fitted as a straight line through the middle of its outline points; where
    two fitted sides meet is the sharp corner. The outline's distance from that corner is
    ~0.41 x the corner radius: an ID-1 card (radius 3.18 mm on a 70 mm mean side) gives
    ~0.019, a cut sheet of paper ~0.00x. Median over the four corners, so one corner under
    a finger does not decide.
    """
    pts = contour.reshape(-1, 2).astype(np.float64)
    if len(pts) < 40:
        return 0.0
    lines = []
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        d = b - a
        length = float(np.linalg.norm(d))
        if length < 1e-6:
            return 0.0
        u = d / length
        rel = pts - a
        along = rel @ u
        across = np.abs(rel[:, 0] * u[1] - rel[:, 1] * u[0])
        sel = pts[(along > 0.2 * length) & (along < 0.8 * length) & (across < 0.03 * length + 2)]
        if len(sel) < 5:
            return 0.0
        vx, vy, x0, y0 = (
            float(v) for v in cv2.fitLine(sel.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        )
        lines.append((np.array([x0, y0]), np.array([vx, vy])))
    mean_side = sum(side_lengths(q)) / 4.0
    dists = []
    for i in range(4):
        (p1, d1), (p2, d2) = lines[i - 1], lines[i]
        m = np.array([d1, -d2]).T
        if abs(float(np.linalg.det(m))) < 1e-6:
            return 0.0
        t = np.linalg.solve(m, p2 - p1)
        corner = p1 + t[0] * d1
        dists.append(float(np.min(np.linalg.norm(pts - corner, axis=1))))
    return float(np.median(dists)) / max(mean_side, 1.0)


def true_aspect(q: F64, src_w: int, src_h: int) -> float:
    """Width / height of the real rectangle seen as quadrilateral ``q`` by a pinhole camera.

    Zhang & He, "Whiteboard scanning and image enhancement" (2007): the two vanishing
    directions give the focal length (principal point at the picture centre), and with it
    the true proportion. When the view is nearly straight on, the focal length is not
    measurable, but then it hardly matters: a typical phone's is used (~0.8 x long side).
    """
    c = np.array([src_w / 2.0, src_h / 2.0])
    m1, m2, m4, m3 = (np.append(p - c, 1.0) for p in q)  # tl, tr, br, bl -> Zhang's m1..m4
    k2 = float(np.dot(np.cross(m1, m4), m3)) / (float(np.dot(np.cross(m2, m4), m3)) or 1e-12)
    k3 = float(np.dot(np.cross(m1, m4), m2)) / (float(np.dot(np.cross(m3, m4), m2)) or 1e-12)
    n2 = k2 * m2 - m1
    n3 = k3 * m3 - m1
    long_side = float(max(src_w, src_h))
    f2 = 0.0
    if abs(n2[2] * n3[2]) > 1e-9:
        f2 = -float(n2[0] * n3[0] + n2[1] * n3[1]) / float(n2[2] * n3[2])
    if not (0.3 * long_side) ** 2 <= f2 <= (4.0 * long_side) ** 2:
        f2 = (0.8 * long_side) ** 2
    num = (n2[0] ** 2 + n2[1] ** 2) / f2 + n2[2] ** 2
    den = (n3[0] ** 2 + n3[1] ** 2) / f2 + n3[2] ** 2
    if num <= 0 or den <= 0:
        top, right, bottom, left = side_lengths(q)
        return (top + bottom) / max(left + right, 1e-9)
    return math.sqrt(num / den)


def side_lengths(q: F64) -> tuple[float, float, float, float]:
    """Top, right, bottom, left side lengths of an ordered quadrilateral."""
    return (
        float(np.linalg.norm(q[1] - q[0])),
        float(np.linalg.norm(q[2] - q[1])),
        float(np.linalg.norm(q[3] - q[2])),
        float(np.linalg.norm(q[0] - q[3])),
    )


def snap_paper(width_px: float, height_px: float) -> tuple[float, float]:
    """Physical size (inches) of a photographed sheet: A4 or F4, whichever proportion fits."""
    portrait = height_px >= width_px
    ratio = max(width_px, height_px) / max(1.0, min(width_px, height_px))
    best = min(PAPER_SIZES.values(), key=lambda s: abs(s[1] / s[0] - ratio))
    return best if portrait else (best[1], best[0])


def classify_size(aspect: float, *, rounded: bool, picture: bool) -> tuple[float, float, Kind]:
    """Physical size (inches, width x height) of a photographed object of true ``aspect``
    (width / height). Never changes the proportion by more than ``SNAP_TOLERANCE``.

    * rounded corners: an ID-1 card (KTP-el), at its real size;
    * mostly picture (a pas foto): the proportion kept, a small print's size;
    * A4 or F4 proportion: that sheet;
    * anything else: the proportion kept, with the area of an A4 sheet.
    """
    portrait = aspect < 1.0
    ratio = max(aspect, 1.0 / max(aspect, 1e-9))

    def orient(long_in: float, short_in: float) -> tuple[float, float]:
        return (short_in, long_in) if portrait else (long_in, short_in)

    if rounded:
        w, h = CARD_SIZE_IN
        if abs(ratio / (w / h) - 1.0) <= SNAP_TOLERANCE:
            return (*orient(w, h), "card")
        return (*orient(w, w / ratio), "card")
    if picture:
        return (*orient(PICTURE_LONG_IN, PICTURE_LONG_IN / ratio), "picture")
    pw, ph = min(PAPER_SIZES.values(), key=lambda p: abs(ratio / (p[1] / p[0]) - 1.0))
    if abs(ratio / (ph / pw) - 1.0) <= SNAP_TOLERANCE:
        return (*orient(ph, pw), "page")
    a4w, a4h = PAPER_SIZES["A4"]
    short = math.sqrt(a4w * a4h / ratio)
    return (*orient(short * ratio, short), "other")


def picture_share(small: U8, q: F64) -> float:
    """Share of the quadrilateral that is *not* plain paper (bright and unsaturated).

    A page is mostly paper even when full of print (> 60 %); a pas foto has almost none.
    Measured against the local paper level (a ~1/15 of the object wide max filter), so that
    uneven light, a shadow or a big shaded table on a page does not count as picture.
    """
    rect = rectify(small, q, 300)
    if rect.size == 0:
        return 0.0
    v: U8
    if rect.ndim == 3:
        hsv = cv2.cvtColor(rect, cv2.COLOR_RGB2HSV)
        v, sat = np.asarray(hsv[:, :, 2], dtype=np.uint8), hsv[:, :, 1].astype(np.float32)
    else:
        v, sat = rect, np.zeros(rect.shape, np.float32)
    level = _local_paper(v)
    # Warm light tints white paper (saturation ~50 of 255): paper is less saturated than that
    # plus a margin, and near the local paper level, itself near the brightest level (a dark
    # photo is not "paper" just because it is even).
    top = float(np.percentile(v, 95))
    paper = (v.astype(np.float32) > 0.78 * level) & (level > 0.55 * top) & (sat < 80)
    return 1.0 - float(paper.mean())


def rectify(small: U8, q: F64, short_side: int) -> U8:
    """The inside of quadrilateral ``q`` as an upright rectangle ``short_side`` px on its
    short side (proportion from the side lengths: good enough for measuring, not for output)."""
    top, right, bottom, left = side_lengths(q)
    w, h = (top + bottom) / 2.0, (left + right) / 2.0
    if min(w, h) < 4:
        return np.zeros((0, 0), np.uint8)
    k = short_side / min(w, h)
    ow, oh = max(1, round(w * k)), max(1, round(h * k))
    dst = np.array([[0, 0], [ow, 0], [ow, oh], [0, oh]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(q.astype(np.float32), dst)
    return np.asarray(cv2.warpPerspective(small, m, (ow, oh), flags=cv2.INTER_AREA), dtype=np.uint8)


def _local_paper(v: U8) -> npt.NDArray[np.float32]:
    k = max(3, min(v.shape[:2]) // 15) | 1
    bg = cv2.dilate(v, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    return np.asarray(cv2.blur(bg, (k, k)), dtype=np.float32)


@dataclass(frozen=True)
class PrintSigns:
    """What the print on an object says about its size, independently of its outline."""

    #: Glyph-like ink blobs (letters, digits) found on it.
    glyphs: int
    #: Their median height as a share of the object's short side: ~1-1.5 % on an A4/F4
    #: sheet (2.5 mm letters on 210 mm), ~3-5 % on an ID-1 card (1.6-2.5 mm on 54 mm).
    height: float


def blob_stats(mask: U8) -> tuple[int, npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """OpenCV's ``connectedComponentsWithStats`` (8-connected) without its cost: the same
    label count, labels and, for every blob (labels 1..n-1), the same stats rows (left, top,
    width, height, area); row 0 (the background) is left at zeros. (OpenCV's statistics visit
    every pixel of the page, paper included, and cost 2-4x the labelling; here only the ink
    pixels are visited.)"""
    n, found = cv2.connectedComponents(mask, connectivity=8)
    labels: npt.NDArray[np.int32] = np.asarray(found, np.int32)  # OpenCV's labels are int32: no copy
    w = labels.shape[1]
    ink = np.flatnonzero(mask)  # the labelled pixels, in raster order
    lab = labels.ravel()[ink]
    ys, xs = np.divmod(ink, w)
    top, left = np.full(n, labels.shape[0], np.int64), np.full(n, w, np.int64)
    bottom, right = np.full(n, -1, np.int64), np.full(n, -1, np.int64)
    np.minimum.at(top, lab, ys)
    np.maximum.at(bottom, lab, ys)
    np.minimum.at(left, lab, xs)
    np.maximum.at(right, lab, xs)
    stats = np.zeros((n, 5), np.int32)
    stats[1:, 0] = left[1:]
    stats[1:, 1] = top[1:]
    stats[1:, 2] = right[1:] - left[1:] + 1
    stats[1:, 3] = bottom[1:] - top[1:] + 1
    stats[1:, 4] = np.bincount(lab, minlength=n)[1:]
    return n, np.asarray(labels, dtype=np.int32), stats


def print_signs(small: U8, q: F64 | None = None) -> PrintSigns:
    """Count the letter-like blobs inside ``q`` (default: the whole picture) and measure them."""
    gray = small if small.ndim == 2 else np.asarray(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), dtype=np.uint8)
    if q is None:
        h, w = gray.shape
        q = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64)
    rect = rectify(gray, q, 500)
    if rect.size == 0:
        return PrintSigns(0, 0.0)
    short = min(rect.shape)
    flat = rect.astype(np.float32) / np.maximum(_local_paper(rect), 1.0)
    ink = (flat < 0.7).astype(np.uint8)
    n, _, stats = blob_stats(ink)
    hs = stats[1:, 3]
    ws = stats[1:, 2]
    area = stats[1:, 4]
    # A glyph: 0.6-12 % of the short side tall, not much wider than 3x its height (touching
    # letters), partly filled (a stroke, not a solid block; not a hairline).
    ok = (hs >= max(3, 0.006 * short)) & (hs <= 0.12 * short) & (ws <= 3 * hs) & (area >= 0.12 * hs * ws)
    ok &= area <= 0.9 * hs * ws
    if int(ok.sum()) < 8:
        return PrintSigns(int(ok.sum()), 0.0)
    return PrintSigns(int(ok.sum()), float(np.median(hs[ok])) / short)


#: Print signs that tell a sheet from a card: at least this many glyphs to trust the height,
#: and the height (share of the short side) below which the object is a sheet and above
#: which it is a card. Between them the outline decides.
SIGNS_MIN_GLYPHS = 20
SHEET_MAX_PRINT = 0.018
CARD_MIN_PRINT = 0.024
#: Corner rounding (see ``corner_rounding``): a card is ~0.019, a cut sheet ~0.00x. A clear
#: card above ``CARD_ROUNDING``; between the two, only with the card's print and proportion.
CARD_ROUNDING = 0.014
CARD_ROUNDING_MAYBE = 0.008
#: How far a card's measured proportion may be from ID-1's 1.586.
CARD_ASPECT_TOLERANCE = 0.08


def looks_like_card(rounding: float, aspect: float, signs: PrintSigns) -> bool:
    """Is an object of this corner ``rounding``, true ``aspect`` and print an ID-1 card?

    Several independent signals, each with a margin: a sheet of paper is never sized as a
    card because one of them sits near its threshold (a page's corners measured at 0.0111
    once made an F4 letter a KTP). The print decides first when there is enough of it: a
    page's letters are ~1 % of its width, a card's ~3 %+.
    """
    ratio = max(aspect, 1.0 / max(aspect, 1e-9))
    id1 = CARD_SIZE_IN[0] / CARD_SIZE_IN[1]
    if abs(ratio / id1 - 1.0) > CARD_ASPECT_TOLERANCE:
        return False
    if signs.glyphs >= SIGNS_MIN_GLYPHS:
        if signs.height < SHEET_MAX_PRINT:
            return False
        if signs.height >= CARD_MIN_PRINT:
            return rounding >= CARD_ROUNDING_MAYBE or abs(ratio / id1 - 1.0) <= SNAP_TOLERANCE
    return rounding >= CARD_ROUNDING


def looks_like_picture(share: float, signs: PrintSigns) -> bool:
    """A photo print (pas foto): hardly any plain paper *and* hardly any print. A page of
    text under uneven light, or with a big shaded table, has a lot of print."""
    return share > 0.6 and signs.glyphs < SIGNS_MIN_GLYPHS


#: What the user can ask a page to be, when the automatic decision was wrong: the whole
#: picture as captured ("original"), an ID-1 card, or a sheet of paper ("page").
SizeChoice = str
SIZE_CHOICES = ("original", "card", "page")


def fit_paper(
    small: U8,
    scale: float,
    src_w: int,
    src_h: int,
    *,
    is_photo: bool,
    dpi: float | None,
    size: SizeChoice | None = None,
) -> PaperFit:
    """Find the paper in a downscaled picture (gray or RGB) and say how big it is in inches.

    ``scale`` is small/source. For scans with a known dpi the paper keeps its measured size
    (a card on the scanner bed is found too: a smaller minimum area). For photos the true
    proportion is measured through the perspective and the object sized by what it is (see
    ``classify_size``): a card on its rounded corners, proportion and print, a photo print on
    how little paper and print it shows. A card may fill as little as ~4 % of the photo. No
    plausible paper: the whole picture, whose text skew the pipeline still corrects (a wrong
    crop would be worse), sized as a card when its proportion and print say so.
    """
    if size is not None:
        return _fit_as(small, scale, src_w, src_h, is_photo=is_photo, dpi=dpi, size=size)
    gray = small if small.ndim == 2 else np.asarray(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), dtype=np.uint8)
    scan_known = bool(dpi) and not is_photo
    color = small if small.ndim == 3 else None
    cands = _candidates(gray, allow_perspective=is_photo, color=color)
    found = _choose(cands, 0.04 if scan_known else 0.15)
    small_card = False
    if found is None and not scan_known:
        # Something small (a KTP on a big table): only a card, told by its corners.
        found = _choose(cands, PHOTO_CARD_MIN_AREA)
        small_card = found is not None
    if found is not None:
        corners = found.quad / scale
        top, right, bottom, left = side_lengths(corners)
        if scan_known:
            assert dpi
            return PaperFit(corners, (top + bottom) / 2 / dpi, (left + right) / 2 / dpi, True)
        rounding = corner_rounding(found.quad, found.contour)
        aspect = true_aspect(corners, src_w, src_h)
        signs = print_signs(gray, found.quad)
        card = looks_like_card(rounding, aspect, signs)
        if small_card and not card:
            found = None
        else:
            picture = not card and looks_like_picture(picture_share(small, found.quad), signs)
            w_in, h_in, kind = classify_size(aspect, rounded=card, picture=picture)
            return PaperFit(corners, w_in, h_in, True, kind)
    corners = np.array([[0, 0], [src_w, 0], [src_w, src_h], [0, src_h]], dtype=np.float64)
    if scan_known:
        assert dpi
        return PaperFit(corners, src_w / dpi, src_h / dpi, False, "frame")
    if looks_like_card(0.0, src_w / src_h, print_signs(gray)):
        # A picture of a card cropped to its edges (a messenger's copy, a phone's "scan"):
        # no outline to see, but its proportion and its print are a card's.
        w_in, h_in, _ = classify_size(src_w / src_h, rounded=True, picture=False)
        return PaperFit(corners, w_in, h_in, False, "card")
    # A photo cropped to the paper (or a picture without dpi): assume its long side is A4's.
    long_in = PAPER_SIZES["A4"][1]
    k = long_in / max(src_w, src_h)
    return PaperFit(corners, src_w * k, src_h * k, False, "frame")


def _fit_as(
    small: U8, scale: float, src_w: int, src_h: int, *, is_photo: bool, dpi: float | None, size: SizeChoice
) -> PaperFit:
    """The paper as the user says it is (``SIZE_CHOICES``), overriding the automatic decision.

    "original": the whole picture, uncropped, at its own resolution when known (else its long
    side as an A4 sheet's). "card" / "page": the paper found (or the whole picture when none
    is), sized as an ID-1 card or as a sheet (A4/F4 when the proportion fits, else its own
    proportion with an A4 sheet's area).
    """
    frame = np.array([[0, 0], [src_w, 0], [src_w, src_h], [0, src_h]], dtype=np.float64)
    if size not in SIZE_CHOICES:
        raise ValueError(f"unknown size choice {size!r}")
    if size == "original":
        if dpi and not is_photo:
            return PaperFit(frame, src_w / dpi, src_h / dpi, False, "frame")
        k = PAPER_SIZES["A4"][1] / max(src_w, src_h)
        return PaperFit(frame, src_w * k, src_h * k, False, "frame")
    gray = small if small.ndim == 2 else np.asarray(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), dtype=np.uint8)
    found = _find(
        gray,
        allow_perspective=is_photo,
        min_area=PHOTO_CARD_MIN_AREA if size == "card" else 0.15,
        color=small if small.ndim == 3 and is_photo else None,
    )
    corners = frame if found is None else found.quad / scale
    aspect = true_aspect(corners, src_w, src_h) if found is not None and is_photo else None
    if aspect is None:
        top, right, bottom, left = side_lengths(corners)
        aspect = (top + bottom) / max(left + right, 1e-9)
    w_in, h_in, kind = classify_size(aspect, rounded=size == "card", picture=False)
    if size == "card":
        # A card is a card whatever proportion was measured: ID-1, long side along the
        # picture's long side.
        w_in, h_in = CARD_SIZE_IN if aspect >= 1.0 else CARD_SIZE_IN[::-1]
    return PaperFit(corners, w_in, h_in, found is not None, kind)


def page_transform(fit: PaperFit, dpi: float) -> tuple[F64, int, int]:
    """Homography from source pixels to an upright page at ``dpi``, and the page size."""
    w = max(1, round(fit.width_in * dpi))
    h = max(1, round(fit.height_in * dpi))
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64)
    m = cv2.getPerspectiveTransform(fit.corners.astype(np.float32), dst.astype(np.float32))
    return m.astype(np.float64), w, h


def rotation_about_centre(angle_deg: float, w: int, h: int) -> F64:
    """3x3 matrix that turns lines at ``angle_deg`` (clockwise on screen) back to horizontal."""
    t = math.radians(angle_deg)
    c, s = math.cos(t), math.sin(t)
    cx, cy = w / 2.0, h / 2.0
    return np.array(
        [[c, s, cx - c * cx - s * cy], [-s, c, cy + s * cx - c * cy], [0.0, 0.0, 1.0]], dtype=np.float64
    )


def scale_matrix(k: float) -> F64:
    return np.array([[k, 0.0, 0.0], [0.0, k, 0.0], [0.0, 0.0, 1.0]], dtype=np.float64)


def estimate_skew(dark: npt.NDArray[np.bool_], max_angle: float = 10.0) -> float:
    """Angle (degrees, clockwise on screen) of the text lines among ``dark`` pixels.

    Projection-profile method on a sample of the ink pixels: for each candidate angle the
    pixels are projected on the axis across the lines; the angle at which the profile is
    sharpest (largest sum of squared bin counts) is the one that lines the text up. Works on
    points rather than rotating the image, so ~60 angles cost a few milliseconds.
    Returns 0.0 when there is too little ink to tell.
    """
    ys, xs = np.nonzero(dark)
    if ys.size < 300:
        return 0.0
    if ys.size > 60_000:
        step = ys.size // 60_000 + 1
        ys, xs = ys[::step], xs[::step]
    h, w = dark.shape
    y = ys.astype(np.float64) - h / 2.0
    x = xs.astype(np.float64) - w / 2.0
    nbins = int(math.hypot(h, w)) + 4

    def score(angle: float) -> float:
        t = math.radians(angle)
        proj = y * math.cos(t) - x * math.sin(t) + nbins / 2.0
        counts = np.bincount(proj.astype(np.int64), minlength=nbins).astype(np.float64)
        return float(np.dot(counts, counts))

    coarse = np.arange(-max_angle, max_angle + 1e-9, 0.5)
    best = float(coarse[int(np.argmax([score(a) for a in coarse]))])
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    scores = [score(a) for a in fine]
    best = float(fine[int(np.argmax(scores))])
    # A flat profile (no text lines, e.g. a photo) gives no information: leave the page be.
    if max(scores) <= score(0.0) * 1.02:
        return 0.0
    return best
