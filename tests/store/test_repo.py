import json

import pytest
from sqlmodel import select

from desa_capil.domain.catalog import Urgency, get_service
from desa_capil.domain.status import Status, TransitionError
from desa_capil.errors import BadInputError
from desa_capil.store import repo
from desa_capil.store.db import Database
from desa_capil.store.models import Application, Batch, Document, Outbox, Page, StatusChange
from desa_capil.store.queries import QueueFilter, queue_ids, queue_rows

SITI = repo.ApplicantData(
    nik="3201014509900001", name="Siti Aminah", kk_number="3201010101100001", phone="0812 3456 7890"
)


def add_page(db: Database, app_id: str, req: str, content: bytes) -> None:
    with db.session() as s:
        doc = repo.document_for(s, app_id, req)
        sha = db.blobs.put(content)
        n = len(s.exec(select(Page).where(Page.document_id == doc.id)).all())
        s.add(
            Page(
                document_id=doc.id,
                position=n,
                processed_sha256=sha,
                mime="image/png",
                size_bytes=len(content),
            )
        )
        s.commit()


def concat(pages: list[Page]) -> bytes:
    return b"%PDF-fake\n" + b"".join(p.processed_sha256.encode() for p in pages)


def test_draft_to_ready_needs_every_mandatory_paper(db: Database) -> None:
    app_id = repo.save_application(db, service_code="akta_lahir", applicant=SITI, urgency=Urgency.BPJS)
    service = get_service("akta_lahir")
    assert repo.missing_mandatory(db, app_id) == [r.code for r in service.mandatory]
    assert repo.refresh_readiness(db, app_id) is Status.DRAFT
    for i, req in enumerate(service.mandatory):
        add_page(db, app_id, req.code, f"page {i}".encode())
    assert repo.missing_mandatory(db, app_id) == []
    assert repo.refresh_readiness(db, app_id) is Status.READY
    with db.session() as s:
        history = s.exec(select(StatusChange.status).where(StatusChange.application_id == app_id)).all()
    assert history == ["draft", "ready"]


def test_applicant_reused_by_nik(db: Database) -> None:
    a = repo.save_application(db, service_code="kia", applicant=SITI)
    b = repo.save_application(
        db, service_code="kk_hilang", applicant=repo.ApplicantData(SITI.nik, "Siti A.", SITI.kk_number)
    )
    rows = queue_rows(db, [a, b])
    assert rows[a].applicant_name == rows[b].applicant_name == "Siti A."


def test_seal_batch_is_complete_and_queues_uploads_then_manifest(db: Database) -> None:
    ids = []
    for n in range(3):
        app_id = repo.save_application(
            db,
            service_code="pindah_keluar",
            applicant=repo.ApplicantData(f"32010145099000{n + 10}", f"Warga {n}", "3201010101100001"),
        )
        add_page(db, app_id, "kk", f"kk {n}".encode())
        add_page(db, app_id, "ktp_el", f"ktp {n}a".encode())
        add_page(db, app_id, "ktp_el", f"ktp {n}b".encode())
        assert repo.refresh_readiness(db, app_id) is Status.READY
        ids.append(app_id)
    assert repo.ready_application_ids(db) == ids
    sealed = repo.seal_batch(db, ids, concat)
    assert (sealed.application_count, sealed.page_count) == (3, 9)
    with db.session() as s:
        docs = s.exec(select(Document).where(Document.batch_id == sealed.id)).all()
        assert len(docs) == 6
        assert sum(d.file_size for d in docs) == sealed.total_bytes
        for d in docs:
            assert d.file_sha256 and db.blobs.get(d.file_sha256).startswith(b"%PDF")
        outbox = s.exec(select(Outbox).order_by(Outbox.id)).all()
        assert [o.kind for o in outbox] == ["upload"] * 6 + ["manifest"]
        assert {json.loads(o.payload)["sha256"] for o in outbox[:6]} == {d.file_sha256 for d in docs}
        batch = s.get(Batch, sealed.id)
        assert batch is not None and batch.total_bytes == sealed.total_bytes
    assert repo.pending_upload_bytes(db) == sealed.total_bytes
    assert repo.status_counts(db)[Status.SENDING] == 3
    # Sealed means immutable: no edit, no delete, no second seal.
    with pytest.raises(repo.NotEditable):
        repo.save_application(db, service_code="pindah_keluar", applicant=SITI, application_id=ids[0])
    with pytest.raises(repo.NotEditable):
        repo.delete_application(db, ids[0])
    with pytest.raises(BadInputError):
        repo.seal_batch(db, ids, concat)


def test_seal_refuses_drafts_and_empty(db: Database) -> None:
    app_id = repo.save_application(db, service_code="kia", applicant=SITI)
    with pytest.raises(BadInputError):
        repo.seal_batch(db, [app_id], concat)
    with pytest.raises(BadInputError):
        repo.seal_batch(db, [], concat)


def test_delete_draft_removes_its_papers(db: Database) -> None:
    app_id = repo.save_application(db, service_code="kia", applicant=SITI)
    add_page(db, app_id, "kk", b"x")
    sha = db.blobs.put(b"x")
    repo.delete_application(db, app_id)
    assert not db.blobs.exists(sha)  # the scan of a resident's paper is gone too
    with db.session() as s:
        assert s.exec(select(Page)).all() == []
        assert s.exec(select(Document)).all() == []
    assert queue_ids(db, QueueFilter()) == []


