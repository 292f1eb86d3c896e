"""The laptop's data key: where it lives, how it is made, how it comes back after a loss.

One random 256-bit master key protects everything personal on the laptop. Subkeys are derived
from it (HKDF) for the SQLCipher database, for sealing page files and for naming them. The
master key lives in the OS credential store through ``keyring`` (Windows Credential Manager,
macOS Keychain, Secret Service). Where no usable backend exists (a bare Linux session, a
Windows whose Credential Manager fails) it lives in ``AppPaths.keys/data.key``, readable by the
current user only (0600), always outside the data folder (on Windows the config folder is the
data folder, so the key gets a folder of its own), so a copy of the data folder alone reveals
nothing. A key file an earlier version left inside the data folder is moved out on first read.

With ``DESA_CAPIL_HOME`` set (tests, demo mode) the keyring is never touched: the key goes
into the file under that home, as every other file does.

If the key is lost (new Windows account, reinstalled laptop), the data comes back only with the
recovery code: the master key in base32 with a checksum, printed once and kept by the kepala
desa (README, "Perlindungan data pribadi").
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import keyring
import keyring.errors

from desa_capil.errors import BadInputError, StorageError
from desa_capil.paths import HOME_ENV, AppPaths
from desa_capil.security.crypto import KEY_BYTES, derive
from desa_capil.security.files import write_private

log = logging.getLogger(__name__)

SERVICE = "desa_capil"
KEY_NAME = "data_key"
CHECK_BYTES = 2
GROUP = 5


class MissingKeyError(StorageError):
    """Encrypted data exists but this laptop/account has no key for it."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "Data di laptop ini terkunci dan kunci enkripsinya tidak ditemukan (misalnya setelah "
            "Windows dipasang ulang atau data disalin dari laptop lain), atau berkas basis datanya "
            "rusak. Data tidak diubah. Masukkan kode pemulihan yang disimpan kepala desa, atau "
            "pulihkan dari cadangan (folder 'backups').",
            "The data on this laptop is encrypted and its key was not found (e.g. after reinstalling "
            "Windows or copying the data from another laptop), or the database file is damaged. "
            "Nothing was changed. Enter the recovery code kept by the village head, or restore from "
            "a backup (the 'backups' folder).",
            detail=detail,
        )


class DamagedKeyError(MissingKeyError):
    """The stored key exists but is damaged (truncated file, a disk error, edited by hand)."""

    def __init__(self, detail: str = "") -> None:
        StorageError.__init__(
            self,
            "Kunci enkripsi yang tersimpan di laptop ini rusak, sehingga data tidak bisa dibuka. "
            "Data tidak diubah. Masukkan kode pemulihan yang disimpan kepala desa untuk "
            "memulihkan kuncinya.",
            "The encryption key stored on this laptop is damaged, so the data cannot be opened. "
            "Nothing was changed. Enter the recovery code kept by the village head to restore it.",
            detail=detail,
        )


class WrongKeyError(StorageError):
    """The key present does not open the database (or the file is not a database at all)."""

    def __init__(self, path: Path, detail: str = "") -> None:
        super().__init__(
            f"Basis data di {path} tidak bisa dibuka: kunci enkripsinya tidak cocok, atau berkasnya "
            "rusak. Berkas itu tidak diubah. Masukkan kode pemulihan yang disimpan kepala desa, atau "
            "pulihkan dari cadangan (folder 'backups' di sebelahnya).",
            f"The database at {path} cannot be opened: the encryption key does not match, or the "
            "file is damaged. It was not changed. Enter the recovery code kept by the village head, "
            "or restore it from a backup (the 'backups' folder beside it).",
            detail=detail,
        )


@dataclass(frozen=True)
class DataKeys:
    """The master key and the subkeys derived from it for each use."""

    master: bytes

    @property
    def database(self) -> bytes:
        return derive(self.master, "desa_capil sqlcipher database v1")

    @property
    def blob_seal(self) -> bytes:
        return derive(self.master, "desa_capil blob seal v1")

    @property
    def blob_name(self) -> bytes:
        return derive(self.master, "desa_capil blob name v1")

    @property
    def usb_device(self) -> bytes:
        """Seals the laptop's USB stick keys (signing + box) inside the database, so they live
        and come back exactly like the data (keyring or key file, backups, recovery code)."""
        return derive(self.master, "desa_capil usb device keys v1")

    @property
    def sqlcipher_key(self) -> str:
        """The raw-key literal for ``PRAGMA key`` (no passphrase KDF: the key is random)."""
        return f"x'{self.database.hex()}'"


# --- recovery code ----------------------------------------------------------------------------


def recovery_code(master: bytes) -> str:
    """The master key as a printable code: base32 in groups of five, with a checksum."""
    check = hashlib.sha256(master).digest()[:CHECK_BYTES]
    text = base64.b32encode(master + check).decode("ascii").rstrip("=")
    return "-".join(text[i : i + GROUP] for i in range(0, len(text), GROUP))


def _bad_code(detail: str) -> BadInputError:
    return BadInputError(
        "Kode pemulihan tidak cocok. Periksa lagi setiap huruf dan angka (huruf O bukan angka 0), "
        "lalu ketik ulang.",
        "The recovery code does not match. Check every letter and digit (the letter O, not zero) "
        "and type it again.",
        detail=detail,
    )


