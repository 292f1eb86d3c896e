"""``POST /events``: status changes made at the village (arrived, handed over, ...)."""

from __future__ import annotations

from fastapi import APIRouter

from desa_capil.api.models import API_PREFIX, EventsIn, EventsResult
from desa_capil.server import validation
from desa_capil.server.deps import ERROR_RESPONSES, DeviceDep, ServiceDep

router = APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES, tags=["village"])


@router.post("/events", response_model=EventsResult)
def events(body: EventsIn, ctx: DeviceDep, svc: ServiceDep) -> EventsResult:
    validation.check(body)
    return svc.post_events(ctx, body.events)
