"""Villages, their enrollment codes and their laptops (office side)."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from desa_capil.api.models import (
    DeviceOut,
    EnrollmentCodeOut,
    ErrorCode,
    VillageOut,
)
from desa_capil.server.db import (
    Device,
    EnrollmentCode,
    Village,
    aware,
    utcnow,
)
from desa_capil.server.errors import ApiError, not_found
from desa_capil.server.services.core import (
    Area,
    audit,
    sha256_hex,
)

# Crockford-ish alphabet: no 0/O, 1/I/L, U. 12 symbols = 60 bits, typed as XXXX-XXXX-XXXX.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


class VillageService(Area):
    def _new_enrollment_code(self, s: Session, village: Village) -> EnrollmentCodeOut:
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
        expires = utcnow() + timedelta(seconds=self.settings.enrollment_code_ttl_seconds)
        assert village.id is not None
        s.add(EnrollmentCode(village_id=village.id, code_hash=sha256_hex(raw), expires_at=expires))
        shown = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        return EnrollmentCodeOut(village_code=village.code, enrollment_code=shown, expires_at=aware(expires))

    def create_village(self, code: str, name: str, actor: str) -> EnrollmentCodeOut:
        with self.db.session() as s:
            if s.exec(select(Village).where(Village.code == code)).first() is not None:
                raise ApiError(
                    409,
                    ErrorCode.CONFLICT,
                    f"Desa dengan kode {code} sudah ada.",
                    f"A village with code {code} already exists.",
                )
            village = Village(code=code, name=name)
            s.add(village)
            s.flush()
            out = self._new_enrollment_code(s, village)
            audit(s, actor, "village.create", code, name)
            s.commit()
        return out

    def new_enrollment_code(self, village_code: str, actor: str) -> EnrollmentCodeOut:
        with self.db.session() as s:
            village = s.exec(select(Village).where(Village.code == village_code)).first()
            if village is None:
                raise not_found("Desa", "Village")
            out = self._new_enrollment_code(s, village)
            audit(s, actor, "enrollment_code.create", village_code)
            s.commit()
        return out

    def list_villages(self) -> list[VillageOut]:
        with self.db.read_session() as s:
            counts = dict(
                s.exec(
                    select(Device.village_id, func.count())
                    .where(col(Device.revoked_at).is_(None))
                    .group_by(col(Device.village_id))
                ).all()
            )
            villages = s.exec(select(Village).order_by(col(Village.code))).all()
        return [
            VillageOut(
                id=v.id or 0,
                code=v.code,
                name=v.name,
                created_at=aware(v.created_at),
                devices=counts.get(v.id or 0, 0),
            )
            for v in villages
        ]

    def list_devices(self, village_code: str | None = None) -> list[DeviceOut]:
        with self.db.read_session() as s:
            q = select(Device, Village.code).join(Village, col(Village.id) == Device.village_id)
            if village_code:
                q = q.where(Village.code == village_code)
            rows = s.exec(q.order_by(col(Device.enrolled_at))).all()
        return [self._device_out(d, code) for d, code in rows]

    @staticmethod
    def _device_out(d: Device, village_code: str) -> DeviceOut:
        return DeviceOut(
            id=uuid.UUID(d.id),
            village_code=village_code,
            name=d.name,
            app_version=d.app_version,
            enrolled_at=aware(d.enrolled_at),
            last_seen_at=aware(d.last_seen_at) if d.last_seen_at else None,
            revoked_at=aware(d.revoked_at) if d.revoked_at else None,
        )

    def revoke_device(self, device_id: uuid.UUID, actor: str) -> DeviceOut:
        with self.db.session() as s:
            d = s.get(Device, device_id.hex)
            if d is None:
                raise not_found("Perangkat", "Device")
            if d.revoked_at is None:
                d.revoked_at = utcnow()
                s.add(d)
                audit(s, actor, "device.revoke", d.id)
            village = s.get(Village, d.village_id)
            assert village is not None
            s.commit()
        return self._device_out(d, village.code)
