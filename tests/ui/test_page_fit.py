"""Every page of the main window is usable at the minimum size (800x440) and at 125/150 %.

A page whose layout needs more room than it has draws its widgets over each other (the
Kiriman buttons over the batch table, "Serahkan ke Warga" under the search row). The test
shows every page at each window size with sample data and checks that the page's layout is not
over-committed, that no two visible buttons/inputs/tables of a page overlap, and that the
Laporan "Layanan" column stays readable.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QBoxLayout,
    QComboBox,
    QLineEdit,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot
from ui_seed import seed_sample

from desa_capil.store.db import Database
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext
from desa_capil.ui.main_window import PAGE_KEYS, MainWindow

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

# Window sizes in logical pixels: 1366x728 available at 125 % / 150 % (minus the window frame),
# and the app's minimum size.
SIZES = {"125%": (1077, 542), "150%": (894, 445), "800x440": (800, 440)}


def _boxes(page: QWidget) -> list[tuple[QWidget, QRect]]:
    kinds = (QAbstractButton, QLineEdit, QComboBox, QSpinBox, QAbstractItemView)
    out = []
    for w in page.findChildren(QWidget):
        if not isinstance(w, kinds) or not w.isVisibleTo(page) or w.width() <= 0:
            continue
        # Inside a scroll area or a view (chips in a flow, editors in a table) overlap is Qt's job.
        p, inside = w.parentWidget(), False
        while p is not None and p is not page:
            if isinstance(p, (QAbstractScrollArea, QComboBox, QSpinBox)):
                inside = True
                break
            p = p.parentWidget()
        if inside:
            continue
        out.append((w, QRect(w.mapTo(page, QPoint(0, 0)), w.size())))
    return out


def _min_height(page: QWidget) -> int:
    """The height the page's layout needs at its width: Qt's minimumSizeHint leaves out what
    wrapping rows (a flow of buttons, a wrapped subtitle) need at that width."""
    lay = page.layout()
    assert isinstance(lay, QBoxLayout)
    m = lay.contentsMargins()
    width = page.width() - m.left() - m.right()
    total, shown = m.top() + m.bottom(), 0
    for i in range(lay.count()):
        item = lay.itemAt(i)
        if item is None or item.isEmpty():
            continue
        shown += 1
        if item.hasHeightForWidth():
            total += item.heightForWidth(width)
        else:
            total += item.minimumSize().height()
    return total + lay.spacing() * max(0, shown - 1)


def _settle(qapp: QApplication) -> None:
    for _ in range(4):
        tasks.wait_idle()
        qapp.processEvents()


@pytest.mark.parametrize("size", list(SIZES))
def test_pages_fit_small_windows(
    qtbot: QtBot, qapp: QApplication, ctx: AppContext, db: Database, themed: None, size: str
) -> None:
    seed_sample(db)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(*SIZES[size])
    win.show()
    qtbot.waitExposed(win)
    for key in PAGE_KEYS:
        page = win.show_page(key)
        _settle(qapp)
        need = page.minimumSizeHint()
        height = _min_height(page)
        assert height <= page.height(), f"{key} at {size}: needs {height} px, has {page.height()}"
        assert need.width() <= page.width(), f"{key} at {size}: needs {need.width()} px, has {page.width()}"
        boxes = _boxes(page)
        for i, (a, ra) in enumerate(boxes):
            assert page.rect().contains(ra), f"{key} at {size}: {a.objectName() or a} {ra} is off the page"
            for b, rb in boxes[i + 1 :]:
                if a.isAncestorOf(b) or b.isAncestorOf(a):
                    continue
                assert not ra.intersects(rb), (
                    f"{key} at {size}: {a.objectName() or type(a).__name__} {ra} overlaps "
                    f"{b.objectName() or type(b).__name__} {rb}"
                )
    reports = win.show_page("reports")
    _settle(qapp)
    table = reports.table  # type: ignore[attr-defined]
    assert table.columnWidth(0) >= 140, f"Layanan column is {table.columnWidth(0)} px at {size}"
    # The table shows its heading and at least one whole row (the summary cards fold into one
    # line on a short window rather than squeezing the table to its heading).
    rows_room = table.viewport().height()
    assert rows_room >= table.verticalHeader().defaultSectionSize(), (
        f"Laporan's table shows {rows_room} px of rows at {size}"
    )
    # Pengaturan never scrolls sideways: button rows wrap, long texts wrap, and the two columns
    # of forms go one above the other when they would not fit side by side.
    from PySide6.QtWidgets import QScrollArea

    settings = win.show_page("settings")
    _settle(qapp)
    scroll = settings.findChild(QScrollArea)
    assert scroll is not None
    assert scroll.horizontalScrollBar().maximum() == 0, (
        f"Pengaturan scrolls {scroll.horizontalScrollBar().maximum()} px sideways at {size}"
    )


def test_http_consent_text_wraps_and_ticks_its_box(qtbot: QtBot, ctx: AppContext, themed: None) -> None:
    from PySide6.QtCore import Qt

    from desa_capil.ui.sync_settings import ServerSettings

    w = ServerSettings(ctx)
    qtbot.addWidget(w)
    w.show()
    assert w.allow_http_label.wordWrap()
    assert not w.allow_http.isChecked()
    qtbot.mouseClick(w.allow_http_label, Qt.MouseButton.LeftButton)
    assert w.allow_http.isChecked()
    qtbot.mouseClick(w.allow_http_label, Qt.MouseButton.LeftButton)
    assert not w.allow_http.isChecked()
