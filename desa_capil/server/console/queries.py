"""Read models and the few writes of the console that no service method covers.

Everything a page shows comes from here in a handful of queries (the queue page runs three
whatever the number of applications: counts per tab, one page of rows, documents per row).
Status changes themselves go through ``CentralService`` so the API, the CLI and the console
share one set of rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from desa_capil.api.models import ErrorCode
from desa_capil.domain import regions
from desa_capil.domain.catalog import SERVICES, URGENCY_LABELS, Urgency
from desa_capil.domain.status import Actor, Status, label
from desa_capil.server.db import (
    AdminAction,
    AppDocument,
    Application,
    Change,
    Database,
    Device,
    FinishedDocument,
    Village,
    allocate_seqs,
    aware,
    utcnow,
)
from desa_capil.server.errors import ApiError, not_found

from .language import lang, t
from .models import HOLD_LABELS, DuplicateMark, Hold, HoldKind, ReasonKind, ReasonTemplate

# "Jawaban dalam 3x24 jam" (Depok 2020 and most regency SOPs).
SLA = timedelta(hours=72)
PAGE_SIZE = 50
OFFICE_HELD = frozenset({Status.SENT, Status.IN_REVIEW, Status.PROCESSING})
DELIVERED = (Status.DISPATCHED.value, Status.ARRIVED.value, Status.HANDED_OVER.value)


@dataclass(frozen=True)
class Tab:
    key: str
    title: str
    statuses: tuple[str, ...]
    held: bool | None = None  # processing split by an open hold
    newest_first: bool = False


TABS: tuple[Tab, ...] = (
    Tab("masuk", "Masuk", (Status.SENT.value,)),
    Tab("periksa", "Perlu diperiksa", (Status.IN_REVIEW.value,)),
    Tab("perbaikan", "Menunggu perbaikan desa", (Status.NEEDS_FIX.value,)),
    Tab("diproses", "Diproses", (Status.PROCESSING.value,), held=False),
    Tab("menunggu", "Menunggu blanko / gangguan SIAK", (Status.PROCESSING.value,), held=True),
    Tab("selesai", "Selesai - siap dikirim ke desa", (Status.FINISHED.value,)),
    Tab("dikirim", "Dikirim", DELIVERED, newest_first=True),
    Tab("ditolak", "Ditolak", (Status.REJECTED.value,), newest_first=True),
)
TAB_BY_KEY = {t.key: t for t in TABS}

AGE_FILTERS = {"1": ("lebih dari 1 hari", 1), "3": ("lewat 3x24 jam", 3), "7": ("lebih dari 7 hari", 7)}


ACTION_LABELS = {
    "login": "masuk",
    "logout": "keluar",
    "login.fail": "gagal masuk",
    "application.status": "ubah status",
    "application.attach": "lampirkan dokumen",
    "application.hold": "status menunggu",
    "application.resume": "lanjut diproses",
    "application.duplicate": "tandai ganda",
    "application.download": "unduh berkas",
    "dispatch": "kirim ke desa",
    "village.create": "desa baru",
    "enrollment_code.create": "kode pendaftaran baru",
    "device.revoke": "cabut laptop",
    "staff.create": "akun staf baru",
    "staff.buka": "buka kunci akun",
    "staff.nonaktif": "nonaktifkan akun",
    "staff.aktif": "aktifkan akun",
}


def action_name(action: str) -> str:
    return t(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def detail_text(action: str, detail: str) -> str:
    """A status value in the log's detail column in words."""
    if action == "application.status":
        return status_name(detail)
    return detail


def kecamatan_of(village_code: str) -> str:
    return village_code[:8]


def service_name(code: str) -> str:
    s = SERVICES.get(code)
    return s.name(lang()) if s else code


def urgency_name(value: str) -> str:
    try:
        return URGENCY_LABELS[Urgency(value)][1 if lang() == "en" else 0]
    except ValueError:
        return value


def status_name(value: str) -> str:
    try:
        return label(Status(value), lang())
    except ValueError:
        return value


@dataclass
class Filters:
    village: str = ""
    kecamatan: str = ""
    service: str = ""
    priority: str = ""  # "" all, "urgent" any urgent, or one Urgency value
    age: str = ""  # key of AGE_FILTERS

    def query_string(self) -> str:
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in self.__dict__.items() if v})


