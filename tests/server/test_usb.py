"""The USB route at the office, over real HTTP: offline enrollment, bundle import (idempotent,
the same answers as online), refusals that write nothing, relay, online key registration and
return bundles (docs/usb-route.md)."""

from __future__ import annotations

import base64
import copy
import hashlib
import os
import random
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import (
    AdminClient,
    EnrolledDevice,
    enroll_by_stick,
    stick_batch,
    submit_batch,
)
from desa_capil.server.testing import StickLaptop as Laptop
from desa_capil.usbroute import (
    BatchForBundle,
    KeySet,
    make_code,
    read_header,
    write_village_bundle,
)
from desa_capil.usbroute.payloads import open_return_bundle

OFFLINE = "53.14.01.2001"


def new_batch(n: int = 1) -> BatchForBundle:
    return stick_batch(n)


def enroll_offline(server: EmbeddedServer, admin: AdminClient, village_code: str = OFFLINE) -> Laptop:
    return enroll_by_stick(server, village_code)


def import_(admin: AdminClient, path: Path) -> requests.Response:
    return admin.request(
        "POST", "/usb/import", data=path.read_bytes(), headers={"Content-Type": "application/octet-stream"}
    )


def reason(r: requests.Response) -> str:
    body = r.json()
    assert body["error"] == "bundle_refused", body
    assert body["message_id"] and body["message_en"]
    return str(body["fields"][0]["message"])


def applications(admin: AdminClient) -> list[dict[str, Any]]:
    return list(admin.request("GET", "/applications", params={"limit": 500}).json()["items"])


