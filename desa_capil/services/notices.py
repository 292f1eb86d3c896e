"""Telling the resident what happened: the document is ready, papers must be fixed, or refused.

Every outcome that needs the resident to act gets a notice: a WhatsApp text (with the wa.me
link, which the desk shows as a QR code to scan with any phone: office laptops rarely have
WhatsApp Web) and a printable slip for residents without a phone, to hand over or to send with
the RT/RW.

    notice = make_notice(db, application_id)      # text, link, who
    pdf = notice_slip_pdf(db, application_id)     # A4 slip with the same text
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import col, select

from desa_capil.domain.phone import normalize_phone, wa_link
from desa_capil.domain.status import Status
from desa_capil.errors import BadInputError
from desa_capil.reports.common import Paper, fmt_date, mask_nik, pdf_text, service_name
from desa_capil.store import setting_keys as keys
from desa_capil.store.db import Database
from desa_capil.store.distribution import ready_message, village_title
from desa_capil.store.models import Applicant, Application, StatusChange
from desa_capil.store.repo import get_setting


class NoticeKind(StrEnum):
    READY = "ready"  # the finished document is at the village (arrived)
    NEEDS_FIX = "needs_fix"  # the office asks for papers
    REJECTED = "rejected"  # the office refused the request


NOTICE_KINDS: dict[Status, NoticeKind] = {
    Status.ARRIVED: NoticeKind.READY,
    Status.NEEDS_FIX: NoticeKind.NEEDS_FIX,
    Status.REJECTED: NoticeKind.REJECTED,
}


class NoNotice(BadInputError):
    """The application is in a state the resident need not be told about (yet)."""


@dataclass(frozen=True)
class Notice:
    application_id: str
    kind: NoticeKind
    applicant_name: str
    nik: str
    phone: str
    service_code: str
    village_name: str
    office_message: str
    status_at: datetime
    text: str

    @property
    def phone_e164(self) -> str | None:
        return normalize_phone(self.phone)

    @property
    def wa_url(self) -> str | None:
        """The click-to-chat link with the text; None without a usable number."""
        return wa_link(self.phone, self.text)


def _place(village_name: str) -> str:
    return f"Kantor {village_title(village_name)}" if village_name.strip() else "kantor desa"


def notice_text(
    kind: NoticeKind, applicant_name: str, service_code: str, village_name: str, message: str
) -> str:
    """The message to the resident, in plain Indonesian (WhatsApp and the slip say the same)."""
    if kind is NoticeKind.READY:
        return ready_message(applicant_name, service_code, village_name)
    service = service_name(service_code)
    # Quoted inside a sentence: its own final full stop would double the sentence's.
    said = (
        " ".join(message.split()).rstrip(".")
        or "(Disdukcapil tidak menulis alasannya; tanyakan ke kantor desa)"
    )
    if kind is NoticeKind.NEEDS_FIX:
        return (
            f"Yth. Bapak/Ibu {applicant_name}, permohonan {service} Anda perlu dilengkapi. "
            f'Pesan dari Disdukcapil: "{said}". Mohon datang ke {_place(village_name)} pada jam kerja '
            "membawa kertas yang diminta serta KTP-el atau KK. Terima kasih."
        )
    return (
        f"Yth. Bapak/Ibu {applicant_name}, permohonan {service} Anda tidak dapat diproses oleh "
        f'Disdukcapil. Alasannya: "{said}". Silakan datang ke {_place(village_name)} pada jam kerja '
        "untuk penjelasan dan, bila memungkinkan, mengajukan kembali. Terima kasih."
    )


def make_notice(db: Database, application_id: str) -> Notice:
    """The notice for the application's current outcome; NoNotice when there is none to give."""
    with db.session() as s:
        row = s.exec(
            select(Application, Applicant)
            .join(Applicant, col(Applicant.id) == Application.applicant_id)
            .where(Application.id == application_id)
        ).first()
        if row is None:
            raise KeyError(application_id)
        app, person = row
        status = Status(app.status)
        message = app.office_message
        if not message and status in (Status.NEEDS_FIX, Status.REJECTED):
            # The reason as the office gave it with this status (office_message is cleared once
            # a fix is sent; the history keeps it).
            message = (
                s.exec(
                    select(StatusChange.message)
                    .where(StatusChange.application_id == app.id, StatusChange.status == status.value)
                    .order_by(col(StatusChange.at).desc())
                ).first()
                or ""
            )
    kind = NOTICE_KINDS.get(status)
    if kind is None:
        raise NoNotice(
            "Belum ada kabar untuk warga: permohonan ini belum selesai, belum tiba di desa, dan tidak "
            "diminta perbaikan.",
            "There is nothing to tell the resident yet: the application is not finished, not at the "
            "village, and no fix was asked for.",
        )
    village = get_setting(db, keys.VILLAGE_NAME)
    return Notice(
        application_id=app.id,
        kind=kind,
        applicant_name=person.name,
        nik=person.nik,
        phone=person.phone,
        service_code=app.service_code,
        village_name=village,
        office_message=message,
        status_at=app.status_at,
        text=notice_text(kind, person.name, app.service_code, village, message),
    )


SLIP_TITLES = {
    NoticeKind.READY: "PEMBERITAHUAN: DOKUMEN SIAP DIAMBIL",
    NoticeKind.NEEDS_FIX: "PEMBERITAHUAN: PERMOHONAN PERLU DILENGKAPI",
    NoticeKind.REJECTED: "PEMBERITAHUAN: PERMOHONAN DITOLAK",
}


def notice_slip_pdf(db: Database, application_id: str) -> bytes:
    """An A4 slip with the notice, for a resident without a phone (hand it over or send it
    with the RT/RW)."""
    notice = make_notice(db, application_id)
    pdf = Paper(notice.village_name, get_setting(db, keys.VILLAGE_CODE))
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.title_block(SLIP_TITLES[notice.kind], f"Nomor permohonan {application_id.split('-')[0].upper()}")
    pdf.field_rows(
        [
            ("Nama", notice.applicant_name),
            ("NIK", mask_nik(notice.nik)),
            ("Layanan", service_name(notice.service_code)),
            ("Tanggal kabar dari Disdukcapil", fmt_date(notice.status_at)),
        ]
    )
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6.5, pdf_text(notice.text), new_x="LMARGIN", new_y="NEXT")
    if notice.kind is not NoticeKind.READY and notice.office_message:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 11)
        what = "Yang perlu dibawa / diperbaiki" if notice.kind is NoticeKind.NEEDS_FIX else "Alasan penolakan"
        pdf.cell(0, 7, pdf_text(what), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6.5, pdf_text(notice.office_message), border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("Helvetica", "", 10.5)
    place = village_title(notice.village_name) or "Kantor desa"
    pdf.cell(0, 6, pdf_text(f"{place}, {fmt_date(datetime.now().astimezone())}"), align="R")
    pdf.ln(22)
    pdf.cell(0, 6, pdf_text("Petugas pelayanan"), align="R")
    return pdf.output_bytes()
