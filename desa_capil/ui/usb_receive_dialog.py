"""ReceiveDialog ("Terima dari flashdisk"): the office's return bundle applied from a stick.

The user picks the office's file (``*.dcb``) on the stick; the work runs in the background
(``sync.usb_return.apply_return_bundle``, the same code path as the online change pull) and
the dialog says in plain words what arrived: how many status changes, how many signed
documents, which batches the office confirmed, a new office catalog, or that nothing was new.
A bad file gets its reason (cut, damaged, another village, another office) and nothing is saved.

Signals:
    applied(object): the ``ReturnResult`` after a bundle was applied (pages reload through
        ``AppContext.office_changes`` / ``changed`` as after an online pull).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSize, Signal, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from desa_capil.errors import UserError
from desa_capil.services.changes import return_changes
from desa_capil.store import setting_keys as keys
from desa_capil.store.repo import get_setting
from desa_capil.ui.context import AppContext
from desa_capil.ui.errors import handle_exception
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.usb_files import FileChoice, StickFilePicker, reason_word
from desa_capil.ui.widgets.screen_fit import fit_window

log = logging.getLogger(__name__)


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d-%m-%Y %H:%M")
    except ValueError:
        return iso


def describe_return(path: Path, village_code: str) -> FileChoice:
    """How a ``.dcb`` file on the stick is listed in "Terima dari flashdisk"."""
    from desa_capil.usbroute import BundleError, read_header

    t = QCoreApplication.translate
    try:
        header = read_header(path)
    except BundleError as exc:
        # Listed anyway: "Terima" then shows the full reason.
        return FileChoice(
            path,
            t("usb", "%1 — tidak terbaca (%2)")
            .replace("%1", path.name)
            .replace("%2", reason_word(exc.reason)),
        )
    if header.kind != "office":
        text = t("usb", "%1 — kiriman desa %2 (untuk kantor; bisa dititipkan lewat 'Titip kirim')")
        return FileChoice(
            path, text.replace("%1", path.name).replace("%2", header.village_code), usable=False
        )
    if header.village_code != village_code:
        text = t("usb", "%1 — dari kantor untuk desa lain (%2)")
        return FileChoice(
            path, text.replace("%1", path.name).replace("%2", header.village_code), usable=False
        )
    text = t("usb", "Dari kantor, dibuat %1 — %2")
    return FileChoice(path, text.replace("%1", _when(header.created_at)).replace("%2", path.name))


def result_text(result: object) -> str:
    """The summary shown after a bundle was applied (a ``ReturnResult``)."""
    from desa_capil.sync.usb_return import ReturnResult

    assert isinstance(result, ReturnResult)
    t = QCoreApplication.translate
    if result.nothing_new:
        return t(
            "usb",
            "Berkas ini sudah diterima sebelumnya, atau kabarnya sudah datang lewat internet: tidak ada "
            "yang baru. Tidak ada yang diubah.",
        )
    parts = [
        t("usb", "Diterima dari kantor: %1 perubahan status, %2 dokumen bertanda tangan.")
        .replace("%1", str(result.status_changes))
        .replace("%2", str(result.documents))
    ]
    if result.batches_acknowledged:
        parts.append(
            t("usb", "%1 kiriman dipastikan sudah diterima kantor.").replace(
                "%1", str(result.batches_acknowledged)
            )
        )
    if result.batches_refused:
        parts.append(
            t(
                "usb",
                "%1 kiriman ditolak kantor dan disisihkan; alasannya ada di halaman Kiriman.",
            ).replace("%1", str(len(result.batches_refused)))
        )
    if result.catalog_version:
        parts.append(
            t("usb", "Daftar layanan kantor versi %1 sekarang dipakai.").replace("%1", result.catalog_version)
        )
    if result.documents_waiting:
        parts.append(
            t(
                "usb",
                "%1 dokumen lain masih ditunggu (diunduh saat ada internet, atau di flashdisk berikutnya).",
            ).replace("%1", str(result.documents_waiting))
        )
    return " ".join(parts)


class ReceiveDialog(QDialog):
    """Terima dari flashdisk (see the module docstring)."""

    applied = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usbReceiveDialog")
        self.ctx = ctx
        self.busy = False
        self.setWindowTitle(self.tr("Terima dari flashdisk"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Masukkan flashdisk yang dibawa dari kantor Disdukcapil dan pilih berkas dari kantor "
                "(.dcb). Kabar status dan dokumen bertanda tangan di dalamnya dicatat sama seperti kabar "
                "lewat internet; menerima berkas yang sama dua kali tidak mengubah apa-apa."
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        village = get_setting(ctx.db, keys.VILLAGE_CODE)
        self.picker = StickFilePicker(
            (".dcb",),
            lambda p: describe_return(p, village),
            self.tr("Berkas dari kantor (*.dcb)"),
            self,
        )
        layout.addWidget(self.picker, 1)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("usbReceiveResult")
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(self)
        self.receive_button = QPushButton(self.tr("Terima"), self)
        self.receive_button.setObjectName("usbReceiveButton")
        self.receive_button.setDefault(True)
        self.receive_button.setEnabled(False)
        self.buttons.addButton(self.receive_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = self.buttons.addButton(self.tr("Tutup"), QDialogButtonBox.ButtonRole.RejectRole)
        close.setObjectName("usbCloseButton")
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.receive_button.clicked.connect(self.receive)
        self.picker.selection_changed.connect(self._selection)
        self.setMinimumSize(QSize(480, 300))
        fit_window(self, QSize(720, 440))

    @Slot(str)
    def _selection(self, path: str) -> None:
        self.receive_button.setEnabled(bool(path) and not self.busy)

    def receive(self, path: Path | None = None) -> None:
        """Apply the chosen file (or ``path``) in the background."""
        path = path or self.picker.selected()
        if path is None or self.busy:
            return
        from desa_capil.sync.usb_return import apply_return_bundle

        self.busy = True
        self.receive_button.setEnabled(False)
        self.error.clear()
        self.result_label.setText(self.tr("Memeriksa dan mencatat berkas…"))
        db, paths = self.ctx.db, self.ctx.paths

        def op(_p: Progress) -> object:
            return apply_return_bundle(db, path, paths=paths, spool_dir=paths.cache)

        run_op(self, op, on_success=self._done, on_failure=self._failed, db=True)

    def _done(self, result: object) -> None:
        from desa_capil.sync.usb_return import ReturnResult

        self.busy = False
        self.receive_button.setEnabled(self.picker.selected() is not None)
        self.result_label.setText(result_text(result))
        assert isinstance(result, ReturnResult)
        if result.application_ids:
            self.ctx.office_changes.emit(list(result.application_ids))
        self.ctx.notify(return_changes(result))
        self.applied.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.receive_button.setEnabled(self.picker.selected() is not None)
        self.result_label.clear()
        if isinstance(exc, UserError):
            log.info("return bundle refused: %s", exc.detail or exc.message_en)
            self.error.setText(exc.message(lang()))
        else:
            handle_exception(self, exc)
