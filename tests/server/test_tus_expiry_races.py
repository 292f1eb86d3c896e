"""Races between the expiry of uploads and the requests that use them: a manifest consuming an
upload while its last PATCH is being recorded, or while the purge deletes expired uploads, must
leave the consumed upload without an expiry, and the purge never deletes a document's upload.

A PATCH that began before its upload's expiry passed keeps it from the purge while it runs.

The manifest tests make the interleaving happen at one point (a hook on the database engine
runs the other request there, to its end); the hook never sleeps. On SQLite the writer lock
already orders these transactions (the hook's request would wait for the transaction it
interrupts), so those interleavings are PostgreSQL's."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from desa_capil.server.db import utcnow as real_utcnow
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.services import uploads as upload_service
from desa_capil.server.testing import EnrolledDevice, document_for, sample_application, wait_for_offset

DAY = 24 * 3600
WEEK = 7 * DAY


@pytest.fixture
def pg_server(server: EmbeddedServer) -> EmbeddedServer:
    assert server.service is not None
    if server.service.db.is_sqlite:
        pytest.skip("SQLite's writer lock orders these transactions: no interleaving")
    return server


@contextmanager
def run_before_first(
    server: EmbeddedServer, matches: Callable[[str], bool], other: Callable[[], None]
) -> Iterator[list[BaseException]]:
    """While inside: the first statement ``matches`` accepts (in any thread but the one that
    runs ``other``) first waits for ``other`` to run to its end in a thread of its own."""
    assert server.service is not None
    engine = server.service.db.write
    armed = [True]
    errors: list[BaseException] = []
    runner: list[threading.Thread] = []

    def run() -> None:
        try:
            other()
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    def hook(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not armed[0] or not matches(statement) or threading.current_thread() in runner:
            return
        armed[0] = False
        t = threading.Thread(target=run, daemon=True)
        runner.append(t)
        t.start()
        t.join(60)  # a bound for a hang (the other request waiting for this transaction)
        if t.is_alive():
            errors.append(TimeoutError("the other request waited for the interrupted one"))

    event.listen(engine, "before_cursor_execute", hook)
    try:
        yield errors
    finally:
        event.remove(engine, "before_cursor_execute", hook)
    assert not armed[0], "the interleaving did not happen"


def consume(village: EnrolledDevice, upload_id: str, data: bytes, batch: str) -> None:
    manifest = {"applications": [sample_application([document_for(upload_id, data)])]}
    r = village.request("PUT", "/batches/" + batch * 32, json=manifest)
    assert r.status_code == 201, r.text


def test_a_manifest_during_the_last_patch_keeps_its_upload_forever(
    pg_server: EmbeddedServer, village: EnrolledDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PATCH that brought the last bytes is still being recorded (its answer lost on a cut
    link; the client's HEAD saw the whole file and it sent the manifest) when the manifest
    consumes the upload: the PATCH's expiry must not come back on the consumed upload, or the
    purge deletes the document's file a week later."""
    server = pg_server
    assert server.service is not None
    data = b"%PDF-1.4\n" + os.urandom(5000)
    upload_id = village.create_upload(len(data))
    done = threading.Event()

    def is_patch_record(statement: str) -> bool:
        # The PATCH records the offset its bytes reached (not its claim as it begins).
        s = statement.lstrip().upper()
        return s.startswith("UPDATE UPLOAD ") and "OFFSET" in s.split("WHERE")[0] and not done.is_set()

    with run_before_first(
        server, is_patch_record, lambda: (consume(village, upload_id, data, "4"), done.set())
    ) as errors:
        r = village.patch_upload(upload_id, data)
    assert not errors, errors
    assert r.status_code in (204, 404), r.text
    up = server.service.get_upload_unchecked(upload_id)
    assert up.document_id is not None
    assert up.expires_at is None, "a consumed upload got an expiry back"
    # A week and more later, the purge leaves the document's upload alone.
    monkeypatch.setattr(upload_service, "utcnow", lambda: real_utcnow() + timedelta(seconds=2 * WEEK))
    server.service.purge_expired_uploads()
    assert server.service.upload_path(upload_id).read_bytes() == data


def test_the_purge_never_deletes_an_upload_a_manifest_consumed_meanwhile(
    pg_server: EmbeddedServer, village: EnrolledDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The purge found the upload expired (its last second passed), and before it deleted it a
    manifest that had checked it a moment earlier consumed it: the purge keeps it."""
    server = pg_server
    assert server.service is not None
    data = b"%PDF-1.4\n" + os.urandom(5000)
    upload_id = village.upload(data)
    purger = threading.current_thread()
    # The purge runs just after the upload's expiry; the manifest's check just before it.
    later = timedelta(seconds=WEEK + 60)
    monkeypatch.setattr(
        upload_service,
        "utcnow",
        lambda: real_utcnow() + later if threading.current_thread() is purger else real_utcnow(),
    )

    def purge_after_its_look(statement: str) -> bool:
        # The purge's first write: it has seen which uploads expired.
        s = statement.lstrip().upper()
        return threading.current_thread() is purger and (s.startswith("DELETE") or s.startswith("UPDATE"))

    with run_before_first(
        server, purge_after_its_look, lambda: consume(village, upload_id, data, "5")
    ) as errors:
        server.service.purge_expired_uploads()
    assert not errors, errors
    up = server.service.get_upload_unchecked(upload_id)  # 404 if the purge deleted it
    assert up.document_id is not None and up.expires_at is None
    assert server.service.upload_path(upload_id).read_bytes() == data


def test_a_patch_that_began_before_the_expiry_keeps_its_upload_from_the_purge(
    server: EmbeddedServer, village: EnrolledDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client resumes its upload with a PATCH in the last minute of the upload's short
    window (a file paused mid-way resumes at the offset it knows, without a HEAD); the hourly
    purge runs two minutes later while the bytes still come in: the PATCH named the upload, so
    the upload is its client's, and the purge leaves it; the PATCH completes the file."""
    assert server.service is not None
    data = os.urandom(10_000)
    # The uploads' clock stands still from the creation on: only the test moves it, however
    # long the machine takes between the requests.
    created = real_utcnow()

    def move_clock(seconds: float) -> None:
        monkeypatch.setattr(upload_service, "utcnow", lambda: created + timedelta(seconds=seconds))

    move_clock(0)
    upload_id = village.create_upload(len(data))
    move_clock(DAY - 60)  # its last minute
    head = (
        f"PATCH /api/v1/uploads/{upload_id} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\n"
        f"Authorization: Bearer {village.token}\r\n"
        "Tus-Resumable: 1.0.0\r\n"
        "Upload-Offset: 0\r\n"
        "Content-Type: application/offset+octet-stream\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head + data[:4000])
        assert wait_for_offset(server, upload_id, 4000, ended=False) == 4000
        move_clock(DAY + 60)  # the PATCH runs on past the expiry
        assert server.service.purge_expired_uploads() == 0
        sock.sendall(data[4000:])
        answer = b""
        while b"\r\n\r\n" not in answer and (got := sock.recv(4096)):
            answer += got
    assert answer.startswith(b"HTTP/1.1 204"), answer[:300]
    assert server.service.upload_path(upload_id).read_bytes() == data
    assert server.service.get_upload_unchecked(upload_id).offset == len(data)
