"""An office publishes its own catalog version; villages receive it through sync, over real HTTP
against the reference server. Applications and sealed batches made before keep working."""

from __future__ import annotations

import copy
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desa_capil.domain import catalog
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import (
    AdminClient,
    document_for,
    enroll_device,
    running_server,
    sample_application,
)
from desa_capil.store import repo
from desa_capil.store.db import Database
from desa_capil.sync.catalog_update import install_stored, pull_catalog
from desa_capil.sync.client import ApiClient


@pytest.fixture(autouse=True)
def bundled_catalog() -> Iterator[None]:
    # The embedded server runs in this process and installs what is published: put the
    # bundled catalog back whatever the test did.
    catalog.use_bundled()
    yield
    catalog.use_bundled()


@pytest.fixture
def central(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with running_server(tmp_path / "server") as server:
        yield server


def office_version() -> dict[str, Any]:
    """The regency's SOP: a village cover letter for a new KK, no 'pembetulan data' at villages,
    and a service of its own."""
    raw = json.loads(catalog.catalog_text())
    raw["version"] = "2026.1-kab-bandung"
    raw["services"] = [s for s in raw["services"] if s["code"] != "pembetulan_data"]
    kk_baru = next(s for s in raw["services"] if s["code"] == "kk_baru")
    kk_baru["requirements"].append(
        {"code": "pengantar_desa", "name_id": "Surat pengantar desa", "name_en": "Village cover letter",
         "mandatory": True, "original": "scan"}
    )  # fmt: skip
    raw["services"].append(
        {"code": "sk_domisili", "name_id": "Surat keterangan domisili", "name_en": "Residence letter",
         "requirements": [{"code": "ktp_el", "name_id": "KTP-el", "name_en": "ID card", "mandatory": True,
                           "original": "scan"}]}
    )  # fmt: skip
    return raw


def test_office_catalog_reaches_the_village_and_old_work_survives(
    central: EmbeddedServer, db: Database
) -> None:
    device = enroll_device(central, "32.04.05.2001", "Desa Cileunyi Kulon")
    client = ApiClient(central.base_url, token=device.token)
    admin = AdminClient(central)
    # Nothing published yet: nothing changes.
    assert pull_catalog(client, db) is None and catalog.current_version() == catalog.BUNDLED.version
    # A draft made with the national catalog for a service the office will drop.
    old_draft = repo.save_application(
        db,
        service_code="pembetulan_data",
        applicant=repo.ApplicantData("3201015512900001", "Siti Aminah", ""),
    )
    # A batch sealed (and sent) under the national catalog, replayed after the change.
    data = b"%PDF-1.4 old" + os.urandom(32)
    sealed = {"applications": [sample_application([document_for(device.upload(data), data)],
                                                  service_code="pembetulan_data")]}  # fmt: skip
    batch_id = str(uuid.uuid4())
    assert device.request("PUT", f"/batches/{batch_id}", json=sealed).status_code == 201

    # A broken catalog is refused by the server.
    broken = copy.deepcopy(office_version())
    broken["services"][0]["requirements"][0]["alternatives"] = [["no_such_paper"]]
    r = admin.request("PUT", "/catalog", json=broken)
    assert r.status_code == 422
    r = admin.request("PUT", "/catalog", json=office_version())
    assert r.status_code == 200 and r.json() == {"version": "2026.1-kab-bandung"}
    assert admin.request("PUT", "/catalog", json=office_version()).status_code == 409
    catalog.use_bundled()  # the village laptop has not synced yet (the server shares this process)

    assert pull_catalog(client, db) == "2026.1-kab-bandung"
    assert catalog.current_version() == "2026.1-kab-bandung"
    assert "pengantar_desa" in {r.code for r in catalog.get_service("kk_baru").requirements}
    assert [s.code for s in catalog.search_services("domisili")] == ["sk_domisili"]
    # The dropped service: no longer offered, still there for the draft made with it.
    assert catalog.search_services("pembetulan") == []
    assert catalog.get_service("pembetulan_data").retired
    repo.save_application(
        db, service_code="pembetulan_data", applicant=repo.ApplicantData("3201015512900001", "Siti Aminah", ""),
        application_id=old_draft,
    )  # fmt: skip
    from desa_capil.store.pages import load_application

    assert load_application(db, old_draft).details.catalog_version == catalog.BUNDLED.version
    new_app = repo.save_application(
        db, service_code="sk_domisili", applicant=repo.ApplicantData("3201015512900001", "Siti Aminah", "")
    )
    assert load_application(db, new_app).details.catalog_version == "2026.1-kab-bandung"
    # The sealed batch replays as before: the server still knows the dropped service.
    assert device.request("PUT", f"/batches/{batch_id}", json=sealed).status_code == 200
    # Same version again: nothing to do. After a restart the kept version is used, offline.
    assert pull_catalog(client, db) is None
    catalog.use_bundled()
    assert install_stored(db) == "2026.1-kab-bandung"
    assert catalog.get_service("sk_domisili").name_id == "Surat keterangan domisili"


def test_a_sync_pass_brings_the_office_catalog(central: EmbeddedServer, db: Database) -> None:
    from desa_capil.sync.worker import SyncWorker

    device = enroll_device(central, "32.04.05.2001", "Desa Cileunyi Kulon")
    assert AdminClient(central).request("PUT", "/catalog", json=office_version()).status_code == 200
    catalog.use_bundled()
    worker = SyncWorker(db, lambda: ApiClient(central.base_url, token=device.token))
    try:
        result = worker.run_pass()
    finally:
        worker.close()
    assert not result.problems
    assert catalog.current_version() == "2026.1-kab-bandung"
    assert repo.get_setting(db, "office_catalog_version") == "2026.1-kab-bandung"
