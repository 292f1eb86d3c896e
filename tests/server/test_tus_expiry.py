"""tus expiry of uploads nobody claimed: a new upload lives a day (the creation's answer may
never have reached its client), and the first request that names it (HEAD, PATCH, a final
concatenation naming it as a part) gives it the full week; the purge then frees an orphan's
quota after a day. The server's clock for uploads is moved, nothing sleeps."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
import requests
from sqlmodel import select

from desa_capil.server.config import Settings
from desa_capil.server.db import Upload, aware
from desa_capil.server.db import utcnow as real_utcnow
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.services import uploads as upload_service
from desa_capil.server.testing import EnrolledDevice, wait_for_offset

TUS = {"Tus-Resumable": "1.0.0"}
BYTES = {**TUS, "Content-Type": "application/offset+octet-stream"}
HOUR = 3600
DAY = 24 * HOUR
WEEK = 7 * DAY


@pytest.fixture
def move_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Moves the clock the server's uploads live by (expiry, purge) ``seconds`` ahead of now."""

    def move(seconds: float) -> None:
        monkeypatch.setattr(upload_service, "utcnow", lambda: real_utcnow() + timedelta(seconds=seconds))

    return move


def row(server: EmbeddedServer, upload_id: str) -> Upload:
    assert server.service is not None
    return server.service.get_upload_unchecked(upload_id)


def lives(server: EmbeddedServer, upload_id: str) -> timedelta:
    """How long after its creation the upload expires, as stored."""
    up = row(server, upload_id)
    assert up.expires_at is not None
    return aware(up.expires_at) - aware(up.created_at)


def told_expiry(r: requests.Response) -> datetime:
    return parsedate_to_datetime(r.headers["Upload-Expires"])


def stored_expiry(server: EmbeddedServer, upload_id: str) -> datetime:
    up = row(server, upload_id)
    assert up.expires_at is not None
    return aware(up.expires_at)


def truthful(r: requests.Response, server: EmbeddedServer, upload_id: str) -> bool:
    """The answer's Upload-Expires is the stored expiry (to the second an HTTP date has)."""
    return told_expiry(r) == stored_expiry(server, upload_id).replace(microsecond=0)


def location_id(r: requests.Response) -> str:
    return str(r.headers["Location"]).rsplit("/", 1)[1]


def create(
    device: EnrolledDevice, length: int, body: bytes | None = None, **headers: str
) -> requests.Response:
    h = {**(BYTES if body is not None else TUS), "Upload-Length": str(length), **headers}
    r = device.request("POST", "/uploads/", data=body, headers=h)
    assert r.status_code == 201, r.text
    return r


def patch(device: EnrolledDevice, upload_id: str, offset: int, data: bytes) -> requests.Response:
    return device.patch_upload(upload_id, data, offset)


def head(device: EnrolledDevice, upload_id: str) -> requests.Response:
    return device.request("HEAD", f"/uploads/{upload_id}", headers=TUS)


def test_a_new_upload_lives_a_day_until_a_head_claims_it(
    server: EmbeddedServer, village: EnrolledDevice
) -> None:
    r = create(village, 10_000)
    upload_id = location_id(r)
    assert lives(server, upload_id) == timedelta(seconds=DAY)
    assert truthful(r, server, upload_id)
    # Its client asks how far it got: it knows the upload, which now lives the full week.
    r = head(village, upload_id)
    assert r.status_code == 200 and truthful(r, server, upload_id)
    claimed = stored_expiry(server, upload_id)
    assert lives(server, upload_id) >= timedelta(seconds=WEEK)
    # A client polling HEAD writes nothing while more than half of the week is left.
    for _ in range(3):
        r = head(village, upload_id)
        assert r.status_code == 200 and truthful(r, server, upload_id)
    assert row(server, upload_id).expires_at is not None
    assert stored_expiry(server, upload_id) == claimed


