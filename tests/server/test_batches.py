"""Batch manifests: 201 / 200 replay / 409 / 422 with the exact problems, addenda."""

from __future__ import annotations

import copy
import os
import uuid

from desa_capil.api.models import BatchReceipt, ErrorBody
from desa_capil.server.testing import (
    AdminClient,
    EnrolledDevice,
    document_for,
    sample_application,
    sha256_hex,
    submit_batch,
)


def test_new_replay_and_conflict(village: EnrolledDevice) -> None:
    batch_id, manifest, r = submit_batch(village, n_applications=2, docs_per_application=2)
    assert r.status_code == 201
    receipt = BatchReceipt.model_validate(r.json())
    assert [str(a.id) for a in receipt.applications] == [a["id"] for a in manifest["applications"]]
    assert all(a.status == "sent" and not a.addendum for a in receipt.applications)
    assert receipt.applications[0].seq < receipt.applications[1].seq
    # Identical replay (a retry after a lost answer): 200 and the same receipt.
    again = village.request("PUT", f"/batches/{batch_id}", json=manifest)
    assert again.status_code == 200 and again.json() == r.json()
    # Unknown fields are ignored, so they do not make a replay different.
    extra = copy.deepcopy(manifest)
    extra["future_field"] = 1
    extra["applications"][0]["applicant"]["future"] = "x"
    assert village.request("PUT", f"/batches/{batch_id}", json=extra).status_code == 200
    # Same id, other content: 409.
    other = copy.deepcopy(manifest)
    other["applications"][0]["notes"] = "lain"
    r = village.request("PUT", f"/batches/{batch_id}", json=other)
    assert r.status_code == 409 and ErrorBody.model_validate(r.json()).error == "conflict"


