"""HTTP client for the central API (wire contract v1) on a ``requests`` session.

TLS certificates are always verified: against the system's trust store, or against a CA file
the office hands out when it runs its own certificate authority. There is no switch to turn
verification off.

Every exchange is bounded three ways: a connect timeout, a read timeout (a socket that says
nothing) and a total deadline (a server or a proxy that drips one byte every few seconds never
trips the read timeout). The deadline is enforced by one watchdog thread that shuts down the
socket of an exchange that ran out of time, or whose worker was asked to stop: a stop is then
honoured within a fraction of a second in every state, even mid-request.

Every failure becomes a ``SyncError`` (a ``NetworkError`` the UI can show) that says whether
trying again later can help (``retryable``). Only an answer the server *explains* (a 4xx with
the contract's error body) is permanent; anything else that is not what the contract promises
(a redirect, an HTML page, a body that does not parse, a 5xx, a cut) is transient: it is what
captive portals, proxies and broken links produce, and the work is tried again later.
"""

from __future__ import annotations

import gzip
import hashlib
import ipaddress
import json
import logging
import platform
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from pydantic import BaseModel, ValidationError
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from desa_capil import __version__
from desa_capil.api.models import (
    API_PREFIX,
    BatchManifest,
    BatchReceipt,
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    ErrorCode,
    EventIn,
    EventsIn,
    EventsResult,
    Health,
)
from desa_capil.domain.status import Status
from desa_capil.errors import NetworkError

log = logging.getLogger(__name__)

# (connect, read) seconds. The read timeout also bounds a stalled upload: the socket's send
# blocks once the kernel buffers are full, and that wait is limited by the same timeout.
DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 30.0)
# Total seconds one exchange may take, whatever the server does (see the module docstring).
DEFAULT_DEADLINE = 120.0
# A JSON answer larger than this is not an answer of our server (a change page is ~50 KB).
MAX_JSON_BYTES = 8 * 1024 * 1024
# Largest signed PDF downloaded; the reference server accepts files up to 50 MiB.
DEFAULT_MAX_DOWNLOAD = 64 * 1024 * 1024
USER_AGENT = f"desa_capil/{__version__} ({platform.system()})"

# JSON request bodies larger than this go gzip-coded to a server that accepts it (RFC 7694):
# a batch manifest of ~3.3 KB is ~1 KB coded, seconds on a 64 kbit/s link. Smaller ones gain
# less than the coding's header costs.
GZIP_MIN_BODY = 1024

# Answers worth trying again later: the server or a proxy in between had a bad moment.
# 426: the app is older than the server's minimum; its work waits (never set aside) until updated.
_RETRYABLE_STATUS = frozenset({408, 423, 425, 426, 429, 500, 502, 503, 504})

M = TypeVar("M", bound=BaseModel)


class SyncError(NetworkError):
    """A failed exchange with the server.

    ``retryable``: trying again later may succeed (offline, timeout, 5xx, 429, an answer that
    is not the server's). Otherwise the server said no for good and the user must act.
    ``status`` is the HTTP status (0 when no answer came), ``body`` the parsed error body when
    the server sent one.
    """

    def __init__(
        self,
        message_id: str,
        message_en: str,
        *,
        detail: str = "",
        retryable: bool,
        status: int = 0,
        body: ErrorBody | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message_id, message_en, detail=detail)
        self.retryable = retryable
        self.status = status
        self.body = body
        self.retry_after = retry_after

    @property
    def code(self) -> str:
        return self.body.error if self.body is not None else ""