_page_session: ContextVar[Session | None] = ContextVar("console_page_session", default=None)


@contextmanager
def one_read_session(db: Database) -> Iterator[None]:
    """Let the queries of one page share a read session (one connection, one snapshot)."""
    with db.read_session() as s:
        token = _page_session.set(s)
        try:
            yield
        finally:
            _page_session.reset(token)


@contextmanager
def _reading(db: Database) -> Iterator[Session]:
    shared = _page_session.get()
    if shared is not None:
        yield shared
    else:
        with db.read_session() as s:
            yield s


def _open_hold() -> type[Hold]:
    return aliased(Hold, name="open_hold")


def _filtered(q, f: Filters, now: datetime):  # type: ignore[no-untyped-def]
    """``q`` (over Application) narrowed by the filters; villages through the (small) village
    table's ids, so an unfiltered count stays an index scan."""
    if f.village:
        q = q.where(col(Application.village_id).in_(select(Village.id).where(Village.code == f.village)))
    elif f.kecamatan:
        prefix = f.kecamatan.replace("%", "").replace("_", "") + ".%"
        q = q.where(col(Application.village_id).in_(select(Village.id).where(col(Village.code).like(prefix))))
    if f.service:
        q = q.where(Application.service_code == f.service)
    if f.priority == "urgent":
        q = q.where(Application.urgency != Urgency.NORMAL.value)
    elif f.priority:
        q = q.where(Application.urgency == f.priority)
    if f.age in AGE_FILTERS:
        q = q.where(col(Application.received_at) < now - timedelta(days=AGE_FILTERS[f.age][1]))
    return q


def _held(q, hold: type[Hold], held: bool | None):  # type: ignore[no-untyped-def]
    if held is None:
        return q
    on = and_(col(hold.application_id) == Application.id, col(hold.cleared_at).is_(None))
    if held:
        return q.join(hold, on)
    return q.outerjoin(hold, on).where(col(hold.id).is_(None))


def tab_counts(db: Database, f: Filters) -> dict[str, int]:
    """Applications per tab: one count per status plus one for the holds (two index scans
    when nothing is filtered)."""
    now = utcnow()
    hold = _open_hold()
    by_status = _filtered(select(Application.status, func.count()).select_from(Application), f, now)
    by_status = by_status.group_by(col(Application.status))
    held_q = _held(select(func.count()).select_from(Application), hold, True)
    held_q = _filtered(held_q.where(Application.status == Status.PROCESSING.value), f, now)
    with _reading(db) as s:
        per_status = {status: int(n) for status, n in s.exec(by_status).all()}
        held = int(s.exec(held_q).one())
    counts = {}
    for tab in TABS:
        n = sum(per_status.get(st, 0) for st in tab.statuses)
        if tab.held is True:
            n = held
        elif tab.held is False:
            n -= held
        counts[tab.key] = n
    return counts


@dataclass
class QueueRow:
    id: int
    village_code: str
    village_name: str
    service_code: str
    name: str
    nik: str
    urgency: str
    status: str
    received_at: datetime
    updated_at: datetime
    message: str
    hold_kind: str | None
    documents: int = 0
    duplicate: bool = False

    @property
    def urgent(self) -> bool:
        return self.urgency != Urgency.NORMAL.value

    @property
    def clock(self) -> Clock:
        return sla_clock(Status(self.status), self.received_at, self.updated_at)


@dataclass(frozen=True)
class Clock:
    text: str
    overdue: bool
    running: bool