def test_a_head_extends_again_once_less_than_half_is_left(
    server: EmbeddedServer, village: EnrolledDevice, move_clock: Callable[[float], None]
) -> None:
    upload_id = location_id(create(village, 10_000))
    assert head(village, upload_id).status_code == 200
    claimed = stored_expiry(server, upload_id)
    move_clock(3 * DAY)  # more than half of the week left: nothing written
    r = head(village, upload_id)
    assert (
        r.status_code == 200
        and stored_expiry(server, upload_id) == claimed
        and truthful(r, server, upload_id)
    )
    move_clock(4 * DAY)  # less than half left: the full week again, from now
    r = head(village, upload_id)
    assert r.status_code == 200 and truthful(r, server, upload_id)
    assert stored_expiry(server, upload_id) - claimed >= timedelta(seconds=4 * DAY - HOUR)


def test_a_patch_claims_and_a_creations_body_does_not(
    server: EmbeddedServer, village: EnrolledDevice
) -> None:
    data = os.urandom(10_000)
    r = create(village, len(data), data[:4000])
    upload_id = location_id(r)
    assert r.headers["Upload-Offset"] == "4000"
    # The creation carried bytes, yet its answer may never reach the client: a day.
    assert lives(server, upload_id) == timedelta(seconds=DAY)
    assert truthful(r, server, upload_id)
    r = patch(village, upload_id, 4000, data[4000:6000])
    assert r.status_code == 204 and truthful(r, server, upload_id)
    assert lives(server, upload_id) >= timedelta(seconds=WEEK)
    # A creation that brings the whole file: its client has nothing left to ask before the
    # manifest that uses it, so the full week at once (no Upload-Expires: it is complete).
    whole = os.urandom(3000)
    r = create(village, len(whole), whole)
    assert r.headers["Upload-Offset"] == "3000" and "Upload-Expires" not in r.headers
    assert lives(server, location_id(r)) >= timedelta(seconds=WEEK)
    # An empty upload is complete at once too.
    assert lives(server, location_id(create(village, 0))) == timedelta(seconds=WEEK)


def test_a_consumed_upload_keeps_no_expiry_after_a_head(
    server: EmbeddedServer, village: EnrolledDevice
) -> None:
    from desa_capil.server.testing import document_for, sample_application

    data = b"%PDF-1.4\n" + os.urandom(2000)
    upload_id = village.upload(data)
    manifest = {"applications": [sample_application([document_for(upload_id, data)])]}
    assert village.request("PUT", "/batches/" + "3" * 32, json=manifest).status_code == 201
    assert head(village, upload_id).status_code == 200
    assert row(server, upload_id).expires_at is None