class OfflineError(SyncError):
    """No answer at all: no network, server down, connection cut, timeout."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "Server Disdukcapil tidak bisa dihubungi. Data tetap tersimpan di laptop dan akan "
            "dikirim otomatis saat sambungan kembali.",
            "The office's server cannot be reached. Everything stays saved on this laptop and "
            "is sent automatically when the connection is back.",
            detail=detail,
            retryable=True,
        )


class BadAnswer(SyncError):
    """An answer that is not what the contract promises: unreadable, wrong shape, too big,
    wrong headers. A proxy, a broken server or a newer one that changed too much; transient."""

    def __init__(self, detail: str, status: int = 0) -> None:
        super().__init__(
            "Jawaban server Disdukcapil tidak bisa dibaca (mungkin server sedang bermasalah atau "
            "ada perangkat jaringan yang mengganggu). Data tetap tersimpan dan dicoba lagi nanti.",
            "The office's server sent an answer that cannot be read (the server may be in trouble, "
            "or something on the network interferes). Everything stays saved and is retried later.",
            detail=detail,
            retryable=True,
            status=status,
        )


class CaptivePortal(SyncError):
    """A redirect or a web page where the API was expected: a Wi-Fi login page (captive
    portal), a hotel or office proxy. Nothing is sent until the user logs in in a browser."""

    def __init__(self, detail: str, status: int = 0) -> None:
        super().__init__(
            "Wi-Fi ini minta login di browser. Buka browser, masuk (login) ke Wi-Fi, lalu tekan "
            "Kirim sekarang. Data tetap tersimpan di laptop.",
            "This Wi-Fi asks you to log in in a browser. Open a browser, log in to the Wi-Fi, then "
            "press Send now. Everything stays saved on this laptop.",
            detail=detail,
            retryable=True,
            status=status,
        )


class DeadlineExceeded(OfflineError):
    """The exchange took longer than its total deadline (a link that drips)."""


class LinkStalled(OfflineError):
    """The exchange was cut by its caller, which saw it make no progress (a silent link: no
    FIN, no RST). The caller knows from elsewhere (a HEAD on another connection) where to go on."""


class Aborted(SyncError):
    """The exchange was cut because the worker was asked to stop."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("Pengiriman dihentikan.", "Sending was stopped.", detail=detail, retryable=True)


class CertificateError(SyncError):
    """The server's TLS certificate is not trusted: never sent around, shown to the user."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "Sertifikat keamanan server tidak bisa dipercaya, jadi tidak ada data yang dikirim. "
            "Periksa alamat server di Pengaturan, atau pasang berkas CA dari Disdukcapil.",
            "The server's security certificate is not trusted, so nothing was sent. Check the "
            "server address in Settings, or install the CA file from the office.",
            detail=detail,
            retryable=True,  # a captive portal or a clock that is off can cause it; it may pass
        )


class TokenRevoked(SyncError):
    """401: the device token is unknown or was revoked by the office."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "Laptop ini tidak lagi terdaftar di server Disdukcapil (izinnya dicabut atau belum "
            "didaftarkan). Minta kode pendaftaran baru ke Disdukcapil, lalu daftarkan ulang di "
            "Pengaturan. Data di laptop tetap aman.",
            "This laptop is no longer enrolled with the office's server (its access was revoked "
            "or it was never enrolled). Ask the office for a new enrollment code and enroll again "
            "in Settings. Data on this laptop is safe.",
            detail=detail,
            retryable=False,
            status=401,
        )


class NotConfigured(SyncError):
    def __init__(self) -> None:
        super().__init__(
            "Laptop ini belum terdaftar di server Disdukcapil, jadi kiriman belum bisa dikirim "
            "(tetap tersimpan di laptop). Buka Pengaturan dan daftarkan laptop dengan kode dari "
            "Disdukcapil.",
            "This laptop is not enrolled with the office's server yet, so batches cannot be sent "
            "(they stay saved on this laptop). Open Settings and enroll this laptop with the code "
            "from the office.",
            retryable=False,
        )


class InsecureAddress(NetworkError):
    """An ``http://`` address for a server that is not on this computer."""

    def __init__(self, url: str) -> None:
        super().__init__(
            "Alamat server memakai http:// (tanpa enkripsi): data warga bisa dibaca orang lain di "
            'jaringan. Pakai alamat https://, atau centang "Saya mengerti" bila Disdukcapil '
            "memang meminta alamat ini.",
            "The server address uses http:// (no encryption): residents' data could be read by "
            'others on the network. Use an https:// address, or tick "I understand" if the '
            "office really asks for this address.",
            detail=url,
        )


