""" "Kertas lain": every service offers a slot for what an office asks beyond its list; the
operator names it, its pages are kept like any paper's, it never blocks readiness, and its name
reaches the office with the application's notes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from desa_capil.domain.catalog import OTHER_PAPER_CODE, SERVICES, get_service
from desa_capil.domain.intake import WIRE_NOTES_MAX, IntakeDetails
from desa_capil.domain.status import Status
from desa_capil.services import pages as processing
from desa_capil.services.detail import application_detail
from desa_capil.store import pages as sp
from desa_capil.store import repo
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext
from desa_capil.ui.intake import IntakeWizard
from desa_capil.ui.intake.wizard import PAPERS

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

NIK = "3201015512900001"


def test_every_service_offers_an_optional_other_paper() -> None:
    for service in SERVICES.values():
        codes = [r.code for r in service.checklist]
        assert codes[-1] == OTHER_PAPER_CODE and codes.count(OTHER_PAPER_CODE) == 1, service.code
        assert service.requirement(OTHER_PAPER_CODE).mandatory is False
        # The catalog's own list (checked against DOMAIN.md) is unchanged.
        assert OTHER_PAPER_CODE not in {r.code for r in service.requirements}


def test_wire_notes_name_the_other_paper() -> None:
    assert IntakeDetails().wire_notes("Segera") == "Segera"  # unchanged: old manifests hash as before
    d = IntakeDetails(other_paper="Surat keterangan domisili")
    assert d.wire_notes("") == "Kertas lain: Surat keterangan domisili"
    assert d.wire_notes("Segera") == "Segera\nKertas lain: Surat keterangan domisili"
    long = d.wire_notes("x" * 5000)
    assert len(long) == WIRE_NOTES_MAX and long.endswith("Kertas lain: Surat keterangan domisili")
    assert IntakeDetails.from_json(d.to_json()) == d


def test_other_paper_name_survives_the_intake_form_save(ctx: AppContext) -> None:
    db = ctx.db
    app_id = repo.save_application(db, service_code="kk_hilang", applicant=repo.ApplicantData(NIK, "Siti"))
    assert repo.set_other_paper(db, app_id, "  Surat   pengantar RT ") == "Surat pengantar RT"
    # The wizard saves the applicant step's details, which never carry the name: it is kept.
    repo.save_application(
        db, service_code="kk_hilang", applicant=repo.ApplicantData(NIK, "Siti Aminah"),
        application_id=app_id, details=IntakeDetails(),
    )  # fmt: skip
    assert sp.load_application(db, app_id).details.other_paper == "Surat pengantar RT"
    assert repo.set_other_paper(db, app_id, "") == ""
    assert sp.load_application(db, app_id).details.other_paper == ""


@pytest.fixture
def wizard(qtbot: QtBot, ctx: AppContext) -> Iterator[Callable[[str], IntakeWizard]]:
    made: list[IntakeWizard] = []

    def make(app_id: str) -> IntakeWizard:
        w = IntakeWizard(ctx, None, app_id)
        made.append(w)
        w.show()
        qtbot.waitExposed(w)
        return w

    yield make
    for w in made:
        try:
            if w.isVisible():
                qtbot.waitUntil(lambda w=w: not w.papers_step.busy, timeout=30000)
                w.close()
        except RuntimeError:
            pass
    tasks.wait_idle()


def test_other_paper_slot_in_the_papers_step(
    qtbot: QtBot,
    ctx: AppContext,
    wizard: Callable[[str], IntakeWizard],
    make_png: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = ctx.db
    app_id = repo.save_application(db, service_code="kk_hilang", applicant=repo.ApplicantData(NIK, "Siti"))
    for r in get_service("kk_hilang").mandatory:
        sp.add_pages(db, app_id, r.code, processing.pages_from_file(make_png(r.code)))
    assert repo.refresh_readiness(db, app_id) is Status.READY
    w = wizard(app_id)
    ps = w.papers_step
    qtbot.waitUntil(lambda: ps.state is not None, timeout=10000)
    w.go_to(PAPERS)
    last = ps.reqs.item(ps.reqs.count() - 1)
    assert last.text().startswith("Kertas lain (diminta kantor)") and "Bila kantor meminta" in last.text()
    assert not ps.other_name.isVisibleTo(ps)
    ps.select_requirement(OTHER_PAPER_CODE)
    assert ps.other_name.isVisibleTo(ps) and ps.other_name.isEnabled()

    # The operator names it (Enter stores it) ...
    ps.other_name.setFocus()
    qtbot.keyClicks(ps.other_name, "Surat keterangan domisili")
    qtbot.keyClick(ps.other_name, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: ps.reqs.item(ps.reqs.count() - 1).text().startswith("Kertas lain: Surat keterangan domisili"),
        timeout=10000,
    )
    assert sp.load_application(db, app_id).details.other_paper == "Surat keterangan domisili"

    # ... and adds its pages like any paper's; the application stays ready.
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(make_png("domisili"))], ""))
    done: list[int] = []
    ps.job_done.connect(done.append)
    ps.choose_files()
    qtbot.waitUntil(lambda: done == [1] and not ps.busy, timeout=30000)
    assert len(sp.list_pages(db, app_id)[OTHER_PAPER_CODE]) == 1
    assert repo.application_status(db, app_id) is Status.READY
    titles = {p.requirement_code: p.title for p in application_detail(db, app_id).papers}
    assert titles[OTHER_PAPER_CODE] == "Kertas lain: Surat keterangan domisili"
