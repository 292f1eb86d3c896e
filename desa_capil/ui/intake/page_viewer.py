"""A scanned page full size (double-click a thumbnail in the papers step).

Looking at a resident's papers full size is recorded in the audit log (VIEW_PAGES, UU 27/2022
PDP). The page is read and decoded off the UI thread: bilevel G4 TIFF and mixed PDF pages are
not formats every Qt build can show, so Pillow / pdfium turn them into a PNG first.
"""

from __future__ import annotations

import io

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desa_capil.security import audit
from desa_capil.store import pages as store_pages
from desa_capil.ui.context import AppContext
from desa_capil.ui.tasks import Progress, run_op

VIEW_DPI = 150  # enough to read a page on a 1366x768 screen, small enough to decode fast


def page_png(data: bytes, mime: str) -> bytes:
    """A page file (TIFF/JPEG/PNG/WebP or a one-page PDF) as PNG bytes for display."""
    from PIL import Image

    if mime == "application/pdf":
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(data)
        try:
            image = doc[0].render(scale=VIEW_DPI / 72).to_pil()
        finally:
            doc.close()
    else:
        image = Image.open(io.BytesIO(data))
        image.load()
    if image.mode not in ("1", "L", "RGB"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class PageViewer(QDialog):
    """One page, fitted to the window or at its real size.

    Signals:
        shown(): the page has been decoded and is on screen (and the viewing recorded).
    """

    shown = Signal()

    def __init__(self, ctx: AppContext, page_id: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageViewer")
        self.setWindowTitle(title)
        self.ctx = ctx
        self.page_id = page_id
        self.pixmap: QPixmap | None = None

        self.image = QLabel(self.tr("Memuat halaman\u2026"))
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(self.image)
        self.scroll.setWidgetResizable(True)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.actual = QCheckBox(self.tr("Ukuran asli"), self)
        self.actual.setToolTip(self.tr("Tampilkan halaman dengan ukuran aslinya (geser untuk melihat)"))
        self.actual.toggled.connect(self._show)
        close = QPushButton(self.tr("Tutup"), self)
        close.setMinimumHeight(40)
        close.clicked.connect(self.accept)
        bar = QHBoxLayout()
        bar.addWidget(self.actual)
        bar.addStretch(1)
        bar.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.scroll, 1)
        lay.addLayout(bar)
        self.resize(900, 700)

        db, operator = ctx.db, ctx.operator_id

        def op(_p: Progress) -> bytes:
            page = store_pages.processed_of(db, page_id)
            png = page_png(page.data, page.mime)
            audit.record(db, audit.VIEW_PAGES, page.application_id, operator_id=operator, detail=page_id)
            return png

        run_op(self, op, on_success=self._loaded, db=True)

    def _loaded(self, png: bytes) -> None:
        pm = QPixmap()
        pm.loadFromData(png, "PNG")
        self.pixmap = pm
        self._show()
        self.shown.emit()

    def _show(self) -> None:
        if self.pixmap is None or self.pixmap.isNull():
            return
        if self.actual.isChecked():
            self.scroll.setWidgetResizable(False)
            self.image.setPixmap(self.pixmap)
            self.image.adjustSize()
        else:
            self.scroll.setWidgetResizable(True)
            room = self.scroll.viewport().size()
            self.image.setPixmap(
                self.pixmap.scaled(
                    room, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if not self.actual.isChecked():
            self._show()
