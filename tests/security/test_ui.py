"""Lock screen, inactivity watch, privacy settings widget and the retention scheduler."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from desa_capil.paths import AppPaths
from desa_capil.security import audit
from desa_capil.security.keys import recovery_code
from desa_capil.security.pin import check_pin, pin_enabled, set_pin
from desa_capil.security.retention import archive_days, retention_days
from desa_capil.store.db import Database
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext
from desa_capil.ui.lock_screen import InactivityWatcher, LockController
from desa_capil.ui.privacy_settings import PrivacySettingsWidget, RetentionScheduler

# The offscreen platform warns when a top-level window is shown; harmless.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def _settle(qapp: QApplication) -> Iterator[None]:
    yield
    tasks.wait_idle()
    qapp.processEvents()


@pytest.fixture
def ctx(db: Database, paths: AppPaths) -> AppContext:
    return AppContext(db, paths)


class _Window(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.resize(600, 400)
        self.secret = QLineEdit(self)
        self.secret.setText("3201014509900001")
        QVBoxLayout(self).addWidget(self.secret)
        self.shortcut_hits = 0
        sc = QShortcut(QKeySequence("Ctrl+E"), self)
        sc.activated.connect(self._hit)

    def _hit(self) -> None:
        self.shortcut_hits += 1


def test_watcher_reports_idle_and_can_be_switched_off(qtbot: QtBot) -> None:
    watcher = InactivityWatcher()
    with qtbot.waitSignal(watcher.idle, timeout=3000):
        watcher.set_timeout_ms(30)
    watcher.set_timeout_ms(0)
    assert not watcher.active


def _locked_window(qtbot: QtBot, ctx: AppContext) -> tuple[_Window, LockController]:
    set_pin(ctx.db, "2468")
    win = _Window()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    ctl = LockController(ctx, win)
    ctl.refresh()
    with qtbot.waitSignal(ctl.locked, timeout=3000):
        ctl.set_timeout_ms(30)
    return win, ctl


def _type_pin(qtbot: QtBot, ctl: LockController, pin: str) -> None:
    ctl.screen.pin.setText(pin)
    qtbot.mouseClick(ctl.screen.unlock_button, Qt.MouseButton.LeftButton)


def test_lock_hides_the_window_and_blocks_input(qtbot: QtBot, ctx: AppContext) -> None:
    win, ctl = _locked_window(qtbot, ctx)
    assert ctl.is_locked and ctl.screen.geometry() == win.rect()
    # Clicks, typing and shortcuts aimed at the window underneath do nothing.
    qtbot.keyClicks(win.secret, "x")
    qtbot.keyClick(win, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert win.secret.text() == "3201014509900001" and win.shortcut_hits == 0

    with qtbot.waitSignal(ctl.screen._checked, timeout=5000):
        _type_pin(qtbot, ctl, "1111")
    assert ctl.is_locked and "salah" in ctl.screen.message.text()

    with qtbot.waitSignal(ctl.unlocked, timeout=5000):
        _type_pin(qtbot, ctl, "2468")
    assert not ctl.is_locked
    qtbot.keyClicks(win.secret, "x")
    assert win.secret.text().endswith("x")


def test_repeated_wrong_pins_wait_longer(qtbot: QtBot, ctx: AppContext) -> None:
    _win, ctl = _locked_window(qtbot, ctx)
    for _ in range(3):
        with qtbot.waitSignal(ctl.screen._checked, timeout=5000):
            _type_pin(qtbot, ctl, "0000")
    assert not ctl.screen.pin.isEnabled() and "Tunggu" in ctl.screen.message.text()
    ctl.screen.submit()  # ignored during the cooldown
    assert ctl.is_locked


def test_recovery_code_unlocks_and_removes_the_pin(qtbot: QtBot, ctx: AppContext) -> None:
    _win, ctl = _locked_window(qtbot, ctx)
    assert ctx.db.keys is not None
    qtbot.mouseClick(ctl.screen.forgot, Qt.MouseButton.LeftButton)
    ctl.screen.code.setText(recovery_code(ctx.db.keys.master).lower())
    with qtbot.waitSignal(ctl.unlocked, timeout=5000):
        qtbot.mouseClick(ctl.screen.unlock_button, Qt.MouseButton.LeftButton)
    assert not pin_enabled(ctx.db)
    assert [e.action for e in audit.entries(ctx.db)] == [audit.PIN_CHANGED]


def test_no_pin_no_lock(qtbot: QtBot, ctx: AppContext) -> None:
    win = _Window()
    qtbot.addWidget(win)
    ctl = LockController(ctx, win)
    ctl.refresh()
    assert not ctl.watcher.active
    ctl.lock_now()
    assert not ctl.is_locked


def _widget(qtbot: QtBot, ctx: AppContext) -> PrivacySettingsWidget:
    w = PrivacySettingsWidget(ctx)
    qtbot.addWidget(w)
    # The first read was started in __init__; its result is queued to this thread's event
    # loop, which only runs inside the wait: no race with connecting here.
    with qtbot.waitSignal(w.loaded, timeout=5000):
        pass
    return w


def test_privacy_widget_tells_what_is_kept_and_saves_periods(qtbot: QtBot, ctx: AppContext) -> None:
    w = _widget(qtbot, ctx)
    assert w.retention.value() == 30 and w.archive.value() == 90
    assert "30 hari" in w.summary.text() and "4 angka" in w.summary.text()
    assert "data.key" in w.key_info.text()  # no keyring backend here: the 0600 file
    w.retention.setValue(14)
    w.archive.setValue(180)
    with qtbot.waitSignal(w.loaded, timeout=5000):
        qtbot.mouseClick(w.save_periods, Qt.MouseButton.LeftButton)
    assert (retention_days(ctx.db), archive_days(ctx.db)) == (14, 180)
    assert "14 hari" in w.summary.text()


def test_privacy_widget_sets_and_removes_the_pin(qtbot: QtBot, ctx: AppContext) -> None:
    w = _widget(qtbot, ctx)
    w.new_pin.setText("1234")
    w.repeat_pin.setText("1243")
    qtbot.mouseClick(w.save_pin, Qt.MouseButton.LeftButton)
    assert "tidak sama" in w.pin_message.text() and not pin_enabled(ctx.db)
    w.new_pin.setText("12")
    w.repeat_pin.setText("12")
    qtbot.mouseClick(w.save_pin, Qt.MouseButton.LeftButton)
    assert "4 sampai 12" in w.pin_message.text() and not pin_enabled(ctx.db)

    w.new_pin.setText("975310")
    w.repeat_pin.setText("975310")
    w.minutes.setValue(3)
    with qtbot.waitSignal(w.loaded, timeout=5000):
        qtbot.mouseClick(w.save_pin, Qt.MouseButton.LeftButton)
    assert check_pin(ctx.db, "975310") and w.remove_pin.isEnabled() and w.minutes.value() == 3
    with qtbot.waitSignal(w.loaded, timeout=5000):
        qtbot.mouseClick(w.remove_pin, Qt.MouseButton.LeftButton)
    assert not pin_enabled(ctx.db) and not w.remove_pin.isEnabled()


def test_recovery_code_is_shown_and_audited(qtbot: QtBot, ctx: AppContext) -> None:
    w = _widget(qtbot, ctx)
    dialog = w.reveal_code()
    assert dialog is not None and ctx.db.keys is not None
    qtbot.addWidget(dialog)
    assert dialog.text.toPlainText() == recovery_code(ctx.db.keys.master)
    dialog.close()
    tasks.wait_idle()
    assert [e.action for e in audit.entries(ctx.db)] == [audit.SHOW_RECOVERY_CODE]


def test_retention_scheduler_runs_at_start(qtbot: QtBot, ctx: AppContext) -> None:
    sched = RetentionScheduler(ctx)
    with qtbot.waitSignal(sched.ran, timeout=5000) as blocker:
        sched.start()
    assert blocker.args is not None and blocker.args[0].ran_at
    assert sched.timer.isActive() and sched.timer.interval() == 24 * 60 * 60 * 1000
    sched.timer.stop()


def test_recovery_code_entry_installs_the_key(qtbot: QtBot, db: Database, paths: AppPaths) -> None:
    from desa_capil.security.keys import KeyStore, new_master
    from desa_capil.store.db import open_database
    from desa_capil.ui.privacy_settings import RecoveryCodeEntryDialog

    assert db.keys is not None
    code = recovery_code(db.keys.master)
    db.close()
    KeyStore(paths).save(new_master())  # the wrong key, as after copying to another laptop
    dialog = RecoveryCodeEntryDialog(paths)
    qtbot.addWidget(dialog)
    dialog.code.setText("AAAAA-BBBBB")
    dialog.try_accept()
    assert dialog.result() != dialog.DialogCode.Accepted and "tidak cocok" in dialog.message.text()
    dialog.code.setText(code)
    dialog.try_accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    open_database(paths).close()
