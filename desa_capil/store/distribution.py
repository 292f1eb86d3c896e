"""Distribution: finished documents waiting at the village, arrival, hand-over, overdue, reports.

The village records two local steps of an application's life: ``dispatched -> arrived`` (the
courier's parcel or the signed PDF is at the village office) and ``arrived -> handed_over``
(the resident, or a family member, took it). Each step goes through the status machine with
its history row (``repo._set_status``) and, in the same transaction, an ``Outbox`` row of kind
``event`` whose payload is the ``api.models.EventIn`` the sync engine sends to the office.

A hand-over can be recorded once per application: it is checked here and enforced by the
unique constraint on ``HandOver.application_id``, so two operators on a shared database (or a
double click) cannot record it twice.

Times are stored in UTC. SQLite gives them back without a timezone; ``as_utc`` puts it back.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from desa_capil.api.models import EventIn
from desa_capil.api.models import HandOver as WireHandOver
from desa_capil.domain.catalog import Urgency, get_service
from desa_capil.domain.nik import normalize as normalize_nik
from desa_capil.domain.nik import validate_nik
from desa_capil.domain.phone import normalize_phone
from desa_capil.domain.status import Status
from desa_capil.errors import BadInputError
from desa_capil.store import outbox, setting_keys
from desa_capil.store.db import Database
from desa_capil.store.models import (
    Applicant,
    Application,
    HandOver,
    OfficeDocument,
    Operator,
    utcnow,
)
from desa_capil.store.repo import _set_status, audit, get_setting, purge_unreferenced_blobs
from desa_capil.timeutil import as_utc

# Setting key: days a document may wait at the village before it is highlighted.
WAITING_DAYS_KEY = "overdue_waiting_days"
DEFAULT_WAITING_DAYS = 7
# Depok promised an answer within 3x24 hours (DOMAIN.md); a request still "sent" after that
# is highlighted so the operator can call the office.
OFFICE_ANSWER_HOURS = 72
RELATION_APPLICANT = "pemohon"
# Suggested relations for a family member collecting (free text is allowed too).
RELATIONS: tuple[str, ...] = ("suami", "istri", "anak", "orang tua", "saudara kandung", "kakek/nenek", "cucu")

WAITING_STATUSES = (Status.DISPATCHED, Status.ARRIVED)


def local_day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """UTC instants for [start 00:00, day after end 00:00) in the laptop's local time."""
    lo = datetime.combine(start, time.min).astimezone().astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min).astimezone().astimezone(UTC)
    return lo, hi


# --- errors ----------------------------------------------------------------------------------


class AlreadyHandedOver(BadInputError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "Penyerahan dokumen ini sudah dicatat sebelumnya dan tidak bisa dicatat dua kali.",
            "The hand-over of this document has already been recorded; it cannot be recorded twice.",
            detail=detail,
        )


class WrongStatus(BadInputError):
    def __init__(self, what_id: str, what_en: str, detail: str = "") -> None:
        super().__init__(what_id, what_en, detail=detail)


# --- waiting documents -----------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingDocument:
    id: str
    title: str
    has_file: bool  # the office issued a signed PDF to print here
    file_sha256: str | None  # the downloaded copy, when the sync engine has it


@dataclass(frozen=True)
class WaitingRow:
    application_id: str
    applicant_name: str
    nik: str
    phone: str
    address: str
    service_code: str
    status: Status
    urgency: Urgency
    dispatch_id: str
    dispatched_at: datetime
    arrived_at: datetime | None
    days_waiting: int  # at the village since arrival; before arrival, since dispatch
    overdue: bool  # arrived and waiting more than the configured days
    documents: tuple[WaitingDocument, ...]

    @property
    def phone_e164(self) -> str | None:
        return normalize_phone(self.phone)

    @property
    def printable(self) -> tuple[WaitingDocument, ...]:
        return tuple(d for d in self.documents if d.file_sha256)


@dataclass(frozen=True)
class DispatchGroup:
    dispatch_id: str  # "" when the office sent no dispatch id
    dispatched_at: datetime
    rows: tuple[WaitingRow, ...]


