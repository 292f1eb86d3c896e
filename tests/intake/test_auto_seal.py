"""The setting "Segel dan kirim otomatis permohonan yang lengkap": a complete application is
sealed into a batch when its intake window closes (and can be unsealed like any); an incomplete
one, or with the setting off, stays where it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desa_capil.domain.catalog import get_service
from desa_capil.domain.status import Status
from desa_capil.services import pages as processing
from desa_capil.services import sealing
from desa_capil.services.changes import Changes
from desa_capil.store import pages as sp
from desa_capil.store import repo, setting_keys
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext
from desa_capil.ui.intake import IntakeWizard

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

NIK = "3201015512900001"


def _app(ctx: AppContext, make_png: Callable[[str], Path], complete: bool) -> str:
    db = ctx.db
    app_id = repo.save_application(db, service_code="kk_hilang", applicant=repo.ApplicantData(NIK, "Siti"))
    papers = get_service("kk_hilang").mandatory
    for r in papers if complete else papers[:1]:
        sp.add_pages(db, app_id, r.code, processing.pages_from_file(make_png(r.code)))
    repo.refresh_readiness(db, app_id)
    return app_id


def _open_and_close(qtbot: QtBot, ctx: AppContext, app_id: str) -> list[Changes]:
    said: list[Changes] = []
    ctx.changed.connect(said.append)
    w = IntakeWizard(ctx, None, app_id)
    w.show()
    qtbot.waitUntil(lambda: w.papers_step.state is not None, timeout=10000)
    with qtbot.waitSignal(w.finished, timeout=10000):
        w.close()
    tasks.wait_idle()
    qtbot.waitUntil(lambda: not tasks._running, timeout=10000)
    return said


def test_setting_seals_a_complete_application_when_the_window_closes(
    qtbot: QtBot, ctx: AppContext, make_png: Callable[[str], Path]
) -> None:
    repo.set_setting(ctx.db, setting_keys.AUTO_SEAL, "1")
    app_id = _app(ctx, make_png, complete=True)
    said = _open_and_close(qtbot, ctx, app_id)
    assert repo.application_status(ctx.db, app_id) is Status.SENDING
    sealed = [c for c in said if c.batches]
    assert len(sealed) == 1 and app_id in sealed[0].applications
    # "Buka segel" until the upload starts, as for a seal by hand.
    (batch_id,) = sealed[0].batches
    sealing.reopen(ctx.db, batch_id)
    assert repo.application_status(ctx.db, app_id) is Status.READY


@pytest.mark.parametrize(("setting", "complete"), [("", True), ("1", False)])
def test_nothing_is_sealed_without_the_setting_or_when_incomplete(
    qtbot: QtBot, ctx: AppContext, make_png: Callable[[str], Path], setting: str, complete: bool
) -> None:
    repo.set_setting(ctx.db, setting_keys.AUTO_SEAL, setting)
    app_id = _app(ctx, make_png, complete=complete)
    said = _open_and_close(qtbot, ctx, app_id)
    assert repo.application_status(ctx.db, app_id) is (Status.READY if complete else Status.DRAFT)
    assert not any(c.batches for c in said)


def test_settings_page_saves_the_choice(qtbot: QtBot, ctx: AppContext) -> None:
    from desa_capil.ui.pages.settings_page import SettingsPage

    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.status_label.text() == "" and not tasks._running, timeout=10000)
    assert not page.auto_seal_check.isChecked()
    page.auto_seal_check.setChecked(True)
    with qtbot.waitSignal(page.saved, timeout=10000):
        page.save()
    assert repo.get_setting(ctx.db, setting_keys.AUTO_SEAL) == "1"
