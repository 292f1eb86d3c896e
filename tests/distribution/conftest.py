"""Helpers that put applications into the states distribution works on, through the store."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desa_capil.domain.status import Status
from desa_capil.store.db import Database
from desa_capil.store.models import OfficeDocument, Operator, new_id, utcnow
from desa_capil.store.repo import ApplicantData, save_application, set_setting

from .helpers import MakeDispatched, advance


@pytest.fixture
def operator_id(db: Database) -> int:
    with db.session() as s:
        op = Operator(name="Siti Aminah")
        s.add(op)
        s.commit()
        assert op.id is not None
        return op.id


@pytest.fixture
def village(db: Database) -> None:
    set_setting(db, "village_name", "Sukamaju")
    set_setting(db, "village_code", "32.01.01.2001")


@pytest.fixture
def make_dispatched(db: Database) -> MakeDispatched:
    def make(
        name: str = "Budi Santoso",
        nik: str = "3201010101900001",
        phone: str = "0812-3456-7890",
        service: str = "kk_ubah",
        dispatch_id: str = "D-1",
        titles: tuple[str, ...] = ("Kartu Keluarga",),
        file_sha: str | None = None,
        at: datetime | None = None,
    ) -> str:
        app_id = save_application(
            db,
            service_code=service,
            applicant=ApplicantData(nik=nik, name=name, kk_number="3201010101200001", phone=phone),
        )
        at = at or utcnow() - timedelta(days=1)
        advance(db, app_id, Status.DISPATCHED, at=at)
        with db.session() as s:
            for title in titles:
                s.add(
                    OfficeDocument(
                        id=new_id(),
                        application_id=app_id,
                        title=title,
                        dispatch_id=dispatch_id,
                        dispatched_at=at,
                        has_file=file_sha is not None,
                        file_sha256=file_sha,
                    )
                )
            s.commit()
        return app_id

    return make
