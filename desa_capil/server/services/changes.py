"""The change feed a village pulls (``GET /changes``): per-village sequence numbers."""

from __future__ import annotations

import json
import uuid

from sqlmodel import col, select

from desa_capil.api.models import Change as WireChange
from desa_capil.api.models import (
    ChangePage,
    DispatchedDocument,
)
from desa_capil.domain.status import Actor, Status
from desa_capil.server.db import (
    Application,
    Change,
    aware,
)
from desa_capil.server.services.core import (
    Area,
    DeviceCtx,
)


class ChangeService(Area):
    def changes(self, ctx: DeviceCtx, after: int, limit: int) -> ChangePage:
        with self.db.read_session() as s:
            rows = s.exec(
                select(Change, Application.client_id)
                .join(Application, col(Application.id) == Change.application_id)
                .where(Change.village_id == ctx.village_id, Change.village_seq > after)
                .order_by(col(Change.village_seq))
                .limit(limit + 1)
            ).all()
        more = len(rows) > limit
        rows = rows[:limit]
        changes = [
            WireChange(
                seq=c.village_seq,
                application_id=uuid.UUID(cid),
                status=Status(c.status),
                actor=Actor(c.actor),
                message=c.message,
                at=aware(c.at),
                documents=[DispatchedDocument.model_validate(d) for d in json.loads(c.documents_json)],
            )
            for c, cid in rows
        ]
        return ChangePage(changes=changes, next_after=changes[-1].seq if changes else after, has_more=more)
