"""The wizard's exits and warnings: Esc asks about a new draft, a second open request warns."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication
from pytestqt.qtbot import QtBot

from desa_capil.domain.status import Status
from desa_capil.store import repo
from desa_capil.ui.context import AppContext
from desa_capil.ui.intake.wizard import APPLICANT, IntakeWizard

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

NIK = "3201015512900001"


def click_in_modal(qtbot: QtBot, button_name: str) -> QTimer:
    """Click `button_name` of the modal box about to open (its exec() blocks the caller)."""
    timer = QTimer()
    timer.setInterval(20)

    def poll() -> None:
        box = QApplication.activeModalWidget()
        button = box.findChild(QAbstractButton, button_name) if box is not None else None
        if button is not None and button.isVisible():
            timer.stop()
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    timer.timeout.connect(poll)
    timer.start()
    return timer


def _new_draft(qtbot: QtBot, ctx: AppContext) -> IntakeWizard:
    w = IntakeWizard(ctx)
    w.show()
    qtbot.waitExposed(w)
    w.service_step.set_code("kk_ubah")
    w.next()
    assert w.step() == APPLICANT
    qtbot.keyClicks(w.applicant_step.nik, NIK)
    qtbot.keyClicks(w.applicant_step.name, "Siti Aminah")
    with qtbot.waitSignal(w.papers_step.state_changed, timeout=10000):
        w.next()
    assert w.application_id is not None
    return w


@pytest.mark.parametrize(("answer", "kept"), [("keepDraft", True), ("deleteDraft", False)])
def test_escape_asks_whether_to_keep_a_new_draft(
    qtbot: QtBot, ctx: AppContext, answer: str, kept: bool
) -> None:
    w = _new_draft(qtbot, ctx)
    app_id = w.application_id
    assert app_id is not None
    timer = click_in_modal(qtbot, answer)
    with qtbot.waitSignal(w.destroyed, timeout=10000):
        qtbot.keyClick(w, Qt.Key.Key_Escape)
    timer.stop()
    status = repo.application_status(ctx.db, app_id)
    assert (status is Status.DRAFT) if kept else (status is None)


def test_escape_then_back_to_the_form_keeps_it_open(qtbot: QtBot, ctx: AppContext) -> None:
    w = _new_draft(qtbot, ctx)
    app_id = w.application_id or ""
    timer = click_in_modal(qtbot, "backToForm")
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    timer.stop()
    assert w.isVisible()
    with qtbot.waitSignal(w.destroyed, timeout=10000):
        w.keep_and_close()  # "Simpan & tutup" never asks
    assert repo.application_status(ctx.db, app_id) is Status.DRAFT


def test_same_nik_and_service_still_open_is_warned(qtbot: QtBot, ctx: AppContext) -> None:
    first = repo.save_application(
        ctx.db, service_code="kk_ubah", applicant=repo.ApplicantData(NIK, "Siti Aminah")
    )
    w = IntakeWizard(ctx)
    w.show()
    qtbot.waitExposed(w)
    w.service_step.set_code("kk_ubah")
    w.next()
    with qtbot.waitSignal(w.duplicate_found, timeout=10000) as blocker:
        qtbot.keyClicks(w.applicant_step.nik, NIK)
    assert blocker.args == [first]
    assert w.duplicate_note.isVisible() and "masih berjalan" in w.duplicate_note.text()
    # Another service for the same resident is no duplicate: the warning goes.
    w.service_step.set_code("akta_lahir")
    qtbot.waitUntil(lambda: not w.duplicate_note.isVisible())
    w.close()


def test_finished_request_is_no_duplicate(ctx: AppContext) -> None:
    from desa_capil.services.duplicates import open_requests
    from desa_capil.store.models import Application

    a = repo.save_application(ctx.db, service_code="kk_ubah", applicant=repo.ApplicantData(NIK, "Siti"))
    assert [r.application_id for r in open_requests(ctx.db, NIK, "kk_ubah")] == [a]
    assert open_requests(ctx.db, NIK, "kk_ubah", exclude_id=a) == []
    with ctx.db.session() as s:
        app = s.get(Application, a)
        assert app is not None
        app.status = Status.HANDED_OVER
        s.add(app)
        s.commit()
    assert open_requests(ctx.db, NIK, "kk_ubah") == []
