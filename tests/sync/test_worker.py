"""The outbox worker against the real reference server over HTTP."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import col, select

from desa_capil.api.models import EventIn, HandOver
from desa_capil.domain.status import Actor, Status
from desa_capil.store.models import (
    Applicant,
    Application,
    Batch,
    BatchState,
    OfficeDocument,
    Outbox,
    OutboxState,
    StatusChange,
)
from desa_capil.store.repo import _set_status
from desa_capil.sync import apply
from desa_capil.sync.client import ApiClient, TokenRevoked
from desa_capil.sync.tus import ChunkReport, LinkMeter, Stopped, StreamGovernor, TusUploader
from desa_capil.sync.worker import SyncWorker, batch_rows

from .conftest import VILLAGE, Enrolled
from .helpers import Admin, assert_server_has, make_batch, make_ready, seal


def worker_for(e: Enrolled, **kw: object) -> SyncWorker:
    return SyncWorker(e.db, e.config.client_factory(), row_backoff_base=0.01, **kw)  # type: ignore[arg-type]


def test_sealed_batch_arrives_intact_and_once(enrolled: Enrolled, admin: Admin) -> None:
    batch_id, ids = make_batch(enrolled.db, 3, pages_per_doc=2, page_bytes=5000)
    worker = worker_for(enrolled)
    result = worker.run_until_idle()
    assert result.batches_sent == [batch_id]
    assert_server_has(enrolled, admin, ids)
    with enrolled.db.session() as s:
        assert all(s.get(Application, i).status == Status.SENT for i in ids)  # type: ignore[union-attr]
        batch = s.get(Batch, batch_id)
        assert batch is not None and batch.state == BatchState.SENT and batch.sent_at is not None
        assert not s.exec(select(Outbox).where(Outbox.state != OutboxState.DONE)).all()
    row = batch_rows(enrolled.db)[0]
    assert row.files_done == row.files_total > 0 and row.bytes_done == row.total_bytes
    # A second run (and a replayed manifest) changes nothing on the server.
    with enrolled.db.session() as s:
        manifest = s.exec(select(Outbox).where(Outbox.kind == "manifest")).one()
        manifest.state = OutboxState.PENDING
        s.add(manifest)
        s.commit()
    worker.run_until_idle()
    assert sorted(admin.by_client_id()) == sorted(ids)
    worker.close()


def test_upload_resumes_mid_file_after_a_stop(enrolled: Enrolled, admin: Admin) -> None:
    app_id = make_ready(enrolled.db, pages_per_doc=1, page_bytes=60_000)
    batch_id = seal(enrolled.db, [app_id])
    with enrolled.db.session() as s:
        row = s.exec(select(Outbox).where(Outbox.kind == "upload")).first()
    assert row is not None
    data = enrolled.db.blobs.get(row.payload.split('"sha256": "')[1][:64])
    stop = threading.Event()
    seen: list[ChunkReport] = []

    def after_chunk(rep: ChunkReport) -> None:
        seen.append(rep)
        stop.set()  # as if the app was closed right after the first chunk

    client = enrolled.config.client()
    uploader = TusUploader(client, enrolled.db, LinkMeter(1.0), stop=stop, on_chunk=after_chunk)
    with pytest.raises(Stopped):
        uploader.upload(row, data, {"filename": "x.pdf"})
    with enrolled.db.session() as s:
        saved = s.get(Outbox, row.id)
    assert saved is not None
    assert saved.upload_url and saved.upload_offset == seen[0].offset == 16 * 1024
    # A new worker (after a restart) continues from the stored URL and offset.
    worker = worker_for(enrolled)
    worker.run_until_idle()
    with enrolled.db.session() as s:
        done = s.get(Outbox, row.id)
    assert done is not None and done.state == OutboxState.DONE and done.upload_url == saved.upload_url
    assert worker.meter.bytes_lost == 0
    with enrolled.db.session() as s:
        total = sum(r.upload_length for r in s.exec(select(Outbox).where(Outbox.kind == "upload")).all())
    # Nothing sent twice: the restart continued at the stored offset.
    assert worker.meter.bytes_offered == total - 16 * 1024
    assert_server_has(enrolled, admin, [app_id])
    assert batch_rows(enrolled.db)[0].id == batch_id
    client.close()
    worker.close()


def test_missing_upload_is_sent_again_on_422(enrolled: Enrolled, admin: Admin) -> None:
    batch_id, ids = make_batch(enrolled.db, 2)
    worker = worker_for(enrolled)
    from desa_capil.sync.worker import PassResult

    assert worker._upload_batch_files(batch_id, PassResult())
    # The server loses one upload (expired, cleaned up) before the manifest arrives.
    with enrolled.db.session() as s:
        victim = s.exec(select(Outbox).where(Outbox.kind == "upload").order_by(col(Outbox.id))).first()
    assert victim is not None
    worker.client.request(
        "DELETE", f"/uploads/{victim.upload_url}", headers={"Tus-Resumable": "1.0.0"}, ok=(204,)
    )
    result = worker.run_until_idle()
    assert result.batches_sent == [batch_id]
    with enrolled.db.session() as s:
        again = s.get(Outbox, victim.id)
    assert again is not None and again.upload_url != victim.upload_url
    assert_server_has(enrolled, admin, ids)
    worker.close()


def test_office_changes_are_applied_once(enrolled: Enrolled, admin: Admin) -> None:
    _batch, ids = make_batch(enrolled.db, 2)
    worker = worker_for(enrolled)
    worker.run_until_idle()
    remote = admin.by_client_id()
    a, b = remote[ids[0]], remote[ids[1]]
    admin.set_status(a["id"], "in_review")
    admin.set_status(a["id"], "needs_fix", "Foto KK buram, pindai ulang.")
    admin.set_status(b["id"], "processing")
    admin.set_status(b["id"], "finished")
    pdf = b"%PDF-1.7\n" + b"signed" * 500
    admin.attach(b["id"], "Akta Kelahiran", pdf)
    admin.attach(b["id"], "Kartu Keluarga", None)
    admin.dispatch(VILLAGE, [b["id"]], "Diambil kurir Senin")
    result = worker.run_pass()
    assert set(result.office_changes) == set(ids)
    assert result.statuses == {ids[0]: Status.NEEDS_FIX, ids[1]: Status.DISPATCHED}
    assert result.documents_downloaded == 1
    with enrolled.db.session() as s:
        app_a, app_b = s.get(Application, ids[0]), s.get(Application, ids[1])
        assert app_a is not None and app_b is not None
        assert app_a.status == Status.NEEDS_FIX and app_a.office_message == "Foto KK buram, pindai ulang."
        assert app_b.status == Status.DISPATCHED
        docs = s.exec(select(OfficeDocument).where(OfficeDocument.application_id == ids[1])).all()
        history = len(s.exec(select(StatusChange)).all())
    assert sorted(d.title for d in docs) == ["Akta Kelahiran", "Kartu Keluarga"]
    signed = next(d for d in docs if d.has_file)
    assert signed.file_sha256 and enrolled.db.blobs.get(signed.file_sha256) == pdf
    assert next(d for d in docs if not d.has_file).file_sha256 is None
    # Pulling everything again from the start changes nothing.
    apply.write_state(enrolled.db, apply.CURSOR_KEY, "0")
    again = worker.run_pass()
    assert again.office_changes == [] and again.documents_downloaded == 0
    with enrolled.db.session() as s:
        assert len(s.exec(select(StatusChange)).all()) == history
    worker.close()


def test_village_events_are_sent_in_order_and_bad_ones_set_aside(enrolled: Enrolled, admin: Admin) -> None:
    _batch, ids = make_batch(enrolled.db, 2)
    worker = worker_for(enrolled)
    worker.run_until_idle()
    remote = admin.by_client_id()
    for i in ids:
        admin.set_status(remote[i]["id"], "finished")
    admin.dispatch(VILLAGE, [remote[i]["id"] for i in ids])
    worker.run_pass()
    now = datetime.now(UTC)
    events = [
        EventIn(id=uuid.uuid4(), application_id=uuid.UUID(ids[0]), status=Status.ARRIVED, at=now),
        EventIn(
            id=uuid.uuid4(),
            application_id=uuid.UUID(ids[0]),
            status=Status.HANDED_OVER,
            at=now,
            handover=HandOver(recipient_name="Siti Aminah", relation="istri", id_checked=True),
        ),
        # Not allowed: dispatched -> handed_over skips arrived.
        EventIn(
            id=uuid.uuid4(),
            application_id=uuid.UUID(ids[1]),
            status=Status.HANDED_OVER,
            at=now,
            handover=HandOver(recipient_name="Budi"),
        ),
    ]
    with enrolled.db.session() as s:
        app = s.get(Application, ids[0])
        assert app is not None
        _set_status(s, app, Status.ARRIVED, Actor.VILLAGE)
        _set_status(s, app, Status.HANDED_OVER, Actor.VILLAGE)
        for ev in events:
            s.add(Outbox(kind="event", ref_id=str(ev.id), payload=ev.model_dump_json()))
        s.commit()
    result = worker.run_pass()
    assert result.events_sent == 2
    remote = admin.by_client_id()
    assert remote[ids[0]]["status"] == "handed_over"
    assert remote[ids[1]]["status"] == "dispatched"
    with enrolled.db.session() as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "event").order_by(col(Outbox.id))).all()
        assert [r.state for r in rows] == [OutboxState.DONE, OutboxState.DONE, OutboxState.PARKED]
        assert rows[2].last_error
        # The echo of our own events does not move anything locally.
        assert s.get(Application, ids[0]).status == Status.HANDED_OVER  # type: ignore[union-attr]
    worker.close()


def test_refused_batch_is_set_aside_and_others_go_on(enrolled: Enrolled, admin: Admin) -> None:
    bad_app = make_ready(enrolled.db)
    with enrolled.db.session() as s:
        app = s.get(Application, bad_app)
        assert app is not None
        person = s.get(Applicant, app.applicant_id)
        assert person is not None
        person.nik = "3204053208900001"  # 16 digits, but day 32: the server refuses it
        s.add(person)
        s.commit()
    bad_batch = seal(enrolled.db, [bad_app])
    good_batch, good_ids = make_batch(enrolled.db, 1, page_bytes=1000)
    # The good batch's applicant must keep a valid NIK (applicants are shared by NIK).
    with enrolled.db.session() as s:
        good = s.get(Application, good_ids[0])
        assert good is not None
        assert s.get(Applicant, good.applicant_id).nik != "3204053208900001"  # type: ignore[union-attr]
    worker = worker_for(enrolled)
    result = worker.run_until_idle()
    assert result.batches_parked == [bad_batch]
    assert result.batches_sent == [good_batch]
    with enrolled.db.session() as s:
        b = s.get(Batch, bad_batch)
        assert b is not None and b.state == BatchState.FAILED and "NIK" in b.last_error.upper()
        assert s.exec(
            select(Outbox).where(Outbox.batch_id == bad_batch, Outbox.state == OutboxState.PARKED)
        ).all()
    assert set(admin.by_client_id()) == set(good_ids)
    worker.close()


def test_revoked_token_stops_sync_with_an_indonesian_message(enrolled: Enrolled, admin: Admin) -> None:
    make_batch(enrolled.db, 1)
    from desa_capil.store.repo import get_setting
    from desa_capil.sync.config import DEVICE_ID

    admin.revoke(get_setting(enrolled.db, DEVICE_ID))
    worker = worker_for(enrolled)
    with pytest.raises(TokenRevoked) as err:
        worker.run_pass()
    assert "daftarkan ulang" in err.value.message_id
    assert err.value.status == 401 and not err.value.retryable
    with enrolled.db.session() as s:
        assert s.exec(select(Outbox).where(Outbox.state == OutboxState.PENDING)).all()
    worker.close()


def test_upload_threads_do_not_leave_their_clients_behind(enrolled: Enrolled, admin: Admin) -> None:
    """Each batch's files go out on pool threads with a client (session) each; once the pool is
    done those clients are closed and let go, however many batches a long-running app sends."""
    worker = worker_for(enrolled)
    ids: list[str] = []
    for _ in range(3):
        _b, more = make_batch(enrolled.db, 2, pages_per_doc=1, page_bytes=3000)
        ids += more
        worker.run_until_idle()
        assert worker._clients == []  # noqa: SLF001 - what would grow pass after pass
    assert_server_has(enrolled, admin, ids)
    worker.close()


def test_the_settled_number_of_streams_is_remembered_per_server_address(enrolled: Enrolled) -> None:
    from desa_capil.sync.config import SyncConfig
    from desa_capil.sync.tus import StreamGovernor
    from desa_capil.sync.worker import START_STREAMS

    first = worker_for(enrolled)
    assert (
        first.meter.streams.streams == START_STREAMS and not first.meter.streams.settled
    )  # nothing known yet
    first.meter.streams = StreamGovernor(start=4, high=first.parallel, settled=True)
    first.run_pass()
    first.close()
    again = worker_for(enrolled)
    assert again.meter.streams.streams == 4 and again.meter.streams.settled
    again.close()
    # Another address (a new office server, a tunnel) is another link: measured afresh.
    elsewhere = SyncConfig("http://127.0.0.1:9", enrolled.config.token)
    other = SyncWorker(enrolled.db, elsewhere.client_factory())
    assert other.meter.streams.streams == START_STREAMS and not other.meter.streams.settled
    other.close()


def _record_starts(worker: SyncWorker) -> list[int]:
    """The bytes left to send of each file, in the order the worker starts its uploads."""
    started: list[int] = []
    upload_row = worker._upload_row

    def recording(row: Outbox, **kw: Any) -> None:
        started.append(row.upload_length - row.upload_offset)
        upload_row(row, **kw)

    worker._upload_row = recording  # type: ignore[method-assign]
    return started


def test_files_with_most_left_to_send_go_first(enrolled: Enrolled, admin: Admin) -> None:
    """The batch ends with its small files (fewer files than streams at the end is short)."""
    ids = [make_ready(enrolled.db, pages_per_doc=1, page_bytes=n) for n in (3000, 9000, 6000)]
    batch_id = seal(enrolled.db, ids)
    with enrolled.db.session() as s:
        row = s.exec(select(Outbox).where(Outbox.kind == "upload").order_by(col(Outbox.id))).first()
        assert row is not None
        row.upload_offset = row.upload_length - 10  # the first file is nearly sent already
        s.add(row)
        s.commit()
    worker = worker_for(enrolled, parallel=1)
    started = _record_starts(worker)
    assert worker.run_until_idle().batches_sent == [batch_id]
    assert len(started) >= 3 and started == sorted(started, reverse=True)
    assert started[-1] == 10
    assert_server_has(enrolled, admin, ids)
    worker.close()


def test_a_file_with_less_left_gives_its_stream_to_one_with_more_and_resumes_without_asking(
    enrolled: Enrolled, admin: Admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Most left first, chunk by chunk: after each chunk a file goes back to the queue when
    another waits with more left, and is resumed later from the offset its last PATCH's
    answer gave (no HEAD). Every byte arrives, each file once."""
    ids = [
        make_ready(enrolled.db, pages_per_doc=1, page_bytes=n, seed=i) for i, n in enumerate((40_000, 25_000))
    ]
    batch_id = seal(enrolled.db, ids)
    worker = worker_for(enrolled, parallel=2)
    worker.meter.streams = StreamGovernor(start=1, high=2, settled=True)  # one stream, two threads
    monkeypatch.setattr(worker.meter, "chunk_size", lambda: 16 * 1024)  # several chunks per file
    sent: list[tuple[str, str]] = []  # (method, upload id) of the upload threads' requests
    request = ApiClient.request

    def recording(client: ApiClient, method: str, path: str, **kw: Any) -> Any:
        if threading.current_thread().name.startswith("tus_"):
            sent.append((method, path.rstrip("/").rsplit("/", 1)[-1]))
        return request(client, method, path, **kw)

    monkeypatch.setattr(ApiClient, "request", recording)
    assert worker.run_until_idle().batches_sent == [batch_id]
    assert_server_has(enrolled, admin, ids)
    patches = [upload for method, upload in sent if method == "PATCH"]
    switches = sum(1 for a, b in zip(patches, patches[1:], strict=False) if a != b)
    uploads = set(patches)
    assert switches > len(uploads)  # the files took turns, not one after the other
    assert not [m for m, _u in sent if m == "HEAD"]  # a paused file goes on without asking
    with enrolled.db.session() as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "upload")).all()
        assert rows and all(r.state == OutboxState.DONE and r.upload_offset == r.upload_length for r in rows)
    worker.close()


