"""Laporan: counts per service and stage for a period, exports, the monthly summary PDF."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desa_capil.domain.status import Status
from desa_capil.reports import export
from desa_capil.reports.common import MONTHS_ID, STATUS_GROUPS, service_name
from desa_capil.reports.summary import make_monthly_summary
from desa_capil.security import audit
from desa_capil.services.changes import Changes
from desa_capil.services.register import NikMask, register_csv, register_rows, register_xlsx
from desa_capil.store import distribution as dist
from desa_capil.store import setting_keys
from desa_capil.store.blobs import atomic_write
from desa_capil.store.repo import get_setting
from desa_capil.ui.context import AppContext
from desa_capil.ui.pages.base import LazyPage
from desa_capil.ui.printing import print_pdf
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.theme import ICON_SIZE, icon
from desa_capil.ui.widgets.responsive import PageHeader

log = logging.getLogger(__name__)


def _month_start(d: date) -> date:
    return d.replace(day=1)


NARROW_COLUMN = 78
# Page height (px) below which the summary cards fold into one line.
SHORT_PAGE = 520
MIN_SERVICE_COLUMN = 170  # "Perubahan KK (tambah/...)" stays readable


class ReportsPage(LazyPage):
    """Signals: none of its own; reloads on the ``ctx.changed`` that concern it while shown."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsPage")
        self.ctx = ctx
        self.counts: dist.ReportCounts | None = None

        root = QVBoxLayout(self)
        root.setContentsMargins(28, 24, 28, 20)
        root.setSpacing(12)

        title = QLabel(self.tr("Laporan"), self)
        title.setObjectName("pageTitle")
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("pageSubtitle")
        self.header = PageHeader(title, self.subtitle, self)
        self.csv_button = QPushButton(icon("save"), self.tr("Ekspor CSV"), self)
        self.csv_button.setObjectName("csvButton")
        self.xlsx_button = QPushButton(icon("save"), self.tr("Ekspor Excel"), self)
        self.xlsx_button.setObjectName("xlsxButton")
        self.pdf_button = QPushButton(icon("save"), self.tr("Simpan Rekap PDF"), self)
        self.pdf_button.setObjectName("pdfButton")
        self.print_button = QPushButton(icon("reports", "#ffffff"), self.tr("Cetak Rekap Bulanan"), self)
        self.print_button.setObjectName("printSummaryButton")
        self.print_button.setProperty("primary", True)
        for b in (self.csv_button, self.xlsx_button, self.pdf_button, self.print_button):
            b.setIconSize(ICON_SIZE)
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            self.header.add_action(b)
        root.addWidget(self.header)

        period = QHBoxLayout()
        period.setSpacing(8)
        today = date.today()
        self.from_edit = QDateEdit(QDate(_month_start(today)), self)
        self.from_edit.setObjectName("fromDate")
        self.to_edit = QDateEdit(QDate(today), self)
        self.to_edit.setObjectName("toDate")
        for e in (self.from_edit, self.to_edit):
            e.setCalendarPopup(True)
            e.setDisplayFormat("dd-MM-yyyy")
            e.dateChanged.connect(self.reload)
        self.this_month = QPushButton(self.tr("Bulan ini"), self)
        self.this_month.setObjectName("thisMonth")
        self.last_month = QPushButton(self.tr("Bulan lalu"), self)
        self.last_month.setObjectName("lastMonth")
        for b in (self.this_month, self.last_month):
            b.setProperty("chip", True)
            b.setCursor(Qt.CursorShape.PointingHandCursor)
        self.this_month.clicked.connect(lambda: self.set_period(_month_start(date.today()), date.today()))
        self.last_month.clicked.connect(self._last_month)
        period.addWidget(QLabel(self.tr("Tanggal permohonan dari"), self))
        period.addWidget(self.from_edit)
        period.addWidget(QLabel(self.tr("sampai"), self))
        period.addWidget(self.to_edit)
        period.addSpacing(8)
        period.addWidget(self.this_month)
        period.addWidget(self.last_month)
        period.addStretch(1)
        root.addLayout(period)

        # Three summary figures, then the table.
        cards = QHBoxLayout()
        cards.setSpacing(12)
        self._cards: list[tuple[QFrame, str, QLabel]] = []
        self.total_label = self._figure(cards, self.tr("Permohonan diterima"))
        self.handed_label = self._figure(cards, self.tr("Dokumen diserahkan ke warga"))
        self.open_label = self._figure(cards, self.tr("Masih di Disdukcapil"))
        root.addLayout(cards)
        # On a short window (800x440, 150 %) the cards give their height to the table and the
        # same three figures stand on one line.
        self.figures_line = QLabel(self)
        self.figures_line.setObjectName("figuresLine")
        self.figures_line.setWordWrap(True)
        self.figures_line.hide()
        root.addWidget(self.figures_line)
        self._short: bool | None = None

        headers = [self.tr("Layanan")] + [name for name, _ in STATUS_GROUPS] + [self.tr("Jumlah")]
        self.table = QTableWidget(0, len(headers), self)
        self.table.setObjectName("countsTable")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(38)
        hh = self.table.horizontalHeader()
        # Headings wrap onto two lines when the columns are narrowed (see resizeEvent).
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._narrow: bool | None = None
        self._fit_columns(False)
        # The heading and a row at least; on a short screen (800x440) the rest scrolls inside.
        self.table.setMinimumHeight(60)
        root.addWidget(self.table, 1)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("sectionHint")
        self.status_label.setWordWrap(True)
        self.register_button = QPushButton(self.tr("Ekspor register permohonan\u2026"), self)
        self.register_button.setObjectName("registerButton")
        self.register_button.setToolTip(
            self.tr(
                "Daftar setiap permohonan periode ini (nama, NIK disamarkan, layanan, status, tanggal) untuk camat"
            )
        )
        self.register_button.clicked.connect(self.export_register)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.register_button)
        root.addLayout(bottom)

        self.csv_button.clicked.connect(lambda: self.export_file("csv"))
        self.xlsx_button.clicked.connect(lambda: self.export_file("xlsx"))
        self.pdf_button.clicked.connect(lambda: self.export_file("pdf"))
        self.print_button.clicked.connect(self.print_summary)
        self.watch(ctx)
        self.reload()

    def _figure(self, row: QHBoxLayout, title: str) -> QLabel:
        card = QFrame(self)
        card.setObjectName("panel")
        lay = QVBoxLayout(card)
        lay.setContentsMargins(16, 10, 16, 10)
        lay.setSpacing(0)
        t = QLabel(title, card)
        t.setObjectName("cardTitle")
        n = QLabel("–", card)
        n.setObjectName("cardCount")
        lay.addWidget(t)
        lay.addWidget(n)
        row.addWidget(card, 1)
        self._cards.append((card, title, n))
        return n

    def _fit_height(self) -> None:
        """Below SHORT_PAGE px of height the figure cards fold into one line, so the table keeps
        room for its heading and a few rows."""
        short = 0 < self.height() < SHORT_PAGE
        if short != self._short:
            self._short = short
            for card, _, _ in self._cards:
                card.setVisible(not short)
            self.figures_line.setVisible(short)
        self._update_figures_line()

    def _update_figures_line(self) -> None:
        self.figures_line.setText(
            "   ·   ".join(f"{title}: <b>{n.text()}</b>" for _, title, n in self._cards)
        )

    def _fit_columns(self, narrow: bool) -> None:
        """Wide: every count column as wide as its heading. Narrow (125/150 % scaling, the 800 px
        minimum): fixed columns with two-line headings, so the service names keep their room."""
        if narrow != self._narrow:
            self._narrow = narrow
            hh = self.table.horizontalHeader()
            for c in range(1, self.table.columnCount()):
                if narrow:
                    hh.setSectionResizeMode(c, QHeaderView.ResizeMode.Fixed)
                    self.table.setColumnWidth(c, NARROW_COLUMN)
                else:
                    hh.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
            hh.setMinimumHeight(2 * hh.fontMetrics().lineSpacing() + 16 if narrow else 0)
            # Less side padding so "Disdukcapil" fits a narrow column in one piece.
            hh.setStyleSheet("QHeaderView::section { padding: 8px 2px; font-size: 9pt; }" if narrow else "")
        self._fit_service_column()

    def _wide_need(self) -> int:
        """Table width the one-line headings need, with room for the service names."""
        fm = self.table.horizontalHeader().fontMetrics()
        counts = sum(
            fm.horizontalAdvance(self.table.horizontalHeaderItem(c).text()) + 28
            for c in range(1, self.table.columnCount())
        )
        return counts + MIN_SERVICE_COLUMN + 40

    def _fit_service_column(self) -> None:
        """ "Layanan" takes what is left, but never less than MIN_SERVICE_COLUMN: below that the
        table scrolls sideways instead of squeezing the names to a few letters."""
        hh = self.table.horizontalHeader()
        if not self._narrow:
            hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            return
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        rest = self.table.viewport().width() - NARROW_COLUMN * (self.table.columnCount() - 1)
        self.table.setColumnWidth(0, max(MIN_SERVICE_COLUMN, rest))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        width = self.table.width() if self.table.width() > 0 else event.size().width()
        self._fit_columns(width < self._wide_need())
        self._fit_height()

    def concerns(self, changes: Changes) -> bool:
        # Recaps by status and service, hand-overs, and the kepala desa on the printout.
        return bool(changes.applications or changes.handovers or changes.settings)

    @Slot()
    def refresh(self) -> None:
        self.reload()

    def period(self) -> tuple[date, date]:
        lo, hi = self.from_edit.date().toPython(), self.to_edit.date().toPython()
        assert isinstance(lo, date) and isinstance(hi, date)
        return (lo, hi) if lo <= hi else (hi, lo)

    def set_period(self, start: date, end: date) -> None:
        for e in (self.from_edit, self.to_edit):
            e.blockSignals(True)
        self.from_edit.setDate(QDate(start))
        self.to_edit.setDate(QDate(end))
        for e in (self.from_edit, self.to_edit):
            e.blockSignals(False)
        self.reload()

    def _last_month(self) -> None:
        end = _month_start(date.today()) - timedelta(days=1)
        self.set_period(_month_start(end), end)

    @Slot()
    def reload(self) -> None:
        self._dirty = False
        start, end = self.period()
        db = self.ctx.db
        run_op(self, lambda _p: dist.report_counts(db, start, end), on_success=self._loaded, db=True)

    def _loaded(self, counts: dist.ReportCounts) -> None:
        if (counts.start, counts.end) != self.period():
            return  # an older request answered after the period changed
        self.counts = counts
        self.subtitle.setText(
            self.tr("Rekap permohonan per layanan dan tahap, {0} s.d. {1}")
            .replace("{0}", counts.start.strftime("%d-%m-%Y"))
            .replace("{1}", counts.end.strftime("%d-%m-%Y"))
        )
        self.total_label.setText(str(counts.total))
        self.handed_label.setText(str(counts.handed_over_in_period))
        at_office = sum(counts.totals.get(s, 0) for s in STATUS_GROUPS[1][1])
        self.open_label.setText(str(at_office))
        self._update_figures_line()
        rows = list(counts.rows)
        self.table.setRowCount(len(rows) + (1 if rows else 0))
        bold = QFont(self.font())
        bold.setBold(True)
        for i, r in enumerate(rows):
            self._set_row(i, service_name(r.service_code), r.counts, r.total, None)
        if rows:
            self._set_row(len(rows), self.tr("Jumlah"), counts.totals, counts.total, bold)
        self.status_label.setText(
            "" if rows else self.tr("Tidak ada permohonan pada periode ini. Pilih periode lain di atas.")
        )
        for b in (self.csv_button, self.xlsx_button):
            b.setEnabled(bool(rows))

    def _set_row(self, i: int, name: str, per: dict[Status, int], total: int, font: QFont | None) -> None:
        items = [QTableWidgetItem(name)]
        items[0].setToolTip(name)
        for _, statuses in STATUS_GROUPS:
            value = sum(per.get(s, 0) for s in statuses)
            items.append(QTableWidgetItem(str(value) if value else "–"))
        items.append(QTableWidgetItem(str(total)))
        for c, item in enumerate(items):
            if c:
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if font is not None or c == len(items) - 1:
                f = QFont(self.font())
                f.setBold(True)
                item.setFont(f)
            self.table.setItem(i, c, item)

    # -- files -----------------------------------------------------------------------------

    def _month(self) -> tuple[int, int]:
        start, _ = self.period()
        return start.year, start.month

    def export_file(self, kind: str) -> None:
        start, end = self.period()
        year, month = self._month()
        if kind == "pdf":
            suggested = f"rekap-{year}-{month:02d}.pdf"
            filt = self.tr("Dokumen PDF (*.pdf)")
        else:
            suggested = f"laporan-{start:%Y%m%d}-{end:%Y%m%d}.{kind}"
            filt = self.tr("Berkas CSV (*.csv)") if kind == "csv" else self.tr("Buku kerja Excel (*.xlsx)")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Simpan laporan"), suggested, filt)
        if not path:
            return
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix("." + kind)
        db, operator = self.ctx.db, self.ctx.operator_id

        def op(_p: Progress) -> Path:
            if kind == "pdf":
                data = make_monthly_summary(db, year, month)
            else:
                counts = dist.report_counts(db, start, end)
                data = (
                    export.to_csv(counts)
                    if kind == "csv"
                    else export.to_xlsx(counts, get_setting(db, setting_keys.VILLAGE_NAME))
                )
            atomic_write(target, data)
            # Recorded once the file is written: a report that left the app (PDP audit).
            audit.record(db, audit.EXPORT_REPORT, operator_id=operator, detail=kind)
            return target

        run_op(
            self,
            op,
            on_success=lambda p: self.status_label.setText(self.tr("Tersimpan: {0}").replace("{0}", str(p))),
            db=True,
        )

    def register_mask_choices(self) -> list[tuple[str, NikMask]]:
        return [
            (self.tr("NIK disamarkan di tengah (320101******0002)"), NikMask.MIDDLE),
            (self.tr("Hanya 4 angka terakhir NIK"), NikMask.LAST4),
            (self.tr("NIK lengkap (hanya bila penerima memerlukannya)"), NikMask.FULL),
        ]

    @Slot()
    def export_register(self) -> None:
        """The register of the period: how the NIK is shown, then where to save (Excel or CSV)."""
        choices = self.register_mask_choices()
        ask = QInputDialog(self)
        ask.setObjectName("registerMaskDialog")
        ask.setWindowTitle(self.tr("Ekspor register permohonan"))
        ask.setLabelText(self.tr("Register ini keluar dari kantor desa. Bagaimana NIK ditulis?"))
        ask.setComboBoxItems([text for text, _m in choices])
        ask.setOkButtonText(self.tr("Lanjut"))
        ask.setCancelButtonText(self.tr("Batal"))
        if ask.exec() != QInputDialog.DialogCode.Accepted:
            return
        how = dict(choices)[ask.textValue()]
        start, end = self.period()
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Simpan register permohonan"),
            f"register-{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
            self.tr("Buku kerja Excel (*.xlsx);;Berkas CSV (*.csv)"),
        )
        if path:
            self.write_register(Path(path), how)

    def write_register(self, target: Path, how: NikMask) -> None:
        if target.suffix.lower() not in (".xlsx", ".csv"):
            target = target.with_suffix(".xlsx")
        start, end = self.period()
        db, operator = self.ctx.db, self.ctx.operator_id
        period = f"{start:%d-%m-%Y} s.d. {end:%d-%m-%Y}"

        def op(_p: Progress) -> Path:
            rows = register_rows(db, start, end, how)
            if target.suffix.lower() == ".csv":
                data = register_csv(rows)
            else:
                data = register_xlsx(rows, get_setting(db, setting_keys.VILLAGE_NAME), period)
            atomic_write(target, data)
            audit.record(db, audit.EXPORT_REPORT, operator_id=operator, detail=f"register nik={how.value}")
            return target

        run_op(
            self,
            op,
            on_success=lambda p: self.status_label.setText(self.tr("Tersimpan: {0}").replace("{0}", str(p))),
            db=True,
        )

    @Slot()
    def print_summary(self) -> None:
        year, month = self._month()
        db = self.ctx.db
        title = (
            self.tr("Rekap bulanan {0} {1}").replace("{0}", MONTHS_ID[month - 1]).replace("{1}", str(year))
        )
        run_op(
            self,
            lambda _p: make_monthly_summary(db, year, month),
            on_success=lambda pdf: self._print(pdf, title),
            db=True,
        )

    def _print(self, pdf: bytes, title: str) -> None:
        if not print_pdf(self, pdf, title):
            return
        db, operator = self.ctx.db, self.ctx.operator_id
        run_op(
            self,
            lambda _p: audit.record(db, audit.EXPORT_REPORT, operator_id=operator, detail="print summary"),
            db=True,
        )
