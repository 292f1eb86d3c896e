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

The three parts are independent: a failure in one (a file the server keeps answering with
500, an event it cannot take, a change page a proxy mangled) never stops the others. A
transient failure of one item (5xx, 423, an answer that does not parse) postpones that item
only, with its own back-off; only an answer the server explains (a 4xx with the contract's
error body) sets work aside, with the server's reason and a "Coba lagi" in the UI. A failure
of the link itself (no answer, timeout, captive portal) ends that part of the pass;
``run_forever`` then backs off exponentially with jitter, capped, asks the server's cheap
health endpoint at most every ``PROBE_INTERVAL`` seconds meanwhile, and a wake-up (connection
back, "Kirim sekarang") starts the next pass at once. A 401 stops everything until the laptop
is enrolled again. No exception ends ``run_forever``: a bug is logged and retried later.

No Qt here: the UI's controller runs ``run_forever`` on a QThread and turns the listener
calls into signals.
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError
from sqlmodel import col, select

from desa_capil.api.models import (
    BatchManifest,
    BatchReceipt,
    ErrorCode,
    EventIn,
    EventOutcome,
)
from desa_capil.domain.status import Status
from desa_capil.errors import StorageError, UserError
from desa_capil.store import batches, outbox
from desa_capil.store.batches import BatchRow as BatchRow
from desa_capil.store.batches import batch_rows as batch_rows
from desa_capil.store.db import Database
from desa_capil.store.models import (
    Applicant,
    Application,
    BatchRoute,
    BatchState,
    Outbox,
    SyncState,
    utcnow,
)
from desa_capil.sync import apply
from desa_capil.sync.client import (
    Aborted,
    ApiClient,
    CaptivePortal,
    CertificateError,
    OfflineError,
    SyncError,
    TokenRevoked,
)
from desa_capil.sync.tus import (
    ChunkReport,
    LinkMeter,
    Paused,
    Stopped,
    StreamGovernor,
    TusUploader,
    upload_id_of,
)
from desa_capil.timeutil import as_utc

log = logging.getLogger(__name__)

EVENTS_PER_REQUEST = 50
CHANGES_PER_PAGE = 200
MAX_REUPLOAD_ROUNDS = 3
LINK_RATE_KEY = "link_rate"
# The number of parallel uploads the governor settled on, per server address (the link to
# one office stays what it is between runs; measuring it again costs minutes of a batch).
STREAMS_KEY_PREFIX = "upload_streams:"
# Streams on a server address with nothing remembered. Four (the most, by default): on a
# shared link three and four give the same goodput, but where one connection gets a third of
# the link or less (per-connection shaping, a window a long round trip keeps small) fewer
# leave it unfilled, and the governor's first 30 s window at three cost the first batch on
# such a link most.
START_STREAMS = 4
# At a batch's end, up to this many times ``parallel`` files are sent at once (see
# ``SyncWorker._upload_batch_files``).
END_STREAMS_FACTOR = 2
LAST_CONTACT_KEY = "last_contact"
# While waiting after a failure, ask /health at most this often (a few hundred bytes).
PROBE_INTERVAL = 30.0
DOC_NEXT_PREFIX = "doc_next:"  # when to try a failed download again, per office document


def link_down(exc: BaseException) -> bool:
    """Errors that say the link (not one item) is unusable: the rest of that part waits."""
    return isinstance(exc, OfflineError | CaptivePortal | CertificateError | Aborted | TokenRevoked)


class SyncPhase(StrEnum):
    """What the status bar says (see ``SyncStatus``)."""

    SYNCING = "syncing"
    IDLE = "idle"  # everything sent, in contact
    WAITING = "waiting"  # the server had a problem; retried at ``next_try_at``
    OFFLINE = "offline"  # no answer at all
    NEEDS_LOGIN = "needs_login"  # captive portal
    NEEDS_ENROLLMENT = "needs_enrollment"  # not enrolled or token revoked
    ERROR = "error"  # a problem on this laptop (a bug, the disk); retried at ``next_try_at``
    STOPPED = "stopped"


@dataclass(frozen=True)
class SyncStatus:
    phase: SyncPhase
    message_id: str = ""
    message_en: str = ""
    next_try_at: datetime | None = None
    detail: str = ""


