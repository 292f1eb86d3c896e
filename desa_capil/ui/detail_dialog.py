"""Rincian permohonan: one application read-only, with its history, papers and receipts.

Opens for every application (a sent one cannot be edited, but the resident at the counter still
asks "where is my KK?"). From here: reprint the receipts, tell the resident (needs fix,
rejected, ready), or edit when the application is still editable.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desa_capil.domain.status import EDITABLE, Status
from desa_capil.domain.status import label as status_label
from desa_capil.services.detail import ApplicationDetail, application_detail
from desa_capil.ui import receipt_actions
from desa_capil.ui.context import AppContext
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.theme import status_tone
from desa_capil.ui.widgets.format import format_bytes, format_datetime
from desa_capil.ui.widgets.screen_fit import ScrollBody, fit_window

BATCH_STATES = {
    "sealed": "disegel, menunggu dikirim",
    "sending": "sedang dikirim",
    "sent": "diterima server",
    "failed": "disisihkan",
    "cancelled": "dibatalkan",
}


class ApplicationDetailDialog(QDialog):
    """The detail of one application.

    Signals:
        edit_requested(str): the operator asked to edit it (editable applications only).
    """

    edit_requested = Signal(str)

    def __init__(self, ctx: AppContext, detail: ApplicationDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailDialog")
        self.ctx = ctx
        self.detail = detail
        self.setWindowTitle(self.tr("Rincian permohonan"))
        d = detail

        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 18, 20, 16)
        outer.setSpacing(10)
        head = QHBoxLayout()
        title = QLabel(f"{d.applicant_name} · {d.service_name}", self)
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setObjectName("pageTitle")
        title.setWordWrap(True)
        badge = QLabel(status_label(d.status, lang()), self)
        badge.setObjectName("statusBadge")
        tone = status_tone(d.status)
        badge.setStyleSheet(
            f"QLabel#statusBadge {{ color: {tone.fg}; background: {tone.bg}; border-radius: 12px;"
            f" padding: 3px 12px; font-weight: 600; }}"
        )
        head.addWidget(title, 1)
        head.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(head)

        body = QWidget(self)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(0, 0, 6, 0)
        lay.setSpacing(10)
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.addRow(self.tr("NIK"), _value(d.nik, body))
        form.addRow(self.tr("No. KK"), _value(d.kk_number or "–", body))
        form.addRow(self.tr("HP / WhatsApp"), _value(d.phone or "–", body))
        if d.address:
            form.addRow(self.tr("Alamat"), _value(d.address, body))
        form.addRow(self.tr("Diterima di desa"), _value(format_datetime(d.created_at), body))
        if d.sent_at is not None:
            form.addRow(self.tr("Dikirim"), _value(format_datetime(d.sent_at), body))
        if d.notes:
            form.addRow(self.tr("Catatan"), _value(d.notes, body))
        lay.addLayout(form)
        if d.office_message:
            note = QLabel(self.tr("Pesan dari Disdukcapil: {0}").replace("{0}", d.office_message), body)
            note.setObjectName("officeNote")
            note.setWordWrap(True)
            note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            lay.addWidget(note)

        lay.addWidget(_section(self.tr("Riwayat"), body))
        self.timeline = _table(
            [self.tr("Tanggal"), self.tr("Status"), self.tr("Oleh"), self.tr("Pesan")], body, stretch=3
        )
        self.timeline.setObjectName("timelineTable")
        for e in d.timeline:
            who = self.tr("Disdukcapil") if e.by_office else (e.operator or self.tr("Desa"))
            _add_row(self.timeline, [format_datetime(e.at), status_label(e.status, lang()), who, e.message])
        lay.addWidget(self.timeline)

        lay.addWidget(_section(self.tr("Kertas dan halaman"), body))
        self.papers = _table(
            [self.tr("Kertas"), self.tr("Halaman"), self.tr("Terkirim"), self.tr("Ukuran")], body, stretch=0
        )
        self.papers.setObjectName("papersTable")
        for p in d.papers:
            sent = self.tr("{0} hal.").replace("{0}", str(p.sent_pages)) if p.batch_id else self.tr("belum")
            kept = self.tr("dihapus (retensi)") if p.purged else str(p.pages)
            _add_row(self.papers, [p.title, kept, sent, format_bytes(p.size_bytes) if p.size_bytes else "–"])
        lay.addWidget(self.papers)

        if d.batches or d.office_documents or d.handover is not None:
            lay.addWidget(_section(self.tr("Kiriman dan dokumen"), body))
            lines = []
            for b in d.batches:
                kind = self.tr("perbaikan") if b.addendum else self.tr("pertama")
                lines.append(
                    self.tr("Kiriman {0} ({1}), disegel {2}: {3}")
                    .replace("{0}", b.batch_id.split("-")[0].upper())
                    .replace("{1}", kind)
                    .replace("{2}", format_datetime(b.sealed_at))
                    .replace("{3}", BATCH_STATES.get(b.state, b.state))
                )
            if d.office_documents:
                lines.append(
                    self.tr("Dokumen dari Disdukcapil: {0}").replace("{0}", ", ".join(d.office_documents))
                )
            if d.handover is not None:
                lines.append(
                    self.tr("Diserahkan kepada {0} ({1}) pada {2}")
                    .replace("{0}", d.handover.recipient_name)
                    .replace("{1}", d.handover.relation)
                    .replace("{2}", format_datetime(d.handover.handed_at))
                )
            info = QLabel("\n".join(lines), body)
            info.setWordWrap(True)
            info.setObjectName("batchInfo")
            lay.addWidget(info)
        lay.addStretch(1)
        outer.addWidget(ScrollBody(body, self), 1)

        buttons = QHBoxLayout()
        self.intake_button = QPushButton(self.tr("Cetak tanda terima berkas"), self)
        self.intake_button.setObjectName("reprintIntake")
        self.intake_button.clicked.connect(lambda: receipt_actions.print_intake_receipt(self, ctx, d.id))
        self.handover_button = QPushButton(self.tr("Cetak tanda terima penyerahan"), self)
        self.handover_button.setObjectName("reprintHandover")
        self.handover_button.setVisible(d.handover is not None)
        self.handover_button.clicked.connect(lambda: receipt_actions.print_handover_receipt(self, ctx, d.id))
        self.notice_button = QPushButton(self.tr("Kabari warga"), self)
        self.notice_button.setObjectName("noticeButton")
        self.notice_button.setVisible(d.has_notice)
        self.notice_button.clicked.connect(self._notice)
        self.edit_button = QPushButton(self.tr("Ubah"), self)
        self.edit_button.setObjectName("editButton")
        self.edit_button.setVisible(d.editable)
        self.edit_button.clicked.connect(self._edit)
        close = QPushButton(self.tr("Tutup"), self)
        close.setObjectName("closeButton")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        for b in (self.intake_button, self.handover_button, self.notice_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(close)
        outer.addLayout(buttons)
        fit_window(self, self.sizeHint().expandedTo(self.minimumSizeHint()).expandedTo(self.size()))

    def _notice(self) -> None:
        from desa_capil.ui.notice_dialog import show_notice

        show_notice(self.ctx, self, self.detail.id)

    def _edit(self) -> None:
        self.edit_requested.emit(self.detail.id)
        self.accept()


def open_detail(ctx: AppContext, parent: QWidget, application_id: str) -> None:
    """Read the detail in the background, then show it (the viewing is audited)."""
    db, operator = ctx.db, ctx.operator_id

    def shown(detail: ApplicationDetail) -> None:
        dialog = ApplicationDetailDialog(ctx, detail, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def edit(app_id: str) -> None:
            from desa_capil.ui.pages.queue_page import open_intake_or_explain

            open_intake_or_explain(ctx, parent.window(), app_id)

        dialog.edit_requested.connect(edit)
        parent.detail_dialog = dialog  # type: ignore[attr-defined]  # for tests and screenshots
        dialog.open()

    def op(_p: Progress) -> ApplicationDetail:
        return application_detail(db, application_id, operator_id=operator)

    run_op(parent, op, on_success=shown, db=True)


def open_application(ctx: AppContext, parent: QWidget, application_id: str) -> None:
    """Open an application the way its status allows: the intake form while it can still be
    edited (draft, ready, needs fix), otherwise the read-only detail."""
    from desa_capil.store import repo
    from desa_capil.ui.pages.queue_page import open_intake_or_explain

    db = ctx.db

    def route(status: Status | None) -> None:
        if status is None:
            return  # deleted meanwhile; the list reloads on its own
        if status in EDITABLE:
            open_intake_or_explain(ctx, parent.window(), application_id)
        else:
            open_detail(ctx, parent, application_id)

    run_op(parent, lambda _p: repo.application_status(db, application_id), on_success=route, db=True)


def _value(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _section(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("sectionTitle")
    return label


def _table(headers: list[str], parent: QWidget, *, stretch: int) -> QTableWidget:
    t = QTableWidget(0, len(headers), parent)
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().hide()
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    t.setWordWrap(True)
    hh = t.horizontalHeader()
    hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    hh.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    t.setMinimumHeight(110)
    return t


def _add_row(table: QTableWidget, values: list[str]) -> None:
    r = table.rowCount()
    table.insertRow(r)
    for c, v in enumerate(values):
        item = QTableWidgetItem(v)
        item.setToolTip(v)
        table.setItem(r, c, item)
    # Tall enough for every row (up to 8) without an inner scroll bar; the dialog scrolls.
    rows = min(table.rowCount(), 8)
    table.setFixedHeight(table.horizontalHeader().sizeHint().height() + rows * 34 + 6)
