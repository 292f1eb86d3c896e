"""Isi kiriman: which applications a batch carries (double-click a batch on the Kiriman page)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desa_capil.domain.status import label as status_label
from desa_capil.services.detail import BatchMember, batch_members
from desa_capil.ui.context import AppContext
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.widgets.screen_fit import fit_window

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class BatchContentsDialog(QDialog):
    """The applications of one batch; double-click one for its detail."""

    def __init__(
        self, ctx: AppContext, batch_id: str, members: list[BatchMember], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("batchContentsDialog")
        self.ctx = ctx
        self.setWindowTitle(self.tr("Isi kiriman"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 16)
        title = QLabel(
            self.tr("Kiriman {0}: {1} permohonan")
            .replace("{0}", batch_id.split("-")[0].upper())
            .replace("{1}", str(len(members))),
            self,
        )
        title.setObjectName("pageTitle")
        lay.addWidget(title)
        self.table = QTableWidget(len(members), 4, self)
        self.table.setObjectName("batchMembers")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Warga"), self.tr("Layanan"), self.tr("Status sekarang"), self.tr("Halaman")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for r, m in enumerate(members):
            service = m.service_name + (" " + self.tr("(perbaikan)") if m.addendum else "")
            cells = [m.applicant_name, service, status_label(m.status, lang()), str(m.pages)]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, m.application_id)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        self.table.cellDoubleClicked.connect(self._open)
        lay.addWidget(self.table, 1)
        hint = QLabel(self.tr("Klik dua kali sebuah permohonan untuk melihat rinciannya."), self)
        hint.setObjectName("sectionHint")
        lay.addWidget(hint)
        row = QHBoxLayout()
        row.addStretch(1)
        close = QPushButton(self.tr("Tutup"), self)
        close.setDefault(True)
        close.clicked.connect(self.accept)
        row.addWidget(close)
        lay.addLayout(row)
        # Wide enough for service names ("Perubahan KK: tambah anggota"): at its size hint the
        # Layanan column was cut to "Perub…" at 125 %. fit_window shrinks it on a small screen.
        preferred = QSize(760, 420).expandedTo(self.sizeHint()).expandedTo(self.minimumSizeHint())
        fit_window(self, preferred)

    def _open(self, row: int, _col: int) -> None:
        from desa_capil.ui.detail_dialog import open_detail

        item = self.table.item(row, 0)
        if item is not None:
            open_detail(self.ctx, self, str(item.data(ID_ROLE)))


def show_batch_contents(ctx: AppContext, parent: QWidget, batch_id: str) -> None:
    db = ctx.db

    def shown(members: list[BatchMember]) -> None:
        dialog = BatchContentsDialog(ctx, batch_id, members, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        parent.contents_dialog = dialog  # type: ignore[attr-defined]  # for tests and screenshots
        dialog.open()

    def op(_p: Progress) -> list[BatchMember]:
        return batch_members(db, batch_id)

    run_op(parent, op, on_success=shown, db=True)
