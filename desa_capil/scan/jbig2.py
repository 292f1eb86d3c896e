"""Lossless JBIG2 for bilevel page layers (ITU-T T.88, in a PDF as ``/JBIG2Decode``).

A bilevel page is coded as one *generic region*: every pixel arithmetic-coded from its
neighbours (the MQ coder, template 0, typical prediction; the C extension ``_jbig2``). It is
lossless by construction: there is no symbol dictionary, so no glyph is ever replaced by a
look-alike (lossy symbol substitution has swapped digits in scanned documents; NIK digits
must never change). On the benchmark pages it is about half the size of CCITT G4.

The stream is what PDF 32000 7.4.7 embeds: no file header, a page information segment and an
immediate lossless generic region segment (no end-of-page or end-of-file segment).
``file_stream`` adds the header and end segments for a standalone ``.jb2`` file (tools, tests).

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
END_OF_PAGE = 49
END_OF_FILE = 51
#: The nominal adaptive template pixels of template 0 (T.88 6.2.5.3), which the coder uses.
AT_PIXELS = (3, -1, -3, -1, 2, -2, -2, -2)
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


def _segment(number: int, kind: int, data: bytes, page: int = 1) -> bytes:
    # Segment header (T.88 7.2): number, flags (type; 1-byte page association), no referred-to
    # segments, page association, data length.
    return struct.pack(">IBBBI", number, kind, 0, page, len(data)) + data


def encode(binary: npt.NDArray[np.uint8]) -> bytes | None:
    """The embedded JBIG2 stream of a bilevel page (0 = ink, 255 = paper), or ``None``
    without the extension. Same pixels, same bytes."""
    if _jbig2 is None:
        return None
    h, w = binary.shape
    packed = pack(binary)
    coded: bytes = _jbig2.encode_generic(packed, w, h, (w + 7) // 8)
    # Page information (7.4.8): size, resolution unknown, flags: eventually lossless, default
    # pixel 0, combination OR; not striped.
    page = struct.pack(">IIIIBH", w, h, 0, 0, 0x01, 0)
    # Region segment information (7.4.1): the whole page at (0, 0), combination OR; generic
    # region flags (7.4.6.2): arithmetic, template 0, TPGDON on; the four AT pixels.
    region = struct.pack(">IIIIB", w, h, 0, 0, 0) + bytes([0x08]) + struct.pack(">8b", *AT_PIXELS)
    return _segment(0, PAGE_INFORMATION, page) + _segment(
        1, IMMEDIATE_LOSSLESS_GENERIC_REGION, region + coded
    )


def file_stream(embedded: bytes) -> bytes:
    """A standalone JBIG2 file (T.88 Annex D.4, sequential, one page) of an embedded stream."""
    return (
        FILE_ID
        + b"\x01"
        + struct.pack(">I", 1)
        + embedded
        + _segment(2, END_OF_PAGE, b"")
        + _segment(3, END_OF_FILE, b"", page=0)
    )
