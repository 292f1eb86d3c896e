"""Shared pieces of printed papers: Indonesian dates, status columns, the PDF base.

PDFs are made with fpdf2 (no Qt), so receipts and summaries can be produced and tested in any
process. The built-in Helvetica font covers Latin-1, which holds every letter of Indonesian;
anything else in a name (rare) is replaced rather than breaking the print.
"""

from __future__ import annotations

from datetime import datetime

from fpdf import FPDF

from desa_capil.domain.catalog import get_service
from desa_capil.domain.status import Status, label
from desa_capil.store.distribution import village_title
from desa_capil.timeutil import as_utc

MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip

# Columns of the monthly summary: the status machine folded into what a kecamatan asks about.
STATUS_GROUPS: tuple[tuple[str, tuple[Status, ...]], ...] = (
    ("Belum dikirim", (Status.DRAFT, Status.READY, Status.SENDING)),
    ("Di Disdukcapil", (Status.SENT, Status.IN_REVIEW, Status.PROCESSING)),
    ("Perlu perbaikan", (Status.NEEDS_FIX,)),
    ("Ditolak", (Status.REJECTED,)),
    ("Selesai / dikirim", (Status.FINISHED, Status.DISPATCHED)),
    ("Siap dibagikan", (Status.ARRIVED,)),
    ("Sudah diserahkan", (Status.HANDED_OVER,)),
)


def service_name(code: str) -> str:
    try:
        return get_service(code).name_id
    except KeyError:
        return code


def status_label(status: Status) -> str:
    return label(status, "id")


def _zone(dt: datetime) -> str:
    offset = dt.utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset is not None else 0
    return {7: "WIB", 8: "WITA", 9: "WIT"}.get(hours, f"UTC{hours:+d}")


def local(dt: datetime) -> datetime:
    """An aware or naive-UTC datetime in the laptop's local time."""
    return as_utc(dt).astimezone()


def fmt_date(dt: datetime) -> str:
    d = local(dt)
    return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"


def fmt_datetime(dt: datetime) -> str:
    d = local(dt)
    return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}, pukul {d:%H.%M} {_zone(d)}"


def pdf_text(text: str) -> str:
    """Text the core PDF fonts can draw (Latin-1); other characters become '?'."""
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'").replace("\u2018", "'")
    return text.encode("latin-1", "replace").decode("latin-1")


def mask_nik(nik: str) -> str:
    """A NIK with its birth date hidden, enough to recognise it on paper (UU 27/2022 PDP)."""
    if len(nik) != 16:
        return nik
    return f"{nik[:6]}******{nik[12:]}"


class Paper(FPDF):
    """A4 page with the village letterhead and a small footer."""

    def __init__(self, village_name: str, village_code: str, *, orientation: str = "P") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.village_name = village_name
        self.village_code = village_code
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title("desa_capil")
        self.set_creator("desa_capil")

    def header(self) -> None:
        self.set_font("Helvetica", "B", 14)
        name = village_title(self.village_name) or "Desa (nama desa belum diatur)"
        self.cell(0, 7, pdf_text(f"PEMERINTAH {name.upper()}"), align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 9)
        code = self.village_code.strip() or "-"
        self.cell(
            0, 5, pdf_text(f"Kode wilayah {code}  -  Layanan Administrasi Kependudukan"), align="C",
            new_x="LMARGIN", new_y="NEXT",
        )  # fmt: skip
        y = self.get_y() + 2
        self.set_line_width(0.8)
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_line_width(0.2)
        self.line(self.l_margin, y + 1.2, self.w - self.r_margin, y + 1.2)
        self.set_y(y + 6)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "I", 7.5)
        self.set_text_color(110)
        self.cell(0, 5, pdf_text("Dibuat dengan desa_capil"), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Halaman {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0)

    def title_block(self, title: str, subtitle: str = "") -> None:
        self.set_font("Helvetica", "B", 13)
        self.cell(0, 8, pdf_text(title), align="C", new_x="LMARGIN", new_y="NEXT")
        if subtitle:
            self.set_font("Helvetica", "", 9.5)
            self.cell(0, 5, pdf_text(subtitle), align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(4)

    def field_rows(self, rows: list[tuple[str, str]], label_w: float = 52) -> None:
        """Label : value lines; values wrap."""
        for key, value in rows:
            self.set_font("Helvetica", "", 10.5)
            x = self.l_margin
            self.set_x(x)
            self.cell(label_w, 6.5, pdf_text(key))
            self.cell(4, 6.5, ":")
            self.set_font("Helvetica", "B", 10.5)
            self.multi_cell(0, 6.5, pdf_text(value or "-"), new_x="LMARGIN", new_y="NEXT")

    def output_bytes(self) -> bytes:
        return bytes(self.output())