def _cut_creation(server: EmbeddedServer, device: EnrolledDevice, length: int, sent: bytes) -> str:
    """A creation whose body the link cut after ``sent``; the id of the upload it made."""
    assert server.service is not None
    with server.service.db.session() as s:
        known = {u.id for u in s.exec(select(Upload))}
    head_bytes = (
        "POST /api/v1/uploads/ HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\n"
        f"Authorization: Bearer {device.token}\r\n"
        "Tus-Resumable: 1.0.0\r\n"
        f"Upload-Length: {length}\r\n"
        "Content-Type: application/offset+octet-stream\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head_bytes + sent)
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + 10  # a bound for a hang; the server makes it on the head
        while True:
            with server.service.db.session() as s:
                fresh = [u.id for u in s.exec(select(Upload)) if u.id not in known]
            if fresh:
                break
            assert time.monotonic() < deadline
            threading.Event().wait(0.05)
    [new] = fresh
    assert wait_for_offset(server, new, len(sent)) == len(sent)
    return new


class TestOrphansFreeTheQuota:
    @pytest.fixture
    def server_settings(self) -> dict[str, Any]:
        return {"max_upload_size": 1000, "village_quota": 2500, "upload_min_cost": 100}

    def test_orphans_are_purged_after_a_day_and_their_quota_freed(
        self, server: EmbeddedServer, village: EnrolledDevice, move_clock: Callable[[float], None]
    ) -> None:
        assert server.service is not None
        orphan = location_id(create(village, 1000))  # its 201 "lost": never asked about again
        cut = _cut_creation(server, village, 500, os.urandom(200))  # its body cut mid-way
        known = location_id(create(village, 1000))
        assert head(village, known).status_code == 200  # its client came back to it
        r = village.request("POST", "/uploads/", headers={**TUS, "Upload-Length": "100"})
        assert r.status_code == 413 and r.json()["error"] == "quota_exceeded"
        move_clock(23 * HOUR)
        assert server.service.purge_expired_uploads() == 0
        move_clock(DAY + HOUR)
        assert server.service.purge_expired_uploads() == 2
        assert head(village, orphan).status_code == 404
        assert head(village, cut).status_code == 404
        assert not server.service.upload_path(orphan).exists()
        assert not server.service.upload_path(cut).exists()
        r = head(village, known)
        assert r.status_code == 200 and truthful(r, server, known)
        # 1000 + 500 of the village's 2500 are free again.
        create(village, 1000)
        create(village, 400)


def create_partial(device: EnrolledDevice, length: int) -> str:
    return location_id(create(device, length, **{"Upload-Concat": "partial"}))


def test_parts_outlive_the_short_window_and_the_purge_while_joined(
    server: EmbeddedServer,
    village: EnrolledDevice,
    move_clock: Callable[[float], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A tus client's parallel streams: partial uploads, each claimed by its PATCHes, survive
    the short window; the final one that names them claims them again before it joins them,
    so a purge while it is being assembled cannot take them away."""
    assert server.service is not None
    data = os.urandom(4000)
    parts = [create_partial(village, 2000), create_partial(village, 2000)]
    assert all(lives(server, p) == timedelta(seconds=DAY) for p in parts)
    for upload_id, piece in zip(parts, (data[:2000], data[2000:]), strict=True):
        assert patch(village, upload_id, 0, piece).status_code == 204
    move_clock(6 * DAY)  # long past the short window; less than half of the week left
    assert server.service.purge_expired_uploads() == 0
    uploads = server.service.uploads
    create_final_upload = uploads.create_upload

    def purge_while_joining(*args: Any, **kwargs: Any) -> Any:
        # The parts were checked; the hourly purge runs just after their first week ended.
        move_clock(WEEK + HOUR)
        uploads.purge_expired_uploads()
        return create_final_upload(*args, **kwargs)

    monkeypatch.setattr(uploads, "create_upload", purge_while_joining)
    r = village.request("POST", "/uploads/", headers={**TUS, "Upload-Concat": "final;" + " ".join(parts)})
    assert r.status_code == 201, r.text
    final = location_id(r)
    assert server.service.upload_path(final).read_bytes() == data
    assert lives(server, final) >= timedelta(seconds=WEEK)  # complete: the full week


def test_expiry_settings() -> None:
    s = Settings()
    assert (s.upload_expiry_seconds, s.upload_unclaimed_expiry_seconds) == (WEEK, DAY)
    # Never longer than the full expiry (a server configured to keep uploads an hour).
    assert Settings(upload_expiry_seconds=HOUR).upload_unclaimed_expiry_seconds == HOUR
    with pytest.raises(ValueError):
        Settings(upload_unclaimed_expiry_seconds=-1)


def test_expiry_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESA_CAPIL_UPLOAD_EXPIRY_SECONDS", str(3 * DAY))
    monkeypatch.setenv("DESA_CAPIL_UPLOAD_UNCLAIMED_EXPIRY_SECONDS", str(6 * HOUR))
    s = Settings.from_env()
    assert (s.upload_expiry_seconds, s.upload_unclaimed_expiry_seconds) == (3 * DAY, 6 * HOUR)
