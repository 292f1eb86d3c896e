"""The office API (``/api/v1/admin``, admin token): villages, laptops, applications,
finished documents, dispatch, the catalog and the admin log. The console and the CLI call
the same service methods."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from desa_capil.api.models import (
    API_PREFIX,
    AdminLogEntry,
    ApplicationList,
    ApplicationOut,
    DeviceOut,
    DispatchCreate,
    DispatchOut,
    EnrollmentCodeOut,
    FinishedDocumentOut,
    StatusUpdate,
    VillageCode,
    VillageCreate,
    VillageOut,
    file_extension,
)
from desa_capil.domain.status import Status
from desa_capil.server import validation
from desa_capil.server.deps import ERROR_RESPONSES, MAX_DB_INT, AdminDep, ServiceDep

router = APIRouter(prefix=f"{API_PREFIX}/admin", tags=["admin"], responses=ERROR_RESPONSES)


@router.post("/villages", response_model=EnrollmentCodeOut, status_code=201)
def add_village(body: VillageCreate, actor: AdminDep, svc: ServiceDep) -> EnrollmentCodeOut:
    validation.check(body)
    return svc.create_village(body.code, body.name, actor)


@router.get("/villages", response_model=list[VillageOut])
def villages(actor: AdminDep, svc: ServiceDep) -> list[VillageOut]:
    return svc.list_villages()


@router.post("/villages/{code}/enrollment-codes", response_model=EnrollmentCodeOut, status_code=201)
def new_code(
    code: Annotated[VillageCode, PathParam()], actor: AdminDep, svc: ServiceDep
) -> EnrollmentCodeOut:
    return svc.new_enrollment_code(code, actor)


@router.get("/devices", response_model=list[DeviceOut])
def devices(
    actor: AdminDep, svc: ServiceDep, village: Annotated[str | None, Query(max_length=13)] = None
) -> list[DeviceOut]:
    return svc.list_devices(village)


@router.post("/devices/{device_id}/revoke", response_model=DeviceOut)
def revoke(device_id: uuid.UUID, actor: AdminDep, svc: ServiceDep) -> DeviceOut:
    return svc.revoke_device(device_id, actor)


@router.get("/applications", response_model=ApplicationList)
def applications(
    actor: AdminDep,
    svc: ServiceDep,
    status: Status | None = None,
    village: Annotated[str | None, Query(max_length=13)] = None,
    after_id: Annotated[int, Query(ge=0, le=MAX_DB_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ApplicationList:
    return svc.list_applications(status=status, village_code=village, after_id=after_id, limit=limit)


@router.get("/applications/{app_id}", response_model=ApplicationOut)
def application(
    app_id: Annotated[int, PathParam(ge=1, le=MAX_DB_INT)], actor: AdminDep, svc: ServiceDep
) -> ApplicationOut:
    return svc.get_application(app_id)


@router.get(
    "/applications/{app_id}/documents/{doc_id}/file",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def application_file(
    app_id: Annotated[int, PathParam(ge=1, le=MAX_DB_INT)],
    doc_id: uuid.UUID,
    actor: AdminDep,
    svc: ServiceDep,
) -> FileResponse:
    doc, path = svc.application_file(app_id, doc_id)
    return FileResponse(
        path,
        media_type=doc.mime or "application/octet-stream",
        filename=f"{doc.requirement_code}{file_extension(doc.mime)}",
    )


@router.post("/applications/{app_id}/status", response_model=ApplicationOut)
def set_status(
    app_id: Annotated[int, PathParam(ge=1, le=MAX_DB_INT)],
    body: StatusUpdate,
    actor: AdminDep,
    svc: ServiceDep,
) -> ApplicationOut:
    validation.check(body)
    return svc.set_status(app_id, body.status, body.message, actor)


@router.post(
    "/applications/{app_id}/finished-documents",
    response_model=FinishedDocumentOut,
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def attach(
    app_id: Annotated[int, PathParam(ge=1, le=MAX_DB_INT)],
    title: Annotated[str, Query(min_length=1, max_length=200)],
    request: Request,
    actor: AdminDep,
    svc: ServiceDep,
    output: Annotated[str, Query(pattern=r"^[a-z0-9_]{0,64}$")] = "",
) -> FinishedDocumentOut:
    """Attach a finished document. Body: the signed PDF, or empty for a printed document
    that travels by courier."""
    with tempfile.TemporaryDirectory(dir=svc.settings.files_dir) as tmpdir:
        tmp = Path(tmpdir) / "upload.pdf"
        size = 0
        with tmp.open("wb") as f:
            async for chunk in request.stream():
                size += len(chunk)
                f.write(chunk)
        return await run_in_threadpool(
            svc.attach_finished, app_id, title, tmp if size else None, actor, output
        )


@router.post("/dispatches", response_model=DispatchOut, status_code=201)
def dispatch(body: DispatchCreate, actor: AdminDep, svc: ServiceDep) -> DispatchOut:
    validation.check(body)
    return svc.dispatch(body.village_code, body.application_ids, body.message, actor)


@router.put("/catalog", status_code=200)
def publish_catalog(body: dict[str, Any], actor: AdminDep, svc: ServiceDep) -> dict[str, str]:
    """Publish the office's catalog version; villages receive it with their next sync."""
    return {"version": svc.publish_catalog(body, actor)}


@router.get("/log", response_model=list[AdminLogEntry])
def admin_log(
    actor: AdminDep, svc: ServiceDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[AdminLogEntry]:
    return svc.admin_log(limit)
