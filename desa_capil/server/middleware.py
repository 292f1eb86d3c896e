"""The ASGI middleware around every route: what a trusted reverse proxy says
(``ProxyMiddleware``, outermost) and the guard that bounds request bodies and adds the
security headers (``GuardMiddleware``)."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from desa_capil.api.models import API_PREFIX, TUS_VERSION, ErrorBody, ErrorCode
from desa_capil.server import usb_routes
from desa_capil.server.config import Settings
from desa_capil.server.errors import HTTP_MESSAGES, ApiError, describe_for_log, too_large

log = logging.getLogger("desa_capil.server.app")


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


def takes_coded_json(path: str) -> bool:
    """True for the API routes whose request bodies are JSON (limit ``max_json_body``): they
    accept gzip-coded bodies (server/request_coding.py). Files (tus uploads, signed PDFs) and
    USB bundles are taken as they come."""
    return (
        path.startswith(f"{API_PREFIX}/")
        and not path.startswith(f"{API_PREFIX}/uploads")
        and not (path.startswith(f"{API_PREFIX}/admin/applications") and path.endswith("/finished-documents"))
        and path not in usb_routes.BUNDLE_PATHS
    )


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
        is_api = path.startswith(f"{API_PREFIX}/")

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
                if is_api and not any(k.lower() == b"accept-encoding" for k, _ in headers):
                    # RFC 7694: JSON request bodies may come gzip-coded (request_coding.py).
                    # On every API answer, uploads' too: a client learns it from whichever
                    # answer comes first (a pass starts with uploads, then the manifest).
                    headers.append((b"accept-encoding", b"gzip"))
                message["headers"] = headers
            await send(message)

        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    declared = int(v)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > limit:
                    err = too_large(limit) if declared > limit else ApiError(400, *HTTP_MESSAGES[400])
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
                await internal_error_response()(scope, receive_wrapper, send_tracking)


def internal_error_response() -> JSONResponse:
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
