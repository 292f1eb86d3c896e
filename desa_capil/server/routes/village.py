"""Village routes that are not about one area: health, enrollment, the service catalog."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from desa_capil.api.models import API_PREFIX, EnrollRequest, EnrollResponse, Health
from desa_capil.server import validation
from desa_capil.server.deps import ERROR_RESPONSES, DeviceDep, ServiceDep
from desa_capil.server.errors import rate_limited
from desa_capil.server.limits import Limiter
from desa_capil.server.service import normalize_enrollment_code, sha256_hex

router = APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES, tags=["village"])


@router.get("/health", response_model=Health)
def health(svc: ServiceDep) -> Health:
    return svc.health()


@router.post("/enroll", response_model=EnrollResponse, status_code=201)
def enroll(body: EnrollRequest, request: Request, svc: ServiceDep) -> EnrollResponse:
    validation.check(body)
    # Guesses are limited per client address (the real one behind a trusted proxy) and per
    # code tried; a good code gives its tokens back, so a village office behind the same
    # address as a guesser still gets in on its first try once the guesser is throttled.
    by_address: Limiter = request.app.state.enroll_by_address
    by_code: Limiter = request.app.state.enroll_by_code
    address = request.client.host if request.client else "?"
    code_key = sha256_hex(normalize_enrollment_code(body.enrollment_code))[:32]
    wait = max(by_address.take(address), by_code.take(code_key))
    if wait:
        raise rate_limited(wait)
    out = svc.enroll(body.enrollment_code, body.device_name, body.app_version)
    by_address.give_back(address)
    by_code.give_back(code_key)
    return out


@router.get("/catalog", responses={204: {"description": "No catalog published"}})
def catalog(ctx: DeviceDep, svc: ServiceDep) -> Response:
    """The office's service catalog in use (its own version of catalog.json), or 204."""
    found = svc.latest_catalog()
    if found is None:
        return Response(status_code=204)
    return JSONResponse({"version": found[0], "catalog": found[1]})
