"""Step 2 of the intake wizard: who asks, why it is urgent, notes.

NIK and KK are checked as the operator types, and the reason a number is wrong is shown
under the field (the card is usually in the operator's hand: "digits 7-12 are not a date"
says where to look). A NIK already known fills the rest of the resident's details.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desa_capil.domain.catalog import Urgency, urgency_label
from desa_capil.domain.nik import NikCheck, Sex, normalize, validate_kk, validate_nik
from desa_capil.store.repo import ApplicantData
from desa_capil.ui.i18n import lang

_PHONE = re.compile(r"^(\+?62|0)8\d{7,11}$")


def phone_ok(text: str) -> bool:
    """An Indonesian mobile number as people type it (08..., +628..., 628...)."""
    return bool(_PHONE.match(re.sub(r"[\s.\-()]", "", text)))


class FieldMessage(QLabel):
    """The line under a field: empty, a problem (red) or a confirmation (green)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("fieldMessage")
        self.setWordWrap(True)
        self.set_ok("")

    def set_problem(self, text: str) -> None:
        self.setProperty("tone", "problem")
        self._apply(text)

    def set_ok(self, text: str) -> None:
        self.setProperty("tone", "ok")
        self._apply(text)

    def set_hint(self, text: str) -> None:
        self.setProperty("tone", "hint")
        self._apply(text)

    def tone(self) -> str:
        return str(self.property("tone"))

    def _apply(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))
        self.style().unpolish(self)
        self.style().polish(self)


def _field(widget: QWidget, message: FieldMessage) -> QWidget:
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(3)
    lay.addWidget(widget)
    lay.addWidget(message)
    return box


