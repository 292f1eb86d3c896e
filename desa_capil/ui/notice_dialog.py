"""Kabari warga: the notice text to copy, a QR of the WhatsApp link, and a printable slip.

Office laptops rarely have WhatsApp Web, and a browser may not open at all: the operator scans
the QR with the office phone (WhatsApp opens with the text filled in), or copies the text, or
prints the slip for a resident without a phone. "Buka WhatsApp" still opens the link for a
laptop that has it; if nothing opens, the dialog says so instead of doing nothing.
"""

from __future__ import annotations

import io
import logging

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desa_capil.domain.phone import display_phone
from desa_capil.reports.common import service_name
from desa_capil.services.notices import Notice, NoticeKind, notice_slip_pdf
from desa_capil.ui.context import AppContext
from desa_capil.ui.printing import print_pdf
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.widgets.screen_fit import ScrollBody, fit_window

log = logging.getLogger(__name__)

QR_PIXELS = 200


def qr_pixmap(text: str, size: int = QR_PIXELS) -> QPixmap:
    """A QR code of `text` (segno, error level M) as a pixmap about `size` px wide."""
    import segno

    code = segno.make(text, error="m", micro=False)
    modules = code.symbol_size(scale=1, border=4)[0]
    buf = io.BytesIO()
    code.save(buf, kind="png", scale=max(2, size // modules), border=4)
    pm = QPixmap()
    pm.loadFromData(buf.getvalue(), "PNG")
    return pm


class NoticeDialog(QDialog):
    """The notice for one application.

    Signals:
        opened(bool): "Buka WhatsApp" was pressed; True when the system opened the link.
        printed(): the slip went to the printer.
    """

    opened = Signal(bool)
    printed = Signal()

    def __init__(self, ctx: AppContext, notice: Notice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeDialog")
        self.ctx = ctx
        self.notice = notice
        titles = {
            NoticeKind.READY: self.tr("Kabari warga: dokumen siap diambil"),
            NoticeKind.NEEDS_FIX: self.tr("Kabari warga: permohonan perlu dilengkapi"),
            NoticeKind.REJECTED: self.tr("Kabari warga: permohonan ditolak"),
        }
        self.setWindowTitle(titles[notice.kind])

        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 18, 20, 16)
        outer.setSpacing(10)
        title = QLabel(titles[notice.kind], self)
        title.setObjectName("pageTitle")
        title.setWordWrap(True)
        outer.addWidget(title)

        body = QWidget(self)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(0, 0, 6, 0)
        lay.setSpacing(10)
        who = QLabel(
            f"<b>{_esc(notice.applicant_name)}</b> · {_esc(service_name(notice.service_code))}", body
        )
        who.setTextFormat(Qt.TextFormat.RichText)
        who.setWordWrap(True)
        lay.addWidget(who)

        self.text = QPlainTextEdit(notice.text, body)
        self.text.setObjectName("noticeText")
        self.text.setReadOnly(True)
        self.text.setMinimumHeight(90)
        self.text.setMaximumHeight(150)
        lay.addWidget(self.text)

        row = QHBoxLayout()
        row.setSpacing(14)
        self.qr = QLabel(body)
        self.qr.setObjectName("noticeQr")
        url = notice.wa_url
        self.url = url
        if url is not None:
            self.qr.setPixmap(qr_pixmap(url))
            how = self.tr(
                "Pindai kode ini dengan kamera HP kantor: WhatsApp terbuka ke {0} dengan pesan di "
                "atas sudah terisi, tinggal tekan Kirim."
            ).replace("{0}", display_phone(notice.phone))
        else:
            self.qr.hide()
            how = self.tr(
                "Warga ini tidak punya nomor WhatsApp yang benar. Cetak surat pemberitahuan dan "
                "titipkan lewat RT/RW, atau kunjungi rumahnya."
            )
        self.how = QLabel(how, body)
        self.how.setObjectName("sectionHint")
        self.how.setWordWrap(True)
        row.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.how, 1, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(row)
        self.message = QLabel(body)
        self.message.setObjectName("fieldHint")
        self.message.setWordWrap(True)
        self.message.hide()
        lay.addWidget(self.message)
        lay.addStretch(1)
        outer.addWidget(ScrollBody(body, self), 1)

        buttons = QHBoxLayout()
        self.copy_button = QPushButton(self.tr("Salin pesan"), self)
        self.copy_button.setObjectName("copyNotice")
        self.copy_button.clicked.connect(self.copy_text)
        self.print_button = QPushButton(self.tr("Cetak surat pemberitahuan"), self)
        self.print_button.setObjectName("printNotice")
        self.print_button.clicked.connect(self.print_slip)
        self.open_button = QPushButton(self.tr("Buka WhatsApp"), self)
        self.open_button.setObjectName("openWhatsApp")
        self.open_button.setEnabled(url is not None)
        self.open_button.setToolTip(
            self.tr("Buka WhatsApp Web atau WhatsApp Desktop di laptop ini")
            if url is not None
            else self.tr("Tidak ada nomor WhatsApp yang benar")
        )
        self.open_button.clicked.connect(self.open_whatsapp)
        close = QPushButton(self.tr("Tutup"), self)
        close.setObjectName("closeNotice")
        close.clicked.connect(self.accept)
        close.setDefault(True)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(close)
        outer.addLayout(buttons)
        fit_window(self, self.sizeHint().expandedTo(self.minimumSizeHint()))

    def copy_text(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.notice.text)
        self._say(self.tr("Pesan sudah disalin. Tempel (Ctrl+V) di WhatsApp atau SMS."))

    def open_whatsapp(self) -> None:
        if self.url is None:
            return
        log.info("opening WhatsApp link for %s", self.notice.application_id)
        ok = QDesktopServices.openUrl(QUrl(self.url, QUrl.ParsingMode.StrictMode))
        if not ok:
            self._say(
                self.tr(
                    "Browser tidak bisa dibuka di laptop ini. Pindai kode QR dengan HP, atau salin pesannya."
                )
            )
        self.opened.emit(bool(ok))

    def print_slip(self) -> None:
        db, app_id = self.ctx.db, self.notice.application_id

        def op(_p: Progress) -> bytes:
            return notice_slip_pdf(db, app_id)

        def done(pdf: bytes) -> None:
            if print_pdf(self, pdf, self.tr("Surat pemberitahuan")):
                self.printed.emit()

        run_op(self, op, on_success=done, db=True)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()


def show_notice(ctx: AppContext, parent: QWidget, application_id: str) -> None:
    """Build the notice in the background, then show it (or the reason there is none)."""
    from desa_capil.services.notices import make_notice
    from desa_capil.ui.errors import handle_exception

    db = ctx.db

    def shown(notice: Notice) -> None:
        dialog = NoticeDialog(ctx, notice, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        parent.notice_dialog = dialog  # type: ignore[attr-defined]  # for tests and screenshots
        dialog.open()

    run_op(
        parent,
        lambda _p: make_notice(db, application_id),
        on_success=shown,
        on_failure=lambda exc: handle_exception(parent, exc),
        db=True,
    )


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
