"""The Qt side of demo mode: a "getting ready" window while the demo starts, and the marker.

    home = demo.prepare_home()              # first thing in main(): before logs or the DB
    session = start_demo_with_progress()    # after the QApplication exists
    ...
    mark_demo_window(window)                # "MODE DEMO" in the status bar

Starting the embedded server and seeding the sample data through the real round trip takes
some seconds; it runs on a worker thread while a small window says what is happening.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressDialog, QWidget

from desa_capil.demo import DemoSession
from desa_capil.ui.errors import handle_exception
from desa_capil.ui.tasks import Progress, run_op

log = logging.getLogger(__name__)


def start_demo_with_progress(parent: QWidget | None = None, *, show: bool = True) -> DemoSession | None:
    """Start the demo session in the background; None (after telling the user) on failure."""
    from PySide6.QtCore import QCoreApplication

    t = QCoreApplication.translate
    box = QProgressDialog(
        t("demo", "Menyiapkan mode demo: server contoh dan data warga contoh..."), "", 0, 0, parent
    )
    box.setWindowTitle(t("demo", "Mode demo"))
    box.setCancelButton(None)  # type: ignore[arg-type]
    box.setMinimumDuration(0)
    box.setWindowModality(Qt.WindowModality.ApplicationModal)
    if show:
        box.show()
    loop = QEventLoop()
    outcome: dict[str, object] = {}

    def op(_p: Progress) -> DemoSession:
        return DemoSession.start()

    def ok(session: DemoSession) -> None:
        outcome["session"] = session

    def failed(exc: BaseException) -> None:
        outcome["error"] = exc

    task = run_op(parent, op, on_success=ok, on_failure=failed)
    task.finished.connect(loop.quit)
    if not task.done:
        loop.exec()
    box.close()
    if "error" in outcome:
        exc = outcome["error"]
        assert isinstance(exc, BaseException)
        log.error("demo could not start: %r", exc)
        handle_exception(parent, exc)
        return None
    session = outcome["session"]
    assert isinstance(session, DemoSession)
    return session


def mark_demo_window(window: QMainWindow) -> QLabel:
    """A "MODE DEMO" badge in the status bar (the title marker is the main window's)."""
    from PySide6.QtCore import QCoreApplication

    label = QLabel(QCoreApplication.translate("demo", "MODE DEMO"), window.statusBar())
    label.setObjectName("demoBadge")
    label.setToolTip(
        QCoreApplication.translate(
            "demo", "Data contoh dan server contoh di laptop ini. Semua dihapus saat aplikasi ditutup."
        )
    )
    label.setStyleSheet(
        "QLabel#demoBadge { background: #b45309; color: white; font-weight: 600;"
        " padding: 2px 10px; border-radius: 4px; }"
    )
    window.statusBar().insertWidget(0, label)
    return label
