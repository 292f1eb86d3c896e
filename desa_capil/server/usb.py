"""The office side of the USB route: keys, enrollment files, bundle import, return bundles.

Format and threat model: docs/usb-route.md; the file formats themselves: desa_capil/usbroute.

Import goes through the same service functions as the online route (``put_batch``,
``post_events`` of the ``desa_capil.server.service`` facade), so a batch answers exactly what
its online PUT would (201 new, 200 identical replay, 409 other content, 422 problems). Every
reason to refuse a whole bundle (cut, altered, foreign village, unknown or revoked device, a
bundle id replayed by another device) is found before anything is written.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from desa_capil.api.models import (
    MAX_CHANGES_PAGE,
    MAX_EVENTS,
    BatchManifest,
    EnrollResponse,
    ErrorBody,
    ErrorCode,
    EventIn,
    FieldProblem,
    VillageInfo,
)
from desa_capil.server.db import (
    AppDocument,
    Application,
    Batch,
    Change,
    Device,
    Event,
    Upload,
    Village,
    aware,
    utcnow,
)
from desa_capil.server.errors import ApiError
from desa_capil.server.service import CentralService, DeviceCtx, file_sha256, sha256_hex
from desa_capil.server.services.core import audit
from desa_capil.server.services.uploads import ReceivedFile
from desa_capil.server.usb_models import UsbDevice, UsbEnrollment, UsbImport
from desa_capil.usbroute import (
    BundleError,
    Enrollment,
    KeySet,
    key_id,
    load_or_create,
    make_code,
    normalize_code,
    open_bundle,
    read_header,
    write_bundle,
)
from desa_capil.usbroute import enrollment as enroll_fmt
from desa_capil.usbroute.enrollment import enrollment_bytes, new_secret
from desa_capil.usbroute.keys import check_box_public, signature_ok, token_request_message, verify_key
from desa_capil.usbroute.payloads import OFFICE_BUNDLE, VILLAGE_BUNDLE

log = logging.getLogger(__name__)

ENROLLMENT_DAYS = 30
MAX_PROOF_FAILURES = 5


# --- answers -----------------------------------------------------------------------------------


class BatchOutcome(BaseModel):
    batch_id: str
    status: int  # the HTTP status the online PUT answers: 201, 200, 409, 422, 413
    receipt: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


class ImportReport(BaseModel):
    """What importing one village bundle did (stored; the same bundle again answers it)."""

    bundle_id: str
    village_code: str
    device_id: str
    seq: int
    created_at: str
    duplicate: bool = False  # True: this bundle was imported before, nothing changed now
    keys_registered: bool = False  # this bundle enrolled the laptop (first bundle after a file)
    batches: list[BatchOutcome] = Field(default_factory=list)
    events: list[dict[str, Any]] = Field(default_factory=list)
    carrier: str = ""
    # The office admin who confirmed importing the bundle of a revoked laptop (its backup of
    # unsent work); empty for every other bundle.
    accepted_revoked_by: str = ""


class OfficeKeys(BaseModel):
    office_name: str
    sign_public: str
    box_public: str
    key_id: str


class TokenChallenge(BaseModel):
    device_id: str
    challenge: str


class TokenRequest(BaseModel):
    device_id: str = Field(max_length=40)
    challenge: str = Field(max_length=64)
    signature: str = Field(max_length=100)  # base64 Ed25519 over keys.token_request_message()


class DeviceKeysIn(BaseModel):
    sign_public: str = Field(max_length=80)
    box_public: str = Field(max_length=100)


class EnrollmentOut(BaseModel):
    """A new enrollment file: its bytes (base64), the paper code and the key fingerprint."""

    enrollment_id: str
    village_code: str
    village_name: str
    device_id: str
    code: str
    office_key_id: str
    expires_at: str
    file_name: str
    file_b64: str


@dataclass(frozen=True)
class ReturnBundle:
    path: Path
    village_code: str
    device_id: str
    seq: int
    after: int
    next_after: int
    changes: int
    documents: int


def refused(err: BundleError) -> ApiError:
    """A BundleError as the API's answer: 422, ``error`` bundle_refused, the reason in ``fields``."""
    status = 409 if err.reason in ("replayed", "enrollment_used") else 422
    return ApiError(
        status,
        ErrorCode.BUNDLE_REFUSED,
        err.message("id"),
        err.message("en"),
        fields=[FieldProblem(loc=["bundle", "reason"], message=err.reason)],
    )


# --- the service -------------------------------------------------------------------------------


