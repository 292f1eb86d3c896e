""" "Pakai HP": the QR code a phone scans to send photos of papers into the papers step.

The dialog owns one ``phone.PhoneSession`` and its ``PhoneServer``: they start when it opens and
stop when it closes, when the operator leaves the papers step, or when the wizard closes
(``PapersStep.stop_phone``). Each photo a phone sends becomes a job of the papers step, exactly
like a file: ``scan.sources.iter_bytes`` then the page pipeline, one job at a time off the UI
thread, stored, and shown in the paper's slot; the phone is then told the thumbnail.

Finding the address and asking the OS whether the Wi-Fi is protected run off the UI thread
(``netsh``/``nmcli`` can take a second).
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desa_capil.phone import net
from desa_capil.phone.server import PREFERRED_PORT, PhoneServer
from desa_capil.phone.session import Paper, PhoneSession, Photo
from desa_capil.scan import sources
from desa_capil.services import pages as processing
from desa_capil.store.pages import NewPage
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.widgets.screen_fit import ScrollBody, fit_window

if TYPE_CHECKING:
    from desa_capil.ui.intake.papers_step import PapersStep

log = logging.getLogger(__name__)

#: The QR code's box: big enough for a phone held 30-50 cm from the screen.
QR_SIDE = 250
#: How often the dialog refreshes the list of phones and notices an expired session.
STATUS_MS = 2000


def pages_from_phone(
    data: bytes, name: str, report: Callable[[int, int, str], None] | None = None
) -> list[NewPage]:
    """A phone's photo through the same import path and pipeline as a file (worker thread)."""
    raws = list(sources.iter_bytes(data, name, max_pages=1, source="phone"))
    return processing.pages_from_raw(raws, report)


def qr_pixmap(text: str, side: int = 0) -> QPixmap:
    """The QR code of `text`, with whole pixels per module, at most `side` pixels wide."""
    import segno

    qr = segno.make(text, error="m")
    modules = qr.symbol_size(scale=1, border=3)[0]
    scale = max(2, side // modules) if side else 6
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=scale, border=3)
    pm = QPixmap()
    pm.loadFromData(buf.getvalue(), "PNG")
    return pm


class _Bridge(QObject):
    """Carries the session's callbacks from the HTTP threads to the UI thread.

    Signals:
        photo(object): a Photo the session accepted.
        paper(str): the requirement code a phone switched to.
        changed(): phones or photos changed.
    """

    photo = Signal(object)
    paper = Signal(str)
    changed = Signal()


