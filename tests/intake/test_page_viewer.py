"""The page viewer reads a paper page by page: fit / 100 % / zoom steps, previous and next page,
by buttons and by keyboard (and Ctrl+wheel); each page looked at is audited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desa_capil.security import audit
from desa_capil.services import pages as processing
from desa_capil.store import pages as sp
from desa_capil.store import repo
from desa_capil.ui.context import AppContext
from desa_capil.ui.intake.page_viewer import ZOOMS, PageViewer, next_zoom

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

NIK = "3201015512900001"


def test_zoom_steps() -> None:
    assert next_zoom(1.0, 1) == 1.25 and next_zoom(1.0, -1) == 0.75
    assert next_zoom(0.4, 1) == 0.5 and next_zoom(0.4, -1) == 0.33  # from a fitted scale
    assert next_zoom(ZOOMS[-1], 1) == ZOOMS[-1] and next_zoom(ZOOMS[0], -1) == ZOOMS[0]


def _viewer(
    qtbot: QtBot, ctx: AppContext, make_png: Callable[[str], Path], start: int
) -> tuple[PageViewer, list[str]]:
    db = ctx.db
    app_id = repo.save_application(db, service_code="kk_hilang", applicant=repo.ApplicantData(NIK, "Siti"))
    ids: list[str] = []
    for i in range(3):
        ids += sp.add_pages(db, app_id, "ktp_el", processing.pages_from_file(make_png(f"hal {i + 1}")))
    pages = [(pid, f"KTP-el · Hal. {i + 1}") for i, pid in enumerate(ids)]
    viewer = PageViewer(ctx, ids[start], pages[start][1], pages=pages)
    qtbot.addWidget(viewer)
    with qtbot.waitSignal(viewer.shown, timeout=10000):
        viewer.show()
    viewer.activateWindow()
    qtbot.waitUntil(viewer.isActiveWindow)
    return viewer, ids


def _key(qtbot: QtBot, viewer: PageViewer, key: Qt.Key, *, loads: bool) -> None:
    if loads:
        with qtbot.waitSignal(viewer.shown, timeout=10000):
            qtbot.keyClick(viewer.scroll, key)
    else:
        qtbot.keyClick(viewer.scroll, key)


def test_next_and_previous_page_by_button_and_key(
    qtbot: QtBot, ctx: AppContext, make_png: Callable[[str], Path]
) -> None:
    viewer, ids = _viewer(qtbot, ctx, make_png, start=1)
    assert viewer.windowTitle() == "KTP-el · Hal. 2" and viewer.position.text() == "Hal. 2 dari 3"
    assert viewer.prev_btn.isEnabled() and viewer.next_btn.isEnabled()

    with qtbot.waitSignal(viewer.shown, timeout=10000):
        viewer.next_btn.click()
    assert viewer.page_id == ids[2] and viewer.windowTitle() == "KTP-el · Hal. 3"
    assert not viewer.next_btn.isEnabled()
    _key(qtbot, viewer, Qt.Key.Key_PageDown, loads=False)  # the last page: stays
    assert viewer.page_id == ids[2]
    _key(qtbot, viewer, Qt.Key.Key_PageUp, loads=True)
    assert viewer.page_id == ids[1]
    _key(qtbot, viewer, Qt.Key.Key_Left, loads=True)
    assert viewer.page_id == ids[0] and not viewer.prev_btn.isEnabled()
    _key(qtbot, viewer, Qt.Key.Key_End, loads=True)
    assert viewer.page_id == ids[2]
    _key(qtbot, viewer, Qt.Key.Key_Home, loads=True)
    assert viewer.page_id == ids[0] and viewer.position.text() == "Hal. 1 dari 3"

    # Every page looked at is in the audit log, with the page.
    seen = [e.detail for e in audit.entries(ctx.db) if e.action == audit.VIEW_PAGES]
    assert sorted(seen) == sorted([ids[1], ids[2], ids[1], ids[0], ids[2], ids[0]])


def test_zoom_fit_and_actual_size(qtbot: QtBot, ctx: AppContext, make_png: Callable[[str], Path]) -> None:
    viewer, ids = _viewer(qtbot, ctx, make_png, start=0)
    assert viewer.pixmap is not None
    full = viewer.pixmap.size()
    fit = viewer.fit_scale()
    assert viewer.zoom is None and viewer.fit_btn.isChecked() and fit < 1
    shown = viewer.image.pixmap().size()
    assert (
        shown.width() <= viewer.scroll.viewport().width()
        and shown.height() <= viewer.scroll.viewport().height()
    )
    assert viewer.zoom_label.text() == f"{round(fit * 100)} %"

    qtbot.keyClick(viewer.scroll, Qt.Key.Key_Plus)
    assert viewer.zoom == next_zoom(fit, 1)
    assert viewer.image.pixmap().width() == pytest.approx(full.width() * viewer.zoom, abs=1)

    qtbot.keyClick(viewer.scroll, Qt.Key.Key_1)
    assert viewer.zoom == 1.0 and viewer.actual_btn.isChecked() and not viewer.fit_btn.isChecked()
    assert viewer.image.pixmap().size() == full and viewer.zoom_label.text() == "100 %"

    viewer.zoom_in_btn.click()
    assert viewer.zoom == 1.25
    assert viewer.image.pixmap().width() == pytest.approx(full.width() * 1.25, abs=1)
    qtbot.keyClick(viewer.scroll, Qt.Key.Key_Minus)
    assert viewer.zoom == 1.0

    # Ctrl+wheel zooms too.
    wheel = QWheelEvent(
        QPointF(50, 50), QPointF(viewer.scroll.viewport().mapToGlobal(QPoint(50, 50))), QPoint(), QPoint(0, 120),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(viewer.scroll.viewport(), wheel)
    assert viewer.zoom == 1.25

    # Zoomed in, PgDn scrolls the page first; at its bottom it goes to the next page.
    bar = viewer.scroll.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    _key(qtbot, viewer, Qt.Key.Key_PageDown, loads=False)
    assert viewer.page_id == ids[0] and bar.value() > 0
    bar.setValue(bar.maximum())
    _key(qtbot, viewer, Qt.Key.Key_PageDown, loads=True)
    assert viewer.page_id == ids[1] and viewer.zoom == 1.25  # the zoom is kept between pages

    viewer.fit_btn.click()
    assert viewer.zoom is None and viewer.fit_btn.isChecked()
    assert viewer.image.pixmap().height() <= viewer.scroll.viewport().height()
