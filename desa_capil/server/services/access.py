"""Health, enrollment of a laptop, device tokens and the office's admin token."""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import text
from sqlmodel import col, select

from desa_capil import __version__
from desa_capil.api.models import (
    EnrollResponse,
    ErrorCode,
    Health,
    VillageInfo,
)
from desa_capil.server.db import (
    Device,
    EnrollmentCode,
    Village,
    aware,
    utcnow,
)
from desa_capil.server.errors import ApiError
from desa_capil.server.services.core import (
    Area,
    DeviceCtx,
    normalize_enrollment_code,
    sha256_hex,
)

log = logging.getLogger(__name__)
_LAST_SEEN_EVERY = timedelta(minutes=5)


class AccessService(Area):
    def admin_token(self) -> str:
        """The office's admin token: configured (Settings / env), else one kept in the
        database, made once, so every process and host behind a balancer agrees on it. A
        token an older release wrote to ``data_dir/admin_token`` is taken over."""
        explicit = self.settings.explicit_admin_token()
        if explicit:
            return explicit
        legacy = self.settings.legacy_admin_token_file
        candidate = "dca_" + secrets.token_urlsafe(32)
        if legacy.exists():
            candidate = legacy.read_text(encoding="utf-8").strip() or candidate
        with self.db.write.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO sharedstate (name, value) VALUES ('admin_token', :v) ON CONFLICT (name) DO NOTHING"
                ),
                {"v": candidate},
            )
            token = str(
                conn.execute(text("SELECT value FROM sharedstate WHERE name = 'admin_token'")).scalar_one()
            )
        return token

    def health(self) -> Health:
        with self.db.read_session() as s:
            s.exec(select(1)).one()  # the database answers
        return Health(server_time=aware(utcnow()), server_version=__version__)

    def enroll(self, code: str, device_name: str, app_version: str) -> EnrollResponse:
        bad = ApiError(
            400,
            ErrorCode.ENROLLMENT_CODE_INVALID,
            "Kode pendaftaran salah, sudah dipakai, atau kedaluwarsa. Periksa kodenya atau minta kode baru ke Disdukcapil.",
            "The enrollment code is wrong, already used or expired. Check it or ask the office for a new one.",
        )
        code_hash = sha256_hex(normalize_enrollment_code(code))
        token = "dcd_" + secrets.token_urlsafe(32)
        device_id = uuid.uuid4().hex
        now = utcnow()
        with self.db.session() as s:
            row = s.exec(
                select(EnrollmentCode).where(EnrollmentCode.code_hash == code_hash).with_for_update()
            ).first()
            if row is None or row.used_at is not None or row.expires_at < now:
                raise bad
            village = s.get(Village, row.village_id)
            assert village is not None
            row.used_at = now
            row.device_id = device_id
            s.add(row)
            s.add(
                Device(
                    id=device_id,
                    village_id=row.village_id,
                    name=device_name,
                    app_version=app_version,
                    token_hash=sha256_hex(token),
                    enrolled_at=now,
                    last_seen_at=now,
                )
            )
            s.commit()
            log.info("device %s enrolled for village %s", device_id, village.code)
            return EnrollResponse(
                device_id=uuid.UUID(device_id),
                token=token,
                village=VillageInfo(code=village.code, name=village.name),
                server_time=aware(now),
            )

    def authenticate(self, token: str) -> DeviceCtx | None:
        if not token:
            return None
        token_hash = sha256_hex(token)
        with self.db.read_session() as s:
            row = s.exec(
                select(Device, Village)
                .join(Village, col(Village.id) == Device.village_id)
                .where(Device.token_hash == token_hash)
            ).first()
        if row is None:
            return None
        device, village = row
        if device.revoked_at is not None:
            return None
        now = utcnow()
        if device.last_seen_at is None or now - device.last_seen_at > _LAST_SEEN_EVERY:
            with self.db.session() as s:
                d = s.get(Device, device.id)
                if d is not None:
                    d.last_seen_at = now
                    s.add(d)
                    s.commit()
        assert village.id is not None
        return DeviceCtx(device.id, village.id, village.code)
