"""Stepping the schema back for an older app version (an update rolled back): the real step 7
(the USB route's trips) goes back to exactly schema 6 with every row kept, comes back on the
next upgrade, and is refused, changing nothing, when the older schema would lose work."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import pytest

from desa_capil.paths import AppPaths
from desa_capil.store import migrations, repo
from desa_capil.store import pages as sp
from desa_capil.store.db import connect_raw, downgrade_database, open_database
from desa_capil.store.models import Batch, BatchApplication, BatchRoute, BatchState, BatchTrip


def shape(conn: Any) -> dict[str, Any]:
    """Every table's columns (name, type, not null, default, pk) and indexes."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    out: dict[str, Any] = {}
    for t in tables:
        cols = [tuple(r[1:]) for r in conn.execute(f"PRAGMA table_info('{t}')")]
        idx = sorted(r[1] for r in conn.execute(f"PRAGMA index_list('{t}')"))
        fks = sorted(tuple(r[2:5]) for r in conn.execute(f"PRAGMA foreign_key_list('{t}')"))
        out[t] = (cols, idx, fks)
    return out


def rows(conn: Any) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every table, as (column, value) pairs."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    out = {}
    for t in tables:
        cur = conn.execute(f"SELECT * FROM '{t}'")
        names = [d[0] for d in cur.description]
        out[t] = {tuple(zip(names, r, strict=True)) for r in cur.fetchall()}
    return out


def project(table_rows: set[tuple[Any, ...]], columns: set[str]) -> set[tuple[Any, ...]]:
    return {tuple(p for p in r if p[0] in columns) for r in table_rows}


def schema6_shape() -> dict[str, Any]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    migrations.upgrade(conn, target=6)
    return shape(conn)


def enter_work(paths: AppPaths, *, stick_trip: bool = False) -> None:
    """Applications with pages, a batch sent online (trip + acknowledgement), a sealed one."""
    db = open_database(paths)
    app_ids = []
    for i in range(3):
        app_id = repo.save_application(
            db, service_code="kk_hilang", applicant=repo.ApplicantData(f"32010155129000{i:02d}", f"Warga {i}")
        )
        page = sp.NewPage(f"halaman {i}".encode() * 50, "image/tiff", 100, 140, 300, "bilevel", b"thumb")
        sp.add_pages(db, app_id, "ktp_el", [page])
        app_ids.append(app_id)
    now = datetime.now(UTC)
    with db.session() as s:
        sent = Batch(state=BatchState.SENT, sent_at=now, application_count=1, ack_via="online")
        sealed = Batch(state=BatchState.SEALED, application_count=1)
        s.add(sent)
        s.add(sealed)
        s.flush()
        s.add(BatchApplication(batch_id=sent.id, application_id=app_ids[0]))
        s.add(BatchApplication(batch_id=sealed.id, application_id=app_ids[1]))
        s.add(BatchTrip(batch_id=sent.id, route=BatchRoute.ONLINE, at=now))
        if stick_trip:
            s.add(
                BatchTrip(
                    batch_id=sealed.id, route=BatchRoute.STICK, at=now, bundle_id="b1", file_name="x.dcb"
                )
            )
        s.commit()
    db.close()


def test_the_latest_step_can_be_undone() -> None:
    assert migrations.LATEST in migrations.DOWN


def test_step_7_goes_back_to_schema_6_keeping_every_row_and_comes_back(paths: AppPaths) -> None:
    enter_work(paths)
    db = open_database(paths)
    assert db.keys is not None
    keys = db.keys
    db.close()
    conn = connect_raw(paths.database, keys)
    before = rows(conn)
    conn.close()

    assert downgrade_database(paths, 6) == 7
    conn = connect_raw(paths.database, keys)
    assert migrations.current_version(conn) == 6
    assert shape(conn) == schema6_shape()
    after = rows(conn)
    conn.close()
    # Every row of every table schema 6 has is there, with every value it can hold.
    assert set(after) == set(before) - {"batchtrip"}
    for table, have in after.items():
        columns = {name for name, _ in next(iter(have))} if have else set()
        assert have == project(before[table], columns), table
    assert len(after["application"]) == 3 and len(after["page"]) == 3
    # The database as it was is kept, encrypted, before anything changed.
    (kept,) = paths.backups.glob("before-schema-6-rollback-*.sqlite3")
    copy = connect_raw(kept, keys)
    assert migrations.current_version(copy) == 7 and rows(copy) == before
    copy.close()

    # The newer app opens it again: step 7 rebuilds the online trip and acknowledgement.
    db = open_database(paths)
    assert db.schema_before == 6
    db.close()
    conn = connect_raw(paths.database, keys)
    again = rows(conn)
    conn.close()
    for table in before:
        if table == "batchtrip":  # rebuilt: new row ids, the trip's time is the batch's sent_at
            same = {"batch_id", "route", "bundle_id", "file_name"}
            assert project(again[table], same) == project(before[table], same)
        else:
            assert again[table] == before[table], table


def test_work_the_older_schema_cannot_hold_refuses_the_step_and_changes_nothing(paths: AppPaths) -> None:
    enter_work(paths, stick_trip=True)
    db = open_database(paths)
    assert db.keys is not None
    keys = db.keys
    db.close()
    conn = connect_raw(paths.database, keys)
    before = rows(conn)
    conn.close()
    with pytest.raises(migrations.DowngradeRefused) as refused:
        downgrade_database(paths, 6)
    (blocker,) = refused.value.blockers
    assert blocker.schema == 7 and blocker.rows == 1 and "flashdisk" in blocker.what_id
    conn = connect_raw(paths.database, keys)
    assert migrations.current_version(conn) == 7 and rows(conn) == before
    conn.close()
    assert not list(paths.backups.glob("before-schema-6-rollback-*"))


def test_a_step_without_a_way_back_refuses(paths: AppPaths) -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    migrations.upgrade(conn)
    blockers = migrations.downgrade_blockers(conn, 4)
    assert [b.schema for b in blockers] == [5]  # 7 and 6 can go back, 5 cannot
    with pytest.raises(migrations.DowngradeRefused):
        migrations.downgrade(conn, 4)
    assert migrations.current_version(conn) == migrations.LATEST
