"""Finished documents: attached by the office, fetched by the village once dispatched."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlmodel import col, select

from desa_capil.api.models import (
    ErrorCode,
    FinishedDocumentOut,
)
from desa_capil.domain.status import Status
from desa_capil.server import bundles
from desa_capil.server.db import (
    Application,
    FinishedDocument,
)
from desa_capil.server.errors import ApiError, not_found
from desa_capil.server.services.applications import finished_out
from desa_capil.server.services.core import (
    DISPATCHED_OR_LATER,
    Area,
    DeviceCtx,
    audit,
    file_sha256,
)


class DocumentService(Area):
    def finished_path(self, doc_id: str) -> Path:
        return self.storage.document_path(doc_id)

    def village_document(self, ctx: DeviceCtx, doc_id: uuid.UUID) -> tuple[FinishedDocument, Path]:
        with self.db.read_session() as s:
            row = s.exec(
                select(FinishedDocument, Application.status)
                .join(Application, col(Application.id) == FinishedDocument.application_id)
                .where(FinishedDocument.id == doc_id.hex, FinishedDocument.village_id == ctx.village_id)
            ).first()
        if row is None or not row[0].has_file or row[1] not in DISPATCHED_OR_LATER:
            raise not_found("Dokumen", "Document")
        return row[0], self.finished_path(row[0].id)

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
            if app.status in DISPATCHED_OR_LATER or app.status == Status.REJECTED.value:
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
            audit(s, actor, "application.attach", str(app_id), f"{title} ({size or 0} bytes)")
            s.commit()
            return finished_out(row, output)
