"""The queue of applications as a table model that stays light with 100k rows.

Only the ordered ids of the matching applications live in memory (a list of strings). Rows are
fetched a page at a time in the background (store.queries.queue_rows through run_op) when the
view first asks for them, and kept in a small LRU cache of pages, so scrolling through the
whole queue never holds more than ``PAGE_SIZE * CACHE_PAGES`` rows. Filtering and ordering
happen in SQL (store.queries.queue_ids).

Until a page arrives its rows show a muted "Memuat..." (or, right after a reload, the row as it
was before, so a refresh after a save does not flicker).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from desa_capil.domain.catalog import SERVICES, Urgency, urgency_label
from desa_capil.domain.status import Status
from desa_capil.domain.status import label as status_label
from desa_capil.store import queries
from desa_capil.store.db import Database
from desa_capil.store.queries import QueueFilter, QueueRow
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.theme import TEXT_MUTED, URGENT, icon

log = logging.getLogger(__name__)

PAGE_SIZE = 100
CACHE_PAGES = 20

_Index = QModelIndex | QPersistentModelIndex


def mask_nik(nik: str) -> str:
    """Hide the middle of a NIK or KK number on screen: 3201********0001."""
    if len(nik) <= 8:
        return nik
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]


def local_time(dt: datetime) -> datetime:
    """SQLite hands back naive datetimes; the store writes UTC."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone()


def service_name(code: str) -> str:
    service = SERVICES.get(code)
    return service.name(lang()) if service is not None else code


# Statuses the village set last (made, completed, sent): no office message applies to them.
VILLAGE_TURN = frozenset({Status.DRAFT, Status.READY, Status.SENDING, Status.SENT})


