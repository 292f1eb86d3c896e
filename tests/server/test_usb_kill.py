"""kill -9 of the office while it imports a large village bundle: the import is one transaction,
so the office holds all of it or nothing of it; importing the same file again after the restart
ends exactly where one clean import ends (same rows, same document bytes, nothing twice), and
the page files the killed import had staged are collected.

The child process is stopped at a COUNTED point of the import (``server/usb._checkpoint``:
after each staged page file, each batch, the events, before and after the commit...), the
point drawn from a seeded random generator: no timing is involved."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from desa_capil.server.config import Settings
from desa_capil.server.db import AppDocument, Application, Batch, Change, Event, Upload, open_database
from desa_capil.server.service import CentralService
from desa_capil.server.testing import StickLaptop, stick_batch
from desa_capil.server.usb import UsbService
from desa_capil.server.usb_models import UsbDevice, UsbEnrollment, UsbImport
from desa_capil.usbroute import BatchForBundle, parse_enrollment
from tests.forkserver import ForkServer

VILLAGE = "53.14.01.2001"
SEEDS = (1, 2, 3, 4)
ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import os, signal, sys
from pathlib import Path
from desa_capil.server import usb
from desa_capil.server.config import Settings
from desa_capil.server.service import CentralService

data, bundle, kill_at = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
count = 0

def checkpoint(step):
    global count
    count += 1
    if count == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

usb._checkpoint = checkpoint
svc = CentralService(Settings.from_env(data_dir=data))
report = usb.UsbService(svc).import_bundle(bundle, carrier="office:test")
print(count, " ".join(str(b.status) for b in report.batches), flush=True)
"""


@pytest.fixture(scope="module")
def forks() -> Iterator[ForkServer]:
    # Each import is a new process forked from one that imported the server once
    # (tests/forkserver.py): 13 imports without 13 interpreter starts.
    with ForkServer(["desa_capil.server.usb", "desa_capil.server.service"]) as server:
        yield server


