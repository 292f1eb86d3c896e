"""Siap Dibagikan: finished documents dispatched by the office, waiting to reach residents.

Rows are grouped by the office's dispatch. From here the operator marks arrival ("Diterima di
desa", one or many), prints the office's signed PDFs, tells the resident by WhatsApp, and
records the hand-over (which makes and prints the receipt). The list is small (what is at the
village right now), so it is read whole, filtered in the store, and shown in a tree.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QPoint, Qt, QTimer, Slot
from PySide6.QtGui import QBrush, QColor, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desa_capil.domain.catalog import SERVICES
from desa_capil.domain.phone import display_phone
from desa_capil.domain.status import Status
from desa_capil.reports.common import service_name
from desa_capil.security import audit
from desa_capil.services.changes import Changes
from desa_capil.store import distribution as dist
from desa_capil.store import setting_keys
from desa_capil.store.repo import get_setting, set_setting
from desa_capil.ui import receipt_actions
from desa_capil.ui.context import AppContext
from desa_capil.ui.errors import handle_exception
from desa_capil.ui.handover_dialog import HandOverDialog
from desa_capil.ui.i18n import lang
from desa_capil.ui.notice_dialog import NoticeDialog, show_notice
from desa_capil.ui.pages.base import LazyPage
from desa_capil.ui.printing import print_pdf
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.theme import ICON_SIZE, TONES, icon
from desa_capil.ui.widgets.dialogs import confirm
from desa_capil.ui.widgets.format import format_datetime
from desa_capil.ui.widgets.responsive import FlowLayout, PageHeader

log = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 250
ROW_ROLE = Qt.ItemDataRole.UserRole + 1

# Filter chips: key -> (statuses, overdue only, no phone only)
CHIPS: dict[str, tuple[frozenset[Status], bool, bool]] = {
    "all": (frozenset(dist.WAITING_STATUSES), False, False),
    "dispatched": (frozenset({Status.DISPATCHED}), False, False),
    "arrived": (frozenset({Status.ARRIVED}), False, False),
    "overdue": (frozenset(dist.WAITING_STATUSES), True, False),
    "no_phone": (frozenset(dist.WAITING_STATUSES), False, True),
}


def _chip_labels() -> dict[str, str]:
    t = QCoreApplication.translate
    return {
        "all": t("DistributionPage", "Semua"),
        "dispatched": t("DistributionPage", "Dalam perjalanan"),
        "arrived": t("DistributionPage", "Siap diambil"),
        "overdue": t("DistributionPage", "Lewat batas waktu"),
        "no_phone": t("DistributionPage", "Perlu dikunjungi (tanpa WA)"),
    }


NARROW_BELOW = 1000  # page width in logical pixels


class DistributionPage(LazyPage):
    COL_NAME, COL_SERVICE, COL_DOCS, COL_STATUS, COL_WAIT, COL_PHONE = range(6)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("distributionPage")
        self.ctx = ctx
        self.groups: list[dist.DispatchGroup] = []
        self.village_name = ""
        self._loading = False
        self._reload_again = False
        self.handover_dialog: HandOverDialog | None = None
        self.notice_dialog: NoticeDialog | None = None

        root = QVBoxLayout(self)
        root.setContentsMargins(28, 24, 28, 20)
        root.setSpacing(12)

        title = QLabel(self.tr("Siap Dibagikan"), self)
        title.setObjectName("pageTitle")
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("pageSubtitle")
        self.header = PageHeader(title, self.subtitle, self)
        self.print_button = QPushButton(icon("reports"), self.tr("Cetak Dokumen"), self)
        self.print_button.setObjectName("printButton")
        self.print_button.setToolTip(
            self.tr("Cetak PDF bertanda tangan elektronik dari Disdukcapil di kertas A4")
        )
        self.wa_button = QPushButton(icon("user"), self.tr("Kabari Warga"), self)
        self.wa_button.setObjectName("waButton")
        self.arrived_button = QPushButton(icon("save"), self.tr("Diterima di Desa"), self)
        self.arrived_button.setObjectName("arrivedButton")
        self.handover_button = QPushButton(icon("handover", "#ffffff"), self.tr("Serahkan ke Warga"), self)
        self.handover_button.setObjectName("handoverButton")
        self.handover_button.setProperty("primary", True)
        for b in (self.print_button, self.wa_button, self.arrived_button, self.handover_button):
            b.setIconSize(ICON_SIZE)
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            self.header.add_action(b)
        root.addWidget(self.header)

        filters = QHBoxLayout()
        filters.setSpacing(8)
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("searchEdit")
        self.search_edit.setPlaceholderText(self.tr("Cari nama, NIK, layanan, atau nama dokumen..."))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.addAction(icon("search", "#64748b"), QLineEdit.ActionPosition.LeadingPosition)
        self.service_combo = QComboBox(self)
        self.service_combo.setObjectName("serviceCombo")
        self.service_combo.addItem(self.tr("Semua layanan"), "")
        for svc in SERVICES.values():
            self.service_combo.addItem(svc.name(lang()), svc.code)
        self.service_combo.setMinimumWidth(150)
        self.service_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.service_combo.setMinimumContentsLength(12)
        self.service_combo.setMaximumWidth(320)
        days_label = QLabel(self.tr("Batas menunggu"), self)
        days_label.setObjectName("sectionHint")
        self.days_spin = QSpinBox(self)
        self.days_spin.setObjectName("daysSpin")
        self.days_spin.setRange(1, 90)
        self.days_spin.setValue(dist.DEFAULT_WAITING_DAYS)
        self.days_spin.setSuffix(self.tr(" hari"))
        self.days_spin.setToolTip(self.tr("Dokumen yang menunggu diambil lebih lama dari ini ditandai merah"))
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.service_combo)
        filters.addSpacing(8)
        filters.addWidget(days_label)
        filters.addWidget(self.days_spin)
        root.addLayout(filters)

        chip_row = QWidget(self)
        chips = FlowLayout(chip_row, spacing=6)
        self.chip_group = QButtonGroup(self)
        self.chip_group.setExclusive(True)
        self.chips: dict[str, QPushButton] = {}
        for key, text in _chip_labels().items():
            chip = QPushButton(text, chip_row)
            chip.setObjectName(f"chip_{key}")
            chip.setProperty("chip", True)
            chip.setCheckable(True)
            chip.setCursor(Qt.CursorShape.PointingHandCursor)
            chip.clicked.connect(self.reload)
            self.chip_group.addButton(chip)
            chips.addWidget(chip)
            self.chips[key] = chip
        self.chips["all"].setChecked(True)
        root.addWidget(chip_row)

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("waitingTree")
        self.tree.setColumnCount(6)
        self.tree.setHeaderLabels(
            [
                self.tr("Warga"),
                self.tr("Layanan"),
                self.tr("Dokumen"),
                self.tr("Status"),
                self.tr("Menunggu"),
                self.tr("WhatsApp"),
            ]
        )
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(False)
        self.tree.setRootIsDecorated(True)
        self.tree.setIndentation(18)
        # Roomier rows than the default: big targets on a 1366x768 screen.
        self.tree.setStyleSheet("QTreeWidget#waitingTree::item { padding: 6px 4px; }")
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        hh = self.tree.header()
        hh.setStretchLastSection(False)
        hh.setSectionResizeMode(self.COL_NAME, QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(self.COL_SERVICE, QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(self.COL_DOCS, QHeaderView.ResizeMode.Stretch)
        for c in (self.COL_STATUS, self.COL_WAIT, self.COL_PHONE):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setColumnWidth(self.COL_NAME, 250)
        self.tree.setColumnWidth(self.COL_SERVICE, 210)

        self.empty = QLabel(self)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.empty)
        root.addWidget(self.stack, 1)

        self.hint = QLabel(self)
        self.hint.setObjectName("sectionHint")
        self.hint.setWordWrap(True)
        root.addWidget(self.hint)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.reload)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self.service_combo.currentIndexChanged.connect(self.reload)
        self.days_spin.editingFinished.connect(self._days_changed)
        self.tree.itemSelectionChanged.connect(self._update_actions)
        self.tree.itemDoubleClicked.connect(self._double_clicked)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.arrived_button.clicked.connect(self.mark_arrived)
        self.handover_button.clicked.connect(self.open_handover)
        self.wa_button.clicked.connect(self.notify_selected)
        self.print_button.clicked.connect(self.print_selected)
        self.watch(ctx)
        self._update_actions()
        self.reload()

    # -- loading ---------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        # On a narrow window (150 % display scaling) the phone number gives way (the WA button
        # still uses it) and the name column narrows, so status and waiting days stay in view.
        narrow = event.size().width() < NARROW_BELOW
        if narrow != self.tree.isColumnHidden(self.COL_PHONE):
            self.tree.setColumnHidden(self.COL_PHONE, narrow)
            self.tree.setColumnWidth(self.COL_NAME, 190 if narrow else 250)
            self.tree.setColumnWidth(self.COL_SERVICE, 170 if narrow else 210)
        super().resizeEvent(event)

    def concerns(self, changes: Changes) -> bool:
        # Documents back from the office and their hand-over; the waiting-days setting.
        return bool(changes.handovers or changes.settings)

    @Slot()
    def refresh(self) -> None:
        self.reload()

    def current_filter(self) -> dist.WaitingFilter:
        key = next((k for k, c in self.chips.items() if c.isChecked()), "all")
        statuses, overdue, no_phone = CHIPS[key]
        return dist.WaitingFilter(
            text=self.search_edit.text().strip(),
            service_code=self.service_combo.currentData() or "",
            statuses=statuses,
            overdue_only=overdue,
            no_phone_only=no_phone,
        )

    @Slot()
    def reload(self) -> None:
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        self._dirty = False
        f = self.current_filter()
        db = self.ctx.db

        def op(_p: Progress) -> tuple[list[dist.DispatchGroup], str, int, dist.OverdueSummary]:
            return (
                dist.waiting_documents(db, f),
                get_setting(db, setting_keys.VILLAGE_NAME),
                dist.waiting_days(db),
                dist.overdue_summary(db),
            )

        run_op(self, op, on_success=self._loaded, on_failure=self._load_failed, db=True)

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = False
        handle_exception(self, exc)

    def _loaded(self, result: tuple[list[dist.DispatchGroup], str, int, dist.OverdueSummary]) -> None:
        self._loading = False
        groups, village_name, days, overdue = result
        self.groups = groups
        self.village_name = village_name
        if not self.days_spin.hasFocus():
            self.days_spin.setValue(days)
        self._fill(groups)
        rows = [r for g in groups for r in g.rows]
        n_dispatched = sum(1 for r in rows if r.status is Status.DISPATCHED)
        n_arrived = len(rows) - n_dispatched
        self.subtitle.setText(
            self.tr("{0} siap diambil · {1} dalam perjalanan dari Disdukcapil · {2} lewat batas waktu")
            .replace("{0}", str(n_arrived))
            .replace("{1}", str(n_dispatched))
            .replace("{2}", str(overdue.waiting))
        )
        no_phone = sum(1 for r in rows if r.phone_e164 is None)
        self.hint.setText(
            self.tr(
                "{0} warga tidak punya nomor WhatsApp yang benar: kabari dengan kunjungan atau lewat RT/RW."
            ).replace("{0}", str(no_phone))
            if no_phone
            else ""
        )
        if self._reload_again:
            self._reload_again = False
            self.reload()

    def _fill(self, groups: list[dist.DispatchGroup]) -> None:
        keep = set(self.selected_ids())
        self.tree.clear()
        if not groups:
            self.empty.setText(
                self.tr("Belum ada dokumen yang perlu dibagikan.")
                if self.chips["all"].isChecked() and not self.search_edit.text()
                else self.tr("Tidak ada dokumen yang cocok dengan pencarian atau saringan ini.")
            )
            self.stack.setCurrentWidget(self.empty)
            self._update_actions()
            return
        self.stack.setCurrentWidget(self.tree)
        bold = QFont(self.font())
        bold.setBold(True)
        late = TONES["red"]
        green = TONES["green"]
        teal = TONES["teal"]
        for g in groups:
            name = (
                self.tr("Kiriman {0}").replace("{0}", g.dispatch_id)
                if g.dispatch_id
                else self.tr("Kiriman tanpa nomor")
            )
            head = QTreeWidgetItem(
                [
                    name,
                    self.tr("Dikirim {0}").replace("{0}", format_datetime(g.dispatched_at)),
                    self.tr("{0} dokumen").replace("{0}", str(len(g.rows))),
                ]
            )
            head.setFirstColumnSpanned(False)
            for c in range(3):
                head.setFont(c, bold)
            head.setForeground(1, QBrush(QColor("#64748b")))
            head.setForeground(2, QBrush(QColor("#64748b")))
            head.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            self.tree.addTopLevelItem(head)
            for r in g.rows:
                docs = ", ".join(d.title for d in r.documents) or "–"
                if r.printable:
                    docs += "  " + self.tr("(PDF siap cetak)")
                status = (
                    self.tr("Siap diambil") if r.status is Status.ARRIVED else self.tr("Dalam perjalanan")
                )
                wait = self.tr("{0} hari").replace("{0}", str(r.days_waiting))
                phone = display_phone(r.phone) if r.phone_e164 else self.tr("Tidak ada – kunjungi")
                item = QTreeWidgetItem(
                    [
                        r.applicant_name,
                        service_name(r.service_code),
                        docs,
                        status,
                        wait,
                        phone,
                    ]
                )
                item.setData(self.COL_NAME, ROW_ROLE, r.application_id)
                item.setToolTip(self.COL_NAME, f"NIK {r.nik}\n{r.address}")
                tone = green if r.status is Status.ARRIVED else teal
                item.setForeground(self.COL_STATUS, QBrush(QColor(tone.fg)))
                item.setFont(self.COL_STATUS, bold)
                if r.overdue:
                    item.setForeground(self.COL_WAIT, QBrush(QColor(late.fg)))
                    item.setFont(self.COL_WAIT, bold)
                    item.setToolTip(self.COL_WAIT, self.tr("Sudah melewati batas waktu menunggu"))
                if r.phone_e164 is None:
                    item.setForeground(self.COL_PHONE, QBrush(QColor(TONES["amber"].fg)))
                head.addChild(item)
                if r.application_id in keep:
                    item.setSelected(True)
            head.setExpanded(True)
        self._update_actions()

    # -- selection -------------------------------------------------------------------------

    def rows_by_id(self) -> dict[str, dist.WaitingRow]:
        return {r.application_id: r for g in self.groups for r in g.rows}

    def selected_ids(self) -> list[str]:
        """Selected rows; a selected dispatch header stands for all its rows."""
        ids: list[str] = []
        for item in self.tree.selectedItems():
            if item.parent() is None:
                children = (item.child(i) for i in range(item.childCount()))
                ids += [c.data(self.COL_NAME, ROW_ROLE) for c in children if c is not None]
            else:
                ids.append(item.data(self.COL_NAME, ROW_ROLE))
        return list(dict.fromkeys(i for i in ids if i))

    def selected_rows(self) -> list[dist.WaitingRow]:
        by_id = self.rows_by_id()
        return [by_id[i] for i in self.selected_ids() if i in by_id]

    def select_ids(self, ids: list[str]) -> None:
        wanted = set(ids)
        self.tree.clearSelection()
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            if head is None:
                continue
            for j in range(head.childCount()):
                child = head.child(j)
                if child is not None and child.data(self.COL_NAME, ROW_ROLE) in wanted:
                    child.setSelected(True)

    @Slot()
    def _update_actions(self) -> None:
        rows = self.selected_rows()
        dispatched = [r for r in rows if r.status is Status.DISPATCHED]
        self.arrived_button.setEnabled(bool(dispatched))
        self.arrived_button.setText(
            self.tr("Diterima di Desa ({0})").replace("{0}", str(len(dispatched)))
            if len(dispatched) > 1
            else self.tr("Diterima di Desa")
        )
        self.handover_button.setEnabled(len(rows) == 1 and rows[0].status is Status.ARRIVED)
        # Only what is really at the village: "sudah tiba" while it is still on the road sends
        # the resident on a trip for nothing.
        one = rows[0] if len(rows) == 1 else None
        self.wa_button.setEnabled(one is not None and one.status is Status.ARRIVED)
        if one is not None and one.status is Status.DISPATCHED:
            self.wa_button.setToolTip(
                self.tr('Dokumen masih dalam perjalanan. Tandai "Diterima di Desa" dulu, lalu kabari warga.')
            )
        else:
            self.wa_button.setToolTip(
                self.tr(
                    "Pesan WhatsApp (kode QR untuk HP, atau salin) atau surat pemberitahuan untuk dicetak"
                )
            )
        self.print_button.setEnabled(len(rows) == 1 and bool(rows[0].printable))

    def _double_clicked(self, item: QTreeWidgetItem, _col: int) -> None:
        if item.parent() is None:
            return
        row = self.rows_by_id().get(str(item.data(self.COL_NAME, ROW_ROLE)))
        if row is not None and row.status is Status.ARRIVED:
            self.open_handover()

    def _context_menu(self, pos: QPoint) -> None:
        self._update_actions()
        menu = QMenu(self)
        for b in (self.arrived_button, self.handover_button, self.wa_button, self.print_button):
            act = menu.addAction(b.icon(), b.text())
            act.setEnabled(b.isEnabled())
            act.triggered.connect(b.click)
        menu.popup(self.tree.viewport().mapToGlobal(pos))

    # -- actions ---------------------------------------------------------------------------

    @Slot()
    def _days_changed(self) -> None:
        days = self.days_spin.value()
        db = self.ctx.db
        run_op(
            self,
            lambda _p: set_setting(db, dist.WAITING_DAYS_KEY, str(days)),
            on_success=lambda _r: self.ctx.notify(Changes(settings=frozenset({dist.WAITING_DAYS_KEY}))),
            db=True,
        )

    @Slot()
    def mark_arrived(self) -> None:
        ids = [r.application_id for r in self.selected_rows() if r.status is Status.DISPATCHED]
        if not ids:
            return
        db, operator_id = self.ctx.db, self.ctx.operator_id
        self.arrived_button.setEnabled(False)
        run_op(
            self,
            lambda _p: dist.mark_arrived(db, ids, operator_id=operator_id),
            # The notice reloads this page too (now, or when next shown).
            on_success=lambda _events: self.ctx.notify(
                Changes(applications=frozenset(ids), handovers=frozenset(ids))
            ),
            on_failure=self._action_failed,
            db=True,
        )

    def _action_failed(self, exc: BaseException) -> None:
        handle_exception(self, exc)
        self.reload()

    @Slot()
    def open_handover(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1 or rows[0].status is not Status.ARRIVED:
            return
        dialog = HandOverDialog(self.ctx, rows[0], self)
        self.handover_dialog = dialog
        dialog.finished.connect(lambda _r: self._handover_closed(dialog))
        dialog.open()

    def _handover_closed(self, dialog: HandOverDialog) -> None:
        self.handover_dialog = None
        if dialog.result() != HandOverDialog.DialogCode.Accepted:
            return  # a saved hand-over reported its Changes, which reload this page
        app_id = dialog.row.application_id
        if confirm(
            self,
            self.tr("Penyerahan tersimpan"),
            self.tr("Penyerahan sudah dicatat dan akan dikirim ke Disdukcapil. Cetak tanda terima sekarang?"),
            self.tr("Cetak Tanda Terima"),
            self.tr("Nanti saja"),
        ):
            self.print_receipt(app_id, dialog.receipt_pdf)

    def print_receipt(self, application_id: str, pdf: bytes | None = None) -> None:
        receipt_actions.print_handover_receipt(self, self.ctx, application_id, pdf)

    @Slot()
    def notify_selected(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1 or rows[0].status is not Status.ARRIVED:
            return
        show_notice(self.ctx, self, rows[0].application_id)

    @Slot()
    def print_selected(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1 or not rows[0].printable:
            return
        docs = rows[0].printable
        db, operator_id = self.ctx.db, self.ctx.operator_id

        def op(_p: Progress) -> list[tuple[str, bytes]]:
            return [dist.read_office_pdf(db, d.id, operator_id=operator_id) for d in docs]

        app_id = rows[0].application_id

        def done(files: list[tuple[str, bytes]]) -> None:
            for (title, data), doc in zip(files, docs, strict=True):
                if not print_pdf(self, data, title):
                    break
                receipt_actions.record(self, self.ctx, audit.PRINT_DOCUMENT, app_id, doc.id)

        run_op(self, op, on_success=done, db=True)
