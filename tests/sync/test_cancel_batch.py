"""Giving up a set-aside batch ("Batalkan kiriman"), against the real reference server."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from desa_capil.api.models import EventIn, HandOver
from desa_capil.domain.status import Status
from desa_capil.store.models import (
    Applicant,
    Application,
    Batch,
    BatchState,
    Document,
    Outbox,
    OutboxState,
    StatusChange,
)
from desa_capil.store.repo import CannotCancel, cancel_batch
from desa_capil.sync.worker import SyncWorker, parked_events

from .conftest import Enrolled
from .helpers import Admin, make_batch, make_ready, seal

BAD_NIK = "3204053208900001"  # 16 digits, but day 32: the server refuses the manifest


def worker_for(e: Enrolled) -> SyncWorker:
    return SyncWorker(e.db, e.config.client_factory(), row_backoff_base=0.01)


def _set_nik(e: Enrolled, app_id: str, nik: str) -> None:
    with e.db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        person = s.get(Applicant, app.applicant_id)
        assert person is not None
        person.nik = nik
        s.add(person)
        s.commit()


def test_failed_batch_is_cancelled_and_the_application_can_be_sent_again(
    enrolled: Enrolled, admin: Admin
) -> None:
    app_id = make_ready(enrolled.db)
    _set_nik(enrolled, app_id, BAD_NIK)
    batch_id = seal(enrolled.db, [app_id])
    worker = worker_for(enrolled)
    assert worker.run_until_idle().batches_parked == [batch_id]
    with enrolled.db.session() as s:
        files = {d.file_sha256 for d in s.exec(select(Document)).all()}
    assert None not in files and all(enrolled.db.blobs.exists(f) for f in files if f)

    assert cancel_batch(enrolled.db, batch_id, operator_id=None) == [app_id]

    with enrolled.db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None and app.status == Status.READY and app.batch_id is None
        last = s.exec(
            select(StatusChange)
            .where(StatusChange.application_id == app_id)
            .order_by(col(StatusChange.id).desc())
        ).first()
        assert last is not None and last.status == Status.READY and last.actor == "village"
        docs = s.exec(select(Document).where(Document.application_id == app_id)).all()
        assert docs and all(d.batch_id is None and d.file_sha256 is None for d in docs)
        assert not s.exec(
            select(Outbox).where(Outbox.batch_id == batch_id, Outbox.state != OutboxState.DONE)
        ).all()
        batch = s.get(Batch, batch_id)
        assert batch is not None and batch.state == BatchState.CANCELLED
    # The assembled files named the resident: gone with the cancellation.
    assert not any(enrolled.db.blobs.exists(f) for f in files if f)

    # Fixed and sealed again, it reaches the office once.
    _set_nik(enrolled, app_id, "3204051708900001")
    again = seal(enrolled.db, [app_id])
    assert worker.run_until_idle().batches_sent == [again]
    assert list(admin.by_client_id()) == [app_id]
    worker.close()


def test_cancel_is_refused_once_the_server_accepted_the_batch(enrolled: Enrolled, admin: Admin) -> None:
    batch_id, ids = make_batch(enrolled.db, 1)
    worker = worker_for(enrolled)
    assert worker.run_until_idle().batches_sent == [batch_id]
    with pytest.raises(CannotCancel):
        cancel_batch(enrolled.db, batch_id)
    # Even set aside afterwards (a later refusal), an accepted manifest cannot be undone here.
    with enrolled.db.session() as s:
        batch = s.get(Batch, batch_id)
        assert batch is not None
        batch.state = BatchState.FAILED
        s.add(batch)
        s.commit()
    with pytest.raises(CannotCancel):
        cancel_batch(enrolled.db, batch_id)
    with enrolled.db.session() as s:
        assert s.get(Application, ids[0]).status == Status.SENT  # type: ignore[union-attr]
        assert s.get(Batch, batch_id).state == BatchState.FAILED  # type: ignore[union-attr]
    worker.close()


def test_cancel_is_refused_when_the_server_said_it_holds_the_batch(enrolled: Enrolled) -> None:
    app_id = make_ready(enrolled.db)
    batch_id = seal(enrolled.db, [app_id])
    with enrolled.db.session() as s:
        batch = s.get(Batch, batch_id)
        assert batch is not None
        batch.state, batch.error_code = BatchState.FAILED, "conflict"
        s.add(batch)
        s.commit()
    with pytest.raises(CannotCancel):
        cancel_batch(enrolled.db, batch_id)
    # A batch that is only waiting (not set aside) is not cancelled either.
    other = seal(enrolled.db, [make_ready(enrolled.db)])
    with pytest.raises(CannotCancel):
        cancel_batch(enrolled.db, other)
    with enrolled.db.session() as s:
        assert s.get(Application, app_id).status == Status.SENDING  # type: ignore[union-attr]


def test_refused_event_is_listed_with_its_reason(enrolled: Enrolled, admin: Admin) -> None:
    batch_id, ids = make_batch(enrolled.db, 1)
    worker = worker_for(enrolled)
    worker.run_until_idle()
    # Not allowed by the server: sent -> handed_over.
    ev = EventIn(
        id=uuid.uuid4(),
        application_id=uuid.UUID(ids[0]),
        status=Status.HANDED_OVER,
        at=datetime.now(UTC),
        handover=HandOver(recipient_name="Budi"),
    )
    with enrolled.db.session() as s:
        s.add(Outbox(kind="event", ref_id=str(ev.id), payload=ev.model_dump_json()))
        s.commit()
    assert parked_events(enrolled.db) == []
    worker.run_pass()
    rows = parked_events(enrolled.db)
    assert len(rows) == 1
    assert rows[0].application_id == ids[0] and rows[0].applicant_name == "Budi Santoso"
    assert rows[0].status == "handed_over" and rows[0].reason
    worker.close()


def test_cancelled_addendum_goes_back_to_needs_fix(enrolled: Enrolled, admin: Admin) -> None:
    import os

    from desa_capil.domain.status import Actor
    from desa_capil.store.models import Page
    from desa_capil.store.repo import _set_status, document_for

    batch_id, (app_id,) = make_batch(enrolled.db, 1)
    worker = worker_for(enrolled)
    assert worker.run_until_idle().batches_sent == [batch_id]
    with enrolled.db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        _set_status(s, app, Status.NEEDS_FIX, Actor.OFFICE, message="KTP buram")
        doc = document_for(s, app_id, "ktp_el")
        data = os.urandom(500)
        s.add(Page(document_id=doc.id, processed_sha256=enrolled.db.blobs.put(data), mime="image/tiff"))
        s.commit()
    addendum = seal(enrolled.db, [app_id])
    with enrolled.db.session() as s:
        batch = s.get(Batch, addendum)
        assert batch is not None
        batch.state = BatchState.FAILED
        s.add(batch)
        s.commit()
    assert cancel_batch(enrolled.db, addendum) == [app_id]
    with enrolled.db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None and app.status == Status.NEEDS_FIX and app.batch_id == batch_id
        open_docs = s.exec(
            select(Document).where(Document.application_id == app_id, col(Document.batch_id).is_(None))
        ).all()
        assert len(open_docs) == 1  # the fix is back on the desk, ready for the next addendum
    worker.close()
