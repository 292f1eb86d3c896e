"""Report exports: counts per service and status as CSV and XLSX.

CSV is UTF-8 with a byte-order mark so that Excel on Windows shows Indonesian text correctly;
columns are separated by commas (what LibreOffice and Google Sheets expect). XLSX is for the
kecamatan's spreadsheets and opens the same in every Excel version.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from desa_capil.domain.status import Status
from desa_capil.reports.common import fmt_date, service_name, status_label
from desa_capil.store.distribution import ReportCounts, village_title


def table(counts: ReportCounts) -> list[list[str | int]]:
    """Header row, one row per service, a total row: every status as its own column."""
    header: list[str | int] = ["Kode layanan", "Layanan", *(status_label(s) for s in Status), "Jumlah"]
    rows: list[list[str | int]] = [header]
    for r in counts.rows:
        rows.append(
            [r.service_code, service_name(r.service_code)] + [r.counts[s] for s in Status] + [r.total]
        )
    total: list[str | int] = ["", "JUMLAH"]
    rows.append(total + [counts.totals.get(s, 0) for s in Status] + [counts.total])
    return rows


def _period(counts: ReportCounts) -> str:
    lo = datetime.combine(counts.start, datetime.min.time()).astimezone()
    hi = datetime.combine(counts.end, datetime.min.time()).astimezone()
    return f"{fmt_date(lo)} s.d. {fmt_date(hi)}"


def to_csv(counts: ReportCounts) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in table(counts):
        writer.writerow(row)
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(counts: ReportCounts, village_name: str = "") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Rekap"
    title = "Rekap permohonan administrasi kependudukan"
    if village_name:
        title += f" - {village_title(village_name)}"
    ws.append([title])
    ws.append([f"Periode: {_period(counts)} (tanggal permohonan diterima di desa)"])
    ws.append([f"Dokumen diserahkan kepada warga dalam periode ini: {counts.handed_over_in_period}"])
    ws.append([])
    ws["A1"].font = Font(bold=True, size=13)
    first = ws.max_row + 1
    data = table(counts)
    for row in data:
        ws.append(row)
    head_fill = PatternFill("solid", fgColor="1F6F5C")
    for cell in ws[first]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 34
    for i in range(3, len(data[0]) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 13
    ws.freeze_panes = ws.cell(row=first + 1, column=3)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
