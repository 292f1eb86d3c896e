"""Content-addressed, encrypted file store for page images, assembled PDFs, receipts, signatures.

Records refer to a blob by the SHA-256 of its plaintext, as before. On disk each blob is sealed
with AES-256-GCM (``security.crypto``; the plaintext SHA-256 is the associated data, so a file
cannot be swapped for another one) and named by HMAC(name key, sha256): the folder reveals
neither the scans nor which well-known file (a blank form, a sample KTP) is among them.

Writes are atomic (temp file, fsync, rename, fsync of the folder), so a power cut leaves either
the whole file or none, and the same page scanned twice is stored once.

``path(sha)`` is where the *sealed* file lives: read blobs with ``get``, never from the path.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from desa_capil.errors import StorageError
from desa_capil.security.crypto import OVERHEAD, DecryptError, keyed_name, open_sealed, seal
from desa_capil.security.files import write_private
from desa_capil.security.keys import DataKeys

_SHA = re.compile(r"^[0-9a-f]{64}$")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def disk_full_error(exc: OSError) -> StorageError:
    return StorageError(
        "Penyimpanan laptop penuh. Hapus berkas yang tidak perlu (misalnya di folder Unduhan), "
        "lalu coba lagi. Data yang sudah tersimpan tidak hilang.",
        "The laptop's disk is full. Delete files you do not need (e.g. in Downloads) and try "
        "again. Nothing already saved was lost.",
        detail=str(exc),
    )


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the whole new one (0600)."""
    try:
        write_private(path, data)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise disk_full_error(exc) from exc
        raise


def _overwrite_with_zeros(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.write(b"\0" * size)
        f.flush()
        os.fsync(f.fileno())


def _damaged(sha: str, why: str) -> StorageError:
    return StorageError(
        "Sebuah berkas pindaian rusak di laptop ini. Pindai ulang halaman itu.",
        "A scanned file on this laptop is damaged. Scan that page again.",
        detail=f"blob {sha[:12]} {why}",
    )


FORMAT_FILE = ".format"
FORMAT = "aes256gcm-hmacname-v1"
_NAME_TAIL = re.compile(r"^[0-9a-f]{62}$")


@dataclass(frozen=True)
class OrphanReport:
    """What ``collect_orphans`` did: files and bytes removed, and young orphans left alone."""

    removed: int = 0
    removed_bytes: int = 0
    kept_young: int = 0


class BlobStore:
    def __init__(self, root: Path, *, keys: DataKeys) -> None:
        self.root = root
        self._seal_key = keys.blob_seal
        self._name_key = keys.blob_name
        self.root.mkdir(parents=True, exist_ok=True)
        # Serialises "does it exist / touch it / write it" in put() with "is it old / delete
        # it" in collect_orphans(): a page scanned now whose bytes equal an old orphan must
        # never lose its file between the check and the commit of its row.
        self._gc_lock = threading.Lock()

    def path(self, sha: str) -> Path:
        if not _SHA.match(sha):
            raise ValueError(f"not a sha256: {sha!r}")
        name = keyed_name(self._name_key, sha)
        return self.root / name[:2] / name[2:]

    def put(self, data: bytes) -> str:
        """Store `data` (sealed); returns the SHA-256 of the plaintext, which records keep."""
        sha = sha256_of(data)
        target = self.path(sha)
        with self._gc_lock:
            try:
                # Already stored: mark it as used in this session, so the orphan collector
                # (which only takes files older than the session) leaves it alone until the
                # row naming it is committed.
                os.utime(target)
            except FileNotFoundError:
                atomic_write(target, seal(self._seal_key, data, sha.encode()))
        return sha

    def get(self, sha: str) -> bytes:
        sealed = self.path(sha).read_bytes()
        try:
            data = open_sealed(self._seal_key, sealed, sha.encode())
        except DecryptError as exc:
            raise _damaged(sha, f"cannot be decrypted ({exc})") from exc
        if sha256_of(data) != sha:
            raise _damaged(sha, "does not match its hash")
        return data

    def exists(self, sha: str) -> bool:
        return self.path(sha).exists()

    def size(self, sha: str) -> int:
        """Bytes of the plaintext (the sealed file is a fixed overhead larger)."""
        return self.path(sha).stat().st_size - OVERHEAD

    def delete(self, sha: str, *, secure: bool = False) -> None:
        """Remove a blob; `secure` overwrites it with zeros first (personal data).

        On an SSD or a journaling file system the old blocks may survive the overwrite; the
        encryption is what protects them, the overwrite is a second line.
        """
        p = self.path(sha)
        if not p.exists():
            return
        if secure:
            _overwrite_with_zeros(p)
        p.unlink()

    def collect_orphans(self, referenced: Iterable[str], *, older_than: float) -> OrphanReport:
        """Delete sealed files no record names, and temp files a crash left behind.

        ``referenced``: every SHA-256 the database still names (``store.db.referenced_blobs``).
        ``older_than``: a UNIX time, normally the start of the current session; a file modified
        at or after it is never deleted (it may belong to a page being saved right now: blobs
        are written before the row that names them is committed). Orphans are overwritten
        with zeros before removal, like every deleted scan.
        """
        keep = {keyed_name(self._name_key, sha) for sha in referenced if _SHA.match(sha)}
        removed = removed_bytes = young = 0
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir() and len(p.name) == 2):
            for f in sorted(folder.iterdir()):
                is_tmp = f.name.startswith(".tmp-")
                if not is_tmp and (not _NAME_TAIL.match(f.name) or folder.name + f.name in keep):
                    continue  # named by a record, or not a file this store made
                with self._gc_lock:
                    try:
                        st = f.stat()
                        if st.st_mtime >= older_than:
                            young += 1
                            continue
                        _overwrite_with_zeros(f)
                        f.unlink()
                    except FileNotFoundError:
                        continue
                removed += 1
                removed_bytes += st.st_size
        return OrphanReport(removed, removed_bytes, young)

    def encrypt_legacy(self) -> int:
        """Seal plaintext blobs an earlier version left (named by their own SHA-256).

        Runs once per store: a marker file records that the folder holds only sealed blobs.
        Returns how many files were converted.
        """
        marker = self.root / FORMAT_FILE
        if marker.exists():
            return 0
        converted = 0
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir() and len(p.name) == 2):
            for f in sorted(folder.iterdir()):
                sha = folder.name + f.name
                if not _SHA.match(sha) or f.name.startswith(".tmp-"):
                    continue
                data = f.read_bytes()
                if sha256_of(data) != sha:
                    continue  # already sealed (an HMAC name) or damaged: leave it alone
                self.put(data)
                _overwrite_with_zeros(f)
                f.unlink()
                converted += 1
        atomic_write(marker, FORMAT.encode() + b"\n")
        return converted
