"""A rollback hands the laptop's stick keys to the previous version: versions before kept them
in a 0600 file (``usb_device_keys.json``) and read only that; this one keeps them sealed in the
database and removed the file. Without the file written back, the older version would make new
keys, which the office refuses (and it cannot register them again)."""

from __future__ import annotations

import stat
from pathlib import Path

from desa_capil.paths import AppPaths
from desa_capil.store.db import Database
from desa_capil.sync import usb_identity
from desa_capil.update.client import Updater, _set_current
from desa_capil.update.rollback import note_schema, rollback_with_database
from desa_capil.usbroute import load_or_create


def test_rollback_writes_the_stored_keys_back_for_the_older_version(
    db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    mine = usb_identity.device_keys(db, paths)
    legacy = paths.keys / usb_identity.DEVICE_KEYS_FILE
    assert not legacy.exists()
    db.close()
    root = tmp_path / "updates"
    root.mkdir()
    _set_current(root, "0.2.0", previous="0.1.0")
    # Both versions use the same schema: no step back runs, only the keys are handed over.
    note_schema(root, "0.2.0", 7, 7)
    assert rollback_with_database(root, paths, "0.2.0").version == "0.1.0"
    assert Updater.read_state(root)["current"] == "0.1.0"
    assert stat.S_IMODE(legacy.stat().st_mode) == 0o600
    # The older version's loader finds the same keys instead of making new ones.
    assert load_or_create(legacy) == mine
    assert not list(legacy.parent.glob(".*.tmp"))


def test_the_newer_version_moves_the_file_in_again_after_a_roll_forward(
    db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    mine = usb_identity.device_keys(db, paths)
    assert usb_identity.write_legacy_key_file(paths)
    legacy = paths.keys / usb_identity.DEVICE_KEYS_FILE
    assert usb_identity.device_keys(db, paths) == mine
    assert not legacy.exists()


def test_nothing_is_written_when_no_keys_were_ever_made(db: Database, paths: AppPaths) -> None:
    assert not usb_identity.write_legacy_key_file(paths)
    assert not (paths.keys / usb_identity.DEVICE_KEYS_FILE).exists()