def _span(delta: timedelta) -> str:
    hours = int(abs(delta.total_seconds()) // 3600)
    days, hours = divmod(hours, 24)
    if days:
        return t("{days} hr {hours} jam", days=days, hours=hours)
    minutes = int(abs(delta.total_seconds()) // 60) % 60
    return t("{hours} jam {minutes} mnt", hours=hours, minutes=minutes)


def sla_clock(
    status: Status, received_at: datetime, updated_at: datetime, now: datetime | None = None
) -> Clock:
    """The 3x24 h clock: runs from receipt while the office holds the application."""
    now = aware(now or utcnow())
    received, updated = aware(received_at), aware(updated_at)
    deadline = received + SLA
    if status in OFFICE_HELD:
        left = deadline - now
        if left.total_seconds() < 0:
            return Clock(t("lewat {span}", span=_span(left)), True, True)
        return Clock(t("sisa {span}", span=_span(left)), False, True)
    if status is Status.NEEDS_FIX:
        return Clock(t("menunggu desa"), False, False)
    took = updated - received
    return Clock(f"{_span(took)}", took > SLA and status is not Status.REJECTED, False)


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int


def queue(db: Database, tab: Tab, f: Filters, page: int = 1) -> QueuePage:
    now = utcnow()
    hold = _open_hold()
    q = _held(select(Application).select_from(Application), hold, tab.held)
    q = _filtered(q.where(col(Application.status).in_(tab.statuses)), f, now)
    count_q = _held(select(func.count()).select_from(Application), hold, tab.held)
    count_q = _filtered(count_q.where(col(Application.status).in_(tab.statuses)), f, now)
    if tab.newest_first:
        q = q.order_by(col(Application.updated_at).desc(), col(Application.id).desc())
    else:
        urgent_first = case((col(Application.urgency) == Urgency.NORMAL.value, 1), else_=0)
        q = q.order_by(urgent_first, col(Application.received_at), col(Application.id))
    with _reading(db) as s:
        total = int(s.exec(count_q).one())
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, page), pages)
        apps = s.exec(q.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
        ids = [a.id for a in apps if a.id is not None]
        # Details of the rows shown only: a handful of primary-key lookups, not a join over all.
        villages = {
            vid: (code, name)
            for vid, code, name in s.exec(
                select(Village.id, Village.code, Village.name).where(
                    col(Village.id).in_(list({a.village_id for a in apps}))
                )
            ).all()
        }
        holds = dict(
            s.exec(
                select(Hold.application_id, Hold.kind).where(
                    col(Hold.application_id).in_(ids), col(Hold.cleared_at).is_(None)
                )
            ).all()
        )
        docs = dict(
            s.exec(
                select(AppDocument.application_id, func.count())
                .where(col(AppDocument.application_id).in_(ids))
                .group_by(col(AppDocument.application_id))
            ).all()
        )
        dups = set(
            s.exec(
                select(DuplicateMark.application_id).where(col(DuplicateMark.application_id).in_(ids))
            ).all()
        )
    out = [
        QueueRow(
            id=a.id or 0,
            village_code=villages[a.village_id][0],
            village_name=villages[a.village_id][1],
            service_code=a.service_code,
            name=a.name,
            nik=a.nik,
            urgency=a.urgency,
            status=a.status,
            received_at=aware(a.received_at),
            updated_at=aware(a.updated_at),
            message=a.message,
            hold_kind=holds.get(a.id or 0),
            documents=int(docs.get(a.id or 0, 0)),
            duplicate=(a.id in dups),
        )
        for a in apps
    ]
    return QueuePage(out, total, page, pages)


def filter_choices(db: Database) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(villages as (code, name), kecamatan as (code, official name)) for the filter bar."""
    with db.read_session() as s:
        villages = [
            (c, n) for c, n in s.exec(select(Village.code, Village.name).order_by(col(Village.code))).all()
        ]
    codes = sorted({kecamatan_of(c) for c, _ in villages})
    return villages, [(k, regions.name_of(k) or k) for k in codes]


# --- one application ---------------------------------------------------------------------------


@dataclass
class HistoryItem:
    at: datetime
    status: str
    actor: str
    message: str


@dataclass
class AuditItem:
    at: datetime
    actor: str
    action: str
    detail: str


@dataclass
class Extras:
    village_name: str
    history: list[HistoryItem]
    audit: list[AuditItem]
    hold: Hold | None
    duplicates: list[tuple[int, str, str, str]]  # (id, village code, status, received)
    marked_duplicate: list[DuplicateMark]
    audit_total: int = 0
    fix_reasons: list[ReasonTemplate] = field(default_factory=list)
    reject_reasons: list[ReasonTemplate] = field(default_factory=list)


def extras(db: Database, app_id: int) -> Extras:
    with db.read_session() as s:
        app = s.get(Application, app_id)
        if app is None:
            raise not_found("Permohonan", "Application")
        village = s.get(Village, app.village_id)
        changes = s.exec(
            select(Change).where(Change.application_id == app_id).order_by(col(Change.seq))
        ).all()
        audit_rows = s.exec(
            select(AdminAction)
            .where(AdminAction.target == str(app_id), col(AdminAction.action).like("application.%"))
            .order_by(col(AdminAction.id))
        ).all()
        hold = open_hold(s, app_id)
        dup_rows = s.exec(
            select(Application.id, Village.code, Application.status, Application.received_at)
            .join(Village, col(Village.id) == Application.village_id)
            .where(
                Application.nik == app.nik,
                Application.service_code == app.service_code,
                Application.id != app_id,
                col(Application.status).not_in([Status.REJECTED.value, Status.HANDED_OVER.value]),
            )
            .limit(20)
        ).all()
        marks = s.exec(select(DuplicateMark).where(DuplicateMark.application_id == app_id)).all()
        reasons = s.exec(select(ReasonTemplate).order_by(col(ReasonTemplate.id))).all()
    return Extras(
        village_name=village.name if village else "",
        history=[HistoryItem(aware(c.at), c.status, c.actor, c.message) for c in changes],
        audit=[AuditItem(aware(r.at), r.actor, r.action, r.detail) for r in audit_rows],
        hold=hold,
        duplicates=[(i or 0, c, st, f"{aware(r):%d-%m-%Y}") for i, c, st, r in dup_rows],
        marked_duplicate=list(marks),
        fix_reasons=[r for r in reasons if r.kind == ReasonKind.FIX.value],
        reject_reasons=[r for r in reasons if r.kind == ReasonKind.REJECT.value],
    )


def open_hold(s: Session, app_id: int) -> Hold | None:
    return s.exec(select(Hold).where(Hold.application_id == app_id, col(Hold.cleared_at).is_(None))).first()


def office_message(db: Database, app_id: int, message: str, actor: str, action: str) -> None:
    """Tell the village something new about a ``processing`` application without changing its
    status: a change with the same status and the new message (the village shows the message)."""
    now = utcnow()
    with db.session() as s:
        app = s.exec(select(Application).where(Application.id == app_id).with_for_update()).first()
        if app is None:
            raise not_found("Permohonan", "Application")
        if app.status != Status.PROCESSING.value:
            raise ApiError(
                409,
                ErrorCode.TRANSITION_NOT_ALLOWED,
                "Hanya permohonan yang sedang diproses yang bisa diberi status menunggu.",
                "Only a processing application can be put on hold.",
            )
        app.message = message
        app.updated_at = now
        s.add(app)
        [(key, seq)] = allocate_seqs(s, app.village_id, 1)
        s.add(
            Change(
                seq=key,
                village_seq=seq,
                village_id=app.village_id,
                application_id=app_id,
                status=app.status,
                actor=Actor.OFFICE.value,
                message=message,
                at=now,
            )
        )
        s.add(AdminAction(actor=actor[:40], action=action, target=str(app_id), detail=message[:500]))
        s.commit()


def hold_message(kind: HoldKind, note: str, suket_number: str, suket_expires: datetime | None) -> str:
    parts = [HOLD_LABELS[kind] + " di Disdukcapil; permohonan tetap diproses begitu bisa."]
    if suket_number and suket_expires is not None:
        parts.append(
            f"Surat Keterangan pengganti KTP-el no. {suket_number} sudah diterbitkan, "
            f"berlaku sampai {suket_expires:%d-%m-%Y}."
        )
    if note.strip():
        parts.append(note.strip())
    return " ".join(parts)


def set_hold(
    db: Database,
    app_id: int,
    kind: HoldKind,
    note: str,
    suket_number: str,
    suket_expires: datetime | None,
    actor: str,
) -> None:
    now = utcnow()
    with db.session() as s:
        for old in s.exec(
            select(Hold).where(Hold.application_id == app_id, col(Hold.cleared_at).is_(None))
        ).all():
            old.cleared_at = now
            s.add(old)
        s.add(
            Hold(
                application_id=app_id,
                kind=kind.value,
                note=note,
                suket_number=suket_number,
                suket_expires=suket_expires,
                actor=actor[:40],
                created_at=now,
            )
        )
        s.commit()


def clear_hold(db: Database, app_id: int) -> bool:
    now = utcnow()
    with db.session() as s:
        rows = s.exec(select(Hold).where(Hold.application_id == app_id, col(Hold.cleared_at).is_(None))).all()
        for old in rows:
            old.cleared_at = now
            s.add(old)
        s.commit()
    return bool(rows)


def mark_duplicate(db: Database, app_id: int, other: int | None, note: str, actor: str) -> None:
    with db.session() as s:
        if s.get(Application, app_id) is None:
            raise not_found("Permohonan", "Application")
        s.add(DuplicateMark(application_id=app_id, other_application_id=other, note=note, actor=actor[:40]))
        s.add(
            AdminAction(
                actor=actor[:40],
                action="application.duplicate",
                target=str(app_id),
                detail=f"ganda dengan #{other}" if other else note[:200],
            )
        )
        s.commit()


def add_reason(db: Database, kind: ReasonKind, text: str) -> None:
    text = text.strip()
    if not text:
        return
    with db.session() as s:
        exists = s.exec(
            select(ReasonTemplate).where(ReasonTemplate.kind == kind.value, ReasonTemplate.text == text)
        ).first()
        if exists is None:
            s.add(ReasonTemplate(kind=kind.value, text=text))
            s.commit()


def seed_reasons(db: Database) -> None:
    from .models import DEFAULT_REASONS

    with db.session() as s:
        if s.exec(select(ReasonTemplate.id).limit(1)).first() is None:
            for kind, text in DEFAULT_REASONS:
                s.add(ReasonTemplate(kind=kind.value, text=text))
            s.commit()


# --- dispatch -----------------------------------------------------------------------------------


@dataclass
class ReadyVillage:
    code: str
    name: str
    count: int


def villages_with_finished(db: Database) -> list[ReadyVillage]:
    with db.read_session() as s:
        rows = s.exec(
            select(Village.code, Village.name, func.count())
            .join(Application, col(Application.village_id) == Village.id)
            .where(Application.status == Status.FINISHED.value)
            .group_by(col(Village.code), col(Village.name))
            .order_by(col(Village.code))
        ).all()
    return [ReadyVillage(c, n, int(k)) for c, n, k in rows]


@dataclass
class DispatchItem:
    id: int
    name: str
    nik: str
    service_code: str
    documents: list[FinishedDocument]
    # Originals the village handed over for this application (catalog ``hand_over`` papers it
    # sent): Disdukcapil withdraws them, the new document replaces them (issue 15's receipt
    # tells the resident so); the courier list says so per application.
    originals: list[str] = field(default_factory=list)


def originals_handed_over(s: Session, apps: list[Application]) -> dict[int, list[str]]:
    """Per application: the names of the catalog's ``hand_over`` papers the village sent."""
    sent: dict[int, set[str]] = {a.id or 0: set() for a in apps}
    for app_id, code in s.exec(
        select(AppDocument.application_id, AppDocument.requirement_code).where(
            col(AppDocument.application_id).in_(list(sent))
        )
    ).all():
        sent[app_id].add(code)
    out: dict[int, list[str]] = {}
    for a in apps:
        service = SERVICES.get(a.service_code)
        handed = service.handed_over if service is not None else ()
        out[a.id or 0] = [r.name(lang()) for r in handed if r.code in sent[a.id or 0]]
    return out


def finished_for_village(
    db: Database, village_code: str, ids: list[int] | None = None
) -> tuple[Village, list[DispatchItem]]:
    with db.read_session() as s:
        village = s.exec(select(Village).where(Village.code == village_code)).first()
        if village is None:
            raise not_found("Desa", "Village")
        q = select(Application).where(
            Application.village_id == village.id, Application.status == Status.FINISHED.value
        )
        if ids is not None:
            q = q.where(col(Application.id).in_(ids))
        apps = s.exec(q.order_by(col(Application.id))).all()
        fins: dict[int, list[FinishedDocument]] = {a.id or 0: [] for a in apps}
        for fdoc in s.exec(
            select(FinishedDocument).where(col(FinishedDocument.application_id).in_(list(fins)))
        ).all():
            fins[fdoc.application_id].append(fdoc)
        originals = originals_handed_over(s, list(apps))
    return village, [
        DispatchItem(a.id or 0, a.name, a.nik, a.service_code, fins[a.id or 0], originals[a.id or 0])
        for a in apps
    ]


# --- villages and laptops ------------------------------------------------------------------------


@dataclass
class VillageRow:
    code: str
    name: str
    devices: list[Device]
    last_contact: datetime | None


def villages_and_devices(db: Database) -> list[VillageRow]:
    with db.read_session() as s:
        villages = s.exec(select(Village).order_by(col(Village.code))).all()
        devices = s.exec(select(Device).order_by(col(Device.enrolled_at))).all()
    by_village: dict[int, list[Device]] = {}
    for d in devices:
        by_village.setdefault(d.village_id, []).append(d)
    out = []
    for v in villages:
        devs = by_village.get(v.id or 0, [])
        seen = [aware(d.last_seen_at) for d in devs if d.last_seen_at and d.revoked_at is None]
        out.append(VillageRow(v.code, v.name, devs, max(seen) if seen else None))
    return out


# --- dashboard ----------------------------------------------------------------------------------


@dataclass
class VillageStats:
    code: str
    name: str
    at_office: int = 0
    needs_fix: int = 0
    overdue: int = 0
    finished: int = 0
    at_village: int = 0
    handed_over: int = 0


@dataclass
class ServiceStats:
    code: str
    total: int = 0
    done: int = 0
    within_sla: int = 0
    hours: list[float] = field(default_factory=list)

    @property
    def name(self) -> str:
        return service_name(self.code)

    @property
    def avg_hours(self) -> float | None:
        return sum(self.hours) / len(self.hours) if self.hours else None

    @property
    def within_pct(self) -> int | None:
        return round(100 * self.within_sla / len(self.hours)) if self.hours else None


def dashboard(db: Database) -> tuple[list[VillageStats], list[ServiceStats]]:
    now = utcnow()
    held = [s.value for s in OFFICE_HELD]
    overdue = case(
        (and_(col(Application.status).in_(held), col(Application.received_at) < now - SLA), 1), else_=0
    )
    with db.read_session() as s:
        rows = s.execute(
            sa_select(
                col(Village.code), col(Village.name), col(Application.status), func.count(), func.sum(overdue)
            )
            .join(Application, col(Application.village_id) == Village.id, isouter=True)
            .group_by(col(Village.code), col(Village.name), col(Application.status))
            .order_by(col(Village.code))
        ).all()
        first_finish = (
            select(Change.application_id, func.min(Change.at).label("done_at"))
            .where(Change.status == Status.FINISHED.value)
            .group_by(col(Change.application_id))
            .subquery()
        )
        svc_rows = s.exec(
            select(Application.service_code, Application.received_at, first_finish.c.done_at).outerjoin(
                first_finish, first_finish.c.application_id == Application.id
            )
        ).all()
    villages: dict[str, VillageStats] = {}
    for code, name, status, n, late in rows:
        v = villages.setdefault(code, VillageStats(code, name))
        if status is None:
            continue
        n = int(n)
        if status in held:
            v.at_office += n
            v.overdue += int(late or 0)
        elif status == Status.NEEDS_FIX.value:
            v.needs_fix += n
        elif status == Status.FINISHED.value:
            v.finished += n
        elif status in (Status.DISPATCHED.value, Status.ARRIVED.value):
            v.at_village += n
        elif status == Status.HANDED_OVER.value:
            v.handed_over += n
    services: dict[str, ServiceStats] = {}
    for code, received, done_at in svc_rows:
        st = services.setdefault(code, ServiceStats(code))
        st.total += 1
        if done_at is not None:
            took = aware(done_at) - aware(received)
            st.done += 1
            st.hours.append(took.total_seconds() / 3600)
            if took <= SLA:
                st.within_sla += 1
    return list(villages.values()), sorted(services.values(), key=lambda x: -x.total)


def audit_log(db: Database, limit: int = 200) -> list[AdminAction]:
    with db.read_session() as s:
        return list(s.exec(select(AdminAction).order_by(col(AdminAction.id).desc()).limit(limit)).all())