class PhoneDialog(QDialog):
    """QR code, address, network warnings and the phones connected to this papers step.

    Signals:
        started(str): the listener runs; the URL in the QR code.
        start_failed(str): no listener (no usable address, bind refused); the message shown.
        photo_received(str): a photo arrived from a phone (its id); processing follows.
        photo_stored(str): that photo's pages are in the paper's slot.
    """

    started = Signal(str)
    start_failed = Signal(str)
    photo_received = Signal(str)
    photo_stored = Signal(str)

    def __init__(
        self,
        step: PapersStep,
        *,
        address: str | None = None,
        allow_loopback: bool = False,
        port: int = PREFERRED_PORT,
        candidates: Callable[[], list[net.Candidate]] | None = None,
        wifi: Callable[[], net.WifiSecurity] | None = None,
        session_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(step)
        self.step = step
        self.setWindowTitle(self.tr("Pakai HP sebagai kamera"))
        self.setObjectName("phoneDialog")
        self.server: PhoneServer | None = None
        self.session: PhoneSession | None = None
        self._fixed_address = address
        self._allow_loopback = allow_loopback
        self._port = port
        self._candidates_fn = candidates or net.local_candidates
        self._wifi_fn = wifi or net.wifi_security
        self._session_options = session_options or {}
        self._candidates: list[net.Candidate] = []
        self._stopped = False
        self._bridge = _Bridge(self)
        self._bridge.photo.connect(self._photo)
        self._bridge.paper.connect(self._paper)
        self._bridge.changed.connect(self._refresh)

        self.intro = QLabel(
            self.tr(
                "Buka kamera HP dan arahkan ke kode QR ini. HP dan laptop harus tersambung ke Wi-Fi "
                "yang sama, atau laptop tersambung ke hotspot HP. Tidak perlu internet atau aplikasi."
            )
        )
        self.intro.setWordWrap(True)
        self.qr = QLabel(self.tr("Menyiapkan\u2026"))
        self.qr.setObjectName("phoneQr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setFixedSize(QR_SIDE, QR_SIDE)
        self.url = QLabel()
        self.url.setObjectName("phoneUrl")
        self.url.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.address_box = QComboBox()
        self.address_box.setAccessibleName(self.tr("Alamat laptop"))
        self.address_box.hide()
        self.address_box.activated.connect(lambda i: self._restart(self._candidates[i].address))
        self.warning = QLabel()
        self.warning.setObjectName("errorNote")
        self.warning.setWordWrap(True)
        self.warning.hide()
        self.note = QLabel()
        self.note.setObjectName("infoNote")
        self.note.setWordWrap(True)
        self.note.hide()
        self.status = QLabel()
        self.status.setObjectName("mutedNote")
        self.status.setWordWrap(True)
        self.btn_retry = QPushButton(self.tr("&Coba lagi"))
        self.btn_retry.clicked.connect(lambda: self._restart(None))
        self.btn_retry.hide()
        self.btn_close = QPushButton(self.tr("Selesai pakai HP"))
        self.btn_close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.btn_retry)
        buttons.addWidget(self.btn_close)

        # QR code left, words right (scrolling on a short screen), buttons always in view:
        # the dialog fits 1366x768 at 150 % scaling (910x485 logical pixels) and 800x440.
        texts = QWidget()
        col = QVBoxLayout(texts)
        col.setContentsMargins(0, 0, 0, 0)
        for w in (self.intro, self.url, self.address_box, self.warning, self.note, self.status):
            col.addWidget(w)
        col.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(ScrollBody(texts), 1)
        lay = QVBoxLayout(self)
        lay.addLayout(row, 1)
        lay.addLayout(buttons)
        fit_window(self, QSize(760, 400))

        self._timer = QTimer(self)
        self._timer.setInterval(STATUS_MS)
        self._timer.timeout.connect(self._refresh)
        step.state_changed.connect(self._counts)
        self._prepare()

    # --- start / stop -------------------------------------------------------------------------

    def _prepare(self) -> None:
        """Find the address and the Wi-Fi's protection off the UI thread, then listen."""
        if self._fixed_address is not None:
            self._listen(self._fixed_address)
            return
        cand_fn, wifi_fn = self._candidates_fn, self._wifi_fn

        def op(_p: Progress) -> tuple[list[net.Candidate], net.WifiSecurity]:
            return cand_fn(), wifi_fn()

        run_op(self, op, on_success=self._prepared)

    def _prepared(self, result: tuple[list[net.Candidate], net.WifiSecurity]) -> None:
        if self._stopped:
            return
        self._candidates, security = result
        if security == "open":
            self.warning.setText(
                self.tr(
                    "Wi-Fi ini terbuka (tanpa kata sandi): foto kertas warga bisa disadap orang di dekat "
                    "sini. Lebih aman: nyalakan hotspot HP (dengan kata sandi), sambungkan laptop ke "
                    "hotspot itu, lalu klik Coba lagi."
                )
            )
            self.warning.show()
        else:
            self.warning.hide()
        if not self._candidates:
            self._fail(
                self.tr(
                    "Laptop tidak tersambung ke Wi-Fi atau hotspot, jadi HP tidak bisa menghubunginya. "
                    "Nyalakan hotspot di HP, sambungkan laptop ke hotspot itu, lalu klik Coba lagi."
                )
            )
            return
        self.address_box.blockSignals(True)
        self.address_box.clear()
        for c in self._candidates:
            self.address_box.addItem(c.label)
        self.address_box.blockSignals(False)
        self.address_box.setVisible(len(self._candidates) > 1)
        self._listen(self._candidates[0].address)

    def _listen(self, address: str) -> None:
        service = self.step.service
        if service is None:
            return
        papers = [Paper(r.code, r.name(lang()), r.mandatory) for r in service.checklist]
        session = PhoneSession(service.name(lang()), papers, **self._session_options)
        code = self.step.current_code()
        if code:
            session.current_paper = code
        if self.step.state is not None:
            session.set_counts({c: len(p) for c, p in self.step.state.pages.items()})
        bridge = self._bridge
        session.on_photo = bridge.photo.emit
        session.on_paper = bridge.paper.emit
        session.on_change = bridge.changed.emit
        server = PhoneServer(session, address, self._port, allow_loopback=self._allow_loopback)
        try:
            server.start()
        except OSError as exc:
            log.warning("phone listener could not start on %s: %s", address, exc)
            self._fail(
                self.tr(
                    "Laptop tidak bisa membuka sambungan untuk HP di alamat {0} ({1}). Tutup program lain "
                    "yang mungkin memakainya, lalu klik Coba lagi."
                ).format(address, exc.strerror or exc)
            )
            return
        self.session, self.server = session, server
        self.qr.setPixmap(qr_pixmap(server.url, QR_SIDE))
        self.url.setText(server.url)
        self.btn_retry.setVisible(self.warning.isVisible())
        notes = [
            self.tr(
                "Kode ini hanya berlaku selama jendela ini terbuka dan hilang setelah 15 menit tidak dipakai."
            )
        ]
        if sys.platform == "win32":
            notes.append(
                self.tr(
                    "Bila Windows bertanya apakah desa_capil boleh menerima sambungan, centang "
                    "\u201cJaringan pribadi\u201d dan klik Izinkan: HP perlu menghubungi laptop ini. "
                    "Jangan centang jaringan publik. Bila HP tetap tidak bisa membuka halamannya, atur "
                    "jaringan Wi-Fi ini sebagai \u201cPribadi\u201d di Pengaturan Windows \u2192 Jaringan."
                )
            )
        self.note.setText("\n".join(notes))
        self.note.show()
        self._timer.start()
        self._refresh()
        self.started.emit(server.url)

    def _fail(self, text: str) -> None:
        self.qr.clear()
        self.qr.setText(self.tr("Kode QR belum bisa dibuat."))
        self.url.clear()
        self.status.setText(text)
        self.btn_retry.show()
        self.start_failed.emit(text)

    def _restart(self, address: str | None) -> None:
        self._shutdown()
        self._stopped = False
        self.qr.setText(self.tr("Menyiapkan\u2026"))
        if address is not None:
            self._listen(address)
        else:
            self._prepare()

    def _shutdown(self) -> None:
        self._timer.stop()
        server, self.server = self.server, None
        if server is not None:
            server.stop()

    def stop(self) -> None:
        """Stop listening for good (the dialog closes or the papers step goes away)."""
        self._stopped = True
        self._shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.stop()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self.stop()
        super().done(result)

    # --- photos -------------------------------------------------------------------------------

    def _photo(self, photo: Photo) -> None:
        session = self.session
        if session is None or session.closed:
            return
        data, name = photo.data, photo.name

        def produce(p: Progress) -> list[NewPage]:
            return pages_from_phone(data, name, p.report)

        def done(pages: list[NewPage]) -> None:
            session.photo_done(photo.id, [pg.thumb for pg in pages if pg.thumb])
            self.photo_stored.emit(photo.id)

        from desa_capil.ui.intake.papers_step import Job

        self.step.enqueue(
            Job(
                photo.paper,
                self.tr("foto HP {0}").format(name),
                produce,
                on_done=done,
                on_failed=lambda text: session.photo_failed(photo.id, text),
            )
        )
        # The bytes now live in the job only; the session keeps what the phone needs to see.
        photo.data = b""
        self.photo_received.emit(photo.id)

    def _paper(self, code: str) -> None:
        self.step.select_requirement(code)

    def _counts(self, state: object) -> None:
        pages = getattr(state, "pages", None)
        if self.session is not None and isinstance(pages, dict):
            self.session.set_counts({c: len(p) for c, p in pages.items()})

    def _refresh(self) -> None:
        session = self.session
        if session is None:
            return
        if session.expired():
            self._shutdown()
            self.qr.clear()
            self.qr.setText(self.tr("Kode QR sudah kedaluwarsa."))
            self.status.setText(
                self.tr("Tidak dipakai lebih dari 15 menit. Klik Coba lagi untuk kode QR yang baru.")
            )
            self.btn_retry.show()
            return
        phones = session.phones()
        photos = session.photos()
        done = sum(1 for p in photos if p.status == "done")
        failed = sum(1 for p in photos if p.status == "failed")
        working = sum(1 for p in photos if p.status == "processing")
        if not phones and not photos:
            self.status.setText(self.tr("Menunggu HP\u2026"))
            return
        who = ", ".join(f"{p.agent} ({p.address})" for p in phones) or self.tr("tidak ada")
        text = self.tr("HP tersambung: {0}.").format(who)
        text += " " + self.tr("Foto diterima: {0}").format(done)
        if working:
            text += " \u00b7 " + self.tr("sedang diproses: {0}").format(working)
        if failed:
            text += " \u00b7 " + self.tr("ditolak: {0}").format(failed)
        self.status.setText(text)


__all__ = ["PhoneDialog", "pages_from_phone", "qr_pixmap"]
