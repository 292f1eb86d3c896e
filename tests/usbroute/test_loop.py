"""The whole loop through a USB stick with no network, then a link: real reference server over
real HTTP for the office, a folder for the stick, the laptop's own database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from desa_capil.domain import catalog
from desa_capil.paths import AppPaths
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import running_server
from desa_capil.store import batches
from desa_capil.store.db import Database
from desa_capil.store.distribution import HandOverInput, mark_arrived, record_handover
from desa_capil.store.models import Application, Batch, OfficeDocument, Outbox, OutboxState
from desa_capil.sync import apply
from desa_capil.sync.config import credential_store, enroll, load_config
from desa_capil.sync.usb_identity import enroll_from_file
from desa_capil.sync.usb_return import apply_return_bundle
from desa_capil.sync.worker import SyncWorker
from tests.sync.helpers import make_batch

from .loop import PDF, Office, export_stick

VILLAGE = "32.04.05.2001"


@pytest.fixture
def central(tmp_path: Path) -> Iterator[EmbeddedServer]:
    catalog.use_bundled()
    with running_server(tmp_path / "server") as server:
        server.create_village(VILLAGE, "Desa Sukamaju")
        yield server
    catalog.use_bundled()


def statuses(db: Database) -> dict[str, str]:
    with db.session() as s:
        return {a.id: a.status for a in s.exec(select(Application))}


@pytest.mark.timeout(300)
def test_full_loop_by_stick_then_a_link_finds_nothing_to_resend(
    central: EmbeddedServer, db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    office = Office(central)
    stick = tmp_path / "flashdisk"
    stick.mkdir()
    # Offline enrollment: the file on the stick, the code on paper.
    enroll_file, code = office.enrollment(VILLAGE, stick)
    enrolled = enroll_from_file(db, paths, enroll_file, code)
    assert enrolled.village_code == VILLAGE
    assert load_config(db, credential_store(paths)) is None  # no link, no token
    # Intake, sealed; out on the stick; imported at the office.
    b1, ids1 = make_batch(db, n_apps=2, pages_per_doc=2)
    b2, ids2 = make_batch(db, n_apps=1)
    trip1 = export_stick(db, paths, stick)
    assert [(t.route, t.file_name) for t in batches.trips(db, b1)] == [("stick", trip1.name)]
    report = office.import_bundle(trip1)
    assert report["keys_registered"] is True
    assert sorted(b["status"] for b in report["batches"]) == [201, 201]
    assert office.import_bundle(trip1)["duplicate"] is True  # the same stick twice: nothing new
    server = office.applications()
    assert sorted(server) == sorted(ids1 + ids2)
    # The office finishes two with signed PDFs and asks for a fix on the third.
    office.finish_and_dispatch(VILLAGE, ids1)
    office.status(server[ids2[0]]["id"], "needs_fix", "Foto KK buram; bawa KK asli.")
    back1 = office.return_bundle(VILLAGE, stick / "kembali-1.dcb")
    result = apply_return_bundle(db, back1, paths=paths)
    assert result.batches_acknowledged == 2
    assert result.documents == 2 and result.documents_waiting == 0
    assert statuses(db) == {ids1[0]: "dispatched", ids1[1]: "dispatched", ids2[0]: "needs_fix"}
    with db.session() as s:
        docs = s.exec(select(OfficeDocument)).all()
        assert sorted(db.blobs.get(d.file_sha256 or "") for d in docs) == sorted(
            PDF + i.encode() for i in ids1
        )
        # Acknowledged by the office through the stick (the Kiriman page shows the route).
        assert {(b.state, b.ack_via) for b in s.exec(select(Batch))} == {("sent", "stick")}
        assert not s.exec(select(Outbox).where(Outbox.state != OutboxState.DONE)).all()
    assert apply_return_bundle(db, back1, paths=paths).nothing_new
    # Arrival and hand-over at the village; the events go by the next trip.
    mark_arrived(db, ids1)
    record_handover(db, ids1[0], HandOverInput(id_checked=True))
    trip2 = export_stick(db, paths, stick)
    report2 = office.import_bundle(trip2)
    assert report2["batches"] == [] and len(report2["events"]) == 3
    server = office.applications()
    assert (server[ids1[0]]["status"], server[ids1[1]]["status"]) == ("handed_over", "arrived")
    back2 = office.return_bundle(VILLAGE, stick / "kembali-2.dcb")
    result2 = apply_return_bundle(db, back2, paths=paths)
    assert result2.events_answered == 3
    with db.session() as s:
        assert not s.exec(select(Outbox).where(Outbox.state != OutboxState.DONE)).all()
    local = statuses(db)
    # The laptop gets a link: enrolled online, a sync pass finds nothing to send again and no
    # office change it does not already have.
    online_code = central.new_enrollment_code(VILLAGE)
    enroll(db, credential_store(paths), central.base_url, online_code, device_name="Laptop desa")
    cfg = load_config(db, credential_store(paths))
    assert cfg is not None
    cursor = apply.cursor(db)
    worker = SyncWorker(db, cfg.client_factory())
    try:
        passed = worker.run_until_idle()
    finally:
        worker.close()
    assert (passed.files_uploaded, passed.batches_sent, passed.events_sent) == (0, [], 0)
    assert passed.office_changes == [] and passed.documents_downloaded == 0
    assert statuses(db) == local
    assert apply.cursor(db) >= cursor
    server = office.applications()
    assert sorted(server) == sorted(ids1 + ids2)
    assert {cid: a["status"] for cid, a in server.items()} == local
