"""Half by stick, half online, return bundles and online pulls interleaved; and the laptop's
real bundles damaged on the way to the office: each refused or harmless, nothing written on
the server (every table counted before and after)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from desa_capil.domain import catalog
from desa_capil.paths import AppPaths
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import running_server
from desa_capil.store import batches
from desa_capil.store.db import Database
from desa_capil.store.models import Application, StatusChange
from desa_capil.sync import apply
from desa_capil.sync.config import SyncConfig, credential_store, enroll, load_config
from desa_capil.sync.usb_identity import office_keys, register_online
from desa_capil.sync.usb_return import apply_return_bundle
from desa_capil.sync.worker import SyncWorker
from desa_capil.usbroute import KeySet
from tests.sync.helpers import Admin, assert_server_has, make_batch

from .loop import Office, export_stick

VILLAGE = "32.04.05.2001"


@pytest.fixture
def central(tmp_path: Path) -> Iterator[EmbeddedServer]:
    catalog.use_bundled()
    with running_server(tmp_path / "server") as server:
        server.create_village(VILLAGE, "Desa Sukamaju")
        yield server
    catalog.use_bundled()


class Laptop:
    def __init__(self, db: Database, paths: AppPaths, cfg: SyncConfig) -> None:
        self.db, self.paths, self.config = db, paths, cfg

    def sync(self) -> Any:
        worker = SyncWorker(self.db, self.config.client_factory())
        try:
            return worker.run_until_idle()
        finally:
            worker.close()


@pytest.fixture
def laptop(central: EmbeddedServer, db: Database, paths: AppPaths) -> Laptop:
    """Enrolled online, and on the USB route too (keys registered, office keys kept)."""
    creds = credential_store(paths)
    enroll(db, creds, central.base_url, central.new_enrollment_code(VILLAGE), device_name="Laptop desa")
    cfg = load_config(db, creds)
    assert cfg is not None
    laptop = Laptop(db, paths, cfg)
    # The first online pass joins the USB route by itself (usb_identity.join_online).
    laptop.sync()
    assert office_keys(db) is not None
    client = cfg.client()
    try:
        register_online(db, paths, client)  # the same keys again: fine
    finally:
        client.close()
    return laptop


def local_statuses(db: Database) -> dict[str, str]:
    with db.session() as s:
        return {a.id: a.status for a in s.exec(select(Application)).scalars()}


def server_counts(central: EmbeddedServer) -> dict[str, int]:
    """Rows in every table of the server's database."""
    svc = central.service
    assert svc is not None
    with svc.db.read_session() as s:
        return {
            t.name: int(s.exec(select(func.count()).select_from(t)).scalar_one())  # type: ignore[call-overload]
            for t in SQLModel.metadata.sorted_tables
            if t.name in _server_tables()
        }


def _server_tables() -> set[str]:
    import desa_capil.server.db as server_db
    import desa_capil.server.usb_models as usb_models

    names = set()
    for mod in (server_db, usb_models):
        for obj in vars(mod).values():
            table = getattr(obj, "__table__", None)
            if table is not None and getattr(obj, "__module__", "") == mod.__name__:
                names.add(table.name)
    return names


