"""The update endpoint: the signed TUF repository of app releases, served as plain files.

``mount(app, settings)`` adds ``/api/v1/updates/metadata/{file}``, ``/targets/{file}`` (with
HTTP Range, so a village resumes a cut download) and ``/announcement`` (the minimum app
version the wire contract needs). The files come from ``<data_dir>/updates`` (made by
``desa_capil.update.publish`` wherever releases are signed, then copied here); the server
holds no signing key and changes nothing: the app trusts the signatures, not the server.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.responses import FileResponse

from desa_capil.server.config import Settings

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
        path = updates_dir(settings) / "announcement.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"minimum_version": ""}
        return data if isinstance(data, dict) else {"minimum_version": ""}

    return router


def mount(app: FastAPI, settings: Settings) -> None:
    app.include_router(make_router(settings))
