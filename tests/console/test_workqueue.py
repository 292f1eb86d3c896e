"""Workqueue, waiting states, reasons, duplicates, pages and villages, over real HTTP."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta

import requests
from PIL import Image

from desa_capil.server.console.queries import SLA
from desa_capil.server.db import Application, utcnow
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import EnrolledDevice, enroll_device

from .conftest import Console
from .test_security import server_id, status_of, submit


def counts(c: Console, query: str = "") -> dict[str, int]:
    html = c.get("/console/antrean" + query).text
    return {
        k: int(n)
        for k, n in re.findall(r'\?tab=(\w+)[^"]*" class="[^"]*">[^<]*<span class="count">(\d+)', html)
    }


def rows(c: Console, query: str) -> list[str]:
    return re.findall(
        r'<a href="/console/permohonan/\d+">([^<#][^<]*)</a>', c.get("/console/antrean" + query).text
    )


def backdate(central: EmbeddedServer, app_id: int, hours: float) -> None:
    assert central.service is not None
    with central.service.db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        app.received_at = utcnow() - timedelta(hours=hours)
        s.add(app)
        s.commit()


def test_tabs_count_filters_narrow_and_urgent_and_overdue_stand_out(
    central: EmbeddedServer, console_as: Callable[[str | None], Console]
) -> None:
    a = enroll_device(central, "32.04.05.2001", "Desa Sukamaju")
    b = enroll_device(central, "32.04.06.2002", "Desa Margamulya")
    plain = server_id(central, submit(a, name="Ani Biasa"))
    urgent = server_id(central, submit(a, name="Budi Rumah Sakit", urgency="hospital"))
    late = server_id(central, submit(b, name="Cici Terlambat"))
    backdate(central, late, SLA.total_seconds() / 3600 + 5)
    backdate(central, plain, 30)
    verif = console_as("verif")
    assert verif.post(f"/console/permohonan/{urgent}/periksa").status_code == 303
    got = counts(verif)
    assert got["masuk"] == 2 and got["periksa"] == 1 and got["selesai"] == 0
    # Oldest first, but urgent ones before everything.
    assert rows(verif, "?tab=masuk") == ["Cici Terlambat", "Ani Biasa"]
    assert verif.post(f"/console/permohonan/{late}/periksa").status_code == 303
    assert rows(verif, "?tab=periksa") == ["Budi Rumah Sakit", "Cici Terlambat"]
    html = verif.get("/console/antrean?tab=periksa").text
    overdue = re.findall(r'<tr class="overdue[^"]*">\s*<td><a href="/console/permohonan/(\d+)"', html)
    assert overdue == [str(late)]
    assert "lewat 0 hr 5 jam" in html or "lewat 5 jam" in html
    # Filters: village, kecamatan, priority, age, service; counts follow them.
    assert rows(verif, "?tab=periksa&village=32.04.06.2002") == ["Cici Terlambat"]
    assert rows(verif, "?tab=periksa&kecamatan=32.04.05") == ["Budi Rumah Sakit"]
    assert rows(verif, "?tab=periksa&priority=urgent") == ["Budi Rumah Sakit"]
    assert rows(verif, "?tab=periksa&priority=bpjs") == []
    assert rows(verif, "?tab=masuk&age=1") == ["Ani Biasa"]
    assert rows(verif, "?tab=periksa&age=3") == ["Cici Terlambat"]
    assert rows(verif, "?tab=periksa&service=kia") == []
    assert counts(verif, "?kecamatan=32.04.06") == {**dict.fromkeys(got, 0), "periksa": 1}


def test_waiting_for_blanks_with_a_suket_is_told_to_the_village_and_can_end(
    central: EmbeddedServer, console_as: Callable[[str | None], Console]
) -> None:
    village = enroll_device(central)
    app_id = server_id(central, submit(village, name="Dewi KTP"))
    assert central.service is not None
    with central.service.db.session() as s:  # a KTP-el reprint: the card needs a blank
        app = s.get(Application, app_id)
        assert app is not None
        app.service_code = "ktp_cetak_ulang"
        s.add(app)
        s.commit()
    verif = console_as("verif")
    page = verif.get(f"/console/permohonan/{app_id}").text
    assert 'name="suket_number"' in page
    default_expiry = re.search(r'name="suket_expires" value="(\d{4}-\d\d-\d\d)"', page)
    assert default_expiry
    expiry = utcnow() + timedelta(days=182)
    assert default_expiry.group(1) == f"{expiry:%Y-%m-%d}"
    r = verif.post(
        f"/console/permohonan/{app_id}/tunggu",
        {"kind": "blanko", "note": "", "suket_number": "SKT/0042/2026", "suket_expires": "2027-05-31"},
    )
    assert r.status_code == 303
    assert counts(verif)["menunggu"] == 1 and counts(verif)["diproses"] == 0
    changes = village.request("GET", "/changes").json()["changes"]
    last = changes[-1]
    assert last["status"] == "processing"
    assert "Menunggu blanko KTP-el" in last["message"]
    assert "SKT/0042/2026" in last["message"] and "31-05-2027" in last["message"]
    # Still waiting, now because of SIAK: the same status, a new message.
    assert verif.post(f"/console/permohonan/{app_id}/tunggu", {"kind": "siak"}).status_code == 303
    assert "Gangguan SIAK" in village.request("GET", "/changes").json()["changes"][-1]["message"]
    assert counts(verif)["menunggu"] == 1
    assert verif.post(f"/console/permohonan/{app_id}/proses").status_code == 303
    assert counts(verif)["menunggu"] == 0 and counts(verif)["diproses"] == 1
    assert "diproses lagi" in village.request("GET", "/changes").json()["changes"][-1]["message"]
    assert status_of(central, app_id).value == "processing"


def test_fix_reasons_name_the_papers_and_can_become_templates(
    central: EmbeddedServer, console_as: Callable[[str | None], Console]
) -> None:
    village = enroll_device(central)
    first = server_id(central, submit(village, name="Eka"))
    second = server_id(central, submit(village, name="Fajar"))
    oper = console_as("oper")
    assert oper.post(f"/console/permohonan/{first}/perbaikan", {"reason": "x"}).status_code == 303
    assert oper.flash(f"/console/permohonan/{first}") == "error: Pilih berkas yang perlu diperbaiki."
    r = oper.post(
        f"/console/permohonan/{first}/perbaikan",
        {"papers": ["kk"], "reason": "Cap desa tidak terbaca.", "save_template": "1"},
    )
    assert r.status_code == 303
    message = village.request("GET", "/changes").json()["changes"][-1]["message"]
    assert message == "Perlu perbaikan: Kartu Keluarga. Cap desa tidak terbaca."
    templates = re.findall(r'<option value="([^"]+)">', oper.get(f"/console/permohonan/{second}").text)
    assert "Cap desa tidak terbaca." in templates
    assert any(t.startswith("Foto/pindaian buram") for t in templates)  # the seeded ones


def test_possible_duplicates_are_shown_and_can_be_marked(
    central: EmbeddedServer, console_as: Callable[[str | None], Console]
) -> None:
    village = enroll_device(central)
    first = server_id(central, submit(village, name="Gina"))
    second = server_id(central, submit(village, name="Gina"))
    oper = console_as("oper")
    page = oper.get(f"/console/permohonan/{second}").text
    assert f'Kemungkinan ganda (NIK dan layanan sama):\n  <a href="/console/permohonan/{first}">' in page
    assert oper.post(f"/console/permohonan/{second}/ganda", {"other": str(first)}).status_code == 303
    assert "ganda?" in oper.get("/console/antrean").text
    assert f"dengan #{first}" in oper.get(f"/console/permohonan/{second}").text


def test_pages_render_for_viewing_turned_and_sharper(
    central: EmbeddedServer, console_as: Callable[[str | None], Console]
) -> None:
    village = enroll_device(central)
    im = Image.new("L", (850, 1100), 255)
    buf = io.BytesIO()
    im.save(buf, "PDF", resolution=100)
    pdf = buf.getvalue()
    app_id = server_id(central, _submit_bytes(village, pdf))
    c = console_as("oper")
    page = c.get(f"/console/permohonan/{app_id}").text
    src = re.search(r'src="(/console/permohonan/\d+/berkas/[^"]+/halaman/0\.png)"', page)
    assert src
    shown = Image.open(io.BytesIO(c.get(src.group(1)).content))
    assert about(shown.size, (1275, 1650))  # 8.5x11 in at 150 dpi
    turned = Image.open(io.BytesIO(c.get(src.group(1) + "?rot=90").content))
    assert about(turned.size, (1650, 1275))
    sharp = Image.open(io.BytesIO(c.get(src.group(1) + "?dpi=300").content))
    assert about(sharp.size, (2550, 3300))
    assert c.get(src.group(1).replace("/0.png", "/1.png")).status_code == 404
    junk = server_id(central, submit(village))  # "%PDF-1.4" + random bytes: no page to show
    assert "tidak bisa ditampilkan di peramban" in c.get(f"/console/permohonan/{junk}").text


def about(size: tuple[int, int], expected: tuple[int, int]) -> bool:
    """Equal but for PDFium's rounding of the page box (one pixel)."""
    return all(abs(a - b) <= 1 for a, b in zip(size, expected, strict=True))