class UsbService:
    """The USB route over one CentralService (its database, storage and area services)."""

    def __init__(self, svc: CentralService, office_name: str = "Disdukcapil") -> None:
        self.svc = svc
        self.db = svc.db
        self.office_name = office_name
        self.folder = svc.settings.data_dir / "usb"
        # Bundles received over HTTP, return bundles on their way out (one folder each, removed
        # once done; what a crash leaves is purged after a day).
        self.incoming = self.folder / "incoming"
        self._keys: KeySet | None = None
        self._purge_stale()
        try:
            self.collect_staged()
        except Exception:  # a collection that fails must never stop the server from starting
            log.exception("collecting staged USB page files failed")

    def _purge_stale(self, max_age: float = 24 * 3600) -> None:
        """Received or decrypted files a crashed import left behind (normally removed at once)."""
        cutoff = time.time() - max_age
        for sub in ("incoming", "tmp"):
            folder = self.folder / sub
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                try:
                    if entry.stat().st_mtime >= cutoff:
                        continue
                    if entry.is_dir():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        entry.unlink()
                except OSError:
                    continue  # removed meanwhile by its owner, or not ours to remove

    # keys ------------------------------------------------------------------------------------

    @property
    def keys(self) -> KeySet:
        """The office's key pairs, made on first use (data_dir/usb/office_keys.json, 0600)."""
        if self._keys is None:
            self._keys = load_or_create(self.folder / "office_keys.json")
        return self._keys

    def office_keys(self) -> OfficeKeys:
        k = self.keys
        return OfficeKeys(
            office_name=self.office_name,
            sign_public=k.sign_public,
            box_public=k.box_public,
            key_id=key_id(k.sign_public),
        )

    def register_keys(self, ctx: DeviceCtx, body: DeviceKeysIn) -> tuple[bool, UsbDevice]:
        """An online laptop's public keys. First registration wins; the same again is a no-op;
        other keys later are 409 (a replaced laptop is enrolled anew). Returns (created, row)."""
        try:
            verify_key(body.sign_public)
            check_box_public(body.box_public)
        except BundleError as exc:
            raise ApiError(
                422,
                ErrorCode.INVALID_REQUEST,
                "Kunci publik laptop tidak valid.",
                "The laptop's public keys are not valid.",
            ) from exc
        with self.db.session() as s:
            row = s.get(UsbDevice, ctx.device_id) or UsbDevice(device_id=ctx.device_id)
            if row.sign_public is not None:
                if (row.sign_public, row.box_public) == (body.sign_public, body.box_public):
                    return False, row
                raise ApiError(
                    409,
                    ErrorCode.CONFLICT,
                    "Laptop ini sudah terdaftar dengan kunci lain. Daftarkan ulang laptop bila memang diganti.",
                    "This laptop is already registered with other keys. Enroll it again if it was replaced.",
                )
            row.sign_public, row.box_public = body.sign_public, body.box_public
            row.keys_at, row.keys_via = utcnow(), "online"
            s.add(row)
            s.commit()
            s.refresh(row)
            return True, row

    # a token for a laptop enrolled by stick ----------------------------------------------------

    def _challenge(self, device: Device) -> str:
        # Bound to the device's current token: once a token is issued, the challenge (and any
        # signed request over it) is stale, so a replayed request gets nothing. No state kept.
        key = hashlib.sha256(b"desa_capil usb token challenge\x00" + self.keys.signing).digest()
        return hmac.new(key, f"{device.id}\x00{device.token_hash}".encode(), hashlib.sha256).hexdigest()

    def _keyed_device(self, device_id: str) -> tuple[Device, Village, UsbDevice]:
        denied = ApiError(
            401,
            ErrorCode.UNAUTHORIZED,
            "Laptop ini tidak dikenal kantor, pendaftarannya dicabut, atau kuncinya belum tercatat "
            "(kirim dulu satu kiriman flashdisk).",
            "This laptop is unknown to the office, revoked, or its keys are not recorded yet "
            "(send one USB bundle first).",
        )
        with self.db.read_session() as s:
            found = s.exec(
                select(Device, Village, UsbDevice)
                .join(Village, col(Village.id) == Device.village_id)
                .join(UsbDevice, col(UsbDevice.device_id) == Device.id)
                .where(Device.id == _hex_id(device_id))
            ).first()
        if found is None or found[0].revoked_at is not None or found[2].sign_public is None:
            raise denied
        return found

    def token_challenge(self, device_id: str) -> TokenChallenge:
        device, _village, _state = self._keyed_device(device_id)
        return TokenChallenge(device_id=device_id, challenge=self._challenge(device))

    def issue_token(self, body: TokenRequest) -> EnrollResponse:
        """A new device token for a laptop that proves its signing key over a fresh challenge.
        The old token (if any) stops working: one laptop, one token."""
        device, village, state = self._keyed_device(body.device_id)
        assert state.sign_public is not None
        try:
            sig = base64.b64decode(body.signature, validate=True)
        except ValueError:
            sig = b""
        fresh = hmac.compare_digest(body.challenge, self._challenge(device))
        if not fresh or not signature_ok(
            state.sign_public, sig, token_request_message(body.device_id, body.challenge)
        ):
            raise ApiError(
                401,
                ErrorCode.UNAUTHORIZED,
                "Permintaan token tidak sah atau sudah kedaluwarsa. Minta tantangan baru lalu coba lagi.",
                "The token request is not valid or is stale. Ask for a new challenge and try again.",
            )
        token = "dcd_" + secrets.token_urlsafe(32)
        now = utcnow()
        with self.db.session() as s:
            row = s.get(Device, device.id)
            assert row is not None
            if row.token_hash != device.token_hash:  # another request won meanwhile
                raise ApiError(
                    409,
                    ErrorCode.CONFLICT,
                    "Token baru sudah diberikan barusan. Minta tantangan baru lalu coba lagi.",
                    "A new token was just issued. Ask for a new challenge and try again.",
                )
            row.token_hash = sha256_hex(token)
            row.last_seen_at = now
            s.add(row)
            s.commit()
        log.info("USB-enrolled device %s got a device token", device.id)
        return EnrollResponse(
            device_id=uuid.UUID(device.id),
            token=token,
            village=VillageInfo(code=village.code, name=village.name),
            server_time=aware(now),
        )

    # enrollment ------------------------------------------------------------------------------

    def create_enrollment(
        self, village_code: str, actor: str, *, device_name: str = "", server_url: str = ""
    ) -> tuple[EnrollmentOut, bytes]:
        """A new device of the village and a signed enrollment file for it, with its paper code."""
        now = utcnow()
        code = make_code()
        device_uuid = uuid.uuid4()
        device_id = device_uuid.hex  # stored as the online enrollment stores it
        with self.db.session() as s:
            village = s.exec(select(Village).where(Village.code == village_code)).first()
            if village is None or village.id is None:
                raise ApiError(
                    404,
                    ErrorCode.NOT_FOUND,
                    f"Desa {village_code} belum terdaftar. Tambahkan desanya dulu.",
                    f"Village {village_code} is not registered. Add the village first.",
                )
            enrollment = Enrollment(
                enrollment_id=uuid.uuid4().hex,
                village_code=village.code,
                village_name=village.name,
                office_name=self.office_name,
                server_url=server_url,
                office_sign_public=self.keys.sign_public,
                office_box_public=self.keys.box_public,
                device_id=str(device_uuid),  # written as /enroll answers it (with dashes)
                secret=new_secret(),
                issued_at=now.isoformat(),
                expires_at=(now + timedelta(days=ENROLLMENT_DAYS)).isoformat(),
            )
            # The device exists from now on (its id is in the file), without any token: it can
            # be given one later by the online enrollment; until then it speaks by bundles only.
            s.add(
                Device(
                    id=device_id,
                    village_id=village.id,
                    name=(device_name or f"flashdisk {village.code}")[:100],
                    app_version="",
                    token_hash=f"usb-no-token-{uuid.uuid4().hex}",
                    enrolled_at=now,
                )
            )
            s.flush()
            s.add(UsbDevice(device_id=device_id))
            s.add(
                UsbEnrollment(
                    id=enrollment.enrollment_id,
                    village_id=village.id,
                    device_id=device_id,
                    secret=enrollment.secret,
                    code=normalize_code(code),
                    server_url=server_url[:300],
                    issued_at=now,
                    expires_at=now + timedelta(days=ENROLLMENT_DAYS),
                    actor=actor[:40],
                )
            )
            audit(s, actor, "usb_enrollment", village.code, f"device {device_id}")
            s.commit()
        raw = enrollment_bytes(enrollment, self.keys.signing)
        out = EnrollmentOut(
            enrollment_id=enrollment.enrollment_id,
            village_code=enrollment.village_code,
            village_name=enrollment.village_name,
            device_id=enrollment.device_id,
            code=code,
            office_key_id=enrollment.office_key_id,
            expires_at=enrollment.expires_at,
            file_name=f"{village_code}{enroll_fmt.SUFFIX}",
            file_b64=base64.b64encode(raw).decode("ascii"),
        )
        log.info("USB enrollment %s for village %s", enrollment.enrollment_id, village_code)
        return out, raw

    def enrollment_file(self, enrollment_id: str) -> tuple[str, bytes]:
        """The enrollment file of an issued, still unused enrollment, made again from its record
        (the console's download link; the signature is deterministic, the content the same)."""
        with self.db.read_session() as s:
            found = s.exec(
                select(UsbEnrollment, Village)
                .join(Village, col(Village.id) == UsbEnrollment.village_id)
                .where(UsbEnrollment.id == enrollment_id)
            ).first()
        if found is None or found[0].used_at is not None:
            raise ApiError(
                404,
                ErrorCode.NOT_FOUND,
                "Berkas pendaftaran tidak ditemukan atau sudah dipakai.",
                "Enrollment file not found or already used.",
            )
        row, village = found
        enrollment = Enrollment(
            enrollment_id=row.id,
            village_code=village.code,
            village_name=village.name,
            office_name=self.office_name,
            server_url=row.server_url,
            office_sign_public=self.keys.sign_public,
            office_box_public=self.keys.box_public,
            device_id=str(uuid.UUID(row.device_id)),
            secret=row.secret,
            issued_at=aware(row.issued_at).isoformat(),
            expires_at=aware(row.expires_at).isoformat(),
        )
        return f"{village.code}{enroll_fmt.SUFFIX}", enrollment_bytes(enrollment, self.keys.signing)

    def recent_imports(self, limit: int = 50) -> list[dict[str, Any]]:
        """The last imported bundles, newest first, for the console."""
        with self.db.read_session() as s:
            rows = s.exec(
                select(UsbImport, Village)
                .join(Village, col(Village.id) == UsbImport.village_id)
                .order_by(col(UsbImport.imported_at).desc())
                .limit(limit)
            ).all()
        out = []
        for imp, village in rows:
            report = ImportReport.model_validate_json(imp.report_json)
            out.append(
                {
                    "at": imp.imported_at,
                    "village": village,
                    "device_id": imp.device_id,
                    "seq": imp.seq,
                    "carrier": imp.carrier,
                    "new": sum(1 for b in report.batches if b.status == 201),
                    "again": sum(1 for b in report.batches if b.status == 200),
                    "refused": sum(1 for b in report.batches if b.status >= 400),
                    "events": len(report.events),
                    "accepted_revoked_by": report.accepted_revoked_by,
                }
            )
        return out

    def note_pulled(self, ctx: DeviceCtx, after: int) -> None:
        """The laptop asked ``GET /changes?after=N``: it holds every change up to N (it asks
        from its stored cursor), so its next return bundle starts there, not at an older
        cursor from its last stick trip. Reads first; writes only when the cursor moves."""
        if after <= 0:
            return
        with self.db.read_session() as s:
            known = s.exec(select(UsbDevice.cursor).where(UsbDevice.device_id == ctx.device_id)).first()
        if known is not None and known >= after:
            return
        with self.db.read_session() as s:
            # Never past the village's last change (a confused laptop asking beyond it would
            # otherwise make its return bundles skip changes made later).
            last = s.exec(
                select(func.coalesce(func.max(Change.village_seq), 0)).where(
                    Change.village_id == ctx.village_id
                )
            ).one()
        after = min(after, int(last))
        if after <= 0 or (known is not None and known >= after):
            return
        with self.db.session() as s:
            if known is None:
                s.add(UsbDevice(device_id=ctx.device_id, cursor=after))
            else:
                s.execute(
                    update(UsbDevice)
                    .where(col(UsbDevice.device_id) == ctx.device_id, col(UsbDevice.cursor) < after)
                    .values(cursor=after)
                )
            try:
                s.commit()
            except IntegrityError:  # the row was made meanwhile by another request: move it
                s.rollback()
                s.execute(
                    update(UsbDevice)
                    .where(col(UsbDevice.device_id) == ctx.device_id, col(UsbDevice.cursor) < after)
                    .values(cursor=after)
                )
                s.commit()

    def return_devices(self, village_code: str) -> list[dict[str, Any]]:
        """The village's laptops a return bundle can be made for (enrolled, not revoked, keys
        known), newest keys first: device id (as the laptop knows it), name, cursor, counts."""
        village = self._village(village_code)
        with self.db.read_session() as s:
            rows = s.exec(self._return_query(village)).all()
        return [
            {
                "device_id": str(uuid.UUID(d.id)),
                "name": d.name,
                "cursor": u.cursor,
                "return_seq": u.return_seq,
                "last_seq": u.last_seq,
                "keys_via": u.keys_via,
            }
            for u, d in rows
        ]

    def _village(self, village_code: str) -> Village:
        with self.db.read_session() as s:
            village = s.exec(select(Village).where(Village.code == village_code)).first()
        if village is None or village.id is None:
            raise ApiError(
                404,
                ErrorCode.NOT_FOUND,
                f"Desa {village_code} belum terdaftar.",
                f"Village {village_code} is not registered.",
            )
        return village

    @staticmethod
    def _return_query(village: Village) -> Any:
        return (
            select(UsbDevice, Device)
            .join(Device, col(Device.id) == UsbDevice.device_id)
            .where(
                Device.village_id == village.id,
                col(UsbDevice.box_public).is_not(None),
                col(Device.revoked_at).is_(None),
            )
            .order_by(col(UsbDevice.keys_at).desc(), col(Device.id))
        )

    def usb_villages(self) -> list[dict[str, Any]]:
        """Villages with a laptop whose keys the office knows: a return bundle can be made."""
        with self.db.read_session() as s:
            rows = s.exec(
                select(UsbDevice, Device, Village)
                .join(Device, col(Device.id) == UsbDevice.device_id)
                .join(Village, col(Village.id) == Device.village_id)
                .where(col(UsbDevice.box_public).is_not(None), col(Device.revoked_at).is_(None))
                .order_by(col(Village.code))
            ).all()
        return [
            {
                "village": v,
                "device": d,
                "cursor": u.cursor,
                "return_seq": u.return_seq,
                "keys_via": u.keys_via,
            }
            for u, d, v in rows
        ]

    # import ----------------------------------------------------------------------------------

    @contextmanager
    def _spooled(self, data: bytes) -> Iterator[Path]:
        """Bytes received over HTTP as a file in the office's data folder, removed after use."""
        self.incoming.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.incoming, prefix="in-") as tmp:
            path = Path(tmp) / "bundle.dcb"
            path.write_bytes(data)
            yield path

    def import_bytes(self, data: bytes, *, carrier: str, accept_revoked_by: str = "") -> ImportReport:
        with self._spooled(data) as path:
            return self.import_bundle(path, carrier=carrier, accept_revoked_by=accept_revoked_by)

    def import_bundle(self, path: Path, *, carrier: str, accept_revoked_by: str = "") -> ImportReport:
        """Import one village bundle; BundleError (nothing written) when it must be refused.

        A bundle of a revoked laptop (the backup of its unsent work, signed by its registered
        key) is refused with reason ``revoked`` unless ``accept_revoked_by`` names the office
        admin who confirmed it; the report and the admin log then record who."""
        header = read_header(path)  # truncated / format, before anything else
        if header.kind != "village":
            raise BundleError("wrong_kind", f"kind {header.kind}")
        sha = file_sha256(path)
        device_id = _hex_id(header.device_id)
        with self.db.read_session() as s:
            found = s.exec(
                select(Device, Village)
                .join(Village, col(Village.id) == Device.village_id)
                .where(Device.id == device_id)
            ).first()
            if found is None:
                raise BundleError("unknown_device", f"device {header.device_id}")
            device, village = found
            if village.code != header.village_code:
                raise BundleError("wrong_village", f"{header.village_code} != {village.code}")
            previous = s.get(UsbImport, header.bundle_id)
            if previous is not None and previous.device_id == device_id and previous.file_sha256 == sha:
                # The very file imported before (verified then): its stored answer, nothing new.
                report = ImportReport.model_validate_json(previous.report_json)
                return report.model_copy(update={"duplicate": True})
            if device.revoked_at is not None and not accept_revoked_by:
                raise BundleError("revoked", f"device {header.device_id} revoked")
            state = s.get(UsbDevice, device.id)
            registered = state.sign_public if state is not None else None
        revoked = device.revoked_at is not None
        if revoked and registered is None:
            # Only a laptop whose key the office registered before it was revoked can prove
            # the backup is its own; an enrollment proof is no proof after a revocation.
            raise BundleError("unknown_device", f"revoked device {header.device_id} has no registered key")
        assert village.id is not None
        spool = self.folder / "tmp"
        spool.mkdir(parents=True, exist_ok=True)
        with open_bundle(path, box_private=self.keys.box, verify_key=registered, spool_dir=spool) as bundle:
            meta = bundle.meta
            if meta.get("type") != VILLAGE_BUNDLE or meta.get("version") != 1:
                raise BundleError("format", "not a village bundle payload")
            dev = meta.get("device") or {}
            if not isinstance(dev, dict) or _hex_id(str(dev.get("device_id", ""))) != device_id:
                raise BundleError("format", "payload names another device")
            if previous is not None:
                # A whole, signed bundle reusing an imported bundle's id: another device, or the
                # same id with other content. (A damaged copy was refused above for what it is.)
                raise BundleError("replayed", f"bundle {header.bundle_id} came from {previous.device_id}")
            new_keys: tuple[str, str] | None = None
            if registered is None:
                new_keys = self._check_enrollment_proof(
                    device_id, header.device_id, header.signer_public, meta, header.created_at
                )
            parsed = _parse_batches(meta)
            events, invalid_events = _parse_events(meta)
            # Every check passed: from here on the import writes. First the page files are
            # staged (written where uploads live, under ids no record names yet), then ONE
            # transaction records everything: keys, batches, events, the import record.
            ctx = DeviceCtx(device.id, village.id, village.code)
            stage = _Stage(self, header.bundle_id, ctx)
            try:
                plans: list[tuple[str, BatchOutcome | _BatchPlan]] = [
                    (
                        bid,
                        m
                        if isinstance(m, BatchOutcome)
                        else self._plan_batch(ctx, uuid.UUID(bid), m, bundle, stage),
                    )
                    for bid, m in parsed
                ]
                _checkpoint("staged")
                report, committed = self._record_import(
                    ctx,
                    header,
                    sha=sha,
                    carrier=carrier,
                    meta=meta,
                    new_keys=new_keys,
                    plans=plans,
                    events=events,
                    invalid_events=invalid_events,
                    accepted_by=accept_revoked_by[:40] if revoked else "",
                )
            finally:
                # Staged files no record names (a refused batch, a failed or concurrent import)
                # are removed now; a crash leaves them to ``collect_staged``.
                stage.finish()
        _checkpoint("finished")
        if committed:
            log.info(
                "USB bundle %s of village %s (device %s, seq %d): %d batches, %d events, by %s",
                header.bundle_id,
                village.code,
                device.id,
                header.seq,
                len(report.batches),
                len(report.events),
                carrier,
            )
        return report

    def _record_import(
        self,
        ctx: DeviceCtx,
        header: Any,
        *,
        sha: str,
        carrier: str,
        meta: dict[str, Any],
        new_keys: tuple[str, str] | None,
        plans: list[tuple[str, BatchOutcome | _BatchPlan]],
        events: list[EventIn],
        invalid_events: list[dict[str, Any]],
        accepted_by: str,
    ) -> tuple[ImportReport, bool]:
        """Everything the bundle changes, in ONE transaction: killed anywhere before its commit
        the office holds nothing of it (importing the file again does it all), after it all.
        Each batch runs in a SAVEPOINT, so a batch the online PUT would refuse (409/422) is
        answered as online and leaves nothing, while the others are kept. Returns (report,
        True) or, when the same bundle was recorded meanwhile by another import, its stored
        report (duplicate) and False."""
        outcomes: list[BatchOutcome] = []
        event_results: list[dict[str, Any]] = []
        with self.db.session() as s:
            if new_keys is not None:
                self._bind_keys(s, ctx.device_id, meta, new_keys)
            for bid, plan in plans:
                if isinstance(plan, BatchOutcome):
                    outcomes.append(plan)
                    continue
                outcomes.append(self._put_planned(s, ctx, uuid.UUID(bid), plan))
                _checkpoint("batch")
            for i in range(0, len(events), MAX_EVENTS):
                result = self.svc.events.post_events_in(s, ctx, events[i : i + MAX_EVENTS])
                event_results += [r.model_dump(mode="json") for r in result.results]
            event_results += invalid_events
            _checkpoint("events")
            report = ImportReport(
                bundle_id=header.bundle_id,
                village_code=ctx.village_code,
                device_id=ctx.device_id,
                seq=header.seq,
                created_at=header.created_at,
                keys_registered=new_keys is not None,
                batches=outcomes,
                events=event_results,
                carrier=carrier[:60],
                accepted_revoked_by=accepted_by,
            )
            cursor = meta.get("cursor")
            state = s.get(UsbDevice, ctx.device_id) or UsbDevice(device_id=ctx.device_id)
            state.last_seq = max(state.last_seq, header.seq)
            if isinstance(cursor, int) and cursor >= 0:
                # A laptop's cursor never goes back: an older bundle (or one written before
                # the laptop's last online pull) does not move the office's knowledge back.
                state.cursor = max(state.cursor, cursor)
            s.add(state)
            s.add(
                UsbImport(
                    bundle_id=header.bundle_id,
                    device_id=ctx.device_id,
                    village_id=ctx.village_id,
                    seq=header.seq,
                    file_sha256=sha,
                    carrier=carrier[:60],
                    report_json=report.model_dump_json(),
                )
            )
            if accepted_by:
                audit(
                    s,
                    accepted_by,
                    "usb_accept_revoked",
                    ctx.village_code,
                    f"bundle {header.bundle_id} of revoked device {ctx.device_id}, seq {header.seq}",
                )
            _checkpoint("commit")
            try:
                s.commit()
            except IntegrityError:
                # The same bundle id recorded at the same moment by another import: its answer.
                s.rollback()
                with self.db.read_session() as r:
                    previous = r.get(UsbImport, header.bundle_id)
                if previous is None or previous.device_id != ctx.device_id or previous.file_sha256 != sha:
                    raise BundleError("replayed", f"bundle {header.bundle_id} recorded meanwhile") from None
                stored = ImportReport.model_validate_json(previous.report_json)
                return stored.model_copy(update={"duplicate": True}), False
        _checkpoint("committed")
        return report, True

    def _put_planned(self, s: Session, ctx: DeviceCtx, batch_id: uuid.UUID, plan: _BatchPlan) -> BatchOutcome:
        """One batch inside the import's transaction, in its own SAVEPOINT: the online PUT's
        answer (201 new, 200 replay, 409/422/413 refused with nothing kept)."""
        try:
            # Held already (the same batch earlier in this bundle, or committed meanwhile by
            # its online PUT): the replay answer, and the staged pages are not recorded.
            again = self.svc.batches.replay_if_held(s, ctx, batch_id, plan.manifest)
        except ApiError as err:
            return BatchOutcome(
                batch_id=str(batch_id), status=err.status, error=err.body.model_dump(mode="json")
            )
        if again is not None:
            return BatchOutcome(batch_id=str(batch_id), status=200, receipt=again.model_dump(mode="json"))
        try:
            with s.begin_nested():
                if plan.files:
                    self.svc.uploads.add_received_in(s, ctx, plan.files)
                receipt, created = self.svc.batches.put_batch_in(s, ctx, batch_id, plan.manifest)
        except ApiError as err:
            return BatchOutcome(
                batch_id=str(batch_id), status=err.status, error=err.body.model_dump(mode="json")
            )
        except IntegrityError:
            # The same batch id committed meanwhile by its online PUT (PostgreSQL: this one
            # waited for it): answered as the replay it now is.
            try:
                again = self.svc.batches.replay_if_held(s, ctx, batch_id, plan.manifest)
            except ApiError as err:
                return BatchOutcome(
                    batch_id=str(batch_id), status=err.status, error=err.body.model_dump(mode="json")
                )
            if again is None:
                raise
            return BatchOutcome(batch_id=str(batch_id), status=200, receipt=again.model_dump(mode="json"))
        return BatchOutcome(
            batch_id=str(batch_id), status=201 if created else 200, receipt=receipt.model_dump(mode="json")
        )

    def _check_enrollment_proof(
        self, device_id: str, written_id: str, signer_public: str, meta: dict[str, Any], created_at: str
    ) -> tuple[str, str]:
        """The keys a not-yet-keyed laptop proves with its enrollment file and paper code
        (``written_id``: the device id as the laptop wrote it, which the proof covers).

        The expiry is checked against when the laptop used the enrollment: the bundle's signed
        ``created_at`` (a stick written on day 29 that reaches the office on day 31 is fine),
        not the arrival; a time before the file was issued or in the future is refused."""
        dev = meta["device"]
        enr = meta.get("enrollment")
        sign_public, box_public = str(dev.get("sign_public", "")), str(dev.get("box_public", ""))
        if not isinstance(enr, dict) or sign_public != signer_public:
            raise BundleError("unknown_device", "no enrollment proof and no registered keys")
        check_box_public(box_public)
        with self.db.read_session() as s:
            row = s.get(UsbEnrollment, str(enr.get("enrollment_id", "")))
        if row is None or row.device_id != device_id:
            raise BundleError("unknown_device", "enrollment unknown for this device")
        if row.used_at is not None:
            raise BundleError("enrollment_used", "enrollment already bound")
        if row.failures >= MAX_PROOF_FAILURES:
            raise BundleError("enrollment_used", "enrollment locked after wrong proofs")
        used_at = _bundle_time(created_at)
        now = utcnow()
        if used_at is None or used_at > now + CLOCK_SKEW or used_at < aware(row.issued_at) - CLOCK_SKEW:
            raise BundleError("format", f"bundle time {created_at!r} outside the enrollment")
        if aware(row.expires_at) < used_at:
            raise BundleError("expired", "enrollment expired before the bundle was made")
        ok = enroll_fmt.proof_ok(
            str(enr.get("proof", "")),
            secret=row.secret,
            normalized_code=row.code,
            device_id=written_id,
            sign_public=sign_public,
            box_public=box_public,
        )
        if not ok:
            # The one write before refusing: counting wrong proofs is what stops guessing.
            with self.db.session() as s:
                r = s.get(UsbEnrollment, row.id)
                if r is not None:
                    r.failures += 1
                    s.add(r)
                    s.commit()
            raise BundleError("bad_signature", "enrollment proof does not match")
        return sign_public, box_public

    def _bind_keys(self, s: Session, device_id: str, meta: dict[str, Any], keys: tuple[str, str]) -> None:
        """The enrollment used and the laptop's keys registered, in the import's transaction."""
        enrollment_id = str(meta["enrollment"]["enrollment_id"])
        row = s.exec(select(UsbEnrollment).where(UsbEnrollment.id == enrollment_id).with_for_update()).one()
        if row.used_at is not None:
            raise BundleError("enrollment_used", "bound meanwhile")
        row.used_at = utcnow()
        state = s.get(UsbDevice, device_id) or UsbDevice(device_id=device_id)
        state.sign_public, state.box_public = keys
        state.keys_at, state.keys_via = utcnow(), "enrollment"
        s.add(row)
        s.add(state)
        device = s.get(Device, device_id)
        if device is not None:
            app_version = str(meta["device"].get("app_version", ""))[:40]
            device.app_version = app_version or device.app_version
            device.last_seen_at = utcnow()
            s.add(device)
        s.flush()

    def _known_upload_ids(self, s: Session, ctx: DeviceCtx, manifest: BatchManifest) -> dict[str, str]:
        """doc client id -> the upload id the office already used for it (a batch it holds)."""
        app_ids = [str(a.id) for a in manifest.applications]
        rows = s.exec(
            select(AppDocument.client_id, AppDocument.upload_id)
            .join(Application, col(Application.id) == AppDocument.application_id)
            .where(Application.village_id == ctx.village_id, col(Application.client_id).in_(app_ids))
        ).all()
        return dict(rows)

    def _plan_batch(
        self, ctx: DeviceCtx, batch_id: uuid.UUID, manifest: BatchManifest, bundle: Any, stage: _Stage
    ) -> _BatchPlan:
        """What one batch needs before the import's transaction: its manifest with the upload
        ids the office will use and, for a batch the office does not hold yet, its page files
        staged (written in place under ids no record names; the records are made in the
        transaction).

        An id the laptop wrote is taken when it is free (no record, no file), so the manifest
        stays as the laptop wrote it and a later online PUT of the same batch is a plain replay;
        an upload of this village already holding exactly these bytes is used as it is (e.g. a
        tus upload of the laptop). Files missing from the bundle are left to put_batch, which
        answers them as online (422, missing upload). A batch the office holds already keeps
        the upload ids it used (put_batch answers it as a replay)."""
        with self.db.read_session() as s:
            held = (
                s.exec(
                    select(Batch.id).where(
                        Batch.village_id == ctx.village_id, Batch.client_id == str(batch_id)
                    )
                ).first()
                is not None
            )
            if held:
                known = self._known_upload_ids(s, ctx, manifest)
                used = {
                    d.upload_id: known[str(d.id)]
                    for a in manifest.applications
                    for d in a.documents
                    if str(d.id) in known
                }
                return _BatchPlan(_with_upload_ids(manifest, used), [])
            names = set(bundle.names())
            wanted = list(
                dict.fromkeys(
                    d.upload_id
                    for a in manifest.applications
                    for d in a.documents
                    if f"pages/{d.upload_id}" in names
                )
            )
            existing = {
                u.id: u
                for u in s.exec(
                    select(Upload).where(col(Upload.id).in_([w for w in wanted if _is_upload_id(w)]))
                ).all()
            }
        mapping: dict[str, str] = {}
        files: list[ReceivedFile] = []
        local = self.svc.storage.appends_in_place
        for w in wanted:
            info = bundle.info(f"pages/{w}")
            old = existing.get(w)
            if old is not None and (
                old.village_id == ctx.village_id
                and old.document_id is None
                and old.sha256 == info.sha256
                and old.length == info.size
                and old.offset == old.length
            ):
                continue  # these very bytes are already here (a tus upload, or a staged object)
            preferred = w if _is_upload_id(w) and old is None else None
            if local:
                new_id = stage.write(preferred, info.size, _extractor(bundle, f"pages/{w}"))
                files.append(
                    ReceivedFile(
                        upload_id=new_id, length=info.size, sha256=info.sha256, filename=w, write=_no_write
                    )
                )
            else:
                new_id = self._stage_object(ctx, preferred, w, info, bundle, stage)
            if new_id != w:
                mapping[w] = new_id
            _checkpoint("file")
        return _BatchPlan(_with_upload_ids(manifest, mapping), files)

    def _stage_object(
        self, ctx: DeviceCtx, preferred: str | None, name: str, info: Any, bundle: Any, stage: _Stage
    ) -> str:
        """Object storage: the page as a tus-like upload (its own record, which expires unless
        a batch takes it, like any unused tus upload; the same bytes are found again by a
        re-run). Returns its id."""
        up = self.svc.create_upload(
            ctx, info.size, {"filename": name, "sha256": info.sha256}, upload_id=preferred
        )
        stage.remember(up.id)
        if info.size:
            with tempfile.TemporaryFile(dir=self.folder / "tmp") as fh:
                fh.write(bundle.read(f"pages/{name}"))
                fh.seek(0)
                self.svc.append_part(up, 0, fh, info.size)
        return up.id

    def collect_staged(self, max_age: float = 24 * 3600) -> int:
        """Page files an import staged and no record names, left by an import killed before it
        finished (older than ``max_age`` seconds: a running import is never touched). Returns
        how many listed pages had no record (their files, whole or cut, are removed)."""
        folder = self.folder / "stage"
        if not folder.is_dir():
            return 0
        cutoff = time.time() - max_age
        removed = 0
        for entry in folder.glob("*.list"):
            try:
                if entry.stat().st_mtime >= cutoff:
                    continue
                ids = [
                    i for i in entry.read_text(encoding="ascii", errors="replace").split() if _is_upload_id(i)
                ]
            except OSError:
                continue
            removed += _Stage.remove_unrecorded(self, ids)
            entry.unlink(missing_ok=True)
        return removed

    # return bundles --------------------------------------------------------------------------

    def _received(self, village_id: int) -> dict[str, list[dict[str, Any]]]:
        with self.db.read_session() as s:
            return _received_of(s, village_id)

    def _refused(self, village_id: int, received: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
        with self.db.read_session() as s:
            return _refused_of(s, village_id, received)

    def export_returns(self, village_code: str, folder: Path) -> list[ReturnBundle]:
        """One return bundle per laptop of the village (``return_devices``) into ``folder``,
        each from its own cursor, encrypted to its own key: ``<village>-<device>-kembali.dcb``."""
        made = []
        for d in self.return_devices(village_code):
            name = f"{village_code}-{uuid.UUID(d['device_id']).hex[:8]}-kembali.dcb"
            made.append(self.export_return(village_code, folder / name, device_id=d["device_id"]))
        if not made:
            raise self._no_return_device()
        return made

    @staticmethod
    def _no_return_device() -> ApiError:
        return ApiError(
            409,
            ErrorCode.CONFLICT,
            "Belum ada laptop desa ini yang kuncinya dikenal kantor: impor dulu satu kiriman flashdisk "
            "dari desa itu (atau laptopnya mendaftarkan kunci saat online).",
            "No laptop of this village has keys known to the office: import one USB bundle from the "
            "village first (or let its laptop register its keys online).",
        )

    def export_return(self, village_code: str, out: Path, *, device_id: str | None = None) -> ReturnBundle:
        """The return bundle for one village laptop: its changes since the cursor the office
        knows for IT, the finished PDFs those changes name, the office catalog; signed, and
        encrypted to that laptop's box key. ``device_id`` picks the laptop; without it the
        village must have exactly one (else 409 naming them: pick one or make one per laptop)."""
        village = self._village(village_code)
        with self.db.read_session() as s:
            query = self._return_query(village)
            if device_id:
                query = query.where(Device.id == _hex_id(device_id))
            rows = s.exec(query).all()
        if not rows:
            if device_id:
                raise ApiError(
                    404,
                    ErrorCode.NOT_FOUND,
                    f"Laptop {device_id} bukan laptop desa {village_code} yang aktif dan kuncinya dikenal kantor.",
                    f"Laptop {device_id} is not an active laptop of village {village_code} with known keys.",
                )
            raise self._no_return_device()
        if len(rows) > 1:
            names = ", ".join(f"{str(uuid.UUID(d.id))} ({d.name})" for _u, d in rows)
            raise ApiError(
                409,
                ErrorCode.CONFLICT,
                f"Desa {village_code} punya {len(rows)} laptop: pilih laptopnya, atau buat satu berkas "
                f"kembali per laptop. Laptop: {names}",
                f"Village {village_code} has {len(rows)} laptops: pick one, or make one return bundle "
                f"per laptop. Laptops: {names}",
            )
        found = rows[0]
        state, device = found
        assert state.box_public is not None and village.id is not None
        ctx = DeviceCtx(device.id, village.id, village.code)
        pages: list[dict[str, Any]] = []
        after = state.cursor
        position = after
        doc_ids: list[uuid.UUID] = []
        while True:
            page = self.svc.changes(ctx, position, MAX_CHANGES_PAGE)
            pages.append(page.model_dump(mode="json"))
            for change in page.changes:
                doc_ids += [d.id for d in change.documents]
            position = page.next_after
            if not page.has_more:
                break
        files: list[tuple[str, bytes | Path]] = []
        documents: list[dict[str, Any]] = []
        for doc_id in dict.fromkeys(doc_ids):
            try:
                doc, path = self.svc.village_document(ctx, doc_id)
            except ApiError:
                continue  # withdrawn since, or without a file: the change still says what happened
            name = f"documents/{doc.id}.pdf"
            files.append((name, path))
            documents.append({"id": doc.id, "sha256": doc.sha256, "size": path.stat().st_size, "file": name})
        catalog = self.svc.latest_catalog()
        received = self._received(village.id)
        wire_id = str(uuid.UUID(device.id))  # the form the laptop knows (as /enroll answers it)
        meta = {
            "type": OFFICE_BUNDLE,
            "version": 1,
            "village_code": village.code,
            "device_id": wire_id,
            "after": after,
            "pages": pages,
            "documents": documents,
            "catalog": {"version": catalog[0], "catalog": catalog[1]} if catalog else None,
            "office": {"name": self.office_name, **self.keys.public()},
            "received": received,
            # Batches refused on import and not held: the laptop sets them aside with the reason.
            "refused": self._refused(village.id, received),
        }
        seq = state.return_seq + 1
        write_bundle(
            out,
            header_fields={
                "kind": "office",
                "village_code": village.code,
                "device_id": wire_id,
                "seq": seq,
            },
            files=files,
            meta=meta,
            signing_key=self.keys.signing,
            recipient_box_public=state.box_public,
        )
        with self.db.session() as s:
            row = s.get(UsbDevice, device.id)
            if row is not None:
                row.return_seq = max(row.return_seq, seq)
                s.add(row)
                s.commit()
        changes = sum(len(p["changes"]) for p in pages)
        log.info(
            "USB return bundle %d for village %s: %d changes, %d documents",
            seq,
            village.code,
            changes,
            len(documents),
        )
        return ReturnBundle(out, village.code, device.id, seq, after, position, changes, len(documents))


RECEIVED_LIMIT = 2000  # newest batches / events acknowledged per return bundle


def _received_of(s: Session, village_id: int) -> dict[str, list[dict[str, Any]]]:
    """What the office holds from the village, with the answers the online route would have
    given: each batch's receipt (PUT /batches) and each event's result (POST /events). The
    laptop closes its outbox with them, so nothing sent by stick is sent again online."""
    batches = s.exec(
        select(Batch.client_id, Batch.receipt_json)
        .where(Batch.village_id == village_id, Batch.receipt_json != "")
        .order_by(col(Batch.id).desc())
        .limit(RECEIVED_LIMIT)
    ).all()
    events = s.exec(
        select(Event.client_id, Event.result_json)
        .where(Event.village_id == village_id)
        .order_by(col(Event.id).desc())
        .limit(RECEIVED_LIMIT)
    ).all()
    return {
        "batches": [{"batch_id": cid, "receipt": json.loads(raw)} for cid, raw in batches if raw],
        "events": [{"id": cid, "result": json.loads(raw)} for cid, raw in events if raw],
    }


def _refused_of(
    s: Session, village_id: int, received: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The batches the office refused on bundle import (409/422/413) and does not hold: the
    latest import's answer per batch, as the online PUT would have answered it. Without them
    the village would carry a refused batch to the office again and again."""
    latest: dict[str, BatchOutcome] = {}
    reports = s.exec(
        select(UsbImport.report_json)
        .where(UsbImport.village_id == village_id)
        .order_by(col(UsbImport.imported_at), col(UsbImport.seq))
    ).all()
    for raw in reports:
        for outcome in ImportReport.model_validate_json(raw).batches:
            latest[outcome.batch_id] = outcome
    held = {str(b["batch_id"]) for b in received["batches"]}
    held |= {
        str(cid)
        for cid in s.exec(
            select(Batch.client_id).where(
                Batch.village_id == village_id, col(Batch.client_id).in_(list(latest))
            )
        ).all()
    }
    return [
        {"batch_id": bid, "status": o.status, "error": o.error or {}}
        for bid, o in latest.items()
        if o.status >= 400 and bid not in held
    ][-RECEIVED_LIMIT:]


CLOCK_SKEW = timedelta(days=1)  # a village laptop's clock may be this far off


def _bundle_time(text: str) -> datetime | None:
    """The bundle's signed creation time (ISO 8601, UTC when no zone), or None when unreadable."""
    try:
        t = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def _listed(meta: dict[str, Any], key: str) -> list[Any]:
    value = meta.get(key) or []
    if not isinstance(value, list):
        raise BundleError("format", f"content: {key} is not a list")
    return value


def _parse_batches(meta: dict[str, Any]) -> list[tuple[str, BatchManifest | BatchOutcome]]:
    """The bundle's batches in order, each checked like the online PUT body: its id and its
    manifest, or, when it does not validate, the answer the online route gives (422). One bad
    batch does not stop the others. (A batch id twice is left to put_batch: the second is a
    replay, as the same PUT twice online.)"""
    out: list[tuple[str, BatchManifest | BatchOutcome]] = []
    for i, raw in enumerate(_listed(meta, "batches")):
        bid = raw.get("batch_id") if isinstance(raw, dict) else None
        try:
            key = str(uuid.UUID(str(bid)))
        except ValueError:
            key = str(bid)[:40] if bid not in (None, "") else f"#{i + 1}"
            problem = [FieldProblem(loc=["batches", i, "batch_id"], message="not a uuid")]
            out.append((key, BatchOutcome(batch_id=key, status=422, error=_invalid_body(problem))))
            continue
        try:
            out.append(
                (key, BatchManifest.model_validate(raw.get("manifest") if isinstance(raw, dict) else None))
            )
        except ValidationError as exc:
            problem = [
                FieldProblem(
                    loc=["batches", i, "manifest", *(p if isinstance(p, int) else str(p) for p in e["loc"])],
                    message=str(e.get("msg", "")),
                )
                for e in exc.errors()
            ]
            out.append((key, BatchOutcome(batch_id=key, status=422, error=_invalid_body(problem))))
    return out


def _invalid_body(fields: list[FieldProblem]) -> dict[str, Any]:
    """The error body the online route answers for a body that does not validate."""
    return ErrorBody(
        error=ErrorCode.INVALID_REQUEST.value,
        message_id="Isi kiriman ini tidak valid; lihat daftar kolomnya. Kiriman lain tetap diimpor.",
        message_en="This batch is invalid; see the list of fields. The other batches were imported.",
        fields=fields[:50],
    ).model_dump(mode="json")


def _parse_events(meta: dict[str, Any]) -> tuple[list[EventIn], list[dict[str, Any]]]:
    """The bundle's events, each checked like the online body: (the valid ones, a rejected
    result for each invalid one, not stored)."""
    valid: list[EventIn] = []
    invalid: list[dict[str, Any]] = []
    for i, raw in enumerate(_listed(meta, "events")):
        try:
            valid.append(EventIn.model_validate(raw))
        except ValidationError as exc:
            errors = exc.errors()
            where = ".".join(str(p) for p in errors[0]["loc"]) if errors else ""
            why = errors[0]["msg"] if errors else ""
            invalid.append(
                {
                    "id": str(raw.get("id", f"#{i + 1}"))[:40] if isinstance(raw, dict) else f"#{i + 1}",
                    "outcome": "rejected",
                    "duplicate": False,
                    "message_id": f"Peristiwa ini tidak valid ({where}: {why}); tidak disimpan.",
                    "message_en": f"This event is invalid ({where}: {why}); not stored.",
                }
            )
    return valid, invalid


def _checkpoint(step: str) -> None:
    """A named point of a bundle import (staged, batch, events, commit, committed...): logged
    at debug level; the kill -9 tests stop the process at a counted one."""
    log.debug("USB import: %s", step)


def _no_write(_path: Path) -> None:
    """A ReceivedFile whose bytes are already in place (staged by the import)."""


@dataclass
class _BatchPlan:
    manifest: BatchManifest  # upload ids as the office will hold them
    files: list[ReceivedFile]  # staged page files whose records the transaction makes


class _Stage:
    """The page files one import writes before its transaction. Their ids are listed in
    ``usb/stage/<bundle>-<random>.list`` BEFORE any file is written; after the import (done,
    refused or failed) every listed file no record names is removed and the list with it. A
    killed import leaves the list: ``UsbService.collect_staged`` removes its files a day later."""

    def __init__(self, usb: UsbService, bundle_id: str, ctx: DeviceCtx | None = None) -> None:
        self.usb = usb
        self.ctx = ctx
        folder = usb.folder / "stage"
        folder.mkdir(parents=True, exist_ok=True)
        self.listing = folder / f"{bundle_id[:32]}-{uuid.uuid4().hex[:8]}.list"
        self.ids: list[str] = []

    def remember(self, upload_id: str) -> None:
        """Listed (one id a line, appended) before its file is written."""
        self.ids.append(upload_id)
        with self.listing.open("a", encoding="ascii") as fh:
            fh.write(upload_id + "\n")

    def write(self, preferred: str | None, size: int, write: Callable[[Path], None]) -> str:
        """The file in place under ``preferred`` when no file has that name, else a new id."""
        storage = self.usb.svc.storage
        upload_id = preferred or uuid.uuid4().hex
        while True:
            self.remember(upload_id)
            path = storage.upload_path(upload_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                path.touch(mode=0o600, exist_ok=False)  # claimed: only this import writes it
                break
            except FileExistsError:  # an orphan of an earlier import, or another import's
                self.ids.remove(upload_id)
                upload_id = uuid.uuid4().hex
        tmp = path.with_name(f".{upload_id}.part")
        write(tmp)
        os.replace(tmp, path)
        return upload_id

    def finish(self) -> None:
        self.remove_unrecorded(self.usb, self.ids, self.ctx)
        self.listing.unlink(missing_ok=True)

    @staticmethod
    def remove_unrecorded(usb: UsbService, ids: list[str], ctx: DeviceCtx | None = None) -> int:
        if not ids:
            return 0
        with usb.db.read_session() as s:
            rows = {u.id: u.document_id for u in s.exec(select(Upload).where(col(Upload.id).in_(ids))).all()}
        removed = 0
        for upload_id in ids:
            if upload_id not in rows:
                usb.svc.storage.delete_upload(upload_id)
                if usb.svc.storage.appends_in_place:  # a page cut short by the kill
                    usb.svc.storage.upload_path(upload_id).with_name(f".{upload_id}.part").unlink(
                        missing_ok=True
                    )
                removed += 1
            elif rows[upload_id] is None and ctx is not None and not usb.svc.storage.appends_in_place:
                # Object storage: a staged upload no batch took (it would expire anyway).
                try:
                    usb.svc.uploads.delete_upload(ctx, upload_id)
                    removed += 1
                except ApiError:
                    pass
        return removed


def _extractor(bundle: Any, name: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        bundle.extract(name, path)

    return write


def _hex_id(text: str) -> str:
    """A device id as the server stores it (uuid hex), whether written with dashes or not."""
    try:
        return uuid.UUID(text).hex
    except ValueError:
        return text


def _is_upload_id(text: str) -> bool:
    return len(text) == 32 and all(c in "0123456789abcdef" for c in text)


def _with_upload_ids(manifest: BatchManifest, mapping: dict[str, str]) -> BatchManifest:
    """The manifest with the documents' upload ids replaced (the others kept as they were)."""
    if not mapping:
        return manifest
    raw = manifest.model_dump(mode="json")
    for a in raw["applications"]:
        for d in a.get("documents", []):
            d["upload_id"] = mapping.get(d["upload_id"], d["upload_id"])
    return BatchManifest.model_validate(raw)


def report_json(report: ImportReport) -> str:
    return json.dumps(report.model_dump(mode="json"), indent=1, ensure_ascii=False)
