"""Opening the local database: SQLite in WAL mode, foreign keys on, schema upgraded in place.

Opening never overwrites anything. A file that is not a database, a damaged database, a
locked one (another copy of the app) or a full disk becomes a StorageError whose message
tells the operator what to do; the file is left exactly as it was.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError as SAOperationalError
from sqlmodel import Session, create_engine

from desa_capil.errors import StorageError
from desa_capil.paths import AppPaths
from desa_capil.store import migrations
from desa_capil.store.blobs import BlobStore

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


def _locked(detail: str) -> StorageError:
    return StorageError(
        "Basis data sedang dipakai program lain (mungkin desa_capil sudah terbuka di jendela lain). "
        "Tutup jendela itu, lalu buka lagi.",
        "The database is in use by another program (desa_capil may already be open). Close it "
        "and start again.",
        detail=detail,
    )


def _corrupt(path: Path, detail: str) -> StorageError:
    return StorageError(
        f"Basis data di {path} rusak atau bukan basis data desa_capil. Berkas itu tidak diubah. "
        "Pulihkan dari cadangan (folder 'backups' di sebelahnya) atau hubungi petugas Disdukcapil.",
        f"The database at {path} is damaged or is not a desa_capil database. It was not changed. "
        "Restore it from a backup (the 'backups' folder beside it) or call the office.",
        detail=detail,
    )


def _disk_full(detail: str) -> StorageError:
    return StorageError(
        "Penyimpanan laptop penuh, data baru tidak bisa disimpan. Kosongkan ruang disk, lalu coba "
        "lagi. Data yang sudah tersimpan aman.",
        "The laptop's disk is full; new data cannot be saved. Free some space and try again. "
        "Data already saved is safe.",
        detail=detail,
    )


def translate_error(exc: BaseException) -> StorageError | None:
    """A StorageError for known environmental SQLite failures, None for anything else (a bug)."""
    if isinstance(exc, StorageError):
        return exc
    inner = exc.orig if isinstance(exc, SAOperationalError) else exc
    if isinstance(inner, sqlite3.OperationalError | sqlite3.DatabaseError):
        text = str(inner).lower()
        if "locked" in text or "busy" in text:
            return _locked(str(inner))
        if "disk is full" in text or "database or disk is full" in text:
            return _disk_full(str(inner))
        if "malformed" in text or "not a database" in text:
            return StorageError(
                "Basis data rusak. Jangan matikan laptop; salin folder data ke flashdisk dan hubungi "
                "petugas Disdukcapil.",
                "The database is damaged. Copy the data folder to a USB stick and call the office.",
                detail=str(inner),
            )
        if "readonly" in text or "read-only" in text:
            return StorageError(
                "Basis data tidak bisa ditulis (hanya-baca). Periksa izin folder data.",
                "The database cannot be written (read-only). Check the data folder's permissions.",
                detail=str(inner),
            )
    return None


def _preflight(path: Path) -> None:
    """Refuse a file that is not SQLite or is damaged, without writing to it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head != SQLITE_MAGIC:
        raise _corrupt(path, "bad header")
    uri = f"file:{path.as_posix()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        known = translate_error(exc)
        if known is not None and "sedang dipakai" in known.message_id:
            raise known from exc
        raise _corrupt(path, str(exc)) from exc
    if result != "ok":
        raise _corrupt(path, f"quick_check: {result}")


def _upgrade(path: Path, backups: Path | None) -> None:
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as exc:
        raise translate_error(exc) or _corrupt(path, str(exc)) from exc
    try:
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("journal_mode is %s, not wal", mode)
        version = migrations.current_version(conn)
        if version > migrations.LATEST:
            raise StorageError(
                "Basis data ini dibuat oleh versi desa_capil yang lebih baru. Pasang versi terbaru.",
                "This database was made by a newer desa_capil. Install the latest version.",
                detail=f"schema {version} > {migrations.LATEST}",
            )
        if 0 < version < migrations.LATEST and backups is not None:
            # Keep the pre-upgrade file: an upgrade bug must never cost a village its data.
            backups.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            target = backups / f"before-schema-{migrations.LATEST}-{stamp}.sqlite3"
            dst = sqlite3.connect(target)
            with dst:
                conn.backup(dst)
            dst.close()
        migrations.upgrade(conn)
    except sqlite3.Error as exc:
        known = translate_error(exc)
        if known is None:
            raise  # a bug in a migration step: crash dialog and log, not a user message
        raise known from exc
    finally:
        conn.close()


class Database:
    """The open local database and its blob store."""

    def __init__(self, path: Path, blobs: BlobStore, engine: Engine) -> None:
        self.path = path
        self.blobs = blobs
        self.engine = engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s:
            yield s

    def close(self) -> None:
        self.engine.dispose()

    def backup(self, target: Path) -> None:
        """A consistent copy of the live database (SQLite online backup)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        raw = self.engine.raw_connection()
        try:
            dst = sqlite3.connect(target)
            with dst:
                raw.driver_connection.backup(dst)  # type: ignore[union-attr]
            dst.close()
        finally:
            raw.close()


def make_engine(path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{path.as_posix()}",
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        # FULL: a write reported as done survives a power cut, not just an app crash.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    return engine


def open_database(paths: AppPaths) -> Database:
    paths.ensure()
    path = paths.database
    _preflight(path)
    try:
        _upgrade(path, paths.backups)
    except OSError as exc:
        if "space" in str(exc).lower():
            raise _disk_full(str(exc)) from exc
        raise
    return Database(path, BlobStore(paths.blobs), make_engine(path))


def daily_backup(db: Database, backups: Path, keep: int = 7) -> Path | None:
    """Copy the database once a day into `backups`, keeping the newest `keep` copies."""
    today = datetime.now().strftime("%Y%m%d")
    target = backups / f"daily-{today}.sqlite3"
    if target.exists():
        return None
    if shutil.disk_usage(backups.parent).free < 2 * db.path.stat().st_size:
        log.warning("not enough free space for a daily backup")
        return None
    db.backup(target)
    olds = sorted(backups.glob("daily-*.sqlite3"))
    for old in olds[:-keep]:
        old.unlink()
    return target