class ApplicantStep(QWidget):
    """The applicant form.

    Signals:
        changed(): any field changed (the wizard schedules an autosave).
        nik_valid(str): the NIK field holds a valid NIK (normalised); the wizard looks it up.
    """

    changed = Signal()
    nik_valid = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._show_required = False
        self._autofilled: dict[str, str] = {}
        self._loading = False

        self.nik = QLineEdit()
        self.nik.setPlaceholderText(self.tr("16 angka, lihat KTP atau KK"))
        self.nik.setMaxLength(24)  # room for spaces/dots people type between groups
        self.nik_msg = FieldMessage()
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("Sesuai KTP/KK"))
        self.name_msg = FieldMessage()
        self.kk = QLineEdit()
        self.kk.setPlaceholderText(self.tr("16 angka di kanan atas Kartu Keluarga (boleh kosong)"))
        self.kk.setMaxLength(24)
        self.kk_msg = FieldMessage()
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(self.tr("08xx, untuk kabar lewat WhatsApp"))
        self.phone_msg = FieldMessage()
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("Dusun/RT/RW"))
        self.urgency = QComboBox()
        for u in Urgency:
            self.urgency.addItem(urgency_label(u, lang()), u.value)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(self.tr("Catatan untuk petugas Disdukcapil (boleh kosong)"))
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(70)

        title = QLabel(self.tr("Data pemohon"))
        title.setObjectName("stepTitle")
        self.known = QLabel()
        self.known.setObjectName("infoNote")
        self.known.setWordWrap(True)
        self.known.hide()

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(10)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        def label(text: str, buddy: QWidget) -> QLabel:
            lab = QLabel(text)
            lab.setObjectName("formLabel")
            lab.setBuddy(buddy)
            return lab

        form.addRow(label(self.tr("&NIK *"), self.nik), _field(self.nik, self.nik_msg))
        form.addRow(label(self.tr("Na&ma lengkap *"), self.name), _field(self.name, self.name_msg))
        form.addRow(label(self.tr("N&omor KK"), self.kk), _field(self.kk, self.kk_msg))
        form.addRow(label(self.tr("&HP / WhatsApp"), self.phone), _field(self.phone, self.phone_msg))
        form.addRow(label(self.tr("&Alamat"), self.address), self.address)
        form.addRow(label(self.tr("Keperluan men&desak"), self.urgency), self.urgency)
        form.addRow(label(self.tr("&Catatan"), self.notes), self.notes)

        required = QLabel(self.tr("* wajib diisi"))
        required.setObjectName("mutedNote")

        col = QVBoxLayout()
        col.setSpacing(12)
        col.addWidget(title)
        col.addWidget(self.known)
        col.addLayout(form)
        col.addWidget(required)
        col.addStretch(1)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(col, 3)
        outer.addStretch(1)

        self.nik.textChanged.connect(self._nik_changed)
        self.kk.textChanged.connect(self._kk_changed)
        self.phone.textChanged.connect(self._phone_changed)
        self.name.textChanged.connect(self._name_changed)
        for w in (self.nik, self.name, self.kk, self.phone, self.address):
            w.textEdited.connect(lambda *_: self._edited())
        self.urgency.currentIndexChanged.connect(lambda *_: self._edited())
        self.notes.textChanged.connect(self._edited)

    # --- public ---------------------------------------------------------------------------

    def data(self) -> ApplicantData:
        return ApplicantData(
            nik=normalize(self.nik.text()),
            name=" ".join(self.name.text().split()),
            kk_number=normalize(self.kk.text()),
            phone=self.phone.text().strip(),
            address=self.address.text().strip(),
        )

    def urgency_value(self) -> Urgency:
        return Urgency(self.urgency.currentData())

    def notes_text(self) -> str:
        return self.notes.toPlainText().strip()

    def load(self, applicant: ApplicantData, urgency: Urgency, notes: str) -> None:
        self._loading = True
        try:
            self.nik.setText(applicant.nik)
            self.name.setText(applicant.name)
            self.kk.setText(applicant.kk_number)
            self.phone.setText(applicant.phone)
            self.address.setText(applicant.address)
            self.urgency.setCurrentIndex(max(0, self.urgency.findData(urgency.value)))
            self.notes.setPlainText(notes)
        finally:
            self._loading = False

    def is_valid(self) -> bool:
        d = self.data()
        return (
            validate_nik(d.nik).ok
            and bool(d.name)
            and (not d.kk_number or validate_kk(d.kk_number).ok)
            and (not d.phone or phone_ok(d.phone))
        )

    def show_problems(self) -> QWidget | None:
        """Show every problem (also on untouched fields); the first field to fix, or None."""
        self._show_required = True
        self._nik_changed(self.nik.text())
        self._name_changed(self.name.text())
        self._kk_changed(self.kk.text())
        self._phone_changed(self.phone.text())
        d = self.data()
        if not validate_nik(d.nik).ok:
            return self.nik
        if not d.name:
            return self.name
        if d.kk_number and not validate_kk(d.kk_number).ok:
            return self.kk
        if d.phone and not phone_ok(d.phone):
            return self.phone
        return None

    def offer_known(self, known: ApplicantData) -> None:
        """Fill the resident's details found by NIK (fields the operator typed are kept)."""
        if normalize(self.nik.text()) != known.nik:
            return  # the NIK changed while we looked it up
        fields = {
            "name": (self.name, known.name),
            "kk": (self.kk, known.kk_number),
            "phone": (self.phone, known.phone),
            "address": (self.address, known.address),
        }
        for key, (w, value) in fields.items():
            current = w.text().strip()
            if not current or current == self._autofilled.get(key):
                w.setText(value)
                self._autofilled[key] = value
        self.known.setText(
            self.tr("Warga ini sudah pernah mengajukan permohonan; datanya diisi otomatis. Periksa kembali.")
        )
        self.known.show()
        self.changed.emit()

    # --- live checks ----------------------------------------------------------------------

    def _edited(self) -> None:
        if not self._loading:
            self.changed.emit()

    def _check_message(self, check: NikCheck, msg: FieldMessage) -> None:
        if check.ok:
            msg.set_ok(self._describe(check))
        else:
            msg.set_problem(check.message(lang()))

    def _describe(self, check: NikCheck) -> str:
        when = check.born_or_issued.strftime("%d-%m-%Y") if check.born_or_issued else ""
        if check.sex is None:
            return self.tr("\u2713 Nomor KK benar \u00b7 dikeluarkan {0} \u00b7 {1}").format(
                when, check.province
            )
        sex = self.tr("perempuan") if check.sex is Sex.FEMALE else self.tr("laki-laki")
        return self.tr("\u2713 NIK benar \u00b7 lahir {0} \u00b7 {1} \u00b7 {2}").format(
            when, sex, check.province
        )

    def _nik_changed(self, text: str) -> None:
        value = normalize(text)
        if not value and not self._show_required:
            self.nik_msg.set_ok("")
            self.known.hide()
            return
        check = validate_nik(value)
        self._check_message(check, self.nik_msg)
        if check.ok:
            self.nik_valid.emit(check.value)
        else:
            self.known.hide()

    def _kk_changed(self, text: str) -> None:
        if not normalize(text):
            self.kk_msg.set_ok("")
            return
        self._check_message(validate_kk(text), self.kk_msg)

    def _phone_changed(self, text: str) -> None:
        if not text.strip() or phone_ok(text):
            self.phone_msg.set_ok("")
            return
        self.phone_msg.set_problem(
            self.tr("Nomor HP diawali 08 atau +62, 10 sampai 14 angka. Boleh dikosongkan.")
        )

    def _name_changed(self, text: str) -> None:
        if text.strip() or not self._show_required:
            self.name_msg.set_ok("")
        else:
            self.name_msg.set_problem(self.tr("Nama pemohon belum diisi."))
