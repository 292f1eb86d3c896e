"""An encrypted, verified copy of the laptop's data on a USB stick, and its restore.

Layout on the stick (one folder per laptop data set; several snapshots share the page files)::

    <stick>/desa_capil-cadangan/
        blobs/ab/cdef...            sealed page files, exactly as in the laptop's blob store
        20261129-200100/
            database.sqlite3        SQLCipher copy (online backup API), same key as the laptop
            manifest.json           public facts (date, village, counts) + a sealed part

Nothing on the stick can be read without the data key, and the key is not there: the restore
takes the recovery code the kepala desa keeps (``security.keys``). The sealed part of the
manifest (AES-256-GCM under a subkey of the master key, the public part as associated data)
lists the SHA-256 of every page file and of the database copy; it is what "verified" checks,
and a wrong recovery code or a tampered manifest fails to open it.

Page files are content-addressed and never change, so a later backup to the same stick copies
only the new ones. A snapshot folder appears under its final name only when complete (written
as ``.tmp-...`` and renamed), and the "last good backup" date is recorded only after the copy
was read back and checked: a stick pulled out halfway leaves no snapshot that looks good.

The device token is never copied: a restored laptop enrolls again with a new code from the
office. Every client id (application, batch, upload, event) comes back unchanged, so the
outbox resumes where the backup left it and the server answers replays as replays.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import func, select

from desa_capil import __version__
from desa_capil.errors import BadInputError, StorageError
from desa_capil.paths import AppPaths
from desa_capil.security import audit
from desa_capil.security.crypto import DecryptError, derive, open_sealed, seal
from desa_capil.security.keys import DataKeys, KeyStore, master_from_code
from desa_capil.store import db as store_db
from desa_capil.store import outbox, setting_keys
from desa_capil.store.blobs import FORMAT, FORMAT_FILE, BlobStore, atomic_write, disk_full_error
from desa_capil.store.db import Database, connect_raw, referenced_in
from desa_capil.store.models import Application, AuditEntry, HandOver, Outbox, Page
from desa_capil.store.repo import get_setting, set_setting

log = logging.getLogger(__name__)

ROOT_NAME = "desa_capil-cadangan"
DB_NAME = "database.sqlite3"
MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1
KEEP_SNAPSHOTS = 3
LAST_OK_SETTING = "backup_last_ok_at"  # ISO UTC time of the last verified backup
REMIND_AFTER = timedelta(days=7)
_CHUNK = 1 << 20

#: progress(done, total, what): called from the worker thread
Progress = Callable[[int, int, str], None]


def _no_progress(_done: int, _total: int, _what: str) -> None:
    return None


def _manifest_key(keys: DataKeys) -> bytes:
    return derive(keys.master, "desa_capil backup manifest v1")


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _stick_error(exc: OSError) -> StorageError:
    if exc.errno in (28, 122):  # ENOSPC, EDQUOT
        return StorageError(
            "Flashdisk penuh. Pakai flashdisk lain yang lebih besar, atau hapus berkas lain di "
            "flashdisk itu, lalu coba lagi. Data di laptop tidak berubah.",
            "The USB stick is full. Use a larger one or delete other files on it, then try again. "
            "Nothing on the laptop changed.",
            detail=str(exc),
        )
    return StorageError(
        "Cadangan tidak bisa ditulis ke flashdisk (dicabut, rusak, atau hanya-baca?). Pasang lagi "
        "flashdisknya, lalu coba lagi. Data di laptop tidak berubah.",
        "The backup could not be written to the USB stick (removed, damaged or read-only?). "
        "Plug it in again and retry. Nothing on the laptop changed.",
        detail=str(exc),
    )


def _damaged_backup(detail: str) -> StorageError:
    return StorageError(
        "Cadangan di flashdisk ini rusak atau tidak lengkap, sehingga tidak dipakai. Coba cadangan "
        "lain (tanggal lain) atau flashdisk lain. Tidak ada data yang diubah.",
        "The backup on this USB stick is damaged or incomplete and was not used. Try another "
        "backup (another date) or another stick. Nothing was changed.",
        detail=detail,
    )


def _wrong_code() -> BadInputError:
    return BadInputError(
        "Kode pemulihan ini bukan kode untuk cadangan ini. Periksa lagi kodenya: harus kode dari "
        "laptop yang membuat cadangan.",
        "This recovery code is not the one of this backup. Check it: it must be the code of the "
        "laptop that made the backup.",
        detail="manifest does not open with this key",
    )


# --- what a backup holds -----------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    applications: int = 0
    pages: int = 0
    handovers: int = 0
    audit: int = 0
    outbox_pending: int = 0

    @classmethod
    def of_connection(cls, conn: Any) -> Counts:
        def one(sql: str) -> int:
            return int(conn.execute(sql).fetchone()[0])

        return cls(
            applications=one(f"SELECT count(*) FROM {Application.__tablename__}"),
            pages=one(f"SELECT count(*) FROM {Page.__tablename__}"),
            handovers=one(f"SELECT count(*) FROM {HandOver.__tablename__}"),
            audit=one(f"SELECT count(*) FROM {AuditEntry.__tablename__}"),
            outbox_pending=one(f"SELECT count(*) FROM {Outbox.__tablename__} WHERE state = 'pending'"),
        )


@dataclass(frozen=True)
class Snapshot:
    """A backup found on a stick (its public facts; the content needs the key)."""

    folder: Path
    created_at: datetime
    app_version: str
    village_code: str
    village_name: str
    counts: Counts
    size_bytes: int


@dataclass
class BackupResult:
    snapshot: Snapshot | None = None
    blobs_total: int = 0
    blobs_copied: int = 0
    bytes_copied: int = 0
    blobs_missing: int = 0  # named by a row but not on the laptop (purged meanwhile)
    removed_snapshots: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreResult:
    counts: Counts
    blobs: int
    set_aside: Path | None  # where the laptop's previous data went, if there was any


def backup_root(stick: Path) -> Path:
    """The backup folder on a stick (``stick`` may already be that folder)."""
    return stick if stick.name == ROOT_NAME else stick / ROOT_NAME


# --- writing -----------------------------------------------------------------------------------


def _public(manifest: dict[str, Any]) -> bytes:
    return json.dumps({k: v for k, v in manifest.items() if k != "sealed"}, sort_keys=True).encode()


def _write_manifest(folder: Path, public: dict[str, Any], private: dict[str, Any], keys: DataKeys) -> None:
    sealed = seal(_manifest_key(keys), json.dumps(private, sort_keys=True).encode(), _public(public))
    manifest = dict(public, sealed=base64.b64encode(sealed).decode("ascii"))
    atomic_write(folder / MANIFEST_NAME, json.dumps(manifest, indent=1, sort_keys=True).encode())


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _damaged_backup(f"manifest unreadable: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION or "sealed" not in data:
        raise _damaged_backup("not a desa_capil backup manifest of a known format")
    return data


def _open_manifest(folder: Path, keys: DataKeys) -> tuple[dict[str, Any], dict[str, Any]]:
    public = _read_manifest(folder)
    try:
        raw = open_sealed(_manifest_key(keys), base64.b64decode(public["sealed"]), _public(public))
    except (DecryptError, ValueError) as exc:
        raise _wrong_code() from exc
    return public, json.loads(raw)


def _snapshot_of(folder: Path, public: dict[str, Any]) -> Snapshot:
    c = public.get("counts", {})
    return Snapshot(
        folder=folder,
        created_at=datetime.fromisoformat(str(public["created_at"])),
        app_version=str(public.get("app_version", "")),
        village_code=str(public.get("village_code", "")),
        village_name=str(public.get("village_name", "")),
        counts=Counts(**{k: int(v) for k, v in c.items() if k in Counts.__dataclass_fields__}),
        size_bytes=int(public.get("size_bytes", 0)),
    )


def list_snapshots(stick: Path) -> list[Snapshot]:
    """Complete backups on a stick, newest first (readable without the key)."""
    root = backup_root(stick)
    found: list[Snapshot] = []
    if not root.is_dir():
        return found
    for folder in root.iterdir():
        if not folder.is_dir() or folder.name.startswith(".") or folder.name == "blobs":
            continue
        try:
            found.append(_snapshot_of(folder, _read_manifest(folder)))
        except (StorageError, KeyError, ValueError, TypeError) as exc:
            log.warning("backup folder %s skipped: %s", folder.name, exc)
    return sorted(found, key=lambda s: s.created_at, reverse=True)


def _copy_blob(src: Path, dst: Path) -> int:
    data = src.read_bytes()
    atomic_write(dst, data)
    return len(data)


def create_backup(
    db: Database,
    stick: Path,
    *,
    progress: Progress = _no_progress,
    keep: int = KEEP_SNAPSHOTS,
    operator_id: int | None = None,
    now: datetime | None = None,
) -> BackupResult:
    """Write a verified snapshot of `db` (and its page files) onto `stick`.

    Consistent while the app keeps working: the database is copied in one step of the online
    backup API (a point-in-time snapshot), and the page files copied are exactly those the
    snapshot names (page files never change once written; one deleted meanwhile is counted
    in ``blobs_missing``, as its row is gone from the live data too).
    """
    if db.keys is None:
        raise ValueError("a backup needs the encrypted store (open_database)")
    keys = db.keys
    now = now or datetime.now(UTC)
    root = backup_root(stick)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    final = root / stamp
    tmp = root / f".tmp-{stamp}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
        progress(0, 0, "database")
        db.backup(tmp / DB_NAME)
        _fsync_file(tmp / DB_NAME)
        snap_conn = connect_raw(tmp / DB_NAME, keys, isolation_level=None)
        try:
            # A file on its own (no -wal beside it), and counts and page files from exactly
            # the copy that is kept.
            snap_conn.execute("PRAGMA journal_mode=DELETE")
            counts = Counts.of_connection(snap_conn)
            named = sorted(referenced_in(snap_conn))
        finally:
            snap_conn.close()
        stick_store = BlobStore(root / "blobs", keys=keys)
        result = BackupResult()
        present: list[str] = []
        for i, sha in enumerate(named):
            progress(i, len(named), "pages")
            src = db.blobs.path(sha)
            if not src.exists():
                result.blobs_missing += 1  # a 64-hex value that is no local blob, or purged
                continue
            present.append(sha)
            if not stick_store.exists(sha):
                result.bytes_copied += _copy_blob(src, stick_store.path(sha))
                result.blobs_copied += 1
        result.blobs_total = len(present)
        db_sha = _sha256_file(tmp / DB_NAME)
        size = (tmp / DB_NAME).stat().st_size + sum(stick_store.size(s) for s in present)
        public = {
            "format": FORMAT_VERSION,
            "created_at": now.isoformat(),
            "app_version": __version__,
            "village_code": get_setting(db, setting_keys.VILLAGE_CODE),
            "village_name": get_setting(db, setting_keys.VILLAGE_NAME),
            "counts": counts.__dict__,
            "size_bytes": size,
        }
        private = {"database_sha256": db_sha, "blobs": present}
        _write_manifest(tmp, public, private, keys)
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except OSError as exc:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)
        raise _stick_error(exc) from exc
    progress(0, 0, "verify")
    verify_snapshot(final, keys, progress=progress)
    result.snapshot = _snapshot_of(final, public)
    # Recorded only now: the copy on the stick was read back and checked.
    set_setting(db, LAST_OK_SETTING, now.isoformat())
    audit.record(
        db,
        audit.BACKUP_MADE,
        operator_id=operator_id,
        detail=f"{counts.applications} permohonan, {len(present)} berkas, {size} byte",
    )
    with contextlib.suppress(OSError):
        result.removed_snapshots = _prune(root, keys, keep)
    log.info(
        "backup %s: %d applications, %d page files (%d new, %d bytes), %d missing",
        final.name,
        counts.applications,
        len(present),
        result.blobs_copied,
        result.bytes_copied,
        result.blobs_missing,
    )
    return result


def verify_snapshot(folder: Path, keys: DataKeys, *, progress: Progress = _no_progress) -> dict[str, Any]:
    """Read the whole snapshot back and check it: the manifest opens with the key, the database
    copy has the recorded hash and passes SQLite's integrity check, every page file decrypts to
    the content its name stands for. Returns the manifest's sealed part."""
    _public_part, private = _open_manifest(folder, keys)
    db_file = folder / DB_NAME
    try:
        if _sha256_file(db_file) != private["database_sha256"]:
            raise _damaged_backup("database copy does not match its hash")
    except OSError as exc:
        raise _damaged_backup(f"database copy unreadable: {exc}") from exc
    conn = connect_raw(db_file, keys)
    try:
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
    except Exception as exc:  # noqa: BLE001 - any SQLCipher failure here means a bad copy
        raise _damaged_backup(f"database copy: {exc}") from exc
    finally:
        conn.close()
    if check != "ok":
        raise _damaged_backup(f"database copy quick_check: {check}")
    stick_store = BlobStore(folder.parent / "blobs", keys=keys)
    blobs: list[str] = private["blobs"]
    for i, sha in enumerate(blobs):
        progress(i, len(blobs), "verify")
        try:
            stick_store.get(sha)
        except (OSError, StorageError) as exc:
            raise _damaged_backup(f"page file {sha[:12]}: {exc}") from exc
    return private


