"""Receipts (tanda terima): one A4 page with the village header, the facts and a QR code.

Two kinds:

* **Intake** (``make_intake_receipt``): the papers the village took in for a request, given to
  the resident at the counter so they can ask about it later.
* **Hand-over** (``make_handover_receipt`` / ``save_handover_receipt``): who received the
  finished document, when, from which operator; kept in the blob store and on the HandOver row.

The QR code carries ``DESACAPIL1|<kind>|<application id>|<checksum>`` where ``kind`` is
``T`` (intake, *terima berkas*) or ``S`` (hand-over, *serah*), and ``checksum`` is the first 8
hex digits of SHA-256 over the UTF-8 text::

    kind|application_id|applicant_nik|service_code|YYYY-MM-DDTHH:MM (UTC)|village_code

(the time is the intake time or the hand-over time, truncated to the minute). Anyone with the
village's records can recompute it (``receipt_checksum``), so a typed-up or altered receipt
does not match, while the QR itself reveals no personal data beyond the application id.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

import segno

from desa_capil.domain.catalog import get_service
from desa_capil.reports.common import (
    Paper,
    fmt_datetime,
    mask_nik,
    pdf_text,
    service_name,
)
from desa_capil.store.db import Database
from desa_capil.store.distribution import ReceiptFacts, attach_receipt, receipt_facts
from desa_capil.timeutil import as_utc

QR_PREFIX = "DESACAPIL1"
KIND_INTAKE = "T"
KIND_HANDOVER = "S"


def receipt_checksum(
    kind: str, application_id: str, nik: str, service_code: str, at: datetime, village_code: str
) -> str:
    stamp = as_utc(at).strftime("%Y-%m-%dT%H:%M")
    text = "|".join([kind, application_id, nik, service_code, stamp, village_code])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def _facts_checksum(kind: str, facts: ReceiptFacts, at: datetime) -> str:
    """The checksum a receipt of ``kind`` printed at ``at`` carries (and ``verify_qr`` expects)."""
    return receipt_checksum(
        kind, facts.application_id, facts.applicant_nik, facts.service_code, at, facts.village_code
    )


def qr_payload(kind: str, application_id: str, checksum: str) -> str:
    return f"{QR_PREFIX}|{kind}|{application_id}|{checksum}"


@dataclass(frozen=True)
class ReceiptQr:
    kind: str
    application_id: str
    checksum: str


def parse_qr_payload(text: str) -> ReceiptQr:
    """The parts of a receipt QR; ValueError when it is not one."""
    parts = text.strip().split("|")
    if len(parts) != 4 or parts[0] != QR_PREFIX or parts[1] not in (KIND_INTAKE, KIND_HANDOVER):
        raise ValueError(f"not a desa_capil receipt code: {text!r}")
    return ReceiptQr(parts[1], parts[2], parts[3])


def verify_qr(db: Database, text: str) -> bool:
    """True when a scanned receipt QR matches the records on this laptop."""
    qr = parse_qr_payload(text)
    try:
        facts = receipt_facts(db, qr.application_id)
    except KeyError:
        return False
    if qr.kind == KIND_HANDOVER:
        if facts.handover is None:
            return False
        at = facts.handover.handed_at
    else:
        at = facts.created_at
    return _facts_checksum(qr.kind, facts, at) == qr.checksum


def _qr_png(payload: str) -> io.BytesIO:
    buf = io.BytesIO()
    # Error level M and a quiet zone of 4 modules: survives a cheap inkjet and a phone camera.
    segno.make(payload, error="m", micro=False).save(buf, kind="png", scale=10, border=4)
    buf.seek(0)
    return buf


def _short_id(application_id: str) -> str:
    return application_id.split("-")[0].upper()


def _draw_qr_and_signatures(
    pdf: Paper, payload: str, checksum: str, left_title: str, left_name: str, right_title: str,
    right_name: str, right_signature: bytes | None,
) -> None:  # fmt: skip
    pdf.ln(6)
    top = pdf.get_y()
    col_w = (pdf.w - pdf.l_margin - pdf.r_margin - 46) / 2
    for i, (title, name, sig) in enumerate(
        ((left_title, left_name, None), (right_title, right_name, right_signature))
    ):
        x = pdf.l_margin + i * col_w
        pdf.set_xy(x, top)
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(col_w, 5, pdf_text(title), align="C")
        if sig:
            pdf.image(io.BytesIO(sig), x=x + col_w / 2 - 22, y=top + 6, w=44, h=20, keep_aspect_ratio=True)
        pdf.set_xy(x, top + 28)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(col_w, 5, pdf_text(f"( {name or '.' * 30} )"), align="C")
    qr_x = pdf.w - pdf.r_margin - 40
    pdf.image(_qr_png(payload), x=qr_x, y=top - 2, w=40, h=40)
    pdf.set_xy(qr_x - 4, top + 38.5)
    pdf.set_font("Helvetica", "", 7.5)
    pdf.cell(48, 4, pdf_text(f"Kode cek: {checksum}"), align="C")
    pdf.set_y(top + 46)


def _note(pdf: Paper, text: str) -> None:
    pdf.set_font("Helvetica", "", 8.5)
    pdf.set_text_color(70)
    pdf.multi_cell(0, 4.3, pdf_text(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)


def _handover_pdf(facts: ReceiptFacts, signature: bytes | None) -> bytes:
    ho = facts.handover
    if ho is None:
        raise ValueError(f"no hand-over recorded for {facts.application_id}")
    checksum = _facts_checksum(KIND_HANDOVER, facts, ho.handed_at)
    pdf = Paper(facts.village_name, facts.village_code)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.title_block(
        "TANDA TERIMA PENYERAHAN DOKUMEN", f"Nomor: S-{_short_id(facts.application_id)}-{checksum}"
    )
    is_self = ho.relation == "pemohon"
    rows = [
        ("Nama pemohon", facts.applicant_name),
        ("NIK pemohon", mask_nik(facts.applicant_nik)),
        ("Layanan", service_name(facts.service_code)),
        ("Dokumen yang diserahkan", "; ".join(facts.documents) or service_name(facts.service_code)),
        ("Diterima oleh", ho.recipient_name),
        ("Hubungan dengan pemohon", "Pemohon sendiri" if is_self else ho.relation),
    ]
    if not is_self:
        rows.append(("NIK penerima", mask_nik(ho.recipient_nik)))
    rows += [
        ("Identitas diperiksa", "Ya, KTP-el/KK sudah diperiksa" if ho.id_checked else "Tidak"),
        ("Tanggal dan jam", fmt_datetime(ho.handed_at)),
        ("Petugas desa", facts.operator_name or "-"),
        ("Nomor permohonan", facts.application_id),
    ]
    pdf.field_rows(rows)
    pdf.ln(3)
    _note(
        pdf,
        "Dengan ini penerima menyatakan telah menerima dokumen kependudukan tersebut di atas dalam "
        "keadaan baik dari Pemerintah Desa. Simpan tanda terima ini. Kode QR dapat dipindai untuk "
        "mencocokkan tanda terima dengan catatan desa.",
    )
    _draw_qr_and_signatures(
        pdf, qr_payload(KIND_HANDOVER, facts.application_id, checksum), checksum,
        "Yang menyerahkan,", facts.operator_name, "Yang menerima,", ho.recipient_name,
        signature,
    )  # fmt: skip
    return pdf.output_bytes()


def make_handover_receipt(db: Database, application_id: str) -> bytes:
    """The hand-over receipt PDF of an application (KeyError/ValueError when there is none)."""
    facts = receipt_facts(db, application_id)
    ho = facts.handover
    signature = db.blobs.get(ho.signature_sha256) if ho is not None and ho.signature_sha256 else None
    return _handover_pdf(facts, signature)


def save_handover_receipt(db: Database, application_id: str) -> tuple[bytes, str]:
    """Make the hand-over receipt, keep it (blob store + HandOver.receipt_sha256); (pdf, sha)."""
    pdf = make_handover_receipt(db, application_id)
    return pdf, attach_receipt(db, application_id, pdf)


def make_intake_receipt(db: Database, application_id: str) -> bytes:
    """The receipt for papers taken in at intake (tanda terima berkas), as PDF bytes."""
    facts = receipt_facts(db, application_id)
    checksum = _facts_checksum(KIND_INTAKE, facts, facts.created_at)
    pdf = Paper(facts.village_name, facts.village_code)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.title_block(
        "TANDA TERIMA BERKAS PERMOHONAN", f"Nomor: T-{_short_id(facts.application_id)}-{checksum}"
    )
    try:
        service = get_service(facts.service_code)
        names = {r.code: r.name_id for r in service.checklist}
    except KeyError:
        names = {}
    papers = [names.get(code, code) for code in facts.papers]
    pdf.field_rows(
        [
            ("Nama pemohon", facts.applicant_name),
            ("NIK pemohon", mask_nik(facts.applicant_nik)),
            ("Layanan", service_name(facts.service_code)),
            ("Tanggal diterima", fmt_datetime(facts.created_at)),
            ("Petugas desa", facts.operator_name or "-"),
            ("Nomor permohonan", facts.application_id),
        ]
    )
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 10.5)
    pdf.cell(0, 6.5, "Berkas yang diterima:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10.5)
    for i, name in enumerate(papers or ["(belum ada berkas yang dipindai)"], start=1):
        pdf.set_x(pdf.l_margin + 4)
        pdf.multi_cell(0, 6, pdf_text(f"{i}. {name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _note(
        pdf,
        "Berkas dipindai oleh kantor desa dan dikirim ke Disdukcapil. Simpan tanda terima ini untuk "
        "menanyakan perkembangan permohonan dan untuk mengambil dokumen yang sudah jadi. Kode QR dapat "
        "dipindai untuk mencocokkan tanda terima dengan catatan desa.",
    )
    _draw_qr_and_signatures(
        pdf, qr_payload(KIND_INTAKE, facts.application_id, checksum), checksum,
        "Petugas desa,", facts.operator_name, "Pemohon,", facts.applicant_name, None,
    )  # fmt: skip
    return pdf.output_bytes()
