"""Permohonan: the queue of applications with search, status chips, new / edit / delete."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Slot
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desa_capil.domain.status import EDITABLE, Status
from desa_capil.services.changes import Changes
from desa_capil.services.notices import NOTICE_KINDS
from desa_capil.store import repo
from desa_capil.store.queries import QueueFilter
from desa_capil.ui import receipt_actions
from desa_capil.ui.context import AppContext
from desa_capil.ui.detail_dialog import open_application, open_detail
from desa_capil.ui.notice_dialog import show_notice
from desa_capil.ui.pages.base import LazyPage
from desa_capil.ui.queue_model import QueueModel, service_name
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.theme import ICON_SIZE, icon
from desa_capil.ui.widgets.dialogs import confirm
from desa_capil.ui.widgets.responsive import FlowLayout, PageHeader
from desa_capil.ui.widgets.status import (
    GROUPS_BY_KEY,
    STATUS_GROUPS,
    StatusBadgeDelegate,
    chip_labels,
    count_for,
)

log = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 300
DELETABLE = frozenset({Status.DRAFT, Status.READY})
# (column, page width below which it is hidden): a 1366 px window shows them all, 150 %
# display scaling (about 840 px for the page) keeps name, service, status and date.
NARROW_HIDDEN = (
    (QueueModel.COL_MESSAGE, 1000),
    (QueueModel.COL_NIK, 900),
    (QueueModel.COL_DATE, 720),
)


def open_intake_or_explain(ctx: AppContext, parent: QWidget, application_id: str | None = None) -> None:
    """Open the intake form (ui.intake), or say it is not there yet in this build."""
    try:
        from desa_capil.ui.intake import open_intake  # optional part, loaded when used
    except ImportError as exc:
        # Not in this build yet (module missing or without open_intake). Any other import
        # failure is a bug inside the intake package and goes to the crash dialog.
        missing = exc.name if isinstance(exc, ModuleNotFoundError) else "desa_capil.ui.intake"
        if not (missing or "").startswith("desa_capil.ui.intake"):
            raise
        log.warning("intake form not available: %s", exc)
        QMessageBox.information(
            parent,
            QCoreApplication.translate("QueuePage", "Belum tersedia"),
            QCoreApplication.translate(
                "QueuePage", "Formulir permohonan sedang disiapkan dan belum bisa dibuka di versi ini."
            ),
        )
        return
    open_intake(ctx, parent, application_id=application_id)


def compact_count(n: int) -> str:
    """Counts on the chips stay short so all chips fit one row at 1366 px: 12.345 -> 12 rb."""
    if n >= 10_000:
        return QCoreApplication.translate("QueuePage", "%1 rb").replace("%1", str(n // 1000))
    return f"{n:,}".replace(",", ".")


class QueuePage(LazyPage):
    """The list of all applications. `show_group(key)` filters by a status group."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queuePage")
        self.ctx = ctx
        self.model = QueueModel(ctx.db, self)
        self._keep_ids: list[str] = []
        self._keep_scroll = 0

        root = QVBoxLayout(self)
        root.setContentsMargins(28, 24, 28, 20)
        root.setSpacing(14)

        # Title row with the actions.
        title = QLabel(self.tr("Permohonan"), self)
        title.setObjectName("pageTitle")
        self.count_label = QLabel(self)
        self.count_label.setObjectName("pageSubtitle")
        self.header = PageHeader(title, self.count_label, self)
        self.edit_button = QPushButton(icon("edit"), self.tr("Ubah"), self)
        self.edit_button.setObjectName("editButton")
        self.delete_button = QPushButton(icon("trash", "#b91c1c"), self.tr("Hapus"), self)
        self.delete_button.setObjectName("deleteButton")
        self.delete_button.setProperty("danger", True)
        self.new_button = QPushButton(icon("plus", "#ffffff"), self.tr("Permohonan Baru"), self)
        self.new_button.setObjectName("newButton")
        self.new_button.setProperty("primary", True)
        for b in (self.edit_button, self.delete_button, self.new_button):
            b.setIconSize(ICON_SIZE)
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            self.header.add_action(b)
        root.addWidget(self.header)

        # Search and status chips.
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("searchEdit")
        self.search_edit.setPlaceholderText(self.tr("Cari nama, NIK, nomor KK, atau layanan..."))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.addAction(icon("search", "#64748b"), QLineEdit.ActionPosition.LeadingPosition)
        root.addWidget(self.search_edit)

        # The chips wrap to a second line on a narrow window instead of being clipped.
        chip_row = QWidget(self)
        chips = FlowLayout(chip_row, spacing=5)
        self.chip_group = QButtonGroup(self)
        self.chip_group.setExclusive(True)
        self.chips: dict[str, QPushButton] = {}
        short = chip_labels()
        for key, text in [("", self.tr("Semua"))] + [(g.key, short[g.key]) for g in STATUS_GROUPS]:
            chip = QPushButton(text, chip_row)
            chip.setObjectName(f"chip_{key or 'all'}")
            chip.setProperty("chip", True)
            chip.setCheckable(True)
            chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            if key:
                chip.setToolTip(GROUPS_BY_KEY[key].label())
            chip.setCursor(Qt.CursorShape.PointingHandCursor)
            chip.clicked.connect(lambda _c=False, k=key: self._chip_clicked(k))
            self.chip_group.addButton(chip)
            chips.addWidget(chip)
            self.chips[key] = chip
        self.chips[""].setChecked(True)
        self._chip_texts = {k: c.text() for k, c in self.chips.items()}
        root.addWidget(chip_row)

        # The table, or a friendly empty state.
        self.view = QTableView(self)
        self.view.setObjectName("queueView")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setMouseTracking(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setItemDelegateForColumn(
            QueueModel.COL_STATUS, StatusBadgeDelegate(QueueModel.StatusRole, self.view)
        )
        self.view.setIconSize(ICON_SIZE)
        vh = self.view.verticalHeader()
        vh.hide()
        # Fixed row heights: the view never measures 100k rows.
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(42)
        hh = self.view.horizontalHeader()
        hh.setHighlightSections(False)
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        hh.setStretchLastSection(True)
        hh.setMinimumSectionSize(36)
        for col, width in (
            (QueueModel.COL_URGENCY, 40),
            (QueueModel.COL_NAME, 200),
            (QueueModel.COL_NIK, 150),
            (QueueModel.COL_SERVICE, 230),
            (QueueModel.COL_STATUS, 170),
            (QueueModel.COL_DATE, 125),
        ):
            self.view.setColumnWidth(col, width)
        hh.setSectionResizeMode(QueueModel.COL_URGENCY, QHeaderView.ResizeMode.Fixed)

        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty_label)
        root.addWidget(self.stack, 1)

        # Wiring.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._apply_filter)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_edit.returnPressed.connect(self._apply_filter_now)
        self.new_button.clicked.connect(self.new_application)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.view.doubleClicked.connect(self._double_clicked)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.context_menu: QMenu | None = None
        self.view.activated.connect(self._double_clicked)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.reloaded.connect(self._reloaded)
        self.model.rows_fetched.connect(lambda _a, _b: self._update_buttons())
        sel = self.view.selectionModel()
        sel.selectionChanged.connect(lambda _a, _b: self._update_buttons())
        QShortcut(QKeySequence.StandardKey.Delete, self.view, self.delete_selected)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search_edit.setFocus)
        self.watch(ctx)
        self._update_buttons()
        self.refresh()

    # -- loading ---------------------------------------------------------------------------

    def concerns(self, changes: Changes) -> bool:
        # One row per application (status, applicant, service): papers alone do not show here.
        return bool(changes.applications)

    @Slot()
    def refresh(self) -> None:
        self._dirty = False
        self.model.reload()
        self._load_counts()

    def _load_counts(self) -> None:
        db = self.ctx.db

        def op(_p: Progress) -> dict[Status, int]:
            return repo.status_counts(db)

        run_op(self, op, on_success=self._show_counts)

    def _show_counts(self, counts: dict[Status, int]) -> None:
        total = sum(counts.values())
        for key, chip in self.chips.items():
            n = total if not key else count_for(GROUPS_BY_KEY[key], counts)
            chip.setText(f"{self._chip_texts[key]}  {compact_count(n)}")

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit_columns(event.size().width())
        super().resizeEvent(event)

    def _fit_columns(self, width: int) -> None:
        """Keep name, service and status in view on a narrow window: the office's message,
        the (masked) NIK and then the date give way first; all stay searchable."""
        for col, below in NARROW_HIDDEN:
            self.view.setColumnHidden(col, width < below)

    def current_filter(self) -> QueueFilter:
        key = self.current_group()
        statuses = GROUPS_BY_KEY[key].statuses if key else frozenset()
        return QueueFilter(statuses=statuses, text=self.search_edit.text().strip())

    def current_group(self) -> str:
        for key, chip in self.chips.items():
            if chip.isChecked():
                return key
        return ""

    def show_group(self, key: str | None) -> None:
        """Show only applications of a status group ('' or None: all)."""
        chip = self.chips.get(key or "")
        if chip is None:
            raise KeyError(key)
        chip.setChecked(True)
        self._apply_filter_now()

    def _chip_clicked(self, _key: str) -> None:
        self._apply_filter_now()

    def _apply_filter_now(self) -> None:
        self._search_timer.stop()
        self._apply_filter()

    def _apply_filter(self) -> None:
        f = self.current_filter()
        if f != self.model.filter:
            self.model.set_filter(f)

    # -- selection kept across reloads -------------------------------------------------------

    def _remember_selection(self) -> None:
        self._keep_ids = [i for i in (self.model.id_at(ix.row()) for ix in self._selected_rows()) if i]
        self._keep_scroll = self.view.verticalScrollBar().value()

    def _reloaded(self, count: int) -> None:
        f = self.model.filter
        if f.statuses or f.text:
            self.count_label.setText(self.tr("%n permohonan cocok dengan pilihan", "", count))
        else:
            self.count_label.setText(self.tr("%n permohonan seluruhnya", "", count))
        if count == 0:
            self.empty_label.setText(
                self.tr("Tidak ada permohonan yang cocok. Ubah kata pencarian atau pilih status lain.")
                if f.statuses or f.text
                else self.tr(
                    "Belum ada permohonan.\nKlik \u201cPermohonan Baru\u201d untuk mencatat permohonan warga."
                )
            )
            self.stack.setCurrentWidget(self.empty_label)
        else:
            self.stack.setCurrentWidget(self.view)
        self.view.verticalScrollBar().setValue(self._keep_scroll)
        for app_id in self._keep_ids:
            row = self.model.row_of(app_id)
            if row >= 0:
                self.view.selectionModel().select(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
                )
                self.view.selectionModel().setCurrentIndex(
                    self.model.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate
                )
        self._keep_ids = []
        self._update_buttons()

    def _selected_rows(self) -> list[QModelIndex]:
        sel = self.view.selectionModel()
        return sel.selectedRows() if sel is not None else []

    def selected_id(self) -> str | None:
        rows = self._selected_rows()
        return self.model.id_at(rows[0].row()) if rows else None

    def select_id(self, application_id: str) -> bool:
        row = self.model.row_of(application_id)
        if row < 0:
            return False
        self.view.selectRow(row)
        self.view.scrollTo(self.model.index(row, 0))
        return True

    def _update_buttons(self) -> None:
        rows = self._selected_rows()
        self.edit_button.setEnabled(bool(rows))
        data = self.model.cached_row(rows[0].row()) if rows else None
        # A sent application opens read-only (history, papers, receipts).
        self.edit_button.setText(
            self.tr("Rincian") if data is not None and data.status not in EDITABLE else self.tr("Ubah")
        )
        can_delete = data is not None and data.status in DELETABLE
        self.delete_button.setEnabled(can_delete)
        self.delete_button.setToolTip(
            ""
            if can_delete or not rows
            else self.tr("Hanya permohonan berstatus Draf atau Siap dikirim yang bisa dihapus.")
        )

    # -- actions -----------------------------------------------------------------------------

    @Slot()
    def new_application(self) -> None:
        open_intake_or_explain(self.ctx, self.window(), None)

    @Slot()
    def edit_selected(self) -> None:
        app_id = self.selected_id()
        if app_id is None:
            return
        open_application(self.ctx, self, app_id)

    def _double_clicked(self, index: QModelIndex) -> None:
        app_id = self.model.id_at(index.row())
        if app_id is None:
            return
        # Editable: the form. Sent: nothing to edit, but everything to look up (history,
        # papers, receipts), read-only.
        open_application(self.ctx, self, app_id)

    @Slot()
    def show_detail(self) -> None:
        app_id = self.selected_id()
        if app_id is not None:
            open_detail(self.ctx, self, app_id)

    @Slot()
    def notify_selected(self) -> None:
        app_id = self.selected_id()
        if app_id is not None:
            show_notice(self.ctx, self, app_id)

    def context_actions(self) -> list[tuple[str, bool, Callable[[], None]]]:
        """(text, enabled, slot) of the selected application's context menu."""
        rows = self._selected_rows()
        data = self.model.cached_row(rows[0].row()) if rows else None
        return [
            (self.tr("Lihat rincian dan riwayat"), data is not None, self.show_detail),
            (self.tr("Ubah"), data is not None and data.status in EDITABLE, self.edit_selected),
            (
                self.tr("Kabari warga (WhatsApp / surat)"),
                data is not None and data.status in NOTICE_KINDS,
                self.notify_selected,
            ),
            (self.tr("Cetak ulang tanda terima berkas"), data is not None, self.reprint_intake_receipt),
            (
                self.tr("Cetak ulang tanda terima penyerahan"),
                data is not None and data.status is Status.HANDED_OVER,
                self.reprint_handover_receipt,
            ),
            (self.tr("Hapus"), data is not None and data.status in DELETABLE, self.delete_selected),
        ]

    def _context_menu(self, pos: QPoint) -> None:
        if not self._selected_rows():
            return
        menu = QMenu(self)
        for text, enabled, slot in self.context_actions():
            act = menu.addAction(text)
            act.setEnabled(enabled)
            act.triggered.connect(slot)
        self.context_menu = menu
        menu.popup(self.view.viewport().mapToGlobal(pos))

    @Slot()
    def reprint_intake_receipt(self) -> None:
        """The intake receipt as given at the counter (made and kept now if none was printed)."""
        app_id = self.selected_id()
        if app_id is not None:
            receipt_actions.print_intake_receipt(self, self.ctx, app_id)

    @Slot()
    def reprint_handover_receipt(self) -> None:
        rows = self._selected_rows()
        data = self.model.cached_row(rows[0].row()) if rows else None
        if data is not None and data.status is Status.HANDED_OVER:
            receipt_actions.print_handover_receipt(self, self.ctx, data.id)

    @Slot()
    def delete_selected(self) -> None:
        rows = self._selected_rows()
        if not rows:
            return
        data = self.model.cached_row(rows[0].row())
        if data is None or data.status not in DELETABLE:
            return
        ok = confirm(
            self,
            self.tr("Hapus permohonan"),
            self.tr(
                "Hapus permohonan {service} atas nama {name}?\n\n"
                "Berkas yang sudah dipindai untuk permohonan ini ikut terhapus. "
                "Tindakan ini tidak bisa dibatalkan."
            ).format(service=service_name(data.service_code), name=data.applicant_name),
            self.tr("Hapus"),
            self.tr("Batal"),
            danger=True,
        )
        if not ok:
            return
        db, app_id = self.ctx.db, data.id

        def op(_p: Progress) -> None:
            repo.delete_application(db, app_id)

        log.info("deleting application %s", app_id)
        run_op(
            self,
            op,
            on_success=lambda _r: self.ctx.notify(Changes(applications=frozenset({app_id}))),
            db=True,
        )
