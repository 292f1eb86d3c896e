"""What the status bar and the Kiriman page say about sync: not enrolled, a Wi-Fi login page in
the way (with when the next try is), and "Coba lagi" for refused events."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot
from sqlmodel import select

from desa_capil.api.models import EventIn
from desa_capil.domain.status import Status
from desa_capil.paths import AppPaths
from desa_capil.services.changes import Changes
from desa_capil.store.db import Database
from desa_capil.store.models import Outbox, OutboxState
from desa_capil.store.repo import set_setting
from desa_capil.sync.client import ApiClient
from desa_capil.sync.config import SERVER_URL
from desa_capil.sync.worker import Backoff, SyncPhase, SyncWorker, parked_events
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext, ConnectionState
from desa_capil.ui.main_window import connection_text
from desa_capil.ui.pages.batches_page import BatchesPage
from desa_capil.ui.sync_controller import SyncController

from . import hostile as h
from .conftest import Enrolled
from .helpers import make_batch

WAIT = 30_000


@pytest.fixture(autouse=True)
def _settle(qapp: object) -> Iterator[None]:
    yield
    tasks.wait_idle()


def test_unenrolled_laptop_says_so_after_sealing(db: Database, paths: AppPaths, qtbot: QtBot) -> None:
    ctx = AppContext(db, paths)
    sync = SyncController(ctx)
    sync.start()
    assert ctx.connection_state == ConnectionState.NOT_CONFIGURED  # nothing waits: not set up, by choice
    make_batch(db, 1)
    with qtbot.waitSignal(ctx.connection_changed, timeout=WAIT):
        ctx.notify(Changes(batches=frozenset({"b"})))  # what sealing reports
    assert ctx.connection_state == ConnectionState.NEEDS_ENROLLMENT
    assert connection_text(ctx.connection_state).startswith("Laptop ini belum terdaftar")
    assert "daftarkan laptop" in ctx.connection_reason
    sync.send_now()  # "Kirim sekarang" does not pretend either
    assert ctx.connection_state == ConnectionState.NEEDS_ENROLLMENT
    sync.stop()


def test_captive_portal_is_named_with_the_next_try(enrolled: Enrolled, qtbot: QtBot) -> None:
    portal = h.HostileServer(enrolled.server.port).start()
    portal.add("*", ".", h.html(200))
    set_setting(enrolled.db, SERVER_URL, portal.url)
    make_batch(enrolled.db, 1)
    ctx = AppContext(enrolled.db, enrolled.paths)
    sync = SyncController(ctx, poll_interval=0.2)
    try:
        sync.start()
        qtbot.waitUntil(lambda: ctx.connection_state == ConnectionState.NEEDS_LOGIN, timeout=WAIT)
        assert connection_text(ctx.connection_state) == "Wi-Fi ini minta login di browser"
        assert ctx.connection_detail.startswith("dicoba lagi pukul")
        assert sync.status.phase is SyncPhase.NEEDS_LOGIN
        # Logged in to the Wi-Fi: "Kirim sekarang" sends at once.
        portal.clear()
        sync.send_now()
        qtbot.waitUntil(lambda: ctx.connection_state == ConnectionState.ONLINE, timeout=WAIT)
        with enrolled.db.session() as s:
            assert not s.exec(select(Outbox).where(Outbox.state != OutboxState.DONE)).all()
    finally:
        sync.stop()
        portal.stop()


def test_refused_event_has_coba_lagi(enrolled: Enrolled, qtbot: QtBot) -> None:
    _b, (app_id,) = make_batch(enrolled.db, 1)
    # The office refuses the event (not dispatched yet): it is set aside with the reason.
    ev = EventIn(
        id=uuid.uuid4(), application_id=uuid.UUID(app_id), status=Status.ARRIVED, at=datetime.now(UTC)
    )
    with enrolled.db.session() as s:
        s.add(Outbox(kind="event", ref_id=str(ev.id), payload=ev.model_dump_json()))
        s.commit()
    token = enrolled.config.token
    worker = SyncWorker(
        enrolled.db,
        lambda: ApiClient(enrolled.server.base_url, token),
        backoff=Backoff(base=0.05, cap=0.2),
        stop=threading.Event(),
    )
    worker.run_until_idle()
    worker.close()
    assert [e.status for e in parked_events(enrolled.db)] == ["arrived"]
    ctx = AppContext(enrolled.db, enrolled.paths)
    page = BatchesPage(ctx)
    qtbot.addWidget(page)
    page.refresh()
    qtbot.waitUntil(lambda: not page.events_retry_button.isHidden(), timeout=WAIT)
    with qtbot.waitSignal(page.events_retry_button.clicked, timeout=WAIT):
        page.events_retry_button.click()
    qtbot.waitUntil(lambda: not parked_events(enrolled.db), timeout=WAIT)
    with enrolled.db.session() as s:
        row = s.exec(select(Outbox).where(Outbox.kind == "event")).one()
    assert row.state == OutboxState.PENDING and row.attempts == 0


def test_sync_that_stopped_by_itself_says_so_and_kirim_sekarang_restarts_it(
    enrolled: Enrolled, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sync thread ends without being asked (here: the worker cannot even be made, as when
    the database fails): "stopped with an error" with what to do, distinct from offline or
    syncing; "Kirim sekarang" starts it again and the batch goes."""
    import desa_capil.ui.sync_controller as sc

    real_worker = sc.SyncWorker

    class Broken:
        def __init__(self, *_a: object, **_k: object) -> None:
            raise RuntimeError("disk I/O error")

    monkeypatch.setattr(sc, "SyncWorker", Broken)
    make_batch(enrolled.db, 1)
    ctx = AppContext(enrolled.db, enrolled.paths)
    sync = SyncController(ctx, poll_interval=0.2)
    try:
        sync.start()
        qtbot.waitUntil(lambda: ctx.connection_state == ConnectionState.STOPPED_ERROR, timeout=WAIT)
        assert connection_text(ctx.connection_state) == "Pengiriman berhenti karena kesalahan"
        assert connection_text(ctx.connection_state) not in {
            connection_text(ConnectionState.OFFLINE),
            connection_text(ConnectionState.SYNCING),
            connection_text(ConnectionState.ERROR),
        }
        assert "Kirim sekarang" in ctx.connection_detail
        assert "Data tetap aman" in ctx.connection_reason and "RuntimeError" in ctx.connection_reason
        assert sync.status.phase is SyncPhase.STOPPED
        monkeypatch.setattr(sc, "SyncWorker", real_worker)  # the cause is gone
        sync.send_now()
        qtbot.waitUntil(lambda: ctx.connection_state == ConnectionState.ONLINE, timeout=WAIT)
        with enrolled.db.session() as s:
            assert not s.exec(select(Outbox).where(Outbox.state != OutboxState.DONE)).all()
    finally:
        sync.stop()


def test_a_requested_stop_is_not_an_error(enrolled: Enrolled, qtbot: QtBot) -> None:
    ctx = AppContext(enrolled.db, enrolled.paths)
    sync = SyncController(ctx, poll_interval=0.2)
    sync.start()
    qtbot.waitUntil(lambda: ctx.connection_state == ConnectionState.ONLINE, timeout=WAIT)
    sync.stop()
    QCoreApplication.processEvents()  # deliver the queued "finished" of the thread
    assert ctx.connection_state == ConnectionState.ONLINE
