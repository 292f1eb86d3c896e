"""A scanned page full size (double-click a thumbnail in the papers step).

Looking at a resident's papers full size is recorded in the audit log (VIEW_PAGES, UU 27/2022
PDP). The page is read and decoded off the UI thread: bilevel G4 TIFF and mixed PDF pages are
not formats every Qt build can show, so Pillow / pdfium turn them into a PNG first.

The viewer is also where a wrong automatic decision is put right: the paper's size ("Ukuran
asli": the whole picture as captured; "Kartu": an ID-1 card; "Halaman": a sheet) and "Simpan
berwarna" (the whole page in colour, for a page the pipeline damaged). Each re-makes the page
from its original, which is kept until the office has confirmed receiving the application.
"""

from __future__ import annotations

import io

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
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
from desa_capil.ui.errors import handle_exception
from desa_capil.ui.intake import processing
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
        changed(str): the page (id) was re-made with the user's size or colour choice.
    """

    shown = Signal()
    changed = Signal(str)

    #: Size choices offered, as stored in ``Page.size_choice`` ("" = automatic).
    SIZES = ("", "original", "card", "page")

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
        self.actual = QCheckBox(self.tr("Perbesar 100%"), self)
        self.actual.setToolTip(self.tr("Tampilkan halaman dengan ukuran aslinya (geser untuk melihat)"))
        self.actual.toggled.connect(self._show)

        # The user's corrections: what the paper is, and colour for a damaged page.
        labels = {
            "": (self.tr("Otomatis"), self.tr("Ukuran dan warna dipilih aplikasi")),
            "original": (self.tr("Ukuran asli"), self.tr("Seluruh foto/pindaian apa adanya, tidak dipotong")),
            "card": (self.tr("Kartu"), self.tr("Kartu seukuran KTP-el (85,6 x 54 mm)")),
            "page": (self.tr("Halaman"), self.tr("Lembar kertas (A4/F4)")),
        }
        self.size_group = QButtonGroup(self)
        self.size_group.setExclusive(True)
        self.size_buttons: dict[str, QPushButton] = {}
        sizes = QHBoxLayout()
        for key in self.SIZES:
            text, tip = labels[key]
            b = QPushButton(text, self)
            b.setCheckable(True)
            b.setToolTip(tip)
            b.setMinimumHeight(36)
            b.setEnabled(False)
            self.size_group.addButton(b)
            self.size_buttons[key] = b
            sizes.addWidget(b)
            b.clicked.connect(lambda _checked=False, k=key: self._choose(size_choice=k))
        self.color = QPushButton(self.tr("Simpan berwarna"), self)
        self.color.setCheckable(True)
        self.color.setEnabled(False)
        self.color.setMinimumHeight(36)
        self.color.setToolTip(
            self.tr("Simpan seluruh halaman berwarna bila hasil hitam-putihnya merusak isi (stempel, foto)")
        )
        self.color.clicked.connect(lambda checked: self._choose(keep_color=checked))
        sizes.addStretch(1)
        sizes.addWidget(self.color)
        self.size_choice = ""
        self.keep_color = False
        close = QPushButton(self.tr("Tutup"), self)
        close.setMinimumHeight(40)
        close.clicked.connect(self.accept)
        bar = QHBoxLayout()
        bar.addWidget(self.actual)
        bar.addStretch(1)
        bar.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.scroll, 1)
        lay.addLayout(sizes)
        lay.addLayout(bar)
        self.resize(900, 700)

        db, operator = ctx.db, ctx.operator_id

        def op(_p: Progress) -> tuple[bytes, tuple[str, bool, bool]]:
            page = store_pages.processed_of(db, page_id)
            png = page_png(page.data, page.mime)
            audit.record(db, audit.VIEW_PAGES, page.application_id, operator_id=operator, detail=page_id)
            return png, store_pages.page_choices(db, page_id)

        run_op(self, op, on_success=self._loaded, db=True)

    def _loaded(self, result: tuple[bytes, tuple[str, bool, bool]]) -> None:
        png, (size_choice, keep_color, has_original) = result
        self.size_choice, self.keep_color = size_choice, keep_color
        self.size_buttons.get(size_choice, self.size_buttons[""]).setChecked(True)
        self.color.setChecked(keep_color)
        for b in (*self.size_buttons.values(), self.color):
            b.setEnabled(has_original)
        pm = QPixmap()
        pm.loadFromData(png, "PNG")
        self.pixmap = pm
        self._show()
        self.shown.emit()

    def _choose(self, *, size_choice: str | None = None, keep_color: bool | None = None) -> None:
        """Re-make the page from its original with the user's choice, then show it."""
        size = self.size_choice if size_choice is None else size_choice
        color = self.keep_color if keep_color is None else keep_color
        if (size, color) == (self.size_choice, self.keep_color):
            return
        for b in (*self.size_buttons.values(), self.color):
            b.setEnabled(False)
        self.image.setText(self.tr("Memproses ulang halaman\u2026"))
        db, page_id = self.ctx.db, self.page_id

        def op(_p: Progress) -> tuple[bytes, tuple[str, bool, bool]]:
            store_pages.reprocess_page(db, page_id, processing.reprocess, size_choice=size, keep_color=color)
            page = store_pages.processed_of(db, page_id)
            return page_png(page.data, page.mime), store_pages.page_choices(db, page_id)

        def done(result: tuple[bytes, tuple[str, bool, bool]]) -> None:
            self._loaded(result)
            self.changed.emit(page_id)

        def failed(exc: BaseException) -> None:
            self._loaded_choices_again()
            handle_exception(self, exc)

        run_op(self, op, on_success=done, on_failure=failed, db=True)

    def _loaded_choices_again(self) -> None:
        self.size_buttons.get(self.size_choice, self.size_buttons[""]).setChecked(True)
        self.color.setChecked(self.keep_color)
        for b in (*self.size_buttons.values(), self.color):
            b.setEnabled(True)
        self._show()

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
