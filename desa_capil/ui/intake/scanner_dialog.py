"""Scanning pages from a scanner (SANE on Linux, WIA on Windows) through scan.scanner.

Finding devices and scanning are slow and blocking, so both run through run_op on the pool;
a feeder batch can be stopped with "Berhenti" (the pages already scanned are kept).
"""

from __future__ import annotations

import threading

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desa_capil.scan.scanner import ScannerBackend, ScannerDevice, ScanSettings, available_backends
from desa_capil.ui.errors import handle_exception, known_error
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Progress, run_op


class ScannerDialog(QDialog):
    """Choose a scanner, scan one page (flatbed) or the whole feeder (ADF).

    Signals:
        pages_scanned(list): RawPage objects from one scan (the caller processes them).
        devices_loaded(int): how many scanners were found.
        scan_failed(str): the user-facing message of a failed scan.
    """

    pages_scanned = Signal(list)
    devices_loaded = Signal(int)
    scan_failed = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        paper_name: str = "",
        backends: list[ScannerBackend] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Pindai"))
        self._backends = backends
        self._found: list[tuple[ScannerBackend, ScannerDevice]] = []
        self._cancel: threading.Event | None = None
        self._scanned = 0

        self.devices = QComboBox()
        self.source = QComboBox()
        self.source.addItem(self.tr("Kaca (flatbed): satu halaman"), "flatbed")
        self.source.addItem(self.tr("Pengumpan (ADF): semua kertas di baki"), "adf")
        self.mode = QComboBox()
        self.mode.addItem(self.tr("Abu-abu (disarankan)"), "gray")
        self.mode.addItem(self.tr("Warna (ada stempel/foto berwarna)"), "color")
        self.mode.addItem(self.tr("Hitam-putih"), "lineart")
        self.resolution = QComboBox()
        for dpi in (200, 300):
            self.resolution.addItem(f"{dpi} dpi", dpi)
        self.resolution.setCurrentIndex(1)
        for w in (self.devices, self.source, self.mode, self.resolution):
            w.setMinimumHeight(36)

        self.info = QLabel(
            self.tr("Halaman masuk ke \u201c{0}\u201d.").format(paper_name) if paper_name else ""
        )
        self.info.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b91c1c; font-weight: 600;")
        self.message.hide()

        self.btn_refresh = QPushButton(self.tr("Cari &ulang"))
        self.btn_scan = QPushButton(self.tr("&Pindai"))
        self.btn_scan.setDefault(True)
        self.btn_stop = QPushButton(self.tr("&Berhenti"))
        self.btn_close = QPushButton(self.tr("&Selesai"))
        for b in (self.btn_refresh, self.btn_scan, self.btn_stop, self.btn_close):
            b.setMinimumHeight(42)
        self.btn_refresh.clicked.connect(self.find_devices)
        self.btn_scan.clicked.connect(self.scan)
        self.btn_stop.clicked.connect(self.stop)
        self.btn_close.clicked.connect(self.accept)

        form = QFormLayout()
        dev_row = QHBoxLayout()
        dev_row.addWidget(self.devices, 1)
        dev_row.addWidget(self.btn_refresh)
        form.addRow(self.tr("Pemindai:"), dev_row)
        form.addRow(self.tr("Kertas dari:"), self.source)
        form.addRow(self.tr("Warna:"), self.mode)
        form.addRow(self.tr("Resolusi:"), self.resolution)
        buttons = QHBoxLayout()
        buttons.addWidget(self.btn_scan, 2)
        buttons.addWidget(self.btn_stop, 1)
        buttons.addWidget(self.btn_close, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.info)
        lay.addWidget(self.message)
        lay.addLayout(buttons)
        self.resize(560, 320)
        self._set_busy(False)
        self.find_devices()

    def find_devices(self) -> None:
        backends = self._backends

        def op(_p: Progress) -> list[tuple[ScannerBackend, ScannerDevice]]:
            found = []
            for b in backends if backends is not None else available_backends():
                found += [(b, d) for d in b.list_devices()]
            return found

        self._set_busy(True, self.tr("Mencari pemindai\u2026"))
        run_op(self, op, on_success=self._devices_found, on_failure=self._failed)

    def _devices_found(self, found: list[tuple[ScannerBackend, ScannerDevice]]) -> None:
        self._found = found
        self.devices.clear()
        for _b, d in found:
            self.devices.addItem(d.name or d.id, d.id)
        if not found:
            self._set_busy(False)
            self._show_message(
                self.tr(
                    "Tidak ada pemindai yang ditemukan. Periksa kabel USB dan daya pemindai, lalu klik "
                    "\u201cCari ulang\u201d. Bisa juga memakai \u201cFolder pantau\u201d bila pemindai menyimpan ke folder."
                )
            )
        else:
            self._set_busy(False, self.tr("{0} pemindai ditemukan.").format(len(found)))
        self.devices_loaded.emit(len(found))

    def settings(self) -> ScanSettings:
        return ScanSettings(
            resolution=int(self.resolution.currentData()),
            mode=self.mode.currentData(),
            source=self.source.currentData(),
        )

    def scan(self) -> None:
        index = self.devices.currentIndex()
        if index < 0 or index >= len(self._found):
            return
        backend, device = self._found[index]
        settings = self.settings()
        cancel = threading.Event()
        self._cancel = cancel
        self._set_busy(True, self.tr("Sedang memindai\u2026 jangan angkat tutup pemindai."))
        run_op(
            self,
            lambda _p: backend.scan(device, settings, cancel=cancel),
            on_success=self._scanned_pages,
            on_failure=self._failed,
        )

    def stop(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def _scanned_pages(self, pages: list) -> None:
        self._cancel = None
        self._scanned += len(pages)
        self._set_busy(
            False, self.tr("{0} halaman dipindai. Pindai lagi, atau Selesai.").format(self._scanned)
        )
        if pages:
            self.pages_scanned.emit(pages)

    def _failed(self, exc: BaseException) -> None:
        self._cancel = None
        self._set_busy(False)
        # Pages that came through the feeder before a jam are kept; the message says the rest.
        saved = list(getattr(exc, "pages", []) or [])
        if saved:
            self._scanned += len(saved)
            self.pages_scanned.emit(saved)
        known = known_error(exc)
        if known is None:
            handle_exception(self, exc)
            return
        self._show_message(known.message(lang()))
        self.scan_failed.emit(known.message(lang()))

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _set_busy(self, busy: bool, note: str | None = None) -> None:
        if note is not None:
            self.info.setText(note)
        if busy:
            self.message.hide()
        self.btn_scan.setEnabled(not busy and self.devices.count() > 0)
        self.btn_refresh.setEnabled(not busy)
        self.btn_stop.setEnabled(busy and self._cancel is not None)
        self.btn_close.setEnabled(not busy or self._cancel is not None)

    def done(self, result: int) -> None:
        self.stop()
        super().done(result)