class QueueModel(QAbstractTableModel):
    """Applications matching a QueueFilter, urgent first, newest first.

    Signals:
        reloaded(int): the ids were loaded again; the number of matching applications.
        rows_fetched(int, int): rows first..last (inclusive) arrived from the database.
    """

    reloaded = Signal(int)
    rows_fetched = Signal(int, int)

    COL_URGENCY, COL_NAME, COL_NIK, COL_SERVICE, COL_STATUS, COL_DATE, COL_MESSAGE = range(7)
    COLUMN_COUNT = 7

    IdRole = Qt.ItemDataRole.UserRole + 1
    StatusRole = Qt.ItemDataRole.UserRole + 2
    RowRole = Qt.ItemDataRole.UserRole + 3

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self._filter = QueueFilter()
        self._ids: list[str] = []
        # page number -> {id: row or None when the id vanished meanwhile}; LRU order.
        self._pages: OrderedDict[int, dict[str, QueueRow | None]] = OrderedDict()
        # Rows from before the last reload, shown until their new page arrives.
        self._stale: dict[str, QueueRow | None] = {}
        self._wanted: set[int] = set()
        self._inflight: set[int] = set()
        self._generation = 0
        self.loading = False
        self._urgent_icon = icon("urgent", URGENT)
        self._muted = QColor(TEXT_MUTED)
        self._bold = QFont()
        self._bold.setWeight(QFont.Weight.DemiBold)
        self._fetch_timer = QTimer(self)
        self._fetch_timer.setSingleShot(True)
        self._fetch_timer.setInterval(0)
        self._fetch_timer.timeout.connect(self._fetch_wanted)

    # -- loading ---------------------------------------------------------------------------

    @property
    def filter(self) -> QueueFilter:
        return self._filter

    def set_filter(self, f: QueueFilter) -> None:
        self._filter = f
        self.reload()

    def reload(self) -> None:
        """Load the matching ids again (after a filter change or a data change)."""
        self._generation += 1
        gen = self._generation
        f = self._filter
        db = self.db
        self.loading = True

        def op(_p: Progress) -> list[str]:
            return queries.queue_ids(db, f)

        # Reads go to the shared pool, not the single DB-writer thread: in WAL mode a read does
        # not wait for writers, and a long seal or sync write must not freeze the queue view.
        run_op(None, op, on_success=lambda ids: self._ids_loaded(gen, ids))

    def _ids_loaded(self, gen: int, ids: list[str]) -> None:
        if gen != self._generation:
            return  # a newer reload is under way
        self.beginResetModel()
        stale: dict[str, QueueRow | None] = {}
        for page in self._pages.values():
            stale.update(page)
        self._stale = stale
        self._pages.clear()
        self._wanted.clear()
        self._inflight.clear()
        self._ids = ids
        self.loading = False
        self.endResetModel()
        self.reloaded.emit(len(ids))

    def _want(self, page: int) -> None:
        if page in self._inflight or page in self._wanted:
            return
        self._wanted.add(page)
        if not self._fetch_timer.isActive():
            # Coalesce the pages one paint asks for into one background query.
            self._fetch_timer.start()

    def _fetch_wanted(self) -> None:
        pages = sorted(self._wanted)
        self._wanted.clear()
        if not pages:
            return
        self._inflight.update(pages)
        gen = self._generation
        chunks = {p: self._ids[p * PAGE_SIZE : (p + 1) * PAGE_SIZE] for p in pages}
        db = self.db

        def op(_p: Progress) -> dict[int, dict[str, QueueRow | None]]:
            wanted = [i for ids in chunks.values() for i in ids]
            found = queries.queue_rows(db, wanted)
            return {p: {i: found.get(i) for i in ids} for p, ids in chunks.items()}

        run_op(None, op, on_success=lambda result: self._pages_arrived(gen, result))

    def _pages_arrived(self, gen: int, result: dict[int, dict[str, QueueRow | None]]) -> None:
        if gen != self._generation:
            return
        for page, rows in result.items():
            self._inflight.discard(page)
            self._pages[page] = rows
            self._pages.move_to_end(page)
            for i in rows:
                self._stale.pop(i, None)
        while len(self._pages) > CACHE_PAGES:
            self._pages.popitem(last=False)
        for page in result:
            first = page * PAGE_SIZE
            last = min(len(self._ids), first + PAGE_SIZE) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, self.COLUMN_COUNT - 1))
                self.rows_fetched.emit(first, last)

    # -- access ------------------------------------------------------------------------------

    @property
    def ids(self) -> list[str]:
        return self._ids

    def id_at(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, application_id: str) -> int:
        try:
            return self._ids.index(application_id)
        except ValueError:
            return -1

    def cached_row(self, row: int) -> QueueRow | None:
        """The row's data if it is in memory (without asking the database)."""
        app_id = self.id_at(row)
        if app_id is None:
            return None
        page = self._pages.get(row // PAGE_SIZE)
        if page is not None and app_id in page:
            return page[app_id]
        return self._stale.get(app_id)

    def is_loaded(self, row: int) -> bool:
        page = self._pages.get(row // PAGE_SIZE)
        return page is not None

    def materialised_rows(self) -> int:
        """How many rows are held in memory now (bounded by PAGE_SIZE * CACHE_PAGES * 2)."""
        return sum(len(p) for p in self._pages.values()) + len(self._stale)

    def _row(self, row: int) -> QueueRow | None:
        app_id = self._ids[row]
        pageno = row // PAGE_SIZE
        page = self._pages.get(pageno)
        if page is not None:
            self._pages.move_to_end(pageno)
            return page.get(app_id)
        self._want(pageno)
        return self._stale.get(app_id)

    # -- Qt model API ------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else self.COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            t = QCoreApplication.translate
            return [
                "",
                t("QueueModel", "Nama pemohon"),
                t("QueueModel", "NIK"),
                t("QueueModel", "Layanan"),
                t("QueueModel", "Status"),
                t("QueueModel", "Tanggal masuk"),
                t("QueueModel", "Pesan dari Disdukcapil"),
            ][section]
        if role == Qt.ItemDataRole.ToolTipRole and section == self.COL_URGENCY:
            return QCoreApplication.translate("QueueModel", "Tanda permohonan mendesak")
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        col = index.column()
        if role == self.IdRole:
            return self._ids[index.row()]
        row = self._row(index.row())
        if row is None:
            if role == Qt.ItemDataRole.DisplayRole and col == self.COL_NAME:
                return QCoreApplication.translate("QueueModel", "Memuat...")
            if role == Qt.ItemDataRole.ForegroundRole:
                return self._muted
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == self.StatusRole:
            # A fix ready to go is painted like a ready application (the text says which).
            return Status.READY if row.fix_ready else row.status
        if role == self.RowRole:
            return row
        urgent = row.urgency is not Urgency.NORMAL
        if role == Qt.ItemDataRole.DecorationRole and col == self.COL_URGENCY and urgent:
            return self._urgent_icon
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.COL_URGENCY and urgent:
                return urgency_label(row.urgency, lang())
            if col == self.COL_MESSAGE and row.office_message and row.status not in VILLAGE_TURN:
                return row.office_message
            if col == self.COL_DATE:
                return local_time(row.created_at).strftime("%d-%m-%Y %H:%M")
        if role == Qt.ItemDataRole.AccessibleTextRole and col == self.COL_URGENCY:
            return urgency_label(row.urgency, lang())
        if role == Qt.ItemDataRole.FontRole and col == self.COL_NAME and urgent:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and col in (self.COL_NIK, self.COL_DATE):
            return self._muted
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and col == self.COL_MESSAGE
            and row.status is Status.NEEDS_FIX
        ):
            return QColor("#b45309")
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.COL_URGENCY:
            return Qt.AlignmentFlag.AlignCenter
        return None

    def _display(self, row: QueueRow, col: int) -> str:
        if col == self.COL_NAME:
            return row.applicant_name
        if col == self.COL_NIK:
            return mask_nik(row.nik)
        if col == self.COL_SERVICE:
            return service_name(row.service_code)
        if col == self.COL_STATUS:
            if row.fix_ready:
                return QCoreApplication.translate("QueueModel", "Perbaikan siap dikirim")
            return status_label(row.status, lang())
        if col == self.COL_DATE:
            return local_time(row.created_at).strftime("%d-%m-%Y")
        if col == self.COL_MESSAGE:
            if row.status in VILLAGE_TURN:
                return ""  # answered by the village since: the office's old word is history
            return row.office_message.splitlines()[0] if row.office_message else ""
        return ""

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
