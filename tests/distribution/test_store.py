from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from desa_capil.api.models import EventIn
from desa_capil.domain.status import Status
from desa_capil.errors import BadInputError
from desa_capil.store import distribution as dist
from desa_capil.store.db import Database
from desa_capil.store.models import Application, HandOver, Outbox, StatusChange, utcnow
from desa_capil.store.repo import ApplicantData, save_application, set_setting

from .helpers import MakeDispatched, advance


def _status(db: Database, app_id: str) -> Status:
    with db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        return Status(app.status)


def _events(db: Database) -> list[EventIn]:
    with db.session() as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "event").order_by(Outbox.id)).all()
    out = [EventIn.model_validate_json(r.payload) for r in rows]
    assert [str(e.id) for e in out] == [r.ref_id for r in rows]
    return out


def test_waiting_grouped_by_dispatch(db: Database, make_dispatched: MakeDispatched) -> None:
    old = utcnow() - timedelta(days=3)
    a = make_dispatched(name="Budi", dispatch_id="D-1", at=old)
    b = make_dispatched(name="Ani", nik="3201014101900002", dispatch_id="D-1", at=old, service="akta_lahir")
    c = make_dispatched(name="Citra", nik="3201014101900003", dispatch_id="D-2", titles=("KTP-el", "KIA"))
    # Not waiting: still at the office.
    other = save_application(db, service_code="kk_ubah", applicant=ApplicantData("3201010101900009", "Dedi"))
    advance(db, other, Status.SENT)
    groups = dist.waiting_documents(db)
    assert [g.dispatch_id for g in groups] == ["D-2", "D-1"]  # newest dispatch first
    assert [r.application_id for r in groups[0].rows] == [c]
    assert [r.applicant_name for r in groups[1].rows] == ["Ani", "Budi"]
    assert {r.application_id for r in groups[1].rows} == {a, b}
    assert groups[1].rows[0].days_waiting == 3
    assert [d.title for d in groups[0].rows[0].documents] == ["KIA", "KTP-el"]
    # Filters: text (name, service name or document title) and service.
    assert [
        r.applicant_name for g in dist.waiting_documents(db, dist.WaitingFilter(text="akta")) for r in g.rows
    ] == ["Ani"]
    assert [
        r.applicant_name for g in dist.waiting_documents(db, dist.WaitingFilter(text="kia")) for r in g.rows
    ] == ["Citra"]
    f = dist.WaitingFilter(service_code="kk_ubah")
    names = sorted(r.applicant_name for g in dist.waiting_documents(db, f) for r in g.rows)
    assert names == ["Budi", "Citra"]


def test_mark_arrived_many_and_events(
    db: Database, make_dispatched: MakeDispatched, operator_id: int
) -> None:
    a = make_dispatched(name="Budi")
    b = make_dispatched(name="Ani", nik="3201014101900002")
    ids = dist.mark_arrived(db, [a, b], operator_id=operator_id)
    assert len(ids) == 2
    assert _status(db, a) is Status.ARRIVED and _status(db, b) is Status.ARRIVED
    events = _events(db)
    assert [str(e.application_id) for e in events] == [a, b]
    assert all(e.status is Status.ARRIVED and e.handover is None for e in events)
    with db.session() as s:
        hist = s.exec(select(StatusChange).where(StatusChange.application_id == a)).all()
    assert hist[-1].status == Status.ARRIVED and hist[-1].operator_id == operator_id
    rows = [r for g in dist.waiting_documents(db) for r in g.rows]
    assert all(r.status is Status.ARRIVED and r.arrived_at is not None for r in rows)
    assert [
        r.applicant_name
        for g in dist.waiting_documents(db, dist.WaitingFilter(statuses=frozenset({Status.DISPATCHED})))
        for r in g.rows
    ] == []


def test_mark_arrived_refuses_wrong_status_all_or_nothing(
    db: Database, make_dispatched: MakeDispatched
) -> None:
    a = make_dispatched()
    b = save_application(db, service_code="kk_ubah", applicant=ApplicantData("3201010101900009", "Dedi"))
    advance(db, b, Status.SENT)
    with pytest.raises(dist.WrongStatus):
        dist.mark_arrived(db, [a, b])
    assert _status(db, a) is Status.DISPATCHED
    assert _events(db) == []
    dist.mark_arrived(db, [a])
    with pytest.raises(dist.WrongStatus):  # twice
        dist.mark_arrived(db, [a])
    assert len(_events(db)) == 1
    with pytest.raises(BadInputError):
        dist.mark_arrived(db, [])


def test_handover_by_applicant(db: Database, make_dispatched: MakeDispatched, operator_id: int) -> None:
    a = make_dispatched(name="Budi Santoso", nik="3201010101900001")
    dist.mark_arrived(db, [a])
    sig = b"\x89PNG fake signature bytes"
    row = dist.record_handover(
        db, a, dist.HandOverInput(id_checked=True, signature_png=sig), operator_id=operator_id
    )
    assert row.recipient_name == "Budi Santoso" and row.recipient_nik == "3201010101900001"
    assert row.relation == "pemohon" and row.signature_sha256 and db.blobs.get(row.signature_sha256) == sig
    assert _status(db, a) is Status.HANDED_OVER
    ev = _events(db)[-1]
    assert ev.status is Status.HANDED_OVER and ev.handover is not None
    assert ev.handover.recipient_name == "Budi Santoso"
    assert ev.handover.recipient_nik == "3201010101900001"
    assert ev.handover.id_checked is True and ev.handover.operator == "Siti Aminah"
    assert dist.waiting_documents(db) == []