@dataclass(frozen=True)
class WaitingFilter:
    text: str = ""  # name, NIK or document title
    service_code: str = ""
    statuses: frozenset[Status] = frozenset(WAITING_STATUSES)
    overdue_only: bool = False
    no_phone_only: bool = False


def waiting_days(db: Database) -> int:
    raw = get_setting(db, WAITING_DAYS_KEY, str(DEFAULT_WAITING_DAYS))
    try:
        days = int(raw)
    except ValueError:
        return DEFAULT_WAITING_DAYS
    return days if days > 0 else DEFAULT_WAITING_DAYS


def _days(since: datetime, now: datetime) -> int:
    return max(0, (now - since).days)


def waiting_documents(
    db: Database, f: WaitingFilter | None = None, *, now: datetime | None = None
) -> list[DispatchGroup]:
    """Documents dispatched to the village and not yet handed over, grouped by dispatch.

    Newest dispatch first; inside a dispatch, urgent requests first, then by name.
    """
    f = f or WaitingFilter()
    now = now or utcnow()
    limit_days = waiting_days(db)
    statuses = [s.value for s in f.statuses if s in WAITING_STATUSES] or [s.value for s in WAITING_STATUSES]
    with db.session() as s:
        q = (
            select(Application, Applicant)
            .join(Applicant, col(Applicant.id) == Application.applicant_id)
            .where(col(Application.status).in_(statuses))
        )
        if f.service_code:
            q = q.where(Application.service_code == f.service_code)
        pairs = list(s.exec(q).all())
        ids = [a.id for a, _ in pairs]
        docs: dict[str, list[OfficeDocument]] = {}
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start : chunk_start + 500]
            for d in s.exec(
                select(OfficeDocument)
                .where(col(OfficeDocument.application_id).in_(chunk))
                .order_by(col(OfficeDocument.title))
            ):
                docs.setdefault(d.application_id, []).append(d)
    words = [w.casefold() for w in f.text.split()]
    rows: list[WaitingRow] = []
    for app, person in pairs:
        app_docs = docs.get(app.id, [])
        status = Status(app.status)
        dispatched = next((as_utc(d.dispatched_at) for d in app_docs if d.dispatched_at), None)
        dispatched_at = dispatched or as_utc(app.status_at)
        arrived_at: datetime | None = None
        if status is Status.ARRIVED:
            arrived = next((as_utc(d.arrived_at) for d in app_docs if d.arrived_at), None)
            arrived_at = arrived or as_utc(app.status_at)
        since = arrived_at or dispatched_at
        days = _days(since, now)
        row = WaitingRow(
            application_id=app.id,
            applicant_name=person.name,
            nik=person.nik,
            phone=person.phone,
            address=person.address,
            service_code=app.service_code,
            status=status,
            urgency=Urgency(app.urgency),
            dispatch_id=next((d.dispatch_id for d in app_docs if d.dispatch_id), ""),
            dispatched_at=dispatched_at,
            arrived_at=arrived_at,
            days_waiting=days,
            overdue=arrived_at is not None and days > limit_days,
            documents=tuple(WaitingDocument(d.id, d.title, d.has_file, d.file_sha256) for d in app_docs),
        )
        if words:
            hay = " ".join(
                [person.name, person.nik, _service_name(app.service_code)] + [d.title for d in app_docs]
            ).casefold()
            if not all(w in hay for w in words):
                continue
        if f.overdue_only and not row.overdue:
            continue
        if f.no_phone_only and row.phone_e164 is not None:
            continue
        rows.append(row)
    groups: dict[str, list[WaitingRow]] = {}
    for row in rows:
        groups.setdefault(row.dispatch_id, []).append(row)
    out = []
    for dispatch_id, members in groups.items():
        members.sort(key=lambda r: (r.urgency is Urgency.NORMAL, r.applicant_name.casefold()))
        out.append(DispatchGroup(dispatch_id, min(r.dispatched_at for r in members), tuple(members)))
    out.sort(key=lambda g: g.dispatched_at, reverse=True)
    return out


