"""Lossless JBIG2 for bilevel page layers (ITU-T T.88, in a PDF as ``/JBIG2Decode``).

Two codings, both lossless by construction (the C extension ``_jbig2``, MQ arithmetic coder):

* *text region* (the usual one, ``encode_text``): the page's connected components up to
  ``MAX_GLYPH`` pixels square are glyphs. Glyphs of about the same shape form a class whose
  prototype (the pixel-wise majority of its members) is a symbol of a symbol dictionary
  (T.88 6.5; a prototype close to an earlier one is coded as a refinement of it, in a second
  dictionary; a glyph that is a better reference than its prototype for enough glyphs of its
  class is promoted to a symbol of its own, refined from it); a text region (6.4) places
  every glyph, either as a symbol when the glyph is exactly it, or as a *refinement* of the
  closest symbol of about its size, whatever its class (SBREFINE, 6.4.11: a generic
  refinement region coded from the symbol) that ends on the glyph's own exact pixels.
  Classification only decides what a glyph is coded FROM, never what it becomes: no lossy symbol
  substitution, so a "6" that looks like an "8" still decodes as its own pixels (lossy
  substitution has swapped digits in scanned documents; NIK digits must never change). The
  components too big to be glyphs go to a generic region over their bounding box.
* *generic region* (``encode_generic``): every pixel coded from its neighbours (template 2,
  typical prediction). It wins on handwriting, where no two glyphs are alike.

``encode`` picks the text region, and the smaller of the two where the text region may not
pay. On the benchmark pages it is 0.44-0.63x the size of CCITT G4 (BENCHMARKS.md).

The stream is what PDF 32000 7.4.7 embeds: no file header, a page information segment and the
region segments (no end-of-page or end-of-file segment). ``file_stream`` adds the header and
end segments for a standalone ``.jb2`` file (tools, tests).

``encode`` returns ``None`` when the extension is not built (an install without a C compiler):
callers then keep CCITT G4. The page pipeline also decodes every stream once with PDFium
before using it (``pdf.jbig2_round_trip``) and falls back to G4 on any difference.
"""

from __future__ import annotations

import importlib
import struct
from types import ModuleType

import numpy as np
import numpy.typing as npt


def _load() -> ModuleType | None:
    # Built by setuptools from _jbig2.c (pyproject.toml, [[tool.setuptools.ext-modules]]);
    # imported by name, so build_installer.py names it to PyInstaller.
    try:
        return importlib.import_module("desa_capil.scan._jbig2")
    except ImportError:
        return None


_jbig2 = _load()

#: Segment types (T.88 7.3).
PAGE_INFORMATION = 48
IMMEDIATE_LOSSLESS_GENERIC_REGION = 39
SYMBOL_DICTIONARY = 0
IMMEDIATE_LOSSLESS_TEXT_REGION = 7
END_OF_PAGE = 49
END_OF_FILE = 51
#: Generic regions: template 2 and its nominal adaptive template pixel (T.88 6.2.5.3).
GENERIC_TEMPLATE = 2
AT_PIXELS = (2, -1)
#: Symbol dictionaries: generic template 1 and its nominal AT pixel (T.88 6.2.5.3).
SD_TEMPLATE = 1
SD_AT_PIXELS = (3, -1)
#: Refinement coding (second dictionary and text region): template 1 (T.88 6.3.5.3), which
#: has no adaptive pixels.
REFINEMENT_TEMPLATE = 1
REFCORNER_BOTTOMLEFT = 0
#: Text-region coding: components up to this many pixels square are glyphs; strips of
#: 2**LOG_STRIPS rows; a glyph is refined from a symbol when at most this many per mille of
#: its ink pixels differ (else it is a new symbol). Sizes only: every glyph decodes exactly.
#: Tuned on the 45 bilevel layers of benchmarks/jbig2_check.py (BENCHMARKS.md).
MAX_GLYPH = 160
LOG_STRIPS = 0
REFINE_PERMILLE = 120
FILE_ID = b"\x97JB2\r\n\x1a\n"


