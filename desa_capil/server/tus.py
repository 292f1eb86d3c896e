"""tus 1.0 resumable uploads at ``/api/v1/uploads/`` (core, creation, creation-with-upload,
termination, expiration, checksum), written against https://tus.io/protocols/resumable-upload:

* ``OPTIONS /uploads/`` and ``OPTIONS /uploads/{id}``: Tus-Version, Tus-Extension,
  Tus-Max-Size, Tus-Checksum-Algorithm (no auth, discovery only).
* ``POST /uploads/`` (with or without the trailing slash): Upload-Length + Upload-Metadata
  (``filename``, ``sha256``, ``filetype``) -> 201 + Location. The Location carries the path
  prefix the server is reached under (``root_path`` or a trusted ``X-Forwarded-Prefix``), so a
  client behind a proxy serving ``/capil/api/v1/...`` finds its upload. ``Upload-Defer-Length``
  is answered 400.
* creation-with-upload: a POST with ``Content-Type: application/offset+octet-stream`` carries
  the first bytes of the file (a body of any other type is ignored, as before). The upload is
  made first, then the body is taken exactly as a PATCH at offset 0 would be (the same lock, so
  HEAD on another connection reports its bytes and ``Upload-Idle``; the same checksum, length
  and takeover rules; with object storage, one part), and the 201 says ``Upload-Offset``. A body
  longer than Upload-Length is refused with 413 before anything is made, as is a body with a
  final concatenation (400). A creation whose body was cut keeps what arrived, like a cut
  PATCH; its client never heard the Location, so it makes a new upload, and this one expires
  after ``upload_unclaimed_expiry_seconds`` (a day; it counts against the quota until the
  purge, as an empty creation whose answer was lost does).
  A 460 or 413 after the upload was made carries its Location and Upload-Offset; one whose
  body could not be stored (a 500: full disk, object store down) is deleted at once, as no
  answer names it.
* Concatenation (local storage; with object storage ``Upload-Concat`` is answered 501 at
  creation and not advertised): ``Upload-Concat: partial`` creates a partial upload, sent with
  PATCH like any other (several of one file in parallel, on connections of their own: where one
  connection gets only a share of the link, one file can use all of it);
  ``Upload-Concat: final;<url> <url> ...`` assembles complete partial uploads of this village,
  in that order, into a complete upload at once (201; its SHA-256 computed, the parts deleted),
  refused with 400 when a part is not partial or not complete, 404/410 when one is unknown or
  expired. Upload-Length, if sent with a final one, must be the parts' sum. A partial upload is
  not a document: a manifest naming one gets ``missing``. HEAD reports ``Upload-Concat``; a
  PATCH on a final upload is 403.
* Expiration: a new upload expires after ``upload_unclaimed_expiry_seconds`` (a day) unless
  complete at once; the first request that shows its client knows it (a HEAD, a PATCH, a final
  concatenation naming it as a part) gives it ``upload_expiry_seconds`` (a week); a PATCH that
  begins in its upload's last hours claims it before its body, so the purge leaves it; see
  ``services/uploads.py``. Every answer's ``Upload-Expires`` is the expiry as stored then.
* ``HEAD /uploads/{id}``: Upload-Offset, Upload-Length, Upload-Metadata as sent, Upload-Expires;
  while a PATCH of the upload runs in this process, also ``Upload-Patch-Age`` and
  ``Upload-Idle`` (seconds since it began / since it last received bytes; this server's own,
  for the client's stall watch).
* ``PATCH /uploads/{id}``: body streamed straight to the file. When the connection drops
  mid-body, what arrived stays on disk and counts: the next HEAD reports it. That is what
  lets a village on a 2G link make progress one fragment at a time. With ``Upload-Checksum``
  (sha1 or sha256 of this PATCH's body) a wrong chunk is refused with 460 and nothing of it
  is kept (nor of a cut one: it cannot be verified). A body going past Upload-Length writes
  nothing and gets 413, also when it arrives chunked without a Content-Length.
* ``DELETE /uploads/{id}``: termination.
* ``X-HTTP-Method-Override`` (for clients that cannot send PATCH/DELETE) is applied by
  ``app.ProxyMiddleware`` before routing.

The offset is the length of the file on disk (bytes are only ever appended, in order), so
even a server killed mid-PATCH resumes correctly. One PATCH at a time per upload: a second
one gets 423 (an OS file lock, so it holds across worker processes too), unless the running
one has received nothing for ``patch_takeover_seconds``: a client that vanished without a
FIN (power cut, NAT timeout) must not keep its upload locked until the kernel notices. Then
the new PATCH stops the stalled one and takes over; the bytes already written stay.

Across worker processes (the file lock is held by another process) the same rule holds
through the file system: the holder touches the upload file when it starts and writes to it
as bytes arrive, so its modification time says when it last made progress. A new PATCH that
finds it older than ``patch_takeover_seconds`` leaves a takeover request next to the upload
(a file of its own in ``<id>.takeover.d/``, naming its device) and waits a few seconds for the
lock; the holder looks for such requests about every second while it receives nothing, and
gives the upload up when it has itself made no progress for ``patch_takeover_seconds`` since
before a request was made. Each requester has its own file, removed when it stops waiting, and
a request counts only while it is fresh (younger than ``TAKEOVER_WAIT`` plus a second: its
requester still waits) and, for the same device's, made after the holder began: two devices
asking at once, or a file left by a requester that died, cannot make a holder yield wrongly. A holder that
is still receiving never yields; the per-chunk body read timeout (``GuardMiddleware``)
remains the last resort.

The same device may take its own upload over at once (what tusd does): a client that saw its
PATCH go silent asks HEAD (another connection) how far the server got, and sends a new PATCH
from exactly there. Such a PATCH, from the device that created the upload and at the offset
the server holds at that moment, stops the running one without waiting for
``patch_takeover_seconds`` (in another process: the takeover request names the device, and
the holder yields at its next look). The old request keeps every byte it wrote (flushed and
fsynced like any cut PATCH) before the new one starts; a byte it wrote after the new one
looked makes the new one's offset stale, which it then hears as 409 with the offset. Another
device, or a PATCH at another offset, still gets 423 while the holder makes progress (across
processes a PATCH at the right offset cannot tell whose PATCH holds the file, so it asks and
gets its 423 after ``TAKEOVER_WAIT`` when the holder is another device's). The
bytes of a running PATCH are written to the file as they arrive, so HEAD on another
connection reports them (in-flight progress; with object storage only whole parts count).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import logging
import os
import secrets
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from desa_capil.api.models import API_PREFIX, TUS_VERSION, ErrorCode
from desa_capil.server.db import Upload, aware
from desa_capil.server.errors import ApiError, too_large
from desa_capil.server.service import CentralService, DeviceCtx

try:  # POSIX: lock across worker processes
    import fcntl
except ImportError:  # pragma: no cover - Windows (the embedded demo server): one process
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

EXTENSIONS = "creation,creation-with-upload,termination,expiration,checksum"
CONCATENATION = "concatenation"  # advertised with local storage only
CHECKSUM_ALGORITHMS = ("sha1", "sha256")
_OFFSET_CT = "application/offset+octet-stream"
# Headers a browser-based uploader must be allowed to send and to read (CORS).
REQUEST_HEADERS = [
    "Authorization",
    "Content-Type",
    "Tus-Resumable",
    "Upload-Length",
    "Upload-Offset",
    "Upload-Metadata",
    "Upload-Checksum",
    "Upload-Concat",
    "Upload-Defer-Length",
    "X-HTTP-Method-Override",
    "X-Requested-With",
]
RESPONSE_HEADERS = [
    "Location",
    "Tus-Resumable",
    "Tus-Version",
    "Tus-Extension",
    "Tus-Max-Size",
    "Tus-Checksum-Algorithm",
    "Upload-Offset",
    "Upload-Length",
    "Upload-Metadata",
    "Upload-Expires",
    "Upload-Concat",
    "Retry-After",
]


def parse_metadata(header: str) -> dict[str, str]:
    """Upload-Metadata: comma-separated ``key base64value`` pairs (value optional)."""
    out: dict[str, str] = {}
    if not header.strip():
        return out
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        if not parts[0] or len(parts) > 2 or parts[0] in out:
            raise _bad("Upload-Metadata tidak valid.", "Invalid Upload-Metadata.")
        value = ""
        if len(parts) == 2:
            try:
                value = base64.b64decode(parts[1], validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise _bad("Upload-Metadata tidak valid.", "Invalid Upload-Metadata.") from exc
        if "\x00" in value:
            raise ApiError(
                422,
                ErrorCode.INVALID_REQUEST,
                f"Upload-Metadata '{parts[0]}' berisi karakter NUL; hapus karakter itu lalu kirim lagi.",
                f"Upload-Metadata '{parts[0]}' contains a NUL character; remove it and send again.",
            )
        out[parts[0]] = value
    return out


def parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    """Upload-Checksum: ``<algorithm> <base64 digest>``; None when absent."""
    if header is None:
        return None
    algo, _, b64 = header.strip().partition(" ")
    algo = algo.lower()
    if algo not in CHECKSUM_ALGORITHMS:
        raise _bad(
            f"Algoritme checksum '{algo}' tidak didukung; pakai {', '.join(CHECKSUM_ALGORITHMS)}.",
            f"Checksum algorithm '{algo}' is not supported; use {', '.join(CHECKSUM_ALGORITHMS)}.",
        )
    try:
        digest = base64.b64decode(b64.strip(), validate=True)
    except binascii.Error as exc:
        raise _bad("Upload-Checksum tidak valid.", "Invalid Upload-Checksum.") from exc
    if len(digest) != hashlib.new(algo).digest_size:
        raise _bad("Upload-Checksum tidak valid.", "Invalid Upload-Checksum.")
    return algo, digest


def _bad(mid: str, men: str, status: int = 400) -> ApiError:
    return ApiError(status, ErrorCode.INVALID_REQUEST, mid, men)


def _too_long() -> ApiError:
    return _bad("Isi PATCH melebihi Upload-Length.", "PATCH body exceeds Upload-Length.", status=413)


def _int_header(request: Request, name: str) -> int:
    raw = request.headers.get(name)
    if raw is None or not raw.isdigit() or len(raw) > 18:
        raise _bad(f"Header {name} tidak ada atau tidak valid.", f"Header {name} is missing or invalid.")
    return int(raw)


def _check_resumable(request: Request) -> None:
    if request.headers.get("tus-resumable") != TUS_VERSION:
        raise ApiError(
            412,
            ErrorCode.INVALID_REQUEST,
            "Versi protokol tus tidak didukung.",
            "Unsupported tus protocol version.",
            headers={"Tus-Version": TUS_VERSION},
        )


def _expiry_headers(up: Upload, offset: int) -> dict[str, str]:
    if up.expires_at is None or offset >= up.length:
        return {}
    return {"Upload-Expires": format_datetime(aware(up.expires_at), usegmt=True)}


def _concat_part_id(url: str) -> str:
    """The upload id a final upload's ``Upload-Concat`` names (a URL or a path ending in it)."""
    part = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    if len(part) != 32 or not all(c in "0123456789abcdef" for c in part):
        raise _bad(
            "Upload-Concat menyebut unggahan yang tidak dikenal.", "Upload-Concat names an unknown upload."
        )
    return part


