"""Step 2 of the intake wizard: who asks, why it is urgent, notes, and what the service asks.

NIK and KK are checked as the operator types, and the reason a number is wrong is shown
under the field (the card is usually in the operator's hand: "digits 7-12 are not a date"
says where to look). A NIK already known fills the rest of the resident's details.

Below, the facts of the chosen service (domain.intake): the event date with a "terlambat lapor"
warning that never blocks, the people the document is about (the baby, the deceased, the couple;
the applicant is then the reporter) each with their own NIK check, the extra documents of a
"3-in-1" request, and for KTP-el recording whether the office must come to the home.
"""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desa_capil.domain.catalog import Service, Urgency, urgency_label
from desa_capil.domain.intake import (
    HomeRecording,
    IntakeDetails,
    Person,
    Severity,
    check_details,
    home_recording_label,
)
from desa_capil.domain.names import check_name
from desa_capil.domain.nik import NikCheck, Sex, normalize, validate_kk, validate_nik
from desa_capil.domain.regions import nik_region
from desa_capil.reports.forms import forms_for
from desa_capil.store.repo import ApplicantData
from desa_capil.ui.i18n import lang

ORIGINALS_RECEIPT = "originals_receipt"

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

    def set_warning(self, text: str) -> None:
        """Worth a second look, never a block (late report, a name against the rules)."""
        self.setProperty("tone", "warning")
        self._apply(text)

    def tone(self) -> str:
        return str(self.property("tone"))

    def _apply(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))
        self.style().unpolish(self)
        self.style().polish(self)


