"""The main window: sidebar navigation, the pages, and a status bar with the link state.

Pages are plugged in by module and class name and built the first time they are shown, so
start-up only pays for the dashboard. Every page class takes ``(ctx, parent)`` and has a
``refresh()`` slot, called each time the page is shown.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QStatusBar,
    QWidget,
)

from desa_capil.services.changes import Changes
from desa_capil.store import repo, setting_keys
from desa_capil.ui.context import AppContext, ConnectionState
from desa_capil.ui.errors import handle_exception
from desa_capil.ui.tasks import Progress, run_op, wait_idle
from desa_capil.ui.theme import icon_pixmap
from desa_capil.ui.widgets.format import format_bytes, format_datetime
from desa_capil.ui.widgets.responsive import ElidedLabel
from desa_capil.ui.widgets.sidebar import Sidebar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageSpec:
    key: str
    module: str
    cls: str
    icon: str
    bottom: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec("dashboard", "desa_capil.ui.pages.dashboard_page", "DashboardPage", "home"),
    PageSpec("queue", "desa_capil.ui.pages.queue_page", "QueuePage", "applications"),
    PageSpec("batches", "desa_capil.ui.pages.batches_page", "BatchesPage", "batches"),
    PageSpec("distribution", "desa_capil.ui.pages.distribution_page", "DistributionPage", "handover"),
    PageSpec("reports", "desa_capil.ui.pages.reports_page", "ReportsPage", "reports"),
    PageSpec("settings", "desa_capil.ui.pages.settings_page", "SettingsPage", "settings", bottom=True),
)
PAGE_KEYS = tuple(p.key for p in PAGES)

# A 1366x768 laptop at 150 % display scaling has 910x512 logical pixels, less the taskbar and
# the title bar: every page must work in that. Below COMPACT_BELOW the sidebar shows icons only.
MINIMUM_SIZE = (800, 440)
COMPACT_BELOW = 1120


def page_titles() -> dict[str, str]:
    t = QCoreApplication.translate
    return {
        "dashboard": t("MainWindow", "Beranda"),
        "queue": t("MainWindow", "Permohonan"),
        "batches": t("MainWindow", "Kiriman"),
        "distribution": t("MainWindow", "Siap Dibagikan"),
        "reports": t("MainWindow", "Laporan"),
        "settings": t("MainWindow", "Pengaturan"),
    }


# state -> (icon, colour)
_CONNECTION_LOOK: dict[str, tuple[str, str]] = {
    ConnectionState.NOT_CONFIGURED: ("cloud_off", "#64748b"),
    ConnectionState.OFFLINE: ("cloud_off", "#b45309"),
    ConnectionState.ONLINE: ("cloud", "#15803d"),
    ConnectionState.SYNCING: ("cloud", "#1d5fd1"),
    ConnectionState.ERROR: ("alert", "#b91c1c"),
    ConnectionState.WAITING: ("cloud_off", "#b45309"),
    ConnectionState.NEEDS_LOGIN: ("alert", "#b45309"),
    ConnectionState.NEEDS_ENROLLMENT: ("alert", "#b91c1c"),
    ConnectionState.STOPPED_ERROR: ("alert", "#b91c1c"),
}


def connection_text(state: str) -> str:
    t = QCoreApplication.translate
    return {
        ConnectionState.NOT_CONFIGURED: t("MainWindow", "Belum terhubung ke server Disdukcapil"),
        ConnectionState.OFFLINE: t("MainWindow", "Luring: data aman tersimpan di laptop"),
        ConnectionState.ONLINE: t("MainWindow", "Terhubung ke Disdukcapil"),
        ConnectionState.SYNCING: t("MainWindow", "Sedang menyinkronkan..."),
        ConnectionState.ERROR: t("MainWindow", "Ada kesalahan saat mengirim"),
        ConnectionState.WAITING: t("MainWindow", "Menunggu server Disdukcapil"),
        ConnectionState.NEEDS_LOGIN: t("MainWindow", "Wi-Fi ini minta login di browser"),
        ConnectionState.NEEDS_ENROLLMENT: t("MainWindow", "Laptop ini belum terdaftar di server Disdukcapil"),
        ConnectionState.STOPPED_ERROR: t("MainWindow", "Pengiriman berhenti karena kesalahan"),
    }.get(state, state)


class MainWindow(QMainWindow):
    """The app's one window.

    Signals:
        page_changed(str): a page (by key) is now shown.
        status_refreshed(): the status bar has fresh pending-upload and village figures.
    """

    page_changed = Signal(str)
    status_refreshed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.ctx = ctx
        self._pages: dict[str, QWidget] = {}
        self._current = ""
        self._village = ""
        self.resize(1280, 720)
        self.setMinimumSize(*MINIMUM_SIZE)

        central = QWidget(self)
        central.setObjectName("central")
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.sidebar = Sidebar(central)
        titles = page_titles()
        for spec in PAGES:
            self.sidebar.add_page(spec.key, titles[spec.key], spec.icon, bottom=spec.bottom)
        self.sidebar.page_selected.connect(self.show_page)
        self.stack = QStackedWidget(central)
        self.stack.setObjectName("pageStack")
        row.addWidget(self.sidebar)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        bar = QStatusBar(self)
        bar.setObjectName("statusBar")
        bar.setSizeGripEnabled(False)
        self.connection_icon = QLabel(bar)
        self.connection_label = ElidedLabel("", bar)
        self.connection_label.setObjectName("connectionLabel")
        self.pending_icon = QLabel(bar)
        self.pending_icon.setPixmap(icon_pixmap("upload", "#475569", 16))
        self.pending_label = QLabel(bar)
        self.pending_label.setObjectName("pendingLabel")
        self.connection_icon.setContentsMargins(10, 0, 0, 0)
        bar.addWidget(self.connection_icon)
        bar.addWidget(self.connection_label, 1)
        bar.addPermanentWidget(self.pending_icon)
        bar.addPermanentWidget(self.pending_label)
        self.setStatusBar(bar)

        for n, spec in enumerate(PAGES, start=1):
            QShortcut(QKeySequence(f"Ctrl+{n}"), self, lambda k=spec.key: self.show_page(k))
        QShortcut(QKeySequence.StandardKey.New, self, self._new_application)
        QShortcut(QKeySequence.StandardKey.Refresh, self, self._refresh_current)

        ctx.connection_changed.connect(self._connection_changed)
        ctx.pending_bytes_changed.connect(self._show_pending)
        # The status bar shows what waits to be uploaded and the village's name.
        ctx.changed.connect(self._on_changes)
        self._connection_changed(ctx.connection_state, ctx.last_contact)
        self.pending_label.setText("")
        self.refresh_status()
        self.show_page("dashboard")
        self._update_title()

    # -- pages -------------------------------------------------------------------------------

    def page(self, key: str) -> QWidget:
        """The page widget for `key`, built on first use."""
        page = self._pages.get(key)
        if page is None:
            spec = next(p for p in PAGES if p.key == key)
            page = self._build_page(spec)
            self._pages[key] = page
            self.stack.addWidget(page)
        return page

    def _build_page(self, spec: PageSpec) -> QWidget:
        try:
            cls = getattr(importlib.import_module(spec.module), spec.cls)
            page: QWidget = cls(self.ctx, self.stack)
        except Exception as exc:  # noqa: BLE001 - one broken page must not take the whole app down
            log.exception("page %s could not be built", spec.key)
            handle_exception(self, exc)
            page = QLabel(self.tr("Halaman ini tidak bisa dibuka karena kesalahan program."), self.stack)
            page.setObjectName("brokenPage")
            page.setAlignment(Qt.AlignmentFlag.AlignCenter)
            return page
        if spec.key == "dashboard":
            page.open_group.connect(self.open_queue_group)  # type: ignore[attr-defined]
            page.open_page.connect(self.show_page)  # type: ignore[attr-defined]
        return page

    @Slot(str)
    def show_page(self, key: str) -> QWidget:
        page = self.page(key)
        first = self._current != key
        refresh = getattr(page, "refresh", None)
        # A freshly built page loads itself; refresh when coming back to one. Before it is shown:
        # a page whose data changed while hidden reloads in its showEvent unless already fresh.
        if first and callable(refresh) and page.property("shownOnce"):
            refresh()
        page.setProperty("shownOnce", True)
        self.stack.setCurrentWidget(page)
        self.sidebar.set_current(key)
        self._current = key
        if first:
            self.page_changed.emit(key)
        self._update_title()
        return page

    def current_page_key(self) -> str:
        return self._current

    @Slot(str)
    def open_queue_group(self, group_key: str) -> None:
        queue = self.show_page("queue")
        queue.show_group(group_key)  # type: ignore[attr-defined]

    def _new_application(self) -> None:
        from desa_capil.ui.pages.queue_page import open_intake_or_explain

        open_intake_or_explain(self.ctx, self, None)

    def _refresh_current(self) -> None:
        refresh = getattr(self.stack.currentWidget(), "refresh", None)
        if callable(refresh):
            refresh()
        self.refresh_status()

    def _update_title(self) -> None:
        parts = [page_titles().get(self._current, ""), self._village, self.tr("Layanan Adminduk Desa")]
        if self.ctx.demo:
            parts.insert(0, self.tr("MODE DEMO"))
        self.setWindowTitle(" \u2014 ".join(p for p in parts if p))

    # -- status bar --------------------------------------------------------------------------

    @Slot(object)
    def _on_changes(self, changes: Changes) -> None:
        # What waits to be uploaded (batches) and the village's name (a setting).
        if changes.batches or changes.settings:
            self.refresh_status()

    def refresh_status(self) -> None:
        db = self.ctx.db

        def op(_p: Progress) -> tuple[int, str]:
            return repo.pending_upload_bytes(db), repo.get_setting(db, setting_keys.VILLAGE_NAME)

        run_op(self, op, on_success=self._status_loaded)

    def _status_loaded(self, result: tuple[int, str]) -> None:
        pending, village = result
        self._show_pending(pending)
        self._village = village
        self.sidebar.set_village(village)
        self._update_title()
        self.status_refreshed.emit()

    @Slot(int)
    def _show_pending(self, n: int) -> None:
        if n > 0:
            self.pending_label.setText(self.tr("Menunggu diunggah: %1").replace("%1", format_bytes(n)))
        else:
            self.pending_label.setText(self.tr("Tidak ada data yang menunggu diunggah"))

    @Slot(str, object)
    def _connection_changed(self, state: str, last_contact: datetime | None) -> None:
        name, color = _CONNECTION_LOOK.get(state, ("cloud_off", "#64748b"))
        self.connection_icon.setPixmap(icon_pixmap(name, color, 16))
        text = connection_text(state)
        if self.ctx.connection_detail and state != ConnectionState.ONLINE:
            text += "  \u00b7  " + self.ctx.connection_detail
        self.connection_label.setToolTip(self.ctx.connection_reason)
        if last_contact is not None:
            text += "  \u00b7  " + self.tr("Kontak terakhir: %1").replace("%1", format_datetime(last_contact))
        elif state != ConnectionState.NOT_CONFIGURED:
            text += "  \u00b7  " + self.tr("Belum pernah berhasil terhubung")
        self.connection_label.setText(text)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.sidebar.set_compact(event.size().width() < COMPACT_BELOW)
        super().resizeEvent(event)

    # -- shutdown ----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        # Let running database work finish: a write cut off half-way is rolled back by SQLite,
        # but the operator was told it would be saved.
        if not wait_idle():
            log.warning("background work still running at close")
        super().closeEvent(event)
