"""Local tables (SQLModel). The laptop's database is the truth for its user.

Ids of records the server will see (applications, documents, batches, events) are UUIDs made
here, so that a retry after any failure is recognised by the server as the same thing.

Every change to these classes needs a migration step in ``migrations.py``; a test compares the
migrated schema with these models and fails on drift.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from desa_capil.domain.catalog import Urgency
from desa_capil.domain.status import Status


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Operator(SQLModel, table=True):
    """A person who works the app at the village office; every action records one."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Setting(SQLModel, table=True):
    """Small key/value settings that belong with the data (village identity, server URL...)."""

    key: str = Field(primary_key=True)
    value: str


class Applicant(SQLModel, table=True):
    """A resident who asks for a service. Kept once and reused by NIK at the next visit."""

    id: str = Field(default_factory=new_id, primary_key=True)
    nik: str = Field(index=True)
    name: str = Field(index=True)
    kk_number: str = ""
    phone: str = ""  # as typed; normalised to +62 when a link is made
    address: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Application(SQLModel, table=True):
    """One resident's request for one service (permohonan)."""

    id: str = Field(default_factory=new_id, primary_key=True)
    applicant_id: str = Field(foreign_key="applicant.id", index=True)
    service_code: str = Field(index=True)
    # Stored as the enum value ("draft"), so plain SQL and the server speak the same words.
    status: Status = Field(default=Status.DRAFT, index=True, sa_type=String)
    urgency: Urgency = Field(default=Urgency.NORMAL, sa_type=String)
    notes: str = ""
    # What the office said with its last status (reason for needs_fix or rejected).
    office_message: str = ""
    # The batch that carried the application last (first sending or addendum).
    batch_id: str | None = Field(default=None, foreign_key="batch.id", index=True)
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    status_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    # Set when retention archived it: personal fields blanked (security.retention).
    archived_at: datetime | None = None
    # The intake receipt (tanda terima berkas) as printed last, kept in the blob store so the
    # very same paper can be printed again for a resident who lost it.
    intake_receipt_sha256: str | None = None
    # Service-specific facts as JSON (domain.intake.IntakeDetails): event date, subjects (the
    # baby, the deceased, the couple), bundle outputs, home recording, catalog version.
    details: str = "{}"


