"""``GET /changes``: what happened to a village's applications, by its own sequence numbers."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request

from desa_capil.api.models import API_PREFIX, MAX_CHANGES_PAGE, ChangePage
from desa_capil.server.deps import ERROR_RESPONSES, MAX_DB_INT, DeviceDep, ServiceDep

log = logging.getLogger(__name__)

router = APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES, tags=["village"])


@router.get("/changes", response_model=ChangePage)
def changes(
    request: Request,
    ctx: DeviceDep,
    svc: ServiceDep,
    after: Annotated[int, Query(ge=0, le=MAX_DB_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_CHANGES_PAGE)] = 100,
) -> ChangePage:
    page = svc.changes(ctx, after, limit)
    # Asking from ``after`` acknowledges every change up to it: the office's cursor for the
    # laptop's next USB return bundle moves there (server/usb.py). That is bookkeeping in its
    # own transaction: when it fails (e.g. the database busy with a large USB import) the pull
    # is still answered; the cursor moves on a later pull, and a return bundle that starts
    # from an older cursor only carries changes the laptop already has.
    try:
        request.app.state.usb.note_pulled(ctx, after)
    except Exception:
        log.warning("USB cursor of device %s not moved to %d", ctx.device_id, after, exc_info=True)
    return page
