"""A scanned page full size (double-click a thumbnail in the papers step).

Looking at a resident's papers full size is recorded in the audit log (VIEW_PAGES, UU 27/2022
PDP). The page is read and decoded off the UI thread: bilevel G4 TIFF and mixed PDF pages are
not formats every Qt build can show, so Pillow / pdfium turn them into a PNG first.

The viewer is also where a wrong automatic decision is put right: the paper's size ("Ukuran
asli": the whole picture as captured; "Kartu": an ID-1 card; "Halaman": a sheet) and "Simpan
berwarna" (the whole page in colour, for a page the pipeline damaged). Each re-makes the page
from its original, which is kept until the office has confirmed receiving the application.

Reading a page: "Pas layar" fits it to the window, "100 %" shows its real pixels, "-"/"+" step
through ZOOMS (keys: + - 0 1, Ctrl+wheel). "Sebelumnya"/"Berikutnya" go through the paper's
pages (keys: PgUp/PgDn, Left/Right, Home/End; the arrow and page keys scroll first while the
zoomed page can still scroll that way).
"""

from __future__ import annotations

import io

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desa_capil.security import audit
from desa_capil.services import pages as processing
from desa_capil.store import pages as store_pages
from desa_capil.ui.context import AppContext
from desa_capil.ui.errors import handle_exception
from desa_capil.ui.tasks import Progress, run_op

VIEW_DPI = 150  # enough to read a page on a 1366x768 screen, small enough to decode fast
# Zoom steps (1.0 = the decoded picture's own pixels, VIEW_DPI for a PDF page).
ZOOMS = (0.1, 0.15, 0.25, 0.33, 0.5, 0.67, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)
# A zoomed picture is never made larger than this on its long side (memory: 9000^2 x 4 bytes).
MAX_SIDE = 9000


