"""A banner for Beranda: what is late (the office has not answered, residents have not come).

Hidden while nothing is late. Reloads itself on the ``ctx.changed`` of applications and hand-overs (office news included).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from desa_capil.services.changes import Changes
from desa_capil.store import distribution as dist
from desa_capil.ui.context import AppContext
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.theme import TONES, icon_pixmap


class OverdueBanner(QFrame):
    """Counts of overdue requests and documents, with buttons to see them.

    Signals:
        open_unanswered(list): ids of requests sent more than 3x24 hours ago without an answer.
        open_waiting(list): ids of documents waiting at the village longer than the set days.
        loaded(object): the OverdueSummary after each reload.
    """

    open_unanswered = Signal(list)
    open_waiting = Signal(list)
    loaded = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overdueBanner")
        self.ctx = ctx
        self.summary: dist.OverdueSummary | None = None
        tone = TONES["amber"]
        self.setStyleSheet(
            f"QFrame#overdueBanner {{ background: {tone.bg}; border: 1px solid #f59e0b;"
            " border-radius: 10px; }"
            f" QFrame#overdueBanner QLabel {{ color: {tone.fg}; background: transparent; }}"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 10, 14, 10)
        row.setSpacing(12)
        mark = QLabel(self)
        mark.setPixmap(icon_pixmap("alert", tone.fg, 22))
        row.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
        self.text = QLabel(self)
        self.text.setObjectName("overdueText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        row.addWidget(self.text, 1)
        self.unanswered_button = QPushButton(self.tr("Lihat permohonan"), self)
        self.unanswered_button.setObjectName("overdueUnanswered")
        self.waiting_button = QPushButton(self.tr("Lihat dokumen"), self)
        self.waiting_button.setObjectName("overdueWaiting")
        for b in (self.unanswered_button, self.waiting_button):
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            row.addWidget(b, 0, Qt.AlignmentFlag.AlignVCenter)
        self.unanswered_button.clicked.connect(
            lambda: self.open_unanswered.emit(list(self.summary.unanswered_ids) if self.summary else [])
        )
        self.waiting_button.clicked.connect(
            lambda: self.open_waiting.emit(list(self.summary.waiting_ids) if self.summary else [])
        )
        self.hide()
        ctx.changed.connect(self._on_changes)
        self.refresh()

    def _on_changes(self, changes: Changes) -> None:
        if changes.applications or changes.handovers:
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        db = self.ctx.db

        def op(_p: Progress) -> dist.OverdueSummary:
            return dist.overdue_summary(db)

        run_op(self, op, on_success=self._show, db=True)

    def _show(self, summary: dist.OverdueSummary) -> None:
        self.summary = summary
        lines = []
        if summary.unanswered:
            lines.append(
                self.tr(
                    "<b>{0} permohonan</b> belum dijawab Disdukcapil lebih dari 3x24 jam. Hubungi petugas Disdukcapil."
                ).replace("{0}", str(summary.unanswered))
            )
        if summary.waiting:
            lines.append(
                self.tr(
                    "<b>{0} dokumen</b> menunggu diambil warga lebih dari {1} hari. Kabari atau kunjungi warganya."
                )
                .replace("{0}", str(summary.waiting))
                .replace("{1}", str(summary.waiting_days))
            )
        self.text.setText("<br>".join(lines))
        self.unanswered_button.setVisible(summary.unanswered > 0)
        self.waiting_button.setVisible(summary.waiting > 0)
        self.setVisible(summary.total > 0)
        self.loaded.emit(summary)
