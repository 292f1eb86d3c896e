"""The batches' one owner: sealing, state, trips and the office's acknowledgement.

A batch (kiriman) is sealed once and never changes its contents. It leaves the laptop by one or
more routes (``BatchRoute``): online (the worker uploads its files and PUTs its manifest) or in
a bundle on a stick (``usbroute.export``), possibly both and possibly several times, each
recorded as a ``BatchTrip``. It is finished when the office acknowledges it, which happens once
(``acknowledge``): the online manifest receipt, or a return bundle that lists it. From then on
its outbox rows are all DONE, so no route sends it again: "nothing lost, nothing twice" is
decided here and in ``store.outbox``, for the online worker and the stick alike.

Functions taking a ``Session`` join the caller's transaction; those taking a ``Database`` open
and commit their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from desa_capil.api.models import Applicant as WireApplicant
from desa_capil.api.models import ApplicationIn, BatchManifest, DocumentIn
from desa_capil.domain.intake import IntakeDetails
from desa_capil.domain.status import Actor, Status
from desa_capil.errors import BadInputError
from desa_capil.store import outbox
from desa_capil.store.db import Database
from desa_capil.store.models import (
    Applicant,
    Application,
    Batch,
    BatchApplication,
    BatchRoute,
    BatchState,
    BatchTrip,
    Document,
    Page,
    utcnow,
)
from desa_capil.timeutil import as_utc

# Re-exported: callers import the batch vocabulary from here.
__all__ = [
    "SERVER_HOLDS_CODES",
    "Batch",
    "BatchRoute",
    "BatchRow",
    "BatchState",
    "BatchTrip",
    "CannotCancel",
    "SealedBatch",
    "acknowledge",
    "acknowledge_in",
    "add_bytes_sent",
    "batch_rows",
    "cancel",
    "count_in_state",
    "documents",
    "manifest",
    "stick_upload_id",
    "exportable",
    "park",
    "park_in",
    "record_stick_trip",
    "reopen",
    "retry",
    "seal",
    "set_state",
    "trips",
    "went_by_stick",
]


class CannotCancel(BadInputError):
    """A batch that may be at the server (or is not set aside) cannot be given up here."""


# The server refused the batch id or an application in it because it already holds them:
# giving the batch up here would put applications the office has back in the village queue.
SERVER_HOLDS_CODES = frozenset({"conflict", "application_conflict"})

# States a batch can be carried out by stick from: sealed and not yet acknowledged. A batch set
# aside (FAILED) was refused by the server for a reason a stick does not change.
EXPORTABLE_STATES = (BatchState.SEALED, BatchState.SENDING)


@dataclass
class SealedBatch:
    id: str
    application_count: int
    page_count: int
    total_bytes: int


# --- sealing, unsealing, cancelling ----------------------------------------------------------------


def seal(
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
    from desa_capil.store.repo import _set_status  # repo re-exports this module's API

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
            outbox.enqueue_upload(
                s, batch_id=batch.id, document_id=doc.id, sha256=sha, size=size, mime=doc.mime
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
        outbox.enqueue_manifest(s, batch.id)
        s.commit()
        return SealedBatch(batch.id, len(ids), total_pages, total_bytes)


def _put_back(
    s: Session, batch_id: str, dropped: set[str], operator_id: int | None, message: str
) -> list[str]:
    """The applications of a batch back to where they were before sealing (READY, or NEEDS_FIX
    for an addendum), its documents unsealed (their files noted in `dropped`), its unfinished
    outbox rows removed. Returns the ids put back; the caller sets the batch's state."""
    from desa_capil.store.repo import _set_status

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
    outbox.drop_unfinished(s, batch_id)
    return back


def _on_stick(s: Session, batch_id: str) -> bool:
    return (
        s.exec(
            select(BatchTrip.id).where(BatchTrip.batch_id == batch_id, BatchTrip.route == BatchRoute.STICK)
        ).first()
        is not None
    )


