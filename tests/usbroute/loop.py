"""The office and the stick for the loop tests: the office works through its admin API over
real HTTP (the reference server), the stick is a folder.

``export_stick`` writes the laptop's village bundle with the product's exporter
(``services.usb_export``); ``manifest_for_stick`` gives one batch's part of a bundle for a test
that plays another village's laptop.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import requests

from desa_capil.paths import AppPaths
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.services import usb_export
from desa_capil.store import batches
from desa_capil.store.db import Database
from desa_capil.usbroute.payloads import BatchForBundle

PDF = b"%PDF-1.7\n" + b"akta kelahiran bertanda tangan elektronik " * 200 + b"\n%%EOF\n"


class Office:
    """The office's admin API (the console and the CLI call the same service functions)."""

    def __init__(self, server: EmbeddedServer) -> None:
        self.base = server.base_url + "/api/v1/admin"
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"Bearer {server.admin_token}"

    def _req(self, method: str, path: str, **kw: Any) -> requests.Response:
        r = self.s.request(method, self.base + path, timeout=120, **kw)
        r.raise_for_status()
        return r

    def enrollment(self, village: str, folder: Path) -> tuple[Path, str]:
        body = self._req("POST", "/usb/enrollments", json={"village_code": village}).json()
        path = folder / body["file_name"]
        path.write_bytes(base64.b64decode(body["file_b64"]))
        return path, str(body["code"])

    def import_bundle(self, path: Path) -> dict[str, Any]:
        r = self._req(
            "POST",
            "/usb/import",
            data=path.read_bytes(),
            headers={"Content-Type": "application/octet-stream"},
        )
        report: dict[str, Any] = r.json()
        return report

    def import_status(self, path: Path) -> int:
        r = self.s.post(
            self.base + "/usb/import",
            data=path.read_bytes(),
            headers={"Content-Type": "application/octet-stream"},
            timeout=120,
        )
        return r.status_code

    def return_bundle(self, village: str, out: Path, device_id: str | None = None) -> Path:
        """The return bundle of the village's laptop ``device_id`` (may be left out when the
        village has one laptop)."""
        params = {"device_id": device_id} if device_id else None
        out.write_bytes(self._req("POST", f"/usb/return/{village}", params=params).content)
        return out

    def applications(self) -> dict[str, dict[str, Any]]:
        items: list[dict[str, Any]] = []
        after = 0
        while True:
            page = self._req("GET", "/applications", params={"after_id": after, "limit": 500}).json()
            items += page["items"]
            if page["next_after_id"] is None:
                return {a["client_id"]: a for a in items}
            after = page["next_after_id"]

    def status(self, server_id: int, status: str, message: str = "") -> None:
        self._req("POST", f"/applications/{server_id}/status", json={"status": status, "message": message})

    def finish_and_dispatch(self, village: str, client_ids: list[str]) -> None:
        """In review, finished with a signed PDF each, dispatched to the village."""
        apps = self.applications()
        ids = []
        for cid in client_ids:
            sid = apps[cid]["id"]
            if apps[cid]["status"] == "sent":
                self.status(sid, "in_review")
            self.status(sid, "finished")
            self._req(
                "POST",
                f"/applications/{sid}/finished-documents",
                params={"title": "Akta Kelahiran"},
                data=PDF + cid.encode(),
            )
            ids.append(sid)
        self._req(
            "POST", "/dispatches", json={"village_code": village, "application_ids": ids, "message": ""}
        )


def manifest_for_stick(db: Database, batch_id: str) -> BatchForBundle:
    """The batch's manifest (``store.batches.manifest`` with stick upload ids) and the document
    files the online route would upload, from the encrypted blob store."""
    files = {
        batches.stick_upload_id(d.id): db.blobs.get(d.file_sha256)
        for d in batches.documents(db, batch_id)
        if d.file_sha256 is not None
    }
    manifest = batches.manifest(db, batch_id, batches.stick_upload_id)
    return BatchForBundle(batch_id, manifest.model_dump(mode="json"), files)


def export_stick(db: Database, paths: AppPaths, folder: Path, *, batch_ids: list[str] | None = None) -> Path:
    """One trip with the product's exporter ("Kirim lewat flashdisk", services/usb_export):
    the given (default: every unacknowledged sealed) batches and the pending events."""
    return usb_export.export(db, paths, folder, batch_ids).path


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
