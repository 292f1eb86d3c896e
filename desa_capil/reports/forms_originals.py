"""Originals the village keeps (chain of custody): a receipt for the resident and the courier
manifest of a batch.

Some papers are not only scanned: the original is handed over and goes to Disdukcapil (the
kutipan akta perkawinan for a divorce, the damaged card for a reprint, the old KK when it is
replaced, the deceased's KTP-el and KK). The catalog marks them ``Original.HAND_OVER``; a paper
of that kind that has pages was taken in, so the village holds it. Then:

* the resident gets a receipt listing each original the village keeps
  (``make_originals_receipt``), and
* every batch that carries such originals gets a courier manifest: what travels physically to
  Disdukcapil, per application, with a tick box on arrival, signed by the kepala desa
  (``make_courier_manifest``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from desa_capil.domain.catalog import Original, get_service
from desa_capil.errors import BadInputError
from desa_capil.reports.common import Paper, fmt_date, fmt_datetime, mask_nik, pdf_text, service_name
from desa_capil.reports.receipts import _note, _short_id
from desa_capil.store import setting_keys
from desa_capil.store.db import Database
from desa_capil.store.models import Applicant, Application, Batch, BatchApplication, Document, Page
from desa_capil.store.repo import get_setting


class NothingKept(BadInputError, ValueError):
    """There is no original to list (a ValueError too, for callers that only check that)."""


@dataclass(frozen=True)
class KeptOriginals:
    """The originals the village holds for one application."""

    application_id: str
    applicant_name: str
    applicant_nik: str
    service_code: str
    papers: tuple[str, ...]  # requirement names (Indonesian)


def _kept(s: object, app: Application, person: Applicant) -> KeptOriginals:
    from sqlmodel import Session

    assert isinstance(s, Session)
    try:
        service = get_service(app.service_code)
    except KeyError:
        return KeptOriginals(app.id, person.name, person.nik, app.service_code, ())
    have = set(
        s.exec(
            select(Document.requirement_code)
            .join(Page, col(Page.document_id) == Document.id)
            .where(Document.application_id == app.id)
        ).all()
    )
    papers = tuple(
        r.name_id for r in service.requirements if r.original is Original.HAND_OVER and r.code in have
    )
    return KeptOriginals(app.id, person.name, person.nik, app.service_code, papers)


def kept_originals(db: Database, application_id: str) -> KeptOriginals:
    """The originals the village keeps for an application (KeyError when it does not exist)."""
    with db.session() as s:
        app = s.get(Application, application_id)
        if app is None:
            raise KeyError(application_id)
        person = s.get(Applicant, app.applicant_id)
        assert person is not None
        return _kept(s, app, person)


def batch_originals(db: Database, batch_id: str) -> list[KeptOriginals]:
    """Per application of the batch, the originals that travel with it (only those with any)."""
    with db.session() as s:
        rows = s.exec(
            select(Application, Applicant)
            .join(BatchApplication, col(BatchApplication.application_id) == Application.id)
            .join(Applicant, col(Applicant.id) == Application.applicant_id)
            .where(BatchApplication.batch_id == batch_id)
            .order_by(col(Application.created_at), col(Application.id))
        ).all()
        out = [_kept(s, app, person) for app, person in rows]
    return [k for k in out if k.papers]


def make_originals_receipt(db: Database, application_id: str) -> bytes:
    """TANDA TERIMA DOKUMEN ASLI for the resident; ValueError when nothing original is kept."""
    kept = kept_originals(db, application_id)
    if not kept.papers:
        raise NothingKept(
            "Belum ada dokumen asli yang diterima untuk permohonan ini. Pindai dulu kertas yang "
            "aslinya diserahkan (ditandai 'asli diserahkan'), lalu cetak tanda terimanya.",
            "No original has been taken in for this application yet. Scan the papers marked "
            "'original handed over' first, then print the receipt.",
        )
    with db.session() as s:
        app = s.get(Application, application_id)
        assert app is not None
        created = app.created_at
    pdf = Paper(get_setting(db, setting_keys.VILLAGE_NAME), get_setting(db, setting_keys.VILLAGE_CODE))
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.title_block("TANDA TERIMA DOKUMEN ASLI", f"Nomor: A-{_short_id(application_id)}")
    pdf.field_rows(
        [
            ("Nama pemohon", kept.applicant_name),
            ("NIK pemohon", mask_nik(kept.applicant_nik)),
            ("Layanan", service_name(kept.service_code)),
            ("Tanggal diterima", fmt_datetime(created)),
            ("Nomor permohonan", application_id),
        ]
    )
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 10.5)
    pdf.cell(0, 6.5, "Dokumen asli yang diterima dan disimpan desa:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10.5)
    for i, name in enumerate(kept.papers, start=1):
        pdf.set_x(pdf.l_margin + 4)
        pdf.multi_cell(0, 6, pdf_text(f"{i}. {name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _note(
        pdf,
        "Dokumen asli di atas diterima Pemerintah Desa dari pemohon dan diteruskan ke Disdukcapil "
        "bersama kiriman berikutnya, sesuai persyaratan layanan. Dokumen asli yang diserahkan tidak "
        "dikembalikan bila memang diganti (misalnya KK lama atau kartu yang rusak). Simpan tanda "
        "terima ini sampai dokumen baru diterima.",
    )
    _signatures(pdf, ("Yang menyerahkan,", kept.applicant_name), ("Petugas desa,", ""))
    return pdf.output_bytes()


def make_courier_manifest(db: Database, batch_id: str) -> bytes:
    """DAFTAR DOKUMEN ASLI of a batch: what goes physically to Disdukcapil, signed by the kepala
    desa; ValueError when the batch carries no original."""
    items = batch_originals(db, batch_id)
    if not items:
        raise NothingKept(
            "Kiriman ini tidak membawa dokumen asli; daftar kurir tidak diperlukan.",
            "This batch carries no original; no courier list is needed.",
        )
    with db.session() as s:
        batch = s.get(Batch, batch_id)
        if batch is None:
            raise KeyError(batch_id)
        sealed = batch.sealed_at
    village = get_setting(db, setting_keys.VILLAGE_NAME)
    pdf = Paper(village, get_setting(db, setting_keys.VILLAGE_CODE))
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.title_block(
        "DAFTAR DOKUMEN ASLI YANG DIKIRIM KE DISDUKCAPIL",
        f"Kiriman {_short_id(batch_id)} - disegel {fmt_date(sealed)} - {sum(len(k.papers) for k in items)} dokumen asli",
    )
    widths = (9, 52, 44, 59, 10)
    heads = ("No", "Pemohon", "Layanan", "Dokumen asli", "Ada")
    pdf.set_font("Helvetica", "B", 9.5)
    pdf.set_fill_color(235, 239, 244)
    for w, h in zip(widths, heads, strict=True):
        pdf.cell(w, 7, h, border=1, fill=True, align="C")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9.5)
    n = 0
    for k in items:
        for paper in k.papers:
            n += 1
            who = f"{k.applicant_name}\nNIK {mask_nik(k.applicant_nik)}"
            cells = (str(n), who, service_name(k.service_code), paper, "")
            lines = max(
                len(pdf.multi_cell(w, 5, pdf_text(c), dry_run=True, output="LINES"))
                for w, c in zip(widths, cells, strict=True)
            )
            height = 5 * max(lines, 2) + 1
            if pdf.get_y() + height > pdf.h - 60:
                pdf.add_page()
            y = pdf.get_y()
            x = pdf.l_margin
            for w, c in zip(widths, cells, strict=True):
                pdf.rect(x, y, w, height)
                pdf.set_xy(x, y + 0.5)
                pdf.multi_cell(w, 5, pdf_text(c), align="C" if w <= 10 else "L")
                x += w
            pdf.set_xy(pdf.l_margin, y + height)
    pdf.ln(4)
    _note(
        pdf,
        "Petugas Disdukcapil mencentang kolom 'Ada' untuk setiap dokumen asli yang diterima, lalu "
        "menandatangani. Satu salinan kembali ke desa sebagai bukti serah terima.",
    )
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(
        0,
        6,
        pdf_text("Dibawa oleh (kurir): ......................................................"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _signatures(
        pdf,
        (
            f"Kepala {village.split(' ', 1)[0] if village.lower().startswith(('desa', 'kelurahan')) else 'Desa'},",
            "",
        ),
        ("Diterima petugas Disdukcapil,", ""),
        with_date=True,
    )
    return pdf.output_bytes()


def _signatures(pdf: Paper, left: tuple[str, str], right: tuple[str, str], with_date: bool = False) -> None:
    pdf.ln(6)
    if pdf.get_y() > pdf.h - 55:
        pdf.add_page()
    top = pdf.get_y()
    col_w = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    for i, (title, name) in enumerate((left, right)):
        x = pdf.l_margin + i * col_w
        pdf.set_xy(x, top)
        pdf.set_font("Helvetica", "", 10)
        if with_date:
            pdf.cell(col_w, 5, "Tanggal: ...........................", align="C")
            pdf.set_xy(x, top + 5)
        pdf.cell(col_w, 5, pdf_text(title), align="C")
        pdf.set_xy(x, top + 30)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(col_w, 5, pdf_text(f"( {name or '.' * 34} )"), align="C")
    pdf.set_y(top + 40)
