"""EnrollFromStickDialog ("Daftarkan dari flashdisk"): offline enrollment at first run.

A village with no signal gets two things from the Disdukcapil office: an enrollment file
(``*.dcenroll``) on a stick and a short code printed on paper. The dialog lists the files on
the stick with the village each is for, shows the office key's fingerprint to compare with the
paper, takes the code and enrolls (``sync.usb_identity.enroll_from_file``). A wrong, cut,
expired or foreign file, or a mistyped code, gets its reason and nothing is saved.

Signals:
    enrolled(object): the ``Enrollment`` once this laptop is enrolled (the dialog then closes).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from desa_capil.ui.context import AppContext
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.usb_dialog import StickFileDialog, StickTexts
from desa_capil.ui.usb_files import FileChoice, reason_word

log = logging.getLogger(__name__)


def describe_enrollment(path: Path) -> FileChoice:
    from desa_capil.usbroute import BundleError, read_enrollment

    t = QCoreApplication.translate
    try:
        e = read_enrollment(path)
    except BundleError as exc:
        return FileChoice(
            path,
            t("usb", "%1 — tidak terbaca (%2)")
            .replace("%1", path.name)
            .replace("%2", reason_word(exc.reason)),
        )
    text = t("usb", "%1 (%2) — dari %3")
    return FileChoice(
        path, text.replace("%1", e.village_name).replace("%2", e.village_code).replace("%3", e.office_name)
    )


class EnrollFromStickDialog(StickFileDialog):
    """Daftarkan dari flashdisk (see the module docstring)."""

    enrolled = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            parent,
            StickTexts(
                title=self.tr("Daftarkan dari flashdisk"),
                intro=self.tr(
                    "Untuk desa tanpa sinyal: pilih berkas pendaftaran dari kantor Disdukcapil (.dcenroll) "
                    "di flashdisk, lalu ketik kode yang tercetak di kertas dari kantor. Berkas tanpa kode "
                    "kertas tidak bisa dipakai, jadi flashdisk yang hilang tidak cukup untuk menyamar."
                ),
                filter=self.tr("Berkas pendaftaran (*.dcenroll)"),
                action=self.tr("Daftarkan"),
            ),
            suffixes=(".dcenroll",),
            describe=describe_enrollment,
            name="usbEnroll",
            closes_when_done=True,
            minimum=(480, 320),
            preferred=(720, 480),
        )
        self.enroll_button = self.action_button
        self.enrollment: object | None = None
        form = QFormLayout()
        self.details = QLabel(self)
        self.details.setObjectName("usbEnrollDetails")
        self.details.setWordWrap(True)
        form.addRow(self.details)
        self.code_edit = QLineEdit(self)
        self.code_edit.setObjectName("usbEnrollCode")
        self.code_edit.setPlaceholderText(self.tr("mis. K7QX-MP3A-RZHD"))
        self.code_edit.setMaxLength(40)
        form.addRow(self.tr("Kode pada kertas"), self.code_edit)
        self.body.addLayout(form)
        self.result_label.hide()  # progress and reasons go on the error line, under the code
        self.code_edit.textChanged.connect(self.update_action)

    def can_act(self) -> bool:
        return super().can_act() and bool(self.code_edit.text().strip())

    def selection_changed(self) -> None:
        self.details.clear()
        path = self.picker.selected()
        if path is None:
            return
        from desa_capil.usbroute import BundleError, read_enrollment

        try:
            e = read_enrollment(path)
        except BundleError as exc:
            self.details.setText(exc.message(lang()))
        else:
            self.details.setText(
                self.tr("Desa: %1 (%2). Kantor: %3. Sidik kunci kantor: %4 (cocokkan dengan kertas).")
                .replace("%1", e.village_name)
                .replace("%2", e.village_code)
                .replace("%3", e.office_name)
                .replace("%4", e.office_key_id)
            )

    def act(self) -> None:
        self.enroll()

    def enroll(self) -> None:
        path = self.picker.selected()
        code = self.code_edit.text().strip()
        if path is None or not code or self.busy:
            return
        from desa_capil.sync.usb_identity import enroll_from_file

        self.begin("")
        self.error.setText(self.tr("Mendaftarkan laptop…"))
        db, paths = self.ctx.db, self.ctx.paths

        def op(_p: Progress) -> object:
            return enroll_from_file(db, paths, path, code)

        run_op(self, op, on_success=self._done, on_failure=self.failed, db=True)

    def _done(self, enrollment: object) -> None:
        self.succeeded("")
        self.enrollment = enrollment
        self.enrolled.emit(enrollment)
        self.accept()
