"""The enrollment file (``*.dcenroll``, office -> village) and the paper code that goes with it.

The office makes two things for a village laptop: the file (carried on a stick) and a short
code printed on paper (handed to the village head, never stored on the stick). The file is
signed by the office and carries the village identity, the office's public keys, the server
address and a one-time secret. On its first bundle the laptop proves it holds both halves:

    proof = HMAC-SHA256(HKDF(secret | code), "desa_capil enroll proof v1" | device_id | sign_public | box_public)

The office checks the proof, then binds its stored device to those public keys; from then on
only bundles signed by that key are accepted, and the enrollment cannot be used again. A lost
stick alone (the file without the paper) cannot enroll an impostor laptop, and a lost paper
alone is useless. The code has a check letter pair so a typo is caught on the laptop.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desa_capil.usbroute import keys as K
from desa_capil.usbroute.atomic import write_atomic
from desa_capil.usbroute.errors import BundleError

FORMAT = "desa_capil.enrollment"
VERSION = 1
SUFFIX = ".dcenroll"
SIGN_CONTEXT = b"desa_capil enrollment v1\x00"
PROOF_CONTEXT = b"desa_capil enroll proof v1\x00"
# Crockford-like alphabet: no 0/O, 1/I/L confusion when read off paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LEN = 10  # ~49.5 bits; guessing online is stopped by the office's attempt limit
CHECK_LEN = 2
MAX_FILE = 64 * 1024


@dataclass(frozen=True)
class Enrollment:
    """What the village laptop learns from the office file."""

    enrollment_id: str
    village_code: str
    village_name: str
    office_name: str
    server_url: str
    office_sign_public: str
    office_box_public: str
    device_id: str
    secret: str  # base64, 32 random bytes; one time, bound to the first device key that proves it
    issued_at: str
    expires_at: str

    @property
    def office_key_id(self) -> str:
        """Fingerprint of the office signing key, also printed on the paper slip."""
        return K.key_id(self.office_sign_public)

    def expired(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) > datetime.fromisoformat(self.expires_at)


def _code_check(body: str) -> str:
    digest = hashlib.sha256(b"desa_capil code check\x00" + body.encode("ascii")).digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:CHECK_LEN])


def make_code() -> str:
    """A fresh paper code, e.g. ``K7QX-MP3A-RZHD`` (10 random letters + 2 check letters)."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LEN))
    full = body + _code_check(body)
    return "-".join(full[i : i + 4] for i in range(0, len(full), 4))


def normalize_code(typed: str) -> str:
    """The code as typed, cleaned (case, spaces, dashes); BundleError("bad_code") on a typo."""
    text = "".join(ch for ch in typed.upper() if ch.isalnum())
    if len(text) != CODE_LEN + CHECK_LEN or any(ch not in CODE_ALPHABET for ch in text):
        raise BundleError("bad_code", f"length {len(text)}")
    body, check = text[:CODE_LEN], text[CODE_LEN:]
    if not hmac.compare_digest(_code_check(body), check):
        raise BundleError("bad_code", "check letters")
    return body


def code_hash(code: str) -> str:
    """What the office stores instead of the code itself (with the secret it derives the proof key)."""
    return hashlib.sha256(b"desa_capil code\x00" + normalize_code(code).encode("ascii")).hexdigest()


def _proof_key(secret_b64: str, normalized: str) -> bytes:
    secret = base64.b64decode(secret_b64)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"desa_capil enroll key v1").derive(
        secret + normalized.encode("ascii")
    )


def proof(*, secret: str, code: str, device_id: str, sign_public: str, box_public: str) -> str:
    """The laptop's proof that it holds the file's secret and the paper code (hex)."""
    msg = PROOF_CONTEXT + "\x00".join((device_id, sign_public, box_public)).encode("utf-8")
    return hmac.new(_proof_key(secret, normalize_code(code)), msg, hashlib.sha256).hexdigest()


def proof_ok(
    given: str, *, secret: str, normalized_code: str, device_id: str, sign_public: str, box_public: str
) -> bool:
    """Office side: ``normalized_code`` is the code as stored at issue time (normalize_code())."""
    msg = PROOF_CONTEXT + "\x00".join((device_id, sign_public, box_public)).encode("utf-8")
    expected = hmac.new(_proof_key(secret, normalized_code), msg, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


def new_secret() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _body_bytes(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def enrollment_bytes(enrollment: Enrollment, office_signing_key: bytes) -> bytes:
    if K.sign_public_text(office_signing_key) != enrollment.office_sign_public:
        raise ValueError("the enrollment must be signed by the office key it names")
    body = asdict(enrollment)
    sig = K.sign(office_signing_key, SIGN_CONTEXT + _body_bytes(body))
    doc = {"format": FORMAT, "version": VERSION, "body": body, "signature": base64.b64encode(sig).decode()}
    return json.dumps(doc, indent=1, sort_keys=True).encode("utf-8") + b"\n"


def write_enrollment(path: Path, enrollment: Enrollment, *, office_signing_key: bytes) -> None:
    """Write the signed enrollment file atomically (temp, fsync, read back, rename)."""
    raw = enrollment_bytes(enrollment, office_signing_key)

    def write(fh: BinaryIO) -> None:
        fh.write(raw)

    def verify(tmp: Path) -> None:
        if read_enrollment(tmp, office_sign_public=enrollment.office_sign_public) != enrollment:
            raise BundleError("write_failed", "read-back differs")

    try:
        write_atomic(path, write, verify)
    except BundleError as exc:
        raise BundleError("write_failed", exc.reason) from exc
    except OSError as exc:
        raise BundleError("write_failed", f"{type(exc).__name__}: {exc.strerror or exc}") from exc


def parse_enrollment(raw: bytes, *, office_sign_public: str | None = None) -> Enrollment:
    """Check and parse enrollment bytes; ``office_sign_public`` pins the office key if known."""
    if len(raw) > MAX_FILE:
        raise BundleError("format", "enrollment file too large")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        # A cut JSON document is the usual way this fails: a stick pulled mid-copy.
        if raw.lstrip().startswith(b"{") and FORMAT.encode() in raw:
            raise BundleError("truncated", "enrollment JSON is cut") from exc
        raise BundleError("format", "not an enrollment file") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BundleError("format", "not an enrollment file")
    if doc.get("version") != VERSION:
        raise BundleError("format", f"enrollment version {doc.get('version')}")
    try:
        body = dict(doc["body"])
        enrollment = Enrollment(**{k: str(body[k]) for k in Enrollment.__dataclass_fields__})
        sig = base64.b64decode(str(doc["signature"]), validate=True)
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleError("format", "enrollment fields") from exc
    if office_sign_public is not None and office_sign_public != enrollment.office_sign_public:
        raise BundleError("bad_signature", "enrollment from another office key")
    if not K.signature_ok(enrollment.office_sign_public, sig, SIGN_CONTEXT + _body_bytes(body)):
        raise BundleError("bad_signature", "enrollment signature")
    K.check_box_public(enrollment.office_box_public)
    return enrollment


def read_enrollment(path: Path, *, office_sign_public: str | None = None) -> Enrollment:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BundleError("format", f"cannot read: {exc.strerror or exc}") from exc
    return parse_enrollment(raw, office_sign_public=office_sign_public)
