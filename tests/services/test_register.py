"""The application register for the camat: one line per application, NIK masked as chosen."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from desa_capil.paths import AppPaths
from desa_capil.services.register import NikMask, register_csv, register_rows, register_xlsx
from desa_capil.store.db import Database
from desa_capil.store.repo import ApplicantData, save_application

NIK = "3201014101900002"


@pytest.fixture
def two(db: Database) -> None:
    for nik, name, svc in ((NIK, "Siti Aminah", "kk_ubah"), ("3201010101900003", "Budi", "akta_lahir")):
        save_application(db, service_code=svc, applicant=ApplicantData(nik=nik, name=name))


@pytest.mark.parametrize(
    ("how", "shown"),
    [(NikMask.MIDDLE, "320101******0002"), (NikMask.LAST4, "************0002"), (NikMask.FULL, NIK)],
)
def test_register_masks_the_nik_as_chosen(db: Database, two: None, how: NikMask, shown: str) -> None:
    rows = register_rows(db, date.today(), date.today(), how)
    assert [r.name for r in rows] == ["Siti Aminah", "Budi"]
    assert rows[0].nik == shown and rows[0].status == "Draf"
    text = register_csv(rows).decode("utf-8-sig")
    assert shown in text
    if how is not NikMask.FULL:
        assert NIK not in text


def test_register_xlsx(db: Database, two: None) -> None:
    rows = register_rows(db, date.today(), date.today())
    ws = load_workbook(io.BytesIO(register_xlsx(rows, "Sukamaju", "hari ini"))).active
    assert ws["A1"].value.endswith("Desa Sukamaju")
    assert [c.value for c in ws[4]][:3] == ["No.", "Nama", "NIK"]
    assert [c.value for c in ws[5]][:3] == [1, "Siti Aminah", "320101******0002"]


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")
def test_reports_page_writes_the_register(
    qtbot: QtBot, db: Database, paths: AppPaths, two: None, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from desa_capil.security import audit
    from desa_capil.ui.context import AppContext
    from desa_capil.ui.pages.reports_page import ReportsPage

    page = ReportsPage(AppContext(db, paths))
    qtbot.addWidget(page)
    target = tmp_path / "register.csv"
    page.write_register(target, NikMask.LAST4)
    qtbot.waitUntil(lambda: target.exists() and "Tersimpan" in page.status_label.text())
    assert "************0002" in target.read_text(encoding="utf-8-sig")
    assert any(e.detail == "register nik=last4" for e in audit.entries(db))
