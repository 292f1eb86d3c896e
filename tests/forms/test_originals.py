"""Originals kept by the village: the resident's receipt and the batch's courier manifest."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from desa_capil.reports.forms_originals import (
    batch_originals,
    kept_originals,
    make_courier_manifest,
    make_originals_receipt,
)
from desa_capil.store import repo
from desa_capil.store.db import Database
from desa_capil.store.models import Page
from tests.forms.render import ink_ratio, pdf_text, render_png
from tests.sync.helpers import seal

NIK = "3201015512900001"


def _app(db: Database, service: str, papers: list[str], name: str = "Siti Aminah", nik: str = NIK) -> str:
    app_id = repo.save_application(db, service_code=service, applicant=repo.ApplicantData(nik, name, ""))
    with db.session() as s:
        for code in papers:
            doc = repo.document_for(s, app_id, code)
            n = len(s.exec(select(Page).where(Page.document_id == doc.id)).all())
            sha = db.blobs.put(f"{app_id}{code}".encode())
            s.add(Page(document_id=doc.id, position=n, processed_sha256=sha, mime="image/png", size_bytes=10))
        s.commit()
    repo.refresh_readiness(db, app_id)
    return app_id


@pytest.fixture
def village(db: Database) -> Database:
    repo.set_setting(db, "village_name", "Desa Cileunyi Kulon")
    repo.set_setting(db, "village_code", "32.04.05.2001")
    return db


def test_originals_kept_follow_the_catalog(village: Database) -> None:
    cerai = _app(village, "akta_cerai", ["putusan_pengadilan", "akta_kawin", "ktp_el", "kk", "f201"])
    assert kept_originals(village, cerai).papers == ("Kutipan akta perkawinan ASLI (diserahkan)",)
    # The damaged card is kept only once it was taken in (has pages).
    rusak = _app(village, "ktp_cetak_ulang_rusak", ["kk"])
    assert kept_originals(village, rusak).papers == ()
    hilang = _app(village, "ktp_cetak_ulang", ["sk_kehilangan", "kk"])
    assert kept_originals(village, hilang).papers == ()
    with pytest.raises(ValueError):
        make_originals_receipt(village, hilang)


def test_receipt_and_courier_manifest_render(village: Database, tmp_path: Path) -> None:
    cerai = _app(village, "akta_cerai", ["putusan_pengadilan", "akta_kawin", "ktp_el", "kk", "f201"])
    mati = _app(
        village,
        "akta_mati",
        ["sk_kematian", "kk", "ktp_almarhum", "ktp_pelapor"],
        name="Budi Santoso Wibowo",
        nik="3201011501800002",
    )
    hilang = _app(
        village, "ktp_cetak_ulang", ["sk_kehilangan", "kk"], name="Agus Salim", nik="3201011501800003"
    )
    batch_id = seal(village, [cerai, mati, hilang])
    assert [k.application_id for k in batch_originals(village, batch_id)] == [cerai, mati]

    receipt = make_originals_receipt(village, mati)
    text = pdf_text(receipt)
    assert "TANDA TERIMA DOKUMEN ASLI" in text
    assert "Kartu Keluarga almarhum (diserahkan)" in text and "KTP-el almarhum" in text
    assert "320101******0002" in text and "3201011501800002" not in text  # masked (UU 27/2022)
    [png] = render_png(receipt, tmp_path / "tanda-terima-asli")
    assert ink_ratio(png) > 0.01

    manifest = make_courier_manifest(village, batch_id)
    text = pdf_text(manifest)
    assert "DAFTAR DOKUMEN ASLI YANG DIKIRIM KE DISDUKCAPIL" in text
    assert "3 dokumen asli" in text
    assert "Kepala Desa" in text and "Diterima petugas Disdukcapil" in text
    assert "Agus Salim" not in text  # nothing original travels with a lost-card reprint
    pngs = render_png(manifest, tmp_path / "manifest-kurir")
    assert all(ink_ratio(p) > 0.01 for p in pngs)
    with pytest.raises(ValueError):
        other = _app(
            village, "kk_hilang", ["sk_kehilangan", "ktp_el"], name="Dewi Lestari", nik="3201014101900004"
        )
        make_courier_manifest(village, seal(village, [other]))
