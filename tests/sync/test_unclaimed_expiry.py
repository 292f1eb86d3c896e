"""An upload whose client never came back to it (the creation's answer was lost, or the client
went away right after it) expires after the server's short window for unclaimed uploads, not
after the week a claimed one keeps, and the purge frees its share of the village's quota; a
client that comes back later hears 404/410, sends the file again from zero, and it arrives
once. Real server over real HTTP; the server's clock for uploads is moved, nothing sleeps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from desa_capil.server.db import Upload
from desa_capil.server.db import utcnow as real_utcnow
from desa_capil.server.services import uploads as upload_service
from desa_capil.store.models import Outbox
from desa_capil.sync import tus
from desa_capil.sync.client import ApiClient
from desa_capil.sync.worker import SyncWorker

from .conftest import Enrolled
from .helpers import Admin, assert_server_has, make_batch, sync_once
from .proxy import FaultProxy

HOUR = 3600.0


@pytest.fixture(autouse=True)
def _fresh_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the client learnt about other tests' addresses is not this test's."""
    monkeypatch.setattr(tus, "_creation_with_upload", tus._CreationWithUpload())


@pytest.fixture
def move_server_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Moves the clock the server's uploads live by (expiry, purge) ``seconds`` ahead."""

    def move(seconds: float) -> None:
        monkeypatch.setattr(upload_service, "utcnow", lambda: real_utcnow() + timedelta(seconds=seconds))

    return move


def _server_uploads(e: Enrolled) -> list[Upload]:
    with e.server.service.db.session() as s:
        return list(s.exec(select(Upload)))


def _named_by_rows(e: Enrolled) -> set[str]:
    with e.db.session() as s:
        return {r.upload_url for r in s.exec(select(Outbox).where(Outbox.kind == "upload"))}


@pytest.mark.parametrize("purged_first", [True, False], ids=["purged-404", "expired-410"])
def test_a_client_away_longer_than_the_short_window_sends_its_file_again_once(
    enrolled: Enrolled,
    admin: Admin,
    monkeypatch: pytest.MonkeyPatch,
    move_server_clock: Callable[[float], None],
    purged_first: bool,
) -> None:
    """The client creates the upload (and keeps its id), then goes away before it sent a byte:
    the laptop is switched off. It comes back 25 hours later: the unclaimed upload expired (and
    the hourly purge removed it, or not yet), the client's HEAD hears 404 (or 410), it starts
    the file again from zero, and the batch arrives exactly once, with no upload left behind on
    the server once the purge ran."""
    batch_id, ids = make_batch(enrolled.db, 1)
    created: list[str] = []
    create = tus.TusUploader._create

    def create_then_leave(self: tus.TusUploader, *args: Any, **kw: Any) -> tuple[str, int]:
        made = create(self, *args, **kw)
        if not created:
            created.append(made[0])
            self.stop.set()  # switched off right after the creation's answer
        return made

    monkeypatch.setattr(tus.TusUploader, "_create", create_then_leave)
    worker = SyncWorker(
        enrolled.db, lambda: ApiClient(enrolled.server.base_url, enrolled.config.token), parallel=1
    )
    try:
        with pytest.raises(tus.Stopped):
            worker.run_until_idle(max_passes=1)
    finally:
        worker.close()
    assert created and created[0] in _named_by_rows(enrolled)  # the row kept the id
    first = enrolled.server.service.get_upload_unchecked(created[0])
    assert first.offset == 0 and first.document_id is None

    move_server_clock(25 * HOUR)
    if purged_first:
        assert enrolled.server.service.purge_expired_uploads() == 1
        assert not _server_uploads(enrolled)

    monkeypatch.setattr(tus.TusUploader, "_create", create)
    sync_once(enrolled, enrolled.server.base_url, parallel=1)
    assert_server_has(enrolled, admin, ids)
    assert created[0] not in _named_by_rows(enrolled)  # sent again under a new upload
    if not purged_first:
        assert enrolled.server.service.purge_expired_uploads() == 1
    left = _server_uploads(enrolled)
    assert left and all(u.document_id is not None and u.expires_at is None for u in left)


def test_an_upload_whose_creation_answer_was_lost_is_purged_after_the_short_window(
    enrolled: Enrolled,
    admin: Admin,
    monkeypatch: pytest.MonkeyPatch,
    move_server_clock: Callable[[float], None],
) -> None:
    """The server made the upload, its 201 was lost on the link: the client makes another one
    and delivers the file with it. The first one, which no client knows, is gone after the
    short window (a day), not after a week; what the batch delivered stays."""
    monkeypatch.setattr(tus, "PROVEN_BYTES", 1 << 40)  # creations without a body
    proxy = FaultProxy(enrolled.server.port).start()
    try:
        proxy.lose_answer(b"POST /api/v1/uploads")
        batch_id, ids = make_batch(enrolled.db, 2)
        sync_once(enrolled, proxy.url, parallel=1)
    finally:
        proxy.stop()
    assert_server_has(enrolled, admin, ids)
    named = _named_by_rows(enrolled)
    orphans = [u.id for u in _server_uploads(enrolled) if u.id not in named]
    assert len(orphans) == 1

    move_server_clock(23 * HOUR)  # within the window: kept (its client might still ask)
    assert enrolled.server.service.purge_expired_uploads() == 0
    move_server_clock(25 * HOUR)
    assert enrolled.server.service.purge_expired_uploads() == 1
    assert {u.id for u in _server_uploads(enrolled)} == named  # the delivered ones stay
    assert_server_has(enrolled, admin, ids)