def test_422_lists_exactly_the_bad_uploads_then_accepts(village: EnrolledDevice) -> None:
    good = b"%PDF-1.4 good" + os.urandom(100)
    partial = b"%PDF-1.4 partial" + os.urandom(100)
    tampered = b"%PDF-1.4 tampered" + os.urandom(100)
    good_id = village.upload(good)
    partial_id = village.create_upload(len(partial))
    tampered_id = village.upload(tampered[:-1] + bytes([tampered[-1] ^ 1]))
    missing_id = uuid.uuid4().hex
    docs = [
        document_for(good_id, good),
        document_for(partial_id, partial),
        document_for(tampered_id, tampered),
        document_for(missing_id, b"%PDF-1.4 never sent"),
    ]
    manifest = {"applications": [sample_application(docs)]}
    batch_id = str(uuid.uuid4())
    r = village.request("PUT", f"/batches/{batch_id}", json=manifest)
    assert r.status_code == 422
    body = ErrorBody.model_validate(r.json())
    assert body.error == "uploads_invalid"
    found = {(str(p.document_id), p.upload_id, p.problem.value) for p in body.uploads}
    assert found == {
        (docs[1]["id"], partial_id, "incomplete"),
        (docs[2]["id"], tampered_id, "sha256_mismatch"),
        (docs[3]["id"], missing_id, "missing"),
    }
    bad = next(p for p in body.uploads if p.problem.value == "sha256_mismatch")
    assert bad.received_sha256 is not None and bad.received_sha256 != sha256_hex(tampered)
    # Nothing was stored: the good upload is still free, the batch id still unused.
    assert village.request("GET", "/changes").json()["changes"] == []
    # The client fixes the files and sends the same batch again: now 201.
    r = village.request(
        "PATCH",
        f"/uploads/{partial_id}",
        data=partial,
        headers={
            "Tus-Resumable": "1.0.0",
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert r.status_code == 204
    fixed = [docs[0], docs[1], document_for(village.upload(tampered), tampered)]
    fixed[2]["id"] = docs[2]["id"]
    manifest["applications"][0]["documents"] = fixed
    assert village.request("PUT", f"/batches/{batch_id}", json=manifest).status_code == 201


def test_upload_cannot_serve_two_documents(village: EnrolledDevice) -> None:
    data = b"%PDF-1.4 once"
    upload_id = village.upload(data)
    first = {"applications": [sample_application([document_for(upload_id, data)])]}
    assert village.request("PUT", f"/batches/{uuid.uuid4()}", json=first).status_code == 201
    second = {"applications": [sample_application([document_for(upload_id, data)])]}
    r = village.request("PUT", f"/batches/{uuid.uuid4()}", json=second)
    assert r.status_code == 422
    assert [p["problem"] for p in r.json()["uploads"]] == ["already_used"]


def test_manifest_validation(village: EnrolledDevice) -> None:
    app = sample_application([], service_code="no_such_service")
    app["applicant"]["nik"] = "3204059999900001"  # day 99: no date
    r = village.request("PUT", f"/batches/{uuid.uuid4()}", json={"applications": [app, copy.deepcopy(app)]})
    assert r.status_code == 422
    body = ErrorBody.model_validate(r.json())
    assert body.error == "manifest_invalid"
    kinds = {p.problem.value for p in body.applications}
    assert kinds == {"unknown_service", "invalid_nik", "duplicate_id"}
    assert all(p.message_id and p.message_en for p in body.applications)
    # Schema errors: 422 invalid_request naming the field.
    r = village.request("PUT", f"/batches/{uuid.uuid4()}", json={"applications": [{"id": "x"}]})
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"
    assert any(f["loc"][:2] == ["body", "applications"] for f in r.json()["fields"])
    assert village.request("PUT", "/batches/not-a-uuid", json={"applications": []}).status_code == 422


def test_known_application_not_in_needs_fix_is_409(village: EnrolledDevice) -> None:
    _, manifest, r = submit_batch(village)
    assert r.status_code == 201
    r = village.request("PUT", f"/batches/{uuid.uuid4()}", json=manifest)
    assert r.status_code == 409
    body = ErrorBody.model_validate(r.json())
    assert body.error == "application_conflict"
    assert [str(p.application_id) for p in body.applications] == [manifest["applications"][0]["id"]]


def test_addendum_for_needs_fix(village: EnrolledDevice, admin: AdminClient) -> None:
    _, manifest, r = submit_batch(village, docs_per_application=1)
    app = manifest["applications"][0]
    app_id = admin.app_id(app["id"])
    assert admin.status(app_id, "needs_fix", "Foto KK buram, mohon pindai ulang").status_code == 200
    # The addendum repeats the application with the old document plus a new one.
    new = b"%PDF-1.4 rescan" + os.urandom(50)
    addendum = copy.deepcopy(app)
    addendum["documents"].append(document_for(village.upload(new), new, requirement_code="sk_lahir"))
    addendum["applicant"]["name"] = "Budi Santoso Putra"
    r = village.request("PUT", f"/batches/{uuid.uuid4()}", json={"applications": [addendum]})
    assert r.status_code == 201
    receipt = BatchReceipt.model_validate(r.json())
    assert receipt.applications[0].addendum and receipt.applications[0].status == "sent"
    shown = admin.request("GET", f"/applications/{app_id}").json()
    assert shown["status"] == "sent" and shown["applicant"]["name"] == "Budi Santoso Putra"
    assert sorted(d["requirement_code"] for d in shown["documents"]) == ["kk", "sk_lahir"]
    statuses = [c["status"] for c in village.request("GET", "/changes").json()["changes"]]
    assert statuses == ["sent", "needs_fix", "sent"]


def test_same_batch_under_new_upload_ids_is_a_replay(village: EnrolledDevice) -> None:
    """A laptop restored from a backup made before a batch went out re-uploads its files
    (new tus upload ids, same bytes) and sends the batch again: the same receipt, nothing
    stored twice. The same ids with other bytes stay a conflict."""
    data = [b"%PDF-1.4 kk " + os.urandom(64), b"%PDF-1.4 akta " + os.urandom(64)]
    docs = [document_for(village.upload(d), d) for d in data]
    manifest = {"applications": [sample_application(docs)]}
    batch_id = str(uuid.uuid4())
    first = village.request("PUT", f"/batches/{batch_id}", json=manifest)
    assert first.status_code == 201

    again = copy.deepcopy(manifest)
    for doc, d in zip(again["applications"][0]["documents"], data, strict=True):
        doc["upload_id"] = village.upload(d)
    assert {d["upload_id"] for d in again["applications"][0]["documents"]}.isdisjoint(
        d["upload_id"] for d in docs
    )
    r = village.request("PUT", f"/batches/{batch_id}", json=again)
    assert r.status_code == 200 and r.json() == first.json()
    assert len(village.request("GET", "/changes").json()["changes"]) == 1  # stored once

    other_bytes = b"%PDF-1.4 lain " + os.urandom(64)
    changed = copy.deepcopy(manifest)
    changed["applications"][0]["documents"][1] = document_for(village.upload(other_bytes), other_bytes)
    changed["applications"][0]["documents"][1]["id"] = docs[1]["id"]
    r = village.request("PUT", f"/batches/{batch_id}", json=changed)
    assert r.status_code == 409 and ErrorBody.model_validate(r.json()).error == "conflict"