def _prune(root: Path, keys: DataKeys, keep: int) -> list[str]:
    """Keep the newest `keep` snapshots of this laptop; drop page files none of them names."""
    snaps = list_snapshots(root)
    removed: list[str] = []
    for old in snaps[keep:]:
        shutil.rmtree(old.folder)
        removed.append(old.folder.name)
    named: set[str] = set()
    for snap in snaps[:keep]:
        try:
            named.update(_open_manifest(snap.folder, keys)[1]["blobs"])
        except BadInputError:
            return removed  # another laptop's backup in the same folder: leave its files alone
    for leftover in root.glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    stick_store = BlobStore(root / "blobs", keys=keys)
    stick_store.collect_orphans(named, older_than=datetime.now(UTC).timestamp() + 1)
    return removed


# --- reminder ----------------------------------------------------------------------------------


def last_backup_at(db: Database) -> datetime | None:
    text = get_setting(db, LAST_OK_SETTING)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def backup_due(db: Database, now: datetime | None = None) -> bool:
    """True when the weekly reminder should show: no verified backup in the last 7 days."""
    last = last_backup_at(db)
    now = now or datetime.now(UTC)
    return last is None or now - last >= REMIND_AFTER


# --- restoring ---------------------------------------------------------------------------------


def _has_data(paths: AppPaths) -> bool:
    return (paths.database.exists() and paths.database.stat().st_size > 0) or any(
        p.is_file() for p in paths.blobs.rglob("*")
    )


