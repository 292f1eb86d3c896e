"""The optional lock-screen PIN: a salted scrypt hash in the ``Setting`` table.

The PIN keeps a passer-by in the office away from an unattended laptop; it is not what protects
the data on a stolen one (the encryption does that). scrypt with n=2**14 costs ~50 ms and 16 MB
per try, which makes guessing a 6-digit PIN from a copied database slow; the lock screen also
waits longer after each wrong try (``lockout_seconds``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from desa_capil.errors import BadInputError
from desa_capil.store.db import Database
from desa_capil.store.repo import get_setting, set_setting

PIN_HASH_KEY = "pin_hash"
LOCK_MINUTES_KEY = "lock_minutes"
DEFAULT_LOCK_MINUTES = 10
SCHEME = "scrypt"
N, R, P = 2**14, 8, 1
SALT_BYTES = 16
MIN_LEN, MAX_LEN = 4, 12


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=64 * 1024 * 1024)


def check_pin_format(pin: str) -> None:
    if not (pin.isascii() and pin.isdigit() and MIN_LEN <= len(pin) <= MAX_LEN):
        raise BadInputError(
            f"PIN harus {MIN_LEN} sampai {MAX_LEN} angka.",
            f"The PIN must be {MIN_LEN} to {MAX_LEN} digits.",
        )


def hash_pin(pin: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64): the parameters travel with the hash."""
    check_pin_format(pin)
    salt = os.urandom(SALT_BYTES)
    digest = _scrypt(pin, salt, N, R, P)
    b64 = base64.b64encode
    return f"{SCHEME}${N}${R}${P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    """True when `pin` matches; False for a wrong PIN or a malformed stored value."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != SCHEME:
            return False
        want = base64.b64decode(digest, validate=True)
        got = _scrypt(pin, base64.b64decode(salt, validate=True), int(n), int(r), int(p))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(got, want)


def pin_enabled(db: Database) -> bool:
    return bool(get_setting(db, PIN_HASH_KEY, ""))


def set_pin(db: Database, pin: str) -> None:
    set_setting(db, PIN_HASH_KEY, hash_pin(pin))


def clear_pin(db: Database) -> None:
    set_setting(db, PIN_HASH_KEY, "")


def check_pin(db: Database, pin: str) -> bool:
    stored = get_setting(db, PIN_HASH_KEY, "")
    return bool(stored) and verify_pin(pin, stored)


def lock_minutes(db: Database) -> int:
    """Minutes of inactivity before the lock screen shows (0: never)."""
    try:
        minutes = int(get_setting(db, LOCK_MINUTES_KEY, str(DEFAULT_LOCK_MINUTES)))
    except ValueError:
        return DEFAULT_LOCK_MINUTES
    return max(0, minutes)


def set_lock_minutes(db: Database, minutes: int) -> None:
    set_setting(db, LOCK_MINUTES_KEY, str(max(0, minutes)))


def lockout_seconds(failures: int) -> int:
    """How long the lock screen refuses input after `failures` wrong tries in a row."""
    if failures < 3:
        return 0
    return int(min(300, 5 * 2 ** (failures - 3)))