def next_try_text(st: SyncStatus, lang: str = "id") -> str:
    """ "Dicoba lagi pukul 14:05" (local time), or "" when no retry is planned."""
    if st.next_try_at is None:
        return ""
    local = as_utc(st.next_try_at).astimezone()
    if lang.startswith("en"):
        return f"next try at {local:%H:%M:%S}"
    return f"dicoba lagi pukul {local:%H:%M:%S}"


def upload_held(exc: SyncError) -> SyncError:
    """A 423 that lasts: the server still holds an earlier attempt at this file (its connection
    died without closing). Told plainly; the file waits alone, everything else goes on."""
    return SyncError(
        "Server masih memegang kiriman lama salah satu berkas (sambungan sebelumnya putus di tengah "
        "jalan). Berkas itu dicoba lagi otomatis; berkas dan kiriman lain tetap dikirim.",
        "The server still holds an earlier attempt at one file (the previous connection died "
        "mid-way). That file is retried automatically; other files and batches still go.",
        detail=exc.detail,
        retryable=True,
        status=exc.status,
        body=exc.body,
        retry_after=exc.retry_after,
    )


def status_for(exc: BaseException, next_try_at: datetime | None) -> SyncStatus:
    """The status-bar truth for a failure."""
    if isinstance(exc, TokenRevoked):
        return SyncStatus(SyncPhase.NEEDS_ENROLLMENT, exc.message_id, exc.message_en, None, exc.detail)
    if isinstance(exc, CaptivePortal):
        return SyncStatus(SyncPhase.NEEDS_LOGIN, exc.message_id, exc.message_en, next_try_at, exc.detail)
    if isinstance(exc, OfflineError):
        return SyncStatus(SyncPhase.OFFLINE, exc.message_id, exc.message_en, next_try_at, exc.detail)
    if isinstance(exc, UserError):
        return SyncStatus(SyncPhase.WAITING, exc.message_id, exc.message_en, next_try_at, exc.detail)
    return SyncStatus(
        SyncPhase.ERROR,
        "Ada kesalahan di aplikasi saat mengirim; data tetap aman dan pengiriman dicoba lagi otomatis.",
        "The app hit an error while sending; data is safe and sending is retried automatically.",
        next_try_at,
        f"{type(exc).__name__}: {exc}"[:300],
    )


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
    # Transient failures met in this pass (each postponed its item or ended its part).
    problems: list[BaseException] = field(default_factory=list)
    bytes_kept: int = 0  # upload bytes the server kept during this pass

    @property
    def progressed(self) -> bool:
        """Something got through: on a link that cuts often, retry soon, not after a long wait."""
        return bool(
            self.bytes_kept
            or self.files_uploaded
            or self.batches_sent
            or self.events_sent
            or self.documents_downloaded
            or self.office_changes
        )

    @property
    def work_left(self) -> bool:
        return self.postponed > 0

    @property
    def failure(self) -> BaseException | None:
        """The failure that best explains the pass: a dead link first, else the first one."""
        for exc in self.problems:
            if link_down(exc):
                return exc
        return self.problems[0] if self.problems else None


class SyncListener(Protocol):
    """Called from the worker's thread; implementations must be thread-safe."""

    def progress(self, p: BatchProgress) -> None: ...

    def contact(self, at: datetime) -> None: ...

    def batch_done(self, batch_id: str, state: str) -> None: ...

    def status(self, st: SyncStatus) -> None: ...


class _NullListener:
    def progress(self, p: BatchProgress) -> None:
        pass

    def contact(self, at: datetime) -> None:
        pass

    def batch_done(self, batch_id: str, state: str) -> None:
        pass

    def status(self, st: SyncStatus) -> None:
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
        return float(step / 2 + (step / 2) * self._rng())

    def reset(self) -> None:
        self.failures = 0


# --- queries shared with the UI -------------------------------------------------------------------


def retry_batch(db: Database, batch_id: str) -> None:
    """Put a set-aside batch back in the queue (after the user fixed what was wrong)."""
    batches.retry(db, batch_id)


def retry_events(db: Database, outbox_ids: list[int] | None = None) -> int:
    """Put set-aside village events back in the queue ("Coba lagi"); all of them when
    ``outbox_ids`` is None. Returns how many were put back."""
    return outbox.unpark_events(db, outbox_ids)


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
    rows = outbox.parked_events(db, limit)
    with db.session() as s:
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


