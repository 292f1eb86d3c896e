"""The catalog in the intake wizard: variants, originals, alternatives, event date, subjects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desa_capil.store import pages as sp
from desa_capil.ui.context import AppContext
from desa_capil.ui.intake import IntakeWizard
from desa_capil.ui.intake.applicant_step import parse_date
from desa_capil.ui.intake.wizard import APPLICANT, PAPERS
from tests.intake import test_intake_wizard as tw

_fill_applicant = tw._fill_applicant
open_wizard = tw.open_wizard  # the fixture, shared

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def test_parse_date() -> None:
    assert parse_date("17-08-2025") == date(2025, 8, 17)
    assert parse_date("7/8/2025") == date(2025, 8, 7)
    assert parse_date("2025-08-17") == date(2025, 8, 17)
    assert parse_date("31-02-2025") is None
    assert parse_date("kemarin") is None


def test_variants_and_originals_in_the_service_step(
    qtbot: QtBot, open_wizard: Callable[..., IntakeWizard]
) -> None:
    w = open_wizard()
    step = w.service_step
    qtbot.keyClicks(step.search, "ktp cetak ulang")
    assert step.code() == "ktp_cetak_ulang"
    assert step.variant_box.isVisible() and set(step.variant_buttons) == {
        "ktp_cetak_ulang",
        "ktp_cetak_ulang_rusak",
    }
    assert "kepolisian" in step.papers.text()
    with qtbot.waitSignal(step.chosen) as sig:
        step.variant_buttons["ktp_cetak_ulang_rusak"].click()
    assert sig.args == ["ktp_cetak_ulang_rusak"] and step.code() == "ktp_cetak_ulang_rusak"
    assert "kepolisian" not in step.papers.text() and "asli diserahkan" in step.papers.text()
    # Searching for the variant by name picks it directly.
    step.search.clear()
    qtbot.keyClicks(step.search, "kia hilang")
    assert step.code() == "kia_hilang" and step.variant_buttons["kia_hilang"].isChecked()
    # Alternatives and deadlines are part of the checklist.
    step.set_code("akta_lahir")
    assert "atau: SPTJM kebenaran data kelahiran (F-2.03) + KTP-el dua orang saksi" in step.papers.text()
    assert "3-in-1 kelahiran" in step.note.text()
    step.set_code("akta_mati")
    assert "Batas lapor: 30 hari" in step.note.text()
    step.set_code("kk_rusak")
    assert step.code() == "kk_rusak" and step.variant_buttons["kk_rusak"].isChecked()


def test_death_report_with_deceased_late_warning_and_bundle(
    qtbot: QtBot, ctx: AppContext, open_wizard: Callable[..., IntakeWizard]
) -> None:
    w = open_wizard()
    w.service_step.set_code("akta_mati")
    qtbot.keyClick(w.service_step.search, Qt.Key.Key_Return)
    assert w.step() == APPLICANT
    step = w.applicant_step
    assert step.title.text() == "Data pemohon (pelapor)"
    _fill_applicant(qtbot, w)
    died = date.today() - timedelta(days=45)
    assert step.event_date is not None and step.event_msg is not None
    qtbot.keyClicks(step.event_date, died.strftime("%d-%m-%Y"))
    assert step.event_msg.tone() == "warning" and "Terlambat lapor" in step.event_msg.text()
    assert "15 hari" in step.event_msg.text()
    name, _nm, nik, nik_msg = step.subject_fields["almarhum"]
    qtbot.keyClicks(name, "Ahmad Yani")
    qtbot.keyClicks(nik, "3201011501500000")  # serial 0000: a typo, blocks
    assert nik_msg.tone() == "problem"
    w.next()
    assert w.step() == APPLICANT and w.application_id is None
    nik.clear()
    qtbot.keyClicks(nik, "3201011501500001")
    assert nik_msg.tone() == "ok" and "laki-laki" in nik_msg.text()
    assert "Kec. Cibinong, Kabupaten Bogor" in nik_msg.text()  # the region its prefix names
    step.output_checks["kk"].setChecked(True)
    with qtbot.waitSignal(w.papers_step.state_changed, timeout=10000):
        w.next()  # late is only a warning
    assert w.step() == PAPERS and w.application_id
    draft = sp.load_application(ctx.db, w.application_id)
    assert draft.details.event_date == died
    assert [(p.role, p.name, p.nik) for p in draft.details.subjects] == [
        ("almarhum", "Ahmad Yani", "3201011501500001")
    ]
    assert draft.details.outputs == ("akta_kematian", "kk")
    app_id = w.application_id
    w.close()

    again = open_wizard(app_id)
    qtbot.waitUntil(lambda: again.step() == PAPERS, timeout=10000)
    s2 = again.applicant_step
    assert s2.subject_fields["almarhum"][0].text() == "Ahmad Yani"
    assert s2.event_date is not None and s2.event_date.text() == died.strftime("%d-%m-%Y")
    assert s2.output_checks["kk"].isChecked() and not s2.output_checks["ktp_el"].isChecked()


def test_name_rules_warn_without_blocking(qtbot: QtBot, open_wizard: Callable[..., IntakeWizard]) -> None:
    w = open_wizard()
    w.service_step.set_code("kk_hilang")
    w.next()
    _fill_applicant(qtbot, w, nik="3299015512900001", name="Sukarno")  # 32.99.01: no such regency
    step = w.applicant_step
    assert step.name_msg.tone() == "warning" and "dua kata" in step.name_msg.text()
    assert step.nik_msg.tone() == "warning" and "32.99.01 tidak ada di daftar" in step.nik_msg.text()
    assert "NIK benar" in step.nik_msg.text()
    with qtbot.waitSignal(w.papers_step.state_changed, timeout=10000):
        w.next()
    assert w.step() == PAPERS


def test_home_recording_for_ktp_rekam(
    qtbot: QtBot, ctx: AppContext, open_wizard: Callable[..., IntakeWizard]
) -> None:
    w = open_wizard()
    w.service_step.set_code("ktp_rekam")
    w.next()
    _fill_applicant(qtbot, w)
    assert w.applicant_step.home is not None and w.applicant_step.event_date is None
    w.applicant_step.home.setCurrentIndex(w.applicant_step.home.findData("lansia"))
    with qtbot.waitSignal(w.papers_step.state_changed, timeout=10000):
        w.next()
    assert w.application_id
    assert sp.load_application(ctx.db, w.application_id).details.home_recording.value == "lansia"


def test_forms_printed_from_the_wizard(
    qtbot: QtBot, ctx: AppContext, open_wizard: Callable[..., IntakeWizard], monkeypatch: pytest.MonkeyPatch
) -> None:
    from desa_capil.ui import printing
    from tests.forms.render import pdf_text

    printed: list[tuple[str, bytes]] = []
    monkeypatch.setattr(
        printing, "print_pdf", lambda _parent, pdf, title: printed.append((title, pdf)) or True
    )
    w = open_wizard()
    w.service_step.set_code("akta_mati")
    w.next()
    _fill_applicant(qtbot, w)
    step = w.applicant_step
    name, _nm, nik, _km = step.subject_fields["almarhum"]
    qtbot.keyClicks(name, "Ahmad Yani")
    qtbot.keyClicks(nik, "3201011501500001")
    titles = [a.text() for a in step.print_menu.actions()]
    assert titles == [
        "Surat Keterangan Kematian dari Desa (F-2.29)",
        "Formulir Pelaporan Pencatatan Sipil (F-2.01)",
        "Tanda terima dokumen asli yang disimpan desa",
    ]
    assert not step.print_button.isHidden()
    step.print_menu.actions()[0].trigger()  # saves first, then prints
    qtbot.waitUntil(lambda: len(printed) == 1, timeout=15000)
    title, pdf = printed[0]
    assert "F-2.29" in title and "Ahmad Yani" in pdf_text(pdf) and "Siti Aminah" in pdf_text(pdf)
    assert w.application_id is not None
    # No service form for a lost KK: the button is not offered.
    w.service_step.set_code("kk_hilang")
    assert step.print_button.isHidden()


def test_draft_of_a_service_the_office_dropped_still_opens(
    qtbot: QtBot, ctx: AppContext, open_wizard: Callable[..., IntakeWizard]
) -> None:
    import json

    from desa_capil.domain import catalog
    from desa_capil.store import repo

    app_id = repo.save_application(
        ctx.db,
        service_code="pembetulan_data",
        applicant=repo.ApplicantData("3201015512900001", "Siti Aminah", ""),
    )
    raw = json.loads(catalog.catalog_text())
    raw["version"] = "2026.1-test"
    raw["services"] = [s for s in raw["services"] if s["code"] != "pembetulan_data"]
    catalog.install(catalog.parse_catalog(raw))
    try:
        w = open_wizard(app_id)
        qtbot.waitUntil(lambda: w.step() == PAPERS, timeout=10000)
        assert w.service_step.code() == "pembetulan_data"
        assert "tidak ditawarkan lagi" in w.service_step.list.currentItem().text()
        w.service_step.search.setText("pembetulan")
        assert w.service_step.list.item(0).flags() == Qt.ItemFlag.NoItemFlags  # not offered anew
    finally:
        catalog.use_bundled()


def test_papers_step_shows_originals_and_alternatives(
    qtbot: QtBot, ctx: AppContext, open_wizard: Callable[..., IntakeWizard]
) -> None:
    from sqlmodel import select

    from desa_capil.store import repo
    from desa_capil.store.models import Page

    app_id = repo.save_application(
        ctx.db, service_code="akta_lahir", applicant=repo.ApplicantData("3201015512900001", "Siti Aminah", "")
    )
    with ctx.db.session() as s:
        for code in ("kk", "ktp_ortu", "f201", "buku_nikah_ortu", "sptjm_f203", "ktp_saksi"):
            doc = repo.document_for(s, app_id, code)
            n = len(s.exec(select(Page).where(Page.document_id == doc.id)).all())
            s.add(Page(document_id=doc.id, position=n, processed_sha256=ctx.db.blobs.put(code.encode()),
                       mime="image/png", size_bytes=3))  # fmt: skip
        s.commit()
    repo.refresh_readiness(ctx.db, app_id)
    w = open_wizard(app_id)
    qtbot.waitUntil(lambda: w.step() == PAPERS and w.papers_step.state is not None, timeout=10000)
    rows = {
        w.papers_step.reqs.item(i).data(Qt.ItemDataRole.UserRole + 1): w.papers_step.reqs.item(i).text()
        for i in range(w.papers_step.reqs.count())
    }
    assert "diganti SPTJM dan saksi" in rows["sk_lahir"]  # the birth notice is replaced
    assert "Pengganti" in rows["sptjm_f203"]
    assert w.status.value == "ready"