def upload_location(request: Request, upload_id: str) -> str:
    """Path-absolute URL of an upload, under the prefix the client reached us by."""
    prefix = str(request.scope.get("root_path", "")).rstrip("/")
    return f"{prefix}{API_PREFIX}/uploads/{upload_id}"


# How long a PATCH waits for another process's stalled PATCH to give its upload up (it looks
# for the request every second at most); longer, and the client gets 423 with Retry-After.
TAKEOVER_WAIT = 5.0


@dataclass
class _Patch:
    """A PATCH running in this process: when it last received bytes, and how to stop it.
    ``takeover_request``: the folder where other processes ask for the upload (local files
    only; see ``takeover_request_path``)."""

    takeover_after: float
    takeover_request: Path | None = None
    device: str = ""  # the device sending it: it alone may take the upload over at once
    last_progress: float = field(default_factory=time.monotonic)
    last_progress_wall: float = field(default_factory=time.time)
    started: float = field(default_factory=time.monotonic)
    started_wall: float = field(default_factory=time.time)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def progressed(self) -> None:
        self.last_progress = time.monotonic()
        self.last_progress_wall = time.time()

    def poll_interval(self) -> float | None:
        """How often to look for another process's takeover request (None: never)."""
        if self.takeover_request is None:
            return None
        return min(1.0, max(0.05, self.takeover_after / 4))

    def asked_to_yield(self) -> bool:
        """Another process asked for the upload after this PATCH stopped making progress,
        and it has made none for ``takeover_after`` seconds; or the same device, resuming at
        the server's offset, asked after this PATCH began."""
        if self.takeover_request is None:
            return False
        stalled = time.monotonic() - self.last_progress >= self.takeover_after
        now = time.time()
        for asked_at, by in _takeover_requests(self.takeover_request):
            if now - asked_at > TAKEOVER_WAIT + 1.0:
                continue  # its requester no longer waits (or died): stale
            if stalled and asked_at >= self.last_progress_wall:
                return True
            # Only the same device, resuming at the server's offset, takes over a live one.
            # (A file's time is the kernel's coarse clock: a few ms of slack.)
            if self.device and by == self.device and asked_at >= self.started_wall - 0.05:
                return True
        return False


