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
from functools import partial
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QWidget

from desa_capil.services.changes import return_changes
from desa_capil.store import setting_keys as keys
from desa_capil.store.repo import get_setting
from desa_capil.ui.context import AppContext
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.usb_dialog import StickFileDialog, StickTexts
from desa_capil.ui.usb_files import FileChoice, reason_word

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


class ReceiveDialog(StickFileDialog):
    """Terima dari flashdisk (see the module docstring)."""

    applied = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        village = get_setting(ctx.db, keys.VILLAGE_CODE)
        super().__init__(
            ctx,
            parent,
            StickTexts(
                title=self.tr("Terima dari flashdisk"),
                intro=self.tr(
                    "Masukkan flashdisk yang dibawa dari kantor Disdukcapil dan pilih berkas dari kantor "
                    "(.dcb). Kabar status dan dokumen bertanda tangan di dalamnya dicatat sama seperti kabar "
                    "lewat internet; menerima berkas yang sama dua kali tidak mengubah apa-apa."
                ),
                filter=self.tr("Berkas dari kantor (*.dcb)"),
                action=self.tr("Terima"),
            ),
            suffixes=(".dcb",),
            describe=partial(describe_return, village_code=village),
            name="usbReceive",
        )
        self.receive_button = self.action_button

    def act(self) -> None:
        self.receive()

    def receive(self, path: Path | None = None) -> None:
        """Apply the chosen file (or ``path``) in the background."""
        path = path or self.picker.selected()
        if path is None or self.busy:
            return
        from desa_capil.sync.usb_return import apply_return_bundle

        self.begin(self.tr("Memeriksa dan mencatat berkas…"))
        db, paths = self.ctx.db, self.ctx.paths

        def op(_p: Progress) -> object:
            return apply_return_bundle(db, path, paths=paths, spool_dir=paths.cache)

        run_op(self, op, on_success=self._done, on_failure=self.failed, db=True)

    def _done(self, result: object) -> None:
        from desa_capil.sync.usb_return import ReturnResult

        assert isinstance(result, ReturnResult)
        self.succeeded(result_text(result))
        if result.application_ids:
            self.ctx.office_changes.emit(list(result.application_ids))
        self.ctx.notify(return_changes(result))
        self.applied.emit(result)
