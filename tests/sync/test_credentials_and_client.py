"""Device token storage, TLS settings, back-off and the Qt-free core."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from desa_capil.errors import NetworkError
from desa_capil.sync.client import ApiClient, OfflineError, normalize_base_url
from desa_capil.sync.credentials import CredentialStore
from desa_capil.sync.worker import Backoff


class MemoryKeyring(KeyringBackend):
    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend


def test_token_goes_to_a_private_file_without_a_keyring(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "config")
    assert not store.uses_keyring and store.get_token() is None
    assert store.set_token("dcd_secret") == "file"
    assert store.get_token() == "dcd_secret"
    if os.name == "posix":
        assert stat.S_IMODE(store.fallback_path.stat().st_mode) == 0o600
    store.delete_token()
    assert store.get_token() is None


def test_token_goes_to_the_keyring_when_there_is_one(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore(tmp_path / "config")
    store.fallback_path.parent.mkdir(parents=True)
    store.fallback_path.write_text("old")
    assert store.set_token("dcd_new") == "keyring"
    assert memory_keyring.items == {("desa_capil", "device_token"): "dcd_new"}
    assert not store.fallback_path.exists()  # no stale copy on disk
    assert store.get_token() == "dcd_new"


def test_token_file_lives_outside_the_data_folder_on_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """platformdirs as on Windows (config folder = data folder): the token's fallback file goes
    to the key folder of its own, like the data key's; a file an earlier version left in the
    data folder is moved out on first read, and never written there again."""
    import platformdirs

    from desa_capil.paths import HOME_ENV, app_paths
    from desa_capil.sync.config import credential_store

    local = tmp_path / "AppData" / "Local"
    monkeypatch.delenv(HOME_ENV, raising=False)

    def user_dir(appname: str | None = None, appauthor: str | None = None, *a: object, **k: object) -> str:
        return str(local / str(appauthor) / str(appname))

    monkeypatch.setattr(platformdirs, "user_data_dir", user_dir)
    monkeypatch.setattr(platformdirs, "user_config_dir", user_dir)
    paths = app_paths()
    assert paths.config == paths.data  # the Windows layout
    legacy = paths.config / "device_token"
    legacy.parent.mkdir(parents=True)
    legacy.write_text("dcd_from_an_old_version\n")
    store = credential_store(paths)
    assert not store.uses_keyring
    assert store.get_token() == "dcd_from_an_old_version"
    assert not legacy.exists()
    assert store.fallback_path.exists() and not store.fallback_path.is_relative_to(paths.data)
    if os.name == "posix":
        assert stat.S_IMODE(store.fallback_path.stat().st_mode) == 0o600
    assert credential_store(paths).get_token() == "dcd_from_an_old_version"
    credential_store(paths).set_token("dcd_new")
    assert credential_store(paths).get_token() == "dcd_new"
    assert not [p for p in paths.data.rglob("*") if "token" in p.name]
    credential_store(paths).delete_token()
    assert credential_store(paths).get_token() is None


def test_tls_is_always_verified_with_an_optional_ca_file(tmp_path: Path) -> None:
    assert ApiClient("https://capil.example.go.id").session.verify is True
    ca = tmp_path / "kantor.pem"
    assert ApiClient("https://capil.example.go.id", ca_file=str(ca)).session.verify == str(ca)
    assert normalize_base_url(" https://x.go.id/api/v1/ ") == "https://x.go.id"
    with pytest.raises(NetworkError) as err:
        normalize_base_url("capil.go.id")
    assert "Alamat server" in err.value.message_id


def test_unreachable_server_is_a_retryable_offline_error() -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with pytest.raises(OfflineError) as err:
        ApiClient(f"http://127.0.0.1:{port}", timeout=(1, 1)).health()
    assert err.value.retryable and "tersimpan di laptop" in err.value.message_id


def test_backoff_grows_exponentially_with_jitter_and_is_capped() -> None:
    lo = Backoff(base=1.0, cap=60.0, rng=lambda: 0.0)
    hi = Backoff(base=1.0, cap=60.0, rng=lambda: 1.0)
    lows = [lo.next_delay() for _ in range(10)]
    highs = [hi.next_delay() for _ in range(10)]
    assert highs[:4] == [1.0, 2.0, 4.0, 8.0]
    assert lows[:4] == [0.5, 1.0, 2.0, 4.0]
    assert max(highs) == 60.0 and highs[-1] == 60.0
    lo.reset()
    assert lo.next_delay() == 0.5


def test_sync_core_does_not_import_qt() -> None:
    code = (
        "import sys, pkgutil, importlib, desa_capil.sync as p\n"
        "for m in pkgutil.iter_modules(p.__path__):\n"
        "    importlib.import_module('desa_capil.sync.' + m.name)\n"
        "bad = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
