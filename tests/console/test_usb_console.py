"""The console's USB page: enrollment file + paper slip, bundle import by upload, return bundle."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import AdminClient, StickLaptop, stick_batch
from desa_capil.usbroute import BundleError, parse_enrollment

from .conftest import Console

VILLAGE = "53.14.01.2001"


def upload(console: Console, path: Path) -> str:
    with path.open("rb") as fh:
        r = console.post("/console/usb/impor", files={"bundle": (path.name, fh, "application/octet-stream")})
    assert r.status_code == 303 and r.headers["location"] == "/console/usb", r.text
    return console.flash("/console/usb")


def test_enroll_import_and_return_from_the_console(central: EmbeddedServer, tmp_path: Path) -> None:
    central.create_village(VILLAGE, "Desa Oelaba")
    admin = Console(central, "admin")
    page = admin.get("/console/usb")
    assert (
        page.status_code == 200
        and "Impor kiriman desa" in page.text
        and "Belum ada kiriman flashdisk" in page.text
    )

    slip = admin.post("/console/usb/daftar", {"village_code": VILLAGE, "device_name": "Laptop Oelaba"})
    assert slip.status_code == 200, slip.text
    code = re.search(r'id="enroll-code">([^<]+)<', slip.text)
    link = re.search(r'href="(/console/usb/pendaftaran/[0-9a-f]+)"', slip.text)
    assert code and link
    file = admin.get(link.group(1))
    assert file.status_code == 200 and "attachment" in file.headers["content-disposition"]
    enrollment = parse_enrollment(file.content)
    assert enrollment.village_code == VILLAGE and enrollment.office_key_id in slip.text
    assert code.group(1) not in file.text  # the paper code never travels with the file
    # An operator can import and make return bundles, not enroll laptops.
    oper = Console(central, "oper")
    assert oper.post("/console/usb/daftar", {"village_code": VILLAGE}).status_code == 403
    assert oper.get(link.group(1)).status_code == 403

    laptop = StickLaptop(enrollment, code.group(1))
    batch = stick_batch(size=600)
    (app,) = batch.manifest["applications"]
    bundle = laptop.bundle(tmp_path, [batch])
    assert upload(oper, bundle).startswith(f"ok: Kiriman desa {VILLAGE} no. 1 diimpor: 1 batch baru")
    assert "sudah pernah diimpor" in upload(oper, bundle)
    cut = tmp_path / "cut.dcb"
    cut.write_bytes(bundle.read_bytes()[:-50])
    assert upload(oper, cut).startswith("error: cut.dcb: Berkas kiriman flashdisk terpotong")
    page = oper.get("/console/usb").text
    assert "Desa Oelaba" in page and "Unduh berkas kembali" in page
    # Once a laptop enrolled with it, the enrollment file cannot be downloaded again.
    assert admin.get(link.group(1)).status_code == 404

    r = oper.post(f"/console/usb/kembali/{VILLAGE}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
    back = tmp_path / "kembali.dcb"
    back.write_bytes(r.content)
    with laptop.open_return(back) as b:
        assert [c["application_id"] for p in b.meta["pages"] for c in p["changes"]] == [app["id"]]
    # Without a session or CSRF token: refused.
    assert Console(central).post(f"/console/usb/kembali/{VILLAGE}").status_code in (401, 303)
    oper.csrf = "wrong"
    assert oper.post(f"/console/usb/kembali/{VILLAGE}").status_code == 403


def test_revoked_laptops_backup_needs_the_admins_button(
    central: EmbeddedServer, stick_laptop: Callable[..., StickLaptop], tmp_path: Path
) -> None:
    laptop = stick_laptop(central, VILLAGE)
    api = AdminClient(central)
    oper, admin = Console(central, "oper"), Console(central, "admin")
    assert upload(oper, laptop.bundle(tmp_path, [stick_batch()])).startswith("ok: ")
    laptop.proved = True
    api.request("POST", f"/devices/{laptop.device_id}/revoke").raise_for_status()
    backup = laptop.bundle(tmp_path, [stick_batch(2)], purpose="backup")

    refused = upload(oper, backup)
    assert refused.startswith("error: ") and "Terima cadangan dari laptop yang dicabut" in refused
    assert 'id="usb-accept-revoked"' not in oper.get("/console/usb").text
    with backup.open("rb") as fh:
        r = oper.post(
            "/console/usb/impor",
            {"accept_revoked": "1"},
            files={"bundle": (backup.name, fh, "application/octet-stream")},
        )
    assert r.status_code == 403
    count = len(api.request("GET", "/applications").json()["items"])

    assert 'id="usb-accept-revoked"' in admin.get("/console/usb").text
    with backup.open("rb") as fh:
        r = admin.post(
            "/console/usb/impor",
            {"accept_revoked": "1"},
            files={"bundle": (backup.name, fh, "application/octet-stream")},
        )
    assert r.status_code == 303
    done = admin.flash("/console/usb")
    assert done.startswith("ok: ") and "2 batch baru" not in done and "1 batch baru" in done
    assert "diterima atas konfirmasi staff:admin" in done
    assert "laptop dicabut, diterima oleh staff:admin" in admin.get("/console/usb").text
    assert len(api.request("GET", "/applications").json()["items"]) == count + 2


def test_each_laptop_of_a_village_has_its_own_return_bundle_button(
    central: EmbeddedServer, stick_laptop: Callable[..., StickLaptop], tmp_path: Path
) -> None:
    one, two = stick_laptop(central, VILLAGE), stick_laptop(central, VILLAGE)
    oper = Console(central, "oper")
    for laptop in (one, two):
        assert upload(oper, laptop.bundle(tmp_path, [stick_batch()])).startswith("ok: ")
    page = oper.get("/console/usb").text
    rows = re.findall(r'name="device_id" value="([0-9a-f]{32})"', page)
    assert sorted(rows) == sorted(uuid.UUID(x.device_id).hex for x in (one, two))

    r = oper.post(f"/console/usb/kembali/{VILLAGE}", {"device_id": uuid.UUID(two.device_id).hex})
    assert r.status_code == 200 and uuid.UUID(two.device_id).hex[:8] in r.headers["content-disposition"]
    back = tmp_path / "kembali-dua.dcb"
    back.write_bytes(r.content)
    with two.open_return(back) as b:
        assert len([c for p in b.meta["pages"] for c in p["changes"]]) == 2  # the village's changes
    with pytest.raises(BundleError):
        one.open_return(back)
    # Without naming the laptop: the officer is told to pick one.
    r = oper.post(f"/console/usb/kembali/{VILLAGE}")
    assert r.status_code == 303 and "pilih laptopnya" in oper.flash("/console/usb")