def takeover_request_path(upload_file: Path) -> Path:
    """The folder where other processes leave their takeover requests (one file each)."""
    return upload_file.with_name(upload_file.name + ".takeover.d")


def _takeover_requests(folder: Path) -> list[tuple[float, str]]:
    """(when asked, device) of every request in ``folder``."""
    out: list[tuple[float, str]] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return out
    for entry in entries:
        try:
            asked_at = entry.stat().st_mtime
            with open(entry.path, encoding="utf-8") as fh:
                by = fh.read(200).strip()
        except (OSError, UnicodeDecodeError):
            continue  # removed meanwhile, or not ours
        out.append((asked_at, by))
    return out


def _leave_takeover_request(folder: Path, own: str) -> Path:
    """A request file of this requester alone (named by process and a random token)."""
    name = f"{os.getpid()}-{secrets.token_hex(6)}"
    for _attempt in range(3):
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileNotFoundError:
            continue  # another requester removed the empty folder just now
        try:
            os.write(fd, own.encode("utf-8"))
        finally:
            os.close(fd)
        return folder / name
    raise OSError(f"cannot leave a takeover request in {folder}")


def _withdraw_takeover_request(request: Path) -> None:
    request.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        request.parent.rmdir()  # only when no other requester waits


def _try_lock(f: IO[bytes]) -> bool:
    assert fcntl is not None
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


