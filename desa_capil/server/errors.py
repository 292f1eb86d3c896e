"""Errors the server answers with: an HTTP status plus an ``ErrorBody`` (desa_capil.api.models)."""

from __future__ import annotations

import traceback

from desa_capil.api.models import ApplicationProblem, ErrorBody, ErrorCode, FieldProblem, UploadProblem


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        error: ErrorCode,
        message_id: str,
        message_en: str,
        *,
        headers: dict[str, str] | None = None,
        uploads: list[UploadProblem] | None = None,
        applications: list[ApplicationProblem] | None = None,
        fields: list[FieldProblem] | None = None,
    ) -> None:
        super().__init__(f"{status} {error.value}: {message_en}")
        self.status = status
        self.headers = headers or {}
        self.body = ErrorBody(
            error=error.value,
            message_id=message_id,
            message_en=message_en,
            uploads=uploads or [],
            applications=applications or [],
            fields=fields or [],
        )


def not_found(what_id: str = "Data", what_en: str = "Record") -> ApiError:
    return ApiError(
        404,
        ErrorCode.NOT_FOUND,
        f"{what_id} tidak ditemukan.",
        f"{what_en} not found.",
    )


def unauthorized() -> ApiError:
    return ApiError(
        401,
        ErrorCode.UNAUTHORIZED,
        "Perangkat ini belum terdaftar atau pendaftarannya dicabut. Minta kode pendaftaran baru ke Disdukcapil.",
        "This device is not enrolled or its enrollment was revoked. Ask the office for a new enrollment code.",
        headers={"WWW-Authenticate": "Bearer"},
    )


def too_large(limit: int) -> ApiError:
    mb = limit / (1024 * 1024)
    return ApiError(
        413,
        ErrorCode.TOO_LARGE,
        f"Berkas atau permintaan terlalu besar (batas {mb:.0f} MB). Pindai ulang dengan resolusi lebih kecil atau bagi berkasnya.",
        f"File or request too large (limit {mb:.0f} MB). Rescan at a lower resolution or split the file.",
    )


def quota_exceeded(quota: int) -> ApiError:
    mb = quota / (1024 * 1024)
    return ApiError(
        413,
        ErrorCode.QUOTA_EXCEEDED,
        f"Kuota penyimpanan desa ini di server penuh ({mb:.0f} MB). Hubungi Disdukcapil.",
        f"This village's storage quota on the server is full ({mb:.0f} MB). Contact the office.",
    )


def describe_for_log(exc: BaseException) -> str:
    """An unhandled error as a log entry without the values involved: the exception's type,
    for a database error its driver error, SQLSTATE and statement (never its parameters, nor
    the driver's message, which quotes the failing row: NIK, names, phone numbers), and where
    it happened. Other exceptions' messages are left out too: they may quote a value."""
    from sqlalchemy.exc import DBAPIError

    lines = [f"unhandled {type(exc).__module__}.{type(exc).__qualname__}"]
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        lines.append(
            f"database error {type(orig).__module__}.{type(orig).__qualname__}"
            f" sqlstate={getattr(orig, 'sqlstate', None) or '-'}"
        )
        lines.append(f"statement: {' '.join(str(exc.statement or '').split())[:1000]}")
    lines.append("".join(traceback.format_tb(exc.__traceback__)).rstrip())
    return "\n".join(lines)


# The ErrorBody for statuses Starlette/FastAPI raise themselves (the ``HTTPException`` handler).
HTTP_MESSAGES: dict[int, tuple[ErrorCode, str, str]] = {
    400: (ErrorCode.INVALID_REQUEST, "Permintaan tidak valid.", "Bad request."),
    401: (ErrorCode.UNAUTHORIZED, "Tidak berwenang.", "Unauthorized."),
    403: (ErrorCode.FORBIDDEN, "Tidak diizinkan.", "Forbidden."),
    404: (ErrorCode.NOT_FOUND, "Tidak ditemukan.", "Not found."),
    405: (ErrorCode.INVALID_REQUEST, "Metode tidak didukung.", "Method not allowed."),
    413: (ErrorCode.TOO_LARGE, "Permintaan terlalu besar.", "Request too large."),
    415: (ErrorCode.INVALID_REQUEST, "Jenis isi tidak didukung.", "Unsupported content type."),
    429: (
        ErrorCode.RATE_LIMITED,
        "Terlalu banyak permintaan. Tunggu sebentar lalu coba lagi.",
        "Too many requests. Wait a moment and try again.",
    ),
}


def rate_limited(wait: float) -> ApiError:
    code, mid, men = HTTP_MESSAGES[429]
    return ApiError(429, code, mid, men, headers={"Retry-After": str(max(1, int(wait + 0.999)))})
