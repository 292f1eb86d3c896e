"""Change feed (paging, order, concurrency), village events, finished documents."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

from desa_capil.api.models import ChangePage, EventsResult
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import AdminClient, EnrolledDevice, submit_batch


def all_changes(device: EnrolledDevice, limit: int = 100) -> list[int]:
    seqs: list[int] = []
    after = 0
    while True:
        page = ChangePage.model_validate(
            device.request("GET", "/changes", params={"after": after, "limit": limit}).json()
        )
        seqs += [c.seq for c in page.changes]
        after = page.next_after
        if not page.has_more:
            return seqs


def test_paging_in_order(village: EnrolledDevice) -> None:
    _, _, r = submit_batch(village, n_applications=7, docs_per_application=1, size=10)
    assert r.status_code == 201
    seqs = all_changes(village, limit=3)
    assert len(seqs) == 7 and seqs == sorted(seqs) and len(set(seqs)) == 7
    page = village.request("GET", "/changes", params={"after": seqs[-1]}).json()
    assert page == {"changes": [], "next_after": seqs[-1], "has_more": False}
    assert village.request("GET", "/changes", params={"limit": 0}).status_code == 422
    assert village.request("GET", "/changes", params={"limit": 501}).status_code == 422


def test_reader_never_skips_under_concurrent_writes(village: EnrolledDevice, admin: AdminClient) -> None:
    _, manifest, r = submit_batch(village, n_applications=12, docs_per_application=1, size=10)
    assert r.status_code == 201
    ids = [admin.app_id(a["id"]) for a in manifest["applications"]]
    done = threading.Event()
    errors: list[str] = []

    def writer(chunk: list[int]) -> None:
        for app_id in chunk:
            for status in ("in_review", "processing", "finished"):
                resp = admin.status(app_id, status)
                if resp.status_code != 200:
                    errors.append(resp.text)

    writers = [threading.Thread(target=writer, args=(ids[i::3],)) for i in range(3)]
    seen: list[int] = []
    after = 0
    for t in writers:
        t.start()
    finisher = threading.Thread(target=lambda: ([t.join() for t in writers], done.set()))
    finisher.start()
    while True:  # a client pulling changes while the office writes
        final = done.is_set()
        page = ChangePage.model_validate(
            village.request("GET", "/changes", params={"after": after, "limit": 5}).json()
        )
        seen += [c.seq for c in page.changes]
        after = page.next_after
        if final and not page.has_more:
            break
    finisher.join()
    assert not errors
    assert seen == all_changes(village)
    assert len(seen) == 12 * 4


def test_events_dispatch_and_document(
    server: EmbeddedServer, village: EnrolledDevice, admin: AdminClient
) -> None:
    _, manifest, _ = submit_batch(village)
    client_id = manifest["applications"][0]["id"]
    app_id = admin.app_id(client_id)
    pdf = b"%PDF-1.7\n% signed akta\n" + b"0" * 1000
    for step in ("processing", "finished"):
        assert admin.status(app_id, step).status_code == 200
    r = admin.request(
        "POST", f"/applications/{app_id}/finished-documents", params={"title": "Akta Kelahiran"}, data=pdf
    )
    assert r.status_code == 201
    doc_id = r.json()["id"]
    # Not dispatched yet: the village cannot fetch it.
    assert village.request("GET", f"/documents/{doc_id}/file").status_code == 404
    r = admin.request(
        "POST", "/dispatches", json={"village_code": village.village_code, "application_ids": [app_id]}
    )
    assert r.status_code == 201
    changes = village.request("GET", "/changes").json()["changes"]
    dispatched = changes[-1]
    assert dispatched["status"] == "dispatched"
    assert dispatched["documents"] == [
        {
            "id": doc_id,
            "title": "Akta Kelahiran",
            "has_file": True,
            "size": len(pdf),
            "sha256": r.json()["applications"][0]["finished_documents"][0]["sha256"],
        }
    ]
    f = village.request("GET", f"/documents/{doc_id}/file")
    assert f.status_code == 200 and f.content == pdf and f.headers["content-type"] == "application/pdf"
    # Events: arrived, then handed_over; replays are answered from the first outcome.
    now = datetime.now(UTC).isoformat()
    arrived = {"id": str(uuid.uuid4()), "application_id": client_id, "status": "arrived", "at": now}
    handed = {
        "id": str(uuid.uuid4()),
        "application_id": client_id,
        "status": "handed_over",
        "at": now,
        "handover": {
            "recipient_name": "Siti",
            "relation": "ibu",
            "id_checked": True,
            "operator": "Pak Kades",
        },
    }
    r = village.request("POST", "/events", json={"events": [arrived, handed]})
    res = EventsResult.model_validate(r.json()).results
    assert [x.outcome.value for x in res] == ["applied", "applied"] and not any(x.duplicate for x in res)
    again = EventsResult.model_validate(
        village.request("POST", "/events", json={"events": [arrived, handed]}).json()
    ).results
    assert all(x.duplicate for x in again)
    assert [x.seq for x in again] == [x.seq for x in res]
    statuses = [c["status"] for c in village.request("GET", "/changes").json()["changes"]]
    assert statuses[-2:] == ["arrived", "handed_over"]
    assert admin.request("GET", f"/applications/{app_id}").json()["status"] == "handed_over"


def test_events_rejected_when_not_allowed(village: EnrolledDevice) -> None:
    _, manifest, _ = submit_batch(village)
    client_id = manifest["applications"][0]["id"]
    now = datetime.now(UTC).isoformat()
    events = [
        {
            "id": str(uuid.uuid4()),
            "application_id": client_id,
            "status": "arrived",
            "at": now,
        },  # not dispatched
        {"id": str(uuid.uuid4()), "application_id": str(uuid.uuid4()), "status": "arrived", "at": now},
        {
            "id": str(uuid.uuid4()),
            "application_id": client_id,
            "status": "finished",
            "at": now,
        },  # office only
    ]
    res = EventsResult.model_validate(
        village.request("POST", "/events", json={"events": events}).json()
    ).results
    assert [x.outcome.value for x in res] == ["rejected"] * 3
    assert all(x.message_id and x.message_en for x in res)
    assert [c["status"] for c in village.request("GET", "/changes").json()["changes"]] == ["sent"]


def test_handover_needs_recipient(village: EnrolledDevice, admin: AdminClient) -> None:
    _, manifest, _ = submit_batch(village)
    client_id = manifest["applications"][0]["id"]
    assert admin.finish_and_dispatch(admin.app_id(client_id), village.village_code).status_code == 201
    now = datetime.now(UTC).isoformat()
    events = [
        {"id": str(uuid.uuid4()), "application_id": client_id, "status": "arrived", "at": now},
        {"id": str(uuid.uuid4()), "application_id": client_id, "status": "handed_over", "at": now},
    ]
    res = village.request("POST", "/events", json={"events": events}).json()["results"]
    assert [x["outcome"] for x in res] == ["applied", "rejected"]
    # A printed document: the dispatched change lists it without a file.
    docs = village.request("GET", "/changes").json()["changes"][-2]["documents"]
    assert [(d["title"], d["has_file"]) for d in docs] == [("Akta Kelahiran", False)]
