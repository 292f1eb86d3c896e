"""The two key pairs of a laptop or an office, as the USB route uses them.

* a **signing** key (Ed25519, through ``cryptography``): signs every bundle and enrollment file;
  the public half travels as ``ed25519:<base64>``;
* a **box** key (X25519 in the age format, through ``pyrage``): files are encrypted to its public
  half (``age1...``), only the private half (``AGE-SECRET-KEY-1...``) opens them.

``key_id`` gives a short stable fingerprint of a public key (printed on the enrollment paper,
written in bundle headers so a reader knows which key the file is for).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyrage import x25519

from desa_capil.security.files import write_private
from desa_capil.usbroute.errors import BundleError

SIGN_PREFIX = "ed25519:"


def key_id(public_text: str) -> str:
    """A short fingerprint (16 hex digits) of a public key in its text form."""
    return hashlib.sha256(public_text.strip().encode("ascii")).hexdigest()[:16]


def sign_public_text(private_raw: bytes) -> str:
    pub = Ed25519PrivateKey.from_private_bytes(private_raw).public_key()
    return SIGN_PREFIX + base64.b64encode(pub.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode("ascii")


def verify_key(public_text: str) -> Ed25519PublicKey:
    """The Ed25519 public key from its text form; BundleError("format") if it is not one."""
    if not public_text.startswith(SIGN_PREFIX):
        raise BundleError("format", "signing key without ed25519: prefix")
    try:
        raw = base64.b64decode(public_text[len(SIGN_PREFIX) :], validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise BundleError("format", "bad signing public key") from exc


def sign(private_raw: bytes, message: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private_raw).sign(message)


def signature_ok(public_text: str, signature: bytes, message: bytes) -> bool:
    try:
        verify_key(public_text).verify(signature, message)
    except InvalidSignature:
        return False
    return True


TOKEN_CONTEXT = b"desa_capil usb token v1\x00"


def token_request_message(device_id: str, challenge: str) -> bytes:
    """What a laptop signs to get a device token from the office with its signing key
    (``POST /api/v1/usb/token``): the laptop enrolled by stick, the day it has a link."""
    return TOKEN_CONTEXT + f"{device_id}\x00{challenge}".encode()


def box_public_text(box_private: str) -> str:
    return str(_identity(box_private).to_public())


def check_box_public(public_text: str) -> str:
    """``public_text`` if it is an age X25519 recipient; BundleError("format") if not."""
    try:
        x25519.Recipient.from_str(public_text.strip())
    except Exception as exc:  # pyrage raises its own RecipientError / ValueError variants
        raise BundleError("format", "bad box public key") from exc
    return public_text.strip()


def _identity(box_private: str) -> x25519.Identity:
    try:
        return x25519.Identity.from_str(box_private.strip())
    except Exception as exc:  # pyrage's IdentityError
        raise BundleError("format", "bad box private key") from exc


@dataclass(frozen=True)
class KeySet:
    """A signing and a box key pair (one laptop's, or the office's). Private: keep it secret."""

    signing: bytes  # Ed25519 private key, 32 raw bytes
    box: str  # age X25519 identity, "AGE-SECRET-KEY-1..."

    @classmethod
    def generate(cls) -> KeySet:
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return cls(signing=raw, box=str(x25519.Identity.generate()))

    @property
    def sign_public(self) -> str:
        return sign_public_text(self.signing)

    @property
    def box_public(self) -> str:
        return box_public_text(self.box)

    def public(self) -> dict[str, str]:
        """The public halves as sent to the other side (JSON-ready)."""
        return {"sign_public": self.sign_public, "box_public": self.box_public}

    def to_json(self) -> str:
        return json.dumps(
            {"version": 1, "signing": base64.b64encode(self.signing).decode("ascii"), "box": self.box}
        )

    @classmethod
    def from_json(cls, text: str) -> KeySet:
        try:
            data: Any = json.loads(text)
            keys = cls(signing=base64.b64decode(data["signing"], validate=True), box=str(data["box"]))
            if len(keys.signing) != 32:
                raise ValueError("signing key length")
            _identity(keys.box)
        except (ValueError, KeyError, TypeError) as exc:
            raise BundleError("format", "damaged key file") from exc
        return keys


def load_or_create(path: Path) -> KeySet:
    """The key set stored at ``path`` (0600), made on first use (written atomically)."""
    if path.exists():
        return KeySet.from_json(path.read_text(encoding="utf-8"))
    keys = KeySet.generate()
    if not write_private(path, keys.to_json().encode("utf-8"), first_wins=True):
        # Two processes starting together: the first one's keys win, never a mix.
        return KeySet.from_json(path.read_text(encoding="utf-8"))
    return keys
