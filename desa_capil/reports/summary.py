"""The monthly summary for the kecamatan: one printable A4 page (landscape) of counts."""

from __future__ import annotations

import calendar
from datetime import date, datetime

from desa_capil.reports.common import MONTHS_ID, STATUS_GROUPS, Paper, fmt_date, pdf_text, service_name
from desa_capil.store import setting_keys as keys
from desa_capil.store.db import Database
from desa_capil.store.distribution import ReportCounts, overdue_summary, report_counts
from desa_capil.store.repo import get_setting


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def make_monthly_summary(
    db: Database, year: int, month: int, *, head_name: str = "", head_nip: str = ""
) -> bytes:
    """Rekap bulanan: applications taken in during the month by service and stage."""
    start, end = month_bounds(year, month)
    counts = report_counts(db, start, end)
    return summary_pdf(
        counts,
        village_name=get_setting(db, keys.VILLAGE_NAME),
        village_code=get_setting(db, keys.VILLAGE_CODE),
        title_period=f"{MONTHS_ID[month - 1]} {year}",
        overdue_waiting=overdue_summary(db).waiting,
        head_name=head_name or get_setting(db, keys.HEAD_NAME),
        head_nip=head_nip or get_setting(db, keys.HEAD_NIP),
    )


def summary_pdf(
    counts: ReportCounts,
    *,
    village_name: str,
    village_code: str,
    title_period: str,
    overdue_waiting: int = 0,
    head_name: str = "",
    head_nip: str = "",
) -> bytes:
    pdf = Paper(village_name, village_code, orientation="L")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.title_block(
        "REKAP BULANAN PELAYANAN ADMINISTRASI KEPENDUDUKAN",
        f"Periode {title_period} - disampaikan kepada Camat / Kecamatan",
    )
    width = pdf.w - pdf.l_margin - pdf.r_margin
    first_w = 92.0
    cols = len(STATUS_GROUPS) + 1
    num_w = (width - first_w) / cols
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(31, 111, 92)
    pdf.set_text_color(255)
    head = ["Layanan"] + [name for name, _ in STATUS_GROUPS] + ["Jumlah"]
    y = pdf.get_y()
    for i, text in enumerate(head):
        w = first_w if i == 0 else num_w
        x = pdf.l_margin + (0 if i == 0 else first_w + (i - 1) * num_w)
        pdf.rect(x, y, w, 11, style="DF")
        one_line = pdf.get_string_width(pdf_text(text)) < w - 3
        pdf.set_xy(x, y + (3.25 if one_line else 1))
        pdf.multi_cell(w, 4.5, pdf_text(text), align="C" if i else "L", new_x="RIGHT", new_y="TOP")
    pdf.set_text_color(0)
    pdf.set_xy(pdf.l_margin, y + 11)
    body = [(service_name(r.service_code), r.counts, r.total) for r in counts.rows]
    if not body:
        pdf.set_font("Helvetica", "I", 10)
        pdf.cell(width, 8, "Tidak ada permohonan dalam periode ini.", border=1, new_x="LMARGIN", new_y="NEXT")
    for n, (name, per, total) in enumerate(body):
        pdf.set_font("Helvetica", "", 9.5)
        fill = n % 2 == 1
        pdf.set_fill_color(238, 244, 242)
        name = pdf_text(name)
        if pdf.get_string_width(name) > first_w - 2:
            while len(name) > 4 and pdf.get_string_width(name + "...") > first_w - 2:
                name = name[:-1]
            name = name.rstrip() + "..."
        pdf.cell(first_w, 7, name, border=1, fill=fill)
        for _, statuses in STATUS_GROUPS:
            value = sum(per.get(s, 0) for s in statuses)
            pdf.cell(num_w, 7, str(value) if value else "-", border=1, align="C", fill=fill)
        pdf.set_font("Helvetica", "B", 9.5)
        pdf.cell(num_w, 7, str(total), border=1, align="C", fill=fill, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 9.5)
    pdf.set_fill_color(220, 232, 228)
    pdf.cell(first_w, 7, "JUMLAH", border=1, fill=True)
    for _, statuses in STATUS_GROUPS:
        pdf.cell(
            num_w, 7, str(sum(counts.totals.get(s, 0) for s in statuses)), border=1, align="C", fill=True
        )
    pdf.cell(num_w, 7, str(counts.total), border=1, align="C", fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 9.5)
    notes = [
        f"Permohonan yang diterima di desa dalam periode ini: {counts.total}.",
        f"Dokumen yang diserahkan kepada warga dalam periode ini: {counts.handed_over_in_period}.",
        f"Dokumen yang menunggu diambil warga melewati batas waktu (saat ini): {overdue_waiting}.",
        "Kolom menunjukkan tahap terakhir setiap permohonan pada saat rekap dicetak.",
    ]
    for line in notes:
        pdf.cell(0, 5.5, pdf_text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    x = pdf.w - pdf.r_margin - 80
    pdf.set_x(x)
    place = village_name or "................"
    pdf.cell(80, 5.5, pdf_text(f"{place}, {fmt_date(datetime.now().astimezone())}"), align="C",
             new_x="LEFT", new_y="NEXT")  # fmt: skip
    kelurahan = village_name.strip().casefold().startswith("kelurahan")
    pdf.cell(80, 5.5, "Lurah," if kelurahan else "Kepala Desa,", align="C", new_x="LEFT", new_y="NEXT")
    pdf.ln(18)
    pdf.set_x(x)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(80, 5.5, pdf_text(f"( {head_name or '.' * 36} )"), align="C", new_x="LEFT", new_y="NEXT")
    if head_nip.strip():
        # A lurah (and a kepala desa who is a civil servant) signs with the NIP.
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(80, 5.5, pdf_text(f"NIP. {head_nip.strip()}"), align="C")
    return pdf.output_bytes()
