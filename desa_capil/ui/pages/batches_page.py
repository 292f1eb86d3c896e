"""Placeholder for the Kiriman page; its owner replaces this file completely."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desa_capil.ui.context import AppContext


class BatchesPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        label = QLabel(self.tr("Halaman ini sedang disiapkan"), self)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        QVBoxLayout(self).addWidget(label)

    @Slot()
    def refresh(self) -> None:
        pass