def went_by_stick(s: Session, batch_id: str) -> bool:
    """Within the caller's transaction: the batch was written to a stick at least once."""
    return _on_stick(s, batch_id)


def _started(batch: Batch) -> CannotCancel:
    return CannotCancel(
        "Pengiriman kiriman ini sudah dimulai, jadi segelnya tidak bisa dibuka lagi. Bila ada "
        "yang salah, tunggu kabar Disdukcapil (perlu perbaikan) lalu kirim perbaikannya.",
        "This batch has started to upload, so it cannot be unsealed any more. If something is "
        "wrong, wait for the office (needs fix) and send the correction.",
        detail=f"batch {batch.id} state {batch.state}",
    )


def cancel(db: Database, batch_id: str, operator_id: int | None = None) -> list[str]:
    """Give up a set-aside (FAILED) batch whose manifest the server never accepted.

    Its applications go back to where they were before sealing (READY, or NEEDS_FIX for an
    addendum) with a history row, its documents are unsealed (their assembled files are
    dropped and made again at the next seal), its unfinished outbox rows are removed (uploads
    already on the server are harmless: the server expires them), and the Batch row stays
    with state CANCELLED for the record. Returns the ids of the applications put back.
    """
    from desa_capil.store.repo import purge_unreferenced_blobs

    dropped: set[str] = set()
    with db.session() as s:
        batch = s.get(Batch, batch_id)
        if batch is None:
            raise KeyError(batch_id)
        accepted = outbox.manifest_accepted(s, batch_id)
        if batch.state == BatchState.SENT or accepted or batch.error_code in SERVER_HOLDS_CODES:
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
        if _on_stick(s, batch_id) and not batch.error_code:
            # It went on a stick and the office has not answered it (no refusal code from the
            # office, online or in a return bundle): the stick may still reach the office.
            raise _started(batch)
        back = _put_back(s, batch_id, dropped, operator_id, "Kiriman dibatalkan di desa")
        batch.state = BatchState.CANCELLED
        s.add(batch)
        s.commit()
    purge_unreferenced_blobs(db, dropped)
    return back


def reopen(db: Database, batch_id: str, operator_id: int | None = None) -> list[str]:
    """ "Buka segel": undo a seal while nothing of the batch has left the laptop.

    The applications go back to READY (or NEEDS_FIX for an addendum) and can be changed and
    sealed again; the batch stays as CANCELLED for the record. Refused (CannotCancel) once the
    upload has started or the batch was written to a stick: from then on the office may hold
    part of it. Returns the ids put back.
    """
    from desa_capil.store.repo import purge_unreferenced_blobs

    dropped: set[str] = set()
    with db.session() as s:
        batch = s.get(Batch, batch_id)
        if batch is None:
            raise KeyError(batch_id)
        if batch.state != BatchState.SEALED or outbox.upload_started(s, batch_id) or _on_stick(s, batch_id):
            raise _started(batch)
        back = _put_back(s, batch_id, dropped, operator_id, "Segel dibuka di desa")
        batch.state = BatchState.CANCELLED
        s.add(batch)
        s.commit()
    purge_unreferenced_blobs(db, dropped)
    return back


def upload_started(s: Session, batch_id: str) -> bool:
    """True once any file of the batch has begun to travel online (see ``outbox``)."""
    return outbox.upload_started(s, batch_id)


# --- state ---------------------------------------------------------------------------------------


def set_state(db: Database, batch_id: str, state: BatchState, error: str = "") -> None:
    """The worker's view of a batch in flight (SEALED/SENDING). A batch unsealed at the desk
    ("Buka segel") meanwhile stays cancelled, and an acknowledged one stays SENT."""
    with db.session() as s:
        batch = s.get(Batch, batch_id)
        if batch is None or batch.state in (BatchState.CANCELLED, BatchState.SENT):
            return
        if batch.state != state or batch.last_error != error:
            batch.state = state
            batch.last_error = error
            s.add(batch)
            s.commit()


