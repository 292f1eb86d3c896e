"""A return bundle applied on the laptop (sync/usb_return.py) with office bundles made here by
the format module: what arrives, idempotence, any order with online pulls, bad bundles refused
with nothing written (database counts and settings compared before and after)."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from desa_capil.domain import catalog
from desa_capil.paths import AppPaths
from desa_capil.store import batches
from desa_capil.store import setting_keys as keys
from desa_capil.store.db import Database
from desa_capil.store.models import (
    Application,
    Batch,
    BatchState,
    OfficeDocument,
    Setting,
    StatusChange,
    SyncState,
)
from desa_capil.store.repo import set_setting
from desa_capil.sync import apply, config
from desa_capil.sync.usb_identity import OfficeKeys, device_keys, save_office_keys
from desa_capil.sync.usb_return import apply_return_bundle
from desa_capil.usbroute import BundleError, KeySet, write_bundle
from tests.sync.helpers import make_batch

VILLAGE = "32.04.05.2001"
DEVICE_ID = "7"
OFFICE = KeySet.generate()
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def change(
    seq: int, app_id: str, status: str, message: str = "", docs: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "seq": seq,
        "application_id": app_id,
        "status": status,
        "actor": "office",
        "message": message,
        "at": (T0 + timedelta(minutes=seq)).isoformat(),
        "documents": docs or [],
    }


def enroll_here(db: Database, paths: AppPaths, office: KeySet = OFFICE) -> KeySet:
    save_office_keys(db, OfficeKeys(office.sign_public, office.box_public, "Disdukcapil Uji"))
    set_setting(db, keys.VILLAGE_CODE, VILLAGE)
    set_setting(db, keys.VILLAGE_NAME, "Sukamaju")
    set_setting(db, config.DEVICE_ID, DEVICE_ID)
    return device_keys(db, paths)


def office_bundle(
    out: Path,
    device: KeySet,
    *,
    after: int,
    changes: list[dict[str, Any]],
    next_after: int,
    docs: dict[str, bytes] | None = None,
    cat: dict[str, Any] | None = None,
    village: str = VILLAGE,
    signer: KeySet = OFFICE,
    seq: int = 1,
    refused: list[dict[str, Any]] | None = None,
    received: dict[str, Any] | None = None,
) -> Path:
    docs = docs or {}
    meta: dict[str, Any] = {
        "type": "desa_capil.office_bundle",
        "version": 1,
        "after": after,
        "pages": [{"changes": changes, "next_after": next_after, "has_more": False}],
        "documents": [
            {"id": d, "sha256": hashlib.sha256(b).hexdigest(), "size": len(b), "file": f"documents/{d}.pdf"}
            for d, b in docs.items()
        ],
        "catalog": cat,
    }
    if refused is not None:
        meta["refused"] = refused
    if received is not None:
        meta["received"] = received
    write_bundle(
        out,
        header_fields={"kind": "office", "village_code": village, "device_id": DEVICE_ID, "seq": seq},
        files=[(f"documents/{d}.pdf", b) for d, b in docs.items()],
        meta=meta,
        signing_key=signer.signing,
        recipient_box_public=device.box_public,
    )
    return out


def snapshot(db: Database) -> dict[str, Any]:
    """Everything a return bundle may write, to compare before and after a refusal."""
    with db.session() as s:
        return {
            "changes": s.exec(select(func.count()).select_from(StatusChange)).one(),
            "statuses": sorted((a.id, a.status, a.office_message) for a in s.exec(select(Application))),
            "documents": sorted((d.id, d.file_sha256) for d in s.exec(select(OfficeDocument))),
            "state": sorted((r.key, r.value) for r in s.exec(select(SyncState))),
            "settings": sorted((r.key, r.value) for r in s.exec(select(Setting))),
        }


def dispatched(seq: int, app_id: str, doc_id: str, data: bytes = PDF) -> dict[str, Any]:
    return change(
        seq,
        app_id,
        "dispatched",
        docs=[
            {
                "id": doc_id,
                "title": "Akta Kelahiran",
                "has_file": True,
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        ],
    )


DOC = "5b0b7e8e-8f55-4d0b-9a39-3c8e4a1f0c11"


def test_return_bundle_applies_changes_documents_and_catalog_once(
    db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    device = enroll_here(db, paths)
    _batch, (a, b) = make_batch(db, n_apps=2)
    changes = [
        change(1, a, "sent"),
        change(2, b, "sent"),
        change(3, a, "finished"),
        dispatched(4, a, DOC),
        change(5, b, "needs_fix", "Foto KK buram; bawa KK asli."),
    ]
    path = office_bundle(
        tmp_path / "kembali.dcb", device, after=0, changes=changes, next_after=5, docs={DOC: PDF}
    )
    result = apply_return_bundle(db, path, paths=paths)
    assert result.statuses == {a: "dispatched", b: "needs_fix"}
    assert result.status_changes == 2 and result.documents == 1 and result.documents_waiting == 0
    assert apply.cursor(db) == 5
    with db.session() as s:
        doc = s.get(OfficeDocument, DOC)
        assert doc is not None and doc.file_sha256 is not None
        assert db.blobs.get(doc.file_sha256) == PDF
        app_b = s.get(Application, b)
        assert app_b is not None and app_b.office_message == "Foto KK buram; bawa KK asli."
    before = snapshot(db)
    again = apply_return_bundle(db, path, paths=paths)
    assert again.nothing_new
    after = snapshot(db)
    # Only the "last return bundle" note is rewritten.
    assert {k: v for k, v in after.items() if k != "state"} == {
        k: v for k, v in before.items() if k != "state"
    }


def test_batch_refused_on_import_is_set_aside_with_the_office_reason(
    db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    """The office refused a stick batch (409/422 on import): the return bundle brings its answer
    and the batch is set aside as the online worker does, so no stick carries it again."""
    device = enroll_here(db, paths)
    batch_id, _apps = make_batch(db, n_apps=1)
    batches.record_stick_trip(db, [batch_id], bundle_id="b1", file_name="desa.dcb")
    assert batches.exportable(db) == [batch_id]
    error = {
        "error": "conflict",
        "message_id": "Permohonan ini sudah ada di kiriman lain.",
        "message_en": "This application is already in another batch.",
        "applications": [{"application_id": _apps[0], "problem": "not_editable", "message_id": "NIK ganda"}],
    }
    path = office_bundle(
        tmp_path / "kembali.dcb",
        device,
        after=0,
        changes=[],
        next_after=0,
        refused=[{"batch_id": batch_id, "status": 409, "error": error}],
    )
    result = apply_return_bundle(db, path, paths=paths)
    assert result.batches_refused == [batch_id] and not result.nothing_new
    with db.session() as s:
        row = s.get(Batch, batch_id)
        assert row is not None and row.state == BatchState.FAILED
        assert row.last_error == "Permohonan ini sudah ada di kiriman lain. NIK ganda"
        assert row.error_code == "conflict"
    assert batches.exportable(db) == []
    # The same bundle again changes nothing.
    assert apply_return_bundle(db, path, paths=paths).nothing_new


def test_receipt_of_a_batch_that_never_went_on_a_stick_is_an_online_acknowledgement(
    db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    """A batch sent online whose receipt was lost comes back acknowledged in a return bundle:
    it is shown as sent online, not as a stick trip it never made; a stick batch as stick."""
    device = enroll_here(db, paths)
    online_id, (a,) = make_batch(db, n_apps=1)
    stick_id, (b,) = make_batch(db, n_apps=1)
    batches.record_stick_trip(db, [stick_id], bundle_id="b1", file_name="desa.dcb")

    def receipt(batch_id: str, app_id: str, seq: int) -> dict[str, Any]:
        return {
            "batch_id": batch_id,
            "receipt": {
                "batch_id": batch_id,
                "received_at": T0.isoformat(),
                "applications": [{"id": app_id, "status": "sent", "seq": seq}],
            },
        }

    path = office_bundle(
        tmp_path / "kembali.dcb",
        device,
        after=0,
        changes=[],
        next_after=0,
        received={"batches": [receipt(online_id, a, 1), receipt(stick_id, b, 2)], "events": []},
    )
    assert apply_return_bundle(db, path, paths=paths).batches_acknowledged == 2
    with db.session() as s:
        ack = {bid: (row.state, row.ack_via) for bid in (online_id, stick_id) if (row := s.get(Batch, bid))}
    assert ack == {online_id: ("sent", "online"), stick_id: ("sent", "stick")}


def test_old_return_bundle_after_newer_online_changes_is_harmless(
    db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    device = enroll_here(db, paths)
    _batch, (a,) = make_batch(db, n_apps=1)
    old = office_bundle(
        tmp_path / "lama.dcb",
        device,
        after=0,
        changes=[change(1, a, "sent"), change(2, a, "needs_fix", "KK buram")],
        next_after=2,
    )
    # The office meanwhile moved on (3..4) and a later bundle, starting at 2, arrived first.
    newer = office_bundle(
        tmp_path / "baru.dcb",
        device,
        after=2,
        changes=[change(3, a, "in_review"), change(4, a, "processing")],
        next_after=4,
        seq=2,
    )
    apply_return_bundle(db, newer, paths=paths)
    assert apply.cursor(db) == 0  # started after the cursor: the gap is not jumped over
    before = snapshot(db)
    result = apply_return_bundle(db, old, paths=paths)
    # sent (1) and needs_fix (2) are older than processing (4): both skipped, nothing regresses.
    assert result.statuses == {} and result.skipped == 2
    with db.session() as s:
        app = s.get(Application, a)
        assert app is not None and app.status == "processing"
    assert snapshot(db)["statuses"] == before["statuses"]
    # The old bundle continued from the cursor: it moves to 2 (not to 4: 3..4 came from a bundle
    # that did not continue from the cursor; the online pull fetches them again, known by seq).
    assert apply.cursor(db) == 2


def _expect(reason: str, db: Database, paths: AppPaths, path: Path) -> None:
    before = snapshot(db)
    with pytest.raises(BundleError) as info:
        apply_return_bundle(db, path, paths=paths)
    assert info.value.reason == reason, info.value.detail
    assert info.value.message("id")
    assert snapshot(db) == before


def test_bad_return_bundles_are_refused_and_nothing_is_written(
    db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    device = enroll_here(db, paths)
    _batch, (a,) = make_batch(db, n_apps=1)
    good = office_bundle(
        tmp_path / "baik.dcb",
        device,
        after=0,
        changes=[change(1, a, "sent"), change(2, a, "finished"), dispatched(3, a, DOC)],
        next_after=3,
        docs={DOC: PDF},
    )
    raw = good.read_bytes()
    rng = random.Random(16)
    cut = tmp_path / "cut.dcb"
    for n in sorted(rng.sample(range(1, len(raw)), 20)):
        cut.write_bytes(raw[:n])
        _expect("truncated", db, paths, cut)
    flipped = tmp_path / "flip.dcb"
    for _ in range(5):
        i = rng.randrange(len(raw))
        data = bytearray(raw)
        data[i] ^= 1 << rng.randrange(8)
        flipped.write_bytes(bytes(data))
        before = snapshot(db)
        with pytest.raises(BundleError):
            apply_return_bundle(db, flipped, paths=paths)
        assert snapshot(db) == before
    foreign = office_bundle(
        tmp_path / "lain.dcb",
        device,
        after=0,
        changes=[change(1, a, "sent")],
        next_after=1,
        village="32.04.05.2002",
    )
    _expect("wrong_village", db, paths, foreign)
    thief = office_bundle(
        tmp_path / "palsu.dcb",
        device,
        after=0,
        changes=[change(1, a, "sent")],
        next_after=1,
        signer=KeySet.generate(),
    )
    _expect("bad_signature", db, paths, thief)
    other_laptop = office_bundle(
        tmp_path / "laptop2.dcb", KeySet.generate(), after=0, changes=[change(1, a, "sent")], next_after=1
    )
    _expect("wrong_recipient", db, paths, other_laptop)
    # A PDF that is not the one the change announced never replaces the announcement.
    liar = office_bundle(
        tmp_path / "pdf.dcb",
        device,
        after=0,
        changes=[change(1, a, "sent"), change(2, a, "finished"), dispatched(3, a, DOC, PDF + b"x")],
        next_after=3,
        docs={DOC: PDF},
    )
    result = apply_return_bundle(db, liar, paths=paths)
    assert result.statuses == {a: "dispatched"} and result.documents == 0 and result.documents_waiting == 1
    with db.session() as s:
        doc = s.get(OfficeDocument, DOC)
        assert doc is not None and doc.file_sha256 is None


@pytest.fixture
def bundled_catalog() -> Any:
    catalog.use_bundled()
    yield
    catalog.use_bundled()


def office_catalog(version: str) -> dict[str, Any]:
    raw = json.loads(catalog.catalog_text())
    raw["version"] = version
    raw["services"] = [s for s in raw["services"] if s["code"] != "pembetulan_data"]
    return {"version": version, "catalog": raw}


def test_catalog_in_a_bundle_is_used_only_when_newer(
    db: Database, paths: AppPaths, tmp_path: Path, bundled_catalog: None
) -> None:
    device = enroll_here(db, paths)
    newer = office_bundle(
        tmp_path / "n.dcb", device, after=0, changes=[], next_after=0, cat=office_catalog("2026.2")
    )
    older = office_bundle(
        tmp_path / "o.dcb", device, after=0, changes=[], next_after=0, cat=office_catalog("2026.1")
    )
    assert apply_return_bundle(db, newer, paths=paths).catalog_version == "2026.2"
    assert catalog.current_version() == "2026.2"
    # The older bundle (e.g. carried on a slow stick) never turns the catalog back.
    result = apply_return_bundle(db, older, paths=paths)
    assert result.catalog_version is None and result.nothing_new
    assert catalog.current_version() == "2026.2"
    with db.session() as s:
        kept = s.get(Setting, "office_catalog_version")
        assert kept is not None and kept.value == "2026.2"