class Document(SQLModel, table=True):
    """One paper of an application (berkas), tied to a requirement of the service."""

    id: str = Field(default_factory=new_id, primary_key=True)
    application_id: str = Field(foreign_key="application.id", index=True)
    requirement_code: str
    # The assembled multi-page PDF, made when the application is sealed into a batch.
    file_sha256: str | None = None
    file_size: int = 0
    page_count: int = 0
    mime: str = "application/pdf"
    # The batch that sent this document; None until sealed. Documents added for a needs_fix
    # addendum get the addendum's batch.
    batch_id: str | None = Field(default=None, foreign_key="batch.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    # Set when retention deleted its file and pages (security.retention); the row stays.
    purged_at: datetime | None = None


class Page(SQLModel, table=True):
    """One scanned image. Blobs are content-addressed by SHA-256 in the blob store."""

    id: str = Field(default_factory=new_id, primary_key=True)
    document_id: str = Field(foreign_key="document.id", index=True)
    position: int = 0
    original_sha256: str | None = None  # kept until the office confirms receipt
    processed_sha256: str
    thumb_sha256: str | None = None
    mime: str
    width: int = 0
    height: int = 0
    dpi: int = 0
    mode: str = ""  # color | gray | bilevel
    size_bytes: int = 0
    rotation: int = 0
    source: str = "file"  # file | pdf | scanner | camera | folder | phone
    # The user's corrections of the automatic page decisions, kept so that a later rotation
    # re-processes with them: "" (automatic) | "original" | "card" | "page"; colour forced.
    size_choice: str = ""
    keep_color: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    # Set when retention deleted the page's files (the office has them); the sha256 columns are
    # then empty/None and the row keeps only the page's facts.
    purged_at: datetime | None = None


class BatchState(StrEnum):
    SEALED = "sealed"  # waiting to be sent
    SENDING = "sending"  # uploads under way
    SENT = "sent"  # the server accepted the manifest
    FAILED = "failed"  # set aside with a reason the user must act on
    CANCELLED = "cancelled"  # a set-aside batch given up at the village (kept for the record)


class Batch(SQLModel, table=True):
    """Applications sealed together for sending (kiriman). Immutable once sealed."""

    id: str = Field(default_factory=new_id, primary_key=True)
    state: BatchState = Field(default=BatchState.SEALED, index=True, sa_type=String)
    sealed_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    application_count: int = 0
    page_count: int = 0
    total_bytes: int = 0
    bytes_sent: int = 0
    last_error: str = ""
    # The server's machine-readable error code when the batch was set aside ("" for a local
    # reason). "conflict" means the server holds a batch with this id: it cannot be cancelled.
    error_code: str = ""
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    # How the office's acknowledgement came ("" while none did): "online" (the receipt of the
    # manifest PUT) or "stick" (a return bundle listed the batch). See store.batches.
    ack_via: str = ""


class BatchRoute(StrEnum):
    """How a batch left the laptop (one ``BatchTrip`` row per trip)."""

    ONLINE = "online"  # the server accepted the manifest over the link
    STICK = "stick"  # written and verified in a bundle on a stick (or a folder)


class BatchTrip(SQLModel, table=True):
    """One trip of a batch towards the office: the online acceptance, or each bundle it was
    written into (a batch may be re-exported until the office acknowledges it)."""

    id: int | None = Field(default=None, primary_key=True)
    batch_id: str = Field(foreign_key="batch.id", index=True)
    route: BatchRoute = Field(sa_type=String)
    at: datetime = Field(default_factory=utcnow)
    bundle_id: str = ""  # the bundle's uuid for a stick trip
    file_name: str = ""  # the bundle's file name as written (no folder: drives change letters)


class BatchApplication(SQLModel, table=True):
    """Which applications a batch carries; `addendum` when it answers a needs_fix."""

    batch_id: str = Field(foreign_key="batch.id", primary_key=True)
    application_id: str = Field(foreign_key="application.id", primary_key=True, index=True)
    addendum: bool = False


class OutboxState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    PARKED = "parked"  # set aside: will not succeed without the user (reason in last_error)


class OutboxKind(StrEnum):
    """What an outbox row asks of the server."""

    UPLOAD = "upload"  # one document file (tus); ref_id: the document id
    MANIFEST = "manifest"  # the batch manifest PUT; ref_id: the batch id
    EVENT = "event"  # a village event (arrived, handed over); ref_id: the event id


class Outbox(SQLModel, table=True):
    """Every pending server action, in order. One background worker drains it.

    Written and read only through ``store.outbox`` (and ``store.batches`` for batch state)."""

    id: int | None = Field(default=None, primary_key=True)
    kind: OutboxKind = Field(index=True, sa_type=String)
    ref_id: str = Field(index=True)  # document id, batch id or event id
    batch_id: str | None = Field(default=None, index=True)
    payload: str = ""  # JSON
    state: OutboxState = Field(default=OutboxState.PENDING, index=True, sa_type=String)
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""
    # tus: the upload's id on the server (the last segment of its Location; rows written by
    # older versions hold the whole URL, read the same way) and how much of it the server has.
    # Stored before and after each chunk so that a restart resumes mid-file, at any address.
    upload_url: str = ""
    upload_offset: int = 0
    upload_length: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = None


class SyncState(SQLModel, table=True):
    """Sync bookkeeping: change cursor, last successful contact, link speed estimate."""

    key: str = Field(primary_key=True)
    value: str


class StatusChange(SQLModel, table=True):
    """The history of an application's status, local steps and office facts alike."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: str = Field(foreign_key="application.id", index=True)
    status: Status = Field(sa_type=String)
    message: str = ""
    actor: str = "village"  # village | office
    # The server's change sequence number for office facts; makes applying a change idempotent.
    server_seq: int | None = Field(default=None, index=True)
    at: datetime = Field(default_factory=utcnow)
    operator_id: int | None = Field(default=None, foreign_key="operator.id")


class OfficeDocument(SQLModel, table=True):
    """A finished document the office issued for an application and dispatched to the village."""

    id: str = Field(primary_key=True)  # the server's id
    application_id: str = Field(foreign_key="application.id", index=True)
    title: str = ""
    dispatch_id: str = Field(default="", index=True)
    dispatched_at: datetime | None = None
    has_file: bool = False  # the office issued a signed PDF that can be printed here
    file_sha256: str | None = None  # downloaded copy
    arrived_at: datetime | None = None


class HandOver(SQLModel, table=True):
    """Who received a finished document, when, and who gave it (penyerahan)."""

    id: str = Field(default_factory=new_id, primary_key=True)
    # One hand-over per application: the unique constraint makes a second one impossible.
    application_id: str = Field(foreign_key="application.id", unique=True)
    recipient_name: str
    relation: str = "pemohon"  # the applicant, or a family member
    recipient_nik: str = ""
    id_checked: bool = False
    handed_at: datetime = Field(default_factory=utcnow)
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    signature_sha256: str | None = None
    photo_sha256: str | None = None
    receipt_sha256: str | None = None


class AuditEntry(SQLModel, table=True):
    """Who viewed, exported or printed a resident's papers (UU 27/2022 PDP)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    action: str
    application_id: str | None = Field(default=None, index=True)
    detail: str = ""