def park(db: Database, batch_id: str, reason: str, code: str = "") -> None:
    """Set a batch aside with the reason the user must act on (its pending rows parked)."""
    with db.session() as s:
        outbox.park_batch(s, batch_id, reason)
        batch = s.get(Batch, batch_id)
        if batch is not None and batch.state != BatchState.SENT:
            _set_aside(batch, reason, code)
            s.add(batch)
        s.commit()


def _set_aside(batch: Batch, reason: str, code: str) -> None:
    batch.state = BatchState.FAILED
    batch.last_error = reason
    # Kept so that "Batalkan kiriman" can tell whether the server may hold the batch.
    batch.error_code = code


def park_in(s: Session, batch_id: str, reason: str, code: str = "") -> bool:
    """``park`` within the caller's transaction (a return bundle brings the office's refusal of
    a batch that went by stick, sync/usb_return.py). True when the batch was set aside now; a
    batch acknowledged, cancelled, or already set aside with this reason is left as it is."""
    batch = s.get(Batch, batch_id)
    if batch is not None and (
        batch.state in (BatchState.SENT, BatchState.CANCELLED)
        or (batch.state == BatchState.FAILED and batch.last_error == reason and batch.error_code == code)
    ):
        return False
    if batch is None:
        return False
    outbox.park_batch(s, batch_id, reason)
    _set_aside(batch, reason, code)
    s.add(batch)
    return True


def retry(db: Database, batch_id: str) -> None:
    """Put a set-aside batch back in the queue (after the user fixed what was wrong)."""
    with db.session() as s:
        outbox.unpark_batch(s, batch_id)
        batch = s.get(Batch, batch_id)
        if batch is not None and batch.state == BatchState.FAILED:
            batch.state = BatchState.SEALED
            batch.last_error = ""
            batch.error_code = ""
            s.add(batch)
        s.commit()


def add_bytes_sent(s: Session, batch_id: str, delta: int) -> None:
    """Within the caller's transaction: one UPDATE, not read-modify-write (two upload threads
    share the batch)."""
    if delta:
        s.exec(
            update(Batch)
            .where(col(Batch.id) == batch_id)
            .values(bytes_sent=func.max(0, col(Batch.bytes_sent) + delta))
        )


def count_in_state(s: Session, state: BatchState) -> int:
    return int(s.exec(select(func.count()).select_from(Batch).where(Batch.state == state)).one())


# --- the office's acknowledgement ------------------------------------------------------------------


def acknowledge(
    db: Database,
    batch_id: str,
    *,
    via: BatchRoute,
    received_at: datetime,
    seqs: dict[str, int] | None = None,
) -> bool:
    """The office holds this batch: its manifest was accepted online (``via`` ONLINE, with the
    receipt's per-application ``seqs``) or a return bundle listed it (``via`` STICK).

    In one transaction: the applications still SENDING move to SENT (with the server's seq
    where known), the batch becomes SENT with how the acknowledgement came, an ONLINE trip is
    recorded for the online route, and every unfinished outbox row of the batch is DONE, so
    neither route sends it again. Idempotent: a second acknowledgement (the same receipt
    replayed, or the other route) changes nothing and returns False.
    """
    with db.session() as s:
        first = acknowledge_in(s, batch_id, via=via, received_at=received_at, seqs=seqs)
        s.commit()
        return first


