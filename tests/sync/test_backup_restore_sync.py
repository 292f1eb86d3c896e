"""A laptop restored from a stick backup on another laptop: it enrolls again (the token is never
in the backup) and what was unsent goes out once; what was sent is not sent again."""

from __future__ import annotations

from pathlib import Path

from desa_capil.backup import stick
from desa_capil.paths import AppPaths
from desa_capil.security.keys import KeyStore, recovery_code
from desa_capil.store.db import Database, open_database
from desa_capil.sync.config import SyncConfig, credential_store, enroll
from desa_capil.sync.worker import SyncWorker

from .conftest import VILLAGE, Enrolled
from .helpers import Admin, assert_server_has, make_batch


def _restore_elsewhere(
    old: Enrolled, usb: Path, master: bytes, tmp_path: Path
) -> tuple[Database, SyncConfig, AppPaths]:
    root = tmp_path / "laptop-baru"
    new_paths = AppPaths(root / "data", root / "config", root / "cache", root / "logs").ensure()
    stick.restore_backup(stick.list_snapshots(usb)[0].folder, recovery_code(master), new_paths)
    creds = credential_store(new_paths)
    assert creds.get_token() is None  # never copied
    db = open_database(new_paths)
    code = old.server.new_enrollment_code(VILLAGE)
    enroll(db, creds, old.server.base_url, code, device_name="Laptop Baru")
    token = creds.get_token()
    assert token and token != old.config.token
    return db, SyncConfig(old.server.base_url, token), new_paths


def test_restored_laptop_enrolls_again_and_sends_the_unsent_once(
    enrolled: Enrolled, admin: Admin, tmp_path: Path
) -> None:
    old = enrolled
    _sent_batch, sent_ids = make_batch(old.db, 2)
    SyncWorker(old.db, old.config.client_factory(), row_backoff_base=0.01).run_until_idle()
    unsent_batch, unsent_ids = make_batch(old.db, 2)  # sealed, the laptop dies before a link
    usb = tmp_path / "usb"
    stick.create_backup(old.db, usb)
    master = KeyStore(old.paths).load()
    assert master is not None
    old.db.close()

    db, config, new_paths = _restore_elsewhere(old, usb, master, tmp_path)
    try:
        result = SyncWorker(db, config.client_factory(), row_backoff_base=0.01).run_until_idle()
        assert result.batches_sent == [unsent_batch]
        # Every application exactly once on the server, documents byte for byte.
        assert_server_has(Enrolled(db, new_paths, config, old.server), admin, sent_ids + unsent_ids)
    finally:
        db.close()


def test_batch_sent_by_the_old_laptop_after_the_backup_is_recognised(
    enrolled: Enrolled, admin: Admin, tmp_path: Path
) -> None:
    old = enrolled
    late_batch, late_ids = make_batch(old.db, 1)
    usb = tmp_path / "usb"
    stick.create_backup(old.db, usb)
    master = KeyStore(old.paths).load()
    assert master is not None
    SyncWorker(old.db, old.config.client_factory(), row_backoff_base=0.01).run_until_idle()
    old.db.close()
    db, config, new_paths = _restore_elsewhere(old, usb, master, tmp_path)
    try:
        result = SyncWorker(db, config.client_factory(), row_backoff_base=0.01).run_until_idle()
        assert_server_has(Enrolled(db, new_paths, config, old.server), admin, late_ids)  # once
        assert result.batches_sent == [late_batch]  # recognised as the same batch, not set aside
    finally:
        db.close()
