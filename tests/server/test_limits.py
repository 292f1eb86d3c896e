"""Request size limits, rate limit, security headers, embedded server lifecycle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import AdminClient, EnrolledDevice


class TestSmallLimits:
    @pytest.fixture
    def server_settings(self) -> dict[str, Any]:
        return {"max_json_body": 5000, "rate_burst": 5, "rate_per_second": 0.01}

    def test_json_body_too_large(self, village: EnrolledDevice) -> None:
        big = {"events": [{"id": "x" * 6000}]}
        r = village.request("POST", "/events", json=big)
        assert r.status_code == 413 and r.json()["error"] == "too_large"

    def test_chunked_body_too_large(self, village: EnrolledDevice) -> None:
        def gen() -> Any:
            for _ in range(10):
                yield b"x" * 1000

        r = village.request("POST", "/events", data=gen(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413

    def test_rate_limit_per_device(
        self, server: EmbeddedServer, village: EnrolledDevice, village_b: EnrolledDevice
    ) -> None:
        codes = [village.request("GET", "/changes").status_code for _ in range(8)]
        assert codes[:5] == [200] * 5 and codes[-1] == 429
        r = village.request("GET", "/changes")
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert r.json()["error"] == "rate_limited"
        # Another device is not affected.
        assert village_b.request("GET", "/changes").status_code == 200


def test_security_headers(server: EmbeddedServer, village: EnrolledDevice) -> None:
    for r in (
        requests.get(f"{server.base_url}/api/v1/health", timeout=10),
        village.request("GET", "/changes"),
        requests.get(f"{server.base_url}/api/v1/nothing-here", timeout=10),
    ):
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["Cache-Control"] == "no-store"
    assert r.status_code == 404 and r.json()["error"] == "not_found"


def test_embedded_server_lifecycle(tmp_path: Path) -> None:
    server = EmbeddedServer(tmp_path / "srv")
    base = server.start()
    assert base.startswith("http://127.0.0.1:") and server.port > 0
    assert requests.get(f"{base}/api/v1/health", timeout=10).status_code == 200
    code = server.create_village("32.04.05.2001", "Desa Sukamaju")
    assert len(code) == 14
    token = server.admin_token
    # Kept in the database (every host behind a balancer agrees), not in a host's file.
    assert not (tmp_path / "srv" / "admin_token").exists()
    server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/api/v1/health", timeout=5)
    # Data survives a restart; the admin token too.
    again = EmbeddedServer(tmp_path / "srv")
    with again:
        assert again.admin_token == token
        r = requests.post(
            f"{again.base_url}/api/v1/enroll", json={"enrollment_code": code, "device_name": "x"}, timeout=10
        )
        assert r.status_code == 201


class TestUploadSizedLimit:
    @pytest.fixture
    def server_settings(self) -> dict[str, Any]:
        return {"max_upload_size": 1024 * 1024, "max_json_body": 3 * 1024 * 1024}

    def test_chunked_file_body_names_the_file_limit(self, admin: AdminClient) -> None:
        def gen() -> Any:
            for _ in range(1100):
                yield b"x" * 1024

        r = admin.request("POST", "/applications/1/finished-documents", params={"title": "KK"}, data=gen())
        assert r.status_code == 413 and r.json()["error"] == "too_large"
        assert "batas 1 MB" in r.json()["message_id"]
