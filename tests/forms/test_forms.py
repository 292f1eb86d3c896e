"""Pre-filled forms: every form the catalog names is printed from the typed data, rendered to
PNG (looked at while writing them; set DESA_CAPIL_FORM_PNG_DIR to keep the images) and read back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from desa_capil.domain.catalog import SERVICES, get_service
from desa_capil.domain.intake import HomeRecording, IntakeDetails, Person
from desa_capil.reports.forms import (
    JEMPUT_BOLA,
    TITLES,
    forms_for,
    home_recording_requests,
    make_form,
    make_jemput_bola_letter,
)
from desa_capil.store import repo
from desa_capil.store.db import Database
from tests.forms.render import ink_ratio, pdf_text, render_png

PELAPOR = repo.ApplicantData(
    nik="3204055512900001", name="Siti Aminah", kk_number="3204051201150003", phone="081234567890",
    address="Dusun Sukamaju RT 02 RW 05",
)  # fmt: skip
BABY = Person("anak", "Putri Ayu Lestari", "")
HUSBAND = Person("suami", "Yohanes Markus Wenda", "9103011203950002")
WIFE = Person("istri", "Maria Magdalena Kogoya", "9103015808970001")
DECEASED = Person("almarhum", "Ahmad Yani Subagyo", "3204051501500001")


@pytest.fixture
def village(db: Database) -> Database:
    repo.set_setting(db, "village_name", "Desa Cileunyi Kulon")
    repo.set_setting(db, "village_code", "32.04.05.2001")
    return db


def _app(db: Database, service: str, details: IntakeDetails) -> str:
    return repo.save_application(db, service_code=service, applicant=PELAPOR, details=details)


def test_every_form_a_service_names_can_be_printed() -> None:
    named = {r.form for s in SERVICES.values() for r in s.requirements if r.form}
    assert named <= set(TITLES)
    assert [c for c, _ in forms_for(get_service("akta_lahir"))] == ["F-2.03", "F-2.04", "F-2.01"]
    assert [c for c, _ in forms_for(get_service("akta_mati"))] == ["F-2.29", "F-2.01"]
    assert [c for c, _ in forms_for(get_service("kk_baru"))] == ["F-1.05", "F-1.01"]
    assert [c for c, _ in forms_for(get_service("ktp_rekam"))] == [JEMPUT_BOLA]
    assert [c for c, _ in forms_for(get_service("akta_kawin"))] == ["F-2.12"]
    assert forms_for(get_service("kk_hilang")) == []


@pytest.mark.parametrize(
    ("service", "code", "details", "expect"),
    [
        ("kk_baru", "F-1.01", IntakeDetails(),
         ["FORMULIR BIODATA KELUARGA", "Siti Aminah", "Kecamatan", "Cileunyi", "Kabupaten Bandung",
          "Jawa Barat", "Kepala Keluarga", "15-12-1990"]),
        ("kk_baru", "F-1.05", IntakeDetails(),
         ["SURAT PERNYATAAN TANGGUNG JAWAB MUTLAK", "PASANGAN SUAMI ISTRI", "Siti Aminah", "Saksi I", "Meterai"]),
        ("akta_lahir", "F-2.03", IntakeDetails(event_date=date(2026, 1, 17), subjects=(BABY,)),
         ["KEBENARAN DATA KELAHIRAN", "Putri Ayu Lestari", "17 Januari 2026", "Siti Aminah"]),
        ("akta_lahir", "F-2.04", IntakeDetails(subjects=(BABY,)),
         ["PASANGAN SUAMI ISTRI", "Siti Aminah"]),
        ("akta_lahir", "F-2.01", IntakeDetails(event_date=date(2026, 1, 17), subjects=(BABY,)),
         ["FORMULIR PELAPORAN PENCATATAN SIPIL", "DATA PELAPOR", "Siti Aminah", "DATA BAYI / ANAK",
          "Putri Ayu Lestari", "17 Januari 2026"]),
        ("akta_mati", "F-2.01", IntakeDetails(event_date=date(2026, 2, 3), subjects=(DECEASED,)),
         ["DATA ALMARHUM/ALMARHUMAH", "Ahmad Yani Subagyo", "3 Februari 2026"]),
        ("akta_mati", "F-2.29", IntakeDetails(event_date=date(2026, 2, 3), subjects=(DECEASED,)),
         ["SURAT KETERANGAN KEMATIAN", "PEMERINTAH DESA CILEUNYI KULON", "Ahmad Yani Subagyo",
          "3 Februari 2026", "Laki-laki", "15-01-1950", "Siti Aminah", "Kepala Desa Cileunyi Kulon"]),
        ("akta_kawin", "F-2.12", IntakeDetails(event_date=date(2026, 3, 7), subjects=(HUSBAND, WIFE)),
         ["FORMULIR PENCATATAN PERKAWINAN", "DATA SUAMI", "Yohanes Markus Wenda", "12-03-1995",
          "DATA ISTRI", "Maria Magdalena Kogoya", "18-08-1997", "DATA ORANG TUA ISTRI", "7 Maret 2026",
          "DATA SAKSI II", "DATA PELAPOR", "Siti Aminah", "Suami,", "Istri,"]),
    ],
)  # fmt: skip
def test_form_is_prefilled_and_renders(
    village: Database, tmp_path: Path, service: str, code: str, details: IntakeDetails, expect: list[str]
) -> None:
    app_id = _app(village, service, details)
    pdf = make_form(village, app_id, code)
    text = pdf_text(pdf)
    for want in expect:
        assert want in text, want
    # The NIK goes one digit per box: the digits are there, in order.
    assert "".join(ch for ch in text if ch.isdigit()).find("3204055512900001") >= 0 or code == "F-2.29"
    pngs = render_png(pdf, tmp_path / f"{code}-{service}")
    assert pngs and all(ink_ratio(p) > 0.02 for p in pngs)


def test_jemput_bola_letter_lists_who_needs_a_home_visit(village: Database, tmp_path: Path) -> None:
    sick = _app(village, "ktp_rekam", IntakeDetails(home_recording=HomeRecording.SICK))
    repo.save_application(
        village, service_code="ktp_rekam",
        applicant=repo.ApplicantData("3204051707070002", "Bagus Pratama", ""),
        details=IntakeDetails(),
    )  # fmt: skip
    assert home_recording_requests(village) == [sick]
    pdf = make_jemput_bola_letter(village, home_recording_requests(village))
    text = pdf_text(pdf)
    assert "Permohonan perekaman KTP-el di rumah (jemput bola)" in text
    assert "Kabupaten Bandung" in text and "Siti Aminah" in text and "Sakit" in text
    assert "Bagus Pratama" not in text
    assert make_form(village, sick, JEMPUT_BOLA) == pdf or "Siti Aminah" in pdf_text(
        make_form(village, sick, JEMPUT_BOLA)
    )
    [png] = render_png(pdf, tmp_path / "jemput-bola")
    assert ink_ratio(png) > 0.01
    with pytest.raises(ValueError):
        make_jemput_bola_letter(village, [])
