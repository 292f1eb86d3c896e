"""Operations on local records: the only place that changes applications (batches and the outbox
have their own owners, ``store.batches`` and ``store.outbox``).

UI code calls these from the background-work helper, never from the UI thread directly.
Every status change goes through the status machine and is written together with its
history row in one transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from desa_capil.domain.catalog import Urgency, current_version, get_service
from desa_capil.domain.intake import OTHER_PAPER_MAX, IntakeDetails
from desa_capil.domain.status import EDITABLE, Actor, Status, check_transition
from desa_capil.errors import BadInputError
from desa_capil.store import batches, outbox
from desa_capil.store.batches import SERVER_HOLDS_CODES as SERVER_HOLDS_CODES
from desa_capil.store.batches import CannotCancel as CannotCancel
from desa_capil.store.batches import SealedBatch as SealedBatch
from desa_capil.store.batches import upload_started as upload_started
from desa_capil.store.db import Database
from desa_capil.store.models import (
    Applicant,
    Application,
    AuditEntry,
    Document,
    HandOver,
    OfficeDocument,
    Page,
    Setting,
    StatusChange,
    utcnow,
)


class NotEditable(BadInputError):
    def __init__(self, status: Status) -> None:
        super().__init__(
            "Permohonan ini sudah dikirim ke Disdukcapil dan tidak bisa diubah lagi.",
            "This application has been sent to the office and can no longer be changed.",
            detail=f"status {status.value}",
        )


@dataclass
class ApplicantData:
    nik: str
    name: str
    kk_number: str = ""
    phone: str = ""
    address: str = ""


def get_setting(db: Database, key: str, default: str = "") -> str:
    with db.session() as s:
        row = s.get(Setting, key)
        return row.value if row else default


def set_setting(db: Database, key: str, value: str) -> None:
    with db.session() as s:
        row = s.get(Setting, key)
        if row is None:
            s.add(Setting(key=key, value=value))
        else:
            row.value = value
            s.add(row)
        s.commit()


def audit(
    s: Session,
    action: str,
    application_id: str | None = None,
    detail: str = "",
    operator_id: int | None = None,
) -> None:
    s.add(AuditEntry(action=action, application_id=application_id, detail=detail, operator_id=operator_id))


def _set_status(
    s: Session,
    app: Application,
    target: Status,
    actor: Actor = Actor.VILLAGE,
    message: str = "",
    operator_id: int | None = None,
    server_seq: int | None = None,
    at: datetime | None = None,
) -> None:
    check_transition(Status(app.status), target, actor)
    now = at or utcnow()
    app.status = target
    app.status_at = now
    app.updated_at = utcnow()
    if actor is Actor.OFFICE:
        app.office_message = message
    s.add(app)
    s.add(
        StatusChange(
            application_id=app.id,
            status=target,
            message=message,
            actor=actor.value,
            server_seq=server_seq,
            at=now,
            operator_id=operator_id,
        )
    )


def application_status(db: Database, application_id: str) -> Status | None:
    """The application's status now; None when it does not exist (deleted meanwhile)."""
    with db.session() as s:
        app = s.get(Application, application_id)
        return Status(app.status) if app is not None else None


def has_unsent_papers(db: Database, application_id: str) -> bool:
    """True when a paper of the application has pages not yet sealed into a batch (the fix
    for a needs-fix request is ready to go)."""
    with db.session() as s:
        row = s.exec(
            select(Page.id)
            .join(Document, col(Document.id) == Page.document_id)
            .where(Document.application_id == application_id, col(Document.batch_id).is_(None))
        ).first()
        return row is not None


