"""What every page of the app shares: the open database, paths, operator and app-wide signals."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, Signal

from desa_capil.paths import AppPaths
from desa_capil.services.changes import Changes
from desa_capil.store.db import Database


class ConnectionState:
    NOT_CONFIGURED = "not_configured"  # no server/enrollment yet (working offline by choice)
    OFFLINE = "offline"
    ONLINE = "online"
    SYNCING = "syncing"
    ERROR = "error"  # an error while sending (on this laptop); retried at the next try
    WAITING = "waiting"  # the server had a problem; the next try is planned
    NEEDS_LOGIN = "needs_login"  # a Wi-Fi login page (captive portal) answers instead
    NEEDS_ENROLLMENT = "needs_enrollment"  # work waits for this laptop to be enrolled
    STOPPED_ERROR = "stopped_error"  # sync stopped by itself; "Kirim sekarang" starts it again


class AppContext(QObject):
    """Shared state of one running app.

    Signals:
        changed(Changes): an operation says what it changed (services.Changes, through
            `notify`); a page reloads only when that concerns what it shows. Every change goes
            this way (a sync pass, a return bundle and a retention run included): there is no
            payload-less "anything changed" signal (tests/ui/test_changes.py keeps it so).
        office_changes(list): ids of applications whose status the office changed (after a pull
            or a return bundle). Always followed by `changed`: reload on that one, not on both.
        connection_changed(str, object): a ConnectionState value and the time of the last
            successful contact with the server (datetime or None).
        pending_bytes_changed(int): bytes still to upload.
    """

    changed = Signal(object)
    office_changes = Signal(list)
    connection_changed = Signal(str, object)
    pending_bytes_changed = Signal(int)

    def __init__(self, db: Database, paths: AppPaths, *, demo: bool = False) -> None:
        super().__init__()
        self.db = db
        self.paths = paths
        self.demo = demo
        self.operator_id: int | None = None
        self.connection_state = ConnectionState.NOT_CONFIGURED
        self.last_contact: datetime | None = None
        # Set by the sync controller with the state: when the next try is, and why (tooltip).
        self.connection_detail = ""
        self.connection_reason = ""
        # The sync controller (desa_capil.ui.sync_controller) and the inactivity lock
        # (desa_capil.ui.lock_screen.LockController), when they run (ui/services.py).
        self.sync: object | None = None
        self.lock: object | None = None
        # The session's long-running services (desa_capil.ui.services.RuntimeServices), when
        # started: an update rollback stops them before it steps the database back.
        self.services: object | None = None

    def notify(self, changes: Changes) -> None:
        """Tell the pages what an operation changed (nothing when it changed nothing)."""
        if not changes.empty:
            self.changed.emit(changes)

    def set_connection(self, state: str, last_contact: datetime | None) -> None:
        self.connection_state = state
        if last_contact is not None:
            self.last_contact = last_contact
        self.connection_changed.emit(state, self.last_contact)
