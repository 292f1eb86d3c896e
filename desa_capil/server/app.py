"""The FastAPI application: village API, tus uploads and the office (admin) API.

``create_app(settings)`` builds everything; ``uvicorn desa_capil.server.app:create_app --factory``
runs it with settings from the environment.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import logging
import re
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from desa_capil import __version__
from desa_capil.api.models import (
    API_PREFIX,
    MAX_CHANGES_PAGE,
    TUS_VERSION,
    AdminLogEntry,
    ApplicationList,
    ApplicationOut,
    BatchManifest,
    BatchReceipt,
    ChangePage,
    DeviceOut,
    DispatchCreate,
    DispatchOut,
    EnrollmentCodeOut,
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    ErrorCode,
    EventsIn,
    EventsResult,
    FieldProblem,
    FinishedDocumentOut,
    Health,
    StatusUpdate,
    VillageCode,
    VillageCreate,
    VillageOut,
    file_extension,
)
from desa_capil.domain.status import Status
from desa_capil.server import console, tus, updates, usb_routes, validation
from desa_capil.server.config import Settings
from desa_capil.server.errors import ApiError, describe_for_log, too_large, unauthorized
from desa_capil.server.limits import DatabaseBucket, Limiter, MemoryBucket
from desa_capil.server.service import CentralService, DeviceCtx, normalize_enrollment_code, sha256_hex
from desa_capil.server.usb import UsbService

log = logging.getLogger(__name__)

# Ids and cursors are 32-bit INTEGER columns on PostgreSQL: larger values can only be unknown.
MAX_DB_INT = 2**31 - 1

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 404, 409, 413, 422, 429)
}

_MESSAGES: dict[int, tuple[ErrorCode, str, str]] = {
    400: (ErrorCode.INVALID_REQUEST, "Permintaan tidak valid.", "Bad request."),
    401: (ErrorCode.UNAUTHORIZED, "Tidak berwenang.", "Unauthorized."),
    403: (ErrorCode.FORBIDDEN, "Tidak diizinkan.", "Forbidden."),
    404: (ErrorCode.NOT_FOUND, "Tidak ditemukan.", "Not found."),
    405: (ErrorCode.INVALID_REQUEST, "Metode tidak didukung.", "Method not allowed."),
    413: (ErrorCode.TOO_LARGE, "Permintaan terlalu besar.", "Request too large."),
    415: (ErrorCode.INVALID_REQUEST, "Jenis isi tidak didukung.", "Unsupported content type."),
    429: (
        ErrorCode.RATE_LIMITED,
        "Terlalu banyak permintaan. Tunggu sebentar lalu coba lagi.",
        "Too many requests. Wait a moment and try again.",
    ),
}


def _rate_limited(wait: float) -> ApiError:
    code, mid, men = _MESSAGES[429]
    return ApiError(429, code, mid, men, headers={"Retry-After": str(max(1, int(wait + 0.999)))})


class BodyTooLarge(StarletteHTTPException):
    """A body that outgrew its limit while arriving (no Content-Length). A Starlette
    HTTPException because FastAPI turns any other error while reading a body into a 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413)
        self.limit = limit


ASGIApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[MutableMapping[str, Any]]],
        Callable[..., Awaitable[None]],
    ],
    Awaitable[None],
]