def save_application(
    db: Database,
    *,
    service_code: str,
    applicant: ApplicantData,
    urgency: Urgency = Urgency.NORMAL,
    notes: str = "",
    application_id: str | None = None,
    operator_id: int | None = None,
    details: IntakeDetails | None = None,
) -> str:
    """Create a draft, or update an editable application; returns its id.

    The applicant is found by NIK and reused, so a resident's details are typed once.
    `details` (None: keep what is stored) is trimmed to what the service asks for and stamped
    with the catalog version.
    """
    service = get_service(service_code)  # KeyError on an unknown service: a bug, not user input
    dropped: set[str] = set()
    with db.session() as s:
        person = s.exec(select(Applicant).where(Applicant.nik == applicant.nik)).first()
        if person is None:
            person = Applicant(nik=applicant.nik, name=applicant.name)
        person.name = applicant.name
        person.kk_number = applicant.kk_number
        person.phone = applicant.phone
        person.address = applicant.address
        person.updated_at = utcnow()
        s.add(person)
        s.flush()
        if application_id is None:
            app = Application(applicant_id=person.id, service_code=service_code, operator_id=operator_id)
            s.add(app)
            s.flush()
            s.add(StatusChange(application_id=app.id, status=Status.DRAFT, operator_id=operator_id))
        else:
            found = s.get(Application, application_id)
            if found is None:
                raise KeyError(application_id)
            app = found
            if Status(app.status) not in EDITABLE:
                raise NotEditable(Status(app.status))
            if app.service_code != service_code:
                # Papers of another service no longer belong to this request.
                keep = [r.code for r in get_service(service_code).checklist]
                stale = select(Document.id).where(
                    Document.application_id == app.id,
                    col(Document.batch_id).is_(None),
                    col(Document.requirement_code).not_in(keep),
                )
                dropped = _page_blobs(s, select(Page).where(col(Page.document_id).in_(stale)))
                s.exec(delete(Page).where(col(Page.document_id).in_(stale)))
                s.exec(delete(Document).where(col(Document.id).in_(stale)))
            app.applicant_id = person.id
            app.service_code = service_code
        app.urgency = urgency
        app.notes = notes
        stored = IntakeDetails.from_json(app.details)
        # An application keeps the catalog version it was made with.
        version = stored.catalog_version or current_version()
        new = details if details is not None else stored
        if not new.other_paper:
            # The intake form does not edit the "Kertas lain" name (the papers step does).
            new = replace(new, other_paper=stored.other_paper)
        app.details = new.for_service(service, version).to_json()
        app.updated_at = utcnow()
        s.add(app)
        s.commit()
    purge_unreferenced_blobs(db, dropped)
    return app.id


def set_other_paper(db: Database, application_id: str, text: str) -> str:
    """Name what the "Kertas lain" slot holds (an office's extra request); returns what was
    stored (trimmed, at most OTHER_PAPER_MAX characters). NotEditable once sealed."""
    value = " ".join(text.split())[:OTHER_PAPER_MAX]
    with db.session() as s:
        app = s.get(Application, application_id)
        if app is None:
            raise KeyError(application_id)
        if Status(app.status) not in EDITABLE:
            raise NotEditable(Status(app.status))
        details = IntakeDetails.from_json(app.details)
        if details.other_paper != value:
            app.details = replace(details, other_paper=value).to_json()
            app.updated_at = utcnow()
            s.add(app)
            s.commit()
    return value


def delete_application(db: Database, application_id: str) -> None:
    """Delete a draft or ready application with its papers (never one the office has)."""
    with db.session() as s:
        app = s.get(Application, application_id)
        if app is None:
            return
        if Status(app.status) not in (Status.DRAFT, Status.READY):
            raise NotEditable(Status(app.status))
        # No ORM relationships: delete children first, explicitly, in one transaction.
        doc_ids = select(Document.id).where(Document.application_id == application_id)
        blobs = _page_blobs(s, select(Page).where(col(Page.document_id).in_(doc_ids)))
        if app.intake_receipt_sha256:
            blobs.add(app.intake_receipt_sha256)
        s.exec(delete(Page).where(col(Page.document_id).in_(doc_ids)))
        s.exec(delete(Document).where(col(Document.application_id) == application_id))
        s.exec(delete(StatusChange).where(col(StatusChange.application_id) == application_id))
        s.delete(app)
        s.commit()
    purge_unreferenced_blobs(db, blobs)


def _page_blobs(s: Session, pages: SelectOfScalar[Page]) -> set[str]:
    out: set[str] = set()
    for p in s.exec(pages):
        out.update(x for x in (p.original_sha256, p.processed_sha256, p.thumb_sha256) if x)
    return out


