import errno
import os
from pathlib import Path

import pytest

from desa_capil.errors import StorageError
from desa_capil.security.keys import DataKeys
from desa_capil.store.blobs import BlobStore, sha256_of

KEYS = DataKeys(bytes(range(32)))


def test_put_get_dedupe(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "b", keys=KEYS)
    sha = store.put(b"halaman 1")
    assert sha == sha256_of(b"halaman 1")
    assert store.put(b"halaman 1") == sha
    assert store.get(sha) == b"halaman 1"
    # Sealed on disk under a keyed name: neither the bytes nor their hash show.
    assert sha not in str(store.path(sha))
    assert b"halaman 1" not in store.path(sha).read_bytes()
    assert not list(store.root.rglob(".tmp-*"))


def test_damaged_blob_detected(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "b", keys=KEYS)
    sha = store.put(b"asli")
    store.path(sha).write_bytes(b"rusak")
    with pytest.raises(StorageError, match="damaged"):
        store.get(sha)


def test_secure_delete(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "b", keys=KEYS)
    sha = store.put(b"NIK 3201014509900001")
    store.delete(sha, secure=True)
    assert not store.exists(sha)
    store.delete(sha)  # deleting twice is harmless


def test_bad_names_refused(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "b", keys=KEYS)
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")


def test_disk_full_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = BlobStore(tmp_path / "b", keys=KEYS)
    real_fsync = os.fsync

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StorageError) as info:
        store.put(b"x" * 1000)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert "penuh" in info.value.message_id
    assert [p for p in store.root.rglob("*") if p.is_file()] == []
