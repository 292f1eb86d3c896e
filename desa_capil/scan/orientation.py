"""Which way up a text page is: 0, 90, 180 or 270 degrees, from the shape of its print.

No OCR engine and no model: Latin print (Indonesian, English) has two asymmetries that a few
numpy passes measure on the page at ``ANALYSIS_DPI``:

1. *Lines run across the page.* Letters of a text line sit side by side, so the ink's
   projection on the axis across the lines is sharply peaked (a line, a gap, a line), and on
   the other axis it is not. That tells 0/180 from 90/270.
2. *Ascenders outnumber descenders.* In each text line, the band of the x-height carries
   most ink; above it are the ascenders and capitals (b d f h k l t, A-Z, 0-9), below it the
   descenders (g j p q y). Indonesian has about three times more ink above the band than
   below. Upside down, that flips.
3. *Lines start together and end ragged.* Left-aligned print (letters, forms, lists) has its
   line starts on one vertical; the ends scatter. Upside down, the ragged side is the left.
   This one still speaks on all-capital print (a KTP, a form's headings), where 2 is silent.

Each signal gives a score with a sign; weak evidence gives no turn (0), so a page without
enough print, a photo or a drawing is left as it came. ``benchmarks/orientation.py`` measures
the accuracy on a labelled set.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from desa_capil.scan.geometry import blob_stats

U8 = npt.NDArray[np.uint8]

#: Ink on a lighting-corrected gray page.
INK_LEVEL = 190
#: Ink of faint print (a worn dot-matrix ribbon at gray ~205 is ~225 at 100 dpi, where its
#: dots blur into the paper), looked for only when ``INK_LEVEL`` finds too little print.
FAINT_INK_LEVEL = 228
#: Smallest number of letter-like blobs for a decision.
MIN_GLYPHS = 60
#: Line structure across vs along (ratio of the peakedness of the two projections) needed to
#: say the lines run one way rather than the other.
AXIS_MARGIN = 1.15
#: Width of the strips in which text lines are followed (inches at 100 dpi).
STRIP_IN = 1.2


@dataclass(frozen=True)
class Orientation:
    """``turn``: clockwise quarter turns (degrees) that make the page upright. The rest is
    the evidence (see the module docstring), for benchmarks and logs: ``axis`` > 1 when the
    lines run across, ``ascent`` and ``align`` > 0 when the page is the right way up."""

    turn: int
    axis: float
    ascent: float
    align: float
    glyphs: int

    @property
    def updown(self) -> float:
        """> 0: the right way up (after ``turn``'s axis); < 0: upside down; 0: unsure.

        The ascenders decide when they speak clearly; the line alignment only when they do
        not (all-capital print), because justified text wrapped around a picture has ragged
        starts and aligned ends."""
        if abs(self.ascent) >= ASCENT_MARGIN:
            return self.ascent
        if abs(self.align) >= ALIGN_MARGIN:
            return self.align
        return 0.0


#: Evidence (normalised, -1..1) that counts: ascenders vs descenders, line starts vs ends.
ASCENT_MARGIN = 0.1
ALIGN_MARGIN = 0.5


def detect(flat_gray: U8, *, border: float = 0.04) -> Orientation:
    """The turn that makes a lighting-corrected gray page upright (0 when unsure)."""
    glyphs, count = _glyph_mask(flat_gray, border)
    faint = count < MIN_GLYPHS
    if faint:
        # Faint print: its letters are there at a lighter level. Only the line direction and
        # the line alignment are trusted there: the dots of a letter blur into one clump at
        # this resolution, and the ascenders' evidence then points either way.
        glyphs, count = _glyph_mask(flat_gray, border, FAINT_INK_LEVEL)
    if count < MIN_GLYPHS:
        return Orientation(0, 1.0, 0.0, 0.0, count)
    rows = _peakedness(glyphs.sum(axis=1))
    cols = _peakedness(glyphs.sum(axis=0))
    axis = rows / max(cols, 1e-9)
    if axis >= AXIS_MARGIN:
        ascent, align = _updown(glyphs)
        turn = 180
    elif axis <= 1.0 / AXIS_MARGIN:
        # Lines run top to bottom: turned a quarter. Which quarter: the same test on the
        # page turned clockwise (right if the page was lying with its top to the left).
        ascent, align = _updown(np.rot90(glyphs, k=-1))
        turn = 270
    else:
        return Orientation(0, axis, 0.0, 0.0, count)
    if faint:
        ascent = 0.0
    o = Orientation(0, axis, ascent, align, count)
    if o.updown > 0:
        return Orientation((turn + 180) % 360, axis, ascent, align, count)
    if o.updown < 0:
        return Orientation(turn, axis, ascent, align, count)
    return o  # unsure: left as it came


def _glyph_mask(flat_gray: U8, border: float, level: int = INK_LEVEL) -> tuple[npt.NDArray[np.bool_], int]:
    """Ink blobs of a letter's size (rules, boxes, photos and specks left out), and their number."""
    ink = (flat_gray < level).astype(np.uint8)
    # A dot-matrix letter is a cluster of dots: closing the 1-pixel gaps makes it one blob.
    ink = np.asarray(cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((2, 2), np.uint8)), dtype=np.uint8)
    h, w = ink.shape
    by, bx = int(h * border), int(w * border)
    ink[:by] = 0
    ink[h - by :] = 0
    ink[:, :bx] = 0
    ink[:, w - bx :] = 0
    n, labels, stats = blob_stats(ink)
    bw, bh, area = stats[:, 2], stats[:, 3], stats[:, 4]
    longest = np.maximum(bw, bh)
    ok = (longest >= 3) & (longest <= 40) & (area >= 4) & (bw <= 6 * bh) & (bh <= 6 * bw)
    ok[0] = False
    return ok[labels], int(ok.sum())


