"""Fixtures for the office console: the real server over real HTTP with three staff accounts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from argon2 import PasswordHasher

from desa_capil.server.console import auth
from desa_capil.server.console.models import Role
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import running_server

PASSWORD = "kata-sandi-uji-17"
STAFF = {"admin": Role.ADMIN, "verif": Role.VERIFIKATOR, "oper": Role.OPERATOR}
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with its smallest cost: the tests check the rules, not the hash's strength (2 shared
    cores would otherwise spend most of the suite hashing)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("x"))


@pytest.fixture
def central(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with running_server(tmp_path / "server", rate_burst=10_000.0, rate_per_second=10_000.0) as server:
        assert server.service is not None
        for name, role in STAFF.items():
            auth.create_staff(server.service.db, name, f"Petugas {name.title()}", role, PASSWORD, "test")
        yield server


class Console:
    """A signed-in browser session over plain HTTP (requests), for the rules a browser cannot bypass."""

    def __init__(self, server: EmbeddedServer, username: str | None = None) -> None:
        self.base = server.base_url
        self.s = requests.Session()
        self.csrf = ""
        if username:
            r = self.login(username, PASSWORD)
            assert r.status_code == 303 and r.headers["location"] == "/console/antrean", r.text

    def login(self, username: str, password: str) -> requests.Response:
        page = self.s.get(self.base + "/console/masuk", timeout=30)
        token = _CSRF.search(page.text)
        assert token
        r = self.s.post(
            self.base + "/console/masuk",
            data={"csrf": token.group(1), "username": username, "password": password},
            allow_redirects=False,
            timeout=30,
        )
        if r.status_code == 303:
            self.refresh_csrf()
        return r

    def refresh_csrf(self) -> None:
        m = _CSRF.search(self.get("/console/antrean").text)
        assert m
        self.csrf = m.group(1)

    def get(self, path: str, **kw: object) -> requests.Response:
        return self.s.get(self.base + path, timeout=30, **kw)  # type: ignore[arg-type]

    def post(self, path: str, data: dict[str, object] | None = None, **kw: object) -> requests.Response:
        body = {"csrf": self.csrf, **(data or {})}
        return self.s.post(self.base + path, data=body, allow_redirects=False, timeout=30, **kw)  # type: ignore[arg-type]

    def flash(self, path: str) -> str:
        m = re.search(r'<div class="flash (ok|error)" role="status">([^<]*)</div>', self.get(path).text)
        return f"{m.group(1)}: {m.group(2)}" if m else ""


@pytest.fixture
def console_as(central: EmbeddedServer):  # type: ignore[no-untyped-def]
    def make(username: str | None) -> Console:
        return Console(central, username)

    return make
