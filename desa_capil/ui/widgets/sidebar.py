"""The left navigation bar: app name, one big button per page, settings at the bottom.

On a narrow window (a 1366x768 laptop at 125-150 % display scaling) the bar goes compact:
icons only, with the page name as tooltip, so the pages keep their width.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desa_capil.ui.theme import ACCENT, icon, icon_pixmap


class Sidebar(QFrame):
    """Navigation between pages.

    Signals:
        page_selected(str): the key of the page the operator chose.
    """

    page_selected = Signal(str)

    FULL_WIDTH = 216
    COMPACT_WIDTH = 68

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setFixedWidth(self.FULL_WIDTH)
        self._compact = False
        self._buttons: dict[str, QToolButton] = {}
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)

        layout = QVBoxLayout(self)
        self._layout = layout
        layout.setContentsMargins(12, 16, 12, 14)
        layout.setSpacing(4)

        brand = QWidget(self)
        brand.setObjectName("brand")
        self._brand_row = brand_row = QHBoxLayout(brand)
        brand_row.setContentsMargins(8, 0, 4, 14)
        brand_row.setSpacing(10)
        logo = QLabel(brand)
        logo.setObjectName("brandLogo")
        logo.setPixmap(icon_pixmap("logo", "#ffffff", 22))
        logo.setFixedSize(36, 36)
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        names = QVBoxLayout()
        names.setSpacing(0)
        self.title_label = title = QLabel(self.tr("Adminduk Desa"), brand)
        title.setObjectName("brandTitle")
        self.village_label = QLabel(self.tr("Kantor Desa"), brand)
        self.village_label.setObjectName("brandSubtitle")
        names.addWidget(title)
        names.addWidget(self.village_label)
        brand_row.addWidget(logo)
        brand_row.addLayout(names, 1)
        layout.addWidget(brand)

        self._top = QVBoxLayout()
        self._top.setSpacing(4)
        layout.addLayout(self._top)
        layout.addStretch(1)
        self._bottom = QVBoxLayout()
        self._bottom.setSpacing(4)
        layout.addLayout(self._bottom)

    def add_page(self, key: str, text: str, icon_name: str, *, bottom: bool = False) -> QToolButton:
        btn = QToolButton(self)
        btn.setObjectName(f"nav_{key}")
        btn.setProperty("nav", True)
        btn.setText(text)
        btn.setToolTip(text)
        btn.setIcon(icon(icon_name, "#475569", checked_color=ACCENT))
        btn.setIconSize(QSize(20, 20))
        btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        btn.setCheckable(True)
        btn.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        btn.setMinimumHeight(44)
        btn.setCursor(Qt.CursorShape.PointingHandCursor)
        btn.clicked.connect(lambda _checked=False, k=key: self.page_selected.emit(k))
        self._group.addButton(btn)
        (self._bottom if bottom else self._top).addWidget(btn)
        self._buttons[key] = btn
        return btn

    @property
    def compact(self) -> bool:
        return self._compact

    def set_compact(self, compact: bool) -> None:
        """Icons only (narrow windows) or icons with the page names."""
        if compact == self._compact:
            return
        self._compact = compact
        self.setFixedWidth(self.COMPACT_WIDTH if compact else self.FULL_WIDTH)
        self.setProperty("compact", compact)
        side = 10 if compact else 12
        self._layout.setContentsMargins(side, 16, side, 14)
        self._brand_row.setContentsMargins(6 if compact else 8, 0, 0 if compact else 4, 14)
        self.title_label.setVisible(not compact)
        self.village_label.setVisible(not compact)
        style = (
            Qt.ToolButtonStyle.ToolButtonIconOnly if compact else Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        )
        for btn in self._buttons.values():
            btn.setToolButtonStyle(style)
            btn.setIconSize(QSize(22, 22) if compact else QSize(20, 20))
            # Re-polish: the style sheet pads icon-only buttons differently.
            btn.style().unpolish(btn)
            btn.style().polish(btn)

    def set_current(self, key: str) -> None:
        btn = self._buttons.get(key)
        if btn is not None:
            btn.setChecked(True)

    def button(self, key: str) -> QToolButton:
        return self._buttons[key]

    def set_village(self, name: str) -> None:
        self.village_label.setText(name or self.tr("Kantor Desa"))