def is_local_host(host: str) -> bool:
    """True for this computer (localhost, 127.0.0.0/8, ::1): plain http cannot leak there."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalize_base_url(url: str, *, allow_http: bool = True) -> str:
    """``https://host[:port][/prefix]`` without a trailing slash; refuses anything else.

    ``allow_http=False`` also refuses ``http://`` unless the host is this computer.
    """
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise NetworkError(
            "Alamat server tidak valid. Tulis lengkap, misalnya https://capil.kabupaten.go.id",
            "The server address is not valid. Write it in full, e.g. https://capil.regency.go.id",
            detail=url,
        )
    if parts.scheme == "http" and not allow_http and not is_local_host(parts.hostname or ""):
        raise InsecureAddress(url)
    if url.endswith(API_PREFIX):
        url = url[: -len(API_PREFIX)]
    return url


def origin_of(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, (parts.hostname or "").lower(), port


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return min(3600.0, max(0.0, float(value)))
    except ValueError:
        return None


def _looks_like_html(resp: requests.Response, head: bytes = b"") -> bool:
    ctype = resp.headers.get("Content-Type", "").lower()
    if "html" in ctype:
        return True
    start = head.lstrip()[:15].lower()
    return start.startswith((b"<!doctype", b"<html", b"<head", b"<body"))


def error_from_response(resp: requests.Response, content: bytes | None = None) -> SyncError:
    """The SyncError for a non-success answer, with the server's own words when it sent them.

    Only a 4xx with the contract's error body is permanent: a bare 403 or 404 without it comes
    from something in between (a proxy, a portal, a web server in front), not from our server.
    """
    raw = resp.content if content is None else content
    body: ErrorBody | None = None
    try:
        body = ErrorBody.model_validate_json(raw)
    except (ValidationError, ValueError):
        body = None
    if body is not None and not body.error:
        body = None
    status = resp.status_code
    retry_after = _parse_retry_after(resp.headers.get("Retry-After"))
    detail = f"HTTP {status} {resp.request.method if resp.request else ''} {urlsplit(resp.url).path}"
    if body is not None:
        detail += f" {body.error}"
    if 300 <= status < 400 or (body is None and status < 500 and _looks_like_html(resp, raw[:64])):
        return CaptivePortal(detail, status)
    if status == 401 and body is not None:
        return TokenRevoked(detail)
    retryable = status in _RETRYABLE_STATUS or status >= 500 or body is None
    if body is not None and body.message_id:
        return SyncError(
            body.message_id,
            body.message_en or body.message_id,
            detail=detail,
            retryable=retryable,
            status=status,
            body=body,
            retry_after=retry_after,
        )
    if retryable:
        return SyncError(
            "Server Disdukcapil sedang bermasalah. Pengiriman dicoba lagi otomatis nanti.",
            "The office's server is having trouble. Sending is retried automatically later.",
            detail=detail,
            retryable=True,
            status=status,
            body=body,
            retry_after=retry_after,
        )
    return SyncError(
        "Server Disdukcapil menolak permintaan ini. Hubungi petugas Disdukcapil.",
        "The office's server refused this request. Contact the office.",
        detail=detail,
        retryable=False,
        status=status,
        body=body,
    )


# --- the watchdog: total deadlines and stop requests ---------------------------------------------


@dataclass
class _Exchange:
    deadline: float
    stop: threading.Event | None
    cut: threading.Event | None = None  # set by the caller: cut this exchange (a stall)
    conn: Any = None  # the urllib3 connection carrying it, once known
    expired: bool = False
    aborted: bool = False
    stalled: bool = False


class _Watchdog:
    """One daemon thread for the process: shuts down the socket of an exchange past its
    deadline, whose stop event is set, or that its caller cut (``cut``). A blocked send/recv
    then returns at once."""

    TICK = 0.2

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[int, _Exchange] = {}
        self._by_thread: dict[int, _Exchange] = {}
        self._thread: threading.Thread | None = None

    def _ensure(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="sync-watchdog", daemon=True)
            self._thread.start()

    @contextmanager
    def watch(
        self, seconds: float, stop: threading.Event | None, cut: threading.Event | None = None
    ) -> Iterator[_Exchange]:
        ex = _Exchange(time.monotonic() + seconds, stop, cut)
        tid = threading.get_ident()
        with self._lock:
            self._live[id(ex)] = ex
            self._by_thread[tid] = ex
            self._ensure()
        try:
            yield ex
        finally:
            with self._lock:
                self._live.pop(id(ex), None)
                if self._by_thread.get(tid) is ex:
                    del self._by_thread[tid]

    def bind(self, conn: Any) -> None:
        """Called by our urllib3 connections when a request goes out on them."""
        with self._lock:
            ex = self._by_thread.get(threading.get_ident())
            if ex is not None:
                ex.conn = conn

    def _run(self) -> None:
        while True:
            time.sleep(self.TICK)
            now = time.monotonic()
            with self._lock:
                due = []
                for ex in self._live.values():
                    if ex.expired or ex.aborted or ex.stalled:
                        continue
                    if ex.stop is not None and ex.stop.is_set():
                        ex.aborted = True
                        due.append(ex)
                    elif ex.cut is not None and ex.cut.is_set():
                        ex.stalled = True
                        due.append(ex)
                    elif now >= ex.deadline:
                        ex.expired = True
                        due.append(ex)
            for ex in due:
                sock = getattr(ex.conn, "sock", None)
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass


_watchdog = _Watchdog()


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        _watchdog.bind(self)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(urllib3.connection.HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        _watchdog.bind(self)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    def __init__(self, *args: Any, send_buffer: int | None = None, **kwargs: Any) -> None:
        self.send_buffer = send_buffer  # read by init_poolmanager, which the base calls
        super().__init__(*args, **kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        if self.send_buffer:
            kwargs["socket_options"] = [
                *urllib3.connection.HTTPConnection.default_socket_options,
                (socket.SOL_SOCKET, socket.SO_SNDBUF, self.send_buffer),
            ]
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


# --- gzip-coded request bodies (RFC 7694) ---------------------------------------------------


class _RequestCoding:
    """Per server address (its API URL), for every client of this process: whether the
    server's last answer said ``Accept-Encoding: gzip`` (an answer without it, from an older
    server or a proxy in between, clears it), and whether it ever refused a gzip-coded body
    with 415 (then never again for this address)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._accepts: dict[str, bool] = {}
        self._refused: set[str] = set()

    def allowed(self, api_url: str) -> bool:
        with self._lock:
            return self._accepts.get(api_url, False) and api_url not in self._refused

    def note(self, api_url: str, accept_encoding: str | None) -> None:
        with self._lock:
            self._accepts[api_url] = _accepts_gzip(accept_encoding or "")

    def refuse(self, api_url: str) -> None:
        with self._lock:
            self._refused.add(api_url)


