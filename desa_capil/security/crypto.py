"""AES-256-GCM sealing of small and medium byte strings (page files, PDFs) and key derivation.

A sealed blob is ``MAGIC | nonce (12) | ciphertext | tag (16)``. The nonce is random per blob:
with 96-bit random nonces, one key can seal billions of blobs before a collision is a risk,
far beyond what a village laptop stores.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"DCB1"
NONCE_BYTES = 12
TAG_BYTES = 16
OVERHEAD = len(MAGIC) + NONCE_BYTES + TAG_BYTES
KEY_BYTES = 32


class DecryptError(Exception):
    """The sealed bytes are damaged, truncated or were sealed with another key."""


def derive(master: bytes, purpose: str) -> bytes:
    """A 256-bit subkey of the master key for one purpose (HKDF-SHA256)."""
    if len(master) != KEY_BYTES:
        raise ValueError("the master key must be 32 bytes")
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode()).derive(master)


def seal(key: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, sealed: bytes, aad: bytes = b"") -> bytes:
    if len(sealed) < OVERHEAD or not sealed.startswith(MAGIC):
        raise DecryptError("not a sealed blob")
    nonce = sealed[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, sealed[len(MAGIC) + NONCE_BYTES :], aad)
    except InvalidTag as exc:
        raise DecryptError("authentication failed") from exc


def keyed_name(key: bytes, text: str) -> str:
    """HMAC-SHA256 of `text` as hex: a stable name that reveals nothing without the key."""
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
