"""tus 1.0 uploads: protocol details, limits, interrupted PATCH kept, interop with tuspy."""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from tusclient import client as tus_client

from desa_capil.server import tus
from desa_capil.server.config import Settings
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import (
    EnrolledDevice,
    cut_patch,
    document_for,
    enroll_device,
    sample_application,
    server_process,
    wait_for_offset,
)

TUS = {"Tus-Resumable": "1.0.0"}


def patch(device: EnrolledDevice, upload_id: str, offset: int, data: bytes) -> Any:
    return device.request(
        "PATCH",
        f"/uploads/{upload_id}",
        data=data,
        headers={**TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"},
    )


def head_offset(device: EnrolledDevice, upload_id: str) -> int:
    r = device.request("HEAD", f"/uploads/{upload_id}", headers=TUS)
    assert r.status_code == 200, r.status_code
    assert r.headers["Cache-Control"] == "no-store"
    return int(r.headers["Upload-Offset"])


def test_options_advertises_protocol(server: EmbeddedServer) -> None:
    import requests

    r = requests.options(f"{server.base_url}/api/v1/uploads/", timeout=10)
    assert r.status_code == 204
    assert r.headers["Tus-Version"] == "1.0.0"
    assert set(r.headers["Tus-Extension"].split(",")) == {
        "creation",
        "creation-with-upload",
        "termination",
        "expiration",
        "checksum",
        "concatenation",
    }
    assert "sha256" in r.headers["Tus-Checksum-Algorithm"].split(",")
    assert int(r.headers["Tus-Max-Size"]) == server.settings.max_upload_size


def test_create_head_patch_in_pieces(village: EnrolledDevice) -> None:
    data = os.urandom(10_000)
    upload_id = village.create_upload(
        len(data), filename="../../etc/passwd", sha256=hashlib.sha256(data).hexdigest()
    )
    assert len(upload_id) == 32 and "passwd" not in upload_id
    r = village.request("HEAD", f"/uploads/{upload_id}", headers=TUS)
    assert r.headers["Tus-Resumable"] == "1.0.0"
    assert r.headers["Upload-Length"] == "10000" and r.headers["Upload-Offset"] == "0"
    assert "GMT" in r.headers["Upload-Expires"]
    r = patch(village, upload_id, 0, data[:4000])
    assert r.status_code == 204 and r.headers["Upload-Offset"] == "4000"
    assert r.headers["Tus-Resumable"] == "1.0.0"
    # Wrong offset: 409, and nothing written.
    r = patch(village, upload_id, 3000, data[3000:])
    assert r.status_code == 409
    assert r.json()["error"] == "upload_offset_mismatch"
    assert head_offset(village, upload_id) == 4000
    r = patch(village, upload_id, 4000, data[4000:])
    assert r.status_code == 204 and r.headers["Upload-Offset"] == "10000"
    assert "Upload-Expires" not in r.headers  # complete: no longer expiring as an unfinished upload
    # Body longer than the rest: refused.
    assert patch(village, upload_id, 10000, b"x").status_code == 413


def test_protocol_errors(village: EnrolledDevice) -> None:
    upload_id = village.create_upload(10)
    r = village.request("HEAD", f"/uploads/{upload_id}")  # no Tus-Resumable
    assert r.status_code == 412 and r.headers["Tus-Version"] == "1.0.0"
    r = village.request(
        "PATCH",
        f"/uploads/{upload_id}",
        data=b"abc",
        headers={**TUS, "Upload-Offset": "0", "Content-Type": "text/plain"},
    )
    assert r.status_code == 415
    r = village.request("POST", "/uploads/", headers={**TUS, "Upload-Length": "-5"})
    assert r.status_code == 400
    r = village.request(
        "POST", "/uploads/", headers={**TUS, "Upload-Length": "5", "Upload-Metadata": "filename !!notb64"}
    )
    assert r.status_code == 400
    assert village.request("HEAD", "/uploads/not-an-id", headers=TUS).status_code == 404


def test_termination(village: EnrolledDevice) -> None:
    upload_id = village.upload(b"%PDF-1.4 abc")
    assert village.request("DELETE", f"/uploads/{upload_id}", headers=TUS).status_code == 204
    assert village.request("HEAD", f"/uploads/{upload_id}", headers=TUS).status_code == 404
    assert village.request("DELETE", f"/uploads/{upload_id}", headers=TUS).status_code == 404


def test_consumed_upload_cannot_be_terminated(village: EnrolledDevice) -> None:
    data = b"%PDF-1.4 consumed"
    upload_id = village.upload(data)
    manifest = {"applications": [sample_application([document_for(upload_id, data)])]}
    assert village.request("PUT", "/batches/" + "1" * 32, json=manifest).status_code == 201
    assert village.request("DELETE", f"/uploads/{upload_id}", headers=TUS).status_code == 409


class TestLimits:
    @pytest.fixture
    def server_settings(self) -> dict[str, Any]:
        return {
            "max_upload_size": 1000,
            "village_quota": 2500,
            "upload_min_cost": 100,
            "upload_expiry_seconds": 0,
        }

    def test_size_and_quota(self, server: EmbeddedServer, village: EnrolledDevice) -> None:
        r = village.request("POST", "/uploads/", headers={**TUS, "Upload-Length": "1001"})
        assert r.status_code == 413 and r.json()["error"] == "too_large"
        assert "MB" in r.json()["message_id"]
        village.create_upload(1000)
        village.create_upload(1000)
        r = village.request("POST", "/uploads/", headers={**TUS, "Upload-Length": "600"})
        assert r.status_code == 413 and r.json()["error"] == "quota_exceeded"
        # Quota is per village: another village still has room.
        other = enroll_device(server, "32.04.05.2002", "Desa Lain")
        assert other.create_upload(1000)

    def test_expired_upload_is_gone_and_purged(self, server: EmbeddedServer, village: EnrolledDevice) -> None:
        upload_id = village.create_upload(100)
        r = village.request("HEAD", f"/uploads/{upload_id}", headers=TUS)
        assert r.status_code == 410  # HEAD answers carry no body
        r = village.request(
            "PATCH",
            f"/uploads/{upload_id}",
            data=b"x",
            headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
        )
        assert r.status_code == 410 and r.json()["error"] == "gone"
        path = server.settings.files_dir / "uploads" / upload_id
        assert path.exists()
        assert server.service is not None and server.service.purge_expired_uploads() >= 1
        assert not path.exists()
        assert village.request("HEAD", f"/uploads/{upload_id}", headers=TUS).status_code == 404


_half_patch_then_close = cut_patch


def patch_until_unlocked(
    device: EnrolledDevice, upload_id: str, offset: int, data: bytes, timeout: float = 10.0
) -> Any:
    # The cut request may still hold the upload for a moment (423) until the server notices.
    deadline = time.monotonic() + timeout
    tick = threading.Event()
    while True:
        r = patch(device, upload_id, offset, data)
        if r.status_code != 423 or time.monotonic() > deadline:
            return r
        tick.wait(0.05)


def test_cut_patch_keeps_received_bytes_and_resumes(server: EmbeddedServer, village: EnrolledDevice) -> None:
    data = b"%PDF-1.4\n" + os.urandom(300_000)
    upload_id = village.create_upload(len(data), sha256=hashlib.sha256(data).hexdigest())
    half = 120_000
    _half_patch_then_close(server.base_url, village, upload_id, 0, data[:half], len(data))
    assert wait_for_offset(server, upload_id, half) == half
    r = patch_until_unlocked(village, upload_id, half, data[half:])
    assert r.status_code == 204 and int(r.headers["Upload-Offset"]) == len(data)
    # The server's checksum of the assembled file matches: the manifest is accepted.
    manifest = {"applications": [sample_application([document_for(upload_id, data)])]}
    assert village.request("PUT", "/batches/" + "2" * 32, json=manifest).status_code == 201


def test_tuspy_uploads_and_resumes_after_interrupted_patch(
    server: EmbeddedServer, village: EnrolledDevice, tmp_path: Any, request: pytest.FixtureRequest
) -> None:
    request_finalizer = request.addfinalizer
    data = b"%PDF-1.4\n" + os.urandom(200_000)
    src = tmp_path / "berkas.pdf"
    src.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    client = tus_client.TusClient(f"{server.base_url}/api/v1/uploads/", headers=village.headers)
    stream = src.open("rb")
    request_finalizer(stream.close)
    up = client.uploader(
        file_stream=stream,
        chunk_size=50_000,
        metadata={"filename": "berkas.pdf", "sha256": sha, "filetype": "application/pdf"},
    )
    up.upload_chunk()  # first 50 000 bytes
    assert up.url is not None
    upload_id = up.url.rstrip("/").rsplit("/", 1)[1]
    assert head_offset(village, upload_id) == 50_000
    # The link drops in the middle of the next PATCH.
    _half_patch_then_close(server.base_url, village, upload_id, 50_000, data[50_000:80_000], 50_000)
    assert wait_for_offset(server, upload_id, 80_000) == 80_000
    # A new client (e.g. after the app restarted) resumes from the server's offset.
    resumed = client.uploader(file_stream=stream, url=up.url, chunk_size=50_000)
    assert resumed.offset == 80_000
    resumed.upload()
    assert head_offset(village, upload_id) == len(data)
    manifest = {"applications": [sample_application([document_for(upload_id, data)])]}
    assert village.request("PUT", "/batches/" + "3" * 32, json=manifest).status_code == 201


def _stalled_patch(
    base_url: str, device: EnrolledDevice, upload_id: str, chunk: bytes, total: int
) -> socket.socket:
    """Send a PATCH declaring ``total`` body bytes, send ``chunk``, then go silent with the
    connection open: a client whose power went off, as the server sees it."""
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
    assert host and port
    sock = socket.create_connection((host, port), timeout=10)
    sock.sendall(
        (
            f"PATCH /api/v1/uploads/{upload_id} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Bearer {device.token}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
            f"Content-Type: application/offset+octet-stream\r\nContent-Length: {total}\r\n\r\n"
        ).encode()
        + chunk
    )
    return sock


class TestStalledPatchTakeover:
    @pytest.fixture
    def server_settings(self) -> dict[str, Any]:
        # The read timeout alone would free the upload only after a minute.
        return {"patch_takeover_seconds": 1.0, "body_read_timeout": 60.0}

    def test_new_patch_takes_over_a_silent_one(self, server: EmbeddedServer, village: EnrolledDevice) -> None:
        data = b"%PDF-1.4\n" + os.urandom(100_000)
        upload_id = village.create_upload(len(data), sha256=hashlib.sha256(data).hexdigest())
        sock = _stalled_patch(server.base_url, village, upload_id, data[:30_000], len(data))
        try:
            assert wait_for_offset(server, upload_id, 30_000, ended=False) == 30_000
            # Once it made no progress for patch_takeover_seconds, a new PATCH takes over.
            r = patch_until_unlocked(village, upload_id, 30_000, data[30_000:])
            assert r.status_code == 204, r.text
            assert int(r.headers["Upload-Offset"]) == len(data)
        finally:
            sock.close()
        manifest = {"applications": [sample_application([document_for(upload_id, data)])]}
        assert village.request("PUT", "/batches/" + "4" * 32, json=manifest).status_code == 201


class TestStalledPatchTakeoverAcrossProcesses:
    @pytest.fixture
    def server_settings(self) -> dict[str, Any]:
        # Only the takeover can free the upload: the read timeout would take an hour.
        return {"patch_takeover_seconds": 1.0, "body_read_timeout": 3600.0}

    def test_patch_on_one_process_takes_over_a_silent_one_on_another(
        self, server: EmbeddedServer, village: EnrolledDevice
    ) -> None:
        data = b"%PDF-1.4\n" + os.urandom(100_000)
        upload_id = village.create_upload(len(data), sha256=hashlib.sha256(data).hexdigest())
        with server_process(server.settings) as other_url:
            on_other = EnrolledDevice(other_url, village.token, village.device_id, village.village_code)
            sock = _stalled_patch(other_url, on_other, upload_id, data[:30_000], len(data))
            try:
                assert wait_for_offset(server, upload_id, 30_000, ended=False) == 30_000
                r = patch_until_unlocked(village, upload_id, 30_000, data[30_000:], timeout=30)
                assert r.status_code == 204, r.text
                assert int(r.headers["Upload-Offset"]) == len(data)
            finally:
                sock.close()
        manifest = {"applications": [sample_application([document_for(upload_id, data)])]}
        assert village.request("PUT", "/batches/" + "5" * 32, json=manifest).status_code == 201


class TestLivePatchIsNotTakenOver:
    @pytest.fixture
    def server_settings(self) -> dict[str, Any]:
        return {"patch_takeover_seconds": 3600.0, "body_read_timeout": 3600.0}

    def test_second_patch_is_told_to_wait(self, server: EmbeddedServer, village: EnrolledDevice) -> None:
        data = os.urandom(50_000)
        upload_id = village.create_upload(len(data))
        other = enroll_device(server, device_name="Laptop kedua")  # same village, another device
        sock = _stalled_patch(server.base_url, village, upload_id, data[:20_000], len(data))
        try:
            assert wait_for_offset(server, upload_id, 20_000, ended=False) == 20_000
            r = patch(other, upload_id, 20_000, data[20_000:])
            assert r.status_code == 423 and int(r.headers["Retry-After"]) >= 1
            assert r.json()["error"] == "upload_locked"
            # The same device at another offset than the server's does not take over either.
            r = patch(village, upload_id, 10_000, data[10_000:])
            assert r.status_code == 423 and r.json()["error"] == "upload_locked"
            assert upload_id in tus._active
        finally:
            sock.close()

    def test_head_tells_how_long_the_running_patch_has_been_silent(
        self, server: EmbeddedServer, village: EnrolledDevice
    ) -> None:
        """While a PATCH runs in the process, HEAD says since when it began and since when it
        received nothing (the client's stall watch decides from one look); none without one."""
        data = os.urandom(50_000)
        upload_id = village.create_upload(len(data))
        r = village.request("HEAD", f"/uploads/{upload_id}", headers=TUS)
        assert "Upload-Idle" not in r.headers and "Upload-Patch-Age" not in r.headers
        sock = _stalled_patch(server.base_url, village, upload_id, data[:20_000], len(data))
        try:
            assert wait_for_offset(server, upload_id, 20_000, ended=False) == 20_000
            r = village.request("HEAD", f"/uploads/{upload_id}", headers=TUS)
            idle, age = float(r.headers["Upload-Idle"]), float(r.headers["Upload-Patch-Age"])
            assert 0.0 <= idle <= age
            assert int(r.headers["Upload-Offset"]) == 20_000
        finally:
            sock.close()
        wait_for_offset(server, upload_id, 20_000)  # the silent request ended
        r = village.request("HEAD", f"/uploads/{upload_id}", headers=TUS)
        assert "Upload-Idle" not in r.headers and "Upload-Patch-Age" not in r.headers

    def test_same_device_at_the_servers_offset_takes_over_at_once(
        self, server: EmbeddedServer, village: EnrolledDevice
    ) -> None:
        """The tusd rule: the device whose PATCH went silent resumes from the offset HEAD
        showed; the silent request stops, keeping its bytes, and the new one is served."""
        data = b"%PDF-1.4\n" + os.urandom(60_000)
        upload_id = village.create_upload(len(data), sha256=hashlib.sha256(data).hexdigest())
        other = enroll_device(server, device_name="Laptop kedua")
        sock = _stalled_patch(server.base_url, village, upload_id, data[:25_000], len(data))
        try:
            assert wait_for_offset(server, upload_id, 25_000, ended=False) == 25_000
            assert head_offset(village, upload_id) == 25_000  # in-flight bytes are reported
            assert patch(other, upload_id, 25_000, data[25_000:]).status_code == 423
            r = patch(village, upload_id, 25_000, data[25_000:])
            assert r.status_code == 204, r.text
            assert int(r.headers["Upload-Offset"]) == len(data)
        finally:
            sock.close()
        svc = server.service
        assert svc is not None
        assembled = svc.upload_path(upload_id).read_bytes()
        assert hashlib.sha256(assembled).hexdigest() == hashlib.sha256(data).hexdigest()
        manifest = {"applications": [sample_application([document_for(upload_id, data)])]}
        assert village.request("PUT", "/batches/" + "6" * 32, json=manifest).status_code == 201

    def test_same_device_takes_over_across_processes(
        self, server: EmbeddedServer, village: EnrolledDevice
    ) -> None:
        data = b"%PDF-1.4\n" + os.urandom(60_000)
        upload_id = village.create_upload(len(data), sha256=hashlib.sha256(data).hexdigest())
        with server_process(server.settings) as other_url:
            on_other = EnrolledDevice(other_url, village.token, village.device_id, village.village_code)
            sock = _stalled_patch(other_url, on_other, upload_id, data[:25_000], len(data))
            try:
                assert wait_for_offset(server, upload_id, 25_000, ended=False) == 25_000
                other = enroll_device(server, device_name="Laptop kedua")
                assert patch(other, upload_id, 25_000, data[25_000:]).status_code == 423
                r = patch(village, upload_id, 25_000, data[25_000:])
                assert r.status_code == 204, r.text
                assert int(r.headers["Upload-Offset"]) == len(data)
            finally:
                sock.close()
        manifest = {"applications": [sample_application([document_for(upload_id, data)])]}
        assert village.request("PUT", "/batches/" + "7" * 32, json=manifest).status_code == 201


class TestBodyReadTimeout:
    @pytest.fixture
    def server_settings(self) -> dict[str, Any]:
        # After its answer the server keeps the connection for keep_alive_timeout (15 s in
        # production, checked below) before it closes: 1 s here, not 15 s of waiting.
        return {"patch_takeover_seconds": 3600.0, "body_read_timeout": 0.5, "keep_alive_timeout": 1.0}

    def test_production_timeouts(self, tmp_path: Path) -> None:
        settings = Settings(data_dir=tmp_path)
        assert settings.body_read_timeout == 60.0 and settings.keep_alive_timeout == 15.0

    def test_silent_body_ends_the_request(self, server: EmbeddedServer, village: EnrolledDevice) -> None:
        data = b"%PDF-1.4\n" + os.urandom(50_000)
        upload_id = village.create_upload(len(data))
        sock = _stalled_patch(server.base_url, village, upload_id, data[:20_000], len(data))
        try:
            # The server answers the cut request itself (keeping its bytes) and closes.
            sock.settimeout(30)
            answer = b""
            while chunk := sock.recv(4096):
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 204") and b"upload-offset: 20000" in answer.lower()
        finally:
            sock.close()
        r = patch(village, upload_id, 20_000, data[20_000:])
        assert r.status_code == 204 and int(r.headers["Upload-Offset"]) == len(data)


class TestTakeoverRequests:
    """Across processes a PATCH asks the holder to yield through a request file of its own,
    naming its device; the holder counts only fresh requests (and the same device's only when
    made after it began), so two devices, or a requester that died, cannot confuse it."""

    def holder(self, tmp_path: Path, device: str = "dev-a") -> tus._Patch:
        folder = tus.takeover_request_path(tmp_path / "upload")
        return tus._Patch(3600.0, folder, device)  # live: never stalled for an hour

    def test_another_devices_request_does_not_stop_a_live_patch(self, tmp_path: Path) -> None:
        state = self.holder(tmp_path)
        assert state.takeover_request is not None
        tus._leave_takeover_request(state.takeover_request, "dev-b")
        assert not state.asked_to_yield()
        mine = tus._leave_takeover_request(state.takeover_request, "dev-a")
        assert state.asked_to_yield()
        tus._withdraw_takeover_request(mine)  # the other's request is still there: its own file
        assert not state.asked_to_yield() and state.takeover_request.is_dir()

    def test_a_stale_or_older_request_of_the_same_device_is_ignored(self, tmp_path: Path) -> None:
        state = self.holder(tmp_path)
        assert state.takeover_request is not None
        request = tus._leave_takeover_request(state.takeover_request, "dev-a")
        before = state.started_wall - 1.0  # made before this PATCH began (a requester that died)
        os.utime(request, (before, before))
        assert not state.asked_to_yield()
        state.started_wall -= 2 * tus.TAKEOVER_WAIT  # began long ago; the request is old too
        old = time.time() - 2 * tus.TAKEOVER_WAIT
        os.utime(request, (old, old))
        assert not state.asked_to_yield()
        tus._withdraw_takeover_request(request)
        assert not state.takeover_request.exists()  # the last requester removes the folder

    def test_a_stalled_holder_yields_to_any_request_made_after_its_last_progress(
        self, tmp_path: Path
    ) -> None:
        folder = tus.takeover_request_path(tmp_path / "upload")
        state = tus._Patch(0.0, folder, "dev-a")  # stalled at once
        state.last_progress_wall -= 1.0  # its last byte came a second ago
        assert not state.asked_to_yield()
        tus._leave_takeover_request(folder, "")
        assert state.asked_to_yield()
