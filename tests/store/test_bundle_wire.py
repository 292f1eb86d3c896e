"""A village application's catalog 2025.1 facts travel in the batch manifest (the wire side of
bundles); an application without them yields the manifest it always did."""

from __future__ import annotations

from datetime import date

from desa_capil.domain.intake import IntakeDetails, Person
from desa_capil.store import repo
from desa_capil.store.db import Database
from desa_capil.sync.client import ApiClient
from desa_capil.sync.worker import SyncWorker
from tests.sync.helpers import make_ready, seal


def _worker(db: Database) -> SyncWorker:
    return SyncWorker(db, lambda: ApiClient("http://127.0.0.1:9", token="unused"))


def test_bundle_and_subjects_in_the_manifest(db: Database) -> None:
    app_id = make_ready(db)
    applicant = repo.ApplicantData(nik="3201015512900001", name="Budi Santoso", kk_number="3201011201100001")
    details = IntakeDetails(
        event_date=date(2026, 1, 2),
        subjects=(Person("anak", "Putri Ayu Lestari", ""), Person("ghost", "dropped")),
        outputs=("kk", "kia"),
    )
    repo.save_application(
        db, service_code="akta_lahir", applicant=applicant, application_id=app_id, details=details
    )
    batch_id = seal(db, [app_id])
    [wire] = _worker(db).build_manifest(batch_id).applications
    assert wire.event_date == date(2026, 1, 2)
    assert [(p.role, p.name, p.nik) for p in wire.subjects] == [("anak", "Putri Ayu Lestari", "")]
    assert wire.outputs == ["akta_kelahiran", "kk", "kia"]
    assert wire.catalog_version


def test_application_without_details_sends_the_old_manifest(db: Database) -> None:
    app_id = make_ready(db)
    with db.session() as s:
        from desa_capil.store.models import Application

        app = s.get(Application, app_id)
        assert app is not None
        app.details = "{}"  # as an application made before schema 5
        s.add(app)
        s.commit()
    batch_id = seal(db, [app_id])
    dumped = _worker(db).build_manifest(batch_id).model_dump(mode="json")
    assert set(dumped["applications"][0]) == {
        "id",
        "service_code",
        "applicant",
        "urgency",
        "notes",
        "documents",
    }
