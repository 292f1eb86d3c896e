"""The worker over a bad link: throttled, slow, cut, stalled, answering 5xx. Nothing is lost or
sent twice; every file arrives intact (checked against the server's own checksums)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlmodel import select

from desa_capil.store.models import Batch, BatchState, Outbox, OutboxState
from desa_capil.sync.client import ApiClient, SyncError
from desa_capil.sync.worker import Backoff, PassResult, SyncWorker, has_pending_work

from .conftest import Enrolled
from .helpers import Admin, assert_server_has, make_batch
from .proxy import FaultProxy


@pytest.fixture
def proxy(enrolled: Enrolled) -> Iterator[FaultProxy]:
    p = FaultProxy(enrolled.server.port, seed=1234).start()
    yield p
    p.stop()


def worker_via(e: Enrolled, proxy: FaultProxy, *, timeout: float = 3.0, parallel: int = 2) -> SyncWorker:
    token = e.config.token

    def factory() -> ApiClient:
        return ApiClient(proxy.url, token, timeout=(timeout, timeout))

    return SyncWorker(
        e.db, factory, parallel=parallel, backoff=Backoff(base=0.05, cap=0.5), row_backoff_base=0.05
    )


def drain(worker: SyncWorker, deadline_s: float) -> tuple[PassResult, int]:
    """Passes (with the worker's own back-off after a failure) until nothing is pending."""
    deadline = time.monotonic() + deadline_s
    failures = 0
    total = PassResult()
    while time.monotonic() < deadline:
        try:
            r = worker.run_pass()
        except SyncError as exc:
            assert exc.retryable, exc
            failures += 1
            worker.stop.wait(worker.backoff.next_delay())
            continue
        worker.backoff.reset()
        total.batches_sent += r.batches_sent
        total.batches_parked += r.batches_parked
        if not has_pending_work(worker.db):
            return total, failures
        worker.stop.wait(min(0.2, worker.next_due_in()))
    raise AssertionError("the outbox did not drain before the deadline")


def test_throttled_slow_link_with_cuts_and_server_errors(
    enrolled: Enrolled, admin: Admin, proxy: FaultProxy
) -> None:
    b1, ids1 = make_batch(enrolled.db, 2, pages_per_doc=2, page_bytes=6000)
    b2, ids2 = make_batch(enrolled.db, 2, pages_per_doc=1, page_bytes=9000)
    proxy.rate = 256 * 1024
    proxy.latency = 0.02
    proxy.cut_every = 40_000
    proxy.error_rate = 0.15
    worker = worker_via(enrolled, proxy)
    drain(worker, 90)
    # Cuts are mostly taken in stride now (the upload goes on from the server's offset in the
    # same try), so failed passes are not counted; what matters is what arrived.
    assert proxy.stats.cuts >= 2 and proxy.stats.errors >= 1
    assert_server_has(enrolled, admin, ids1 + ids2)
    with enrolled.db.session() as s:
        states = {b.id: b.state for b in s.exec(select(Batch)).all()}
    assert states == {b1: BatchState.SENT, b2: BatchState.SENT}
    worker.close()


def test_stalled_link_is_noticed_and_upload_resumes(
    enrolled: Enrolled, admin: Admin, proxy: FaultProxy
) -> None:
    _b, ids = make_batch(enrolled.db, 2, pages_per_doc=2, page_bytes=10_000)
    proxy.stall_every = 35_000
    worker = worker_via(enrolled, proxy, timeout=1.0, parallel=1)
    drain(worker, 90)
    assert proxy.stats.stalls >= 1
    assert_server_has(enrolled, admin, ids)
    # What a stall cost: bytes that went into the dead connection, never more than one chunk each.
    assert worker.meter.bytes_lost <= proxy.stats.stalls * 64 * 1024
    worker.close()


def test_answers_lost_after_the_server_acted_are_harmless(
    enrolled: Enrolled, admin: Admin, proxy: FaultProxy
) -> None:
    """The manifest reaches the server but its answer is lost: the replay is recognised."""
    _b, ids = make_batch(enrolled.db, 2)
    worker = worker_via(enrolled, proxy)
    proxy.lose_answer(b"PUT ")
    with pytest.raises(SyncError):
        worker.run_pass()
    proxy.clean()
    assert len(admin.by_client_id()) == 2  # the server has the batch already
    drain(worker, 30)
    assert_server_has(enrolled, admin, ids)
    with enrolled.db.session() as s:
        assert not s.exec(select(Outbox).where(Outbox.state != OutboxState.DONE)).all()
    worker.close()


def test_server_errors_on_one_file_do_not_block_other_batches(
    enrolled: Enrolled, admin: Admin, proxy: FaultProxy
) -> None:
    b1, ids1 = make_batch(enrolled.db, 1)
    b2, ids2 = make_batch(enrolled.db, 1)
    worker = worker_via(enrolled, proxy, parallel=1)
    worker.row_backoff_base = 30.0  # the failed file waits long; the other batch must not
    proxy.fail_next(1, 503)  # the first file's creation fails
    r = worker.run_pass()
    assert r.postponed >= 1 and r.batches_sent == [b2]
    assert set(admin.by_client_id()) == set(ids2)
    with enrolled.db.session() as s:
        row = s.exec(select(Outbox).where(Outbox.batch_id == b1, Outbox.next_attempt_at != None)).first()  # noqa: E711
        assert row is not None and row.attempts == 1 and row.last_error
    worker.close()


def test_a_cut_patch_goes_on_from_the_servers_offset_in_the_same_try(
    enrolled: Enrolled, admin: Admin, proxy: FaultProxy
) -> None:
    """Cuts that each let some bytes through do not hand the file back to the worker: after
    each one the uploader asks the server (HEAD) and goes on from its offset, on a new
    connection, and the file arrives whole and exactly once."""
    from desa_capil.sync.tus import LinkMeter, TusUploader

    _b, ids = make_batch(enrolled.db, 1, pages_per_doc=1, page_bytes=90_000)
    with enrolled.db.session() as s:
        rows = list(s.exec(select(Outbox).where(Outbox.kind == "upload")).all())
    row = max(rows, key=lambda r: r.upload_length)
    data = enrolled.db.blobs.get(row.payload.split('"sha256": "')[1][:64])
    proxy.cut_every = 25_000
    client = ApiClient(proxy.url, enrolled.config.token, timeout=(3.0, 3.0))
    meter = LinkMeter(2048)  # 16 KB chunks
    upload_id = TusUploader(client, enrolled.db, meter).upload(row, data, {"filename": "x.pdf"})
    client.close()
    assert proxy.stats.cuts >= 2
    with enrolled.db.session() as s:
        saved = s.get(Outbox, row.id)
    assert saved is not None and saved.upload_url == upload_id and saved.upload_offset == len(data)
    # What the server kept plus what it lost in the cuts is what went out; nothing was
    # written twice (the server's file is checked byte for byte once the batch is sent).
    assert meter.bytes_offered - meter.bytes_lost == len(data)
    proxy.clean()
    worker = worker_via(enrolled, proxy)
    drain(worker, 60)
    assert_server_has(enrolled, admin, ids)
    worker.close()


def test_a_silent_link_is_given_up_after_the_measured_wait_not_the_fixed_timeout(
    enrolled: Enrolled, admin: Admin, proxy: FaultProxy
) -> None:
    """Once answers were measured, a PATCH whose link went silent is given up after the wait
    the meter allows (doubling for each silent try of the file in a row), not after the
    client's fixed read timeout, and the file still arrives whole."""
    from desa_capil.sync.tus import LinkMeter, TusUploader

    _b, ids = make_batch(enrolled.db, 1, pages_per_doc=1, page_bytes=70_000)
    with enrolled.db.session() as s:
        row = s.exec(select(Outbox).where(Outbox.kind == "upload")).first()
    assert row is not None
    data = enrolled.db.blobs.get(row.payload.split('"sha256": "')[1][:64])
    meter = LinkMeter(2048)  # 16 KB chunks
    meter.min_read_timeout = 0.5
    for _ in range(4):
        meter.record_tail(0.1)  # answers came quickly so far
    client = ApiClient(proxy.url, enrolled.config.token, timeout=(3.0, 60.0))
    waits: list[float] = []
    real_request = client.request

    def spy(method: str, path: str, **kw: object) -> object:
        if method == "PATCH":
            waits.append(kw["timeout"][1])  # type: ignore[index]
        return real_request(method, path, **kw)  # type: ignore[arg-type]

    client.request = spy  # type: ignore[method-assign]
    proxy.stall_every = 40_000
    # The measured wait is the fallback where no stall watch runs (or the server does not show
    # a running PATCH's bytes); the watch is tested in test_stall_takeover.py.
    TusUploader(client, enrolled.db, meter, watch_stalls=False).upload(row, data, {"filename": "x.pdf"})
    client.close()
    assert proxy.stats.stalls >= 1
    # Two quick answers' worth plus two round trips (local: a few ms each), never the client's
    # fixed 60 s read timeout, also after the silent tries (each doubles the wait).
    assert waits[0] < 5.0
    assert max(waits) < 60.0
    proxy.clean()
    worker = worker_via(enrolled, proxy)
    drain(worker, 60)
    assert_server_has(enrolled, admin, ids)
    worker.close()
