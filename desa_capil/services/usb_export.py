"""'Kirim lewat flashdisk': sealed batches written to a stick as one bundle per trip.

    plan = usb_export.plan(db)                      # what would go (all unsent), and its size
    result = usb_export.export(db, paths, folder)   # writes, verifies, then records the trips

One bundle per trip (docs/usb-route.md): the manifests of the chosen batches (exactly the
``PUT /batches/{id}`` bodies), their document files, the village events still unsent, the
laptop's change cursor and public keys; signed by the laptop, encrypted to the office.

Order of effects, so that a pulled stick or a kill at any moment leaves nothing half done:

1. the bundle number (``seq``) is reserved in the database (a number skipped is harmless);
2. the file is written under a hidden temporary name, fsynced, read back and verified, then
   renamed (``usbroute.write_bundle``); a failure removes the temporary file;
3. only then the batches get their "lewat flashdisk" trip (``store.batches.record_stick_trip``).

One bad batch does not block the trip: a batch whose data no longer validates, or whose page
file is missing or damaged on the laptop, is left out with its Indonesian reason
(``ExportResult.skipped``), and only the batches actually written get a trip. Page files are
read from the blob store one at a time while the bundle streams (``usbroute.LazyFile``), so a
trip of 200 applications needs about one page of memory, not all of them.

A kill between 2 and 3 leaves a complete, valid bundle on the stick and no trip recorded: the
batches stay exportable and are sent again online or on the next stick; the office's import is
idempotent, so carrying both is harmless. Nothing else changes locally: a batch is finished only
when the office acknowledges it (online receipt, or a return bundle), ``store.batches.acknowledge``.
Left-over temporary files of an earlier, interrupted export are removed from the folder first.

The same bundle is the backup of unsent work (``purpose="backup"``, "pindah laptop"): every
unacknowledged batch and unsent event, imported at the office exactly like a stick trip.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from desa_capil import __version__
from desa_capil.errors import StorageError, UserError
from desa_capil.paths import AppPaths
from desa_capil.store import batches, outbox, setting_keys
from desa_capil.store.db import Database
from desa_capil.store.models import utcnow
from desa_capil.store.repo import get_setting, set_setting
from desa_capil.timeutil import as_utc
from desa_capil.usbroute import SUFFIX, BatchForBundle, BundleError, LazyFile, write_village_bundle

log = logging.getLogger(__name__)

SEQ_KEY = "usb_bundle_seq"  # the last bundle number this laptop reserved
# Room kept free beyond the estimate: the age stream, the index and the file system's own need.
MARGIN = 256 * 1024
PURPOSES = ("send", "backup")


class ExportError(UserError):
    """The bundle could not be written; ``reason`` says why (``full``, ``read_only``, ``pulled``,
    ``no_folder``, ``not_enrolled``, ``no_office_key``, ``keys_conflict``, ``nothing``,
    ``all_skipped``, ``write_failed``)."""

    def __init__(self, reason: str, message_id: str, message_en: str, *, detail: str = "") -> None:
        super().__init__(message_id, message_en, detail=detail)
        self.reason = reason


def _mb(n: int) -> str:
    return f"{max(n, 0) / 1_000_000:.1f}".replace(".", ",")


def not_enrolled() -> ExportError:
    return ExportError(
        "not_enrolled",
        "Laptop ini belum terdaftar di Disdukcapil, jadi belum bisa membuat kiriman flashdisk. "
        "Daftarkan dulu (lewat internet atau berkas pendaftaran dari kantor).",
        "This laptop is not enrolled with the office yet, so it cannot make a stick bundle. Enroll "
        "it first (online, or with the enrollment file from the office).",
    )


def no_office_key() -> ExportError:
    return ExportError(
        "no_office_key",
        "Kunci kantor Disdukcapil belum ada di laptop ini, jadi kiriman tidak bisa dikunci untuk "
        "kantor. Sambungkan laptop ke internet sekali, atau daftarkan dengan berkas dari kantor.",
        "The office's key is not on this laptop yet, so the bundle cannot be locked for the office. "
        "Connect once to the internet, or enroll with the file from the office.",
    )


def nothing_to_send() -> ExportError:
    return ExportError(
        "nothing",
        "Tidak ada kiriman atau catatan yang belum diterima kantor. Segel dulu permohonan yang siap "
        "di halaman Kiriman.",
        "Nothing is waiting for the office. Seal the ready applications first on the Batches page.",
    )


def no_folder(folder: Path) -> ExportError:
    return ExportError(
        "no_folder",
        f"Flashdisk atau folder {folder} tidak ditemukan. Colokkan flashdisk lagi lalu pilih ulang.",
        f"The stick or folder {folder} was not found. Plug the stick in again and choose it again.",
    )


def read_only(folder: Path, detail: str = "") -> ExportError:
    return ExportError(
        "read_only",
        "Flashdisk ini tidak bisa ditulisi (terkunci / write-protect, atau hanya-baca). Geser kunci "
        "kecil di sisi flashdisk, atau pakai flashdisk lain. Tidak ada yang dicatat terkirim.",
        "This stick cannot be written (write-protected or read-only). Slide the small lock on its "
        "side, or use another stick. Nothing was recorded as sent.",
        detail=detail or str(folder),
    )


def full(need: int, free: int) -> ExportError:
    return ExportError(
        "full",
        f"Flashdisk penuh: kiriman ini perlu sekitar {_mb(need)} MB, sisa ruang {_mb(free)} MB. Hapus "
        "berkas lain dari flashdisk atau pakai flashdisk lain. Tidak ada yang dicatat terkirim.",
        f"The stick is full: this bundle needs about {_mb(need)} MB, {_mb(free)} MB is free. Delete "
        "other files from the stick or use another one. Nothing was recorded as sent.",
    )


def pulled(detail: str = "") -> ExportError:
    return ExportError(
        "pulled",
        "Flashdisk terlepas atau rusak saat menulis. Tidak ada berkas setengah jadi dan tidak ada yang "
        "dicatat terkirim; data di laptop aman. Colokkan lagi lalu ulangi.",
        "The stick was pulled out or failed while writing. No half-written file was left and nothing "
        "was recorded as sent; the data on the laptop is safe. Plug it in again and retry.",
        detail=detail,
    )


# --- what would go -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What one trip would carry."""

    batch_ids: list[str]
    applications: int
    pages: int
    files: int
    file_bytes: int
    events: int

    @property
    def estimated_bytes(self) -> int:
        """The bundle's size, near enough to check the stick's free space (PDFs do not shrink)."""
        return self.file_bytes + 4096 * (len(self.batch_ids) + 1) + 1024 * self.events + MARGIN


