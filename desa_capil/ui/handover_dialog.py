"""Penyerahan: record who received a finished document, then make and keep its receipt.

The dialog only gathers input. Saving runs ``store.distribution.record_handover`` and
``reports.receipts.save_handover_receipt`` in one background operation (db=True); when it
succeeds the dialog closes with the receipt PDF in ``receipt_pdf`` for the page to print.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QDateTime, QIODevice, QPointF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desa_capil.domain.nik import validate_nik
from desa_capil.errors import UserError
from desa_capil.reports.common import service_name
from desa_capil.reports.receipts import save_handover_receipt
from desa_capil.services.changes import Changes
from desa_capil.store import distribution as dist
from desa_capil.ui.context import AppContext
from desa_capil.ui.errors import handle_exception
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.widgets.screen_fit import ScrollBody, fit_window

log = logging.getLogger(__name__)

MAX_PHOTO_BYTES = 8 * 1024 * 1024


class SignaturePad(QWidget):
    """A small canvas to sign on with the mouse, touchpad or a touch screen.

    Signals:
        changed(bool): True when something is drawn, False after clearing.
    """

    changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signaturePad")
        self.setMinimumSize(QSize(360, 130))
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self._strokes: list[list[QPointF]] = []
        self.setAccessibleName(self.tr("Tempat tanda tangan penerima"))

    def is_empty(self) -> bool:
        return not any(len(s) > 1 for s in self._strokes)

    def clear(self) -> None:
        self._strokes.clear()
        self.update()
        self.changed.emit(False)

    def add_stroke(self, points: list[QPointF]) -> None:
        """Add a whole stroke (used by tests and by pen input that arrives in one go)."""
        self._strokes.append(list(points))
        self.update()
        self.changed.emit(not self.is_empty())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._strokes.append([event.position()])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton and self._strokes:
            self._strokes[-1].append(event.position())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.changed.emit(not self.is_empty())

    def _paint_strokes(self, painter: QPainter, scale: float = 1.0) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor("#0f172a"), 2.6 * scale)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for stroke in self._strokes:
            if len(stroke) < 2:
                continue
            path = QPainterPath(stroke[0] * scale)
            for p in stroke[1:]:
                path.lineTo(p * scale)
            painter.drawPath(path)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        painter.setPen(QPen(QColor("#cbd5e1"), 1, Qt.PenStyle.DashLine))
        base = self.height() - 28
        painter.drawLine(16, base, self.width() - 16, base)
        if self.is_empty():
            painter.setPen(QColor("#94a3b8"))
            painter.drawText(
                self.rect().adjusted(0, 0, 0, -34),
                Qt.AlignmentFlag.AlignCenter,
                self.tr("Tanda tangan penerima di sini"),
            )
        self._paint_strokes(painter)
        painter.end()

    def to_png(self) -> bytes | None:
        """The signature as a PNG (white background, 2x for a crisp print); None when empty."""
        if self.is_empty():
            return None
        scale = 2.0
        image = QImage(int(self.width() * scale), int(self.height() * scale), QImage.Format.Format_RGB32)
        image.fill(QColor("#ffffff"))
        painter = QPainter(image)
        self._paint_strokes(painter, scale)
        painter.end()
        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buf, "PNG")  # type: ignore[call-overload]  # QIODevice overload missing in stubs
        buf.close()
        return bytes(data.data())


class HandOverDialog(QDialog):
    """Penyerahan dokumen for one application waiting at the village.

    Signals:
        saved(str): the application id, after the hand-over and its receipt are saved.
    """

    saved = Signal(str)

    def __init__(self, ctx: AppContext, row: dist.WaitingRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handOverDialog")
        self.ctx = ctx
        self.row = row
        self.receipt_pdf: bytes | None = None
        self.photo: bytes | None = None
        self._busy = False
        self.setWindowTitle(self.tr("Penyerahan Dokumen"))
        self.setModal(True)
        self.setMinimumWidth(560)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(22, 20, 22, 18)
        outer.setSpacing(10)

        title = QLabel(self.tr("Penyerahan Dokumen"), self)
        title.setObjectName("pageTitle")
        outer.addWidget(title)
        # The form scrolls; the buttons below it stay in view on a short screen (150 % scaling).
        body = QWidget(self)
        body.setObjectName("handOverBody")
        root = QVBoxLayout(body)
        root.setContentsMargins(0, 0, 6, 0)
        root.setSpacing(12)
        self.scroll = ScrollBody(body, self)
        outer.addWidget(self.scroll, 1)
        summary = QFrame(self)
        summary.setObjectName("panel")
        sl = QVBoxLayout(summary)
        sl.setContentsMargins(14, 10, 14, 10)
        sl.setSpacing(2)
        who = QLabel(f"<b>{_esc(row.applicant_name)}</b> &nbsp;·&nbsp; NIK {_esc(row.nik)}", summary)
        what_docs = ", ".join(d.title for d in row.documents) or service_name(row.service_code)
        what = QLabel(
            f"{_esc(service_name(row.service_code))} &nbsp;—&nbsp; {_esc(what_docs)}",
            summary,
        )
        what.setWordWrap(True)
        who.setTextFormat(Qt.TextFormat.RichText)
        what.setTextFormat(Qt.TextFormat.RichText)
        what.setObjectName("sectionHint")
        sl.addWidget(who)
        sl.addWidget(what)
        root.addWidget(summary)

        # Who receives it.
        self.self_radio = QRadioButton(self.tr("Pemohon sendiri"), self)
        self.family_radio = QRadioButton(self.tr("Diwakilkan anggota keluarga"), self)
        self.self_radio.setObjectName("selfRadio")
        self.family_radio.setObjectName("familyRadio")
        self.self_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.self_radio)
        group.addButton(self.family_radio)
        radios = QHBoxLayout()
        radios.addWidget(self.self_radio)
        radios.addWidget(self.family_radio)
        radios.addStretch(1)
        root.addWidget(_section(self.tr("Diterima oleh"), self))
        root.addLayout(radios)

        self.family_box = QWidget(self)
        form = QFormLayout(self.family_box)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(14)
        self.name_edit = QLineEdit(self.family_box)
        self.name_edit.setObjectName("recipientName")
        self.name_edit.setPlaceholderText(self.tr("Nama lengkap sesuai KTP-el"))
        self.relation_combo = QComboBox(self.family_box)
        self.relation_combo.setObjectName("relationCombo")
        self.relation_combo.setEditable(True)
        self.relation_combo.addItems(list(dist.RELATIONS))
        self.relation_combo.setCurrentIndex(-1)
        line = self.relation_combo.lineEdit()
        if line is not None:
            line.setPlaceholderText(self.tr("Pilih atau ketik hubungan"))
        self.nik_edit = QLineEdit(self.family_box)
        self.nik_edit.setObjectName("recipientNik")
        self.nik_edit.setPlaceholderText(self.tr("16 angka"))
        self.nik_edit.setMaxLength(24)
        self.nik_hint = QLabel(self.family_box)
        self.nik_hint.setObjectName("fieldHint")
        self.nik_hint.setWordWrap(True)
        form.addRow(self.tr("Nama penerima"), self.name_edit)
        form.addRow(self.tr("Hubungan"), self.relation_combo)
        form.addRow(self.tr("NIK penerima"), self.nik_edit)
        form.addRow("", self.nik_hint)
        root.addWidget(self.family_box)

        self.id_check = QCheckBox(self.tr("KTP-el / KK penerima sudah diperiksa dan cocok"), self)
        self.id_check.setObjectName("idChecked")
        root.addWidget(self.id_check)
        self.id_why = QLabel(
            self.tr(
                "Wajib dicentang: dokumen kependudukan hanya boleh diberikan kepada orang yang "
                "identitasnya sudah dicocokkan, agar tidak jatuh ke tangan orang lain. Yang "
                "dicentang ikut tercatat di tanda terima."
            ),
            self,
        )
        self.id_why.setObjectName("fieldHint")
        self.id_why.setWordWrap(True)
        root.addWidget(self.id_why)

        when = QFormLayout()
        when.setHorizontalSpacing(14)
        self.when_edit = QDateTimeEdit(QDateTime.currentDateTime(), self)
        self.when_edit.setObjectName("handedAt")
        self.when_edit.setDisplayFormat("dd-MM-yyyy HH:mm")
        self.when_edit.setCalendarPopup(True)
        self.when_edit.setMaximumDateTime(QDateTime.currentDateTime().addSecs(300))
        self.operator_label = QLabel("–", self)
        self.operator_label.setObjectName("operatorLabel")
        when.addRow(self.tr("Tanggal dan jam"), self.when_edit)
        when.addRow(self.tr("Petugas"), self.operator_label)
        root.addLayout(when)

        # Signature (optional) or a photo.
        root.addWidget(_section(self.tr("Tanda tangan (boleh dilewati)"), self))
        self.pad = SignaturePad(self)
        root.addWidget(self.pad)
        pad_actions = QHBoxLayout()
        self.clear_button = QPushButton(self.tr("Hapus tanda tangan"), self)
        self.clear_button.setObjectName("clearSignature")
        self.clear_button.clicked.connect(self.pad.clear)
        self.photo_button = QPushButton(self.tr("Lampirkan foto penyerahan..."), self)
        self.photo_button.setObjectName("photoButton")
        self.photo_button.clicked.connect(self._choose_photo)
        self.photo_label = QLabel(self)
        self.photo_label.setObjectName("fieldHint")
        pad_actions.addWidget(self.clear_button)
        pad_actions.addWidget(self.photo_button)
        pad_actions.addWidget(self.photo_label, 1)
        root.addLayout(pad_actions)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("saveStatus")
        self.error_label.setProperty("error", True)
        self.error_label.setWordWrap(True)
        outer.addWidget(self.error_label)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self.tr("Batal"), self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton(self.tr("Simpan Penyerahan"), self)
        self.save_button.setObjectName("saveButton")
        self.save_button.setProperty("primary", True)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)

        for w in (self.self_radio, self.family_radio):
            w.toggled.connect(self._update)
        self.name_edit.textChanged.connect(self._update)
        self.relation_combo.currentTextChanged.connect(self._update)
        self.nik_edit.textChanged.connect(self._update)
        self.id_check.toggled.connect(self._update)
        self._update()
        # Room for the family member's fields too, so choosing them rarely needs a scroll bar.
        self.family_box.show()
        want = self.sizeHint().expandedTo(QSize(620, 0))
        self.family_box.setVisible(self.family_radio.isChecked())
        fit_window(self, want)
        run_op(
            self,
            lambda _p: dist.operator_name(ctx.db, ctx.operator_id),
            on_success=lambda name: self.operator_label.setText(name or self.tr("(belum dipilih)")),
            db=True,
        )

    # -- input -----------------------------------------------------------------------------

    def handover_input(self) -> dist.HandOverInput:
        family = self.family_radio.isChecked()
        return dist.HandOverInput(
            relation=self.relation_combo.currentText().strip() if family else dist.RELATION_APPLICANT,
            recipient_name=self.name_edit.text().strip() if family else "",
            recipient_nik=self.nik_edit.text().strip() if family else "",
            id_checked=self.id_check.isChecked(),
            signature_png=self.pad.to_png(),
            photo=self.photo,
        )

    def problems(self) -> list[str]:
        out: list[str] = []
        i = 0 if lang() == "id" else 1
        out += [p[i] for p in dist.validate_handover(self.handover_input())]
        if not self.id_check.isChecked():
            out.append(self.tr("Periksa dulu KTP-el atau KK penerima, lalu centang kotaknya."))
        return out

    @Slot()
    def _update(self) -> None:
        family = self.family_radio.isChecked()
        self.family_box.setVisible(family)
        text = self.nik_edit.text().strip()
        if family and text:
            check = validate_nik(text)
            self.nik_hint.setText(
                self.tr("NIK benar.") if check.ok else check.message(lang()),
            )
        else:
            self.nik_hint.setText("")
        problems = self.problems()
        self.save_button.setEnabled(not self._busy and not problems)
        # A disabled button says why: the first thing still missing.
        self.save_button.setToolTip(problems[0] if problems else "")
        self.id_why.setProperty("error", not self.id_check.isChecked())
        # No adjustSize(): growing on every change pushed the buttons off a short screen. The
        # form scrolls instead, and the dialog keeps the size the screen allows.

    @Slot()
    def _choose_photo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Pilih foto penyerahan"), "", self.tr("Gambar (*.jpg *.jpeg *.png *.webp)")
        )
        if not path:
            return
        p = Path(path)
        try:
            if p.stat().st_size > MAX_PHOTO_BYTES:
                self.photo_label.setText(self.tr("Foto terlalu besar (maksimal 8 MB)."))
                return
            self.photo = p.read_bytes()
        except OSError as exc:
            self.photo_label.setText(
                self.tr("Foto tidak bisa dibaca: {0}").replace("{0}", exc.strerror or "")
            )
            return
        self.photo_label.setText(p.name)

    # -- saving ----------------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        problems = self.problems()
        if problems:
            self.error_label.setText("\n".join(problems))
            return
        data = self.handover_input()
        local_at = self.when_edit.dateTime().toPython()
        assert isinstance(local_at, datetime)
        at = local_at.astimezone(UTC)
        app_id = self.row.application_id
        db, operator_id = self.ctx.db, self.ctx.operator_id

        def op(_p: Progress) -> bytes | None:
            dist.record_handover(db, app_id, data, operator_id=operator_id, at=at)
            try:
                pdf, _sha = save_handover_receipt(db, app_id)
            except Exception:  # noqa: BLE001 - the hand-over is saved; the receipt can be made again
                log.exception("receipt for %s could not be made", app_id)
                return None
            return pdf

        self._busy = True
        self._update()
        self.error_label.setText("")
        self.op = run_op(self, op, on_success=self._saved, on_failure=self._failed, db=True)

    def _saved(self, pdf: bytes | None) -> None:
        self._busy = False
        self.receipt_pdf = pdf
        self.saved.emit(self.row.application_id)
        self.ctx.notify(self._changes())
        self.accept()

    def _changes(self) -> Changes:
        ids = frozenset({self.row.application_id})
        return Changes(applications=ids, handovers=ids)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self._update()
        if isinstance(exc, UserError):
            self.error_label.setText(exc.message(lang()))
            if isinstance(exc, dist.AlreadyHandedOver):
                self.ctx.notify(self._changes())
            return
        handle_exception(self, exc)


def _section(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("sectionTitle")
    return label


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
