"""The outbox's one owner: every read and write of the ``outbox`` table goes through here.

An outbox row is one thing the server must be told (``OutboxKind``): a document file to upload,
a batch manifest to PUT, a village event to POST. Rows are written in the same transaction as
the local change that needs them (sealing, arrival, hand-over), so nothing is lost; a row is
DONE only after the server's answer said so (or, for a batch, after the office acknowledged it
by another route, ``complete_batch``), so nothing is sent twice by this laptop and a retry of
anything else is harmless because every request carries the client-made id.

Functions taking a ``Session`` join the caller's transaction; those taking a ``Database`` open
and commit their own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from desa_capil.store.db import Database
from desa_capil.store.models import Outbox, OutboxKind, OutboxState, utcnow
from desa_capil.timeutil import as_utc

# --- writing rows -------------------------------------------------------------------------------


def enqueue_upload(s: Session, *, batch_id: str, document_id: str, sha256: str, size: int, mime: str) -> None:
    """A sealed document file to upload (tus), with what its upload metadata will say."""
    s.add(
        Outbox(
            kind=OutboxKind.UPLOAD,
            ref_id=document_id,
            batch_id=batch_id,
            upload_length=size,
            payload=json.dumps({"sha256": sha256, "filename": f"{document_id}.pdf", "filetype": mime}),
        )
    )


def enqueue_manifest(s: Session, batch_id: str) -> None:
    """The batch manifest, PUT once every file of the batch is on the server."""
    s.add(Outbox(kind=OutboxKind.MANIFEST, ref_id=batch_id, batch_id=batch_id))


def enqueue_event(s: Session, event_id: str, payload_json: str) -> None:
    """A village event (``api.models.EventIn`` as JSON)."""
    s.add(Outbox(kind=OutboxKind.EVENT, ref_id=event_id, payload=payload_json))


def save_upload(
    s: Session, row_id: int, *, url: str | None = None, offset: int | None = None
) -> tuple[str | None, int]:
    """Within the caller's transaction: a tus upload's id and/or the offset the server has.
    Returns (the row's batch id, how many bytes the offset moved) for the batch's counter."""
    row = s.get(Outbox, row_id)
    if row is None:
        return None, 0
    delta = 0
    if url is not None:
        row.upload_url = url  # the upload id (the column keeps its old name)
    if offset is not None:
        delta = offset - row.upload_offset
        row.upload_offset = offset
    s.add(row)
    return row.batch_id, delta


def get(db: Database, row_id: int) -> Outbox | None:
    with db.session() as s:
        return s.get(Outbox, row_id)


def finish(db: Database, row_id: int, *, uploaded: bool = False) -> None:
    """The server has this row's work: DONE (an upload's offset is then its length)."""
    with db.session() as s:
        row = s.get(Outbox, row_id)
        if row is None:
            return
        row.state = OutboxState.DONE
        row.done_at = utcnow()
        row.last_error = ""
        if uploaded:
            row.upload_offset = row.upload_length
        s.add(row)
        s.commit()


def postpone(db: Database, row_id: int, delay_for: Callable[[int], float], reason: str) -> None:
    """Try this row again later (a transient failure of this item only): after
    ``delay_for(attempts)`` seconds, attempts counting this failure."""
    with db.session() as s:
        row = s.get(Outbox, row_id)
        if row is None:
            return
        row.attempts += 1
        row.next_attempt_at = as_utc(utcnow()) + timedelta(seconds=delay_for(row.attempts))
        row.last_error = reason
        s.add(row)
        s.commit()


def retry_later(s: Session, row_id: int | None, delay: float) -> None:
    """Within the caller's transaction: not answered, tried again later (never assumed done)."""
    row = s.get(Outbox, row_id)
    if row is None:
        return
    row.attempts += 1
    row.next_attempt_at = as_utc(utcnow()) + timedelta(seconds=delay)
    s.add(row)


