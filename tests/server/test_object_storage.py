"""Files in S3-compatible object storage, against a real S3-speaking server process (moto's
standalone server): tus uploads in pieces and after a cut PATCH, two server hosts with no
shared disk serving one upload and one document, checksum refusal, nothing left behind."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from tusclient import client as tus_client

from desa_capil.server import tus as tus_server
from desa_capil.server.config import Settings
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import (
    AdminClient,
    EnrolledDevice,
    cut_patch,
    document_for,
    enroll_device,
    fresh_postgres_schema,
    postgres_url,
    sample_application,
)

TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server as its own process on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        tick = threading.Event()
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("moto server did not start") from None
                tick.wait(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name = "capil-" + uuid.uuid4().hex[:12]
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=name)
    return name, client


def _objects(client: Any, bucket: str) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def _hosts(
    tmp_path: Path, backend: str, s3: dict[str, str], n: int, stack: ExitStack
) -> list[EmbeddedServer]:
    """n server hosts: one database, one bucket, each its own local folder (no shared disk)."""
    url: str | None
    if backend == "postgres":
        base = postgres_url()
        assert base is not None
        url = stack.enter_context(fresh_postgres_schema(base))
    else:
        url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    out = []
    for i in range(n):
        settings = Settings(data_dir=tmp_path / f"host{i}", database_url=url, **s3)  # type: ignore[arg-type]
        server = EmbeddedServer(tmp_path / f"host{i}", settings=settings)
        server.start()
        stack.callback(server.stop)
        out.append(server)
    return out


def _settings(s3_endpoint: str, bucket: tuple[str, Any]) -> dict[str, str]:
    return {"s3_bucket": bucket[0], "s3_prefix": "kab-bandung", "s3_endpoint_url": s3_endpoint}


def test_tus_upload_resume_and_batch(
    tmp_path: Path, backend: str, s3_endpoint: str, bucket: tuple[str, Any]
) -> None:
    name, client = bucket
    with ExitStack() as stack:
        [server] = _hosts(tmp_path, backend, _settings(s3_endpoint, bucket), 1, stack)
        village = enroll_device(server)
        # Concatenation needs local files: neither advertised nor accepted here.
        options = village.session.options(f"{server.base_url}/api/v1/uploads/", timeout=10)
        assert "concatenation" not in options.headers["Tus-Extension"]
        r = village.request(
            "POST",
            "/uploads/",
            headers={"Tus-Resumable": "1.0.0", "Upload-Length": "9", "Upload-Concat": "partial"},
        )
        assert r.status_code == 501 and "Location" not in r.headers
        data = b"%PDF-1.4\n" + os.urandom(200_000)
        sha = hashlib.sha256(data).hexdigest()
        tus = tus_client.TusClient(f"{server.base_url}/api/v1/uploads/", headers=village.headers)
        up = tus.uploader(file_stream=io.BytesIO(data), chunk_size=60_000, metadata={"sha256": sha})
        up.upload_chunk()
        assert up.url is not None
        upload_id = up.url.rsplit("/", 1)[1]
        # A PATCH cut by the link: its bytes become a part too, and the upload resumes after them.
        cut_patch(server.base_url, village, upload_id, 60_000, data[60_000:90_000], 100_000)
        svc = server.service
        assert svc is not None
        deadline = time.monotonic() + 20
        tick = threading.Event()
        while (
            svc.get_upload_unchecked(upload_id).offset != 90_000 or upload_id in tus_server._active
        ) and time.monotonic() < deadline:
            tick.wait(0.02)
        resumed = tus.uploader(file_stream=io.BytesIO(data), url=up.url, chunk_size=60_000)
        assert resumed.offset == 90_000
        resumed.upload()
        # Joined into one object, the parts gone, nothing in the host's upload folder.
        assert _objects(client, name) == [f"kab-bandung/uploads/{upload_id}"]
        assert not any((server.settings.files_dir / "uploads").iterdir())
        assert svc.get_upload_unchecked(upload_id).sha256 == sha
        manifest = {"applications": [sample_application([document_for(upload_id, data)])]}
        assert village.request("PUT", f"/batches/{uuid.uuid4()}", json=manifest).status_code == 201
        # creation-with-upload: the creation's bytes become the upload's first part.
        assert "creation-with-upload" in options.headers["Tus-Extension"].split(",")
        small = os.urandom(50_000)
        bytes_ct = {"Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream"}
        r = village.request(
            "POST", "/uploads/", data=small[:30_000], headers={**bytes_ct, "Upload-Length": "50000"}
        )
        assert r.status_code == 201 and r.headers["Upload-Offset"] == "30000"
        small_id = r.headers["Location"].rsplit("/", 1)[1]
        # The creation's part does not claim the upload (its answer may be lost): a day, until
        # the PATCH below shows that its client knows it.
        made = svc.get_upload_unchecked(small_id)
        assert made.expires_at is not None
        assert made.expires_at - made.created_at == timedelta(
            seconds=server.settings.upload_unclaimed_expiry_seconds
        )
        r = village.request(
            "PATCH",
            f"/uploads/{small_id}",
            data=small[30_000:],
            headers={**bytes_ct, "Upload-Offset": "30000"},
        )
        assert r.status_code == 204 and r.headers["Upload-Offset"] == "50000"
        done = svc.get_upload_unchecked(small_id)
        assert done.sha256 == hashlib.sha256(small).hexdigest()
        assert done.expires_at is not None
        assert done.expires_at - done.created_at >= timedelta(seconds=server.settings.upload_expiry_seconds)


def test_two_hosts_without_shared_disk(
    tmp_path: Path, backend: str, s3_endpoint: str, bucket: tuple[str, Any]
) -> None:
    with ExitStack() as stack:
        one, two = _hosts(tmp_path, backend, _settings(s3_endpoint, bucket), 2, stack)
        village = enroll_device(one)
        on_two = EnrolledDevice(two.base_url, village.token, village.device_id, village.village_code)
        data = b"%PDF-1.4\n" + os.urandom(50_000)
        upload_id = village.create_upload(len(data))
        hdr = {**TUS, "Content-Type": "application/offset+octet-stream"}
        r = village.request(
            "PATCH", f"/uploads/{upload_id}", data=data[:20_000], headers={**hdr, "Upload-Offset": "0"}
        )
        assert r.status_code == 204
        # The round-robin sends the rest to the other host, which never saw the first part.
        assert (
            on_two.request("HEAD", f"/uploads/{upload_id}", headers=TUS).headers["Upload-Offset"] == "20000"
        )
        # A stale retry of the first PATCH, at the old offset, is refused: no double append.
        r = on_two.request(
            "PATCH", f"/uploads/{upload_id}", data=data[:20_000], headers={**hdr, "Upload-Offset": "0"}
        )
        assert r.status_code == 409
        r = on_two.request(
            "PATCH", f"/uploads/{upload_id}", data=data[20_000:], headers={**hdr, "Upload-Offset": "20000"}
        )
        assert r.status_code == 204 and r.headers["Upload-Offset"] == str(len(data))
        manifest = {"applications": [sample_application([document_for(upload_id, data)])]}
        assert village.request("PUT", f"/batches/{uuid.uuid4()}", json=manifest).status_code == 201
        # The office attaches the signed PDF on host two; the village fetches it from host one.
        admin = AdminClient(two)
        app_id = admin.app_id(manifest["applications"][0]["id"])
        doc = admin.request("GET", f"/applications/{app_id}").json()["documents"][0]
        f = AdminClient(one).request("GET", f"/applications/{app_id}/documents/{doc['id']}/file")
        assert f.content == data
        pdf = b"%PDF-1.7\n" + os.urandom(30_000)
        assert admin.finish_and_dispatch(app_id, village.village_code, pdf).status_code == 201
        doc_id = admin.request("GET", f"/applications/{app_id}").json()["finished_documents"][0]["id"]
        part = village.request("GET", f"/documents/{doc_id}/file", headers={"Range": "bytes=10000-"})
        assert part.status_code == 206 and part.content == pdf[10_000:]


def test_checksum_mismatch_keeps_nothing(
    tmp_path: Path, backend: str, s3_endpoint: str, bucket: tuple[str, Any]
) -> None:
    import base64

    name, client = bucket
    with ExitStack() as stack:
        [server] = _hosts(tmp_path, backend, _settings(s3_endpoint, bucket), 1, stack)
        village = enroll_device(server)
        upload_id = village.create_upload(1000)
        wrong = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
        r = village.request(
            "PATCH",
            f"/uploads/{upload_id}",
            data=b"x" * 500,
            headers={
                **TUS,
                "Upload-Offset": "0",
                "Upload-Checksum": f"sha256 {wrong}",
                "Content-Type": "application/offset+octet-stream",
            },
        )
        assert r.status_code == 460
        assert village.request("HEAD", f"/uploads/{upload_id}", headers=TUS).headers["Upload-Offset"] == "0"
        assert _objects(client, name) == []
        assert village.request("DELETE", f"/uploads/{upload_id}", headers=TUS).status_code == 204
