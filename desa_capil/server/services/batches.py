"""Batch acceptance (``PUT /batches/{id}``), in the order of the wire contract:

1. a batch id seen before is a replay: the same receipt again, when its content is the same
   (documents compared by their sha256 and size, not by the tus upload that carried them);
2. the batch id is claimed (unique per village: the same PUT on another process waits, then
   gets the replay answer);
3. every application is checked on its own (service known, NIK/KK, bundle outputs, no
   duplicate ids) -> 422 ``manifest_invalid``;
4. applications the server has already may only come again while they await a fix -> 409;
5. every new document's upload is complete and matches -> 422 ``uploads_invalid``;
6. applications, bundle details and documents are stored, uploads consumed;
7. one change per application (status ``sent``) and the receipt, all in one transaction.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from desa_capil.api.models import (
    ApplicationIn,
    ApplicationProblem,
    ApplicationProblemKind,
    ApplicationReceipt,
    BatchManifest,
    BatchReceipt,
    DocumentIn,
    ErrorCode,
    UploadProblem,
    UploadProblemKind,
)
from desa_capil.domain.catalog import SERVICES
from desa_capil.domain.nik import validate_kk, validate_nik
from desa_capil.domain.status import Actor, Status, check_transition
from desa_capil.server import bundles
from desa_capil.server.db import (
    AppDocument,
    Application,
    Batch,
    Change,
    Upload,
    allocate_seqs,
    aware,
    utcnow,
)
from desa_capil.server.errors import ApiError
from desa_capil.server.services.core import (
    Area,
    Core,
    DeviceCtx,
    canonical,
    sha256_hex,
)
from desa_capil.server.services.uploads import UploadService

log = logging.getLogger(__name__)

_DIFFERENT_CONTENT = (
    "Kiriman dengan nomor ini sudah diterima dengan isi yang berbeda.",
    "A batch with this id was already received with different content.",
)


@dataclass
class _Accepted:
    """What step 6 stored: each application with whether it was an addendum."""

    apps: list[tuple[Application, bool]]
    documents: int


def content_hash(manifest: BatchManifest) -> str:
    """The hash a batch's content is recognised by (the manifest as sent)."""
    return sha256_hex(canonical(manifest.model_dump(mode="json")))


