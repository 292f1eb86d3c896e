"""Backup to a stick and restore into a fresh home elsewhere: everything comes back, checked."""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from desa_capil.backup import stick
from desa_capil.errors import BadInputError, StorageError
from desa_capil.paths import AppPaths
from desa_capil.security import audit
from desa_capil.security.keys import KeyStore, new_master, recovery_code
from desa_capil.store import pages as store_pages
from desa_capil.store import repo
from desa_capil.store.db import Database, open_database
from desa_capil.store.models import Application, AuditEntry, HandOver, Outbox, Page, Setting


def _page(label: str) -> store_pages.NewPage:
    return store_pages.NewPage(
        data=f"processed {label} ".encode() * 40,
        mime="image/png",
        width=10,
        height=10,
        dpi=150,
        mode="gray",
        thumb=f"thumb {label}".encode(),
        original=f"original {label} ".encode() * 80,
    )


def fill(db: Database, n: int, *, start: int = 0) -> list[str]:
    """n applications, two pages each, every third handed over with a receipt, audit rows,
    and an outbox row each (unsent work)."""
    ids = []
    for i in range(start, start + n):
        nik = f"3201014509{i:06d}"
        app_id = repo.save_application(
            db, service_code="akta_lahir", applicant=repo.ApplicantData(nik=nik, name=f"Warga {i}")
        )
        store_pages.add_pages(db, app_id, "sk_lahir", [_page(f"{i} a"), _page(f"{i} b")])
        with db.session() as s:
            if i % 3 == 0:
                receipt = db.blobs.put(f"%PDF receipt {i}".encode())
                s.add(HandOver(application_id=app_id, recipient_name=f"Warga {i}", receipt_sha256=receipt))
            s.add(Outbox(kind="event", ref_id=f"event-{i}", payload=json.dumps({"application_id": app_id})))
            s.commit()
        audit.record(db, audit.VIEW_PAGES, app_id)
        ids.append(app_id)
    repo.set_setting(db, "server_url", "https://disdukcapil.example/api")
    return ids


def content(db: Database) -> dict[str, Any]:
    """What must come back: every row that matters, and every page file by SHA-256."""
    with db.session() as s:
        apps = sorted((a.id, a.status, a.applicant_id) for a in s.exec(select(Application)))
        pages = sorted(
            (p.id, p.processed_sha256, p.thumb_sha256, p.original_sha256) for p in s.exec(select(Page))
        )
        handovers = sorted((h.id, h.application_id, h.receipt_sha256) for h in s.exec(select(HandOver)))
        audits = sorted(
            (a.id, a.action, a.application_id)
            for a in s.exec(select(AuditEntry))
            if a.action not in (audit.BACKUP_MADE, audit.BACKUP_RESTORED)
        )
        outbox = sorted((o.id, o.kind, o.ref_id, o.state, o.payload) for o in s.exec(select(Outbox)))
        settings = {r.key: r.value for r in s.exec(select(Setting)) if r.key != stick.LAST_OK_SETTING}
    files = {}
    for _id, *shas in pages:
        for sha in shas:
            if sha:
                files[sha] = hashlib.sha256(db.blobs.get(sha)).hexdigest()
    for _id, _app, receipt in handovers:
        assert receipt
        files[receipt] = hashlib.sha256(db.blobs.get(receipt)).hexdigest()
    return {
        "apps": apps,
        "pages": pages,
        "handovers": handovers,
        "audit": audits,
        "outbox": outbox,
        "settings": settings,
        "files": files,
    }


def _fresh_home(tmp_path: Path, name: str) -> AppPaths:
    root = tmp_path / name / "lain"
    return AppPaths(root / "data", root / "config", root / "cache", root / "logs").ensure()


def _code(paths: AppPaths) -> str:
    master = KeyStore(paths).load()
    assert master is not None
    return recovery_code(master)


