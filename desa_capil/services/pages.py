"""Page processing: from raw pages to storable pages, the glue between the scan layer and store.pages.

Plain Python, no Qt: these functions run inside ``run_op`` on worker threads.

Every page keeps an *original* next to the processed copy so that a rotation re-runs the whole
pipeline (crop, deskew, colour decision) on the real picture instead of turning a bilevel copy
of it. The original is the raw page, upright as its EXIF said, as a JPEG at quality 90: about
a tenth of the decoded size and visually lossless for re-processing. What the pipeline needs
besides the pixels (was it a photo, the capture resolution) travels inside that JPEG (the dpi
field and a comment), because the page table has no column for it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from desa_capil.scan import pipeline, sources
from desa_capil.scan.sources import RawPage, SourceKind
from desa_capil.services.changes import Changes
from desa_capil.store import pages as store_pages
from desa_capil.store import repo
from desa_capil.store.db import Database
from desa_capil.store.pages import NewPage

ORIGINAL_QUALITY = 90
_PHOTO_TAG = b"desa_capil:photo=1"
_SCAN_TAG = b"desa_capil:photo=0"

#: progress(done, total, text); the op's ``Progress.report`` fits.
ReportFn = Callable[[int, int, str], None]


def encode_original(raw: RawPage) -> bytes:
    img = pipeline.orient(raw.image)
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    buf = io.BytesIO()
    kwargs: dict[str, object] = {
        "quality": ORIGINAL_QUALITY,
        "comment": _PHOTO_TAG if raw.is_photo else _SCAN_TAG,
    }
    if raw.dpi:
        kwargs["dpi"] = (round(raw.dpi), round(raw.dpi))
    img.save(buf, "JPEG", **kwargs)
    return buf.getvalue()


def decode_original(data: bytes, source: SourceKind = "file") -> RawPage:
    im = Image.open(io.BytesIO(data), formats=("JPEG",))
    im.load()
    is_photo = im.info.get("comment") == _PHOTO_TAG
    dpi = im.info.get("dpi")
    return RawPage(
        image=im,
        source=source,
        origin_name="original",
        is_photo=is_photo,
        dpi=None if is_photo or not dpi else float(dpi[0]),
    )


def new_page(
    raw: RawPage,
    rotation: int | None = None,
    *,
    original: bytes | None = None,
    size_choice: str = "",
    keep_color: bool = False,
) -> NewPage:
    """Process one raw page; the original is encoded here unless given (re-processing).

    ``rotation`` None (a page as it arrives): the pipeline turns a sideways or upside-down
    text page upright by itself, and that turn is stored as the page's rotation, so that the
    user's rotate buttons start from what they see. A rotation given (the user's): used as
    it is, never second-guessed. ``size_choice`` ("original", "card", "page"; "" automatic)
    and ``keep_color`` are the user's corrections from the page viewer.
    """
    auto = rotation is None
    done = pipeline.process(
        raw,
        rotate=rotation or 0,
        auto_orient=auto,
        mode="color" if keep_color else None,
        size=size_choice or None,
    )
    rotation = done.turn if auto else (rotation or 0)
    thumb = pipeline.thumbnail(done)
    return NewPage(
        data=done.data,
        mime=done.mime,
        width=done.width,
        height=done.height,
        dpi=done.dpi,
        mode=done.mode,
        thumb=thumb.data,
        original=original if original is not None else encode_original(raw),
        rotation=rotation % 360,
        source=raw.source,
    )


def reprocess(original: bytes, rotation: int, *, size_choice: str = "", keep_color: bool = False) -> NewPage:
    """The ``reprocess`` callable of ``store.pages.rotate_page`` / ``reprocess_page``."""
    return new_page(
        decode_original(original), rotation, original=original, size_choice=size_choice, keep_color=keep_color
    )


def pages_from_file(
    path: str | Path, report: ReportFn | None = None, *, source: SourceKind = "file"
) -> list[NewPage]:
    """Every page of an image file or PDF, processed. BadInputError for an unusable file.

    All pages are processed before anything is stored, so a file that fails on page 7 adds
    nothing at all.
    """
    name = Path(path).name
    out: list[NewPage] = []
    for raw in sources.iter_file(path, source=source):
        out.append(new_page(raw))
        if report is not None:
            report(len(out), raw.count, name)
    return out


def pages_from_raw(raws: list[RawPage], report: ReportFn | None = None) -> list[NewPage]:
    """Raw pages from a scanner or camera, processed."""
    out = []
    for i, raw in enumerate(raws):
        out.append(new_page(raw))
        if report is not None:
            report(i + 1, len(raws), raw.origin_name)
    return out


# --- operations on an application's papers ---------------------------------------------------


def add_to_paper(
    db: Database,
    application_id: str,
    requirement_code: str,
    pages: list[NewPage],
    operator_id: int | None = None,
) -> tuple[list[str], Changes]:
    """Store processed pages as the last pages of one paper and update the application's
    readiness; returns the new page ids and what changed (its row only if the status moved)."""
    before = repo.application_status(db, application_id)
    ids = store_pages.add_pages(db, application_id, requirement_code, pages)
    after = repo.refresh_readiness(db, application_id, operator_id)
    return ids, Changes.of_papers(application_id, before is not after)


def change_papers(
    db: Database, application_id: str, operation: Callable[[], object], operator_id: int | None = None
) -> Changes:
    """Run a page operation (turn, move, delete, re-make, rename the "Kertas lain") on one
    application, then update its readiness; what changed, as for add_to_paper."""
    before = repo.application_status(db, application_id)
    operation()
    after = repo.refresh_readiness(db, application_id, operator_id)
    return Changes.of_papers(application_id, before is not after)
