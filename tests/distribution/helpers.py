"""Helpers that put applications into the states distribution works on, through the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from desa_capil.domain.status import Actor, Status
from desa_capil.store.db import Database
from desa_capil.store.models import Application, utcnow
from desa_capil.store.repo import _set_status

# The path an application takes to reach the village again, with who makes each step.
PATH_TO_DISPATCHED = [
    (Status.READY, Actor.VILLAGE),
    (Status.SENDING, Actor.VILLAGE),
    (Status.SENT, Actor.VILLAGE),
    (Status.FINISHED, Actor.OFFICE),
    (Status.DISPATCHED, Actor.OFFICE),
]


def advance(db: Database, app_id: str, until: Status, at: datetime | None = None) -> None:
    with db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        for target, actor in PATH_TO_DISPATCHED:
            _set_status(s, app, target, actor, at=at)
            if target is Status.SENT:
                app.sent_at = at or utcnow()
            if target is until:
                break
        s.commit()


MakeDispatched = Callable[..., str]
