"""What the central server does, independent of HTTP: used by the routes and by the CLI.

Every village-side method takes a ``DeviceCtx`` and filters by its village: a record of
another village is indistinguishable from a missing one (404). Office methods take an
``actor`` string for the admin log. Nothing here logs a token, an enrollment code or
personal data.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import case, delete, func, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from desa_capil import __version__
from desa_capil.api.models import (
    AdminLogEntry,
    ApplicationIn,
    ApplicationList,
    ApplicationOut,
    ApplicationProblem,
    ApplicationProblemKind,
    ApplicationReceipt,
    BatchManifest,
    BatchReceipt,
    ChangePage,
    DeviceOut,
    DispatchedDocument,
    DispatchOut,
    EnrollmentCodeOut,
    EnrollResponse,
    ErrorCode,
    EventIn,
    EventOutcome,
    EventResult,
    EventsResult,
    FinishedDocumentOut,
    Health,
    UploadedDocumentOut,
    UploadProblem,
    UploadProblemKind,
    VillageInfo,
    VillageOut,
)
from desa_capil.api.models import Applicant as WireApplicant
from desa_capil.api.models import Change as WireChange
from desa_capil.domain.catalog import SERVICES
from desa_capil.domain.nik import validate_kk, validate_nik
from desa_capil.domain.status import Actor, Status, TransitionError, check_transition
from desa_capil.server import bundles
from desa_capil.server.config import Settings
from desa_capil.server.db import (
    AdminAction,
    AppDocument,
    Application,
    Batch,
    Change,
    Database,
    Device,
    EnrollmentCode,
    Event,
    FinishedDocument,
    Upload,
    UploadPart,
    Village,
    allocate_seqs,
    aware,
    create_schema,
    open_database,
    utcnow,
)
from desa_capil.server.errors import ApiError, not_found, quota_exceeded, too_large
from desa_capil.server.storage import Storage, open_storage

log = logging.getLogger(__name__)

# Crockford-ish alphabet: no 0/O, 1/I/L, U. 12 symbols = 60 bits, typed as XXXX-XXXX-XXXX.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_LAST_SEEN_EVERY = timedelta(minutes=5)
_DISPATCHED_OR_LATER = {Status.DISPATCHED.value, Status.ARRIVED.value, Status.HANDED_OVER.value}


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            h.update(chunk)
    return h.hexdigest()


def normalize_enrollment_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class DeviceCtx:
    device_id: str
    village_id: int
    village_code: str


class CentralService:
    def __init__(self, settings: Settings, db: Database | None = None) -> None:
        self.settings = settings
        settings.ensure_dirs()
        self.db = db or open_database(settings.db_url)
        create_schema(self.db)
        self.storage: Storage = open_storage(settings)
        with self.db.read_session() as s:
            bundles.install_published(s)  # the office's own catalog versions, if any

    def close(self) -> None:
        self.db.dispose()

    def admin_token(self) -> str:
        """The office's admin token: configured (Settings / env), else one kept in the
        database, made once, so every process and host behind a balancer agrees on it. A
        token an older release wrote to ``data_dir/admin_token`` is taken over."""
        explicit = self.settings.explicit_admin_token()
        if explicit:
            return explicit
        legacy = self.settings.legacy_admin_token_file
        candidate = "dca_" + secrets.token_urlsafe(32)
        if legacy.exists():
            candidate = legacy.read_text(encoding="utf-8").strip() or candidate
        with self.db.write.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO sharedstate (name, value) VALUES ('admin_token', :v) ON CONFLICT (name) DO NOTHING"
                ),
                {"v": candidate},
            )
            token = str(
                conn.execute(text("SELECT value FROM sharedstate WHERE name = 'admin_token'")).scalar_one()
            )
        return token

    # --- paths ---------------------------------------------------------------------------------

    def upload_path(self, upload_id: str) -> Path:
        """A local file with the upload's bytes (with object storage: a cached copy of a
        complete upload)."""
        return self.storage.upload_path(upload_id)

    def finished_path(self, doc_id: str) -> Path:
        return self.storage.document_path(doc_id)

    # --- health, enrollment, auth ----------------------------------------------------------------

    def health(self) -> Health:
        with self.db.read_session() as s:
            s.exec(select(1)).one()  # the database answers
        return Health(server_time=aware(utcnow()), server_version=__version__)

    def enroll(self, code: str, device_name: str, app_version: str) -> EnrollResponse:
        bad = ApiError(
            400,
            ErrorCode.ENROLLMENT_CODE_INVALID,
            "Kode pendaftaran salah, sudah dipakai, atau kedaluwarsa. Periksa kodenya atau minta kode baru ke Disdukcapil.",
            "The enrollment code is wrong, already used or expired. Check it or ask the office for a new one.",
        )
        code_hash = sha256_hex(normalize_enrollment_code(code))
        token = "dcd_" + secrets.token_urlsafe(32)
        device_id = uuid.uuid4().hex
        now = utcnow()
        with self.db.session() as s:
            row = s.exec(
                select(EnrollmentCode).where(EnrollmentCode.code_hash == code_hash).with_for_update()
            ).first()
            if row is None or row.used_at is not None or row.expires_at < now:
                raise bad
            village = s.get(Village, row.village_id)
            assert village is not None
            row.used_at = now
            row.device_id = device_id
            s.add(row)
            s.add(
                Device(
                    id=device_id,
                    village_id=row.village_id,
                    name=device_name,
                    app_version=app_version,
                    token_hash=sha256_hex(token),
                    enrolled_at=now,
                    last_seen_at=now,
                )
            )
            s.commit()
            log.info("device %s enrolled for village %s", device_id, village.code)
            return EnrollResponse(
                device_id=uuid.UUID(device_id),
                token=token,
                village=VillageInfo(code=village.code, name=village.name),
                server_time=aware(now),
            )

    def authenticate(self, token: str) -> DeviceCtx | None:
        if not token:
            return None
        token_hash = sha256_hex(token)
        with self.db.read_session() as s:
            row = s.exec(
                select(Device, Village)
                .join(Village, col(Village.id) == Device.village_id)
                .where(Device.token_hash == token_hash)
            ).first()
        if row is None:
            return None
        device, village = row
        if device.revoked_at is not None:
            return None
        now = utcnow()
        if device.last_seen_at is None or now - device.last_seen_at > _LAST_SEEN_EVERY:
            with self.db.session() as s:
                d = s.get(Device, device.id)
                if d is not None:
                    d.last_seen_at = now
                    s.add(d)
                    s.commit()
        assert village.id is not None
        return DeviceCtx(device.id, village.id, village.code)

    # --- uploads (tus) ---------------------------------------------------------------------------

    def create_upload(
        self, ctx: DeviceCtx, length: int, meta: dict[str, str], raw_metadata: str = ""
    ) -> Upload:
        if length > self.settings.max_upload_size:
            raise too_large(self.settings.max_upload_size)
        upload_id = uuid.uuid4().hex
        now = utcnow()
        min_cost = self.settings.upload_min_cost
        with self.db.session() as s:
            # One creation per village at a time (a PostgreSQL row lock; SQLite's writer lock
            # already does it), or two could both see room for themselves and overrun the quota.
            s.exec(select(Village.id).where(Village.id == ctx.village_id).with_for_update()).one()
            # Every upload costs at least min_cost: empty or tiny ones are not free.
            cost = case((col(Upload.length) < min_cost, min_cost), else_=col(Upload.length))
            used = s.exec(
                select(func.coalesce(func.sum(cost), 0)).where(Upload.village_id == ctx.village_id)
            ).one()
            if int(used) + max(length, min_cost) > self.settings.village_quota:
                raise quota_exceeded(self.settings.village_quota)
            up = Upload(
                id=upload_id,
                village_id=ctx.village_id,
                device_id=ctx.device_id,
                length=length,
                filename=meta.get("filename", "")[:255],
                filetype=meta.get("filetype", "")[:100],
                sha256_claimed=meta.get("sha256", "").lower()[:64],
                created_at=now,
                updated_at=now,
                expires_at=now + timedelta(seconds=self.settings.upload_expiry_seconds),
                upload_metadata=raw_metadata,
            )
            self.storage.create_upload(upload_id)
            if length == 0:
                up.sha256 = sha256_hex(b"")
            s.add(up)
            s.commit()
        return up

    def get_upload(self, ctx: DeviceCtx, upload_id: str) -> Upload:
        """The upload, or 404 (unknown / other village) / 410 (expired)."""
        if len(upload_id) != 32 or not all(c in "0123456789abcdef" for c in upload_id):
            raise not_found("Unggahan", "Upload")
        with self.db.read_session() as s:
            up = s.get(Upload, upload_id)
        if up is None or up.village_id != ctx.village_id:
            raise not_found("Unggahan", "Upload")
        if up.expires_at is not None and up.expires_at < utcnow():
            raise ApiError(
                410,
                ErrorCode.GONE,
                "Unggahan ini sudah kedaluwarsa dan dihapus. Kirim ulang berkasnya dari awal.",
                "This upload expired and was deleted. Send the file again from the start.",
            )
        return up

    def get_upload_unchecked(self, upload_id: str) -> Upload:
        """An upload by id, any village, expired or not (tests and tools)."""
        with self.db.read_session() as s:
            up = s.get(Upload, upload_id)
        if up is None:
            raise not_found("Unggahan", "Upload")
        return up

    def upload_offset(self, up: Upload) -> int:
        if not self.storage.appends_in_place:
            return up.offset  # advanced only together with its part row
        # The file is the truth: every byte in it arrived, in order, even if the server died
        # before it could record the new offset in the database.
        try:
            size = self.upload_path(up.id).stat().st_size
        except FileNotFoundError:
            size = 0
        return min(size, up.length)

    def finish_patch(self, upload: Upload, offset: int) -> Upload:
        """Record a PATCH's new offset; hash the file once complete (off the event loop)."""
        now = utcnow()
        digest = file_sha256(self.upload_path(upload.id)) if offset == upload.length else None
        with self.db.session() as s:
            up = s.get(Upload, upload.id)
            if up is None:
                raise not_found("Unggahan", "Upload")
            up.offset = offset
            up.updated_at = now
            if up.expires_at is not None:
                up.expires_at = now + timedelta(seconds=self.settings.upload_expiry_seconds)
            up.sha256 = digest
            s.add(up)
            s.commit()
            return up

    def append_part(self, upload: Upload, offset: int, source: IO[bytes], size: int) -> Upload:
        """Object storage: keep one PATCH's ``size`` bytes (``source``) as the part at
        ``offset``. Raises 409 when another request appended at that offset first (another
        host); joins the parts once the upload is complete."""
        key = self.storage.put_part(upload.id, offset, source)
        now = utcnow()
        try:
            with self.db.session() as s:
                s.add(UploadPart(upload_id=upload.id, offset=offset, key=key, size=size))
                moved = s.execute(
                    update(Upload)
                    .where(col(Upload.id) == upload.id, col(Upload.offset) == offset)
                    .values(offset=offset + size, updated_at=now)
                )
                if moved.rowcount != 1:  # type: ignore[attr-defined]
                    raise IntegrityError("offset moved", None, ValueError("offset moved"))
                s.commit()
        except IntegrityError:
            self.storage.delete_object(key)
            raise ApiError(
                409,
                ErrorCode.UPLOAD_OFFSET_MISMATCH,
                "Posisi unggahan tidak cocok; tanyakan posisi terakhir (HEAD) lalu lanjutkan.",
                "Upload offset mismatch; ask for the current offset (HEAD) and continue from there.",
            ) from None
        new_offset = offset + size
        digest: str | None = None
        if new_offset == upload.length:
            with self.db.read_session() as s:
                keys = [
                    p.key
                    for p in s.exec(
                        select(UploadPart)
                        .where(UploadPart.upload_id == upload.id)
                        .order_by(col(UploadPart.offset))
                    ).all()
                ]
            digest = self.storage.join_parts(upload.id, keys)
        with self.db.session() as s:
            up = s.get(Upload, upload.id)
            if up is None:
                raise not_found("Unggahan", "Upload")
            if up.expires_at is not None:
                up.expires_at = now + timedelta(seconds=self.settings.upload_expiry_seconds)
            if digest is not None:
                up.sha256 = digest
                s.execute(delete(UploadPart).where(col(UploadPart.upload_id) == upload.id))
            s.add(up)
            s.commit()
            return up

    def delete_upload(self, ctx: DeviceCtx, upload_id: str) -> None:
        up = self.get_upload(ctx, upload_id)
        if up.document_id is not None:
            raise ApiError(
                409,
                ErrorCode.CONFLICT,
                "Berkas ini sudah menjadi bagian permohonan yang diterima dan tidak bisa dihapus.",
                "This file already belongs to an accepted application and cannot be deleted.",
            )
        with self.db.session() as s:
            row = s.get(Upload, up.id)
            if row is not None and row.document_id is None:
                s.delete(row)
                s.commit()
            if not self.storage.appends_in_place:
                s.execute(delete(UploadPart).where(col(UploadPart.upload_id) == up.id))
            s.commit()
        self.storage.delete_upload(up.id)

    def purge_expired_uploads(self) -> int:
        now = utcnow()
        with self.db.session() as s:
            rows = s.exec(
                select(Upload).where(col(Upload.expires_at).is_not(None), col(Upload.expires_at) < now)
            ).all()
            for r in rows:
                s.delete(r)
            if rows:
                s.execute(delete(UploadPart).where(col(UploadPart.upload_id).in_([r.id for r in rows])))
            s.commit()
        for r in rows:
            self.storage.delete_upload(r.id)
        if rows:
            log.info("purged %d expired uploads", len(rows))
        return len(rows)

    # --- batches -----------------------------------------------------------------------------

    def put_batch(
        self, ctx: DeviceCtx, batch_id: uuid.UUID, manifest: BatchManifest
    ) -> tuple[BatchReceipt, bool]:
        """Store a batch. Returns (receipt, created). Raises 409/422 ApiErrors."""
        content_hash = sha256_hex(_canonical(manifest.model_dump(mode="json")))
        try:
            return self._put_batch(ctx, batch_id, manifest, content_hash)
        except IntegrityError:
            # The same batch id committed by a concurrent request (a client retry racing
            # the first try): answer as a replay.
            with self.db.read_session() as s:
                existing = self._find_batch(s, ctx, batch_id)
                if existing is None:
                    raise
                return self._replay(existing, content_hash), False

    def _find_batch(self, s: Session, ctx: DeviceCtx, batch_id: uuid.UUID) -> Batch | None:
        return s.exec(
            select(Batch).where(Batch.village_id == ctx.village_id, Batch.client_id == str(batch_id))
        ).first()

    def _replay(self, existing: Batch, content_hash: str) -> BatchReceipt:
        if existing.content_hash != content_hash:
            raise ApiError(
                409,
                ErrorCode.CONFLICT,
                "Kiriman dengan nomor ini sudah diterima dengan isi yang berbeda.",
                "A batch with this id was already received with different content.",
            )
        return BatchReceipt.model_validate_json(existing.receipt_json)

    def _check_application(self, a: ApplicationIn) -> list[ApplicationProblem]:
        problems: list[ApplicationProblem] = []
        if a.service_code not in SERVICES:
            problems.append(
                ApplicationProblem(
                    application_id=a.id,
                    problem=ApplicationProblemKind.UNKNOWN_SERVICE,
                    message_id=f"Layanan '{a.service_code}' tidak dikenal server.",
                    message_en=f"Service '{a.service_code}' is unknown to the server.",
                )
            )
        for kind, check in (
            (ApplicationProblemKind.INVALID_NIK, validate_nik(a.applicant.nik)),
            (ApplicationProblemKind.INVALID_KK, validate_kk(a.applicant.kk_number)),
        ):
            if not check.ok:
                problems.append(
                    ApplicationProblem(
                        application_id=a.id,
                        problem=kind,
                        message_id=check.reason_id,
                        message_en=check.reason_en,
                    )
                )
        problems.extend(bundles.check(a))  # subjects' NIKs, bundle outputs
        return problems

    def _put_batch(
        self, ctx: DeviceCtx, batch_id: uuid.UUID, manifest: BatchManifest, content_hash: str
    ) -> tuple[BatchReceipt, bool]:
        now = utcnow()
        with self.db.session() as s:
            existing = self._find_batch(s, ctx, batch_id)
            if existing is not None:
                return self._replay(existing, content_hash), False
            # Claim the batch id first: the same PUT running at the same moment in another
            # process waits here on the unique (village, client id) until this transaction
            # ends, then fails with IntegrityError and is answered as a replay (put_batch).
            # Without the claim it would find the uploads consumed and answer 422.
            claim = Batch(
                village_id=ctx.village_id,
                client_id=str(batch_id),
                device_id=ctx.device_id,
                content_hash=content_hash,
                received_at=now,
                receipt_json="",
            )
            s.add(claim)
            s.flush()

            app_problems: list[ApplicationProblem] = []
            seen_apps: set[uuid.UUID] = set()
            seen_docs: set[uuid.UUID] = set()
            seen_uploads: set[str] = set()
            for a in manifest.applications:
                if a.id in seen_apps:
                    app_problems.append(
                        ApplicationProblem(
                            application_id=a.id,
                            problem=ApplicationProblemKind.DUPLICATE_ID,
                            message_id="Permohonan yang sama muncul dua kali dalam kiriman.",
                            message_en="The same application appears twice in the batch.",
                        )
                    )
                seen_apps.add(a.id)
                app_problems.extend(self._check_application(a))
                for d in a.documents:
                    if d.id in seen_docs or d.upload_id in seen_uploads:
                        app_problems.append(
                            ApplicationProblem(
                                application_id=a.id,
                                document_id=d.id,
                                problem=ApplicationProblemKind.DUPLICATE_ID,
                                message_id="Berkas yang sama muncul dua kali dalam kiriman.",
                                message_en="The same document or upload appears twice in the batch.",
                            )
                        )
                    seen_docs.add(d.id)
                    seen_uploads.add(d.upload_id)
            if app_problems:
                raise ApiError(
                    422,
                    ErrorCode.MANIFEST_INVALID,
                    "Sebagian permohonan dalam kiriman tidak bisa diterima; lihat daftar masalahnya.",
                    "Some applications in the batch cannot be accepted; see the list of problems.",
                    applications=app_problems,
                )

            # Applications the server knows already: only needs_fix ones may come again.
            ids = [str(a.id) for a in manifest.applications]
            known = {
                r.client_id: r
                for r in s.exec(
                    select(Application)
                    .where(Application.village_id == ctx.village_id, col(Application.client_id).in_(ids))
                    .with_for_update()
                ).all()
            }
            conflicts = [
                ApplicationProblem(
                    application_id=uuid.UUID(cid),
                    problem=ApplicationProblemKind.NOT_EDITABLE,
                    message_id=f"Permohonan ini sudah diterima server (status {app.status}) dan tidak sedang perlu perbaikan.",
                    message_en=f"This application is already on the server (status {app.status}) and not awaiting a fix.",
                )
                for cid, app in known.items()
                if app.status != Status.NEEDS_FIX.value
            ]
            if conflicts:
                raise ApiError(
                    409,
                    ErrorCode.APPLICATION_CONFLICT,
                    "Sebagian permohonan sudah diterima server sebelumnya.",
                    "Some applications were already received by the server.",
                    applications=conflicts,
                )

            # Documents an addendum repeats (same id, same bytes) are already stored: skip them.
            existing_docs: dict[tuple[int, str], AppDocument] = {}
            if known:
                for doc_row in s.exec(
                    select(AppDocument).where(
                        col(AppDocument.application_id).in_([k.id for k in known.values()])
                    )
                ).all():
                    existing_docs[(doc_row.application_id, doc_row.client_id)] = doc_row

            upload_ids = [d.upload_id for a in manifest.applications for d in a.documents]
            uploads = {
                u.id: u
                for u in s.exec(
                    select(Upload)
                    .where(Upload.village_id == ctx.village_id, col(Upload.id).in_(upload_ids))
                    .with_for_update()
                ).all()
            }
            problems: list[UploadProblem] = []
            new_docs: list[tuple[ApplicationIn, Any]] = []
            for a in manifest.applications:
                prior = known.get(str(a.id))
                for d in a.documents:
                    if prior is not None and prior.id is not None:
                        old = existing_docs.get((prior.id, str(d.id)))
                        if old is not None:
                            if old.sha256 != d.sha256:
                                problems.append(
                                    UploadProblem(
                                        application_id=a.id,
                                        document_id=d.id,
                                        upload_id=d.upload_id,
                                        problem=UploadProblemKind.ALREADY_USED,
                                    )
                                )
                            continue
                    problem = self._check_upload(uploads.get(d.upload_id), d.sha256, d.size)
                    if problem is not None:
                        kind, size, digest = problem
                        problems.append(
                            UploadProblem(
                                application_id=a.id,
                                document_id=d.id,
                                upload_id=d.upload_id,
                                problem=kind,
                                received_size=size,
                                received_sha256=digest,
                            )
                        )
                    else:
                        new_docs.append((a, d))
            if problems:
                raise ApiError(
                    422,
                    ErrorCode.UPLOADS_INVALID,
                    "Sebagian berkas belum sampai utuh di server. Kirim ulang berkas yang disebut, lalu kirim kiriman ini lagi.",
                    "Some files have not fully reached the server. Upload the listed files again, then resend this batch.",
                    uploads=problems,
                )

            apps: list[tuple[Application, bool]] = []
            for a in manifest.applications:
                prior = known.get(str(a.id))
                if prior is not None:
                    check_transition(Status.NEEDS_FIX, Status.SENT, Actor.OFFICE)
                    app = prior
                else:
                    app = Application(
                        village_id=ctx.village_id,
                        client_id=str(a.id),
                        batch_client_id=str(batch_id),
                        service_code=a.service_code,
                        nik="",
                        name="",
                        kk_number="",
                        status=Status.SENT.value,
                        received_at=now,
                    )
                app.nik = a.applicant.nik
                app.name = a.applicant.name
                app.kk_number = a.applicant.kk_number
                app.phone = a.applicant.phone
                app.address = a.applicant.address
                app.urgency = a.urgency.value
                app.notes = a.notes
                app.status = Status.SENT.value
                app.message = ""
                app.updated_at = now
                s.add(app)
                apps.append((app, prior is not None))
            s.flush()
            app_pk = {a.client_id: a.id for a, _ in apps}
            for a in manifest.applications:
                pk = app_pk[str(a.id)]
                assert pk is not None
                bundles.store(s, pk, a)
            for a, d in new_docs:
                pk = app_pk[str(a.id)]
                assert pk is not None
                doc = AppDocument(
                    application_id=pk,
                    client_id=str(d.id),
                    batch_client_id=str(batch_id),
                    requirement_code=d.requirement_code,
                    upload_id=d.upload_id,
                    sha256=d.sha256,
                    size=d.size,
                    page_count=d.page_count,
                    mime=d.mime,
                    received_at=now,
                )
                s.add(doc)
                s.flush()
                up = uploads[d.upload_id]
                up.document_id = doc.id
                up.expires_at = None
                s.add(up)

            seqs = allocate_seqs(s, ctx.village_id, len(apps))
            receipts: list[ApplicationReceipt] = []
            for (app, addendum), (key, seq) in zip(apps, seqs, strict=True):
                assert app.id is not None
                s.add(
                    Change(
                        seq=key,
                        village_seq=seq,
                        village_id=ctx.village_id,
                        application_id=app.id,
                        status=Status.SENT.value,
                        actor=Actor.OFFICE.value,
                        message="",
                        at=now,
                    )
                )
                receipts.append(
                    ApplicationReceipt(
                        id=uuid.UUID(app.client_id), status=Status.SENT, addendum=addendum, seq=seq
                    )
                )
            receipt = BatchReceipt(batch_id=batch_id, received_at=aware(now), applications=receipts)
            claim.receipt_json = receipt.model_dump_json()
            s.add(claim)
            s.commit()
        log.info(
            "village %s: batch %s with %d applications (%d documents)",
            ctx.village_code,
            batch_id,
            len(apps),
            len(new_docs),
        )
        return receipt, True

    def _check_upload(
        self, up: Upload | None, sha256: str, size: int
    ) -> tuple[UploadProblemKind, int | None, str | None] | None:
        if up is None or (up.expires_at is not None and up.expires_at < utcnow()):
            return UploadProblemKind.MISSING, None, None
        if up.document_id is not None:
            return UploadProblemKind.ALREADY_USED, None, None
        offset = self.upload_offset(up)
        if offset < up.length:
            return UploadProblemKind.INCOMPLETE, offset, None
        if up.length != size:
            return UploadProblemKind.SIZE_MISMATCH, up.length, None
        digest = up.sha256 or file_sha256(self.upload_path(up.id))
        if digest != sha256:
            return UploadProblemKind.SHA256_MISMATCH, up.length, digest
        return None

    # --- changes -------------------------------------------------------------------------------

    def changes(self, ctx: DeviceCtx, after: int, limit: int) -> ChangePage:
        with self.db.read_session() as s:
            rows = s.exec(
                select(Change, Application.client_id)
                .join(Application, col(Application.id) == Change.application_id)
                .where(Change.village_id == ctx.village_id, Change.village_seq > after)
                .order_by(col(Change.village_seq))
                .limit(limit + 1)
            ).all()
        more = len(rows) > limit
        rows = rows[:limit]
        changes = [
            WireChange(
                seq=c.village_seq,
                application_id=uuid.UUID(cid),
                status=Status(c.status),
                actor=Actor(c.actor),
                message=c.message,
                at=aware(c.at),
                documents=[DispatchedDocument.model_validate(d) for d in json.loads(c.documents_json)],
            )
            for c, cid in rows
        ]
        return ChangePage(changes=changes, next_after=changes[-1].seq if changes else after, has_more=more)

    # --- village events ------------------------------------------------------------------------

    def post_events(self, ctx: DeviceCtx, events: Sequence[EventIn]) -> EventsResult:
        now = utcnow()
        results: list[EventResult] = []
        with self.db.session() as s:
            pending: list[tuple[EventResult, Application, EventIn, Event]] = []
            batch_seen: dict[str, EventResult] = {}
            # One query each for the events already stored and the applications concerned,
            # not two per event.
            stored_events = {
                ev.client_id: ev
                for ev in s.exec(
                    select(Event).where(
                        Event.village_id == ctx.village_id,
                        col(Event.client_id).in_(list({str(e.id) for e in events})),
                    )
                ).all()
            }
            apps = {
                a.client_id: a
                for a in s.exec(
                    select(Application)
                    .where(
                        Application.village_id == ctx.village_id,
                        col(Application.client_id).in_(list({str(e.application_id) for e in events})),
                    )
                    .order_by(col(Application.id))
                    .with_for_update()
                ).all()
            }
            for e in events:
                payload = e.model_dump(mode="json")
                content_hash = sha256_hex(_canonical(payload))
                stored = stored_events.get(str(e.id))
                if stored is not None or str(e.id) in batch_seen:
                    prev = (
                        EventResult.model_validate_json(stored.result_json)
                        if stored is not None
                        else batch_seen[str(e.id)]
                    )
                    results.append(prev.model_copy(update={"duplicate": True}))
                    continue
                app = apps.get(str(e.application_id))
                result = self._apply_event(app, e)
                ev = Event(
                    village_id=ctx.village_id,
                    client_id=str(e.id),
                    application_id=app.id if app is not None else None,
                    content_hash=content_hash,
                    payload_json=_canonical(payload),
                    result_json="",
                    received_at=now,
                )
                if result.outcome is EventOutcome.APPLIED:
                    assert app is not None
                    app.status = e.status.value
                    app.updated_at = now
                    s.add(app)
                    pending.append((result, app, e, ev))
                else:
                    ev.result_json = result.model_dump_json()
                s.add(ev)
                batch_seen[str(e.id)] = result
                results.append(result)
            seqs = allocate_seqs(s, ctx.village_id, len(pending))
            for (result, app, e, ev), (key, seq) in zip(pending, seqs, strict=True):
                assert app.id is not None
                result.seq = seq
                ev.result_json = result.model_dump_json()
                s.add(ev)
                s.add(
                    Change(
                        seq=key,
                        village_seq=seq,
                        village_id=ctx.village_id,
                        application_id=app.id,
                        status=e.status.value,
                        actor=Actor.VILLAGE.value,
                        message=e.note,
                        at=aware(e.at),
                    )
                )
            s.commit()
        return EventsResult(results=results)

    def _apply_event(self, app: Application | None, e: EventIn) -> EventResult:
        if app is None:
            return EventResult(
                id=e.id,
                outcome=EventOutcome.REJECTED,
                message_id="Permohonan tidak dikenal server.",
                message_en="Application unknown to the server.",
            )
        try:
            check_transition(Status(app.status), e.status, Actor.VILLAGE)
        except TransitionError:
            return EventResult(
                id=e.id,
                outcome=EventOutcome.REJECTED,
                message_id=f"Status tidak bisa diubah dari '{app.status}' ke '{e.status.value}' oleh desa.",
                message_en=f"The village may not change the status from '{app.status}' to '{e.status.value}'.",
            )
        if e.status is Status.HANDED_OVER and e.handover is None:
            return EventResult(
                id=e.id,
                outcome=EventOutcome.REJECTED,
                message_id="Penyerahan harus mencatat siapa penerimanya.",
                message_en="A hand-over must record who received the document.",
            )
        return EventResult(id=e.id, outcome=EventOutcome.APPLIED)

    # --- finished documents (village side) ------------------------------------------------------

    def village_document(self, ctx: DeviceCtx, doc_id: uuid.UUID) -> tuple[FinishedDocument, Path]:
        with self.db.read_session() as s:
            row = s.exec(
                select(FinishedDocument, Application.status)
                .join(Application, col(Application.id) == FinishedDocument.application_id)
                .where(FinishedDocument.id == doc_id.hex, FinishedDocument.village_id == ctx.village_id)
            ).first()
        if row is None or not row[0].has_file or row[1] not in _DISPATCHED_OR_LATER:
            raise not_found("Dokumen", "Document")
        return row[0], self.finished_path(row[0].id)

    # --- office side -----------------------------------------------------------------------------

    def _audit(self, s: Session, actor: str, action: str, target: str, detail: str = "") -> None:
        s.add(AdminAction(actor=actor, action=action, target=target, detail=detail))
        log.info("admin %s: %s %s %s", actor, action, target, detail)

    def _new_enrollment_code(self, s: Session, village: Village) -> EnrollmentCodeOut:
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
        expires = utcnow() + timedelta(seconds=self.settings.enrollment_code_ttl_seconds)
        assert village.id is not None
        s.add(EnrollmentCode(village_id=village.id, code_hash=sha256_hex(raw), expires_at=expires))
        shown = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        return EnrollmentCodeOut(village_code=village.code, enrollment_code=shown, expires_at=aware(expires))

    def create_village(self, code: str, name: str, actor: str) -> EnrollmentCodeOut:
        with self.db.session() as s:
            if s.exec(select(Village).where(Village.code == code)).first() is not None:
                raise ApiError(
                    409,
                    ErrorCode.CONFLICT,
                    f"Desa dengan kode {code} sudah ada.",
                    f"A village with code {code} already exists.",
                )
            village = Village(code=code, name=name)
            s.add(village)
            s.flush()
            out = self._new_enrollment_code(s, village)
            self._audit(s, actor, "village.create", code, name)
            s.commit()
        return out

    def new_enrollment_code(self, village_code: str, actor: str) -> EnrollmentCodeOut:
        with self.db.session() as s:
            village = s.exec(select(Village).where(Village.code == village_code)).first()
            if village is None:
                raise not_found("Desa", "Village")
            out = self._new_enrollment_code(s, village)
            self._audit(s, actor, "enrollment_code.create", village_code)
            s.commit()
        return out

    def list_villages(self) -> list[VillageOut]:
        with self.db.read_session() as s:
            counts = dict(
                s.exec(
                    select(Device.village_id, func.count())
                    .where(col(Device.revoked_at).is_(None))
                    .group_by(col(Device.village_id))
                ).all()
            )
            villages = s.exec(select(Village).order_by(col(Village.code))).all()
        return [
            VillageOut(
                id=v.id or 0,
                code=v.code,
                name=v.name,
                created_at=aware(v.created_at),
                devices=counts.get(v.id or 0, 0),
            )
            for v in villages
        ]

    def list_devices(self, village_code: str | None = None) -> list[DeviceOut]:
        with self.db.read_session() as s:
            q = select(Device, Village.code).join(Village, col(Village.id) == Device.village_id)
            if village_code:
                q = q.where(Village.code == village_code)
            rows = s.exec(q.order_by(col(Device.enrolled_at))).all()
        return [self._device_out(d, code) for d, code in rows]

    @staticmethod
    def _device_out(d: Device, village_code: str) -> DeviceOut:
        return DeviceOut(
            id=uuid.UUID(d.id),
            village_code=village_code,
            name=d.name,
            app_version=d.app_version,
            enrolled_at=aware(d.enrolled_at),
            last_seen_at=aware(d.last_seen_at) if d.last_seen_at else None,
            revoked_at=aware(d.revoked_at) if d.revoked_at else None,
        )

    def revoke_device(self, device_id: uuid.UUID, actor: str) -> DeviceOut:
        with self.db.session() as s:
            d = s.get(Device, device_id.hex)
            if d is None:
                raise not_found("Perangkat", "Device")
            if d.revoked_at is None:
                d.revoked_at = utcnow()
                s.add(d)
                self._audit(s, actor, "device.revoke", d.id)
            village = s.get(Village, d.village_id)
            assert village is not None
            s.commit()
        return self._device_out(d, village.code)

    def _finished_by_app(self, s: Session, app_ids: Sequence[int]) -> dict[int, list[FinishedDocument]]:
        out: dict[int, list[FinishedDocument]] = {i: [] for i in app_ids}
        for f in s.exec(
            select(FinishedDocument)
            .where(col(FinishedDocument.application_id).in_(list(app_ids)))
            .order_by(col(FinishedDocument.created_at))
        ).all():
            out[f.application_id].append(f)
        return out

    def _apps_out(self, s: Session, apps: Sequence[Application]) -> list[ApplicationOut]:
        """Wire form of ``apps``, with three queries in all rather than three per application."""
        if not apps:
            return []
        app_ids = [a.id for a in apps if a.id is not None]
        codes = dict(
            s.exec(
                select(Village.id, Village.code).where(
                    col(Village.id).in_(list({a.village_id for a in apps}))
                )
            ).all()
        )
        docs: dict[int, list[AppDocument]] = {i: [] for i in app_ids}
        for d in s.exec(
            select(AppDocument)
            .where(col(AppDocument.application_id).in_(app_ids))
            .order_by(col(AppDocument.id))
        ).all():
            docs[d.application_id].append(d)
        fins = self._finished_by_app(s, app_ids)
        details = bundles.load(s, app_ids)
        out: list[ApplicationOut] = []
        for app in apps:
            assert app.id is not None
            out.append(
                ApplicationOut(
                    id=app.id,
                    client_id=uuid.UUID(app.client_id),
                    village_code=codes[app.village_id],
                    batch_id=uuid.UUID(app.batch_client_id),
                    service_code=app.service_code,
                    applicant=WireApplicant(
                        nik=app.nik,
                        name=app.name,
                        kk_number=app.kk_number,
                        phone=app.phone,
                        address=app.address,
                    ),
                    urgency=app.urgency,  # type: ignore[arg-type]
                    notes=app.notes,
                    status=Status(app.status),
                    message=app.message,
                    received_at=aware(app.received_at),
                    updated_at=aware(app.updated_at),
                    documents=[
                        UploadedDocumentOut(
                            id=uuid.UUID(d.client_id),
                            requirement_code=d.requirement_code,
                            upload_id=d.upload_id,
                            sha256=d.sha256,
                            size=d.size,
                            page_count=d.page_count,
                            mime=d.mime,
                            received_at=aware(d.received_at),
                        )
                        for d in docs[app.id]
                    ],
                    finished_documents=[
                        self._finished_out(f, bundles.output_of(details.get(app.id, {}), f.id))
                        for f in fins[app.id]
                    ],
                    event_date=details.get(app.id, {}).get("event_date"),
                    subjects=bundles.subjects_out(details.get(app.id, {})),
                    outputs=bundles.outputs_out(app.service_code, details.get(app.id, {})),
                    catalog_version=details.get(app.id, {}).get("catalog_version", ""),
                )
            )
        return out

    @staticmethod
    def _finished_out(f: FinishedDocument, output: str = "") -> FinishedDocumentOut:
        return FinishedDocumentOut(
            id=uuid.UUID(f.id),
            title=f.title,
            output=output,
            has_file=f.has_file,
            size=f.size,
            sha256=f.sha256,
            created_at=aware(f.created_at),
        )

    def list_applications(
        self,
        *,
        status: Status | None = None,
        village_code: str | None = None,
        after_id: int = 0,
        limit: int = 100,
    ) -> ApplicationList:
        with self.db.read_session() as s:
            q = select(Application).where(col(Application.id) > after_id)
            if status is not None:
                q = q.where(Application.status == status.value)
            if village_code:
                village = s.exec(select(Village).where(Village.code == village_code)).first()
                if village is None:
                    return ApplicationList(items=[])
                q = q.where(Application.village_id == village.id)
            rows = s.exec(q.order_by(col(Application.id)).limit(limit + 1)).all()
            items = self._apps_out(s, rows[:limit])
        return ApplicationList(items=items, next_after_id=items[-1].id if len(rows) > limit else None)

    def get_application(self, app_id: int) -> ApplicationOut:
        with self.db.read_session() as s:
            app = s.get(Application, app_id)
            if app is None:
                raise not_found("Permohonan", "Application")
            [out] = self._apps_out(s, [app])
            return out

    def application_file(self, app_id: int, doc_id: uuid.UUID) -> tuple[AppDocument, Path]:
        with self.db.read_session() as s:
            d = s.exec(
                select(AppDocument).where(
                    AppDocument.application_id == app_id, AppDocument.client_id == str(doc_id)
                )
            ).first()
        if d is None:
            raise not_found("Berkas", "Document")
        return d, self.upload_path(d.upload_id)

    def set_status(self, app_id: int, status: Status, message: str, actor: str) -> ApplicationOut:
        if status is Status.DISPATCHED:
            raise ApiError(
                409,
                ErrorCode.TRANSITION_NOT_ALLOWED,
                "Gunakan pengiriman (dispatch) untuk mengirim dokumen ke desa.",
                "Use a dispatch to send documents to a village.",
            )
        if status in (Status.NEEDS_FIX, Status.REJECTED) and not message.strip():
            raise ApiError(
                422,
                ErrorCode.INVALID_REQUEST,
                "Tuliskan alasan untuk desa (apa yang perlu diperbaiki atau mengapa ditolak).",
                "Write the reason for the village (what to fix or why it is rejected).",
            )
        now = utcnow()
        with self.db.session() as s:
            app = s.exec(select(Application).where(Application.id == app_id).with_for_update()).first()
            if app is None:
                raise not_found("Permohonan", "Application")
            self._transition(Status(app.status), status)
            app.status = status.value
            app.message = message
            app.updated_at = now
            s.add(app)
            assert app.id is not None
            [(key, seq)] = allocate_seqs(s, app.village_id, 1)
            s.add(
                Change(
                    seq=key,
                    village_seq=seq,
                    village_id=app.village_id,
                    application_id=app.id,
                    status=status.value,
                    actor=Actor.OFFICE.value,
                    message=message,
                    at=now,
                )
            )
            self._audit(s, actor, "application.status", str(app_id), status.value)
            s.commit()
            [out] = self._apps_out(s, [app])
            return out

    @staticmethod
    def _transition(current: Status, target: Status) -> None:
        try:
            check_transition(current, target, Actor.OFFICE)
        except TransitionError as exc:
            raise ApiError(
                409,
                ErrorCode.TRANSITION_NOT_ALLOWED,
                f"Status tidak bisa diubah dari '{current.value}' ke '{target.value}'.",
                f"The status cannot change from '{current.value}' to '{target.value}'.",
            ) from exc

    def attach_finished(
        self, app_id: int, title: str, source: Path | None, actor: str, output: str = ""
    ) -> FinishedDocumentOut:
        """Attach a finished document: a signed PDF (``source``, moved into the store) or,
        with ``source=None``, a printed one that travels by courier. ``output`` names the
        document of a bundle it finishes (bundles.py)."""
        doc_id = uuid.uuid4().hex
        size: int | None = None
        digest: str | None = None
        if source is not None:
            with source.open("rb") as f:
                if f.read(5) != b"%PDF-":
                    raise ApiError(
                        422,
                        ErrorCode.INVALID_REQUEST,
                        "Berkas ini bukan PDF.",
                        "This file is not a PDF.",
                    )
            size = source.stat().st_size
            digest = file_sha256(source)
        with self.db.session() as s:
            app = s.exec(select(Application).where(Application.id == app_id).with_for_update()).first()
            if app is None:
                raise not_found("Permohonan", "Application")
            if app.status in _DISPATCHED_OR_LATER or app.status == Status.REJECTED.value:
                raise ApiError(
                    409,
                    ErrorCode.TRANSITION_NOT_ALLOWED,
                    "Dokumen hanya bisa dilampirkan sebelum dikirim ke desa.",
                    "Documents can only be attached before dispatch.",
                )
            assert app.id is not None
            row = FinishedDocument(
                id=doc_id,
                application_id=app.id,
                village_id=app.village_id,
                title=title,
                has_file=source is not None,
                size=size,
                sha256=digest,
            )
            if output and not bundles.record_finished(s, app.id, app.service_code, output, doc_id):
                raise ApiError(
                    422,
                    ErrorCode.INVALID_REQUEST,
                    f"Permohonan ini tidak meminta dokumen '{output}'.",
                    f"This application does not ask for the document '{output}'.",
                )
            if source is not None:
                self.storage.put_document(doc_id, source)
            s.add(row)
            self._audit(s, actor, "application.attach", str(app_id), f"{title} ({size or 0} bytes)")
            s.commit()
            return self._finished_out(row, output)

    def dispatch(self, village_code: str, app_ids: Sequence[int], message: str, actor: str) -> DispatchOut:
        now = utcnow()
        with self.db.session() as s:
            village = s.exec(select(Village).where(Village.code == village_code)).first()
            if village is None:
                raise not_found("Desa", "Village")
            apps = s.exec(
                select(Application)
                .where(col(Application.id).in_(list(app_ids)))
                .order_by(col(Application.id))
                .with_for_update()
            ).all()
            found = {a.id: a for a in apps if a.village_id == village.id}
            missing = [i for i in app_ids if i not in found]
            if missing:
                raise ApiError(
                    404,
                    ErrorCode.NOT_FOUND,
                    f"Permohonan {missing} tidak ada di desa {village_code}.",
                    f"Applications {missing} do not belong to village {village_code}.",
                )
            for a in found.values():
                self._transition(Status(a.status), Status.DISPATCHED)
            ordered = [found[i] for i in dict.fromkeys(app_ids)]
            fins_by_app = self._finished_by_app(s, app_ids)
            details = bundles.load(s, [a.id for a in ordered if a.id is not None])
            docs_by_app: dict[int, list[dict[str, Any]]] = {}
            for a in ordered:
                assert a.id is not None
                docs_by_app[a.id] = [
                    DispatchedDocument(
                        id=uuid.UUID(f.id),
                        title=f.title,
                        output=bundles.output_of(details.get(a.id, {}), f.id),
                        has_file=f.has_file,
                        size=f.size,
                        sha256=f.sha256,
                    ).model_dump(mode="json")
                    for f in fins_by_app[a.id]
                ]
                a.status = Status.DISPATCHED.value
                a.message = message
                a.updated_at = now
                s.add(a)
            seqs = allocate_seqs(s, village.id or 0, len(ordered))
            for a, (key, seq) in zip(ordered, seqs, strict=True):
                assert a.id is not None
                s.add(
                    Change(
                        seq=key,
                        village_seq=seq,
                        village_id=village.id or 0,
                        application_id=a.id,
                        status=Status.DISPATCHED.value,
                        actor=Actor.OFFICE.value,
                        message=message,
                        at=now,
                        documents_json=_canonical(docs_by_app[a.id]),
                    )
                )
            self._audit(s, actor, "dispatch", village_code, ",".join(str(a.id) for a in ordered))
            s.commit()
            return DispatchOut(village_code=village_code, applications=self._apps_out(s, ordered))

    def publish_catalog(self, raw: dict[str, Any], actor: str) -> str:
        """Publish the office's catalog version (bundles.py); 422 when unusable, 409 when the
        version exists."""
        from desa_capil.domain.catalog import CatalogError

        try:
            with self.db.session() as s:
                version = bundles.publish_catalog(s, raw, actor)
                self._audit(s, actor, "catalog.publish", version, "")
                s.commit()
        except CatalogError as exc:
            raise ApiError(
                422,
                ErrorCode.INVALID_REQUEST,
                f"Katalog layanan tidak bisa dipakai: {exc}",
                f"The service catalog cannot be used: {exc}",
            ) from exc
        except ValueError as exc:
            raise ApiError(
                409,
                ErrorCode.CONFLICT,
                f"Katalog versi {exc} sudah pernah diterbitkan; beri nomor versi baru.",
                f"Catalog version {exc} was published before; give it a new version number.",
            ) from exc
        return version

    def latest_catalog(self) -> tuple[str, dict[str, Any]] | None:
        with self.db.read_session() as s:
            return bundles.latest_catalog(s)

    def admin_log(self, limit: int = 100) -> list[AdminLogEntry]:
        with self.db.read_session() as s:
            rows = s.exec(select(AdminAction).order_by(col(AdminAction.id).desc()).limit(limit)).all()
        return [
            AdminLogEntry(
                id=r.id or 0, at=aware(r.at), actor=r.actor, action=r.action, target=r.target, detail=r.detail
            )
            for r in rows
        ]
