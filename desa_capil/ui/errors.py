"""Showing problems: known ones as a plain message, bugs as a crash dialog plus the log.

A ``UserError`` (bad file, full disk, offline server...) or a known SQLite failure becomes a
message box in the user's language that says what to do. Anything else is a bug: it is
logged with its traceback and shown in a dialog the operator can copy to the office.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desa_capil.errors import UserError
from desa_capil.store.db import translate_error
from desa_capil.ui.i18n import lang

log = logging.getLogger(__name__)


def known_error(exc: BaseException) -> UserError | None:
    if isinstance(exc, UserError):
        return exc
    return translate_error(exc)


def show_user_error(parent: QWidget | None, err: UserError, title: str | None = None) -> None:
    log.info("user error shown: %s", err)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or QCoreApplication.translate("errors", "Perhatian"))
    box.setText(err.message(lang()))
    if err.detail:
        box.setDetailedText(err.detail)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


def show_crash(parent: QWidget | None, exc: BaseException) -> None:
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.error("unexpected error:\n%s", text)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(QCoreApplication.translate("errors", "Terjadi kesalahan program"))
    box.setText(
        QCoreApplication.translate(
            "errors",
            "Maaf, terjadi kesalahan di dalam program. Data yang sudah tersimpan aman. "
            "Catatan kesalahan sudah disimpan di log; kirimkan rinciannya ke petugas Disdukcapil.",
        )
    )
    box.setDetailedText(text)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()


def handle_exception(parent: QWidget | None, exc: BaseException) -> None:
    known = known_error(exc)
    if known is not None:
        show_user_error(parent, known)
    else:
        show_crash(parent, exc)


class _ExceptHook(QObject):
    # Exceptions raised in slots reach sys.excepthook on whatever thread; the dialog must be
    # shown on the UI thread, hence the queued signal.
    caught = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.caught.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self.showing = False

    def hook(self, etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(etype, KeyboardInterrupt):
            sys.__excepthook__(etype, value, tb)
            return
        log.error("uncaught exception", exc_info=(etype, value, tb))
        self.caught.emit(value)

    def _show(self, exc: BaseException) -> None:
        if self.showing:  # one dialog at a time; a burst of errors must not stack 50 boxes
            return
        self.showing = True
        try:
            handle_exception(QApplication.activeWindow(), exc)
        finally:
            self.showing = False


_hook: _ExceptHook | None = None


def install_excepthook() -> None:
    global _hook
    _hook = _ExceptHook()
    sys.excepthook = _hook.hook
