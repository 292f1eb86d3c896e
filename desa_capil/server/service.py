"""What the central server does, independent of HTTP: one facade over the area services.

The work is done in ``desa_capil.server.services`` (one module per area: access, uploads,
batches, changes, events, applications, documents, dispatch, villages, catalog). This class
builds them over one database and file storage and keeps the names the routes, the CLI, the
console and the USB route call, so callers need not know which area does what.

Every village-side method takes a ``DeviceCtx`` and filters by its village: a record of
another village is indistinguishable from a missing one (404). Office methods take an
``actor`` string for the admin log. Nothing here logs a token, an enrollment code or
personal data.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from desa_capil.api.models import (
    AdminLogEntry,
    ApplicationList,
    ApplicationOut,
    BatchManifest,
    BatchReceipt,
    ChangePage,
    DeviceOut,
    DispatchOut,
    EnrollmentCodeOut,
    EnrollResponse,
    EventIn,
    EventsResult,
    FinishedDocumentOut,
    Health,
    VillageOut,
)
from desa_capil.domain.status import Status
from desa_capil.server import bundles
from desa_capil.server import usb_models as _usb_models  # noqa: F401 - registers the USB route's tables
from desa_capil.server.config import Settings
from desa_capil.server.db import AppDocument, Database, FinishedDocument, Upload, create_schema, open_database
from desa_capil.server.services.access import AccessService
from desa_capil.server.services.applications import ApplicationService
from desa_capil.server.services.batches import BatchService
from desa_capil.server.services.catalog import CatalogService
from desa_capil.server.services.changes import ChangeService
from desa_capil.server.services.core import (
    Core,
    DeviceCtx,
    file_sha256,
    normalize_enrollment_code,
    sha256_hex,
)
from desa_capil.server.services.core import canonical as _canonical
from desa_capil.server.services.dispatch import DispatchService
from desa_capil.server.services.documents import DocumentService
from desa_capil.server.services.events import EventService
from desa_capil.server.services.uploads import UploadService
from desa_capil.server.services.villages import VillageService
from desa_capil.server.storage import Storage, open_storage

__all__ = [
    "CentralService",
    "DeviceCtx",
    "_canonical",
    "file_sha256",
    "normalize_enrollment_code",
    "sha256_hex",
]


class CentralService:
    def __init__(self, settings: Settings, db: Database | None = None) -> None:
        self.settings = settings
        settings.ensure_dirs()
        self.db = db or open_database(settings.db_url)
        create_schema(self.db)
        self.storage: Storage = open_storage(settings)
        with self.db.read_session() as s:
            bundles.install_published(s)  # the office's own catalog versions, if any
        core = Core(settings, self.db, self.storage)
        self.access = AccessService(core)
        self.uploads = UploadService(core)
        self.batches = BatchService(core, self.uploads)
        self.changes_feed = ChangeService(core)
        self.events = EventService(core)
        self.applications = ApplicationService(core)
        self.documents = DocumentService(core)
        self.dispatches = DispatchService(core, self.applications)
        self.villages = VillageService(core)
        self.catalog = CatalogService(core)

    def close(self) -> None:
        self.db.dispose()

    def admin_token(self) -> str:
        return self.access.admin_token()

    def upload_path(self, upload_id: str) -> Path:
        return self.uploads.upload_path(upload_id)

    def finished_path(self, doc_id: str) -> Path:
        return self.documents.finished_path(doc_id)

    def health(self) -> Health:
        return self.access.health()

    def enroll(self, code: str, device_name: str, app_version: str) -> EnrollResponse:
        return self.access.enroll(code, device_name, app_version)

    def authenticate(self, token: str) -> DeviceCtx | None:
        return self.access.authenticate(token)

    def create_upload(
        self,
        ctx: DeviceCtx,
        length: int,
        meta: dict[str, str],
        raw_metadata: str = "",
        *,
        upload_id: str | None = None,
        concat: str = "",
    ) -> Upload:
        return self.uploads.create_upload(ctx, length, meta, raw_metadata, upload_id=upload_id, concat=concat)

    def concatenate(
        self,
        ctx: DeviceCtx,
        part_ids: Sequence[str],
        meta: dict[str, str],
        raw_metadata: str = "",
        *,
        length: int | None = None,
    ) -> Upload:
        return self.uploads.concatenate(ctx, part_ids, meta, raw_metadata, length=length)

    def get_upload(self, ctx: DeviceCtx, upload_id: str) -> Upload:
        return self.uploads.get_upload(ctx, upload_id)

    def get_upload_unchecked(self, upload_id: str) -> Upload:
        return self.uploads.get_upload_unchecked(upload_id)

    def upload_offset(self, up: Upload) -> int:
        return self.uploads.upload_offset(up)

    def claim_upload(self, up: Upload, *, patch: bool = False) -> Upload:
        return self.uploads.claim(up, patch=patch)

    def finish_patch(self, upload: Upload, offset: int, *, claimed: bool = True) -> Upload:
        return self.uploads.finish_patch(upload, offset, claimed=claimed)

    def append_part(
        self, upload: Upload, offset: int, source: IO[bytes], size: int, *, claimed: bool = True
    ) -> Upload:
        return self.uploads.append_part(upload, offset, source, size, claimed=claimed)

    def delete_upload(self, ctx: DeviceCtx, upload_id: str) -> None:
        return self.uploads.delete_upload(ctx, upload_id)

    def purge_expired_uploads(self) -> int:
        return self.uploads.purge_expired_uploads()

    def put_batch(
        self, ctx: DeviceCtx, batch_id: uuid.UUID, manifest: BatchManifest
    ) -> tuple[BatchReceipt, bool]:
        return self.batches.put_batch(ctx, batch_id, manifest)

    def changes(self, ctx: DeviceCtx, after: int, limit: int) -> ChangePage:
        return self.changes_feed.changes(ctx, after, limit)

    def post_events(self, ctx: DeviceCtx, events: Sequence[EventIn]) -> EventsResult:
        return self.events.post_events(ctx, events)

    def village_document(self, ctx: DeviceCtx, doc_id: uuid.UUID) -> tuple[FinishedDocument, Path]:
        return self.documents.village_document(ctx, doc_id)

    def create_village(self, code: str, name: str, actor: str) -> EnrollmentCodeOut:
        return self.villages.create_village(code, name, actor)

    def new_enrollment_code(self, village_code: str, actor: str) -> EnrollmentCodeOut:
        return self.villages.new_enrollment_code(village_code, actor)

    def list_villages(self) -> list[VillageOut]:
        return self.villages.list_villages()

    def list_devices(self, village_code: str | None = None) -> list[DeviceOut]:
        return self.villages.list_devices(village_code)

    def revoke_device(self, device_id: uuid.UUID, actor: str) -> DeviceOut:
        return self.villages.revoke_device(device_id, actor)

    def list_applications(
        self,
        *,
        status: Status | None = None,
        village_code: str | None = None,
        after_id: int = 0,
        limit: int = 100,
    ) -> ApplicationList:
        return self.applications.list_applications(
            status=status, village_code=village_code, after_id=after_id, limit=limit
        )

    def get_application(self, app_id: int) -> ApplicationOut:
        return self.applications.get_application(app_id)

    def application_file(self, app_id: int, doc_id: uuid.UUID) -> tuple[AppDocument, Path]:
        return self.applications.application_file(app_id, doc_id)

    def set_status(self, app_id: int, status: Status, message: str, actor: str) -> ApplicationOut:
        return self.applications.set_status(app_id, status, message, actor)

    def attach_finished(
        self, app_id: int, title: str, source: Path | None, actor: str, output: str = ""
    ) -> FinishedDocumentOut:
        return self.documents.attach_finished(app_id, title, source, actor, output)

    def dispatch(self, village_code: str, app_ids: Sequence[int], message: str, actor: str) -> DispatchOut:
        return self.dispatches.dispatch(village_code, app_ids, message, actor)

    def publish_catalog(self, raw: dict[str, Any], actor: str) -> str:
        return self.catalog.publish_catalog(raw, actor)

    def latest_catalog(self) -> tuple[str, dict[str, Any]] | None:
        return self.catalog.latest_catalog()

    def admin_log(self, limit: int = 100) -> list[AdminLogEntry]:
        return self.catalog.admin_log(limit)
