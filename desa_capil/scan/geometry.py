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


@dataclass(frozen=True)
class PaperFit:
    """The paper found in a picture (corners in source pixels) and its physical size."""

    corners: F64  # 4x2: top-left, top-right, bottom-right, bottom-left
    width_in: float
    height_in: float
    found: bool  # False: no paper edge seen; the corners are the picture's own corners


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


def find_paper(gray: U8, *, allow_perspective: bool) -> F64 | None:
    """Corners of a sheet of paper clearly brighter than what surrounds it, or None.

    ``gray`` is a small image (long side ~1000 px). Candidates come from two detectors: the
    bright region (Otsu threshold, text holes closed) and paper edges (Canny). A candidate is
    accepted only if it covers a good part of the picture and the picture outside it is
    clearly darker than inside: that rejects a table frame or a box printed on the paper
    itself, whose outside is the same white paper. Without ``allow_perspective`` (scans) the
    paper is forced to a rectangle.
    """
    h, w = gray.shape
    total = float(h * w)
    blur = cv2.GaussianBlur(gray, (5, 5), 0)
    candidates: list[F64] = []

    _, bright = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Only the outer contour counts (text holes do not matter); the opening cuts thin bright
    # bridges to things lying next to the paper.
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if contours:
        c = max(contours, key=cv2.contourArea)
        q = _quad_from_contour(c) if allow_perspective else None
        if q is None:
            q = order_corners(cv2.boxPoints(cv2.minAreaRect(c)).astype(np.float64))
        candidates.append(q)

    edges = cv2.Canny(blur, 40, 120)
    edges = cv2.dilate(edges, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for c in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
        q = _quad_from_contour(c)
        if q is not None:
            candidates.append(q)

    best: F64 | None = None
    best_score = 0.0
    for q in candidates:
        if not allow_perspective and not _is_rectangle(q):
            q = order_corners(cv2.boxPoints(cv2.minAreaRect(q.astype(np.float32))).astype(np.float64))
        area = abs(cv2.contourArea(q.astype(np.float32)))
        if area < 0.2 * total:
            continue
        mask = np.zeros_like(gray)
        cv2.fillConvexPoly(mask, np.round(q).astype(np.int32), 255)
        # Too little outside the paper to compare with: the paper fills the picture.
        if cv2.countNonZero(mask) > 0.995 * total:
            continue
        inside = float(cv2.mean(blur, mask=mask)[0])
        outside = float(cv2.mean(blur, mask=cv2.bitwise_not(mask))[0])
        contrast = inside - outside
        if contrast < 25:
            continue
        score = contrast * area
        if score > best_score:
            best, best_score = q, score
    return best


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


def fit_paper(
    gray_small: U8, scale: float, src_w: int, src_h: int, *, is_photo: bool, dpi: float | None
) -> PaperFit:
    """Find the paper in a downscaled picture and say how big it is in inches.

    ``scale`` is small/source. For scans with a known dpi the paper keeps its measured size;
    for photos the proportion is snapped to A4 or F4.
    """
    q_small = find_paper(gray_small, allow_perspective=is_photo)
    if q_small is not None:
        corners = q_small / scale
        top, right, bottom, left = side_lengths(corners)
        wpx, hpx = max(top, bottom), max(left, right)
        if is_photo or not dpi:
            w_in, h_in = snap_paper(wpx, hpx)
        else:
            w_in, h_in = (top + bottom) / 2 / dpi, (left + right) / 2 / dpi
        return PaperFit(corners, w_in, h_in, True)
    corners = np.array([[0, 0], [src_w, 0], [src_w, src_h], [0, src_h]], dtype=np.float64)
    if dpi and not is_photo:
        return PaperFit(corners, src_w / dpi, src_h / dpi, False)
    # A photo cropped to the paper (or a picture without dpi): assume its long side is A4's.
    long_in = PAPER_SIZES["A4"][1]
    k = long_in / max(src_w, src_h)
    return PaperFit(corners, src_w * k, src_h * k, False)


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
