"""The outbox worker: one loop that drains the outbox and pulls status changes.

A pass does, in order:

1. every sealed batch: upload each document file with tus (resumable, offset in the outbox
   row), then PUT the manifest built from local records. 201/200 moves the applications
   SENDING -> SENT. 422 ``uploads_invalid`` re-uploads exactly the files the server named, then
   PUTs again. An answer that can never succeed (another 4xx) sets the batch aside (its outbox
   rows PARKED, the batch FAILED, the server's reason kept) and the next batch goes on;
2. village events (outbox kind "event"), in order, several per request;
3. status changes by cursor, applied idempotently (see ``apply.py``), then the signed PDFs of
   dispatched documents are downloaded so they can be printed offline.

A failure of the link (no answer, timeout) ends the pass; ``run_forever`` then backs off
exponentially with jitter, capped, and a wake-up (connection back, "Kirim sekarang") starts
the next pass at once. A server hiccup (5xx, 429) on one file postpones that file only.
A 401 stops everything until the laptop is enrolled again.

No Qt here: the UI's controller runs ``run_forever`` on a QThread and turns the listener
calls into signals.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import col, select

from desa_capil.api.models import Applicant as WireApplicant
from desa_capil.api.models import (
    ApplicationIn,
    BatchManifest,
    BatchReceipt,
    DocumentIn,
    ErrorCode,
    EventIn,
    EventOutcome,
)
from desa_capil.domain.intake import IntakeDetails
from desa_capil.domain.status import Actor, Status
from desa_capil.errors import StorageError, UserError
from desa_capil.store.blobs import sha256_of
from desa_capil.store.db import Database
from desa_capil.store.models import (
    Applicant,
    Application,
    Batch,
    BatchApplication,
    BatchState,
    Document,
    Outbox,
    OutboxState,
    utcnow,
)
from desa_capil.store.repo import _set_status
from desa_capil.sync import apply
from desa_capil.sync.client import ApiClient, OfflineError, SyncError, TokenRevoked
from desa_capil.sync.tus import ChunkReport, LinkMeter, Stopped, TusUploader, upload_id_of
from desa_capil.timeutil import as_utc

log = logging.getLogger(__name__)

EVENTS_PER_REQUEST = 50
CHANGES_PER_PAGE = 200
MAX_REUPLOAD_ROUNDS = 3
LINK_RATE_KEY = "link_rate"
LAST_CONTACT_KEY = "last_contact"


# --- what the UI sees ---------------------------------------------------------------------------


@dataclass
class BatchProgress:
    """Upload progress of one batch."""

    batch_id: str
    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    speed: float  # bytes/s, measured
    seconds_left: float | None


@dataclass
class PassResult:
    batches_sent: list[str] = field(default_factory=list)
    batches_parked: list[str] = field(default_factory=list)
    files_uploaded: int = 0
    events_sent: int = 0
    office_changes: list[str] = field(default_factory=list)  # application ids
    statuses: dict[str, Status] = field(default_factory=dict)
    documents_downloaded: int = 0
    postponed: int = 0  # files or batches waiting for a later try after a server hiccup

    @property
    def work_left(self) -> bool:
        return self.postponed > 0


class SyncListener(Protocol):
    """Called from the worker's thread; implementations must be thread-safe."""

    def progress(self, p: BatchProgress) -> None: ...

    def contact(self, at: datetime) -> None: ...

    def batch_done(self, batch_id: str, state: str) -> None: ...


class _NullListener:
    def progress(self, p: BatchProgress) -> None:
        pass

    def contact(self, at: datetime) -> None:
        pass

    def batch_done(self, batch_id: str, state: str) -> None:
        pass


# --- back-off ---------------------------------------------------------------------------------


class Backoff:
    """Exponential back-off with jitter, capped: base, 2*base, 4*base ... up to cap.

    "Equal jitter": half the step is fixed, half random, so retries from many villages after
    a server outage spread out but never come back at once.
    """

    def __init__(
        self, base: float = 2.0, cap: float = 300.0, rng: Callable[[], float] = random.random
    ) -> None:
        self.base = base
        self.cap = cap
        self.failures = 0
        self._rng = rng

    def next_delay(self) -> float:
        step = min(self.cap, self.base * (2 ** min(self.failures, 30)))
        self.failures += 1
        return step / 2 + (step / 2) * self._rng()

    def reset(self) -> None:
        self.failures = 0


