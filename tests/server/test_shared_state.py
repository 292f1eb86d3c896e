"""What two server processes on one database must agree on, and per-village limits under
concurrency: the same batch PUT at the same moment, the upload quota, the admin token,
enrollment attempts (per address behind a trusted proxy, and per code); plus file modes,
gzip on JSON answers and HTTP Range on documents."""

from __future__ import annotations

import gzip
import os
import stat
import threading
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from desa_capil.server.config import Settings
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import (
    AdminClient,
    EnrolledDevice,
    document_for,
    enroll_device,
    fresh_postgres_schema,
    postgres_url,
    sample_application,
    submit_batch,
)

TUS = {"Tus-Resumable": "1.0.0"}


@contextmanager
def two_servers(
    tmp_path: Path, backend: str, **overrides: Any
) -> Iterator[tuple[EmbeddedServer, EmbeddedServer]]:
    """Two servers (own engines, own memory) on one database and one file store: what two
    processes or hosts behind a balancer are to each other."""
    with ExitStack() as stack:
        url = None
        if backend == "postgres":
            base = postgres_url()
            assert base is not None
            url = stack.enter_context(fresh_postgres_schema(base))
        servers = []
        for _ in range(2):
            settings = Settings(data_dir=tmp_path / "shared", database_url=url, **overrides)
            server = EmbeddedServer(tmp_path / "shared", settings=settings)
            server.start()
            stack.callback(server.stop)
            servers.append(server)
        yield servers[0], servers[1]


def _simultaneously(*calls: Any) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_same_batch_put_on_two_processes_is_201_and_200(backend: str, tmp_path: Path) -> None:
    with two_servers(tmp_path, backend) as (one, two):
        device = enroll_device(one)
        on_two = EnrolledDevice(two.base_url, device.token, device.device_id, device.village_code)
        for _ in range(4):
            apps = []
            for _ in range(3):
                data = b"%PDF-1.4\n" + os.urandom(3000)
                apps.append(sample_application([document_for(device.upload(data), data)]))
            batch = f"/batches/{uuid.uuid4()}"
            manifest = {"applications": apps}
            answers = _simultaneously(
                lambda b=batch, m=manifest: device.request("PUT", b, json=m),
                lambda b=batch, m=manifest: on_two.request("PUT", b, json=m),
            )
            assert sorted(r.status_code for r in answers) == [200, 201], [r.text for r in answers]
            assert answers[0].json() == answers[1].json()  # the replay is the first receipt


def test_admin_token_is_shared(backend: str, tmp_path: Path) -> None:
    with two_servers(tmp_path, backend) as (one, two):
        assert one.admin_token == two.admin_token
        for server in (one, two):
            r = AdminClient(server).request("GET", "/villages")
            assert r.status_code == 200


def test_enrollment_limits_shared_and_per_real_address(backend: str, tmp_path: Path) -> None:
    with two_servers(tmp_path, backend, enroll_burst=3, enroll_per_second=0.001) as (one, two):
        good = one.create_village("32.04.05.2001", "Desa Sukamaju")

        def attempt(server: EmbeddedServer, code: str, address: str) -> int:
            r = requests.post(
                f"{server.base_url}/api/v1/enroll",
                json={"enrollment_code": code, "device_name": "x"},
                headers={"X-Forwarded-For": address},  # set by the trusted proxy (loopback)
                timeout=30,
            )
            return r.status_code

        # A guesser at 203.0.113.9 gets 3 tries in all, whichever process it reaches.
        codes = [attempt(s, f"AAAA-BBBB-CCC{i}", "203.0.113.9") for i, s in enumerate((one, two, one, two))]
        assert codes == [400, 400, 400, 429]
        # A village office behind the same proxy, at its own address, is not locked out.
        assert attempt(two, good, "198.51.100.7") == 201
        # One code cannot be tried more than the burst from many addresses either.
        code = "ZZZZ-YYYY-XXXX"
        tries = [attempt(one if i % 2 else two, code, f"192.0.2.{i}") for i in range(5)]
        assert tries[:3] == [400, 400, 400] and tries[-1] == 429


def test_upload_quota_holds_under_concurrent_creates(backend: str, tmp_path: Path) -> None:
    size = 100_000
    with two_servers(tmp_path, backend, village_quota=10 * size, upload_min_cost=1000) as (one, two):
        device = enroll_device(one)
        on_two = EnrolledDevice(two.base_url, device.token, device.device_id, device.village_code)
        headers = {**TUS, "Upload-Length": str(size)}
        calls = [
            (lambda d=d: d.request("POST", "/uploads/", headers=headers).status_code)
            for d in [device, on_two] * 12
        ]
        codes = _simultaneously(*calls)
        assert codes.count(201) == 10 and codes.count(413) == 14, codes


class TestZeroLengthUploadsCost:
    @pytest.fixture
    def server_settings(self) -> dict[str, Any]:
        return {"village_quota": 5 * 64 * 1024}

    def test_empty_uploads_count_against_the_quota(self, village: EnrolledDevice) -> None:
        codes = [
            village.request("POST", "/uploads/", headers={**TUS, "Upload-Length": "0"}).status_code
            for _ in range(7)
        ]
        assert codes == [201] * 5 + [413] * 2


def test_files_are_private_to_the_server_user(
    server: EmbeddedServer, village: EnrolledDevice, backend: str
) -> None:
    if os.name != "posix":
        pytest.skip("POSIX modes")
    upload_id = village.upload(b"%PDF-1.4 private")
    s = server.settings
    for d in (s.data_dir, s.files_dir, s.files_dir / "uploads", s.files_dir / "documents"):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    assert stat.S_IMODE((s.files_dir / "uploads" / upload_id).stat().st_mode) == 0o600
    if backend == "sqlite":
        for f in s.data_dir.glob("server.sqlite3*"):
            assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


def test_json_answers_are_gzipped(village: EnrolledDevice) -> None:
    for _ in range(3):
        submit_batch(village)
    r = village.session.get(
        village.url("/changes"),
        headers={**village.headers, "Accept-Encoding": "gzip"},
        timeout=30,
        stream=True,
    )
    assert r.headers["Content-Encoding"] == "gzip"
    raw = r.raw.read(decode_content=False)
    assert len(raw) < int(len(gzip.decompress(raw)) * 0.7)
    assert r.headers["Cache-Control"] == "no-store"


def test_document_file_supports_range(village: EnrolledDevice, admin: AdminClient) -> None:
    _, manifest, _ = submit_batch(village)
    app_id = admin.app_id(manifest["applications"][0]["id"])
    pdf = b"%PDF-1.7\n" + os.urandom(50_000)
    assert admin.finish_and_dispatch(app_id, village.village_code, pdf).status_code == 201
    doc_id = admin.request("GET", f"/applications/{app_id}").json()["finished_documents"][0]["id"]
    whole = village.request("GET", f"/documents/{doc_id}/file", headers={"Accept-Encoding": "gzip"})
    assert whole.content == pdf and "Content-Encoding" not in whole.headers
    assert whole.headers["Accept-Ranges"] == "bytes"
    # A download cut at 20 000 bytes continues from there.
    part = village.request("GET", f"/documents/{doc_id}/file", headers={"Range": "bytes=20000-"})
    assert part.status_code == 206 and part.content == pdf[20000:]
    assert part.headers["Content-Range"] == f"bytes 20000-{len(pdf) - 1}/{len(pdf)}"
    etag = whole.headers["ETag"]
    part = village.request(
        "GET", f"/documents/{doc_id}/file", headers={"Range": "bytes=0-9", "If-Range": etag}
    )
    assert part.status_code == 206 and part.content == pdf[:10]