def _service_name(code: str) -> str:
    try:
        return get_service(code).name_id
    except KeyError:
        return code


def village_title(village_name: str) -> str:
    """'Desa Sukamaju' from 'Sukamaju' or 'Desa Sukamaju'; a kelurahan keeps its word."""
    name = " ".join(village_name.split())
    if not name:
        return ""
    first = name.split(" ", 1)[0].casefold()
    return name if first in ("desa", "kelurahan") else f"Desa {name}"


def ready_message(applicant_name: str, service_code: str, village_name: str) -> str:
    """The WhatsApp text telling a resident that their document can be collected."""
    place = f"Kantor {village_title(village_name)}" if village_name.strip() else "kantor desa"
    return (
        f"Yth. Bapak/Ibu {applicant_name}, dokumen {_service_name(service_code)} Anda dari Disdukcapil "
        f"sudah tiba dan dapat diambil di {place} pada jam kerja. Mohon membawa KTP-el atau KK. "
        "Jika diwakilkan, wakil keluarga membawa KTP-el-nya sendiri. Terima kasih."
    )


# --- arrival and hand-over -------------------------------------------------------------------


def _operator_name(s: Session, operator_id: int | None) -> str:
    if operator_id is None:
        return ""
    op = s.get(Operator, operator_id)
    return op.name if op else ""


def _queue_event(s: Session, event: EventIn) -> None:
    outbox.enqueue_event(s, str(event.id), event.model_dump_json())


def mark_arrived(
    db: Database,
    application_ids: list[str],
    *,
    operator_id: int | None = None,
    at: datetime | None = None,
) -> list[str]:
    """Mark dispatched documents as arrived at the village ("Diterima di desa").

    All or nothing: if one of them is not in ``dispatched`` nothing is changed. Returns the
    ids of the events queued for the office, in the order of ``application_ids``.
    """
    ids = list(dict.fromkeys(application_ids))
    if not ids:
        raise BadInputError("Pilih minimal satu dokumen.", "Select at least one document.")
    now = at or utcnow()
    events: list[str] = []
    with db.session() as s:
        apps = [s.get(Application, i) for i in ids]
        wrong = [
            i
            for i, a in zip(ids, apps, strict=True)
            if a is None or Status(a.status) is not Status.DISPATCHED
        ]
        if wrong:
            raise WrongStatus(
                "Hanya dokumen berstatus 'Dikirim ke desa' yang bisa ditandai diterima di desa. "
                "Muat ulang daftar lalu coba lagi.",
                "Only documents dispatched to the village can be marked as arrived. Reload the list "
                "and try again.",
                detail=f"{len(wrong)} not dispatched",
            )
        for app in apps:
            assert app is not None
            _set_status(s, app, Status.ARRIVED, operator_id=operator_id, at=now)
            for d in s.exec(select(OfficeDocument).where(OfficeDocument.application_id == app.id)):
                if d.arrived_at is None:
                    d.arrived_at = now
                    s.add(d)
            event = EventIn(id=uuid.uuid4(), application_id=uuid.UUID(app.id), status=Status.ARRIVED, at=now)
            _queue_event(s, event)
            audit(s, "arrived", app.id, operator_id=operator_id)
            events.append(str(event.id))
        s.commit()
    return events


@dataclass
class HandOverInput:
    """What the operator records at the counter.

    ``relation`` is ``"pemohon"`` when the applicant collects in person (name and NIK then come
    from the application when left empty); otherwise the family member's name, relation and
    NIK are required and the NIK must be valid.
    """

    relation: str = RELATION_APPLICANT
    recipient_name: str = ""
    recipient_nik: str = ""
    id_checked: bool = False
    note: str = ""
    signature_png: bytes | None = None
    photo: bytes | None = None


