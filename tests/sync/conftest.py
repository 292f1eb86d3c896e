"""Fixtures for sync tests: the real reference server over HTTP and an enrolled local database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from desa_capil.paths import AppPaths
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import running_server
from desa_capil.store.db import Database
from desa_capil.sync.config import SyncConfig, credential_store, enroll

from .helpers import Admin

VILLAGE = "32.04.05.2001"


@pytest.fixture(autouse=True)
def _keyring_off(no_keyring: None) -> None:
    """Every test here runs without a credential store (tests/conftest.py, no_keyring)."""


@pytest.fixture
def central(tmp_path: Path) -> Iterator[EmbeddedServer]:
    # Generous rate limits: the fault tests make many small requests on purpose.
    with running_server(tmp_path / "server", rate_burst=10_000.0, rate_per_second=10_000.0) as server:
        yield server


@pytest.fixture
def admin(central: EmbeddedServer) -> Admin:
    return Admin(central.base_url, central.admin_token)


@dataclass
class Enrolled:
    db: Database
    paths: AppPaths
    config: SyncConfig
    server: EmbeddedServer

    def config_via(self, base_url: str) -> SyncConfig:
        return SyncConfig(base_url, self.config.token, self.config.ca_file)


@pytest.fixture
def enrolled(db: Database, paths: AppPaths, central: EmbeddedServer) -> Enrolled:
    code = central.create_village(VILLAGE, "Desa Sukamaju")
    creds = credential_store(paths)
    enroll(db, creds, central.base_url, code, device_name="Laptop Uji")
    token = creds.get_token()
    assert token
    return Enrolled(db, paths, SyncConfig(central.base_url, token), central)
