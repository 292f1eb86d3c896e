"""Applying status changes pulled from the server to local applications.

Each page of changes is applied in one transaction together with the new cursor, so a crash
either keeps the whole page and the cursor or neither. A change already applied (its
``server_seq`` is in the history) is skipped, so pulling the same page twice changes nothing.

Office facts go through the status machine as ``Actor.OFFICE``. Two village steps may be
implied by what the office says: an application still ``sending`` locally (the manifest's
answer was lost) has clearly reached the server, so it first moves to ``sent`` as the village
would on the receipt. Changes the machine refuses (the village is already further along) are
logged and skipped; the cursor moves on, so one odd record never blocks the rest.

The same function applies a return bundle brought on a USB stick (``sync/usb_return.py``), so
the two routes cannot disagree, and they may come in any order: an office change older than one
already applied to the same application (an old bundle after newer online pulls) is skipped,
never applied over the newer fact; and the cursor only moves when the changes continue from
where it stands (``after`` at or before it), so a bundle that starts later leaves the gap for
the online pull instead of jumping over it.

A page is read change by change (``parse_page``): a change whose only fault is a status this
client does not know (a newer server) is kept in the application's history as "status baru
dari kantor: X" without touching the local status, and the cursor moves on. A page that is
not a page at all (wrong shape, a change without a readable seq) raises ``BadAnswer`` and the
cursor stays where it was, so nothing is skipped because a proxy mangled one answer.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, col, select

from desa_capil.api.models import Change, ChangePage
from desa_capil.domain.status import Actor, Status, allowed
from desa_capil.store.db import Database
from desa_capil.store.models import Application, OfficeDocument, StatusChange, SyncState
from desa_capil.store.repo import _set_status
from desa_capil.sync.client import BadAnswer

log = logging.getLogger(__name__)

CURSOR_KEY = "changes_cursor"
# Expected hash of a signed PDF still to download, per office document id.
DOC_SHA_PREFIX = "doc_sha256:"


@dataclass
class Applied:
    """What a page of changes did locally."""

    application_ids: list[str] = field(default_factory=list)  # whose status the office changed
    statuses: dict[str, Status] = field(default_factory=dict)  # application id -> new status
    documents_to_fetch: list[str] = field(default_factory=list)  # office document ids
    skipped: int = 0
    unknown_statuses: list[str] = field(default_factory=list)  # statuses kept as notes


@dataclass
class UnknownChange:
    """A well-formed change with a status this client does not know."""

    seq: int
    application_id: str
    status: str
    message: str
    at: Any


@dataclass
class Page:
    changes: list[Change]
    unknown: list[UnknownChange]
    next_after: int
    has_more: bool


UNKNOWN_STATUS_NOTE = "Status baru dari kantor: {status}"


def parse_page(raw: dict[str, Any], after: int) -> Page:
    """A page of ``/changes`` read change by change (see the module docstring)."""
    items = raw.get("changes")
    next_after = raw.get("next_after")
    has_more = raw.get("has_more", False)
    if not isinstance(items, list) or type(next_after) is not int or not isinstance(has_more, bool):
        raise BadAnswer("/changes: not a change page")
    if next_after < after:
        raise BadAnswer(f"/changes: next_after {next_after} before {after}")
    known: list[Change] = []
    unknown: list[UnknownChange] = []
    for item in items:
        try:
            known.append(Change.model_validate(item))
            continue
        except ValidationError as exc:
            problem = exc
        if not isinstance(item, dict) or not isinstance(item.get("status"), str):
            raise BadAnswer(f"/changes: unreadable change ({str(problem)[:200]})")
        try:
            placeholder = Change.model_validate({**item, "status": "sent"})
        except ValidationError as exc:
            raise BadAnswer(f"/changes: unreadable change ({str(exc)[:200]})") from exc
        unknown.append(
            UnknownChange(
                placeholder.seq,
                str(placeholder.application_id),
                str(item["status"])[:60],
                placeholder.message,
                placeholder.at,
            )
        )
    for seq in [c.seq for c in known] + [u.seq for u in unknown]:
        if seq > next_after:
            raise BadAnswer(f"/changes: change {seq} after next_after {next_after}")
    return Page(known, unknown, next_after, has_more)


def get_state(s: Session, key: str, default: str = "") -> str:
    row = s.get(SyncState, key)
    return row.value if row is not None else default


def set_state(s: Session, key: str, value: str) -> None:
    row = s.get(SyncState, key)
    if row is None:
        row = SyncState(key=key, value=value)
    else:
        row.value = value
    s.add(row)


def read_state(db: Database, key: str, default: str = "") -> str:
    with db.session() as s:
        return get_state(s, key, default)


def write_state(db: Database, key: str, value: str) -> None:
    with db.session() as s:
        set_state(s, key, value)
        s.commit()


def cursor(db: Database) -> int:
    return int(read_state(db, CURSOR_KEY, "0") or 0)


def _seen(s: Session, seq: int) -> bool:
    return s.exec(select(StatusChange.id).where(StatusChange.server_seq == seq)).first() is not None


def _newer_known(s: Session, app_id: str, seq: int) -> bool:
    """An office change after ``seq`` is already applied to this application."""
    newest = s.exec(
        select(func.max(StatusChange.server_seq)).where(StatusChange.application_id == app_id)
    ).one()
    return newest is not None and int(newest) > seq


def _apply_one(s: Session, ch: Change, out: Applied) -> None:
    app_id = str(ch.application_id)
    if _seen(s, ch.seq):
        return
    app = s.get(Application, app_id)
    if app is None:
        # Not ours (another laptop of the same village) or deleted: nothing to update here.
        log.info("change %s for unknown application skipped", ch.seq)
        out.skipped += 1
        return
    if _newer_known(s, app.id, ch.seq):
        # Older than what this laptop already knows (an old return bundle after online pulls):
        # applying it would turn the clock back (in_review -> needs_fix of an earlier round).
        log.info("change %s older than the application's last office change; skipped", ch.seq)
        out.skipped += 1
        return
    current = Status(app.status)
    target = ch.status
    if ch.actor is Actor.VILLAGE:
        # Our own event coming back (arrived, handed_over): already applied locally.
        if current is not target:
            log.info("village change %s (%s) differs from local status %s", ch.seq, target, current)
        out.skipped += 1
        return
    if current is target:
        # Already there (the manifest's receipt moved it to sent): just remember the seq. A new
        # office message on the same status ("menunggu blanko", "gangguan SIAK" from the office
        # console) is what the village shows, so it replaces the old one.
        if ch.message and ch.message != app.office_message:
            app.office_message = ch.message
            s.add(app)
            out.application_ids.append(app.id)
        s.add(
            StatusChange(
                application_id=app.id,
                status=target,
                message=ch.message,
                actor=Actor.OFFICE.value,
                server_seq=ch.seq,
                at=ch.at,
            )
        )
        return
    if current is Status.SENDING and allowed(current, Status.SENT, Actor.VILLAGE):
        # The server has it, whatever our manifest row still says.
        _set_status(s, app, Status.SENT, Actor.VILLAGE, at=ch.at)
        if app.sent_at is None:
            app.sent_at = ch.at
        current = Status.SENT
        if target is Status.SENT:
            s.add(
                StatusChange(
                    application_id=app.id,
                    status=target,
                    message="",
                    actor=Actor.OFFICE.value,
                    server_seq=ch.seq,
                    at=ch.at,
                )
            )
            return
    if not allowed(current, target, Actor.OFFICE):
        log.warning("change %s: office may not move %s -> %s here; skipped", ch.seq, current, target)
        out.skipped += 1
        return
    _set_status(s, app, target, Actor.OFFICE, message=ch.message, server_seq=ch.seq, at=ch.at)
    out.application_ids.append(app.id)
    out.statuses[app.id] = target
    if target is Status.DISPATCHED:
        for d in ch.documents:
            doc_id = str(d.id)
            row = s.get(OfficeDocument, doc_id)
            if row is None:
                row = OfficeDocument(id=doc_id, application_id=app.id)
            row.title = d.title
            row.has_file = d.has_file
            row.dispatch_id = str(ch.seq)
            row.dispatched_at = ch.at
            s.add(row)
            if d.has_file and row.file_sha256 is None:
                set_state(s, DOC_SHA_PREFIX + doc_id, d.sha256 or "")
                out.documents_to_fetch.append(doc_id)


def _note_unknown(s: Session, ch: UnknownChange, out: Applied) -> None:
    """Keep a change with an unknown status as a note in the history; the status stays."""
    if _seen(s, ch.seq):
        return
    app = s.get(Application, ch.application_id)
    if app is None or _newer_known(s, app.id, ch.seq):
        out.skipped += 1
        return
    log.warning("change %s: unknown status %r kept as a note", ch.seq, ch.status)
    note = UNKNOWN_STATUS_NOTE.format(status=ch.status)
    s.add(
        StatusChange(
            application_id=app.id,
            status=app.status,
            message=f"{note}. {ch.message}".strip() if ch.message else note,
            actor=Actor.OFFICE.value,
            server_seq=ch.seq,
            at=ch.at,
        )
    )
    out.unknown_statuses.append(ch.status)
    out.application_ids.append(app.id)


def apply_changes(s: Session, page: ChangePage | Page, out: Applied, *, after: int | None = None) -> None:
    """Apply ``page`` inside the caller's transaction (no commit): the one code path of the
    online pull and of a return bundle. ``after`` is where the page starts (None: from the
    cursor, as the online pull asks); the cursor moves to ``next_after`` only when that start
    is at or before it, and never back."""
    unknown = page.unknown if isinstance(page, Page) else []
    # Known and unknown changes in one seq order, so the "older than known" rule sees them as
    # the server made them.
    ordered: list[tuple[int, Change | UnknownChange]] = [(c.seq, c) for c in page.changes]
    ordered += [(u.seq, u) for u in unknown]
    for _seq, ch in sorted(ordered, key=lambda pair: pair[0]):
        if isinstance(ch, UnknownChange):
            _note_unknown(s, ch, out)
        else:
            _apply_one(s, ch, out)
    old = int(get_state(s, CURSOR_KEY, "0") or 0)
    if after is None or after <= old:
        set_state(s, CURSOR_KEY, str(max(old, page.next_after)))


def apply_page(db: Database, page: ChangePage | Page, *, after: int | None = None) -> Applied:
    """Apply one page of changes and move the cursor, in one transaction."""
    out = Applied()
    with db.session() as s:
        apply_changes(s, page, out, after=after)
        s.commit()
    return out


def documents_to_fetch(db: Database) -> list[tuple[str, str]]:
    """(office document id, expected sha256 or "") of signed PDFs not downloaded yet."""
    with db.session() as s:
        rows = s.exec(
            select(OfficeDocument.id).where(
                OfficeDocument.has_file == True,  # noqa: E712 - SQL expression
                col(OfficeDocument.file_sha256).is_(None),
            )
        ).all()
        return [(r, get_state(s, DOC_SHA_PREFIX + r, "")) for r in rows]


def expected_sha(s: Session, doc_id: str) -> str | None:
    """The sha256 the office announced for a signed PDF still to fetch; None when this laptop
    is not waiting for that document (unknown, or already stored)."""
    row = s.get(OfficeDocument, doc_id)
    if row is None or not row.has_file or row.file_sha256 is not None:
        return None
    return get_state(s, DOC_SHA_PREFIX + doc_id, "")


def keep_document(s: Session, doc_id: str, sha: str) -> None:
    """Record a verified signed PDF (already in the blob store) inside the caller's transaction."""
    row = s.get(OfficeDocument, doc_id)
    if row is not None:
        row.file_sha256 = sha
        s.add(row)
    state = s.get(SyncState, DOC_SHA_PREFIX + doc_id)
    if state is not None:
        s.delete(state)


def store_document(db: Database, doc_id: str, sha: str) -> None:
    with db.session() as s:
        keep_document(s, doc_id, sha)
        s.commit()


def payload_of(row_payload: str) -> dict[str, object]:
    return json.loads(row_payload) if row_payload else {}
