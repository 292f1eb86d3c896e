"""Page operations of the services layer report what they changed: the papers always, the
application's row only when its status moved (draft <-> ready)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desa_capil.domain.catalog import get_service
from desa_capil.domain.status import Status
from desa_capil.services import pages
from desa_capil.services.changes import Changes
from desa_capil.store import pages as sp
from desa_capil.store import repo
from desa_capil.store.db import Database
from tests.intake.conftest import page_image

NIK = "3201015512900001"


def _png(tmp_path: Path) -> Callable[[str], Path]:
    def make(name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page_image(name).save(path, dpi=(100, 100))
        return path

    return make


def test_page_operations_say_what_they_changed(db: Database, tmp_path: Path) -> None:
    png = _png(tmp_path)
    app_id = repo.save_application(db, service_code="kk_hilang", applicant=repo.ApplicantData(NIK, "Siti"))
    papers_only = Changes(pages=frozenset({app_id}))
    with_row = Changes(applications=frozenset({app_id}), pages=frozenset({app_id}))
    mandatory = [r.code for r in get_service("kk_hilang").mandatory]
    *first, last = mandatory
    for code in first:
        _ids, changes = pages.add_to_paper(db, app_id, code, pages.pages_from_file(png(code)))
        assert changes == papers_only  # still a draft
    ids, changes = pages.add_to_paper(db, app_id, last, pages.pages_from_file(png(last)))
    assert changes == with_row and repo.application_status(db, app_id) is Status.READY
    turned = pages.change_papers(db, app_id, lambda: sp.rotate_page(db, ids[0], 90, pages.reprocess))
    assert turned == papers_only
    removed = pages.change_papers(db, app_id, lambda: sp.delete_page(db, ids[0]))
    assert removed == with_row and repo.application_status(db, app_id) is Status.DRAFT
