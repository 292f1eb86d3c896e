"""The long-running parts of a session, started once the main window exists.

Sync (outbox worker and status pull), the inactivity lock and the daily retention job live
for the whole session; app.py starts them after the window is built and stops them before the
database closes. Self-test and benchmark runs do not start them.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QWidget

from desa_capil.ui.context import AppContext

log = logging.getLogger(__name__)

# The demo's office moves an application every 20-40 s; with the normal 5-minute pull the
# operator would stare at an unchanged screen. A loopback server costs nothing to ask.
DEMO_POLL_SECONDS = 10.0


class RuntimeServices:
    def __init__(self, ctx: AppContext, window: QWidget) -> None:
        from desa_capil.ui.lock_screen import LockController
        from desa_capil.ui.privacy_settings import RetentionScheduler
        from desa_capil.ui.sync_controller import SyncController

        self.ctx = ctx
        poll = DEMO_POLL_SECONDS if ctx.demo else None
        self.sync = SyncController(ctx, poll_interval=poll)  # sets ctx.sync
        self.lock = LockController(ctx, window)
        self.retention = RetentionScheduler(ctx)
        # Status news from the office also shows in the status bar for 10 s: the
        # system-tray balloon is often hidden (Windows focus assist) or missing altogether.
        bar = getattr(window, "statusBar", None)
        if callable(bar):
            self.sync.notification.connect(lambda title, text: bar().showMessage(f"{title}: {text}", 10000))
        ctx.lock = self.lock
        ctx.services = self

    def start(self) -> None:
        self.lock.refresh()
        self.retention.start()
        self.sync.start()
        log.info("runtime services started")

    def stop(self) -> bool:
        """Stop what writes to the database on its own; False when the sync thread did not
        end in time (a request in flight: it ends at its timeout)."""
        self.retention.timer.stop()
        self.sync.stop()
        stopped = not self.sync.running
        log.info("runtime services stopped" if stopped else "runtime services stopping (sync still busy)")
        return stopped
