"""Beranda: how many applications are where, and what needs attention first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDate, QLocale, Qt, Signal, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desa_capil.domain.catalog import Urgency, urgency_label
from desa_capil.domain.status import Status
from desa_capil.domain.status import label as status_label
from desa_capil.services.changes import Changes
from desa_capil.store import distribution, queries, repo, setting_keys
from desa_capil.store.db import Database
from desa_capil.store.distribution import WaitingFilter
from desa_capil.store.queries import QueueFilter, QueueRow
from desa_capil.timeutil import as_utc
from desa_capil.ui.context import AppContext
from desa_capil.ui.i18n import lang
from desa_capil.ui.pages.base import LazyPage
from desa_capil.ui.pages.queue_page import open_intake_or_explain
from desa_capil.ui.queue_model import service_name
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.theme import URGENT, icon
from desa_capil.ui.widgets.count_card import CountCard
from desa_capil.ui.widgets.responsive import PageHeader
from desa_capil.ui.widgets.status import STATUS_GROUPS, StatusBadgeDelegate, count_for

ATTENTION_MAX = 8
# Still in the village's or the office's hands: worth chasing when urgent.
OPEN_STATUSES = frozenset(Status) - {Status.HANDED_OVER, Status.REJECTED}
CARD_COLUMNS = 4
CARD_MIN_WIDTH = 170

_STATUS_ROLE = Qt.ItemDataRole.UserRole + 2
_ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass
class DashboardData:
    counts: dict[Status, int]
    attention: list[AttentionItem]
    village: str


def load_counts(db: Database) -> tuple[dict[Status, int], str]:
    """Runs in the background: counts per status (one GROUP BY) and the village's name."""
    return repo.status_counts(db), repo.get_setting(db, setting_keys.VILLAGE_NAME)


@dataclass(frozen=True)
class AttentionItem:
    row: QueueRow
    overdue_days: int | None = None  # waiting at the village for longer than the set limit


REJECTED_RECENT_DAYS = 30


def load_attention(db: Database) -> list[AttentionItem]:
    """Runs in the background: urgent open applications, documents waiting too long at the
    village, then applications the office asked to fix."""
    # queue_ids orders urgent first, so the urgent ones are at the head of the open queue.
    open_ids = queries.queue_ids(db, QueueFilter(statuses=OPEN_STATUSES), limit=ATTENTION_MAX * 2)
    head = queries.queue_rows(db, open_ids)
    items = [AttentionItem(head[i]) for i in open_ids if i in head and head[i].urgency is not Urgency.NORMAL]
    seen = {it.row.id for it in items}
    overdue = [
        w
        for group in distribution.waiting_documents(db, WaitingFilter(overdue_only=True))
        for w in group.rows
        if w.application_id not in seen
    ]
    overdue.sort(key=lambda w: -w.days_waiting)
    late_rows = queries.queue_rows(db, [w.application_id for w in overdue[:ATTENTION_MAX]])
    for w in overdue[:ATTENTION_MAX]:
        if w.application_id in late_rows:
            items.append(AttentionItem(late_rows[w.application_id], w.days_waiting))
            seen.add(w.application_id)
    fix_ids = queries.queue_ids(db, QueueFilter(statuses=frozenset({Status.NEEDS_FIX})), limit=ATTENTION_MAX)
    fixes = queries.queue_rows(db, fix_ids)
    items += [AttentionItem(fixes[i]) for i in fix_ids if i in fixes and i not in seen]
    # Refusals of the last weeks: the resident must still be told why (Kabari warga).
    since = datetime.now(UTC) - timedelta(days=REJECTED_RECENT_DAYS)
    rejected_ids = queries.queue_ids(
        db, QueueFilter(statuses=frozenset({Status.REJECTED})), limit=ATTENTION_MAX
    )
    rejected = queries.queue_rows(db, rejected_ids)
    items += [
        AttentionItem(rejected[i])
        for i in rejected_ids
        if i in rejected and i not in seen and as_utc(rejected[i].status_at) >= since
    ]
    return items[:ATTENTION_MAX]


