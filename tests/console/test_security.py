"""Console security over real HTTP: sessions, CSRF, roles, lockout, escaping, audit."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import col, select

from desa_capil.domain.status import Status
from desa_capil.server.console.auth import MAX_FAILURES
from desa_capil.server.console.models import StaffUser
from desa_capil.server.console.routes import make_router
from desa_capil.server.db import AdminAction
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import (
    EnrolledDevice,
    document_for,
    enroll_device,
    sample_application,
)

from .conftest import PASSWORD, Console

XSS_NAME = '<script>alert("nama")</script>'
XSS_NOTE = "<img src=x onerror=alert(1)>"
XSS_REASON = '"><svg onload=alert(2)>'


def submit(
    device: EnrolledDevice, *, name: str = "Budi Santoso", notes: str = "", urgency: str = "normal"
) -> str:
    data = b"%PDF-1.4\n" + os.urandom(500)
    app = sample_application([document_for(device.upload(data), data)])
    app["applicant"]["name"] = name
    app["applicant"]["address"] = notes
    app["notes"] = notes
    app["urgency"] = urgency
    r = device.request("PUT", f"/batches/{uuid.uuid4()}", json={"applications": [app]})
    assert r.status_code == 201, r.text
    return str(app["id"])


def server_id(central: EmbeddedServer, client_id: str) -> int:
    assert central.service is not None
    items = central.service.list_applications(limit=500).items
    return next(a.id for a in items if str(a.client_id) == client_id)


def status_of(central: EmbeddedServer, app_id: int) -> Status:
    assert central.service is not None
    return central.service.get_application(app_id).status


def console_routes(central: EmbeddedServer) -> list[tuple[str, str]]:
    assert central.service is not None
    router = make_router(central.service, central.settings)
    fill = {
        "app_id": "1",
        "doc_id": str(uuid.uuid4()),
        "index": "0",
        "code": "32.04.05.2001",
        "device_id": str(uuid.uuid4()),
        "user_id": "1",
        "action": "buka",
        "enrollment_id": uuid.uuid4().hex,
    }
    out = []
    for route in router.routes:
        path = getattr(route, "path", "")
        methods = getattr(route, "methods", None)
        if not path.startswith("/console") or path.startswith("/console/static") or not methods:
            continue
        for method in methods - {"HEAD"}:
            if path == "/console/masuk":
                continue
            out.append((method, re.sub(r"\{(\w+)\}", lambda m: fill[m.group(1)], path)))
    return sorted(out)


def test_every_console_route_refuses_no_session_and_a_village_token(
    central: EmbeddedServer, console_as: Callable[[str | None], Console]
) -> None:
    village = enroll_device(central)
    submit(village, name="Rahasia Warga")
    routes = console_routes(central)
    # Every page and action of the console is in the list (a new route cannot slip past).
    assert len(routes) >= 25 and ("POST", "/console/permohonan/1/selesai") in routes
    anonymous = console_as(None)
    for headers in ({}, village.headers):
        for method, path in routes:
            r = anonymous.s.request(method, central.base_url + path, headers=headers, allow_redirects=False)
            if method == "GET":
                assert r.status_code == 303 and r.headers["location"] == "/console/masuk", (method, path)
            else:
                assert r.status_code == 401, (method, path, r.status_code)
            assert "Rahasia Warga" not in r.text
    # A village token is no key to the console, and nothing changed.
    assert status_of(central, 1) is Status.SENT


def test_posts_need_the_session_csrf_token_and_same_origin(
    central: EmbeddedServer, console_as: Callable[[str | None], Console]
) -> None:
    app_id = server_id(central, submit(enroll_device(central)))
    c = console_as("verif")
    url = f"/console/permohonan/{app_id}/proses"
    assert c.s.post(c.base + url, data={}, allow_redirects=False).status_code == 403
    assert c.s.post(c.base + url, data={"csrf": "x" * 43}, allow_redirects=False).status_code == 403
    other = console_as("oper")  # another session's token is not this session's
    assert c.s.post(c.base + url, data={"csrf": other.csrf}, allow_redirects=False).status_code == 403
    evil = c.post(url, headers={"Origin": "http://evil.example"})
    assert evil.status_code == 403
    assert c.post(url, headers={"Sec-Fetch-Site": "cross-site", "Origin": "null"}).status_code == 403
    assert status_of(central, app_id) is Status.SENT
    ok = c.post(url, headers={"Origin": c.base})
    assert ok.status_code == 303
    assert status_of(central, app_id) is Status.PROCESSING
    # The login form has its own token too.
    r = c.s.post(
        c.base + "/console/masuk", data={"username": "verif", "password": PASSWORD}, allow_redirects=False
    )
    assert r.status_code == 403


def test_roles_operator_checks_verifikator_decides_admin_manages(
    central: EmbeddedServer, console_as: Callable[[str | None], Console]
) -> None:
    village = enroll_device(central)
    app_id = server_id(central, submit(village))
    oper, verif, admin = console_as("oper"), console_as("verif"), console_as("admin")
    base = f"/console/permohonan/{app_id}"
    assert oper.post(base + "/periksa").status_code == 303
    assert status_of(central, app_id) is Status.IN_REVIEW
    for action, data in (
        ("/selesai", {"title": "Akta"}),
        ("/tolak", {"reason": "tidak"}),
        ("/proses", {}),
        ("/tunggu", {"kind": "blanko"}),
        ("/dokumen", {"title": "Akta"}),
    ):
        r = oper.post(base + action, data)
        assert r.status_code == 403, action
        assert "verifikator" in r.text
    assert status_of(central, app_id) is Status.IN_REVIEW
    assert oper.post("/console/pengiriman/32.04.05.2001", {"id": str(app_id)}).status_code == 403
    # The operator's page does not offer what it may not do.
    page = oper.get(base).text
    assert 'id="act-finish"' not in page and 'id="act-fix"' in page
    for path in ("/console/desa", "/console/staf", "/console/log"):
        assert oper.get(path).status_code == 403
        assert verif.get(path).status_code == 403
        assert admin.get(path).status_code == 200
    assert (
        verif.post("/console/staf", {"username": "x", "role": "admin", "password": "p" * 12}).status_code
        == 403
    )
    assert verif.post(base + "/selesai", {}).status_code == 303
    assert status_of(central, app_id) is Status.FINISHED


def test_lockout_after_repeated_failures_and_admin_unlock(
    central: EmbeddedServer, console_as: Callable[[str | None], Console]
) -> None:
    c = console_as(None)
    for _ in range(MAX_FAILURES):
        r = c.login("oper", "salah-salah-salah")
        assert r.status_code == 401
    r = c.login("oper", PASSWORD)
    assert r.status_code == 401 and "dikunci" in r.text
    assert c.get("/console/antrean", allow_redirects=False).status_code == 303
    admin = console_as("admin")
    assert central.service is not None
    with central.service.db.read_session() as s:
        user = s.exec(select(StaffUser).where(StaffUser.username == "oper")).one()
        fails = s.exec(select(AdminAction).where(AdminAction.action == "login.fail")).all()
    assert len(fails) == MAX_FAILURES and all(f.target == "oper" for f in fails)
    assert admin.post(f"/console/staf/{user.id}/buka").status_code == 303
    assert c.login("oper", PASSWORD).status_code == 303
    # A wrong user name answers exactly like a wrong password.
    assert "Nama pengguna atau kata sandi salah." in console_as(None).login("tidak-ada", PASSWORD).text


def test_many_failed_logins_from_one_address_are_slowed_down(
    central: EmbeddedServer, console_as: Callable[[str | None], Console]
) -> None:
    c = console_as(None)
    for _ in range(3):  # good logins do not use up the allowance
        assert console_as(None).login("admin", PASSWORD).status_code == 303
    answers = [c.login(f"tebak{i}", "salah-salah-salah").status_code for i in range(30)]
    assert answers[:20] == [401] * 20  # the burst, then a pause is asked for
    # (one token comes back every 30 s: a slow machine may see a 401 among the 429s)
    assert answers[20:].count(429) >= 8
    r = c.login("admin", PASSWORD)  # even the right password waits: it could be a lucky guess
    assert r.status_code == 429 and "Terlalu banyak percobaan masuk" in r.text


def test_logout_and_deactivation_end_the_session(
    central: EmbeddedServer, console_as: Callable[[str | None], Console]
) -> None:
    oper, admin = console_as("oper"), console_as("admin")
    assert oper.get("/console/antrean").status_code == 200
    assert central.service is not None
    with central.service.db.read_session() as s:
        uid = s.exec(select(StaffUser.id).where(StaffUser.username == "oper")).one()
    assert admin.post(f"/console/staf/{uid}/nonaktif").status_code == 303
    assert oper.get("/console/antrean", allow_redirects=False).status_code == 303
    assert oper.login("oper", PASSWORD).status_code == 401
    assert admin.post("/console/keluar").status_code == 303
    assert admin.get("/console/antrean", allow_redirects=False).status_code == 303


def test_hostile_village_text_and_reasons_are_escaped_everywhere(
    central: EmbeddedServer, console_as: Callable[[str | None], Console]
) -> None:
    village = enroll_device(central)
    app_id = server_id(central, submit(village, name=XSS_NAME, notes=XSS_NOTE))
    verif = console_as("verif")
    base = f"/console/permohonan/{app_id}"
    assert verif.post(base + "/proses").status_code == 303
    assert verif.post(base + "/selesai", {"title": XSS_REASON, "printed": "1"}).status_code == 303
    pages: list[tuple[str, dict[str, Any]]] = [
        ("/console/antrean?tab=selesai", {}),
        (base, {}),
        ("/console/pengiriman/32.04.05.2001", {}),
        ("/console/pengiriman/32.04.05.2001/cetak", {}),
    ]
    assert (
        verif.post(
            "/console/pengiriman/32.04.05.2001", {"id": str(app_id), "message": XSS_REASON}
        ).status_code
        == 303
    )
    pages.append((base, {}))
    pages.append(("/console/antrean?tab=dikirim", {}))
    for path, _ in pages:
        html = verif.get(path).text
        for raw in (XSS_NAME, XSS_NOTE, XSS_REASON, "<script>alert", "<img src=x", "<svg"):
            assert raw not in html, (path, raw)
    html = verif.get(base).text
    assert "&lt;script&gt;alert(&#34;nama&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # The one place scripts could come from is the console's own file.
    csp = verif.get(base).headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_staff_actions_are_in_the_admin_log_with_who(
    central: EmbeddedServer, console_as: Callable[[str | None], Console]
) -> None:
    app_id = server_id(central, submit(enroll_device(central)))
    oper, verif = console_as("oper"), console_as("verif")
    oper.post(f"/console/permohonan/{app_id}/periksa")
    oper.post(f"/console/permohonan/{app_id}/ganda", {"other": "", "note": "NIK sama dengan permohonan lama"})
    verif.post(f"/console/permohonan/{app_id}/tolak", {"reason": "Pemohon bukan penduduk kabupaten ini."})
    assert central.service is not None
    with central.service.db.read_session() as s:
        rows = s.exec(
            select(AdminAction).where(AdminAction.target == str(app_id)).order_by(col(AdminAction.id))
        ).all()
    assert [(r.actor, r.action, r.detail) for r in rows] == [
        ("staff:oper", "application.status", "in_review"),
        ("staff:oper", "application.duplicate", "NIK sama dengan permohonan lama"),
        ("staff:verif", "application.status", "rejected"),
    ]
    assert all(r.at is not None for r in rows)
    log_page = console_as("admin").get("/console/log").text
    assert "staff:verif" in log_page and "<td>masuk</td>" in log_page and "<td>Ditolak</td>" in log_page
    assert status_of(central, app_id) is Status.REJECTED


@pytest.mark.parametrize("password", ["pendek", "oper-kata-sandi-panjang"])
def test_weak_staff_passwords_are_refused_with_a_reason(
    central: EmbeddedServer, console_as: Callable[[str | None], Console], password: str
) -> None:
    admin = console_as("admin")
    r = admin.post(
        "/console/staf",
        {
            "username": "oper2",
            "full_name": "X",
            "role": "operator",
            "password": password.replace("oper-", "oper2-"),
        },
    )
    assert r.status_code == 303
    assert admin.flash("/console/staf").startswith("error: Kata sandi")
    assert console_as(None).login("oper2", password).status_code == 401
