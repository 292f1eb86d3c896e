"""A clickable card with a big number: one status group on the dashboard."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desa_capil.ui.theme import Tone


class CountCard(QFrame):
    """Shows a count with a label and a hint; the whole card is one click target.

    Signals:
        clicked(str): the card's key (a status group key).
    """

    clicked = Signal(str)

    def __init__(self, key: str, title: str, hint: str, tone: Tone, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("countCard")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumHeight(112)
        self.setAccessibleName(title)

        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        stripe = QFrame(self)
        stripe.setObjectName("cardStripe")
        stripe.setFixedWidth(5)
        stripe.setStyleSheet(
            f"QFrame#cardStripe {{ background: {tone.fg}; border-top-left-radius: 10px;"
            " border-bottom-left-radius: 10px; }"
        )
        outer.addWidget(stripe)

        body = QVBoxLayout()
        body.setContentsMargins(16, 12, 16, 12)
        body.setSpacing(2)
        self.title_label = QLabel(title, self)
        self.title_label.setObjectName("cardTitle")
        self.count_label = QLabel("–", self)
        self.count_label.setObjectName("cardCount")
        self.count_label.setStyleSheet(f"color: {tone.fg};")
        self.hint_label = QLabel(hint, self)
        self.hint_label.setObjectName("cardHint")
        # Narrow cards (two or four columns on a small screen) wrap their words, never clip.
        self.title_label.setWordWrap(True)
        self.hint_label.setWordWrap(True)
        body.addWidget(self.title_label)
        body.addWidget(self.count_label)
        body.addWidget(self.hint_label)
        body.addStretch(1)
        outer.addLayout(body, 1)

    def set_count(self, n: int) -> None:
        self.count_label.setText(f"{n:,}".replace(",", "."))
        self.setAccessibleDescription(str(n))

    def count_text(self) -> str:
        return self.count_label.text()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit(self.key)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit(self.key)
            return
        super().keyPressEvent(event)
