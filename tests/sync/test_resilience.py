"""Resuming from any address, stopping in any state, noticing the server is back, resuming a
download with Range, and refusing plain http:// for a server that is not this computer."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from desa_capil.errors import NetworkError
from desa_capil.store.db import Database
from desa_capil.store.models import OfficeDocument, Outbox, OutboxState
from desa_capil.sync.client import ApiClient, InsecureAddress, normalize_base_url
from desa_capil.sync.config import save_server
from desa_capil.sync.tus import ChunkReport, LinkMeter, Stopped
from desa_capil.sync.worker import Backoff, SyncPhase, SyncStatus, SyncWorker, has_pending_work

from . import hostile as h
from .conftest import VILLAGE, Enrolled
from .helpers import Admin, assert_server_has, make_batch, wait_for

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 400  # ~100 KB


def test_upload_resumes_on_a_new_server_address(enrolled: Enrolled, admin: Admin) -> None:
    """Half a file went through the old address; the rest goes through the new one, to the
    same upload (no second copy), and the old address is never asked again."""
    _b, ids = make_batch(enrolled.db, 1, page_bytes=120_000, service="kk_baru")
    old = h.HostileServer(enrolled.server.port).start()
    new = h.HostileServer(enrolled.server.port).start()
    token = enrolled.config.token
    stop = threading.Event()
    first = SyncWorker(enrolled.db, lambda: ApiClient(old.url, token), stop=stop, parallel=1)
    first.meter = LinkMeter(2048)  # 16 KB chunks: several PATCHes per file

    def cut(rep: ChunkReport) -> None:
        stop.set()  # the laptop is closed after the first chunk

    real_uploader = first._upload_row

    def upload_row(row: Outbox) -> None:
        import desa_capil.sync.worker as w

        original = w.TusUploader

        class Cutting(original):  # type: ignore[misc, valid-type]
            def __init__(self, *a: object, **k: object) -> None:
                k["on_chunk"] = cut
                super().__init__(*a, **k)

        w.TusUploader = Cutting  # type: ignore[misc]
        try:
            real_uploader(row)
        finally:
            w.TusUploader = original  # type: ignore[misc]

    first._upload_row = upload_row  # type: ignore[method-assign]
    with pytest.raises(Stopped):
        first.run_pass()
    first.close()
    with enrolled.db.session() as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "upload")).all()
    row = next(r for r in rows if r.upload_offset)
    not_started = sum(1 for r in rows if not r.upload_url)
    assert 0 < row.upload_offset < row.upload_length
    assert "/" not in row.upload_url  # an id, not a URL
    upload_id = row.upload_url
    old.stop()  # the old address is gone for good

    second = SyncWorker(enrolled.db, lambda: ApiClient(new.url, token), backoff=Backoff(base=0.05, cap=0.2))
    second.run_until_idle()
    second.close()
    new.stop()
    assert_server_has(enrolled, admin, ids)
    creates = [r for r in new.stats.seen if r.method == "POST" and r.path.endswith("/uploads/")]
    assert len(creates) == not_started  # the cut file resumed, not started again
    patches = [r for r in new.stats.seen if r.method == "PATCH" and r.path.endswith(upload_id)]
    assert patches
    assert int(patches[0].headers["upload-offset"]) == row.upload_offset


def test_stop_is_honoured_mid_request_on_a_silent_link(enrolled: Enrolled) -> None:
    """A PATCH into a link that went silent (no FIN, no RST), with long timeouts: stop still
    ends the worker at once (the watchdog shuts the socket), well before any timeout."""
    make_batch(enrolled.db, 1, page_bytes=50_000, service="kk_baru")
    dead = h.HostileServer(enrolled.server.port).start()
    dead.add("PATCH", r"/uploads/.+", h.silence())
    token = enrolled.config.token
    stop, wake = threading.Event(), threading.Event()
    worker = SyncWorker(
        enrolled.db, lambda: ApiClient(dead.url, token, timeout=(60.0, 300.0), deadline=900.0), stop=stop
    )
    thread = threading.Thread(target=worker.run_forever, args=(wake,), daemon=True)
    thread.start()
    try:
        wait_for(lambda: dead.hits >= 1, 30, "the PATCH to reach the silent link")
        stop.set()
        # Far below the 300 s read timeout (and 900 s deadline): only the watchdog can do this.
        thread.join(60)
        assert not thread.is_alive()
        assert worker.status.phase is SyncPhase.STOPPED
    finally:
        stop.set()
        dead.stop()
    worker.close()
    with enrolled.db.session() as s:
        assert {r.state for r in s.exec(select(Outbox))} == {OutboxState.PENDING}


def test_server_back_is_noticed_by_the_probe_not_the_backoff(enrolled: Enrolled, admin: Admin) -> None:
    """After a failure the back-off is long (10 minutes here); the cheap health probe notices
    the server is back and the worker sends without being woken."""
    _b, ids = make_batch(enrolled.db, 1, service="kk_baru")
    link = h.HostileServer(enrolled.server.port).start()
    link.add("*", ".", h.close_at_once())
    token = enrolled.config.token
    stop, wake = threading.Event(), threading.Event()
    statuses: list[SyncStatus] = []

    class Rec:
        def progress(self, p: object) -> None: ...
        def contact(self, at: object) -> None: ...
        def batch_done(self, b: str, s: str) -> None: ...
        def status(self, st: SyncStatus) -> None:
            statuses.append(st)

    worker = SyncWorker(
        enrolled.db,
        lambda: ApiClient(link.url, token, timeout=(2.0, 2.0)),
        listener=Rec(),
        stop=stop,
        backoff=Backoff(base=600.0, cap=600.0),
        probe_interval=0.2,
    )
    thread = threading.Thread(target=worker.run_forever, args=(wake,), daemon=True)
    thread.start()
    try:
        wait_for(lambda: any(st.phase is SyncPhase.OFFLINE for st in statuses), 30, "offline")
        offline = next(st for st in statuses if st.phase is SyncPhase.OFFLINE)
        assert offline.next_try_at is not None  # the status bar can say when
        probes_before = sum(1 for r in link.stats.seen if r.path.endswith("/health"))
        link.clear()
        wait_for(lambda: not has_pending_work(enrolled.db), 30, "the batch to go after the probe")
        assert not wake.is_set()
        assert sum(1 for r in link.stats.seen if r.path.endswith("/health")) > probes_before
    finally:
        stop.set()
        wake.set()
        thread.join(10)
        link.stop()
    assert_server_has(enrolled, admin, ids)
    worker.close()


def _dispatch_pdf(enrolled: Enrolled, admin: Admin, db: Database) -> str:
    _b, (app_id,) = make_batch(db, 1, service="kk_baru")
    worker = SyncWorker(db, enrolled.config.client_factory())
    worker.run_until_idle()
    remote = admin.by_client_id()[app_id]
    admin.set_status(remote["id"], "finished")
    admin.attach(remote["id"], "Kartu Keluarga", PDF)
    admin.dispatch(VILLAGE, [remote["id"]])
    worker.close()
    return app_id


def test_download_cut_mid_way_resumes_with_range(enrolled: Enrolled, admin: Admin) -> None:
    app_id = _dispatch_pdf(enrolled, admin, enrolled.db)
    link = h.HostileServer(enrolled.server.port).start()
    link.add("GET", r"/documents/.+/file$", h.truncate_after(40_000), times=1)
    token = enrolled.config.token
    worker = SyncWorker(enrolled.db, lambda: ApiClient(link.url, token), row_backoff_base=0.05)
    first = worker.collect_pass()
    assert first.documents_downloaded == 0 and first.problems
    part = next(worker.download_dir.glob("*.part"))
    kept = part.stat().st_size
    assert 0 < kept <= 40_000  # what arrived is kept on disk (checked once complete)
    second = worker.collect_pass()
    worker.close()
    link.stop()
    assert second.documents_downloaded == 1
    gets = [r for r in link.stats.seen if r.path.endswith("/file")]
    assert gets[-1].headers.get("range") == f"bytes={kept}-"
    with enrolled.db.session() as s:
        doc = s.exec(select(OfficeDocument).where(OfficeDocument.application_id == app_id)).one()
    assert enrolled.db.blobs.get(doc.file_sha256 or "") == PDF
    assert not list(worker.download_dir.glob("*.part"))


def test_download_over_the_cap_is_refused_and_nothing_stored(enrolled: Enrolled, admin: Admin) -> None:
    app_id = _dispatch_pdf(enrolled, admin, enrolled.db)
    token = enrolled.config.token
    worker = SyncWorker(enrolled.db, lambda: ApiClient(enrolled.server.base_url, token, max_download=50_000))
    result = worker.collect_pass()
    worker.close()
    assert result.documents_downloaded == 0 and result.problems
    with enrolled.db.session() as s:
        doc = s.exec(select(OfficeDocument).where(OfficeDocument.application_id == app_id)).one()
    assert doc.file_sha256 is None
    assert not list(worker.download_dir.glob("*.part"))


def test_plain_http_only_for_this_computer_or_when_understood(db: Database) -> None:
    for local in ("http://localhost:8000", "http://127.0.0.1:8000", "http://[::1]:8000"):
        assert normalize_base_url(local, allow_http=False) == local
    with pytest.raises(InsecureAddress) as err:
        normalize_base_url("http://capil.kabupaten.go.id", allow_http=False)
    assert "Saya mengerti" in err.value.message_id
    with pytest.raises(NetworkError):
        save_server(db, "http://10.0.0.5", None)
    assert save_server(db, "http://10.0.0.5", None, allow_http=True) == "http://10.0.0.5"
    assert save_server(db, "https://capil.kabupaten.go.id/", None) == "https://capil.kabupaten.go.id"


def test_stop_alone_ends_a_long_wait(enrolled: Enrolled) -> None:
    """Idle with a 5-minute poll interval: setting only the stop event (nobody wakes the
    worker) still ends it, long before the wait would."""
    stop, wake = threading.Event(), threading.Event()
    seen: list[SyncPhase] = []

    class Rec:
        def progress(self, p: object) -> None: ...
        def contact(self, at: object) -> None: ...
        def batch_done(self, b: str, s: str) -> None: ...
        def status(self, st: SyncStatus) -> None:
            seen.append(st.phase)

    worker = SyncWorker(
        enrolled.db, enrolled.config.client_factory(), listener=Rec(), stop=stop, poll_interval=300.0
    )
    thread = threading.Thread(target=worker.run_forever, args=(wake,), daemon=True)
    thread.start()
    wait_for(lambda: SyncPhase.IDLE in seen, 30, "the first pass")
    stop.set()
    thread.join(10)
    assert not thread.is_alive() and seen[-1] is SyncPhase.STOPPED
    worker.close()
