"""Writing a file so that a reader never sees it half done (a stick pulled mid-write included).

Write under a temporary name in the same folder, fsync, drop the cached pages so the read-back
comes from the device, verify, rename into place, fsync the folder. Any failure removes the
temporary file, so what is left under the final name is complete and verified or absent.

Dropping the cache, per OS (a read-back served from RAM would prove nothing about the stick):

* Linux (and other systems with posix_fadvise): ``posix_fadvise(POSIX_FADV_DONTNEED)`` on the written file after
  fsync (its pages are clean then, so the kernel drops them); tested on the real page cache with
  mincore(2) in tests/usbroute/test_readback.py.
* Windows: once the write handle is closed, the file is opened once with
  ``FILE_FLAG_NO_BUFFERING`` and closed again. A non-cached open of a file that has no other
  cached handle makes the file system flush and purge the file's cache section (FastFAT's and
  NTFS's create path: ``CcFlushCache`` + ``CcPurgeCacheSection``; sticks are FAT32/exFAT), so the
  verify that follows reads from the stick. Not run on a real Windows machine in this project's
  CI (Linux only); if the open fails, the read-back still happens, possibly from the cache.
* macOS has neither call here; the read-back may come from the cache.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from desa_capil.security.files import fsync_dir

log = logging.getLogger(__name__)


def temp_name(path: Path) -> Path:
    """A hidden temporary name beside ``path``; readers skip names starting with '.'."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")


def drop_cache(fh: BinaryIO) -> None:
    """Ask the OS to forget the file's cached pages, so reading back hits the device."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None:
        with contextlib.suppress(OSError):
            advise(fh.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def _purge_windows(path: Path) -> None:
    """Open ``path`` once without buffering and close it: the file system flushes and purges its
    cached pages (see the module docstring). Windows only; errors are logged, not raised."""
    if sys.platform != "win32":
        return
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    create = kernel32.CreateFileW
    create.argtypes = [
        wintypes.LPCWSTR,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.LPVOID,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.HANDLE,
    ]
    create.restype = wintypes.HANDLE
    generic_read, share_all, open_existing, no_buffering = 0x80000000, 0x7, 3, 0x20000000
    handle = create(str(path), generic_read, share_all, None, open_existing, no_buffering, None)
    if handle in (None, wintypes.HANDLE(-1).value):
        log.warning(
            "uncached open of %s failed (error %d): read-back may hit the cache",
            path,
            ctypes.get_last_error(),
        )
        return
    kernel32.CloseHandle(handle)


# Called with the written, closed temporary file before it is read back (a seam for the tests).
purge_closed: Callable[[Path], None] = _purge_windows


def write_atomic(path: Path, write: Callable[[BinaryIO], None], verify: Callable[[Path], None]) -> None:
    """``write`` into a temp file, ``verify`` it (raises on a problem), then move it to ``path``."""
    tmp = temp_name(path)
    try:
        with open(tmp, "xb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
            drop_cache(fh)
        purge_closed(tmp)
        verify(tmp)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
