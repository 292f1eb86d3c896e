"""The audit-log viewer reached from Pengaturan: rows, Indonesian labels, filters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desa_capil.paths import AppPaths
from desa_capil.security import audit
from desa_capil.store import repo
from desa_capil.store.db import Database
from desa_capil.store.operators import add_operator
from desa_capil.ui import tasks
from desa_capil.ui.audit_dialog import AuditDialog
from desa_capil.ui.context import AppContext
from desa_capil.ui.privacy_settings import PrivacySettingsWidget

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def _settle(qapp: QApplication) -> Iterator[None]:
    yield
    tasks.wait_idle()
    qapp.processEvents()


@pytest.fixture
def ctx(db: Database, paths: AppPaths) -> AppContext:
    return AppContext(db, paths)


def _rows(d: AuditDialog) -> list[list[str]]:
    return [[d.table.item(r, c).text() for c in range(4)] for r in range(d.table.rowCount())]


def test_audit_log_lists_and_filters(qtbot: QtBot, ctx: AppContext) -> None:
    db = ctx.db
    rini = add_operator(db, "Bu Rini").id
    joko = add_operator(db, "Pak Joko").id
    siti = repo.save_application(
        db, service_code="kia", applicant=repo.ApplicantData("3201015512900001", "Siti")
    )
    audit.record(db, audit.VIEW_APPLICATION, siti, operator_id=rini)
    audit.record(db, audit.PRINT_RECEIPT, siti, operator_id=joko, detail="intake")
    audit.record(db, audit.EXPORT_REPORT, operator_id=joko, detail="csv")

    settings = PrivacySettingsWidget(ctx)
    qtbot.addWidget(settings)
    settings.audit_button.click()
    dialog = settings.audit_dialog
    assert isinstance(dialog, AuditDialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3)
    rows = _rows(dialog)
    assert [r[1:] for r in rows] == [
        ["Pak Joko", "Mengekspor laporan", "\u2013"],
        ["Pak Joko", "Mencetak tanda terima (berkas)", "Siti"],
        ["Bu Rini", "Membuka data permohonan", "Siti"],
    ]
    with qtbot.waitSignal(dialog.loaded, timeout=5000) as sig:
        dialog.action_combo.setCurrentIndex(dialog.action_combo.findData(audit.PRINT_RECEIPT))
    assert sig.args == [1] and _rows(dialog)[0][1] == "Pak Joko"
    with qtbot.waitSignal(dialog.loaded, timeout=5000) as sig:
        dialog.action_combo.setCurrentIndex(0)
    assert sig.args == [3]
    with qtbot.waitSignal(dialog.loaded, timeout=5000) as sig:
        dialog.search.setText("rini")
    assert sig.args == [1] and _rows(dialog)[0][1:] == ["Bu Rini", "Membuka data permohonan", "Siti"]
    with qtbot.waitSignal(dialog.loaded, timeout=5000) as sig:
        dialog.search.setText("siti")
    assert sig.args == [2]
    dialog.close()


def test_no_raw_keys_in_the_log(qtbot: QtBot, ctx: AppContext) -> None:
    app_id = repo.save_application(
        ctx.db, service_code="kk_ubah", applicant=repo.ApplicantData("3201015512900001", "Siti")
    )
    audit.record(ctx.db, audit.PRINT_RECEIPT, app_id, detail="handover")
    audit.record(ctx.db, audit.BACKUP_MADE, detail="cadangan 2026-11-29")
    # What store.distribution writes (through repo.audit) when a document arrives and is
    # handed over.
    with ctx.db.session() as s:
        repo.audit(s, "arrived", app_id)
        repo.audit(s, "handover", app_id, detail="Istri")
        s.commit()
    d = AuditDialog(ctx)
    qtbot.addWidget(d)
    qtbot.waitUntil(lambda: d.table.rowCount() == 4)
    actions = {row[2] for row in _rows(d)}
    assert actions == {
        "Mencetak tanda terima (penyerahan)",
        "Data dicadangkan ke flashdisk",
        "Mencatat dokumen tiba di desa",
        "Menyerahkan dokumen ke warga",
    }
    for text in actions:
        assert "_" not in text and "handover" not in text and "arrived" not in text