def run_import(
    forks: ForkServer, data: Path, bundle: Path, kill_at: int = 0
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    args = ["-c", CHILD, str(data), str(bundle), str(kill_at)]
    child = forks.spawn(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = child.communicate(timeout=300)
    assert child.returncode is not None
    return subprocess.CompletedProcess(args, child.returncode, out.decode(), err.decode())


def office_state(data: Path) -> dict[str, Any]:
    """Everything an import changes, without the clock (received_at) and the office's own
    row ids: applications, documents with the sha256 of the stored BYTES, batches and their
    receipts, changes, events, the import record, the laptop's keys and cursor."""
    settings = Settings.from_env(data_dir=data)
    db = open_database(settings.db_url)
    uploads = settings.files_dir / "uploads"
    try:
        with db.read_session() as s:
            apps = {a.id: a for a in s.exec(select(Application)).all()}
            docs = sorted(
                (
                    d.client_id,
                    d.sha256,
                    d.size,
                    hashlib.sha256((uploads / d.upload_id).read_bytes()).hexdigest(),
                )
                for d in s.exec(select(AppDocument)).all()
            )
            receipts = []
            for b in s.exec(select(Batch)).all():
                receipt = json.loads(b.receipt_json)
                receipt.pop("received_at")
                receipts.append((b.client_id, json.dumps(receipt, sort_keys=True)))
            changes = sorted(
                (apps[c.application_id].client_id, c.village_seq, c.status)
                for c in s.exec(select(Change)).all()
            )
            events = sorted((e.client_id, e.result_json) for e in s.exec(select(Event)).all())
            imports = [
                (i.bundle_id, i.seq, [b["status"] for b in json.loads(i.report_json)["batches"]])
                for i in s.exec(select(UsbImport)).all()
            ]
            devices = [
                (d.sign_public, d.box_public, d.cursor, d.last_seq) for d in s.exec(select(UsbDevice)).all()
            ]
            used = [e.used_at is not None for e in s.exec(select(UsbEnrollment)).all()]
            upload_rows = sorted((u.id, u.document_id is not None) for u in s.exec(select(Upload)).all())
    finally:
        db.dispose()
    files = sorted(p.name for p in uploads.iterdir()) if uploads.is_dir() else []
    return {
        "applications": sorted((a.client_id, a.status, a.batch_client_id) for a in apps.values()),
        "documents": docs,
        "batches": sorted(receipts),
        "changes": changes,
        "events": events,
        "imports": imports,
        "devices": devices,
        "enrollment_used": used,
        "uploads": len(upload_rows),
        "uploads_without_document": [u for u, linked in upload_rows if not linked],
        "orphan_files": sorted(set(files) - {u for u, _ in upload_rows}),
    }


def test_import_killed_anywhere_then_run_again_equals_one_clean_import(
    tmp_path: Path, forks: ForkServer
) -> None:
    # The office before the stick arrives: a village and an enrollment file for its laptop.
    base = tmp_path / "office"
    svc = CentralService(Settings.from_env(data_dir=base))
    svc.create_village(VILLAGE, "Desa Oelaba", actor="test")
    made, raw = UsbService(svc).create_enrollment(VILLAGE, "test")
    svc.close()
    laptop = StickLaptop(parse_enrollment(raw), made.code)

    # A large trip: 10 batches of 3 applications with their page files, one batch the office
    # refuses (invalid), one given twice, and events.
    batches = [stick_batch(3, size=20_000) for _ in range(10)]
    invalid = BatchForBundle(str(uuid.uuid4()), {"applications": "bukan daftar"}, {})
    now = datetime.now(UTC).isoformat()
    events = [
        {"id": str(uuid.uuid4()), "application_id": a["id"], "status": "arrived", "at": now}
        for a in batches[0].manifest["applications"][:2]
    ]
    twice = BatchForBundle(batches[1].batch_id, batches[1].manifest, {})  # its pages travel once
    trip = laptop.bundle(tmp_path, [*batches[:5], invalid, *batches[5:], twice], events=events, cursor=0)

    clean = tmp_path / "clean"
    shutil.copytree(base, clean)
    first = run_import(forks, clean, trip)
    assert first.returncode == 0, first.stderr
    checkpoints = int(first.stdout.split()[0])
    assert first.stdout.split()[1:] == ["201"] * 5 + ["422"] + ["201"] * 5 + ["200"]
    expected = office_state(clean)
    empty = office_state(base)
    assert len(expected["applications"]) == 30 and len(expected["documents"]) == 30
    assert expected["orphan_files"] == [] and expected["uploads_without_document"] == []
    assert checkpoints > 30  # every page file, every batch, events, commit...

    # One random point in each fifth of the import (seeded), and the last two points (just
    # after the commit, and after the clean-up of the staged files).
    share = checkpoints // len(SEEDS)
    points = [random.Random(seed).randint(i * share + 1, (i + 1) * share) for i, seed in enumerate(SEEDS)]
    points += [checkpoints - 1, checkpoints]
    kills = 0
    seen = set()
    for seed, kill_at in enumerate(points):
        data = tmp_path / f"killed-{seed}"
        shutil.copytree(base, data)
        killed = run_import(forks, data, trip, kill_at)
        assert killed.returncode == -signal.SIGKILL, (seed, kill_at, killed.stdout, killed.stderr)
        kills += 1
        # All of it or nothing of it (leftover page files aside, which no record names).
        after_kill = {k: v for k, v in office_state(data).items() if k != "orphan_files"}
        target = expected if after_kill["imports"] else empty
        seen.add("all" if after_kill["imports"] else "nothing")
        assert after_kill == {k: v for k, v in target.items() if k != "orphan_files"}, (seed, kill_at)

        # The office restarts and the clerk imports the same file again.
        again = run_import(forks, data, trip)
        assert again.returncode == 0, again.stderr
        state = office_state(data)
        orphans = state.pop("orphan_files")
        assert state == {k: v for k, v in expected.items() if k != "orphan_files"}, (seed, kill_at)
        # Files the killed import had staged are named by no record; they are collected.
        settings = Settings.from_env(data_dir=data)
        usb = UsbService(CentralService(settings))
        try:
            assert usb.collect_staged(max_age=0) >= len(orphans)
        finally:
            usb.svc.close()
        assert office_state(data)["orphan_files"] == []
    assert kills == len(points) and seen == {"all", "nothing"}
