"""The server announces a minimum app version (wire contract changed): an older app is told in
Indonesian to install the update, its batch waits (never set aside), and once updated it goes
through once. The update endpoint itself stays open to the old app."""

from __future__ import annotations

import requests
from sqlmodel import select

from desa_capil import __version__
from desa_capil.store.models import Batch, BatchState, Outbox, OutboxState
from desa_capil.sync.client import USER_AGENT, SyncError
from desa_capil.update.publish import announce_minimum

from .conftest import Enrolled
from .helpers import Admin, make_batch
from .test_worker import worker_for


def test_an_app_below_the_minimum_is_told_to_update_and_its_batch_waits(
    enrolled: Enrolled, admin: Admin
) -> None:
    batch_id, ids = make_batch(enrolled.db, 2, pages_per_doc=1, page_bytes=3000)
    updates = enrolled.server.settings.data_dir / "updates"
    updates.mkdir(parents=True, exist_ok=True)
    announce_minimum(updates, "99.0.0")
    worker = worker_for(enrolled)

    result = worker.run_pass()
    assert result.batches_sent == [] and result.batches_parked == []
    told = [p for p in result.problems if isinstance(p, SyncError) and p.status == 426]
    assert told, result.problems
    message = told[0].message("id")
    assert "99.0.0" in message and "Pasang pembaruan" in message and "tidak hilang" in message
    with enrolled.db.session() as s:
        batch = s.get(Batch, batch_id)
        assert batch is not None and batch.state != BatchState.FAILED
        assert not s.exec(select(Outbox).where(Outbox.state == OutboxState.PARKED)).all()
    assert admin.by_client_id() == {}

    # The old app can still fetch the update; browsers (the console) are not checked.
    base = enrolled.server.base_url
    agent = {"User-Agent": USER_AGENT}
    assert requests.get(f"{base}/api/v1/updates/announcement", headers=agent, timeout=10).status_code == 200
    assert requests.get(f"{base}/api/v1/health", headers={"User-Agent": "Mozilla/5.0"}, timeout=10).ok
    assert requests.get(f"{base}/api/v1/health", headers=agent, timeout=10).status_code == 426

    # Updated (here: the minimum lowered to this version): the waiting batch goes through once.
    announce_minimum(updates, __version__)
    result = worker.run_until_idle()
    assert result.batches_sent == [batch_id]
    assert sorted(admin.by_client_id()) == sorted(ids)
    worker.close()
