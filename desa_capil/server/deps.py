"""What the routes depend on: the service, the calling device or the office's admin token,
and the checks every route makes (FastAPI dependencies, in one module)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Request

from desa_capil.api.models import ErrorBody, ErrorCode
from desa_capil.server import validation
from desa_capil.server.config import Settings
from desa_capil.server.errors import ApiError, rate_limited, unauthorized
from desa_capil.server.limits import Limiter
from desa_capil.server.service import CentralService, DeviceCtx

# Ids and cursors are 32-bit INTEGER columns on PostgreSQL: larger values can only be unknown.
MAX_DB_INT = 2**31 - 1

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 404, 409, 413, 422, 429)
}


async def get_service(request: Request) -> CentralService:
    """The process's CentralService (``create_app`` puts it on ``app.state``). Async: no
    thread-pool hop for a lookup."""
    svc: CentralService = request.app.state.service
    return svc


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def query_without_nul(request: Request) -> None:
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
        raise rate_limited(wait)
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


ServiceDep = Annotated[CentralService, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
DeviceDep = Annotated[DeviceCtx, Depends(require_device)]
AdminDep = Annotated[str, Depends(require_admin)]