def _peakedness(profile: npt.NDArray[np.int64]) -> float:
    """How concentrated a projection is (1 for even ink; more for lines and gaps), over the
    span between its first and last ink."""
    nz = np.flatnonzero(profile)
    if nz.size < 2:
        return 1.0
    p = profile[nz[0] : nz[-1] + 1].astype(np.float64)
    return float(p.size * np.dot(p, p) / max(p.sum() ** 2, 1e-9))


def _lines(profile: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
    """Row ranges [start, end) of text lines: runs of rows with ink."""
    on = np.concatenate(([0], (profile > 0).astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(on))
    runs = list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
    if not runs:
        return []
    heights = np.array([b - a for a, b in runs])
    typical = float(np.median(heights))
    # Two lines touching (a descender on the next line's capital) or a lone dot: skipped.
    return [(a, b) for a, b in runs if 4 <= b - a <= 2.2 * typical + 1]


def _percentile_75(p: npt.NDArray[np.float64]) -> float:
    """``np.percentile(p, 75)`` (its default linear method, the same arithmetic to the last
    bit) without its overhead, which dominated this module's time over ~300 short lines."""
    s = np.sort(p)
    index = 0.75 * (s.size - 1)
    lo = int(index)
    hi = min(lo + 1, s.size - 1)
    t = index - lo
    a, b = float(s[lo]), float(s[hi])
    # numpy's _lerp: from the nearer end.
    return b - (b - a) * (1.0 - t) if t >= 0.5 else a + (b - a) * t


def _updown(glyphs: npt.NDArray[np.bool_]) -> tuple[float, float]:
    """Evidence (each -1..1, > 0 = upright) from ascenders vs descenders and from line starts
    vs line ends, for a page whose lines run across.

    Lines are found in vertical strips (~1.2 in): the columns of a newspaper or a form do
    not share their baselines, and across the whole page the gaps between lines vanish.
    """
    h, w = glyphs.shape
    step = max(40, round(STRIP_IN * 100))
    above = below = 0.0
    for x0 in range(0, w, step):
        strip = glyphs[:, x0 : x0 + step]
        profile = strip.sum(axis=1)
        for a, b in _lines(profile):
            p = profile[a:b].astype(np.float64)
            # The x-height band: rows with at least half the usual ink of the line's rows
            # (not of its fullest row: a baseline serif or the tops of round letters make
            # one row much fuller than the band it belongs to).
            core = np.flatnonzero(p >= 0.5 * _percentile_75(p))
            above += float(p[: core[0]].sum())
            below += float(p[core[-1] + 1 :].sum())
    ascent = (above - below) / max(above + below, 1e-9)
    starts: list[int] = []
    ends: list[int] = []
    profile = glyphs.sum(axis=1)
    for a, b in _lines(profile):
        cols = np.flatnonzero(glyphs[a:b].any(axis=0))
        starts.append(int(cols[0]))
        ends.append(int(cols[-1]))
    align = 0.0
    if len(starts) >= 4:
        s, e = np.array(starts, np.float64), np.array(ends, np.float64)
        # Spread around the usual start/end (median absolute deviation): a left-aligned
        # page has its starts on one vertical.
        ds = float(np.median(np.abs(s - np.median(s))))
        de = float(np.median(np.abs(e - np.median(e))))
        # A few pixels either way are noise, not alignment.
        align = (de - ds) / max(de + ds, 0.02 * w)
    return ascent, align
