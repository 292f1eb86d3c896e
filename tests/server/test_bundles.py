"""Bundles ("3-in-1") and the other catalog 2025.1 facts on the wire and on the server."""

from __future__ import annotations

import os
import uuid
from typing import Any

from desa_capil.api.models import ApplicationIn, BatchManifest, ErrorBody
from desa_capil.server.service import _canonical
from desa_capil.server.testing import AdminClient, EnrolledDevice, document_for, sample_application

DECEASED_NIK = "3201011501500001"


def _death_bundle(village: EnrolledDevice) -> dict[str, Any]:
    data = b"%PDF-1.4 sk kematian" + os.urandom(64)
    app = sample_application(
        [document_for(village.upload(data), data, "sk_kematian")], service_code="akta_mati"
    )
    app.update(
        event_date="2026-01-05",
        subjects=[{"role": "almarhum", "name": "Ahmad Yani", "nik": DECEASED_NIK}],
        outputs=["akta_kematian", "kk", "ktp_el"],
        catalog_version="2025.1",
    )
    return app


def test_old_manifests_serialise_and_hash_as_before() -> None:
    """A manifest without the added fields hashes exactly as before they existed, so a batch the
    server stored earlier is still recognised when a client replays it."""
    old = {"applications": [sample_application([])]}
    parsed = BatchManifest.model_validate(old).model_dump(mode="json")
    assert set(parsed["applications"][0]) == {
        "id",
        "service_code",
        "applicant",
        "urgency",
        "notes",
        "documents",
    }
    assert _canonical(parsed) == _canonical(BatchManifest.model_validate(old).model_dump(mode="json"))
    full = ApplicationIn.model_validate({**sample_application([]), "outputs": ["akta_kelahiran", "kia"]})
    assert full.model_dump(mode="json")["outputs"] == ["akta_kelahiran", "kia"]


def test_bundle_is_stored_and_each_document_finished_separately(
    village: EnrolledDevice, admin: AdminClient
) -> None:
    app = _death_bundle(village)
    r = village.request("PUT", f"/batches/{uuid.uuid4()}", json={"applications": [app]})
    assert r.status_code == 201, r.text
    app_id = admin.app_id(app["id"])
    shown = admin.request("GET", f"/applications/{app_id}").json()
    assert shown["event_date"] == "2026-01-05" and shown["catalog_version"] == "2025.1"
    assert shown["subjects"] == [{"role": "almarhum", "name": "Ahmad Yani", "nik": DECEASED_NIK}]
    assert [(o["code"], o["finished_document_id"]) for o in shown["outputs"]] == [
        ("akta_kematian", None),
        ("kk", None),
        ("ktp_el", None),
    ]
    # The KK is done first, as a signed PDF; the others later.
    for step in ("processing", "finished"):
        admin.status(app_id, step).raise_for_status()
    r = admin.request(
        "POST",
        f"/applications/{app_id}/finished-documents",
        params={"title": "Kartu Keluarga", "output": "kk"},
        data=b"%PDF-1.4 kk",
    )
    assert r.status_code == 201 and r.json()["output"] == "kk"
    kk_doc = r.json()["id"]
    # An output the application did not ask for is refused.
    r = admin.request(
        "POST", f"/applications/{app_id}/finished-documents", params={"title": "KIA", "output": "kia"}
    )
    assert r.status_code == 422
    shown = admin.request("GET", f"/applications/{app_id}").json()
    done = {o["code"]: o["finished_document_id"] for o in shown["outputs"]}
    assert done == {"akta_kematian": None, "kk": kk_doc, "ktp_el": None}
    r = admin.request(
        "POST",
        f"/applications/{app_id}/finished-documents",
        params={"title": "Akta Kematian", "output": "akta_kematian"},
        data=b"%PDF-1.4 akta",
    )
    assert r.status_code == 201
    r = admin.request(
        "POST", "/dispatches", json={"village_code": village.village_code, "application_ids": [app_id]}
    )
    assert r.status_code == 201, r.text
    changes = village.request("GET", "/changes").json()["changes"]
    sent = changes[-1]
    assert sent["status"] == "dispatched"
    assert sorted((d["title"], d["output"]) for d in sent["documents"]) == [
        ("Akta Kematian", "akta_kematian"),
        ("Kartu Keluarga", "kk"),
    ]


def test_old_client_application_asks_for_the_main_document(
    village: EnrolledDevice, admin: AdminClient
) -> None:
    data = b"%PDF-1.4 x" + os.urandom(32)
    app = sample_application([document_for(village.upload(data), data)])
    assert village.request("PUT", f"/batches/{uuid.uuid4()}", json={"applications": [app]}).status_code == 201
    shown = admin.request("GET", f"/applications/{admin.app_id(app['id'])}").json()
    assert [o["code"] for o in shown["outputs"]] == ["akta_kelahiran"]
    assert shown["subjects"] == [] and shown["event_date"] is None


def test_subject_nik_and_unknown_output_are_refused(village: EnrolledDevice) -> None:
    app = _death_bundle(village)
    app["subjects"][0]["nik"] = "3201011501500000"  # serial 0000
    app["outputs"].append("paspor")
    r = village.request("PUT", f"/batches/{uuid.uuid4()}", json={"applications": [app]})
    assert r.status_code == 422
    body = ErrorBody.model_validate(r.json())
    kinds = sorted(p.problem for p in body.applications)
    assert kinds == ["invalid_nik", "unknown_service"]
    assert any("almarhum" in p.message_id for p in body.applications)
