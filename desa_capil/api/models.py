"""The wire contract v1: pydantic models shared by the desktop client and the server.

Rules that keep old clients working against newer servers (and the other way round):

* Every model ignores fields it does not know (``extra="ignore"``). A client parsing a
  server answer keeps working when the server adds fields; a server receiving a request from
  a newer client stores what it knows and ignores the rest. The server does *not* reject
  unknown fields, on purpose: a village laptop may be months behind or ahead of its server,
  and refusing its batch over an extra field would strand residents' papers. What the server
  ignored is not stored, so replays stay identical (batch identity is computed on the parsed,
  known fields only).
* Fields are only ever added, never renamed or re-typed, within v1. New fields get defaults.
* Times are timezone-aware (UTC on the server side).

Identifiers: applications, documents, batches and events carry client-made UUIDs (so every
retry is harmless). Uploads get a server-made id: the last path segment of the tus
``Location`` URL (``/api/v1/uploads/<upload_id>``). Finished documents issued by the office get
server-made UUIDs.

No Qt, no SQL, no HTTP in this module.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from desa_capil.domain.catalog import Urgency
from desa_capil.domain.status import Actor, Status

API_VERSION = "1"
API_PREFIX = "/api/v1"
# tus protocol version spoken at /api/v1/uploads/.
TUS_VERSION = "1.0.0"

# Upload-Metadata keys a client sends on tus creation (values base64, as tus requires).
TUS_META_FILENAME = "filename"
TUS_META_SHA256 = "sha256"
TUS_META_FILETYPE = "filetype"

# File name extension of a document or page file by its MIME type (".bin" when unknown).
_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "image/tiff": ".tif"}


def file_extension(mime: str) -> str:
    return _EXTENSIONS.get(mime, ".bin")


Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="lower-case hex SHA-256")]
# 16 digits; the full NIK/KK rules (dates, serial) live in desa_capil.domain.nik and are
# applied by the server when that module is present.
SixteenDigits = Annotated[str, Field(pattern=r"^[0-9]{16}$")]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
Code = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,64}$")]
# Kemendagri kode wilayah of a desa/kelurahan: PP.KK.CC.NNNN
VillageCode = Annotated[str, Field(pattern=r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$")]


class WireModel(BaseModel):
    """Base of every wire model: unknown fields ignored (see module docstring)."""

    model_config = ConfigDict(extra="ignore", frozen=False, populate_by_name=True)


# --- errors -----------------------------------------------------------------------------------


class ErrorCode(StrEnum):
    """Machine-readable ``error`` of an error body. Clients switch on this, not on text."""

    INVALID_REQUEST = "invalid_request"  # 422 from request validation (see ``fields``)
    UNAUTHORIZED = "unauthorized"  # 401: missing, unknown or revoked token
    FORBIDDEN = "forbidden"  # 403
    NOT_FOUND = "not_found"  # 404 (also for other villages' records)
    CONFLICT = "conflict"  # 409: e.g. batch id reused with other content
    APPLICATION_CONFLICT = "application_conflict"  # 409: application id known and not needs_fix
    UPLOADS_INVALID = "uploads_invalid"  # 422: see ``uploads``
    MANIFEST_INVALID = "manifest_invalid"  # 422: see ``applications``
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"  # 409 (admin status change)
    TOO_LARGE = "too_large"  # 413: file or request too large
    QUOTA_EXCEEDED = "quota_exceeded"  # 413: village storage quota full
    RATE_LIMITED = "rate_limited"  # 429, see Retry-After
    ENROLLMENT_CODE_INVALID = "enrollment_code_invalid"  # 400 on /enroll
    UPLOAD_OFFSET_MISMATCH = "upload_offset_mismatch"  # 409 on tus PATCH
    UPLOAD_LOCKED = "upload_locked"  # 423: another PATCH for this upload is running
    GONE = "gone"  # 410: expired upload
    CLIENT_TOO_OLD = "client_too_old"  # 426: the app is older than the server's announced minimum
    BUNDLE_REFUSED = "bundle_refused"  # 422/409: a USB bundle refused; the reason code in ``fields``
    INTERNAL = "internal"  # 500


class FieldProblem(WireModel):
    """One invalid field of a request (``loc`` as pydantic reports it)."""

    loc: list[str | int]
    message: str


class UploadProblemKind(StrEnum):
    MISSING = "missing"  # no such upload for this village (never made, terminated or expired)
    INCOMPLETE = "incomplete"  # fewer bytes received than Upload-Length
    SHA256_MISMATCH = "sha256_mismatch"  # bytes received hash differently from the manifest
    SIZE_MISMATCH = "size_mismatch"  # Upload-Length differs from the manifest's size
    ALREADY_USED = "already_used"  # the upload belongs to another document already


class UploadProblem(WireModel):
    """Why one document of a manifest cannot be accepted. Re-upload the file, then PUT again."""

    application_id: UUID
    document_id: UUID
    upload_id: str
    problem: UploadProblemKind
    # For incomplete: bytes the server holds; for mismatches: what the server computed.
    received_size: int | None = None
    received_sha256: str | None = None


class ApplicationProblemKind(StrEnum):
    UNKNOWN_SERVICE = "unknown_service"
    UNKNOWN_REQUIREMENT = "unknown_requirement"
    INVALID_NIK = "invalid_nik"
    INVALID_KK = "invalid_kk"
    DUPLICATE_ID = "duplicate_id"  # the same application/document id twice in one manifest
    NOT_EDITABLE = "not_editable"  # already known to the server and not in needs_fix


class ApplicationProblem(WireModel):
    application_id: UUID
    document_id: UUID | None = None
    problem: ApplicationProblemKind
    message_id: str = ""
    message_en: str = ""


class ErrorBody(WireModel):
    """Body of every 4xx/5xx answer of the server (tus and JSON routes alike).

    ``message_id``/``message_en`` are ready to show; ``error`` is for code. The lists are
    filled for the errors that name them and empty otherwise.
    """

    error: str  # an ErrorCode value; kept as str so a newer server's code does not break parsing
    message_id: str
    message_en: str
    fields: list[FieldProblem] = Field(default_factory=list)
    uploads: list[UploadProblem] = Field(default_factory=list)
    applications: list[ApplicationProblem] = Field(default_factory=list)


# --- health and enrollment ----------------------------------------------------------------------


class Health(WireModel):
    """``GET /api/v1/health`` (no auth)."""

    status: Literal["ok"] = "ok"
    server_time: datetime
    api_version: str = API_VERSION
    server_version: str = ""


class EnrollRequest(WireModel):
    """``POST /api/v1/enroll``: trade the office's one-time code for a device token."""

    enrollment_code: Annotated[str, Field(min_length=4, max_length=64)]
    # Shown to the office in the device list ("Laptop Kantor Desa").
    device_name: Annotated[str, Field(min_length=1, max_length=100)]
    app_version: Annotated[str, Field(max_length=40)] = ""


