"""Python's cyclic garbage collector runs on the UI thread only.

Automatic collection starts in whichever thread happens to allocate when a threshold is
crossed: a page worker, the database worker, the sync thread. When that collection frees a Qt
object (a widget, a signal connection, an operation's QObject), PySide destroys it there:
``QObject::disconnect`` takes Qt's signal-slot mutex and then asks for the GIL to call back into
Python. If the UI thread holds the GIL at that moment and is itself inside Qt waiting for the
same mutex (``style().polish()`` does, for one), both wait for ever. The test suite hung that
way once on CI; py-spy showed exactly those two stacks (a pool thread in ``gc_collect_main`` →
``QObject::disconnect`` → ``GilState::acquire``; the UI thread in ``polish`` →
``QObject::disconnect`` → ``QBasicMutex::lockInternal``).

So automatic collection is switched off and the UI thread collects, from a timer, whatever the
interpreter itself would have collected by then: the same generations, on the same thresholds
and the same rule for full collections (the pattern of pyqtgraph's and Spyder's ``GarbageCollector``). Reference counting still frees
almost everything at once, on any thread; only objects in reference cycles wait for the timer.
"""

from __future__ import annotations

import gc
import logging
import threading

from PySide6.QtCore import QCoreApplication, QObject, QTimer

log = logging.getLogger(__name__)

# Short enough that garbage from a busy worker never piles up for long, long enough that the
# check (three integers compared) costs nothing.
CHECK_INTERVAL_MS = 250

_thresholds: tuple[int, int, int] | None = None
_guard: MainThreadGC | None = None


def disable_automatic() -> None:
    """Stop automatic collection (idempotent); `collect_due` then does it on the caller's thread."""
    global _thresholds
    if _thresholds is None:
        t0, t1, t2 = gc.get_threshold()
        _thresholds = (t0, t1, t2)
    gc.disable()


def collect_due() -> int:
    """Collect the oldest generation whose allocation count passed its threshold, as the
    interpreter would have; nothing when none did. Returns the objects found unreachable.

    Like the interpreter, the oldest generation waits until the objects moved into it since
    the last full collection are a quarter of those it held then: a full collection walks every
    object of the process (a tenth of a second and more for the app's), and doing one at each
    tenth collection of the middle generation stalls the UI thread on a busy sync or page run
    for nothing."""
    t0, t1, t2 = _thresholds if _thresholds is not None else gc.get_threshold()
    c0, c1, c2 = gc.get_count()
    if c2 > t2 and _long_lived_pending >= _long_lived_total // 4:
        return collect(2)
    if c1 > t1:
        return collect(1)
    if c0 > t0:
        return collect(0)
    return 0


# The interpreter's own bookkeeping for the oldest generation (CPython's long_lived_total and
# long_lived_pending), which it keeps for automatic collections only.
_long_lived_total = 0
_long_lived_pending = 0


def collect(generation: int) -> int:
    """`gc.collect(generation)`, keeping count of what moves into the oldest generation."""
    global _long_lived_total, _long_lived_pending
    if generation == 1:
        young = len(gc.get_objects(0)) + len(gc.get_objects(1))
        found = gc.collect(1)
        _long_lived_pending += max(0, young - found)
        return found
    found = gc.collect(generation)
    if generation == 2:
        _long_lived_total = len(gc.get_objects(2))
        _long_lived_pending = 0
    return found


class MainThreadGC(QObject):
    """Collects on the UI thread's event loop (see the module's text)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("desa_capil-gc")
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        disable_automatic()
        self.timer.start()

    def check(self) -> None:
        collect_due()


def install() -> MainThreadGC:
    """Hand cyclic garbage collection to the UI thread for as long as the application runs.
    Call it on the UI thread once the QCoreApplication exists; calling it again is harmless."""
    global _guard
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("gc_guard.install() needs a QCoreApplication")
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("gc_guard.install() must run on the UI thread")
    if _guard is None:
        _guard = MainThreadGC(app)
        app.aboutToQuit.connect(collect_due)
        log.debug("cyclic garbage collection moved to the UI thread")
    return _guard


def ensure() -> None:
    """`install` wherever it can be: on the UI thread once the QCoreApplication exists; nothing
    otherwise. Whatever starts a worker thread calls it first (run_op, the sync controller):
    a process that did not start through the app (a benchmark, a screenshot script) would
    otherwise collect on its workers."""
    if (
        _guard is None
        and QCoreApplication.instance() is not None
        and threading.current_thread() is threading.main_thread()
    ):
        install()
