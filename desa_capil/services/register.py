"""Buku register permohonan: one line per application of a period, for the report to the camat.

Name, NIK (masked as the operator chooses: the recap leaves the office, UU 27/2022 PDP), service,
status, and the dates: taken in, sent, handed over.

    rows = register_rows(db, start, end, NikMask.MIDDLE)
    data = register_csv(rows)  /  register_xlsx(rows, village_name, period)
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlmodel import col, select

from desa_capil.domain.status import Status
from desa_capil.reports.common import fmt_date, mask_nik, service_name, status_label
from desa_capil.store.db import Database
from desa_capil.store.distribution import local_day_bounds, village_title
from desa_capil.store.models import Applicant, Application, HandOver


class NikMask(StrEnum):
    MIDDLE = "middle"  # 320101******0002: the region and serial, the birth date hidden
    LAST4 = "last4"  # ************0002
    FULL = "full"  # the whole NIK (only when the recipient needs it)


def masked(nik: str, how: NikMask) -> str:
    if how is NikMask.FULL:
        return nik
    if how is NikMask.LAST4:
        return "*" * max(0, len(nik) - 4) + nik[-4:]
    return mask_nik(nik)


HEADERS = ("No.", "Nama", "NIK", "Layanan", "Status", "Diterima di desa", "Dikirim", "Diserahkan")


@dataclass(frozen=True)
class RegisterRow:
    name: str
    nik: str
    service: str
    status: str
    taken: str
    sent: str
    handed: str


def register_rows(db: Database, start: date, end: date, how: NikMask = NikMask.MIDDLE) -> list[RegisterRow]:
    """Applications taken in between `start` and `end` (local days, inclusive), oldest first."""
    lo, hi = local_day_bounds(start, end)
    with db.session() as s:
        rows = s.exec(
            select(Application, Applicant)
            .join(Applicant, col(Applicant.id) == Application.applicant_id)
            .where(col(Application.created_at) >= lo, col(Application.created_at) < hi)
            .order_by(col(Application.created_at))
        ).all()
        ids = [a.id for a, _p in rows]
        handed = {
            h.application_id: h.handed_at
            for h in s.exec(select(HandOver).where(col(HandOver.application_id).in_(ids))).all()
        }

    def day(dt: datetime | None) -> str:
        return fmt_date(dt) if dt is not None else ""

    return [
        RegisterRow(
            name=person.name,
            nik=masked(person.nik, how),
            service=service_name(app.service_code),
            status=status_label(Status(app.status)),
            taken=day(app.created_at),
            sent=day(app.sent_at),
            handed=day(handed.get(app.id)),
        )
        for app, person in rows
    ]


def _lines(rows: list[RegisterRow]) -> list[list[str]]:
    return [
        [str(i), r.name, r.nik, r.service, r.status, r.taken, r.sent, r.handed] for i, r in enumerate(rows, 1)
    ]


def register_csv(rows: list[RegisterRow]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")  # Excel in an Indonesian locale splits on ';'
    writer.writerow(HEADERS)
    writer.writerows(_lines(rows))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel reads the names right


def register_xlsx(rows: list[RegisterRow], village_name: str, period: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Register"
    ws.append([f"Register permohonan administrasi kependudukan - {village_title(village_name)}".strip(" -")])
    ws.append([f"Periode {period}"])
    ws.append([])
    ws.append(list(HEADERS))
    for cell in ws[4]:
        cell.font = Font(bold=True)
    ws["A1"].font = Font(bold=True, size=13)
    for line in _lines(rows):
        ws.append([int(line[0]), *line[1:]])
    for i, width in enumerate((5, 28, 20, 34, 22, 16, 16, 16), 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A5"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
