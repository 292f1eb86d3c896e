"""Resumable upload of one document file with tus 1.0 (core + creation).

Why not tuspy: its PATCH requests have no timeout (a link that stalls without closing hangs
the worker for good), it cannot verify TLS against an office CA file, and it keeps the upload
URL in its own storage instead of our outbox row. The protocol part we need is small, so it is
written here on the same ``requests`` session as the rest of the API.

Durability: the upload id is written to the outbox row as soon as the server made it, and the
offset before and after every chunk. Only the id is kept, never the URL, so a changed server address resumes
too; the ``Location`` is resolved against the creation URL (RFC 3986) and refused when it names
another origin. After a crash, a power cut or a dropped link the next try
asks the server (HEAD) how much it holds and continues from there; the server keeps every byte
of a PATCH that arrived, even when the connection died mid-body, so at most the bytes in
flight are sent again.

Chunk size: each PATCH costs a round trip, so chunks are sized from the measured link speed to
take about ``TARGET_CHUNK_SECONDS``: big enough that the round trip is a small share of the
time, small enough that a stalled link is noticed within the timeout.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from desa_capil.api.models import TUS_VERSION
from desa_capil.store import batches, outbox
from desa_capil.store.db import Database
from desa_capil.store.models import Outbox
from desa_capil.sync.client import Aborted, ApiClient, BadAnswer, SyncError, TokenRevoked

log = logging.getLogger(__name__)

TARGET_CHUNK_SECONDS = 8.0
MIN_CHUNK = 16 * 1024
MAX_CHUNK = 8 * 1024 * 1024
INITIAL_RATE = 8 * 1024  # bytes/s assumed before anything was measured (a 64 kbit/s link)
_OFFSET_CT = "application/offset+octet-stream"


class Stopped(Exception):
    """The worker was asked to stop between two chunks."""


class LinkMeter:
    """Measured upload speed (bytes/s), smoothed; shared by every upload of a worker.

    Also counts bytes handed to the socket and bytes the server did not keep (re-sent later),
    which the benchmark reports.
    """

    def __init__(self, rate: float | None = None, *, alpha: float = 0.4) -> None:
        self._lock = threading.Lock()
        self.rate = float(rate) if rate and rate > 0 else float(INITIAL_RATE)
        self.alpha = alpha
        self.bytes_offered = 0
        self.bytes_lost = 0
        self.measured = rate is not None and rate > 0

    def record(self, nbytes: int, seconds: float) -> None:
        if nbytes < 4096 or seconds <= 0:
            return  # too little to say anything about the link
        sample = nbytes / seconds
        with self._lock:
            self.rate = sample if not self.measured else self.alpha * sample + (1 - self.alpha) * self.rate
            self.measured = True

    def count(self, offered: int, kept: int) -> None:
        with self._lock:
            self.bytes_offered += offered
            self.bytes_lost += max(0, offered - kept)

    def chunk_size(self) -> int:
        size = int(self.rate * TARGET_CHUNK_SECONDS)
        return max(MIN_CHUNK, min(MAX_CHUNK, size))


class _CountingBody:
    """A request body that remembers how many bytes the HTTP stack read from it.

    Only ``read`` and ``__len__``: requests then sends it with a Content-Length and
    http.client reads it block by block, so ``pos`` is what went to the socket.
    """

    def __init__(self, data: memoryview) -> None:
        self._data = data
        self.pos = 0

    def read(self, n: int = -1) -> bytes:
        end = len(self._data) if n is None or n < 0 else min(len(self._data), self.pos + n)
        out = bytes(self._data[self.pos : end])
        self.pos = end
        return out

    def __len__(self) -> int:
        return len(self._data) - self.pos


@dataclass
class ChunkReport:
    """Progress after a chunk: which outbox row, how far, what moved in this step."""

    row_id: int
    batch_id: str | None
    offset: int
    length: int
    sent: int  # bytes the server gained with this chunk
    seconds: float


def _encode_meta(meta: dict[str, str]) -> str:
    return ",".join(
        f"{k} {base64.b64encode(v.encode('utf-8')).decode('ascii')}" for k, v in meta.items() if v
    )


def upload_id_of(url: str) -> str:
    """The upload id is the last path segment of the tus Location (see api.models)."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def upload_path(upload_id: str) -> str:
    """The API path of an upload. Only the id is stored, never the URL: the server's address
    may change (Settings, a tunnel, a new domain) while an upload waits to be resumed."""
    return f"/uploads/{upload_id}"


