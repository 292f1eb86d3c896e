"""Scanning pages from a scanner (SANE on Linux, WIA on Windows) through the scan package."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget


class ScannerDialog(QDialog):
    """Choose a scanner, scan one page or the whole feeder.

    Signals:
        pages_scanned(list): RawPage objects from one scan.
    """

    pages_scanned = Signal(list)

    def __init__(self, parent: QWidget | None = None, paper_name: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Pindai"))
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("Dukungan pemindai belum tersedia di versi ini.")))
        ok = QPushButton(self.tr("Tutup"))
        ok.clicked.connect(self.accept)
        lay.addWidget(ok)
