"""store.pages with real pipeline output (processing.py): add, list, reorder, rotate, delete."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from desa_capil.domain.status import Status
from desa_capil.scan.pdf import assemble_pdf, page_count
from desa_capil.services import pages as processing
from desa_capil.store import pages as sp
from desa_capil.store import repo
from desa_capil.store.db import Database
from desa_capil.store.models import Page

NIK = "3201015512900001"


def _app(db: Database, service: str = "kk_hilang") -> str:
    return repo.save_application(db, service_code=service, applicant=repo.ApplicantData(NIK, "Siti"))


def _assemble(db: Database) -> Callable[[list[Page]], bytes]:
    return lambda pages: assemble_pdf([(db.blobs.get(p.processed_sha256), p.mime) for p in pages])


def test_add_list_reorder_delete(db: Database, make_png: Callable[[str], Path]) -> None:
    app_id = _app(db)
    new = processing.pages_from_file(make_png("a")) + processing.pages_from_file(make_png("b"))
    ids = sp.add_pages(db, app_id, "ktp_el", new)
    listed = sp.list_pages(db, app_id)["ktp_el"]
    assert [p.id for p in listed] == ids
    assert all(p.thumb[:2] == b"\xff\xd8" and p.can_rotate for p in listed)  # JPEG thumbnails

    assert sp.move_page(db, ids[1], -1) == 0
    assert [p.id for p in sp.list_pages(db, app_id)["ktp_el"]] == [ids[1], ids[0]]
    sp.set_page_order(db, ids)
    assert [p.id for p in sp.list_pages(db, app_id)["ktp_el"]] == ids
    with pytest.raises(ValueError):
        sp.set_page_order(db, ids[:1])  # every page of the document, or nothing

    processed = {p.id: p for p in sp.list_pages(db, app_id)["ktp_el"]}
    with db.session() as s:
        gone = s.get(Page, ids[0])
        assert gone is not None
        shas = [gone.processed_sha256, gone.thumb_sha256, gone.original_sha256]
    sp.delete_page(db, ids[0])
    assert [p.id for p in sp.list_pages(db, app_id)["ktp_el"]] == [ids[1]]
    assert sp.list_pages(db, app_id)["ktp_el"][0].position == 0
    # Its files are gone too (personal data), since no other page used the same bytes.
    assert not any(db.blobs.exists(s) for s in shas if s)
    assert processed[ids[1]].size_bytes > 0


def test_rotate_reprocesses_from_original(db: Database, make_png: Callable[[str], Path]) -> None:
    app_id = _app(db)
    (pid,) = sp.add_pages(db, app_id, "ktp_el", processing.pages_from_file(make_png("r")))
    before = sp.list_pages(db, app_id)["ktp_el"][0]
    assert before.height > before.width  # a portrait page
    after = sp.rotate_page(db, pid, 90, processing.reprocess)
    assert (after.rotation, after.width > after.height) == (90, True)
    back = sp.rotate_page(db, pid, -90, processing.reprocess)
    assert back.rotation == 0
    assert (back.width, back.height) == (before.width, before.height)


def test_readiness_and_seal_counts(
    db: Database, make_png: Callable[[str], Path], make_pdf: Callable[[str, int], Path]
) -> None:
    app_id = _app(db, "kk_hilang")
    from desa_capil.domain.catalog import get_service

    mandatory = [r.code for r in get_service("kk_hilang").mandatory]
    assert repo.refresh_readiness(db, app_id) is Status.DRAFT
    expected_pages = 0
    for i, code in enumerate(mandatory):
        new = processing.pages_from_file(make_pdf(f"p{i}", 2) if i == 0 else make_png(f"p{i}"))
        sp.add_pages(db, app_id, code, new)
        expected_pages += len(new)
    assert repo.refresh_readiness(db, app_id) is Status.READY
    sealed = repo.seal_batch(db, [app_id], _assemble(db))
    assert sealed.page_count == expected_pages
    # Sealed papers are no longer open: nothing to list, nothing to change.
    assert sp.list_pages(db, app_id) == {}
    assert sum(sp.sent_page_counts(db, app_id).values()) == expected_pages
    with db.session() as s:
        from sqlmodel import select

        from desa_capil.store.models import Document

        docs = s.exec(select(Document).where(Document.application_id == app_id)).all()
    assert sum(d.file_size for d in docs) == sealed.total_bytes
    assert sum(page_count(db.blobs.get(d.file_sha256)) for d in docs if d.file_sha256) == expected_pages


def test_pages_refused_once_sent(db: Database, make_png: Callable[[str], Path]) -> None:
    app_id = _app(db, "kk_hilang")
    from desa_capil.domain.catalog import get_service

    pages = processing.pages_from_file(make_png("x"))
    ids = []
    for r in get_service("kk_hilang").mandatory:
        ids += sp.add_pages(db, app_id, r.code, pages)
    repo.refresh_readiness(db, app_id)
    repo.seal_batch(db, [app_id], _assemble(db))
    with pytest.raises(repo.NotEditable):
        sp.add_pages(db, app_id, "ktp_el", pages)
    with pytest.raises(repo.NotEditable):
        sp.delete_page(db, ids[0])


def test_applicant_by_nik_and_load(db: Database) -> None:
    assert sp.applicant_by_nik(db, NIK) is None
    app_id = repo.save_application(
        db,
        service_code="akta_lahir",
        applicant=repo.ApplicantData(NIK, "Siti Aminah", "3201011503100002", "0812345678", "RT 2"),
        notes="bayi lahir di rumah",
    )
    found = sp.applicant_by_nik(db, NIK)
    assert found is not None and (found.name, found.phone) == ("Siti Aminah", "0812345678")
    draft = sp.load_application(db, app_id)
    assert (draft.service_code, draft.notes, draft.status) == (
        "akta_lahir",
        "bayi lahir di rumah",
        Status.DRAFT,
    )


def test_deleting_a_page_keeps_bytes_an_intake_receipt_shares(
    db: Database, make_png: Callable[[str], Path]
) -> None:
    """The blob store is content-addressed: a page's file is deleted only when no record at all
    (here the kept intake receipt) still refers to the same bytes."""
    from desa_capil.store import distribution as dist

    app_id = _app(db)
    (pid,) = sp.add_pages(db, app_id, "ktp_el", processing.pages_from_file(make_png("same")))
    with db.session() as s:
        page = s.get(Page, pid)
        assert page is not None
        shared = page.processed_sha256
    assert dist.attach_intake_receipt(db, app_id, db.blobs.get(shared)) == shared
    sp.delete_page(db, pid)
    assert dist.stored_intake_receipt(db, app_id) is not None