def available() -> bool:
    return _jbig2 is not None


def pack(binary: npt.NDArray[np.uint8]) -> bytes:
    """Packed rows, MSB first, 1 = black, of a page given as 0 = ink, 255 = paper."""
    return np.packbits(binary < 128, axis=1).tobytes()


def unpack(packed: bytes, width: int, height: int) -> npt.NDArray[np.uint8]:
    """The inverse of ``pack``: 0 = ink, 255 = paper."""
    bits = np.unpackbits(np.frombuffer(packed, np.uint8).reshape(height, -1), axis=1)[:, :width]
    return np.where(bits == 1, 0, 255).astype(np.uint8)


def _segment(number: int, kind: int, data: bytes, page: int = 1, refers: tuple[int, ...] = ()) -> bytes:
    # Segment header (T.88 7.2): number, flags (type; 1-byte page association), the referred-to
    # segments (a count of at most 4, then 1-byte numbers: every number here is below 256),
    # page association, data length.
    return (
        struct.pack(">IBB", number, kind, len(refers) << 5)
        + bytes(refers)
        + struct.pack(">BI", page, len(data))
        + data
    )


def _page_information(w: int, h: int) -> bytes:
    # Page information (7.4.8): size, resolution unknown, flags: eventually lossless, default
    # pixel 0, combination OR; not striped.
    return struct.pack(">IIIIBH", w, h, 0, 0, 0x01, 0)


def _generic_region(number: int, coded: bytes, w: int, h: int, x: int = 0, y: int = 0) -> bytes:
    # Region segment information (7.4.1): size and place on the page, combination OR; generic
    # region flags (7.4.6.2): arithmetic, template 2, TPGDON on; its AT pixel.
    flags = 0x08 | GENERIC_TEMPLATE << 1
    region = struct.pack(">IIIIB", w, h, x, y, 0) + bytes([flags]) + struct.pack(">2b", *AT_PIXELS)
    return _segment(number, IMMEDIATE_LOSSLESS_GENERIC_REGION, region + coded)


def _generic_stream(coded: bytes, w: int, h: int) -> bytes:
    return _segment(0, PAGE_INFORMATION, _page_information(w, h)) + _generic_region(1, coded, w, h)


def _text_stream(
    got: tuple[bytes, int, bytes, int, bytes, int, tuple[bytes, int, int, int, int] | None, int],
    w: int,
    h: int,
    log_strips: int,
) -> bytes:
    # (the 8th item, the refined instances, is for tests; a build older than it gives 7)
    dict_data, nsyms, dict2_data, nsyms2, text_data, ninstances, rest = got[:7]
    # First symbol dictionary (7.4.3): flags: arithmetic, no refinement/aggregate coding,
    # generic template 1; its AT pixel; symbols exported and new.
    out = _segment(0, PAGE_INFORMATION, _page_information(w, h)) + _segment(
        1,
        SYMBOL_DICTIONARY,
        struct.pack(">H2bII", SD_TEMPLATE << 10, *SD_AT_PIXELS, nsyms, nsyms) + dict_data,
    )
    dictionaries: tuple[int, ...] = (1,)
    if nsyms2:
        # Second symbol dictionary, on the first: flags SDREFAGG (refinement coding),
        # generic template 1 (unused) and its AT pixel, refinement template 1 (no AT pixels);
        # symbols exported (its own) and new.
        flags2 = 0x0002 | SD_TEMPLATE << 10 | REFINEMENT_TEMPLATE << 12
        sd2 = struct.pack(">H2bII", flags2, *SD_AT_PIXELS, nsyms2, nsyms2) + dict2_data
        out += _segment(2, SYMBOL_DICTIONARY, sd2, refers=(1,))
        dictionaries = (1, 2)
    # Text region (7.4.4): the whole page, combination OR; flags: arithmetic, SBREFINE,
    # LOGSBSTRIPS, REFCORNER bottom-left, not transposed, OR, default pixel 0, SBDSOFFSET 0,
    # refinement template 1 (no AT pixels); the number of instances. Its symbols: the first
    # dictionary's, then the second's.
    flags = 0x0002 | log_strips << 2 | REFCORNER_BOTTOMLEFT << 4 | REFINEMENT_TEMPLATE << 15
    tr = struct.pack(">IIIIB", w, h, 0, 0, 0) + struct.pack(">HI", flags, ninstances) + text_data
    n = len(dictionaries) + 1
    out += _segment(n, IMMEDIATE_LOSSLESS_TEXT_REGION, tr, refers=dictionaries)
    if rest is not None:
        # The components too big to be glyphs: a generic region over their bounding box.
        coded, x, y, rw, rh = rest
        out += _generic_region(n + 1, coded, rw, rh, x, y)
    return out