async def _lock_from_other_process(
    upload_id: str, f: IO[bytes], path: Path, takeover_after: float, own: str = ""
) -> None:
    """The upload's file lock, held by a PATCH in another process: taken over when that one
    has made no progress (file untouched) for ``takeover_after`` seconds, else 423. ``own``:
    the device id when the same device resumes at the server's offset (takes over at once)."""
    stalled = time.time() - os.fstat(f.fileno()).st_mtime
    if stalled < takeover_after and not own:
        raise _locked(takeover_after - stalled)
    # The request's time (its file's) matters: the holder yields only if stalled since before it.
    request = _leave_takeover_request(takeover_request_path(path), own)
    log.info(
        "upload %s: asking the PATCH in another process to yield (%s)",
        upload_id,
        "same device resumes" if own else f"stalled {stalled:.0f} s",
    )
    deadline = time.monotonic() + TAKEOVER_WAIT
    try:
        while not _try_lock(f):
            if time.monotonic() > deadline:
                raise _locked(takeover_after)
            await asyncio.sleep(0.05)
    finally:
        _withdraw_takeover_request(request)


# Uploads with a PATCH running in this process; the file lock covers other processes.
_active: dict[str, _Patch] = {}


def _locked(retry_after: float) -> ApiError:
    return ApiError(
        423,
        ErrorCode.UPLOAD_LOCKED,
        "Berkas ini sedang dikirim oleh permintaan lain. Coba lagi sebentar lagi.",
        "Another request is sending this file. Try again shortly.",
        headers={"Retry-After": str(max(1, int(retry_after + 0.999)))},
    )


# How long a PATCH of the same device waits for the one it takes over to stop (it flushes and
# fsyncs what it wrote first); longer, and it gets 423.
SAME_DEVICE_WAIT = 10.0


