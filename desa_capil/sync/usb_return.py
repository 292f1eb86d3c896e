"""A return bundle from the office, brought on a stick ("Terima dari flashdisk").

The office's return bundle (``*.dcb`` kind "office", docs/usb-route.md) carries what the online
pull would have brought: the status changes since the village's cursor in the same JSON pages as
``GET /changes``, the signed PDFs of dispatched documents, and the office catalog. It is applied
through the same function as the online pull (``apply.apply_changes``), and it closes the outbox with the office's answers to
what went by stick (batch receipts, event results: ``received``), so the two routes
cannot disagree and may come in any order: a change already applied is skipped by its seq, an
office change older than what an application already shows is skipped (an old bundle after
newer online pulls regresses nothing), the cursor only moves when the bundle continues from it,
and an older catalog never replaces a newer one.

Everything is checked before anything is written: the bundle's signature by the office key
this laptop knows, that it is for this village and this laptop, every page, every PDF (magic and
the sha256 the change announced). Then one database transaction applies it all; the PDFs are
put into the content-addressed blob store first (a PDF no record points at is harmless and
collected later). A bad bundle raises a ``BundleError`` (or ``BadInputError``) with a clear
Indonesian reason and leaves the database as it was; a bundle applied twice changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from desa_capil.api.models import BatchReceipt, ErrorBody, EventOutcome, EventResult
from desa_capil.domain import catalog
from desa_capil.domain.status import Status
from desa_capil.errors import BadInputError
from desa_capil.paths import AppPaths
from desa_capil.store import batches, outbox
from desa_capil.store import setting_keys as keys
from desa_capil.store.db import Database
from desa_capil.store.models import BatchRoute, OutboxState, Setting
from desa_capil.store.repo import get_setting
from desa_capil.sync import apply, catalog_update, config
from desa_capil.sync.client import BadAnswer
from desa_capil.sync.usb_identity import device_keys, office_keys
from desa_capil.usbroute import BundleError, BundleHeader, KeySet, OpenedBundle, open_bundle, read_header

log = logging.getLogger(__name__)

LAST_RETURN_KEY = "usb_last_return"  # SyncState: the last return bundle applied (JSON)


class NotEnrolledForStick(BadInputError):
    def __init__(self) -> None:
        super().__init__(
            "Laptop ini belum punya kunci kantor, jadi berkas dari kantor belum bisa dibuka. Daftarkan "
            "laptop dulu (berkas pendaftaran dari flashdisk, atau lewat internet di Pengaturan).",
            "This laptop does not have the office's key yet, so office bundles cannot be opened. "
            "Enroll the laptop first (enrollment file from a stick, or online in Settings).",
        )


@dataclass
class ReturnResult:
    """What a return bundle did here (for the "Terima dari flashdisk" summary)."""

    bundle_id: str
    created_at: str
    application_ids: list[str] = field(default_factory=list)  # whose status or office note changed
    statuses: dict[str, Status] = field(default_factory=dict)
    documents: int = 0  # signed PDFs stored from this bundle
    documents_waiting: int = 0  # announced, not in the bundle: fetched online later
    batches_acknowledged: int = 0
    batches_refused: list[str] = field(default_factory=list)  # set aside here with the office's reason
    events_answered: int = 0  # village events the office answered (outbox rows closed)
    catalog_version: str | None = None
    skipped: int = 0

    @property
    def status_changes(self) -> int:
        return len(self.application_ids)

    @property
    def nothing_new(self) -> bool:
        return not (
            self.application_ids
            or self.documents
            or self.batches_acknowledged
            or self.batches_refused
            or self.catalog_version
        )


@dataclass
class _Content:
    """A return bundle read and checked, nothing applied yet."""

    pages: list[tuple[int, apply.Page]]  # (after, page)
    documents: dict[str, tuple[str, bytes]]  # office document id -> (sha256, PDF bytes)
    catalog_raw: Any = None
    catalog_version: str = ""
    receipts: list[BatchReceipt] = field(default_factory=list)
    event_results: list[EventResult] = field(default_factory=list)
    refused: list[tuple[str, ErrorBody]] = field(default_factory=list)  # (batch id, the office's answer)


def _format(detail: str) -> BundleError:
    return BundleError("format", detail)


def read_content(bundle: OpenedBundle) -> _Content:
    """Check every part of an opened return bundle; BundleError on anything wrong."""
    meta = bundle.meta
    try:
        after = int(meta.get("after", 0))
        raw_pages = meta.get("pages", [])
        if not isinstance(raw_pages, list):
            raise _format("pages is not a list")
        pages: list[tuple[int, apply.Page]] = []
        start = after
        for raw in raw_pages:
            if not isinstance(raw, dict):
                raise _format("a page is not an object")
            page = apply.parse_page(raw, start)
            pages.append((start, page))
            start = page.next_after
    except BadAnswer as exc:
        raise _format(f"changes: {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise _format(f"changes: {exc}") from exc
    documents: dict[str, tuple[str, bytes]] = {}
    for d in meta.get("documents", []) or []:
        try:
            # Local office documents are keyed by the dashed uuid (as the online changes give it).
            doc_id, sha, name = str(uuid.UUID(str(d["id"]))), str(d["sha256"]).lower(), str(d["file"])
        except (KeyError, TypeError, ValueError) as exc:
            raise _format("documents entry") from exc
        data = bundle.read(name)  # size and sha256 of the bundle's index checked on read
        if hashlib.sha256(data).hexdigest() != sha or b"%PDF-" not in data[:1024]:
            raise BundleError("damaged_file", f"document {doc_id}")
        documents[doc_id] = (sha, data)
    content = _Content(pages, documents)
    cat = meta.get("catalog")
    if isinstance(cat, dict) and "version" in cat and "catalog" in cat:
        content.catalog_version, content.catalog_raw = str(cat["version"]), cat["catalog"]
    received = meta.get("received") or {}
    try:
        content.receipts = [BatchReceipt.model_validate(b["receipt"]) for b in received.get("batches") or []]
        content.event_results = [
            EventResult.model_validate(e["result"]) for e in received.get("events") or []
        ]
    except (ValidationError, KeyError, TypeError, AttributeError) as exc:
        raise _format(f"received: {type(exc).__name__}") from exc
    try:
        content.refused = [
            (str(r["batch_id"]), ErrorBody.model_validate(r["error"])) for r in meta.get("refused") or []
        ]
    except (ValidationError, KeyError, TypeError) as exc:
        raise _format(f"refused: {type(exc).__name__}") from exc
    return content


def same_id(a: str, b: str) -> bool:
    """Two ids written as uuids with or without dashes (the server's hex, the online
    enrollment's dashed form) or as plain text."""
    try:
        return uuid.UUID(a) == uuid.UUID(b)
    except ValueError:
        return a == b


def check_header(header: BundleHeader, *, village_code: str, device_id: str) -> None:
    """A return bundle for this village and this laptop, or a BundleError saying why not."""
    if header.kind != "office":
        raise BundleError("wrong_kind", header.kind)
    if header.village_code != village_code:
        raise BundleError("wrong_village", header.village_code)
    if device_id and not same_id(header.device_id, device_id):
        # Return bundles are per laptop (docs/usb-route.md): this village's other laptop.
        raise BundleError("other_laptop", f"for device {header.device_id}, this is {device_id}")


def apply_return_bundle(
    db: Database,
    path: Path,
    *,
    paths: AppPaths | None = None,
    device: KeySet | None = None,
    spool_dir: Path | None = None,
) -> ReturnResult:
    """Check and apply the office's return bundle at ``path`` (see the module docstring)."""
    office = office_keys(db)
    village = get_setting(db, keys.VILLAGE_CODE)
    if office is None or not village:
        raise NotEnrolledForStick()
    if device is None:
        if paths is None:
            raise ValueError("paths or device keys are needed")
        device = device_keys(db, paths)
    header = read_header(path)  # a cut file is refused before any key is used
    check_header(header, village_code=village, device_id=get_setting(db, config.DEVICE_ID))
    with open_bundle(
        path, box_private=device.box, verify_key=office.sign_public, spool_dir=spool_dir
    ) as bundle:
        check_header(bundle.header, village_code=village, device_id=get_setting(db, config.DEVICE_ID))
        content = read_content(bundle)
    return _apply(db, bundle.header, content)


def _apply(db: Database, header: BundleHeader, content: _Content) -> ReturnResult:
    result = ReturnResult(header.bundle_id, header.created_at)
    new_catalog = (
        catalog_update.check_offer(
            get_setting(db, catalog_update.VERSION_SETTING),
            content.catalog_version,
            content.catalog_raw,
            only_newer=True,
        )
        if content.catalog_raw is not None
        else None
    )
    stored = {doc_id: db.blobs.put(data) for doc_id, (_sha, data) in content.documents.items()}
    with db.session() as s:
        # The office's answers first, as online (the receipt, then the change pull).
        result.batches_acknowledged = sum(_acknowledge(s, r) for r in content.receipts)
        result.events_answered = sum(_event_answered(s, r) for r in content.event_results)
        result.batches_refused = [bid for bid, body in content.refused if _refused(s, bid, body)]
        applied = apply.Applied()
        for after, page in content.pages:
            apply.apply_changes(s, page, applied, after=after)
        s.flush()
        for doc_id, (sha, _data) in content.documents.items():
            expected = apply.expected_sha(s, doc_id)
            if expected is None:
                continue  # not dispatched to this laptop, or already stored
            if expected and expected.lower() != sha:
                log.warning("document %s in the bundle differs from the announced one; not used", doc_id)
                continue
            apply.keep_document(s, doc_id, stored[doc_id])
            result.documents += 1
        if new_catalog is not None:
            for key, value in (
                (catalog_update.SETTING, json.dumps(content.catalog_raw, ensure_ascii=False)),
                (catalog_update.VERSION_SETTING, new_catalog.version),
            ):
                row = s.get(Setting, key) or Setting(key=key, value=value)
                row.value = value
                s.add(row)
        apply.set_state(
            s,
            LAST_RETURN_KEY,
            json.dumps(
                {
                    "bundle_id": header.bundle_id,
                    "created_at": header.created_at,
                    "applied_at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            ),
        )
        s.commit()
    if new_catalog is not None:
        catalog.install(new_catalog)
        result.catalog_version = new_catalog.version
    result.application_ids = list(dict.fromkeys(applied.application_ids))
    result.statuses = dict(applied.statuses)
    result.skipped = applied.skipped
    result.documents_waiting = len(apply.documents_to_fetch(db))
    log.info(
        "return bundle %s: %d changes, %d documents, catalog %s",
        header.bundle_id,
        result.status_changes,
        result.documents,
        result.catalog_version,
    )
    return result


def _acknowledge(s: Session, receipt: BatchReceipt) -> bool:
    """The office holds this batch (its receipt, as the online PUT answers it): through the
    batches' owner, as the online receipt does (``store.batches.acknowledge``). True when it was
    news here (a batch of another laptop of the village, or one already acknowledged: False)."""
    seqs = {str(a.id): a.seq for a in receipt.applications}
    batch_id = str(receipt.batch_id)
    # A batch that never went on a stick reached the office online (its receipt was lost on the
    # way back): acknowledged as online, not as a stick trip that never happened.
    via = BatchRoute.STICK if batches.went_by_stick(s, batch_id) else BatchRoute.ONLINE
    return batches.acknowledge_in(s, batch_id, via=via, received_at=receipt.received_at, seqs=seqs)


def _refused(s: Session, batch_id: str, body: ErrorBody) -> bool:
    """The office refused this batch when it imported a stick (409/422): set aside here with
    the office's words and code, exactly as the online worker does for the same answer
    (sync/worker.py ``park_batch``), so it is not carried to the office again."""
    text = body.message_id
    if body.applications:
        text += " " + "; ".join(list(dict.fromkeys(p.message_id or p.problem for p in body.applications))[:5])
    return batches.park_in(s, batch_id, text, body.error)


def _event_answered(s: Session, res: EventResult) -> bool:
    """The office's answer to a village event (arrived, handed over) that went by stick: done,
    or set aside with the office's reason, exactly as the online answer would."""
    changed = False
    for row in outbox.event_rows(s, state=OutboxState.PENDING, mentioning=str(res.id)):
        if row.ref_id != str(res.id):
            continue
        applied = res.outcome == EventOutcome.APPLIED
        changed |= outbox.set_outcome(s, row.id, applied=applied, reason=res.message_id or "Ditolak server.")
    return changed


def last_return(db: Database) -> dict[str, str] | None:
    raw = apply.read_state(db, LAST_RETURN_KEY)
    if not raw:
        return None
    value: dict[str, str] = json.loads(raw)
    return value
