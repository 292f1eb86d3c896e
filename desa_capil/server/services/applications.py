"""Applications as the office sees them: lists, one application, its files, status changes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session, col, select

from desa_capil.api.models import Applicant as WireApplicant
from desa_capil.api.models import (
    ApplicationList,
    ApplicationOut,
    ErrorCode,
    FinishedDocumentOut,
    UploadedDocumentOut,
)
from desa_capil.domain.status import Actor, Status
from desa_capil.server import bundles
from desa_capil.server.db import (
    AppDocument,
    Application,
    Change,
    FinishedDocument,
    Village,
    allocate_seqs,
    aware,
    utcnow,
)
from desa_capil.server.errors import ApiError, not_found
from desa_capil.server.services.core import (
    Area,
    audit,
    office_transition,
)


def finished_out(f: FinishedDocument, output: str = "") -> FinishedDocumentOut:
    return FinishedDocumentOut(
        id=uuid.UUID(f.id),
        title=f.title,
        output=output,
        has_file=f.has_file,
        size=f.size,
        sha256=f.sha256,
        created_at=aware(f.created_at),
    )


class ApplicationService(Area):
    def finished_by_app(self, s: Session, app_ids: Sequence[int]) -> dict[int, list[FinishedDocument]]:
        out: dict[int, list[FinishedDocument]] = {i: [] for i in app_ids}
        for f in s.exec(
            select(FinishedDocument)
            .where(col(FinishedDocument.application_id).in_(list(app_ids)))
            .order_by(col(FinishedDocument.created_at))
        ).all():
            out[f.application_id].append(f)
        return out

    def apps_out(self, s: Session, apps: Sequence[Application]) -> list[ApplicationOut]:
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
        fins = self.finished_by_app(s, app_ids)
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
                        finished_out(f, bundles.output_of(details.get(app.id, {}), f.id))
                        for f in fins[app.id]
                    ],
                    event_date=details.get(app.id, {}).get("event_date"),
                    subjects=bundles.subjects_out(details.get(app.id, {})),
                    outputs=bundles.outputs_out(app.service_code, details.get(app.id, {})),
                    catalog_version=details.get(app.id, {}).get("catalog_version", ""),
                )
            )
        return out

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
            items = self.apps_out(s, rows[:limit])
        return ApplicationList(items=items, next_after_id=items[-1].id if len(rows) > limit else None)

    def get_application(self, app_id: int) -> ApplicationOut:
        with self.db.read_session() as s:
            app = s.get(Application, app_id)
            if app is None:
                raise not_found("Permohonan", "Application")
            [out] = self.apps_out(s, [app])
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
        return d, self.storage.upload_path(d.upload_id)

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
            office_transition(Status(app.status), status)
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
            audit(s, actor, "application.status", str(app_id), status.value)
            s.commit()
            [out] = self.apps_out(s, [app])
            return out