def test_offline_loop_enroll_import_twice_and_return(
    server: EmbeddedServer, admin: AdminClient, tmp_path: Path
) -> None:
    laptop = enroll_offline(server, admin)
    batches = [new_batch(2), new_batch(1)]
    first = laptop.bundle(tmp_path, batches)
    r = import_(admin, first)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["keys_registered"] and not report["duplicate"]
    assert [b["status"] for b in report["batches"]] == [201, 201]
    assert len(applications(admin)) == 3
    laptop.proved = True

    # The same bundle again (a second office clerk, or the stick read twice): nothing changes.
    again = import_(admin, first)
    assert again.status_code == 200 and again.json()["duplicate"]
    assert again.json()["batches"] == report["batches"]
    assert len(applications(admin)) == 3
    # A damaged copy of it is refused for what it is, not taken for the imported one.
    damaged = tmp_path / "damaged.dcb"
    raw = bytearray(first.read_bytes())
    raw[-200] ^= 0x01
    damaged.write_bytes(bytes(raw))
    assert reason(import_(admin, damaged)) == "bad_signature"
    # The same batches in a later bundle: the online replay answers (200, the first receipts).
    later = import_(admin, laptop.bundle(tmp_path, batches, cursor=0))
    assert [b["status"] for b in later.json()["batches"]] == [200, 200]
    assert [b["receipt"] for b in later.json()["batches"]] == [b["receipt"] for b in report["batches"]]
    # Same batch id, other content: 409 as online.
    changed = copy.deepcopy(dict(batches[1].manifest))
    changed["applications"][0]["notes"] = "diubah"
    conflict = import_(
        admin, laptop.bundle(tmp_path, [BatchForBundle(batches[1].batch_id, changed, batches[1].files)])
    )
    assert [b["status"] for b in conflict.json()["batches"]] == [409]
    # A new batch id carrying applications the office already holds in another batch: refused,
    # and the office does not hold it, so its refusal must travel back in the return bundle.
    stray = str(uuid.uuid4())
    refused = import_(admin, laptop.bundle(tmp_path, [BatchForBundle(stray, changed, batches[1].files)]))
    (stray_outcome,) = refused.json()["batches"]
    assert stray_outcome["status"] in (409, 422), stray_outcome

    # The office finishes one application; the return bundle carries the change and the PDF.
    client_id = batches[0].manifest["applications"][0]["id"]
    pdf = b"%PDF-1.7 signed " + os.urandom(3000)
    admin.finish_and_dispatch(admin.app_id(client_id), OFFLINE, pdf).raise_for_status()
    fix_id = batches[0].manifest["applications"][1]["id"]
    admin.status(admin.app_id(fix_id), "needs_fix", "Foto KK buram, pindai ulang").raise_for_status()
    r = admin.request("POST", f"/usb/return/{OFFLINE}")
    assert r.status_code == 200, r.text
    back = tmp_path / "kembali.dcb"
    back.write_bytes(r.content)
    with open_return_bundle(
        back,
        keys=laptop.keys,
        office_sign_public=laptop.enrollment.office_sign_public,
        village_code=OFFLINE,
        device_id=laptop.enrollment.device_id,
    ) as b:
        meta = b.meta
        assert meta["after"] == 0 and meta["pages"][-1]["has_more"] is False
        changes = [c for p in meta["pages"] for c in p["changes"]]
        mine = [c for c in changes if c["application_id"] == client_id]
        assert [c["status"] for c in mine] == ["sent", "processing", "finished", "dispatched"]
        # The needs-fix message travels with its change, as online.
        fix = [c for c in changes if c["application_id"] == fix_id]
        assert [(c["status"], c["message"]) for c in fix] == [
            ("sent", ""),
            ("needs_fix", "Foto KK buram, pindai ulang"),
        ]
        assert {c["application_id"] for c in changes} == {
            a["id"] for batch in batches for a in batch.manifest["applications"]
        }
        # Every batch of the laptop the office holds, acknowledged.
        held = {b["batch_id"]: b["receipt"] for b in meta["received"]["batches"]}
        assert held == {b.batch_id: r["receipt"] for b, r in zip(batches, report["batches"], strict=True)}
        # The refused batch comes back with the office's answer (only it: the 409 on a held batch
        # id is answered by that batch's receipt).
        assert meta["refused"] == [
            {"batch_id": stray, "status": stray_outcome["status"], "error": stray_outcome["error"]}
        ]
        assert meta["refused"][0]["error"]["message_id"]
        assert b.header.device_id == laptop.enrollment.device_id
        (doc,) = meta["documents"]
        assert doc["sha256"] == hashlib.sha256(pdf).hexdigest()
        assert b.read(doc["file"]) == pdf

    # An arrival event brought by stick is applied like the online one, and only once.
    event = {
        "id": str(uuid.uuid4()),
        "application_id": client_id,
        "status": "arrived",
        "at": datetime.now(UTC).isoformat(),
    }
    ev = import_(admin, laptop.bundle(tmp_path, [], events=[event], cursor=4)).json()
    assert [e["outcome"] for e in ev["events"]] == ["applied"]
    ev2 = import_(admin, laptop.bundle(tmp_path, [], events=[event], cursor=5)).json()
    assert ev2["events"][0]["duplicate"] is True
    status = {a["client_id"]: a["status"] for a in applications(admin)}
    assert status[client_id] == "arrived"


