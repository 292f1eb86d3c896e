"""Operations on local records: the only place that changes applications and batches.

UI code calls these from the background-work helper, never from the UI thread directly.
Every status change goes through the status machine and is written together with its
history row in one transaction.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from desa_capil.domain.catalog import Urgency, current_version, get_service
from desa_capil.domain.intake import OTHER_PAPER_MAX, IntakeDetails
from desa_capil.domain.status import EDITABLE, Actor, Status, check_transition
from desa_capil.errors import BadInputError
from desa_capil.store.db import Database
from desa_capil.store.models import (
    Applicant,
    Application,
    AuditEntry,
    Batch,
    BatchApplication,
    Document,
    HandOver,
    OfficeDocument,
    Outbox,
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


def pending_upload_bytes(db: Database) -> int:
    """Bytes still to upload for sealed batches (what the status bar shows)."""
    with db.session() as s:
        total = s.exec(
            select(func.coalesce(func.sum(Outbox.upload_length - Outbox.upload_offset), 0)).where(
                Outbox.kind == "upload", Outbox.state == "pending"
            )
        ).one()
    return int(total)


@dataclass
class SealedBatch:
    id: str
    application_count: int
    page_count: int
    total_bytes: int


def seal_batch(
    db: Database,
    application_ids: Iterable[str],
    assemble: Callable[[list[Page]], bytes],
    operator_id: int | None = None,
) -> SealedBatch:
    """Seal ready (or needs_fix with new papers) applications into an immutable batch.

    `assemble(pages: list[Page]) -> bytes` builds each paper's upload file (multi-page PDF) from
    its processed pages; it comes from the scan layer so the store stays free of imaging code.
    The assembled files go to the blob store first, then one transaction writes the batch,
    the documents' file references, the status changes and the outbox rows.
    """
    ids = list(dict.fromkeys(application_ids))
    if not ids:
        raise BadInputError(
            "Pilih minimal satu permohonan yang siap dikirim.",
            "Select at least one application that is ready to send.",
        )
    built: dict[str, tuple[str, int, int]] = {}  # document id -> (sha, size, pages)
    with db.session() as s:
        apps = [s.get(Application, i) for i in ids]
        for app in apps:
            if app is None or Status(app.status) not in (Status.READY, Status.NEEDS_FIX):
                raise BadInputError(
                    "Hanya permohonan berstatus 'Siap dikirim' atau 'Perlu perbaikan' yang bisa dimasukkan ke kiriman.",
                    "Only applications that are ready (or need a fix) can be put in a batch.",
                )
        docs = s.exec(
            select(Document).where(col(Document.application_id).in_(ids), col(Document.batch_id).is_(None))
        ).all()
        pages_of: dict[str, list[Page]] = {}
        for page in s.exec(
            select(Page).where(col(Page.document_id).in_([d.id for d in docs])).order_by(col(Page.position))
        ):
            pages_of.setdefault(page.document_id, []).append(page)
        # Checked before anything is assembled: a refused seal leaves no files behind.
        with_papers = {d.application_id for d in docs if d.id in pages_of}
        for app in apps:
            assert app is not None
            if Status(app.status) is Status.NEEDS_FIX and app.id not in with_papers:
                raise BadInputError(
                    "Tambahkan berkas perbaikan dulu sebelum mengirim ulang permohonan yang perlu diperbaiki.",
                    "Add the corrected papers before sending an application that needs a fix.",
                )
        for doc in docs:
            pages = pages_of.get(doc.id)
            if not pages:
                continue
            data = assemble(pages)
            sha = db.blobs.put(data)
            built[doc.id] = (sha, len(data), len(pages))
    with db.session() as s:
        batch = Batch(operator_id=operator_id)
        s.add(batch)
        s.flush()
        total_bytes = total_pages = 0
        for doc_id, (sha, size, npages) in built.items():
            sealed_doc = s.get(Document, doc_id)
            assert sealed_doc is not None
            doc = sealed_doc
            doc.file_sha256, doc.file_size, doc.page_count, doc.batch_id = sha, size, npages, batch.id
            s.add(doc)
            total_bytes += size
            total_pages += npages
            s.add(
                Outbox(
                    kind="upload",
                    ref_id=doc.id,
                    batch_id=batch.id,
                    upload_length=size,
                    payload=json.dumps({"sha256": sha, "filename": f"{doc.id}.pdf", "filetype": doc.mime}),
                )
            )
        for app_id in ids:
            app = s.get(Application, app_id)
            assert app is not None
            addendum = Status(app.status) is Status.NEEDS_FIX
            s.add(BatchApplication(batch_id=batch.id, application_id=app.id, addendum=addendum))
            app.batch_id = batch.id
            _set_status(s, app, Status.SENDING, operator_id=operator_id)
        batch.application_count = len(ids)
        batch.page_count = total_pages
        batch.total_bytes = total_bytes
        s.add(batch)
        s.add(Outbox(kind="manifest", ref_id=batch.id, batch_id=batch.id))
        s.commit()
        return SealedBatch(batch.id, len(ids), total_pages, total_bytes)


def _put_back(
    s: Session, batch_id: str, dropped: set[str], operator_id: int | None, message: str
) -> list[str]:
    """The applications of a batch back to where they were before sealing (READY, or NEEDS_FIX
    for an addendum), its documents unsealed (their files noted in `dropped`), its unfinished
    outbox rows removed. Returns the ids put back; the caller sets the batch's state."""
    from desa_capil.store.models import BatchState, OutboxState  # local: keeps imports short

    links = s.exec(select(BatchApplication).where(BatchApplication.batch_id == batch_id)).all()
    back: list[str] = []
    for link in links:
        app = s.get(Application, link.application_id)
        if app is None or Status(app.status) is not Status.SENDING:
            continue
        target = Status.NEEDS_FIX if link.addendum else Status.READY
        _set_status(s, app, target, operator_id=operator_id, message=message)
        # The batch that carried it last is the one before (an addendum's first sending).
        previous = s.exec(
            select(BatchApplication.batch_id)
            .join(Batch, col(Batch.id) == BatchApplication.batch_id)
            .where(
                BatchApplication.application_id == app.id,
                BatchApplication.batch_id != batch_id,
                Batch.state == BatchState.SENT,
            )
            .order_by(col(Batch.sealed_at).desc())
        ).first()
        app.batch_id = previous
        s.add(app)
        back.append(app.id)
    for doc in s.exec(select(Document).where(Document.batch_id == batch_id)).all():
        if doc.file_sha256:
            dropped.add(doc.file_sha256)
        doc.batch_id = None
        doc.file_sha256, doc.file_size, doc.page_count = None, 0, 0
        s.add(doc)
    s.exec(delete(Outbox).where(col(Outbox.batch_id) == batch_id, col(Outbox.state) != OutboxState.DONE))
    return back


