"""Layouts that keep pages usable on small screens (1366x768 at 150 % is 910x512 logical).

    chips = FlowLayout(spacing=5)            # wraps to a new line instead of widening the page
    header = PageHeader(title, subtitle, parent=page)
    header.add_action(button)                # actions beside the title, or below it when narrow

Qt's box layouts take the sum of their children's minimum widths as their own minimum, so a
row of buttons or filter chips decides how narrow the whole window may get. A flow layout
wraps instead, and reports its height for a given width so the page grows downwards.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


class FlowLayout(QLayout):
    """Items left to right, wrapping to a new line when the width runs out."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6, margin: int = 0) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(margin, margin, margin, margin)

    # -- QLayout API -----------------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def spacing(self) -> int:
        return self._spacing

    def setSpacing(self, spacing: int) -> None:
        self._spacing = spacing
        self.invalidate()

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        # One line: what the items want side by side.
        m = self.contentsMargins()
        visible = [i for i in self._items if not i.isEmpty()]
        w = sum(i.sizeHint().width() for i in visible) + self._spacing * max(0, len(visible) - 1)
        h = max((i.sizeHint().height() for i in visible), default=0)
        return QSize(w + m.left() + m.right(), h + m.top() + m.bottom())

    def minimumSize(self) -> QSize:
        # As narrow as the widest single item: everything else wraps.
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        m: QMargins = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # -- placement -------------------------------------------------------------------------------

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line_h = area.x(), area.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x = area.x()
                y += line_h + self._spacing
                line_h = 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line_h = max(line_h, hint.height())
        return y + line_h - rect.y() + m.bottom()


class PageHeader(QWidget):
    """A page's title and subtitle with its action buttons.

    Wide: the actions sit to the right of the title. Narrow (their widths do not add up): the
    actions move below the title and wrap, so nothing is clipped at 150 % display scaling.
    """

    def __init__(self, title: QLabel, subtitle: QLabel | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageHeader")
        self._box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(10)
        self.titles = QWidget(self)
        tv = QVBoxLayout(self.titles)
        tv.setContentsMargins(0, 0, 0, 0)
        tv.setSpacing(2)
        tv.addWidget(title)
        self._title = title
        if subtitle is not None:
            # Wrapping lets the subtitle shrink with the window instead of setting its width.
            subtitle.setWordWrap(True)
            tv.addWidget(subtitle)
        self.titles.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.actions = QWidget(self)
        self.actions.setObjectName("pageActions")
        self._flow = FlowLayout(self.actions, spacing=10)
        self._box.addWidget(self.titles, 1)
        self._box.addWidget(self.actions, 0, Qt.AlignmentFlag.AlignVCenter)
        self._stacked = False

    def add_action(self, widget: QWidget) -> QWidget:
        widget.setParent(self.actions)
        self._flow.addWidget(widget)
        self._update_direction(self.width())
        return widget

    @property
    def stacked(self) -> bool:
        """True while the actions are shown below the title."""
        return self._stacked

    def _buttons(self) -> list[QAbstractButton]:
        return [b for b in self.actions.findChildren(QAbstractButton) if not b.icon().isNull()]

    def _actions_width(self, with_icons: bool) -> int:
        """The actions' one-line width with or without their icons, whichever is shown now."""
        width = self._flow.sizeHint().width()
        for b in self._buttons():
            full = b.property("fullIconSize")
            shown = b.iconSize().width()
            if with_icons and isinstance(full, QSize) and shown < full.width():
                width += full.width() + 4
            elif not with_icons and shown > 0:
                width -= shown + 4
        return width

    def _set_icons(self, show: bool) -> None:
        for b in self._buttons():
            full = b.property("fullIconSize")
            if not isinstance(full, QSize):
                full = b.iconSize()
                b.setProperty("fullIconSize", full)
            want = full if show else QSize(0, 0)
            if b.iconSize() != want:
                b.setIconSize(want)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._update_direction(event.size().width())
        super().resizeEvent(event)

    def _update_direction(self, width: int) -> None:
        if width <= 0:
            return
        # The title (not the subtitle, which wraps) must fit beside the actions on one line.
        need = self._title.sizeHint().width() + 24 + self._box.spacing() + self._actions_width(True)
        stacked = self._flow.count() > 0 and width < need
        # Below the title, the buttons drop their icons when that keeps them on one line: a
        # second line of buttons takes the room of the table on a short screen (800x440).
        plain = stacked and self._actions_width(False) <= width
        self._set_icons(not plain)
        if stacked == self._stacked:
            return
        self._stacked = stacked
        if stacked:
            self._box.setDirection(QBoxLayout.Direction.TopToBottom)
            # No alignment: an aligned item gets its one-line width, and the box then asks the
            # flow for its height at that width (one line) while it wraps into two: the second
            # line of buttons was drawn under the next row of the page.
            self._box.setAlignment(self.actions, Qt.AlignmentFlag(0))
        else:
            self._box.setDirection(QBoxLayout.Direction.LeftToRight)
            self._box.setAlignment(self.actions, Qt.AlignmentFlag.AlignVCenter)
        self.updateGeometry()


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" instead of widening its parent.

    The full text stays available as the tooltip. ``text()`` returns the full text.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)
        self.setText(text)

    def setText(self, text: str) -> None:  # type: ignore[override]
        self._full = text
        self.setToolTip(text)
        self._elide()

    def text(self) -> str:  # type: ignore[override]
        return self._full

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 4, super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(
            self._full, Qt.TextElideMode.ElideRight, max(0, self.width() - 2)
        )
        super().setText(shown)


def fit_to_screen(window: QWidget, width: int, height: int, margin: int = 24) -> None:
    """Resize a dialog to `width` x `height`, or to the screen it opens on when that is smaller
    (1366x768 at 150 % scaling leaves about 910x485 logical pixels above the taskbar)."""
    from desa_capil.ui.widgets.screen_fit import fit_window

    del margin  # the frame reserve of screen_fit replaces it
    fit_window(window, QSize(width, height))
