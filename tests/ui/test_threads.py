"""Qt objects die on the UI thread only.

A QObject destroyed on a worker thread disconnects its signals there, under Qt's signal-slot
mutex, and PySide then waits for the GIL. If the UI thread holds the GIL and waits inside Qt for
the same mutex, the whole process stops (seen on CI: a pool thread's cyclic garbage collection
against ``style().polish()`` on the UI thread). Two things keep it from happening: cyclic
collection runs on the UI thread only (desa_capil.ui.gc_guard), and a background operation's
worker never holds the last reference to anything the UI made (desa_capil.ui.tasks).
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desa_capil.ui import gc_guard, tasks

ROOT = Path(__file__).resolve().parents[2]


class Canary:
    """Records the thread it was freed on."""

    def __init__(self, freed: list[str]) -> None:
        weakref.finalize(self, lambda: freed.append(threading.current_thread().name))


def _churn_cycles(n: int) -> None:
    for _ in range(n):
        x: list[object] = []
        x.append(x)


def test_cyclic_garbage_is_collected_on_the_ui_thread(qapp: object, qtbot: QtBot) -> None:
    guard = gc_guard.install()
    assert not gc.isenabled() and guard.timer.isActive()
    freed: list[str] = []
    canary = Canary(freed)
    canary.me = canary  # type: ignore[attr-defined]  # a cycle: only the collector frees it
    del canary
    # A worker allocates far past every generation's threshold (automatic collection would
    # run there several times over, and free the canary on that thread).
    worker = threading.Thread(target=_churn_cycles, args=(200_000,), name="churn")
    worker.start()
    worker.join()
    assert freed == []
    qtbot.waitUntil(lambda: freed == ["MainThread"], timeout=10000)


@pytest.fixture
def worker_parks_after_posting(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The worker stops right after it signalled its outcome, until the test lets it go: the
    moment at which, before the fix, it still held the operation (and dropped it later, on its
    own thread, once the UI thread had let go)."""
    release = threading.Event()
    original = tasks._signal_result

    def post_then_park(op_id: int) -> None:
        original(op_id)
        release.wait(30)

    monkeypatch.setattr(tasks, "_signal_result", post_then_park)
    yield release
    release.set()
    tasks.wait_idle()


@pytest.mark.parametrize("fails", [False, True], ids=["succeeds", "raises"])
def test_an_operation_and_all_it_captured_are_freed_on_the_ui_thread(
    qapp: object, qtbot: QtBot, worker_parks_after_posting: threading.Event, fails: bool
) -> None:
    freed: list[str] = []
    captured = Canary(freed)  # what the operation's callable captured (a widget, page bytes)
    in_callback = Canary(freed)  # what the success / failure callback captured
    delivered: list[str] = []

    def op(_p: tasks.Progress, held: Canary = captured) -> Canary:
        in_frame = held  # noqa: F841 - kept by the traceback when the operation raises
        if fails:
            raise ValueError("gagal")
        return Canary(freed)  # the result

    def on_success(result: Canary, seen: Canary = in_callback) -> None:
        delivered.append(type(result).__name__)

    def on_failure(exc: BaseException, seen: Canary = in_callback) -> None:
        delivered.append(type(exc).__name__)

    task = tasks.run_op(None, op, on_success=on_success, on_failure=on_failure)
    task_ref = weakref.ref(task)
    del task, captured, in_callback, op, on_success, on_failure
    qtbot.waitUntil(lambda: delivered != [], timeout=10000)
    assert delivered == (["ValueError"] if fails else ["Canary"])
    # The worker is parked after posting: everything must already be gone, freed here.
    qtbot.waitUntil(lambda: task_ref() is None, timeout=10000)
    gc.collect()
    assert freed == ["MainThread"] * (2 if fails else 3)
    assert not tasks._running and not tasks._outcomes
    worker_parks_after_posting.set()


def test_progress_reaches_the_ui_thread_in_order(qapp: object, qtbot: QtBot) -> None:
    seen: list[tuple[int, int, str, str]] = []

    def op(p: tasks.Progress) -> int:
        for i in range(5):
            p.report(i, 5, f"halaman {i}")
        return 5

    def progress(done: int, total: int, text: str) -> None:
        seen.append((done, total, text, threading.current_thread().name))

    with qtbot.waitSignal(tasks.run_op(None, op, on_progress=progress).finished, timeout=10000):
        pass
    assert seen == [(i, 5, f"halaman {i}", "MainThread") for i in range(5)]


# A process that builds windows without going through the app's start (a benchmark, a
# screenshot script, a tool): its first operation moves the collector to the UI thread too.
_NO_APP_MAIN = """
import gc, threading
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from desa_capil.ui import tasks

app = QApplication([])
assert gc.isenabled()
got = []
tasks.run_op(None, lambda _p: threading.current_thread().name, on_success=got.append).finished.connect(app.quit)
QTimer.singleShot(20000, app.quit)
app.exec()
print(got != [] and got[0] != "MainThread", gc.isenabled())
"""


def test_the_first_operation_moves_collection_to_the_ui_thread_without_app_main() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", _NO_APP_MAIN], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "False"]


def _full_collections() -> int:
    return int(gc.get_stats()[2]["collections"])


def test_a_full_collection_waits_for_enough_new_long_lived_objects() -> None:
    """As the interpreter's own rule: the timer's collections do not walk the whole process
    every tenth middle-generation collection, only once what moved into the oldest generation
    since the last full one is a quarter of what it held then."""
    _t0, t1, t2 = gc.get_threshold()
    gc_guard.collect(2)
    for _ in range(t2 + 1):
        gc_guard.collect(1)  # few survivors: the oldest generation's count is over its threshold
    assert gc.get_count()[2] > t2
    before = _full_collections()
    gc_guard.collect_due()
    assert _full_collections() == before
    # Now many objects that stay: they move up, and the next due collection is a full one.
    kept = [[i] for i in range(gc_guard._long_lived_total // 2)]  # twice the quarter: a margin
    for _ in range(t1 + 1):
        gc_guard.collect(0)
    gc_guard.collect(1)
    assert gc.get_count()[2] > t2
    gc_guard.collect_due()
    assert _full_collections() == before + 1
    del kept


_LEAVES_A_FILE_IN_A_CYCLE = """
def test_leaves_an_unclosed_file_in_a_cycle(tmp_path):
    class Holder:
        pass

    h = Holder()
    h.me = h
    h.f = open(tmp_path / "x", "w")


def test_next():
    pass
"""


def test_what_a_tests_garbage_raises_when_collected_fails_that_test(tmp_path: Path) -> None:
    """With automatic collection off, the session collects after each test: a finalizer's
    warning must fail the test that made the garbage (in its teardown), not the next one."""
    (tmp_path / "test_cycle.py").write_text(_LEAVES_A_FILE_IN_A_CYCLE)
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": path}
    args = ["-p", "tests.conftest", "-p", "no:cacheprovider", "-W", "error", "-q", "-rA"]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *args, "--rootdir", str(tmp_path), "test_cycle.py"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = proc.stdout.splitlines()
    assert "PASSED test_cycle.py::test_next" in lines, proc.stdout[-3000:]
    assert any(
        line.startswith("ERROR test_cycle.py::test_leaves_an_unclosed_file_in_a_cycle") for line in lines
    ), proc.stdout[-3000:]
