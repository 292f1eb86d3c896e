"""Tables of the USB route at the office (server/usb.py): device keys, enrollment files, imports.

Kept apart from db.py so the route's state has one owner; registered on ServerTable's metadata
by importing this module (the service facade does), migrated by revision 0007.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field

from desa_capil.server.db import ServerTable, utcnow


class UsbDevice(ServerTable, table=True):
    """A village laptop's USB-route state: its public keys and how far the office knows it."""

    device_id: str = Field(primary_key=True, max_length=32, foreign_key="device.id")
    sign_public: str | None = Field(default=None, max_length=80)
    box_public: str | None = Field(default=None, max_length=100)
    keys_at: datetime | None = None
    keys_via: str = Field(default="", max_length=20)  # "online" or "enrollment"
    # The laptop's change cursor as its last bundle said: the next return bundle starts there.
    cursor: int = 0
    last_seq: int = 0  # highest village bundle seq imported
    return_seq: int = 0  # last return bundle seq made for this laptop


class UsbEnrollment(ServerTable, table=True):
    """An enrollment file the office issued; one device, used once (see usbroute/enrollment.py)."""

    id: str = Field(primary_key=True, max_length=32)
    village_id: int = Field(foreign_key="village.id", index=True)
    device_id: str = Field(max_length=32, index=True)
    secret: str = Field(max_length=64)
    # The paper code, normalised: needed to check proofs (the HMAC key is derived from it).
    code: str = Field(max_length=16)
    server_url: str = Field(default="", max_length=300)
    issued_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    failures: int = 0
    actor: str = Field(default="", max_length=40)


class UsbImport(ServerTable, table=True):
    """One village bundle imported: the same bundle again answers this stored report."""

    bundle_id: str = Field(primary_key=True, max_length=32)
    device_id: str = Field(max_length=32, index=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    seq: int
    file_sha256: str = Field(max_length=64)
    carrier: str = Field(default="", max_length=60)  # "office:<actor>" or "relay:<device id>"
    imported_at: datetime = Field(default_factory=utcnow)
    report_json: str = Field(sa_column=Column(Text, nullable=False))
