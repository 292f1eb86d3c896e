"""Helpers for tests that need the real central server (plain functions; wrap them in fixtures).

    from desa_capil.server.testing import running_server, enroll_device

    @pytest.fixture
    def central(tmp_path):
        with running_server(tmp_path / "server") as server:
            yield server

    def test_x(central):
        device = enroll_device(central)          # token, base_url, headers for requests
        ...

PostgreSQL: ``running_server(..., backend="postgres")`` needs ``TEST_DATABASE_URL``
(``postgres_url()`` returns it or None so a fixture can skip); every server gets a fresh
schema, dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from desa_capil.server import tus as _tus
from desa_capil.server.config import Settings
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.service import sha256_hex
from desa_capil.usbroute import (
    BatchForBundle,
    Enrollment,
    KeySet,
    OpenedBundle,
    parse_enrollment,
    write_enrollment,
    write_village_bundle,
)
from desa_capil.usbroute.payloads import open_return_bundle

TEST_DB_ENV = "TEST_DATABASE_URL"
BACKENDS = ("sqlite", "postgres")


def postgres_url() -> str | None:
    return os.environ.get(TEST_DB_ENV) or None


@contextmanager
def fresh_postgres_schema(url: str) -> Iterator[str]:
    """A database URL whose search_path is a new, empty schema (dropped on exit)."""
    schema = "t_" + uuid.uuid4().hex[:16]
    admin = create_engine(url, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def running_server(data_dir: Path, *, backend: str = "sqlite", **settings: Any) -> Iterator[EmbeddedServer]:
    """A started EmbeddedServer on 127.0.0.1; ``settings`` override Settings fields
    (e.g. ``max_upload_size=1000``, ``rate_burst=5``)."""
    if backend == "sqlite":
        with _started(data_dir, None, settings) as server:
            yield server
        return
    url = postgres_url()
    if url is None:
        raise RuntimeError(f"{TEST_DB_ENV} is not set")
    with fresh_postgres_schema(url) as scoped, _started(data_dir, scoped, settings) as server:
        yield server


@contextmanager
def _started(data_dir: Path, db_url: str | None, overrides: dict[str, Any]) -> Iterator[EmbeddedServer]:
    settings = Settings(data_dir=data_dir, database_url=db_url, **overrides)
    server = EmbeddedServer(data_dir, db_url=db_url, settings=settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()


_SERVER_PROCESS = """
import json, sys
from pathlib import Path
from desa_capil.server.config import Settings
from desa_capil.server.embedded import EmbeddedServer
kw = json.loads(sys.argv[1])
settings = Settings(**{**kw, "data_dir": Path(kw["data_dir"])})
server = EmbeddedServer(settings.data_dir, settings=settings)
print(server.start(), flush=True)
sys.stdin.readline()
server.stop()
"""


@contextmanager
def server_process(settings: Settings, **overrides: Any) -> Iterator[str]:
    """Another server PROCESS on the same database and files as ``settings`` (what a second
    uvicorn worker is); yields its base URL. ``overrides``: plain Settings fields."""
    kw = {
        "data_dir": str(settings.data_dir),
        "database_url": settings.database_url,
        "patch_takeover_seconds": settings.patch_takeover_seconds,
        "body_read_timeout": settings.body_read_timeout,
        **overrides,
    }
    with subprocess.Popen(
        [sys.executable, "-c", _SERVER_PROCESS, json.dumps(kw)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None and proc.stdin is not None
            url = proc.stdout.readline().strip()
            if not url.startswith("http://"):
                raise RuntimeError("the second server process did not start")
            yield url
            proc.stdin.write("\n")
            proc.stdin.flush()
            proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()


@dataclass
class EnrolledDevice:
    base_url: str
    token: str
    device_id: str
    village_code: str
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def url(self, path: str) -> str:
        return f"{self.base_url}/api/v1{path}"

    def request(self, method: str, path: str, **kw: Any) -> requests.Response:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.session.request(method, self.url(path), headers=headers, timeout=30, **kw)

    def upload(self, data: bytes, filename: str = "berkas.pdf", filetype: str = "application/pdf") -> str:
        """Upload ``data`` with tus in one PATCH; returns the upload id."""
        upload_id = self.create_upload(
            len(data), filename=filename, filetype=filetype, sha256=sha256_hex(data)
        )
        if data:
            self.patch_upload(upload_id, data).raise_for_status()
        return upload_id

    def patch_upload(self, upload_id: str, data: bytes, offset: int = 0) -> requests.Response:
        """One tus PATCH of ``data`` at ``offset``; the answer, whatever it is."""
        return self.request(
            "PATCH",
            f"/uploads/{upload_id}",
            data=data,
            headers={
                "Tus-Resumable": "1.0.0",
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
        )

    def create_upload(self, length: int, **meta: str) -> str:
        r = self.request(
            "POST",
            "/uploads/",
            headers={
                "Tus-Resumable": "1.0.0",
                "Upload-Length": str(length),
                "Upload-Metadata": encode_metadata(meta),
            },
        )
        r.raise_for_status()
        return str(r.headers["Location"]).rsplit("/", 1)[1]


def encode_metadata(meta: dict[str, str]) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items())


def enroll_device(
    server: EmbeddedServer,
    village_code: str = "32.04.05.2001",
    village_name: str = "Desa Sukamaju",
    device_name: str = "Laptop Kantor Desa",
) -> EnrolledDevice:
    """Create the village if needed, enroll a device over HTTP and return it."""
    svc = server.service
    assert svc is not None, "start the server first"
    if any(v.code == village_code for v in svc.list_villages()):
        code = server.new_enrollment_code(village_code)
    else:
        code = server.create_village(village_code, village_name)
    r = requests.post(
        f"{server.base_url}/api/v1/enroll",
        json={"enrollment_code": code, "device_name": device_name, "app_version": "test"},
        timeout=30,
    )
    r.raise_for_status()
    body = r.json()
    return EnrolledDevice(server.base_url, body["token"], body["device_id"], village_code)


# NIK/KK that pass desa_capil.domain.nik (Bandung regency, 17 Aug 1990 / KK 17 Aug 2015).
SAMPLE_NIK = "3204051708900001"
SAMPLE_KK = "3204051708150001"


def sample_application(
    documents: list[dict[str, Any]], *, service_code: str = "akta_lahir"
) -> dict[str, Any]:
    """A valid ApplicationIn as JSON with the given documents."""
    return {
        "id": str(uuid.uuid4()),
        "service_code": service_code,
        "applicant": {
            "nik": SAMPLE_NIK,
            "name": "Budi Santoso",
            "kk_number": SAMPLE_KK,
            "phone": "081234567890",
        },
        "urgency": "normal",
        "notes": "",
        "documents": documents,
    }


def document_for(upload_id: str, data: bytes, requirement_code: str = "kk") -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "requirement_code": requirement_code,
        "upload_id": upload_id,
        "sha256": sha256_hex(data),
        "size": len(data),
        "page_count": 1,
        "mime": "application/pdf",
    }


def submit_batch(
    device: EnrolledDevice, n_applications: int = 1, docs_per_application: int = 1, size: int = 2000
) -> tuple[str, dict[str, Any], requests.Response]:
    """Upload fresh files and PUT a batch referencing them; returns (batch id, manifest, answer)."""
    apps = []
    for _ in range(n_applications):
        docs = []
        for _ in range(docs_per_application):
            data = b"%PDF-1.4\n" + os.urandom(size)
            docs.append(document_for(device.upload(data), data))
        apps.append(sample_application(docs))
    manifest = {"applications": apps}
    batch_id = str(uuid.uuid4())
    return batch_id, manifest, device.request("PUT", f"/batches/{batch_id}", json=manifest)


class AdminClient:
    """The office side over HTTP (admin token)."""

    def __init__(self, server: EmbeddedServer) -> None:
        self.base = f"{server.base_url}/api/v1/admin"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {server.admin_token}"

    def request(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=30, **kw)

    def app_id(self, client_id: str) -> int:
        items = self.request("GET", "/applications", params={"limit": 500}).json()["items"]
        return next(int(a["id"]) for a in items if a["client_id"] == client_id)

    def status(self, app_id: int, status: str, message: str = "") -> requests.Response:
        return self.request(
            "POST", f"/applications/{app_id}/status", json={"status": status, "message": message}
        )

    def finish_and_dispatch(
        self, app_id: int, village_code: str, pdf: bytes | None = None
    ) -> requests.Response:
        """Move an application to dispatched, with one finished document (a PDF if given)."""
        for step in ("processing", "finished"):
            self.status(app_id, step).raise_for_status()
        self.request(
            "POST",
            f"/applications/{app_id}/finished-documents",
            params={"title": "Akta Kelahiran"},
            data=pdf or b"",
        ).raise_for_status()
        return self.request(
            "POST", "/dispatches", json={"village_code": village_code, "application_ids": [app_id]}
        )


def wait_for_offset(
    server: EmbeddedServer, upload_id: str, expected: int, timeout: float = 10.0, *, ended: bool = True
) -> int:
    """Wait until the server holds ``expected`` bytes of the upload (checked on its side, so
    the polling neither costs requests nor hits the rate limit)."""
    svc = server.service
    assert svc is not None
    deadline = time.monotonic() + timeout
    tick = threading.Event()
    while True:
        offset = svc.upload_offset(svc.get_upload_unchecked(upload_id))
        # ... and the request that brought them has ended (released the upload).
        if (offset == expected and not (ended and upload_id in _tus._active)) or time.monotonic() > deadline:
            return offset
        tick.wait(0.01)


def cut_patch(
    base_url: str, device: EnrolledDevice, upload_id: str, offset: int, chunk: bytes, total: int
) -> None:
    """Send a PATCH declaring ``total`` body bytes but only ``chunk``, then cut the link."""
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
    assert host == "127.0.0.1" and port
    head = (
        f"PATCH /api/v1/uploads/{upload_id} HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        f"Authorization: Bearer {device.token}\r\n"
        "Tus-Resumable: 1.0.0\r\n"
        f"Upload-Offset: {offset}\r\n"
        "Content-Type: application/offset+octet-stream\r\n"
        f"Content-Length: {total}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head + chunk)
        # Make sure the server read what we sent before we vanish: it writes as it reads.
        sock.shutdown(socket.SHUT_WR)


# --- the USB route (server/usb.py): a village laptop enrolled from a file -------------------------


def stick_batch(n_applications: int = 1, size: int = 1500) -> BatchForBundle:
    """A sealed batch as a laptop without a link carries it: ``n_applications`` with one fresh
    document each (a ``usbroute.BatchForBundle``)."""
    apps: list[dict[str, Any]] = []
    files: dict[str, bytes] = {}
    for _ in range(n_applications):
        data = b"%PDF-1.4\n" + os.urandom(size)
        upload_id = uuid.uuid4().hex
        apps.append(sample_application([document_for(upload_id, data)]))
        files[upload_id] = data
    return BatchForBundle(str(uuid.uuid4()), {"applications": apps}, files)


class StickLaptop:
    """A village laptop enrolled from an enrollment file and its paper code: its keys and its
    bundle counter. Its first bundles carry the enrollment proof until ``proved`` is set."""

    def __init__(self, enrollment: Enrollment, code: str) -> None:
        self.keys = KeySet.generate()
        self.enrollment = enrollment
        self.code = code
        self.seq = 0
        self.proved = False

    @property
    def device_id(self) -> str:
        return str(self.enrollment.device_id)

    @property
    def village_code(self) -> str:
        return str(self.enrollment.village_code)

    def bundle(self, folder: Path, batches: list[BatchForBundle], **kw: Any) -> Path:
        """A village bundle (``write_village_bundle``) in ``folder``; ``kw`` overrides any of
        its arguments (events, cursor, seq, device_id, office_box_public, bundle_id...)."""
        self.seq += 1
        path = folder / f"kirim-{self.seq}-{uuid.uuid4().hex[:6]}.dcb"
        args: dict[str, Any] = {
            "keys": self.keys,
            "device_id": self.device_id,
            "village_code": self.village_code,
            "seq": self.seq,
            "office_box_public": self.enrollment.office_box_public,
            "batches": batches,
        }
        if not self.proved:
            args.update(enrollment=self.enrollment, code=self.code)
        args.update(kw)
        write_village_bundle(path, **args)
        return path

    def open_return(self, path: Path) -> OpenedBundle:
        """The office's return bundle for this laptop, opened and checked (a context manager)."""
        return open_return_bundle(
            path,
            keys=self.keys,
            office_sign_public=self.enrollment.office_sign_public,
            village_code=self.village_code,
            device_id=self.device_id,
        )


