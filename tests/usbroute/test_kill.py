"""kill -9 during an import of a return bundle and during the writing of a bundle: no partial
effect. The database is exactly as before or exactly as after; the stick holds a complete,
verified bundle under its name or nothing (a hidden ``.part`` that readers skip)."""

from __future__ import annotations

import os
import random
import selectors
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from desa_capil.paths import AppPaths
from desa_capil.services import usb_export
from desa_capil.store import batches
from desa_capil.store.db import Database
from desa_capil.store.models import Application, OfficeDocument
from desa_capil.sync.usb_return import LAST_RETURN_KEY, apply_return_bundle
from desa_capil.ui.usb_files import find_files
from desa_capil.usbroute import KeySet, open_bundle, read_header
from tests.forkserver import ForkServer
from tests.sync.helpers import make_batch

from .test_return_bundle import OFFICE, PDF, change, dispatched, enroll_here, office_bundle, snapshot

KILLS = 8

IMPORT_CHILD = """
import sys
from pathlib import Path
from desa_capil.paths import app_paths
from desa_capil.store.db import open_database
from desa_capil.sync.usb_return import apply_return_bundle
paths = app_paths().ensure()
db = open_database(paths)
print("start", flush=True)
apply_return_bundle(db, Path(sys.argv[1]), paths=paths)
print("done", flush=True)
"""

EXPORT_CHILD = """
import sys
from pathlib import Path
from desa_capil.paths import app_paths
from desa_capil.services import usb_export
from desa_capil.store.db import open_database
paths = app_paths().ensure()
db = open_database(paths)
print("start", flush=True)
usb_export.export(db, paths, Path(sys.argv[1]))
print("done", flush=True)
"""

WRITE_CHILD = """
import sys
from pathlib import Path
from desa_capil.usbroute import KeySet, write_bundle
office, device = KeySet.from_json(sys.argv[3]), KeySet.from_json(sys.argv[4])
print("start", flush=True)
write_bundle(
    Path(sys.argv[1]),
    header_fields={"kind": "village", "village_code": "32.04.05.2001", "device_id": "7", "seq": 1},
    files=[("pages/big", Path(sys.argv[2]))],
    meta={"batches": []},
    signing_key=device.signing,
    recipient_box_public=office.box_public,
)
print("done", flush=True)
"""


@pytest.fixture(scope="module")
def forks() -> Iterator[ForkServer]:
    # Each child is a new process forked from one that imported these once (tests/forkserver.py):
    # the rounds are spent in the import/export being killed, not in starting Python.
    preload = ["desa_capil.services.usb_export", "desa_capil.sync.usb_return", "desa_capil.usbroute"]
    with ForkServer(["desa_capil.paths", "desa_capil.store.db", *preload]) as server:
        yield server