def acknowledge_in(
    s: Session,
    batch_id: str,
    *,
    via: BatchRoute,
    received_at: datetime,
    seqs: dict[str, int] | None = None,
) -> bool:
    """``acknowledge`` within the caller's transaction (a return bundle applies its receipts and
    its changes in one, sync/usb_return.py)."""
    from desa_capil.store.repo import _set_status

    batch = s.get(Batch, batch_id)
    if batch is None:
        return False
    # A batch cancelled here stays cancelled (its applications were put back); its rows are done.
    first = batch.state != BatchState.CANCELLED and (batch.state != BatchState.SENT or not batch.ack_via)
    links = s.exec(select(BatchApplication.application_id).where(BatchApplication.batch_id == batch_id)).all()
    for app_id in links:
        app = s.get(Application, app_id)
        if app is None or Status(app.status) is not Status.SENDING:
            continue
        seq = (seqs or {}).get(app_id)
        _set_status(s, app, Status.SENT, Actor.VILLAGE, server_seq=seq, at=received_at)
        app.sent_at = received_at
        s.add(app)
    if first:
        batch.state = BatchState.SENT
        batch.sent_at = batch.sent_at or received_at
        batch.last_error = ""
        batch.error_code = ""
        batch.bytes_sent = batch.total_bytes
        batch.ack_via = via.value
        s.add(batch)
        if via is BatchRoute.ONLINE:
            s.add(BatchTrip(batch_id=batch_id, route=BatchRoute.ONLINE, at=received_at))
    outbox.complete_batch(s, batch_id)
    return first


def record_stick_trip(
    db: Database, batch_ids: Iterable[str], *, bundle_id: str, file_name: str, at: datetime | None = None
) -> int:
    """The batches are in a bundle that was written and verified on a stick: one STICK trip
    each (a batch already acknowledged gets none). Returns how many trips were recorded. Call
    it only after the file verified: the trip is what the Kiriman page shows as "lewat flashdisk"."""
    when = at or utcnow()
    n = 0
    with db.session() as s:
        for bid in dict.fromkeys(batch_ids):
            batch = s.get(Batch, bid)
            if batch is None or batch.state not in EXPORTABLE_STATES:
                continue
            s.add(
                BatchTrip(
                    batch_id=bid, route=BatchRoute.STICK, at=when, bundle_id=bundle_id, file_name=file_name
                )
            )
            n += 1
        s.commit()
    return n


def trips(db: Database, batch_id: str) -> list[BatchTrip]:
    with db.session() as s:
        return list(
            s.exec(select(BatchTrip).where(BatchTrip.batch_id == batch_id).order_by(col(BatchTrip.at))).all()
        )


def exportable(db: Database, batch_ids: Iterable[str] | None = None) -> list[str]:
    """Batches a stick can carry (sealed, not acknowledged), oldest first; of ``batch_ids``
    when given."""
    with db.session() as s:
        q = select(Batch.id).where(col(Batch.state).in_(list(EXPORTABLE_STATES)), Batch.ack_via == "")
        if batch_ids is not None:
            q = q.where(col(Batch.id).in_(list(batch_ids)))
        return list(s.exec(q.order_by(col(Batch.sealed_at), col(Batch.id))).all())


# --- the manifest ---------------------------------------------------------------------------------


def stick_upload_id(document_id: str) -> str:
    """The upload id a bundle gives a document: its uuid as 32 hex digits (the shape of a tus
    upload id), the same every time, so a batch's manifest in any bundle is the same bytes."""
    return uuid.UUID(document_id).hex