class GuardMiddleware:
    """Security headers on every answer, Tus-Resumable on upload answers, and request body
    limits (by Content-Length up front, and by counting for chunked bodies)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def _limit(self, method: str, path: str) -> int:
        if path.startswith(f"{API_PREFIX}/uploads"):
            return self.settings.max_upload_size
        if path.startswith(f"{API_PREFIX}/admin/applications") and path.endswith("/finished-documents"):
            return self.settings.max_upload_size
        if path.startswith("/console/permohonan/") and path.endswith(("/dokumen", "/selesai")):
            return self.settings.max_upload_size  # the console's signed-PDF upload forms
        if path in usb_routes.BUNDLE_PATHS:
            return usb_routes.MAX_BUNDLE_SIZE  # USB bundles (server/usb_routes.py)
        return self.settings.max_json_body

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        is_tus = path.startswith(f"{API_PREFIX}/uploads")
        is_docs = path in ("/docs", "/redoc") or path.startswith("/docs/")
        limit = self._limit(scope["method"], path)

        async def send_wrapper(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cross-origin-resource-policy", b"same-origin"),
                ]
                # Pages that set their own policy (the office console) keep it.
                if not is_docs and not any(k.lower() == b"content-security-policy" for k, _ in headers):
                    headers.append(
                        (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
                    )
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                if scope.get("scheme") == "https":
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                if is_tus:
                    headers.append((b"tus-resumable", TUS_VERSION.encode()))
                message["headers"] = headers
            await send(message)

        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    declared = int(v)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > limit:
                    err = too_large(limit) if declared > limit else ApiError(400, *_MESSAGES[400])
                    resp = JSONResponse(err.body.model_dump(mode="json"), status_code=err.status)
                    await resp(scope, receive, send_wrapper)
                    return
        received = 0
        body_done = False
        read_timeout = self.settings.body_read_timeout

        async def receive_wrapper() -> MutableMapping[str, Any]:
            nonlocal received, body_done
            if body_done:  # waiting for a disconnect while answering: no time limit
                return await receive()  # type: ignore[no-any-return]
            try:
                # Every piece of a body within read_timeout: a client that vanished without
                # closing its connection does not hold a request (and an upload) for ever.
                message: MutableMapping[str, Any] = await asyncio.wait_for(receive(), read_timeout)
            except TimeoutError:
                log.info("request body stalled for %.0f s: treated as cut", read_timeout)
                body_done = True
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
                body_done = not message.get("more_body", False)
            else:
                body_done = True
            return message

        started = False

        async def send_tracking(message: MutableMapping[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_wrapper(message)

        try:
            await self.app(scope, receive_wrapper, send_tracking)
        except Exception as exc:
            # Handled here rather than by Starlette's ServerErrorMiddleware, which would hand
            # the exception on to uvicorn to log with its message (values included).
            log.error("%s", describe_for_log(exc))
            if not started:
                await _internal_error_response()(scope, receive_wrapper, send_tracking)


def _internal_error_response() -> JSONResponse:
    body = ErrorBody(
        error=ErrorCode.INTERNAL.value,
        message_id="Terjadi kesalahan di server. Coba lagi nanti; data Anda tetap tersimpan di laptop.",
        message_en="The server had an error. Try again later; your data stays safe on the laptop.",
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=500)


_PREFIX_RE = re.compile(r"^(/[A-Za-z0-9._~-]+)*/?$")
_OVERRIDABLE = {"PATCH", "DELETE", "HEAD", "OPTIONS", "GET", "POST", "PUT"}


class ProxyMiddleware:
    """Outermost: what a trusted reverse proxy says about the request.

    * The path prefix (``X-Forwarded-Prefix``, else ``Settings.root_path``) becomes the ASGI
      ``root_path``, whether the proxy strips it from the path or not; tus Location headers
      carry it.
    * ``X-Forwarded-For`` from a trusted proxy gives the client's address (rate limits by
      address, enrollment attempts): the right-most address that is not a trusted proxy.
    * ``X-HTTP-Method-Override`` (tus 1.0: a MUST) on the upload paths, for clients and
      proxies that can only send GET and POST.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.trusted = [ipaddress.ip_network(x, strict=False) for x in settings.trusted_proxies]

    def _is_trusted(self, host: str) -> bool:
        try:
            addr = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(addr in net for net in self.trusted)

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        client = scope.get("client")
        prefix = self.settings.root_path
        if client and self._is_trusted(client[0]):
            forwarded_prefix = headers.get("x-forwarded-prefix")
            if forwarded_prefix is not None and _PREFIX_RE.match(forwarded_prefix.strip()):
                stripped = forwarded_prefix.strip().strip("/")
                prefix = "/" + stripped if stripped else ""
            xff = headers.get("x-forwarded-for")
            if xff:
                hops = [h.strip() for h in xff.split(",") if h.strip()]
                real = next((h for h in reversed(hops) if not self._is_trusted(h)), hops[0] if hops else None)
                if real:
                    scope = {**scope, "client": (real, 0)}
        path: str = scope["path"]
        if prefix and not (path == prefix or path.startswith(prefix + "/")):
            path = prefix + path  # the proxy stripped it: ASGI paths include the root path
        scope = {**scope, "path": path, "root_path": prefix}
        override = headers.get("x-http-method-override", "").strip().upper()
        if (
            override in _OVERRIDABLE
            and scope["method"] in ("POST", "GET")
            and path[len(prefix) :].startswith(f"{API_PREFIX}/uploads")
        ):
            scope["method"] = override
        await self.app(scope, receive, send)


def route_path(scope: MutableMapping[str, Any]) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _query_without_nul(request: Request) -> None:
    """Every route: no NUL character in the path or a query parameter (see validation)."""
    validation.check(dict(request.query_params.multi_items()), "query")
    validation.check(request.url.path, "path")


