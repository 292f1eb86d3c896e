"""Kiriman: sealing ready applications into batches and watching them go to Disdukcapil.

Top: the link (last successful contact, bytes waiting) and "Kirim sekarang". Middle: the
applications ready to seal, with "Segel yang dipilih" and "Segel semua yang siap". Bottom:
the batches with their size, pages, state, live progress (files, bytes, speed, time left)
and, for a batch set aside, the server's reason, "Coba kirim lagi" and "Batalkan kiriman"
(its applications go back to the queue to be fixed and sealed again). Below, village events
the server refused (arrived, handed over), with its reason.

Every database read and the sealing (which assembles the PDFs) run through run_op; live
progress comes from the sync controller's signals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import col, select

from desa_capil.domain.catalog import get_service
from desa_capil.domain.status import Status
from desa_capil.services import sealing
from desa_capil.services.changes import Changes
from desa_capil.services.sealing import make_assembler, reopen
from desa_capil.services.usb_export import StickOffer, stick_offer
from desa_capil.store.db import Database
from desa_capil.store.models import Applicant, Application, BatchState, Document, Page
from desa_capil.store.repo import (
    SERVER_HOLDS_CODES,
    SealedBatch,
    pending_upload_bytes,
    seal_batch,
)
from desa_capil.sync.worker import (
    BatchProgress,
    BatchRow,
    ParkedEvent,
    batch_rows,
    last_contact,
    parked_events,
)
from desa_capil.ui.batch_contents import show_batch_contents
from desa_capil.ui.context import AppContext
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import run_op
from desa_capil.ui.theme import ICON_SIZE, icon
from desa_capil.ui.widgets.dialogs import confirm
from desa_capil.ui.widgets.format import format_bytes, format_datetime
from desa_capil.ui.widgets.responsive import PageHeader


@dataclass(frozen=True)
class ReadyRow:
    id: str
    name: str
    service: str
    status: Status


def ready_rows(db: Database) -> list[ReadyRow]:
    """Applications that can be sealed: ready ones, and needs_fix ones with new papers."""
    with db.session() as s:
        rows = s.exec(
            select(Application, Applicant)
            .join(Applicant, col(Applicant.id) == Application.applicant_id)
            .where(col(Application.status).in_([Status.READY.value, Status.NEEDS_FIX.value]))
            .order_by(col(Application.created_at))
        ).all()
        fixes_with_papers = set(
            s.exec(
                select(Document.application_id)
                .join(Page, col(Page.document_id) == Document.id)
                .where(col(Document.batch_id).is_(None))
            ).all()
        )
    lg = lang()
    out = []
    for app, person in rows:
        status = Status(app.status)
        if status is Status.NEEDS_FIX and app.id not in fixes_with_papers:
            continue
        try:
            service = get_service(app.service_code).name(lg)
        except KeyError:
            service = app.service_code
        out.append(ReadyRow(app.id, person.name, service, status))
    return out


def _day(at: datetime | None) -> str:
    """The local day of a stored time, short ("29-11")."""
    if at is None:
        return ""
    return "-".join(format_datetime(at).split(" ")[0].split("-")[:2])


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    s = int(seconds)
    if s < 60:
        return f"{s} dtk"
    if s < 3600:
        return f"{s // 60} mnt {s % 60:02d} dtk"
    return f"{s // 3600} jam {s % 3600 // 60:02d} mnt"


NARROW_BELOW = 1200  # page width in logical pixels (125 % on 1366x768 leaves ~1,010)
NARROWEST_BELOW = 950  # (150 % leaves ~810, the 800x440 window ~720)
COLUMNS = ("sealed", "apps", "pages", "size", "state", "route", "progress", "reason")


class BatchesPage(QWidget):
    """The Kiriman page.

    Signals:
        sealed(object): a SealedBatch, after "Segel kiriman" succeeded.
        loaded(): the page finished (re)loading its lists (tests wait on it).
    """

    sealed = Signal(object)
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("batchesPage")
        self._rows: list[BatchRow] = []
        self._progress: dict[str, BatchProgress] = {}
        self._loading = False
        self._sealing: frozenset[str] = frozenset()  # the applications of the seal under way

        title = QLabel(self.tr("Kiriman ke Disdukcapil"), self)
        title.setObjectName("pageTitle")
        self.contact_label = QLabel(self)
        self.pending_label = QLabel(self)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setObjectName("errorText")
        self.error_label.hide()
        self.contact_label.setObjectName("pageSubtitle")
        self.pending_label.setObjectName("pageSubtitle")
        self.send_button = QPushButton(icon("upload", "#ffffff"), self.tr("Kirim sekarang"), self)
        self.send_button.setObjectName("primaryButton")
        self.send_button.setProperty("primary", True)
        self.send_button.setIconSize(ICON_SIZE)
        self.send_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.send_button.setToolTip(self.tr("Coba kirim dan ambil kabar dari server sekarang juga"))
        self.send_button.clicked.connect(self.send_now)

        self.header = PageHeader(title, self.contact_label, self)
        self.pending_label.setWordWrap(True)
        self.header.titles.layout().addWidget(self.pending_label)
        self.header.add_action(self.send_button)
        from desa_capil.ui.usb_actions import usb_menu_button

        self.usb_button = usb_menu_button(self, ctx)
        self.header.add_action(self.usb_button)
        # Issue 16: the batches leave on a stick too; first in the Flashdisk menu.
        menu = self.usb_button.menu()
        first = menu.actions()[0] if menu.actions() else None
        self.stick_action = QAction(self.tr("Kirim lewat flashdisk…"), menu)
        self.stick_action.setObjectName("usbExportAction")
        self.stick_action.setToolTip(
            self.tr("Tulis kiriman yang belum diterima kantor ke flashdisk, untuk dibawa ke Disdukcapil")
        )
        self.stick_action.triggered.connect(lambda: self.open_stick_export())
        self.backup_action = QAction(self.tr("Cadangkan yang belum terkirim…"), menu)
        self.backup_action.setObjectName("usbBackupAction")
        self.backup_action.triggered.connect(lambda: self.open_stick_export("backup"))
        menu.insertAction(first, self.stick_action)
        menu.insertAction(first, self.backup_action)
        menu.insertSeparator(first)

        # Offered when the server has not answered for a day and batches wait (issue 16).
        self.offer_box = QFrame(self)
        self.offer_box.setObjectName("usbOffer")
        offer_row = QHBoxLayout(self.offer_box)
        offer_row.setContentsMargins(12, 8, 12, 8)
        self.offer_label = QLabel(self.offer_box)
        self.offer_label.setObjectName("usbOfferText")
        self.offer_label.setWordWrap(True)
        self.offer_button = QPushButton(self.tr("Kirim lewat flashdisk"), self.offer_box)
        self.offer_button.setObjectName("usbOfferButton")
        self.offer_button.setProperty("primary", True)
        self.offer_button.clicked.connect(lambda: self.open_stick_export())
        offer_row.addWidget(self.offer_label, 1)
        offer_row.addWidget(self.offer_button)
        self.offer_box.hide()

        # Ready applications
        ready_box = QWidget(self)
        ready_layout = QVBoxLayout(ready_box)
        ready_layout.setContentsMargins(0, 0, 0, 0)
        self.ready_title = QLabel(ready_box)
        self.ready_title.setObjectName("sectionTitle")
        self.ready_list = QListWidget(ready_box)
        self.ready_list.setObjectName("readyList")
        self.seal_selected_button = QPushButton(self.tr("Segel yang dipilih"), ready_box)
        self.seal_all_button = QPushButton(self.tr("Segel semua yang siap"), ready_box)
        self.seal_all_button.setObjectName("primaryButton")
        self.seal_all_button.setProperty("primary", True)
        self.seal_selected_button.clicked.connect(self.seal_selected)
        self.seal_all_button.clicked.connect(self.seal_all)
        buttons = QHBoxLayout()
        buttons.addWidget(self.ready_title)
        buttons.addStretch(1)
        buttons.addWidget(self.seal_selected_button)
        buttons.addWidget(self.seal_all_button)
        ready_layout.addLayout(buttons)
        ready_layout.addWidget(self.ready_list, 1)

        # Batches
        batch_box = QWidget(self)
        batch_layout = QVBoxLayout(batch_box)
        batch_layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(COLUMNS), batch_box)
        self.table.setObjectName("batchTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Disegel"),
                self.tr("Permohonan"),
                self.tr("Halaman"),
                self.tr("Ukuran"),
                self.tr("Status"),
                self.tr("Jalur"),
                self.tr("Kemajuan"),
                self.tr("Keterangan"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("progress"), QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COLUMNS.index("reason"), QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self.show_contents())
        self.table.setToolTip(self.tr("Klik dua kali untuk melihat isi kiriman"))
        self.retry_button = QPushButton(self.tr("Coba kirim lagi"), batch_box)
        self.retry_button.setToolTip(self.tr("Masukkan lagi kiriman yang disisihkan ke antrean kirim"))
        self.retry_button.setEnabled(False)
        self.retry_button.clicked.connect(self.retry_selected)
        self.cancel_button = QPushButton(self.tr("Batalkan kiriman"), batch_box)
        self.cancel_button.setObjectName("cancelBatchButton")
        self.cancel_button.setToolTip(
            self.tr(
                "Kembalikan permohonan dalam kiriman yang disisihkan ke antrean 'Siap dikirim' "
                "agar bisa diperbaiki dan disegel ulang"
            )
        )
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_selected)
        # i15: the list of originals that travel physically with the selected batch.
        self.courier_button = QPushButton(self.tr("Daftar asli"), batch_box)
        self.courier_button.setObjectName("courierManifestButton")
        self.courier_button.setToolTip(
            self.tr(
                "Cetak daftar dokumen asli yang dibawa kurir ke Disdukcapil, untuk ditandatangani kepala desa"
            )
        )
        self.courier_button.setEnabled(False)
        self.courier_button.clicked.connect(self.print_courier_manifest)
        self.reopen_button = QPushButton(self.tr("Buka segel"), batch_box)
        self.reopen_button.setObjectName("reopenBatchButton")
        self.reopen_button.setToolTip(
            self.tr(
                "Kembalikan permohonan kiriman ini ke daftar 'Siap disegel' untuk diubah. Hanya bisa "
                "selama pengirimannya belum dimulai."
            )
        )
        self.reopen_button.setEnabled(False)
        self.reopen_button.clicked.connect(self.reopen_selected)
        batch_title = QLabel(self.tr("Daftar kiriman"), batch_box)
        batch_title.setObjectName("sectionTitle")
        # The batch actions share the title's row: below the table they needed a row of their
        # own that a short screen (800x440, 150 %) did not have, and were drawn over the table.
        # Beside the title on a wide window, below it (wrapping) on a narrow one.
        self.batch_header = PageHeader(batch_title, None, batch_box)
        for b in (self.courier_button, self.reopen_button, self.cancel_button, self.retry_button):
            self.batch_header.add_action(b)
        batch_layout.addWidget(self.batch_header)
        batch_layout.addWidget(self.table, 1)

        # Village events (arrived, handed over) the server refused: they will not go by themselves.
        self.events_title = QLabel(batch_box)
        self.events_title.setObjectName("errorText")
        self.events_table = QTableWidget(0, 4, batch_box)
        self.events_table.setObjectName("parkedEventsTable")
        self.events_table.setHorizontalHeaderLabels(
            [self.tr("Dicatat"), self.tr("Warga"), self.tr("Kejadian"), self.tr("Alasan penolakan")]
        )
        self.events_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.events_table.verticalHeader().hide()
        self.events_table.setMaximumHeight(150)
        ev_header = self.events_table.horizontalHeader()
        ev_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        ev_header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        # "Coba lagi": after the office fixed what it refused (or a proxy answered for it).
        self.events_retry_button = QPushButton(self.tr("Coba lagi"), batch_box)
        self.events_retry_button.setObjectName("retryEventsButton")
        self.events_retry_button.setToolTip(self.tr("Masukkan lagi catatan yang ditolak ke antrean kirim"))
        self.events_retry_button.clicked.connect(self.retry_events)
        self.events_title.hide()
        self.events_table.hide()
        self.events_retry_button.hide()
        events_row = QHBoxLayout()
        events_row.addWidget(self.events_title, 1)
        events_row.addWidget(self.events_retry_button)
        batch_layout.addLayout(events_row)
        batch_layout.addWidget(self.events_table)

        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(ready_box)
        split.addWidget(batch_box)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        self.ready_list.setMinimumHeight(56)
        self.table.setMinimumHeight(84)

        # Same margins as the other pages; the splitter lets the operator give the lists room.
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(12)
        layout.addWidget(self.header)
        layout.addWidget(self.offer_box)
        layout.addWidget(self.error_label)
        layout.addWidget(split, 1)

        # Operations say what they changed (ui.context.AppContext.notify): batches, the
        # applications ready to go in one, and the village events the office set aside.
        ctx.changed.connect(self._on_changes)
        ctx.connection_changed.connect(self._connection_changed)
        ctx.pending_bytes_changed.connect(self._show_pending)
        sync = ctx.sync
        if sync is not None and hasattr(sync, "progress"):
            sync.progress.connect(self._on_progress)  # type: ignore[attr-defined]
            sync.error.connect(self._on_error)  # type: ignore[attr-defined]
        self._connection_changed(ctx.connection_state, ctx.last_contact)
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Narrow window (125 % and 150 % scaling): the page count gives way and the reason
        # column is capped, so the progress bar keeps its text on one line (at 125 %, sharing
        # the width with the reason, "32/32 berkas · 162,6 KB dari 162,6 KB" wrapped and was cut).
        narrow = event.size().width() < NARROW_BELOW
        pages, reason = COLUMNS.index("pages"), COLUMNS.index("reason")
        if narrow != self.table.isColumnHidden(pages):
            self.table.setColumnHidden(pages, narrow)
            mode = QHeaderView.ResizeMode.Interactive if narrow else QHeaderView.ResizeMode.Stretch
            self.table.horizontalHeader().setSectionResizeMode(reason, mode)
            if narrow:
                self.table.setColumnWidth(reason, 120)
        # Narrowest (150 %, ~810 px; the 800x440 window): the size and the application count
        # give way too (the progress text says the size, a double-click lists the
        # applications); with the route column the bar was 50 px wide.
        narrowest = event.size().width() < NARROWEST_BELOW
        for name in ("size", "apps"):
            column = COLUMNS.index(name)
            if narrowest != self.table.isColumnHidden(column):
                self.table.setColumnHidden(column, narrowest)
        super().resizeEvent(event)

    # --- loading ----------------------------------------------------------------------------

    @Slot(object)
    def _on_changes(self, changes: Changes) -> None:
        if changes.batches or changes.applications or changes.events:
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        if self._loading:
            return
        self._loading = True
        db = self.ctx.db

        def load(
            _p: object,
        ) -> tuple[
            list[ReadyRow], list[BatchRow], int, datetime | None, list[ParkedEvent], StickOffer | None
        ]:
            return (
                ready_rows(db),
                batch_rows(db),
                pending_upload_bytes(db),
                last_contact(db),
                parked_events(db),
                stick_offer(db),
            )

        run_op(self, load, on_success=self._loaded, on_failure=self._load_failed, db=True)

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = False
        from desa_capil.ui.errors import handle_exception

        handle_exception(self, exc)

    def _loaded(
        self,
        data: tuple[
            list[ReadyRow], list[BatchRow], int, datetime | None, list[ParkedEvent], StickOffer | None
        ],
    ) -> None:
        self._loading = False
        ready, batches, pending, contact, events, offer = data
        self._show_offer(offer)
        self._fill_ready(ready)
        self._rows = batches
        self._fill_batches()
        self._fill_events(events)
        self._show_pending(pending)
        if contact is not None and self.ctx.last_contact is None:
            self.ctx.last_contact = contact
        self._connection_changed(self.ctx.connection_state, self.ctx.last_contact)
        self.loaded.emit()

    def _fill_ready(self, rows: list[ReadyRow]) -> None:
        checked = {
            self.ready_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.ready_list.count())
            if self.ready_list.item(i).checkState() == Qt.CheckState.Checked
        }
        self.ready_list.clear()
        for r in rows:
            text = f"{r.name} \u2014 {r.service}"
            if r.status is Status.NEEDS_FIX:
                text += "  " + self.tr("(perbaikan)")
            item = QListWidgetItem(text, self.ready_list)
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if r.id in checked else Qt.CheckState.Unchecked)
        self.ready_title.setText(self.tr("Siap disegel: %1 permohonan").replace("%1", str(len(rows))))
        self.seal_all_button.setEnabled(bool(rows))
        self.seal_selected_button.setEnabled(bool(rows))

    def _state_text(self, row: BatchRow) -> str:
        if row.state in (BatchState.SEALED, BatchState.SENDING) and row.stick_trips:
            # Carried on a stick; the office's acknowledgement (online or a return bundle) ends it.
            return self.tr("Menunggu konfirmasi")
        return {
            BatchState.SEALED: self.tr("Menunggu dikirim"),
            BatchState.SENDING: self.tr("Sedang dikirim"),
            BatchState.SENT: self.tr("Diterima Disdukcapil"),
            BatchState.FAILED: self.tr("Disisihkan"),
            BatchState.CANCELLED: self.tr("Dibatalkan"),
        }.get(row.state, row.state)

    def _route_text(self, row: BatchRow) -> str:
        """How the batch went, short: "Internet" / "Flashdisk 28-11" (by stick on that day); the
        Status column says whether the office acknowledged it, the tooltip gives every trip."""
        if row.state == BatchState.CANCELLED:
            return "–"
        if row.state == BatchState.SENT:
            when = _day(row.sent_at)
            return (self.tr("Flashdisk %1") if row.ack_via == "stick" else self.tr("Internet %1")).replace(
                "%1", when
            )
        if row.last_stick_at is not None:
            return self.tr("Flashdisk %1").replace("%1", _day(row.last_stick_at))
        return self.tr("Internet")

    def _route_tip(self, row: BatchRow) -> str:
        lines = [self.tr("Dibawa flashdisk %1").replace("%1", format_datetime(t)) for t in row.stick_trips]
        if row.state == BatchState.SENT and row.sent_at is not None:
            lines.append(
                (
                    self.tr("Diterima kantor %1 (konfirmasi lewat flashdisk)")
                    if row.ack_via == "stick"
                    else self.tr("Diterima kantor %1 (lewat internet)")
                ).replace("%1", format_datetime(row.sent_at))
            )
        elif row.stick_trips:
            lines.append(self.tr("Menunggu konfirmasi kantor (lewat internet atau berkas balasan kantor)"))
        return "\n".join(lines)

    def _progress_text(self, row: BatchRow) -> tuple[int, str]:
        live = self._progress.get(row.id)
        files_done, files_total = row.files_done, row.files_total
        done, total = row.bytes_done, row.total_bytes
        text = self.tr("%1/%2 berkas \u00b7 %3 dari %4")
        if live is not None and row.state != BatchState.SENT:
            files_done, files_total, done, total = (
                live.files_done,
                live.files_total,
                live.bytes_done,
                live.bytes_total,
            )
        if total and done >= total and files_done >= files_total:
            # All there: the size once ("32/32 berkas · 162,6 KB dari 162,6 KB" wrapped at 125 %).
            text = self.tr("%1/%2 berkas \u00b7 %4")
        text = (
            text.replace("%1", str(files_done))
            .replace("%2", str(files_total))
            .replace("%3", format_bytes(done))
            .replace("%4", format_bytes(total))
        )
        if live is not None and row.state != BatchState.SENT and live.speed > 0:
            text += " \u00b7 " + self.tr("%1/dtk \u00b7 sisa %2").replace(
                "%1", format_bytes(int(live.speed))
            ).replace("%2", format_seconds(live.seconds_left))
        percent = int(100 * done / total) if total else (100 if row.state == BatchState.SENT else 0)
        return percent, text

    def _fill_batches(self) -> None:
        selected = self.selected_batch_id()
        self.table.setRowCount(len(self._rows))
        for i, row in enumerate(self._rows):
            values = [
                format_datetime(row.sealed_at),
                str(row.application_count),
                str(row.page_count),
                format_bytes(row.total_bytes),
                self._state_text(row),
                self._route_text(row),
                "",
                row.last_error,
            ]
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                if COLUMNS[c] == "reason" and v:
                    item.setToolTip(v)
                if COLUMNS[c] == "route":
                    item.setToolTip(self._route_tip(row) or v)
                self.table.setItem(i, c, item)
            bar = QProgressBar(self.table)
            percent, text = self._progress_text(row)
            bar.setValue(percent)
            bar.setFormat(text)
            bar.setTextVisible(True)
            self.table.setCellWidget(i, COLUMNS.index("progress"), bar)
            if row.id == selected:
                self.table.selectRow(i)
        self._selection_changed()

    # --- actions ------------------------------------------------------------------------------

    def selected_batch_id(self) -> str | None:
        items = self.table.selectedItems()
        return str(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def _selection_changed(self) -> None:
        bid = self.selected_batch_id()
        row = next((r for r in self._rows if r.id == bid), None)
        self.retry_button.setEnabled(row is not None and row.state == BatchState.FAILED)
        self.courier_button.setEnabled(row is not None)
        self.cancel_button.setEnabled(
            row is not None and row.state == BatchState.FAILED and row.error_code not in SERVER_HOLDS_CODES
        )
        # Until the first byte goes: the store refuses later (the office may hold part of it).
        self.reopen_button.setEnabled(
            row is not None and row.state == BatchState.SEALED and row.bytes_done == 0 and row.files_done == 0
        )

    # --- the USB stick (issue 16) ------------------------------------------------------------------

    def _show_offer(self, offer: StickOffer | None) -> None:
        if offer is None:
            self.offer_box.hide()
            return
        if offer.since is None:
            text = self.tr(
                "Laptop ini belum pernah terhubung ke server dan %1 kiriman menunggu. Kirim lewat "
                "flashdisk ke kantor Disdukcapil?"
            )
        else:
            text = self.tr(
                "Server tidak terjangkau sejak %2 dan %1 kiriman menunggu. Kirim lewat flashdisk ke "
                "kantor Disdukcapil?"
            ).replace("%2", format_datetime(offer.since))
        self.offer_label.setText(text.replace("%1", str(offer.waiting)))
        self.offer_box.show()

    def open_stick_export(self, purpose: str = "send") -> None:
        """The "Kirim lewat flashdisk" dialog, with the selected batch ticked (all when none)."""
        from desa_capil.ui.usb_export_dialog import ExportDialog

        bid = self.selected_batch_id()
        row = next((r for r in self._rows if r.id == bid), None)
        pre = (
            [bid]
            if bid is not None and row is not None and row.state in (BatchState.SEALED, BatchState.SENDING)
            else None
        )
        dialog = ExportDialog(self.ctx, self, preselect=pre, purpose=purpose)
        dialog.exported.connect(lambda _r: self.refresh())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._stick_dialog = dialog
        dialog.open()

    @Slot()
    def show_contents(self) -> None:
        bid = self.selected_batch_id()
        if bid is not None:
            show_batch_contents(self.ctx, self, bid)

    @Slot()
    def reopen_selected(self) -> None:
        bid = self.selected_batch_id()
        row = next((r for r in self._rows if r.id == bid), None)
        if bid is None or row is None or row.state != BatchState.SEALED:
            return
        if not confirm(
            self,
            self.tr("Buka segel"),
            self.tr(
                "Buka segel kiriman ini? %1 permohonan di dalamnya kembali ke daftar 'Siap disegel' dan "
                "bisa diubah lagi. Catatan kiriman ini tetap disimpan sebagai dibatalkan."
            ).replace("%1", str(row.application_count)),
            self.tr("Buka segel"),
            self.tr("Jangan"),
        ):
            return
        db, operator = self.ctx.db, self.ctx.operator_id
        self.reopen_button.setEnabled(False)
        run_op(
            self,
            lambda _p: reopen(db, bid, operator),
            on_success=self.ctx.notify,
            db=True,
        ).finished.connect(self.refresh)

    def print_courier_manifest(self) -> None:
        bid = self.selected_batch_id()
        if bid is None:
            return
        from desa_capil.reports.forms_originals import make_courier_manifest
        from desa_capil.ui import printing

        db, title = self.ctx.db, self.tr("Daftar dokumen asli")
        run_op(
            self,
            lambda _p: make_courier_manifest(db, bid),
            on_success=lambda pdf: printing.print_pdf(self, pdf, title),
            db=True,
        )

    def checked_ids(self) -> list[str]:
        return [
            str(self.ready_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.ready_list.count())
            if self.ready_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def all_ids(self) -> list[str]:
        return [
            str(self.ready_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.ready_list.count())
        ]

    @Slot()
    def seal_selected(self) -> None:
        self._seal(self.checked_ids())

    @Slot()
    def seal_all(self) -> None:
        self._seal(self.all_ids())

    def _seal(self, ids: list[str]) -> None:
        db = self.ctx.db
        operator = self.ctx.operator_id

        def op(_p: object) -> SealedBatch:
            # seal_batch refuses an empty list with a message the user understands.
            return seal_batch(db, ids, make_assembler(db), operator_id=operator)

        self._sealing = frozenset(ids)

        self.seal_all_button.setEnabled(False)
        self.seal_selected_button.setEnabled(False)
        run_op(self, op, on_success=self._sealed, db=True).finished.connect(self.refresh)

    def _sealed(self, batch: SealedBatch) -> None:
        self.sealed.emit(batch)
        self.ctx.notify(Changes(applications=self._sealing, batches=frozenset({batch.id})))
        self.send_now()

    @Slot()
    def send_now(self) -> None:
        sync = self.ctx.sync
        if sync is not None and hasattr(sync, "send_now"):
            sync.send_now()  # type: ignore[attr-defined]

    @Slot()
    def retry_selected(self) -> None:
        bid = self.selected_batch_id()
        if bid is None:
            return
        db = self.ctx.db
        run_op(self, lambda _p: sealing.retry(db, bid), on_success=self._retried, db=True)

    @Slot()
    def retry_events(self) -> None:
        db = self.ctx.db
        run_op(self, lambda _p: sealing.retry_events(db), on_success=self._retried, db=True)

    def _retried(self, changes: Changes) -> None:
        self.ctx.notify(changes)  # reloads this page (batches or events changed)
        self.send_now()

    @Slot()
    def cancel_selected(self) -> None:
        bid = self.selected_batch_id()
        row = next((r for r in self._rows if r.id == bid), None)
        if bid is None or row is None or row.state != BatchState.FAILED:
            return
        if not confirm(
            self,
            self.tr("Batalkan kiriman"),
            self.tr(
                "Batalkan kiriman ini? %1 permohonan di dalamnya kembali ke daftar 'Siap disegel' "
                "(atau 'Perlu perbaikan') supaya datanya bisa diperbaiki lalu disegel ulang. "
                "Catatan kiriman ini tetap disimpan."
            ).replace("%1", str(row.application_count)),
            self.tr("Batalkan kiriman"),
            self.tr("Jangan"),
            danger=True,
        ):
            return
        db, operator = self.ctx.db, self.ctx.operator_id
        self.cancel_button.setEnabled(False)
        run_op(
            self,
            lambda _p: sealing.cancel(db, bid, operator_id=operator),
            on_success=self.ctx.notify,
            db=True,
        ).finished.connect(self.refresh)

    def _event_text(self, status: str) -> str:
        return {
            Status.ARRIVED.value: self.tr("Dokumen diterima di desa"),
            Status.HANDED_OVER.value: self.tr("Dokumen diserahkan ke warga"),
        }.get(status, status or self.tr("(tidak terbaca)"))

    def _fill_events(self, events: list[ParkedEvent]) -> None:
        self.events_table.setRowCount(len(events))
        for i, ev in enumerate(events):
            values = [
                format_datetime(ev.created_at),
                ev.applicant_name or "–",
                self._event_text(ev.status),
                ev.reason,
            ]
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                if c == 3:
                    item.setToolTip(v)
                self.events_table.setItem(i, c, item)
        self.events_title.setText(
            self.tr(
                "%1 catatan ditolak server Disdukcapil dan tidak akan terkirim sendiri. "
                "Hubungi petugas Disdukcapil dengan alasan di bawah ini."
            ).replace("%1", str(len(events)))
        )
        self.events_title.setVisible(bool(events))
        self.events_table.setVisible(bool(events))
        self.events_retry_button.setVisible(bool(events))

    # --- live news ----------------------------------------------------------------------------

    @Slot(object)
    def _on_progress(self, p: BatchProgress) -> None:
        self._progress[p.batch_id] = p
        for i, row in enumerate(self._rows):
            if row.id == p.batch_id:
                bar = self.table.cellWidget(i, COLUMNS.index("progress"))
                if isinstance(bar, QProgressBar):
                    percent, text = self._progress_text(row)
                    bar.setValue(percent)
                    bar.setFormat(text)

    @Slot(object)
    def _on_error(self, exc: object) -> None:
        message = getattr(exc, "message", None)
        if callable(message):
            self.error_label.setText(str(message(lang())))
            self.error_label.show()

    @Slot(str, object)
    def _connection_changed(self, state: str, contact: datetime | None) -> None:
        if state in ("online", "syncing"):
            self.error_label.hide()
        if contact is None:
            self.contact_label.setText(self.tr("Belum pernah berhasil terhubung ke server"))
        else:
            self.contact_label.setText(
                self.tr("Kontak terakhir dengan server: %1").replace("%1", format_datetime(contact))
            )

    @Slot(int)
    def _show_pending(self, n: int) -> None:
        if n > 0:
            self.pending_label.setText(self.tr("Menunggu diunggah: %1").replace("%1", format_bytes(n)))
        else:
            self.pending_label.setText(self.tr("Tidak ada data yang menunggu diunggah"))