def validate_handover(data: HandOverInput) -> list[tuple[str, str]]:
    """Problems with the input as (Indonesian, English) messages; empty when it can be saved."""
    problems: list[tuple[str, str]] = []
    if data.relation.strip().casefold() == RELATION_APPLICANT:
        return problems
    if not data.recipient_name.strip():
        problems.append(("Nama penerima belum diisi.", "The recipient's name is empty."))
    if not data.relation.strip():
        problems.append(("Hubungan dengan pemohon belum diisi.", "The relation to the applicant is empty."))
    check = validate_nik(data.recipient_nik)
    if not check.ok:
        problems.append((f"NIK penerima: {check.message('id')}", f"Recipient NIK: {check.message('en')}"))
    return problems


def record_handover(
    db: Database,
    application_id: str,
    data: HandOverInput,
    *,
    operator_id: int | None = None,
    at: datetime | None = None,
) -> HandOver:
    """Record that a finished document was handed over (Penyerahan); returns the saved row.

    Refused when the application is not ``arrived``, when a hand-over already exists, or when
    a family member's name/relation/NIK is missing or invalid. The signature and photo go to
    the blob store first (content-addressed, harmless if the transaction then fails).
    """
    problems = validate_handover(data)
    if problems:
        raise BadInputError(
            " ".join(p[0] for p in problems), " ".join(p[1] for p in problems), detail="handover input"
        )
    sig_sha = db.blobs.put(data.signature_png) if data.signature_png else None
    photo_sha = db.blobs.put(data.photo) if data.photo else None
    now = at or utcnow()
    with db.session() as s:
        app = s.get(Application, application_id)
        if app is None:
            raise KeyError(application_id)
        if s.exec(select(HandOver).where(HandOver.application_id == application_id)).first():
            raise AlreadyHandedOver(detail=application_id)
        if Status(app.status) is not Status.ARRIVED:
            raise WrongStatus(
                "Dokumen ini belum ditandai 'Diterima di desa', jadi belum bisa diserahkan. "
                "Tandai dulu dokumen itu sudah diterima di desa.",
                "This document has not been marked as arrived at the village yet; mark it first.",
                detail=f"status {app.status}",
            )
        person = s.get(Applicant, app.applicant_id)
        assert person is not None
        is_applicant = data.relation.strip().casefold() == RELATION_APPLICANT
        if is_applicant:
            name = data.recipient_name.strip() or person.name
            nik = normalize_nik(data.recipient_nik) or person.nik
            relation = RELATION_APPLICANT
        else:
            name = data.recipient_name.strip()
            nik = normalize_nik(data.recipient_nik)
            relation = data.relation.strip()
        row = HandOver(
            application_id=application_id,
            recipient_name=name,
            relation=relation,
            recipient_nik=nik,
            id_checked=data.id_checked,
            handed_at=now,
            operator_id=operator_id,
            signature_sha256=sig_sha,
            photo_sha256=photo_sha,
        )
        s.add(row)
        _set_status(s, app, Status.HANDED_OVER, operator_id=operator_id, at=now, message=data.note[:1000])
        event = EventIn(
            id=uuid.uuid4(),
            application_id=uuid.UUID(app.id),
            status=Status.HANDED_OVER,
            at=now,
            handover=WireHandOver(
                recipient_name=name[:200] or "-",
                relation=relation[:60],
                recipient_nik=nik if len(nik) == 16 and nik.isdigit() else None,
                id_checked=data.id_checked,
                operator=_operator_name(s, operator_id)[:100],
            ),
            note=data.note[:1000],
        )
        _queue_event(s, event)
        audit(s, "handover", app.id, detail=relation, operator_id=operator_id)
        try:
            s.commit()
        except IntegrityError as exc:
            # Another session recorded it between our check and our commit.
            s.rollback()
            raise AlreadyHandedOver(detail=application_id) from exc
        return row


def get_handover(db: Database, application_id: str) -> HandOver | None:
    with db.session() as s:
        return s.exec(select(HandOver).where(HandOver.application_id == application_id)).first()


def operator_name(db: Database, operator_id: int | None) -> str:
    with db.session() as s:
        return _operator_name(s, operator_id)