class CannotCancel(BadInputError):
    """A batch that may be at the server (or is not set aside) cannot be given up here."""


# The server refused the batch id or an application in it because it already holds them:
# giving the batch up here would put applications the office has back in the village queue.
SERVER_HOLDS_CODES = frozenset({"conflict", "application_conflict"})


def cancel_batch(db: Database, batch_id: str, operator_id: int | None = None) -> list[str]:
    """Give up a set-aside (FAILED) batch whose manifest the server never accepted.

    Its applications go back to where they were before sealing (READY, or NEEDS_FIX for an
    addendum) with a history row, its documents are unsealed (their assembled files are
    dropped and made again at the next seal), its unfinished outbox rows are removed (uploads
    already on the server are harmless: the server expires them), and the Batch row stays
    with state CANCELLED for the record. Returns the ids of the applications put back.
    """
    from desa_capil.store.models import BatchState, OutboxState  # local: keeps imports short

    dropped: set[str] = set()
    with db.session() as s:
        batch = s.get(Batch, batch_id)
        if batch is None:
            raise KeyError(batch_id)
        accepted = s.exec(
            select(Outbox.id).where(
                Outbox.batch_id == batch_id, Outbox.kind == "manifest", Outbox.state == OutboxState.DONE
            )
        ).first()
        if batch.state == BatchState.SENT or accepted is not None or batch.error_code in SERVER_HOLDS_CODES:
            raise CannotCancel(
                "Kiriman ini sudah diterima Disdukcapil dan tidak bisa dibatalkan.",
                "The office has accepted this batch; it cannot be cancelled.",
                detail=f"batch {batch_id} state {batch.state} code {batch.error_code}",
            )
        if batch.state != BatchState.FAILED:
            raise CannotCancel(
                "Hanya kiriman yang disisihkan yang bisa dibatalkan.",
                "Only a batch that was set aside can be cancelled.",
                detail=f"batch {batch_id} state {batch.state}",
            )
        back = _put_back(s, batch_id, dropped, operator_id, "Kiriman dibatalkan di desa")
        batch.state = BatchState.CANCELLED
        s.add(batch)
        s.commit()
    purge_unreferenced_blobs(db, dropped)
    return back


def upload_started(s: Session, batch_id: str) -> bool:
    """True once any file of the batch has begun to travel (a tus upload exists or bytes went).

    A failed attempt that never reached the server (offline) does not count: an upload the
    server created but whose answer was lost expires there on its own."""
    from desa_capil.store.models import OutboxState  # local: keeps imports short

    row = s.exec(
        select(Outbox.id).where(
            Outbox.batch_id == batch_id,
            or_(
                col(Outbox.upload_url) != "",
                col(Outbox.upload_offset) > 0,
                col(Outbox.state) == OutboxState.DONE,
            ),
        )
    ).first()
    return row is not None


def reopen_batch(db: Database, batch_id: str, operator_id: int | None = None) -> list[str]:
    """ "Buka segel": undo a seal while nothing of the batch has left the laptop.

    The applications go back to READY (or NEEDS_FIX for an addendum) and can be changed and
    sealed again; the batch stays as CANCELLED for the record. Refused (CannotCancel) once the
    upload has started: from then on the office may hold part of it. Returns the ids put back.
    """
    from desa_capil.store.models import BatchState  # local: keeps imports short

    dropped: set[str] = set()
    with db.session() as s:
        batch = s.get(Batch, batch_id)
        if batch is None:
            raise KeyError(batch_id)
        if batch.state != BatchState.SEALED or upload_started(s, batch_id):
            raise CannotCancel(
                "Pengiriman kiriman ini sudah dimulai, jadi segelnya tidak bisa dibuka lagi. Bila ada "
                "yang salah, tunggu kabar Disdukcapil (perlu perbaikan) lalu kirim perbaikannya.",
                "This batch has started to upload, so it cannot be unsealed any more. If something is "
                "wrong, wait for the office (needs fix) and send the correction.",
                detail=f"batch {batch_id} state {batch.state}",
            )
        back = _put_back(s, batch_id, dropped, operator_id, "Segel dibuka di desa")
        batch.state = BatchState.CANCELLED
        s.add(batch)
        s.commit()
    purge_unreferenced_blobs(db, dropped)
    return back
