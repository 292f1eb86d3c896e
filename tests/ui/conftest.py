"""Fixtures for the app-shell tests: an AppContext, a 100k-application database, clean-up."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent))

from desa_capil.paths import HOME_ENV, AppPaths, app_paths  # noqa: E402
from desa_capil.store.db import Database, open_database  # noqa: E402
from desa_capil.ui import tasks  # noqa: E402
from desa_capil.ui.context import AppContext  # noqa: E402


@pytest.fixture(autouse=True)
def _settle_background_work(qapp: object) -> Iterator[None]:
    # Background reads must not outlive the test's database, nor deliver into the next test.
    yield
    tasks.wait_idle()
    qapp.processEvents()  # type: ignore[attr-defined]


@pytest.fixture
def ctx(db: Database, paths: AppPaths) -> AppContext:
    return AppContext(db, paths)


@pytest.fixture(scope="session")
def big_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An app home with BIG applications, built once per session and copied per test.

    The whole home is copied, not just the database: the file is encrypted with the data key
    kept under the home's config folder.
    """
    from ui_seed import BIG, bulk_insert

    root = tmp_path_factory.mktemp("big")
    template_paths = AppPaths(root / "data", root / "config", root / "cache", root / "logs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(HOME_ENV, str(root))
        database = open_database(template_paths)
        try:
            bulk_insert(database, BIG)
        finally:
            database.close()
    return root


@pytest.fixture
def big_db(app_home: Path, big_template: Path) -> Iterator[Database]:
    shutil.copytree(big_template, app_home, dirs_exist_ok=True)
    database = open_database(app_paths())
    yield database
    database.close()


@pytest.fixture
def big_ctx(big_db: Database) -> AppContext:
    return AppContext(big_db, app_paths())


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[None]:
    """The real theme (font, style sheet): sizes depend on it. Undone after the test."""
    from desa_capil.ui.theme import apply_theme

    style, palette, font, sheet = qapp.style().name(), qapp.palette(), qapp.font(), qapp.styleSheet()
    apply_theme(qapp)
    yield
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setFont(font)