def blob_in_use(s: Session, sha: str) -> bool:
    """True while any record (page, paper, hand-over, office document, intake receipt) refers to
    the blob."""
    n = s.exec(
        select(func.count())
        .select_from(Page)
        .where(
            or_(
                col(Page.original_sha256) == sha,
                col(Page.processed_sha256) == sha,
                col(Page.thumb_sha256) == sha,
            )
        )
    ).one()
    n += s.exec(select(func.count()).select_from(Document).where(Document.file_sha256 == sha)).one()
    n += s.exec(
        select(func.count())
        .select_from(HandOver)
        .where(
            or_(
                col(HandOver.signature_sha256) == sha,
                col(HandOver.photo_sha256) == sha,
                col(HandOver.receipt_sha256) == sha,
            )
        )
    ).one()
    n += s.exec(
        select(func.count()).select_from(OfficeDocument).where(OfficeDocument.file_sha256 == sha)
    ).one()
    n += s.exec(
        select(func.count()).select_from(Application).where(Application.intake_receipt_sha256 == sha)
    ).one()
    return n > 0


def purge_unreferenced_blobs(db: Database, candidates: Iterable[str | None]) -> int:
    """Securely delete blobs no record refers to any more (residents' data: UU PDP).

    Call it after the transaction that dropped the references committed: a crash in between
    leaves at worst an orphan file, never a row without its file.
    """
    removed = 0
    with db.session() as s:
        for sha in {x for x in candidates if x}:
            if not blob_in_use(s, sha) and db.blobs.exists(sha):
                db.blobs.delete(sha, secure=True)
                removed += 1
    return removed


def document_for(s: Session, application_id: str, requirement_code: str) -> Document:
    """The open (not yet sent) document for a requirement, made when first needed."""
    doc = s.exec(
        select(Document).where(
            Document.application_id == application_id,
            Document.requirement_code == requirement_code,
            col(Document.batch_id).is_(None),
        )
    ).first()
    if doc is None:
        doc = Document(application_id=application_id, requirement_code=requirement_code)
        s.add(doc)
        s.flush()
    return doc


def pages_by_requirement(
    db: Database, application_id: str, *, unsent_only: bool = True
) -> dict[str, list[Page]]:
    with db.session() as s:
        q = (
            select(Document, Page)
            .join(Page, col(Page.document_id) == Document.id)
            .where(Document.application_id == application_id)
        )
        if unsent_only:
            q = q.where(col(Document.batch_id).is_(None))
        out: dict[str, list[Page]] = {}
        for doc, page in s.exec(q.order_by(col(Page.position))):
            out.setdefault(doc.requirement_code, []).append(page)
        return out


def missing_mandatory(db: Database, application_id: str) -> list[str]:
    """Codes of mandatory requirements that have no page yet (nor a complete alternative)."""
    with db.session() as s:
        app = s.get(Application, application_id)
        if app is None:
            raise KeyError(application_id)
        service = get_service(app.service_code)
        have = set(
            s.exec(
                select(Document.requirement_code)
                .join(Page, col(Page.document_id) == Document.id)
                .where(Document.application_id == application_id)
            ).all()
        )
        return service.missing(have)


def refresh_readiness(db: Database, application_id: str, operator_id: int | None = None) -> Status:
    """Move draft <-> ready depending on whether every mandatory paper has pages."""
    missing = missing_mandatory(db, application_id)
    with db.session() as s:
        app = s.get(Application, application_id)
        assert app is not None
        status = Status(app.status)
        if status is Status.DRAFT and not missing:
            _set_status(s, app, Status.READY, operator_id=operator_id)
        elif status is Status.READY and missing:
            _set_status(s, app, Status.DRAFT, operator_id=operator_id)
        s.commit()
        return Status(app.status)


def status_counts(db: Database) -> dict[Status, int]:
    with db.session() as s:
        rows = s.exec(select(Application.status, func.count()).group_by(Application.status)).all()
    counts: Counter[Status] = Counter(dict.fromkeys(Status, 0))
    for st, n in rows:
        counts[Status(st)] = int(n)
    return dict(counts)


def ready_application_ids(db: Database) -> list[str]:
    with db.session() as s:
        return list(
            s.exec(
                select(Application.id)
                .where(Application.status == Status.READY)
                .order_by(col(Application.created_at))
            ).all()
        )


# Batches and the outbox have one owner each (store.batches, store.outbox); these names stay
# here for the callers that know them from before.
pending_upload_bytes = outbox.pending_upload_bytes
seal_batch = batches.seal
cancel_batch = batches.cancel
reopen_batch = batches.reopen