def _submit_bytes(device: EnrolledDevice, data: bytes) -> str:
    import uuid

    from desa_capil.server.testing import document_for, sample_application

    app = sample_application([document_for(device.upload(data), data)])
    r = device.request("PUT", f"/batches/{uuid.uuid4()}", json={"applications": [app]})
    assert r.status_code == 201, r.text
    return str(app["id"])


def test_admin_creates_a_village_and_revokes_a_laptop(
    central: EmbeddedServer, console_as: Callable[[str | None], Console]
) -> None:
    admin = console_as("admin")
    assert admin.post("/console/desa", {"code": "32.04", "name": "X"}).status_code == 303
    assert admin.flash("/console/desa").startswith("error: Kode wilayah harus berbentuk")
    assert admin.post("/console/desa", {"code": "32.04.05.2001", "name": ""}).status_code == 303
    assert admin.flash("/console/desa").startswith("ok: Desa Cileunyi Kulon (32.04.05.2001) dibuat.")
    assert admin.post("/console/desa", {"code": "32.04.07.9999", "name": ""}).status_code == 303
    assert "tidak ada di daftar wilayah resmi" in admin.flash("/console/desa")
    assert admin.post("/console/desa", {"code": "32.04.07.2003", "name": "Desa Baru"}).status_code == 303
    shown = admin.flash("/console/desa")
    code = re.search(r"Kode pendaftaran laptop: (\w{4}-\w{4}-\w{4})", shown)
    assert code, shown
    assert code.group(1) not in admin.get("/console/desa").text  # shown once only
    r = requests.post(
        central.base_url + "/api/v1/enroll",
        json={"enrollment_code": code.group(1), "device_name": "Laptop Desa Baru", "app_version": "0.1.0"},
        timeout=30,
    )
    assert r.status_code == 201
    device = EnrolledDevice(central.base_url, r.json()["token"], r.json()["device_id"], "32.04.07.2003")
    assert device.request("GET", "/changes").status_code == 200
    page = admin.get("/console/desa").text
    assert "Laptop Desa Baru" in page and "0.1.0" in page
    assert admin.post(f"/console/perangkat/{device.device_id}/cabut").status_code == 303
    assert device.request("GET", "/changes").status_code == 401
    assert "dicabut" in admin.get("/console/desa").text


