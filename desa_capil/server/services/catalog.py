"""The office's service catalog versions and the admin log."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from desa_capil.api.models import (
    AdminLogEntry,
    ErrorCode,
)
from desa_capil.server import bundles
from desa_capil.server.db import (
    AdminAction,
    aware,
)
from desa_capil.server.errors import ApiError
from desa_capil.server.services.core import (
    Area,
    audit,
)


class CatalogService(Area):
    def publish_catalog(self, raw: dict[str, Any], actor: str) -> str:
        """Publish the office's catalog version (bundles.py); 422 when unusable, 409 when the
        version exists."""
        from desa_capil.domain.catalog import CatalogError

        try:
            with self.db.session() as s:
                version = bundles.publish_catalog(s, raw, actor)
                audit(s, actor, "catalog.publish", version, "")
                s.commit()
        except CatalogError as exc:
            raise ApiError(
                422,
                ErrorCode.INVALID_REQUEST,
                f"Katalog layanan tidak bisa dipakai: {exc}",
                f"The service catalog cannot be used: {exc}",
            ) from exc
        except ValueError as exc:
            raise ApiError(
                409,
                ErrorCode.CONFLICT,
                f"Katalog versi {exc} sudah pernah diterbitkan; beri nomor versi baru.",
                f"Catalog version {exc} was published before; give it a new version number.",
            ) from exc
        return version

    def latest_catalog(self) -> tuple[str, dict[str, Any]] | None:
        with self.db.read_session() as s:
            return bundles.latest_catalog(s)

    def admin_log(self, limit: int = 100) -> list[AdminLogEntry]:
        with self.db.read_session() as s:
            rows = s.exec(select(AdminAction).order_by(col(AdminAction.id).desc()).limit(limit)).all()
        return [
            AdminLogEntry(
                id=r.id or 0, at=aware(r.at), actor=r.actor, action=r.action, target=r.target, detail=r.detail
            )
            for r in rows
        ]