class BatchService(Area):
    def __init__(self, core: Core, uploads: UploadService) -> None:
        super().__init__(core)
        self.uploads = uploads

    def put_batch(
        self, ctx: DeviceCtx, batch_id: uuid.UUID, manifest: BatchManifest
    ) -> tuple[BatchReceipt, bool]:
        """Store a batch. Returns (receipt, created). Raises 409/422 ApiErrors."""
        digest = content_hash(manifest)
        try:
            return self._put_batch(ctx, batch_id, manifest, digest)
        except IntegrityError:
            # The same batch id committed by a concurrent request (a client retry racing
            # the first try): answer as a replay.
            with self.db.read_session() as s:
                existing = self._find_batch(s, ctx, batch_id)
                if existing is None:
                    raise
                return self._replay(s, ctx, existing, manifest, digest), False

    def _put_batch(
        self, ctx: DeviceCtx, batch_id: uuid.UUID, manifest: BatchManifest, digest: str
    ) -> tuple[BatchReceipt, bool]:
        with self.db.session() as s:
            receipt, created = self._put_batch_in(s, ctx, batch_id, manifest, digest)
            if created:
                s.commit()
        return receipt, created

    def put_batch_in(
        self, s: Session, ctx: DeviceCtx, batch_id: uuid.UUID, manifest: BatchManifest
    ) -> tuple[BatchReceipt, bool]:
        """``put_batch`` inside the caller's transaction, which commits (or rolls back) it with
        its other work: a USB bundle's batches, events and import record commit together
        (server/usb.py). On an ApiError the caller rolls back what this call wrote (a
        SAVEPOINT around it). A concurrent PUT of the same id surfaces as IntegrityError."""
        return self._put_batch_in(s, ctx, batch_id, manifest, content_hash(manifest))

    def replay_if_held(
        self, s: Session, ctx: DeviceCtx, batch_id: uuid.UUID, manifest: BatchManifest
    ) -> BatchReceipt | None:
        """The replay answer when the batch id is held already (its receipt, or 409 for other
        content), as seen by ``s``; None when it is not."""
        existing = self._find_batch(s, ctx, batch_id)
        if existing is None:
            return None
        return self._replay(s, ctx, existing, manifest, content_hash(manifest))

    def _put_batch_in(
        self, s: Session, ctx: DeviceCtx, batch_id: uuid.UUID, manifest: BatchManifest, digest: str
    ) -> tuple[BatchReceipt, bool]:
        now = utcnow()
        existing = self._find_batch(s, ctx, batch_id)
        if existing is not None:
            return self._replay(s, ctx, existing, manifest, digest), False
        claim = self._claim(s, ctx, batch_id, digest, now)
        self._check_applications(manifest)
        known = self._applications_awaiting_fix(s, ctx, manifest)
        new_docs, uploads = self._check_uploads(s, ctx, manifest, known)
        accepted = self._store(s, ctx, batch_id, manifest, known, new_docs, uploads, now)
        receipt = self._record_changes(s, ctx, batch_id, accepted, now)
        claim.receipt_json = receipt.model_dump_json()
        s.add(claim)
        s.flush()
        log.info(
            "village %s: batch %s with %d applications (%d documents)",
            ctx.village_code,
            batch_id,
            len(accepted.apps),
            accepted.documents,
        )
        return receipt, True

    # --- 1. replay -----------------------------------------------------------------------------

    def _find_batch(self, s: Session, ctx: DeviceCtx, batch_id: uuid.UUID) -> Batch | None:
        return s.exec(
            select(Batch).where(Batch.village_id == ctx.village_id, Batch.client_id == str(batch_id))
        ).first()

    def _replay(
        self, s: Session, ctx: DeviceCtx, existing: Batch, manifest: BatchManifest, digest: str
    ) -> BatchReceipt:
        """The stored receipt when ``manifest`` is the batch received before; else 409."""
        if existing.content_hash != digest and existing.content_hash != self._hash_as_stored(
            s, ctx, manifest
        ):
            raise ApiError(409, ErrorCode.CONFLICT, *_DIFFERENT_CONTENT)
        return BatchReceipt.model_validate_json(existing.receipt_json)

    def _hash_as_stored(self, s: Session, ctx: DeviceCtx, manifest: BatchManifest) -> str | None:
        """The content hash of ``manifest`` with each document's upload id replaced by the
        one the server stored for that document, when the server has every document with the
        same sha256 and size; else None.

        A laptop restored from a backup made before a batch went out sends that batch again
        with the same ids and bytes, but uploaded again under new tus upload ids: the upload
        id only says how the bytes travelled, so such a batch is the same batch."""
        app_ids = [str(a.id) for a in manifest.applications]
        stored: dict[tuple[str, str], AppDocument] = {
            (cid, d.client_id): d
            for d, cid in s.exec(
                select(AppDocument, Application.client_id)
                .join(Application, col(Application.id) == AppDocument.application_id)
                .where(Application.village_id == ctx.village_id, col(Application.client_id).in_(app_ids))
            ).all()
        }
        as_stored = manifest.model_copy(deep=True)
        for a in as_stored.applications:
            for d in a.documents:
                old = stored.get((str(a.id), str(d.id)))
                if old is None or old.sha256 != d.sha256 or old.size != d.size:
                    return None
                d.upload_id = old.upload_id
        return content_hash(as_stored)

    # --- 2. claim ------------------------------------------------------------------------------

    def _claim(self, s: Session, ctx: DeviceCtx, batch_id: uuid.UUID, digest: str, now: datetime) -> Batch:
        """Claim the batch id first: the same PUT running at the same moment in another
        process waits on the unique (village, client id) until this transaction ends, then
        fails with IntegrityError and is answered as a replay (put_batch). Without the claim
        it would find the uploads consumed and answer 422."""
        claim = Batch(
            village_id=ctx.village_id,
            client_id=str(batch_id),
            device_id=ctx.device_id,
            content_hash=digest,
            received_at=now,
            receipt_json="",
        )
        s.add(claim)
        s.flush()
        return claim

    # --- 3. each application on its own ---------------------------------------------------------

    def _check_applications(self, manifest: BatchManifest) -> None:
        problems: list[ApplicationProblem] = []
        seen_apps: set[uuid.UUID] = set()
        seen_docs: set[uuid.UUID] = set()
        seen_uploads: set[str] = set()
        for a in manifest.applications:
            if a.id in seen_apps:
                problems.append(
                    ApplicationProblem(
                        application_id=a.id,
                        problem=ApplicationProblemKind.DUPLICATE_ID,
                        message_id="Permohonan yang sama muncul dua kali dalam kiriman.",
                        message_en="The same application appears twice in the batch.",
                    )
                )
            seen_apps.add(a.id)
            problems.extend(self._check_application(a))
            for d in a.documents:
                if d.id in seen_docs or d.upload_id in seen_uploads:
                    problems.append(
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
        if problems:
            raise ApiError(
                422,
                ErrorCode.MANIFEST_INVALID,
                "Sebagian permohonan dalam kiriman tidak bisa diterima; lihat daftar masalahnya.",
                "Some applications in the batch cannot be accepted; see the list of problems.",
                applications=problems,
            )

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

    # --- 4. applications the server has already --------------------------------------------------

    def _applications_awaiting_fix(
        self, s: Session, ctx: DeviceCtx, manifest: BatchManifest
    ) -> dict[str, Application]:
        """The batch's applications the server has already (by client id, locked); 409 unless
        every one of them awaits a fix (an addendum)."""
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
        return known

    # --- 5. uploads -----------------------------------------------------------------------------

    def _check_uploads(
        self, s: Session, ctx: DeviceCtx, manifest: BatchManifest, known: dict[str, Application]
    ) -> tuple[list[tuple[ApplicationIn, DocumentIn]], dict[str, Upload]]:
        """The documents to store, each with its complete, matching upload (locked); 422
        listing every upload that is missing, incomplete or different. Documents an addendum
        repeats (same id, same bytes) are stored already and skipped."""
        existing_docs: dict[tuple[int, str], AppDocument] = {}
        if known:
            for doc_row in s.exec(
                select(AppDocument).where(col(AppDocument.application_id).in_([k.id for k in known.values()]))
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
        new_docs: list[tuple[ApplicationIn, DocumentIn]] = []
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
                problem = self.uploads.check_upload(uploads.get(d.upload_id), d.sha256, d.size)
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
        return new_docs, uploads

    # --- 6. store -------------------------------------------------------------------------------

    def _store(
        self,
        s: Session,
        ctx: DeviceCtx,
        batch_id: uuid.UUID,
        manifest: BatchManifest,
        known: dict[str, Application],
        new_docs: list[tuple[ApplicationIn, DocumentIn]],
        uploads: dict[str, Upload],
        now: datetime,
    ) -> _Accepted:
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
        return _Accepted(apps, len(new_docs))

    # --- 7. changes and receipt ------------------------------------------------------------------

    def _record_changes(
        self, s: Session, ctx: DeviceCtx, batch_id: uuid.UUID, accepted: _Accepted, now: datetime
    ) -> BatchReceipt:
        seqs = allocate_seqs(s, ctx.village_id, len(accepted.apps))
        receipts: list[ApplicationReceipt] = []
        for (app, addendum), (key, seq) in zip(accepted.apps, seqs, strict=True):
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
        return BatchReceipt(batch_id=batch_id, received_at=aware(now), applications=receipts)
