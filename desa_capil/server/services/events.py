"""Village events (arrived, handed over, ...) with their idempotent results."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from desa_capil.api.models import (
    EventIn,
    EventOutcome,
    EventResult,
    EventsResult,
)
from desa_capil.domain.status import Actor, Status, TransitionError, check_transition
from desa_capil.server.db import (
    Application,
    Change,
    Event,
    allocate_seqs,
    aware,
    utcnow,
)
from desa_capil.server.services.core import (
    Area,
    DeviceCtx,
    canonical,
    sha256_hex,
)


class EventService(Area):
    def post_events(self, ctx: DeviceCtx, events: Sequence[EventIn]) -> EventsResult:
        with self.db.session() as s:
            result = self.post_events_in(s, ctx, events)
            s.commit()
        return result

    def post_events_in(self, s: Session, ctx: DeviceCtx, events: Sequence[EventIn]) -> EventsResult:
        """``post_events`` inside the caller's transaction (a USB bundle's import commits its
        batches, events and import record together, server/usb.py); the caller commits."""
        now = utcnow()
        results: list[EventResult] = []
        pending: list[tuple[EventResult, Application, EventIn, Event]] = []
        batch_seen: dict[str, EventResult] = {}
        # One query each for the events already stored and the applications concerned,
        # not two per event.
        stored_events = {
            ev.client_id: ev
            for ev in s.exec(
                select(Event).where(
                    Event.village_id == ctx.village_id,
                    col(Event.client_id).in_(list({str(e.id) for e in events})),
                )
            ).all()
        }
        apps = {
            a.client_id: a
            for a in s.exec(
                select(Application)
                .where(
                    Application.village_id == ctx.village_id,
                    col(Application.client_id).in_(list({str(e.application_id) for e in events})),
                )
                .order_by(col(Application.id))
                .with_for_update()
            ).all()
        }
        for e in events:
            payload = e.model_dump(mode="json")
            content_hash = sha256_hex(canonical(payload))
            stored = stored_events.get(str(e.id))
            if stored is not None or str(e.id) in batch_seen:
                prev = (
                    EventResult.model_validate_json(stored.result_json)
                    if stored is not None
                    else batch_seen[str(e.id)]
                )
                results.append(prev.model_copy(update={"duplicate": True}))
                continue
            app = apps.get(str(e.application_id))
            result = self._apply_event(app, e)
            ev = Event(
                village_id=ctx.village_id,
                client_id=str(e.id),
                application_id=app.id if app is not None else None,
                content_hash=content_hash,
                payload_json=canonical(payload),
                result_json="",
                received_at=now,
            )
            if result.outcome is EventOutcome.APPLIED:
                assert app is not None
                app.status = e.status.value
                app.updated_at = now
                s.add(app)
                pending.append((result, app, e, ev))
            else:
                ev.result_json = result.model_dump_json()
            s.add(ev)
            batch_seen[str(e.id)] = result
            results.append(result)
        seqs = allocate_seqs(s, ctx.village_id, len(pending))
        for (result, app, e, ev), (key, seq) in zip(pending, seqs, strict=True):
            assert app.id is not None
            result.seq = seq
            ev.result_json = result.model_dump_json()
            s.add(ev)
            s.add(
                Change(
                    seq=key,
                    village_seq=seq,
                    village_id=ctx.village_id,
                    application_id=app.id,
                    status=e.status.value,
                    actor=Actor.VILLAGE.value,
                    message=e.note,
                    at=aware(e.at),
                )
            )
        s.flush()
        return EventsResult(results=results)

    def _apply_event(self, app: Application | None, e: EventIn) -> EventResult:
        if app is None:
            return EventResult(
                id=e.id,
                outcome=EventOutcome.REJECTED,
                message_id="Permohonan tidak dikenal server.",
                message_en="Application unknown to the server.",
            )
        try:
            check_transition(Status(app.status), e.status, Actor.VILLAGE)
        except TransitionError:
            return EventResult(
                id=e.id,
                outcome=EventOutcome.REJECTED,
                message_id=f"Status tidak bisa diubah dari '{app.status}' ke '{e.status.value}' oleh desa.",
                message_en=f"The village may not change the status from '{app.status}' to '{e.status.value}'.",
            )
        if e.status is Status.HANDED_OVER and e.handover is None:
            return EventResult(
                id=e.id,
                outcome=EventOutcome.REJECTED,
                message_id="Penyerahan harus mencatat siapa penerimanya.",
                message_en="A hand-over must record who received the document.",
            )
        return EventResult(id=e.id, outcome=EventOutcome.APPLIED)
