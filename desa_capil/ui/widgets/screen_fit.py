"""Every window fits the screen it opens on, with its buttons in view.

A village laptop is typically 1366x768 with a 40 px taskbar and 125 % or 150 % display scaling:
that leaves 1093x582 or 910x485 logical pixels. A dialog that is taller than that puts its
"Simpan" button under the taskbar or off the screen, and the job cannot be finished.

    install_screen_fit(app)     # once: every dialog is fitted when it is shown
    fit_window(dialog, QSize(900, 700))   # a preferred size, shrunk to the screen

The contents of a tall dialog belong in a scroll area (see ``ScrollBody``) with the buttons
outside it, so shrinking the dialog scrolls the form instead of clipping the buttons.

Tests and the screenshot script simulate a smaller screen with ``simulate_available_area``
(the offscreen platform has one fixed 800x600 screen).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

# The window manager's frame around a dialog: borders and the title bar (Windows 10/11 at
# 100 %: 8 + 31 px; at 150 % the logical size is about the same).
FRAME = QSize(16, 40)

_simulated: QRect | None = None


def simulate_available_area(area: QRect | None) -> None:
    """Pretend the screen's available area (logical pixels) is `area`; None: the real one."""
    global _simulated
    _simulated = QRect(area) if area is not None else None


def available_area(widget: QWidget | None = None) -> QRect:
    """The part of the widget's screen not covered by the taskbar, in logical pixels."""
    if _simulated is not None:
        return QRect(_simulated)
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    if screen is None:  # pragma: no cover - a QGuiApplication always has a screen
        return QRect(0, 0, 1366, 728)
    return screen.availableGeometry()


def room_for_window(widget: QWidget | None = None) -> QSize:
    """The largest client size a window can have on the screen with its frame."""
    area = available_area(widget)
    # A few pixels of slack: window managers round the frame's position.
    slack = 8
    return QSize(
        max(200, area.width() - FRAME.width() - slack), max(200, area.height() - FRAME.height() - slack)
    )


def fit_window(window: QWidget, preferred: QSize | None = None) -> None:
    """Resize `window` to `preferred` (or its current size) shrunk to the screen, and move it
    so that all of it, frame included, lies on the available area."""
    room = room_for_window(window)
    want = preferred if preferred is not None else window.size()
    size = want.boundedTo(room)
    if size != window.size():
        window.resize(size)
    place_on_screen(window)


def place_on_screen(window: QWidget) -> None:
    """Move a window so its frame lies inside the available area (centred on its parent if it
    has one and there is room)."""
    area = available_area(window)
    top_left_min = QPoint(area.left() + FRAME.width() // 2, area.top() + FRAME.height() - FRAME.width() // 2)
    size = window.size()
    parent = window.parentWidget()
    if parent is not None and parent.isVisible():
        centre = parent.window().geometry().center()
        pos = QPoint(centre.x() - size.width() // 2, centre.y() - size.height() // 2)
    else:
        pos = (
            window.pos()
            if window.isVisible()
            else area.center() - QPoint(size.width() // 2, size.height() // 2)
        )
    max_x = area.right() + 1 - FRAME.width() // 2 - size.width()
    max_y = area.bottom() + 1 - FRAME.width() // 2 - size.height()
    x = max(top_left_min.x(), min(pos.x(), max_x))
    y = max(top_left_min.y(), min(pos.y(), max_y))
    if QPoint(x, y) != window.pos():
        window.move(x, y)


# Qt's own form dialogs that can be taller than a small screen under our style sheet: the print
# dialog's "Properti" (page size, orientation, margins, layout: 667 px high at 150 %, where
# 485 px are left) and the page setup. Their contents scroll when they do not fit.
QT_FORM_DIALOGS = ("QPrintPropertiesDialog", "QPageSetupDialog", "QPrintDialog")


def scroll_when_too_tall(dialog: QDialog) -> bool:
    """Put a dialog's contents into a ``ScrollBody`` and keep its button box below, in view,
    when its layout cannot shrink to the screen (for Qt's own dialogs, whose layout we do not
    write). Returns whether it did."""
    layout = dialog.layout()
    room = room_for_window(dialog)
    if layout is None or dialog.minimumSizeHint().height() <= room.height():
        return False
    items = [layout.itemAt(i) for i in range(layout.count())]
    buttons = [w for w in (item.widget() for item in items) if isinstance(w, QDialogButtonBox)]
    for box in buttons:
        layout.removeWidget(box)
    content = QWidget()
    content.setObjectName("scrolledContent")
    content.setLayout(layout)  # takes the layout, and the widgets in it, off the dialog
    outer = QVBoxLayout(dialog)
    outer.addWidget(ScrollBody(content, dialog), 1)
    for box in buttons:
        outer.addWidget(box)
    outer.activate()  # now: the old layout's minimum size must not outlive it when fit_window resizes
    return True


class _ScreenFit(QObject):
    """Fits every dialog when it is shown (QMessageBox, QFileDialog and our own dialogs)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, QDialog)
            and watched.isWindow()
            and not watched.property("screenFitDone")
        ):
            watched.setProperty("screenFitDone", True)
            if watched.metaObject().className() in QT_FORM_DIALOGS:
                scroll_when_too_tall(watched)
            fit_window(watched)
        return False


_filter: _ScreenFit | None = None


def install_screen_fit(app: QApplication) -> None:
    """Fit every dialog to the screen when it is first shown (idempotent)."""
    global _filter
    if _filter is None:
        _filter = _ScreenFit(app)
        app.installEventFilter(_filter)


class ScrollBody(QScrollArea):
    """A frameless, vertically scrolling holder for a dialog's form: the buttons stay outside.

    The holder asks for the form's full height as its size hint, so a dialog on a big screen
    opens without a scroll bar, and shrinks (scrolling) on a small one.
    """

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scrollBody")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(content)
        content.setAutoFillBackground(False)
        self.viewport().setAutoFillBackground(False)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        inner = self.widget().sizeHint() if self.widget() is not None else QSize(0, 0)
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(inner.width() + bar, inner.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        inner = self.widget().minimumSizeHint() if self.widget() is not None else QSize(0, 0)
        return QSize(inner.width() + self.verticalScrollBar().sizeHint().width(), 80)
