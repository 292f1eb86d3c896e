"""Official forms printed pre-filled from what the intake already typed (PDF, fpdf2, no Qt).

The resident then only checks, completes by hand what the app does not know (witnesses, parents,
religion...) and signs: signatures, witnesses and the meterai are always by hand. Layouts follow
the national forms of Permendagri 108/2019 and 109/2019 (the form number in a box at the top
right, numbered sections, digit boxes for NIK and No. KK) closely enough that an office accepts
them (F-2.12 is the marriage registration form of the non-Muslim akta perkawinan); the village's own letters (F-2.29 surat keterangan kematian, the jemput-bola request) carry
the village letterhead.

    forms_for(service)                  # which forms this service can print: [(code, title)]
    make_form(db, application_id, code) # the PDF
    make_jemput_bola_letter(db, ids)    # request for KTP-el recording at home
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from sqlmodel import col, select

from desa_capil.domain.catalog import Service, get_service
from desa_capil.domain.intake import HomeRecording, IntakeDetails, Person, home_recording_label
from desa_capil.domain.nik import Sex, validate_nik
from desa_capil.domain.regions import path_of
from desa_capil.reports.common import MONTHS_ID, Paper, pdf_text
from desa_capil.store import setting_keys
from desa_capil.store.db import Database
from desa_capil.store.distribution import village_title
from desa_capil.store.models import Applicant, Application
from desa_capil.store.repo import get_setting

JEMPUT_BOLA = "JB"

TITLES: dict[str, str] = {
    "F-1.01": "Formulir Biodata Keluarga (F-1.01)",
    "F-1.05": "SPTJM Kebenaran sebagai Pasangan Suami Istri (F-1.05)",
    "F-2.01": "Formulir Pelaporan Pencatatan Sipil (F-2.01)",
    "F-2.03": "SPTJM Kebenaran Data Kelahiran (F-2.03)",
    "F-2.04": "SPTJM Kebenaran sebagai Pasangan Suami Istri (F-2.04)",
    "F-2.12": "Formulir Pencatatan Perkawinan (F-2.12)",
    "F-2.29": "Surat Keterangan Kematian dari Desa (F-2.29)",
    JEMPUT_BOLA: "Surat Permohonan Perekaman KTP-el di Rumah (jemput bola)",
}

# Which pelaporan a service is, for the tick boxes of F-2.01.
_F201_KINDS = (
    ("akta_lahir", "Kelahiran"),
    ("akta_mati", "Kematian"),
    ("akta_kawin", "Perkawinan"),
    ("akta_cerai", "Perceraian"),
    ("pengesahan_anak", "Pengesahan Anak"),
    ("pengakuan_anak", "Pengakuan Anak"),
    ("perubahan_nama", "Perubahan Nama"),
    ("pembetulan_data", "Pembetulan Akta"),
)


def forms_for(service: Service) -> list[tuple[str, str]]:
    """The forms this app can print for `service`, (code, title), in catalog order."""
    codes = [r.form for r in service.requirements if r.form in TITLES]
    if service.family in ("akta_lahir", "akta_mati", "akta_cerai", "pengesahan_anak", "pengakuan_anak"):
        codes.append("F-2.01")
    if service.home_recording:
        codes.append(JEMPUT_BOLA)
    return [(c, TITLES[c]) for c in dict.fromkeys(codes)]


@dataclass(frozen=True)
class FormFacts:
    application_id: str
    service: Service
    name: str
    nik: str
    kk_number: str
    address: str
    phone: str
    details: IntakeDetails
    village_name: str
    village_code: str
    district: str
    regency: str
    province: str


def form_facts(db: Database, application_id: str) -> FormFacts:
    with db.session() as s:
        app = s.get(Application, application_id)
        if app is None:
            raise KeyError(application_id)
        person = s.get(Applicant, app.applicant_id)
        assert person is not None
        code = get_setting(db, setting_keys.VILLAGE_CODE)
        where = path_of(code) if code.count(".") == 3 else path_of("")
        return FormFacts(
            application_id=app.id,
            service=get_service(app.service_code),
            name=person.name,
            nik=person.nik,
            kk_number=person.kk_number,
            address=person.address,
            phone=person.phone,
            details=IntakeDetails.from_json(app.details),
            village_name=get_setting(db, setting_keys.VILLAGE_NAME),
            village_code=code,
            district=where.district,
            regency=where.regency,
            province=where.province,
        )


def long_date(d: date | None) -> str:
    return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}" if d else ""


def _born(nik: str) -> tuple[str, str]:
    """(birth date, sex) a NIK encodes, as printed; empty when it is not a valid NIK."""
    check = validate_nik(nik)
    if not check.ok or check.born_or_issued is None:
        return "", ""
    return check.born_or_issued.strftime("%d-%m-%Y"), "Perempuan" if check.sex is Sex.FEMALE else "Laki-laki"


# --- drawing ------------------------------------------------------------------------------------


class FormPdf(FPDF):
    """A4 portrait, the form number boxed at the top right, as on the national forms."""

    def __init__(self, code: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.code = code
        self.set_margins(15, 12, 15)
        self.set_auto_page_break(True, margin=14)
        self.set_title(code)
        self.set_creator("desa_capil")

    def header(self) -> None:
        self.set_font("Helvetica", "B", 11)
        w = 26
        self.set_xy(self.w - self.r_margin - w, 8)
        self.cell(w, 8, self.code, border=1, align="C")
        self.set_y(20)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("Helvetica", "I", 7)
        self.set_text_color(120)
        self.cell(
            0,
            4,
            pdf_text("Diisi sebagian oleh desa_capil dari data permohonan; periksa sebelum tanda tangan."),
        )
        self.set_text_color(0)

    def output_bytes(self) -> bytes:
        return bytes(self.output())


def _title(pdf: FPDF, *lines: str) -> None:
    for i, line in enumerate(lines):
        pdf.set_font("Helvetica", "B", 12.5 if i == 0 else 10.5)
        pdf.cell(0, 6.5 if i == 0 else 5.5, pdf_text(line), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _section(pdf: FPDF, text: str) -> None:
    pdf.ln(1.5)
    pdf.set_font("Helvetica", "B", 9.5)
    pdf.set_fill_color(225, 230, 236)
    pdf.cell(0, 6, pdf_text(text), border=1, fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


LABEL_W = 58


def _boxes(pdf: FPDF, label: str, value: str, n: int, *, num: str = "") -> None:
    """A label and `n` character boxes holding `value` (NIK, No. KK, dates)."""
    pdf.set_font("Helvetica", "", 9.5)
    pdf.set_x(pdf.l_margin)
    pdf.cell(7, 6, num)
    pdf.cell(LABEL_W - 7, 6, pdf_text(label))
    pdf.cell(4, 6, ":")
    size = min(6.0, (pdf.w - pdf.r_margin - pdf.get_x()) / n)
    pdf.set_font("Courier", "B", 10.5)
    for ch in value.ljust(n)[:n]:
        pdf.cell(size, 6, ch.strip(), border=1, align="C")
    pdf.ln(7)


def _line(pdf: FPDF, label: str, value: str = "", *, num: str = "") -> None:
    """A label and the value, or a dotted line to write on."""
    pdf.set_font("Helvetica", "", 9.5)
    pdf.set_x(pdf.l_margin)
    pdf.cell(7, 6, num)
    pdf.cell(LABEL_W - 7, 6, pdf_text(label))
    pdf.cell(4, 6, ":")
    if value:
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(0, 6, pdf_text(value), new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.set_text_color(120)
        pdf.cell(0, 6, "." * 90, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
    pdf.ln(0.6)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """`text` cut (with "...") to fit a table cell of `width` mm in the current font."""
    out = pdf_text(text)
    if pdf.get_string_width(out) <= width - 2:
        return out
    while out and pdf.get_string_width(out + "...") > width - 2:
        out = out[:-1]
    return out + "..."


def _tick(pdf: FPDF, label: str, on: bool, w: float) -> None:
    x, y = pdf.get_x(), pdf.get_y()
    pdf.rect(x, y + 1, 4, 4)
    if on:
        pdf.set_line_width(0.5)
        pdf.line(x + 0.7, y + 3.2, x + 1.7, y + 4.4)
        pdf.line(x + 1.7, y + 4.4, x + 3.5, y + 1.4)
        pdf.set_line_width(0.2)
    pdf.set_x(x + 5.5)
    pdf.set_font("Helvetica", "B" if on else "", 9.5)
    pdf.cell(w - 5.5, 6, pdf_text(label))


def _paragraph(pdf: FPDF, text: str, size: float = 10) -> None:
    pdf.set_font("Helvetica", "", size)
    pdf.multi_cell(0, 5.5, pdf_text(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _signatures(
    pdf: FPDF,
    blocks: list[tuple[str | None, str]],
    *,
    place_date: str = "",
    meterai: int = -1,
    height: float = 24,
) -> None:
    """Signature columns (title, printed name or dots); `meterai` = index of the column with the
    stamp box; `place_date` above the last column."""
    pdf.ln(4)
    if pdf.get_y() > pdf.h - 62:
        pdf.add_page()
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(blocks)
    top = pdf.get_y()
    if place_date:
        pdf.set_xy(pdf.l_margin + width * (len(blocks) - 1), top)
        pdf.set_font("Helvetica", "", 9.5)
        pdf.cell(width, 5, pdf_text(place_date), align="C")
        top += 5
    for i, (title, name) in enumerate(blocks):
        if title is None:
            continue  # an empty column: the signature sits on the right
        x = pdf.l_margin + i * width
        pdf.set_xy(x, top)
        pdf.set_font("Helvetica", "", 9.5)
        pdf.multi_cell(width, 5, pdf_text(title), align="C")
        if i == meterai:
            pdf.set_draw_color(150)
            pdf.rect(x + width / 2 - 16, top + 11, 20, 13)
            pdf.set_xy(x + width / 2 - 16, top + 14)
            pdf.set_font("Helvetica", "", 7)
            pdf.set_text_color(120)
            pdf.multi_cell(20, 3.5, "Meterai\n10.000", align="C")
            pdf.set_text_color(0)
            pdf.set_draw_color(0)
        pdf.set_xy(x, top + 10 + height)
        pdf.set_font("Helvetica", "B", 9.5)
        pdf.cell(width, 5, pdf_text(f"( {name or '.' * 32} )"), align="C")
    pdf.set_y(top + 18 + height)


def _place_date(f: FormFacts) -> str:
    place = (
        f.village_name.split(" ", 1)[-1]
        if f.village_name.lower().startswith(("desa ", "kelurahan "))
        else f.village_name
    )
    return f"{place or '................'}, ......................... 20....."


# --- the forms -----------------------------------------------------------------------------------


def _f101(f: FormFacts) -> bytes:
    pdf = FormPdf("F-1.01")
    pdf.add_page()
    _title(pdf, "FORMULIR BIODATA KELUARGA", "(untuk permohonan Kartu Keluarga)")
    _section(pdf, "DATA KEPALA KELUARGA")
    _line(pdf, "Nama Kepala Keluarga", f.name, num="1.")
    _line(pdf, "Alamat", f.address, num="2.")
    _line(pdf, "RT / RW", "", num="3.")
    _line(pdf, "Kode Pos", "", num="4.")
    _line(pdf, "Telepon", f.phone, num="5.")
    _line(pdf, "Desa / Kelurahan", village_title(f.village_name), num="6.")
    _line(pdf, "Kecamatan", f.district, num="7.")
    _line(pdf, "Kabupaten / Kota", f.regency, num="8.")
    _line(pdf, "Provinsi", f.province, num="9.")
    _boxes(pdf, "Nomor KK (bila ada)", f.kk_number, 16, num="10.")
    _section(pdf, "DATA ANGGOTA KELUARGA")
    cols = (("No", 8), ("Nama Lengkap", 44), ("NIK", 35), ("L/P", 9), ("Tempat Lahir", 23),
            ("Tgl Lahir", 19), ("Agama", 15), ("Hubungan", 27))  # fmt: skip
    pdf.set_font("Helvetica", "B", 8.5)
    for head, w in cols:
        pdf.cell(w, 6.5, head, border=1, align="C", fill=True)
    pdf.ln()
    born, sex = _born(f.nik)
    rows = [[f.name, f.nik, sex[:1], "", born, "", "Kepala Keluarga"]]
    rows += [[""] * 7 for _ in range(9)]
    for i, row in enumerate(rows, start=1):
        pdf.set_font("Helvetica", "", 8.5)
        pdf.cell(cols[0][1], 7, str(i), border=1, align="C")
        for (_, w), value in zip(cols[1:], row, strict=True):
            pdf.cell(w, 7, _fit(pdf, value, w), border=1)
        pdf.ln()
    pdf.ln(1)
    _paragraph(
        pdf,
        "Pendidikan, pekerjaan, status perkawinan, nama ayah dan ibu setiap anggota diisi pada halaman "
        "lampiran Disdukcapil atau di balik formulir ini. Data yang diisi sesuai dengan dokumen asli.",
        8.5,
    )
    _signatures(
        pdf,
        [("Mengetahui,\nKepala Desa/Lurah", ""), ("Pemohon /\nKepala Keluarga", f.name)],
        place_date=_place_date(f),
    )
    return pdf.output_bytes()


def _sptjm(f: FormFacts, code: str) -> bytes:
    pdf = FormPdf(code)
    pdf.add_page()
    topic = "KEBENARAN DATA KELAHIRAN" if code == "F-2.03" else "KEBENARAN SEBAGAI PASANGAN SUAMI ISTRI"
    _title(pdf, "SURAT PERNYATAAN TANGGUNG JAWAB MUTLAK", topic)
    _paragraph(pdf, "Yang bertanda tangan di bawah ini:")
    born, sex = _born(f.nik)
    _line(pdf, "Nama", f.name, num="1.")
    _boxes(pdf, "NIK", f.nik, 16, num="2.")
    _line(pdf, "Tanggal lahir", born, num="3.")
    _line(pdf, "Jenis kelamin", sex, num="4.")
    _line(pdf, "Pekerjaan", "", num="5.")
    _line(pdf, "Alamat", f.address, num="6.")
    pdf.ln(1)
    if code == "F-2.03":
        child = f.details.subject("anak")
        _paragraph(pdf, "Menyatakan dengan sebenar-benarnya bahwa:")
        _line(pdf, "Nama anak", child.name, num="1.")
        _line(pdf, "Tempat lahir", "", num="2.")
        _line(pdf, "Tanggal lahir", long_date(f.details.event_date), num="3.")
        _line(pdf, "Anak dari ayah", "", num="4.")
        _line(pdf, "dan ibu", "", num="5.")
        _paragraph(
            pdf,
            "adalah benar data kelahiran anak tersebut. Surat keterangan kelahiran dari rumah sakit, "
            "puskesmas, bidan atau kepala desa tidak dapat dilampirkan.",
        )
    else:
        _paragraph(
            pdf, "Menyatakan dengan sebenar-benarnya bahwa saya telah terikat perkawinan yang sah dengan:"
        )
        _line(pdf, "Nama", "", num="1.")
        _boxes(pdf, "NIK", "", 16, num="2.")
        _line(pdf, "Alamat", "", num="3.")
        _paragraph(
            pdf,
            "sebagai pasangan suami istri, namun buku nikah / kutipan akta perkawinan tidak dapat "
            "dilampirkan.",
        )
    _paragraph(
        pdf,
        "Demikian surat pernyataan ini saya buat dengan sebenar-benarnya. Apabila di kemudian hari "
        "pernyataan ini tidak benar, saya bersedia diproses secara hukum sesuai peraturan "
        "perundang-undangan dan dokumen yang diterbitkan berdasarkan pernyataan ini menjadi tidak sah.",
    )
    _signatures(
        pdf,
        [("Saksi I", ""), ("Saksi II", ""), ("Yang membuat pernyataan,", f.name)],
        place_date=_place_date(f),
        meterai=2,
    )
    _paragraph(pdf, "Saksi I dan II: nama, NIK dan tanda tangan; lampirkan fotokopi KTP-el kedua saksi.", 8.5)
    return pdf.output_bytes()


def _f201(f: FormFacts) -> bytes:
    pdf = FormPdf("F-2.01")
    pdf.add_page()
    _title(pdf, "FORMULIR PELAPORAN PENCATATAN SIPIL", "DI DALAM WILAYAH NEGARA KESATUAN REPUBLIK INDONESIA")
    _section(pdf, "JENIS PELAPORAN")
    pdf.set_x(pdf.l_margin)
    w = (pdf.w - pdf.l_margin - pdf.r_margin) / 4
    for i, (family, label) in enumerate(_F201_KINDS):
        _tick(pdf, label, f.service.family == family, w)
        if i % 4 == 3:
            pdf.ln(7)
            pdf.set_x(pdf.l_margin)
    _section(pdf, "DATA PELAPOR")
    _line(pdf, "Nama", f.name, num="1.")
    _boxes(pdf, "NIK", f.nik, 16, num="2.")
    _line(pdf, "Kewarganegaraan", "WNI", num="3.")
    _line(pdf, "Alamat", f.address, num="4.")
    _line(pdf, "Nomor HP", f.phone, num="5.")
    for who in ("DATA SAKSI I", "DATA SAKSI II"):
        _section(pdf, who)
        _line(pdf, "Nama", "", num="1.")
        _boxes(pdf, "NIK", "", 16, num="2.")
    subjects = f.service.subjects
    if subjects:
        for role in subjects:
            person = f.details.subject(role.role)
            _section(pdf, f"DATA {role.label_id.upper()}")
            _line(pdf, "Nama lengkap", person.name, num="1.")
            _boxes(pdf, "NIK", person.nik, 16, num="2.")
            born, sex = _born(person.nik)
            _line(pdf, "Jenis kelamin", sex, num="3.")
            if f.service.event_label_id:
                _line(pdf, f.service.event_label_id, long_date(f.details.event_date), num="4.")
    elif f.service.event_label_id:
        _section(pdf, "DATA PERISTIWA")
        _line(pdf, f.service.event_label_id, long_date(f.details.event_date), num="1.")
    _section(pdf, "DATA ORANG TUA (bila pelaporan kelahiran / anak)")
    _line(pdf, "Nama ayah", "", num="1.")
    _boxes(pdf, "NIK ayah", "", 16, num="2.")
    _line(pdf, "Nama ibu", "", num="3.")
    _boxes(pdf, "NIK ibu", "", 16, num="4.")
    _signatures(
        pdf,
        [("Mengetahui,\nKepala Desa/Lurah", ""), ("Pelapor,", f.name)],
        place_date=_place_date(f),
        height=18,
    )
    return pdf.output_bytes()


def _f229(f: FormFacts) -> bytes:
    pdf = Paper(f.village_name, f.village_code)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_xy(pdf.w - pdf.r_margin - 24, 8)
    pdf.cell(24, 6, "F-2.29", border=1, align="C")
    pdf.set_y(40)
    pdf.title_block("SURAT KETERANGAN KEMATIAN", "Nomor: ......... / ......... / ......... / 20.....")
    dead = f.details.subject("almarhum")
    born, sex = _born(dead.nik)
    village = village_title(f.village_name) or "Desa ................"
    _paragraph(
        pdf,
        f"Yang bertanda tangan di bawah ini, Kepala {village}, Kecamatan {f.district or '........'}, "
        f"{f.regency or 'Kabupaten ........'}, menerangkan bahwa:",
    )
    _line(pdf, "Nama lengkap", dead.name, num="1.")
    _boxes(pdf, "NIK", dead.nik, 16, num="2.")
    _line(pdf, "Jenis kelamin", sex, num="3.")
    _line(pdf, "Tanggal lahir", born, num="4.")
    _line(pdf, "Agama", "", num="5.")
    _line(pdf, "Alamat", "", num="6.")
    _paragraph(pdf, "telah meninggal dunia pada:")
    _line(pdf, "Hari, tanggal", long_date(f.details.event_date), num="7.")
    _line(pdf, "Pukul", "", num="8.")
    _line(pdf, "Bertempat di", "", num="9.")
    _line(pdf, "Sebab kematian", "", num="10.")
    _line(pdf, "Yang menerangkan", "", num="11.")
    _paragraph(pdf, "Kematian tersebut dilaporkan oleh:")
    _line(pdf, "Nama pelapor", f.name, num="12.")
    _boxes(pdf, "NIK pelapor", f.nik, 16, num="13.")
    _line(pdf, "Hubungan dengan almarhum", "", num="14.")
    _paragraph(
        pdf,
        "Demikian surat keterangan ini dibuat untuk dipergunakan sebagai persyaratan penerbitan akta "
        "kematian di Dinas Kependudukan dan Pencatatan Sipil.",
    )
    _signatures(pdf, [(None, ""), (f"Kepala {village},", "")], place_date=_place_date(f))
    return pdf.output_bytes()


def _person_block(pdf: FPDF, person: Person, *, first: int = 1) -> None:
    """Identity lines of one spouse on F-2.12: what the intake typed, dots for the rest."""
    born, sex = _born(person.nik)
    n = first
    _boxes(pdf, "NIK", person.nik, 16, num=f"{n}.")
    _line(pdf, "Nama lengkap", person.name, num=f"{n + 1}.")
    _line(pdf, "Tempat / tanggal lahir", f"......................., {born}" if born else "", num=f"{n + 2}.")
    _line(pdf, "Kewarganegaraan", "WNI", num=f"{n + 3}.")
    _line(pdf, "Agama / kepercayaan", "", num=f"{n + 4}.")
    _line(pdf, "Pekerjaan", "", num=f"{n + 5}.")
    _line(pdf, "Alamat", "", num=f"{n + 6}.")
    _line(pdf, "Status sebelum kawin", "", num=f"{n + 7}.")


def _parents(pdf: FPDF, whose: str) -> None:
    _section(pdf, f"DATA ORANG TUA {whose}")
    _boxes(pdf, "NIK ayah", "", 16, num="1.")
    _line(pdf, "Nama ayah", "", num="2.")
    _boxes(pdf, "NIK ibu", "", 16, num="3.")
    _line(pdf, "Nama ibu", "", num="4.")


def _f212(f: FormFacts) -> bytes:
    """F-2.12 formulir pencatatan perkawinan (Permendagri 109/2019): the couple from the intake's
    subjects, the reporter from the applicant; parents, witnesses, religion and the religious
    leader by hand."""
    pdf = FormPdf("F-2.12")
    pdf.add_page()
    _title(pdf, "FORMULIR PENCATATAN PERKAWINAN", "(untuk penerbitan kutipan akta perkawinan)")
    husband, wife = f.details.subject("suami"), f.details.subject("istri")
    _section(pdf, "DATA SUAMI")
    _person_block(pdf, husband)
    _section(pdf, "DATA ISTRI")
    _person_block(pdf, wife)
    _parents(pdf, "SUAMI")
    _parents(pdf, "ISTRI")
    _section(pdf, "DATA PERKAWINAN")
    _line(pdf, "Tanggal pemberkatan", long_date(f.details.event_date), num="1.")
    _line(pdf, "Agama / kepercayaan", "", num="2.")
    _line(pdf, "Nama pemuka agama", "", num="3.")
    _line(pdf, "Tempat pemberkatan", "", num="4.")
    _line(pdf, "No. surat pemuka agama", "", num="5.")
    _line(pdf, "Anak yang disahkan (bila ada)", "", num="6.")
    for who in ("DATA SAKSI I (21 tahun ke atas)", "DATA SAKSI II (21 tahun ke atas)"):
        _section(pdf, who)
        _boxes(pdf, "NIK", "", 16, num="1.")
        _line(pdf, "Nama lengkap", "", num="2.")
        _line(pdf, "Alamat", "", num="3.")
    _section(pdf, "DATA PELAPOR")
    _boxes(pdf, "NIK", f.nik, 16, num="1.")
    _line(pdf, "Nama lengkap", f.name, num="2.")
    _line(pdf, "Alamat", f.address, num="3.")
    _line(pdf, "Nomor HP", f.phone, num="4.")
    _signatures(pdf, [("Suami,", husband.name), ("Istri,", wife.name)], place_date=_place_date(f), height=18)
    _signatures(pdf, [("Saksi I,", ""), ("Saksi II,", "")], height=18)
    _paragraph(
        pdf,
        "Lampirkan surat keterangan perkawinan dari pemuka agama, pas foto berdampingan 4x6, dan "
        "fotokopi KTP-el kedua saksi. Kedua mempelai dan kedua saksi hadir saat pencatatan.",
        8.5,
    )
    return pdf.output_bytes()


def make_form(db: Database, application_id: str, code: str) -> bytes:
    """The form `code` (see TITLES) pre-filled for an application; KeyError for an unknown
    application or form."""
    if code == JEMPUT_BOLA:
        return make_jemput_bola_letter(db, [application_id])
    f = form_facts(db, application_id)
    makers = {
        "F-1.01": lambda: _f101(f),
        "F-1.05": lambda: _sptjm(f, "F-1.05"),
        "F-2.01": lambda: _f201(f),
        "F-2.03": lambda: _sptjm(f, "F-2.03"),
        "F-2.04": lambda: _sptjm(f, "F-2.04"),
        "F-2.12": lambda: _f212(f),
        "F-2.29": lambda: _f229(f),
    }
    return makers[code]()


def home_recording_requests(db: Database) -> list[str]:
    """Ids of KTP-el recording requests that need a home visit and are not handed over yet."""
    with db.session() as s:
        apps = s.exec(
            select(Application).where(
                col(Application.service_code).in_(
                    [c for c, svc in _services().items() if svc.home_recording]
                ),
                col(Application.archived_at).is_(None),
            )
        ).all()
        return [
            a.id
            for a in apps
            if IntakeDetails.from_json(a.details).home_recording is not HomeRecording.NONE
            and a.status not in ("handed_over", "rejected")
        ]


def _services() -> dict[str, Service]:
    from desa_capil.domain.catalog import SERVICES

    return SERVICES


def make_jemput_bola_letter(db: Database, application_ids: list[str]) -> bytes:
    """The village's letter asking Disdukcapil to record these residents' KTP-el at home."""
    people: list[tuple[FormFacts, Person]] = []
    for app_id in application_ids:
        f = form_facts(db, app_id)
        people.append((f, Person("pemohon", f.name, f.nik)))
    if not people:
        raise ValueError("no resident needs a home recording")
    f0 = people[0][0]
    pdf = Paper(f0.village_name, f0.village_code)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    for label, value in (
        ("Nomor", "......... / ......... / 20....."),
        ("Lampiran", "-"),
        ("Perihal", "Permohonan perekaman KTP-el di rumah (jemput bola)"),
    ):
        pdf.cell(24, 6, label)
        pdf.cell(4, 6, ":")
        pdf.set_font("Helvetica", "B" if label == "Perihal" else "", 10)
        pdf.cell(0, 6, pdf_text(value), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
    pdf.ln(4)
    regency = f0.regency or "Kabupaten/Kota ........"
    _paragraph(
        pdf,
        f"Kepada Yth.\nKepala Dinas Kependudukan dan Pencatatan Sipil {regency}\ndi tempat",
    )
    village = village_title(f0.village_name) or "Desa ........"
    _paragraph(
        pdf,
        f"Dengan hormat, bersama ini Pemerintah {village} mengajukan permohonan perekaman KTP-el di "
        "rumah (jemput bola) bagi warga berikut, yang karena sakit, usia lanjut atau disabilitas tidak "
        "dapat datang ke tempat perekaman:",
    )
    cols = (("No", 9), ("Nama", 52), ("NIK", 40), ("Alamat", 48), ("Keterangan", 31))
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(235, 239, 244)
    for head, w in cols:
        pdf.cell(w, 7, head, border=1, align="C", fill=True)
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for i, (f, p) in enumerate(people, start=1):
        reason = f.details.home_recording
        values = (
            str(i),
            p.name,
            p.nik,
            f.address or "-",
            home_recording_label(reason).split(" (")[0] if reason else "-",
        )
        for (_, w), v in zip(cols, values, strict=True):
            pdf.cell(w, 7, _fit(pdf, v, w), border=1)
        pdf.ln()
    pdf.ln(3)
    _paragraph(
        pdf,
        "Keluarga warga tersebut bersedia mendampingi petugas. Untuk penjadwalan, mohon menghubungi "
        "kantor desa. Atas perhatian dan kerja samanya kami ucapkan terima kasih.",
    )
    _signatures(pdf, [(None, ""), (f"Kepala {village},", "")], place_date=_place_date(f0))
    return pdf.output_bytes()