def write_office_enrollment(
    path: Path,
    office: KeySet,
    *,
    village_code: str = "53.14.01.2001",
    village_name: str = "Desa Oelaba",
    office_name: str = "Disdukcapil Rote Ndao",
    server_url: str = "https://capil.rotendaokab.go.id",
) -> Enrollment:
    """An enrollment file as an office with the keys `office` writes it, 30 days valid, a new
    device id; for tests and screenshots of the stick enrollment that need no server."""
    now = datetime.now(UTC)
    enrollment = Enrollment(
        enrollment_id=uuid.uuid4().hex,
        village_code=village_code,
        village_name=village_name,
        office_name=office_name,
        server_url=server_url,
        office_sign_public=office.sign_public,
        office_box_public=office.box_public,
        device_id=uuid.uuid4().hex,
        secret="c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyYg==",
        issued_at=now.isoformat(),
        expires_at=(now + timedelta(days=30)).isoformat(),
    )
    write_enrollment(path, enrollment, office_signing_key=office.signing)
    return enrollment


def enroll_by_stick(
    server: EmbeddedServer, village_code: str = "53.14.01.2001", village_name: str = "Desa Oelaba"
) -> StickLaptop:
    """A new laptop of the village (made when missing) enrolled by file, over the admin API."""
    admin = AdminClient(server)
    if not any(v["code"] == village_code for v in admin.request("GET", "/villages").json()):
        server.create_village(village_code, village_name)
    r = admin.request("POST", "/usb/enrollments", json={"village_code": village_code})
    r.raise_for_status()
    body = r.json()
    enrollment = parse_enrollment(base64.b64decode(body["file_b64"]))
    assert enrollment.office_key_id == body["office_key_id"] and enrollment.device_id == body["device_id"]
    return StickLaptop(enrollment, body["code"])
