"""What every area service shares: the settings, the database and the file storage of one
server process, the calling device, hashing, the office audit log and the office's status
rule. Nothing here logs a token, an enrollment code or personal data."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from desa_capil.api.models import ErrorCode
from desa_capil.domain.status import Actor, Status, TransitionError, check_transition
from desa_capil.server.config import Settings
from desa_capil.server.db import AdminAction, Database
from desa_capil.server.errors import ApiError
from desa_capil.server.storage import Storage

log = logging.getLogger(__name__)

DISPATCHED_OR_LATER = {Status.DISPATCHED.value, Status.ARRIVED.value, Status.HANDED_OVER.value}


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            h.update(chunk)
    return h.hexdigest()


def normalize_enrollment_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def canonical(obj: Any) -> str:
    """The JSON form content hashes are taken of (sorted keys, no spaces)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class DeviceCtx:
    device_id: str
    village_id: int
    village_code: str


@dataclass(frozen=True)
class Core:
    """One server process's settings, database and file storage, shared by the area services."""

    settings: Settings
    db: Database
    storage: Storage


class Area:
    """Base of an area service: ``self.settings``, ``self.db``, ``self.storage``."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.settings = core.settings
        self.db = core.db
        self.storage = core.storage


def audit(s: Session, actor: str, action: str, target: str, detail: str = "") -> None:
    """One office action in the admin log (same transaction as the action)."""
    s.add(AdminAction(actor=actor, action=action, target=target, detail=detail))
    log.info("admin %s: %s %s %s", actor, action, target, detail)


def office_transition(current: Status, target: Status) -> None:
    """409 unless the office may move an application from ``current`` to ``target``."""
    try:
        check_transition(current, target, Actor.OFFICE)
    except TransitionError as exc:
        raise ApiError(
            409,
            ErrorCode.TRANSITION_NOT_ALLOWED,
            f"Status tidak bisa diubah dari '{current.value}' ke '{target.value}'.",
            f"The status cannot change from '{current.value}' to '{target.value}'.",
        ) from exc