def _bearer(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def require_device(request: Request) -> DeviceCtx:
    """Dependency: the calling device (401 unless enrolled and not revoked; 429 over its rate)."""
    svc: CentralService = request.app.state.service
    ctx = svc.authenticate(_bearer(request))
    if ctx is None:
        raise unauthorized()
    bucket: Limiter = request.app.state.device_bucket
    wait = bucket.take(ctx.device_id)
    if wait:
        raise _rate_limited(wait)
    return ctx


def require_admin(request: Request) -> str:
    """Dependency: the office's admin token; returns the actor name for the admin log."""
    token = _bearer(request)
    expected: str = request.app.state.admin_token
    if not token or not hmac.compare_digest(token.encode(), expected.encode()):
        raise ApiError(
            401,
            ErrorCode.UNAUTHORIZED,
            "Token admin salah.",
            "Wrong admin token.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return "api"


DeviceDep = Annotated[DeviceCtx, Depends(require_device)]
AdminDep = Annotated[str, Depends(require_admin)]


def _error_response(err: ApiError) -> JSONResponse:
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
    # Enrollment guesses: per client address (the real one behind a trusted proxy) and per
    # code tried; a good code gives its tokens back, so a village office behind the same
    # address as a guesser still gets in on its first try once the guesser is throttled.
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
        dependencies=[Depends(_query_without_nul)],
    )
    app.state.service = svc
    app.state.settings = settings
    app.state.started = started
    app.state.admin_token = admin_token
    app.state.device_bucket = device_bucket

    @app.exception_handler(ApiError)
    async def _api_error(_req: Request, exc: ApiError) -> JSONResponse:
        return _error_response(exc)

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
            return _error_response(too_large(exc.limit))
        code, mid, men = _MESSAGES.get(
            exc.status_code, (ErrorCode.INVALID_REQUEST, "Permintaan gagal.", "Request failed.")
        )
        body = ErrorBody(error=code.value, message_id=mid, message_en=men)
        return JSONResponse(body.model_dump(mode="json"), status_code=exc.status_code, headers=exc.headers)

    # Unhandled exceptions: GuardMiddleware logs them without values and answers 500.

    # --- village API --------------------------------------------------------------------------

    v1 = APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES)

    @v1.get("/health", response_model=Health, tags=["village"])
    def health() -> Health:
        return svc.health()

    @v1.post("/enroll", response_model=EnrollResponse, status_code=201, tags=["village"])
    def enroll(body: EnrollRequest, request: Request) -> EnrollResponse:
        validation.check(body)
        address = request.client.host if request.client else "?"
        code_key = sha256_hex(normalize_enrollment_code(body.enrollment_code))[:32]
        wait = max(enroll_by_address.take(address), enroll_by_code.take(code_key))
        if wait:
            raise _rate_limited(wait)
        out = svc.enroll(body.enrollment_code, body.device_name, body.app_version)
        enroll_by_address.give_back(address)
        enroll_by_code.give_back(code_key)
        return out

    @v1.put(
        "/batches/{batch_id}",
        response_model=BatchReceipt,
        status_code=201,
        responses={200: {"model": BatchReceipt, "description": "identical replay"}},
        tags=["village"],
    )
    def put_batch(batch_id: uuid.UUID, body: BatchManifest, ctx: DeviceDep) -> JSONResponse:
        validation.check(body)
        receipt, created = svc.put_batch(ctx, batch_id, body)
        return JSONResponse(receipt.model_dump(mode="json"), status_code=201 if created else 200)

    @v1.get("/changes", response_model=ChangePage, tags=["village"])
    def changes(
        ctx: DeviceDep,
        after: Annotated[int, Query(ge=0, le=MAX_DB_INT)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_CHANGES_PAGE)] = 100,
    ) -> ChangePage:
        return svc.changes(ctx, after, limit)

    @v1.get("/catalog", tags=["village"], responses={204: {"description": "No catalog published"}})
    def catalog(ctx: DeviceDep) -> Response:
        """The office's service catalog in use (its own version of catalog.json), or 204."""
        found = svc.latest_catalog()
        if found is None:
            return Response(status_code=204)
        return JSONResponse({"version": found[0], "catalog": found[1]})

    @v1.post("/events", response_model=EventsResult, tags=["village"])
    def events(body: EventsIn, ctx: DeviceDep) -> EventsResult:
        validation.check(body)
        return svc.post_events(ctx, body.events)

    @v1.get(
        "/documents/{doc_id}/file",
        response_class=FileResponse,
        responses={200: {"content": {"application/pdf": {}}, "description": "the signed PDF"}},
        tags=["village"],
    )
    def document_file(doc_id: uuid.UUID, ctx: DeviceDep) -> FileResponse:
        doc, path = svc.village_document(ctx, doc_id)
        return FileResponse(
            path,
            media_type="application/pdf",
            filename=f"{doc.id}.pdf",
            headers={"ETag": f'"{doc.sha256}"', "Cache-Control": "private, no-store"},
        )

    app.include_router(v1)
    app.include_router(tus.make_router(svc, require_device))

    # --- office API ----------------------------------------------------------------------------

    admin = APIRouter(prefix=f"{API_PREFIX}/admin", tags=["admin"], responses=ERROR_RESPONSES)

    @admin.post("/villages", response_model=EnrollmentCodeOut, status_code=201)
    def add_village(body: VillageCreate, actor: AdminDep) -> EnrollmentCodeOut:
        validation.check(body)
        return svc.create_village(body.code, body.name, actor)

    @admin.get("/villages", response_model=list[VillageOut])
    def villages(actor: AdminDep) -> list[VillageOut]:
        return svc.list_villages()

    @admin.post("/villages/{code}/enrollment-codes", response_model=EnrollmentCodeOut, status_code=201)
    def new_code(code: Annotated[VillageCode, PathParam()], actor: AdminDep) -> EnrollmentCodeOut:
        return svc.new_enrollment_code(code, actor)

    @admin.get("/devices", response_model=list[DeviceOut])
    def devices(
        actor: AdminDep, village: Annotated[str | None, Query(max_length=13)] = None
    ) -> list[DeviceOut]:
        return svc.list_devices(village)

    @admin.post("/devices/{device_id}/revoke", response_model=DeviceOut)
    def revoke(device_id: uuid.UUID, actor: AdminDep) -> DeviceOut:
        return svc.revoke_device(device_id, actor)

    @admin.get("/applications", response_model=ApplicationList)
    def applications(
        actor: AdminDep,
        status: Status | None = None,
        village: Annotated[str | None, Query(max_length=13)] = None,
        after_id: Annotated[int, Query(ge=0, le=MAX_DB_INT)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> ApplicationList:
        return svc.list_applications(status=status, village_code=village, after_id=after_id, limit=limit)

    @admin.get("/applications/{app_id}", response_model=ApplicationOut)
    def application(
        app_id: Annotated[int, PathParam(ge=1, le=MAX_DB_INT)], actor: AdminDep
    ) -> ApplicationOut:
        return svc.get_application(app_id)

    @admin.get(
        "/applications/{app_id}/documents/{doc_id}/file",
        response_class=FileResponse,
        responses={200: {"content": {"application/octet-stream": {}}}},
    )
    def application_file(
        app_id: Annotated[int, PathParam(ge=1, le=MAX_DB_INT)], doc_id: uuid.UUID, actor: AdminDep
    ) -> FileResponse:
        doc, path = svc.application_file(app_id, doc_id)
        return FileResponse(
            path,
            media_type=doc.mime or "application/octet-stream",
            filename=f"{doc.requirement_code}{file_extension(doc.mime)}",
        )

    @admin.post("/applications/{app_id}/status", response_model=ApplicationOut)
    def set_status(
        app_id: Annotated[int, PathParam(ge=1, le=MAX_DB_INT)], body: StatusUpdate, actor: AdminDep
    ) -> ApplicationOut:
        validation.check(body)
        return svc.set_status(app_id, body.status, body.message, actor)

    @admin.post(
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
        output: Annotated[str, Query(pattern=r"^[a-z0-9_]{0,64}$")] = "",
    ) -> FinishedDocumentOut:
        """Attach a finished document. Body: the signed PDF, or empty for a printed document
        that travels by courier."""
        with tempfile.TemporaryDirectory(dir=settings.files_dir) as tmpdir:
            tmp = Path(tmpdir) / "upload.pdf"
            size = 0
            with tmp.open("wb") as f:
                async for chunk in request.stream():
                    size += len(chunk)
                    f.write(chunk)
            return await run_in_threadpool(
                svc.attach_finished, app_id, title, tmp if size else None, actor, output
            )

    @admin.post("/dispatches", response_model=DispatchOut, status_code=201)
    def dispatch(body: DispatchCreate, actor: AdminDep) -> DispatchOut:
        validation.check(body)
        return svc.dispatch(body.village_code, body.application_ids, body.message, actor)

    @admin.put("/catalog", status_code=200)
    def publish_catalog(body: dict[str, Any], actor: AdminDep) -> dict[str, str]:
        """Publish the office's catalog version; villages receive it with their next sync."""
        return {"version": svc.publish_catalog(body, actor)}

    @admin.get("/log", response_model=list[AdminLogEntry])
    def admin_log(actor: AdminDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[AdminLogEntry]:
        return svc.admin_log(limit)

    app.include_router(admin)
    # The USB route (server/usb.py): device keys, relay, bundle import and return bundles.
    app.state.usb = UsbService(svc)
    usb_routes.mount(app, app.state.usb, require_device, require_admin)
    console.mount(app, svc, settings)
    updates.mount(app, settings)  # signed app releases (TUF), desa_capil.server.updates
    # Added innermost first. JSON answers are gzipped for clients that accept it (a change
    # page or an application list shrinks ~5x on a paid village link); files are not (PDFs
    # and scans are compressed already, and Range requests must see the bytes as stored).
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
