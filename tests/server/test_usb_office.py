"""The office side of the USB route, second round: the backup of a revoked laptop (accepted only
on an admin's explicit confirmation), one invalid batch in a trip (the others are imported),
return bundles per laptop with cursors that also move with online pulls."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from desa_capil.server.cli import main
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import AdminClient, EnrolledDevice, StickLaptop, stick_batch, submit_batch
from desa_capil.usbroute import BatchForBundle, BundleError, KeySet, write_village_bundle
from desa_capil.usbroute.payloads import open_return_bundle

VILLAGE = "53.14.01.2001"


def import_(admin: AdminClient, path: Path, **params: Any) -> requests.Response:
    return admin.request(
        "POST",
        "/usb/import",
        data=path.read_bytes(),
        params=params,
        headers={"Content-Type": "application/octet-stream"},
    )


def reason(r: requests.Response) -> str:
    body = r.json()
    assert body["error"] == "bundle_refused", body
    return str(body["fields"][0]["message"])


def client_ids(admin: AdminClient) -> list[str]:
    items = admin.request("GET", "/applications", params={"limit": 500}).json()["items"]
    return sorted(a["client_id"] for a in items)


def app_ids(*batches: BatchForBundle) -> list[str]:
    return sorted(a["id"] for b in batches for a in b.manifest["applications"])


def test_revoked_laptops_backup_is_accepted_only_on_an_admins_confirmation(
    server: EmbeddedServer,
    admin: AdminClient,
    village: EnrolledDevice,
    stick_laptop: Callable[..., StickLaptop],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    laptop = stick_laptop(server, VILLAGE)
    first = stick_batch()
    assert import_(admin, laptop.bundle(tmp_path, [first])).status_code == 200
    laptop.proved = True
    r = admin.request("POST", f"/devices/{laptop.device_id}/revoke")
    assert r.status_code == 200, r.text

    # The laptop broke / was replaced: its unsent work comes as a backup bundle.
    unsent = [stick_batch(2), stick_batch()]
    event = {
        "id": str(uuid.uuid4()),
        "application_id": first.manifest["applications"][0]["id"],
        "status": "arrived",
        "at": datetime.now(UTC).isoformat(),
    }
    backup = laptop.bundle(tmp_path, [first, *unsent], events=[event], purpose="backup")
    before = client_ids(admin)
    refused = import_(admin, backup)
    assert refused.status_code == 422 and reason(refused) == "revoked"
    # The refusal says how to accept it.
    assert "Terima cadangan dari laptop yang dicabut" in refused.json()["message_id"]
    assert "--accept-revoked" in refused.json()["message_en"]
    assert client_ids(admin) == before
    # A relay ("titip kirim") cannot confirm anything: still refused.
    relayed = village.request(
        "POST", "/usb/relay", data=backup.read_bytes(), headers={"Content-Type": "application/octet-stream"}
    )
    assert relayed.status_code == 422 and reason(relayed) == "revoked"
    assert client_ids(admin) == before

    # The admin confirms: imported through the same service functions, same client ids.
    ok = import_(admin, backup, accept_revoked="true")
    assert ok.status_code == 200, ok.text
    report = ok.json()
    assert report["accepted_revoked_by"] == "api"
    assert [b["status"] for b in report["batches"]] == [200, 201, 201]
    assert [e["outcome"] for e in report["events"]] == ["rejected"]  # "sent" -> "arrived" is not allowed
    mine = set(client_ids(admin)) - set(before)
    assert mine >= set(app_ids(*unsent))
    log = admin.request("GET", "/log").json()
    assert any(e["action"] == "usb_accept_revoked" and e["actor"] == "api" for e in log), log
    # Idempotent as always: the same backup again (confirmed or not) changes nothing.
    count = len(client_ids(admin))
    again = import_(admin, backup, accept_revoked="true").json()
    assert again["duplicate"] and again["batches"] == report["batches"]
    assert import_(admin, backup).json()["duplicate"]
    assert len(client_ids(admin)) == count
    # A later bundle of the revoked laptop is refused again without a new confirmation.
    late = laptop.bundle(tmp_path, [stick_batch()])
    assert reason(import_(admin, late)) == "revoked"

    # The same from the terminal: refused without the flag, accepted and recorded with it.
    assert server.service is not None
    data = ["--data", str(server.settings.data_dir)]
    if server.settings.database_url:
        data += ["--database-url", server.settings.database_url]
    capsys.readouterr()
    assert main([*data, "usb", "import", str(late)]) == 2
    assert "[revoked]" in capsys.readouterr().err
    assert main([*data, "usb", "import", "--accept-revoked", str(late)]) == 0
    assert "revoked laptop, accepted on the confirmation of" in capsys.readouterr().out
    assert len(client_ids(admin)) == count + 1


def test_one_invalid_batch_does_not_block_the_trip(
    server: EmbeddedServer, admin: AdminClient, stick_laptop: Callable[..., StickLaptop], tmp_path: Path
) -> None:
    laptop = stick_laptop(server, VILLAGE)
    good, other = stick_batch(), stick_batch(2)
    broken_manifest = copy.deepcopy(dict(stick_batch().manifest))
    del broken_manifest["applications"][0]["applicant"]["nik"]
    broken = BatchForBundle(str(uuid.uuid4()), broken_manifest, {})
    no_id = BatchForBundle("batch-tanpa-uuid", dict(stick_batch().manifest), {})
    bad_event = {"id": str(uuid.uuid4()), "status": "arrived"}  # no application, no time
    trip = laptop.bundle(tmp_path, [good, broken, other, no_id], events=[bad_event])

    # A damaged copy still refuses everything (signature / decryption is the whole bundle's).
    damaged = tmp_path / "damaged.dcb"
    raw = bytearray(trip.read_bytes())
    raw[len(raw) // 2] ^= 0x04
    damaged.write_bytes(bytes(raw))
    assert reason(import_(admin, damaged)) == "bad_signature"
    assert client_ids(admin) == []

    r = import_(admin, trip)
    assert r.status_code == 200, r.text
    report = r.json()
    assert [(b["batch_id"], b["status"]) for b in report["batches"]] == [
        (good.batch_id, 201),
        (broken.batch_id, 422),
        (other.batch_id, 201),
        ("batch-tanpa-uuid", 422),
    ]
    refusal = report["batches"][1]["error"]
    assert refusal["error"] == "invalid_request" and refusal["message_id"]
    assert any("nik" in f["loc"] for f in refusal["fields"]), refusal
    assert client_ids(admin) == app_ids(good, other)
    (ev,) = report["events"]
    assert ev["id"] == bad_event["id"] and ev["outcome"] == "rejected" and ev["message_id"]
    laptop.proved = True

    # The refused batch travels back so the laptop sets it aside with the reason; the good ones
    # are acknowledged.
    back = tmp_path / "kembali.dcb"
    r = admin.request("POST", f"/usb/return/{VILLAGE}")
    assert r.status_code == 200, r.text
    back.write_bytes(r.content)
    with laptop.open_return(back) as b:
        held = {x["batch_id"] for x in b.meta["received"]["batches"]}
        refused = {x["batch_id"]: x for x in b.meta["refused"]}
    assert held == {good.batch_id, other.batch_id}
    assert refused[broken.batch_id]["status"] == 422
    assert not held & set(refused)

    # Fixed on the laptop and carried again: imported, and no longer in `refused`.
    fixed = stick_batch()
    fixed = BatchForBundle(broken.batch_id, fixed.manifest, fixed.files)
    again = import_(admin, laptop.bundle(tmp_path, [fixed])).json()
    assert [b["status"] for b in again["batches"]] == [201]
    r = admin.request("POST", f"/usb/return/{VILLAGE}")
    back.write_bytes(r.content)
    with laptop.open_return(back) as b:
        held = {x["batch_id"] for x in b.meta["received"]["batches"]}
        refused = {x["batch_id"] for x in b.meta["refused"]}
    assert broken.batch_id in held and broken.batch_id not in refused
    assert not held & refused


def return_bundle(admin: AdminClient, folder: Path, **params: str) -> Path:
    r = admin.request("POST", f"/usb/return/{VILLAGE}", params=params)
    assert r.status_code == 200, r.text
    path = folder / f"kembali-{uuid.uuid4().hex[:6]}.dcb"
    path.write_bytes(r.content)
    return path


def changed_apps(laptop: StickLaptop, path: Path) -> tuple[int, list[str]]:
    with laptop.open_return(path) as b:
        return b.meta["after"], sorted(c["application_id"] for p in b.meta["pages"] for c in p["changes"])


def test_two_laptops_of_a_village_get_their_own_return_bundles(
    server: EmbeddedServer,
    admin: AdminClient,
    stick_laptop: Callable[..., StickLaptop],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    one, two = stick_laptop(server, VILLAGE), stick_laptop(server, VILLAGE)
    b1, b2 = stick_batch(), stick_batch()
    assert import_(admin, one.bundle(tmp_path, [b1])).status_code == 200
    assert import_(admin, two.bundle(tmp_path, [b2])).status_code == 200
    one.proved = two.proved = True

    # Which laptop? The office must say; it lists them.
    r = admin.request("POST", f"/usb/return/{VILLAGE}")
    assert (
        r.status_code == 409
        and one.device_id in r.json()["message_id"]
        and two.device_id in r.json()["message_id"]
    )
    listed = admin.request("GET", f"/usb/return/{VILLAGE}/devices").json()
    assert sorted(d["device_id"] for d in listed) == sorted([one.device_id, two.device_id])
    assert all(d["cursor"] == 0 for d in listed)

    # Each bundle is encrypted to its own laptop only.
    for laptop, other in ((one, two), (two, one)):
        path = return_bundle(admin, tmp_path, device_id=laptop.device_id)
        assert changed_apps(laptop, path) == (0, app_ids(b1, b2))  # the village's changes
        with pytest.raises(BundleError) as refused:
            other.open_return(path)
        assert refused.value.reason in ("wrong_recipient", "other_laptop")

    # Each has its own cursor: laptop one says it holds the first change; two still holds none.
    assert import_(admin, one.bundle(tmp_path, [], cursor=1)).status_code == 200
    assert changed_apps(one, return_bundle(admin, tmp_path, device_id=one.device_id))[0] == 1
    assert changed_apps(two, return_bundle(admin, tmp_path, device_id=two.device_id))[0] == 0
    # A revoked laptop gets none (and is not listed).
    admin.request("POST", f"/devices/{two.device_id}/revoke").raise_for_status()
    assert (
        admin.request("POST", f"/usb/return/{VILLAGE}", params={"device_id": two.device_id}).status_code
        == 404
    )
    assert [d["device_id"] for d in admin.request("GET", f"/usb/return/{VILLAGE}/devices").json()] == [
        one.device_id
    ]
    assert changed_apps(one, return_bundle(admin, tmp_path))[0] == 1  # the only one left: no need to pick

    # From the terminal: one bundle per laptop into a folder.
    three = stick_laptop(server, VILLAGE)
    assert import_(admin, three.bundle(tmp_path, [])).status_code == 200
    out = tmp_path / "stick"
    data = ["--data", str(server.settings.data_dir)]
    if server.settings.database_url:
        data += ["--database-url", server.settings.database_url]
    assert main([*data, "usb", "export-return", "--village", VILLAGE, "--all-devices", str(out)]) == 0
    files = sorted(out.iterdir())
    assert len(files) == 2 and str(uuid.UUID(three.device_id)) in capsys.readouterr().out
    for laptop, cursor in ((one, 1), (three, 0)):
        (mine,) = [f for f in files if uuid.UUID(laptop.device_id).hex[:8] in f.name]
        assert changed_apps(laptop, mine)[0] == cursor
    assert main([*data, "usb", "export-return", "--village", VILLAGE, str(out / "x.dcb")]) == 2
    assert "pilih laptopnya" in capsys.readouterr().err


def test_online_pulls_move_the_cursor_of_the_next_return_bundle(
    server: EmbeddedServer, admin: AdminClient, village: EnrolledDevice, tmp_path: Path
) -> None:
    keys = KeySet.generate()
    okeys = village.request("PUT", "/device/keys", json=keys.public()).json()
    apps = []
    for _ in range(2):
        _bid, manifest, r = submit_batch(village)
        assert r.status_code == 201
        apps.append(manifest["applications"][0]["id"])
    code = village.village_code

    def back() -> dict[str, Any]:
        r = admin.request("POST", f"/usb/return/{code}")
        assert r.status_code == 200, r.text
        path = tmp_path / f"kembali-{uuid.uuid4().hex[:6]}.dcb"
        path.write_bytes(r.content)
        with open_return_bundle(
            path,
            keys=keys,
            office_sign_public=okeys["sign_public"],
            village_code=code,
            device_id=village.device_id,
        ) as b:
            return dict(b.meta)

    assert [c["application_id"] for p in back()["pages"] for c in p["changes"]] == apps
    # The laptop pulls online: the first page, then it asks from where it now stands.
    page = village.request("GET", "/changes", params={"after": 0}).json()
    assert len(page["changes"]) == 2
    assert village.request("GET", "/changes", params={"after": page["next_after"]}).json()["changes"] == []
    # Nothing new since: a valid bundle that only carries the cursor (and the receipts).
    meta = back()
    assert meta["after"] == page["next_after"]
    assert meta["pages"] == [{"changes": [], "next_after": page["next_after"], "has_more": False}]
    assert meta["documents"] == [] and len(meta["received"]["batches"]) == 2
    # The office moves on: only the new change travels.
    admin.status(admin.app_id(apps[1]), "processing").raise_for_status()
    meta = back()
    assert [(c["application_id"], c["status"]) for p in meta["pages"] for c in p["changes"]] == [
        (apps[1], "processing")
    ]
    # A stick bundle written before the online pull (an older cursor) does not move it back,
    # nor does a laptop asking beyond the last change move it past it.
    old = tmp_path / "old.dcb"
    write_village_bundle(
        old,
        keys=keys,
        device_id=village.device_id,
        village_code=code,
        seq=1,
        office_box_public=okeys["box_public"],
        cursor=0,
    )
    assert import_(admin, old).status_code == 200
    assert back()["after"] == page["next_after"]
    village.request("GET", "/changes", params={"after": 10**6}).raise_for_status()
    assert [c["status"] for p in back()["pages"] for c in p["changes"]] == []
    assert back()["after"] == page["next_after"] + 1


def test_a_failing_usb_cursor_write_does_not_fail_the_online_pull(
    server: EmbeddedServer, village: EnrolledDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from desa_capil.server.usb import UsbService

    _bid, manifest, r = submit_batch(village)
    assert r.status_code == 201
    calls: list[int] = []

    def busy(self: UsbService, ctx: object, after: int) -> None:
        calls.append(after)
        raise OperationalError("UPDATE usb_device", {}, Exception("database is locked"))

    monkeypatch.setattr(UsbService, "note_pulled", busy)
    page = village.request("GET", "/changes", params={"after": 0})
    assert page.status_code == 200, page.text
    assert [c["application_id"] for c in page.json()["changes"]] == [manifest["applications"][0]["id"]]
    again = village.request("GET", "/changes", params={"after": page.json()["next_after"]})
    assert again.status_code == 200 and again.json()["changes"] == []
    assert calls == [0, page.json()["next_after"]]