class VillageInfo(WireModel):
    code: VillageCode
    name: str


class EnrollResponse(WireModel):
    device_id: UUID
    # Bearer token for every other call. Shown once; the server keeps only its hash.
    token: str
    village: VillageInfo
    api_version: str = API_VERSION
    server_time: datetime


# --- batches ---------------------------------------------------------------------------------


class Applicant(WireModel):
    nik: SixteenDigits
    name: ShortText
    kk_number: SixteenDigits
    phone: Annotated[str, Field(max_length=32)] = ""
    address: Annotated[str, Field(max_length=500)] = ""


class DocumentIn(WireModel):
    """One supporting paper of an application, sent before as a tus upload."""

    id: UUID
    requirement_code: Code
    upload_id: Annotated[str, Field(min_length=1, max_length=64)]
    sha256: Sha256Hex
    size: Annotated[int, Field(ge=1)]
    page_count: Annotated[int, Field(ge=1, le=1000)] = 1
    mime: Annotated[str, Field(max_length=100)] = "application/pdf"


class Subject(WireModel):
    """A person the document is about (the baby, the deceased, the couple); the applicant is
    the reporter (pelapor). ``role`` is the catalog's subject role."""

    role: Code
    name: Annotated[str, Field(max_length=200)] = ""
    nik: Annotated[str, Field(pattern=r"^([0-9]{16})?$")] = ""