def park(db: Database, row_id: int | None, reason: str) -> None:
    """Set one row aside: it will not succeed without the user (reason kept)."""
    with db.session() as s:
        row = s.get(Outbox, row_id)
        if row is not None:
            row.state = OutboxState.PARKED
            row.last_error = reason
            s.add(row)
            s.commit()


def set_outcome(s: Session, row_id: int | None, *, applied: bool, reason: str = "") -> bool:
    """Within the caller's transaction: the server's answer for one row (an event). True when
    the row existed."""
    row = s.get(Outbox, row_id)
    if row is None:
        return False
    if applied:
        row.state = OutboxState.DONE
        row.done_at = utcnow()
    else:
        row.state = OutboxState.PARKED
        row.last_error = reason
    s.add(row)
    return True


def answer_event(s: Session, event_id: str, *, applied: bool, reason: str = "") -> bool:
    """Within the caller's transaction: the office's answer to a pending event that reached it
    by another route (a return bundle): DONE, or PARKED with the reason. True when a row changed."""
    changed = False
    for row in s.exec(
        select(Outbox).where(
            Outbox.kind == OutboxKind.EVENT, Outbox.ref_id == event_id, Outbox.state == OutboxState.PENDING
        )
    ).all():
        changed = set_outcome(s, row.id, applied=applied, reason=reason) or changed
    return changed


def park_batch(s: Session, batch_id: str, reason: str) -> None:
    """Within the caller's transaction: every pending row of a batch set aside."""
    for row in s.exec(
        select(Outbox).where(Outbox.batch_id == batch_id, Outbox.state == OutboxState.PENDING)
    ).all():
        row.state = OutboxState.PARKED
        row.last_error = reason
        s.add(row)


def unpark_batch(s: Session, batch_id: str) -> None:
    """Within the caller's transaction: a set-aside batch's rows back in the queue."""
    for row in s.exec(
        select(Outbox).where(Outbox.batch_id == batch_id, Outbox.state == OutboxState.PARKED)
    ).all():
        row.state = OutboxState.PENDING
        row.next_attempt_at = None
        row.attempts = 0
        s.add(row)


def unpark_events(db: Database, row_ids: list[int] | None = None) -> int:
    """Set-aside events back in the queue (all when ``row_ids`` is None); how many."""
    with db.session() as s:
        query = select(Outbox).where(Outbox.kind == OutboxKind.EVENT, Outbox.state == OutboxState.PARKED)
        if row_ids is not None:
            query = query.where(col(Outbox.id).in_(row_ids))
        rows = s.exec(query).all()
        for row in rows:
            row.state = OutboxState.PENDING
            row.next_attempt_at = None
            row.attempts = 0
            s.add(row)
        s.commit()
        return len(rows)


def complete_batch(s: Session, batch_id: str) -> int:
    """Within the caller's transaction: the office holds the batch (its manifest was accepted,
    online or from a bundle), so nothing of it is left to send: every unfinished row DONE.
    Returns how many rows changed (0 the second time: idempotent)."""
    n = 0
    for row in s.exec(
        select(Outbox).where(Outbox.batch_id == batch_id, Outbox.state != OutboxState.DONE)
    ).all():
        row.state = OutboxState.DONE
        row.done_at = utcnow()
        row.last_error = ""
        if row.kind == OutboxKind.UPLOAD:
            row.upload_offset = row.upload_length
        s.add(row)
        n += 1
    return n


def drop_unfinished(s: Session, batch_id: str) -> None:
    """Within the caller's transaction: a batch given up or unsealed at the desk loses its
    unfinished rows (uploads already on the server expire there on their own)."""
    s.exec(delete(Outbox).where(col(Outbox.batch_id) == batch_id, col(Outbox.state) != OutboxState.DONE))


