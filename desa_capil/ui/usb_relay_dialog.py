"""RelayDialog ("Titip kirim"): upload another village's bundle on its behalf.

A laptop with a link (the kecamatan's, a neighbouring village's) can carry a bundle from a
village without signal to the office: it cannot read it (encrypted to the office) and does not
need to; the office checks the signature of the village laptop that made it. The user picks the
``*.dcb`` file on the stick; the upload runs in the background (``sync.usb_relay``) and the
answer is shown: received, already received, or refused with the office's reason.

Signals:
    relayed(object): the office's answer (``RelayResult``) after an upload.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSize, Signal, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from desa_capil.errors import UserError
from desa_capil.ui.context import AppContext
from desa_capil.ui.errors import handle_exception
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.usb_files import FileChoice, StickFilePicker, reason_word
from desa_capil.ui.widgets.screen_fit import fit_window

log = logging.getLogger(__name__)


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{max(1, n // 1000)} KB"


def describe_relay(path: Path) -> FileChoice:
    from desa_capil.usbroute import BundleError, read_header

    t = QCoreApplication.translate
    try:
        header = read_header(path)
    except BundleError as exc:
        return FileChoice(
            path,
            t("usb", "%1 — tidak terbaca (%2)")
            .replace("%1", path.name)
            .replace("%2", reason_word(exc.reason)),
        )
    if header.kind != "village":
        text = t("usb", "%1 — dari kantor (diterima di desa lewat 'Terima dari flashdisk')")
        return FileChoice(path, text.replace("%1", path.name), usable=False)
    try:
        created = datetime.fromisoformat(header.created_at).astimezone().strftime("%d-%m-%Y %H:%M")
    except ValueError:
        created = header.created_at
    text = t("usb", "Kiriman desa %1, dibuat %2, %3 — %4")
    return FileChoice(
        path,
        text.replace("%1", header.village_code)
        .replace("%2", created)
        .replace("%3", _size(path.stat().st_size))
        .replace("%4", path.name),
    )


class RelayDialog(QDialog):
    """Titip kirim (see the module docstring)."""

    relayed = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usbRelayDialog")
        self.ctx = ctx
        self.busy = False
        self.setWindowTitle(self.tr("Titip kirim"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Kirimkan berkas flashdisk desa lain ke kantor Disdukcapil lewat internet laptop ini. "
                "Isinya terkunci untuk kantor: laptop ini tidak bisa membacanya, dan kantor memeriksa "
                "tanda tangan laptop desa pengirimnya. Berikan kabar hasilnya ke desa itu."
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.picker = StickFilePicker((".dcb",), describe_relay, self.tr("Berkas kiriman desa (*.dcb)"), self)
        layout.addWidget(self.picker, 1)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("usbRelayResult")
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(self)
        self.send_button = QPushButton(self.tr("Kirim ke kantor"), self)
        self.send_button.setObjectName("usbRelayButton")
        self.send_button.setDefault(True)
        self.send_button.setEnabled(False)
        buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(self.tr("Tutup"), QDialogButtonBox.ButtonRole.RejectRole)
        close.setObjectName("usbCloseButton")
        buttons.rejected.connect(self.reject)
        self.send_button.clicked.connect(self.send)
        layout.addWidget(buttons)
        self.picker.selection_changed.connect(self._selection)
        self.setMinimumSize(QSize(480, 300))
        fit_window(self, QSize(720, 440))

    @Slot(str)
    def _selection(self, path: str) -> None:
        self.send_button.setEnabled(bool(path) and not self.busy)

    def send(self, path: Path | None = None) -> None:
        path = path or self.picker.selected()
        if path is None or self.busy:
            return
        from desa_capil.sync.usb_relay import relay_bundle

        self.busy = True
        self.send_button.setEnabled(False)
        self.error.clear()
        self.result_label.setText(self.tr("Mengirim ke kantor…"))
        db, paths = self.ctx.db, self.ctx.paths

        def op(_p: Progress) -> object:
            return relay_bundle(db, paths, path)

        run_op(self, op, on_success=self._done, on_failure=self._failed)

    def _done(self, result: object) -> None:
        self.busy = False
        self.send_button.setEnabled(self.picker.selected() is not None)
        self.result_label.setText(str(getattr(result, "message", lambda _l: "")(lang())))
        self.relayed.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.send_button.setEnabled(self.picker.selected() is not None)
        self.result_label.clear()
        if isinstance(exc, UserError):
            log.info("relay refused: %s", exc.detail or exc.message_en)
            self.error.setText(exc.message(lang()))
        else:
            handle_exception(self, exc)
