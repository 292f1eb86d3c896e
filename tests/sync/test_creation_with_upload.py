"""creation-with-upload: once the server said it takes it and the link has proven itself, a
file's creation carries its first chunk; an older server gets creations without a body; a
creation whose answer was lost is made again without a body, and the file arrives once. Real
server over real HTTP (behind a recording proxy, or the fault proxy)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from desa_capil.server.db import Upload
from desa_capil.store.models import Outbox, OutboxState
from desa_capil.sync import tus
from desa_capil.sync.client import ApiClient
from desa_capil.sync.worker import SyncPhase, SyncWorker

from .conftest import Enrolled
from .helpers import Admin, assert_server_has, make_batch, sync_once, wait_for
from .proxy import FaultProxy
from .test_request_coding import Recorder

OFFSET_CT = "application/offset+octet-stream"


@pytest.fixture(autouse=True)
def _fresh_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the client learnt about other tests' addresses is not this test's."""
    monkeypatch.setattr(tus, "_creation_with_upload", tus._CreationWithUpload())


def _creations(rec: Recorder) -> list[bytes]:
    """The bodies of the creations (b"" for one without), in order."""
    return [
        s.body if s.content_type == OFFSET_CT else b""
        for s in rec.seen
        if s.method == "POST" and s.path.rstrip("/").endswith("/uploads")
    ]


@pytest.fixture
def recorder(request: pytest.FixtureRequest, enrolled: Enrolled) -> Iterator[Recorder]:
    rec = Recorder(enrolled.server.port, **getattr(request, "param", {}))
    yield rec
    rec.stop()


def test_creations_carry_the_first_chunk_once_the_link_has_proven_itself(
    enrolled: Enrolled, admin: Admin, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tus, "PROVEN_BYTES", 1)  # proven after the first file's bytes
    batch_id, ids = make_batch(enrolled.db, 3)
    sync_once(enrolled, recorder.url, parallel=1)
    bodies = _creations(recorder)
    assert len(bodies) > 3
    # The first creation teaches the client (and nothing went through yet): no body. Every
    # later one carries its file's first chunk (here the whole of these small files).
    assert bodies[0] == b"" and all(bodies[1:])
    patched = {s.path.rsplit("/", 1)[1] for s in recorder.seen if s.method == "PATCH"}
    assert len(patched) == 1  # only the first file needed a PATCH
    assert_server_has(enrolled, admin, ids)


@pytest.mark.parametrize("recorder", [{"drop": ("Tus-Extension",)}], indirect=True)
def test_a_server_that_does_not_say_it_gets_creations_without_a_body(
    enrolled: Enrolled, admin: Admin, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tus, "PROVEN_BYTES", 1)
    batch_id, ids = make_batch(enrolled.db, 3)
    sync_once(enrolled, recorder.url, parallel=1)
    bodies = _creations(recorder)
    assert len(bodies) > 3 and not any(bodies)
    assert_server_has(enrolled, admin, ids)


