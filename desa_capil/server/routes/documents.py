"""``GET /documents/{id}/file``: a signed PDF the office dispatched to the village."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import FileResponse

from desa_capil.api.models import API_PREFIX
from desa_capil.server.deps import ERROR_RESPONSES, DeviceDep, ServiceDep

router = APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES, tags=["village"])


@router.get(
    "/documents/{doc_id}/file",
    response_class=FileResponse,
    responses={200: {"content": {"application/pdf": {}}, "description": "the signed PDF"}},
)
def document_file(doc_id: uuid.UUID, ctx: DeviceDep, svc: ServiceDep) -> FileResponse:
    doc, path = svc.village_document(ctx, doc_id)
    return FileResponse(
        path,
        media_type="application/pdf",
        filename=f"{doc.id}.pdf",
        headers={"ETag": f'"{doc.sha256}"', "Cache-Control": "private, no-store"},
    )
