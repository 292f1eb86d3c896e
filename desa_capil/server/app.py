"""The FastAPI application: village API, tus uploads, the office (admin) API, the office
console and signed app updates, behind the proxy and guard middleware.

``create_app(settings)`` builds everything; ``uvicorn desa_capil.server.app:create_app --factory``
runs it with settings from the environment. The routes are in ``routes/`` (one module per
area) and ``tus.py``, their dependencies in ``deps.py``, the work in ``services/`` (through the
``service.CentralService`` facade), the middleware in ``middleware.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from desa_capil import __version__
from desa_capil.api.models import ErrorBody, ErrorCode, FieldProblem
from desa_capil.server import console, tus, updates, usb_routes
from desa_capil.server.config import Settings
from desa_capil.server.deps import query_without_nul, require_admin, require_device
from desa_capil.server.errors import HTTP_MESSAGES, ApiError, too_large
from desa_capil.server.limits import DatabaseBucket, Limiter, MemoryBucket
from desa_capil.server.middleware import BodyTooLarge, GuardMiddleware, ProxyMiddleware
from desa_capil.server.request_coding import RequestDecodingMiddleware
from desa_capil.server.routes import admin, batches, changes, documents, events, village
from desa_capil.server.service import CentralService
from desa_capil.server.usb import UsbService

log = logging.getLogger(__name__)


def error_response(err: ApiError) -> JSONResponse:
    return JSONResponse(err.body.model_dump(mode="json"), status_code=err.status, headers=err.headers)


def create_app(settings: Settings | None = None, service: CentralService | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    svc = service or CentralService(settings)
    admin_token = svc.admin_token()
    device_bucket: Limiter = (
        MemoryBucket(settings.rate_burst, settings.rate_per_second)
        if svc.db.is_sqlite
        else DatabaseBucket(svc.db, "device", settings.rate_burst, settings.rate_per_second)
    )
    # Enrollment guesses: per client address and per code tried (routes/village.py).
    enroll_by_address = DatabaseBucket(
        svc.db, "enroll-addr", settings.enroll_burst, settings.enroll_per_second
    )
    enroll_by_code = DatabaseBucket(svc.db, "enroll-code", settings.enroll_burst, settings.enroll_per_second)
    started = threading.Event()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async def purge_loop() -> None:
            while True:
                try:
                    await run_in_threadpool(svc.purge_expired_uploads)
                    await run_in_threadpool(enroll_by_address.purge)
                except Exception:
                    log.exception("purging expired uploads failed")
                await asyncio.sleep(3600)

        task = asyncio.create_task(purge_loop())
        started.set()
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            if service is None:
                svc.close()

    app = FastAPI(
        title="desa_capil central API",
        version=__version__,
        description=(
            "Wire contract v1 between village offices and the regency's Disdukcapil. "
            "Unknown fields in requests are ignored (not stored); clients must ignore unknown fields "
            "in answers. Every error body is an ErrorBody."
        ),
        lifespan=lifespan,
        openapi_url="/openapi.json",
        dependencies=[Depends(query_without_nul)],
    )
    app.state.service = svc
    app.state.settings = settings
    app.state.started = started
    app.state.admin_token = admin_token
    app.state.device_bucket = device_bucket
    app.state.enroll_by_address = enroll_by_address
    app.state.enroll_by_code = enroll_by_code

    @app.exception_handler(ApiError)
    async def _api_error(_req: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_req: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            FieldProblem(
                loc=[p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
                message=str(e.get("msg", "")),
            )
            for e in exc.errors()
        ]
        body = ErrorBody(
            error=ErrorCode.INVALID_REQUEST.value,
            message_id="Isi permintaan tidak valid; lihat daftar kolomnya.",
            message_en="The request is invalid; see the list of fields.",
            fields=fields,
        )
        return JSONResponse(body.model_dump(mode="json"), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_req: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc, BodyTooLarge):
            return error_response(too_large(exc.limit))
        code, mid, men = HTTP_MESSAGES.get(
            exc.status_code, (ErrorCode.INVALID_REQUEST, "Permintaan gagal.", "Request failed.")
        )
        body = ErrorBody(error=code.value, message_id=mid, message_en=men)
        return JSONResponse(body.model_dump(mode="json"), status_code=exc.status_code, headers=exc.headers)

    # Unhandled exceptions: GuardMiddleware logs them without values and answers 500.

    for area in (village, batches, changes, events, documents):
        app.include_router(area.router)
    app.include_router(tus.make_router(svc, require_device))
    app.include_router(admin.router)
    # The USB route (server/usb.py): device keys, relay, bundle import and return bundles.
    app.state.usb = UsbService(svc)
    usb_routes.mount(app, app.state.usb, require_device, require_admin)
    console.mount(app, svc, settings)
    updates.mount(app, settings)  # signed app releases (TUF), desa_capil.server.updates
    # Added innermost first. JSON answers are gzipped for clients that accept it (a change
    # page or an application list shrinks ~5x on a paid village link); files are not (PDFs
    # and scans are compressed already, and Range requests must see the bytes as stored).
    # JSON request bodies may come gzip-coded (RFC 7694): decoded inside the guard, so that
    # the guard bounds the coded bytes and the decoder the decoded ones (request_coding.py).
    app.add_middleware(RequestDecodingMiddleware, settings=settings)
    app.add_middleware(GuardMiddleware, settings=settings)
    app.add_middleware(
        GZipMiddleware,
        minimum_size=500,
        compresslevel=6,
        exclude_content_types=(
            *DEFAULT_EXCLUDED_CONTENT_TYPES,
            "application/pdf",
            "application/octet-stream",
            "image/tiff",
        ),
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PUT", "PATCH", "HEAD", "DELETE", "OPTIONS"],
            allow_headers=tus.REQUEST_HEADERS,
            expose_headers=tus.RESPONSE_HEADERS,
            max_age=600,
        )
    app.add_middleware(ProxyMiddleware, settings=settings)
    return app
