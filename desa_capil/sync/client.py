"""HTTP client for the central API (wire contract v1) on a ``requests`` session.

TLS certificates are always verified: against the system's trust store, or against a CA file
the office hands out when it runs its own certificate authority. There is no switch to turn
verification off.

Every call has a timeout, so a link that stalls without closing never hangs the worker. Every
failure becomes a ``SyncError`` (a ``NetworkError`` the UI can show) that says whether trying
again later can help (``retryable``), so the worker knows whether to back off or to set the
work aside.
"""

from __future__ import annotations

import logging
import platform
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from pydantic import ValidationError

from desa_capil import __version__
from desa_capil.api.models import (
    API_PREFIX,
    BatchManifest,
    BatchReceipt,
    ChangePage,
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    ErrorCode,
    EventIn,
    EventsIn,
    EventsResult,
    Health,
)
from desa_capil.errors import NetworkError

log = logging.getLogger(__name__)

# (connect, read) seconds. The read timeout also bounds a stalled upload: the socket's send
# blocks once the kernel buffers are full, and that wait is limited by the same timeout.
DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 30.0)
USER_AGENT = f"desa_capil/{__version__} ({platform.system()})"

# Answers worth trying again later: the server or a proxy in between had a bad moment.
_RETRYABLE_STATUS = frozenset({408, 423, 425, 429, 500, 502, 503, 504})


class SyncError(NetworkError):
    """A failed exchange with the server.

    ``retryable``: trying again later may succeed (offline, timeout, 5xx, 429). Otherwise the
    server said no for good and the user must act. ``status`` is the HTTP status (0 when no
    answer came), ``body`` the parsed error body when the server sent one.
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
            "Alamat server dan pendaftaran laptop belum diatur. Buka Pengaturan dan daftarkan "
            "laptop dengan kode dari Disdukcapil.",
            "The server address and enrollment are not set up. Open Settings and enroll this "
            "laptop with the code from the office.",
            retryable=False,
        )


def normalize_base_url(url: str) -> str:
    """``https://host[:port][/prefix]`` without a trailing slash; refuses anything else."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise NetworkError(
            "Alamat server tidak valid. Tulis lengkap, misalnya https://capil.kabupaten.go.id",
            "The server address is not valid. Write it in full, e.g. https://capil.regency.go.id",
            detail=url,
        )
    if url.endswith(API_PREFIX):
        url = url[: -len(API_PREFIX)]
    return url


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def error_from_response(resp: requests.Response) -> SyncError:
    """The SyncError for a non-success answer, with the server's own words when it sent them."""
    body: ErrorBody | None = None
    try:
        body = ErrorBody.model_validate_json(resp.content)
    except (ValidationError, ValueError):
        body = None
    status = resp.status_code
    retry_after = _parse_retry_after(resp.headers.get("Retry-After"))
    detail = f"HTTP {status} {resp.request.method if resp.request else ''} {urlsplit(resp.url).path}"
    if body is not None:
        detail += f" {body.error}"
    if status == 401:
        return TokenRevoked(detail)
    retryable = status in _RETRYABLE_STATUS or status >= 500
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
            retry_after=retry_after,
        )
    return SyncError(
        "Server Disdukcapil menolak permintaan ini. Hubungi petugas Disdukcapil.",
        "The office's server refused this request. Contact the office.",
        detail=detail,
        retryable=False,
        status=status,
    )


class ApiClient:
    """One server, one device token. Thread-confined: the worker thread owns its client."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        ca_file: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.api_url = self.base_url + API_PREFIX
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()
        # A CA file adds the office's own certificate authority; verification stays on.
        self.session.verify = ca_file if ca_file else True
        self.session.headers["User-Agent"] = USER_AGENT
        # Environment proxies are not ours to honour silently for personal data; an office
        # that needs one sets it for the whole machine (HTTPS_PROXY is still used by requests
        # when trust_env is on). Keep requests' default.

    def close(self) -> None:
        self.session.close()

    def url(self, path: str) -> str:
        """Absolute URL for an API path ("/health") or a server-given URL (tus Location)."""
        if path.startswith(("http://", "https://")):
            return path
        if path.startswith(API_PREFIX):
            return urljoin(self.base_url + "/", path.lstrip("/"))
        return self.api_url + path

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: tuple[float, float] | None = None,
        ok: Sequence[int] = (200, 201, 204),
        auth: bool = True,
    ) -> requests.Response:
        """Send one request; return the response when its status is in ``ok``, else raise."""
        hdrs = dict(headers or {})
        if auth:
            if not self.token:
                raise NotConfigured()
            hdrs["Authorization"] = f"Bearer {self.token}"
        try:
            resp = self.session.request(
                method,
                self.url(path),
                json=json_body,
                data=data,
                headers=hdrs,
                params=params,
                timeout=timeout or self.timeout,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            raise CertificateError(str(exc)) from exc
        except requests.exceptions.RequestException as exc:
            raise OfflineError(f"{method} {path}: {type(exc).__name__}") from exc
        if resp.status_code not in ok:
            raise error_from_response(resp)
        return resp

    # --- the calls of the wire contract ---------------------------------------------------------

    def health(self, timeout: tuple[float, float] = (5.0, 10.0)) -> Health:
        resp = self.request("GET", "/health", auth=False, timeout=timeout, ok=(200,))
        return Health.model_validate_json(resp.content)

    def enroll(self, code: str, device_name: str, app_version: str = __version__) -> EnrollResponse:
        req = EnrollRequest(enrollment_code=code.strip(), device_name=device_name, app_version=app_version)
        resp = self.request(
            "POST", "/enroll", json_body=req.model_dump(mode="json"), auth=False, ok=(200, 201)
        )
        return EnrollResponse.model_validate_json(resp.content)

    def put_batch(self, batch_id: str, manifest: BatchManifest) -> tuple[BatchReceipt, bool]:
        """PUT the manifest; returns (receipt, created). 422/409 raise SyncError with the body."""
        resp = self.request(
            "PUT",
            f"/batches/{uuid.UUID(batch_id)}",
            json_body=manifest.model_dump(mode="json"),
            ok=(200, 201),
        )
        return BatchReceipt.model_validate_json(resp.content), resp.status_code == 201

    def post_events(self, events: Sequence[EventIn]) -> EventsResult:
        body = EventsIn(events=list(events)).model_dump(mode="json")
        resp = self.request("POST", "/events", json_body=body, ok=(200, 201))
        return EventsResult.model_validate_json(resp.content)

    def changes(self, after: int, limit: int = 200) -> ChangePage:
        resp = self.request("GET", "/changes", params={"after": after, "limit": limit}, ok=(200,))
        return ChangePage.model_validate_json(resp.content)

    def document_file(self, doc_id: str) -> bytes:
        resp = self.request("GET", f"/documents/{uuid.UUID(doc_id)}/file", ok=(200,), timeout=(10.0, 60.0))
        return resp.content


def is_permanent(exc: SyncError) -> bool:
    """True when retrying the same request can never succeed (a 4xx the server means)."""
    return not exc.retryable and exc.code not in (ErrorCode.UPLOAD_OFFSET_MISMATCH,)
