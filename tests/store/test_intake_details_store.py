"""Service-specific intake facts in the local database (schema 5) and old applications."""

from __future__ import annotations

import sqlite3
from datetime import date

from desa_capil.domain.catalog import CATALOG_VERSION
from desa_capil.domain.intake import IntakeDetails, Person
from desa_capil.paths import AppPaths
from desa_capil.store import migrations, repo
from desa_capil.store.db import Database, open_database
from desa_capil.store.pages import load_application
from tests.store.test_repo import SITI, add_page


def test_details_saved_trimmed_and_versioned(db: Database) -> None:
    details = IntakeDetails(
        event_date=date(2026, 1, 5),
        subjects=(Person("almarhum", "Ahmad Yani", "3201011501500001"), Person("anak", "stray")),
        outputs=("kk", "ktp_el"),
    )
    app_id = repo.save_application(db, service_code="akta_mati", applicant=SITI, details=details)
    got = load_application(db, app_id).details
    assert got.event_date == date(2026, 1, 5)
    assert [p.role for p in got.subjects] == ["almarhum"]
    assert got.outputs == ("akta_kematian", "kk", "ktp_el")
    assert got.catalog_version == CATALOG_VERSION
    # Saving without details keeps them; another service drops what it does not ask.
    repo.save_application(db, service_code="akta_mati", applicant=SITI, application_id=app_id)
    assert load_application(db, app_id).details == got
    repo.save_application(db, service_code="kk_hilang", applicant=SITI, application_id=app_id)
    again = load_application(db, app_id).details
    assert again.subjects == () and again.event_date is None and again.outputs == ("kk",)


def test_application_keeps_the_catalog_version_it_was_made_with(db: Database) -> None:
    app_id = repo.save_application(db, service_code="kia", applicant=SITI)
    with db.session() as s:
        from desa_capil.store.models import Application

        app = s.get(Application, app_id)
        assert app is not None
        app.details = '{"catalog_version": "2024.9"}'
        s.add(app)
        s.commit()
    repo.save_application(db, service_code="kia", applicant=SITI, application_id=app_id)
    assert load_application(db, app_id).details.catalog_version == "2024.9"


def test_alternative_makes_an_application_ready(db: Database) -> None:
    app_id = repo.save_application(db, service_code="akta_lahir", applicant=SITI)
    for i, code in enumerate(["kk", "ktp_ortu", "f201", "buku_nikah_ortu", "sptjm_f203"]):
        add_page(db, app_id, code, f"p{i}".encode())
    assert repo.missing_mandatory(db, app_id) == ["sk_lahir"]
    add_page(db, app_id, "ktp_saksi", b"witnesses")
    assert repo.missing_mandatory(db, app_id) == []
    assert repo.refresh_readiness(db, app_id).value == "ready"


def test_schema_4_application_upgrades_and_keeps_working(paths: AppPaths) -> None:
    conn = sqlite3.connect(paths.database, isolation_level=None)
    migrations.upgrade(conn, target=4)
    conn.execute(
        "INSERT INTO applicant VALUES ('a1', '3201014509900001', 'Siti Aminah', '', '', '', '2026-01-01',"
        " '2026-01-01')"
    )
    conn.execute(
        "INSERT INTO application (id, applicant_id, service_code, status, urgency, notes, office_message,"
        " created_at, updated_at, status_at) VALUES ('x1', 'a1', 'ktp_cetak_ulang', 'draft', 'normal', '',"
        " '', '2026-01-01', '2026-01-01', '2026-01-01')"
    )
    conn.close()
    db = open_database(paths)
    try:
        draft = load_application(db, "x1")
        assert draft.details == IntakeDetails()
        # The old draft's paper codes are still the service's: its pages count.
        add_page(db, "x1", "sk_kehilangan", b"police letter")
        add_page(db, "x1", "kk", b"kk")
        assert repo.refresh_readiness(db, "x1").value == "ready"
        repo.save_application(db, service_code="ktp_cetak_ulang", applicant=SITI, application_id="x1")
        assert load_application(db, "x1").details.catalog_version == CATALOG_VERSION
    finally:
        db.close()