def restore_backup(
    snapshot: Path,
    code: str,
    paths: AppPaths,
    *,
    key_store: KeyStore | None = None,
    progress: Progress = _no_progress,
) -> RestoreResult:
    """Bring a snapshot back into `paths` with the recovery code (the app's database closed).

    Everything is checked before anything on the laptop changes. Data already on the laptop
    (say, the empty database of a fresh install) is moved aside into ``data/sebelum-pulihkan-*``,
    never deleted; the key it used is set aside as well. The device token is not restored: the
    laptop enrolls again.
    """
    keys = DataKeys(master_from_code(code))
    private = verify_snapshot(snapshot, keys, progress=progress)
    paths.ensure()
    set_aside: Path | None = None
    if _has_data(paths):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        set_aside = paths.data / f"sebelum-pulihkan-{stamp}"
        set_aside.mkdir()
        for name in (paths.database.name, paths.database.name + "-wal", paths.database.name + "-shm"):
            if (paths.data / name).exists():
                os.replace(paths.data / name, set_aside / name)
        if paths.blobs.exists():
            os.replace(paths.blobs, set_aside / paths.blobs.name)
    try:
        tmp_db = paths.data / (paths.database.name + ".restoring")
        shutil.copyfile(snapshot / DB_NAME, tmp_db)
        _fsync_file(tmp_db)
        os.replace(tmp_db, paths.database)
        stick_store = BlobStore(snapshot.parent / "blobs", keys=keys)
        target = BlobStore(paths.blobs, keys=keys)
        blobs: list[str] = private["blobs"]
        for i, sha in enumerate(blobs):
            progress(i, len(blobs), "restore")
            if not target.exists(sha):
                _copy_blob(stick_store.path(sha), target.path(sha))
        atomic_write(paths.blobs / FORMAT_FILE, FORMAT.encode() + b"\n")
    except OSError as exc:
        if exc.errno in (28, 122):
            raise disk_full_error(exc) from exc
        raise
    ks = key_store or KeyStore(paths)
    ks.set_aside()
    ks.save(keys.master)
    db = store_db.open_database(paths, key_store=ks)
    try:
        with db.session() as s:
            counts = Counts(
                applications=int(s.exec(select(func.count()).select_from(Application)).one()),
                pages=int(s.exec(select(func.count()).select_from(Page)).one()),
                handovers=int(s.exec(select(func.count()).select_from(HandOver)).one()),
                audit=int(s.exec(select(func.count()).select_from(AuditEntry)).one()),
                outbox_pending=outbox.count_pending(s),
            )
        audit.record(db, audit.BACKUP_RESTORED, detail=f"cadangan {snapshot.name}")
    finally:
        db.close()
    log.info(
        "restored backup %s: %d applications, %d page files", snapshot.name, counts.applications, len(blobs)
    )
    return RestoreResult(counts=counts, blobs=len(blobs), set_aside=set_aside)