def test_a_creation_whose_answer_was_lost_is_made_again_without_a_body(
    enrolled: Enrolled, admin: Admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server took the creation and its first chunk, the answer never came: the client
    cannot know that upload (it expires on the server), makes the file's upload again without
    a body (a link that lost an answer is not proven), and the file arrives once."""
    monkeypatch.setattr(tus, "PROVEN_BYTES", 0)
    proxy = FaultProxy(enrolled.server.port).start()
    try:
        api = ApiClient(proxy.url, enrolled.config.token)
        tus._creation_with_upload.note(api.api_url, "creation,creation-with-upload")
        proxy.lose_answer(b"POST /api/v1/uploads")
        batch_id, ids = make_batch(enrolled.db, 2)
        sent: list[tuple[str, bool]] = []
        request = ApiClient.request

        def recording(client: ApiClient, method: str, path: str, **kw: Any) -> Any:
            if method == "POST" and path.startswith("/uploads"):
                sent.append((method, kw.get("data") is not None))
            return request(client, method, path, **kw)

        monkeypatch.setattr(ApiClient, "request", recording)
        worker = sync_once(enrolled, proxy.url, parallel=1)
        assert worker.meter.troubled
    finally:
        proxy.stop()
    assert sent[0] == ("POST", True)  # the lost one carried a body
    assert not any(body for _m, body in sent[1:])
    assert_server_has(enrolled, admin, ids)
    # The lost creation's upload is on the server with its bytes, named by no row.
    with enrolled.db.session() as s:
        named = {r.upload_url for r in s.exec(select(Outbox).where(Outbox.kind == "upload"))}
    with enrolled.server.service.db.session() as s:
        orphans = [u for u in s.exec(select(Upload)) if u.id not in named]
    assert len(orphans) == 1 and orphans[0].offset > 0


@pytest.mark.parametrize("recorder", [{"lost_bodies": True}], indirect=True)
def test_a_creation_with_bytes_that_failed_leaves_at_most_one_upload_behind(
    enrolled: Enrolled, admin: Admin, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gateway answers 502 to every creation that carries bytes, after the server made the
    upload: the client never hears its Location. Its next creations go without a body (not
    one more upload left behind per retry, each counting against the village's quota for a
    week), and every file arrives."""
    monkeypatch.setattr(tus, "PROVEN_BYTES", 1)
    batch_id, ids = make_batch(enrolled.db, 3)
    worker = SyncWorker(
        enrolled.db, lambda: ApiClient(recorder.url, enrolled.config.token), row_backoff_base=0.01, parallel=1
    )
    try:
        worker.run_until_idle(max_passes=5)  # (a few: each retry that carried bytes failed again)
    finally:
        worker.close()
    carried = [bool(b) for b in _creations(recorder)]
    assert carried[:2] == [False, True] and not any(carried[2:])  # the 502 one alone carried bytes
    assert_server_has(enrolled, admin, ids)
    with enrolled.db.session() as s:
        named = {r.upload_url for r in s.exec(select(Outbox).where(Outbox.kind == "upload"))}
    with enrolled.server.service.db.session() as s:
        orphans = [u for u in s.exec(select(Upload)) if u.id not in named]
    assert len(orphans) == 1


def test_stop_during_a_creations_body_on_a_silent_link(
    enrolled: Enrolled, admin: Admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The link goes silent (no FIN, no RST) while a creation carries its file's bytes, with
    long timeouts: a stop still ends the worker at once (the watchdog shuts the socket), the
    file stays to send, and the next run delivers it whole (the creation is made again)."""
    _b, ids = make_batch(enrolled.db, 1, page_bytes=60_000, service="kk_baru")
    proxy = FaultProxy(enrolled.server.port).start()
    token = enrolled.config.token
    stop, wake = threading.Event(), threading.Event()
    try:
        api = ApiClient(proxy.url, token)
        tus._creation_with_upload.note(api.api_url, "creation,creation-with-upload")
        api.close()
        proxy.stall_every = 20_000
        creations: list[bool] = []  # each creation: did it carry bytes
        request = ApiClient.request

        def recording(client: ApiClient, method: str, path: str, **kw: Any) -> Any:
            if method == "POST" and path.startswith("/uploads"):
                creations.append(kw.get("data") is not None)
            return request(client, method, path, **kw)

        monkeypatch.setattr(ApiClient, "request", recording)
        worker = SyncWorker(
            enrolled.db, lambda: ApiClient(proxy.url, token, timeout=(60.0, 300.0), deadline=900.0), stop=stop
        )
        worker.meter.bytes_offered = tus.PROVEN_BYTES  # the link proved itself before
        thread = threading.Thread(target=worker.run_forever, args=(wake,), daemon=True)
        thread.start()
        try:
            wait_for(lambda: proxy.stats.stalls >= 1, 30, "the creation's body to meet the silent link")
            stop.set()
            # Far below the 300 s read timeout (and 900 s deadline): only the watchdog can do this.
            thread.join(60)
            assert not thread.is_alive()
            assert worker.status.phase is SyncPhase.STOPPED
            assert creations and all(creations)  # stopped in creations' bodies (the files' first)
        finally:
            stop.set()
            worker.close()
        with enrolled.db.session() as s:
            assert {r.state for r in s.exec(select(Outbox))} == {OutboxState.PENDING}
        proxy.clean()
        sync_once(enrolled, proxy.url)
    finally:
        proxy.stop()
    assert_server_has(enrolled, admin, ids)
