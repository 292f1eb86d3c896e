"""Silent stalls, end to end: the real server over real HTTP through the fault proxy, which goes
silent on a connection (no FIN, no RST) and keeps the server's side of it open, as a dead
village link does. The server then still holds the stalled PATCH; only the same device,
resuming at the server's offset, takes it over (tusd's rule). The client sees the stall from
the server's offset (HEAD on another connection) long before any timeout: the read timeouts
here are far longer than the tests may take, and the server's own takeover after silence and
its body read timeout are an hour, so only the mechanism under test can finish the uploads.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlmodel import select

from desa_capil.server import tus as server_tus
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import enroll_device, running_server
from desa_capil.store.models import Outbox
from desa_capil.sync.client import ApiClient, LinkStalled, SyncError
from desa_capil.sync.tus import LinkMeter, TusUploader, upload_path
from desa_capil.sync.worker import Backoff, SyncWorker, has_pending_work

from .conftest import VILLAGE, Enrolled
from .helpers import Admin, assert_server_has, make_batch, wait_for
from .proxy import FaultProxy

TUS = {"Tus-Resumable": "1.0.0"}
HOUR = 3600.0


@pytest.fixture
def central(tmp_path: Path) -> Iterator[EmbeddedServer]:
    # Only a same-device takeover can free a stalled upload within the test.
    with running_server(
        tmp_path / "server",
        rate_burst=10_000.0,
        rate_per_second=10_000.0,
        patch_takeover_seconds=HOUR,
        body_read_timeout=HOUR,
    ) as server:
        yield server


@pytest.fixture
def proxy(enrolled: Enrolled) -> Iterator[FaultProxy]:
    p = FaultProxy(enrolled.server.port, seed=99).start()
    p.stall_hold = HOUR  # the server is told nothing about a stalled connection
    yield p
    p.stop()


def _upload_row(e: Enrolled, page_bytes: int) -> tuple[Outbox, bytes]:
    make_batch(e.db, 1, pages_per_doc=1, page_bytes=page_bytes)
    with e.db.session() as s:
        rows = list(s.exec(select(Outbox).where(Outbox.kind == "upload")).all())
    row = max(rows, key=lambda r: r.upload_length)
    return row, e.db.blobs.get(row.payload.split('"sha256": "')[1][:64])


def _server_file(e: Enrolled, upload_id: str) -> bytes:
    svc = e.server.service
    assert svc is not None
    return svc.upload_path(upload_id).read_bytes()


def test_stalled_patch_is_cut_and_the_same_device_takes_over(enrolled: Enrolled, proxy: FaultProxy) -> None:
    row, data = _upload_row(enrolled, 110_000)
    proxy.stall_every = 40_000
    client = ApiClient(proxy.url, enrolled.config.token, timeout=(5.0, HOUR))
    meter = LinkMeter(64 * 1024)  # the whole file in one PATCH: each stall cuts it
    meter.min_stall_seconds = 1.0
    uploader = TusUploader(client, enrolled.db, meter)
    upload_id = uploader.upload(row, data, {"filename": "x.pdf"})
    client.close()
    assert proxy.stats.stalls >= 2
    # The stalls were seen by the watch (a read timeout of an hour never fired) ...
    assert uploader.stalls >= 1
    # ... and the server kept exactly what arrived: what went out minus what the stalled
    # connections swallowed is the file, no byte lost or written twice.
    assert meter.bytes_offered - meter.bytes_lost == len(data)
    assembled = _server_file(enrolled, upload_id)
    assert hashlib.sha256(assembled).hexdigest() == hashlib.sha256(data).hexdigest()
    with enrolled.db.session() as s:
        saved = s.get(Outbox, row.id)
    assert saved is not None and saved.upload_offset == len(data)


def test_the_servers_word_on_a_silent_patch_cuts_it_from_one_look(
    enrolled: Enrolled, proxy: FaultProxy
) -> None:
    """This project's server says how long the PATCH it runs has received nothing
    (``Upload-Idle``): the watch cuts a stalled PATCH from that, and the upload completes
    exactly. Live PATCHes (the next ones, and the stalled one's successor while the server
    still held the old one) are not cut by it."""
    row, data = _upload_row(enrolled, 110_000)
    proxy.stall_every = 60_000
    client = ApiClient(proxy.url, enrolled.config.token, timeout=(5.0, HOUR))
    meter = LinkMeter(64 * 1024)
    meter.min_stall_seconds = 1.0
    uploader = TusUploader(client, enrolled.db, meter)
    upload_id = uploader.upload(row, data, {"filename": "x.pdf"})
    client.close()
    assert proxy.stats.stalls >= 1 and uploader.idle_stalls >= 1
    assert uploader.stalls <= proxy.stats.stalls  # no live PATCH was cut
    assembled = _server_file(enrolled, upload_id)
    assert hashlib.sha256(assembled).hexdigest() == hashlib.sha256(data).hexdigest()


def test_another_device_is_refused_while_the_same_device_takes_over(
    enrolled: Enrolled, proxy: FaultProxy
) -> None:
    row, data = _upload_row(enrolled, 60_000)
    direct = ApiClient(enrolled.server.base_url, enrolled.config.token, timeout=(5.0, 30.0))
    meter = LinkMeter(64 * 1024)
    meter.min_stall_seconds = 1.0
    # Create the upload (and let the first PATCH stall) through the proxy.
    proxy.stall_every = 25_000
    via_proxy = ApiClient(proxy.url, enrolled.config.token, timeout=(5.0, HOUR))
    cut = threading.Event()
    upload_id = (
        via_proxy.request(
            "POST",
            "/uploads/",
            headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": "filename eC5wZGY="},
            ok=(201,),
        )
        .headers["Location"]
        .rsplit("/", 1)[-1]
    )
    failure: list[BaseException] = []

    def stalled_patch() -> None:
        try:
            via_proxy.request(
                "PATCH",
                upload_path(upload_id),
                data=data,
                headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
                cut=cut,
                ok=(204,),
            )
        except BaseException as exc:  # noqa: BLE001 - the test looks at it below
            failure.append(exc)

    sender = threading.Thread(target=stalled_patch)
    sender.start()
    svc = enrolled.server.service
    assert svc is not None

    def held() -> int:
        return svc.upload_offset(svc.get_upload_unchecked(upload_id))

    wait_for(lambda: proxy.stats.stalls == 1 and held() > 0, 30, "the PATCH stalled")
    assert held() < len(data) and upload_id in server_tus._active

    # Another laptop of the same village, at the server's offset: still 423.
    other = enroll_device(enrolled.server, VILLAGE, device_name="Laptop kedua")
    r = requests.patch(
        f"{enrolled.server.base_url}/api/v1/uploads/{upload_id}",
        data=data[held() :],
        headers={
            **TUS,
            **other.headers,
            "Upload-Offset": str(held()),
            "Content-Type": "application/offset+octet-stream",
        },
        timeout=30,
    )
    assert r.status_code == 423 and r.json()["error"] == "upload_locked"

    # The same device resumes (as the uploader does after a stall: HEAD, then on at once).
    with enrolled.db.session() as s:
        outbox_row = s.get(Outbox, row.id)
        assert outbox_row is not None
        outbox_row.upload_url = upload_id
        s.add(outbox_row)
        s.commit()
        s.refresh(outbox_row)
    TusUploader(direct, enrolled.db, meter).upload(outbox_row, data, {"filename": "x.pdf"})
    assert hashlib.sha256(_server_file(enrolled, upload_id)).hexdigest() == hashlib.sha256(data).hexdigest()
    cut.set()
    sender.join(30)
    assert not sender.is_alive() and failure and isinstance(failure[0], LinkStalled)
    direct.close()
    via_proxy.close()


def test_worker_finishes_a_batch_over_a_link_that_stalls_again_and_again(
    enrolled: Enrolled, admin: Admin, proxy: FaultProxy
) -> None:
    _b, ids = make_batch(enrolled.db, 2, pages_per_doc=2, page_bytes=15_000)
    proxy.stall_every = 30_000
    token = enrolled.config.token

    def factory() -> ApiClient:
        # A stalled creation, HEAD or manifest (no body to watch) ends with its read timeout.
        return ApiClient(proxy.url, token, timeout=(5.0, 10.0))

    worker = SyncWorker(
        enrolled.db, factory, parallel=2, backoff=Backoff(base=0.05, cap=0.5), row_backoff_base=0.05
    )
    worker.meter.min_stall_seconds = 1.0
    done = threading.Event()
    errors: list[BaseException] = []

    def drain() -> None:
        try:
            while has_pending_work(worker.db) and not worker.stop.is_set():
                try:
                    worker.run_pass()
                except SyncError as exc:  # a failed pass is retried, as the worker does
                    assert exc.retryable, exc
                    worker.stop.wait(worker.backoff.next_delay())
                    continue
                worker.stop.wait(min(0.2, worker.next_due_in()))
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            done.set()

    threading.Thread(target=drain, daemon=True).start()
    # A bound for a hang, not a speed requirement.
    finished = done.wait(240)
    if not finished:
        worker.stop.set()
        done.wait(10)
    assert finished and not errors
    assert proxy.stats.stalls >= 2 and worker.meter.stalls >= 1
    assert_server_has(enrolled, admin, ids)
    worker.close()
