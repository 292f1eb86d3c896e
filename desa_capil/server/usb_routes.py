"""HTTP routes of the USB route (server/usb.py): device keys, relay, and the office's admin API.

Device routes (device token): ``GET /api/v1/usb/office-keys``, ``PUT /api/v1/device/keys``,
``POST /api/v1/usb/relay`` (body: a bundle file of any village). Without a token (the laptop
proves its signing key instead): ``GET /api/v1/usb/token-challenge``, ``POST /api/v1/usb/token``. Admin routes (admin token):
``POST /api/v1/admin/usb/enrollments``, ``POST /api/v1/admin/usb/import`` (body: a bundle file),
``POST /api/v1/admin/usb/return/{village_code}`` (answer: the return bundle file).

No ``from __future__ import annotations`` here: the dependency aliases are made inside
``mount`` and FastAPI must see them as objects, not as names to resolve later.
"""

import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from desa_capil.api.models import API_PREFIX, EnrollResponse, VillageCode
from desa_capil.server.errors import too_large
from desa_capil.server.service import DeviceCtx
from desa_capil.server.usb import (
    DeviceKeysIn,
    EnrollmentOut,
    ImportReport,
    OfficeKeys,
    TokenChallenge,
    TokenRequest,
    UsbService,
    refused,
)
from desa_capil.usbroute import BundleError

# A bundle of 200 applications with their scans is a few hundred MB at most.
MAX_BUNDLE_SIZE = 2 * 1024 * 1024 * 1024
BUNDLE_PATHS = (f"{API_PREFIX}/usb/relay", f"{API_PREFIX}/admin/usb/import", "/console/usb/impor")

_BINARY_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class ReturnDevice(BaseModel):
    device_id: str
    name: str
    cursor: int  # the last change the office knows the laptop holds: its next bundle starts after it
    return_seq: int
    last_seq: int
    keys_via: str


class EnrollmentCreate(BaseModel):
    village_code: VillageCode
    device_name: str = Field(default="", max_length=100)
    server_url: str = Field(default="", max_length=300)


async def receive_file(request: Request, folder: Path) -> Path:
    """The request body streamed into a file under ``folder`` (the caller removes the folder)."""
    path = folder / "bundle.dcb"
    size = 0
    with path.open("wb") as fh:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BUNDLE_SIZE:
                raise too_large(MAX_BUNDLE_SIZE)
            fh.write(chunk)
    return path


def import_file(usb: UsbService, path: Path, carrier: str, accept_revoked_by: str = "") -> ImportReport:
    try:
        return usb.import_bundle(path, carrier=carrier, accept_revoked_by=accept_revoked_by)
    except BundleError as err:
        raise refused(err) from err


def mount(
    app: FastAPI,
    usb: UsbService,
    require_device: Callable[..., DeviceCtx],
    require_admin: Callable[..., str],
) -> None:
    DeviceDep = Annotated[DeviceCtx, Depends(require_device)]
    AdminDep = Annotated[str, Depends(require_admin)]
    incoming = usb.incoming

    v1 = APIRouter(prefix=API_PREFIX, tags=["usb"])

    @v1.get("/usb/office-keys", response_model=OfficeKeys)
    def office_keys(ctx: DeviceDep) -> OfficeKeys:
        """The office's public keys, so an online-enrolled laptop can use the USB route."""
        return usb.office_keys()

    @v1.put("/device/keys", response_model=OfficeKeys, responses={201: {"model": OfficeKeys}})
    def device_keys(body: DeviceKeysIn, ctx: DeviceDep) -> JSONResponse:
        """Register this laptop's public keys (201 first time, 200 the same again, 409 others)."""
        created, _row = usb.register_keys(ctx, body)
        return JSONResponse(usb.office_keys().model_dump(), status_code=201 if created else 200)

    @v1.post("/usb/relay", response_model=ImportReport, openapi_extra=_BINARY_BODY)
    async def relay(request: Request, ctx: DeviceDep) -> ImportReport:
        """A bundle carried for another village ("titip kirim"): checked against the signature
        of the village device that made it, never the relay's."""
        incoming.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=incoming) as tmp:
            path = await receive_file(request, Path(tmp))
            return await run_in_threadpool(import_file, usb, path, f"relay:{ctx.device_id}")

    @v1.get("/usb/token-challenge", response_model=TokenChallenge)
    def token_challenge(device_id: Annotated[str, Query(max_length=40)]) -> TokenChallenge:
        """Step 1 of a device token for a laptop enrolled by stick (no token yet)."""
        return usb.token_challenge(device_id)

    @v1.post("/usb/token", response_model=EnrollResponse, status_code=201)
    def token(body: TokenRequest) -> EnrollResponse:
        """Step 2: the challenge signed with the laptop's signing key -> a device token."""
        return usb.issue_token(body)

    app.include_router(v1)

    admin = APIRouter(prefix=f"{API_PREFIX}/admin/usb", tags=["admin"])

    @admin.post("/enrollments", response_model=EnrollmentOut, status_code=201)
    def enrollment(body: EnrollmentCreate, actor: AdminDep) -> EnrollmentOut:
        """A new enrollment file for a village laptop (base64) and its paper code."""
        out, _raw = usb.create_enrollment(
            body.village_code, actor, device_name=body.device_name, server_url=body.server_url
        )
        return out

    @admin.post("/import", response_model=ImportReport, openapi_extra=_BINARY_BODY)
    async def import_bundle(
        request: Request, actor: AdminDep, accept_revoked: Annotated[bool, Query()] = False
    ) -> ImportReport:
        """Import a village bundle. ``accept_revoked=true``: the admin confirms importing the
        backup of a revoked laptop (refused ``revoked`` without it); recorded in the report."""
        incoming.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=incoming) as tmp:
            path = await receive_file(request, Path(tmp))
            return await run_in_threadpool(
                import_file, usb, path, f"office:{actor}", actor if accept_revoked else ""
            )

    @admin.post(
        "/return/{village_code}",
        response_class=FileResponse,
        responses={200: {"content": {"application/octet-stream": {}}, "description": "the return bundle"}},
    )
    def export_return(
        village_code: Annotated[VillageCode, PathParam()],
        actor: AdminDep,
        device_id: Annotated[str | None, Query(max_length=40)] = None,
    ) -> FileResponse:
        """The return bundle for one laptop of the village (``device_id``; may be left out when
        the village has one laptop, else 409 naming them; list: ``GET .../return/{code}/devices``)."""
        incoming.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=incoming, prefix="out-"))
        out = tmp / f"{village_code}-kembali.dcb"
        try:
            made = usb.export_return(village_code, out, device_id=device_id)
        except BaseException:
            _remove(tmp)
            raise
        return FileResponse(
            made.path,
            media_type="application/octet-stream",
            filename=made.path.name,
            headers={
                "X-Bundle-Seq": str(made.seq),
                "X-Changes": str(made.changes),
                "X-Device-Id": str(uuid.UUID(made.device_id)),
            },
            background=BackgroundTask(_remove, tmp),
        )

    @admin.get("/return/{village_code}/devices", response_model=list[ReturnDevice])
    def return_devices(
        village_code: Annotated[VillageCode, PathParam()], actor: AdminDep
    ) -> list[ReturnDevice]:
        """The village's laptops a return bundle can be made for, each with its own cursor."""
        return [ReturnDevice(**d) for d in usb.return_devices(village_code)]

    app.include_router(admin)


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
