"""Read-only queries for big lists. Filtering and ordering happen in SQL.

The queue view keeps only the ordered ids of the matching applications in memory and asks
for the rows it shows, a page at a time (see ui/queue_model.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import case, or_
from sqlmodel import col, select

from desa_capil.domain.catalog import Urgency, search_services
from desa_capil.domain.status import Status
from desa_capil.store.db import Database
from desa_capil.store.models import Applicant, Application, Document, Page


@dataclass(frozen=True)
class QueueFilter:
    statuses: frozenset[Status] = field(default_factory=frozenset)  # empty: all
    text: str = ""  # name, NIK, KK number or service name
    service_code: str = ""


@dataclass(frozen=True)
class QueueRow:
    id: str
    applicant_name: str
    nik: str
    phone: str
    service_code: str
    status: Status
    urgency: Urgency
    created_at: datetime
    status_at: datetime
    office_message: str
    # Needs fix, and the corrected papers are added but not sent yet ("Perbaikan siap dikirim").
    fix_ready: bool = False


def escape_like(text: str) -> str:
    """`text` for a LIKE pattern with ESCAPE '\\': its %, _ and \\ match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def queue_ids(db: Database, f: QueueFilter, limit: int | None = None) -> list[str]:
    """Ids of matching applications: urgent first, then newest first (at most `limit`)."""
    q = select(Application.id).join(Applicant, col(Applicant.id) == Application.applicant_id)
    if f.statuses:
        q = q.where(col(Application.status).in_([s.value for s in f.statuses]))
    if f.service_code:
        q = q.where(Application.service_code == f.service_code)
    for word in f.text.split():
        like = f"%{escape_like(word)}%"
        conds = [
            col(Applicant.name).ilike(like, escape="\\"),
            col(Applicant.nik).like(like, escape="\\"),
            col(Applicant.kk_number).like(like, escape="\\"),
        ]
        services = [s.code for s in search_services(word)]
        if services:
            conds.append(col(Application.service_code).in_(services))
        q = q.where(or_(*conds))
    urgent_first = case((col(Application.urgency) == Urgency.NORMAL.value, 1), else_=0)
    q = q.order_by(urgent_first, col(Application.created_at).desc(), col(Application.id))
    if limit is not None:
        q = q.limit(limit)
    with db.session() as s:
        return list(s.exec(q).all())


def queue_rows(db: Database, ids: list[str]) -> dict[str, QueueRow]:
    """The display rows for these ids (any order; missing ids were deleted meanwhile)."""
    if not ids:
        return {}
    out: dict[str, QueueRow] = {}
    with db.session() as s:
        # SQLite limits bound parameters; fetch in slices.
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            q = (
                select(Application, Applicant)
                .join(Applicant, col(Applicant.id) == Application.applicant_id)
                .where(col(Application.id).in_(chunk))
            )
            for app, person in s.exec(q):
                out[app.id] = QueueRow(
                    id=app.id,
                    applicant_name=person.name,
                    nik=person.nik,
                    phone=person.phone,
                    service_code=app.service_code,
                    status=Status(app.status),
                    urgency=Urgency(app.urgency),
                    created_at=app.created_at,
                    status_at=app.status_at,
                    office_message=app.office_message,
                )
            fixes = [i for i in chunk if i in out and out[i].status is Status.NEEDS_FIX]
            if fixes:
                ready = set(
                    s.exec(
                        select(Document.application_id)
                        .join(Page, col(Page.document_id) == Document.id)
                        .where(col(Document.application_id).in_(fixes), col(Document.batch_id).is_(None))
                    ).all()
                )
                for i in ready:
                    out[i] = replace(out[i], fix_ready=True)
    return out