def test_backup_then_restore_on_another_path_brings_everything_back(
    db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    fill(db, 12)
    before = content(db)
    assert len(before["files"]) == 12 * 6 + 4  # 3 files a page x 2 pages, + 4 receipts
    usb = tmp_path / "usb"
    result = stick.create_backup(db, usb)
    assert result.snapshot is not None and result.blobs_total == len(before["files"])
    assert result.snapshot.counts.applications == 12 and result.snapshot.counts.outbox_pending == 12
    assert stick.last_backup_at(db) is not None and not stick.backup_due(db)

    # Nothing on the stick reads without the key: no names, no NIK, no page bytes, no key.
    master = KeyStore(paths).load()
    assert master is not None
    everything = b"".join(p.read_bytes() for p in usb.rglob("*") if p.is_file())
    for needle in (b"Warga 1", b"3201014509000001", b"processed 1 a", master, recovery_code(master).encode()):
        assert needle not in everything
    code = _code(paths)
    db.close()

    new = _fresh_home(tmp_path, "laptop-baru")
    [snap] = stick.list_snapshots(usb)
    restored = stick.restore_backup(snap.folder, code.lower(), new)
    assert restored.counts.applications == 12 and restored.set_aside is None
    again = open_database(new)
    try:
        after = content(again)
        assert after == before
        with again.session() as s:
            actions = [a.action for a in s.exec(select(AuditEntry))]
        assert audit.BACKUP_RESTORED in actions
    finally:
        again.close()
    # The device token is not part of it: the new laptop must enroll again.
    assert not any("token" in p.name for p in new.config.rglob("*"))


def test_second_backup_copies_only_new_pages_and_keeps_three(db: Database, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    fill(db, 3)
    t0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    first = stick.create_backup(db, usb, now=t0)
    fill(db, 1, start=4)  # (no receipt: 4 % 3)
    second = stick.create_backup(db, usb, now=t0 + timedelta(days=7))
    assert first.blobs_copied == first.blobs_total
    assert second.blobs_copied == 6  # one application: 2 pages x 3 files
    for k in range(2, 4):
        stick.create_backup(db, usb, now=t0 + timedelta(days=7 * k))
    snaps = stick.list_snapshots(usb)
    assert [s.created_at for s in snaps] == [t0 + timedelta(days=7 * k) for k in (3, 2, 1)]
    # The page files left are exactly those the kept snapshots name.
    files = [p for p in (usb / stick.ROOT_NAME / "blobs").rglob("*") if p.is_file() and p.name != ".format"]
    assert len(files) == snaps[0].counts.pages * 3 + 1  # + the one receipt of application 0


def test_wrong_code_or_tampered_backup_is_refused_and_changes_nothing(
    db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    fill(db, 2)
    usb = tmp_path / "usb"
    stick.create_backup(db, usb)
    code = _code(paths)
    db.close()
    [snap] = stick.list_snapshots(usb)
    new = _fresh_home(tmp_path, "baru")

    with pytest.raises(BadInputError, match="not the one of this backup"):
        stick.restore_backup(snap.folder, recovery_code(new_master()), new)
    assert not new.database.exists()

    # A page file flipped on the stick: the restore refuses before touching the laptop.
    blob = next(
        p for p in (usb / stick.ROOT_NAME / "blobs").rglob("*") if p.is_file() and p.name != ".format"
    )
    good = blob.read_bytes()
    blob.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    with pytest.raises(StorageError, match="damaged or incomplete"):
        stick.restore_backup(snap.folder, code, new)
    assert not new.database.exists() and not any(p.is_file() for p in new.blobs.rglob("*"))
    blob.write_bytes(good)

    # The manifest's public facts edited (say, the date): the sealed part no longer opens.
    manifest = snap.folder / stick.MANIFEST_NAME
    data = json.loads(manifest.read_text())
    data["counts"]["applications"] = 99
    manifest.write_text(json.dumps(data))
    with pytest.raises(BadInputError):
        stick.restore_backup(snap.folder, code, new)
    assert not new.database.exists()


def test_restore_over_a_fresh_install_sets_its_data_aside(
    db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    fill(db, 2)
    usb = tmp_path / "usb"
    stick.create_backup(db, usb)
    code = _code(paths)
    db.close()
    new = _fresh_home(tmp_path, "dipasang-ulang")
    fresh = open_database(new)  # the app's first start made an empty database and a new key
    fresh.close()
    [snap] = stick.list_snapshots(usb)
    result = stick.restore_backup(snap.folder, code, new)
    assert result.set_aside is not None and (result.set_aside / new.database.name).exists()
    assert list(KeyStore(new).file.parent.glob("data.key.replaced-*"))
    with open_database(new).session() as s:
        assert len(s.exec(select(Application)).all()) == 2


def _one_transaction_application(db: Database, i: int) -> str:
    """An application with two pages, its outbox row and its audit row, committed together
    (page files written first, as the app does)."""
    from desa_capil.store.models import Applicant, Document

    a, b = _page(f"{i} a"), _page(f"{i} b")
    shas = [(db.blobs.put(p.data), db.blobs.put(p.thumb)) for p in (a, b)]
    with db.session() as s:
        person = Applicant(nik=f"3201014509{i:06d}", name=f"Warga {i}")
        s.add(person)
        s.flush()
        app = Application(applicant_id=person.id, service_code="akta_lahir")
        s.add(app)
        s.flush()
        doc = Document(application_id=app.id, requirement_code="sk_lahir")
        s.add(doc)
        s.flush()
        for n, (sha, thumb) in enumerate(shas):
            s.add(
                Page(
                    document_id=doc.id, position=n, processed_sha256=sha, thumb_sha256=thumb, mime="image/png"
                )
            )
        s.add(Outbox(kind="event", ref_id=f"event-{i}", payload=json.dumps({"application_id": app.id})))
        s.add(AuditEntry(action=audit.VIEW_PAGES, application_id=app.id))
        s.commit()
        return app.id


def test_backup_made_during_writes_is_consistent(db: Database, paths: AppPaths, tmp_path: Path) -> None:
    """Applications keep being saved while the backup runs: the snapshot is one moment of the
    database (each application whole or absent), and every page file it names is on the stick."""
    stop = threading.Event()
    written: list[str] = []
    errors: list[BaseException] = []

    def writer() -> None:
        i = 100
        try:
            while not stop.is_set():
                written.append(_one_transaction_application(db, i))
                i += 1
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)

    t = threading.Thread(target=writer)
    t.start()
    try:
        usb = tmp_path / "usb"
        result = None
        # Until a backup started and ended with applications being written around it.
        while not errors and (
            result is None
            or not written
            or result.snapshot is None
            or result.snapshot.counts.applications in (0, len(written))
        ):
            result = stick.create_backup(db, usb)
    finally:
        stop.set()
        t.join()
    assert not errors
    code = _code(paths)
    assert result.snapshot is not None
    snap = result.snapshot
    db.close()
    new = _fresh_home(tmp_path, "baru")
    stick.restore_backup(snap.folder, code, new)
    again = open_database(new)
    try:
        got = content(again)  # reads every page file the snapshot names: all there
        n = snap.counts.applications
        assert 0 < n < len(written)
        assert len(got["apps"]) == n and len(got["pages"]) == 2 * n
        assert len(got["outbox"]) == n and len(got["audit"]) == n
        assert len(got["files"]) == 4 * n
    finally:
        again.close()


def test_stick_pulled_out_leaves_no_snapshot_that_looks_good(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(db, 2)
    usb = tmp_path / "usb"
    calls = {"n": 0}
    real = stick._copy_blob

    def pulled(src: Path, dst: Path) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(stick, "_copy_blob", pulled)
    with pytest.raises(StorageError, match="USB stick"):
        stick.create_backup(db, usb)
    assert stick.list_snapshots(usb) == []
    assert stick.last_backup_at(db) is None and stick.backup_due(db)
    monkeypatch.setattr(stick, "_copy_blob", real)
    assert stick.create_backup(db, usb).snapshot is not None


def test_weekly_reminder(db: Database) -> None:
    now = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    assert stick.backup_due(db, now)
    repo.set_setting(db, stick.LAST_OK_SETTING, (now - timedelta(days=6)).isoformat())
    assert not stick.backup_due(db, now)
    repo.set_setting(db, stick.LAST_OK_SETTING, (now - timedelta(days=7)).isoformat())
    assert stick.backup_due(db, now)


def test_the_backup_folder_alone_is_useless_without_the_code(db: Database, tmp_path: Path) -> None:
    fill(db, 1)
    usb = tmp_path / "usb"
    stick.create_backup(db, usb)
    copy = tmp_path / "copied"
    shutil.copytree(usb, copy)
    [snap] = stick.list_snapshots(copy)
    with pytest.raises(Exception):  # noqa: B017 - SQLCipher refuses without the key, any way it says it
        import sqlite3

        sqlite3.connect(snap.folder / stick.DB_NAME).execute("SELECT * FROM applicant").fetchall()
