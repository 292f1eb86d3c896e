"""Checks at the edge that the wire models cannot express, so bad input is a 422 naming the
field instead of a database error: no NUL character in any text (PostgreSQL refuses it in
text columns, SQLite keeps it and every later reader chokes), and no timestamp outside the
years a database column can store and compare."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from desa_capil.api.models import ErrorCode, FieldProblem
from desa_capil.server.errors import ApiError

# Both ends are far from any real civil-registration event and well inside what SQLite's
# text timestamps and PostgreSQL's timestamptz convert without overflow.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def problems(value: Any, loc: list[str | int]) -> list[FieldProblem]:
    out: list[FieldProblem] = []
    if isinstance(value, str):
        if "\x00" in value:
            out.append(FieldProblem(loc=loc, message="contains a NUL character"))
    elif isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        if not EARLIEST <= aware <= LATEST:
            out.append(FieldProblem(loc=loc, message="timestamp out of range (1900-2200)"))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            out += problems(getattr(value, name), [*loc, name])
    elif isinstance(value, Mapping):
        for k, v in value.items():
            out += problems(k, [*loc, str(k).replace("\x00", "\\0")])
            out += problems(v, [*loc, str(k).replace("\x00", "\\0")])
    elif isinstance(value, Iterable) and not isinstance(value, bytes | bytearray):
        for i, v in enumerate(value):
            out += problems(v, [*loc, i])
    return out


def check(value: Any, loc: str = "body") -> None:
    """Raise 422 listing every field with a NUL character or an impossible timestamp."""
    found = problems(value, [loc])
    if found:
        raise ApiError(
            422,
            ErrorCode.INVALID_REQUEST,
            "Ada isian berisi karakter tersembunyi (NUL) atau tanggal yang mustahil; "
            "perbaiki kolom yang disebut lalu kirim lagi.",
            "Some fields contain a hidden NUL character or an impossible date; "
            "fix the listed fields and send again.",
            fields=found,
        )
