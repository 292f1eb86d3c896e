"""Time helpers shared by every layer (store, sync, reports, security, ui).

SQLite keeps datetimes without their timezone; everything the app stores is UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(value: datetime) -> datetime:
    """A stored datetime as an aware UTC datetime (SQLite drops the timezone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
