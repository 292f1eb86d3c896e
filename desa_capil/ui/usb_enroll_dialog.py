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

from PySide6.QtCore import QCoreApplication, QSize, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desa_capil.errors import UserError
from desa_capil.ui.context import AppContext
from desa_capil.ui.errors import handle_exception
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.usb_files import FileChoice, StickFilePicker, reason_word
from desa_capil.ui.widgets.screen_fit import fit_window

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


class EnrollFromStickDialog(QDialog):
    """Daftarkan dari flashdisk (see the module docstring)."""

    enrolled = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usbEnrollDialog")
        self.ctx = ctx
        self.busy = False
        self.enrollment: object | None = None
        self.setWindowTitle(self.tr("Daftarkan dari flashdisk"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Untuk desa tanpa sinyal: pilih berkas pendaftaran dari kantor Disdukcapil (.dcenroll) "
                "di flashdisk, lalu ketik kode yang tercetak di kertas dari kantor. Berkas tanpa kode "
                "kertas tidak bisa dipakai, jadi flashdisk yang hilang tidak cukup untuk menyamar."
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.picker = StickFilePicker(
            (".dcenroll",), describe_enrollment, self.tr("Berkas pendaftaran (*.dcenroll)"), self
        )
        layout.addWidget(self.picker, 1)
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
        layout.addLayout(form)
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(self)
        self.enroll_button = QPushButton(self.tr("Daftarkan"), self)
        self.enroll_button.setObjectName("usbEnrollButton")
        self.enroll_button.setDefault(True)
        self.enroll_button.setEnabled(False)
        buttons.addButton(self.enroll_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(self.tr("Batal"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("usbCancelButton")
        buttons.rejected.connect(self.reject)
        self.enroll_button.clicked.connect(self.enroll)
        layout.addWidget(buttons)
        self.picker.selection_changed.connect(self._selection)
        self.code_edit.textChanged.connect(self._update)
        self.setMinimumSize(QSize(480, 320))
        fit_window(self, QSize(720, 480))

    @Slot(str)
    def _selection(self, path: str) -> None:
        self.details.clear()
        if path:
            from desa_capil.usbroute import BundleError, read_enrollment

            try:
                e = read_enrollment(Path(path))
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
        self._update()

    @Slot()
    def _update(self) -> None:
        self.enroll_button.setEnabled(
            not self.busy and self.picker.selected() is not None and bool(self.code_edit.text().strip())
        )

    def enroll(self) -> None:
        path = self.picker.selected()
        code = self.code_edit.text().strip()
        if path is None or not code or self.busy:
            return
        from desa_capil.sync.usb_identity import enroll_from_file

        self.busy = True
        self._update()
        self.error.setText(self.tr("Mendaftarkan laptop…"))
        db, paths = self.ctx.db, self.ctx.paths

        def op(_p: Progress) -> object:
            return enroll_from_file(db, paths, path, code)

        run_op(self, op, on_success=self._done, on_failure=self._failed, db=True)

    def _done(self, enrollment: object) -> None:
        self.busy = False
        self.enrollment = enrollment
        self.error.clear()
        self.enrolled.emit(enrollment)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self._update()
        if isinstance(exc, UserError):
            log.info("enrollment from stick refused: %s", exc.detail or exc.message_en)
            self.error.setText(exc.message(lang()))
        else:
            self.error.clear()
            handle_exception(self, exc)
