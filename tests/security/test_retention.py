"""Retention: scans deleted after the office confirmed and the period passed; old records archived."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from desa_capil.domain.catalog import get_service
from desa_capil.domain.status import Actor, Status
from desa_capil.security.retention import (
    RETENTION_DAYS_KEY,
    last_run,
    run_retention,
    set_periods,
)
from desa_capil.store.db import Database
from desa_capil.store.models import (
    Applicant,
    Application,
    Document,
    HandOver,
    OfficeDocument,
    Outbox,
    Page,
)
from desa_capil.store.pages import NewPage, add_pages
from desa_capil.store.repo import (
    ApplicantData,
    _set_status,
    refresh_readiness,
    save_application,
    seal_batch,
    set_setting,
)

# Office answers come after the (real-clock) sealing of the batch.
T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
NIK = "3201014509900001"


def _page(tag: bytes) -> NewPage:
    return NewPage(
        data=b"processed-" + tag,
        mime="image/png",
        width=10,
        height=10,
        dpi=150,
        mode="gray",
        thumb=b"thumb-" + tag,
        original=b"original-" + tag,
    )


def _sent_application(db: Database, nik: str = NIK, tag: bytes = b"a") -> tuple[str, list[str]]:
    """An application with all its papers, sealed and accepted by the server; returns its blobs."""
    app_id = save_application(
        db,
        service_code="ktp_cetak_ulang",
        applicant=ApplicantData(
            nik=nik, name="Budi", kk_number="3201010101200007", phone="0812", address="RT 1"
        ),
        notes="untuk BPJS",
    )
    for i, req in enumerate(get_service("ktp_cetak_ulang").mandatory):
        add_pages(db, app_id, req.code, [_page(tag + bytes([48 + i]))])
    assert refresh_readiness(db, app_id) is Status.READY
    seal_batch(db, [app_id], assemble=lambda pages: b"PDF:" + b"".join(p.id.encode() for p in pages))
    with db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        _set_status(s, app, Status.SENT)
        s.commit()
        blobs = []
        for doc in s.exec(select(Document).where(Document.application_id == app_id)):
            assert doc.file_sha256
            blobs.append(doc.file_sha256)
            for p in s.exec(select(Page).where(Page.document_id == doc.id)):
                blobs += [p.processed_sha256, p.original_sha256 or "", p.thumb_sha256 or ""]
    return app_id, blobs


def _office(db: Database, app_id: str, status: Status, at: datetime) -> None:
    with db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        _set_status(s, app, status, actor=Actor.OFFICE, at=at)
        s.commit()


def test_scans_stay_until_the_office_confirms_and_the_period_passes(db: Database) -> None:
    app_id, blobs = _sent_application(db)
    assert all(db.blobs.exists(b) for b in blobs)

    # Sent but not confirmed: nothing goes, however long it waits.
    run_retention(db, T0 + timedelta(days=400))
    assert all(db.blobs.exists(b) for b in blobs)

    _office(db, app_id, Status.IN_REVIEW, T0)
    report = run_retention(db, T0 + timedelta(days=29))
    assert report.documents_purged == 0 and all(db.blobs.exists(b) for b in blobs)

    report = run_retention(db, T0 + timedelta(days=30, minutes=1))
    assert report.documents_purged >= 1 and report.files_deleted == len(set(blobs))
    assert not any(db.blobs.exists(b) for b in blobs)
    with db.session() as s:
        docs = s.exec(select(Document).where(Document.application_id == app_id)).all()
        assert docs and all(d.purged_at is not None and d.file_sha256 is None for d in docs)
        pages = s.exec(select(Page).where(col(Page.document_id).in_([d.id for d in docs]))).all()
        # Metadata stays.
        assert pages and all(p.purged_at is not None and p.width == 10 for p in pages)
        person = s.exec(select(Applicant)).one()
        assert person.nik == NIK  # not archived: not handed over yet
    # Idempotent.
    assert run_retention(db, T0 + timedelta(days=31)).documents_purged == 0
    stored = last_run(db)
    assert stored is not None and stored.ran_at == (T0 + timedelta(days=31)).isoformat()


def test_period_is_configurable_and_shared_bytes_survive(db: Database) -> None:
    set_setting(db, RETENTION_DAYS_KEY, "7")
    app_a, blobs_a = _sent_application(db, tag=b"same")
    # Another resident's draft holds the very same bytes (same file imported twice).
    other = save_application(
        db, service_code="ktp_cetak_ulang", applicant=ApplicantData(nik="3201014509900002", name="Ani")
    )
    req = get_service("ktp_cetak_ulang").mandatory[0]
    add_pages(db, other, req.code, [_page(b"same0")])
    _office(db, app_a, Status.IN_REVIEW, T0)
    run_retention(db, T0 + timedelta(days=8))
    shared = [b for b in blobs_a if b and db.blobs.exists(b)]
    assert shared  # still used by the draft: kept
    with db.session() as s:
        assert s.exec(select(Page).where(Page.processed_sha256 == shared[0])).first() is not None


def test_unsent_addendum_is_never_purged(db: Database) -> None:
    app_id, blobs = _sent_application(db)
    _office(db, app_id, Status.NEEDS_FIX, T0)
    req = get_service("ktp_cetak_ulang").mandatory[0]
    add_pages(db, app_id, req.code, [_page(b"fix")])
    run_retention(db, T0 + timedelta(days=60))
    assert not any(db.blobs.exists(b) for b in blobs)  # the sent papers went
    with db.session() as s:
        fresh = s.exec(select(Page).where(col(Page.document_id).in_(_open_docs(s, app_id)))).all()
    assert len(fresh) == 1 and fresh[0].purged_at is None and db.blobs.exists(fresh[0].processed_sha256)


def _open_docs(s: Session, app_id: str) -> list[str]:
    return list(
        s.exec(select(Document.id).where(Document.application_id == app_id, col(Document.batch_id).is_(None)))
    )


def test_handed_over_records_are_archived(db: Database) -> None:
    set_periods(db, retention=30, archive=90)
    app_id, _ = _sent_application(db)
    for st in (Status.IN_REVIEW, Status.FINISHED, Status.DISPATCHED):
        _office(db, app_id, st, T0)
    signature = db.blobs.put(b"signature strokes")
    office_pdf = db.blobs.put(b"%PDF signed akta")
    receipt = db.blobs.put(b"%PDF receipt")
    with db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        _set_status(s, app, Status.ARRIVED, at=T0)
        _set_status(s, app, Status.HANDED_OVER, at=T0 + timedelta(days=1))
        s.add(
            HandOver(
                application_id=app_id,
                recipient_name="Budi",
                recipient_nik=NIK,
                signature_sha256=signature,
                receipt_sha256=receipt,
            )
        )
        s.add(OfficeDocument(id="od1", application_id=app_id, has_file=True, file_sha256=office_pdf))
        s.add(
            Outbox(
                kind="event",
                ref_id="e1",
                state="done",
                payload=json.dumps({"application_id": app_id, "nik": NIK}),
            )
        )
        s.commit()

    report = run_retention(db, T0 + timedelta(days=90))
    assert report.applications_archived == 0
    report = run_retention(db, T0 + timedelta(days=92))
    assert report.applications_archived == 1 and report.applicants_archived == 1
    with db.session() as s:
        person = s.exec(select(Applicant)).one()
        assert person.name == "Budi" and person.nik == "************0001"
        assert (person.phone, person.address, person.kk_number) == ("", "", "")
        app = s.get(Application, app_id)
        assert app is not None and app.notes == "" and app.archived_at is not None
        ho = s.exec(select(HandOver)).one()
        assert ho.recipient_nik == "************0001" and ho.signature_sha256 is None
        assert ho.receipt_sha256 == receipt  # the village's proof stays
        od = s.get(OfficeDocument, "od1")
        assert od is not None and od.file_sha256 == ""
        assert NIK not in s.exec(select(Outbox.payload).where(Outbox.ref_id == "e1")).one()
    assert not db.blobs.exists(signature) and not db.blobs.exists(office_pdf)
    assert db.blobs.exists(receipt)


def test_resident_with_an_open_request_keeps_contact_details(db: Database) -> None:
    set_periods(db, retention=30, archive=90)
    old, _ = _sent_application(db)
    _office(db, old, Status.REJECTED, T0)
    save_application(db, service_code="kia", applicant=ApplicantData(nik=NIK, name="Budi", phone="0812"))
    report = run_retention(db, T0 + timedelta(days=100))
    assert report.applications_archived == 1 and report.applicants_archived == 0
    with db.session() as s:
        person = s.exec(select(Applicant)).one()
        assert person.nik == NIK and person.phone == "0812"
