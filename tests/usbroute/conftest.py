"""Fixtures for the USB-route loop tests: the app context, the theme, no real keyring."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from desa_capil.paths import AppPaths
from desa_capil.store.db import Database
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext


@pytest.fixture(autouse=True)
def _keyring_off(no_keyring: None) -> None:
    """Every test here runs without a credential store (tests/conftest.py, no_keyring)."""


@pytest.fixture
def ctx(db: Database, paths: AppPaths, qapp: QApplication) -> Iterator[AppContext]:
    yield AppContext(db, paths)
    # Background work must not outlive the test's database.
    tasks.wait_idle()
    qapp.processEvents()


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
