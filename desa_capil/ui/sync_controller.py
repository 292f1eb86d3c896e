"""Runs the sync worker on a QThread and feeds its news to the rest of the app.

    controller = SyncController(ctx)
    controller.start()          # ctx.sync = controller
    controller.send_now()       # "Kirim sekarang"
    controller.reconfigure()    # after enrollment or a new server address
    controller.stop()           # at shutdown

The worker (desa_capil.sync.worker) knows nothing of Qt. It calls a small listener from its
thread; the listener only emits signals, which Qt queues to the UI thread. The worker wakes at
once when the operating system reports that the network is back (QNetworkInformation), when
the user presses "Kirim sekarang" (which also makes every postponed item due at once), or after
its back-off; while the server is not reachable it asks the server's cheap health endpoint at
most every 30 s and tries as soon as that answers.

The status bar always says what the worker says (``SyncStatus``): syncing, in contact, waiting
for the server (why, and when the next try is), offline, a Wi-Fi login page in the way, not
enrolled (also before the worker runs, as soon as something sealed waits), an error the worker
retries, or stopped with an error: the sync thread itself ended without being asked to (it
could not start the worker, e.g. the database or the credential store failed). Then nothing
is sent until "Kirim sekarang" starts it again, and the status bar says so and what to do.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtNetwork import QNetworkInformation
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from desa_capil.domain.status import Status, label
from desa_capil.services.changes import Changes, pass_changes
from desa_capil.services.sealing import batch_changes
from desa_capil.store.repo import pending_upload_bytes
from desa_capil.sync.client import NotConfigured, SyncError, TokenRevoked
from desa_capil.sync.config import credential_store, load_config
from desa_capil.sync.worker import (
    BatchProgress,
    PassResult,
    SyncPhase,
    SyncStatus,
    SyncWorker,
    has_pending_work,
    last_contact,
    next_try_text,
)
from desa_capil.ui import gc_guard
from desa_capil.ui.context import AppContext, ConnectionState
from desa_capil.ui.i18n import lang

log = logging.getLogger(__name__)

STOPPED_ID = (
    "Pengiriman berhenti karena ada kesalahan di aplikasi. Data tetap aman di laptop. Tekan "
    "Kirim sekarang untuk menjalankannya lagi; bila berhenti lagi, tutup lalu buka kembali "
    "aplikasi, dan bila masih terjadi hubungi petugas Disdukcapil dengan menyebut keterangan "
    "kesalahan ini."
)
STOPPED_EN = (
    "Sending stopped because of an error in the app. Data is safe on this laptop. Press Send "
    "now to start it again; if it stops again, close and reopen the app, and if it still "
    "happens contact the office and quote this error."
)


class _Bridge(QObject):
    """Listener of the worker: called on the worker thread, it only emits signals."""

    progress = Signal(object)  # BatchProgress
    contact = Signal(object)  # datetime
    batch_done = Signal(str, str, object)  # batch id, BatchState value, its Changes
    passed = Signal(object)  # PassResult
    failed = Signal(object)  # SyncError
    pending = Signal(int)  # bytes still to upload
    status = Signal(object)  # SyncStatus


class _Listener:
    def __init__(
        self, bridge: _Bridge, pending: Callable[[], int], changes_of: Callable[[str], Changes]
    ) -> None:
        self.bridge = bridge
        self._pending = pending
        self._changes_of = changes_of

    def progress(self, p: BatchProgress) -> None:
        self.bridge.progress.emit(p)
        self.bridge.pending.emit(self._pending())

    def contact(self, at: datetime) -> None:
        self.bridge.contact.emit(at)

    def batch_done(self, batch_id: str, state: str) -> None:
        # Looked up here, on the worker thread: the batch and the applications inside it.
        self.bridge.batch_done.emit(batch_id, state, self._changes_of(batch_id))

    def status(self, st: SyncStatus) -> None:
        self.bridge.status.emit(st)


class _SyncThread(QThread):
    def __init__(
        self,
        ctx: AppContext,
        bridge: _Bridge,
        wake: threading.Event,
        stop: threading.Event,
        poll_interval: float | None = None,
        hurry: threading.Event | None = None,
    ) -> None:
        super().__init__()
        self.hurry = hurry
        self.poll_interval = poll_interval
        self.setObjectName("desa_capil-sync")
        self.ctx = ctx
        self.bridge = bridge
        self.wake = wake
        self.stop_event = stop
        # Why the thread ended, when it ended on its own (read on the UI thread once finished).
        self.crash: BaseException | None = None

    def run(self) -> None:
        try:
            self._run()
        except Exception as exc:  # noqa: BLE001 - a bug in the worker must reach the log, not kill the app
            log.exception("sync worker crashed")
            self.crash = exc

    def _run(self) -> None:
        db = self.ctx.db
        config = load_config(db, credential_store(self.ctx.paths))
        if config is None:
            return
        listener = _Listener(self.bridge, lambda: pending_upload_bytes(db), partial(batch_changes, db))
        extra = {} if self.poll_interval is None else {"poll_interval": self.poll_interval}
        worker = SyncWorker(
            db, config.client_factory(), listener=listener, stop=self.stop_event, hurry=self.hurry, **extra
        )
        try:
            self.bridge.pending.emit(pending_upload_bytes(db))
            worker.run_forever(
                self.wake,
                on_pass=lambda r: (
                    self.bridge.passed.emit(r),
                    self.bridge.pending.emit(pending_upload_bytes(db)),
                ),
                on_error=self.bridge.failed.emit,
            )
        finally:
            worker.close()


class SyncController(QObject):
    """The app's one sync worker.

    Signals (UI thread):
        progress(object): a BatchProgress (files, bytes, speed, time left) of the batch being sent.
        batch_finished(str, str): batch id and its new state ("sent" or "failed").
        error(object): the SyncError of the last failed pass (shown by the Kiriman page).
        notification(str, str): title and text of a desktop notification (status changes).
    Also updates the AppContext: connection state, last contact, pending bytes, office_changes,
    and says what each pass and each finished batch changed (``AppContext.notify``).
    """

    progress = Signal(object)
    batch_finished = Signal(str, str)
    error = Signal(object)
    notification = Signal(str, str)

    def __init__(
        self, ctx: AppContext, parent: QObject | None = None, *, poll_interval: float | None = None
    ) -> None:
        """`poll_interval`: seconds between status pulls while idle (None: the worker's own
        default, 5 minutes, kind to a paid-per-megabyte link)."""
        super().__init__(parent)
        self.ctx = ctx
        self.poll_interval = poll_interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._hurry = threading.Event()
        self._thread: _SyncThread | None = None
        self.last_error: SyncError | None = None
        self.status = SyncStatus(SyncPhase.STOPPED)
        self.progress_by_batch: dict[str, BatchProgress] = {}
        self._bridge = _Bridge()
        self._bridge.progress.connect(self._on_progress)
        self._bridge.contact.connect(self._on_contact)
        self._bridge.batch_done.connect(self._on_batch_done)
        self._bridge.passed.connect(self._on_pass)
        self._bridge.failed.connect(self._on_error)
        self._bridge.pending.connect(ctx.pending_bytes_changed)
        self._bridge.status.connect(self._on_status)
        # After sealing on a laptop that is not enrolled (or after its enrollment changed), say
        # so instead of pretending to sync.
        ctx.changed.connect(self._batches_changed)
        self._tray: QSystemTrayIcon | None = None
        self._watch_network()
        ctx.sync = self

    # --- control ------------------------------------------------------------------------------

    @property
    def configured(self) -> bool:
        return load_config(self.ctx.db, credential_store(self.ctx.paths)) is not None

    @property
    def running(self) -> bool:
        """The sync thread is alive (started, or asked to stop and not yet ended)."""
        return self._thread is not None and self._thread.isRunning()

    def start(self) -> None:
        if self._thread is not None and self._thread.isRunning():
            return
        contact = last_contact(self.ctx.db)
        if not self.configured:
            self._check_enrollment()
            return
        self.ctx.connection_detail = self.ctx.connection_reason = ""
        self.ctx.set_connection(ConnectionState.SYNCING, contact)
        self._stop.clear()
        gc_guard.ensure()  # the sync thread must never run the cyclic collector
        self._thread = _SyncThread(
            self.ctx, self._bridge, self._wake, self._stop, self.poll_interval, self._hurry
        )
        self._thread.finished.connect(self._on_thread_finished)
        self._thread.start()

    def stop(self, timeout_ms: int = 15000) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            if self._thread.wait(timeout_ms):
                self._thread = None
            else:
                # Keep the reference: deleting a running QThread aborts the process. The
                # request in flight ends at its timeout and the thread then exits.
                log.warning("sync thread did not stop in time")

    def reconfigure(self) -> None:
        """Restart with the current settings (after enrolling or a new server address)."""
        self.stop()
        self.last_error = None
        self.start()

    @Slot()
    def send_now(self) -> None:
        """ "Kirim sekarang": skip any back-off and start a pass at once."""
        self._hurry.set()  # every postponed item is due now
        if self._thread is None or not self._thread.isRunning():
            self.start()
        if not self.configured:
            return
        self.ctx.set_connection(ConnectionState.SYNCING, None)
        self._wake.set()

    @Slot()
    @Slot(object)
    def _batches_changed(self, changes: Changes) -> None:
        if changes.batches or changes.settings:
            self._check_enrollment()

    def _check_enrollment(self) -> None:
        """Not enrolled: say so once something sealed waits (else: not set up, by choice)."""
        if self._thread is not None and self._thread.isRunning():
            return
        if self.configured:
            return
        db = self.ctx.db
        if has_pending_work(db):
            lg = lang()
            err = NotConfigured()
            self.ctx.connection_detail = ""
            self.ctx.connection_reason = err.message(lg)
            self.ctx.set_connection(ConnectionState.NEEDS_ENROLLMENT, last_contact(db))
        elif self.ctx.connection_state != ConnectionState.NOT_CONFIGURED:
            self.ctx.connection_detail = self.ctx.connection_reason = ""
            self.ctx.set_connection(ConnectionState.NOT_CONFIGURED, last_contact(db))

    def _watch_network(self) -> None:
        try:
            loaded = QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability)
        except (AttributeError, RuntimeError):
            loaded = False
        info = QNetworkInformation.instance() if loaded else None
        if info is None:
            log.info("no network information backend; relying on back-off and health probes")
            return
        info.reachabilityChanged.connect(self._reachability_changed)

    @Slot(QNetworkInformation.Reachability)
    def _reachability_changed(self, reach: QNetworkInformation.Reachability) -> None:
        if reach in (QNetworkInformation.Reachability.Online, QNetworkInformation.Reachability.Site):
            log.info("network is back: waking the sync worker")
            self._wake.set()
        elif reach is QNetworkInformation.Reachability.Disconnected:
            self.ctx.set_connection(ConnectionState.OFFLINE, None)

    # --- news from the worker -------------------------------------------------------------------

    @Slot()
    def _on_thread_finished(self) -> None:
        """The sync thread ended. Asked to (stop, reconfigure) or not enrolled: nothing to say.
        Otherwise sync stopped by itself: say so, with what to do, until it is started again."""
        thread = self.sender()
        if not isinstance(thread, _SyncThread) or thread is not self._thread or self._stop.is_set():
            return
        if thread.crash is None and not self.configured:
            self._check_enrollment()
            return
        exc = thread.crash
        detail = f"{type(exc).__name__}: {exc}"[:300] if exc is not None else "sync thread ended"
        self.status = SyncStatus(SyncPhase.STOPPED, STOPPED_ID, STOPPED_EN, None, detail)
        en = lang().startswith("en")
        self.ctx.connection_detail = (
            "press Send now to start it again" if en else "tekan Kirim sekarang untuk menjalankannya lagi"
        )
        self.ctx.connection_reason = (STOPPED_EN if en else STOPPED_ID) + f" ({detail})"
        self.ctx.set_connection(ConnectionState.STOPPED_ERROR, self.ctx.last_contact)

    @Slot(object)
    def _on_progress(self, p: BatchProgress) -> None:
        self.progress_by_batch[p.batch_id] = p
        if self.ctx.connection_state != ConnectionState.SYNCING:
            self.ctx.set_connection(ConnectionState.SYNCING, None)
        self.progress.emit(p)

    @Slot(object)
    def _on_contact(self, at: datetime) -> None:
        self.ctx.last_contact = at

    @Slot(str, str, object)
    def _on_batch_done(self, batch_id: str, state: str, changes: Changes) -> None:
        self.progress_by_batch.pop(batch_id, None)
        self.batch_finished.emit(batch_id, state)
        self.ctx.notify(changes)

    @Slot(object)
    def _on_status(self, st: SyncStatus) -> None:
        self.status = st
        if st.phase is SyncPhase.STOPPED:
            return
        state = {
            SyncPhase.SYNCING: ConnectionState.SYNCING,
            SyncPhase.IDLE: ConnectionState.ONLINE,
            SyncPhase.WAITING: ConnectionState.WAITING,
            SyncPhase.OFFLINE: ConnectionState.OFFLINE,
            SyncPhase.NEEDS_LOGIN: ConnectionState.NEEDS_LOGIN,
            SyncPhase.NEEDS_ENROLLMENT: ConnectionState.NEEDS_ENROLLMENT,
            SyncPhase.ERROR: ConnectionState.ERROR,
        }[st.phase]
        lg = lang()
        self.ctx.connection_detail = next_try_text(st, lg)
        self.ctx.connection_reason = st.message_en if lg.startswith("en") else st.message_id
        self.ctx.set_connection(state, self.ctx.last_contact)

    @Slot(object)
    def _on_pass(self, result: PassResult) -> None:
        if result.failure is None:
            self.last_error = None
        if result.office_changes:
            self.ctx.office_changes.emit(list(result.office_changes))
            self._notify_statuses(result.statuses)
        self.ctx.notify(pass_changes(result))

    @Slot(object)
    def _on_error(self, exc: SyncError) -> None:
        # The state itself comes with the worker's status (see _on_status).
        self.last_error = exc
        if isinstance(exc, TokenRevoked):
            # Remembered, so Pengaturan says "dicabut" instead of "Terdaftar" (ui.sync_settings).
            self._remember_revoked()
        self.error.emit(exc)

    def _remember_revoked(self) -> None:
        from datetime import UTC, datetime

        from desa_capil.store import setting_keys
        from desa_capil.store.repo import get_setting, set_setting
        from desa_capil.ui.tasks import run_op

        db = self.ctx.db

        def op(_p: object) -> None:
            if not get_setting(db, setting_keys.DEVICE_REVOKED_AT):
                set_setting(db, setting_keys.DEVICE_REVOKED_AT, datetime.now(UTC).isoformat())

        # The state said again once the revocation is on record, so the settings page (which
        # listens to it) reads it.
        run_op(
            None,
            op,
            on_success=lambda _r: self.ctx.set_connection(self.ctx.connection_state, None),
            db=True,
        )

    def _notify_statuses(self, statuses: dict[str, Status]) -> None:
        if not statuses:
            return
        counts: dict[Status, int] = {}
        for st in statuses.values():
            counts[st] = counts.get(st, 0) + 1
        lg = lang()
        parts = [f"{n} {label(st, lg).lower()}" for st, n in sorted(counts.items(), key=lambda kv: -kv[1])]
        title = self.tr("Kabar dari Disdukcapil")
        text = self.tr("%1 permohonan berubah status: %2").replace("%1", str(len(statuses)))
        text = text.replace("%2", ", ".join(parts))
        self.notification.emit(title, text)
        if QSystemTrayIcon.isSystemTrayAvailable():
            if self._tray is None:
                app = QApplication.instance()
                icon = app.windowIcon() if isinstance(app, QApplication) else None
                self._tray = QSystemTrayIcon(self)
                if icon is not None:
                    self._tray.setIcon(icon)
                self._tray.show()
            self._tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 10000)