def reset_uploads(db: Database, batch_id: str, document_ids: Iterable[str]) -> None:
    """The server lost or refused these files: upload them again from the start."""
    with db.session() as s:
        for row in s.exec(
            select(Outbox).where(
                Outbox.batch_id == batch_id,
                Outbox.kind == OutboxKind.UPLOAD,
                col(Outbox.ref_id).in_(list(document_ids)),
            )
        ).all():
            row.state = OutboxState.PENDING
            row.upload_url = ""
            row.upload_offset = 0
            row.next_attempt_at = None
            s.add(row)
        s.commit()


def clear_backoffs(s: Session) -> None:
    """Within the caller's transaction: every waiting row is due now."""
    for row in s.exec(
        select(Outbox).where(Outbox.state == OutboxState.PENDING, col(Outbox.next_attempt_at).is_not(None))
    ).all():
        row.next_attempt_at = None
        s.add(row)


# --- reading --------------------------------------------------------------------------------------


def has_pending(db: Database) -> bool:
    with db.session() as s:
        return (
            s.exec(select(Outbox.id).where(Outbox.state == OutboxState.PENDING).limit(1)).first() is not None
        )


def count_pending(s: Session) -> int:
    return int(
        s.exec(select(func.count()).select_from(Outbox).where(Outbox.state == OutboxState.PENDING)).one()
    )


def next_due(db: Database) -> datetime | None:
    """When the earliest postponed pending row is due (None: none is postponed)."""
    with db.session() as s:
        nxt = s.exec(
            select(func.min(Outbox.next_attempt_at)).where(Outbox.state == OutboxState.PENDING)
        ).one()
    if nxt is None:
        return None
    if isinstance(nxt, str):
        nxt = datetime.fromisoformat(nxt)
    return as_utc(nxt)


def pending_batch_ids(db: Database) -> list[str]:
    """Batches with pending uploads or manifest, in the order they were sealed."""
    with db.session() as s:
        rows = s.exec(
            select(Outbox.batch_id, func.min(Outbox.id))
            .where(
                Outbox.state == OutboxState.PENDING,
                col(Outbox.kind).in_([OutboxKind.UPLOAD, OutboxKind.MANIFEST]),
                col(Outbox.batch_id).is_not(None),
            )
            .group_by(Outbox.batch_id)
            .order_by(func.min(Outbox.id))
        ).all()
    return [str(r[0]) for r in rows]


def pending_uploads(db: Database, batch_id: str) -> list[Outbox]:
    with db.session() as s:
        return list(
            s.exec(
                select(Outbox)
                .where(
                    Outbox.batch_id == batch_id,
                    Outbox.kind == OutboxKind.UPLOAD,
                    Outbox.state == OutboxState.PENDING,
                )
                .order_by(col(Outbox.id))
            ).all()
        )


def upload_rows(s: Session, batch_id: str) -> dict[str, Outbox]:
    """Every upload row of a batch by document id."""
    return {
        r.ref_id: r
        for r in s.exec(
            select(Outbox).where(Outbox.batch_id == batch_id, Outbox.kind == OutboxKind.UPLOAD)
        ).all()
    }


def pending_manifest(db: Database, batch_id: str) -> Outbox | None:
    with db.session() as s:
        return s.exec(
            select(Outbox).where(
                Outbox.batch_id == batch_id,
                Outbox.kind == OutboxKind.MANIFEST,
                Outbox.state == OutboxState.PENDING,
            )
        ).first()


def manifest_accepted(s: Session, batch_id: str) -> bool:
    """True when the server accepted the batch's manifest (its row is DONE)."""
    row = s.exec(
        select(Outbox.id).where(
            Outbox.batch_id == batch_id, Outbox.kind == OutboxKind.MANIFEST, Outbox.state == OutboxState.DONE
        )
    ).first()
    return row is not None


def upload_started(s: Session, batch_id: str) -> bool:
    """True once any file of the batch has begun to travel (a tus upload exists or bytes went).

    A failed attempt that never reached the server (offline) does not count: an upload the
    server created but whose answer was lost expires there on its own."""
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


