"""The device token: in the OS credential store through ``keyring`` (Windows Credential Manager,
macOS Keychain, Secret Service), or, where no such store exists (a bare Linux session, a
service account), in a file readable by the current user only (mode 0600).

The file lives in ``AppPaths.keys``, next to the data key's fallback file and for the same
reason: on Windows the config folder IS the data folder (the folder people copy to a stick or
a backup), so a token there would travel with the data. A token file an earlier version left
in the config folder is moved out on first read (``legacy_dir``).

The token is the laptop's key to the village's records on the server: it never goes into the
database, a log line or a backup.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from desa_capil.store.blobs import atomic_write

log = logging.getLogger(__name__)

SERVICE = "desa_capil"
TOKEN_KEY = "device_token"
FALLBACK_NAME = "device_token"


def _usable(backend: KeyringBackend) -> bool:
    # The "fail" backend (priority 0) and the chainer with nothing behind it mean: no store.
    try:
        priority = float(backend.priority)  # type: ignore[arg-type,unused-ignore]
    except Exception:  # noqa: BLE001 - a backend whose priority cannot be read is not usable
        return False
    return priority > 0


class CredentialStore:
    """Reads and writes the device token. ``fallback_dir`` holds the 0600 file if needed;
    ``legacy_dir`` is where earlier versions kept that file (moved out when found)."""

    def __init__(self, fallback_dir: Path, *, service: str = SERVICE, legacy_dir: Path | None = None) -> None:
        self.fallback_path = fallback_dir / FALLBACK_NAME
        self.legacy_path = legacy_dir / FALLBACK_NAME if legacy_dir is not None else None
        if self.legacy_path == self.fallback_path:
            self.legacy_path = None
        self.service = service

    @property
    def uses_keyring(self) -> bool:
        return _usable(keyring.get_keyring())

    def get_token(self) -> str | None:
        if self.uses_keyring:
            try:
                value = keyring.get_password(self.service, TOKEN_KEY)
                if value:
                    return value
            except keyring.errors.KeyringError as exc:
                log.warning("keyring read failed (%s); trying the fallback file", type(exc).__name__)
        try:
            text = self.fallback_path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return self._move_legacy()
        return text or None

    def _move_legacy(self) -> str | None:
        if self.legacy_path is None:
            return None
        try:
            text = self.legacy_path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        if text:
            self._write_private(text)
        self.legacy_path.unlink()
        log.info("moved the device token file out of the data folder to %s", self.fallback_path.parent)
        return text or None

    def _drop_legacy(self) -> None:
        if self.legacy_path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.legacy_path.unlink()

    def set_token(self, token: str) -> str:
        """Store the token; returns where it went ("keyring" or "file")."""
        if self.uses_keyring:
            try:
                keyring.set_password(self.service, TOKEN_KEY, token)
            except keyring.errors.KeyringError as exc:
                log.warning("keyring write failed (%s); using the fallback file", type(exc).__name__)
            else:
                # A token left in the file from an earlier enrollment must not linger.
                with contextlib.suppress(FileNotFoundError):
                    self.fallback_path.unlink()
                self._drop_legacy()
                return "keyring"
        self._write_private(token)
        self._drop_legacy()
        return "file"

    def delete_token(self) -> None:
        if self.uses_keyring:
            with contextlib.suppress(keyring.errors.KeyringError):
                keyring.delete_password(self.service, TOKEN_KEY)
        with contextlib.suppress(FileNotFoundError):
            self.fallback_path.unlink()
        self._drop_legacy()

    def _write_private(self, token: str) -> None:
        folder = self.fallback_path.parent
        folder.mkdir(parents=True, exist_ok=True)
        # The umask makes the temp file 0600 from its first byte; chmod again after the rename
        # in case the file system ignores the creation mode.
        old = os.umask(0o077)
        try:
            atomic_write(self.fallback_path, (token + "\n").encode("utf-8"))
        finally:
            os.umask(old)
        os.chmod(self.fallback_path, 0o600)
