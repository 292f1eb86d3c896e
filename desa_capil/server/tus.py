"""tus 1.0 resumable uploads at ``/api/v1/uploads/`` (core, creation, termination, expiration).

Small and exact, written against https://tus.io/protocols/resumable-upload:

* ``OPTIONS /uploads/``: Tus-Version, Tus-Extension, Tus-Max-Size (no auth, discovery only).
* ``POST /uploads/``: Upload-Length + Upload-Metadata (``filename``, ``sha256``, ``filetype``)
  -> 201 + Location (path-absolute, clients resolve it against the creation URL).
* ``HEAD /uploads/{id}``: Upload-Offset, Upload-Length, Upload-Expires.
* ``PATCH /uploads/{id}``: body streamed straight to the file. When the connection drops
  mid-body, what arrived stays on disk and counts: the next HEAD reports it. That is what
  lets a village on a 2G link make progress one fragment at a time.
* ``DELETE /uploads/{id}``: termination.

The offset is the length of the file on disk (bytes are only ever appended, in order), so
even a server killed mid-PATCH resumes correctly. One PATCH at a time per upload: a second
one gets 423 (an OS file lock, so it holds across worker processes too).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from email.utils import format_datetime
from typing import IO

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from desa_capil.api.models import API_PREFIX, TUS_VERSION, ErrorCode
from desa_capil.server.db import Upload, aware
from desa_capil.server.errors import ApiError, too_large
from desa_capil.server.service import CentralService, DeviceCtx

try:  # POSIX: lock across worker processes
    import fcntl
except ImportError:  # pragma: no cover - Windows (the embedded demo server): one process
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

EXTENSIONS = "creation,termination,expiration"
_OFFSET_CT = "application/offset+octet-stream"


def parse_metadata(header: str) -> dict[str, str]:
    """Upload-Metadata: comma-separated ``key base64value`` pairs (value optional)."""
    out: dict[str, str] = {}
    if not header.strip():
        return out
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        if not parts[0] or len(parts) > 2 or parts[0] in out:
            raise _bad("Upload-Metadata tidak valid.", "Invalid Upload-Metadata.")
        value = ""
        if len(parts) == 2:
            try:
                value = base64.b64decode(parts[1], validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise _bad("Upload-Metadata tidak valid.", "Invalid Upload-Metadata.") from exc
        out[parts[0]] = value
    return out


def _bad(mid: str, men: str, status: int = 400) -> ApiError:
    return ApiError(status, ErrorCode.INVALID_REQUEST, mid, men)


def _int_header(request: Request, name: str) -> int:
    raw = request.headers.get(name)
    if raw is None or not raw.isdigit() or len(raw) > 18:
        raise _bad(f"Header {name} tidak ada atau tidak valid.", f"Header {name} is missing or invalid.")
    return int(raw)


def _check_resumable(request: Request) -> None:
    if request.headers.get("tus-resumable") != TUS_VERSION:
        raise ApiError(
            412,
            ErrorCode.INVALID_REQUEST,
            "Versi protokol tus tidak didukung.",
            "Unsupported tus protocol version.",
            headers={"Tus-Version": TUS_VERSION},
        )


def _expiry_headers(up: Upload, offset: int) -> dict[str, str]:
    if up.expires_at is None or offset >= up.length:
        return {}
    return {"Upload-Expires": format_datetime(aware(up.expires_at), usegmt=True)}


# Uploads with a PATCH running in this process; the file lock covers other processes.
_active: set[str] = set()


@contextlib.contextmanager
def _exclusive(upload_id: str, f: IO[bytes]) -> Iterator[None]:
    locked = ApiError(
        423,
        ErrorCode.UPLOAD_LOCKED,
        "Berkas ini sedang dikirim oleh permintaan lain. Coba lagi sebentar lagi.",
        "Another request is sending this file. Try again shortly.",
    )
    if upload_id in _active:
        raise locked
    if fcntl is not None:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise locked from exc
    _active.add(upload_id)
    try:
        yield
    finally:
        _active.discard(upload_id)
        if fcntl is not None:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def make_router(svc: CentralService, require_device: Callable[[Request], DeviceCtx]) -> APIRouter:
    router = APIRouter(prefix=f"{API_PREFIX}/uploads", tags=["uploads (tus 1.0)"])
    settings = svc.settings

    async def auth(request: Request) -> DeviceCtx:
        ctx: DeviceCtx = await run_in_threadpool(require_device, request)
        return ctx

    @router.options("/", status_code=204)
    async def options() -> Response:
        return Response(
            status_code=204,
            headers={
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": EXTENSIONS,
                "Tus-Max-Size": str(settings.max_upload_size),
            },
        )

    @router.post("/", status_code=201)
    async def create(request: Request) -> Response:
        _check_resumable(request)
        ctx = await auth(request)
        if "upload-defer-length" in request.headers:
            raise _bad("Upload-Defer-Length tidak didukung.", "Upload-Defer-Length is not supported.")
        length = _int_header(request, "upload-length")
        if length > settings.max_upload_size:
            raise too_large(settings.max_upload_size)
        meta = parse_metadata(request.headers.get("upload-metadata", ""))
        up = await run_in_threadpool(svc.create_upload, ctx, length, meta)
        return Response(
            status_code=201,
            headers={"Location": f"{API_PREFIX}/uploads/{up.id}", **_expiry_headers(up, 0)},
        )

    @router.head("/{upload_id}")
    async def head(upload_id: str, request: Request) -> Response:
        _check_resumable(request)
        ctx = await auth(request)
        up = await run_in_threadpool(svc.get_upload, ctx, upload_id)
        offset = svc.upload_offset(up)
        return Response(
            status_code=200,
            headers={
                "Upload-Offset": str(offset),
                "Upload-Length": str(up.length),
                "Cache-Control": "no-store",
                **_expiry_headers(up, offset),
            },
        )

    @router.patch("/{upload_id}", status_code=204)
    async def patch(upload_id: str, request: Request) -> Response:
        _check_resumable(request)
        ctx = await auth(request)
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != _OFFSET_CT:
            raise _bad(f"Content-Type harus {_OFFSET_CT}.", f"Content-Type must be {_OFFSET_CT}.", status=415)
        client_offset = _int_header(request, "upload-offset")
        up = await run_in_threadpool(svc.get_upload, ctx, upload_id)
        path = svc.upload_path(up.id)
        with path.open("r+b") as f, _exclusive(up.id, f):
            offset = os.fstat(f.fileno()).st_size
            if client_offset != offset:
                raise ApiError(
                    409,
                    ErrorCode.UPLOAD_OFFSET_MISMATCH,
                    "Posisi unggahan tidak cocok; tanyakan posisi terakhir (HEAD) lalu lanjutkan.",
                    "Upload offset mismatch; ask for the current offset (HEAD) and continue from there.",
                    headers={"Upload-Offset": str(offset)},
                )
            remaining = up.length - offset
            declared = request.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > remaining:
                raise _bad(
                    "Isi PATCH melebihi Upload-Length.", "PATCH body exceeds Upload-Length.", status=413
                )
            f.seek(offset)
            written = 0
            overflow = False
            try:
                async for chunk in request.stream():
                    if written + len(chunk) > remaining:
                        chunk = chunk[: remaining - written]
                        overflow = True
                    f.write(chunk)
                    written += len(chunk)
                    if overflow:
                        break
            except ClientDisconnect:
                # Keep what arrived: the client resumes from here after a HEAD.
                log.info("upload %s: client gone after %d bytes of this PATCH", up.id, written)
            f.flush()
            # Up to max_upload_size bytes to flush to disk: not on the event loop, which
            # serves every other village meanwhile.
            await run_in_threadpool(os.fsync, f.fileno())
            new_offset = offset + written
            up = await run_in_threadpool(svc.finish_patch, up, new_offset)
        if overflow:
            raise _bad("Isi PATCH melebihi Upload-Length.", "PATCH body exceeds Upload-Length.", status=413)
        return Response(
            status_code=204, headers={"Upload-Offset": str(new_offset), **_expiry_headers(up, new_offset)}
        )

    @router.delete("/{upload_id}", status_code=204)
    async def delete(upload_id: str, request: Request) -> Response:
        _check_resumable(request)
        ctx = await auth(request)
        await run_in_threadpool(svc.delete_upload, ctx, upload_id)
        return Response(status_code=204)

    return router
