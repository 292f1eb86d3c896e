"""The backup UI: Beranda says when the last good backup was made and reminds weekly; the
restore dialog brings a backup back with the recovery code."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlmodel import select

from desa_capil.backup import stick
from desa_capil.paths import AppPaths
from desa_capil.security.keys import KeyStore, recovery_code
from desa_capil.store import repo
from desa_capil.store.db import Database, open_database
from desa_capil.store.models import Application
from desa_capil.ui import backup_dialog, tasks
from desa_capil.ui.context import AppContext

from .test_stick import content, fill

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def ctx(db: Database, paths: AppPaths, qapp: QApplication) -> Iterator[AppContext]:
    yield AppContext(db, paths)
    tasks.wait_idle()
    qapp.processEvents()


def test_beranda_banner_reminds_then_shows_the_last_good_backup(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    fill(ctx.db, 2)
    banner = backup_dialog.BackupBanner(ctx)
    qtbot.addWidget(banner)
    qtbot.waitUntil(lambda: banner.text.text() != "")
    assert banner.due and "belum pernah" in banner.text.text()

    usb = tmp_path / "usb"
    with qtbot.waitSignal(banner.loaded, timeout=30000) as sig:
        backup_dialog.start_backup(banner, ctx, str(usb))
    assert sig.args == [False]
    assert not banner.due and banner.text.text().startswith("Cadangan terakhir:")
    assert stick.list_snapshots(usb)[0].counts.applications == 2
    box = banner.findChild(QMessageBox, "backupDoneBox")
    assert box is not None and "2 permohonan" in box.text()
    box.close()

    # Eight days later the reminder is back.
    repo.set_setting(ctx.db, stick.LAST_OK_SETTING, (datetime.now(UTC) - timedelta(days=8)).isoformat())
    with qtbot.waitSignal(banner.loaded) as sig:
        banner.refresh()
    assert sig.args == [True] and "lebih dari seminggu" in banner.text.text()


def test_backup_onto_a_stick_that_fails_says_so(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    fill(ctx.db, 1)
    blocker = tmp_path / "not-a-stick"
    blocker.write_text("a file where the folder should be")
    shown: list[str] = []
    import desa_capil.ui.backup_dialog as module

    module_handle = module.handle_exception
    try:
        module.handle_exception = lambda _p, exc: shown.append(str(exc))  # type: ignore[assignment]
        parent = QWidget()
        qtbot.addWidget(parent)
        op = backup_dialog.start_backup(parent, ctx, str(blocker))
        assert op is not None
        qtbot.waitUntil(lambda: bool(shown), timeout=30000)
    finally:
        module.handle_exception = module_handle
    assert "USB stick" in shown[0]
    assert stick.last_backup_at(ctx.db) is None


def test_restore_dialog_brings_the_backup_back_into_a_fresh_home(
    qtbot: QtBot, db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    fill(db, 3)
    before = content(db)
    usb = tmp_path / "usb"
    stick.create_backup(db, usb)
    master = KeyStore(paths).load()
    assert master is not None
    db.close()
    root = tmp_path / "laptop-baru"
    new = AppPaths(root / "data", root / "config", root / "cache", root / "logs").ensure()

    dlg = backup_dialog.RestoreDialog(new)
    qtbot.addWidget(dlg)
    dlg.set_folder(usb)
    assert dlg.snapshots.count() == 1 and "3 permohonan" in dlg.snapshots.itemText(0)
    dlg.code.setText("AAAAA-BBBBB")  # a typo: the dialog says so and stays open
    dlg.start()
    qtbot.waitUntil(lambda: "Kode pemulihan" in dlg.message.text(), timeout=30000)
    assert not new.database.exists()
    dlg.code.setText(recovery_code(master))
    with qtbot.waitSignal(dlg.restored, timeout=30000):
        dlg.restore_button.click()
    again = open_database(new)
    try:
        assert content(again) == before
    finally:
        again.close()


def test_restore_asked_in_settings_happens_at_the_next_start(
    qtbot: QtBot, db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    fill(db, 1)
    usb = tmp_path / "usb"
    stick.create_backup(db, usb)
    master = KeyStore(paths).load()
    assert master is not None
    fill(db, 1, start=50)  # made after the backup: set aside by the restore, not deleted
    db.close()
    (paths.data / backup_dialog.RESTORE_REQUEST).write_text("1")

    def drive() -> None:
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, backup_dialog.RestoreDialog):
            QTimer.singleShot(20, drive)
            return
        dlg.set_folder(usb)
        dlg.code.setText(recovery_code(master))
        dlg.start()

    QTimer.singleShot(0, drive)
    assert backup_dialog.restore_at_start(paths) is True
    assert not (paths.data / backup_dialog.RESTORE_REQUEST).exists()
    with open_database(paths).session() as s:
        assert len(s.exec(select(Application)).all()) == 1
    assert list(paths.data.glob("sebelum-pulihkan-*/desa_capil.sqlite3"))


def test_fresh_install_offers_the_restore_and_can_start_empty(qtbot: QtBot, paths: AppPaths) -> None:
    assert not paths.database.exists()

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        assert box.objectName() == "restoreOffer"
        next(b for b in box.findChildren(QPushButton) if "kosong" in b.text()).click()

    QTimer.singleShot(0, answer)
    assert backup_dialog.restore_at_start(paths) is False
    # An existing database and no request: nothing is asked at all.
    open_database(paths).close()
    assert backup_dialog.restore_at_start(paths) is False