def read_office_pdf(db: Database, document_id: str, *, operator_id: int | None = None) -> tuple[str, bytes]:
    """(title, bytes) of a downloaded signed PDF, for printing; the access is audited (PDP)."""
    with db.session() as s:
        doc = s.get(OfficeDocument, document_id)
        if doc is None or not doc.file_sha256:
            raise BadInputError(
                "Berkas PDF dokumen ini belum diunduh dari Disdukcapil. Sambungkan laptop ke internet "
                "dan tunggu sinkronisasi selesai, lalu coba lagi.",
                "This document's PDF has not been downloaded yet. Connect and wait for sync.",
                detail=document_id,
            )
        # "open_document" (security.audit.OPEN_DOCUMENT): read out of the store; the UI records
        # PRINT_DOCUMENT when the printer took it.
        audit(s, "open_document", doc.application_id, detail=document_id, operator_id=operator_id)
        s.commit()
        return doc.title, db.blobs.get(doc.file_sha256)


def stored_receipt(db: Database, application_id: str) -> bytes | None:
    """The hand-over receipt kept when the hand-over was recorded, if any."""
    row = get_handover(db, application_id)
    if row is None or not row.receipt_sha256 or not db.blobs.exists(row.receipt_sha256):
        return None
    return db.blobs.get(row.receipt_sha256)


def attach_receipt(db: Database, application_id: str, pdf: bytes) -> str:
    """Keep a hand-over receipt in the blob store and on its HandOver row; returns its sha256."""
    sha = db.blobs.put(pdf)
    with db.session() as s:
        row = s.exec(select(HandOver).where(HandOver.application_id == application_id)).one()
        row.receipt_sha256 = sha
        s.add(row)
        audit(s, "receipt", application_id, detail=sha[:12], operator_id=row.operator_id)
        s.commit()
    return sha


def stored_intake_receipt(db: Database, application_id: str) -> bytes | None:
    """The intake receipt kept when it was last printed, if any."""
    with db.session() as s:
        app = s.get(Application, application_id)
        sha = app.intake_receipt_sha256 if app is not None else None
    if not sha or not db.blobs.exists(sha):
        return None
    return db.blobs.get(sha)


def attach_intake_receipt(db: Database, application_id: str, pdf: bytes) -> str:
    """Keep an intake receipt in the blob store and on its application; returns its sha256.

    A receipt printed again after the papers changed replaces the one kept before (whose file
    is deleted, unless another record has the same bytes: it names the resident).
    """
    sha = db.blobs.put(pdf)
    with db.session() as s:
        app = s.get(Application, application_id)
        if app is None:
            raise KeyError(application_id)
        old, app.intake_receipt_sha256 = app.intake_receipt_sha256, sha
        s.add(app)
        s.commit()
    if old != sha:
        purge_unreferenced_blobs(db, [old])
    return sha


# --- overdue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueSummary:
    """What needs attention: requests the office has not answered, documents not collected."""

    unanswered_ids: tuple[str, ...]  # sent more than OFFICE_ANSWER_HOURS ago, no office answer
    waiting_ids: tuple[str, ...]  # arrived at the village more than `waiting_days` days ago
    waiting_days: int
    answer_hours: int = OFFICE_ANSWER_HOURS

    @property
    def unanswered(self) -> int:
        return len(self.unanswered_ids)

    @property
    def waiting(self) -> int:
        return len(self.waiting_ids)

    @property
    def total(self) -> int:
        return self.unanswered + self.waiting


def overdue_summary(db: Database, *, now: datetime | None = None) -> OverdueSummary:
    now = now or utcnow()
    days = waiting_days(db)
    with db.session() as s:
        sent = s.exec(
            select(Application.id, Application.sent_at, Application.status_at).where(
                Application.status == Status.SENT
            )
        ).all()
        arrived = s.exec(
            select(Application.id, Application.status_at).where(Application.status == Status.ARRIVED)
        ).all()
    answer_limit = now - timedelta(hours=OFFICE_ANSWER_HOURS)
    unanswered = sorted(
        (as_utc(sent_at or status_at), app_id)
        for app_id, sent_at, status_at in sent
        if as_utc(sent_at or status_at) < answer_limit
    )
    waiting = sorted((as_utc(at), app_id) for app_id, at in arrived if _days(as_utc(at), now) > days)
    return OverdueSummary(tuple(i for _, i in unanswered), tuple(i for _, i in waiting), days)