# Fields added to ApplicationIn after the first v1 clients, with their defaults. They are left
# out of the serialised form while at their default, so a manifest from an older client (or one
# stored before they existed) serialises, and hashes (batch identity), exactly as before.
_ADDED_APPLICATION_FIELDS: dict[str, Any] = {
    "event_date": None,
    "subjects": [],
    "outputs": [],
    "catalog_version": "",
}


class ApplicationIn(WireModel):
    id: UUID
    service_code: Code
    applicant: Applicant
    urgency: Urgency = Urgency.NORMAL
    notes: Annotated[str, Field(max_length=2000)] = ""
    documents: Annotated[list[DocumentIn], Field(max_length=100)] = Field(default_factory=list)
    # Catalog 2025.1 (older servers ignore these): the date of the event the deadline counts
    # from, the subjects, and the documents asked for. More than one output is a bundle
    # ("3-in-1"): one request, shared papers, each document finished by the office on its own.
    # No outputs means the service's main document.
    event_date: date | None = None
    subjects: Annotated[list[Subject], Field(max_length=4)] = Field(default_factory=list)
    outputs: Annotated[list[Code], Field(max_length=8)] = Field(default_factory=list)
    catalog_version: Annotated[str, Field(max_length=40)] = ""

    @model_serializer(mode="wrap")
    def _omit_added_defaults(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key, default in _ADDED_APPLICATION_FIELDS.items():
            if key in data and data[key] == default:
                del data[key]
        return data


MAX_APPLICATIONS_PER_BATCH = 200


class BatchManifest(WireModel):
    """``PUT /api/v1/batches/{batch_id}``: a sealed batch.

    An application id the server already holds in ``needs_fix`` makes that entry an addendum:
    its documents are added, its applicant data replaced, and it goes back to ``sent``.
    """

    applications: Annotated[list[ApplicationIn], Field(min_length=1, max_length=MAX_APPLICATIONS_PER_BATCH)]
    sealed_at: datetime | None = None


class ApplicationReceipt(WireModel):
    id: UUID
    status: Status
    addendum: bool = False
    # The change sequence number of the ``sent`` change the batch created.
    seq: int


class BatchReceipt(WireModel):
    """Answer to a manifest: 201 the first time, 200 (same body) on an identical replay."""

    batch_id: UUID
    received_at: datetime
    applications: list[ApplicationReceipt]


# --- changes ---------------------------------------------------------------------------------


class DispatchedDocument(WireModel):
    """A finished document the office sends to the village with a ``dispatched`` change."""

    id: UUID
    title: str  # e.g. "Kartu Keluarga"
    # The catalog output it is (a part of a bundle: "kk" of a 3-in-1), "" when not said; left
    # out while empty, so documents of older servers and applications read as before.
    output: str = ""

    @model_serializer(mode="wrap")
    def _omit_empty_output(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if not data.get("output"):
            data.pop("output", None)
        return data

    # True: a signed PDF to print at ``GET /api/v1/documents/{id}/file``.
    # False: a printed document that travels by courier.
    has_file: bool
    size: int | None = None
    sha256: str | None = None


class Change(WireModel):
    seq: int  # strictly increasing over the whole server; the cursor for ``after``
    application_id: UUID
    status: Status
    actor: Actor = Actor.OFFICE
    message: str = ""  # the office's reason for needs_fix / rejected, or a note
    at: datetime
    documents: list[DispatchedDocument] = Field(default_factory=list)


MAX_CHANGES_PAGE = 500


class ChangePage(WireModel):
    """``GET /api/v1/changes?after=N&limit=M``. Pass ``next_after`` as the next ``after``."""

    changes: list[Change]
    next_after: int
    has_more: bool


# --- village events -------------------------------------------------------------------------


class HandOver(WireModel):
    """Who received a finished document at the village (with ``handed_over``)."""

    recipient_name: ShortText
    # The applicant themself, or e.g. "istri", "anak", "orang tua".
    relation: Annotated[str, Field(max_length=60)] = "pemohon"
    recipient_nik: SixteenDigits | None = None
    id_checked: bool = False
    operator: Annotated[str, Field(max_length=100)] = ""


class EventIn(WireModel):
    """A village event: the application reached ``status`` at the village at ``at``."""

    id: UUID  # client-made; a replay of the same id is answered from the first outcome
    application_id: UUID
    status: Status  # arrived, handed_over (the status machine says which the village may make)
    at: datetime
    handover: HandOver | None = None
    note: Annotated[str, Field(max_length=1000)] = ""


MAX_EVENTS = 200


class EventsIn(WireModel):
    """``POST /api/v1/events``: several events in one round trip, applied in order."""

    events: Annotated[list[EventIn], Field(min_length=1, max_length=MAX_EVENTS)]


class EventOutcome(StrEnum):
    APPLIED = "applied"
    # Not applied, permanently (unknown application, transition not allowed): do not retry.
    REJECTED = "rejected"


class EventResult(WireModel):
    id: UUID
    outcome: EventOutcome
    # True when the server had seen this event id before (the outcome is the stored one).
    duplicate: bool = False
    seq: int | None = None  # the change this event made, when applied
    message_id: str = ""
    message_en: str = ""


class EventsResult(WireModel):
    results: list[EventResult]


# --- office (admin) side ------------------------------------------------------------------------


class VillageCreate(WireModel):
    code: VillageCode
    name: ShortText


class VillageOut(WireModel):
    id: int
    code: str
    name: str
    created_at: datetime
    devices: int = 0


class EnrollmentCodeOut(WireModel):
    village_code: str
    # Shown once to the office, to be typed into the village laptop.
    enrollment_code: str
    expires_at: datetime


class DeviceOut(WireModel):
    id: UUID
    village_code: str
    name: str
    app_version: str = ""
    enrolled_at: datetime
    last_seen_at: datetime | None = None
    revoked_at: datetime | None = None


class UploadedDocumentOut(WireModel):
    id: UUID
    requirement_code: str
    upload_id: str
    sha256: str
    size: int
    page_count: int
    mime: str
    received_at: datetime


class FinishedDocumentOut(WireModel):
    id: UUID
    title: str
    output: str = ""  # the catalog output it finishes, "" when not said
    has_file: bool
    size: int | None = None
    sha256: str | None = None
    created_at: datetime


class OutputOut(WireModel):
    """One document asked for by an application, and whether the office finished it."""

    code: str
    name: str
    finished_document_id: UUID | None = None


class ApplicationOut(WireModel):
    """An application as the office sees it."""

    id: int  # server id, used in admin routes
    client_id: UUID
    village_code: str
    batch_id: UUID
    service_code: str
    applicant: Applicant
    urgency: Urgency
    notes: str
    status: Status
    message: str = ""
    received_at: datetime
    updated_at: datetime
    documents: list[UploadedDocumentOut] = Field(default_factory=list)
    finished_documents: list[FinishedDocumentOut] = Field(default_factory=list)
    event_date: date | None = None
    subjects: list[Subject] = Field(default_factory=list)
    # Every document asked for (one, or several for a bundle), each with the finished document
    # that answers it once the office attached one.
    outputs: list[OutputOut] = Field(default_factory=list)
    catalog_version: str = ""


class ApplicationList(WireModel):
    items: list[ApplicationOut]
    # Pass as ``after_id`` for the next page; None when this was the last page.
    next_after_id: int | None = None


class StatusUpdate(WireModel):
    """Office status change. ``message`` is required for needs_fix and rejected."""

    status: Status
    message: Annotated[str, Field(max_length=2000)] = ""


class DispatchCreate(WireModel):
    """Send finished applications (with their finished documents) to one village."""

    village_code: VillageCode
    application_ids: Annotated[
        list[Annotated[int, Field(ge=1, le=2**31 - 1)]], Field(min_length=1, max_length=500)
    ]
    message: Annotated[str, Field(max_length=2000)] = ""


class DispatchOut(WireModel):
    village_code: str
    applications: list[ApplicationOut]


class AdminLogEntry(WireModel):
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: str = ""
