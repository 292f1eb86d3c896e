"""The whole distribution loop against the real reference server over HTTP.

Intake through the store, sync (upload, manifest), the office finishes and dispatches with a
signed PDF (admin API), the village pulls, marks arrival, hands over, makes the receipt; the
events reach the server.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlmodel import select

from desa_capil.domain.catalog import get_service
from desa_capil.domain.status import Status
from desa_capil.paths import AppPaths
from desa_capil.reports import receipts
from desa_capil.server.db import Event as ServerEvent
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import running_server
from desa_capil.store import distribution as dist
from desa_capil.store.db import Database
from desa_capil.store.models import OfficeDocument, Outbox, OutboxState, Page
from desa_capil.store.repo import ApplicantData, document_for, refresh_readiness, save_application, seal_batch
from desa_capil.sync.config import SyncConfig, credential_store, enroll
from desa_capil.sync.worker import SyncWorker

from .test_reports import pdf_text_and_qr

pytestmark = pytest.mark.usefixtures("no_keyring")

VILLAGE = "32.04.05.2001"
NIK = "3204051708900001"
KK = "3204051708150001"


@pytest.fixture
def central(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with running_server(tmp_path / "server") as server:
        yield server


class Office:
    def __init__(self, server: EmbeddedServer) -> None:
        self.base = server.base_url + "/api/v1/admin"
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"Bearer {server.admin_token}"

    def req(self, method: str, path: str, **kw: Any) -> Any:
        r = self.s.request(method, self.base + path, timeout=30, **kw)
        r.raise_for_status()
        return r.json()

    def by_client_id(self) -> dict[str, dict[str, Any]]:
        return {a["client_id"]: a for a in self.req("GET", "/applications", params={"limit": 500})["items"]}


def _intake(db: Database) -> str:
    app_id = save_application(
        db,
        service_code="akta_lahir",
        applicant=ApplicantData(nik=NIK, name="Budi Santoso", kk_number=KK, phone="0812-3456-7890"),
    )
    with db.session() as s:
        for req in get_service("akta_lahir").mandatory:
            doc = document_for(s, app_id, req.code)
            sha = db.blobs.put(os.urandom(500))
            s.add(Page(document_id=doc.id, processed_sha256=sha, mime="image/tiff", size_bytes=500))
        s.commit()
    assert refresh_readiness(db, app_id) is Status.READY
    return app_id


def test_full_loop(db: Database, paths: AppPaths, central: EmbeddedServer, operator_id: int) -> None:
    code = central.create_village(VILLAGE, "Desa Sukamaju")
    creds = credential_store(paths)
    enroll(db, creds, central.base_url, code, device_name="Laptop Uji")
    token = creds.get_token()
    assert token
    worker = SyncWorker(db, SyncConfig(central.base_url, token).client_factory(), row_backoff_base=0.01)
    office = Office(central)
    try:
        app_id = _intake(db)
        seal_batch(
            db,
            [app_id],
            lambda pages: b"%PDF-1.4\n" + b"".join(db.blobs.get(p.processed_sha256) for p in pages),
        )
        worker.run_until_idle()
        remote = office.by_client_id()[app_id]
        assert remote["status"] == "sent"

        # The office finishes the certificate, attaches the signed PDF and dispatches it.
        signed = b"%PDF-1.7\n% signed akta\n" + b"x" * 2000
        office.req("POST", f"/applications/{remote['id']}/status", json={"status": "finished", "message": ""})
        office.req(
            "POST",
            f"/applications/{remote['id']}/finished-documents",
            params={"title": "Akta Kelahiran"},
            data=signed,
        )
        office.req("POST", "/dispatches", json={"village_code": VILLAGE, "application_ids": [remote["id"]]})
        worker.run_pass()

        groups = dist.waiting_documents(db)
        assert len(groups) == 1 and [r.application_id for r in groups[0].rows] == [app_id]
        row = groups[0].rows[0]
        assert row.status is Status.DISPATCHED and [d.title for d in row.documents] == ["Akta Kelahiran"]
        assert len(row.printable) == 1  # the signed PDF was downloaded ahead
        title, pdf = dist.read_office_pdf(db, row.printable[0].id, operator_id=operator_id)
        assert (title, pdf) == ("Akta Kelahiran", signed)

        dist.mark_arrived(db, [app_id], operator_id=operator_id)
        dist.record_handover(
            db,
            app_id,
            dist.HandOverInput(
                relation="istri",
                recipient_name="Rina Wati",
                recipient_nik="3204054708920002",
                id_checked=True,
            ),
            operator_id=operator_id,
        )
        receipt, sha = receipts.save_handover_receipt(db, app_id)
        text, codes, pages = pdf_text_and_qr(receipt)
        assert pages == 1
        assert "PEMERINTAH DESA SUKAMAJU" in text and VILLAGE in text
        assert (
            "Budi Santoso" in text
            and "Akta Kelahiran" in text
            and "Rina Wati" in text
            and "Siti Aminah" in text
        )
        assert len(codes) == 1 and receipts.parse_qr_payload(codes[0]).application_id == app_id
        assert receipts.verify_qr(db, codes[0])
        assert db.blobs.get(sha) == receipt

        result = worker.run_until_idle()
        assert result.events_sent == 2
        with db.session() as s:
            states = [r.state for r in s.exec(select(Outbox).where(Outbox.kind == "event"))]
            docs = s.exec(select(OfficeDocument).where(OfficeDocument.application_id == app_id)).all()
        assert states == [OutboxState.DONE, OutboxState.DONE]
        assert all(d.arrived_at is not None for d in docs)
        remote = office.by_client_id()[app_id]
        assert remote["status"] == "handed_over"
        # The office holds the hand-over details as sent (recipient, relation, NIK, operator).
        assert central.service is not None
        with central.service.db.session() as s:
            payloads = [
                json.loads(e.payload_json) for e in s.exec(select(ServerEvent).order_by(ServerEvent.id))
            ]
        assert [p["status"] for p in payloads] == ["arrived", "handed_over"]
        ho = payloads[1]["handover"]
        assert (ho["recipient_name"], ho["relation"], ho["recipient_nik"]) == (
            "Rina Wati",
            "istri",
            "3204054708920002",
        )
        assert ho["id_checked"] is True and ho["operator"] == "Siti Aminah"
    finally:
        worker.close()