# --- report counts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceCounts:
    service_code: str
    counts: dict[Status, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class ReportCounts:
    """Applications taken in between `start` and `end` (local dates, inclusive), by service
    and current status, plus what happened in the period (hand-overs)."""

    start: date
    end: date
    rows: tuple[ServiceCounts, ...]
    handed_over_in_period: int
    totals: dict[Status, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def report_counts(db: Database, start: date, end: date) -> ReportCounts:
    if end < start:
        start, end = end, start
    lo, hi = local_day_bounds(start, end)
    with db.session() as s:
        # Compared in Python: stored datetimes are naive UTC strings, and the period is small.
        apps = s.exec(select(Application.service_code, Application.status, Application.created_at)).all()
        handed = s.exec(select(HandOver.handed_at)).all()
    per: dict[str, Counter[Status]] = {}
    for code, status, created in apps:
        if lo <= as_utc(created) < hi:
            per.setdefault(code, Counter())[Status(status)] += 1
    rows = tuple(
        ServiceCounts(code, {st: per[code][st] for st in Status})
        for code in sorted(per, key=lambda c: _service_name(c).casefold())
    )
    totals = {st: sum(r.counts[st] for r in rows) for st in Status}
    n_handed = sum(1 for h in handed if lo <= as_utc(h) < hi)
    return ReportCounts(start, end, rows, n_handed, totals)


# --- receipts: the facts they print ----------------------------------------------------------


@dataclass(frozen=True)
class ReceiptFacts:
    """Everything a receipt prints, read in one go."""

    application_id: str
    applicant_name: str
    applicant_nik: str
    service_code: str
    status: Status
    created_at: datetime
    documents: tuple[str, ...]  # titles of the office's documents (hand-over)
    handover: HandOver | None
    operator_name: str
    village_name: str
    village_code: str
    papers: tuple[str, ...] = ()  # requirement codes of the papers taken in (intake)


def receipt_facts(db: Database, application_id: str) -> ReceiptFacts:
    from desa_capil.store.models import Document, Page  # local: only receipts need them

    village_name = get_setting(db, setting_keys.VILLAGE_NAME)
    village_code = get_setting(db, setting_keys.VILLAGE_CODE)
    with db.session() as s:
        app = s.get(Application, application_id)
        if app is None:
            raise KeyError(application_id)
        person = s.get(Applicant, app.applicant_id)
        assert person is not None
        titles = tuple(
            s.exec(
                select(OfficeDocument.title)
                .where(OfficeDocument.application_id == application_id)
                .order_by(col(OfficeDocument.title))
            ).all()
        )
        ho = s.exec(select(HandOver).where(HandOver.application_id == application_id)).first()
        op_id = ho.operator_id if ho else app.operator_id
        papers = tuple(
            dict.fromkeys(
                s.exec(
                    select(Document.requirement_code)
                    .join(Page, col(Page.document_id) == Document.id)
                    .where(Document.application_id == application_id)
                    .order_by(col(Document.created_at))
                ).all()
            )
        )
        return ReceiptFacts(
            application_id=app.id,
            applicant_name=person.name,
            applicant_nik=person.nik,
            service_code=app.service_code,
            status=Status(app.status),
            created_at=as_utc(app.created_at),
            documents=titles,
            handover=ho,
            operator_name=_operator_name(s, op_id),
            village_name=village_name,
            village_code=village_code,
            papers=papers,
        )


def pending_events(db: Database) -> list[dict[str, object]]:
    """Queued village events (for diagnostics and tests): payloads in queue order."""
    with db.session() as s:
        rows = outbox.event_rows(s)
    return [json.loads(r.payload) | {"_state": r.state} for r in rows]
