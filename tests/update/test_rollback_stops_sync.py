"""Pengaturan -> Pembaruan -> "Kembali ke versi sebelumnya" while the app runs: the sync worker
and the retention timer are stopped before the database is stepped back (nothing of the newer
version writes into the older schema); they run on when the schema stayed the same."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox
from pytestqt.qtbot import QtBot

from desa_capil.paths import AppPaths
from desa_capil.server.testing import running_server
from desa_capil.store import migrations
from desa_capil.store.db import Database
from desa_capil.sync.config import credential_store, enroll
from desa_capil.ui import tasks, update_settings
from desa_capil.ui.context import AppContext
from desa_capil.ui.services import RuntimeServices
from desa_capil.update.client import Updater
from desa_capil.update.rollback import RolledBack

pytestmark = [
    pytest.mark.usefixtures("no_keyring"),
    pytest.mark.qt_log_ignore("does not support propagateSizeHints"),
    pytest.mark.skipif(sys.platform == "win32", reason="stand-in launcher is a shell script"),
]


@pytest.mark.parametrize("schema_step", [True, False], ids=["schema-step", "same-schema"])
def test_rollback_stops_the_sync_worker_before_stepping_the_database_back(
    qtbot: QtBot,
    db: Database,
    paths: AppPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    schema_step: bool,
) -> None:
    root = tmp_path / "pembaruan"
    root.mkdir()
    (root / "current.json").write_text(json.dumps({"current": "0.1.1", "previous": "0.1.0"}))
    older = migrations.LATEST - 1 if schema_step else migrations.LATEST
    (root / "schemas.json").write_text(json.dumps({"0.1.0": older, "0.1.1": migrations.LATEST}))
    monkeypatch.setattr(QMessageBox, "information", lambda *_a: None)
    quits: list[bool] = []
    monkeypatch.setattr(QApplication, "quit", lambda *_a: quits.append(True))
    with running_server(tmp_path / "server") as central:
        code = central.create_village("32.04.05.2001", "Desa Sukamaju")
        enroll(db, credential_store(paths), central.base_url, code, device_name="Laptop Uji")
        ctx = AppContext(db, paths)
        window = QMainWindow()
        qtbot.addWidget(window)
        services = RuntimeServices(ctx, window)
        services.start()
        try:
            assert services.sync.running and services.retention.timer.isActive()
            seen: list[tuple[bool, bool]] = []
            real = update_settings.rollback_with_database

            def watched(*args: Any, **kwargs: Any) -> RolledBack:
                seen.append((services.sync.running, services.retention.timer.isActive()))
                return real(*args, **kwargs)

            monkeypatch.setattr(update_settings, "rollback_with_database", watched)
            group = update_settings.UpdateGroup(
                ctx, root=root, trusted=tmp_path / "root.json", version="0.1.1"
            )
            qtbot.addWidget(group)
            with qtbot.waitSignal(group.rolled_back) as sig:
                group.rollback_button.click()
            assert seen == [(False, False)]  # stopped before the step back
            assert sig.args == ["0.1.0", schema_step]
            assert Updater.read_state(root) == {"current": "0.1.0", "previous": "0.1.1"}
            # Schema stepped back: the app closes and nothing runs again; same schema: this
            # version works on until it is closed.
            assert services.sync.running is not schema_step
            assert services.retention.timer.isActive() is not schema_step
            assert quits == ([True] if schema_step else [])
        finally:
            services.stop()
            tasks.wait_idle()
