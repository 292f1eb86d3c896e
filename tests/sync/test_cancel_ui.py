"""Kiriman page: "Batalkan kiriman" for a set-aside batch, and events the server refused."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import select

from desa_capil.api.models import EventIn
from desa_capil.domain.status import Status
from desa_capil.paths import AppPaths
from desa_capil.store.db import Database
from desa_capil.store.models import Application, Batch, BatchState, Outbox, OutboxState
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext
from desa_capil.ui.pages import batches_page
from desa_capil.ui.pages.batches_page import BatchesPage

from .helpers import make_ready, seal

WAIT = 10_000


@pytest.fixture
def ctx(db: Database, paths: AppPaths, qapp: object) -> Iterator[AppContext]:
    yield AppContext(db, paths)
    tasks.wait_idle()
    qapp.processEvents()  # type: ignore[attr-defined]


def _failed_batch(db: Database, code: str = "manifest_invalid") -> tuple[str, str]:
    app_id = make_ready(db)
    batch_id = seal(db, [app_id])
    with db.session() as s:
        for row in s.exec(select(Outbox).where(Outbox.batch_id == batch_id)).all():
            row.state, row.last_error = OutboxState.PARKED, "NIK tidak valid"
            s.add(row)
        batch = s.get(Batch, batch_id)
        assert batch is not None
        batch.state, batch.last_error, batch.error_code = BatchState.FAILED, "NIK tidak valid", code
        s.add(batch)
        s.commit()
    return batch_id, app_id


def _page(ctx: AppContext, qtbot: QtBot) -> BatchesPage:
    page = BatchesPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=WAIT)
    return page


def test_cancel_failed_batch_from_the_page(
    ctx: AppContext, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch_id, app_id = _failed_batch(ctx.db)
    page = _page(ctx, qtbot)
    page.table.selectRow(0)
    assert page.cancel_button.isEnabled() and page.retry_button.isEnabled()
    asked: list[str] = []
    monkeypatch.setattr(batches_page, "confirm", lambda _p, _t, text, *_a, **_k: asked.append(text) or True)
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.cancel_button.click()
    assert asked
    with ctx.db.session() as s:
        assert s.get(Batch, batch_id).state == BatchState.CANCELLED  # type: ignore[union-attr]
        assert s.get(Application, app_id).status == Status.READY  # type: ignore[union-attr]
    assert page.ready_list.count() == 1
    page.table.selectRow(0)
    assert page.table.item(0, 4).text() == "Dibatalkan"
    assert not page.cancel_button.isEnabled() and not page.retry_button.isEnabled()


def test_cancel_not_offered_when_the_server_holds_the_batch(
    ctx: AppContext, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failed_batch(ctx.db, code="conflict")
    page = _page(ctx, qtbot)
    page.table.selectRow(0)
    assert page.retry_button.isEnabled()
    assert not page.cancel_button.isEnabled()


def test_refused_events_are_shown_with_their_reason(ctx: AppContext, qtbot: QtBot) -> None:
    app_id = make_ready(ctx.db)
    ev = EventIn(
        id=uuid.uuid4(), application_id=uuid.UUID(app_id), status=Status.ARRIVED, at=datetime.now(UTC)
    )
    with ctx.db.session() as s:
        s.add(
            Outbox(
                kind="event",
                ref_id=str(ev.id),
                payload=ev.model_dump_json(),
                state=OutboxState.PARKED,
                last_error="Status tidak bisa diubah dari 'sent' ke 'arrived'.",
            )
        )
        s.commit()
    page = BatchesPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.events_table.rowCount() == 1, timeout=WAIT)
    assert not page.events_table.isHidden() and not page.events_title.isHidden()
    assert page.events_table.item(0, 1).text() == "Budi Santoso"
    assert page.events_table.item(0, 2).text() == "Dokumen diterima di desa"
    assert "tidak bisa diubah" in page.events_table.item(0, 3).text()
