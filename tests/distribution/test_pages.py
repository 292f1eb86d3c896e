from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from PySide6.QtCore import QPointF, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from desa_capil.domain.status import Status
from desa_capil.paths import AppPaths
from desa_capil.security import audit
from desa_capil.services.changes import Changes
from desa_capil.store import distribution as dist
from desa_capil.store.db import Database
from desa_capil.store.repo import ApplicantData, save_application
from desa_capil.ui import printing
from desa_capil.ui.context import AppContext
from desa_capil.ui.handover_dialog import HandOverDialog
from desa_capil.ui.pages import distribution_page as dp
from desa_capil.ui.pages import reports_page as rp
from desa_capil.ui.widgets_overdue import OverdueBanner

from .helpers import MakeDispatched, advance
from .test_reports import pdf_text_and_qr

# The offscreen platform says this whenever a top-level widget is shown; harmless.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def ctx(db: Database, paths: AppPaths, operator_id: int) -> AppContext:
    c = AppContext(db, paths)
    c.operator_id = operator_id
    return c


def _loaded_page(qtbot: QtBot, ctx: AppContext) -> dp.DistributionPage:
    page = dp.DistributionPage(ctx)
    qtbot.addWidget(page)
    page.resize(1146, 700)
    page.show()
    qtbot.waitUntil(lambda: not page._loading)
    return page


def _tree(page: dp.DistributionPage) -> list[tuple[str, list[str]]]:
    out = []
    for i in range(page.tree.topLevelItemCount()):
        head = page.tree.topLevelItem(i)
        out.append((head.text(0), [head.child(j).text(0) for j in range(head.childCount())]))
    return out


def test_page_groups_rows_by_dispatch(qtbot: QtBot, ctx: AppContext, make_dispatched: MakeDispatched) -> None:
    make_dispatched(name="Budi", dispatch_id="KRM-1")
    make_dispatched(name="Ani", nik="3201014101900002", dispatch_id="KRM-1", phone="022-123")
    make_dispatched(name="Citra", nik="3201014101900003", dispatch_id="KRM-2")
    page = _loaded_page(qtbot, ctx)
    tree = dict(_tree(page))
    assert tree == {"Kiriman KRM-1": ["Ani", "Budi"], "Kiriman KRM-2": ["Citra"]}
    ani = page.tree.topLevelItem(0 if _tree(page)[0][0].endswith("1") else 1).child(0)
    assert "kunjungi" in ani.text(dp.DistributionPage.COL_PHONE)
    assert "1 warga tidak punya nomor WhatsApp" in page.hint.text()
    # The "no phone" chip lists residents to visit.
    with qtbot.waitSignal(page.chips["no_phone"].clicked):
        page.chips["no_phone"].click()
    qtbot.waitUntil(lambda: not page._loading and [n for _, names in _tree(page) for n in names] == ["Ani"])


def test_arrival_of_many_then_handover(
    qtbot: QtBot,
    ctx: AppContext,
    db: Database,
    make_dispatched: MakeDispatched,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a = make_dispatched(name="Budi", dispatch_id="KRM-1")
    b = make_dispatched(name="Ani", nik="3201014101900002", dispatch_id="KRM-1")
    page = _loaded_page(qtbot, ctx)
    assert not page.arrived_button.isEnabled() and not page.handover_button.isEnabled()
    page.tree.topLevelItem(0).setSelected(True)  # the dispatch header stands for both rows
    assert page.arrived_button.isEnabled() and "(2)" in page.arrived_button.text()
    with qtbot.waitSignal(ctx.changed, timeout=5000):
        page.arrived_button.click()
    qtbot.waitUntil(
        lambda: not page._loading and all(r.status is Status.ARRIVED for r in page.rows_by_id().values())
    )
    assert [e["status"] for e in dist.pending_events(db)] == ["arrived", "arrived"]

    page.select_ids([a])
    assert page.handover_button.isEnabled() and not page.arrived_button.isEnabled()
    page.handover_button.click()
    dialog = page.handover_dialog
    assert isinstance(dialog, HandOverDialog)
    assert not dialog.save_button.isEnabled()  # ID not checked yet
    dialog.family_radio.setChecked(True)
    dialog.name_edit.setText("Rina")
    dialog.relation_combo.setEditText("istri")
    dialog.nik_edit.setText("3201011313900001")  # month 13
    dialog.id_check.setChecked(True)
    assert not dialog.save_button.isEnabled() and "tanggal" in dialog.nik_hint.text()
    dialog.nik_edit.setText("3201014101900002")
    assert dialog.save_button.isEnabled()
    dialog.pad.add_stroke([QPointF(20 + i * 5, 40 + (i % 7) * 6) for i in range(40)])
    printed: list[bytes] = []
    monkeypatch.setattr(dp, "confirm", lambda *a, **k: True)
    monkeypatch.setattr(printing, "print_pdf", lambda _p, pdf, _t: printed.append(pdf) or True)
    with qtbot.waitSignal(dialog.finished, timeout=10000):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: len(printed) == 1)
    qtbot.waitUntil(lambda: any(e.action == audit.PRINT_RECEIPT for e in audit.entries(db, a)))
    (entry,) = [e for e in audit.entries(db, a) if e.action == audit.PRINT_RECEIPT]
    assert entry.operator and entry.detail == "handover"
    text, codes, _ = pdf_text_and_qr(printed[0])
    assert "Rina" in text and codes and a in codes[0]
    ho = dist.get_handover(db, a)
    assert ho is not None and ho.relation == "istri" and ho.signature_sha256 and ho.receipt_sha256
    assert dist.stored_receipt(db, a) == printed[0]
    qtbot.waitUntil(lambda: not page._loading and set(page.rows_by_id()) == {b})


