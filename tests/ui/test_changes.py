"""Operations say what they changed (services.Changes through AppContext.notify) and each page
reloads only for what it shows: a page turned in the intake reloads no list; a saved application
reloads the lists and counts but not the hand-over page; a sync pass that brought office news
reloads all. There is no payload-less "anything changed" signal left to emit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QMetaMethod
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import desa_capil.ui
from desa_capil.services.changes import Changes, pass_changes
from desa_capil.store import pages as sp
from desa_capil.store import repo
from desa_capil.sync.worker import PassResult
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext
from desa_capil.ui.main_window import MainWindow
from desa_capil.ui.pages.base import LazyPage

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

NIK = "3201015512900001"
KEYS = ("dashboard", "queue", "distribution", "reports")


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.status_refreshed, timeout=10000):
        win.show()
    return win


def _reloads(win: MainWindow) -> dict[str, int]:
    pages = {k: win.page(k) for k in KEYS}
    assert all(isinstance(p, LazyPage) for p in pages.values())
    return {k: p.reloads for k, p in pages.items()}  # type: ignore[attr-defined]


def _more(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {k for k in before if after[k] > before[k]}


def test_each_page_reloads_for_what_it_shows(window: MainWindow, ctx: AppContext) -> None:
    window.show_page("queue")
    start = _reloads(window)
    ctx.notify(Changes.of_papers("a1", status_moved=False))
    assert _more(start, _reloads(window)) == set()
    ctx.notify(Changes.of_papers("a1", status_moved=True))
    assert _more(start, now := _reloads(window)) == {"dashboard", "queue", "reports"}
    ctx.notify(Changes(handovers=frozenset({"a1"})))
    assert _more(now, then := _reloads(window)) == {"dashboard", "distribution", "reports"}
    ctx.notify(Changes(settings=frozenset({"village_head_name"})))
    assert _more(then, now := _reloads(window)) == {"distribution", "reports"}
    ctx.notify(Changes())  # nothing changed: nothing is said
    assert _reloads(window) == now
    # A sync pass that brought office news and a signed PDF: every list and the hand-over page.
    ctx.notify(pass_changes(PassResult(office_changes=["a1"], documents_downloaded=1)))
    assert _more(now, then := _reloads(window)) == set(KEYS)
    # A pass that only sent a batch: counts (dashboard), not the hand-over page nor the queue.
    ctx.notify(pass_changes(PassResult(batches_sent=["b1"])))
    assert _more(then, _reloads(window)) == {"dashboard"}


def test_the_app_has_no_payload_less_change_signal() -> None:
    """Every signal of the app context carries what it is about: a page cannot be told
    "anything changed" (the old data_changed), only what an operation changed."""
    meta = AppContext.staticMetaObject
    signals = [meta.method(i) for i in range(meta.methodOffset(), meta.methodCount())]
    signals = [m for m in signals if m.methodType() == QMetaMethod.MethodType.Signal]
    assert {bytes(m.name().data()).decode() for m in signals} >= {"changed", "office_changes"}
    bare = [bytes(m.name().data()).decode() for m in signals if m.parameterCount() == 0]
    assert bare == [], f"payload-less signals on AppContext: {bare}"
    assert not hasattr(AppContext, "data_changed")


def test_no_ui_code_emits_a_change_without_saying_what() -> None:
    """No module of the UI emits a context signal without arguments (`ctx.x.emit()`), nor
    refers to the removed data_changed: a new operation must report its Changes."""
    ui = Path(desa_capil.ui.__file__).parent
    bare = re.compile(r"ctx\.\w+\.emit\(\s*\)|data_changed")
    found = [
        f"{path.relative_to(ui)}:{n}: {line.strip()}"
        for path in sorted(ui.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if bare.search(line)
    ]
    assert found == []


def test_turning_a_page_in_the_intake_reloads_no_list(
    qtbot: QtBot, qapp: QApplication, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    from desa_capil.services import pages as processing
    from desa_capil.ui.intake import IntakeWizard
    from desa_capil.ui.intake.wizard import PAPERS
    from tests.intake.conftest import page_image

    db = ctx.db
    app_id = repo.save_application(db, service_code="kk_hilang", applicant=repo.ApplicantData(NIK, "Siti"))
    file = tmp_path / "ktp.png"
    page_image("ktp").save(file, dpi=(100, 100))
    sp.add_pages(db, app_id, "ktp_el", processing.pages_from_file(file))
    window.show_page("queue")
    said: list[Changes] = []
    ctx.changed.connect(said.append)
    w = IntakeWizard(ctx, window, app_id)
    w.show()
    qtbot.waitUntil(lambda: w.papers_step.state is not None, timeout=10000)
    w.go_to(PAPERS)
    w.papers_step.select_requirement("ktp_el")
    qtbot.waitUntil(lambda: w.papers_step.strip.count() == 1, timeout=10000)
    # Let the wizard's saves of opening land first: they are not what is measured.
    qtbot.waitUntil(lambda: not w._saving and not w._autosave.isActive(), timeout=10000)
    tasks.wait_idle()
    qapp.processEvents()
    said.clear()
    start = _reloads(window)
    ps = w.papers_step
    ps.strip.setCurrentRow(0)
    with qtbot.waitSignal(ps.state_changed, timeout=20000):
        ps.rotate_selected(90)
    qtbot.waitUntil(lambda: bool(said), timeout=10000)
    assert said == [Changes(pages=frozenset({app_id}))]
    assert _more(start, _reloads(window)) == set()
    assert window.page("queue").ignored >= 1  # type: ignore[attr-defined]

    # The applicant's name changes what the queue shows: that save reloads it.
    w.go_to(1)
    w.applicant_step.name.setText("Siti Aminah")
    with qtbot.waitSignal(w.saved, timeout=10000):
        w.save()
    assert said[-1] == Changes(applications=frozenset({app_id}))
    assert "queue" in _more(start, _reloads(window))
    with qtbot.waitSignal(w.finished, timeout=10000):
        w.close()
