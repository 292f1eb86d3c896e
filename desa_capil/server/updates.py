"""The update endpoint: the signed TUF repository of app releases, served as plain files.

``mount(app, settings)`` adds ``/api/v1/updates/metadata/{file}``, ``/targets/{file}`` (with
HTTP Range, so a village resumes a cut download) and ``/announcement`` (the minimum app
version the wire contract needs), and answers an older desktop app's other requests with HTTP
426 and a message saying what to do (``MinimumVersionGuard``). The files come from ``<data_dir>/updates`` (made by
``desa_capil.update.publish`` wherever releases are signed, then copied here); the server
holds no signing key and changes nothing: the app trusts the signatures, not the server.
"""

from __future__ import annotations

import json
import re
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.responses import FileResponse
from starlette.types import ASGIApp

from desa_capil.api.models import ErrorBody, ErrorCode
from desa_capil.server.config import Settings
from desa_capil.update.minimum import app_version_of, below_minimum, minimum_message

PREFIX = "/api/v1/updates"
_METADATA = re.compile(r"^(\d+\.)?(root|targets|snapshot|timestamp)\.json$")
_TARGET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")


def updates_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "updates"


def make_router(settings: Settings) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["updates"])

    def _file(folder: str, name: str, pattern: re.Pattern[str]) -> Path:
        if not pattern.match(name):
            raise HTTPException(404, "not found")
        path = updates_dir(settings) / folder / name
        if not path.is_file():
            raise HTTPException(404, "not found")
        return path

    @router.get("/metadata/{name}")
    def metadata(name: str) -> FileResponse:
        # Never cached by a proxy: timestamp.json is how a laptop learns of a new release.
        return FileResponse(
            _file("metadata", name, _METADATA),
            media_type="application/json",
            headers={"Cache-Control": "no-cache"},
        )

    @router.get("/targets/{name}")
    def target(name: str) -> FileResponse:
        return FileResponse(_file("targets", name, _TARGET), media_type="application/octet-stream")

    @router.get("/announcement")
    def announcement() -> dict[str, Any]:
        return read_announcement(settings) or {"minimum_version": ""}

    return router


def read_announcement(settings: Settings) -> dict[str, Any]:
    try:
        data = json.loads((updates_dir(settings) / "announcement.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class MinimumVersionGuard:
    """An app older than the announced minimum gets 426 on every API route but the update
    endpoint (from which it fetches the newer version): its Indonesian message says to install
    the update. Browsers and other clients (no ``desa_capil/`` User-Agent) are not checked."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self._seen: tuple[float, dict[str, Any]] = (-1.0, {})

    def _announcement(self) -> dict[str, Any]:
        path = updates_dir(self.settings) / "announcement.json"
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return {}
        if mtime != self._seen[0]:
            self._seen = (mtime, read_announcement(self.settings))
        return self._seen[1]

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith("/api/v1/") and not path.startswith(PREFIX + "/"):
            agent = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"user-agent"), "")
            version = app_version_of(agent)
            minimum = below_minimum(version, self._announcement()) if version else None
            if minimum:
                body = (
                    ErrorBody(
                        error=ErrorCode.CLIENT_TOO_OLD,
                        message_id=minimum_message(minimum, "id"),
                        message_en=minimum_message(minimum, "en"),
                    )
                    .model_dump_json()
                    .encode()
                )
                await send(
                    {
                        "type": "http.response.start",
                        "status": 426,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"upgrade", f"desa_capil/{minimum}".encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def mount(app: FastAPI, settings: Settings) -> None:
    app.include_router(make_router(settings))
    app.add_middleware(MinimumVersionGuard, settings=settings)
