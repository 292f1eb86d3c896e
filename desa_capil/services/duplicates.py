"""Possible duplicates: the same resident asking for the same service while one is still open.

OpenCRVS flags a record that looks like one already in the system instead of refusing it: a
second KK change for the same NIK may be deliberate (a new family member a week later), or the
same request typed twice. The desk warns; the operator decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from desa_capil.domain.status import Status
from desa_capil.store.db import Database
from desa_capil.store.models import Applicant, Application

# Statuses in which a request is over: a new one for the same service is no duplicate.
CLOSED: frozenset[Status] = frozenset({Status.HANDED_OVER, Status.REJECTED})


@dataclass(frozen=True)
class OpenRequest:
    application_id: str
    status: Status
    created_at: datetime


def open_requests(
    db: Database, nik: str, service_code: str, exclude_id: str | None = None
) -> list[OpenRequest]:
    """Open applications of the resident with this NIK for this service (newest first)."""
    if not nik or not service_code:
        return []
    with db.session() as s:
        q = (
            select(Application)
            .join(Applicant, col(Applicant.id) == Application.applicant_id)
            .where(
                Applicant.nik == nik,
                Application.service_code == service_code,
                col(Application.status).not_in([c.value for c in CLOSED]),
            )
            .order_by(col(Application.created_at).desc())
        )
        if exclude_id:
            q = q.where(Application.id != exclude_id)
        return [OpenRequest(a.id, Status(a.status), a.created_at) for a in s.exec(q).all()]
