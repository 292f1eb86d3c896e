"""Opening the local database: SQLCipher (encrypted SQLite) in WAL mode, foreign keys on,
schema upgraded in place.

The whole file is encrypted with SQLCipher (AES-256, per-page HMAC) under a key derived from
the laptop's data key (``security.keys``), so the database, its WAL, its backups and every
search in SQL keep working while a copy of the data folder alone reveals nothing. A database
left unencrypted by an earlier version is converted on first open (``sqlcipher_export``).

Opening never overwrites anything. A file that is not a database, a damaged database, a
wrong or missing key, a locked one (another copy of the app) or a full disk becomes a
StorageError whose message tells the operator what to do; the file is left exactly as it was.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import URL, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, create_engine

from desa_capil.errors import StorageError
from desa_capil.paths import AppPaths
from desa_capil.security.keys import DataKeys, KeyStore, MissingKeyError, WrongKeyError, new_master
from desa_capil.store import migrations
from desa_capil.store.blobs import FORMAT_FILE, BlobStore, OrphanReport

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


def _is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def translate_error(exc: BaseException) -> StorageError | None:
    """A StorageError for known environmental SQLite failures, None for anything else (a bug)."""
    if isinstance(exc, StorageError):
        return exc
    inner = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(inner, sqlite3.DatabaseError | sqlcipher.DatabaseError):
        text = str(inner).lower()
        if _is_locked(inner):
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


def _raise_if_locked(exc: sqlite3.DatabaseError | sqlcipher.DatabaseError) -> None:
    """A locked file is another copy of the app, not damage or a wrong key: say so."""
    if _is_locked(exc):
        raise _locked(str(exc)) from exc


def connect_raw(path: Path, keys: DataKeys | None, **kwargs: Any) -> Any:
    """A DB-API connection to the file, keyed (SQLCipher) or plain when `keys` is None.

    For migrations, backups and tools; the app itself goes through the engine.
    """
    kwargs.setdefault("timeout", BUSY_TIMEOUT_MS / 1000)
    conn = sqlcipher.connect(str(path), **kwargs)
    try:
        # SQLCipher logs decryption failures to stderr; they become StorageErrors here instead.
        conn.execute("PRAGMA cipher_log_level = NONE")
        if keys is not None:
            conn.execute(f'PRAGMA key="{keys.sqlcipher_key}"')
    except BaseException:
        conn.close()
        raise
    return conn


def _is_plaintext(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with open(path, "rb") as f:
        return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def _has_encrypted_data(paths: AppPaths) -> bool:
    """Is there anything a new key would make unreadable? Then never make one."""
    db = paths.database
    if db.exists() and db.stat().st_size > 0 and not _is_plaintext(db):
        return True
    return (paths.blobs / FORMAT_FILE).exists() and any(
        p.is_file() for p in paths.blobs.rglob("*") if p.name != FORMAT_FILE
    )


def _preflight_plain(path: Path) -> None:
    """Refuse a plaintext file that is damaged, without writing to it."""
    uri = f"file:{path.as_posix()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        _raise_if_locked(exc)
        raise _corrupt(path, str(exc)) from exc
    if result != "ok":
        raise _corrupt(path, f"quick_check: {result}")


def _encrypt_plaintext(path: Path, keys: DataKeys) -> None:
    """Convert a database an earlier version left unencrypted, then replace it atomically.

    The encrypted copy is written beside the file and swapped in by rename, so a power cut
    leaves either the old file or the new one. The old file's blocks are not wiped by the
    rename; on an SSD nothing could promise that anyway (README, "Perlindungan data pribadi").
    """
    log.info("encrypting a plaintext database left by an earlier version")
    tmp = path.with_name(path.name + ".encrypting")
    tmp.unlink(missing_ok=True)
    try:
        conn = connect_raw(path, None, isolation_level=None)
    except sqlcipher.Error as exc:
        raise translate_error(exc) or _corrupt(path, str(exc)) from exc
    try:
        # Fold the WAL into the main file first: nothing may be left behind in a plaintext -wal.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute(f'ATTACH DATABASE ? AS enc KEY "{keys.sqlcipher_key}"', (str(tmp),))
        conn.execute("SELECT sqlcipher_export('enc')")
        conn.execute(f"PRAGMA enc.user_version = {version}")
        conn.execute("DETACH DATABASE enc")
        conn.execute("PRAGMA journal_mode=DELETE")  # removes the old -wal and -shm
    except sqlcipher.Error as exc:
        tmp.unlink(missing_ok=True)
        raise translate_error(exc) or _corrupt(path, str(exc)) from exc
    finally:
        conn.close()
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _preflight(path: Path, keys: DataKeys) -> None:
    """Refuse a file the key does not open, or a damaged one, without writing to it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        conn = connect_raw(path, keys)
        try:
            try:
                # Reading page 1 checks the key (HMAC); quick_check then reads every page.
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlcipher.DatabaseError as exc:
                _raise_if_locked(exc)
                raise WrongKeyError(path, str(exc)) from exc
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlcipher.DatabaseError as exc:
        _raise_if_locked(exc)
        raise _corrupt(path, str(exc)) from exc
    if result != "ok":
        raise _corrupt(path, f"quick_check: {result}")


