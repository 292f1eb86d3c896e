"""'Kirim lewat flashdisk' (services.usb_export): one verified bundle per trip, the trips recorded
only after the file verified, re-export until the office acknowledges, clear messages for a full,
write-protected or pulled stick, and kill -9 at any moment leaving no partial effect. The office
side is the real server (import over its admin API), so the bundle is checked end to end."""

from __future__ import annotations

import base64
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desa_capil.domain.status import Status
from desa_capil.paths import AppPaths
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import AdminClient, running_server
from desa_capil.services import usb_export
from desa_capil.store import batches, outbox, repo
from desa_capil.store.db import Database
from desa_capil.store.models import BatchRoute
from desa_capil.sync import usb_identity
from desa_capil.usbroute import SUFFIX, BundleError, load_or_create, open_bundle, read_header
from tests.sync.helpers import make_batch

pytestmark = pytest.mark.usefixtures("no_keyring")

VILLAGE = "53.14.01.2001"


@pytest.fixture
def office(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with running_server(tmp_path / "server") as server:
        yield server


@pytest.fixture
def admin(office: EmbeddedServer) -> AdminClient:
    return AdminClient(office)


@pytest.fixture
def enrolled(
    db: Database, paths: AppPaths, office: EmbeddedServer, admin: AdminClient, tmp_path: Path
) -> str:
    """The laptop enrolled from the office's file and paper code (no link needed afterwards)."""
    office.create_village(VILLAGE, "Desa Oelaba")
    r = admin.request("POST", "/usb/enrollments", json={"village_code": VILLAGE})
    assert r.status_code == 201, r.text
    body = r.json()
    file = tmp_path / "desa.dcenroll"
    file.write_bytes(base64.b64decode(body["file_b64"]))
    usb_identity.enroll_from_file(db, paths, file, body["code"])
    return str(body["device_id"])


@pytest.fixture
def stick(tmp_path: Path) -> Path:
    folder = tmp_path / "FLASHDISK"
    folder.mkdir()
    return folder


def import_(admin: AdminClient, path: Path) -> dict[str, Any]:
    r = admin.request(
        "POST", "/usb/import", data=path.read_bytes(), headers={"Content-Type": "application/octet-stream"}
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def office_applications(admin: AdminClient) -> dict[str, str]:
    items = admin.request("GET", "/applications", params={"limit": 500}).json()["items"]
    return {str(a["client_id"]): str(a["status"]) for a in items}


def test_export_writes_one_verified_bundle_the_office_imports_once(
    db: Database, paths: AppPaths, enrolled: str, admin: AdminClient, stick: Path, office: EmbeddedServer
) -> None:
    (b1, apps1), (b2, apps2) = make_batch(db, 2), make_batch(db, 1)
    plan = usb_export.plan(db)
    assert (
        plan.batch_ids == [b1, b2]
        and plan.applications == 3
        and plan.files == len(batches.documents(db, b1) + batches.documents(db, b2))
    )
    result = usb_export.export(db, paths, stick)
    # One visible file on the stick, nothing temporary left.
    assert [p.name for p in stick.iterdir()] == [result.path.name]
    assert result.path.name.endswith(SUFFIX) and result.batch_ids == [b1, b2] and result.seq == 1
    header = read_header(result.path)
    assert (header.kind, header.village_code, header.device_id, header.seq) == (
        "village",
        VILLAGE,
        enrolled,
        1,
    )
    # Encrypted to the office: the laptop's own keys cannot open it; the office's can.
    office_keys = load_or_create(office.settings.data_dir / "usb" / "office_keys.json")
    with pytest.raises(BundleError):
        open_bundle(result.path, box_private=usb_identity.device_keys(db, paths).box, verify_key=None)
    with open_bundle(result.path, box_private=office_keys.box, verify_key=None) as opened:
        assert [b["batch_id"] for b in opened.meta["batches"]] == [b1, b2]
        assert opened.meta["batches"][0]["manifest"] == batches.manifest(
            db, b1, batches.stick_upload_id
        ).model_dump(mode="json")
        for d in batches.documents(db, b1):
            assert opened.read(f"pages/{batches.stick_upload_id(d.id)}") == db.blobs.get(d.file_sha256 or "")
    # The trips are recorded; the batches stay unacknowledged (still sendable online).
    rows = {r.id: r for r in batches.batch_rows(db)}
    assert len(rows[b1].stick_trips) == 1 and rows[b1].ack_via == ""
    assert outbox.pending_batch_ids(db) == [b1, b2]

    report = import_(admin, result.path)
    assert sorted((b["batch_id"], b["status"]) for b in report["batches"]) == sorted([(b1, 201), (b2, 201)])
    assert set(office_applications(admin)) == set(apps1 + apps2)
    # The same file twice changes nothing at the office.
    again = import_(admin, result.path)
    assert again["duplicate"] is True

    # Re-export before the acknowledgement: a second bundle with the same batches, the office
    # answers 200 (the same batches), nothing twice.
    second = usb_export.export(db, paths, stick, [b2])
    assert second.seq == 2 and second.batch_ids == [b2]
    assert [(b["batch_id"], b["status"]) for b in import_(admin, second.path)["batches"]] == [(b2, 200)]
    assert len(batches.batch_rows(db)[0].stick_trips) == 2  # b2 is the newest batch

    # Once the office acknowledged them (a return bundle), nothing is left for any route.
    for bid in (b1, b2):
        batches.acknowledge(db, bid, via=BatchRoute.STICK, received_at=result.at)
    assert not outbox.has_pending(db)
    with pytest.raises(usb_export.ExportError) as err:
        usb_export.export(db, paths, stick)
    assert err.value.reason == "nothing"
    assert {repo.application_status(db, a) for a in apps1 + apps2} == {Status.SENT}


def test_not_enrolled_or_without_the_office_key_is_refused_with_a_reason(
    db: Database, paths: AppPaths, stick: Path
) -> None:
    make_batch(db, 1)
    with pytest.raises(usb_export.ExportError) as err:
        usb_export.export(db, paths, stick)
    assert err.value.reason == "not_enrolled" and "belum terdaftar" in err.value.message_id
    repo.set_setting(db, "village_code", VILLAGE)
    repo.set_setting(db, "device_id", "ab" * 16)
    with pytest.raises(usb_export.ExportError) as err:
        usb_export.export(db, paths, stick)
    assert err.value.reason == "no_office_key" and "Kunci kantor" in err.value.message_id
    assert list(stick.iterdir()) == []


def _no_trip(db: Database, batch_id: str) -> bool:
    return all(r.stick_trips == [] for r in batches.batch_rows(db) if r.id == batch_id)


def test_full_stick_refused_before_writing(
    db: Database, paths: AppPaths, enrolled: str, stick: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bid, _ = make_batch(db, 1)
    real = shutil.disk_usage
    monkeypatch.setattr(
        usb_export.shutil,
        "disk_usage",
        lambda p: real(p)._replace(free=1000),  # the stick has 1 KB left
    )
    with pytest.raises(usb_export.ExportError) as err:
        usb_export.export(db, paths, stick)
    assert err.value.reason == "full" and "Flashdisk penuh" in err.value.message_id
    assert list(stick.iterdir()) == [] and _no_trip(db, bid)


def test_write_protected_stick(
    db: Database, paths: AppPaths, enrolled: str, stick: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bid, _ = make_batch(db, 1)

    def read_only_open(*_a: Any, **_k: Any) -> Any:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(usb_export, "open", read_only_open, raising=False)
    with pytest.raises(usb_export.ExportError) as err:
        usb_export.export(db, paths, stick)
    assert err.value.reason == "read_only" and "write-protect" in err.value.message_id
    assert list(stick.iterdir()) == [] and _no_trip(db, bid)


def test_stick_pulled_mid_write_leaves_nothing(
    db: Database, paths: AppPaths, enrolled: str, stick: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bid, _ = make_batch(db, 2)
    from desa_capil.usbroute import bundle

    def pulled(*_a: Any, **_k: Any) -> Any:
        shutil.rmtree(stick)  # the stick is gone, with the temporary file on it
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(bundle, "verify_file", pulled)
    with pytest.raises(usb_export.ExportError) as err:
        usb_export.export(db, paths, stick)
    assert err.value.reason == "pulled" and "terlepas" in err.value.message_id
    assert _no_trip(db, bid) and batches.exportable(db) == [bid]
    # Plugged in again: the next export works.
    stick.mkdir()
    monkeypatch.undo()
    assert usb_export.export(db, paths, stick).batch_ids == [bid]


CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from desa_capil.paths import app_paths
    from desa_capil.store.db import open_database
    from desa_capil.services import usb_export
    from desa_capil.store import batches
    from desa_capil.usbroute import bundle

    where, stick, marker = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])

    def hang(*a, **k):
        marker.write_text("here")
        time.sleep(600)

    if where == "writing":
        bundle.verify_file = hang          # the temp file is written, not yet verified/renamed
    else:
        batches.record_stick_trip = hang   # the file is in place, the trips not yet recorded
    paths = app_paths().ensure()
    db = open_database(paths)
    usb_export.export(db, paths, stick)
    """
)


@pytest.mark.parametrize("where", ["writing", "recording"])
def test_kill_9_during_export_leaves_no_partial_effect(
    db: Database, paths: AppPaths, enrolled: str, stick: Path, tmp_path: Path, where: str, admin: AdminClient
) -> None:
    bid, apps = make_batch(db, 2)
    before = [(r.id, r.state, r.stick_trips) for r in batches.batch_rows(db)]
    marker = tmp_path / "marker"
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    log = tmp_path / "child.log"
    with open(log, "wb") as err:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, where, str(stick), str(marker)], env=env, stderr=err
        )
    try:
        deadline_polls = 0
        while not marker.exists():
            try:
                child.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                deadline_polls += 1
                assert deadline_polls < 600, "the export child never reached the kill point"
                continue
            raise AssertionError(f"child exited early: {log.read_text()[-2000:]}")
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    # Nothing recorded locally; the batch is exportable and sendable as before.
    assert [(r.id, r.state, r.stick_trips) for r in batches.batch_rows(db)] == before
    assert batches.exportable(db) == [bid] and outbox.pending_batch_ids(db) == [bid]
    visible = [p for p in stick.iterdir() if not p.name.startswith(".")]
    if where == "writing":
        # Only a hidden temporary file can be left; nothing that looks like a bundle.
        assert visible == []
    else:
        # A complete, valid bundle; the office imports it like any other.
        assert len(visible) == 1 and read_header(visible[0]).seq == 1
        assert import_(admin, visible[0])["batches"][0]["status"] == 201
    # The next export cleans the left-overs and carries the batch again (a new number).
    result = usb_export.export(db, paths, stick)
    assert result.batch_ids == [bid] and result.seq == 2
    assert not [p for p in stick.iterdir() if p.name.startswith(".")]
    status = 200 if where == "recording" else 201
    assert [b["status"] for b in import_(admin, result.path)["batches"]] == [status]
    assert set(office_applications(admin)) == set(apps)


def test_backup_carries_unsent_events_too(
    db: Database, paths: AppPaths, enrolled: str, stick: Path, office: EmbeddedServer
) -> None:
    bid, _ = make_batch(db, 1)
    with db.session() as s:
        outbox.enqueue_event(
            s,
            "6f1c1b8e-1d7e-4a35-9d55-0d3c5f0e8a11",
            json.dumps({"id": "6f1c1b8e-1d7e-4a35-9d55-0d3c5f0e8a11", "kind": "note"}),
        )
        s.commit()
    result = usb_export.export(db, paths, stick, purpose="backup")
    assert result.path.name.startswith("cadangan-") and result.events == 1 and result.batch_ids == [bid]
    keys = load_or_create(office.settings.data_dir / "usb" / "office_keys.json")
    with open_bundle(result.path, box_private=keys.box, verify_key=None) as opened:
        assert opened.meta["purpose"] == "backup"
        assert [e["id"] for e in opened.meta["events"]] == ["6f1c1b8e-1d7e-4a35-9d55-0d3c5f0e8a11"]
        assert opened.meta["enrollment"] is not None  # the office has not bound this laptop yet