# --- queries shared with the UI -------------------------------------------------------------------


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


def batch_rows(db: Database, limit: int = 500) -> list[BatchRow]:
    """Batches, newest first, with their upload progress from the outbox."""
    with db.session() as s:
        batches = s.exec(select(Batch).order_by(col(Batch.sealed_at).desc()).limit(limit)).all()
        stats: dict[str, tuple[int, int, int]] = {}
        ids = [b.id for b in batches]
        if ids:
            for bid, total, done, offset in s.exec(
                select(
                    Outbox.batch_id,
                    func.count(),
                    func.sum(func.iif(col(Outbox.state) == OutboxState.DONE, 1, 0)),
                    func.sum(
                        func.iif(
                            col(Outbox.state) == OutboxState.DONE, Outbox.upload_length, Outbox.upload_offset
                        )
                    ),
                )
                .where(Outbox.kind == "upload", col(Outbox.batch_id).in_(ids))
                .group_by(Outbox.batch_id)
            ).all():
                stats[str(bid)] = (int(total), int(done or 0), int(offset or 0))
        out = []
        for b in batches:
            total, done, offset = stats.get(b.id, (0, 0, 0))
            if b.state == BatchState.SENT:
                done, offset = total, b.total_bytes
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
                    files_total=total,
                    files_done=done,
                    last_error=b.last_error,
                    error_code=b.error_code,
                )
            )
        return out


def retry_batch(db: Database, batch_id: str) -> None:
    """Put a set-aside batch back in the queue (after the user fixed what was wrong)."""
    with db.session() as s:
        for row in s.exec(
            select(Outbox).where(Outbox.batch_id == batch_id, Outbox.state == OutboxState.PARKED)
        ).all():
            row.state = OutboxState.PENDING
            row.next_attempt_at = None
            row.attempts = 0
            s.add(row)
        batch = s.get(Batch, batch_id)
        if batch is not None and batch.state == BatchState.FAILED:
            batch.state = BatchState.SEALED
            batch.last_error = ""
            batch.error_code = ""
            s.add(batch)
        s.commit()


@dataclass(frozen=True)
class ParkedEvent:
    """A village event (arrived, handed over) the server refused, with its reason."""

    outbox_id: int
    created_at: datetime
    application_id: str
    applicant_name: str
    status: str  # the status the event reported ("arrived", "handed_over")
    reason: str


def parked_events(db: Database, limit: int = 200) -> list[ParkedEvent]:
    """Events set aside by the server or as unreadable, newest first."""
    with db.session() as s:
        rows = s.exec(
            select(Outbox)
            .where(Outbox.kind == "event", Outbox.state == OutboxState.PARKED)
            .order_by(col(Outbox.id).desc())
            .limit(limit)
        ).all()
        out = []
        for row in rows:
            try:
                ev = EventIn.model_validate_json(row.payload)
                app_id, status = str(ev.application_id), ev.status.value
            except ValidationError:
                app_id, status = "", ""
            name = ""
            app = s.get(Application, app_id) if app_id else None
            if app is not None:
                person = s.get(Applicant, app.applicant_id)
                name = person.name if person is not None else ""
            assert row.id is not None
            out.append(ParkedEvent(row.id, row.created_at, app_id, name, status, row.last_error))
        return out


def has_pending_work(db: Database) -> bool:
    with db.session() as s:
        return (
            s.exec(select(Outbox.id).where(Outbox.state == OutboxState.PENDING).limit(1)).first() is not None
        )


def last_contact(db: Database) -> datetime | None:
    raw = apply.read_state(db, LAST_CONTACT_KEY)
    return datetime.fromisoformat(raw) if raw else None


def reason_text(err: UserError) -> str:
    """The message to keep with a set-aside batch: the server's words and its list of problems."""
    text = err.message_id
    body = getattr(err, "body", None)
    if body is not None and body.applications:
        details = list(dict.fromkeys(p.message_id or p.problem for p in body.applications))
        text += " " + "; ".join(details[:5])
    return text


# --- the worker -----------------------------------------------------------------------------