class DashboardPage(LazyPage):
    """Count cards per status group and the applications that need attention.

    The counts (one GROUP BY) and the attention list (which reads the open queue) load as two
    background operations, so the cards fill at once even with a very long queue.

    Signals:
        open_group(str): the operator clicked a status group's card (a STATUS_GROUPS key).
        open_page(str): the operator asked for another page (a main-window page key).
        counts_loaded(): fresh counts are on the cards.
        loaded(): counts and the attention list are both fresh on screen.
    """

    open_group = Signal(str)
    open_page = Signal(str)
    counts_loaded = Signal()
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardPage")
        self.ctx = ctx
        self._generation = 0
        self._pending = 0
        self.data: DashboardData | None = None

        # Everything scrolls as one: at 150 % display scaling the cards and the attention list
        # do not fit a 768-pixel-high screen together.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("pageScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(self.scroll)
        body.setObjectName("pageBody")
        self.scroll.setWidget(body)
        outer.addWidget(self.scroll)

        root = QVBoxLayout(body)
        root.setContentsMargins(28, 24, 28, 20)
        root.setSpacing(18)

        self.title_label = QLabel(self.tr("Beranda"), body)
        self.title_label.setObjectName("pageTitle")
        self.subtitle_label = QLabel(body)
        self.subtitle_label.setObjectName("pageSubtitle")
        self.header = PageHeader(self.title_label, self.subtitle_label, body)
        self.new_button = QPushButton(icon("plus", "#ffffff"), self.tr("Permohonan Baru"), body)
        self.new_button.setObjectName("bigNewButton")
        self.new_button.setProperty("primary", True)
        self.new_button.setProperty("big", True)
        self.new_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.new_button.clicked.connect(self.new_application)
        self.header.add_action(self.new_button)
        root.addWidget(self.header)

        # Requests the office has not answered within 3x24 hours, documents waiting too long at
        # the village: hidden while nothing is late.
        from desa_capil.ui.widgets_overdue import OverdueBanner

        self.overdue = OverdueBanner(ctx, body)
        self.overdue.open_unanswered.connect(lambda _ids: self.open_group.emit("waiting"))
        self.overdue.open_waiting.connect(lambda _ids: self.open_page.emit("distribution"))
        root.addWidget(self.overdue)

        # The last good backup to a stick, and the weekly reminder (desa_capil.ui.backup_dialog).
        from desa_capil.ui.backup_dialog import BackupBanner

        self.backup_banner = BackupBanner(ctx, body)
        root.addWidget(self.backup_banner)

        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(14)
        self.cards: dict[str, CountCard] = {}
        for group in STATUS_GROUPS:
            card = CountCard(group.key, group.label(), group.hint(), group.colors, body)
            card.clicked.connect(self.open_group)
            self.cards[group.key] = card
        self.card_columns = 0
        self._place_cards(CARD_COLUMNS)
        root.addLayout(self.grid)

        panel = QFrame(body)
        panel.setObjectName("panel")
        pv = QVBoxLayout(panel)
        pv.setContentsMargins(18, 14, 18, 10)
        pv.setSpacing(8)
        ptitle = QLabel(self.tr("Perlu perhatian"), panel)
        ptitle.setObjectName("sectionTitle")
        phint = QLabel(
            self.tr(
                "Permohonan mendesak didahulukan, lalu dokumen yang lama menunggu, yang diminta "
                "diperbaiki, dan yang ditolak Disdukcapil (warga perlu dikabari)."
            ),
            panel,
        )
        phint.setObjectName("sectionHint")
        pv.addWidget(ptitle)
        pv.addWidget(phint)
        self.attention = QTableWidget(0, 4, panel)
        self.attention.setObjectName("attentionTable")
        self.attention.horizontalHeader().hide()
        self.attention.verticalHeader().hide()
        self.attention.setShowGrid(False)
        self.attention.setWordWrap(False)
        self.attention.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.attention.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.attention.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.attention.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.attention.verticalHeader().setDefaultSectionSize(40)
        # Room for four rows even when the window is short; the page scrolls instead.
        self.attention.setMinimumHeight(4 * 40 + 4)
        self.attention.setItemDelegateForColumn(3, StatusBadgeDelegate(_STATUS_ROLE, self.attention))
        hh = self.attention.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        self.attention.setColumnWidth(0, 36)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.attention.setColumnWidth(3, 170)
        self.attention.cellDoubleClicked.connect(self._attention_opened)
        self.attention_empty = QLabel(self.tr("Tidak ada yang mendesak. Bagus!"), panel)
        self.attention_empty.setObjectName("emptyStateSmall")
        pv.addWidget(self.attention, 1)
        pv.addWidget(self.attention_empty)
        self.attention_empty.hide()
        root.addWidget(panel, 1)

        self._urgent_icon = icon("urgent", URGENT)
        self._alert_icon = icon("alert", "#b45309")
        self._late_icon = icon("handover", "#15803d")
        self.watch(ctx)
        self.refresh()

    def _place_cards(self, columns: int) -> None:
        """Lay the cards out in `columns` columns (4 on a wide window, 2 when narrow)."""
        if columns == self.card_columns:
            return
        for card in self.cards.values():
            self.grid.removeWidget(card)
        for n, card in enumerate(self.cards.values()):
            self.grid.addWidget(card, n // columns, n % columns)
        for c in range(max(columns, self.card_columns)):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)
        self.card_columns = columns

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Four cards of at least ~170 px side by side, else two columns. (The viewport is
        # resized after this event, so work from the page's width less margins and scroll bar.)
        width = event.size().width() - 56 - self.scroll.verticalScrollBar().sizeHint().width()
        self._place_cards(CARD_COLUMNS if width >= CARD_MIN_WIDTH * CARD_COLUMNS else 2)
        super().resizeEvent(event)

    def concerns(self, changes: Changes) -> bool:
        # Counts by status, what waits to be sent, and documents waiting for their residents.
        return bool(changes.applications or changes.batches or changes.handovers)

    @Slot()
    def refresh(self) -> None:
        self._dirty = False
        self._generation += 1
        gen = self._generation
        self._pending = 2
        db = self.ctx.db

        def counts_op(_p: Progress) -> tuple[dict[Status, int], str]:
            return load_counts(db)

        def attention_op(_p: Progress) -> list[AttentionItem]:
            return load_attention(db)

        run_op(self, counts_op, on_success=lambda r: self._show_counts(gen, r))
        run_op(self, attention_op, on_success=lambda r: self._show_attention(gen, r))

    def _show_counts(self, gen: int, result: tuple[dict[Status, int], str]) -> None:
        if gen != self._generation:
            return
        counts, village = result
        self.data = DashboardData(counts, self.data.attention if self.data else [], village)
        for group in STATUS_GROUPS:
            self.cards[group.key].set_count(count_for(group, counts))
        locale = QLocale(QLocale.Language.English if lang() == "en" else QLocale.Language.Indonesian)
        today = locale.toString(QDate.currentDate(), "dddd, d MMMM yyyy")
        self.subtitle_label.setText(f"{village} \u00b7 {today}" if village else today)
        self.counts_loaded.emit()
        self._one_done()

    def _show_attention(self, gen: int, attention: list[AttentionItem]) -> None:
        if gen != self._generation:
            return
        if self.data is None:
            self.data = DashboardData({}, attention, "")
        else:
            self.data.attention = attention
        self.attention.setRowCount(len(attention))
        for r, item in enumerate(attention):
            row = item.row
            marker = QTableWidgetItem()
            if row.urgency is not Urgency.NORMAL:
                marker.setIcon(self._urgent_icon)
                marker.setToolTip(urgency_label(row.urgency, lang()))
            elif item.overdue_days is not None:
                marker.setIcon(self._late_icon)
            else:
                marker.setIcon(self._alert_icon)
            marker.setData(_ID_ROLE, row.id)
            name = QTableWidgetItem(row.applicant_name)
            if item.overdue_days is not None:
                detail = self.tr("menunggu diambil %n hari", "", item.overdue_days)
            else:
                detail = row.office_message.splitlines()[0] if row.office_message else ""
            service = QTableWidgetItem(
                service_name(row.service_code) + (f" \u2014 {detail}" if detail else "")
            )
            service.setToolTip(row.office_message or service.text())
            status = QTableWidgetItem(status_label(row.status, lang()))
            status.setData(_STATUS_ROLE, row.status)
            for c, cell in enumerate((marker, name, service, status)):
                self.attention.setItem(r, c, cell)
        self.attention.setVisible(bool(attention))
        self.attention_empty.setVisible(not attention)
        self._one_done()

    def _one_done(self) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.loaded.emit()

    def _attention_opened(self, row: int, _col: int) -> None:
        item = self.attention.item(row, 0)
        if item is not None:
            from desa_capil.ui.detail_dialog import open_application

            # Sent or rejected applications open read-only (with "Kabari warga").
            open_application(self.ctx, self, item.data(_ID_ROLE))

    @Slot()
    def new_application(self) -> None:
        open_intake_or_explain(self.ctx, self.window(), None)
