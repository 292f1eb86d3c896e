"""Local records for sync tests: ready applications with pages, sealed into batches."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import requests
from sqlmodel import select

from desa_capil.domain.catalog import get_service
from desa_capil.store.db import Database
from desa_capil.store.models import Document, Page
from desa_capil.store.repo import ApplicantData, document_for, refresh_readiness, save_application, seal_batch
from desa_capil.sync.client import ApiClient
from desa_capil.sync.worker import SyncWorker

# NIK/KK that pass desa_capil.domain.nik (same as desa_capil.server.testing).
NIK = "3204051708900001"
KK = "3204051708150001"
SERVICE = "akta_lahir"


def concat_assemble(pages: list[Page], db: Database) -> bytes:
    """A stand-in for the scan package's PDF assembly: the page blobs one after another."""
    return b"%PDF-1.4\n" + b"".join(db.blobs.get(p.processed_sha256) for p in pages)


def make_ready(
    db: Database, *, pages_per_doc: int = 1, page_bytes: int = 2000, seed: int = 0, service: str = SERVICE
) -> str:
    """A ready application with random (incompressible) page blobs for every mandatory paper."""
    app_id = save_application(
        db, service_code=service, applicant=ApplicantData(nik=NIK, name="Budi Santoso", kk_number=KK)
    )
    with db.session() as s:
        for i, req in enumerate(get_service(service).mandatory):
            doc = document_for(s, app_id, req.code)
            for n in range(pages_per_doc):
                data = os.urandom(page_bytes)
                sha = db.blobs.put(data)
                s.add(
                    Page(
                        document_id=doc.id,
                        position=n,
                        processed_sha256=sha,
                        mime="image/tiff",
                        size_bytes=len(data),
                    )
                )
            _ = i, seed
        s.commit()
    refresh_readiness(db, app_id)
    return app_id


def seal(db: Database, app_ids: Sequence[str]) -> str:
    return seal_batch(db, app_ids, lambda pages: concat_assemble(pages, db)).id


def make_batch(db: Database, n_apps: int = 2, **kw: Any) -> tuple[str, list[str]]:
    ids = [make_ready(db, **kw) for _ in range(n_apps)]
    return seal(db, ids), ids


class Admin:
    """The office side of the reference server, over its admin API."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base = base_url + "/api/v1/admin"
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"Bearer {token}"

    def _req(self, method: str, path: str, **kw: Any) -> Any:
        r = self.s.request(method, self.base + path, timeout=30, **kw)
        r.raise_for_status()
        return r.json()

    def applications(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        after = 0
        while True:
            page = self._req("GET", "/applications", params={"after_id": after, "limit": 500})
            items += page["items"]
            if page["next_after_id"] is None:
                return items
            after = page["next_after_id"]

    def by_client_id(self) -> dict[str, dict[str, Any]]:
        return {a["client_id"]: a for a in self.applications()}

    def set_status(self, app_id: int, status: str, message: str = "") -> dict[str, Any]:
        return self._req(
            "POST", f"/applications/{app_id}/status", json={"status": status, "message": message}
        )

    def attach(self, app_id: int, title: str, pdf: bytes | None) -> dict[str, Any]:
        return self._req(
            "POST", f"/applications/{app_id}/finished-documents", params={"title": title}, data=pdf or b""
        )

    def dispatch(self, village: str, app_ids: list[int], message: str = "") -> dict[str, Any]:
        return self._req(
            "POST",
            "/dispatches",
            json={"village_code": village, "application_ids": app_ids, "message": message},
        )

    def file(self, app_id: int, doc_id: str) -> bytes:
        r = self.s.get(f"{self.base}/applications/{app_id}/documents/{doc_id}/file", timeout=30)
        r.raise_for_status()
        return r.content

    def revoke(self, device_id: str) -> None:
        self._req("POST", f"/devices/{device_id}/revoke")


def assert_server_has(e: Any, admin: Admin, app_ids: list[str], village: str | None = None) -> None:
    """Every application arrived once, with every document byte-for-byte (of `village` only,
    when the server is shared by several)."""
    server = {
        k: v for k, v in admin.by_client_id().items() if village is None or v["village_code"] == village
    }
    with e.db.session() as s:
        for app_id in app_ids:
            remote = server[app_id]
            docs = s.exec(select(Document).where(Document.application_id == app_id)).all()
            assert docs
            by_id = {d["id"]: d for d in remote["documents"]}
            assert set(by_id) == {d.id for d in docs}
            for d in docs:
                assert by_id[d.id]["sha256"] == d.file_sha256
                data = admin.file(remote["id"], d.id)
                assert hashlib.sha256(data).hexdigest() == d.file_sha256
                assert data == e.db.blobs.get(d.file_sha256 or "")
    # Exactly once: nothing else arrived.
    assert sorted(server) == sorted(app_ids)


def wait_for(cond: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``cond`` from a test thread (no Qt loop to wait on) until it holds; fail with
    ``what`` after ``timeout`` seconds, a bound for a hang, not a speed requirement."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def sync_once(e: Any, url: str, **kw: Any) -> SyncWorker:
    """One worker run on enrollment ``e`` against ``url`` until idle, which must send a batch."""
    worker = SyncWorker(e.db, lambda: ApiClient(url, e.config.token), row_backoff_base=0.01, **kw)
    try:
        assert worker.run_until_idle().batches_sent
    finally:
        worker.close()
    return worker
