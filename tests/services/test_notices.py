"""Notices to residents: the right text for each outcome, the WhatsApp link, the printed slip."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pypdfium2 as pdfium
import pytest

from desa_capil.domain.status import Actor, Status
from desa_capil.services.notices import NoNotice, NoticeKind, make_notice, notice_slip_pdf
from desa_capil.store.db import Database
from desa_capil.store.models import Application
from desa_capil.store.repo import ApplicantData, _set_status, save_application, set_setting


def office_says(db: Database, app_id: str, status: Status, message: str) -> None:
    """The application sent, then the office's answer (as the sync applies it)."""
    with db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        for target in (Status.READY, Status.SENDING, Status.SENT):
            _set_status(s, app, target, Actor.VILLAGE)
        _set_status(s, app, status, Actor.OFFICE, message=message)
        s.commit()


@pytest.fixture
def app_id(db: Database) -> str:
    set_setting(db, "village_name", "Sukamaju")
    return save_application(
        db,
        service_code="kk_ubah",
        applicant=ApplicantData(
            nik="3201014101900002", name="Siti Aminah", kk_number="3201010101200001", phone="0812-3456-7890"
        ),
    )


def _pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_bounded() for page in doc)
    finally:
        doc.close()


def test_needs_fix_notice_says_what_to_bring(db: Database, app_id: str) -> None:
    office_says(db, app_id, Status.NEEDS_FIX, "Akta kelahiran anak kedua tidak terbaca, bawa aslinya.")
    notice = make_notice(db, app_id)
    assert notice.kind is NoticeKind.NEEDS_FIX
    assert "perlu dilengkapi" in notice.text and "Akta kelahiran anak kedua" in notice.text
    assert "Desa Sukamaju" in notice.text
    url = urlparse(notice.wa_url or "")
    assert url.netloc == "wa.me" and url.path == "/6281234567890"
    assert parse_qs(url.query)["text"][0] == notice.text
    text = _pdf_text(notice_slip_pdf(db, app_id))
    assert "PERLU DILENGKAPI" in text and "Siti Aminah" in text and "bawa aslinya" in text
    assert "3201014101900002" not in text  # the NIK is masked on paper
    assert "320101******0002" in text


def test_rejected_notice_gives_the_reason(db: Database, app_id: str) -> None:
    office_says(db, app_id, Status.REJECTED, "Data sudah terdaftar di kabupaten lain.")
    notice = make_notice(db, app_id)
    assert notice.kind is NoticeKind.REJECTED
    assert "tidak dapat diproses" in notice.text and "kabupaten lain" in notice.text
    assert "DITOLAK" in _pdf_text(notice_slip_pdf(db, app_id))


def test_reason_survives_after_the_message_is_cleared(db: Database, app_id: str) -> None:
    office_says(db, app_id, Status.NEEDS_FIX, "Foto KK buram.")
    with db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        app.office_message = ""
        s.add(app)
        s.commit()
    assert "Foto KK buram" in make_notice(db, app_id).text


def test_no_notice_before_an_outcome(db: Database, app_id: str) -> None:
    with pytest.raises(NoNotice):
        make_notice(db, app_id)


def test_no_phone_no_link(db: Database) -> None:
    a = save_application(
        db,
        service_code="kk_ubah",
        applicant=ApplicantData(nik="3201014101900003", name="Ani", kk_number="3201010101200001", phone=""),
    )
    office_says(db, a, Status.REJECTED, "Ganda.")
    assert make_notice(db, a).wa_url is None