def test_refused_bundles_write_nothing(server: EmbeddedServer, admin: AdminClient, tmp_path: Path) -> None:
    laptop = enroll_offline(server, admin)
    good = laptop.bundle(tmp_path, [new_batch()])
    raw = good.read_bytes()
    bad = tmp_path / "bad.dcb"
    rng = random.Random(16)
    for cut in rng.sample(range(1, len(raw)), 4):
        bad.write_bytes(raw[:cut])
        assert reason(import_(admin, bad)) == "truncated"
    flipped = bytearray(raw)
    flipped[len(raw) // 2] ^= 0x10
    bad.write_bytes(bytes(flipped))
    assert reason(import_(admin, bad)) == "bad_signature"

    # The paper code wrong (the stick alone, found by someone else): no enrollment.
    thief = Laptop(laptop.enrollment, make_code())
    assert reason(import_(admin, thief.bundle(tmp_path, [new_batch()]))) == "bad_signature"
    # A bundle for another office key.
    foreign = laptop.bundle(tmp_path, [new_batch()], office_box_public=KeySet.generate().box_public)
    assert reason(import_(admin, foreign)) == "wrong_recipient"
    # Foreign village code in the header for this device.
    server.create_village("53.14.01.2002", "Desa Lain")
    moved = laptop.bundle(tmp_path, [new_batch()], village_code="53.14.01.2002")
    assert reason(import_(admin, moved)) == "wrong_village"
    # An unknown device.
    ghost = laptop.bundle(tmp_path, [new_batch()], device_id=uuid.uuid4().hex)
    assert reason(import_(admin, ghost)) == "unknown_device"
    # A return bundle is not imported as a village bundle.
    junk = tmp_path / "junk.dcb"
    junk.write_bytes(b"not a bundle at all")
    assert reason(import_(admin, junk)) == "format"
    assert applications(admin) == []

    # Now the real laptop enrolls; afterwards a bundle signed by any other key is refused,
    # even one carrying a valid-looking enrollment proof (the enrollment is used).
    ok = import_(admin, good)
    assert ok.status_code == 200 and ok.json()["keys_registered"]
    laptop.proved = True
    count = len(applications(admin))
    late = thief.bundle(tmp_path, [new_batch()])
    assert reason(import_(admin, late)) == "bad_signature"
    # The bundle id of the first laptop's bundle, replayed by another laptop of the village.
    second = enroll_offline(server, admin)
    replay = second.bundle(tmp_path, [new_batch()], bundle_id=read_header(good).bundle_id)
    r = import_(admin, replay)
    assert r.status_code == 409 and reason(r) == "replayed"
    assert len(applications(admin)) == count


def test_online_laptop_registers_keys_and_bundles_agree_with_online(
    server: EmbeddedServer,
    admin: AdminClient,
    village: EnrolledDevice,
    village_b: EnrolledDevice,
    tmp_path: Path,
) -> None:
    office = village.request("GET", "/usb/office-keys")
    assert office.status_code == 200
    okeys = office.json()
    keys = KeySet.generate()
    r = village.request("PUT", "/device/keys", json=keys.public())
    assert r.status_code == 201 and r.json() == okeys
    assert village.request("PUT", "/device/keys", json=keys.public()).status_code == 200
    assert village.request("PUT", "/device/keys", json=KeySet.generate().public()).status_code == 409
    assert (
        village.request("PUT", "/device/keys", json={"sign_public": "x", "box_public": "y"}).status_code
        == 422
    )

    # A batch sent online, then again on a stick (the laptop could not tell it had arrived).
    batch_id, manifest, online = submit_batch(village, n_applications=1)
    assert online.status_code == 201
    fresh = new_batch()
    path = tmp_path / "online-laptop.dcb"
    write_village_bundle(
        path,
        keys=keys,
        device_id=village.device_id,
        village_code=village.village_code,
        seq=1,
        office_box_public=okeys["box_public"],
        batches=[BatchForBundle(batch_id, manifest, {}), fresh],
    )
    # Carried by another village's laptop that has a link ("titip kirim").
    relayed = village_b.request(
        "POST", "/usb/relay", data=path.read_bytes(), headers={"Content-Type": "application/octet-stream"}
    )
    assert relayed.status_code == 200, relayed.text
    report = relayed.json()
    assert report["carrier"] == f"relay:{uuid.UUID(village_b.device_id).hex}"
    assert [b["status"] for b in report["batches"]] == [200, 201]
    assert report["batches"][0]["receipt"] == online.json()
    # The new batch belongs to the village that made it, not to the relay's.
    mine = {a["client_id"]: a["village_code"] for a in applications(admin)}
    assert mine[fresh.manifest["applications"][0]["id"]] == village.village_code
    # The batch that came by stick, PUT online later by the same laptop: the online replay.
    again = village.request("PUT", f"/batches/{fresh.batch_id}", json=dict(fresh.manifest))
    assert again.status_code == 200 and again.json() == report["batches"][1]["receipt"]

    # A relay cannot pass off a bundle signed by a key that is not the village device's.
    forged = tmp_path / "forged.dcb"
    write_village_bundle(
        forged,
        keys=KeySet.generate(),
        device_id=village.device_id,
        village_code=village.village_code,
        seq=2,
        office_box_public=okeys["box_public"],
        batches=[new_batch()],
    )
    r = village_b.request(
        "POST", "/usb/relay", data=forged.read_bytes(), headers={"Content-Type": "application/octet-stream"}
    )
    assert r.status_code == 422 and reason(r) == "bad_signature"
    assert village_b.request("POST", "/usb/relay", data=b"x").status_code == 422
    assert requests.post(f"{server.base_url}/api/v1/usb/relay", data=b"x", timeout=10).status_code == 401


def test_admin_routes_need_the_admin_token(server: EmbeddedServer, village: EnrolledDevice) -> None:
    for method, path in (
        ("POST", "/admin/usb/enrollments"),
        ("POST", "/admin/usb/import"),
        ("POST", f"/admin/usb/return/{OFFLINE}"),
    ):
        assert village.request(method, path, json={}).status_code == 401
    r = requests.post(
        f"{server.base_url}/api/v1/admin/usb/return/{OFFLINE}",
        headers={"Authorization": f"Bearer {server.admin_token}"},
        timeout=10,
    )
    assert r.status_code == 404


def test_stick_enrolled_laptop_gets_a_token_the_day_it_has_a_link(
    server: EmbeddedServer, admin: AdminClient, tmp_path: Path
) -> None:
    from desa_capil.usbroute.keys import sign, token_request_message

    laptop = enroll_offline(server, admin)
    device_id = laptop.enrollment.device_id
    api = f"{server.base_url}/api/v1/usb"

    def request_token(keys: KeySet, challenge: str) -> requests.Response:
        signature = base64.b64encode(sign(keys.signing, token_request_message(device_id, challenge))).decode()
        body = {"device_id": device_id, "challenge": challenge, "signature": signature}
        return requests.post(f"{api}/token", json=body, timeout=10)

    # Before the office knows its keys (no bundle imported yet): nothing to prove.
    assert (
        requests.get(f"{api}/token-challenge", params={"device_id": device_id}, timeout=10).status_code == 401
    )
    assert import_(admin, laptop.bundle(tmp_path, [new_batch()])).status_code == 200
    challenge = requests.get(f"{api}/token-challenge", params={"device_id": device_id}, timeout=10).json()[
        "challenge"
    ]
    assert request_token(KeySet.generate(), challenge).status_code == 401  # another key
    r = request_token(laptop.keys, challenge)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["village"]["code"] == OFFLINE and uuid.UUID(body["device_id"]) == uuid.UUID(device_id)
    online = EnrolledDevice(server.base_url, body["token"], device_id, OFFLINE)
    changes = online.request("GET", "/changes").json()["changes"]
    assert [c["status"] for c in changes] == ["sent"]  # its own village's application
    # The same signed request again (replayed): the challenge is stale once a token was issued.
    assert request_token(laptop.keys, challenge).status_code == 401
    assert online.request("GET", "/changes").status_code == 200
    assert (
        requests.get(f"{api}/token-challenge", params={"device_id": uuid.uuid4().hex}, timeout=10).status_code
        == 401
    )


def test_enrollment_expires_and_locks_after_wrong_codes(
    server: EmbeddedServer, admin: AdminClient, tmp_path: Path
) -> None:
    from datetime import timedelta

    from desa_capil.server.db import utcnow
    from desa_capil.server.usb_models import UsbEnrollment

    assert server.service is not None
    db = server.service.db
    # Five wrong paper codes lock the enrollment: the right code afterwards is refused too.
    laptop = enroll_offline(server, admin)
    for _ in range(5):
        guess = Laptop(laptop.enrollment, make_code())
        assert reason(import_(admin, guess.bundle(tmp_path, [new_batch()]))) == "bad_signature"
    r = import_(admin, laptop.bundle(tmp_path, [new_batch()]))
    assert r.status_code == 409 and reason(r) == "enrollment_used"
    # An enrollment past its expiry is refused with its own reason.
    late = enroll_offline(server, admin)
    with db.session() as s:
        row = s.get(UsbEnrollment, late.enrollment.enrollment_id)
        assert row is not None
        row.expires_at = utcnow() - timedelta(minutes=1)
        s.add(row)
        s.commit()
    assert reason(import_(admin, late.bundle(tmp_path, [new_batch()]))) == "expired"
    assert applications(admin) == []
    # What counts is when the laptop used the enrollment (the bundle's signed time), not when the
    # stick reached the office: a bundle made before the expiry is accepted after it.
    in_time = enroll_offline(server, admin)
    made = in_time.bundle(tmp_path, [new_batch()])
    with db.session() as s:
        row = s.get(UsbEnrollment, in_time.enrollment.enrollment_id)
        assert row is not None
        row.expires_at = utcnow()  # expired after the bundle was written, before it arrives
        s.add(row)
        s.commit()
    r = import_(admin, made)
    assert r.status_code == 200, r.text
    assert r.json()["keys_registered"] and [b["status"] for b in r.json()["batches"]] == [201]


def test_old_bundle_after_newer_online_changes_is_harmless(
    server: EmbeddedServer, admin: AdminClient, village: EnrolledDevice, tmp_path: Path
) -> None:
    keys = KeySet.generate()
    okeys = village.request("PUT", "/device/keys", json=keys.public()).json()
    batch_id, manifest, online = submit_batch(village)
    assert online.status_code == 201
    client_id = manifest["applications"][0]["id"]
    now = datetime.now(UTC).isoformat()
    stale_arrival = {"id": str(uuid.uuid4()), "application_id": client_id, "status": "arrived", "at": now}
    # The stick bundle is made now, but reaches the office only after everything below.
    old = tmp_path / "old.dcb"
    write_village_bundle(
        old,
        keys=keys,
        device_id=village.device_id,
        village_code=village.village_code,
        seq=1,
        office_box_public=okeys["box_public"],
        batches=[BatchForBundle(batch_id, manifest, {})],
        events=[stale_arrival],
    )
    admin.finish_and_dispatch(admin.app_id(client_id), village.village_code).raise_for_status()
    arrived = {"id": str(uuid.uuid4()), "application_id": client_id, "status": "arrived", "at": now}
    handed = {
        "id": str(uuid.uuid4()),
        "application_id": client_id,
        "status": "handed_over",
        "at": now,
        "handover": {"recipient_name": "Budi Santoso"},
    }
    assert village.request("POST", "/events", json={"events": [arrived, handed]}).status_code == 200
    before = village.request("GET", "/changes").json()["changes"]

    r = import_(admin, old)
    assert r.status_code == 200, r.text
    report = r.json()
    assert [b["status"] for b in report["batches"]] == [200]
    assert [e["outcome"] for e in report["events"]] == ["rejected"]
    # Nothing moved back: the same changes, the application still handed over.
    assert village.request("GET", "/changes").json()["changes"] == before
    assert {a["client_id"]: a["status"] for a in applications(admin)}[client_id] == "handed_over"


def test_files_a_crashed_import_left_are_purged_after_a_day(server: EmbeddedServer) -> None:
    from desa_capil.server.usb import UsbService

    assert server.service is not None
    incoming = server.settings.data_dir / "usb" / "incoming"
    old, fresh = incoming / "in-old", incoming / "in-fresh"
    for folder in (old, fresh):
        folder.mkdir(parents=True)
        (folder / "bundle.dcb").write_bytes(b"x")
    day_ago = datetime.now(UTC).timestamp() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    UsbService(server.service)
    assert not old.exists() and (fresh / "bundle.dcb").exists()
