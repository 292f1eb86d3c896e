"""Fixtures for the central server tests: the real server over real HTTP on 127.0.0.1.

Every server test runs against SQLite and, when TEST_DATABASE_URL is set, PostgreSQL.
Other suites can reuse the same helpers: ``desa_capil.server.testing``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import AdminClient, EnrolledDevice, enroll_device, postgres_url, running_server


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and postgres_url() is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    return str(request.param)


@pytest.fixture
def server_settings() -> dict[str, Any]:
    """Override in a test module to change limits (e.g. max_upload_size)."""
    return {}


@pytest.fixture
def server(tmp_path: Path, backend: str, server_settings: dict[str, Any]) -> Iterator[EmbeddedServer]:
    with running_server(tmp_path / "server", backend=backend, **server_settings) as srv:
        yield srv


@pytest.fixture
def village(server: EmbeddedServer) -> EnrolledDevice:
    return enroll_device(server, "32.04.05.2001", "Desa Sukamaju")


@pytest.fixture
def village_b(server: EmbeddedServer) -> EnrolledDevice:
    return enroll_device(server, "32.04.05.2002", "Desa Sukamulya")


@pytest.fixture
def admin(server: EmbeddedServer) -> AdminClient:
    return AdminClient(server)
