"""The one way to run background work from the UI (after Anki's QueryOp).

    run_op(parent, op=lambda progress: repo.save(...), on_success=show, db=True)

The operation runs off the UI thread. Database operations (``db=True``) run one at a time on
a single worker so SQLite writes never contend with each other; image and network work runs on
a shared pool. The result, a failure or progress come back on the UI thread by signal.
Operations never touch widgets: they get plain data in and return plain data out.

Without ``on_failure``, a known problem (UserError, locked DB, full disk) is shown as a message
box and anything else goes to the crash dialog and the log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, SignalInstance
from PySide6.QtWidgets import QWidget

from desa_capil.ui.errors import handle_exception

log = logging.getLogger(__name__)


class Progress:
    """Handed to an operation so it can report progress and notice a cancel request."""

    def __init__(self, signal: SignalInstance) -> None:
        self._signal = signal
        self._cancel = threading.Event()

    def report(self, done: int, total: int, text: str = "") -> None:
        self._signal.emit(done, total, text)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


class Op(QObject):
    """One background operation.

    Signals (all delivered on the UI thread):
        succeeded(object): the operation's return value.
        failed(object): the exception it raised.
        progress(int, int, str): done, total, a short text.
        finished(): after succeeded or failed.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int, str)
    finished = Signal()
    # Emitted on the worker thread; queued to this object's (the UI) thread, where the public
    # signals are re-emitted. Connecting plain callables straight to a signal emitted on a
    # worker would run them on the worker.
    _result = Signal(bool, object)
    _progress = Signal(int, int, str)

    def __init__(self, fn: Callable[[Progress], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fn = fn
        self.reporter = Progress(self._progress)
        self.done = False
        self._result.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._progress.connect(self.progress, Qt.ConnectionType.QueuedConnection)

    def _deliver(self, ok: bool, value: object) -> None:
        try:
            if ok:
                self.succeeded.emit(value)
            else:
                self.failed.emit(value)
        finally:
            self.finished.emit()

    def cancel(self) -> None:
        self.reporter.cancel()

    def _run(self) -> None:
        # Runs on a worker thread: only emit signals from here.
        try:
            result = self.fn(self.reporter)
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the UI thread
            self._result.emit(False, exc)
        else:
            self._result.emit(True, result)


class _Runnable(QRunnable):
    def __init__(self, op: Op) -> None:
        super().__init__()
        self.op = op
        self.setAutoDelete(True)

    def run(self) -> None:
        self.op._run()


_db_pool: QThreadPool | None = None
# Ops stay referenced until they finish; Qt must not delete them under a running worker.
_running: set[Op] = set()


def db_pool() -> QThreadPool:
    global _db_pool
    if _db_pool is None:
        _db_pool = QThreadPool()
        _db_pool.setMaxThreadCount(1)
        _db_pool.setObjectName("desa_capil-db")
    return _db_pool


def run_op(
    parent: QWidget | None,
    op: Callable[[Progress], Any],
    *,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
    db: bool = False,
) -> Op:
    """Run `op(progress)` in the background; callbacks run on the UI thread."""
    task = Op(op)
    if on_success is not None:
        task.succeeded.connect(on_success)
    if on_progress is not None:
        task.progress.connect(on_progress)
    if on_failure is not None:
        task.failed.connect(on_failure)
    else:
        task.failed.connect(lambda exc: handle_exception(parent, exc))

    def _finish() -> None:
        task.done = True
        _running.discard(task)

    task.finished.connect(_finish)
    _running.add(task)
    pool = db_pool() if db else QThreadPool.globalInstance()
    pool.start(_Runnable(task))
    return task


def wait_idle(timeout_ms: int = 30000) -> bool:
    """Block until background work is done (shutdown and tests only)."""
    ok = db_pool().waitForDone(timeout_ms)
    return QThreadPool.globalInstance().waitForDone(timeout_ms) and ok
