from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pypdfium2 as pdfium
import pytest
import zxingcpp
from openpyxl import load_workbook
from PIL import Image

from desa_capil.domain.status import Status
from desa_capil.reports import export, receipts
from desa_capil.reports.summary import make_monthly_summary
from desa_capil.store import distribution as dist
from desa_capil.store.db import Database
from desa_capil.store.models import Document, Page
from desa_capil.store.repo import ApplicantData, save_application

from .helpers import MakeDispatched


def pdf_text_and_qr(data: bytes) -> tuple[str, list[str], int]:
    """All text of a PDF, the QR codes found on its pages (rendered at 150 dpi), page count."""
    doc = pdfium.PdfDocument(data)
    try:
        texts, codes = [], []
        for page in doc:
            texts.append(page.get_textpage().get_text_bounded())
            image: Image.Image = page.render(scale=150 / 72).to_pil()
            codes += [
                r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode
            ]
        return "\n".join(texts), codes, len(doc)
    finally:
        doc.close()


def _handed_over(db: Database, make: MakeDispatched, operator_id: int, **kw: object) -> str:
    a = make(name="Budi Santoso", nik="3201010101900001", titles=("Kartu Keluarga",), **kw)
    dist.mark_arrived(db, [a], operator_id=operator_id)
    return a


@pytest.mark.usefixtures("village")
def test_handover_receipt_text_qr_and_storage(
    db: Database, make_dispatched: MakeDispatched, operator_id: int
) -> None:
    a = _handed_over(db, make_dispatched, operator_id)
    dist.record_handover(
        db,
        a,
        dist.HandOverInput(
            relation="istri", recipient_name="Rina Wati", recipient_nik="3201014101900002", id_checked=True
        ),
        operator_id=operator_id,
    )
    pdf, sha = receipts.save_handover_receipt(db, a)
    text, codes, pages = pdf_text_and_qr(pdf)
    assert pages == 1
    for expected in (
        "PEMERINTAH DESA SUKAMAJU",
        "32.01.01.2001",
        "TANDA TERIMA PENYERAHAN DOKUMEN",
        "Budi Santoso",
        "Kartu Keluarga",
        "Rina Wati",
        "istri",
        "Siti Aminah",
        a,
    ):
        assert expected in text, expected
    assert "3201014101900002" not in text  # NIKs are masked on paper
    assert "320101******0002" in text
    assert len(codes) == 1
    qr = receipts.parse_qr_payload(codes[0])
    assert (qr.kind, qr.application_id) == ("S", a)
    ho = dist.get_handover(db, a)
    assert ho is not None
    assert qr.checksum == receipts.receipt_checksum(
        "S", a, "3201010101900001", "kk_ubah", ho.handed_at, "32.01.01.2001"
    )
    assert receipts.verify_qr(db, codes[0])
    assert not receipts.verify_qr(db, codes[0][:-1] + ("0" if codes[0][-1] != "0" else "1"))
    assert ho.receipt_sha256 == sha and db.blobs.get(sha) == pdf
    assert qr.checksum in text  # printed too, for reading over the phone