def plan(db: Database, batch_ids: Iterable[str] | None = None) -> Plan:
    """The unacknowledged batches among ``batch_ids`` (all of them when None), with sizes."""
    ids = batches.exportable(db, batch_ids)
    rows = {r.id: r for r in batches.batch_rows(db, limit=100_000) if r.id in ids}
    docs = [d for bid in ids for d in batches.documents(db, bid)]
    return Plan(
        batch_ids=ids,
        applications=sum(rows[i].application_count for i in ids if i in rows),
        pages=sum(rows[i].page_count for i in ids if i in rows),
        files=len(docs),
        file_bytes=sum(d.file_size for d in docs),
        events=len(outbox.pending_events(db)),
    )


# --- when the stick is offered ---------------------------------------------------------------------

OFFER_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class StickOffer:
    """The Kiriman page offers the stick: batches wait and the server has not answered for a day."""

    waiting: int  # unacknowledged batches
    since: datetime | None  # the last contact with the server (None: never)


def stick_offer(db: Database, now: datetime | None = None) -> StickOffer | None:
    """A ``StickOffer`` when unacknowledged batches wait and the server has not been reachable
    for ``OFFER_AFTER``: the last successful contact is older, or (never in contact) the oldest
    waiting batch was sealed before that. None otherwise."""
    from desa_capil.sync.worker import last_contact

    ids = batches.exportable(db)
    if not ids:
        return None
    now = as_utc(now or utcnow())
    contact = last_contact(db)
    if contact is not None:
        return StickOffer(len(ids), as_utc(contact)) if now - as_utc(contact) >= OFFER_AFTER else None
    oldest = min(r.sealed_at for r in batches.batch_rows(db, limit=100_000) if r.id in set(ids))
    return StickOffer(len(ids), None) if now - as_utc(oldest) >= OFFER_AFTER else None