class SyncWorker:
    """Drains the outbox of one database against one server.

    ``client_factory`` makes a fresh ``ApiClient`` (each upload thread gets its own session).
    ``parallel`` files are uploaded at once: while one waits for its answer (a round trip on
    a slow link can take a second) the other keeps the link busy.
    """

    def __init__(
        self,
        db: Database,
        client_factory: Callable[[], ApiClient],
        *,
        listener: SyncListener | None = None,
        stop: threading.Event | None = None,
        parallel: int = 2,
        backoff: Backoff | None = None,
        row_backoff_base: float = 5.0,
        poll_interval: float = 300.0,
    ) -> None:
        self.db = db
        self.client_factory = client_factory
        self.client = client_factory()
        self.listener: SyncListener = listener or _NullListener()
        self.stop = stop or threading.Event()
        self.parallel = max(1, parallel)
        self.backoff = backoff or Backoff()
        self.row_backoff_base = row_backoff_base
        self.poll_interval = poll_interval
        rate = apply.read_state(db, LINK_RATE_KEY)
        self.meter = LinkMeter(float(rate) if rate else None)
        self._progress_lock = threading.Lock()
        self._clients: list[ApiClient] = []
        self.revoked = False

    def close(self) -> None:
        self.client.close()
        for c in self._clients:
            c.close()

    # --- helpers ----------------------------------------------------------------------------

    def _contact(self) -> None:
        now = utcnow()
        apply.write_state(self.db, LAST_CONTACT_KEY, now.isoformat())
        self.listener.contact(now)

    def _pending_batches(self) -> list[str]:
        with self.db.session() as s:
            rows = s.exec(
                select(Outbox.batch_id, func.min(Outbox.id))
                .where(
                    Outbox.state == OutboxState.PENDING,
                    col(Outbox.kind).in_(["upload", "manifest"]),
                    col(Outbox.batch_id).is_not(None),
                )
                .group_by(Outbox.batch_id)
                .order_by(func.min(Outbox.id))
            ).all()
        return [str(r[0]) for r in rows]

    def _report(self, batch_id: str) -> None:
        with self.db.session() as s:
            total, done, nbytes, total_bytes = s.exec(
                select(
                    func.count(),
                    func.sum(func.iif(col(Outbox.state) == OutboxState.DONE, 1, 0)),
                    func.sum(
                        func.iif(
                            col(Outbox.state) == OutboxState.DONE, Outbox.upload_length, Outbox.upload_offset
                        )
                    ),
                    func.sum(Outbox.upload_length),
                ).where(Outbox.kind == "upload", Outbox.batch_id == batch_id)
            ).one()
        nbytes = int(nbytes or 0)
        total_bytes = int(total_bytes or 0)
        rate = self.meter.rate if self.meter.measured else 0.0
        left = (total_bytes - nbytes) / rate if rate > 0 else None
        self.listener.progress(
            BatchProgress(batch_id, int(done or 0), int(total or 0), nbytes, total_bytes, rate, left)
        )

    def _set_batch_state(self, batch_id: str, state: str, error: str = "") -> None:
        with self.db.session() as s:
            batch = s.get(Batch, batch_id)
            if batch is not None and (batch.state != state or batch.last_error != error):
                batch.state = state
                batch.last_error = error
                s.add(batch)
                s.commit()

    def park_batch(self, batch_id: str, err: UserError) -> None:
        """Set a batch aside with the reason the user must act on; the others go on."""
        reason = reason_text(err)
        code = getattr(err, "code", None)
        log.warning("batch %s set aside: %s (%s)", batch_id, err.message_en, err.detail)
        with self.db.session() as s:
            for row in s.exec(
                select(Outbox).where(Outbox.batch_id == batch_id, Outbox.state == OutboxState.PENDING)
            ).all():
                row.state = OutboxState.PARKED
                row.last_error = reason
                s.add(row)
            batch = s.get(Batch, batch_id)
            if batch is not None:
                batch.state = BatchState.FAILED
                batch.last_error = reason
                # Kept so that "Batalkan kiriman" can tell whether the server may hold the batch.
                batch.error_code = str(code) if code else ""
                s.add(batch)
            s.commit()
        self.listener.batch_done(batch_id, BatchState.FAILED)

    def _postpone(self, row_id: int, err: SyncError) -> None:
        with self.db.session() as s:
            row = s.get(Outbox, row_id)
            if row is None:
                return
            row.attempts += 1
            delay = min(600.0, self.row_backoff_base * 2 ** min(row.attempts - 1, 10))
            if err.retry_after:
                delay = max(delay, err.retry_after)
            delay *= 0.5 + 0.5 * random.random()
            row.next_attempt_at = as_utc(utcnow()) + timedelta(seconds=delay)
            row.last_error = err.message_id
            s.add(row)
            s.commit()

    def _due(self, row: Outbox) -> bool:
        return row.next_attempt_at is None or as_utc(row.next_attempt_at) <= as_utc(utcnow())

    # --- uploads ------------------------------------------------------------------------------

    def _thread_client(self) -> ApiClient:
        local = getattr(self, "_tls", None)
        if local is None:
            local = self._tls = threading.local()
        client: ApiClient | None = getattr(local, "client", None)
        if client is None:
            client = self.client_factory()
            local.client = client
            with self._progress_lock:
                self._clients.append(client)
        return client

    def _upload_row(self, row: Outbox) -> None:
        assert row.id is not None
        meta = apply.payload_of(row.payload)
        sha = str(meta.get("sha256", ""))
        try:
            data = self.db.blobs.get(sha)
        except FileNotFoundError as exc:
            raise StorageError(
                "Berkas kiriman tidak ditemukan di laptop ini. Segel ulang permohonan itu.",
                "A file of this batch is missing on this laptop. Seal the application again.",
                detail=f"blob {sha[:12]} missing",
            ) from exc

        def chunk(rep: ChunkReport) -> None:
            if rep.batch_id:
                self._report(rep.batch_id)

        uploader = TusUploader(self._thread_client(), self.db, self.meter, stop=self.stop, on_chunk=chunk)
        uploader.upload(row, data, {k: str(v) for k, v in meta.items()})
        with self.db.session() as s:
            fresh = s.get(Outbox, row.id)
            assert fresh is not None
            fresh.state = OutboxState.DONE
            fresh.done_at = utcnow()
            fresh.last_error = ""
            fresh.upload_offset = fresh.upload_length
            s.add(fresh)
            s.commit()

    def _upload_batch_files(self, batch_id: str, result: PassResult) -> bool:
        """Upload the pending files of a batch. True when all are on the server."""
        with self.db.session() as s:
            rows = list(
                s.exec(
                    select(Outbox)
                    .where(
                        Outbox.batch_id == batch_id,
                        Outbox.kind == "upload",
                        Outbox.state == OutboxState.PENDING,
                    )
                    .order_by(col(Outbox.id))
                ).all()
            )
        due = [r for r in rows if self._due(r)]
        if len(due) < len(rows):
            result.postponed += len(rows) - len(due)
        if not due:
            return not rows
        errors: list[tuple[Outbox, BaseException]] = []

        def run(row: Outbox) -> BaseException | None:
            try:
                if self.stop.is_set():
                    raise Stopped()
                self._upload_row(row)
            except (SyncError, Stopped, StorageError) as exc:
                errors.append((row, exc))
                return exc
            return None

        if self.parallel == 1 or len(due) == 1:
            for row in due:
                exc = run(row)
                # After a dead link, a refused token or a batch-wide problem, the rest waits.
                if exc is not None and not (isinstance(exc, SyncError) and exc.retryable and exc.status):
                    break
        else:
            with ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="tus") as pool:
                list(pool.map(run, due))
        uploaded = len(due) - len(errors)
        result.files_uploaded += uploaded
        if uploaded:
            self._contact()
        for _row, exc in errors:
            if isinstance(exc, Stopped | TokenRevoked | OfflineError):
                raise exc
        for row, exc in errors:
            if isinstance(exc, StorageError):
                self.park_batch(batch_id, exc)
                result.batches_parked.append(batch_id)
                return False
            if isinstance(exc, SyncError):
                if exc.retryable:
                    assert row.id is not None
                    self._postpone(row.id, exc)
                    result.postponed += 1
                else:
                    self.park_batch(batch_id, exc)
                    result.batches_parked.append(batch_id)
                    return False
        if errors:
            return False
        return len(due) == len(rows)

    # --- manifest -------------------------------------------------------------------------------

    def build_manifest(self, batch_id: str) -> BatchManifest:
        with self.db.session() as s:
            batch = s.get(Batch, batch_id)
            if batch is None:
                raise KeyError(batch_id)
            uploads = {
                r.ref_id: r
                for r in s.exec(
                    select(Outbox).where(Outbox.batch_id == batch_id, Outbox.kind == "upload")
                ).all()
            }
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
                wire_docs = []
                for d in docs_of.get(app.id, []):
                    up = uploads.get(d.id)
                    if up is None or not up.upload_url or d.file_sha256 is None:
                        continue
                    wire_docs.append(
                        DocumentIn(
                            id=d.id,
                            requirement_code=d.requirement_code,
                            upload_id=upload_id_of(up.upload_url),
                            sha256=d.file_sha256,
                            size=d.file_size,
                            page_count=max(1, d.page_count),
                            mime=d.mime,
                        )
                    )
                apps.append(
                    ApplicationIn(
                        id=app.id,
                        service_code=app.service_code,
                        applicant=WireApplicant(
                            nik=person.nik,
                            name=person.name,
                            kk_number=person.kk_number,
                            phone=person.phone,
                            address=person.address,
                        ),
                        urgency=app.urgency,
                        notes=app.notes,
                        documents=wire_docs,
                        **IntakeDetails.from_json(app.details).wire_fields(),
                    )
                )
            sealed = batch.sealed_at if batch.sealed_at.tzinfo else batch.sealed_at.replace(tzinfo=UTC)
            return BatchManifest(applications=apps, sealed_at=sealed)

    def _mark_sent(self, batch_id: str, receipt: BatchReceipt) -> None:
        seqs = {str(a.id): a.seq for a in receipt.applications}
        with self.db.session() as s:
            for app_id, seq in seqs.items():
                app = s.get(Application, app_id)
                if app is None:
                    continue
                if Status(app.status) is Status.SENDING:
                    _set_status(s, app, Status.SENT, Actor.VILLAGE, server_seq=seq, at=receipt.received_at)
                    app.sent_at = receipt.received_at
                    s.add(app)
            batch = s.get(Batch, batch_id)
            if batch is not None:
                batch.state = BatchState.SENT
                batch.sent_at = receipt.received_at
                batch.last_error = ""
                batch.bytes_sent = batch.total_bytes
                s.add(batch)
            for row in s.exec(
                select(Outbox).where(
                    Outbox.batch_id == batch_id,
                    Outbox.kind == "manifest",
                    Outbox.state == OutboxState.PENDING,
                )
            ).all():
                row.state = OutboxState.DONE
                row.done_at = utcnow()
                row.last_error = ""
                s.add(row)
            s.commit()

    def _reset_uploads(self, batch_id: str, document_ids: set[str]) -> None:
        with self.db.session() as s:
            for row in s.exec(
                select(Outbox).where(
                    Outbox.batch_id == batch_id, Outbox.kind == "upload", col(Outbox.ref_id).in_(document_ids)
                )
            ).all():
                row.state = OutboxState.PENDING
                row.upload_url = ""
                row.upload_offset = 0
                row.next_attempt_at = None
                s.add(row)
            s.commit()

    def _send_batch(self, batch_id: str, result: PassResult) -> None:
        self._set_batch_state(batch_id, BatchState.SENDING)
        for _round in range(MAX_REUPLOAD_ROUNDS + 1):
            if not self._upload_batch_files(batch_id, result):
                return
            self._report(batch_id)
            with self.db.session() as s:
                manifest_row = s.exec(
                    select(Outbox).where(
                        Outbox.batch_id == batch_id,
                        Outbox.kind == "manifest",
                        Outbox.state == OutboxState.PENDING,
                    )
                ).first()
            if manifest_row is None:
                return
            if not self._due(manifest_row):
                result.postponed += 1
                return
            try:
                manifest = self.build_manifest(batch_id)
            except ValidationError as exc:
                self.park_batch(
                    batch_id,
                    UserError(
                        "Data permohonan dalam kiriman ini tidak lengkap atau tidak valid (NIK, nomor KK, "
                        "nama). Periksa datanya; kiriman ini disisihkan.",
                        "Application data in this batch is incomplete or invalid (NIK, KK number, name). "
                        "Check it; this batch was set aside.",
                        detail=str(exc.errors()[:3]),
                    ),
                )
                result.batches_parked.append(batch_id)
                return
            try:
                receipt, created = self.client.put_batch(batch_id, manifest)
            except SyncError as exc:
                if exc.code == ErrorCode.UPLOADS_INVALID and exc.body is not None and exc.body.uploads:
                    bad = {str(u.document_id) for u in exc.body.uploads}
                    log.info("batch %s: server asks again for %d files", batch_id, len(bad))
                    self._reset_uploads(batch_id, bad)
                    continue
                if isinstance(exc, OfflineError | TokenRevoked) or (exc.retryable and exc.status == 0):
                    raise
                if exc.retryable:
                    assert manifest_row.id is not None
                    self._postpone(manifest_row.id, exc)
                    result.postponed += 1
                    return
                self.park_batch(batch_id, exc)
                result.batches_parked.append(batch_id)
                return
            log.info("batch %s %s", batch_id, "accepted" if created else "already accepted")
            self._mark_sent(batch_id, receipt)
            self._contact()
            result.batches_sent.append(batch_id)
            self.listener.batch_done(batch_id, BatchState.SENT)
            return
        self.park_batch(
            batch_id,
            UserError(
                "Server berulang kali menolak berkas kiriman ini. Segel ulang permohonannya atau hubungi "
                "petugas Disdukcapil.",
                "The server keeps refusing this batch's files. Seal the applications again or contact "
                "the office.",
            ),
        )
        result.batches_parked.append(batch_id)

    # --- events -------------------------------------------------------------------------------

    def _send_events(self, result: PassResult) -> None:
        while not self.stop.is_set():
            with self.db.session() as s:
                rows = list(
                    s.exec(
                        select(Outbox)
                        .where(Outbox.kind == "event", Outbox.state == OutboxState.PENDING)
                        .order_by(col(Outbox.id))
                        .limit(EVENTS_PER_REQUEST)
                    ).all()
                )
            if not rows:
                return
            events: list[EventIn] = []
            sendable: list[Outbox] = []
            for row in rows:
                try:
                    events.append(EventIn.model_validate_json(row.payload))
                    sendable.append(row)
                except ValidationError as exc:
                    self._park_row(row, "Catatan kejadian rusak dan tidak bisa dikirim.", str(exc)[:200])
            if not events:
                continue
            try:
                answer = self.client.post_events(events)
            except SyncError as exc:
                if exc.retryable or isinstance(exc, TokenRevoked):
                    raise
                # The whole request was refused (a bad event in it): send them one by one so
                # that only the bad one is set aside.
                if len(events) > 1:
                    for row, ev in zip(sendable, events, strict=True):
                        try:
                            self._apply_event_results([row], self.client.post_events([ev]).results, result)
                        except SyncError as one:
                            if one.retryable or isinstance(one, TokenRevoked):
                                raise
                            self._park_row(row, one.message_id, one.detail)
                else:
                    self._park_row(sendable[0], exc.message_id, exc.detail)
                continue
            self._apply_event_results(sendable, answer.results, result)
            self._contact()

    def _apply_event_results(self, rows: list[Outbox], results: list, result: PassResult) -> None:  # type: ignore[type-arg]
        by_id = {str(r.id): r for r in results}
        with self.db.session() as s:
            for row in rows:
                res = by_id.get(row.ref_id)
                fresh = s.get(Outbox, row.id)
                if res is None or fresh is None:
                    continue
                if res.outcome == EventOutcome.APPLIED:
                    fresh.state = OutboxState.DONE
                    fresh.done_at = utcnow()
                    result.events_sent += 1
                else:
                    fresh.state = OutboxState.PARKED
                    fresh.last_error = res.message_id or "Ditolak server."
                s.add(fresh)
            s.commit()

    def _park_row(self, row: Outbox, reason: str, detail: str = "") -> None:
        log.warning("outbox row %s set aside: %s", row.id, detail)
        with self.db.session() as s:
            fresh = s.get(Outbox, row.id)
            if fresh is not None:
                fresh.state = OutboxState.PARKED
                fresh.last_error = reason
                s.add(fresh)
                s.commit()

    # --- changes -------------------------------------------------------------------------------

    def _pull_changes(self, result: PassResult) -> None:
        while not self.stop.is_set():
            page = self.client.changes(apply.cursor(self.db), CHANGES_PER_PAGE)
            applied = apply.apply_page(self.db, page)
            for app_id in applied.application_ids:
                if app_id not in result.office_changes:
                    result.office_changes.append(app_id)
            result.statuses.update(applied.statuses)
            if not page.has_more:
                break
        self._contact()
        for doc_id, expected in apply.documents_to_fetch(self.db):
            if self.stop.is_set():
                return
            try:
                data = self.client.document_file(doc_id)
            except SyncError as exc:
                if isinstance(exc, OfflineError | TokenRevoked):
                    raise
                log.warning("document %s not downloaded: %s", doc_id, exc.detail)
                continue
            if expected and sha256_of(data) != expected:
                log.warning("document %s arrived damaged; trying again next time", doc_id)
                continue
            sha = self.db.blobs.put(data)
            apply.store_document(self.db, doc_id, sha)
            result.documents_downloaded += 1

    # --- passes ------------------------------------------------------------------------------

    def run_pass(self) -> PassResult:
        """One pass over everything. Raises SyncError when the link or the token fails."""
        result = PassResult()
        try:
            for batch_id in self._pending_batches():
                if self.stop.is_set():
                    raise Stopped()
                self._send_batch(batch_id, result)
            self._send_events(result)
            self._pull_changes(result)
        except TokenRevoked:
            self.revoked = True
            raise
        finally:
            if self.meter.measured:
                apply.write_state(self.db, LINK_RATE_KEY, f"{self.meter.rate:.0f}")
        return result

    def run_until_idle(self, max_passes: int = 1000) -> PassResult:
        """Passes until nothing is pending or postponed (tests, the command line)."""
        total = PassResult()
        for _ in range(max_passes):
            r = self.run_pass()
            total.batches_sent += r.batches_sent
            total.batches_parked += r.batches_parked
            total.files_uploaded += r.files_uploaded
            total.events_sent += r.events_sent
            total.office_changes += r.office_changes
            total.statuses.update(r.statuses)
            total.documents_downloaded += r.documents_downloaded
            if not has_pending_work(self.db):
                return total
            delay = self.next_due_in()
            if delay:
                self.stop.wait(delay)
        return total

    def next_due_in(self) -> float:
        """Seconds until the earliest postponed row is due (0 when one is due now)."""
        with self.db.session() as s:
            nxt = s.exec(
                select(func.min(Outbox.next_attempt_at)).where(Outbox.state == OutboxState.PENDING)
            ).one()
        if nxt is None:
            return 0.0
        if isinstance(nxt, str):
            nxt = datetime.fromisoformat(nxt)
        return max(0.0, (as_utc(nxt) - as_utc(utcnow())).total_seconds())

    def run_forever(
        self,
        wake: threading.Event,
        on_pass: Callable[[PassResult], None] | None = None,
        on_error: Callable[[SyncError], None] | None = None,
    ) -> None:
        """Pass after pass until ``stop`` is set; ``wake`` cuts any wait short."""
        probing = False
        while not self.stop.is_set():
            delay: float | None
            try:
                if probing:
                    # A cheap probe before heavy work, while the link is known to be down.
                    self.client.health()
                result = self.run_pass()
            except Stopped:
                break
            except TokenRevoked as exc:
                if on_error is not None:
                    on_error(exc)
                delay = None  # nothing to do until the user enrolls again (and wakes us)
            except SyncError as exc:
                probing = True
                delay = self.backoff.next_delay()
                if exc.retry_after:
                    delay = max(delay, exc.retry_after)
                log.info("sync failed (%s); next try in %.0f s", exc.detail or exc.message_en, delay)
                if on_error is not None:
                    on_error(exc)
            else:
                probing = False
                self.backoff.reset()
                if on_pass is not None:
                    on_pass(result)
                delay = self.poll_interval
                if has_pending_work(self.db):
                    delay = min(delay, max(0.5, self.next_due_in()))
            if self.stop.is_set():
                break
            wake.wait(delay)
            wake.clear()
