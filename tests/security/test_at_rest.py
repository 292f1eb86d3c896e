"""A copy of the data folder alone reveals nothing; a wrong or missing key never overwrites."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from sqlmodel import select

from desa_capil.paths import AppPaths
from desa_capil.security.keys import (
    KeyStore,
    MissingKeyError,
    WrongKeyError,
    master_from_code,
    new_master,
    recovery_code,
    restore_from_code,
)
from desa_capil.store.db import Database, open_database
from desa_capil.store.models import Applicant
from desa_capil.store.repo import ApplicantData, save_application

NIK = "3201014509900001"
KK = "3201010101200007"
NAME = "Siti Aminah Rahmawati"
SCAN = os.urandom(16) + b"KARTU-KELUARGA-SCAN-BYTES" * 40


def _fill(db: Database) -> str:
    save_application(
        db,
        service_code="akta_lahir",
        applicant=ApplicantData(
            nik=NIK, name=NAME, kk_number=KK, phone="081234567890", address="Jl. Mawar 1"
        ),
    )
    return db.blobs.put(SCAN)


def _all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


def _other_home(tmp_path: Path, name: str) -> AppPaths:
    root = tmp_path / name
    return AppPaths(root / "data", root / "config", root / "cache", root / "logs").ensure()


def test_copied_data_folder_reveals_nothing(db: Database, paths: AppPaths, tmp_path: Path) -> None:
    sha = _fill(db)
    assert db.blobs.get(sha) == SCAN
    db.backup(paths.backups / "manual.sqlite3")
    # Raw bytes while the app is open (WAL not yet checkpointed) and after closing.
    for when in ("open", "closed"):
        raw = _all_bytes(paths.data)
        for secret in (NIK.encode(), KK.encode(), NAME.encode(), b"Jl. Mawar", SCAN[16:80]):
            assert secret not in raw, (when, secret)
        # Not even the scan's SHA-256 shows in a file name.
        assert sha not in " ".join(str(p) for p in paths.data.rglob("*"))
        db.close()

    # The folder copied to another laptop (no key there) opens nowhere, and stays as it was.
    thief = _other_home(tmp_path, "thief")
    shutil.rmtree(thief.data)
    shutil.copytree(paths.data, thief.data)
    before = _digests(thief.data)
    with pytest.raises(MissingKeyError) as missing:
        open_database(thief)
    assert "kode pemulihan" in missing.value.message_id
    assert _digests(thief.data) == before
    assert not (thief.config / "keys" / "data.key").exists()  # no new key was made

    # With some other key: refused, nothing overwritten.
    KeyStore(thief).save(new_master())
    with pytest.raises(WrongKeyError) as wrong:
        open_database(thief)
    assert "tidak cocok" in wrong.value.message_id
    assert _digests(thief.data) == before

    # Plain SQLite cannot read it either.
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(thief.database).execute("SELECT * FROM applicant").fetchall()


def test_recovery_code_brings_the_data_back(db: Database, paths: AppPaths, tmp_path: Path) -> None:
    sha = _fill(db)
    master = KeyStore(paths).load()
    assert master is not None
    code = recovery_code(master)
    db.close()

    elsewhere = _other_home(tmp_path, "new-laptop")
    shutil.rmtree(elsewhere.data)
    shutil.copytree(paths.data, elsewhere.data)
    KeyStore(elsewhere).save(new_master())  # a key that does not fit
    # Typed in lower case with spaces and a zero for an O: still the same key.
    typed = code.lower().replace("-", " ").replace("o", "0")
    restore_from_code(elsewhere, typed)
    again = open_database(elsewhere)
    try:
        assert again.blobs.get(sha) == SCAN
        with again.session() as s:
            person = s.exec(select(Applicant)).one()
            assert (person.nik, person.name) == (NIK, NAME)
    finally:
        again.close()
    # The key it replaced was set aside, not destroyed.
    assert list((elsewhere.config / "keys").glob("data.key.replaced-*"))


@pytest.mark.parametrize("typo", ["drop", "swap"])
def test_recovery_code_typos_are_caught(typo: str) -> None:
    code = recovery_code(bytes(range(32)))
    assert master_from_code(code) == bytes(range(32))
    bad = code[:-1] if typo == "drop" else code[:6] + code[7] + code[6] + code[8:]
    from desa_capil.errors import BadInputError

    with pytest.raises(BadInputError):
        master_from_code(bad)


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_key_file_is_private(db: Database, paths: AppPaths) -> None:
    key_file = paths.config / "keys" / "data.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not key_file.is_relative_to(paths.data)


def test_plaintext_database_of_an_earlier_version_is_encrypted(paths: AppPaths) -> None:
    from desa_capil.store import migrations

    conn = sqlite3.connect(paths.database, isolation_level=None)
    migrations.upgrade(conn)
    conn.execute(
        "INSERT INTO applicant VALUES ('a1', ?, ?, '', '', '', '2026-01-01', '2026-01-01')", (NIK, NAME)
    )
    conn.close()
    assert NIK.encode() in paths.database.read_bytes()
    db = open_database(paths)
    try:
        with db.session() as s:
            assert s.get(Applicant, "a1") is not None
    finally:
        db.close()
    assert NIK.encode() not in _all_bytes(paths.data)


def test_plaintext_blobs_of_an_earlier_version_are_sealed(paths: AppPaths) -> None:
    sha = hashlib.sha256(SCAN).hexdigest()
    legacy = paths.blobs / sha[:2] / sha[2:]
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(SCAN)
    db = open_database(paths)
    try:
        assert not legacy.exists()
        assert db.blobs.get(sha) == SCAN
        assert SCAN[16:80] not in _all_bytes(paths.blobs)
    finally:
        db.close()


class _MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.values.pop((service, username), None)


def test_key_goes_to_the_keyring_when_there_is_one(paths: AppPaths) -> None:
    fake = _MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(fake)
    try:
        store = KeyStore(paths, use_keyring=True)
        db = open_database(paths, key_store=store)
        db.close()
        assert store.location == "keyring"
        assert len(fake.values) == 1
        assert not (paths.config / "keys" / "data.key").exists()
        open_database(paths, key_store=store).close()
    finally:
        keyring.set_keyring(previous)