# --- the destination -------------------------------------------------------------------------------


def clean_leftovers(folder: Path) -> int:
    """Remove temporary files of an interrupted export (hidden ``.*.dcb.*.part``); how many."""
    n = 0
    with contextlib.suppress(OSError):
        for p in folder.glob(f".*{SUFFIX}.*.part"):
            with contextlib.suppress(OSError):
                p.unlink()
                n += 1
    return n


def check_folder(folder: Path, need: int) -> None:
    """Refuse early, with the words the user needs, a folder that is gone, read-only or full."""
    if not folder.is_dir():
        raise no_folder(folder)
    probe = folder / f".desa_capil-probe-{os.getpid()}"
    try:
        with open(probe, "wb") as fh:
            fh.write(b"x")
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise read_only(folder, f"{type(exc).__name__}: {exc.strerror}") from exc
        if exc.errno == errno.ENOSPC:
            raise full(need, 0) from exc
        if exc.errno in (errno.ENOENT, errno.ENODEV, errno.EIO, errno.ENXIO):
            raise pulled(f"{type(exc).__name__}: {exc.strerror}") from exc
        raise
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    free = shutil.disk_usage(folder).free
    if free < need:
        raise full(need, free)


def _explain(folder: Path, need: int, exc: BaseException) -> ExportError:
    """Why writing failed, judged from the folder afterwards (the stick may be gone)."""
    detail = f"{type(exc).__name__}: {exc}"[:300]
    if not folder.is_dir():
        return pulled(detail)
    err = exc.__cause__ if isinstance(exc, BundleError) else exc
    code = getattr(err, "errno", None)
    if code == errno.ENOSPC or "No space" in detail:
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            free = 0
        return full(need, free)
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or "Read-only" in detail:
        return read_only(folder, detail)
    return pulled(detail)


# --- what can go: one bad batch does not block the trip ----------------------------------------


@dataclass(frozen=True)
class SkippedBatch:
    """A chosen batch left out of the bundle (nothing recorded for it), with the reason."""

    batch_id: str
    reason: str  # "invalid_data" | "page_missing"
    sealed_at: datetime | None
    applications: int
    message_id: str
    message_en: str
    detail: str = ""

    def message(self, lang: str = "id") -> str:
        return self.message_en if lang.startswith("en") else self.message_id


def _invalid_data(batch_id: str, row: batches.BatchRow | None, detail: str) -> SkippedBatch:
    return SkippedBatch(
        batch_id,
        "invalid_data",
        row.sealed_at if row else None,
        row.application_count if row else 0,
        "Data permohonan di kiriman ini tidak lengkap atau tidak valid (NIK, nomor KK, nama). Kiriman "
        "ini tidak ikut ke flashdisk; periksa datanya di halaman Kiriman, lalu kirim lagi.",
        "Application data in this batch is incomplete or invalid (NIK, KK number, name). This batch "
        "was not put on the stick; check its data on the Batches page, then send it again.",
        detail,
    )


def _page_missing(batch_id: str, row: batches.BatchRow | None, detail: str) -> SkippedBatch:
    return SkippedBatch(
        batch_id,
        "page_missing",
        row.sealed_at if row else None,
        row.application_count if row else 0,
        "Berkas hasil pindai di kiriman ini hilang atau rusak di laptop. Kiriman ini tidak ikut ke "
        "flashdisk; buka segelnya, pindai ulang halaman yang rusak, lalu segel lagi.",
        "A scanned file of this batch is missing or damaged on the laptop. This batch was not put on "
        "the stick; unseal it, scan the damaged page again, then seal it again.",
        detail,
    )


