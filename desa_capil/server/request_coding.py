"""gzip-coded JSON request bodies (RFC 7694).

A village link is paid by the byte and slow (64 kbit/s): a batch manifest of ~3.3 KB is ~1 KB
gzipped. The API's JSON routes (``middleware.takes_coded_json``) therefore take request bodies
with ``Content-Encoding: gzip``, and every API answer says ``Accept-Encoding: gzip`` (added by
``GuardMiddleware``): that is how a client learns that this server takes them. A client learns
it per server, from whichever answer comes first (in a sync pass: the uploads' answers, then
the manifest goes coded); upload bodies themselves are never decoded.

The body is decompressed piece by piece, never to more than the JSON body limit
(``Settings.max_json_body``): a small body that would inflate to gigabytes (a "zip bomb") is
refused with 413 after at most that many bytes. The wire size stays bounded by
``GuardMiddleware``, which sits outside this middleware and counts the coded bytes. A body that
is not valid gzip is refused with 400, any other coding with 415 (RFC 7694 section 3). Upload
bodies (tus PATCH, signed PDFs, USB bundles) are never touched.
"""

from __future__ import annotations

import zlib
from collections.abc import MutableMapping
from typing import Any

from fastapi.responses import JSONResponse

from desa_capil.api.models import ErrorCode
from desa_capil.server.config import Settings
from desa_capil.server.errors import ApiError, too_large
from desa_capil.server.middleware import ASGIApp, BodyTooLarge, route_path, takes_coded_json

# Decompressed per step: what one compressed piece may add before the cap is checked again.
_STEP = 64 * 1024


def bad_coding() -> ApiError:
    return ApiError(
        400,
        ErrorCode.INVALID_REQUEST,
        "Isi permintaan yang dipadatkan (gzip) rusak atau terpotong. Kirim ulang permintaannya.",
        "The gzip-coded request body is corrupt or cut short. Send the request again.",
    )


def unsupported_coding(coding: str) -> ApiError:
    shown = coding[:40]
    return ApiError(
        415,
        ErrorCode.INVALID_REQUEST,
        f"Pemadatan isi permintaan '{shown}' tidak didukung. Kirim tanpa pemadatan atau dengan gzip.",
        f"Request body coding '{shown}' is not supported. Send it uncoded or gzip-coded.",
        headers={"Accept-Encoding": "gzip"},
    )


def _codings(scope: MutableMapping[str, Any]) -> list[str]:
    out: list[str] = []
    for k, v in scope.get("headers", []):
        if k.lower() == b"content-encoding":
            out += [c.strip().lower() for c in v.decode("latin-1").split(",") if c.strip()]
    return [c for c in out if c != "identity"]


def _new_inflater() -> Any:
    return zlib.decompressobj(16 + zlib.MAX_WBITS)  # the gzip wrapper only (not zlib, not raw)


class RequestDecodingMiddleware:
    """Innermost of the server's own middleware (inside ``GuardMiddleware``): the app sees the
    decoded body, with a matching ``Content-Length`` and without ``Content-Encoding``."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limit = settings.max_json_body

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not takes_coded_json(route_path(scope)):
            await self.app(scope, receive, send)
            return
        codings = _codings(scope)
        if not codings:
            await self.app(scope, receive, send)
            return
        if codings not in (["gzip"], ["x-gzip"]):
            await _answer(unsupported_coding(", ".join(codings)), scope, receive, send)
            return
        try:
            body = await self._decode(receive)
        except BodyTooLarge as exc:  # the coded body outgrew the limit (GuardMiddleware)
            await _answer(too_large(exc.limit), scope, receive, send)
            return
        except ApiError as err:
            await _answer(err, scope, receive, send)
            return
        if body is None:
            return  # the client went away mid-body: nobody to answer
        headers = [
            (k, v)
            for k, v in scope.get("headers", [])
            if k.lower() not in (b"content-encoding", b"content-length")
        ]
        headers.append((b"content-length", str(len(body)).encode()))
        delivered = False

        async def decoded_receive() -> MutableMapping[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # type: ignore[no-any-return]  # a disconnect, later

        await self.app({**scope, "headers": headers}, decoded_receive, send)

    async def _decode(self, receive: Any) -> bytes | None:
        """The whole decoded body (None when the client disconnected); ApiError when it is not
        valid gzip or decodes to more than the limit."""
        inflater = _new_inflater()
        out = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return None
            more = bool(message.get("more_body", False))
            data: bytes = message.get("body", b"")
            while data:
                if inflater.eof:
                    raise bad_coding()  # bytes after the end of the gzip stream
                try:
                    out += inflater.decompress(data, _STEP)
                except zlib.error as exc:
                    raise bad_coding() from exc
                if len(out) > self.limit:
                    raise too_large(self.limit)
                data = inflater.unconsumed_tail or inflater.unused_data
        if not inflater.eof:
            raise bad_coding()  # cut short (or empty)
        return bytes(out)


async def _answer(err: ApiError, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
    resp = JSONResponse(err.body.model_dump(mode="json"), status_code=err.status, headers=err.headers)
    await resp(scope, receive, send)