def test_streams_that_start_together_end_their_chunks_apart(
    enrolled: Enrolled, admin: Admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first chunks of the streams that start a batch together are 1/4, 2/4, 3/4 and a
    whole chunk: chunks of one length begun together end together, and all streams waiting
    for their answers at once leave the link idle for a round trip, chunk after chunk."""
    ids = [make_ready(enrolled.db, pages_per_doc=1, page_bytes=100_003, seed=i) for i in range(2)]
    batch_id = seal(enrolled.db, ids)
    worker = worker_for(enrolled, parallel=4)
    worker.meter.streams = StreamGovernor(start=4, high=4, settled=True)
    chunk = 32 * 1024
    monkeypatch.setattr(worker.meter, "chunk_size", lambda: chunk)
    sizes: list[int] = []
    request = ApiClient.request

    def recording(client: ApiClient, method: str, path: str, **kw: Any) -> Any:
        if method == "PATCH":
            sizes.append(int(kw["headers"]["Content-Length"]))
        return request(client, method, path, **kw)

    monkeypatch.setattr(ApiClient, "request", recording)
    assert worker.run_until_idle().batches_sent == [batch_id]
    assert_server_has(enrolled, admin, ids)
    for share in (chunk // 4, chunk // 2, chunk * 3 // 4):
        assert sizes.count(share) == 1, sizes
    worker.close()


def test_at_a_batchs_end_each_file_left_gets_a_stream_of_its_own(
    enrolled: Enrolled, admin: Admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once every file left goes as one PATCH and no more files are left than twice
    ``parallel``, they are all sent at once, beyond the stream count: where one connection
    gets only a share of the link, files that waited for a stream ran on alone at the end."""
    ids = [make_ready(enrolled.db, pages_per_doc=1, page_bytes=20_011, seed=7)]
    batch_id = seal(enrolled.db, ids)
    with enrolled.db.session() as s:
        files = len(s.exec(select(Outbox).where(Outbox.kind == "upload")).all())
    assert files == 5
    worker = worker_for(enrolled, parallel=3)  # at most 6 at the end
    worker.meter.streams = StreamGovernor(start=2, high=3, settled=True)
    monkeypatch.setattr(worker.meter, "chunk_size", lambda: 16 * 1024)  # each file: one chunk
    lock = threading.Condition()
    in_flight = [0]
    most = [0]
    sizes: list[int] = []
    request = ApiClient.request

    def recording(client: ApiClient, method: str, path: str, **kw: Any) -> Any:
        if method != "PATCH":
            return request(client, method, path, **kw)
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
            sizes.append(int(kw["headers"]["Content-Length"]))
            lock.notify_all()
            # Hold each PATCH until all files are under way (or a while: then they never are).
            lock.wait_for(lambda: in_flight[0] >= files, timeout=5)
        try:
            return request(client, method, path, **kw)
        finally:
            with lock:
                in_flight[0] -= 1

    monkeypatch.setattr(ApiClient, "request", recording)
    assert worker.run_until_idle().batches_sent == [batch_id]
    assert_server_has(enrolled, admin, ids)
    assert most[0] == files  # all five at once, with a count of two
    assert len(sizes) == files  # each file's rest in one PATCH
    assert worker.meter.streams.extra == 0 and worker.meter.streams.streams == 2
    worker.close()


def test_a_stream_stays_with_its_thread_while_files_wait(
    enrolled: Enrolled, admin: Admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The thread that holds a stream goes on with the next file (on its connection, which a
    long wait for a stream could let the server's keep-alive limit close as it is used again)."""
    ids = [make_ready(enrolled.db, pages_per_doc=1, page_bytes=40_000, seed=3)]
    batch_id = seal(enrolled.db, ids)
    worker = worker_for(enrolled, parallel=4)
    worker.meter.streams = StreamGovernor(start=1, high=4, settled=True)  # one stream, more threads
    monkeypatch.setattr(worker.meter.streams, "widen", lambda extra, **kw: None)  # no end phase here
    monkeypatch.setattr(worker.meter, "chunk_size", lambda: 16 * 1024)  # files take turns
    threads: list[str] = []
    request = ApiClient.request

    def recording(client: ApiClient, method: str, path: str, **kw: Any) -> Any:
        if method == "PATCH":
            threads.append(threading.current_thread().name)
        return request(client, method, path, **kw)

    monkeypatch.setattr(ApiClient, "request", recording)
    assert worker.run_until_idle().batches_sent == [batch_id]
    assert_server_has(enrolled, admin, ids)
    assert len(threads) > 5 and len(set(threads)) == 1
    worker.close()


def test_files_go_largest_first_when_fewer_streams_run_than_threads(enrolled: Enrolled, admin: Admin) -> None:
    """A file is taken only once a stream is free for it: threads waiting for a stream with a
    file in hand started in whatever order they woke, not largest first."""
    sizes = (3000, 9000, 6000, 12000, 4500, 7500)
    ids = [make_ready(enrolled.db, pages_per_doc=1, page_bytes=n) for n in sizes]
    batch_id = seal(enrolled.db, ids)
    worker = worker_for(enrolled, parallel=4)
    worker.meter.streams = StreamGovernor(start=1, high=4, settled=True)  # one stream, four threads
    started = _record_starts(worker)
    assert worker.run_until_idle().batches_sent == [batch_id]
    assert len(started) >= len(sizes) and started == sorted(started, reverse=True)
    assert_server_has(enrolled, admin, ids)
    worker.close()
