"""Writing a file so that a reader never sees it half done (a stick pulled mid-write included).

Write under a temporary name in the same folder, fsync, drop the cached pages so the read-back
comes from the device, verify, rename into place, fsync the folder. Any failure removes the
temporary file, so what is left under the final name is complete and verified or absent.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def temp_name(path: Path) -> Path:
    """A hidden temporary name beside ``path``; readers skip names starting with '.'."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")


def fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder for fsync; NTFS journals the rename
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def drop_cache(fh: BinaryIO) -> None:
    """Ask the OS to forget the file's cached pages, so reading back hits the device."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None:
        with contextlib.suppress(OSError):
            advise(fh.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def write_atomic(path: Path, write: Callable[[BinaryIO], None], verify: Callable[[Path], None]) -> None:
    """``write`` into a temp file, ``verify`` it (raises on a problem), then move it to ``path``."""
    tmp = temp_name(path)
    try:
        with open(tmp, "xb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
            drop_cache(fh)
        verify(tmp)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