def test_arrival_reloads_the_page_once(
    qtbot: QtBot, ctx: AppContext, make_dispatched: MakeDispatched, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = make_dispatched(name="Budi")
    page = _loaded_page(qtbot, ctx)
    loads: list[None] = []
    load = page.reload
    monkeypatch.setattr(page, "reload", lambda: loads.append(load()))
    page.select_ids([a])
    with qtbot.waitSignal(ctx.changed, timeout=5000):
        page.arrived_button.click()
    qtbot.waitUntil(lambda: not page._loading and page.rows_by_id()[a].status is Status.ARRIVED)
    assert len(loads) == 1  # by the change notice; not once more by the page itself


def test_office_news_reloads_the_page_once(
    qtbot: QtBot, ctx: AppContext, make_dispatched: MakeDispatched, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = make_dispatched(name="Budi")
    page = _loaded_page(qtbot, ctx)
    loads: list[None] = []
    load = page.reload
    monkeypatch.setattr(page, "reload", lambda: loads.append(load()))
    # What the sync controller emits after a pull that brought status changes.
    ctx.office_changes.emit([a])
    ctx.notify(Changes(applications=frozenset({a}), handovers=frozenset({a})))
    qtbot.waitUntil(lambda: not page._loading)
    assert len(loads) == 1


def test_whatsapp_notice_shows_qr_text_and_opens_link(
    qtbot: QtBot, ctx: AppContext, make_dispatched: MakeDispatched, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desa_capil.store.repo import set_setting

    set_setting(ctx.db, "village_name", "Sukamaju")
    a = make_dispatched(name="Budi", phone="0812 3456 7890")
    dist.mark_arrived(ctx.db, [a], operator_id=ctx.operator_id)
    page = _loaded_page(qtbot, ctx)
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or False))
    page.select_ids([a])
    assert page.wa_button.isEnabled()
    page.wa_button.click()
    qtbot.waitUntil(lambda: page.notice_dialog is not None)
    dialog = page.notice_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert "Budi" in dialog.text.toPlainText() and "Sukamaju" in dialog.text.toPlainText()
    assert dialog.qr.pixmap() is not None and not dialog.qr.pixmap().isNull()
    dialog.copy_button.click()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == dialog.notice.text
    dialog.open_button.click()
    assert len(opened) == 1
    url = urlparse(opened[0].toString(QUrl.ComponentFormattingOption.FullyEncoded))
    assert url.netloc == "wa.me" and url.path == "/6281234567890"
    text = parse_qs(url.query)["text"][0]
    assert "Budi" in text and "Sukamaju" in text
    # No browser opened (openUrl said False): the dialog says what to do instead of nothing.
    assert dialog.message.isVisible() and "QR" in dialog.message.text()
    dialog.close()


def test_whatsapp_notice_not_offered_while_in_transit(
    qtbot: QtBot, ctx: AppContext, make_dispatched: MakeDispatched
) -> None:
    a = make_dispatched(name="Budi", phone="0812 3456 7890")
    page = _loaded_page(qtbot, ctx)
    page.select_ids([a])
    assert not page.wa_button.isEnabled()
    assert "perjalanan" in page.wa_button.toolTip()


def test_print_renders_every_page(
    qtbot: QtBot, db: Database, make_dispatched: MakeDispatched, tmp_path: Path
) -> None:
    from desa_capil.reports.summary import make_monthly_summary

    pdf = make_monthly_summary(db, date.today().year, date.today().month)
    printer = printing.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    printer.setResolution(100)
    assert printing.print_to(printer, pdf) == 1
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(out.read_bytes())
    try:
        assert len(doc) == 1
        img = doc[0].render(scale=0.5).to_pil().convert("L")
        assert img.getextrema()[0] < 80  # something dark was printed, not a blank sheet
    finally:
        doc.close()


def test_overdue_banner(qtbot: QtBot, ctx: AppContext, db: Database) -> None:
    from desa_capil.store.models import utcnow

    banner = OverdueBanner(ctx)
    qtbot.addWidget(banner)
    with qtbot.waitSignal(banner.loaded) as first:
        pass
    assert first.args[0].total == 0 and banner.isHidden()
    late = save_application(db, service_code="kk_ubah", applicant=ApplicantData("3201010101900009", "Dedi"))
    advance(db, late, Status.SENT, at=utcnow() - timedelta(days=4))
    with qtbot.waitSignal(banner.loaded):
        ctx.notify(Changes(applications=frozenset({late})))
    assert not banner.isHidden() and "1 permohonan" in banner.text.text()
    with qtbot.waitSignal(banner.open_unanswered) as sig:
        banner.unanswered_button.click()
    assert sig.args == [[late]]


def test_reports_page_counts_and_csv(
    qtbot: QtBot,
    ctx: AppContext,
    make_dispatched: MakeDispatched,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_dispatched(name="Budi", service="kk_ubah")
    make_dispatched(name="Ani", nik="3201014101900002", service="akta_lahir")
    page = rp.ReportsPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.counts is not None and page.table.rowCount() == 3)
    assert page.total_label.text() == "2"
    names = [page.table.item(i, 0).text() for i in range(page.table.rowCount())]
    assert names[-1] == "Jumlah" and "Akta kelahiran" in names
    target = tmp_path / "lap.csv"
    monkeypatch.setattr(rp.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    page.csv_button.click()
    qtbot.waitUntil(target.exists)
    assert "Akta kelahiran" in target.read_bytes().decode("utf-8-sig")
    qtbot.waitUntil(lambda: bool(audit.entries(ctx.db)))
    (entry,) = audit.entries(ctx.db)
    assert entry.action == audit.EXPORT_REPORT and entry.detail == "csv" and entry.operator
    page.set_period(date.today() - timedelta(days=60), date.today() - timedelta(days=45))
    qtbot.waitUntil(lambda: page.counts is not None and page.counts.total == 0)
    assert page.table.rowCount() == 0 and "Tidak ada permohonan" in page.status_label.text()


def test_printing_an_office_pdf_is_audited_only_when_printed(
    qtbot: QtBot, ctx: AppContext, make_dispatched: MakeDispatched, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desa_capil.reports.summary import make_monthly_summary

    sha = ctx.db.blobs.put(make_monthly_summary(ctx.db, date.today().year, date.today().month))
    a = make_dispatched(name="Budi", file_sha=sha)
    page = _loaded_page(qtbot, ctx)
    page.select_ids([a])
    assert page.print_button.isEnabled()
    answers = [False, True]
    printed: list[bytes] = []
    monkeypatch.setattr(dp, "print_pdf", lambda _p, pdf, _t: printed.append(pdf) or answers.pop(0))
    page.print_button.click()
    qtbot.waitUntil(lambda: len(printed) == 1)
    page.print_button.click()  # cancelled the first time, printed the second
    qtbot.waitUntil(lambda: any(e.action == audit.PRINT_DOCUMENT for e in audit.entries(ctx.db, a)))
    actions = [e.action for e in audit.entries(ctx.db, a)]
    assert actions.count(audit.PRINT_DOCUMENT) == 1 and actions.count(audit.OPEN_DOCUMENT) == 2
    assert all(e.operator for e in audit.entries(ctx.db, a))


def test_summary_pdf_saved_and_printed_are_audited(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = rp.ReportsPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.counts is not None)
    target = tmp_path / "rekap.pdf"
    monkeypatch.setattr(rp.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    page.pdf_button.click()
    qtbot.waitUntil(lambda: len(audit.entries(ctx.db)) == 1)
    assert target.read_bytes().startswith(b"%PDF")
    printed: list[bytes] = []
    monkeypatch.setattr(rp, "print_pdf", lambda _p, pdf, _t: printed.append(pdf) or True)
    page.print_summary()
    qtbot.waitUntil(lambda: len(audit.entries(ctx.db)) == 2)
    assert printed
    assert [(e.action, e.detail) for e in audit.entries(ctx.db)] == [
        (audit.EXPORT_REPORT, "print summary"),
        (audit.EXPORT_REPORT, "pdf"),
    ]
