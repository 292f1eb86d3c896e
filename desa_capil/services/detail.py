"""Everything about one application, read-only: data, papers, batches, history, receipts.

A sent application can no longer be edited, but the operator must still be able to answer a
resident at the counter: when was it sent, what did the office say, which papers went, is there
a receipt to print again. `application_detail` gathers that in one read (and records the
viewing in the audit log: the detail shows the applicant's personal data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from desa_capil.domain.catalog import OTHER_PAPER_CODE, get_service
from desa_capil.domain.intake import IntakeDetails
from desa_capil.domain.status import EDITABLE, Status
from desa_capil.security import audit
from desa_capil.services.notices import NOTICE_KINDS
from desa_capil.store.db import Database
from desa_capil.store.models import (
    Applicant,
    Application,
    Batch,
    BatchApplication,
    Document,
    HandOver,
    OfficeDocument,
    Operator,
    Page,
    StatusChange,
)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    status: Status
    by_office: bool
    message: str
    operator: str


@dataclass(frozen=True)
class PaperRow:
    requirement_code: str
    title: str
    pages: int  # pages kept on the laptop now
    sent_pages: int  # pages in the file that went to the office (0: not sent yet)
    size_bytes: int
    batch_id: str | None
    purged: bool


@dataclass(frozen=True)
class BatchLink:
    batch_id: str
    sealed_at: datetime
    state: str
    addendum: bool


@dataclass(frozen=True)
class ApplicationDetail:
    id: str
    applicant_name: str
    nik: str
    kk_number: str
    phone: str
    address: str
    service_code: str
    service_name: str
    status: Status
    urgency: str
    notes: str
    office_message: str
    created_at: datetime
    sent_at: datetime | None
    timeline: tuple[TimelineEntry, ...]
    papers: tuple[PaperRow, ...]
    batches: tuple[BatchLink, ...]
    office_documents: tuple[str, ...]
    has_intake_receipt: bool
    handover: HandOver | None

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def has_notice(self) -> bool:
        return self.status in NOTICE_KINDS


def application_detail(
    db: Database, application_id: str, operator_id: int | None = None
) -> ApplicationDetail:
    """The whole picture of one application; KeyError when it does not exist."""
    with db.session() as s:
        app = s.get(Application, application_id)
        if app is None:
            raise KeyError(application_id)
        person = s.get(Applicant, app.applicant_id)
        assert person is not None
        names = {o.id: o.name for o in s.exec(select(Operator)).all()}
        changes = s.exec(
            select(StatusChange)
            .where(StatusChange.application_id == app.id)
            .order_by(col(StatusChange.at), col(StatusChange.id))
        ).all()
        timeline = tuple(
            TimelineEntry(
                at=c.at,
                status=Status(c.status),
                by_office=c.actor == "office",
                message=c.message,
                operator=names.get(c.operator_id, "") if c.operator_id is not None else "",
            )
            for c in changes
        )
        try:
            service = get_service(app.service_code)
            service_title = service.name_id
            titles = {r.code: r.name_id for r in service.checklist}
        except KeyError:
            service_title, titles = app.service_code, {}
        other = IntakeDetails.from_json(app.details).other_paper
        if other:
            titles[OTHER_PAPER_CODE] = f"Kertas lain: {other}"
        docs = s.exec(
            select(Document).where(Document.application_id == app.id).order_by(col(Document.created_at))
        ).all()
        counts: dict[str, int] = {}
        for doc_id in s.exec(
            select(Page.document_id).where(col(Page.document_id).in_([d.id for d in docs]))
        ).all():
            counts[doc_id] = counts.get(doc_id, 0) + 1
        papers = tuple(
            PaperRow(
                requirement_code=d.requirement_code,
                title=titles.get(d.requirement_code, d.requirement_code),
                pages=counts.get(d.id, 0),
                sent_pages=d.page_count if d.batch_id else 0,
                size_bytes=d.file_size,
                batch_id=d.batch_id,
                purged=d.purged_at is not None,
            )
            for d in docs
        )
        links = s.exec(
            select(BatchApplication, Batch)
            .join(Batch, col(Batch.id) == BatchApplication.batch_id)
            .where(BatchApplication.application_id == app.id)
            .order_by(col(Batch.sealed_at))
        ).all()
        batches = tuple(BatchLink(b.id, b.sealed_at, b.state, link.addendum) for link, b in links)
        office_docs = tuple(
            d.title
            for d in s.exec(select(OfficeDocument).where(OfficeDocument.application_id == app.id)).all()
        )
        handover = s.exec(select(HandOver).where(HandOver.application_id == app.id)).first()
        detail = ApplicationDetail(
            id=app.id,
            applicant_name=person.name,
            nik=person.nik,
            kk_number=person.kk_number,
            phone=person.phone,
            address=person.address,
            service_code=app.service_code,
            service_name=service_title,
            status=Status(app.status),
            urgency=str(app.urgency),
            notes=app.notes,
            office_message=app.office_message,
            created_at=app.created_at,
            sent_at=app.sent_at,
            timeline=timeline,
            papers=papers,
            batches=batches,
            office_documents=office_docs,
            has_intake_receipt=app.intake_receipt_sha256 is not None,
            handover=handover,
        )
    audit.record(db, audit.VIEW_APPLICATION, application_id, operator_id=operator_id, detail="detail")
    return detail


@dataclass(frozen=True)
class BatchMember:
    application_id: str
    applicant_name: str
    service_name: str
    status: Status
    addendum: bool
    pages: int


def batch_members(db: Database, batch_id: str) -> list[BatchMember]:
    """The applications a batch carries (double-click on a batch), with the pages it sent of each."""
    with db.session() as s:
        rows = s.exec(
            select(BatchApplication, Application, Applicant)
            .join(Application, col(Application.id) == BatchApplication.application_id)
            .join(Applicant, col(Applicant.id) == Application.applicant_id)
            .where(BatchApplication.batch_id == batch_id)
            .order_by(col(Applicant.name))
        ).all()
        pages: dict[str, int] = {}
        for doc in s.exec(select(Document).where(Document.batch_id == batch_id)).all():
            pages[doc.application_id] = pages.get(doc.application_id, 0) + doc.page_count
    out = []
    for link, app, person in rows:
        try:
            name = get_service(app.service_code).name_id
        except KeyError:
            name = app.service_code
        out.append(
            BatchMember(app.id, person.name, name, Status(app.status), link.addendum, pages.get(app.id, 0))
        )
    return out
