"""tus 1.0.0 conformance, checked with independent clients (tuspy; tus-js-client under Node)
and raw requests: path prefix behind a proxy, method override, metadata on HEAD, checksum,
concatenation (partial uploads joined into a final one), creation-with-upload, CORS, collection
path spelling, a chunked PATCH past the length."""

from __future__ import annotations

import base64
import errno
import hashlib
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlmodel import select
from tusclient import client as tus_client

from desa_capil.server.db import Upload
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import (
    EnrolledDevice,
    cut_patch,
    document_for,
    encode_metadata,
    sample_application,
    wait_for_offset,
)

ROOT = Path(__file__).resolve().parents[2]
TUS = {"Tus-Resumable": "1.0.0"}
TUS_JS_VERSION = "4.3.1"


def head(device: EnrolledDevice, location: str, **headers: str) -> requests.Response:
    return device.session.head(
        device.base_url + location, headers={**device.headers, **TUS, **headers}, timeout=30
    )


def accept_batch(device: EnrolledDevice, upload_id: str, data: bytes) -> None:
    manifest = {"applications": [sample_application([document_for(upload_id, data)])]}
    r = device.request("PUT", f"/batches/{os.urandom(16).hex()}", json=manifest)
    assert r.status_code == 201, r.text


class TestConfiguredRootPath:
    @pytest.fixture
    def server_settings(self) -> dict[str, Any]:
        return {"root_path": "/capil"}

    def test_tuspy_under_prefix(
        self, server: EmbeddedServer, village: EnrolledDevice, tmp_path: Path
    ) -> None:
        data = b"%PDF-1.4\n" + os.urandom(120_000)
        client = tus_client.TusClient(f"{server.base_url}/capil/api/v1/uploads/", headers=village.headers)
        up = client.uploader(file_stream=__import__("io").BytesIO(data), chunk_size=50_000)
        up.upload()
        assert up.url is not None and "/capil/api/v1/uploads/" in up.url
        upload_id = up.url.rsplit("/", 1)[1]
        accept_batch(village, upload_id, data)

    def test_proxy_that_strips_the_prefix(self, server: EmbeddedServer, village: EnrolledDevice) -> None:
        # The proxy forwards /api/v1/uploads (prefix removed): Location still carries it.
        r = village.request("POST", "/uploads", headers={**TUS, "Upload-Length": "3"})
        assert r.status_code == 201
        assert r.headers["Location"].startswith("/capil/api/v1/uploads/")


def test_forwarded_prefix_from_trusted_proxy(server: EmbeddedServer, village: EnrolledDevice) -> None:
    fwd = {"X-Forwarded-Prefix": "/kab-bandung/capil/"}
    r = village.request("POST", "/uploads/", headers={**TUS, **fwd, "Upload-Length": "5"})
    assert r.status_code == 201
    location = r.headers["Location"]
    assert location.startswith("/kab-bandung/capil/api/v1/uploads/")
    # A proxy that keeps the prefix in the path reaches the same upload.
    assert head(village, location, **fwd).headers["Upload-Length"] == "5"
    # Garbage in the header is ignored, not echoed into Location.
    r = village.request(
        "POST", "/uploads/", headers={**TUS, "X-Forwarded-Prefix": "//evil.example", "Upload-Length": "5"}
    )
    assert r.headers["Location"].startswith("/api/v1/uploads/")


class TestUntrustedProxy:
    @pytest.fixture
    def server_settings(self) -> dict[str, Any]:
        return {"trusted_proxies": ()}

    def test_forwarded_prefix_ignored(self, village: EnrolledDevice) -> None:
        r = village.request(
            "POST", "/uploads/", headers={**TUS, "X-Forwarded-Prefix": "/capil", "Upload-Length": "5"}
        )
        assert r.headers["Location"].startswith("/api/v1/uploads/")


def test_collection_path_with_and_without_slash(village: EnrolledDevice) -> None:
    for path in ("/uploads", "/uploads/"):
        r = village.request("POST", path, headers={**TUS, "Upload-Length": "1"})
        assert r.status_code == 201, path
        r = village.session.options(village.url(path), timeout=10)
        assert r.status_code == 204 and r.headers["Tus-Version"] == "1.0.0", path