def test_courier_list_names_the_originals_the_village_handed_over(central: EmbeddedServer) -> None:
    import uuid

    from desa_capil.server.testing import AdminClient, document_for, sample_application

    device = enroll_device(central, "32.04.05.2001", "Desa Sukamaju")
    old_kk, scan = b"%PDF-1.4 KK lama", b"%PDF-1.4 KK"
    with_original = sample_application(
        [document_for(device.upload(old_kk), old_kk, "kk_lama")], service_code="kk_ubah"
    )
    scan_only = sample_application([document_for(device.upload(scan), scan, "kk")])
    manifest = {"applications": [with_original, scan_only]}
    assert device.request("PUT", f"/batches/{uuid.uuid4()}", json=manifest).status_code == 201
    admin = AdminClient(central)
    ids = [admin.app_id(str(a["id"])) for a in (with_original, scan_only)]
    for app_id in ids:
        for step in ("processing", "finished"):
            admin.status(app_id, step).raise_for_status()
    page = Console(central, "verif").get(
        "/console/pengiriman/32.04.05.2001/cetak", params=[("id", str(i)) for i in ids]
    )
    assert page.status_code == 200
    lines = re.findall(r'<small class="originals">([^<]*)</small>', page.text)
    assert lines == [
        "Asli dari desa ditarik Disdukcapil, tidak dikembalikan (diganti dokumen baru): KK lama (diserahkan)",
        "Tidak ada berkas asli dari desa.",
    ]
