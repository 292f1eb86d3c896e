"""The USB bundle file (``*.dcb``): a readable header, an encrypted payload, a signature.

Layout (all integers big-endian)::

    MAGIC            8 bytes  b"DCUSB\\x00\\x01\\n"
    header_len       u32
    header           JSON (UTF-8, sorted keys): routing facts, readable without any key
    ciphertext_len   u64
    ciphertext       the payload encrypted to the recipient's box key (age format, X25519)
    signature        64 bytes Ed25519 by the sender's signing key
    TRAILER          8 bytes  b"DCUSBEND"

The signature covers ``SIGN_CONTEXT | header_len | header | ciphertext_len | sha256(ciphertext)``,
so the header cannot be altered or moved to another payload. The file's exact length follows
from the two lengths: a file cut anywhere is ``truncated`` before any key is needed.

The payload (plaintext inside age) is a stream of files followed by an index::

    PAY_MAGIC  8 bytes
    per file:  u16 name_len | name | u64 size | data
    index      JSON {"meta": {...}, "files": [{"name", "offset", "size", "sha256"}]}
    u64 index_len
    PAY_END    8 bytes

Writing streams (no plaintext ever touches the disk); opening decrypts into a spooled buffer
(memory, or ``spool_dir`` past ``spool_limit``), checks every file's size and sha256 on read.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, BinaryIO

import pyrage
from pyrage import x25519

from desa_capil.usbroute import keys as K
from desa_capil.usbroute.atomic import write_atomic
from desa_capil.usbroute.errors import BundleError

MAGIC = b"DCUSB\x00\x01\n"
TRAILER = b"DCUSBEND"
SIGN_CONTEXT = b"desa_capil usb bundle v1\x00"
PAY_MAGIC = b"DCPAY\x00\x01\n"
PAY_END = b"DCPAYEND"
FORMAT_VERSION = 1
SIG_BYTES = 64
MAX_HEADER = 64 * 1024
CHUNK = 1024 * 1024
KINDS = ("village", "office")
SUFFIX = ".dcb"


@dataclass(frozen=True)
class LazyFile:
    """A file whose bytes are made only when the writer reaches it (e.g. a page decrypted from
    the laptop's blob store), so a bundle of many pages holds one page in memory at a time.
    ``size`` must be exact: it is written before the bytes."""

    size: int
    load: Callable[[], bytes]


FileSource = bytes | Path | LazyFile


@dataclass(frozen=True)
class BundleHeader:
    """What anyone can read from a bundle without keys: enough to route it, nothing personal."""

    version: int
    kind: str  # "village" (laptop -> office) or "office" (office -> laptop)
    village_code: str
    device_id: str  # the village laptop the bundle comes from (village) or goes to (office)
    bundle_id: str  # uuid4 hex, unique per bundle
    seq: int  # per sender and device, grows by one per bundle
    created_at: str  # ISO 8601 UTC
    recipient: str  # key_id of the box public key the payload is encrypted to
    signer_public: str  # the sender's Ed25519 public key ("ed25519:...")

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> BundleHeader:
        try:
            data = json.loads(raw.decode("utf-8"))
            header = cls(
                version=int(data["version"]),
                kind=str(data["kind"]),
                village_code=str(data["village_code"]),
                device_id=str(data["device_id"]),
                bundle_id=str(data["bundle_id"]),
                seq=int(data["seq"]),
                created_at=str(data["created_at"]),
                recipient=str(data["recipient"]),
                signer_public=str(data["signer_public"]),
            )
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise BundleError("format", "header is not valid JSON") from exc
        if header.version != FORMAT_VERSION:
            raise BundleError("format", f"format version {header.version}")
        if header.kind not in KINDS:
            raise BundleError("format", f"kind {header.kind!r}")
        return header

    @property
    def signer(self) -> str:
        """key_id of the signing key."""
        return K.key_id(self.signer_public)


@dataclass(frozen=True)
class _Layout:
    header: BundleHeader
    header_raw: bytes
    ct_offset: int
    ct_len: int


# --- writing ------------------------------------------------------------------------------------


def _read_source(src: FileSource) -> Iterator[bytes]:
    if isinstance(src, bytes):
        yield src
        return
    if isinstance(src, LazyFile):
        data = src.load()
        # Handed on in CHUNK slices; the whole file is dropped once the last slice is read.
        for i in range(0, len(data), CHUNK):
            yield data[i : i + CHUNK]
        return
    with open(src, "rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def _payload_chunks(files: list[tuple[str, FileSource]], meta: dict[str, Any]) -> Iterator[bytes]:
    yield PAY_MAGIC
    offset = len(PAY_MAGIC)
    index: list[dict[str, Any]] = []
    seen: set[str] = set()
    for name, src in files:
        if name in seen or not name or "\x00" in name:
            raise ValueError(f"bad or duplicate file name in bundle: {name!r}")
        seen.add(name)
        raw_name = name.encode("utf-8")
        if isinstance(src, bytes):
            size = len(src)
        elif isinstance(src, LazyFile):
            size = src.size
        else:
            size = os.path.getsize(src)
        head = struct.pack(">H", len(raw_name)) + raw_name + struct.pack(">Q", size)
        yield head
        offset += len(head)
        digest = hashlib.sha256()
        written = 0
        for chunk in _read_source(src):
            digest.update(chunk)
            written += len(chunk)
            yield chunk
        if written != size:
            raise ValueError(f"{name} changed size while being bundled")
        index.append({"name": name, "offset": offset, "size": size, "sha256": digest.hexdigest()})
        offset += size
    raw_index = json.dumps({"meta": meta, "files": index}, sort_keys=True).encode("utf-8")
    yield raw_index + struct.pack(">Q", len(raw_index)) + PAY_END


class _ChunkReader(io.RawIOBase):
    """A file-like reader over an iterator of chunks (feeds age's streaming encryption)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buf = b""
        self.total = 0
        # age wraps a reader's exception into its own EncryptError; keep the real one.
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._buf:
            try:
                nxt = next(self._chunks, None)
            except BaseException as exc:
                self.error = exc
                raise
            if nxt is None:
                return 0
            self._buf = nxt
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        self.total += n
        return n


class _HashingWriter(io.RawIOBase):
    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self.digest = hashlib.sha256()
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        data = bytes(b)
        self._out.write(data)
        self.digest.update(data)
        self.count += len(data)
        return len(data)


class _SourceError(Exception):
    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def _sign_message(header_raw: bytes, ct_len: int, ct_sha: bytes) -> bytes:
    return SIGN_CONTEXT + struct.pack(">I", len(header_raw)) + header_raw + struct.pack(">Q", ct_len) + ct_sha


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_bundle(
    path: Path,
    *,
    header_fields: dict[str, Any],
    files: Iterable[tuple[str, FileSource]],
    meta: dict[str, Any],
    signing_key: bytes,
    recipient_box_public: str,
) -> BundleHeader:
    """Write a signed, encrypted bundle to ``path`` atomically; return its header.

    ``header_fields`` needs ``kind``, ``village_code``, ``device_id`` and ``seq``; ``bundle_id``
    and ``created_at`` are made when absent. ``files`` are (name, bytes or a path to read).
    Raises BundleError("write_failed") if the destination cannot be written or verified.
    """
    recipient = x25519.Recipient.from_str(K.check_box_public(recipient_box_public))
    file_list = list(files)
    fields = dict(header_fields)
    fields.setdefault("bundle_id", uuid.uuid4().hex)
    fields.setdefault("created_at", now_iso())
    header_raw = _make_header(fields, recipient_box_public, signing_key)
    header = BundleHeader.from_bytes(header_raw)

    def write(fh: BinaryIO) -> None:
        fh.write(MAGIC + struct.pack(">I", len(header_raw)) + header_raw)
        len_at = fh.tell()
        fh.write(struct.pack(">Q", 0))  # the ciphertext length, known once it is written
        hashing = _HashingWriter(fh)
        reader = _ChunkReader(_payload_chunks(file_list, meta))
        try:
            pyrage.encrypt_io(io.BufferedReader(reader, CHUNK), hashing, [recipient])
        except pyrage.EncryptError as exc:
            if reader.error is not None:
                raise _SourceError(reader.error) from exc
            raise
        fh.seek(len_at)
        fh.write(struct.pack(">Q", hashing.count))
        fh.seek(0, os.SEEK_END)
        signature = K.sign(signing_key, _sign_message(header_raw, hashing.count, hashing.digest.digest()))
        fh.write(signature + TRAILER)

    def verify(tmp: Path) -> None:
        got = verify_file(tmp, signer_public=K.sign_public_text(signing_key))
        if got != header:
            raise BundleError("write_failed", "read-back header differs")

    try:
        write_atomic(path, write, verify)
    except _SourceError as exc:
        # The laptop's own file failed (vanished, unreadable): not the stick's fault, say so.
        raise exc.error from None
    except BundleError as exc:
        if exc.reason == "write_failed":
            raise
        raise BundleError("write_failed", f"read-back failed: {exc.reason}") from exc
    except OSError as exc:
        raise BundleError("write_failed", f"{type(exc).__name__}: {exc.strerror or exc}") from exc
    return header


def _make_header(fields: dict[str, Any], recipient_public: str, signing_key: bytes) -> bytes:
    kind = str(fields["kind"])
    header = BundleHeader(
        version=FORMAT_VERSION,
        kind=kind,
        village_code=str(fields["village_code"]),
        device_id=str(fields["device_id"]),
        bundle_id=str(fields["bundle_id"]),
        seq=int(fields["seq"]),
        created_at=str(fields["created_at"]),
        recipient=K.key_id(recipient_public),
        signer_public=K.sign_public_text(signing_key),
    )
    if kind not in KINDS:
        raise ValueError(f"bundle kind {kind!r}")
    return header.to_bytes()


# --- reading ------------------------------------------------------------------------------------


def _layout(fh: BinaryIO, size: int) -> _Layout:
    start = fh.read(len(MAGIC) + 4)
    if len(start) < len(MAGIC):
        if MAGIC.startswith(start):
            raise BundleError("truncated", f"{size} bytes")
        raise BundleError("format", "no bundle magic")
    if start[: len(MAGIC)] != MAGIC:
        raise BundleError("format", "no bundle magic")
    if len(start) < len(MAGIC) + 4:
        raise BundleError("truncated", "in header length")
    (hlen,) = struct.unpack(">I", start[len(MAGIC) :])
    if hlen > MAX_HEADER:
        raise BundleError("format", f"header length {hlen}")
    header_raw = fh.read(hlen)
    ct_len_raw = fh.read(8)
    if len(header_raw) < hlen or len(ct_len_raw) < 8:
        raise BundleError("truncated", "in header")
    header = BundleHeader.from_bytes(header_raw)
    (ct_len,) = struct.unpack(">Q", ct_len_raw)
    ct_offset = len(MAGIC) + 4 + hlen + 8
    expected = ct_offset + ct_len + SIG_BYTES + len(TRAILER)
    if size < expected:
        raise BundleError("truncated", f"{size} of {expected} bytes")
    if size > expected:
        raise BundleError("format", f"{size - expected} extra bytes after the end")
    return _Layout(header, header_raw, ct_offset, ct_len)


def read_header(path: Path) -> BundleHeader:
    """The header, with the file's length checked (a cut file is ``truncated``). No key needed."""
    try:
        with open(path, "rb") as fh:
            layout = _layout(fh, os.fstat(fh.fileno()).st_size)
            fh.seek(-len(TRAILER), os.SEEK_END)
            if fh.read() != TRAILER:
                raise BundleError("truncated", "no trailer")
    except OSError as exc:
        raise BundleError("format", f"cannot read: {exc.strerror or exc}") from exc
    return layout.header


def _check_signature(fh: BinaryIO, layout: _Layout, signer_public: str | None) -> None:
    fh.seek(layout.ct_offset)
    digest = hashlib.sha256()
    left = layout.ct_len
    while left:
        chunk = fh.read(min(CHUNK, left))
        if not chunk:
            raise BundleError("truncated", "in ciphertext")
        digest.update(chunk)
        left -= len(chunk)
    sig = fh.read(SIG_BYTES)
    if fh.read(len(TRAILER)) != TRAILER:
        raise BundleError("truncated", "no trailer")
    signer = signer_public or layout.header.signer_public
    if signer != layout.header.signer_public:
        raise BundleError("bad_signature", "signed by another key than expected")
    if not K.signature_ok(signer, sig, _sign_message(layout.header_raw, layout.ct_len, digest.digest())):
        raise BundleError("bad_signature", "signature does not verify")


def verify_file(path: Path, *, signer_public: str | None = None) -> BundleHeader:
    """Check the length and the signature (by ``signer_public``, else the header's own key).

    Without ``signer_public`` this proves only that the file is whole and unaltered since its
    signer made it (what a relay can check); who the signer is, is the caller's question.
    """
    try:
        with open(path, "rb") as fh:
            layout = _layout(fh, os.fstat(fh.fileno()).st_size)
            _check_signature(fh, layout, signer_public)
    except OSError as exc:
        raise BundleError("format", f"cannot read: {exc.strerror or exc}") from exc
    return layout.header


class _BoundedReader(io.RawIOBase):
    def __init__(self, fh: BinaryIO, length: int) -> None:
        self._fh = fh
        self._left = length

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if not self._left:
            return 0
        data = self._fh.read(min(len(b), self._left))
        n = len(data)
        b[:n] = data
        self._left -= n
        return n


@dataclass(frozen=True)
class BundleFile:
    name: str
    offset: int
    size: int
    sha256: str


class OpenedBundle:
    """A verified, decrypted bundle. Use as a context manager; files are checked on read."""

    def __init__(self, header: BundleHeader, buf: IO[bytes], meta: dict[str, Any], files: list[BundleFile]):
        self.header = header
        self.meta = meta
        self._buf = buf
        self._files = {f.name: f for f in files}
        self._order = [f.name for f in files]

    def names(self) -> list[str]:
        return list(self._order)

    def info(self, name: str) -> BundleFile:
        return self._files[name]

    def _chunks(self, name: str) -> Iterator[bytes]:
        entry = self._files[name]
        self._buf.seek(entry.offset)
        digest = hashlib.sha256()
        left = entry.size
        while left:
            chunk = self._buf.read(min(CHUNK, left))
            if not chunk:
                raise BundleError("damaged_file", f"{name} cut short")
            digest.update(chunk)
            left -= len(chunk)
            if not left and digest.hexdigest() != entry.sha256:
                raise BundleError("damaged_file", f"{name} sha256 mismatch")
            yield chunk
        if entry.size == 0 and digest.hexdigest() != entry.sha256:
            raise BundleError("damaged_file", f"{name} sha256 mismatch")

    def read(self, name: str) -> bytes:
        return b"".join(self._chunks(name))

    def extract(self, name: str, dest: Path) -> Path:
        """Copy one file out to ``dest`` (written beside it, then renamed once its hash checks)."""
        tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.part")
        try:
            with open(tmp, "wb") as out:
                for chunk in self._chunks(name):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, dest)
        finally:
            if tmp.exists():
                tmp.unlink()
        return dest

    def close(self) -> None:
        self._buf.close()

    def __enter__(self) -> OpenedBundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_bundle(
    path: Path,
    *,
    box_private: str,
    verify_key: str | None,
    spool_dir: Path | None = None,
    spool_limit: int = 256 * 1024 * 1024,
) -> OpenedBundle:
    """Verify the signature, decrypt and index a bundle.

    ``verify_key`` is the sender's signing public key the caller trusts ("ed25519:..."); None
    accepts the header's own key (the caller then MUST check ``header.signer_public`` itself,
    e.g. against an enrollment proof inside the payload). Raises BundleError with reason
    truncated / format / bad_signature / wrong_recipient / damaged_file.
    """
    my_public = K.box_public_text(box_private)
    try:
        with open(path, "rb") as fh:
            layout = _layout(fh, os.fstat(fh.fileno()).st_size)
            if layout.header.recipient != K.key_id(my_public):
                raise BundleError("wrong_recipient", f"for key {layout.header.recipient}")
            _check_signature(fh, layout, verify_key)
            fh.seek(layout.ct_offset)
            buf: IO[bytes] = tempfile.SpooledTemporaryFile(  # closed by OpenedBundle
                max_size=spool_limit, dir=None if spool_dir is None else str(spool_dir)
            )
            try:
                try:
                    pyrage.decrypt_io(
                        io.BufferedReader(_BoundedReader(fh, layout.ct_len), CHUNK),
                        buf,
                        [x25519.Identity.from_str(box_private.strip())],
                    )
                except pyrage.DecryptError as exc:
                    raise BundleError("wrong_recipient", str(exc)) from exc
                except OSError as exc:  # pyrage reports a failed AEAD chunk as an I/O error
                    raise BundleError("bad_signature", f"decryption failed: {exc}") from exc
                meta, files = _index(buf)
            except BaseException:
                buf.close()
                raise
    except OSError as exc:
        raise BundleError("format", f"cannot read: {exc.strerror or exc}") from exc
    return OpenedBundle(layout.header, buf, meta, files)


def _index(buf: IO[bytes]) -> tuple[dict[str, Any], list[BundleFile]]:
    buf.seek(0, os.SEEK_END)
    size = buf.tell()
    buf.seek(0)
    if buf.read(len(PAY_MAGIC)) != PAY_MAGIC or size < len(PAY_MAGIC) + 8 + len(PAY_END):
        raise BundleError("format", "payload magic")
    buf.seek(size - 8 - len(PAY_END))
    (ilen,) = struct.unpack(">Q", buf.read(8))
    if buf.read() != PAY_END or ilen > size:
        raise BundleError("format", "payload end")
    buf.seek(size - 8 - len(PAY_END) - ilen)
    try:
        index = json.loads(buf.read(ilen).decode("utf-8"))
        files = [
            BundleFile(str(f["name"]), int(f["offset"]), int(f["size"]), str(f["sha256"]))
            for f in index["files"]
        ]
        meta = dict(index["meta"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise BundleError("format", "payload index") from exc
    return meta, files