def test_office_status_cannot_be_set_by_village(db: Database) -> None:
    app_id = repo.save_application(db, service_code="kia", applicant=SITI)
    with db.session() as s:
        from desa_capil.store.models import Application

        app = s.get(Application, app_id)
        assert app is not None
        with pytest.raises(TransitionError):
            repo._set_status(s, app, Status.FINISHED)


def test_queue_search_and_order(db: Database) -> None:
    a = repo.save_application(
        db,
        service_code="akta_lahir",
        applicant=repo.ApplicantData("3201014509900001", "Budi_Santoso", "3201010101100001"),
    )
    b = repo.save_application(
        db,
        service_code="kia",
        applicant=repo.ApplicantData("3201010509900002", "Ani 100%", "3201010101100002"),
        urgency=Urgency.HOSPITAL,
    )
    assert queue_ids(db, QueueFilter()) == [b, a]  # urgent first
    assert queue_ids(db, QueueFilter(text="budi")) == [a]
    assert queue_ids(db, QueueFilter(text="0509900002")) == [b]
    assert queue_ids(db, QueueFilter(text="kelahiran")) == [a]  # by service name
    assert queue_ids(db, QueueFilter(text="100%")) == [b]  # LIKE wildcards are literal
    assert queue_ids(db, QueueFilter(text="_")) == [a]
    assert queue_ids(db, QueueFilter(statuses=frozenset({Status.READY}))) == []
    assert queue_ids(db, QueueFilter(service_code="kia")) == [b]


def test_changing_service_drops_papers_it_does_not_need(db: Database) -> None:
    app_id = repo.save_application(db, service_code="akta_lahir", applicant=SITI)
    add_page(db, app_id, "kk", b"kk")
    add_page(db, app_id, "sk_lahir", b"surat lahir")
    repo.save_application(db, service_code="kia", applicant=SITI, application_id=app_id)
    assert set(repo.pages_by_requirement(db, app_id)) == {"kk"}


def test_queue_limit_keeps_the_order(db: Database) -> None:
    ids = [
        repo.save_application(
            db,
            service_code="kia",
            applicant=repo.ApplicantData(f"32010145099000{n + 10}", f"Warga {n}", "3201010101100001"),
        )
        for n in range(5)
    ]
    everything = queue_ids(db, QueueFilter())
    assert sorted(everything) == sorted(ids)
    assert queue_ids(db, QueueFilter(), limit=2) == everything[:2]


def test_intake_receipt_is_kept_replaced_and_deleted_with_its_application(db: Database) -> None:
    from desa_capil.store import distribution as dist

    app_id = repo.save_application(db, service_code="kia", applicant=SITI)
    assert dist.stored_intake_receipt(db, app_id) is None
    first = dist.attach_intake_receipt(db, app_id, b"%PDF-first")
    assert dist.stored_intake_receipt(db, app_id) == b"%PDF-first"
    second = dist.attach_intake_receipt(db, app_id, b"%PDF-second")
    assert dist.stored_intake_receipt(db, app_id) == b"%PDF-second"
    assert not db.blobs.exists(first)  # the older paper named the resident too
    with db.session() as s:
        assert repo.blob_in_use(s, second)
    repo.delete_application(db, app_id)
    assert not db.blobs.exists(second)


def test_replacing_an_intake_receipt_keeps_the_same_bytes_another_application_uses(db: Database) -> None:
    from desa_capil.store import distribution as dist

    one = repo.save_application(db, service_code="kia", applicant=SITI)
    two = repo.save_application(db, service_code="kk_hilang", applicant=SITI)
    shared = dist.attach_intake_receipt(db, one, b"%PDF-same")
    dist.attach_intake_receipt(db, two, b"%PDF-same")
    dist.attach_intake_receipt(db, two, b"%PDF-other")
    assert dist.stored_intake_receipt(db, one) == b"%PDF-same"
    assert db.blobs.exists(shared)


def test_seal_refused_for_a_needs_fix_without_new_papers_assembles_nothing(db: Database) -> None:
    ready = repo.save_application(db, service_code="kia", applicant=SITI)
    for req in get_service("kia").mandatory:
        add_page(db, ready, req.code, req.code.encode())
    assert repo.refresh_readiness(db, ready) is Status.READY
    first = repo.save_application(db, service_code="kk_hilang", applicant=SITI)
    for req in get_service("kk_hilang").mandatory:
        add_page(db, first, req.code, b"kk " + req.code.encode())
    assert repo.refresh_readiness(db, first) is Status.READY
    repo.seal_batch(db, [first], concat)
    with db.session() as s:
        app = s.get(Application, first)
        assert app is not None
        app.status = Status.NEEDS_FIX  # as the office's answer would leave it
        s.add(app)
        s.commit()
    assembled: list[list[Page]] = []

    def counting(pages: list[Page]) -> bytes:
        assembled.append(pages)
        return concat(pages)

    with pytest.raises(BadInputError):
        repo.seal_batch(db, [ready, first], counting)
    assert assembled == []  # refused before any file was built (no orphan file of a resident)