def _loader(db: Database, sha: str) -> Callable[[], bytes]:
    return lambda: db.blobs.get(sha)


def collect(db: Database, batch_ids: Sequence[str]) -> tuple[list[BatchForBundle], list[SkippedBatch]]:
    """The batches that can go, as bundle parts whose page files are read only when written
    (``LazyFile``: one page in memory at a time), and the ones that cannot, each with its
    reason. Every page is opened once here (decrypted, its hash checked, then dropped), so a
    missing or damaged file skips its batch before anything is written."""
    rows = {r.id: r for r in batches.batch_rows(db, limit=100_000) if r.id in set(batch_ids)}
    parts: list[BatchForBundle] = []
    skipped: list[SkippedBatch] = []
    for bid in batch_ids:
        try:
            manifest = batches.manifest(db, bid, batches.stick_upload_id).model_dump(mode="json")
        except ValidationError as exc:  # data an older version (or a hand edit) let in
            detail = str(exc.errors(include_url=False, include_input=False)[:3])
            log.warning("batch %s not exported: invalid data %s", bid, detail[:300])
            skipped.append(_invalid_data(bid, rows.get(bid), detail[:300]))
            continue
        files: dict[str, LazyFile] = {}
        problem = ""
        for d in batches.documents(db, bid):
            sha = d.file_sha256 or ""
            try:
                size = len(db.blobs.get(sha))
            except (StorageError, OSError, ValueError) as exc:
                problem = f"document {d.id}: {type(exc).__name__}"
                break
            if size != d.file_size:
                problem = f"document {d.id}: {size} bytes, {d.file_size} recorded"
                break
            files[batches.stick_upload_id(d.id)] = LazyFile(size, _loader(db, sha))
        if problem:
            log.warning("batch %s not exported: %s", bid, problem)
            skipped.append(_page_missing(bid, rows.get(bid), problem))
            continue
        parts.append(BatchForBundle(bid, manifest, files))
    return parts, skipped


def all_skipped(skipped: Sequence[SkippedBatch]) -> ExportError:
    reasons_id = " ".join(dict.fromkeys(b.message_id for b in skipped))
    reasons_en = " ".join(dict.fromkeys(b.message_en for b in skipped))
    return ExportError(
        "all_skipped",
        f"Tidak ada kiriman yang bisa ditulis ke flashdisk. {reasons_id} Tidak ada yang dicatat terkirim.",
        f"No batch could be written to the stick. {reasons_en} Nothing was recorded as sent.",
        detail=", ".join(b.batch_id for b in skipped),
    )


# --- writing ---------------------------------------------------------------------------------------


@dataclass
class ExportResult:
    path: Path
    bundle_id: str
    seq: int
    batch_ids: list[str]  # written to the bundle (and recorded as carried by stick)
    applications: int
    files: int
    events: int
    size: int
    trips_recorded: int
    at: datetime = field(default_factory=utcnow)
    skipped: list[SkippedBatch] = field(default_factory=list)  # chosen, not written, with reasons

    def skipped_text(self, lang: str = "id") -> str:
        """The skipped batches for the dialog's result text ("" when none)."""
        if not self.skipped:
            return ""
        en = lang.startswith("en")
        head = (
            f"{len(self.skipped)} batch(es) NOT on the stick (nothing recorded for them):"
            if en
            else f"{len(self.skipped)} kiriman TIDAK ikut ke flashdisk (tidak dicatat terkirim):"
        )
        lines = [head]
        for b in self.skipped:
            when = f"{b.sealed_at:%d-%m-%Y %H:%M}" if b.sealed_at else b.batch_id[:8]
            apps = f"{b.applications} {'applications' if en else 'permohonan'}"
            lines.append(f"• {when} ({apps}): {b.message(lang)}")
        return "\n".join(lines)


