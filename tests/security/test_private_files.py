"""security.files.write_private: the one way secrets and blobs reach the disk."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from desa_capil.errors import StorageError
from desa_capil.security import files
from desa_capil.store.blobs import atomic_write


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".tmp-"))


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_written_file_is_private_and_replaces_the_old_one(tmp_path: Path) -> None:
    target = tmp_path / "keys" / "device.json"
    assert files.write_private(target, b"first")
    target.chmod(0o644)  # an old file with a looser mode is replaced, not kept
    assert files.write_private(target, b"second")
    assert target.read_bytes() == b"second"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _leftovers(target.parent) == []


@pytest.mark.parametrize("hard_links", [True, False], ids=["hard-links", "no-hard-links"])
def test_first_wins_keeps_an_existing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hard_links: bool
) -> None:
    if not hard_links:  # a FAT stick or a share: os.link fails, the existing file still wins

        def no_links(src: object, dst: object) -> None:
            raise OSError(errno.EPERM, "no hard links on this file system")

        monkeypatch.setattr(files.os, "link", no_links)
    target = tmp_path / "office_keys.json"
    assert files.write_private(target, b"made first", first_wins=True)
    assert not files.write_private(target, b"made second", first_wins=True)
    assert target.read_bytes() == b"made first"
    assert _leftovers(tmp_path) == []


def test_full_disk_keeps_the_old_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "page"
    atomic_write(target, b"saved before")

    def full(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full)
    with pytest.raises(StorageError) as info:
        atomic_write(target, b"new bytes")
    assert "penuh" in info.value.message("id")
    assert target.read_bytes() == b"saved before"
    assert _leftovers(tmp_path) == []