class TusUploader:
    """Uploads the file of one outbox row; its progress lives in that row."""

    def __init__(
        self,
        client: ApiClient,
        db: Database,
        meter: LinkMeter,
        *,
        stop: threading.Event | None = None,
        on_chunk: Callable[[ChunkReport], None] | None = None,
        patch_timeout: tuple[float, float] | None = None,
    ) -> None:
        self.client = client
        self.db = db
        self.meter = meter
        self.stop = stop or threading.Event()
        self.on_chunk = on_chunk
        self.patch_timeout = patch_timeout

    # --- outbox bookkeeping -------------------------------------------------------------------

    def _save(self, row_id: int, *, url: str | None = None, offset: int | None = None) -> None:
        with self.db.session() as s:
            batch_id, delta = outbox.save_upload(s, row_id, url=url, offset=offset)
            if batch_id:
                batches.add_bytes_sent(s, batch_id, delta)
            s.commit()

    # --- protocol -------------------------------------------------------------------------------

    def _create(self, row: Outbox, meta: dict[str, str]) -> str:
        """Create the upload; returns its id (what the row keeps, see ``upload_path``)."""
        create_url = self.client.url("/uploads/")
        resp = self.client.request(
            "POST",
            "/uploads/",
            headers={
                "Tus-Resumable": TUS_VERSION,
                "Upload-Length": str(row.upload_length),
                "Upload-Metadata": _encode_meta(meta),
            },
            ok=(201,),
        )
        location = resp.headers.get("Location", "")
        if not location:
            raise BadAnswer("tus creation without Location", resp.status_code)
        # RFC 3986 resolution against the creation URL; another origin is refused there.
        upload_id = upload_id_of(self.client.resolve(location, create_url))
        if not upload_id or "?" in upload_id or "#" in upload_id:
            raise BadAnswer(f"tus Location without an upload id: {location[:100]}", resp.status_code)
        return upload_id

    def _head(self, upload_id: str, length: int) -> int | None:
        """The offset the server holds, or None when the upload is gone (404/410)."""
        try:
            resp = self.client.request(
                "HEAD", upload_path(upload_id), headers={"Tus-Resumable": TUS_VERSION}, ok=(200, 204)
            )
        except SyncError as exc:
            if exc.status in (404, 410):
                return None
            raise
        return _offset_header(resp.headers.get("Upload-Offset"), 0, length, resp.status_code)

    def upload(self, row: Outbox, data: bytes, meta: dict[str, str]) -> str:
        """Upload `data` for `row` (resuming where the row says); returns the upload id."""
        assert row.id is not None
        if len(data) != row.upload_length:
            raise ValueError("file length differs from the outbox row")
        # Rows written before ids were kept hold the whole URL: its last segment is the id,
        # and the server asked is always the current one (the address may have changed).
        upload_id = upload_id_of(row.upload_url) if row.upload_url else ""
        offset = row.upload_offset
        restarts = 0
        while True:
            if upload_id:
                server_offset = self._head(upload_id, len(data))
                if server_offset is None:
                    log.info("upload of outbox row %s unknown to the server; starting again", row.id)
                    upload_id, offset = "", 0
                    self._save(row.id, url="", offset=0)
                else:
                    offset = server_offset
                    self._save(row.id, url=upload_id, offset=offset)
            if not upload_id:
                upload_id = self._create(row, meta)
                offset = 0
                # Saved before the first byte goes out: a restart resumes this upload.
                self._save(row.id, url=upload_id, offset=0)
            view = memoryview(data)
            try:
                while offset < len(data):
                    if self.stop.is_set():
                        raise Stopped()
                    size = min(self.meter.chunk_size(), len(data) - offset)
                    offset = self._patch(row, upload_id, view, offset, size)
            except _Gone:
                restarts += 1
                if restarts > 2:
                    raise BadAnswer(f"upload {upload_id} keeps disappearing") from None
                log.info("upload %s vanished mid-way; starting again from zero", upload_id)
                upload_id, offset = "", 0
                self._save(row.id, url="", offset=0)
                continue
            return upload_id

    def _patch(self, row: Outbox, upload_id: str, view: memoryview, offset: int, size: int) -> int:
        assert row.id is not None
        body = _CountingBody(view[offset : offset + size])
        self._save(row.id, offset=offset)
        timeout = self.patch_timeout or self.client.timeout
        started = time.monotonic()
        try:
            resp = self.client.request(
                "PATCH",
                upload_path(upload_id),
                data=body,
                headers={
                    "Tus-Resumable": TUS_VERSION,
                    "Upload-Offset": str(offset),
                    "Content-Type": _OFFSET_CT,
                    "Content-Length": str(size),
                },
                timeout=timeout,
                ok=(204,),
            )
            new_offset = _offset_header(resp.headers.get("Upload-Offset"), offset + 1, offset + size, 204)
        except SyncError as exc:
            if exc.status in (404, 410):
                self.meter.count(body.pos, 0)
                raise _Gone() from exc
            # Ask what arrived, so the next try and the loss count are exact. If even that
            # fails, the next try starts with a HEAD anyway.
            kept = 0
            server_offset: int | None = None
            if not isinstance(exc, Aborted | TokenRevoked) and (exc.retryable or exc.status == 409):
                try:
                    server_offset = self._head(upload_id, len(view))
                except SyncError:
                    server_offset = None
                if server_offset is None and exc.status == 409:
                    raise _Gone() from exc
                if server_offset is not None:
                    kept = max(0, server_offset - offset)
                    self._save(row.id, offset=server_offset)
            self.meter.count(body.pos, kept)
            if exc.status == 409 and server_offset is not None:
                return server_offset  # offset mismatch: re-synchronised, carry on
            raise
        elapsed = time.monotonic() - started
        self.meter.count(body.pos, new_offset - offset)
        self.meter.record(new_offset - offset, elapsed)
        self._save(row.id, offset=new_offset)
        if self.on_chunk is not None:
            self.on_chunk(
                ChunkReport(row.id, row.batch_id, new_offset, len(view), new_offset - offset, elapsed)
            )
        return new_offset


class _Gone(Exception):
    """The server no longer knows the upload (404/410): start it again from zero."""


def _offset_header(value: str | None, low: int, high: int, status: int) -> int:
    """``Upload-Offset`` as an int in [low, high]; anything else is not a tus answer."""
    raw = (value or "").strip()
    if not raw.isdigit():
        raise BadAnswer(f"bad Upload-Offset {raw[:40]!r}", status)
    offset = int(raw)
    if not low <= offset <= high:
        raise BadAnswer(f"Upload-Offset {offset} outside {low}..{high}", status)
    return offset