def run_and_kill(forks: ForkServer, args: list[str], rng: random.Random, window: float) -> bool:
    """Start a child, wait for its "start" line, kill -9 it at a random moment within
    ``window`` seconds. True when it was killed before it said "done"."""
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    child = forks.spawn(["-c", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(child.stdout, selectors.EVENT_READ)
    seen = b""
    try:
        while b"start" not in seen:
            if not sel.select(timeout=60):
                raise AssertionError("the child did not start")
            chunk = os.read(child.stdout.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
        time.sleep(rng.uniform(0.0, window))  # the random moment of the power cut
    finally:
        sel.close()
        killed = child.poll() is None
        if killed:
            child.send_signal(signal.SIGKILL)
        _out, err = child.communicate(timeout=30)
    if not killed:
        assert child.returncode == 0, err.decode(errors="replace")[-2000:]
    return killed


def _without_time(snap: dict[str, Any]) -> dict[str, Any]:
    """The "last return bundle" note carries the time it was applied: the rest must match."""
    return {**snap, "state": [kv for kv in snap["state"] if kv[0] != LAST_RETURN_KEY]}


@pytest.mark.timeout(600)
def test_kill_during_return_import_leaves_before_or_after(
    db: Database, paths: AppPaths, tmp_path: Path, forks: ForkServer
) -> None:
    device = enroll_here(db, paths)
    ids = [i for _ in range(2) for i in make_batch(db, n_apps=20, page_bytes=200)[1]]
    changes: list[dict[str, Any]] = []
    docs: dict[str, bytes] = {}
    seq = 0
    for n, app_id in enumerate(ids):
        for status in ("sent", "in_review", "processing", "finished"):
            seq += 1
            changes.append(change(seq, app_id, status, f"catatan {n}"))
        seq += 1
        doc_id = f"00000000-0000-4000-8000-{n:012d}"
        data = PDF + str(n).encode()
        changes.append(dispatched(seq, app_id, doc_id, data))
        docs[doc_id] = data
    bundle = office_bundle(
        tmp_path / "kembali.dcb", device, after=0, changes=changes, next_after=seq, docs=docs
    )
    before = _without_time(snapshot(db))
    rng = random.Random(1616)
    killed_mid = 0
    outcomes = set()
    for _ in range(KILLS):
        # The window covers the import on a loaded machine (a few seconds), so kills land before,
        # during and after the one transaction.
        killed = run_and_kill(forks, [IMPORT_CHILD, str(bundle)], rng, 4.0)
        now = _without_time(snapshot(db))
        if now == before:
            outcomes.add("before")
            killed_mid += killed
            continue
        outcomes.add("after")
        break
    print(f"kills before the commit: {killed_mid}; outcomes {sorted(outcomes)}")  # noqa: T201 - test report
    result = apply_return_bundle(db, bundle, paths=paths)
    after = _without_time(snapshot(db))
    assert after != before
    # Every kill left either nothing or everything: if one landed after the commit, the run
    # above found nothing new; if all landed before it, the run above applied everything.
    assert result.nothing_new == ("after" in outcomes)
    with db.session() as s:
        assert {a.status for a in s.exec(select(Application))} == {"dispatched"}
        assert all(d.file_sha256 for d in s.exec(select(OfficeDocument)))


@pytest.mark.timeout(600)
def test_kill_during_bundle_write_leaves_no_file_that_looks_complete(
    tmp_path: Path, forks: ForkServer
) -> None:
    office, device = KeySet.generate(), KeySet.generate()
    big = tmp_path / "scan.bin"
    big.write_bytes(os.urandom(24 * 1024 * 1024))
    stick = tmp_path / "stick"
    stick.mkdir()
    rng = random.Random(99)
    kills = 0
    for i in range(KILLS):
        target = stick / f"trip{i}.dcb"
        killed = run_and_kill(
            forks, [WRITE_CHILD, str(target), str(big), office.to_json(), device.to_json()], rng, 1.0
        )
        kills += killed
        if target.exists():
            # Under its final name: complete and verified, whatever the moment of the kill.
            assert read_header(target).kind == "village"
            with open_bundle(target, box_private=office.box, verify_key=device.sign_public) as b:
                assert b.read("pages/big") == big.read_bytes()
        else:
            assert killed
    # Half-written temp files are hidden: the stick lists only complete bundles.
    listed = find_files(stick, (".dcb",))
    assert all(p.name.startswith("trip") for p in listed)
    assert {p.name for p in listed} == {p.name for p in stick.iterdir() if not p.name.startswith(".")}
    print(f"kills mid-write: {kills}")  # noqa: T201 - test report


@pytest.mark.timeout(600)
def test_kill_during_export_leaves_a_verified_bundle_or_none_and_no_false_trip(
    db: Database, paths: AppPaths, tmp_path: Path, forks: ForkServer
) -> None:
    """The product's exporter ("Kirim lewat flashdisk") killed at random moments: a file under a
    bundle name is always complete and opens at the office; a "lewat flashdisk" trip is only
    recorded for a file that is there; nothing else changes locally."""
    office = enroll_here(db, paths)  # the laptop's view: office keys, village, device id
    del office
    batch_ids = [make_batch(db, n_apps=3, pages_per_doc=3, page_bytes=400_000)[0] for _ in range(2)]
    stick = tmp_path / "stick"
    stick.mkdir()
    before = _without_seq(snapshot(db))
    rng = random.Random(1717)
    for _ in range(KILLS):
        run_and_kill(forks, [EXPORT_CHILD, str(stick)], rng, 2.5)
        complete = {p.name for p in find_files(stick, (".dcb",))}
        for name in complete:
            # Opens at the office: signature and every file's hash.
            with open_bundle(stick / name, box_private=OFFICE.box, verify_key=None) as b:
                assert {x["batch_id"] for x in b.meta["batches"]} == set(batch_ids)
                for n in b.names():
                    b.read(n)
        trips = {t.file_name for bid in batch_ids for t in batches.trips(db, bid)}
        assert trips <= complete, "a trip recorded for a bundle that is not on the stick"
        # Nothing but trips and the reserved bundle number changed on the laptop.
        assert _without_seq(snapshot(db)) == before
    # Power is back: an export runs to its end and records its trip.
    done = usb_export.export(db, paths, stick)
    assert {t.file_name for t in batches.trips(db, batch_ids[0])} >= {done.path.name}
    print(f"bundles complete on the stick after the kills: {len(find_files(stick, ('.dcb',))) - 1}")  # noqa: T201


def _without_seq(snap: dict[str, Any]) -> dict[str, Any]:
    return {**snap, "settings": [kv for kv in snap["settings"] if kv[0] != "usb_bundle_seq"]}
