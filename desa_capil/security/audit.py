"""Who viewed, exported or printed a resident's papers (UU 27/2022 PDP).

One call per user action, from the UI's background operation, e.g.::

    run_op(self, lambda _p: audit.record(db, audit.VIEW_PAGES, app_id, operator_id=op), db=True)

``detail`` is for technical facts (a document id, a file format, a count); never put personal
data (NIK, names) in it: the log itself must not become a second copy of what it protects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import col, select

from desa_capil.store.db import Database
from desa_capil.store.models import Applicant, Application, AuditEntry, Operator
from desa_capil.store.queries import escape_like
from desa_capil.store.repo import audit

# What was done. The UI names them in Indonesian through ACTION_LABELS.
VIEW_APPLICATION = "view_application"  # opened an application's details (applicant data)
VIEW_PAGES = "view_pages"  # looked at scanned pages full size
PRINT_RECEIPT = "print_receipt"
PRINT_DOCUMENT = "print_document"  # printed the office's signed PDF
OPEN_DOCUMENT = "open_document"  # read the office's signed PDF out of the store (to print it)
RECEIPT_SAVED = "receipt"  # a hand-over receipt was made and kept (store.distribution)
EXPORT_REPORT = "export_report"  # CSV/XLSX export with personal data
EXPORT_FILE = "export_file"  # saved a page or PDF outside the app
SHOW_RECOVERY_CODE = "show_recovery_code"
PIN_CHANGED = "pin_changed"
RETENTION_PURGE = "retention_purge"  # written by security.retention
ARCHIVE = "archive"  # written by security.retention
BACKUP_MADE = "backup_made"  # written by desa_capil.backup (a verified copy on a stick)
BACKUP_RESTORED = "backup_restored"  # written by desa_capil.backup after a restore

ACTION_LABELS: dict[str, str] = {
    VIEW_APPLICATION: "Membuka data permohonan",
    VIEW_PAGES: "Melihat halaman pindaian",
    PRINT_RECEIPT: "Mencetak tanda terima",
    PRINT_DOCUMENT: "Mencetak dokumen dari Disdukcapil",
    OPEN_DOCUMENT: "Membuka dokumen dari Disdukcapil",
    RECEIPT_SAVED: "Tanda terima penyerahan dibuat",
    EXPORT_REPORT: "Mengekspor laporan",
    EXPORT_FILE: "Menyimpan berkas ke luar aplikasi",
    SHOW_RECOVERY_CODE: "Menampilkan kode pemulihan",
    PIN_CHANGED: "Mengubah PIN",
    RETENTION_PURGE: "Pindaian dihapus (masa simpan habis)",
    ARCHIVE: "Data diarsipkan",
    BACKUP_MADE: "Data dicadangkan ke flashdisk",
    BACKUP_RESTORED: "Data dipulihkan dari cadangan",
}


def record(
    db: Database,
    action: str,
    application_id: str | None = None,
    *,
    operator_id: int | None = None,
    detail: str = "",
) -> None:
    """Write one audit entry in its own transaction."""
    if action not in ACTION_LABELS:
        raise ValueError(f"unknown audit action {action!r}")
    with db.session() as s:
        audit(s, action, application_id, detail=detail, operator_id=operator_id)
        s.commit()


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    action: str
    label: str
    application_id: str | None
    operator: str
    detail: str
    resident: str = ""  # the applicant's name ("" for actions without an application)


def entries(
    db: Database,
    application_id: str | None = None,
    limit: int = 200,
    *,
    action: str = "",
    text: str = "",
) -> list[AuditRow]:
    """Newest first; for one application or all, of one action or all.

    ``text`` filters (case-insensitively, in SQL) on the operator's or the resident's name or
    the application id.
    """
    with db.session() as s:
        q = (
            select(AuditEntry, Operator, Applicant)
            .join(Operator, col(Operator.id) == AuditEntry.operator_id, isouter=True)
            .join(Application, col(Application.id) == AuditEntry.application_id, isouter=True)
            .join(Applicant, col(Applicant.id) == Application.applicant_id, isouter=True)
        )
        if application_id is not None:
            q = q.where(AuditEntry.application_id == application_id)
        if action:
            q = q.where(AuditEntry.action == action)
        if text.strip():
            like = f"%{escape_like(text.strip())}%"
            q = q.where(
                or_(
                    col(Operator.name).ilike(like, escape="\\"),
                    col(Applicant.name).ilike(like, escape="\\"),
                    col(AuditEntry.application_id).ilike(like, escape="\\"),
                )
            )
        q = q.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(limit)
        return [
            AuditRow(
                at=e.at,
                action=e.action,
                label=ACTION_LABELS.get(e.action, e.action),
                application_id=e.application_id,
                operator=op.name if op is not None else "",
                detail=e.detail,
                resident=person.name if person is not None else "",
            )
            for e, op, person in s.exec(q).all()
        ]
