"""Pengaturan -> Pembaruan: check a stick folder, install beside the running version, roll back;
no download while a batch is being sent."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desa_capil.paths import AppPaths
from desa_capil.store import migrations
from desa_capil.store.db import Database, connect_raw
from desa_capil.store.models import Batch, BatchState
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext
from desa_capil.ui.update_settings import UpdateGroup
from desa_capil.update import publish
from desa_capil.update.client import Source, Updater

from .test_updates import _bundle

pytestmark = [
    pytest.mark.qt_log_ignore("does not support propagateSizeHints"),
    pytest.mark.skipif(sys.platform == "win32", reason="stand-in launcher is a shell script"),
]


@pytest.fixture
def ctx(db: Database, paths: AppPaths, qapp: QApplication) -> Iterator[AppContext]:
    yield AppContext(db, paths)
    tasks.wait_idle()
    qapp.processEvents()


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path]:
    repo, keys = tmp_path / "repo", tmp_path / "keys"
    root = publish.init_repository(repo, keys)
    publish.publish_bundle(repo, keys, _bundle(tmp_path / "b1", "0.1.0"), "0.1.0")
    publish.publish_bundle(repo, keys, _bundle(tmp_path / "b2", "0.1.1"), "0.1.1")
    return repo, root


def test_check_install_and_roll_back_from_a_stick(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, repo: tuple[Path, Path]
) -> None:
    folder, root = repo
    group = UpdateGroup(ctx, root=tmp_path / "pembaruan", trusted=root, version="0.1.0")
    qtbot.addWidget(group)
    assert group.check_folder.isEnabled() and not group.install_button.isEnabled()
    assert not group.rollback_button.isEnabled()
    with qtbot.waitSignal(group.checked, timeout=60000) as sig:
        group.check(Source.folder(folder))
    assert sig.args[0].version == "0.1.1" and "0.1.1 tersedia" in group.status.text()
    with qtbot.waitSignal(group.installed, timeout=60000) as sig:
        group.install_button.click()
    assert sig.args == ["0.1.1"] and "dibuka lagi" in group.status.text()
    assert Updater.read_state(tmp_path / "pembaruan") == {"current": "0.1.1", "previous": "0.1.0"}
    assert group.rollback_button.isEnabled()
    group.rollback_button.click()
    assert Updater.read_state(tmp_path / "pembaruan")["current"] == "0.1.0"


def test_no_download_while_a_batch_is_being_sent(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, repo: tuple[Path, Path]
) -> None:
    folder, root = repo
    group = UpdateGroup(ctx, root=tmp_path / "pembaruan", trusted=root, version="0.1.0")
    qtbot.addWidget(group)
    with qtbot.waitSignal(group.checked, timeout=60000):
        group.check(Source.folder(folder))
    with ctx.db.session() as s:
        s.add(Batch(state=BatchState.SENDING))
        s.commit()
    group.install_button.click()
    assert "sedang diunggah" in group.status.text()
    assert Updater.read_state(tmp_path / "pembaruan") == {}


def test_without_release_keys_the_group_says_so(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    group = UpdateGroup(ctx, root=tmp_path / "p", trusted=tmp_path / "missing-root.json", version="0.1.0")
    qtbot.addWidget(group)
    assert not group.check_server.isEnabled() and "belum disiapkan" in group.status.text()


def test_rolling_back_across_a_schema_step_steps_the_database_back_and_closes(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The running 0.1.1 migrated the database to the latest schema; 0.1.0 used the one before.
    root = tmp_path / "pembaruan"
    root.mkdir()
    (root / "current.json").write_text(json.dumps({"current": "0.1.1", "previous": "0.1.0"}))
    (root / "schemas.json").write_text(
        json.dumps({"0.1.0": migrations.LATEST - 1, "0.1.1": migrations.LATEST})
    )
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _w, _t, text: told.append(text))
    quits: list[bool] = []
    monkeypatch.setattr(QApplication, "quit", lambda *_a: quits.append(True))
    group = UpdateGroup(ctx, root=root, trusted=tmp_path / "root.json", version="0.1.1")
    qtbot.addWidget(group)
    with qtbot.waitSignal(group.rolled_back) as sig:
        group.rollback_button.click()
    assert sig.args == ["0.1.0", True]
    assert told and "data tetap utuh" in told[0] and "ditutup" in told[0]
    assert quits == [True]  # this version never writes into the older schema
    assert Updater.read_state(root) == {"current": "0.1.0", "previous": "0.1.1"}
    assert ctx.db.keys is not None
    conn = connect_raw(ctx.paths.database, ctx.db.keys)
    assert migrations.current_version(conn) == migrations.LATEST - 1
    conn.close()
