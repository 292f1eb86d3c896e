"""tus uploads: creation, offsets, parts on object storage, expiry, and the check a batch makes of
each document's upload.

Expiry: an upload not yet named by a manifest is deleted (``purge_expired_uploads``) when its
``expires_at`` passes. A new upload gets ``upload_unclaimed_expiry_seconds`` (a day): the
creation alone does not show that its client heard the answer (it may have been lost on a cut
link, or the creation's body cut), and an upload its client does not know is an orphan that
would count against the village's quota for the whole ``upload_expiry_seconds`` (a week). A
request that names the upload shows its client knows it, and gives it the full expiry: a PATCH
(``finish_patch`` / ``append_part``; and ``claim`` as it begins, should it begin in the upload's
last hours, so that the purge does not delete the upload under it), a HEAD (``claim``; written
only when less than half of the full window is left, so a client polling HEAD does not write a
row per look), a final concatenation naming it as a part. Neither the purge nor a claim ever
gives a consumed upload an expiry back or deletes it (each says so in its own statement). An
upload complete at its creation (length 0, a creation whose body brought the whole file, a final
concatenation) gets the full expiry at once: its client has nothing more to ask before the
manifest that uses it, which may come days later (a laptop switched off mid-batch over a
weekend); a whole-file creation whose answer was lost (our client sends at most one such per
stream and run: later creations carry no body) therefore stays until then. A client that comes
back after the short window to an upload it never touched hears 404/410 and sends the file again
from zero."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from sqlalchemy import case, delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from desa_capil.api.models import (
    ErrorCode,
    UploadProblemKind,
)
from desa_capil.server.db import (
    Upload,
    UploadPart,
    Village,
    aware,
    utcnow,
)
from desa_capil.server.errors import ApiError, not_found, quota_exceeded, too_large
from desa_capil.server.services.core import (
    Area,
    DeviceCtx,
    file_sha256,
    sha256_hex,
)

log = logging.getLogger(__name__)

MAX_CONCAT_PARTS = 64  # partial uploads one final upload may name


def _concat_error(mid: str, men: str, status: int = 400) -> ApiError:
    return ApiError(status, ErrorCode.INVALID_REQUEST, mid, men)


@dataclass(frozen=True)
class ReceivedFile:
    """A file that arrived whole by another route than tus (a USB bundle, server/usb.py)."""

    upload_id: str  # uuid hex, free (the caller checked)
    length: int
    sha256: str  # already checked against the bytes by the route that brought them
    filename: str
    write: Callable[[Path], None]  # writes the bytes to the given path (temp name, then rename)


class UploadService(Area):
    def upload_path(self, upload_id: str) -> Path:
        """A local file with the upload's bytes (with object storage: a cached copy of a
        complete upload)."""
        return self.storage.upload_path(upload_id)

    def create_upload(
        self,
        ctx: DeviceCtx,
        length: int,
        meta: dict[str, str],
        raw_metadata: str = "",
        *,
        upload_id: str | None = None,
        concat: str = "",
        freed: int = 0,
    ) -> Upload:
        """A new upload; ``upload_id`` is the id a village laptop chose for a document that came
        on a USB stick (server/usb.py), so its manifest names it as the laptop wrote it.
        ``concat``: "partial" for a part of a file (tus Concatenation), see ``concatenate``;
        ``freed``: bytes of the village's uploads that go once this one exists (the parts a final
        upload joins), not counted against the quota."""
        if length > self.settings.max_upload_size:
            raise too_large(self.settings.max_upload_size)
        upload_id = upload_id or uuid.uuid4().hex
        now = utcnow()
        min_cost = self.settings.upload_min_cost
        with self.db.session() as s:
            # One creation per village at a time (a PostgreSQL row lock; SQLite's writer lock
            # already does it), or two could both see room for themselves and overrun the quota.
            s.exec(select(Village.id).where(Village.id == ctx.village_id).with_for_update()).one()
            # Every upload costs at least min_cost: empty or tiny ones are not free.
            cost = case((col(Upload.length) < min_cost, min_cost), else_=col(Upload.length))
            used = s.exec(
                select(func.coalesce(func.sum(cost), 0)).where(Upload.village_id == ctx.village_id)
            ).one()
            if int(used) - freed + max(length, min_cost) > self.settings.village_quota:
                raise quota_exceeded(self.settings.village_quota)
            up = Upload(
                id=upload_id,
                village_id=ctx.village_id,
                device_id=ctx.device_id,
                length=length,
                filename=meta.get("filename", "")[:255],
                filetype=meta.get("filetype", "")[:100],
                sha256_claimed=meta.get("sha256", "").lower()[:64],
                created_at=now,
                updated_at=now,
                # Unclaimed until a later request names it (see the module docstring).
                expires_at=now + timedelta(seconds=self._expiry_at_creation(length)),
                upload_metadata=raw_metadata,
                concat=concat,
            )
            self.storage.create_upload(upload_id)
            if length == 0:
                up.sha256 = sha256_hex(b"")
            s.add(up)
            s.commit()
        return up

    def _expiry_at_creation(self, length: int) -> int:
        """Seconds a new upload of ``length`` bytes lives unless claimed: the short window, or
        the full one for an empty upload (complete at once: nothing left to ask about it)."""
        s = self.settings
        return s.upload_expiry_seconds if length == 0 else s.upload_unclaimed_expiry_seconds

    def _full_expiry(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.settings.upload_expiry_seconds)

    def claim(self, up: Upload, *, patch: bool = False) -> Upload:
        """A request showed that the upload's client knows it (a HEAD): the full expiry, written
        only when less than half of it is left (a client polling HEAD costs no write per look;
        an upload just made, with the short window, is claimed by its first HEAD). The row as
        it stands afterwards (its ``expires_at`` is what ``Upload-Expires`` must say).

        ``patch``: a PATCH as it begins (its end claims the upload anyway), written only when
        less than half of the short window is left: a fresh upload's first PATCH costs no
        write here, one that begins in its upload's last hours (a paused file resumes without
        a HEAD) keeps the purge from deleting the upload under it."""
        if up.expires_at is None:
            return up
        now = utcnow()
        settings = self.settings
        due = settings.upload_unclaimed_expiry_seconds if patch else settings.upload_expiry_seconds
        if aware(up.expires_at) - now >= timedelta(seconds=due / 2):
            return up
        self._claim_ids([up.id], now)
        with self.db.read_session() as s:
            row = s.get(Upload, up.id)
        return row if row is not None else up

    def _claim_ids(self, upload_ids: Sequence[str], now: datetime) -> None:
        """The full expiry for these uploads, unless a manifest consumed them meanwhile (no
        expiry then) or they already have it."""
        until = self._full_expiry(now)
        with self.db.session() as s:
            s.execute(
                update(Upload)
                .where(
                    col(Upload.id).in_(list(upload_ids)),
                    col(Upload.expires_at).is_not(None),
                    col(Upload.expires_at) < until,
                )
                .values(expires_at=until)
            )
            s.commit()

    def concatenate(
        self,
        ctx: DeviceCtx,
        part_ids: Sequence[str],
        meta: dict[str, str],
        raw_metadata: str = "",
        *,
        length: int | None = None,
    ) -> Upload:
        """tus Concatenation: a complete upload assembled from this village's complete partial
        uploads, in the order given (local storage only). The parts are checked first (each
        known, partial and complete, else 404/410/400 naming it); the assembled file is written
        and fsynced, its SHA-256 recorded, and only then are the parts deleted (a final upload
        whose answer was lost cannot be made again: the client sends the file anew). ``length``:
        the Upload-Length the client sent, if any; it must be the parts' sum."""
        if not self.storage.appends_in_place:
            raise RuntimeError("concatenation needs local upload storage")
        if not part_ids or len(part_ids) > MAX_CONCAT_PARTS:
            raise _concat_error(
                f"Upload-Concat final harus menyebut 1-{MAX_CONCAT_PARTS} unggahan bagian.",
                f"Upload-Concat final must name 1-{MAX_CONCAT_PARTS} partial uploads.",
            )
        parts = [self.get_upload(ctx, part_id) for part_id in part_ids]  # 404 / 410
        # Named by this request: their client knows them. Claimed before anything else, so the
        # short window of a part (or a purge while this final is assembled) does not take them.
        self._claim_ids(list(dict.fromkeys(part_ids)), utcnow())
        for up in parts:
            if up.concat != "partial":
                raise _concat_error(
                    f"Unggahan {up.id} bukan unggahan bagian (Upload-Concat: partial).",
                    f"Upload {up.id} is not a partial upload (Upload-Concat: partial).",
                )
            if self.upload_offset(up) < up.length:
                raise _concat_error(
                    f"Unggahan bagian {up.id} belum lengkap; kirim sisanya dulu.",
                    f"Partial upload {up.id} is not complete; send the rest first.",
                )
        total = sum(up.length for up in parts)
        if length is not None and length != total:
            raise _concat_error(
                "Upload-Length tidak sama dengan jumlah panjang unggahan bagian.",
                "Upload-Length differs from the sum of the partial uploads' lengths.",
            )
        freed = sum(max(up.length, self.settings.upload_min_cost) for up in {p.id: p for p in parts}.values())
        final = self.create_upload(
            ctx, total, meta, raw_metadata, concat="final;" + " ".join(part_ids), freed=freed
        )
        try:
            with self.upload_path(final.id).open("r+b") as out:
                for up in parts:
                    copied = 0
                    try:
                        src = self.upload_path(up.id).open("rb")
                    except FileNotFoundError:
                        src = None  # another final upload joined it and removed it just now
                    if src is not None:
                        with src:
                            while copied < up.length and (
                                block := src.read(min(1 << 20, up.length - copied))
                            ):
                                out.write(block)
                                copied += len(block)
                    if copied != up.length:  # removed or cut short meanwhile
                        raise _concat_error(
                            f"Unggahan bagian {up.id} berubah saat digabung; kirim berkasnya lagi.",
                            f"Partial upload {up.id} changed while being joined; send the file again.",
                            status=409,
                        )
                out.flush()
                os.fsync(out.fileno())
            final = self.finish_patch(final, total)
        except BaseException:
            self._drop(final.id)
            raise
        for part_id in dict.fromkeys(part_ids):
            self._drop(part_id)
        return final

    def _drop(self, upload_id: str) -> None:
        """An upload no document uses, gone (record and bytes)."""
        with self.db.session() as s:
            row = s.get(Upload, upload_id)
            if row is not None and row.document_id is None:
                s.delete(row)
                s.commit()
        self.storage.delete_upload(upload_id)

    def add_received(self, ctx: DeviceCtx, files: Sequence[ReceivedFile]) -> list[str]:
        """Complete uploads for files that came whole by another route: the bytes are written
        first, then every record in ONE transaction under the same quota rule as a tus creation
        (a USB bundle of 600 pages is 600 commits fewer). Local storage only: with object storage
        the caller goes through ``create_upload`` / ``append_part`` per file."""
        if not self.storage.appends_in_place:
            raise RuntimeError("add_received needs local upload storage")
        for f in files:
            if f.length > self.settings.max_upload_size:
                raise too_large(self.settings.max_upload_size)
        written: list[str] = []
        try:
            for f in files:
                path = self.upload_path(f.upload_id)
                try:
                    path.touch(mode=0o600, exist_ok=False)  # claimed: only this call writes it
                except FileExistsError:
                    raise ApiError(
                        409,
                        ErrorCode.CONFLICT,
                        "Berkas yang sama sedang diterima lewat jalur lain. Coba lagi sebentar lagi.",
                        "The same file is being received by another route. Try again in a moment.",
                    ) from None
                written.append(f.upload_id)
                f.write(path)
            with self.db.session() as s:
                self.add_received_in(s, ctx, files)
                s.commit()
        except BaseException:
            for upload_id in written:
                self.storage.delete_upload(upload_id)
            raise
        return written

    def add_received_in(self, s: Session, ctx: DeviceCtx, files: Sequence[ReceivedFile]) -> None:
        """The upload records of files already written to their place (``upload_path``), in
        the caller's transaction, under the same quota rule as a tus creation. Until the
        caller commits, the files are orphans that no record names (server/usb.py collects
        the ones a crash leaves)."""
        for f in files:
            if f.length > self.settings.max_upload_size:
                raise too_large(self.settings.max_upload_size)
        now = utcnow()
        min_cost = self.settings.upload_min_cost
        s.exec(select(Village.id).where(Village.id == ctx.village_id).with_for_update()).one()
        cost = case((col(Upload.length) < min_cost, min_cost), else_=col(Upload.length))
        used = s.exec(
            select(func.coalesce(func.sum(cost), 0)).where(Upload.village_id == ctx.village_id)
        ).one()
        wanted = sum(max(f.length, min_cost) for f in files)
        if int(used) + wanted > self.settings.village_quota:
            raise quota_exceeded(self.settings.village_quota)
        for f in files:
            s.add(
                Upload(
                    id=f.upload_id,
                    village_id=ctx.village_id,
                    device_id=ctx.device_id,
                    length=f.length,
                    offset=f.length,
                    filename=f.filename[:255],
                    sha256_claimed=f.sha256,
                    sha256=f.sha256,
                    created_at=now,
                    updated_at=now,
                    expires_at=now + timedelta(seconds=self.settings.upload_expiry_seconds),
                )
            )
        s.flush()

    def get_upload(self, ctx: DeviceCtx, upload_id: str) -> Upload:
        """The upload, or 404 (unknown / other village) / 410 (expired)."""
        if len(upload_id) != 32 or not all(c in "0123456789abcdef" for c in upload_id):
            raise not_found("Unggahan", "Upload")
        with self.db.read_session() as s:
            up = s.get(Upload, upload_id)
        if up is None or up.village_id != ctx.village_id:
            raise not_found("Unggahan", "Upload")
        if up.expires_at is not None and up.expires_at < utcnow():
            raise ApiError(
                410,
                ErrorCode.GONE,
                "Unggahan ini sudah kedaluwarsa dan dihapus. Kirim ulang berkasnya dari awal.",
                "This upload expired and was deleted. Send the file again from the start.",
            )
        return up

    def get_upload_unchecked(self, upload_id: str) -> Upload:
        """An upload by id, any village, expired or not (tests and tools)."""
        with self.db.read_session() as s:
            up = s.get(Upload, upload_id)
        if up is None:
            raise not_found("Unggahan", "Upload")
        return up

    def upload_offset(self, up: Upload) -> int:
        if not self.storage.appends_in_place:
            return up.offset  # advanced only together with its part row
        # The file is the truth: every byte in it arrived, in order, even if the server died
        # before it could record the new offset in the database.
        try:
            size = self.upload_path(up.id).stat().st_size
        except FileNotFoundError:
            size = 0
        return min(size, up.length)

    def finish_patch(self, upload: Upload, offset: int, *, claimed: bool = True) -> Upload:
        """Record a PATCH's new offset; hash the file once complete (off the event loop).
        ``claimed``: the request showed that its client knows the upload (a PATCH; not the
        body of a creation), so it gets the full expiry; a complete upload gets it anyway."""
        now = utcnow()
        digest = file_sha256(self.upload_path(upload.id)) if offset == upload.length else None
        with self.db.session() as s:
            up = s.get(Upload, upload.id)
            if up is None:
                raise not_found("Unggahan", "Upload")
            up.offset = offset
            up.updated_at = now
            up.sha256 = digest
            s.add(up)
            if claimed or offset >= up.length:
                self._extend_in(s, up, now)
            s.commit()
            return up

    def _extend_in(self, s: Session, up: Upload, now: datetime) -> None:
        """The full expiry for ``up`` in the caller's transaction, unless a manifest consumed
        it (no expiry then, for as long as its document lives). Said in the UPDATE itself: a
        manifest may have consumed the upload since ``up`` was read (the last PATCH's answer
        lost, its client's HEAD saw the whole file and it sent the manifest while the server
        still recorded that PATCH); an expiry written back would let the purge delete the
        document's file. ``up`` is refreshed to the row as it stands."""
        s.flush()
        s.execute(
            update(Upload)
            .where(col(Upload.id) == up.id, col(Upload.expires_at).is_not(None))
            .values(expires_at=self._full_expiry(now))
            .execution_options(synchronize_session=False)
        )
        s.refresh(up)

    def append_part(
        self, upload: Upload, offset: int, source: IO[bytes], size: int, *, claimed: bool = True
    ) -> Upload:
        """Object storage: keep one PATCH's ``size`` bytes (``source``) as the part at
        ``offset``. Raises 409 when another request appended at that offset first (another
        host); joins the parts once the upload is complete. ``claimed`` as for
        ``finish_patch``."""
        key = self.storage.put_part(upload.id, offset, source)
        now = utcnow()
        try:
            with self.db.session() as s:
                s.add(UploadPart(upload_id=upload.id, offset=offset, key=key, size=size))
                moved = s.execute(
                    update(Upload)
                    .where(col(Upload.id) == upload.id, col(Upload.offset) == offset)
                    .values(offset=offset + size, updated_at=now)
                )
                if moved.rowcount != 1:  # type: ignore[attr-defined]
                    raise IntegrityError("offset moved", None, ValueError("offset moved"))
                s.commit()
        except IntegrityError:
            self.storage.delete_object(key)
            raise ApiError(
                409,
                ErrorCode.UPLOAD_OFFSET_MISMATCH,
                "Posisi unggahan tidak cocok; tanyakan posisi terakhir (HEAD) lalu lanjutkan.",
                "Upload offset mismatch; ask for the current offset (HEAD) and continue from there.",
            ) from None
        new_offset = offset + size
        digest: str | None = None
        if new_offset == upload.length:
            with self.db.read_session() as s:
                keys = [
                    p.key
                    for p in s.exec(
                        select(UploadPart)
                        .where(UploadPart.upload_id == upload.id)
                        .order_by(col(UploadPart.offset))
                    ).all()
                ]
            digest = self.storage.join_parts(upload.id, keys)
        with self.db.session() as s:
            up = s.get(Upload, upload.id)
            if up is None:
                raise not_found("Unggahan", "Upload")
            if digest is not None:
                up.sha256 = digest
                s.execute(delete(UploadPart).where(col(UploadPart.upload_id) == upload.id))
            s.add(up)
            if claimed or new_offset >= up.length:
                self._extend_in(s, up, now)
            s.commit()
            return up

    def delete_upload(self, ctx: DeviceCtx, upload_id: str) -> None:
        up = self.get_upload(ctx, upload_id)
        if up.document_id is not None:
            raise ApiError(
                409,
                ErrorCode.CONFLICT,
                "Berkas ini sudah menjadi bagian permohonan yang diterima dan tidak bisa dihapus.",
                "This file already belongs to an accepted application and cannot be deleted.",
            )
        with self.db.session() as s:
            row = s.get(Upload, up.id)
            if row is not None and row.document_id is None:
                s.delete(row)
                s.commit()
            if not self.storage.appends_in_place:
                s.execute(delete(UploadPart).where(col(UploadPart.upload_id) == up.id))
            s.commit()
        self.storage.delete_upload(up.id)

    def purge_expired_uploads(self) -> int:
        """Deletes the uploads whose expiry passed (records, parts, bytes); how many. The
        DELETE says again what makes an upload expired, and that no document uses it: on
        PostgreSQL a manifest may consume an upload found expired here (it checked it a moment
        before its expiry), or a HEAD claim it, before this transaction deletes it; the
        DELETE, waiting for them, then leaves it alone."""
        now = utcnow()
        expired = (
            col(Upload.expires_at).is_not(None),
            col(Upload.expires_at) < now,
            col(Upload.document_id).is_(None),
        )
        gone: list[str] = []
        with self.db.session() as s:
            found = list(s.exec(select(Upload.id).where(*expired)).all())
            for i in range(0, len(found), 500):
                gone += s.execute(
                    delete(Upload)
                    .where(col(Upload.id).in_(found[i : i + 500]), *expired)
                    .returning(col(Upload.id))
                    .execution_options(synchronize_session=False)
                ).scalars()
            if gone:
                s.execute(delete(UploadPart).where(col(UploadPart.upload_id).in_(gone)))
            s.commit()
        for upload_id in gone:
            self.storage.delete_upload(upload_id)
        if gone:
            log.info("purged %d expired uploads", len(gone))
        return len(gone)

    def check_upload(
        self, up: Upload | None, sha256: str, size: int
    ) -> tuple[UploadProblemKind, int | None, str | None] | None:
        if up is None or (up.expires_at is not None and up.expires_at < utcnow()):
            return UploadProblemKind.MISSING, None, None
        if up.document_id is not None:
            return UploadProblemKind.ALREADY_USED, None, None
        if up.concat == "partial":
            return UploadProblemKind.MISSING, None, None  # a part of a file, not a file
        offset = self.upload_offset(up)
        if offset < up.length:
            return UploadProblemKind.INCOMPLETE, offset, None
        if up.length != size:
            return UploadProblemKind.SIZE_MISMATCH, up.length, None
        digest = up.sha256 or file_sha256(self.upload_path(up.id))
        if digest != sha256:
            return UploadProblemKind.SHA256_MISMATCH, up.length, digest
        return None
