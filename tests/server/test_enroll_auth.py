"""Enrollment, device tokens, revocation, health."""

from __future__ import annotations

import uuid

import requests

from desa_capil.api.models import EnrollResponse, ErrorBody, Health
from desa_capil.server import cli
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import AdminClient as Admin
from desa_capil.server.testing import EnrolledDevice, submit_batch


def test_health_needs_no_auth(server: EmbeddedServer) -> None:
    r = requests.get(f"{server.base_url}/api/v1/health", timeout=10)
    assert r.status_code == 200
    h = Health.model_validate(r.json())
    assert h.api_version == "1" and h.status == "ok"
    assert h.server_time.tzinfo is not None


def test_enrollment_code_works_once(server: EmbeddedServer) -> None:
    code = server.create_village("32.04.05.2003", "Desa Cibiru")
    url = f"{server.base_url}/api/v1/enroll"
    body = {"enrollment_code": code.lower().replace("-", " "), "device_name": "Laptop"}
    r = requests.post(url, json=body, timeout=10)
    assert r.status_code == 201
    enrolled = EnrollResponse.model_validate(r.json())
    assert enrolled.village.code == "32.04.05.2003" and enrolled.token
    again = requests.post(url, json=body, timeout=10)
    assert again.status_code == 400
    assert ErrorBody.model_validate(again.json()).error == "enrollment_code_invalid"
    wrong = requests.post(url, json={"enrollment_code": "AAAA-BBBB-CCCC", "device_name": "x"}, timeout=10)
    assert wrong.status_code == 400


def test_token_is_stored_hashed(server: EmbeddedServer, village: EnrolledDevice) -> None:
    assert server.service is not None
    from sqlmodel import select

    from desa_capil.server.db import Device

    with server.service.db.read_session() as s:
        rows = s.exec(select(Device)).all()
    assert rows and all(village.token not in (d.token_hash, d.id) for d in rows)
    assert any(len(d.token_hash) == 64 for d in rows)


def test_every_route_needs_a_token(server: EmbeddedServer, village: EnrolledDevice) -> None:
    base = f"{server.base_url}/api/v1"
    some = str(uuid.uuid4())
    calls = [
        ("GET", "/changes"),
        ("POST", "/events"),
        ("PUT", f"/batches/{some}"),
        ("GET", f"/documents/{some}/file"),
        ("POST", "/uploads/"),
        ("HEAD", "/uploads/0123456789abcdef0123456789abcdef"),
        ("PATCH", "/uploads/0123456789abcdef0123456789abcdef"),
        ("DELETE", "/uploads/0123456789abcdef0123456789abcdef"),
        ("GET", "/admin/villages"),
        ("GET", "/admin/applications"),
    ]
    for method, path in calls:
        for headers in (
            {},
            {"Authorization": "Bearer nonsense"},
            {"Authorization": f"Basic {village.token}"},
        ):
            r = requests.request(
                method, base + path, headers={"Tus-Resumable": "1.0.0", **headers}, json={}, timeout=10
            )
            assert r.status_code == 401, (method, path, headers, r.status_code)
    # The device token is no admin token.
    r = requests.get(base + "/admin/villages", headers=village.headers, timeout=10)
    assert r.status_code == 401


def test_revoked_token_gets_401(server: EmbeddedServer, village: EnrolledDevice, admin: Admin) -> None:
    assert village.request("GET", "/changes").status_code == 200
    devices = admin.request("GET", "/devices", params={"village": village.village_code}).json()
    assert [d["id"] for d in devices] == [village.device_id]
    r = admin.request("POST", f"/devices/{village.device_id}/revoke")
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert village.request("GET", "/changes").status_code == 401
    assert (
        village.request(
            "HEAD", "/uploads/0123456789abcdef0123456789abcdef", headers={"Tus-Resumable": "1.0.0"}
        ).status_code
        == 401
    )


def test_revoke_from_cli(server: EmbeddedServer, village: EnrolledDevice, backend: str) -> None:
    _, _, r = submit_batch(village)
    assert r.status_code == 201
    args = ["--data", str(server.settings.data_dir)]
    if server.settings.database_url:
        args += ["--database-url", server.settings.database_url]
    assert cli.main([*args, "admin", "device", "revoke", village.device_id]) == 0
    r = village.request("GET", "/changes")
    assert r.status_code == 401
    assert ErrorBody.model_validate(r.json()).error == "unauthorized"