def parse_date(text: str) -> date | None:
    """A date as typed at the counter: 15-01-2026, 15/1/2026, 15.01.2026 or 2026-01-15."""
    text = text.strip()
    m = re.fullmatch(r"(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})", text)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return None


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
    # A form (reports.forms code) or ORIGINALS_RECEIPT to print for this application.
    print_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._show_required = False
        self._autofilled: dict[str, str] = {}
        self._loading = False
        self.service: Service | None = None
        # What was typed per subject role and bundle output, kept across service changes.
        self._subjects: dict[str, Person] = {}
        self._outputs: set[str] = set()
        self._catalog_version = ""
        self._event: date | None = None
        self._home = HomeRecording.NONE

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
        self.title = title
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

        # The service's own questions (event, subjects, bundle, home recording): built by
        # set_service().
        self.details_title = QLabel()
        self.details_title.setObjectName("stepTitle")
        self.details_form = QFormLayout()
        self.details_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.details_form.setHorizontalSpacing(16)
        self.details_form.setVerticalSpacing(10)
        self.details_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.details_box = QWidget()
        details_lay = QVBoxLayout(self.details_box)
        details_lay.setContentsMargins(0, 8, 0, 0)
        details_lay.addWidget(self.details_title)
        details_lay.addLayout(self.details_form)
        self.print_button = QPushButton(self.tr("Cetak &formulir\u2026"))
        self.print_button.setObjectName("printFormsButton")
        self.print_button.setToolTip(
            self.tr("Formulir terisi data di atas, untuk diperiksa dan ditandatangani warga")
        )
        self.print_menu = QMenu(self.print_button)
        self.print_button.setMenu(self.print_menu)
        details_lay.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.details_box.hide()
        self.event_date: QLineEdit | None = None
        self.event_msg: FieldMessage | None = None
        self.subject_fields: dict[str, tuple[QLineEdit, FieldMessage, QLineEdit, FieldMessage]] = {}
        self.output_checks: dict[str, QCheckBox] = {}
        self.home: QComboBox | None = None
        self._label = label

        required = QLabel(self.tr("* wajib diisi"))
        required.setObjectName("mutedNote")

        col = QVBoxLayout()
        col.setSpacing(12)
        col.addWidget(title)
        col.addWidget(self.known)
        col.addLayout(form)
        col.addWidget(self.details_box)
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

    def details(self) -> IntakeDetails:
        """The service's facts as typed (everything kept; the store trims to the service)."""
        when = parse_date(self.event_date.text()) if self.event_date is not None else None
        subjects = dict(self._subjects)
        for role, (name, _nm, nik, _km) in self.subject_fields.items():
            subjects[role] = Person(role, " ".join(name.text().split()), normalize(nik.text()))
        outputs = set(self._outputs)
        for code, box in self.output_checks.items():
            (outputs.add if box.isChecked() else outputs.discard)(code)
        home = HomeRecording(self.home.currentData()) if self.home is not None else HomeRecording.NONE
        return IntakeDetails(
            event_date=when,
            subjects=tuple(subjects[r] for r in sorted(subjects)),
            outputs=tuple(sorted(outputs)),
            home_recording=home,
            catalog_version=self._catalog_version,
        )

    def load_details(self, details: IntakeDetails) -> None:
        self._loading = True
        try:
            self._subjects = {p.role: p for p in details.subjects}
            self._outputs = set(details.outputs)
            self._catalog_version = details.catalog_version
            self._home = details.home_recording
            self._event = details.event_date
            self.set_service(self.service, keep_screen=False)
        finally:
            self._loading = False

    def set_service(self, service: Service | None, *, keep_screen: bool = True) -> None:
        """Show the questions of `service` (keeping what was typed for other services)."""
        if keep_screen and (self.subject_fields or self.event_date is not None or self.home is not None):
            current = self.details()  # keep what is on screen before rebuilding
            self._subjects.update({p.role: p for p in current.subjects})
            self._outputs = set(current.outputs)
            self._event = current.event_date
            self._home = current.home_recording
        self.service = service
        while self.details_form.rowCount():
            self.details_form.removeRow(0)
        self.event_date = self.event_msg = self.home = None
        self.subject_fields = {}
        self.output_checks = {}
        has_subjects = bool(service and service.subjects)
        self.title.setText(self.tr("Data pemohon (pelapor)") if has_subjects else self.tr("Data pemohon"))
        if service is None:
            self.details_box.hide()
            return
        rows = 0
        if service.event_label_id:
            self.event_date = QLineEdit()
            self.event_date.setObjectName("eventDate")
            self.event_date.setPlaceholderText(self.tr("HH-BB-TTTT, misalnya 17-08-2025"))
            self.event_date.setMaxLength(10)
            when = self._event
            self.event_date.setText(when.strftime("%d-%m-%Y") if when else "")
            self.event_msg = FieldMessage()
            self.event_date.textChanged.connect(lambda *_: self._check_details())
            self.event_date.textEdited.connect(lambda *_: self._edited())
            self.details_form.addRow(
                self._label(service.event_label(lang()), self.event_date),
                _field(self.event_date, self.event_msg),
            )
            rows += 1
        for role in service.subjects:
            typed = self._subjects.get(role.role, Person(role.role))
            name, nik = QLineEdit(typed.name), QLineEdit(typed.nik)
            name.setObjectName(f"subjectName_{role.role}")
            nik.setObjectName(f"subjectNik_{role.role}")
            name.setPlaceholderText(self.tr("Nama lengkap {0}").format(role.label(lang()).lower()))
            nik.setPlaceholderText(
                self.tr("NIK {0} (16 angka)").format(role.label(lang()).lower())
                if role.nik_required
                else self.tr("NIK, bila sudah ada")
            )
            nik.setMaxLength(24)
            name_msg, nik_msg = FieldMessage(), FieldMessage()
            for w in (name, nik):
                w.textChanged.connect(lambda *_: self._check_details())
                w.textEdited.connect(lambda *_: self._edited())
            self.subject_fields[role.role] = (name, name_msg, nik, nik_msg)
            self.details_form.addRow(self._label(role.label(lang()) + " *", name), _field(name, name_msg))
            self.details_form.addRow(self._label(self.tr("NIK {0}").format(role.label(lang()).lower()), nik),
                                     _field(nik, nik_msg))  # fmt: skip
            rows += 2
        bundle = [o for o in service.outputs if o.bundle]
        if bundle:
            box = QWidget()
            lay = QVBoxLayout(box)
            lay.setContentsMargins(0, 6, 0, 0)
            for o in bundle:
                check = QCheckBox(o.name(lang()))
                check.setChecked(o.code in self._outputs)
                check.toggled.connect(lambda *_: self._edited())
                self.output_checks[o.code] = check
                lay.addWidget(check)
            self.details_form.addRow(self._label(self.tr("Sekaligus ({0})").format(service.bundle_name(lang())), box),
                                     box)  # fmt: skip
            rows += 1
        if service.home_recording:
            self.home = QComboBox()
            self.home.setObjectName("homeRecording")
            for h in HomeRecording:
                self.home.addItem(home_recording_label(h, lang()), h.value)
            self.home.setCurrentIndex(max(0, self.home.findData(self._home.value)))
            self.home.currentIndexChanged.connect(lambda *_: self._edited())
            self.details_form.addRow(self._label(self.tr("Perekaman"), self.home), self.home)
            rows += 1
        self.details_title.setText(self.tr("Data {0}").format(service.family_name(lang())))
        self.print_menu.clear()
        printable = forms_for(service)
        for code, title in printable:
            self.print_menu.addAction(title, lambda c=code: self.print_requested.emit(c))
        if service.handed_over:
            self.print_menu.addAction(
                self.tr("Tanda terima dokumen asli yang disimpan desa"),
                lambda: self.print_requested.emit(ORIGINALS_RECEIPT),
            )
        self.print_button.setVisible(not self.print_menu.isEmpty())
        self.details_box.setVisible(rows > 0 or not self.print_menu.isEmpty())
        self._check_details()

    def detail_problems(self) -> list[str]:
        """Fields (see domain.intake.Finding.field) that block going on."""
        if self.service is None:
            return []
        return [
            f.field for f in check_details(self.service, self.details()) if f.severity is Severity.PROBLEM
        ]

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
        return self._first_detail_problem()

    def _first_detail_problem(self) -> QWidget | None:
        self._check_details(show_required=True)
        for fld in self.detail_problems():
            if fld == "event_date" and self.event_date is not None:
                return self.event_date
            parts = fld.split(":")
            if parts[0] == "subject" and parts[1] in self.subject_fields:
                name, _nm, nik, _km = self.subject_fields[parts[1]]
                return name if parts[2] == "name" else nik
        if (
            self.event_date is not None
            and self.event_date.text().strip()
            and not parse_date(self.event_date.text())
        ):
            return self.event_date
        return None

    def _check_details(self, show_required: bool = False) -> None:
        if self.service is None:
            return
        show_required = show_required or self._show_required
        found: dict[str, list[tuple[Severity, str]]] = {}
        for f in check_details(self.service, self.details()):
            found.setdefault(f.field, []).append((f.severity, f.message(lang())))

        def show(msg: FieldMessage, key: str, typed: bool) -> None:
            items = found.get(key, [])
            problems = [t for sev, t in items if sev is Severity.PROBLEM]
            warnings = [t for sev, t in items if sev is Severity.WARNING]
            if problems and (typed or show_required):
                msg.set_problem(" ".join(problems))
            elif warnings and (typed or show_required):
                msg.set_warning(" ".join(warnings))
            else:
                msg.set_ok("")

        if self.event_date is not None and self.event_msg is not None:
            text = self.event_date.text().strip()
            if text and parse_date(text) is None:
                self.event_msg.set_problem(self.tr("Tanggal ditulis HH-BB-TTTT, misalnya 17-08-2025."))
            elif not text:
                self.event_msg.set_hint(
                    self.tr("Boleh dikosongkan, tetapi batas waktu lapor tidak bisa diperiksa.")
                )
            else:
                show(self.event_msg, "event_date", True)
        for role, (name, name_msg, nik, nik_msg) in self.subject_fields.items():
            show(name_msg, f"subject:{role}:name", bool(name.text().strip()))
            show(nik_msg, f"subject:{role}:nik", bool(nik.text().strip()))
            value = normalize(nik.text())
            if value and nik_msg.tone() == "ok":
                check = validate_nik(value)
                if check.ok:
                    self._check_message(check, nik_msg)

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
        if not check.ok:
            msg.set_problem(check.message(lang()))
            return
        text = self._describe(check)
        where = nik_region(check.value)
        if where is not None and where.known:
            msg.set_ok(text + " \u00b7 " + self.tr("Kec. {0}, {1}").format(where.district, where.regency))
        else:
            # A warning only: a NIK keeps the codes of a region split or renamed since.
            code = f"{check.value[0:2]}.{check.value[2:4]}.{check.value[4:6]}"
            msg.set_warning(
                text
                + "\n"
                + self.tr(
                    "Kode wilayah {0} tidak ada di daftar Kemendagri 2025 (wilayah lama yang sudah "
                    "dimekarkan?). Cocokkan dengan kartunya; boleh dilanjutkan."
                ).format(code)
            )

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
        warnings = check_name(text)
        if warnings:
            self.name_msg.set_warning(" ".join(w.message(lang()) for w in warnings))
        elif text.strip() or not self._show_required:
            self.name_msg.set_ok("")
        else:
            self.name_msg.set_problem(self.tr("Nama pemohon belum diisi."))