def test_receipt_shows_drawn_signature(
    db: Database, make_dispatched: MakeDispatched, operator_id: int
) -> None:
    a = _handed_over(db, make_dispatched, operator_id)
    sig = Image.new("RGB", (400, 160), "white")
    for x in range(40, 360):
        for dy in range(-3, 4):
            sig.putpixel((x, 80 + dy + (x % 40) // 4), (0, 0, 0))
    buf = io.BytesIO()
    sig.save(buf, "PNG")
    dist.record_handover(db, a, dist.HandOverInput(id_checked=True, signature_png=buf.getvalue()))
    with_sig = receipts.make_handover_receipt(db, a)
    doc = pdfium.PdfDocument(with_sig)
    try:
        objs = [o for o in doc[0].get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
    finally:
        doc.close()
    assert len(objs) == 2  # QR and signature


def test_no_receipt_without_handover(db: Database, make_dispatched: MakeDispatched) -> None:
    a = make_dispatched()
    with pytest.raises(ValueError, match="no hand-over"):
        receipts.make_handover_receipt(db, a)


@pytest.mark.usefixtures("village")
def test_intake_receipt_lists_papers(db: Database) -> None:
    app_id = save_application(
        db,
        service_code="akta_lahir",
        applicant=ApplicantData("3201014101900002", "Ani Lestari", phone="0812"),
    )
    with db.session() as s:
        doc = Document(application_id=app_id, requirement_code="surat_lahir")
        s.add(doc)
        s.flush()
        s.add(Page(document_id=doc.id, processed_sha256="0" * 64, mime="image/png"))
        s.commit()
    text, codes, pages = pdf_text_and_qr(receipts.make_intake_receipt(db, app_id))
    assert pages == 1
    assert "TANDA TERIMA BERKAS PERMOHONAN" in text and "Ani Lestari" in text
    assert "Akta Kelahiran" in text or "akta kelahiran" in text.lower()
    qr = receipts.parse_qr_payload(codes[0])
    assert (qr.kind, qr.application_id) == ("T", app_id)
    assert receipts.verify_qr(db, codes[0])


def test_parse_qr_refuses_other_codes() -> None:
    for bad in ("hello", "DESACAPIL1|X|id|abcd1234", "DESACAPIL2|S|id|abcd1234"):
        with pytest.raises(ValueError):
            receipts.parse_qr_payload(bad)


def _counts(db: Database, make: MakeDispatched) -> dist.ReportCounts:
    a = make(name="Budi", service="kk_ubah")
    make(name="Ani", nik="3201014101900002", service="kk_ubah")
    save_application(db, service_code="akta_lahir", applicant=ApplicantData("3201010101900009", "Dedi"))
    dist.mark_arrived(db, [a])
    dist.record_handover(db, a, dist.HandOverInput(id_checked=True))
    today = date.today()
    return dist.report_counts(db, today - timedelta(days=1), today)


def test_csv_export(db: Database, make_dispatched: MakeDispatched) -> None:
    data = export.to_csv(_counts(db, make_dispatched))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    head = rows[0]
    assert head[:2] == ["Kode layanan", "Layanan"] and head[-1] == "Jumlah"
    col = {name: i for i, name in enumerate(head)}
    by = {r[0]: r for r in rows[1:-1]}
    assert set(by) == {"kk_ubah", "akta_lahir"}
    assert by["kk_ubah"][col["Sudah diserahkan"]] == "1"
    assert by["kk_ubah"][col["Dikirim ke desa"]] == "1"
    assert by["kk_ubah"][col["Jumlah"]] == "2"
    assert by["akta_lahir"][col["Draf"]] == "1"
    assert rows[-1][1] == "JUMLAH" and rows[-1][col["Jumlah"]] == "3"


def test_xlsx_export(db: Database, make_dispatched: MakeDispatched) -> None:
    data = export.to_xlsx(_counts(db, make_dispatched), village_name="Sukamaju")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert "Sukamaju" in str(values[0][0])
    head_i = next(i for i, r in enumerate(values) if r[0] == "Kode layanan")
    head = values[head_i]
    by = {r[0]: r for r in values[head_i + 1 : -1]}
    assert by["kk_ubah"][head.index("Sudah diserahkan")] == 1
    assert by["akta_lahir"][head.index("Jumlah")] == 1
    assert values[-1][head.index("Jumlah")] == 3


@pytest.mark.usefixtures("village")
def test_monthly_summary_pdf(db: Database, make_dispatched: MakeDispatched) -> None:
    _counts(db, make_dispatched)
    today = date.today()
    text, _, pages = pdf_text_and_qr(make_monthly_summary(db, today.year, today.month, head_name="H. Ahmad"))
    assert pages == 1
    assert "REKAP BULANAN" in text and "SUKAMAJU" in text and "H. Ahmad" in text
    assert "Perubahan" in text  # kk_ubah's name
    assert "diserahkan kepada warga dalam periode ini: 1" in text
    assert Status.HANDED_OVER  # the grouped columns are covered by the counts tests


def test_monthly_summary_signed_by_the_head_with_nip(db: Database) -> None:
    from desa_capil.reports.summary import make_monthly_summary
    from desa_capil.store.repo import set_setting

    set_setting(db, "village_name", "Kelurahan Sukamaju")
    set_setting(db, "village_head_name", "Dra. Sri Wahyuni")
    set_setting(db, "village_head_nip", "197501012000032001")
    today = date.today()
    text, _, _ = pdf_text_and_qr(make_monthly_summary(db, today.year, today.month))
    assert "Dra. Sri Wahyuni" in text and "NIP. 197501012000032001" in text
    assert "Lurah," in text and "Kepala Desa," not in text
