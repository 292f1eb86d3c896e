"""Shared fixtures. Every test runs with its own app home in tmp: no real user folder is touched."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desa_capil.paths import HOME_ENV, AppPaths, app_paths  # noqa: E402
from desa_capil.store.db import Database, open_database  # noqa: E402

if TYPE_CHECKING:
    from desa_capil.server.testing import StickLaptop


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv(HOME_ENV, str(home))
    # Belt and braces: anything that asks platformdirs directly also lands in tmp.
    for name in ("user_data_dir", "user_config_dir", "user_cache_dir", "user_log_dir", "user_state_dir"):
        monkeypatch.setattr(platformdirs, name, lambda *a, _n=name, **k: str(tmp_path / "platformdirs" / _n))
    return home


@pytest.fixture
def paths(app_home: Path) -> AppPaths:
    return app_paths().ensure()


@pytest.fixture
def db(paths: AppPaths) -> Iterator[Database]:
    database = open_database(paths)
    yield database
    database.close()


@pytest.fixture
def stick_laptop() -> Callable[..., StickLaptop]:
    """Enroll a village laptop by file on a running office server (the USB route):
    ``stick_laptop(server)`` or ``stick_laptop(server, village_code, village_name)``; the village
    is made when missing. Shared by the server, console and object-storage USB tests."""
    from desa_capil.server.testing import enroll_by_stick  # the server stack, only when used

    return enroll_by_stick