def _accepts_gzip(value: str) -> bool:
    """True when an ``Accept-Encoding`` value lists gzip with a weight above zero."""
    for item in value.split(","):
        name, _, params = item.partition(";")
        if name.strip().lower() not in ("gzip", "x-gzip"):
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _, val = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(val.strip())
                except ValueError:
                    weight = 0.0
        if weight > 0:
            return True
    return False


_request_coding = _RequestCoding()


# --- downloads -----------------------------------------------------------------------------------


@dataclass
class Download:
    """A finished download: the file on disk and what was checked."""

    path: Path
    size: int
    sha256: str
    resumed_from: int


class ApiClient:
    """One server, one device token. Thread-confined: the worker thread owns its client.

    ``stop``: when set, any exchange in flight is cut within a fraction of a second.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        ca_file: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        deadline: float = DEFAULT_DEADLINE,
        stop: threading.Event | None = None,
        max_download: int = DEFAULT_MAX_DOWNLOAD,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.api_url = self.base_url + API_PREFIX
        self.origin = origin_of(self.base_url)
        self.token = token
        self.timeout = timeout
        self.deadline = deadline
        self.stop = stop
        self.max_download = max_download
        self.session = requests.Session()
        adapter = _WatchedAdapter(max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # A CA file adds the office's own certificate authority; verification stays on.
        self.session.verify = ca_file if ca_file else True
        self.session.headers["User-Agent"] = USER_AGENT
        # JSON answers compressed when the server can (50 changes: ~10 KB plain, ~2 KB gzip).
        self.session.headers["Accept-Encoding"] = "gzip, deflate"

    def close(self) -> None:
        self.session.close()

    def sibling(self) -> ApiClient:
        """A client for the same server, token, certificates and stop, with its own session
        (its own connections): for a look at the server from another thread while this one
        waits, e.g. HEAD on an upload whose PATCH seems stalled."""
        other = ApiClient(
            self.base_url,
            self.token,
            timeout=self.timeout,
            deadline=self.deadline,
            stop=self.stop,
            max_download=self.max_download,
        )
        other.session.verify = self.session.verify
        return other

    def limit_send_buffer(self, nbytes: int) -> None:
        """Connections made from now on keep at most about ``nbytes`` unsent in the kernel.

        For uploads: the operating system sizes a socket's send buffer for a fast local network
        (hundreds of KB). On a 64 kbit/s link those are bytes the socket took minutes ahead of
        the link: a cut loses them, and a PATCH whose body "went out" still waits that long for
        its answer, so a link that went silent cannot be told from a slow one in time."""
        adapter = _WatchedAdapter(max_retries=0, send_buffer=max(4096, int(nbytes)))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def url(self, path: str) -> str:
        """Absolute URL for an API path ("/health", "/uploads/<id>") or a path the server gave."""
        if path.startswith(("http://", "https://")):
            return path
        if path.startswith(API_PREFIX):
            return urljoin(self.base_url + "/", path.lstrip("/"))
        return self.api_url + path

    def resolve(self, location: str, request_url: str) -> str:
        """A ``Location`` resolved as RFC 3986 says (against the request's URL), refused when it
        names another origin: the token and the residents' scans go to our server only."""
        url = urljoin(request_url, location.strip())
        if origin_of(url) != self.origin:
            raise BadAnswer(f"Location on another origin refused: {urlsplit(url).netloc}")
        return url

    @contextmanager
    def _exchange(
        self, method: str, path: str, deadline: float | None, cut: threading.Event | None = None
    ) -> Iterator[_Exchange]:
        """Maps every failure of the transport to a SyncError, with the deadline enforced."""
        if self.stop is not None and self.stop.is_set():
            raise Aborted(f"{method} {path}")
        with _watchdog.watch(deadline or self.deadline, self.stop, cut) as ex:
            try:
                yield ex
                # A socket shut down by the watchdog can look like a short, complete answer.
                if ex.aborted:
                    raise Aborted(f"{method} {path}")
                if ex.expired:
                    raise DeadlineExceeded(f"{method} {path}: deadline")
                if ex.stalled:
                    raise LinkStalled(f"{method} {path}: no progress, cut")
            except requests.exceptions.SSLError as exc:
                raise CertificateError(str(exc)) from exc
            except requests.exceptions.ContentDecodingError as exc:
                raise BadAnswer(f"{method} {path}: {type(exc).__name__}") from exc
            except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                if ex.aborted:
                    raise Aborted(f"{method} {path}") from exc
                if ex.expired:
                    raise DeadlineExceeded(f"{method} {path}: deadline") from exc
                if ex.stalled:
                    raise LinkStalled(f"{method} {path}: no progress, cut") from exc
                raise OfflineError(f"{method} {path}: {type(exc).__name__}") from exc

    def _send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: tuple[float, float] | None = None,
        auth: bool = True,
    ) -> requests.Response:
        hdrs = dict(headers or {})
        if auth:
            if not self.token:
                raise NotConfigured()
            hdrs["Authorization"] = f"Bearer {self.token}"
        url = self.url(path)
        if origin_of(url) != self.origin:
            raise BadAnswer(f"{method} to another origin refused")
        return self.session.request(
            method,
            url,
            json=json_body,
            data=data,
            headers=hdrs,
            params=params,
            timeout=timeout or self.timeout,
            # Never follow: a redirect would carry the token to wherever it points.
            allow_redirects=False,
            stream=True,
        )

    def _read(self, resp: requests.Response, limit: int, ex: _Exchange) -> bytes:
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            resp.close()
            raise BadAnswer(f"answer of {declared} bytes refused", resp.status_code)
        chunks: list[bytes] = []
        total = 0
        for chunk in resp.iter_content(64 * 1024):
            total += len(chunk)
            if total > limit:
                resp.close()
                raise BadAnswer(f"answer over {limit} bytes refused", resp.status_code)
            chunks.append(chunk)
        return b"".join(chunks)

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: tuple[float, float] | None = None,
        deadline: float | None = None,
        ok: Sequence[int] = (200, 201, 204),
        auth: bool = True,
        limit: int = MAX_JSON_BYTES,
        cut: threading.Event | None = None,
        plain: bool = False,
    ) -> requests.Response:
        """Send one request; return the response (body read, at most ``limit`` bytes) when its
        status is in ``ok``, else raise the matching SyncError. Setting ``cut`` (from another
        thread) ends the exchange within a fraction of a second with ``LinkStalled``.

        A JSON body over ``GZIP_MIN_BODY`` goes gzip-coded (unless ``plain``) when this server
        said in an earlier answer that it accepts that (RFC 7694). If it then refuses the coded
        body (415), the body is sent once more uncoded and never coded again to this address.
        A 400 or 422 to a coded body may be an older server reading the coded bytes as broken
        JSON (reached through something that said it takes them: a proxy, a portal, a server
        just rolled back): the body is sent once more uncoded, and if that one is taken, never
        coded again to this address; otherwise the uncoded answer's error is what counts."""
        coded = None
        if json_body is not None and not plain and _request_coding.allowed(self.api_url):
            raw = json.dumps(json_body, allow_nan=False).encode("utf-8")
            if len(raw) > GZIP_MIN_BODY:
                coded = gzip.compress(raw, compresslevel=6, mtime=0)
        with self._exchange(method, path, deadline, cut) as ex:
            resp = self._send(
                method,
                path,
                json_body=json_body if coded is None else None,
                data=data if coded is None else coded,
                headers=headers
                if coded is None
                else {**(headers or {}), "Content-Type": "application/json", "Content-Encoding": "gzip"},
                params=params,
                timeout=timeout,
                auth=auth,
            )
            try:
                content = b"" if method == "HEAD" else self._read(resp, limit, ex)
            except BaseException:
                resp.close()
                raise
            finally:
                if method == "HEAD":
                    resp.close()
            resp._content = content  # noqa: SLF001 - requests' own cache of the read body
        _request_coding.note(self.api_url, resp.headers.get("Accept-Encoding"))
        if coded is not None and resp.status_code in (400, 415, 422):
            if resp.status_code == 415:
                log.info("%s %s: gzip-coded body refused (415), sent uncoded from now on", method, path)
                _request_coding.refuse(self.api_url)
            answer = self.request(
                method,
                path,
                json_body=json_body,
                headers=headers,
                params=params,
                timeout=timeout,
                deadline=deadline,
                ok=ok,
                auth=auth,
                limit=limit,
                cut=cut,
                plain=True,
            )
            if resp.status_code != 415:  # the uncoded body was taken: the coding was the trouble
                log.info("%s %s: gzip-coded body refused (%d), taken uncoded", method, path, resp.status_code)
                _request_coding.refuse(self.api_url)
            return answer
        if resp.status_code not in ok:
            raise error_from_response(resp, content)
        return resp

    def parse(self, model: type[M], resp: requests.Response) -> M:
        """The answer as ``model``; anything else (HTML, bad JSON, wrong shape) is transient."""
        if _looks_like_html(resp, resp.content[:64]):
            raise CaptivePortal(f"HTML answer to {urlsplit(resp.url).path}", resp.status_code)
        try:
            return model.model_validate_json(resp.content)
        except (ValidationError, ValueError) as exc:
            raise BadAnswer(
                f"{model.__name__} expected from {urlsplit(resp.url).path}: {str(exc)[:200]}",
                resp.status_code,
            ) from exc

    # --- the calls of the wire contract ---------------------------------------------------------

    def health(self, timeout: tuple[float, float] = (5.0, 10.0)) -> Health:
        resp = self.request("GET", "/health", auth=False, timeout=timeout, deadline=20.0, ok=(200,))
        return self.parse(Health, resp)

    def enroll(self, code: str, device_name: str, app_version: str = __version__) -> EnrollResponse:
        req = EnrollRequest(enrollment_code=code.strip(), device_name=device_name, app_version=app_version)
        resp = self.request(
            "POST", "/enroll", json_body=req.model_dump(mode="json"), auth=False, ok=(200, 201)
        )
        return self.parse(EnrollResponse, resp)

    def put_batch(self, batch_id: str, manifest: BatchManifest) -> tuple[BatchReceipt, bool]:
        """PUT the manifest; returns (receipt, created). 422/409 raise SyncError with the body."""
        resp = self.request(
            "PUT",
            f"/batches/{uuid.UUID(batch_id)}",
            json_body=manifest.model_dump(mode="json"),
            ok=(200, 201),
        )
        try:
            receipt = self.parse(BatchReceipt, resp)
        except BadAnswer:
            receipt = self._lenient_receipt(resp)
        if receipt.batch_id != uuid.UUID(batch_id):
            raise BadAnswer(f"receipt for another batch {receipt.batch_id}", resp.status_code)
        return receipt, resp.status_code == 201

    def _lenient_receipt(self, resp: requests.Response) -> BatchReceipt:
        """A receipt whose only fault is an application status this client does not know (a
        newer server): the status is not used here (the sequence number is), so it is read as
        "sent"; anything else stays a BadAnswer."""
        try:
            raw = resp.json()
            for app in raw.get("applications", []):
                if isinstance(app, dict) and app.get("status") not in {s.value for s in Status}:
                    log.warning("receipt: unknown status %r read as sent", app.get("status"))
                    app["status"] = Status.SENT.value
            return BatchReceipt.model_validate(raw)
        except (ValueError, AttributeError, ValidationError) as exc:
            raise BadAnswer(f"BatchReceipt expected: {str(exc)[:200]}", resp.status_code) from exc

    def post_events(self, events: Sequence[EventIn]) -> EventsResult:
        body = EventsIn(events=list(events)).model_dump(mode="json")
        resp = self.request("POST", "/events", json_body=body, ok=(200, 201))
        return self.parse(EventsResult, resp)

    def changes_raw(self, after: int, limit: int = 200) -> dict[str, Any]:
        """``/changes`` as plain JSON: ``apply`` reads it change by change, so that one change it
        does not understand (a status added by a newer server) never stops the others."""
        resp = self.request("GET", "/changes", params={"after": after, "limit": limit}, ok=(200,))
        if _looks_like_html(resp, resp.content[:64]):
            raise CaptivePortal("HTML answer to /changes", resp.status_code)
        try:
            value = resp.json()
        except ValueError as exc:
            raise BadAnswer(f"/changes: not JSON ({exc})", resp.status_code) from exc
        if not isinstance(value, dict):
            raise BadAnswer("/changes: not an object", resp.status_code)
        return value

    def download(
        self,
        path: str,
        target: Path,
        *,
        expected_sha256: str = "",
        check: Callable[[bytes], bool] | None = None,
        deadline: float = 600.0,
    ) -> Download:
        """Stream a file to ``target`` (never into memory), resuming a partial ``target`` with
        ``Range`` when the server answers 206; a 200 restarts from zero. The size cap applies
        to what the server declares and to what arrives. ``check`` sees the first bytes (e.g.
        the PDF magic); the sha256, when given, is checked over the whole file. A file that
        fails a check is deleted and BadAnswer raised: nothing is replaced by it."""
        have = target.stat().st_size if target.exists() else 0
        headers = {"Range": f"bytes={have}-", "Accept-Encoding": "identity"} if have else {}
        with self._exchange("GET", path, deadline):
            resp = self._send("GET", path, headers=headers, timeout=(10.0, 60.0))
            try:
                if resp.status_code == 416 and have:
                    target.unlink(missing_ok=True)  # our part is longer than the file: restart
                    raise BadAnswer(f"{path}: range not satisfiable, restarting", 416)
                if resp.status_code not in (200, 206):
                    raise error_from_response(resp, self._read(resp, MAX_JSON_BYTES, _Exchange(0, None)))
                start = 0
                if resp.status_code == 206:
                    start = _range_start(resp.headers.get("Content-Range", ""))
                    if start != have:
                        target.unlink(missing_ok=True)
                        raise BadAnswer(f"{path}: 206 from {start}, asked {have}", 206)
                declared = resp.headers.get("Content-Length", "")
                if declared.isdigit() and start + int(declared) > self.max_download:
                    raise BadAnswer(f"{path}: {start + int(declared)} bytes over the cap", resp.status_code)
                if _looks_like_html(resp) and start == 0:
                    raise CaptivePortal(f"HTML answer to {path}", resp.status_code)
                target.parent.mkdir(parents=True, exist_ok=True)
                size = start
                with target.open("r+b" if start else "wb") as f:
                    f.seek(start)
                    f.truncate()
                    # Small reads: a cut loses at most the read in progress.
                    for chunk in resp.iter_content(8 * 1024):
                        size += len(chunk)
                        if size > self.max_download:
                            f.close()
                            target.unlink(missing_ok=True)
                            raise BadAnswer(f"{path}: over {self.max_download} bytes", resp.status_code)
                        f.write(chunk)
                    f.flush()
            finally:
                resp.close()
        if declared.isdigit() and size != start + int(declared):
            raise OfflineError(f"{path}: cut at {size} bytes")  # kept: resumed next time
        sha = hashlib.sha256()
        with target.open("rb") as f:
            head = f.read(1024)
            sha.update(head)
            for block in iter(lambda: f.read(1024 * 1024), b""):
                sha.update(block)
        digest = sha.hexdigest()
        if (check is not None and not check(head)) or (expected_sha256 and digest != expected_sha256):
            target.unlink(missing_ok=True)
            raise BadAnswer(f"{path}: file failed its check ({size} bytes)", resp.status_code)
        return Download(target, size, digest, start)


def _range_start(value: str) -> int:
    """The first byte of ``Content-Range: bytes START-END/TOTAL`` (-1 when unreadable)."""
    try:
        unit, _, rest = value.partition(" ")
        if unit.strip().lower() != "bytes":
            return -1
        return int(rest.split("-", 1)[0])
    except ValueError:
        return -1


def is_permanent(exc: SyncError) -> bool:
    """True when retrying the same request can never succeed (a 4xx the server means)."""
    return not exc.retryable and exc.code not in (ErrorCode.UPLOAD_OFFSET_MISMATCH,)