def clear_backoffs(db: Database) -> None:
    """Every waiting item is due now (the user pressed "Kirim sekarang")."""
    with db.session() as s:
        outbox.clear_backoffs(s)
        for state in s.exec(select(SyncState).where(col(SyncState.key).startswith(DOC_NEXT_PREFIX))).all():
            s.delete(state)
        s.commit()


def has_pending_work(db: Database) -> bool:
    return outbox.has_pending(db)


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
    Up to ``parallel`` files are uploaded at once (``START_STREAMS`` at first): while one waits
    for its answer (a round trip on a slow link can take a second) the others keep the link
    busy; the count follows what the link shows (``tus.StreamGovernor``). The first chunks of
    the streams that start together are staggered (``tus.LinkMeter.stagger``), and at a
    batch's end up to ``END_STREAMS_FACTOR`` x ``parallel`` files go at once, each its rest in
    one PATCH (see ``_upload_batch_files``).
    """

    def __init__(
        self,
        db: Database,
        client_factory: Callable[[], ApiClient],
        *,
        listener: SyncListener | None = None,
        stop: threading.Event | None = None,
        parallel: int = 4,
        backoff: Backoff | None = None,
        row_backoff_base: float = 5.0,
        poll_interval: float = 300.0,
        probe_interval: float = PROBE_INTERVAL,
        download_dir: Path | None = None,
        hurry: threading.Event | None = None,
    ) -> None:
        self.db = db
        self.client_factory = client_factory
        self.listener: SyncListener = listener or _NullListener()
        self.stop = stop or threading.Event()
        self.client = self._new_client()
        self.probe_interval = probe_interval
        # Partial downloads (resumed with Range), in the app's data folder like the database
        # key file; deleted once verified and stored in the (encrypted) blob store.
        self.download_dir = download_dir or db.blobs.root.parent / "downloads"
        self.status = SyncStatus(SyncPhase.STOPPED)
        # Set by "Kirim sekarang": the next pass ignores every item's own back-off.
        self.hurry = hurry or threading.Event()
        self.parallel = max(1, parallel)
        self.backoff = backoff or Backoff()
        self.row_backoff_base = row_backoff_base
        self.poll_interval = poll_interval
        rate = apply.read_state(db, LINK_RATE_KEY)
        self.meter = LinkMeter(float(rate) if rate else None)
        self._streams_key = STREAMS_KEY_PREFIX + self.client.base_url
        remembered = apply.read_state(db, self._streams_key)
        self.meter.streams = StreamGovernor(
            start=int(remembered) if remembered.isdigit() else START_STREAMS,
            high=self.parallel,
            settled=remembered.isdigit(),  # tried again later, as any settled count
        )
        self._progress_lock = threading.Lock()
        self._clients: list[ApiClient] = []
        self.revoked = False

    def close(self) -> None:
        self.client.close()
        for c in self._clients:
            c.close()

    def _new_client(self) -> ApiClient:
        client = self.client_factory()
        if client.stop is None:
            client.stop = self.stop  # a stop cuts any exchange in flight
        return client

    def _set_status(self, st: SyncStatus) -> None:
        self.status = st
        status = getattr(self.listener, "status", None)
        if status is not None:
            status(st)

    # --- helpers ----------------------------------------------------------------------------

    def _contact(self) -> None:
        now = utcnow()
        apply.write_state(self.db, LAST_CONTACT_KEY, now.isoformat())
        self.listener.contact(now)

    def _pending_batches(self) -> list[str]:
        return outbox.pending_batch_ids(self.db)

    def _report(self, batch_id: str) -> None:
        with self.db.session() as s:
            st = outbox.upload_stats(s, [batch_id]).get(batch_id, outbox.UploadStats())
        rate = self.meter.rate if self.meter.measured else 0.0
        left = (st.bytes_total - st.bytes_done) / rate if rate > 0 else None
        self.listener.progress(
            BatchProgress(batch_id, st.files_done, st.files_total, st.bytes_done, st.bytes_total, rate, left)
        )

    def _set_batch_state(self, batch_id: str, state: BatchState, error: str = "") -> None:
        batches.set_state(self.db, batch_id, state, error)

    def park_batch(self, batch_id: str, err: UserError) -> None:
        """Set a batch aside with the reason the user must act on; the others go on."""
        reason = reason_text(err)
        code = getattr(err, "code", None)
        log.warning("batch %s set aside: %s (%s)", batch_id, err.message_en, err.detail)
        batches.park(self.db, batch_id, reason, str(code) if code else "")
        self.listener.batch_done(batch_id, BatchState.FAILED)

    def _postpone(self, row_id: int, err: SyncError) -> None:
        def delay_for(attempts: int) -> float:
            delay = min(600.0, self.row_backoff_base * 2 ** min(attempts - 1, 10))
            if err.retry_after:
                delay = max(delay, err.retry_after)
            return float(delay) * (0.5 + 0.5 * random.random())

        outbox.postpone(self.db, row_id, delay_for, err.message_id)

    def _due(self, row: Outbox) -> bool:
        return row.next_attempt_at is None or as_utc(row.next_attempt_at) <= as_utc(utcnow())

    # --- uploads ------------------------------------------------------------------------------

    def _thread_client(self) -> ApiClient:
        local = getattr(self, "_tls", None)
        if local is None:
            local = self._tls = threading.local()
        client: ApiClient | None = getattr(local, "client", None)
        if client is None:
            client = self._new_client()
            client.limit_send_buffer(self.meter.send_buffer())  # see ApiClient.limit_send_buffer
            local.client = client
            with self._progress_lock:
                self._clients.append(client)
        return client

    def _upload_row(
        self,
        row: Outbox,
        *,
        pause: Callable[[int], bool] | None = None,
        known_offset: bool = False,
    ) -> None:
        """Upload the file of ``row`` (see ``TusUploader``); ``Paused`` when ``pause`` said so."""
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

        uploader = TusUploader(
            self._thread_client(),
            self.db,
            self.meter,
            stop=self.stop,
            on_chunk=chunk,
            pause=pause,
        )
        uploader.upload(row, data, {k: str(v) for k, v in meta.items()}, known_offset=known_offset)
        outbox.finish(self.db, row.id, uploaded=True)

    def _upload_batch_files(self, batch_id: str, result: PassResult) -> bool:
        """Upload the pending files of a batch. True when all are on the server."""
        rows = outbox.pending_uploads(self.db, batch_id)
        due = [r for r in rows if self._due(r)]
        if len(due) < len(rows):
            result.postponed += len(rows) - len(due)
        if not due:
            return not rows
        # Most left to send first: the files that end a batch are then the small ones, so the
        # time when fewer files remain than streams (one connection may get only a share of
        # the link, see ``StreamGovernor``) is short.
        due.sort(key=lambda r: r.upload_offset - r.upload_length)
        errors: list[tuple[Outbox, BaseException]] = []

        def run(row: Outbox) -> BaseException | None:
            try:
                if self.stop.is_set():
                    raise Stopped()
                with self.meter.streams.slot(self.stop):
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
            # A file is taken only once a stream is free for it, and after each chunk a file
            # goes back to the queue when another waits with more left to send (most left
            # first, chunk by chunk: the files then end together, all streams busy to the end).
            # Where one connection gets only a share of the link, the batch's end otherwise
            # ran one or two files alone at that share for tens of seconds. Resuming a paused
            # file asks the server nothing: its offset is the one the last PATCH's answer gave.
            #
            # At the batch's end, once every file being sent is on its last chunk, the rest of
            # every waiting file goes as one PATCH, and there are at most END_STREAMS_FACTOR x
            # parallel files left, the waiting ones get a stream of their own at once (each
            # file's rest in one PATCH, ``StreamGovernor.widen``): where one connection
            # gets only a share of the link, files that waited for a stream ran on after the
            # others had ended, a few connections for the whole link.
            waiting: dict[int, Outbox] = {r.id: r for r in due if r.id is not None}
            sending: dict[int, int] = {}  # row id -> bytes left when its current chunk began
            paused: set[int] = set()
            queue_lock = threading.Lock()
            governor = self.meter.streams
            end_streams = END_STREAMS_FACTOR * self.parallel
            ended = [False]  # the batch's end was reached (it lasts to the end of the pass)

            def left(r: Outbox) -> int:
                return r.upload_length - r.upload_offset

            def widen() -> bool:
                """(Under queue_lock.) Whether the batch's end is reached; allows its streams."""
                one = self.meter.one_chunk
                ended[0] = ended[0] or (
                    bool(waiting)
                    and len(sending) + len(waiting) <= end_streams
                    and all(one(n) for n in sending.values())
                    and all(one(left(r)) for r in waiting.values())
                )
                if ended[0]:
                    governor.widen(len(sending) + len(waiting) - governor.streams)
                return ended[0]

            def next_row() -> Outbox | None:
                with queue_lock:
                    if not waiting:
                        return None
                    row_id = max(waiting, key=lambda i: left(waiting[i]))
                    row = waiting.pop(row_id)
                    sending[row_id] = left(row)
                    widen()
                    return row

            def sent(row_id: int) -> None:
                with queue_lock:
                    sending.pop(row_id, None)

            def more_waiting(row_id: int, remaining: int) -> bool:
                with queue_lock:
                    sending[row_id] = remaining
                    if widen():
                        return False  # every waiting file gets a stream of its own
                    return any(left(r) > remaining for r in waiting.values())

            def requeue(row: Outbox) -> None:
                assert row.id is not None
                with self.db.session() as s:
                    fresh = s.get(Outbox, row.id)
                with queue_lock:
                    paused.add(row.id)
                    waiting[row.id] = fresh if fresh is not None else row
                    widen()

            def send(row: Outbox) -> None:
                row_id = row.id
                assert row_id is not None
                try:
                    self._upload_row(
                        row, pause=functools.partial(more_waiting, row_id), known_offset=row_id in paused
                    )
                except Paused:
                    requeue(row)
                except (SyncError, Stopped, StorageError) as exc:
                    errors.append((row, exc))
                finally:
                    sent(row_id)

            def drain() -> None:
                try:
                    while True:
                        if self.stop.is_set():
                            raise Stopped()
                        with governor.slot(self.stop):
                            # The stream stays with this thread, and so on its connection,
                            # while files wait (a connection left idle while other threads
                            # take the streams may meet the server's keep-alive limit just as
                            # it is used again), unless the count went down meanwhile.
                            while True:
                                if self.stop.is_set():
                                    raise Stopped()
                                row = next_row()
                                if row is None:
                                    return
                                send(row)
                                if governor.active > governor.streams + governor.extra:
                                    break
                except Stopped as exc:  # stopped while waiting for a stream, or between files
                    while (left_row := next_row()) is not None:
                        errors.append((left_row, exc))

            with self._progress_lock:
                before = len(self._clients)
            workers = min(end_streams, len(due))
            self.meter.stagger(min(workers, governor.streams))
            with queue_lock:
                widen()
            try:
                with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tus") as pool:
                    for future in [pool.submit(drain) for _ in range(workers)]:
                        future.result()
            finally:
                governor.widen(0, ending=False)
            # The pool's threads are gone, and with them their clients: close those (each pass
            # would otherwise leave a session and its sockets behind until the app closes).
            with self._progress_lock:
                made, self._clients = self._clients[before:], self._clients[:before]
            for client in made:
                client.close()
        uploaded = len(due) - len(errors)
        result.files_uploaded += uploaded
        if uploaded:
            self._contact()
        for _row, exc in errors:
            if isinstance(exc, Stopped) or link_down(exc):
                raise exc
        for row, exc in errors:
            if isinstance(exc, StorageError):
                self.park_batch(batch_id, exc)
                result.batches_parked.append(batch_id)
                return False
            if isinstance(exc, SyncError):
                if exc.retryable:
                    assert row.id is not None
                    if exc.code == ErrorCode.UPLOAD_LOCKED:
                        exc = upload_held(exc)
                    self._postpone(row.id, exc)
                    result.postponed += 1
                    result.problems.append(exc)
                else:
                    self.park_batch(batch_id, exc)
                    result.batches_parked.append(batch_id)
                    return False
        if errors:
            return False
        return len(due) == len(rows)

    # --- manifest -------------------------------------------------------------------------------

    def build_manifest(self, batch_id: str) -> BatchManifest:
        """The manifest with the tus upload id of each file (files not uploaded are left out)."""
        with self.db.session() as s:
            ids = {
                doc_id: upload_id_of(r.upload_url)
                for doc_id, r in outbox.upload_rows(s, batch_id).items()
                if r.upload_url
            }
        return batches.manifest(self.db, batch_id, ids.get)

    def _mark_sent(self, batch_id: str, receipt: BatchReceipt) -> None:
        seqs = {str(a.id): a.seq for a in receipt.applications}
        batches.acknowledge(
            self.db, batch_id, via=BatchRoute.ONLINE, received_at=receipt.received_at, seqs=seqs
        )

    def _reset_uploads(self, batch_id: str, document_ids: set[str]) -> None:
        outbox.reset_uploads(self.db, batch_id, document_ids)

    def _send_batch(self, batch_id: str, result: PassResult) -> None:
        self._set_batch_state(batch_id, BatchState.SENDING)
        for _round in range(MAX_REUPLOAD_ROUNDS + 1):
            if not self._upload_batch_files(batch_id, result):
                return
            self._report(batch_id)
            manifest_row = outbox.pending_manifest(self.db, batch_id)
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
                if link_down(exc):
                    raise
                if exc.retryable:
                    assert manifest_row.id is not None
                    self._postpone(manifest_row.id, exc)
                    result.postponed += 1
                    result.problems.append(exc)
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
        """Due events in order, several per request. A request the server cannot take (5xx,
        an unreadable answer, a refusal) is retried event by event, so that only the events
        that fail wait, each with its own back-off, and only a refused one is set aside."""
        tried: set[int] = set()
        while not self.stop.is_set():
            rows = [r for r in outbox.pending_events(self.db) if r.id not in tried and self._due(r)][
                :EVENTS_PER_REQUEST
            ]
            if not rows:
                return
            events: list[EventIn] = []
            sendable: list[Outbox] = []
            for row in rows:
                assert row.id is not None
                tried.add(row.id)
                try:
                    events.append(EventIn.model_validate_json(row.payload))
                    sendable.append(row)
                except ValidationError as exc:
                    self._park_row(row, "Catatan kejadian rusak dan tidak bisa dikirim.", str(exc)[:200])
            if not events:
                continue
            try:
                answer = self.client.post_events(events)
                self._apply_event_results(sendable, answer.results, result)
                self._contact()
                continue
            except SyncError as exc:
                if link_down(exc):
                    raise
                if len(events) == 1:
                    self._event_failed(sendable[0], exc, result)
                    continue
            for row, ev in zip(sendable, events, strict=True):
                try:
                    self._apply_event_results([row], self.client.post_events([ev]).results, result)
                except SyncError as one:
                    if link_down(one):
                        raise
                    self._event_failed(row, one, result)

    def _event_failed(self, row: Outbox, exc: SyncError, result: PassResult) -> None:
        assert row.id is not None
        if exc.retryable:
            self._postpone(row.id, exc)
            result.postponed += 1
            result.problems.append(exc)
        else:
            self._park_row(row, exc.message_id, exc.detail)

    def _apply_event_results(self, rows: list[Outbox], results: list, result: PassResult) -> None:  # type: ignore[type-arg]
        by_id = {str(r.id): r for r in results}
        with self.db.session() as s:
            for row in rows:
                res = by_id.get(row.ref_id)
                if res is None:
                    # The answer did not mention it: tried again later, never assumed done.
                    outbox.retry_later(s, row.id, self.row_backoff_base)
                    continue
                applied = res.outcome == EventOutcome.APPLIED
                if (
                    outbox.set_outcome(s, row.id, applied=applied, reason=res.message_id or "Ditolak server.")
                    and applied
                ):
                    result.events_sent += 1
            s.commit()

    def _park_row(self, row: Outbox, reason: str, detail: str = "") -> None:
        log.warning("outbox row %s set aside: %s", row.id, detail)
        outbox.park(self.db, row.id, reason)

    def _pull_catalog(self, _result: PassResult) -> None:
        """The office's own service catalog, when it published a new one (catalog_update)."""
        from desa_capil.sync import usb_identity
        from desa_capil.sync.catalog_update import pull_catalog

        pull_catalog(self.client, self.db)
        # Once per enrollment: this laptop's USB keys to the office, the office's keys here, so
        # an online laptop can use the stick route too (issue 16).
        usb_identity.join_online(self.client, self.db)

    # --- changes -------------------------------------------------------------------------------

    def _pull_changes(self, result: PassResult) -> None:
        while not self.stop.is_set():
            after = apply.cursor(self.db)
            page = apply.parse_page(self.client.changes_raw(after, CHANGES_PER_PAGE), after)
            applied = apply.apply_page(self.db, page)
            for app_id in applied.application_ids:
                if app_id not in result.office_changes:
                    result.office_changes.append(app_id)
            result.statuses.update(applied.statuses)
            if not page.has_more or page.next_after == after:
                break
        self._contact()

    def _download_documents(self, result: PassResult) -> None:
        """Signed PDFs of dispatched documents, each streamed to disk, resumed with Range,
        checked (PDF magic, the server's sha256) before it is stored. One that fails waits
        (its own back-off) and never stops the others."""
        now = as_utc(utcnow())
        for doc_id, expected in apply.documents_to_fetch(self.db):
            if self.stop.is_set():
                raise Stopped()
            nxt = apply.read_state(self.db, DOC_NEXT_PREFIX + doc_id)
            if nxt and as_utc(datetime.fromisoformat(nxt)) > now:
                result.postponed += 1
                continue
            part = self.download_dir / f"{doc_id}.part"
            try:
                got = self.client.download(
                    f"/documents/{uuid.UUID(doc_id)}/file",
                    part,
                    expected_sha256=expected,
                    check=lambda head: b"%PDF-" in head[:1024],
                )
            except SyncError as exc:
                if isinstance(exc, OfflineError):
                    # A cut or a drip: the part on disk is resumed next time.
                    result.problems.append(exc)
                    return
                if link_down(exc):
                    raise
                log.warning("document %s not downloaded: %s", doc_id, exc.detail)
                self._postpone_download(doc_id)
                result.postponed += 1
                result.problems.append(exc)
                continue
            data = got.path.read_bytes()
            sha = self.db.blobs.put(data)
            apply.store_document(self.db, doc_id, sha)
            apply.write_state(self.db, DOC_NEXT_PREFIX + doc_id, "")
            part.unlink(missing_ok=True)
            result.documents_downloaded += 1

    def _postpone_download(self, doc_id: str) -> None:
        key = DOC_NEXT_PREFIX + doc_id
        tries = int(apply.read_state(self.db, key + ":n", "0") or 0) + 1
        delay = min(3600.0, self.row_backoff_base * 2 ** min(tries - 1, 10))
        apply.write_state(self.db, key + ":n", str(tries))
        apply.write_state(self.db, key, (as_utc(utcnow()) + timedelta(seconds=delay)).isoformat())

    # --- passes ------------------------------------------------------------------------------

    def collect_pass(self) -> PassResult:
        """One pass over everything; never raises a SyncError (they are in ``problems``).

        Raises ``Stopped`` when asked to stop. Uploads, events, the change pull and the
        downloads are independent parts: each runs whatever happened to the one before,
        except that a refused token ends the pass, and a dead link (no answer, a captive
        portal) met twice in a row makes the rest of the pass pointless.
        """
        result = PassResult()
        dead_in_a_row = 0
        kept_before = self.meter.bytes_offered - self.meter.bytes_lost
        if self.hurry.is_set():
            self.hurry.clear()
            clear_backoffs(self.db)
        try:
            for part in (
                self._send_batches,
                self._send_events,
                self._pull_changes,
                self._download_documents,
                self._pull_catalog,
            ):
                if self.stop.is_set():
                    raise Stopped()
                if dead_in_a_row >= 2:
                    break
                try:
                    part(result)
                    dead_in_a_row = 0
                except Stopped:
                    raise
                except Aborted as exc:
                    raise Stopped() from exc
                except TokenRevoked as exc:
                    self.revoked = True
                    result.problems.append(exc)
                    break
                except SyncError as exc:
                    result.problems.append(exc)
                    dead_in_a_row = dead_in_a_row + 1 if link_down(exc) else 0
                except Exception as exc:  # noqa: BLE001 - a bug in one part must not stop the others
                    log.exception("sync: %s failed", part.__name__)
                    result.problems.append(exc)
        finally:
            result.bytes_kept = max(0, self.meter.bytes_offered - self.meter.bytes_lost - kept_before)
            if self.meter.measured:
                apply.write_state(self.db, LINK_RATE_KEY, f"{self.meter.rate:.0f}")
            governor = self.meter.streams
            if governor.settled and apply.read_state(self.db, self._streams_key) != str(governor.streams):
                apply.write_state(self.db, self._streams_key, str(governor.streams))
        return result

    def delay_after(self, result: PassResult) -> tuple[float, bool]:
        """(seconds to wait, probing) after a pass whose ``failure`` is set: the back-off for a
        dead link (restarted when the pass still got something through: a link that cuts
        every few seconds is used, not waited out), else until the next postponed item."""
        failure = result.failure
        if failure is not None and link_down(failure):
            if result.progressed:
                self.backoff.reset()
            delay = self.backoff.next_delay()
            probing = True
        else:
            self.backoff.reset()
            delay = min(self.poll_interval, max(0.5, self.next_due_in()))
            probing = False
        retry_after = getattr(failure, "retry_after", None)
        if retry_after:
            delay = max(delay, retry_after)
        return delay, probing

    def _send_batches(self, result: PassResult) -> None:
        for batch_id in self._pending_batches():
            if self.stop.is_set():
                raise Stopped()
            try:
                self._send_batch(batch_id, result)
            except SyncError as exc:
                if link_down(exc):
                    raise
                # Not expected here (items postpone themselves), but one batch never holds
                # back the next.
                result.problems.append(exc)

    def run_pass(self) -> PassResult:
        """One pass over everything. Raises the SyncError of a dead link or a refused token
        (after every part had its chance); item failures are postponed, not raised."""
        result = self.collect_pass()
        failure = result.failure
        if failure is not None and link_down(failure):
            raise failure
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
        nxt = outbox.next_due(self.db)
        if nxt is None:
            return 0.0
        return max(0.0, (nxt - as_utc(utcnow())).total_seconds())

    def _wait(self, delay: float | None, wake: threading.Event, probing: bool) -> None:
        """Wait ``delay`` seconds (None: until woken). While ``probing`` (the server was not
        reachable), ask its health endpoint every ``probe_interval`` seconds and end the wait
        as soon as it answers: the server being back is noticed within that interval. The
        stop event is looked at at least every second, even when nobody sets ``wake``."""
        now = time.monotonic()
        end = None if delay is None else now + delay
        next_probe = now + self.probe_interval
        while not self.stop.is_set():
            now = time.monotonic()
            if end is not None and now >= end:
                return
            step = 1.0
            if end is not None:
                step = min(step, end - now)
            if probing:
                step = min(step, max(0.0, next_probe - now))
            if wake.wait(step):
                wake.clear()
                return
            if probing and not self.stop.is_set() and time.monotonic() >= next_probe:
                next_probe = time.monotonic() + self.probe_interval
                try:
                    self.client.health()
                except SyncError:
                    continue
                except Exception:  # noqa: BLE001 - a probe never ends the worker
                    log.exception("health probe failed")
                    continue
                log.info("server answers again: trying now")
                return

    def run_forever(
        self,
        wake: threading.Event,
        on_pass: Callable[[PassResult], None] | None = None,
        on_error: Callable[[SyncError], None] | None = None,
    ) -> None:
        """Pass after pass until ``stop`` is set; ``wake`` cuts any wait short.

        Supervised: nothing raised by a pass, a callback or the database ends the loop; it is
        logged, shown as the status, and tried again after the back-off.
        """
        while not self.stop.is_set():
            delay: float | None
            probing = False
            try:
                self._set_status(SyncStatus(SyncPhase.SYNCING))
                result = self.collect_pass()
                failure = result.failure
                if failure is None:
                    self.backoff.reset()
                    delay = self.poll_interval
                    if has_pending_work(self.db):
                        delay = min(delay, max(0.5, self.next_due_in()))
                    self._set_status(SyncStatus(SyncPhase.IDLE))
                elif isinstance(failure, TokenRevoked):
                    delay = None  # nothing to do until the user enrolls again (and wakes us)
                    self._set_status(status_for(failure, None))
                else:
                    delay, probing = self.delay_after(result)
                    when = utcnow() + timedelta(seconds=delay)
                    log.info("sync: %s; next try in %.0f s", getattr(failure, "detail", "") or failure, delay)
                    self._set_status(status_for(failure, when))
                if on_pass is not None:
                    on_pass(result)
                if failure is not None and on_error is not None and isinstance(failure, SyncError):
                    on_error(failure)
            except Stopped:
                break
            except Exception as exc:  # noqa: BLE001 - supervised: log, show, retry later
                log.exception("sync pass failed")
                probing = False
                delay = self.backoff.next_delay()
                try:
                    self._set_status(status_for(exc, utcnow() + timedelta(seconds=delay)))
                except Exception:  # noqa: BLE001 - a listener bug must not end the worker either
                    log.exception("sync status listener failed")
            if self.stop.is_set():
                break
            try:
                self._wait(delay, wake, probing)
            except Exception:  # noqa: BLE001
                log.exception("sync wait failed")
                self.stop.wait(1.0)
        self._set_status(SyncStatus(SyncPhase.STOPPED))
