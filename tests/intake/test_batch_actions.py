"""Kiriman: what a batch holds (double-click) and "Buka segel" until its upload starts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desa_capil.domain.status import Status
from desa_capil.services import pages as processing
from desa_capil.services import sealing
from desa_capil.services.changes import Changes
from desa_capil.store import pages as sp
from desa_capil.store import repo
from desa_capil.store.models import Outbox
from desa_capil.ui.context import AppContext
from desa_capil.ui.pages import batches_page
from desa_capil.ui.pages.batches_page import BatchesPage

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def _ready(ctx: AppContext, make_png: Callable[[str], Path], name: str, nik: str) -> str:
    app_id = repo.save_application(
        ctx.db, service_code="kk_ubah_data", applicant=repo.ApplicantData(nik, name)
    )
    for code in ("kk_lama", "bukti_perubahan"):
        sp.add_pages(ctx.db, app_id, code, processing.pages_from_file(make_png(f"{name} {code}")))
    assert repo.refresh_readiness(ctx.db, app_id) is Status.READY
    return app_id


def test_batch_contents_and_reopen(
    qtbot: QtBot, ctx: AppContext, make_png: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    a = _ready(ctx, make_png, "Siti Aminah", "3201015512900001")
    b = _ready(ctx, make_png, "Budi Santoso", "3201011512900002")
    outcome = sealing.seal(ctx.db, [a, b])
    assert outcome.changes.applications == {a, b} and outcome.pages == 4
    page = BatchesPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1)
    page.table.selectRow(0)
    assert page.reopen_button.isEnabled()

    # Double-click: the applications inside.
    page.table.cellDoubleClicked.emit(0, 0)
    qtbot.waitUntil(lambda: getattr(page, "contents_dialog", None) is not None)
    dialog = page.contents_dialog
    names = sorted(dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount()))
    assert names == ["Budi Santoso", "Siti Aminah"]
    dialog.close()

    # Buka segel: both back to ready, the batch kept as cancelled, nothing left to send.
    monkeypatch.setattr(batches_page, "confirm", lambda *_a, **_k: True)
    with qtbot.waitSignal(ctx.changed, timeout=10000) as said:
        page.reopen_button.click()
    assert said.args[0] == Changes(applications=frozenset({a, b}), batches=frozenset({outcome.batch_id}))
    assert repo.application_status(ctx.db, a) is Status.READY
    assert repo.application_status(ctx.db, b) is Status.READY
    with ctx.db.session() as s:
        assert s.exec(Outbox.__table__.select()).all() == []  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: page.table.rowCount() == 1 and page.table.item(0, 4).text() == "Dibatalkan")


def test_no_reopen_once_the_upload_started(ctx: AppContext, make_png: Callable[[str], Path]) -> None:
    a = _ready(ctx, make_png, "Siti Aminah", "3201015512900001")
    outcome = sealing.seal(ctx.db, [a])
    with ctx.db.session() as s:
        row = s.exec(Outbox.__table__.select().where(Outbox.kind == "upload")).first()  # type: ignore[attr-defined]
        upload = s.get(Outbox, row.id)
        assert upload is not None
        upload.upload_url = "https://example.invalid/api/v1/uploads/abc"
        s.add(upload)
        s.commit()
    with pytest.raises(repo.CannotCancel):
        sealing.reopen(ctx.db, outcome.batch_id)
    assert repo.application_status(ctx.db, a) is Status.SENDING


def test_retry_and_cancel_say_what_they_changed(
    qtbot: QtBot, ctx: AppContext, make_png: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Kiriman page's own actions report their Changes (no payload-less reload for all)."""
    from desa_capil.store import batches

    a = _ready(ctx, make_png, "Siti Aminah", "3201015512900001")
    outcome = sealing.seal(ctx.db, [a])
    batches.park(ctx.db, outcome.batch_id, "Berkas KK tidak terbaca")
    page = BatchesPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1)
    page.table.selectRow(0)
    qtbot.waitUntil(page.retry_button.isEnabled)
    with qtbot.waitSignal(ctx.changed, timeout=10000) as said:
        page.retry_button.click()
    assert said.args[0] == Changes.of_batch(outcome.batch_id, [a])

    batches.park(ctx.db, outcome.batch_id, "Berkas KK tidak terbaca")
    page.refresh()
    qtbot.waitUntil(lambda: page.cancel_button.isEnabled(), timeout=10000)
    monkeypatch.setattr(batches_page, "confirm", lambda *_a, **_k: True)
    with qtbot.waitSignal(ctx.changed, timeout=10000) as said:
        page.cancel_button.click()
    assert said.args[0] == Changes(applications=frozenset({a}), batches=frozenset({outcome.batch_id}))
    assert repo.application_status(ctx.db, a) is Status.READY
