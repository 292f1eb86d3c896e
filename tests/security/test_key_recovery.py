"""A damaged or missing key file: the app says so and takes the recovery code right there.
On Windows without a working Credential Manager the key file stays out of the data folder."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import keyring
import keyring.errors
import platformdirs
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlmodel import select

import desa_capil.app as app_module
from desa_capil.errors import BadInputError
from desa_capil.paths import HOME_ENV, AppPaths, app_paths
from desa_capil.security.keys import DamagedKeyError, KeyStore, master_from_code, new_master, recovery_code
from desa_capil.store.db import Database, open_database
from desa_capil.store.models import Applicant
from desa_capil.store.repo import ApplicantData, save_application
from desa_capil.ui.privacy_settings import RecoveryCodeEntryDialog

SCAN = b"scan of a family card" * 20

# The offscreen platform cannot size a window to its hints; harmless for these dialogs.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def _fill(paths: AppPaths) -> tuple[str, str]:
    db = open_database(paths)
    try:
        save_application(
            db, service_code="akta_lahir", applicant=ApplicantData(nik="3201014509900001", name="Siti Aminah")
        )
        sha = db.blobs.put(SCAN)
    finally:
        db.close()
    master = KeyStore(paths).load()
    assert master is not None
    return sha, recovery_code(master)


Step = Callable[[QWidget], bool]


def _typo(code: str) -> str:
    """The code with one character mistyped (in a data position, not the padding bits)."""
    for ch in "ABCDEFGH":
        if code[6] != ch:
            typo = code[:6] + ch + code[7:]
            try:
                master_from_code(typo)
            except BadInputError:
                return typo
    raise AssertionError("no detectable typo found")


def _drive_modals(steps: list[Step]) -> list[str]:
    """Answer the modal dialogs as they come up, one step each (a step returns False while it
    is not done with that dialog yet). Returns the texts of the message boxes seen."""
    seen: list[str] = []

    def tick() -> None:
        w = QApplication.activeModalWidget()
        if w is not None and steps:
            if isinstance(w, QMessageBox) and w.text() not in seen:
                seen.append(w.text())
            if steps[0](w):
                steps.pop(0)
        if steps:
            QTimer.singleShot(20, tick)

    QTimer.singleShot(0, tick)
    return seen


def _click_recover(w: QWidget) -> bool:
    assert isinstance(w, QMessageBox)
    button = next(b for b in w.findChildren(QPushButton) if "kode pemulihan" in b.text())
    button.click()
    return True


def _type_code(code: str) -> Step:
    def step(w: QWidget) -> bool:
        assert isinstance(w, RecoveryCodeEntryDialog)
        w.findChild(QLineEdit, "recoveryCodeEntry").setText(code)  # type: ignore[union-attr]
        w.try_accept()
        return True

    return step


def _assert_data_back(db: object, sha: str) -> None:
    assert isinstance(db, Database)
    try:
        assert db.blobs.get(sha) == SCAN
        with db.session() as s:
            assert s.exec(select(Applicant.name)).one() == "Siti Aminah"
    finally:
        db.close()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "binary"])
def test_damaged_key_file_is_said_and_the_code_typed_there_opens_the_data(
    qtbot: QtBot, paths: AppPaths, damage: str
) -> None:
    sha, code = _fill(paths)
    key_file = KeyStore(paths).file
    good = key_file.read_text()
    damaged = {
        "garbage": b"this is not a key\n",
        "truncated": good[:20].encode(),
        "empty": b"",
        "binary": b"\xff\xfe\x00\x81" * 8,
    }[damage]
    key_file.write_bytes(damaged)
    with pytest.raises(DamagedKeyError):
        open_database(paths)

    typo = _typo(code)
    mistakes: list[str] = []

    def typo_then_nothing_installed(w: QWidget) -> bool:
        assert isinstance(w, RecoveryCodeEntryDialog)
        w.findChild(QLineEdit, "recoveryCodeEntry").setText(typo)  # type: ignore[union-attr]
        w.try_accept()
        mistakes.append(w.message.text())
        assert w.isVisible()  # a typo keeps the dialog open with the reason
        assert key_file.read_bytes() == damaged  # and changes nothing
        return True

    seen = _drive_modals([_click_recover, typo_then_nothing_installed, _type_code(code.lower())])
    db = app_module.open_database_or_explain(paths)
    assert len(seen) == 1 and "rusak" in seen[0] and "kode pemulihan" in seen[0]
    assert mistakes and "tidak cocok" in mistakes[0]
    _assert_data_back(db, sha)
    # The damaged key was set aside byte for byte, not destroyed.
    aside = list(key_file.parent.glob("data.key.replaced-*"))
    assert [p.read_bytes() for p in aside] == [damaged]


def test_missing_key_file_is_said_and_the_code_typed_there_opens_the_data(
    qtbot: QtBot, paths: AppPaths
) -> None:
    sha, code = _fill(paths)
    KeyStore(paths).file.unlink()
    seen = _drive_modals([_click_recover, _type_code(code)])
    db = app_module.open_database_or_explain(paths)
    assert len(seen) == 1 and "tidak ditemukan" in seen[0]
    _assert_data_back(db, sha)


def test_a_valid_code_of_another_laptop_is_explained_once_and_nothing_lost(
    qtbot: QtBot, paths: AppPaths
) -> None:
    _sha, code = _fill(paths)
    KeyStore(paths).file.unlink()
    other = recovery_code(new_master())

    def close(w: QWidget) -> bool:
        assert isinstance(w, QMessageBox)
        w.done(0)
        return True

    seen = _drive_modals([_click_recover, _type_code(other), close])
    assert app_module.open_database_or_explain(paths) is None
    assert len(seen) == 2 and "tidak cocok" in seen[1]
    # The right code still works afterwards: the wrong key did not overwrite any data.
    seen = _drive_modals([_click_recover, _type_code(code)])
    db = app_module.open_database_or_explain(paths)
    _assert_data_back(db, _sha)


# --- Windows: the key file outside the data folder ---------------------------------------------


def _windows_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """platformdirs as on Windows: the data and config folders are one folder."""
    local = tmp_path / "AppData" / "Local"
    monkeypatch.delenv(HOME_ENV)

    def user_dir(appname: str | None = None, appauthor: str | None = None, *a: object, **k: object) -> str:
        return str(local / str(appauthor) / str(appname))

    monkeypatch.setattr(platformdirs, "user_data_dir", user_dir)
    monkeypatch.setattr(platformdirs, "user_config_dir", user_dir)
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: str(local / "desa_capil" / "Cache"))
    monkeypatch.setattr(platformdirs, "user_log_dir", lambda *a, **k: str(local / "desa_capil" / "Logs"))
    return local


def _broken_credential_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_a: object) -> None:
        raise keyring.errors.KeyringError("Credential Manager unavailable")

    monkeypatch.setattr(keyring, "get_password", fail)
    monkeypatch.setattr(keyring, "set_password", fail)


def test_windows_fallback_key_file_is_not_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _windows_layout(tmp_path, monkeypatch)
    _broken_credential_manager(monkeypatch)
    paths = app_paths()
    assert paths.config == paths.data  # the Windows layout this is about
    store = KeyStore(paths, use_keyring=True)
    db = open_database(paths, key_store=store)
    db.close()
    assert store.file.exists()
    assert not store.file.is_relative_to(paths.data)
    assert not [p for p in paths.data.rglob("*") if "key" in p.name]
    # The data opens again through the same fallback.
    open_database(paths, key_store=KeyStore(paths, use_keyring=True)).close()


def test_key_file_an_earlier_version_left_in_the_data_folder_is_moved_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _windows_layout(tmp_path, monkeypatch)
    paths = app_paths()
    master = new_master()
    legacy = paths.config / "keys" / "data.key"
    legacy.parent.mkdir(parents=True)
    legacy.write_text(base64.b64encode(master).decode() + "\n")
    store = KeyStore(paths, use_keyring=False)
    assert store.load() == master
    assert not legacy.exists()
    assert store.file.exists() and not store.file.is_relative_to(paths.data)
    assert KeyStore(paths, use_keyring=False).load() == master
