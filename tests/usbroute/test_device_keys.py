"""The laptop's stick keys (Ed25519 signing, age box) are kept like the data: sealed with a
subkey of the data key inside the database, so the key file folder lost, a backup restored on
another laptop or the recovery code bring them back; an older version's plain key file is moved
in once. A 409 on key registration (the office holds other keys for this device) is said
clearly and the stick export refuses to write bundles the office would refuse."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from desa_capil.backup.stick import create_backup, restore_backup
from desa_capil.domain import catalog
from desa_capil.paths import AppPaths
from desa_capil.security.keys import recovery_code, restore_from_code
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import running_server
from desa_capil.services import usb_export
from desa_capil.store import setting_keys
from desa_capil.store.db import Database, open_database
from desa_capil.store.repo import get_setting, set_setting
from desa_capil.sync import usb_identity
from desa_capil.sync.config import credential_store, enroll, load_config
from desa_capil.sync.worker import SyncWorker
from desa_capil.usbroute import KeySet
from tests.sync.helpers import make_batch

VILLAGE = "32.04.05.2001"


def test_keys_live_sealed_in_the_database_not_in_a_file(db: Database, paths: AppPaths) -> None:
    mine = usb_identity.device_keys(db, paths)
    assert usb_identity.device_keys(db, paths) == mine
    stored = get_setting(db, setting_keys.USB_DEVICE_KEYS)
    assert stored and "AGE-SECRET-KEY" not in stored and mine.box not in stored
    assert not (paths.keys / usb_identity.DEVICE_KEYS_FILE).exists()
    # The same database opened again (the app restarted): the same keys.
    db.close()
    again = open_database(paths)
    try:
        assert usb_identity.device_keys(again, paths) == mine
    finally:
        again.close()


def test_an_older_versions_key_file_is_moved_in_once(db: Database, paths: AppPaths) -> None:
    old = KeySet.generate()
    file = paths.keys / usb_identity.DEVICE_KEYS_FILE
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(old.to_json(), encoding="utf-8")
    assert usb_identity.device_keys(db, paths) == old
    assert not file.exists()
    assert usb_identity.device_keys(db, paths) == old


def test_a_damaged_old_key_file_is_set_aside_not_deleted(db: Database, paths: AppPaths) -> None:
    file = paths.keys / usb_identity.DEVICE_KEYS_FILE
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text('{"version": 1, "signing": "cut sho', encoding="utf-8")
    mine = usb_identity.device_keys(db, paths)
    assert not file.exists()
    (aside,) = list(file.parent.glob(f"{file.name}.damaged-*"))
    assert aside.read_text(encoding="utf-8") == '{"version": 1, "signing": "cut sho'
    assert usb_identity.device_keys(db, paths) == mine


def test_damaged_stored_keys_are_refused_clearly_and_never_replaced(db: Database, paths: AppPaths) -> None:
    """New keys in their place would silently break the office's trust in this laptop: the
    damage is said (restore a backup) and the stored value is left as it was."""
    usb_identity.device_keys(db, paths)
    set_setting(db, setting_keys.USB_DEVICE_KEYS, "AAAA" + get_setting(db, setting_keys.USB_DEVICE_KEYS)[4:])
    damaged = get_setting(db, setting_keys.USB_DEVICE_KEYS)
    with pytest.raises(usb_identity.DamagedDeviceKeys) as err:
        usb_identity.device_keys(db, paths)
    assert "rusak" in err.value.message_id and "cadangan" in err.value.message_id
    assert get_setting(db, setting_keys.USB_DEVICE_KEYS) == damaged


def test_the_recovery_code_brings_the_keys_back_after_the_key_folder_is_lost(
    db: Database, paths: AppPaths
) -> None:
    mine = usb_identity.device_keys(db, paths)
    assert db.keys is not None
    code = recovery_code(db.keys.master)
    db.close()
    shutil.rmtree(paths.keys)  # the data key file and anything beside it: gone
    restore_from_code(paths, code)
    again = open_database(paths)
    try:
        assert usb_identity.device_keys(again, paths) == mine
    finally:
        again.close()


def test_a_stick_backup_restored_on_another_laptop_keeps_the_keys(
    db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    """Pindah laptop: the full backup restored elsewhere signs with the same stick key."""
    mine = usb_identity.device_keys(db, paths)
    assert db.keys is not None
    code = recovery_code(db.keys.master)
    stick = tmp_path / "FLASHDISK"
    stick.mkdir()
    snapshot = create_backup(db, stick).snapshot
    assert snapshot is not None
    other = AppPaths(*(tmp_path / "laptop2" / n for n in ("data", "config", "cache", "logs"))).ensure()
    restore_backup(snapshot.folder, code, other)
    moved = open_database(other)
    try:
        assert usb_identity.device_keys(moved, other) == mine
    finally:
        moved.close()


@pytest.fixture
def central(tmp_path: Path) -> Iterator[EmbeddedServer]:
    catalog.use_bundled()
    with running_server(tmp_path / "server") as server:
        server.create_village(VILLAGE, "Desa Sukamaju")
        yield server


def test_other_keys_at_the_office_are_said_clearly_and_a_new_enrollment_clears_it(
    db: Database, paths: AppPaths, central: EmbeddedServer, tmp_path: Path
) -> None:
    creds = credential_store(paths)
    enroll(db, creds, central.base_url, central.new_enrollment_code(VILLAGE), device_name="Laptop desa")
    cfg = load_config(db, creds)
    assert cfg is not None
    # The office already holds other keys for this device (this laptop's earlier keys, before
    # a reinstall without its data): registered first, so ours now answer 409.
    client = cfg.client()
    try:
        earlier = KeySet.generate()
        r = client.request(
            "PUT",
            "/device/keys",
            json_body={"sign_public": earlier.sign_public, "box_public": earlier.box_public},
        )
        assert r.status_code in (200, 201)
    finally:
        client.close()
    worker = SyncWorker(db, cfg.client_factory())
    try:
        worker.run_until_idle()  # joins the USB route: 409, remembered, the online route goes on
    finally:
        worker.close()
    conflict = usb_identity.keys_conflict(db)
    assert conflict is not None and "kunci flashdisk LAIN" in conflict.message_id
    make_batch(db, 1)
    stick = tmp_path / "FLASHDISK"
    stick.mkdir()
    # The office's public keys were still fetched, so a backup can be written for it.
    assert usb_identity.office_keys(db) is not None
    with pytest.raises(usb_export.ExportError) as err:
        usb_export.export(db, paths, stick)
    assert err.value.reason == "keys_conflict" and "daftarkan ulang" in err.value.message_id
    assert list(stick.iterdir()) == []
    # The unsent work can still be put on a stick (nothing unsent is lost).
    assert usb_export.export(db, paths, stick, purpose="backup").batch_ids
    # The documented way out: a new enrollment code -> a new device id -> our keys register.
    enroll(db, creds, central.base_url, central.new_enrollment_code(VILLAGE), device_name="Laptop desa")
    assert usb_identity.keys_conflict(db) is None
    cfg = load_config(db, creds)
    assert cfg is not None
    client = cfg.client()
    try:
        assert usb_identity.join_online(client, db, paths) is True
    finally:
        client.close()
    assert usb_identity.keys_conflict(db) is None