def test_handover_cannot_be_recorded_twice(db: Database, make_dispatched: MakeDispatched) -> None:
    a = make_dispatched()
    dist.mark_arrived(db, [a])
    dist.record_handover(db, a, dist.HandOverInput(id_checked=True))
    with pytest.raises(dist.AlreadyHandedOver):
        dist.record_handover(db, a, dist.HandOverInput(id_checked=True))
    with db.session() as s:
        assert len(s.exec(select(HandOver)).all()) == 1
        # The database itself refuses a second row too.
        s.add(HandOver(application_id=a, recipient_name="X"))
        with pytest.raises(Exception, match="UNIQUE"):
            s.commit()
    assert [e.status for e in _events(db)] == [Status.ARRIVED, Status.HANDED_OVER]


def test_handover_refused_before_arrival(db: Database, make_dispatched: MakeDispatched) -> None:
    a = make_dispatched()
    with pytest.raises(dist.WrongStatus):
        dist.record_handover(db, a, dist.HandOverInput(id_checked=True))
    assert _status(db, a) is Status.DISPATCHED
    assert dist.get_handover(db, a) is None


def test_handover_to_family_member_validates_nik(db: Database, make_dispatched: MakeDispatched) -> None:
    a = make_dispatched()
    dist.mark_arrived(db, [a])
    bad = dist.HandOverInput(relation="istri", recipient_name="Rina", recipient_nik="3201011313900001")
    with pytest.raises(BadInputError) as err:
        dist.record_handover(db, a, bad)
    assert "NIK penerima" in err.value.message_id
    with pytest.raises(BadInputError) as err:
        dist.record_handover(db, a, dist.HandOverInput(relation="anak", recipient_nik="3201014101900002"))
    assert "Nama penerima" in err.value.message_id and "NIK" not in err.value.message_id
    assert _status(db, a) is Status.ARRIVED
    ok = dist.HandOverInput(
        relation="istri", recipient_name="Rina", recipient_nik="3201 0141 0190 0002", id_checked=True
    )
    row = dist.record_handover(db, a, ok)
    assert (row.relation, row.recipient_nik) == ("istri", "3201014101900002")
    ev = _events(db)[-1]
    assert ev.handover is not None and ev.handover.relation == "istri"


def test_overdue_summary(db: Database, make_dispatched: MakeDispatched) -> None:
    now = utcnow()
    late = save_application(db, service_code="kk_ubah", applicant=ApplicantData("3201010101900009", "Dedi"))
    advance(db, late, Status.SENT, at=now - timedelta(hours=73))
    fresh = save_application(db, service_code="kk_ubah", applicant=ApplicantData("3201010101900008", "Eko"))
    advance(db, fresh, Status.SENT, at=now - timedelta(hours=71))
    w_old = make_dispatched(name="Budi")
    w_new = make_dispatched(name="Ani", nik="3201014101900002")
    dist.mark_arrived(db, [w_old], at=now - timedelta(days=8))
    dist.mark_arrived(db, [w_new], at=now - timedelta(days=6))
    summary = dist.overdue_summary(db, now=now)
    assert summary.unanswered_ids == (late,)
    assert summary.waiting_ids == (w_old,)
    assert (summary.waiting_days, summary.total) == (7, 2)
    set_setting(db, dist.WAITING_DAYS_KEY, "5")
    assert set(dist.overdue_summary(db, now=now).waiting_ids) == {w_old, w_new}
    overdue = dist.waiting_documents(db, dist.WaitingFilter(overdue_only=True), now=now)
    assert {r.application_id for g in overdue for r in g.rows} == {w_old, w_new}


def test_no_phone_filter_and_message(db: Database, make_dispatched: MakeDispatched) -> None:
    make_dispatched(name="Budi", phone="0812 3456 7890")
    make_dispatched(name="Ani", nik="3201014101900002", phone="022-123456")
    rows = [r for g in dist.waiting_documents(db, dist.WaitingFilter(no_phone_only=True)) for r in g.rows]
    assert [r.applicant_name for r in rows] == ["Ani"]
    msg = dist.ready_message("Budi", "kk_ubah", "Sukamaju")
    assert "Budi" in msg and "Kantor Desa Sukamaju" in msg
    assert "Kantor Desa Sukamaju" in dist.ready_message("Budi", "kk_ubah", "Desa  Sukamaju")
    assert "Kantor Kelurahan Cempaka" in dist.ready_message("Budi", "kk_ubah", "Kelurahan Cempaka")


def test_report_counts(db: Database, make_dispatched: MakeDispatched) -> None:
    a = make_dispatched(name="Budi", service="kk_ubah")
    make_dispatched(name="Ani", nik="3201014101900002", service="kk_ubah")
    save_application(db, service_code="akta_lahir", applicant=ApplicantData("3201010101900009", "Dedi"))
    dist.mark_arrived(db, [a])
    dist.record_handover(db, a, dist.HandOverInput(id_checked=True))
    today = date.today()
    rep = dist.report_counts(db, today, today)
    by = {r.service_code: r for r in rep.rows}
    assert by["kk_ubah"].counts[Status.HANDED_OVER] == 1
    assert by["kk_ubah"].counts[Status.DISPATCHED] == 1
    assert by["akta_lahir"].counts[Status.DRAFT] == 1
    assert rep.total == 3 and rep.handed_over_in_period == 1
    empty = dist.report_counts(db, today - timedelta(days=40), today - timedelta(days=31))
    assert empty.rows == () and empty.total == 0 and empty.handed_over_in_period == 0
    # Payload of the queued events is valid JSON in the queue order.
    assert [e["status"] for e in dist.pending_events(db)] == ["arrived", "handed_over"]
    assert json.loads(json.dumps(dist.pending_events(db)))
