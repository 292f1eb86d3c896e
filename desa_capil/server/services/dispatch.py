"""Dispatch: finished documents go to a village (one change per application)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select

from desa_capil.api.models import (
    DispatchedDocument,
    DispatchOut,
    ErrorCode,
)
from desa_capil.domain.status import Actor, Status
from desa_capil.server import bundles
from desa_capil.server.db import (
    Application,
    Change,
    Village,
    allocate_seqs,
    utcnow,
)
from desa_capil.server.errors import ApiError, not_found
from desa_capil.server.services.applications import ApplicationService
from desa_capil.server.services.core import (
    Area,
    Core,
    audit,
    canonical,
    office_transition,
)


class DispatchService(Area):
    def __init__(self, core: Core, applications: ApplicationService) -> None:
        super().__init__(core)
        self.applications = applications

    def dispatch(self, village_code: str, app_ids: Sequence[int], message: str, actor: str) -> DispatchOut:
        now = utcnow()
        with self.db.session() as s:
            village = s.exec(select(Village).where(Village.code == village_code)).first()
            if village is None:
                raise not_found("Desa", "Village")
            apps = s.exec(
                select(Application)
                .where(col(Application.id).in_(list(app_ids)))
                .order_by(col(Application.id))
                .with_for_update()
            ).all()
            found = {a.id: a for a in apps if a.village_id == village.id}
            missing = [i for i in app_ids if i not in found]
            if missing:
                raise ApiError(
                    404,
                    ErrorCode.NOT_FOUND,
                    f"Permohonan {missing} tidak ada di desa {village_code}.",
                    f"Applications {missing} do not belong to village {village_code}.",
                )
            for a in found.values():
                office_transition(Status(a.status), Status.DISPATCHED)
            ordered = [found[i] for i in dict.fromkeys(app_ids)]
            fins_by_app = self.applications.finished_by_app(s, app_ids)
            details = bundles.load(s, [a.id for a in ordered if a.id is not None])
            docs_by_app: dict[int, list[dict[str, Any]]] = {}
            for a in ordered:
                assert a.id is not None
                docs_by_app[a.id] = [
                    DispatchedDocument(
                        id=uuid.UUID(f.id),
                        title=f.title,
                        output=bundles.output_of(details.get(a.id, {}), f.id),
                        has_file=f.has_file,
                        size=f.size,
                        sha256=f.sha256,
                    ).model_dump(mode="json")
                    for f in fins_by_app[a.id]
                ]
                a.status = Status.DISPATCHED.value
                a.message = message
                a.updated_at = now
                s.add(a)
            seqs = allocate_seqs(s, village.id or 0, len(ordered))
            for a, (key, seq) in zip(ordered, seqs, strict=True):
                assert a.id is not None
                s.add(
                    Change(
                        seq=key,
                        village_seq=seq,
                        village_id=village.id or 0,
                        application_id=a.id,
                        status=Status.DISPATCHED.value,
                        actor=Actor.OFFICE.value,
                        message=message,
                        at=now,
                        documents_json=canonical(docs_by_app[a.id]),
                    )
                )
            audit(s, actor, "dispatch", village_code, ",".join(str(a.id) for a in ordered))
            s.commit()
            return DispatchOut(village_code=village_code, applications=self.applications.apps_out(s, ordered))
