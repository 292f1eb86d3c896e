"""The read-back that verifies a bundle must come from the stick, not from the OS page cache:
on Linux the written file's cached pages are dropped (fsync, then posix_fadvise DONTNEED)
before ``verify`` reads it. Checked on the real page cache with mincore(2)."""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import os
import sys
from pathlib import Path
from typing import BinaryIO

import pytest

from desa_capil.usbroute import atomic

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(os, "posix_fadvise"), reason="Linux page cache"
)

SIZE = 4 * 1024 * 1024


def resident_pages(path: Path) -> int:
    """How many of the file's pages are in the page cache now (mincore on a mapping that is
    never touched, so mapping it reads nothing)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    size = path.stat().st_size
    page = mmap.PAGESIZE
    with open(path, "rb") as fh:
        mm = mmap.mmap(fh.fileno(), size, access=mmap.ACCESS_COPY)
    try:
        anchor = ctypes.c_char.from_buffer(mm)
        vec = (ctypes.c_ubyte * ((size + page - 1) // page))()
        rc = libc.mincore(ctypes.c_void_p(ctypes.addressof(anchor)), ctypes.c_size_t(size), vec)
        del anchor
        assert rc == 0, os.strerror(ctypes.get_errno())
        return sum(v & 1 for v in vec)
    finally:
        mm.close()


def _write(fh: BinaryIO) -> None:
    fh.write(os.urandom(SIZE))


def _cached_at_verify(tmp_path: Path) -> int:
    seen: list[int] = []
    atomic.write_atomic(tmp_path / "kiriman.dcb", _write, lambda tmp: seen.append(resident_pages(tmp)))
    assert (tmp_path / "kiriman.dcb").stat().st_size == SIZE
    return seen[0]


def test_verify_reads_from_the_device_not_the_page_cache(tmp_path: Path) -> None:
    pages = SIZE // mmap.PAGESIZE
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    # The file was just written: without the drop its pages sit in the cache (the control, so
    # the check below can fail).
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(atomic, "drop_cache", lambda _fh: None)
        assert _cached_at_verify(tmp_path / "a") > pages // 2
    # With fsync + POSIX_FADV_DONTNEED (clean pages are dropped) verify finds none cached.
    assert _cached_at_verify(tmp_path / "b") <= pages // 100


def test_the_drop_comes_after_fsync_and_before_the_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_fsync, real_advise = os.fsync, os.posix_fadvise

    def fsync(fd: int) -> None:
        calls.append("fsync")
        real_fsync(fd)

    def advise(fd: int, offset: int, length: int, advice: int) -> None:
        calls.append(
            f"fadvise {offset} {length} {'DONTNEED' if advice == os.POSIX_FADV_DONTNEED else advice}"
        )
        real_advise(fd, offset, length, advice)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "posix_fadvise", advise)
    atomic.write_atomic(tmp_path / "x.dcb", _write, lambda _tmp: calls.append("verify"))
    assert calls[:3] == ["fsync", "fadvise 0 0 DONTNEED", "verify"]


def test_the_windows_purge_runs_on_the_closed_file_before_the_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows the cache is purged by an uncached open of the CLOSED file (a cached handle
    still open would keep the cache section alive); here the seam records when it runs."""
    calls: list[str] = []
    handles: list[BinaryIO] = []

    def write(fh: BinaryIO) -> None:
        handles.append(fh)
        _write(fh)

    def purge(path: Path) -> None:
        calls.append(f"purge closed={handles[0].closed} size={path.stat().st_size}")

    monkeypatch.setattr(atomic, "purge_closed", purge)
    atomic.write_atomic(tmp_path / "x.dcb", write, lambda _tmp: calls.append("verify"))
    assert calls == [f"purge closed=True size={SIZE}", "verify"]