def master_from_code(code: str) -> bytes:
    """The master key back from a typed recovery code; BadInputError on any typo."""
    text = "".join(ch for ch in code.upper() if ch.isalnum())
    # Letters people confuse with digits the alphabet does not use.
    text = text.translate(str.maketrans("018", "OIB"))
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except ValueError as exc:
        raise _bad_code("not base32") from exc
    if len(raw) != KEY_BYTES + CHECK_BYTES:
        raise _bad_code(f"length {len(raw)}")
    master, check = raw[:KEY_BYTES], raw[KEY_BYTES:]
    if hashlib.sha256(master).digest()[:CHECK_BYTES] != check:
        raise _bad_code("checksum")
    return master


# --- where the key lives ----------------------------------------------------------------------


def _keyring_usable() -> bool:
    try:
        return float(keyring.get_keyring().priority) > 0
    except Exception:  # noqa: BLE001 - a backend whose priority cannot be read is not usable
        return False


class KeyStore:
    """Reads and writes the master key: OS keyring, else the 0600 file.

    ``use_keyring``: None decides by the environment (no keyring under DESA_CAPIL_HOME or
    without a usable backend); tests pass True with a fake backend.
    """

    def __init__(self, paths: AppPaths, *, use_keyring: bool | None = None) -> None:
        self.file = paths.keys / "data.key"
        # Where versions before the key got its own folder kept it (inside the data folder on
        # Windows): read once, moved to ``file``.
        self._legacy = paths.config / "keys" / "data.key"
        if use_keyring is None:
            use_keyring = not os.environ.get(HOME_ENV) and _keyring_usable()
        self.use_keyring = use_keyring

    @property
    def location(self) -> str:
        """ "keyring" or "file": where a saved key goes (the settings page shows it)."""
        return "keyring" if self.use_keyring else "file"

    def load(self) -> bytes | None:
        if self.use_keyring:
            try:
                value = keyring.get_password(SERVICE, KEY_NAME)
            except keyring.errors.KeyringError as exc:
                log.warning("keyring read failed (%s); trying the key file", type(exc).__name__)
            else:
                if value:
                    return self._decode(value)
        try:
            text = self.file.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return self._move_legacy()
        except (OSError, UnicodeDecodeError) as exc:
            if isinstance(exc, UnicodeDecodeError):
                raise DamagedKeyError("key file is not text") from exc
            raise StorageError(
                "Berkas kunci enkripsi tidak bisa dibaca. Periksa izin folder pengaturan.",
                "The encryption key file cannot be read. Check the settings folder's permissions.",
                detail=type(exc).__name__,
            ) from exc
        if not text:
            raise DamagedKeyError("key file is empty")
        return self._decode(text)

    def _move_legacy(self) -> bytes | None:
        if self._legacy == self.file or not self._legacy.exists():
            return None
        master = self._decode(self._legacy.read_text(encoding="ascii").strip())
        self._write_private(base64.b64encode(master).decode("ascii"))
        self._legacy.unlink()
        log.info("moved the data key file out of the data folder to %s", self.file)
        return master

    def _decode(self, text: str) -> bytes:
        try:
            raw = base64.b64decode(text, validate=True)
        except ValueError:
            raw = b""
        if len(raw) != KEY_BYTES:
            raise DamagedKeyError("stored key has the wrong length")
        return raw

    def save(self, master: bytes) -> str:
        """Store the key; returns where it went ("keyring" or "file")."""
        text = base64.b64encode(master).decode("ascii")
        if self.use_keyring:
            try:
                keyring.set_password(SERVICE, KEY_NAME, text)
            except keyring.errors.KeyringError as exc:
                log.warning("keyring write failed (%s); using the key file", type(exc).__name__)
            else:
                with contextlib.suppress(FileNotFoundError):
                    self.file.unlink()
                return "keyring"
        self._write_private(text)
        return "file"

    def _write_private(self, text: str) -> None:
        folder = self.file.parent
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)
        write_private(self.file, (text + "\n").encode("ascii"))

    def set_aside(self) -> None:
        """Keep the current key under another name before a recovery code replaces it.

        A damaged key is kept too, byte for byte: whoever looks at it later sees what was there.
        """
        try:
            current = self.load()
            raw = base64.b64encode(current).decode("ascii").encode() + b"\n" if current else None
        except DamagedKeyError:
            raw = None
            if self.file.exists():
                raw = self.file.read_bytes()
            elif self.use_keyring:
                with contextlib.suppress(keyring.errors.KeyringError):
                    raw = (keyring.get_password(SERVICE, KEY_NAME) or "").encode("utf-8", "replace")
        if raw is None:
            return
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        old = self.file.with_name(f"data.key.replaced-{stamp}")
        n = 1
        while old.exists():
            n += 1
            old = self.file.with_name(f"data.key.replaced-{stamp}-{n}")
        old.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(old, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(raw)


def new_master() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def restore_from_code(paths: AppPaths, code: str, *, store: KeyStore | None = None) -> None:
    """Install the master key from a recovery code (the old key, if any, is set aside).

    The caller opens the database again afterwards; a wrong code for this data then fails with
    WrongKeyError and nothing is lost (the set-aside key is still there).
    """
    master = master_from_code(code)
    ks = store or KeyStore(paths)
    ks.set_aside()
    ks.save(master)
