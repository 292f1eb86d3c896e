"""A paused upload resumes from the offset its row holds without asking the server (HEAD);
when that offset is not the server's (stale, or ahead of it), the PATCH's 409 re-synchronises
and the file still arrives whole and once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from desa_capil.store.models import Outbox, OutboxState
from desa_capil.sync.client import ApiClient
from desa_capil.sync.tus import LinkMeter, Paused, TusUploader
from desa_capil.sync.worker import SyncWorker

from .conftest import Enrolled
from .helpers import Admin, assert_server_has, make_ready, seal


@pytest.mark.parametrize("shift", [-16 * 1024, 8 * 1024])
def test_a_paused_upload_with_a_wrong_offset_resynchronises_by_409(
    enrolled: Enrolled, admin: Admin, monkeypatch: pytest.MonkeyPatch, shift: int
) -> None:
    app_id = make_ready(enrolled.db, pages_per_doc=1, page_bytes=60_000)
    seal(enrolled.db, [app_id])
    with enrolled.db.session() as s:
        row = max(s.exec(select(Outbox).where(Outbox.kind == "upload")).all(), key=lambda r: r.upload_length)
    data = enrolled.db.blobs.get(row.payload.split('"sha256": "')[1][:64])
    client = enrolled.config.client()
    meter = LinkMeter(1.0)  # 16 KB chunks
    with pytest.raises(Paused):
        TusUploader(client, enrolled.db, meter, pause=lambda left: True).upload(
            row, data, {"filename": "x.pdf"}
        )
    with enrolled.db.session() as s:
        paused = s.get(Outbox, row.id)
        assert paused is not None and paused.upload_offset == 16 * 1024
        paused.upload_offset += shift  # not what the server holds
        s.add(paused)
        s.commit()
        s.refresh(paused)
    sent: list[tuple[str, int]] = []
    request = ApiClient.request

    def recording(self: ApiClient, method: str, path: str, **kw: Any) -> Any:
        try:
            resp = request(self, method, path, **kw)
        except Exception as exc:
            sent.append((method, getattr(exc, "status", 0) or 0))
            raise
        sent.append((method, resp.status_code))
        return resp

    monkeypatch.setattr(ApiClient, "request", recording)
    upload_id = TusUploader(client, enrolled.db, meter).upload(
        paused, data, {"filename": "x.pdf"}, known_offset=True
    )
    monkeypatch.undo()
    assert sent[0] == ("PATCH", 409) and sent[1][0] == "HEAD"  # no HEAD first; the 409 re-synchronised
    with enrolled.db.session() as s:
        done = s.get(Outbox, row.id)
    assert done is not None and done.upload_url == upload_id and done.upload_offset == len(data)
    client.close()
    worker = SyncWorker(enrolled.db, enrolled.config.client_factory(), row_backoff_base=0.01)
    worker.run_until_idle()
    with enrolled.db.session() as s:
        assert all(r.state == OutboxState.DONE for r in s.exec(select(Outbox)).all())
    assert_server_has(enrolled, admin, [app_id])
    worker.close()
