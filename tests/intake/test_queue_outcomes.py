"""The queue tells a fixed "perlu perbaikan" from an unfixed one, and drops stale office words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desa_capil.domain.status import Actor, Status
from desa_capil.services import pages as processing
from desa_capil.store import pages as sp
from desa_capil.store import queries, repo
from desa_capil.store.models import Application
from desa_capil.ui.context import AppContext
from desa_capil.ui.queue_model import QueueModel


def _office_says(ctx: AppContext, app_id: str, status: Status, message: str) -> None:
    with ctx.db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        for target in (Status.READY, Status.SENDING, Status.SENT):
            repo._set_status(s, app, target, Actor.VILLAGE)
        repo._set_status(s, app, status, Actor.OFFICE, message=message)
        s.commit()


def test_fix_ready_and_stale_message(qapp: object, ctx: AppContext, make_png: Callable[[str], Path]) -> None:
    a = repo.save_application(
        ctx.db, service_code="kk_ubah_data", applicant=repo.ApplicantData("3201015512900001", "Siti")
    )
    _office_says(ctx, a, Status.NEEDS_FIX, "KK lama buram, pindai ulang.")
    model = QueueModel(ctx.db)
    row = queries.queue_rows(ctx.db, [a])[a]
    assert not row.fix_ready
    assert model._display(row, QueueModel.COL_STATUS) == "Perlu perbaikan"
    assert model._display(row, QueueModel.COL_MESSAGE) == "KK lama buram, pindai ulang."

    sp.add_pages(ctx.db, a, "kk_lama", processing.pages_from_file(make_png("kk lama baru")))
    row = queries.queue_rows(ctx.db, [a])[a]
    assert row.fix_ready
    assert model._display(row, QueueModel.COL_STATUS) == "Perbaikan siap dikirim"

    # Sent again: the office's old message no longer describes it.
    with ctx.db.session() as s:
        app = s.get(Application, a)
        assert app is not None
        repo._set_status(s, app, Status.SENDING, Actor.VILLAGE)
        s.commit()
    row = queries.queue_rows(ctx.db, [a])[a]
    assert row.office_message  # kept in the record (and the history) ...
    assert model._display(row, QueueModel.COL_MESSAGE) == ""  # ... but not shown as current
