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

import functools
import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QWidget

from desa_capil.ui import gc_guard
from desa_capil.ui.errors import handle_exception

log = logging.getLogger(__name__)


class Progress:
    """Handed to an operation so it can report progress and notice a cancel request."""

    def __init__(self, report: Callable[[int, int, str], None]) -> None:
        self._report = report
        self._cancel = threading.Event()

    def report(self, done: int, total: int, text: str = "") -> None:
        self._report(done, total, text)

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

    The worker thread never holds this object, nor has the last reference to the operation's
    callable or its outcome: anything the UI made (this QObject, a widget a closure captured)
    must be destroyed on the UI thread. Destroyed on a worker, a QObject disconnects its signals
    there, under Qt's signal-slot mutex, and PySide then waits for the GIL that the UI thread
    may hold while it waits for that same mutex: a deadlock (see gc_guard).
    """

    succeeded = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int, str)
    finished = Signal()

    def __init__(self, fn: Callable[[Progress], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fn = fn
        self.id = next(_ids)
        self.reporter = Progress(functools.partial(_post_progress, self.id))
        self.done = False

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


class _Bridge(QObject):
    """The one object the workers signal through; it lives on the UI thread for good."""

    # An operation's id: its outcome waits in _outcomes.
    result = Signal(int)
    progress = Signal(int, int, int, str)


_ids = itertools.count(1)
_bridge: _Bridge | None = None
# Finished operations' (ok, value), from the worker that ran it to the UI thread.
_outcomes: dict[int, tuple[bool, object]] = {}
_db_pool: QThreadPool | None = None
# Operations by id until they have delivered: the UI thread's references, always the last ones.
_running: dict[int, Op] = {}


def _ui_bridge() -> _Bridge:
    global _bridge
    if _bridge is None:
        _bridge = _Bridge()
        _bridge.setObjectName("desa_capil-ops")
        _bridge.result.connect(_on_result, Qt.ConnectionType.QueuedConnection)
        _bridge.progress.connect(_on_progress, Qt.ConnectionType.QueuedConnection)
    return _bridge


def _post_progress(op_id: int, done: int, total: int, text: str) -> None:
    assert _bridge is not None
    _bridge.progress.emit(op_id, done, total, text)


def _on_progress(op_id: int, done: int, total: int, text: str) -> None:
    task = _running.get(op_id)
    if task is not None and not task.done:
        task.progress.emit(done, total, text)


def _on_result(op_id: int) -> None:
    ok, value = _outcomes.pop(op_id)
    task = _running.get(op_id)
    if task is not None:
        task._deliver(ok, value)


def _forget(op_id: int) -> None:
    task = _running.pop(op_id, None)
    if task is not None:
        task.done = True


class _Runnable(QRunnable):
    """Runs one operation on a pool thread. It keeps the id and borrowed references only: the
    UI thread's Op holds the callable too, and the outcome goes to _outcomes before the signal,
    so whatever the worker drops is never the last reference."""

    def __init__(self, task: Op) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._job: tuple[int, Callable[[Progress], Any], Progress] | None = (
            task.id,
            task.fn,
            task.reporter,
        )

    def run(self) -> None:
        assert self._job is not None
        op_id, fn, reporter = self._job
        self._job = None
        try:
            outcome: tuple[bool, object] = (True, fn(reporter))
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the UI thread
            outcome = (False, exc)
        del fn, reporter
        _outcomes[op_id] = outcome
        del outcome
        _signal_result(op_id)


def _signal_result(op_id: int) -> None:
    """From the worker, once its outcome is stored and it holds nothing of the operation's."""
    assert _bridge is not None
    _bridge.result.emit(op_id)


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
    # Before any worker runs, in every process that runs operations: the app installs it at
    # start, but a benchmark, a screenshot script or a tool building windows may not.
    gc_guard.ensure()
    _ui_bridge()
    task = Op(op)
    if on_success is not None:
        task.succeeded.connect(on_success)
    if on_progress is not None:
        task.progress.connect(on_progress)
    if on_failure is not None:
        task.failed.connect(on_failure)
    else:
        task.failed.connect(lambda exc: handle_exception(parent, exc))

    # Not a closure over `task`: a connection's callable is held by Qt, out of the cycle
    # collector's sight, so a callable that held the Op would keep it (and everything its
    # operation captured: page images, a widget) alive for good.
    task.finished.connect(functools.partial(_forget, task.id))
    _running[task.id] = task
    pool = db_pool() if db else QThreadPool.globalInstance()
    pool.start(_Runnable(task))
    return task


def wait_idle(timeout_ms: int = 30000) -> bool:
    """Block until background work is done (shutdown and tests only)."""
    ok = db_pool().waitForDone(timeout_ms)
    return QThreadPool.globalInstance().waitForDone(timeout_ms) and ok