@contextlib.asynccontextmanager
async def _exclusive(
    upload_id: str,
    f: IO[bytes] | None,
    takeover_after: float,
    path: Path | None = None,
    *,
    device: str = "",
    at_offset: bool = False,
) -> AsyncIterator[_Patch]:
    """The upload for this PATCH alone: in this process (``_active``) and, with local files,
    across processes (an OS file lock on ``f``, the upload file at ``path``).

    ``device`` sends this PATCH; ``at_offset``: its Upload-Offset is what the server holds now.
    Both together take over a running PATCH of the same device at once (see the module)."""
    own = device if device and at_offset else ""
    running = _active.get(upload_id)
    if running is not None:
        stalled = time.monotonic() - running.last_progress
        same = bool(own) and running.device == own
        if stalled < takeover_after and not same:
            raise _locked(takeover_after - stalled)
        if same:
            log.info("upload %s: the same device resumes at the server's offset, taking over", upload_id)
        else:
            log.info("upload %s: previous PATCH stalled %.0f s, taking over", upload_id, stalled)
        running.stop.set()
        try:
            await asyncio.wait_for(running.done.wait(), timeout=SAME_DEVICE_WAIT)
        except TimeoutError as exc:
            raise _locked(takeover_after) from exc
        if upload_id in _active:  # a third request was quicker
            raise _locked(takeover_after)
    cross_process = fcntl is not None and f is not None and path is not None
    if cross_process:
        assert f is not None and path is not None
        if not _try_lock(f):
            await _lock_from_other_process(upload_id, f, path, takeover_after, own)
        os.utime(f.fileno())  # "progress now", for a PATCH arriving at another process
    state = _Patch(takeover_after, takeover_request_path(path) if cross_process and path else None, device)
    _active[upload_id] = state
    try:
        yield state
    finally:
        if _active.get(upload_id) is state:
            del _active[upload_id]
        if cross_process:
            assert fcntl is not None and f is not None
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
        state.done.set()


class _Stopped(Exception):
    """A newer PATCH took the upload over."""