def manifest(db: Database, batch_id: str, upload_id: Callable[[str], str | None]) -> BatchManifest:
    """The batch's manifest as the server takes it (``PUT /batches/{id}``), built from local
    records. ``upload_id(document_id)`` names where each file is (a tus upload online,
    ``stick_upload_id`` in a bundle); documents without one are left out."""
    with db.session() as s:
        batch = s.get(Batch, batch_id)
        if batch is None:
            raise KeyError(batch_id)
        links = s.exec(
            select(BatchApplication, Application, Applicant)
            .join(Application, col(Application.id) == BatchApplication.application_id)
            .join(Applicant, col(Applicant.id) == Application.applicant_id)
            .where(BatchApplication.batch_id == batch_id)
            .order_by(col(Application.created_at), col(Application.id))
        ).all()
        docs_of: dict[str, list[Document]] = {}
        for d in s.exec(
            select(Document)
            .where(Document.batch_id == batch_id)
            .order_by(col(Document.created_at), col(Document.id))
        ):
            docs_of.setdefault(d.application_id, []).append(d)
        apps = []
        for _link, app, person in links:
            details = IntakeDetails.from_json(app.details)
            wire_docs = []
            for d in docs_of.get(app.id, []):
                up = upload_id(d.id)
                if not up or d.file_sha256 is None:
                    continue
                wire_docs.append(
                    DocumentIn(
                        id=uuid.UUID(d.id),
                        requirement_code=d.requirement_code,
                        upload_id=up,
                        sha256=d.file_sha256,
                        size=d.file_size,
                        page_count=max(1, d.page_count),
                        mime=d.mime,
                    )
                )
            apps.append(
                ApplicationIn(
                    id=uuid.UUID(app.id),
                    service_code=app.service_code,
                    applicant=WireApplicant(
                        nik=person.nik,
                        name=person.name,
                        kk_number=person.kk_number,
                        phone=person.phone,
                        address=person.address,
                    ),
                    urgency=app.urgency,
                    notes=details.wire_notes(app.notes),
                    documents=wire_docs,
                    **details.wire_fields(),
                )
            )
        return BatchManifest(applications=apps, sealed_at=as_utc(batch.sealed_at))


def documents(db: Database, batch_id: str) -> list[Document]:
    """The batch's sealed documents (with their assembled files) in manifest order."""
    with db.session() as s:
        return list(
            s.exec(
                select(Document)
                .where(Document.batch_id == batch_id, col(Document.file_sha256).is_not(None))
                .order_by(col(Document.created_at), col(Document.id))
            ).all()
        )


# --- what the UI sees ------------------------------------------------------------------------------


@dataclass
class BatchRow:
    id: str
    sealed_at: datetime
    sent_at: datetime | None
    state: str
    application_count: int
    page_count: int
    total_bytes: int
    bytes_done: int
    files_total: int
    files_done: int
    last_error: str
    error_code: str = ""
    # How it went: "online" / "stick" once acknowledged ("" before), and the stick trips.
    ack_via: str = ""
    stick_trips: list[datetime] = field(default_factory=list)

    @property
    def last_stick_at(self) -> datetime | None:
        return max(self.stick_trips) if self.stick_trips else None


def batch_rows(db: Database, limit: int = 500) -> list[BatchRow]:
    """Batches, newest first, with their upload progress from the outbox and their trips."""
    with db.session() as s:
        batches = s.exec(select(Batch).order_by(col(Batch.sealed_at).desc()).limit(limit)).all()
        ids = [b.id for b in batches]
        stats = outbox.upload_stats(s, ids)
        sticks: dict[str, list[datetime]] = {}
        if ids:
            for t in s.exec(
                select(BatchTrip)
                .where(col(BatchTrip.batch_id).in_(ids), BatchTrip.route == BatchRoute.STICK)
                .order_by(col(BatchTrip.at))
            ).all():
                sticks.setdefault(t.batch_id, []).append(t.at)
        out = []
        for b in batches:
            st = stats.get(b.id, outbox.UploadStats())
            done, offset = st.files_done, st.bytes_done
            if b.state == BatchState.SENT:
                done, offset = st.files_total, b.total_bytes
            out.append(
                BatchRow(
                    id=b.id,
                    sealed_at=b.sealed_at,
                    sent_at=b.sent_at,
                    state=b.state,
                    application_count=b.application_count,
                    page_count=b.page_count,
                    total_bytes=b.total_bytes,
                    bytes_done=offset,
                    files_total=st.files_total,
                    files_done=done,
                    last_error=b.last_error,
                    error_code=b.error_code,
                    ack_via=b.ack_via,
                    stick_trips=sticks.get(b.id, []),
                )
            )
        return out
