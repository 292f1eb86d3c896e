"""The optional lock screen: after some minutes without input, a PIN hides the residents' data.

Pieces:

- ``InactivityWatcher``: an event filter on the QApplication; any key, click, wheel or mouse
  move restarts a timer, and ``idle()`` fires when it runs out.
- ``LockScreen``: an opaque overlay over the main window (so nothing personal stays visible
  behind a dialog) with a PIN field. Wrong PINs make it wait longer each time
  (``security.pin.lockout_seconds``). "Lupa PIN?" takes the recovery code instead, which also
  removes the PIN (the kepala desa holds that code).
- ``LockController``: wires both to a window and the settings (``pin_hash``, ``lock_minutes``).

While locked, the controller's event filter swallows keyboard shortcuts and clicks aimed at
anything but the overlay, and other open windows are hidden until unlocking.

Usage in the shell::

    self.lock = LockController(ctx, self)   # after the window is built
    self.lock.refresh()                     # again after the privacy settings change
    # optional toolbar action: self.lock.lock_now()
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desa_capil.errors import BadInputError
from desa_capil.security import audit
from desa_capil.security.keys import master_from_code
from desa_capil.security.pin import check_pin, clear_pin, lock_minutes, lockout_seconds, pin_enabled
from desa_capil.store.db import Database
from desa_capil.ui.context import AppContext
from desa_capil.ui.tasks import Progress, run_op

log = logging.getLogger(__name__)

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}
_BLOCKED_WHILE_LOCKED = {
    QEvent.Type.KeyPress,
    QEvent.Type.KeyRelease,
    QEvent.Type.Shortcut,
    QEvent.Type.ShortcutOverride,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseButtonDblClick,
    QEvent.Type.Wheel,
}


class InactivityWatcher(QObject):
    """Tells when the user has not touched the app for a while.

    Signals:
        idle(): no input for the configured time (fires once per idle period).
    """

    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self._installed = False

    def set_timeout_ms(self, ms: int) -> None:
        """0 switches the watch off."""
        self._timer.stop()
        app = QApplication.instance()
        if ms <= 0:
            if self._installed and app is not None:
                app.removeEventFilter(self)
                self._installed = False
            return
        self._timer.setInterval(ms)
        if not self._installed and app is not None:
            app.installEventFilter(self)
            self._installed = True
        self._timer.start()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def poke(self) -> None:
        if self._installed:
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in _ACTIVITY:
            self._timer.start()
        return False


class LockScreen(QFrame):
    """Opaque overlay with a PIN field, covering its parent window.

    Signals:
        unlocked(): the right PIN (or the recovery code) was entered.
    """

    unlocked = Signal()
    # Finished a PIN check in the background: (accepted, via_recovery_code).
    _checked = Signal(bool, bool)

    def __init__(self, db: Database, parent: QWidget, *, operator_id: int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.db = db
        self.operator_id = operator_id
        self.failures = 0
        self.setAutoFillBackground(True)
        self.setFrameShape(QFrame.Shape.NoFrame)

        box = QVBoxLayout(self)
        box.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel(self.tr("Aplikasi terkunci"), self)
        title.setObjectName("pageTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel(self.tr("Data warga disembunyikan. Masukkan PIN untuk melanjutkan."), self)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        self.pin = QLineEdit(self)
        self.pin.setObjectName("lockPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,12}"), self.pin))
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.pin.setMinimumWidth(220)
        self.pin.setAccessibleName(self.tr("PIN"))
        self.unlock_button = QPushButton(self.tr("Buka"), self)
        self.unlock_button.setObjectName("lockUnlock")
        self.unlock_button.setDefault(True)
        self.message = QLabel("", self)
        self.message.setObjectName("lockMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.forgot = QPushButton(self.tr("Lupa PIN? Pakai kode pemulihan"), self)
        self.forgot.setObjectName("lockForgot")
        self.forgot.setFlat(True)
        self.code = QLineEdit(self)
        self.code.setObjectName("lockRecoveryCode")
        self.code.setPlaceholderText(self.tr("Kode pemulihan dari kepala desa"))
        self.code.hide()
        for w in (title, hint, self.pin, self.unlock_button, self.message, self.forgot, self.code):
            box.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)

        self._cooldown = QTimer(self)
        self._cooldown.setSingleShot(True)
        self._cooldown.timeout.connect(self._end_cooldown)
        self.unlock_button.clicked.connect(self.submit)
        self.pin.returnPressed.connect(self.submit)
        self.code.returnPressed.connect(self.submit)
        self.forgot.clicked.connect(self._show_code_field)
        self._checked.connect(self._on_checked)

    def show_over_parent(self) -> None:
        parent = self.parentWidget()
        assert parent is not None
        self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self.pin.clear()
        self.code.clear()
        self.pin.setFocus()

    def _show_code_field(self) -> None:
        self.code.show()
        self.code.setFocus()

    def submit(self) -> None:
        if self._cooldown.isActive():
            return
        pin = self.pin.text()
        code = self.code.text().strip() if self.code.isVisible() else ""
        if not pin and not code:
            return
        self.unlock_button.setEnabled(False)
        db = self.db
        keys = db.keys

        def op(_p: Progress) -> tuple[bool, bool]:
            if code:
                try:
                    ok = keys is not None and master_from_code(code) == keys.master
                except BadInputError:
                    ok = False
                if ok:
                    clear_pin(db)
                    audit.record(db, audit.PIN_CHANGED, detail="removed with the recovery code")
                return ok, True
            return check_pin(db, pin), False

        run_op(self, op, on_success=lambda r: self._checked.emit(*r), db=True)

    def _on_checked(self, ok: bool, via_code: bool) -> None:
        if ok:
            self.failures = 0
            self.message.clear()
            self.unlock_button.setEnabled(True)
            self.hide()
            self.unlocked.emit()
            return
        self.failures += 1
        self.pin.clear()
        wait = lockout_seconds(self.failures)
        if via_code:
            text = self.tr("Kode pemulihan tidak cocok.")
        else:
            text = self.tr("PIN salah.")
        if wait:
            text += " " + self.tr("Tunggu %n detik sebelum mencoba lagi.", "", wait)
            self.pin.setEnabled(False)
            self._cooldown.start(wait * 1000)
        else:
            self.unlock_button.setEnabled(True)
        self.message.setText(text)

    def _end_cooldown(self) -> None:
        self.pin.setEnabled(True)
        self.unlock_button.setEnabled(True)
        self.message.clear()
        self.pin.setFocus()


class LockController(QObject):
    """Locks `window` after the configured idle time when a PIN is set.

    Signals:
        locked(): the lock screen is up.
        unlocked(): it went away after the right PIN.
    """

    locked = Signal()
    unlocked = Signal()

    def __init__(self, ctx: AppContext, window: QWidget) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.watcher = InactivityWatcher(self)
        self.watcher.idle.connect(self.lock_now)
        self.screen = LockScreen(ctx.db, window, operator_id=ctx.operator_id)
        self.screen.hide()
        self.screen.unlocked.connect(self._on_unlocked)
        self._enabled = False
        self._hidden: list[QWidget] = []
        window.installEventFilter(self)

    @property
    def is_locked(self) -> bool:
        return self.screen.isVisible()

    def refresh(self) -> None:
        """Read the PIN and idle time from the settings (small reads: on the UI thread)."""
        self._enabled = pin_enabled(self.ctx.db)
        minutes = lock_minutes(self.ctx.db) if self._enabled else 0
        self.watcher.set_timeout_ms(minutes * 60_000)

    def set_timeout_ms(self, ms: int) -> None:
        """Tests and demos: a shorter idle time than whole minutes."""
        self.watcher.set_timeout_ms(ms)

    def lock_now(self) -> None:
        if not self._enabled or self.is_locked:
            return
        # Other windows (dialogs) could show personal data: hide them until unlocked.
        self._hidden = [
            w
            for w in QApplication.topLevelWidgets()
            if w.isVisible() and w is not self.window and not isinstance(w, LockScreen)
        ]
        for w in self._hidden:
            w.hide()
        self.screen.show_over_parent()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.locked.emit()

    def _on_unlocked(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        for w in self._hidden:
            w.show()
        self._hidden = []
        self.refresh()
        self.unlocked.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.window and event.type() == QEvent.Type.Resize and self.is_locked:
            self.screen.setGeometry(self.window.rect())
        if self.is_locked and event.type() in _BLOCKED_WHILE_LOCKED:
            if event.type() == QEvent.Type.Shortcut:
                return True  # no menu or page shortcut while locked; the overlay needs none
            if not isinstance(watched, QWidget):
                return False  # QWindow-level: Qt routes it on to a widget, filtered here again
            return not (watched is self.screen or self.screen.isAncestorOf(watched))
        return False