async def _body(request: Request, state: _Patch) -> AsyncIterator[bytes]:
    """The request body, chunk by chunk, until it ends, the client goes, or we are stopped
    (by a newer PATCH in this process, or asked to yield by one in another process)."""
    stream = request.stream().__aiter__()
    stop = asyncio.ensure_future(state.stop.wait())
    poll = state.poll_interval()
    try:
        while True:
            nxt = asyncio.ensure_future(stream.__anext__())
            while not nxt.done():
                await asyncio.wait({nxt, stop}, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
                if stop.done():
                    break
                if not nxt.done() and state.asked_to_yield():
                    log.info(
                        "upload %s: a PATCH in another process takes this stalled one over",
                        request.path_params.get("upload_id", "?"),
                    )
                    break
            if not nxt.done():
                nxt.cancel()
                with contextlib.suppress(BaseException):
                    await nxt
                raise _Stopped
            try:
                chunk = nxt.result()
            except StopAsyncIteration:
                return
            if chunk:
                state.progressed()
                yield chunk
    finally:
        stop.cancel()


def make_router(svc: CentralService, require_device: Callable[[Request], DeviceCtx]) -> APIRouter:
    router = APIRouter(prefix=f"{API_PREFIX}/uploads", tags=["uploads (tus 1.0)"])
    settings = svc.settings
    concatenation = svc.storage.appends_in_place
    discovery = {
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": f"{EXTENSIONS},{CONCATENATION}" if concatenation else EXTENSIONS,
        "Tus-Max-Size": str(settings.max_upload_size),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
    }

    async def auth(request: Request) -> DeviceCtx:
        ctx: DeviceCtx = await run_in_threadpool(require_device, request)
        return ctx

    @router.options("/", status_code=204)
    @router.options("", status_code=204, include_in_schema=False)
    async def options() -> Response:
        return Response(status_code=204, headers=discovery)

    @router.options("/{upload_id}", status_code=204)
    async def options_upload(upload_id: str) -> Response:
        return Response(status_code=204, headers=discovery)

    @router.post("/", status_code=201)
    @router.post("", status_code=201, include_in_schema=False)
    async def create(request: Request) -> Response:
        _check_resumable(request)
        ctx = await auth(request)
        concat = request.headers.get("upload-concat")
        if concat is not None and not concatenation:
            raise ApiError(
                501,
                ErrorCode.INVALID_REQUEST,
                "Penggabungan unggahan (Upload-Concat) tidak didukung; kirim berkas sebagai satu unggahan.",
                "Upload concatenation (Upload-Concat) is not supported; send the file as one upload.",
            )
        if "upload-defer-length" in request.headers:
            raise _bad("Upload-Defer-Length tidak didukung.", "Upload-Defer-Length is not supported.")
        raw_meta = request.headers.get("upload-metadata", "")
        meta = parse_metadata(raw_meta)
        kind = (concat or "").strip()
        if kind.startswith("final;"):
            if _offset_body(request) and request.headers.get("content-length", "0").strip() != "0":
                raise _bad(
                    "Unggahan gabungan (final) tidak membawa isi; kirim isinya lewat unggahan bagiannya.",
                    "A final concatenation carries no body; send the bytes with its partial uploads.",
                )
            part_ids = [_concat_part_id(u) for u in kind[len("final;") :].split()]
            declared = _int_header(request, "upload-length") if "upload-length" in request.headers else None
            up = await run_in_threadpool(
                lambda: svc.concatenate(ctx, part_ids, meta, raw_meta, length=declared)
            )
            return Response(status_code=201, headers={"Location": upload_location(request, up.id)})
        if concat is not None and kind != "partial":
            raise _bad(
                "Upload-Concat harus 'partial' atau 'final;<url> <url> ...'.",
                "Upload-Concat must be 'partial' or 'final;<url> <url> ...'.",
            )
        length = _int_header(request, "upload-length")
        if length > settings.max_upload_size:
            raise too_large(settings.max_upload_size)
        with_upload = _offset_body(request)
        checksum = parse_checksum(request.headers.get("upload-checksum")) if with_upload else None
        if with_upload:
            _room_for_body(0, 0, length, request)  # 413 before anything is made
        up = await run_in_threadpool(
            lambda: svc.create_upload(ctx, length, meta, raw_meta, concat="partial" if concat else "")
        )
        location = upload_location(request, up.id)
        # The extensions on the creation's answer too (this server's own habit; clients read
        # them from OPTIONS): a client learns creation-with-upload from its first creation.
        told = {"Location": location, "Tus-Extension": discovery["Tus-Extension"]}
        if not with_upload:
            return Response(status_code=201, headers={**told, **_expiry_headers(up, 0)})
        # creation-with-upload: the body is the upload's first bytes, taken as a PATCH at 0.
        try:
            # Not a claim: its client may never hear this answer (see services/uploads.py).
            offset, up = await _append(svc, up, 0, request, checksum, ctx.device_id, claimed=False)
        except ApiError as exc:
            exc.headers.setdefault("Location", location)
            exc.headers.setdefault("Upload-Offset", "0")
            raise
        except Exception:
            # The body could not be kept (a full disk, the object store down): the 500 names no
            # Location, so nobody can resume this upload, and each retry would leave another
            # one counting against the village's quota until it expires. Gone at once.
            with contextlib.suppress(Exception):
                await run_in_threadpool(svc.delete_upload, ctx, up.id)
            raise
        return Response(
            status_code=201, headers={**told, "Upload-Offset": str(offset), **_expiry_headers(up, offset)}
        )

    @router.head("/{upload_id}")
    async def head(upload_id: str, request: Request) -> Response:
        _check_resumable(request)
        ctx = await auth(request)
        up = await run_in_threadpool(svc.get_upload, ctx, upload_id)
        # Its client knows the upload: the full expiry (written only when due).
        up = await run_in_threadpool(svc.claim_upload, up)
        offset = svc.upload_offset(up)
        headers = {
            "Upload-Offset": str(offset),
            "Upload-Length": str(up.length),
            "Cache-Control": "no-store",
            **_expiry_headers(up, offset),
        }
        if up.upload_metadata:
            headers["Upload-Metadata"] = up.upload_metadata
        running = _active.get(upload_id)
        if running is not None and not running.done.is_set():
            # This server's own extension (tus clients ignore unknown headers): a PATCH of
            # this upload runs in this process, began Upload-Patch-Age seconds ago and last
            # received bytes Upload-Idle seconds ago. The client whose PATCH it is sees a
            # silent link from one look (see desa_capil.sync.tus), instead of from an offset
            # that stood still between two looks.
            now = time.monotonic()
            headers["Upload-Idle"] = f"{max(0.0, now - running.last_progress):.2f}"
            headers["Upload-Patch-Age"] = f"{max(0.0, now - running.started):.2f}"
        if up.concat.startswith("final;"):
            parts = up.concat[len("final;") :].split()
            headers["Upload-Concat"] = "final;" + " ".join(upload_location(request, p) for p in parts)
        elif up.concat:
            headers["Upload-Concat"] = up.concat
        return Response(status_code=200, headers=headers)

    @router.patch("/{upload_id}", status_code=204)
    async def patch(upload_id: str, request: Request) -> Response:
        _check_resumable(request)
        ctx = await auth(request)
        if not _offset_body(request):
            raise _bad(f"Content-Type harus {_OFFSET_CT}.", f"Content-Type must be {_OFFSET_CT}.", status=415)
        client_offset = _int_header(request, "upload-offset")
        checksum = parse_checksum(request.headers.get("upload-checksum"))
        up = await run_in_threadpool(svc.get_upload, ctx, upload_id)
        if up.concat.startswith("final;"):
            raise ApiError(
                403,
                ErrorCode.INVALID_REQUEST,
                "Unggahan gabungan sudah lengkap dan tidak bisa ditambah.",
                "A final (concatenated) upload is complete and cannot be patched.",
            )
        # Its client knows the upload: claimed before the body too, not only once it came
        # (written only in the upload's last hours). A PATCH that began in the last moment of
        # the upload's window (a paused file resumes without a HEAD) runs on past its expiry;
        # the purge would delete the upload under it.
        up = await run_in_threadpool(lambda: svc.claim_upload(up, patch=True))
        new_offset, up = await _append(svc, up, client_offset, request, checksum, ctx.device_id)
        return Response(
            status_code=204, headers={"Upload-Offset": str(new_offset), **_expiry_headers(up, new_offset)}
        )

    @router.delete("/{upload_id}", status_code=204)
    async def delete(upload_id: str, request: Request) -> Response:
        _check_resumable(request)
        ctx = await auth(request)
        await run_in_threadpool(svc.delete_upload, ctx, upload_id)
        return Response(status_code=204)

    return router


def _offset_body(request: Request) -> bool:
    """The request's body is upload bytes (``Content-Type: application/offset+octet-stream``)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower() == _OFFSET_CT


async def _append(
    svc: CentralService,
    up: Upload,
    client_offset: int,
    request: Request,
    checksum: tuple[str, bytes] | None,
    device: str,
    *,
    claimed: bool = True,
) -> tuple[int, Upload]:
    """The request's body appended at ``client_offset`` (a PATCH, or the body of a creation):
    (the new offset, the upload row). Raises 409 (another offset), 413 (past Upload-Length),
    460 (checksum), 423 (another request holds the upload). ``claimed``: the request shows
    that its client knows the upload (a PATCH, not a creation), see ``finish_patch``."""
    settings = svc.settings
    if not svc.storage.appends_in_place:
        return await _patch_object(svc, up, client_offset, request, checksum, device, claimed=claimed)
    path = svc.upload_path(up.id)
    with path.open("r+b", buffering=0) as f:
        held = os.fstat(f.fileno()).st_size  # bytes written so far, a running PATCH's too
        async with _exclusive(
            up.id,
            f,
            settings.patch_takeover_seconds,
            path,
            device=device,
            at_offset=client_offset == held,
        ) as state:
            offset = os.fstat(f.fileno()).st_size
            remaining = _room_for_body(client_offset, offset, up.length, request)
            written, outcome = await _receive_into(f, offset, remaining, request, state, checksum)
            if outcome != "ok" and outcome != "cut":
                # Nothing of a refused body stays: back to where this PATCH started.
                f.truncate(offset)
                written = 0
            f.flush()
            # Up to max_upload_size bytes to flush to disk: not on the event loop, which
            # serves every other village meanwhile.
            await run_in_threadpool(os.fsync, f.fileno())
            new_offset = offset + written
            up = await run_in_threadpool(lambda: svc.finish_patch(up, new_offset, claimed=claimed))
    if outcome == "overflow":
        raise _too_long()
    if outcome == "checksum":
        raise _checksum_mismatch(new_offset)
    return new_offset, up


def _room_for_body(client_offset: int, offset: int, length: int, request: Request) -> int:
    """How many bytes a body that the client starts at ``client_offset`` may carry, the upload
    being at ``offset`` of ``length``: 409 if the client is elsewhere, 413 at once if its
    Content-Length says more than is left."""
    if client_offset != offset:
        raise _offset_mismatch(offset)
    remaining = length - offset
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > remaining:
        raise _too_long()
    return remaining


def _offset_mismatch(offset: int) -> ApiError:
    return ApiError(
        409,
        ErrorCode.UPLOAD_OFFSET_MISMATCH,
        "Posisi unggahan tidak cocok; tanyakan posisi terakhir (HEAD) lalu lanjutkan.",
        "Upload offset mismatch; ask for the current offset (HEAD) and continue from there.",
        headers={"Upload-Offset": str(offset)},
    )


def _checksum_mismatch(offset: int) -> ApiError:
    return ApiError(
        460,
        ErrorCode.INVALID_REQUEST,
        "Checksum potongan berkas ini tidak cocok; kirim ulang potongan ini.",
        "The checksum of this chunk does not match; send this chunk again.",
        headers={"Upload-Offset": str(offset)},
    )


async def _patch_object(
    svc: CentralService,
    up: Upload,
    client_offset: int,
    request: Request,
    checksum: tuple[str, bytes] | None,
    device: str = "",
    *,
    claimed: bool = True,
) -> tuple[int, Upload]:
    """PATCH with object storage: the body is spooled (memory, then a private temp file) and
    stored as one part object; the database's offset moves only with its part row. Returns
    (the new offset, the upload row)."""
    settings = svc.settings
    at_offset = client_offset == svc.upload_offset(up)
    async with _exclusive(
        up.id, None, settings.patch_takeover_seconds, device=device, at_offset=at_offset
    ) as state:
        # A PATCH taken over just now may have added a part: the offset as of now.
        up = await run_in_threadpool(svc.get_upload_unchecked, up.id)
        offset = svc.upload_offset(up)
        remaining = _room_for_body(client_offset, offset, up.length, request)
        with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
            written, outcome = await _receive_into(spool, 0, remaining, request, state, checksum)
            if outcome == "overflow":
                raise _too_long()
            if outcome == "checksum":
                raise _checksum_mismatch(offset)
            if outcome in ("ok", "cut") and written:
                up = await run_in_threadpool(
                    lambda: svc.append_part(up, offset, spool, written, claimed=claimed)
                )
            else:
                written = 0
    return offset + written, up


async def _receive_into(
    f: IO[bytes],
    offset: int,
    remaining: int,
    request: Request,
    state: _Patch,
    checksum: tuple[str, bytes] | None,
) -> tuple[int, str]:
    """Append the body at ``offset``; (bytes written, outcome) where outcome is ``ok``,
    ``cut`` (client gone or taken over: the bytes stay unless checksummed), ``overflow``
    or ``checksum``."""
    hasher: Any = hashlib.new(checksum[0]) if checksum else None
    f.seek(offset)
    written = 0
    try:
        async for chunk in _body(request, state):
            if written + len(chunk) > remaining:
                return written, "overflow"
            f.write(chunk)
            if hasher is not None:
                hasher.update(chunk)
            written += len(chunk)
    except (ClientDisconnect, _Stopped) as exc:
        # Keep what arrived: the client resumes from here after a HEAD. A checksummed chunk
        # that did not arrive whole cannot be verified, so none of it counts.
        log.info(
            "upload %s: PATCH %s after %d bytes",
            request.path_params.get("upload_id", "?"),
            "taken over" if isinstance(exc, _Stopped) else "cut",
            written,
        )
        return written, "checksum-cut" if checksum else "cut"
    if checksum is not None and hasher.digest() != checksum[1]:
        return written, "checksum"
    return written, "ok"