def test_method_override_and_metadata_on_head(village: EnrolledDevice) -> None:
    data = b"%PDF-1.4 override"
    sent_meta = encode_metadata({"filename": "akta.pdf", "filetype": "application/pdf"}) + ",flag"
    r = village.request(
        "POST", "/uploads/", headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": sent_meta}
    )
    location = r.headers["Location"]
    upload_id = location.rsplit("/", 1)[1]
    r = head(village, location)
    assert r.headers["Upload-Metadata"] == sent_meta
    # POST + X-HTTP-Method-Override: PATCH is a PATCH.
    r = village.request(
        "POST",
        f"/uploads/{upload_id}",
        data=data,
        headers={
            **TUS,
            "X-HTTP-Method-Override": "PATCH",
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert r.status_code == 204 and r.headers["Upload-Offset"] == str(len(data))
    r = village.request("POST", f"/uploads/{upload_id}", headers={**TUS, "X-HTTP-Method-Override": "DELETE"})
    assert r.status_code == 204
    assert head(village, location).status_code == 404


def _checksum(algo: str, data: bytes) -> str:
    return f"{algo} {base64.b64encode(hashlib.new(algo, data).digest()).decode()}"


def test_checksum_per_patch(village: EnrolledDevice) -> None:
    data = b"%PDF-1.4\n" + os.urandom(20_000)
    upload_id = village.create_upload(len(data))

    def patch(offset: int, chunk: bytes, checksum: str) -> requests.Response:
        return village.request(
            "PATCH",
            f"/uploads/{upload_id}",
            data=chunk,
            headers={
                **TUS,
                "Upload-Offset": str(offset),
                "Upload-Checksum": checksum,
                "Content-Type": "application/offset+octet-stream",
            },
        )

    r = patch(0, data[:8000], _checksum("sha256", data[:8000]))
    assert r.status_code == 204 and r.headers["Upload-Offset"] == "8000"
    # A chunk damaged on the way: refused at once, nothing of it kept.
    damaged = bytearray(data[8000:16000])
    damaged[100] ^= 0xFF
    r = patch(8000, bytes(damaged), _checksum("sha256", data[8000:16000]))
    assert r.status_code == 460
    assert head(village, f"/api/v1/uploads/{upload_id}").headers["Upload-Offset"] == "8000"
    assert patch(8000, data[8000:], "md5 " + base64.b64encode(b"x" * 16).decode()).status_code == 400
    assert patch(8000, data[8000:], "sha256 not-base64!").status_code == 400
    r = patch(8000, data[8000:], _checksum("sha1", data[8000:]))
    assert r.status_code == 204 and r.headers["Upload-Offset"] == str(len(data))
    accept_batch(village, upload_id, data)


def create_with(device: EnrolledDevice, length: int, body: bytes, **headers: str) -> requests.Response:
    """A creation carrying the upload's first bytes (creation-with-upload)."""
    return device.request(
        "POST",
        "/uploads/",
        data=body,
        headers={
            **TUS,
            "Upload-Length": str(length),
            "Content-Type": "application/offset+octet-stream",
            **headers,
        },
    )


def uploads_of(server: EmbeddedServer) -> list[Upload]:
    with server.service.db.session() as s:
        return list(s.exec(select(Upload)))


def test_creation_with_upload_takes_the_first_bytes(server: EmbeddedServer, village: EnrolledDevice) -> None:
    data = b"%PDF-1.4\n" + os.urandom(20_000)
    r = create_with(village, len(data), data[:8000], **{"Upload-Checksum": _checksum("sha256", data[:8000])})
    assert r.status_code == 201, r.text
    assert r.headers["Upload-Offset"] == "8000"
    assert "creation-with-upload" in r.headers["Tus-Extension"].split(",")
    location = r.headers["Location"]
    assert head(village, location).headers["Upload-Offset"] == "8000"
    upload_id = location.rsplit("/", 1)[1]
    r = patch_at(village, upload_id, 8000, data[8000:])
    assert r.status_code == 204 and r.headers["Upload-Offset"] == str(len(data))
    accept_batch(village, upload_id, data)
    # The whole file in the creation: complete at once. A body of another type is not upload
    # bytes (as before): an empty upload.
    r = create_with(village, len(data), data)
    assert r.status_code == 201 and r.headers["Upload-Offset"] == str(len(data))
    accept_batch(village, r.headers["Location"].rsplit("/", 1)[1], data)
    r = create_with(village, len(data), data, **{"Content-Type": "application/pdf"})
    assert r.status_code == 201 and "Upload-Offset" not in r.headers
    assert head(village, r.headers["Location"]).headers["Upload-Offset"] == "0"


def test_creation_with_upload_refusals(server: EmbeddedServer, village: EnrolledDevice) -> None:
    data = os.urandom(10_000)
    before = len(uploads_of(server))
    # Longer than Upload-Length: refused before anything is made.
    r = create_with(village, 5000, data)
    assert r.status_code == 413 and len(uploads_of(server)) == before
    # A final concatenation carries no bytes.
    part = create_partial(village, 10)
    assert patch_at(village, part, 0, b"x" * 10).status_code == 204
    r = create_with(village, 0, b"abc", **{"Upload-Concat": f"final;/api/v1/uploads/{part}"})
    assert r.status_code == 400 and len(uploads_of(server)) == before + 1
    # A damaged first chunk: the upload exists, empty, and the answer says where to resume.
    damaged = bytearray(data[:4000])
    damaged[7] ^= 0xFF
    r = create_with(village, len(data), bytes(damaged), **{"Upload-Checksum": _checksum("sha1", data[:4000])})
    assert r.status_code == 460 and r.headers["Upload-Offset"] == "0"
    assert head(village, r.headers["Location"]).headers["Upload-Offset"] == "0"
    upload_id = r.headers["Location"].rsplit("/", 1)[1]
    assert patch_at(village, upload_id, 0, data).status_code == 204
    accept_batch(village, upload_id, data)


def test_creation_cut_mid_body_keeps_what_arrived(server: EmbeddedServer, village: EnrolledDevice) -> None:
    """As a cut PATCH: the bytes that arrived stay (its client never heard the Location, so
    this upload is left to expire; the quota counts it until then)."""
    data = os.urandom(30_000)
    known = {u.id for u in uploads_of(server)}
    host, port = "127.0.0.1", server.port
    head_bytes = (
        "POST /api/v1/uploads/ HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        f"Authorization: Bearer {village.token}\r\n"
        "Tus-Resumable: 1.0.0\r\n"
        f"Upload-Length: {len(data)}\r\n"
        "Content-Type: application/offset+octet-stream\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head_bytes + data[:12_000])
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + 10  # the server makes the upload once it read the head
        while not (fresh := [u for u in uploads_of(server) if u.id not in known]):
            assert time.monotonic() < deadline
            threading.Event().wait(0.05)
    [new] = fresh
    wait_for_offset(server, new.id, 12_000)
    assert server.service.upload_path(new.id).read_bytes() == data[:12_000]
    r = patch_at(village, new.id, 12_000, data[12_000:])
    assert r.status_code == 204
    accept_batch(village, new.id, data)


def test_creation_whose_bytes_cannot_be_kept_leaves_no_upload(
    server: EmbeddedServer, village: EnrolledDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upload was made, then storing its body failed (a full disk, the object store
    down): the 500 names no Location, so no client can ever resume that upload. It must not
    stay behind counting against the village's quota for a week, once per retry."""
    svc = server.service
    assert svc is not None
    data = os.urandom(10_000)
    known = {u.id for u in uploads_of(server)}

    def disk_full(upload: Upload, offset: int, **_kw: Any) -> Upload:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(svc, "finish_patch", disk_full)
    for _retry in range(3):
        r = create_with(village, len(data), data[:4000])
        assert r.status_code == 500 and "Location" not in r.headers
    assert {u.id for u in uploads_of(server)} == known
    monkeypatch.undo()
    r = create_with(village, len(data), data[:4000])
    assert r.status_code == 201 and r.headers["Upload-Offset"] == "4000"


def create_partial(device: EnrolledDevice, length: int) -> str:
    r = device.request(
        "POST", "/uploads/", headers={**TUS, "Upload-Length": str(length), "Upload-Concat": "partial"}
    )
    assert r.status_code == 201, r.text
    return str(r.headers["Location"]).rsplit("/", 1)[1]


def patch_at(device: EnrolledDevice, upload_id: str, offset: int, body: bytes) -> requests.Response:
    return device.request(
        "PATCH",
        f"/uploads/{upload_id}",
        data=body,
        headers={**TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"},
    )


def create_final(device: EnrolledDevice, parts: list[str], **headers: str) -> requests.Response:
    urls = " ".join(device.url(f"/uploads/{p}") for p in parts)
    return device.request("POST", "/uploads/", headers={**TUS, "Upload-Concat": f"final;{urls}", **headers})


def test_concatenation_joins_partial_uploads(server: EmbeddedServer, village: EnrolledDevice) -> None:
    """Three partial uploads of one file (one of them cut mid-PATCH and resumed), joined in
    order: the final upload is complete at once and is the file, byte for byte."""
    data = b"%PDF-1.4\n" + os.urandom(90_000)
    pieces = [data[:30_000], data[30_000:65_000], data[65_000:]]
    parts = [create_partial(village, len(p)) for p in pieces]
    r = head(village, f"/api/v1/uploads/{parts[0]}")
    assert r.headers["Upload-Concat"] == "partial" and r.headers["Upload-Offset"] == "0"
    for upload_id, piece in zip(parts[::2], pieces[::2], strict=True):
        assert patch_at(village, upload_id, 0, piece).status_code == 204
    # The middle part: cut after 10 000 bytes, resumed from the server's offset.
    cut_patch(server.base_url, village, parts[1], 0, pieces[1][:10_000], len(pieces[1]))
    assert wait_for_offset(server, parts[1], 10_000) == 10_000
    assert head(village, f"/api/v1/uploads/{parts[1]}").headers["Upload-Offset"] == "10000"
    # A final upload naming a part that is not complete is refused, and nothing changes.
    r = create_final(village, parts)
    assert r.status_code == 400 and parts[1] in r.json()["message_en"] and "Location" not in r.headers
    assert patch_at(village, parts[1], 10_000, pieces[1][10_000:]).status_code == 204
    # A partial upload is no document.
    manifest = {"applications": [sample_application([document_for(parts[0], pieces[0])])]}
    r = village.request("PUT", f"/batches/{os.urandom(16).hex()}", json=manifest)
    assert r.status_code == 422 and r.json()["uploads"][0]["problem"] == "missing"
    assert create_final(village, parts, **{"Upload-Length": str(len(data) + 1)}).status_code == 400
    r = create_final(village, parts, **{"Upload-Length": str(len(data))})
    assert r.status_code == 201, r.text
    final = str(r.headers["Location"]).rsplit("/", 1)[1]
    r = head(village, f"/api/v1/uploads/{final}")
    assert r.headers["Upload-Offset"] == r.headers["Upload-Length"] == str(len(data))
    assert r.headers["Upload-Concat"].startswith("final;") and parts[2] in r.headers["Upload-Concat"]
    assert server.service is not None
    assembled = server.service.upload_path(final).read_bytes()
    assert hashlib.sha256(assembled).hexdigest() == hashlib.sha256(data).hexdigest()
    assert patch_at(village, final, len(data), b"x").status_code == 403
    # The parts are gone once joined (nothing counted twice against the quota).
    assert all(head(village, f"/api/v1/uploads/{p}").status_code == 404 for p in parts)
    accept_batch(village, final, data)


def test_final_upload_refused_for_missing_or_plain_parts(
    server: EmbeddedServer, village: EnrolledDevice
) -> None:
    data = os.urandom(5000)
    part = create_partial(village, len(data))
    assert patch_at(village, part, 0, data).status_code == 204
    plain = village.upload(data)  # a complete upload, but not a partial one
    assert create_final(village, [part, plain]).status_code == 400
    assert create_final(village, [part, os.urandom(16).hex()]).status_code == 404
    assert create_final(village, [part, "../../etc/passwd"]).status_code == 400
    assert village.request("POST", "/uploads/", headers={**TUS, "Upload-Concat": "final;"}).status_code == 400
    r = village.request("POST", "/uploads/", headers={**TUS, "Upload-Length": "5", "Upload-Concat": "whole"})
    assert r.status_code == 400
    # Nothing was assembled, and the part is still there for a correct final upload.
    assert head(village, f"/api/v1/uploads/{part}").headers["Upload-Offset"] == str(len(data))
    r = create_final(village, [part])
    assert r.status_code == 201
    final = str(r.headers["Location"]).rsplit("/", 1)[1]
    assert server.service is not None
    assert server.service.upload_path(final).read_bytes() == data


def test_final_upload_cannot_join_another_villages_parts(
    server: EmbeddedServer, village: EnrolledDevice, village_b: EnrolledDevice
) -> None:
    data = os.urandom(3000)
    part = create_partial(village, len(data))
    assert patch_at(village, part, 0, data).status_code == 204
    assert create_final(village_b, [part]).status_code == 404  # as if it did not exist
    assert head(village, f"/api/v1/uploads/{part}").headers["Upload-Offset"] == str(len(data))


def test_part_removed_while_being_joined_is_a_clear_conflict(
    server: EmbeddedServer, village: EnrolledDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two final uploads naming the same parts at once: the one that finds a part gone (the
    other joined and removed it) answers 409 with what to do, not a server error, and leaves
    no final upload behind."""
    data = os.urandom(4000)
    parts = [create_partial(village, 2000), create_partial(village, 2000)]
    for upload_id, piece in zip(parts, (data[:2000], data[2000:]), strict=True):
        assert patch_at(village, upload_id, 0, piece).status_code == 204
    assert server.service is not None
    uploads = server.service.uploads
    create = uploads.create_upload

    def create_then_lose_a_part(*args: Any, **kwargs: Any) -> Any:
        made = create(*args, **kwargs)
        # The parts were checked; now the other final upload joins them and removes them.
        uploads._drop(parts[1])
        return made

    monkeypatch.setattr(uploads, "create_upload", create_then_lose_a_part)
    r = create_final(village, parts)
    assert r.status_code == 409, r.text
    assert "Location" not in r.headers
    assert head(village, f"/api/v1/uploads/{parts[0]}").headers["Upload-Offset"] == "2000"


class TestConcatenationQuota:
    @pytest.fixture
    def server_settings(self) -> dict[str, Any]:
        return {"max_upload_size": 1500, "village_quota": 2500, "upload_min_cost": 100}

    def test_parts_being_joined_do_not_count_twice(
        self, server: EmbeddedServer, village: EnrolledDevice
    ) -> None:
        data = os.urandom(1200)
        parts = [create_partial(village, 600), create_partial(village, 600)]
        for upload_id, piece in zip(parts, (data[:600], data[600:]), strict=True):
            assert patch_at(village, upload_id, 0, piece).status_code == 204
        village.create_upload(1000)  # 2200 of 2500 used: the final's 1200 fits once the parts go
        r = create_final(village, parts)
        assert r.status_code == 201, r.text
        r = village.request("POST", "/uploads/", headers={**TUS, "Upload-Length": "400"})
        assert r.status_code == 413 and r.json()["error"] == "quota_exceeded"  # still counted


def test_chunked_patch_past_length_writes_nothing(village: EnrolledDevice) -> None:
    upload_id = village.create_upload(5000)

    def body() -> Any:
        for _ in range(3):
            yield b"y" * 2000

    r = village.request(
        "PATCH",
        f"/uploads/{upload_id}",
        data=body(),  # chunked: no Content-Length for the server to check up front
        headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert r.status_code == 413
    assert head(village, f"/api/v1/uploads/{upload_id}").headers["Upload-Offset"] == "0"


class TestCors:
    ORIGIN = "https://konsol.capil.example"

    @pytest.fixture
    def server_settings(self) -> dict[str, Any]:
        return {"cors_origins": (self.ORIGIN,)}

    def test_preflight_and_exposed_headers(self, server: EmbeddedServer, village: EnrolledDevice) -> None:
        upload_id = village.create_upload(4)
        url = village.url(f"/uploads/{upload_id}")
        r = requests.options(
            url,
            headers={
                "Origin": self.ORIGIN,
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "authorization,tus-resumable,upload-offset,content-type",
            },
            timeout=10,
        )
        assert r.status_code == 200
        assert r.headers["Access-Control-Allow-Origin"] == self.ORIGIN
        assert "PATCH" in r.headers["Access-Control-Allow-Methods"]
        assert "upload-offset" in r.headers["Access-Control-Allow-Headers"].lower()
        r = requests.options(
            url,
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "PATCH"},
            timeout=10,
        )
        assert r.headers.get("Access-Control-Allow-Origin") != "https://evil.example"
        r = village.request("HEAD", f"/uploads/{upload_id}", headers={**TUS, "Origin": self.ORIGIN})
        assert r.headers["Access-Control-Allow-Origin"] == self.ORIGIN
        exposed = r.headers["Access-Control-Expose-Headers"].lower()
        assert "upload-offset" in exposed and "location" in exposed


def test_options_on_upload_url(village: EnrolledDevice) -> None:
    upload_id = village.create_upload(4)
    r = village.session.options(village.url(f"/uploads/{upload_id}"), timeout=10)
    assert r.status_code == 204
    assert r.headers["Tus-Version"] == "1.0.0" and "checksum" in r.headers["Tus-Extension"]


# --- tus-js-client (Node) ------------------------------------------------------------------


@pytest.fixture(scope="session")
def tus_js() -> Path:
    """tus-js-client installed once into .cache/node (skipped only when Node is missing)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js is not installed")
    prefix = Path(os.environ.get("DESA_CAPIL_NODE_CACHE", ROOT / ".cache" / "node"))
    marker = prefix / "node_modules" / "tus-js-client" / "package.json"
    if not marker.exists() or f'"version": "{TUS_JS_VERSION}"' not in marker.read_text():
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(prefix),
                "--no-audit",
                "--no-fund",
                f"tus-js-client@{TUS_JS_VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return prefix / "node_modules"


def run_tus_js(
    node_modules: Path,
    endpoint: str,
    token: str,
    file: Path,
    chunk: int,
    mode: str = "",
    log: list[str] | None = None,
) -> str:
    """The upload URL tus-js-client printed; ``log`` gets its creations' answers (the script's
    stderr: "POST <status> <Upload-Offset>")."""
    run = subprocess.run(
        [
            str(shutil.which("node")),
            str(ROOT / "tests/server/js/tus_upload.js"),
            endpoint,
            token,
            str(file),
            str(chunk),
            mode,
        ],
        env={**os.environ, "NODE_PATH": str(node_modules)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    if log is not None:
        log.extend(line for line in run.stderr.splitlines() if line.startswith("POST "))
    return run.stdout.strip()


class TestTusJsUnderPrefix:
    @pytest.fixture
    def server_settings(self) -> dict[str, Any]:
        return {"root_path": "/capil"}

    @pytest.mark.parametrize("mode", ["", "override", "parallel", "with-upload", "parallel-with-upload"])
    def test_tus_js_client_uploads(
        self, tus_js: Path, server: EmbeddedServer, village: EnrolledDevice, tmp_path: Path, mode: str
    ) -> None:
        data = b"%PDF-1.4\n" + os.urandom(150_000)
        src = tmp_path / "berkas.pdf"
        src.write_bytes(data)
        posts: list[str] = []
        url = run_tus_js(
            tus_js, f"{server.base_url}/capil/api/v1/uploads", village.token, src, 40_000, mode, posts
        )
        if mode == "with-upload":
            # creation-with-upload: the first 40 KB went with the creation and were taken.
            assert posts == ["POST 201 40000"]
        elif mode == "parallel-with-upload":
            assert [p.split()[2] for p in posts[:3]] == ["40000", "40000", "40000"]  # each part's first
        else:
            assert posts and all(p.endswith(" -") for p in posts)  # no bytes with the creations
        assert "/capil/api/v1/uploads/" in url
        upload_id = url.rsplit("/", 1)[1]
        r = head(village, f"/capil/api/v1/uploads/{upload_id}")
        assert r.headers["Upload-Offset"] == str(len(data))
        assert "filename " + base64.b64encode(b"berkas.pdf").decode() in r.headers["Upload-Metadata"]
        accept_batch(village, upload_id, data)