def pending_events(db: Database, limit: int | None = None) -> list[Outbox]:
    """Pending village events in queue order."""
    with db.session() as s:
        q = (
            select(Outbox)
            .where(Outbox.kind == OutboxKind.EVENT, Outbox.state == OutboxState.PENDING)
            .order_by(col(Outbox.id))
        )
        if limit is not None:
            q = q.limit(limit)
        return list(s.exec(q).all())


def parked_events(db: Database, limit: int = 200) -> list[Outbox]:
    """Set-aside village events, newest first."""
    with db.session() as s:
        return list(
            s.exec(
                select(Outbox)
                .where(Outbox.kind == OutboxKind.EVENT, Outbox.state == OutboxState.PARKED)
                .order_by(col(Outbox.id).desc())
                .limit(limit)
            ).all()
        )


def event_rows(
    s: Session, *, state: OutboxState | None = None, mentioning: str | None = None
) -> list[Outbox]:
    """Village event rows in queue order, of one state and/or whose payload names an id."""
    q = select(Outbox).where(Outbox.kind == OutboxKind.EVENT)
    if state is not None:
        q = q.where(Outbox.state == state)
    if mentioning is not None:
        q = q.where(col(Outbox.payload).contains(mentioning))
    return list(s.exec(q.order_by(col(Outbox.id))).all())


def blank_sent_events(s: Session, application_id: str) -> int:
    """Within the caller's transaction: sent events that name the application lose their
    payload (it carries the recipient's NIK; once DONE it is only history). How many."""
    rows = event_rows(s, state=OutboxState.DONE, mentioning=application_id)
    for row in rows:
        row.payload = ""
        s.add(row)
    return len(rows)


@dataclass(frozen=True)
class UploadStats:
    """Upload progress of one batch from its rows."""

    files_total: int = 0
    files_done: int = 0
    bytes_done: int = 0
    bytes_total: int = 0


def upload_stats(s: Session, batch_ids: list[str]) -> dict[str, UploadStats]:
    """Per batch: files and bytes uploaded so far (a DONE row counts its whole length)."""
    out: dict[str, UploadStats] = {}
    if not batch_ids:
        return out
    lengths = dict(
        s.exec(
            select(Outbox.batch_id, func.sum(Outbox.upload_length))
            .where(Outbox.kind == OutboxKind.UPLOAD, col(Outbox.batch_id).in_(batch_ids))
            .group_by(Outbox.batch_id)
        ).all()
    )
    for bid, total, done, offset in s.exec(
        select(
            Outbox.batch_id,
            func.count(),
            func.sum(func.iif(col(Outbox.state) == OutboxState.DONE, 1, 0)),
            func.sum(
                func.iif(col(Outbox.state) == OutboxState.DONE, Outbox.upload_length, Outbox.upload_offset)
            ),
        )
        .where(Outbox.kind == OutboxKind.UPLOAD, col(Outbox.batch_id).in_(batch_ids))
        .group_by(Outbox.batch_id)
    ).all():
        out[str(bid)] = UploadStats(int(total), int(done or 0), int(offset or 0), int(lengths.get(bid) or 0))
    return out


def batch_rows_done(s: Session, batch_id: str) -> bool:
    """True when no row of the batch is left unfinished."""
    row = s.exec(
        select(Outbox.id).where(Outbox.batch_id == batch_id, Outbox.state != OutboxState.DONE).limit(1)
    ).first()
    return row is None


def pending_upload_bytes(db: Database) -> int:
    """Bytes still to upload for sealed batches (what the status bar shows)."""
    with db.session() as s:
        total = s.exec(
            select(func.coalesce(func.sum(Outbox.upload_length - Outbox.upload_offset), 0)).where(
                Outbox.kind == OutboxKind.UPLOAD, Outbox.state == OutboxState.PENDING
            )
        ).one()
    return int(total)
