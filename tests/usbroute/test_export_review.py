"""The exporter after the review: one bad batch no longer blocks a trip (every valid batch goes,
each skipped one is named with its reason, nothing skipped is recorded as sent), and a laptop
the office revoked can still put its unsent work on a stick."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desa_capil.domain import catalog
from desa_capil.paths import AppPaths
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import running_server
from desa_capil.services import usb_export
from desa_capil.store import batches, setting_keys
from desa_capil.store.db import Database
from desa_capil.store.models import Applicant, Application, BatchRoute, Document
from desa_capil.store.repo import get_setting
from desa_capil.sync import usb_identity
from desa_capil.sync.client import TokenRevoked
from desa_capil.sync.config import DEVICE_ID, credential_store, enroll, load_config
from desa_capil.sync.worker import SyncWorker
from desa_capil.usbroute import load_or_create, open_bundle
from tests.sync.helpers import Admin, make_batch

from .loop import Office

VILLAGE = "32.04.05.2001"


@pytest.fixture
def central(tmp_path: Path) -> Iterator[EmbeddedServer]:
    catalog.use_bundled()
    with running_server(tmp_path / "server") as server:
        server.create_village(VILLAGE, "Desa Sukamaju")
        yield server


@pytest.fixture
def stick(tmp_path: Path) -> Path:
    folder = tmp_path / "FLASHDISK"
    folder.mkdir()
    return folder


@pytest.fixture
def by_stick(db: Database, paths: AppPaths, central: EmbeddedServer, tmp_path: Path) -> Office:
    """The laptop enrolled from the office's file and paper code (no link)."""
    office = Office(central)
    file, code = office.enrollment(VILLAGE, tmp_path)
    usb_identity.enroll_from_file(db, paths, file, code)
    return office


def _set_nik(db: Database, batch_id: str, nik: str) -> None:
    """Data an older version let in: the batch's first application gets an applicant whose NIK
    is no longer 16 digits (a row of its own: the other batches keep theirs)."""
    with db.session() as s:
        doc = s.get(Document, batches.documents(db, batch_id)[0].id)
        assert doc is not None
        app = s.get(Application, doc.application_id)
        assert app is not None
        person = Applicant(nik=nik, name="Siti Aminah", kk_number="")
        s.add(person)
        s.flush()
        app.applicant_id = person.id
        s.add(app)
        s.commit()


def _lose_page(db: Database, batch_id: str) -> None:
    """One document's assembled file is gone from the blob store (disk error, a bad copy)."""
    first = batches.documents(db, batch_id)[0]
    db.blobs.delete(first.file_sha256 or "")


def _office_meta(central: EmbeddedServer, path: Path) -> list[str]:
    keys = load_or_create(central.settings.data_dir / "usb" / "office_keys.json")
    with open_bundle(path, box_private=keys.box, verify_key=None) as opened:
        names = set(opened.names())
        ids = [str(b["batch_id"]) for b in opened.meta["batches"]]
        # every page of every manifest is in the bundle, and nothing else
        wanted = {
            f"pages/{d['upload_id']}"
            for b in opened.meta["batches"]
            for a in b["manifest"]["applications"]
            for d in a["documents"]
        }
        assert names == wanted
        return ids


def test_one_bad_batch_does_not_block_the_trip(
    db: Database, paths: AppPaths, central: EmbeddedServer, by_stick: Office, stick: Path
) -> None:
    bad_data, _ = make_batch(db, 1)
    good, good_apps = make_batch(db, 2)
    lost_page, _ = make_batch(db, 1)
    _set_nik(db, bad_data, "12345")
    _lose_page(db, lost_page)

    result = usb_export.export(db, paths, stick)

    assert result.batch_ids == [good] and result.applications == 2
    assert [(b.batch_id, b.reason) for b in result.skipped] == [
        (bad_data, "invalid_data"),
        (lost_page, "page_missing"),
    ]
    text = result.skipped_text("id")
    assert text.startswith("2 kiriman TIDAK ikut ke flashdisk")
    assert "NIK" in text and "pindai ulang" in text
    assert "NOT on the stick" in result.skipped_text("en")
    # Only what was written is recorded as carried by stick.
    assert [t.route for t in batches.trips(db, good)] == [BatchRoute.STICK]
    assert batches.trips(db, bad_data) == [] and batches.trips(db, lost_page) == []
    assert set(batches.exportable(db)) == {bad_data, good, lost_page}
    # The file holds exactly the good batch, and the office takes it.
    assert _office_meta(central, result.path) == [good]
    by_stick.import_bundle(result.path)
    office_clients = {a["client_id"] for a in Admin(central.base_url, central.admin_token).applications()}
    assert office_clients == set(good_apps)


def test_only_bad_batches_is_refused_and_nothing_recorded(
    db: Database, paths: AppPaths, by_stick: Office, stick: Path
) -> None:
    bad, _ = make_batch(db, 1)
    _set_nik(db, bad, "1")
    with pytest.raises(usb_export.ExportError) as err:
        usb_export.export(db, paths, stick)
    assert err.value.reason == "all_skipped"
    assert "Tidak ada kiriman yang bisa ditulis" in err.value.message_id
    assert "NIK" in err.value.message_id and "Tidak ada yang dicatat terkirim" in err.value.message_id
    assert list(stick.iterdir()) == [] and batches.trips(db, bad) == []


def test_a_revoked_laptop_still_writes_its_unsent_work_to_a_stick(
    db: Database, paths: AppPaths, central: EmbeddedServer, stick: Path
) -> None:
    """Enrolled online and on the USB route, then revoked by the office (stolen and found, or
    replaced): the online route stops, the backup bundle of unsent work is still written, whole
    and readable by the office."""
    creds = credential_store(paths)
    enroll(db, creds, central.base_url, central.new_enrollment_code(VILLAGE), device_name="Laptop desa")
    cfg = load_config(db, creds)
    assert cfg is not None
    worker = SyncWorker(db, cfg.client_factory())
    try:
        worker.run_until_idle()  # joins the USB route (keys registered, office keys kept)
        assert usb_identity.office_keys(db) is not None
        batch, apps = make_batch(db, 2)
        Admin(central.base_url, central.admin_token).revoke(get_setting(db, DEVICE_ID))
        with pytest.raises(TokenRevoked):
            worker.run_pass()
    finally:
        worker.close()
    assert batches.exportable(db) == [batch]

    result = usb_export.export(db, paths, stick, purpose="backup")

    assert result.path.name.startswith("cadangan-") and result.batch_ids == [batch]
    assert _office_meta(central, result.path) == [batch]
    assert get_setting(db, setting_keys.VILLAGE_CODE) == VILLAGE
    # At the office: refused as revoked unless an admin confirms it, then the work arrives.
    office = Office(central)
    refused = office.s.post(
        office.base + "/usb/import",
        data=result.path.read_bytes(),
        headers={"Content-Type": "application/octet-stream"},
        timeout=120,
    )
    assert refused.status_code == 422 and "revoked" in refused.text
    accepted = office.s.post(
        office.base + "/usb/import",
        params={"accept_revoked": "true"},
        data=result.path.read_bytes(),
        headers={"Content-Type": "application/octet-stream"},
        timeout=120,
    )
    assert accepted.status_code == 200, accepted.text
    office_clients = {a["client_id"] for a in Admin(central.base_url, central.admin_token).applications()}
    assert office_clients == set(apps)