def _upgrade(path: Path, backups: Path | None, keys: DataKeys) -> int:
    """Bring the file to the latest schema; returns the schema it had (0: new)."""
    try:
        conn = connect_raw(path, keys, isolation_level=None)
    except sqlcipher.Error as exc:
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
            _backup_to(conn, target, keys)
        return migrations.upgrade(conn)
    except sqlcipher.Error as exc:
        known = translate_error(exc)
        if known is None:
            raise  # a bug in a migration step: crash dialog and log, not a user message
        raise known from exc
    finally:
        conn.close()


def _backup_to(conn: Any, target: Path, keys: DataKeys) -> None:
    """An encrypted copy (same key) of the open connection's database."""
    dst = connect_raw(target, keys)
    try:
        conn.backup(dst)
    finally:
        dst.close()


class Database:
    """The open local database and its blob store."""

    def __init__(self, path: Path, blobs: BlobStore, engine: Engine, keys: DataKeys | None = None) -> None:
        self.path = path
        self.blobs = blobs
        self.engine = engine
        # None only for a plain engine made by hand (tools); open_database always sets it.
        self.keys = keys
        # The schema the file had before this open upgraded it (0: new, or not upgraded by
        # open_database): the schema of the app version that used it last.
        self.schema_before = 0

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s:
            yield s

    def close(self) -> None:
        self.engine.dispose()

    def backup(self, target: Path) -> None:
        """A consistent copy of the live database (SQLite online backup), encrypted alike."""
        target.parent.mkdir(parents=True, exist_ok=True)
        raw = self.engine.raw_connection()
        try:
            if self.keys is None:
                dst = sqlite3.connect(target)
                with dst:
                    raw.driver_connection.backup(dst)  # type: ignore[union-attr]
                dst.close()
            else:
                _backup_to(raw.driver_connection, target, self.keys)
        finally:
            raw.close()


