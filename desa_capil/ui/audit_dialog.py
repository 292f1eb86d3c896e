"""Catatan akses: who opened, printed or exported residents' papers (UU 27/2022 PDP audit log).

Reached from Pengaturan > Perlindungan data pribadi. Filtering (by action, and by a name or
application number) is done in SQL by ``security.audit.entries``; the newest entries first.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desa_capil.security import audit
from desa_capil.ui.context import AppContext
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.widgets.format import format_datetime

LIMIT = 500
SEARCH_DEBOUNCE_MS = 300


def action_labels() -> dict[str, str]:
    """The actions in plain Indonesian (translated)."""
    t = QCoreApplication.translate
    return {
        audit.VIEW_APPLICATION: t("AuditDialog", "Membuka data permohonan"),
        audit.VIEW_PAGES: t("AuditDialog", "Melihat halaman pindaian"),
        audit.PRINT_RECEIPT: t("AuditDialog", "Mencetak tanda terima"),
        audit.PRINT_DOCUMENT: t("AuditDialog", "Mencetak dokumen dari Disdukcapil"),
        audit.OPEN_DOCUMENT: t("AuditDialog", "Membuka dokumen dari Disdukcapil"),
        audit.RECEIPT_SAVED: t("AuditDialog", "Tanda terima penyerahan dibuat"),
        audit.EXPORT_REPORT: t("AuditDialog", "Mengekspor laporan"),
        audit.EXPORT_FILE: t("AuditDialog", "Menyimpan berkas ke luar aplikasi"),
        audit.SHOW_RECOVERY_CODE: t("AuditDialog", "Menampilkan kode pemulihan"),
        audit.PIN_CHANGED: t("AuditDialog", "Mengubah PIN"),
        audit.RETENTION_PURGE: t("AuditDialog", "Pindaian dihapus (masa simpan habis)"),
        audit.ARCHIVE: t("AuditDialog", "Data diarsipkan"),
        audit.BACKUP_MADE: t("AuditDialog", "Data dicadangkan ke flashdisk"),
        audit.BACKUP_RESTORED: t("AuditDialog", "Data dipulihkan dari cadangan"),
        # Written by store.distribution under these keys (no constant in security.audit).
        "arrived": t("AuditDialog", "Mencatat dokumen tiba di desa"),
        "handover": t("AuditDialog", "Menyerahkan dokumen ke warga"),
    }


def detail_labels() -> dict[str, str]:
    """What some entries' detail codes mean ("handover" is a hand-over receipt), in words."""
    t = QCoreApplication.translate
    return {
        "handover": t("AuditDialog", "penyerahan"),
        "intake": t("AuditDialog", "berkas"),
        "arrived": t("AuditDialog", "diterima di desa"),
        "detail": t("AuditDialog", "rincian dan riwayat"),
        "print summary": t("AuditDialog", "rekap bulanan"),
    }


def action_text(row: audit.AuditRow, labels: dict[str, str], details: dict[str, str]) -> str:
    """The action in words, with its detail when that is a known code (never a raw key)."""
    text = labels.get(row.action, row.label)
    extra = details.get(row.detail.strip())
    return f"{text} ({extra})" if extra else text


class AuditDialog(QDialog):
    """The audit log with a filter.

    Signals:
        loaded(int): the number of entries shown after each (re)load.
    """

    loaded = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditDialog")
        self.setWindowTitle(self.tr("Catatan akses data warga"))
        self.ctx = ctx
        self._labels = action_labels()
        self._details = detail_labels()
        self._loading = False
        self._again = False

        intro = QLabel(
            self.tr(
                "Siapa membuka, mencetak, atau mengekspor data dan berkas warga (UU 27/2022 tentang "
                "Pelindungan Data Pribadi). Yang terbaru di atas."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.search = QLineEdit(self)
        self.search.setObjectName("auditSearch")
        self.search.setPlaceholderText(self.tr("Cari nama petugas, nama warga, atau nomor permohonan..."))
        self.search.setClearButtonEnabled(True)
        self.action_combo = QComboBox(self)
        self.action_combo.setObjectName("auditAction")
        self.action_combo.addItem(self.tr("Semua tindakan"), "")
        for key, text in self._labels.items():
            self.action_combo.addItem(text, key)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.action_combo)

        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("auditTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Tanggal"), self.tr("Petugas"), self.tr("Tindakan"), self.tr("Warga")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("sectionHint")
        close = QPushButton(self.tr("Tutup"), self)
        close.setMinimumHeight(40)
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(close)

        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(filters)
        lay.addWidget(self.table, 1)
        lay.addLayout(bottom)
        self.resize(860, 560)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.action_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.reload()

    def reload(self) -> None:
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._timer.stop()
        db = self.ctx.db
        action = str(self.action_combo.currentData() or "")
        text = self.search.text()

        def op(_p: Progress) -> list[audit.AuditRow]:
            return audit.entries(db, limit=LIMIT, action=action, text=text)

        run_op(self, op, on_success=self._fill, on_failure=self._failed, db=True)

    def _failed(self, exc: BaseException) -> None:
        from desa_capil.ui.errors import handle_exception

        self._loading = False
        handle_exception(self, exc)

    def _fill(self, rows: list[audit.AuditRow]) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.reload()
            return
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            values = [
                format_datetime(r.at),
                r.operator or self.tr("(tanpa petugas)"),
                action_text(r, self._labels, self._details),
                r.resident or "\u2013",
            ]
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                if c == 3 and r.application_id:
                    item.setToolTip(self.tr("Nomor permohonan: {0}").replace("{0}", r.application_id))
                self.table.setItem(i, c, item)
        self.count_label.setText(
            self.tr("%1 catatan (paling banyak %2 ditampilkan)")
            .replace("%1", str(len(rows)))
            .replace("%2", str(LIMIT))
        )
        self.loaded.emit(len(rows))
