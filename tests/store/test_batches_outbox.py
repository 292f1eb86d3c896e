"""The owners of batches and the outbox (store.batches, store.outbox): typed kinds, the office's
acknowledgement decided once whatever the route, stick trips, and the schema step that adds them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from desa_capil.domain.status import Status
from desa_capil.paths import AppPaths
from desa_capil.store import batches, migrations, outbox, repo
from desa_capil.store.db import Database, open_database
from desa_capil.store.models import (
    Application,
    Batch,
    BatchRoute,
    BatchState,
    BatchTrip,
    Outbox,
    OutboxKind,
    OutboxState,
    StatusChange,
)
from tests.sync.helpers import make_batch, make_ready, seal

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_sealing_queues_typed_rows_through_the_owner(db: Database) -> None:
    batch_id, app_ids = make_batch(db, n_apps=2)
    with db.session() as s:
        rows = s.exec(select(Outbox).where(Outbox.batch_id == batch_id).order_by(Outbox.id)).all()
    kinds = [OutboxKind(r.kind) for r in rows]
    documents = batches.documents(db, batch_id)
    # One upload per sealed paper, then the manifest, all pending.
    assert kinds == [OutboxKind.UPLOAD] * len(documents) + [OutboxKind.MANIFEST]
    assert {r.state for r in rows} == {OutboxState.PENDING}
    assert sorted(r.ref_id for r in rows[:-1]) == sorted(d.id for d in documents)
    assert outbox.pending_batch_ids(db) == [batch_id]
    assert outbox.pending_upload_bytes(db) == sum(d.file_size for d in documents) > 0
    assert batches.exportable(db) == [batch_id]


@pytest.mark.parametrize("first", [BatchRoute.STICK, BatchRoute.ONLINE])
def test_acknowledged_once_whatever_the_route(db: Database, first: BatchRoute) -> None:
    batch_id, app_ids = make_batch(db, n_apps=2)
    seqs = {app_ids[0]: 11, app_ids[1]: 12} if first is BatchRoute.ONLINE else None
    assert batches.acknowledge(db, batch_id, via=first, received_at=T0, seqs=seqs) is True
    with db.session() as s:
        batch = s.get(Batch, batch_id)
        assert batch is not None
        assert (batch.state, batch.ack_via, batch.bytes_sent) == (
            BatchState.SENT,
            first.value,
            batch.total_bytes,
        )
        assert {Status(a.status) for a in s.exec(select(Application)).all()} == {Status.SENT}
        history = s.exec(select(StatusChange).where(StatusChange.status == Status.SENT)).all()
        assert len(history) == 2
        if seqs:
            assert sorted(h.server_seq or 0 for h in history) == [11, 12]
        pending = s.exec(select(Outbox).where(Outbox.state != OutboxState.DONE)).all()
    # Nothing of it is left for either route.
    assert pending == []
    assert not outbox.has_pending(db)
    assert outbox.pending_batch_ids(db) == []
    assert batches.exportable(db) == []
    trips_before = batches.trips(db, batch_id)
    # The other route (or the same receipt again) later: changes nothing.
    other = BatchRoute.ONLINE if first is BatchRoute.STICK else BatchRoute.STICK
    assert batches.acknowledge(db, batch_id, via=other, received_at=T0 + timedelta(days=3)) is False
    with db.session() as s:
        batch = s.get(Batch, batch_id)
        assert batch is not None and batch.ack_via == first.value
        assert len(s.exec(select(StatusChange).where(StatusChange.status == Status.SENT)).all()) == 2
    assert [(t.route, t.at) for t in batches.trips(db, batch_id)] == [(t.route, t.at) for t in trips_before]


def test_stick_trips_only_for_unacknowledged_batches_and_shown_per_batch(db: Database) -> None:
    a, _ = make_batch(db, n_apps=1)
    b, _ = make_batch(db, n_apps=1)
    batches.acknowledge(db, b, via=BatchRoute.ONLINE, received_at=T0)
    n = batches.record_stick_trip(db, [a, b, a], bundle_id="bundle-1", file_name="desa.dcb", at=T0)
    assert n == 1  # b is acknowledged already; a is counted once
    batches.record_stick_trip(
        db, [a], bundle_id="bundle-2", file_name="desa-2.dcb", at=T0 + timedelta(days=1)
    )
    rows = {r.id: r for r in batches.batch_rows(db)}
    assert [t.replace(tzinfo=UTC) for t in rows[a].stick_trips] == [T0, T0 + timedelta(days=1)]
    assert rows[a].ack_via == "" and rows[b].ack_via == "online" and rows[b].stick_trips == []
    # A stick trip is still sendable online until the office acknowledges it (a stick can be
    # lost); its outbox rows stay pending.
    assert outbox.pending_batch_ids(db) == [a]
    # But it cannot be unsealed any more: the office may hold it.
    with pytest.raises(repo.CannotCancel):
        batches.reopen(db, a)


def test_manifest_for_a_bundle_is_the_same_every_time(db: Database) -> None:
    batch_id, app_ids = make_batch(db, n_apps=2)
    one = batches.manifest(db, batch_id, batches.stick_upload_id)
    two = batches.manifest(db, batch_id, batches.stick_upload_id)
    assert one.model_dump_json() == two.model_dump_json()
    assert sorted(str(a.id) for a in one.applications) == sorted(app_ids)
    docs = {str(d.id): d for a in one.applications for d in a.documents}
    assert set(docs) == {d.id for d in batches.documents(db, batch_id)}
    for d in batches.documents(db, batch_id):
        assert docs[d.id].upload_id == d.id.replace("-", "") and docs[d.id].sha256 == d.file_sha256
    # Online, only files with a tus upload are named.
    assert batches.manifest(db, batch_id, lambda _doc: None).applications[0].documents == []


def test_park_retry_and_cancel_go_through_the_owners(db: Database) -> None:
    batch_id, app_ids = make_batch(db, n_apps=1)
    batches.park(db, batch_id, "NIK tidak valid", "invalid")
    with db.session() as s:
        assert {r.state for r in s.exec(select(Outbox).where(Outbox.batch_id == batch_id))} == {
            OutboxState.PARKED
        }
    assert not outbox.has_pending(db)
    batches.retry(db, batch_id)
    assert outbox.pending_batch_ids(db) == [batch_id]
    batches.park(db, batch_id, "NIK tidak valid", "invalid")
    assert batches.cancel(db, batch_id) == app_ids
    with db.session() as s:
        assert s.exec(select(Outbox).where(Outbox.batch_id == batch_id)).all() == []
        batch = s.get(Batch, batch_id)
        assert batch is not None and batch.state == BatchState.CANCELLED
    # The applications can be sealed again into a new batch.
    again = seal(db, app_ids)
    assert outbox.pending_batch_ids(db) == [again]


def test_cancel_refused_after_an_unanswered_stick_trip(db: Database) -> None:
    """Like "Buka segel": a batch set aside here after it went on a stick may still reach the
    office by that stick; only the office's refusal (its error code) makes it cancellable."""
    batch_id, app_ids = make_batch(db, n_apps=1)
    batches.record_stick_trip(db, [batch_id], bundle_id="b1", file_name="desa.dcb", at=T0)
    batches.park(db, batch_id, "Server berulang kali menolak berkas kiriman ini.")
    with pytest.raises(batches.CannotCancel) as refused:
        batches.cancel(db, batch_id)
    assert refused.value.message_id.startswith("Pengiriman kiriman ini sudah dimulai")
    with db.session() as s:
        batch = s.get(Batch, batch_id)
        assert batch is not None and batch.state == BatchState.FAILED
    # The office's refusal came back (a return bundle or online): now it can be given up.
    batches.park(db, batch_id, "NIK tidak valid", "invalid")
    assert batches.cancel(db, batch_id) == app_ids