def next_zoom(current: float, direction: int) -> float:
    """The next step of ZOOMS after `current` in `direction` (+1 in, -1 out), staying in range."""
    if direction > 0:
        return next((z for z in ZOOMS if z > current + 1e-3), ZOOMS[-1])
    return next((z for z in reversed(ZOOMS) if z < current - 1e-3), ZOOMS[0])


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
    """Pages of one paper, fitted to the window or zoomed, one at a time.

    `pages` lists (page id, title) of the paper in order; the viewer opens on `page_id` and
    "Sebelumnya"/"Berikutnya" move through them (a single page when `pages` is not given).

    Signals:
        shown(): the current page has been decoded and is on screen (and the viewing recorded).
        changed(str): the page (id) was re-made with the user's size or colour choice.
    """

    shown = Signal()
    changed = Signal(str)

    #: Size choices offered, as stored in ``Page.size_choice`` ("" = automatic).
    SIZES = ("", "original", "card", "page")

    def __init__(
        self,
        ctx: AppContext,
        page_id: str,
        title: str,
        parent: QWidget | None = None,
        *,
        pages: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pageViewer")
        self.ctx = ctx
        self.pages = list(pages) if pages else [(page_id, title)]
        ids = [pid for pid, _ in self.pages]
        self.index = ids.index(page_id) if page_id in ids else 0
        self.page_id = self.pages[self.index][0]
        self.pixmap: QPixmap | None = None
        # None: fit to the window; otherwise the scale of the decoded picture.
        self.zoom: float | None = None
        self._load_seq = 0

        self.image = QLabel(self.tr("Memuat halaman\u2026"))
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(self.image)
        self.scroll.setWidgetResizable(True)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll.installEventFilter(self)
        self.scroll.viewport().installEventFilter(self)

        # Going through the paper's pages.
        self.prev_btn = QPushButton(self.tr("\u25c0 Sebelumnya"), self)
        self.prev_btn.setToolTip(self.tr("Halaman sebelumnya (PgUp)"))
        self.prev_btn.clicked.connect(lambda: self.go(self.index - 1))
        self.next_btn = QPushButton(self.tr("Berikutnya \u25b6"), self)
        self.next_btn.setToolTip(self.tr("Halaman berikutnya (PgDn)"))
        self.next_btn.clicked.connect(lambda: self.go(self.index + 1))
        self.position = QLabel(self)
        self.position.setObjectName("mutedNote")
        # Zoom.
        self.zoom_out_btn = QPushButton("\u2212", self)
        self.zoom_out_btn.setToolTip(self.tr("Perkecil (tombol -)"))
        self.zoom_out_btn.setAccessibleName(self.tr("Perkecil"))
        self.zoom_out_btn.clicked.connect(lambda: self.step_zoom(-1))
        self.zoom_in_btn = QPushButton("+", self)
        self.zoom_in_btn.setToolTip(self.tr("Perbesar (tombol +)"))
        self.zoom_in_btn.setAccessibleName(self.tr("Perbesar"))
        self.zoom_in_btn.clicked.connect(lambda: self.step_zoom(1))
        for b in (self.zoom_out_btn, self.zoom_in_btn):
            b.setFixedWidth(40)
        self.zoom_label = QLabel(self)
        self.zoom_label.setMinimumWidth(44)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fit_btn = QPushButton(self.tr("Pas layar"), self)
        self.fit_btn.setCheckable(True)
        self.fit_btn.setToolTip(self.tr("Seluruh halaman terlihat di jendela (tombol 0)"))
        self.fit_btn.clicked.connect(lambda: self.set_zoom(None))
        self.actual_btn = QPushButton(self.tr("100 %"), self)
        self.actual_btn.setCheckable(True)
        self.actual_btn.setToolTip(
            self.tr("Tampilkan halaman dengan ukuran aslinya, geser untuk melihat (tombol 1)")
        )
        self.actual_btn.clicked.connect(lambda: self.set_zoom(1.0))
        nav = QHBoxLayout()
        nav.setSpacing(6)
        for w in (self.prev_btn, self.position, self.next_btn):
            nav.addWidget(w)
        nav.addStretch(1)
        for w in (self.zoom_out_btn, self.zoom_label, self.zoom_in_btn, self.fit_btn, self.actual_btn):
            nav.addWidget(w)

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
            b.setEnabled(False)
            self.size_group.addButton(b)
            self.size_buttons[key] = b
            sizes.addWidget(b)
            b.clicked.connect(lambda _checked=False, k=key: self._choose(size_choice=k))
        self.color = QPushButton(self.tr("Simpan berwarna"), self)
        self.color.setCheckable(True)
        self.color.setEnabled(False)
        self.color.setToolTip(
            self.tr("Simpan seluruh halaman berwarna bila hasil hitam-putihnya merusak isi (stempel, foto)")
        )
        self.color.clicked.connect(lambda checked: self._choose(keep_color=checked))
        sizes.addStretch(1)
        sizes.addWidget(self.color)
        self.size_choice = ""
        self.keep_color = False
        close = QPushButton(self.tr("Tutup"), self)
        close.clicked.connect(self.accept)
        sizes.addSpacing(12)
        sizes.addWidget(close)
        # Enter closes the viewer; no other button is pressed by it.
        for b in self.findChildren(QPushButton):
            b.setAutoDefault(False)
        close.setDefault(True)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.scroll.setFocus()
        lay = QVBoxLayout(self)
        lay.addLayout(nav)
        lay.addWidget(self.scroll, 1)
        lay.addLayout(sizes)
        self.resize(900, 700)

        self._update_controls()
        self._load()

    # --- going through the pages ----------------------------------------------------------

    def go(self, index: int) -> None:
        """Show page `index` of the paper (nothing when out of range or already shown)."""
        if not 0 <= index < len(self.pages) or index == self.index:
            return
        self.index = index
        self.page_id = self.pages[index][0]
        self._load()

    def _load(self) -> None:
        self._load_seq += 1
        seq = self._load_seq
        self.setWindowTitle(self.pages[self.index][1])
        self.pixmap = None
        self.image.setPixmap(QPixmap())
        self.image.setText(self.tr("Memuat halaman\u2026"))
        for b in (*self.size_buttons.values(), self.color):
            b.setEnabled(False)
        self._update_controls()
        db, operator, page_id = self.ctx.db, self.ctx.operator_id, self.page_id

        def op(_p: Progress) -> tuple[bytes, tuple[str, bool, bool]]:
            page = store_pages.processed_of(db, page_id)
            png = page_png(page.data, page.mime)
            audit.record(db, audit.VIEW_PAGES, page.application_id, operator_id=operator, detail=page_id)
            return png, store_pages.page_choices(db, page_id)

        def loaded(result: tuple[bytes, tuple[str, bool, bool]]) -> None:
            if seq == self._load_seq:  # the user has not moved on to another page meanwhile
                self._loaded(result)

        run_op(self, op, on_success=loaded, db=True)

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

    # --- zoom -----------------------------------------------------------------------------

    def fit_scale(self) -> float:
        """The scale at which the whole page fits the window."""
        if self.pixmap is None or self.pixmap.isNull():
            return 1.0
        room = self.scroll.viewport().size()
        return max(0.01, min(room.width() / self.pixmap.width(), room.height() / self.pixmap.height()))

    def scale(self) -> float:
        return self.fit_scale() if self.zoom is None else self.zoom

    def set_zoom(self, zoom: float | None) -> None:
        """None fits the page to the window; a number is the scale of the page's own pixels."""
        if zoom is not None and self.pixmap is not None and not self.pixmap.isNull():
            longest = max(self.pixmap.width(), self.pixmap.height())
            zoom = min(zoom, MAX_SIDE / longest)
        self.zoom = zoom
        self._show()

    def step_zoom(self, direction: int) -> None:
        self.set_zoom(next_zoom(self.scale(), direction))

    def _update_controls(self) -> None:
        n = len(self.pages)
        self.position.setText(self.tr("Hal. {0} dari {1}").format(self.index + 1, n))
        for w in (self.prev_btn, self.next_btn, self.position):
            w.setVisible(n > 1)
        self.prev_btn.setEnabled(self.index > 0)
        self.next_btn.setEnabled(self.index < n - 1)
        self.fit_btn.setChecked(self.zoom is None)
        self.actual_btn.setChecked(self.zoom is not None and abs(self.zoom - 1.0) < 1e-3)
        shown = self.pixmap is not None and not self.pixmap.isNull()
        self.zoom_label.setText(f"{round(self.scale() * 100)} %" if shown else "")
        self.zoom_in_btn.setEnabled(shown and self.scale() < ZOOMS[-1] - 1e-3)
        self.zoom_out_btn.setEnabled(shown and self.scale() > ZOOMS[0] + 1e-3)

    # --- corrections ----------------------------------------------------------------------

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
        self._load_seq += 1
        seq = self._load_seq

        def op(_p: Progress) -> tuple[bytes, tuple[str, bool, bool]]:
            store_pages.reprocess_page(db, page_id, processing.reprocess, size_choice=size, keep_color=color)
            page = store_pages.processed_of(db, page_id)
            return page_png(page.data, page.mime), store_pages.page_choices(db, page_id)

        def done(result: tuple[bytes, tuple[str, bool, bool]]) -> None:
            if seq == self._load_seq:
                self._loaded(result)
            self.changed.emit(page_id)

        def failed(exc: BaseException) -> None:
            if seq == self._load_seq:
                self._loaded_choices_again()
            handle_exception(self, exc)

        run_op(self, op, on_success=done, on_failure=failed, db=True)

    def _loaded_choices_again(self) -> None:
        self.size_buttons.get(self.size_choice, self.size_buttons[""]).setChecked(True)
        self.color.setChecked(self.keep_color)
        for b in (*self.size_buttons.values(), self.color):
            b.setEnabled(True)
        self._show()

    # --- display --------------------------------------------------------------------------

    def _show(self) -> None:
        self._update_controls()
        if self.pixmap is None or self.pixmap.isNull():
            return
        if self.zoom is None:
            self.scroll.setWidgetResizable(True)
            room = self.scroll.viewport().size()
            self.image.setPixmap(
                self.pixmap.scaled(
                    room, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )
            return
        self.scroll.setWidgetResizable(False)
        if abs(self.zoom - 1.0) < 1e-3:
            self.image.setPixmap(self.pixmap)
        else:
            self.image.setPixmap(
                self.pixmap.scaled(
                    self.pixmap.size() * self.zoom,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        self.image.adjustSize()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.zoom is None:
            self._show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Wheel and isinstance(event, QWheelEvent):
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.step_zoom(1 if event.angleDelta().y() > 0 else -1)
                return True
        elif event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if self._key(event):
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if not self._key(event):
            super().keyPressEvent(event)

    def _key(self, event: QKeyEvent) -> bool:
        """The viewer's keys, handled here rather than as shortcuts so that they work wherever
        the focus is in the viewer (and without the window manager activating the window)."""
        key = event.key()
        actions = {
            Qt.Key.Key_Plus: lambda: self.step_zoom(1),
            Qt.Key.Key_Equal: lambda: self.step_zoom(1),
            Qt.Key.Key_Minus: lambda: self.step_zoom(-1),
            Qt.Key.Key_0: lambda: self.set_zoom(None),
            Qt.Key.Key_1: lambda: self.set_zoom(1.0),
            Qt.Key.Key_Home: lambda: self.go(0),
            Qt.Key.Key_End: lambda: self.go(len(self.pages) - 1),
        }
        action = actions.get(Qt.Key(key)) if key in actions else None
        if action is not None:
            action()
            return True
        return self._page_key(key)

    def _page_key(self, key: int) -> bool:
        """PgUp/PgDn and Left/Right change the page unless the zoomed page can still scroll that
        way (then the scroll area scrolls, as the user expects)."""
        h, v = self.scroll.horizontalScrollBar(), self.scroll.verticalScrollBar()
        moves = {
            Qt.Key.Key_PageDown: (1, v.value() >= v.maximum()),
            Qt.Key.Key_PageUp: (-1, v.value() <= v.minimum()),
            Qt.Key.Key_Right: (1, h.value() >= h.maximum()),
            Qt.Key.Key_Left: (-1, h.value() <= h.minimum()),
        }
        if key not in moves:
            return False
        step, at_edge = moves[Qt.Key(key)]
        if not at_edge:
            return False
        self.go(self.index + step)
        return True
