"""Permohonan page: reprinting the intake and hand-over receipts from the context menu."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from desa_capil.domain.status import Status
from desa_capil.paths import AppPaths
from desa_capil.reports.receipts import save_handover_receipt
from desa_capil.security import audit
from desa_capil.store import distribution as dist
from desa_capil.store.db import Database
from desa_capil.ui import printing, tasks
from desa_capil.ui.context import AppContext
from desa_capil.ui.pages.queue_page import QueuePage

from .helpers import MakeDispatched

# The offscreen platform says this whenever a top-level widget is shown; harmless.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def ctx(db: Database, paths: AppPaths, operator_id: int) -> AppContext:
    c = AppContext(db, paths)
    c.operator_id = operator_id
    return c


def _page(qtbot: QtBot, ctx: AppContext, app_id: str) -> QueuePage:
    page = QueuePage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.model.row_of(app_id) >= 0)
    row = page.model.row_of(app_id)
    page.model.data(page.model.index(row, 1))  # rows are read lazily, as the view paints them
    qtbot.waitUntil(lambda: page.model.cached_row(row) is not None)
    assert page.select_id(app_id)
    return page


def _enabled(page: QueuePage) -> dict[str, bool]:
    return {text: enabled for text, enabled, _slot in page.context_actions()}


def test_reprint_receipts_from_the_queue(
    qtbot: QtBot, ctx: AppContext, make_dispatched: MakeDispatched, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = ctx.db
    a = make_dispatched(name="Budi")
    printed: list[bytes] = []
    monkeypatch.setattr(printing, "print_pdf", lambda _p, pdf, _t: printed.append(pdf) or True)

    page = _page(qtbot, ctx, a)
    enabled = _enabled(page)
    assert enabled["Cetak ulang tanda terima berkas"]
    assert not enabled["Cetak ulang tanda terima penyerahan"]  # not handed over yet
    # No intake receipt was printed at the counter: made now, kept, and the same paper next time.
    assert dist.stored_intake_receipt(db, a) is None
    page.reprint_intake_receipt()
    qtbot.waitUntil(lambda: len(printed) == 1)
    assert dist.stored_intake_receipt(db, a) == printed[0]
    page.reprint_intake_receipt()
    qtbot.waitUntil(lambda: len(printed) == 2)
    assert printed[1] == printed[0]

    dist.mark_arrived(db, [a], operator_id=ctx.operator_id)
    dist.record_handover(db, a, dist.HandOverInput(id_checked=True), operator_id=ctx.operator_id)
    kept, _sha = save_handover_receipt(db, a)
    with qtbot.waitSignal(page.model.reloaded, timeout=5000):
        page.refresh()
    row = page.model.row_of(a)
    page.model.data(page.model.index(row, 1))
    qtbot.waitUntil(lambda: getattr(page.model.cached_row(row), "status", None) is Status.HANDED_OVER)
    assert page.select_id(a)
    assert _enabled(page)["Cetak ulang tanda terima penyerahan"]
    page.reprint_handover_receipt()
    qtbot.waitUntil(lambda: len(printed) == 3)
    assert printed[2] == kept
    qtbot.waitUntil(lambda: len([e for e in audit.entries(db, a) if e.action == audit.PRINT_RECEIPT]) == 3)
    details = [e.detail for e in audit.entries(db, a) if e.action == audit.PRINT_RECEIPT]
    assert details == ["handover", "intake", "intake"]
    assert all(e.operator for e in audit.entries(db, a) if e.action == audit.PRINT_RECEIPT)


def test_cancelled_print_is_not_audited(
    qtbot: QtBot, ctx: AppContext, make_dispatched: MakeDispatched, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = make_dispatched(name="Budi")
    tried: list[bytes] = []
    monkeypatch.setattr(printing, "print_pdf", lambda _p, pdf, _t: tried.append(pdf) and False)
    page = _page(qtbot, ctx, a)
    page.reprint_intake_receipt()
    qtbot.waitUntil(lambda: len(tried) == 1)
    tasks.wait_idle()
    assert [e for e in audit.entries(ctx.db, a) if e.action == audit.PRINT_RECEIPT] == []
