"""Content-addressed file store for page images, assembled PDFs, receipts and signatures.

A blob is named by the SHA-256 of its content and written atomically (temp file, fsync,
rename, fsync of the folder), so a power cut leaves either the whole file or none, and the
same page scanned twice is stored once.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import tempfile
from pathlib import Path

from desa_capil.errors import StorageError

_SHA = re.compile(r"^[0-9a-f]{64}$")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fsync_dir(folder: Path) -> None:
    # Windows cannot open a directory for fsync; NTFS journals the rename itself.
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def disk_full_error(exc: OSError) -> StorageError:
    return StorageError(
        "Penyimpanan laptop penuh. Hapus berkas yang tidak perlu (misalnya di folder Unduhan), "
        "lalu coba lagi. Data yang sudah tersimpan tidak hilang.",
        "The laptop's disk is full. Delete files you do not need (e.g. in Downloads) and try "
        "again. Nothing already saved was lost.",
        detail=str(exc),
    )


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise disk_full_error(exc) from exc
        raise


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, sha: str) -> Path:
        if not _SHA.match(sha):
            raise ValueError(f"not a sha256: {sha!r}")
        return self.root / sha[:2] / sha[2:]

    def put(self, data: bytes) -> str:
        sha = sha256_of(data)
        target = self.path(sha)
        if not target.exists():
            atomic_write(target, data)
        return sha

    def get(self, sha: str) -> bytes:
        data = self.path(sha).read_bytes()
        if sha256_of(data) != sha:
            raise StorageError(
                "Sebuah berkas pindaian rusak di laptop ini. Pindai ulang halaman itu.",
                "A scanned file on this laptop is damaged. Scan that page again.",
                detail=f"blob {sha[:12]} does not match its hash",
            )
        return data

    def exists(self, sha: str) -> bool:
        return self.path(sha).exists()

    def size(self, sha: str) -> int:
        return self.path(sha).stat().st_size

    def delete(self, sha: str, *, secure: bool = False) -> None:
        """Remove a blob; `secure` overwrites it with zeros first (personal data)."""
        p = self.path(sha)
        if not p.exists():
            return
        if secure:
            size = p.stat().st_size
            with open(p, "r+b") as f:
                f.write(b"\0" * size)
                f.flush()
                os.fsync(f.fileno())
        p.unlink()
