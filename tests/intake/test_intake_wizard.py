"""The intake wizard driven end to end with pytest-qt, against the real store and scan code."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from desa_capil.domain.catalog import Urgency, get_service
from desa_capil.domain.nik import validate_nik
from desa_capil.domain.status import Actor, Status
from desa_capil.errors import BadInputError
from desa_capil.scan import sources
from desa_capil.scan.pdf import assemble_pdf, page_count
from desa_capil.store import pages as sp
from desa_capil.store import repo
from desa_capil.store.models import Application, Document, Page
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext
from desa_capil.ui.intake import IntakeWizard
from desa_capil.ui.intake.wizard import APPLICANT, PAPERS

# The offscreen platform says this whenever a top-level window changes its size constraints.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

NIK = "3201015512900001"  # a woman born 15-12-1990 in Jawa Barat


@pytest.fixture
def open_wizard(qtbot: QtBot, ctx: AppContext) -> Iterator[Callable[..., IntakeWizard]]:
    made: list[IntakeWizard] = []

    def make(application_id: str | None = None) -> IntakeWizard:
        w = IntakeWizard(ctx, None, application_id)
        made.append(w)
        w.show()
        qtbot.waitExposed(w)
        return w

    yield make
    for w in made:
        try:
            if w.isVisible():
                # Closing while pages are still processing asks the operator (a modal box no
                # test would answer, which Qt's loop would wait on forever): let the work finish.
                qtbot.waitUntil(lambda w=w: not w.papers_step.busy, timeout=30000)
                w.close()
        except RuntimeError:
            pass  # already deleted after closing
    tasks.wait_idle()


def _fill_applicant(qtbot: QtBot, w: IntakeWizard, nik: str = NIK, name: str = "Siti Aminah") -> None:
    step = w.applicant_step
    step.nik.clear()
    qtbot.keyClicks(step.nik, nik)
    qtbot.keyClicks(step.name, name)
    qtbot.keyClicks(step.phone, "0812 3456 7890")


def _to_papers(qtbot: QtBot, w: IntakeWizard, service: str = "kk_hilang") -> str:
    w.service_step.set_code(service)
    w.next()
    _fill_applicant(qtbot, w)
    with qtbot.waitSignal(w.papers_step.state_changed, timeout=10000):
        w.next()
    assert w.step() == PAPERS and w.application_id
    return w.application_id


def _import(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, w: IntakeWizard, code: str, files: list[Path]
) -> None:
    """Import through the file dialog (patched) into paper `code`; wait until every file is stored."""
    w.papers_step.select_requirement(code)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(f) for f in files], ""))
    done: list[int] = []
    w.papers_step.job_done.connect(done.append)
    w.papers_step.choose_files()
    qtbot.waitUntil(lambda: len(done) == len(files) and not w.papers_step.busy, timeout=30000)
    w.papers_step.job_done.disconnect(done.append)


def _open_pages(ctx: AppContext, app_id: str) -> dict[str, int]:
    return {code: len(pages) for code, pages in sp.list_pages(ctx.db, app_id).items()}


def test_new_application_end_to_end(
    qtbot: QtBot,
    ctx: AppContext,
    open_wizard: Callable[..., IntakeWizard],
    make_png: Callable[[str], Path],
    make_pdf: Callable[[str, int], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = open_wizard()
    # 1. Service by keyboard: type, Enter.
    qtbot.keyClicks(w.service_step.search, "akta lahir")
    assert w.service_step.code() == "akta_lahir"
    assert "Kartu Keluarga" in w.service_step.papers.text()
    qtbot.keyClick(w.service_step.search, Qt.Key.Key_Return)
    assert w.step() == APPLICANT

    # 2. Applicant: the reason for a wrong NIK is shown as it is typed.
    step = w.applicant_step
    qtbot.keyClicks(step.nik, "3201014512900")
    assert step.nik_msg.text() == validate_nik("3201014512900").message("id")
    assert "13 angka" in step.nik_msg.text() and step.nik_msg.tone() == "problem"
    step.nik.clear()
    qtbot.keyClicks(step.nik, "3201013212900001")  # day 32: not a date
    assert step.nik_msg.text() == validate_nik("3201013212900001").message("id")
    assert "bukan tanggal" in step.nik_msg.text()
    w.next()  # refused: the wizard stays and nothing is saved
    assert w.step() == APPLICANT and w.application_id is None
    assert step.name_msg.text() == "Nama pemohon belum diisi."
    _fill_applicant(qtbot, w)
    assert step.nik_msg.tone() == "ok" and "perempuan" in step.nik_msg.text()
    step.urgency.setCurrentIndex(step.urgency.findData(Urgency.SCHOOL.value))
    with qtbot.waitSignal(w.papers_step.state_changed, timeout=10000):
        w.next()
    assert w.step() == PAPERS
    app_id = w.application_id
    assert app_id is not None
    assert w.status is Status.DRAFT

    # 3. Papers: a PDF (two pages) and images into every mandatory paper.
    mandatory = [r.code for r in get_service("akta_lahir").mandatory]
    expected = 0
    for i, code in enumerate(mandatory):
        if i == 0:
            files, n = [make_pdf("sk_lahir", 2)], 2
        else:
            files, n = [make_png(f"{code}")], 1
        _import(qtbot, monkeypatch, w, code, files)
        expected += n
        if i < len(mandatory) - 1:
            assert w.status is Status.DRAFT
    qtbot.waitUntil(lambda: w.status is Status.READY, timeout=10000)
    assert w.status_badge.text() == "Siap dikirim"
    assert _open_pages(ctx, app_id) == {mandatory[0]: 2, **dict.fromkeys(mandatory[1:], 1)}
    w.accept()
    tasks.wait_idle()

    # Sealing with the scan package's PDF assembly: pages and bytes add up.
    db = ctx.db
    sealed = repo.seal_batch(
        db, [app_id], lambda pages: assemble_pdf([(db.blobs.get(p.processed_sha256), p.mime) for p in pages])
    )
    assert (sealed.application_count, sealed.page_count) == (1, expected)
    with db.session() as s:
        docs = s.exec(select(Document).where(Document.application_id == app_id)).all()
        app = s.get(Application, app_id)
    assert app is not None and (app.status, app.urgency) == (Status.SENDING, Urgency.SCHOOL)
    assert len(docs) == len(mandatory)
    assert (
        sealed.total_bytes
        == sum(d.file_size for d in docs)
        == sum(len(db.blobs.get(d.file_sha256 or "")) for d in docs)
    )
    assert sum(page_count(db.blobs.get(d.file_sha256 or "")) for d in docs) == expected


def test_draft_survives_closing_midway(
    qtbot: QtBot, ctx: AppContext, open_wizard: Callable[..., IntakeWizard]
) -> None:
    w = open_wizard()
    w.service_step.set_code("akta_mati")
    w.next()
    _fill_applicant(qtbot, w)
    qtbot.keyClicks(w.applicant_step.notes, "meninggal di rumah")
    w.close()  # still on the applicant step, no Next pressed
    qtbot.waitUntil(lambda: _count_apps(ctx) == 1, timeout=10000)
    with ctx.db.session() as s:
        app_id = s.exec(select(Application.id)).one()

    again = open_wizard(app_id)
    qtbot.waitUntil(lambda: again.step() == PAPERS, timeout=10000)
    assert again.service_step.code() == "akta_mati"
    assert again.applicant_step.data().nik == NIK
    assert again.applicant_step.data().name == "Siti Aminah"
    assert again.applicant_step.notes_text() == "meninggal di rumah"
    assert again.windowTitle() == "Ubah Permohonan"


def test_pages_survive_and_page_actions(
    qtbot: QtBot,
    ctx: AppContext,
    open_wizard: Callable[..., IntakeWizard],
    make_pdf: Callable[[str, int], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = open_wizard()
    app_id = _to_papers(qtbot, w)
    _import(qtbot, monkeypatch, w, "ktp_el", [make_pdf("ktp", 3)])
    ps = w.papers_step
    qtbot.waitUntil(lambda: ps.strip.count() == 3)
    ids = ps.strip.page_ids()

    ps.strip.setCurrentRow(0)
    with qtbot.waitSignal(ps.state_changed, timeout=10000):
        ps.rotate_selected(90)
    with ctx.db.session() as s:
        rotated = s.get(Page, ids[0])
    assert rotated is not None and rotated.rotation == 90 and rotated.width > rotated.height
    assert ps.selected_page() == ids[0]

    with qtbot.waitSignal(ps.state_changed, timeout=10000):
        ps.move_selected(1)
    assert ps.strip.page_ids() == [ids[1], ids[0], ids[2]]

    ps.strip.setCurrentRow(2)
    with qtbot.waitSignal(ps.state_changed, timeout=10000):
        qtbot.keyClick(ps.strip, Qt.Key.Key_Delete)
    assert ps.strip.page_ids() == [ids[1], ids[0]]

    w.close()
    tasks.wait_idle()
    again = open_wizard(app_id)
    qtbot.waitUntil(lambda: again.papers_step.state is not None, timeout=10000)
    again.papers_step.select_requirement("ktp_el")
    assert again.papers_step.strip.page_ids() == [ids[1], ids[0]]


@pytest.mark.parametrize(
    "kind",
    ["empty", "text", "truncated", "too_many_pages"],
)
def test_bad_file_shows_message_and_adds_nothing(
    qtbot: QtBot,
    ctx: AppContext,
    open_wizard: Callable[..., IntakeWizard],
    bad_file: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    path = bad_file(kind)
    with pytest.raises(BadInputError) as caught:
        sources.import_file(path)
    expected = caught.value.message("id")

    w = open_wizard()
    app_id = _to_papers(qtbot, w)
    w.papers_step.select_requirement("ktp_el")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(path)], ""))
    with qtbot.waitSignal(w.papers_step.job_failed, timeout=20000) as sig:
        w.papers_step.choose_files()
    assert sig.args == [expected]
    qtbot.waitUntil(lambda: not w.papers_step.busy)
    assert w.papers_step.error.isVisible() and w.papers_step.error.text() == expected
    assert _open_pages(ctx, app_id) == {}
    assert w.status is Status.DRAFT


def test_known_nik_fills_the_rest(
    qtbot: QtBot, ctx: AppContext, open_wizard: Callable[..., IntakeWizard]
) -> None:
    repo.save_application(
        ctx.db,
        service_code="kk_hilang",
        applicant=repo.ApplicantData(NIK, "Siti Aminah", "3201011503100002", "081234567890", "Dusun Krajan"),
    )
    w = open_wizard()
    w.service_step.set_code("ktp_cetak_ulang")
    w.next()
    step = w.applicant_step
    qtbot.keyClicks(step.nik, NIK)
    qtbot.waitUntil(lambda: step.name.text() == "Siti Aminah", timeout=5000)
    assert (step.kk.text(), step.phone.text(), step.address.text()) == (
        "3201011503100002",
        "081234567890",
        "Dusun Krajan",
    )
    assert step.known.isVisible()


def test_drop_files_on_a_paper(
    qtbot: QtBot,
    ctx: AppContext,
    open_wizard: Callable[..., IntakeWizard],
    make_png: Callable[[str], Path],
) -> None:
    w = open_wizard()
    app_id = _to_papers(qtbot, w)
    reqs = w.papers_step.reqs
    item = next(
        reqs.item(i)
        for i in range(reqs.count())
        if reqs.item(i).data(Qt.ItemDataRole.UserRole + 1) == "sk_kehilangan"
    )
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(make_png("a"))), QUrl.fromLocalFile(str(make_png("b")))])
    pos = QPointF(reqs.visualItemRect(item).center())
    ev = QDropEvent(
        pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    reqs.dropEvent(ev)
    qtbot.waitUntil(lambda: _open_pages(ctx, app_id) == {"sk_kehilangan": 2}, timeout=10000)
    assert w.papers_step.current_code() == "sk_kehilangan"


def test_watched_folder_imports_new_files(
    qtbot: QtBot,
    ctx: AppContext,
    open_wizard: Callable[..., IntakeWizard],
    make_png: Callable[[str], Path],
    bad_file: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    w = open_wizard()
    app_id = _to_papers(qtbot, w)
    ps = w.papers_step
    ps.select_requirement("ktp_el")
    ps.start_watch(str(inbox), interval=0.05)
    assert ps.watching and ps.watch_note.isVisible()
    # The ledger of handled scans is the app's, not the (maybe read-only) scanner folder's.
    assert ps.watcher is not None and ps.watcher.ledger.is_relative_to(ctx.paths.data)
    with qtbot.waitSignal(ps.job_done, timeout=20000):
        shutil.copy(make_png("new"), inbox / "scan0001.png")
    qtbot.waitUntil(lambda: _open_pages(ctx, app_id) == {"ktp_el": 1}, timeout=10000)
    # The watcher moves a file away right after handing it over, on its own thread.
    qtbot.waitUntil(lambda: (inbox / "selesai" / "scan0001.png").exists(), timeout=5000)
    assert not (inbox / "scan0001.png").exists()

    # A broken file: the message, no page, and the file set aside in "gagal".
    with qtbot.waitSignal(ps.job_failed, timeout=20000) as sig:
        shutil.copy(bad_file("truncated"), inbox / "scan0002.png")
    assert "rusak" in sig.args[0]
    qtbot.waitUntil(lambda: (inbox / "gagal" / "scan0002.png").exists(), timeout=5000)
    assert _open_pages(ctx, app_id) == {"ktp_el": 1}
    ps.stop_watch()
    assert not ps.watching


def test_needs_fix_shows_office_message_and_takes_new_papers(
    qtbot: QtBot,
    ctx: AppContext,
    open_wizard: Callable[..., IntakeWizard],
    make_png: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desa_capil.services import pages as processing

    db = ctx.db
    app_id = repo.save_application(db, service_code="kk_hilang", applicant=repo.ApplicantData(NIK, "Siti"))
    for r in get_service("kk_hilang").mandatory:
        sp.add_pages(db, app_id, r.code, processing.pages_from_file(make_png(r.code)))
    repo.refresh_readiness(db, app_id)
    repo.seal_batch(
        db, [app_id], lambda pages: assemble_pdf([(db.blobs.get(p.processed_sha256), p.mime) for p in pages])
    )
    with db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        repo._set_status(s, app, Status.SENT)
        repo._set_status(s, app, Status.NEEDS_FIX, Actor.OFFICE, message="Foto KTP-el buram, kirim ulang.")
        s.commit()

    w = open_wizard(app_id)
    qtbot.waitUntil(lambda: w.office_note.isVisible(), timeout=10000)
    assert "Foto KTP-el buram, kirim ulang." in w.office_note.text()
    assert w.status is Status.NEEDS_FIX
    _import(qtbot, monkeypatch, w, "ktp_el", [make_png("ktp baru")])
    assert _open_pages(ctx, app_id) == {"ktp_el": 1}
    assert w.status is Status.NEEDS_FIX
    # What the office already has is counted, not editable.
    assert "1 terkirim" in w.papers_step.reqs.currentItem().text()


def test_sent_application_cannot_be_edited(
    qtbot: QtBot, ctx: AppContext, open_wizard: Callable[..., IntakeWizard], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = ctx.db
    app_id = repo.save_application(db, service_code="kk_hilang", applicant=repo.ApplicantData(NIK, "Siti"))
    with db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        app.status = Status.SENT
        s.add(app)
        s.commit()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: shown.append(text))
    w = open_wizard(app_id)
    with qtbot.waitSignal(w.finished, timeout=10000):
        pass
    assert len(shown) == 1 and "tidak bisa diubah" in shown[0]


# QtMultimedia's FFmpeg backend reports optional libraries it cannot find (PipeWire, VA-API).
@pytest.mark.qt_log_ignore("does not support propagateSizeHints|Couldn't (load|resolve) ")
def test_no_camera_says_so(
    qtbot: QtBot, ctx: AppContext, open_wizard: Callable[..., IntakeWizard], monkeypatch: pytest.MonkeyPatch
) -> None:
    from desa_capil.ui import camera

    monkeypatch.setattr(camera, "camera_devices", lambda: [])
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: shown.append(text))
    w = open_wizard()
    _to_papers(qtbot, w)
    w.papers_step.btn_camera.click()
    assert shown == [camera.no_camera_text()]
    assert "Tidak ada kamera" in shown[0]


def _count_apps(ctx: AppContext) -> int:
    with ctx.db.session() as s:
        return len(s.exec(select(col(Application.id))).all())


needs_scanimage = pytest.mark.skipif(shutil.which("scanimage") is None, reason="sane-utils not installed")


@pytest.mark.sane
@needs_scanimage
def test_scan_with_sane_test_backend(
    qtbot: QtBot,
    ctx: AppContext,
    open_wizard: Callable[..., IntakeWizard],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desa_capil.scan.scanner import SaneBackend
    from desa_capil.ui.intake.scanner_dialog import ScannerDialog

    # Only SANE's virtual "test" scanner is configured: no real hardware is probed.
    conf = tmp_path / "sane.d"
    conf.mkdir()
    (conf / "dll.conf").write_text("test\n")
    monkeypatch.setenv("SANE_CONFIG_DIR", str(conf))

    w = open_wizard()
    app_id = _to_papers(qtbot, w)
    ps = w.papers_step
    ps.select_requirement("ktp_el")
    ps.scanner_backends = [SaneBackend()]
    ps.btn_scan.click()
    dlg = ps.scanner_dialog
    assert isinstance(dlg, ScannerDialog)
    qtbot.waitUntil(lambda: dlg.devices.count() == 2, timeout=30000)
    dlg.resolution.addItem("50 dpi", 50)  # the test scanner's page at 50 dpi keeps the test fast
    dlg.resolution.setCurrentIndex(dlg.resolution.count() - 1)
    with qtbot.waitSignal(ps.job_done, timeout=60000) as sig:
        dlg.btn_scan.click()
    assert sig.args == [1]
    qtbot.waitUntil(lambda: _open_pages(ctx, app_id) == {"ktp_el": 1}, timeout=10000)
    with ctx.db.session() as s:
        page = s.exec(select(Page)).one()
    assert page.source == "scanner"
    dlg.accept()


@pytest.fixture
def operator_ctx(ctx: AppContext) -> AppContext:
    from desa_capil.store.operators import add_operator

    ctx.operator_id = add_operator(ctx.db, "Bu Rini").id
    return ctx


def test_new_application_offers_the_intake_receipt_and_keeps_it(
    qtbot: QtBot,
    operator_ctx: AppContext,
    open_wizard: Callable[..., IntakeWizard],
    make_png: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desa_capil.security import audit
    from desa_capil.store import distribution as dist
    from desa_capil.ui import printing
    from desa_capil.ui.intake import wizard as wizard_module

    ctx = operator_ctx
    w = open_wizard()
    assert not w.btn_receipt.isEnabled()
    app_id = _to_papers(qtbot, w)
    assert w.btn_receipt.isEnabled()
    _import(qtbot, monkeypatch, w, get_service("kk_hilang").mandatory[0].code, [make_png("ktp")])
    asked: list[str] = []
    printed: list[bytes] = []
    monkeypatch.setattr(wizard_module, "confirm", lambda _p, _t, text, *_a, **_k: asked.append(text) or True)
    monkeypatch.setattr(printing, "print_pdf", lambda _p, pdf, _t: printed.append(pdf) or True)
    with qtbot.waitSignal(w.finished, timeout=10000):
        w.next()  # "Selesai": asked once, printed, then closed
    assert len(asked) == 1 and len(printed) == 1
    assert printed[0].startswith(b"%PDF")
    qtbot.waitUntil(lambda: any(e.action == audit.PRINT_RECEIPT for e in audit.entries(ctx.db, app_id)))
    (entry,) = audit.entries(ctx.db, app_id)
    assert entry.operator == "Bu Rini" and entry.detail == "intake"
    assert dist.stored_intake_receipt(ctx.db, app_id) == printed[0]


def test_reopening_and_viewing_a_page_full_size_are_audited(
    qtbot: QtBot,
    operator_ctx: AppContext,
    open_wizard: Callable[..., IntakeWizard],
    make_png: Callable[[str], Path],
) -> None:
    from desa_capil.security import audit
    from desa_capil.services import pages as processing
    from desa_capil.ui.intake.page_viewer import PageViewer

    ctx = operator_ctx
    db = ctx.db
    app_id = repo.save_application(db, service_code="kk_hilang", applicant=repo.ApplicantData(NIK, "Siti"))
    code = get_service("kk_hilang").mandatory[0].code
    sp.add_pages(db, app_id, code, processing.pages_from_file(make_png("ktp")))
    w = open_wizard(app_id)
    qtbot.waitUntil(lambda: w.papers_step.strip.count() == 1, timeout=10000)
    assert [e.action for e in audit.entries(db, app_id)] == [audit.VIEW_APPLICATION]
    strip = w.papers_step.strip
    item = strip.item(0)
    strip.itemDoubleClicked.emit(item)
    viewer = w.papers_step.viewer
    assert isinstance(viewer, PageViewer)
    with qtbot.waitSignal(viewer.shown, timeout=10000):
        pass
    assert viewer.pixmap is not None and not viewer.pixmap.isNull()
    entries = audit.entries(db, app_id)
    assert [e.action for e in entries] == [audit.VIEW_PAGES, audit.VIEW_APPLICATION]
    assert all(e.operator == "Bu Rini" for e in entries)
    viewer.close()