def _reserve_seq(db: Database) -> int:
    seq = int(get_setting(db, SEQ_KEY, "0") or 0) + 1
    set_setting(db, SEQ_KEY, str(seq))
    return seq


def file_name(village_code: str, seq: int, at: datetime, purpose: str = "send") -> str:
    kind = "cadangan" if purpose == "backup" else "kiriman"
    return f"{kind}-{village_code}-{at:%Y%m%d-%H%M}-{seq:04d}{SUFFIX}"


def export(
    db: Database,
    paths: AppPaths,
    folder: Path,
    batch_ids: Iterable[str] | None = None,
    *,
    purpose: str = "send",
    progress: Callable[[str], None] | None = None,
) -> ExportResult:
    """Write one bundle with the chosen unacknowledged batches (all when None) and the unsent
    events into ``folder``; record the stick trips once the file verified. ExportError with an
    Indonesian message when it cannot be done; nothing is recorded then."""
    from desa_capil.sync import apply, config, usb_identity  # the sync layer's identity and cursor

    if purpose not in PURPOSES:
        raise ValueError(purpose)
    say = progress or (lambda _step: None)
    village = get_setting(db, setting_keys.VILLAGE_CODE)
    device_id = get_setting(db, config.DEVICE_ID)
    if not village or not device_id:
        raise not_enrolled()
    office = usb_identity.office_keys(db)
    if office is None:
        raise no_office_key()
    conflict = usb_identity.keys_conflict(db)
    if conflict is not None and purpose == "send":
        # The office would refuse the bundle (other keys registered for this device). A backup
        # of unsent work is still written: the work is kept, whatever the office decides.
        raise ExportError("keys_conflict", conflict.message_id, conflict.message_en, detail=conflict.detail)
    what = plan(db, batch_ids)
    events = [row.payload for row in outbox.pending_events(db)]
    if not what.batch_ids and not events:
        raise nothing_to_send()
    say("check")
    clean_leftovers(folder)
    check_folder(folder, what.estimated_bytes)
    keys = usb_identity.device_keys(db, paths)

    say("collect")
    parts, skipped = collect(db, what.batch_ids)
    if not parts and not events:
        raise all_skipped(skipped)
    written = [p.batch_id for p in parts]
    rows = {r.id: r for r in batches.batch_rows(db, limit=100_000) if r.id in set(written)}
    pair = usb_identity.enrollment_proof(db)
    proof = {"enrollment_id": pair[0], "proof": pair[1]} if pair else None
    seq = _reserve_seq(db)
    at = utcnow()
    target = folder / file_name(village, seq, at, purpose)
    say("write")
    try:
        header = write_village_bundle(
            target,
            keys=keys,
            device_id=device_id,
            village_code=village,
            seq=seq,
            office_box_public=office.box_public,
            batches=parts,
            events=[json.loads(e) for e in events if e],
            cursor=apply.cursor(db),
            enrollment_proof=proof,
            app_version=__version__,
            purpose=purpose,
        )
    except (BundleError, OSError) as exc:
        if isinstance(exc, FileNotFoundError) and folder.is_dir():
            raise  # a file of this laptop vanished: not the stick's fault
        log.warning("usb export to %s failed: %s", folder, exc)
        raise _explain(folder, what.estimated_bytes, exc) from exc
    say("record")
    n = batches.record_stick_trip(db, written, bundle_id=header.bundle_id, file_name=target.name, at=at)
    log.info(
        "usb bundle %s (seq %d): %d batches, %d events, %d skipped",
        target.name,
        seq,
        len(written),
        len(events),
        len(skipped),
    )
    return ExportResult(
        path=target,
        bundle_id=header.bundle_id,
        seq=seq,
        batch_ids=written,
        applications=sum(rows[i].application_count for i in written if i in rows),
        files=sum(len(p.files) for p in parts),
        events=len(events),
        size=target.stat().st_size,
        trips_recorded=n,
        at=at,
        skipped=skipped,
    )