def encode_generic(binary: npt.NDArray[np.uint8]) -> bytes | None:
    """The page as one generic region (every pixel coded from its neighbours)."""
    if _jbig2 is None:
        return None
    h, w = binary.shape
    return _generic_stream(_jbig2.encode_generic(pack(binary), w, h, (w + 7) // 8), w, h)


def encode_text(
    binary: npt.NDArray[np.uint8],
    *,
    max_glyph: int = MAX_GLYPH,
    log_strips: int = LOG_STRIPS,
    refine_permille: int = REFINE_PERMILLE,
) -> bytes | None:
    """The page as a symbol dictionary and a text region (plus a generic region for the
    components larger than ``max_glyph``), or ``None`` when the page has fewer than two
    distinct glyph shapes or is noise. Every glyph decodes to its own pixels: a glyph close
    to an earlier symbol (at most ``refine_permille`` of its pixels differ) is coded as a
    refinement of its class's prototype, which ends on the glyph's exact pixels (T.88
    6.4.11)."""
    if _jbig2 is None:
        return None
    h, w = binary.shape
    got = _jbig2.encode_text(pack(binary), w, h, (w + 7) // 8, max_glyph, log_strips, refine_permille)
    return None if got is None else _text_stream(got, w, h, log_strips)


def encode(binary: npt.NDArray[np.uint8]) -> bytes | None:
    """The embedded JBIG2 stream of a bilevel page (0 = ink, 255 = paper), or ``None``
    without the extension. Same pixels, same bytes.

    Text-region coding first; the generic region too, and the smaller wins, only where
    text-region coding may not pay (fewer than 200 glyphs, or a quarter of them or more
    unlike any other: handwriting), so a printed page is coded once."""
    if _jbig2 is None:
        return None
    h, w = binary.shape
    packed = pack(binary)
    got = _jbig2.encode_text(packed, w, h, (w + 7) // 8, MAX_GLYPH, LOG_STRIPS, REFINE_PERMILLE)
    text = None if got is None else _text_stream(got, w, h, LOG_STRIPS)
    if got is not None:
        new_shapes, ninstances = got[1], got[5]
        if ninstances >= 200 and new_shapes < 0.25 * ninstances:
            return text
    generic = _generic_stream(_jbig2.encode_generic(packed, w, h, (w + 7) // 8), w, h)
    return text if text is not None and len(text) < len(generic) else generic


def is_generic(stream: bytes) -> bool:
    """Whether an ``encode`` stream is the generic-region coding (its second segment)."""
    return len(stream) > 41 and stream[34] & 0x3F == IMMEDIATE_LOSSLESS_GENERIC_REGION


def _segment_count(stream: bytes) -> int:
    n = pos = 0
    while pos < len(stream):
        refers = stream[pos + 5] >> 5
        pos += 6 + refers + 1
        pos += 4 + int.from_bytes(stream[pos : pos + 4], "big")
        n += 1
    return n


def file_stream(embedded: bytes) -> bytes:
    """A standalone JBIG2 file (T.88 Annex D.4, sequential, one page) of an embedded stream."""
    n = _segment_count(embedded)
    return (
        FILE_ID
        + b"\x01"
        + struct.pack(">I", 1)
        + embedded
        + _segment(n, END_OF_PAGE, b"")
        + _segment(n + 1, END_OF_FILE, b"", page=0)
    )
