"""The console's own tables, on the server's metadata so ``db.create_schema`` makes them.

Staff accounts and their sessions, the honest waiting states ("menunggu blanko", "gangguan
SIAK") that the status machine does not model, duplicate marks, and reusable reason texts.
Nothing here is read by the village API.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text
from sqlmodel import Field

from desa_capil.server.db import ServerTable, utcnow


class Role(StrEnum):
    """SIAK's roles (Permendagri 95/2019). Each role may do what the ones before it may."""

    OPERATOR = "operator"
    VERIFIKATOR = "verifikator"
    ADMIN = "admin"


ROLE_RANK = {Role.OPERATOR: 1, Role.VERIFIKATOR: 2, Role.ADMIN: 3}
ROLE_LABELS = {Role.OPERATOR: "Operator", Role.VERIFIKATOR: "Verifikator", Role.ADMIN: "Administrator"}


class StaffUser(ServerTable, table=True):
    __tablename__ = "console_staff"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True, max_length=32)
    full_name: str = Field(max_length=100)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=200)
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class StaffSession(ServerTable, table=True):
    """A login. Kept in the database (not in process memory) so any worker can serve it."""

    __tablename__ = "console_session"
    token_hash: str = Field(primary_key=True, max_length=64)
    staff_id: int = Field(foreign_key="console_staff.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    # A one-time message for the next page (post/redirect/get), "ok:..." or "error:...".
    flash: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class HoldKind(StrEnum):
    BLANKO = "blanko"
    SIAK = "siak"
    TTE = "tte"
    OTHER = "lainnya"


HOLD_LABELS = {
    HoldKind.BLANKO: "Menunggu blanko KTP-el / KIA",
    HoldKind.SIAK: "Gangguan SIAK Terpusat",
    HoldKind.TTE: "Gangguan tanda tangan elektronik (TTE)",
    HoldKind.OTHER: "Menunggu hal lain",
}


class Hold(ServerTable, table=True):
    """An application the office cannot move on with, for a reason outside the village's hands.
    Its status stays ``processing``; the village is told why through the change message."""

    __tablename__ = "console_hold"
    __table_args__ = (Index("ix_console_hold_open", "cleared_at", "application_id"),)
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    kind: str = Field(max_length=16)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    suket_number: str = Field(default="", max_length=60)
    suket_expires: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=40)
    cleared_at: datetime | None = None


class DuplicateMark(ServerTable, table=True):
    __tablename__ = "console_duplicate"
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    other_application_id: int | None = None
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=40)


class ReasonKind(StrEnum):
    FIX = "fix"
    REJECT = "reject"


class ReasonTemplate(ServerTable, table=True):
    __tablename__ = "console_reason"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


DEFAULT_REASONS: list[tuple[ReasonKind, str]] = [
    (ReasonKind.FIX, "Foto/pindaian buram atau terpotong; pindai ulang seluruh halaman dengan jelas."),
    (ReasonKind.FIX, "Halaman belakang belum dipindai; kirim kedua sisi."),
    (ReasonKind.FIX, "Berkas yang dikirim bukan berkas yang diminta; periksa lagi daftar persyaratan."),
    (ReasonKind.FIX, "Tanda tangan atau cap belum ada; lengkapi lalu pindai ulang."),
    (ReasonKind.FIX, "Data pemohon tidak sama dengan KK; periksa NIK dan nama."),
    (ReasonKind.REJECT, "Layanan ini harus diurus langsung di kantor Disdukcapil (perekaman biometrik)."),
    (ReasonKind.REJECT, "Permohonan ganda: permohonan yang sama sudah diproses."),
    (ReasonKind.REJECT, "Pemohon bukan penduduk wilayah kabupaten ini."),
]