def test_events_are_typed_and_parked_events_come_back(db: Database) -> None:
    with db.session() as s:
        outbox.enqueue_event(s, "e1", '{"x": 1}')
        outbox.enqueue_event(s, "e2", '{"x": 2}')
        s.commit()
    rows = outbox.pending_events(db)
    assert [(r.kind, r.ref_id) for r in rows] == [(OutboxKind.EVENT, "e1"), (OutboxKind.EVENT, "e2")]
    outbox.park(db, rows[0].id, "ditolak")
    assert [r.ref_id for r in outbox.parked_events(db)] == ["e1"]
    assert outbox.unpark_events(db) == 1
    assert [r.ref_id for r in outbox.pending_events(db)] == ["e1", "e2"]
    assert outbox.pending_batch_ids(db) == []  # events are not batch work


def test_postpone_counts_attempts_and_next_due(db: Database) -> None:
    make_batch(db, n_apps=1)
    row = outbox.pending_uploads(db, outbox.pending_batch_ids(db)[0])[0]
    assert row.id is not None
    seen: list[int] = []
    outbox.postpone(db, row.id, lambda n: seen.append(n) or 60.0, "server sibuk")
    outbox.postpone(db, row.id, lambda n: seen.append(n) or 120.0, "server sibuk")
    assert seen == [1, 2]
    due = outbox.next_due(db)
    assert due is not None and timedelta(seconds=100) < due - datetime.now(UTC) <= timedelta(seconds=120)
    with db.session() as s:
        outbox.clear_backoffs(s)
        s.commit()
    assert outbox.next_due(db) is None


def test_schema_7_records_batches_sent_before_as_online(paths: AppPaths) -> None:
    conn = sqlite3.connect(paths.database, isolation_level=None)
    migrations.upgrade(conn, target=6)
    conn.execute(
        "INSERT INTO batch (id, state, sealed_at, sent_at, application_count, page_count, total_bytes,"
        " bytes_sent, last_error, error_code) VALUES"
        " ('b-sent', 'sent', '2026-01-01 08:00:00', '2026-01-02 10:00:00', 1, 1, 10, 10, '', ''),"
        " ('b-wait', 'sealed', '2026-01-03 08:00:00', NULL, 1, 1, 10, 0, '', '')"
    )
    conn.close()
    db = open_database(paths)
    try:
        with db.session() as s:
            sent, wait = s.get(Batch, "b-sent"), s.get(Batch, "b-wait")
            assert sent is not None and wait is not None
            assert (sent.ack_via, wait.ack_via) == ("online", "")
            trips = s.exec(select(BatchTrip)).all()
        assert [(t.batch_id, t.route) for t in trips] == [("b-sent", BatchRoute.ONLINE)]
        assert trips[0].at.replace(tzinfo=None) == datetime(2026, 1, 2, 10, 0)
        assert batches.exportable(db) == ["b-wait"]
    finally:
        db.close()


def test_ready_application_not_in_a_batch_is_not_batch_work(db: Database) -> None:
    make_ready(db)
    assert outbox.pending_batch_ids(db) == [] and batches.exportable(db) == []