@pytest.mark.timeout(300)
def test_half_by_stick_half_online_interleaved(
    central: EmbeddedServer, laptop: Laptop, tmp_path: Path
) -> None:
    db, paths = laptop.db, laptop.paths
    office, admin = Office(central), Admin(central.base_url, central.admin_token)
    stick = tmp_path / "flashdisk"
    stick.mkdir()
    online_batch, online_ids = make_batch(db, n_apps=2)
    stick_batch, stick_ids = make_batch(db, n_apps=2)
    trip = export_stick(db, paths, stick, batch_ids=[stick_batch])
    assert [b["status"] for b in office.import_bundle(trip)["batches"]] == [201]
    # The office's receipt comes back by stick before the link: that batch is never re-sent.
    first_back = apply_return_bundle(db, office.return_bundle(VILLAGE, stick / "kembali-1.dcb"), paths=paths)
    assert first_back.batches_acknowledged == 1
    passed = laptop.sync()
    assert passed.batches_sent == [online_batch]
    # The online batch's documents only.
    assert passed.files_uploaded == len(batches.documents(db, online_batch)) > 0
    server = office.applications()
    # The office works on everything; a return bundle is made half way (it will be old).
    for cid in online_ids + stick_ids:
        office.status(server[cid]["id"], "in_review")
    office.status(server[stick_ids[1]]["id"], "needs_fix", "KTP pelapor tidak terbaca.")
    old_back = office.return_bundle(VILLAGE, stick / "kembali-2.dcb")
    office.finish_and_dispatch(VILLAGE, online_ids)
    office.status(server[stick_ids[0]]["id"], "rejected", "Bukan warga desa ini.")
    office.status(server[stick_ids[1]]["id"], "rejected", "Tidak dilengkapi.")
    # Online pull first (the newest facts), then the old stick arrives: nothing turns back.
    pulled = laptop.sync()
    assert set(pulled.office_changes) == set(online_ids + stick_ids)
    newest = local_statuses(db)
    assert newest == {
        online_ids[0]: "dispatched",
        online_ids[1]: "dispatched",
        stick_ids[0]: "rejected",
        stick_ids[1]: "rejected",
    }
    with db.session() as s:
        history = s.exec(select(func.count()).select_from(StatusChange)).scalar_one()
    late = apply_return_bundle(db, old_back, paths=paths)
    assert late.statuses == {} and late.application_ids == []
    assert local_statuses(db) == newest
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(StatusChange)).scalar_one() == history
    # A fresh return bundle after the pull: the PDFs may come by either route, never twice.
    fresh = apply_return_bundle(db, office.return_bundle(VILLAGE, stick / "kembali-3.dcb"), paths=paths)
    assert fresh.statuses == {}
    assert apply.documents_to_fetch(db) == []
    # The old village bundle replayed at the office after all that: the same report, nothing new.
    before = server_counts(central)
    assert office.import_bundle(trip)["duplicate"] is True
    assert server_counts(central) == before
    assert {cid: a["status"] for cid, a in office.applications().items()} == newest
    assert_server_has(laptop, admin, online_ids + stick_ids)
    # And the next online pass has nothing to send.
    again = laptop.sync()
    assert (again.files_uploaded, again.batches_sent, again.events_sent, again.office_changes) == (
        0,
        [],
        0,
        [],
    )


@pytest.mark.timeout(300)
def test_damaged_or_misaddressed_village_bundles_write_nothing_at_the_office(
    central: EmbeddedServer, laptop: Laptop, tmp_path: Path
) -> None:
    db, paths = laptop.db, laptop.paths
    office = Office(central)
    stick = tmp_path / "flashdisk"
    stick.mkdir()
    make_batch(db, n_apps=2, pages_per_doc=2)
    good = export_stick(db, paths, stick)
    raw = good.read_bytes()
    before = server_counts(central)
    bad = stick / "rusak.dcb"
    rng = random.Random(1616)
    for cut in sorted(rng.sample(range(1, len(raw)), 20)):
        bad.write_bytes(raw[:cut])
        assert office.import_status(bad) == 422
    for _ in range(3):
        flipped = bytearray(raw)
        flipped[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
        bad.write_bytes(bytes(flipped))
        assert office.import_status(bad) == 422
    # Encrypted to another office's key (a laptop pointed at the wrong regency).
    from desa_capil.store import setting_keys as keys
    from desa_capil.store.repo import get_setting, set_setting

    real_box = get_setting(db, keys.OFFICE_BOX_PUBLIC)
    set_setting(db, keys.OFFICE_BOX_PUBLIC, KeySet.generate().box_public)
    assert office.import_status(export_stick(db, paths, stick)) == 422
    set_setting(db, keys.OFFICE_BOX_PUBLIC, real_box)
    # The header names another village than the laptop's.
    central.create_village("32.04.05.2002", "Desa Tetangga")
    set_setting(db, keys.VILLAGE_CODE, "32.04.05.2002")
    assert office.import_status(export_stick(db, paths, stick)) == 422
    set_setting(db, keys.VILLAGE_CODE, VILLAGE)
    after = server_counts(central)
    # Refusals leave the tables as they were (a new village row above is the test's own doing).
    assert {k: v for k, v in after.items() if k != "village"} == {
        k: v for k, v in before.items() if k != "village"
    }
    assert office.applications() == {}
    # The good bundle still goes in afterwards.
    assert [b["status"] for b in office.import_bundle(good)["batches"]] == [201]
