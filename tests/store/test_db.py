import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlmodel import SQLModel, create_engine

from desa_capil.errors import StorageError
from desa_capil.paths import AppPaths
from desa_capil.store import migrations
from desa_capil.store.db import Database, connect_raw, open_database, translate_error
from desa_capil.store.models import Applicant, Application


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_wal_and_foreign_keys(db: Database) -> None:
    with db.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    with db.session() as s, pytest.raises(Exception, match="FOREIGN KEY"):
        s.add(Application(applicant_id="nobody", service_code="kia"))
        s.commit()


def test_round_trip(db: Database, paths: AppPaths) -> None:
    with db.session() as s:
        person = Applicant(nik="3201014509900001", name="Siti Aminah")
        s.add(person)
        s.commit()
        app = Application(applicant_id=person.id, service_code="akta_lahir", notes="untuk BPJS")
        s.add(app)
        s.commit()
        app_id = app.id
    db.close()
    # Same paths: the data key lives in the config folder, not beside the data.
    with open_database(paths).session() as s:
        again = s.get(Application, app_id)
        assert again is not None and again.notes == "untuk BPJS" and again.status == "draft"
        assert again.created_at.tzinfo is not None


def test_schema_matches_models(db: Database) -> None:
    """A model change without a migration step fails here."""
    fresh = create_engine("sqlite://")
    SQLModel.metadata.create_all(fresh)
    want, have = inspect(fresh), inspect(db.engine)
    assert sorted(have.get_table_names()) == sorted(want.get_table_names())
    for table in want.get_table_names():
        cols_want = {c["name"]: (str(c["type"]), c["nullable"]) for c in want.get_columns(table)}
        cols_have = {c["name"]: (str(c["type"]), c["nullable"]) for c in have.get_columns(table)}
        assert cols_have == cols_want, table
        idx_want = {i["name"] for i in want.get_indexes(table)}
        idx_have = {i["name"] for i in have.get_indexes(table)}
        assert idx_have == idx_want, table


def test_upgrade_from_version_1_keeps_data_and_backs_up(paths: AppPaths) -> None:
    conn = sqlite3.connect(paths.database, isolation_level=None)
    migrations.upgrade(conn, target=1)
    conn.execute(
        "INSERT INTO applicant VALUES ('a1', '3201014509900001', 'Siti', '', '', '', '2026-01-01', '2026-01-01')"
    )
    conn.execute(
        "INSERT INTO application (id, applicant_id, service_code, status, urgency, notes, office_message,"
        " created_at, updated_at, status_at) VALUES ('x1', 'a1', 'kia', 'ready', 'normal', '', '',"
        " '2026-01-01', '2026-01-01', '2026-01-01')"
    )
    conn.close()
    db = open_database(paths)
    with db.session() as s:
        app = s.get(Application, "x1")
        assert app is not None and app.status == "ready"
    with db.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA user_version").scalar() == migrations.LATEST
        assert "auditentry" in inspect(c).get_table_names()
    backups = list(paths.backups.glob("before-schema-*.sqlite3"))
    assert len(backups) == 1
    assert db.keys is not None
    old = connect_raw(backups[0], db.keys)  # backups are encrypted like the database
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT id FROM application").fetchall() == [("x1",)]
    old.close()
    db.close()


def test_not_a_database_is_refused_and_left_alone(paths: AppPaths) -> None:
    paths.database.write_bytes(b"this is a spreadsheet, not a database" * 100)
    before = _digest(paths.database)
    with pytest.raises(StorageError) as info:
        open_database(paths)
    assert "rusak" in info.value.message_id and "cadangan" in info.value.message_id
    assert _digest(paths.database) == before


def test_damaged_database_is_refused_and_left_alone(db: Database, paths: AppPaths) -> None:
    with db.session() as s:
        for i in range(300):
            s.add(Applicant(nik=f"32010145099{i:05d}", name=f"Warga {i}"))
        s.commit()
    db.close()
    data = bytearray(paths.database.read_bytes())
    # Keep the header, trash pages in the middle.
    data[8192:16384] = b"\xff" * 8192
    paths.database.write_bytes(bytes(data))
    for p in paths.data.glob("*-wal"):
        p.unlink()
    before = _digest(paths.database)
    with pytest.raises(StorageError):
        open_database(paths)
    assert _digest(paths.database) == before


def test_newer_schema_refused(paths: AppPaths) -> None:
    conn = sqlite3.connect(paths.database)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 5}")
    conn.close()
    with pytest.raises(StorageError) as info:
        open_database(paths)
    assert "lebih baru" in info.value.message_id


def test_locked_database_gives_a_message(db: Database) -> None:
    blocker = connect_raw(db.path, db.keys, timeout=0, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(Exception) as info, db.session() as s:
            s.connection().exec_driver_sql("PRAGMA busy_timeout=50")
            s.add(Applicant(nik="3201014509900001", name="X"))
            s.commit()
        known = translate_error(info.value)
        assert known is not None and "sedang dipakai" in known.message_id
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_disk_full_is_translated() -> None:
    known = translate_error(sqlite3.OperationalError("database or disk is full"))
    assert known is not None and "penuh" in known.message_id
    assert translate_error(ValueError("a bug")) is None


def test_a_key_that_does_not_fit_leaves_no_connection_open(
    db: Database, paths: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desa_capil.security.keys import DataKeys, WrongKeyError, new_master
    from desa_capil.store import db as store_db

    db.close()
    opened: list[object] = []
    real_connect = store_db.sqlcipher.connect

    def recording_connect(*args: object, **kwargs: object) -> object:
        conn = real_connect(*args, **kwargs)  # type: ignore[arg-type]
        opened.append(conn)
        return conn

    monkeypatch.setattr(store_db.sqlcipher, "connect", recording_connect)
    with pytest.raises(WrongKeyError):
        store_db._preflight(paths.database, DataKeys(new_master()))
    assert opened
    for conn in opened:
        with pytest.raises(store_db.sqlcipher.ProgrammingError):  # closed
            conn.execute("SELECT 1")  # type: ignore[attr-defined]
