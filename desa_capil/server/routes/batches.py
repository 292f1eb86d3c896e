"""``PUT /batches/{id}``: a village's sealed batch (services.batches)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from desa_capil.api.models import API_PREFIX, BatchManifest, BatchReceipt
from desa_capil.server import validation
from desa_capil.server.deps import ERROR_RESPONSES, DeviceDep, ServiceDep

router = APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES, tags=["village"])


@router.put(
    "/batches/{batch_id}",
    response_model=BatchReceipt,
    status_code=201,
    responses={200: {"model": BatchReceipt, "description": "identical replay"}},
)
def put_batch(batch_id: uuid.UUID, body: BatchManifest, ctx: DeviceDep, svc: ServiceDep) -> JSONResponse:
    validation.check(body)
    receipt, created = svc.put_batch(ctx, batch_id, body)
    return JSONResponse(receipt.model_dump(mode="json"), status_code=201 if created else 200)
