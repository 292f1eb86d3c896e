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

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QWidget

from desa_capil.ui.context import AppContext
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.usb_dialog import StickFileDialog, StickTexts
from desa_capil.ui.usb_files import FileChoice, reason_word

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


class RelayDialog(StickFileDialog):
    """Titip kirim (see the module docstring)."""

    relayed = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            parent,
            StickTexts(
                title=self.tr("Titip kirim"),
                intro=self.tr(
                    "Kirimkan berkas flashdisk desa lain ke kantor Disdukcapil lewat internet laptop ini. "
                    "Isinya terkunci untuk kantor: laptop ini tidak bisa membacanya, dan kantor memeriksa "
                    "tanda tangan laptop desa pengirimnya. Berikan kabar hasilnya ke desa itu."
                ),
                filter=self.tr("Berkas kiriman desa (*.dcb)"),
                action=self.tr("Kirim ke kantor"),
            ),
            suffixes=(".dcb",),
            describe=describe_relay,
            name="usbRelay",
        )
        self.send_button = self.action_button

    def act(self) -> None:
        self.send()

    def send(self, path: Path | None = None) -> None:
        path = path or self.picker.selected()
        if path is None or self.busy:
            return
        from desa_capil.sync.usb_relay import relay_bundle

        self.begin(self.tr("Mengirim ke kantor…"))
        db, paths = self.ctx.db, self.ctx.paths

        def op(_p: Progress) -> object:
            return relay_bundle(db, paths, path)

        run_op(self, op, on_success=self._done, on_failure=self.failed)

    def _done(self, result: object) -> None:
        self.succeeded(str(getattr(result, "message", lambda _l: "")(lang())))
        self.relayed.emit(result)