def make_engine(path: Path, keys: DataKeys | None = None) -> Engine:
    """The engine over the file: SQLCipher with `keys`, plain SQLite without (tools only)."""
    connect_args = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
    if keys is None:
        engine = create_engine(f"sqlite:///{path.as_posix()}", connect_args=connect_args)
    else:
        # The dialect runs PRAGMA key first on every new connection; the password is the raw
        # key literal, so no passphrase KDF slows each connection down. QueuePool as for
        # plain SQLite files (the dialect's default keeps one connection per thread).
        url = URL.create("sqlite+pysqlcipher", password=keys.sqlcipher_key, database=str(path))
        engine = create_engine(url, connect_args=connect_args, poolclass=QueuePool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        # FULL: a write reported as done survives a power cut, not just an app crash.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # Deleted rows are zeroed inside the file, not left in free pages (personal data).
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    return engine


def open_database(paths: AppPaths, *, key_store: KeyStore | None = None) -> Database:
    """Open (or create) the encrypted database and blob store of `paths`.

    A new key is made only when there is no encrypted data yet; otherwise a missing key is a
    MissingKeyError and a key that does not fit is a WrongKeyError (the recovery code helps
    with both, ``security.keys.restore_from_code``). Nothing is ever overwritten.
    """
    paths.ensure()
    path = paths.database
    store = key_store or KeyStore(paths)
    master = store.load()
    if master is None:
        if _has_encrypted_data(paths):
            raise MissingKeyError(f"no key in the {store.location}")
        master = new_master()
        where = store.save(master)
        log.info("made a new data key (stored in the %s)", where)
    keys = DataKeys(master)
    try:
        if _is_plaintext(path):
            _preflight_plain(path)
            _encrypt_plaintext(path, keys)
        _preflight(path, keys)
        schema_before = _upgrade(path, paths.backups, keys)
        blobs = BlobStore(paths.blobs, keys=keys)
        converted = blobs.encrypt_legacy()
        if converted:
            log.info("sealed %d plaintext page files left by an earlier version", converted)
    except OSError as exc:
        if "space" in str(exc).lower():
            raise _disk_full(str(exc)) from exc
        raise
    db = Database(path, blobs, make_engine(path, keys), keys)
    db.schema_before = schema_before
    return db


def downgrade_database(paths: AppPaths, target: int, *, key_store: KeyStore | None = None) -> int | None:
    """Step the database back to schema ``target`` for an older app version (an update rolled
    back); returns the schema it had, or None when there is no database yet.

    The app must not have the file open for writing. An encrypted copy of the database as it
    was goes to the backups folder first. Raises migrations.DowngradeRefused (nothing changed)
    when a step would lose work entered in the newer version or cannot be undone.
    """
    path = paths.database
    if not path.exists() or path.stat().st_size == 0:
        return None
    master = (key_store or KeyStore(paths)).load()
    if master is None:
        raise MissingKeyError(f"no key for {path}")
    keys = DataKeys(master)
    _preflight(path, keys)
    try:
        conn = connect_raw(path, keys, isolation_level=None)
    except sqlcipher.Error as exc:
        raise translate_error(exc) or _corrupt(path, str(exc)) from exc
    try:
        before = migrations.current_version(conn)
        if before <= target:
            return before
        blockers = migrations.downgrade_blockers(conn, target)
        if blockers:
            raise migrations.DowngradeRefused(blockers)
        paths.backups.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        _backup_to(conn, paths.backups / f"before-schema-{target}-rollback-{stamp}.sqlite3", keys)
        migrations.downgrade(conn, target)
        return before
    except sqlcipher.Error as exc:
        known = translate_error(exc)
        if known is None:
            raise
        raise known from exc
    finally:
        conn.close()


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


_HEX64 = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")


def referenced_blobs(db: Database) -> set[str]:
    """Every SHA-256 any row of the database names, in any column of any table.

    Deliberately blunt: every text value is searched for 64-hex tokens, so a blob named inside
    a JSON payload (the outbox) or by a column a later version adds is kept as well. Keeping a
    stray file costs a few kilobytes; deleting a named one would cost a page.
    """
    raw = db.engine.raw_connection()
    try:
        return referenced_in(raw.driver_connection)
    finally:
        raw.close()


def referenced_in(conn: Any) -> set[str]:
    """``referenced_blobs`` over a DB-API connection (a backup copy, a tool)."""
    found: set[str] = set()
    tables = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for table in tables:
        cur = conn.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from sqlite_master
        for row in cur:
            for value in row:
                if isinstance(value, str) and len(value) >= 64:
                    found.update(_HEX64.findall(value.lower()))
    return found


def collect_orphan_blobs(db: Database, *, session_started: float) -> OrphanReport:
    """Remove page files that no row names (left by a crash between writing a page file and
    committing its row), never touching one modified during the current session."""
    report = db.blobs.collect_orphans(referenced_blobs(db), older_than=session_started)
    if report.removed or report.kept_young:
        log.info(
            "orphan page files: %d removed (%d bytes), %d recent ones kept",
            report.removed,
            report.removed_bytes,
            report.kept_young,
        )
    return report
