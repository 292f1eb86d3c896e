"""Numbers and times as an Indonesian village operator reads them (decimal comma, dd-mm-yyyy)."""

from __future__ import annotations

from datetime import UTC, datetime

from desa_capil.ui.i18n import lang


def format_bytes(n: int) -> str:
    """1536 -> '1,5 KB' (Indonesian) or '1.5 KB' (English)."""
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            text = f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
            return text if lang() == "en" else text.replace(".", ",")
        value /= 1024
    raise AssertionError("unreachable")


def format_datetime(dt: datetime) -> str:
    """Local time; naive datetimes from SQLite are UTC."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone().strftime("%d-%m-%Y %H:%M")
