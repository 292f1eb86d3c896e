"""The two bundle payloads (docs/usb-route.md): what a village laptop sends, what the office
returns. Builders and openers over bundle.py, so the village exporter, the office and the tests
write and read the same ``meta`` shapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desa_capil.usbroute import enrollment as E
from desa_capil.usbroute.bundle import BundleHeader, FileSource, OpenedBundle, open_bundle, write_bundle
from desa_capil.usbroute.errors import BundleError
from desa_capil.usbroute.keys import KeySet

VILLAGE_BUNDLE = "desa_capil.village_bundle"
OFFICE_BUNDLE = "desa_capil.office_bundle"


@dataclass(frozen=True)
class BatchForBundle:
    """One sealed batch: its id, the exact PUT body, and the bytes of each document by upload id."""

    batch_id: str
    manifest: Mapping[str, Any]
    files: Mapping[str, FileSource] = field(default_factory=dict)  # upload_id -> bytes or a path


def page_name(upload_id: str) -> str:
    return f"pages/{upload_id}"


def write_village_bundle(
    path: Path,
    *,
    keys: KeySet,
    device_id: str,
    village_code: str,
    seq: int,
    office_box_public: str,
    batches: Sequence[BatchForBundle] = (),
    events: Iterable[Mapping[str, Any]] = (),
    cursor: int = 0,
    enrollment: E.Enrollment | None = None,
    code: str | None = None,
    enrollment_proof: Mapping[str, str] | None = None,
    app_version: str = "",
    purpose: str = "send",
    bundle_id: str | None = None,
) -> BundleHeader:
    """A village bundle for the office. ``enrollment`` + ``code`` (the paper code) add the proof
    that binds this laptop's keys, needed until the office has registered them; a laptop that
    computed the proof at enrollment and kept only it (it never keeps the paper code) passes
    ``enrollment_proof`` = {"enrollment_id", "proof"} instead."""
    device = {"device_id": device_id, **keys.public(), "app_version": app_version}
    proof: dict[str, str] | None = dict(enrollment_proof) if enrollment_proof is not None else None
    if enrollment is not None:
        if code is None:
            raise ValueError("an enrollment proof needs the paper code")
        proof = {
            "enrollment_id": enrollment.enrollment_id,
            "proof": E.proof(secret=enrollment.secret, code=code, device_id=device_id, **keys.public()),
        }
    files: list[tuple[str, FileSource]] = []
    for b in batches:
        for upload_id, src in b.files.items():
            files.append((page_name(upload_id), src))
    meta = {
        "type": VILLAGE_BUNDLE,
        "version": 1,
        "device": device,
        "enrollment": proof,
        "cursor": cursor,
        "batches": [{"batch_id": b.batch_id, "manifest": dict(b.manifest)} for b in batches],
        "events": [dict(e) for e in events],
        "purpose": purpose,
    }
    header: dict[str, Any] = {
        "kind": "village",
        "village_code": village_code,
        "device_id": device_id,
        "seq": seq,
    }
    if bundle_id is not None:
        header["bundle_id"] = bundle_id
    return write_bundle(
        path,
        header_fields=header,
        files=files,
        meta=meta,
        signing_key=keys.signing,
        recipient_box_public=office_box_public,
    )


def open_return_bundle(
    path: Path, *, keys: KeySet, office_sign_public: str, village_code: str, device_id: str
) -> OpenedBundle:
    """Open an office return bundle on the laptop: signed by the pinned office key, for this
    village and this laptop. ``meta``: after, pages (online /changes pages), documents, catalog."""
    opened = open_bundle(path, box_private=keys.box, verify_key=office_sign_public)
    try:
        h = opened.header
        if h.kind != "office" or opened.meta.get("type") != OFFICE_BUNDLE:
            raise BundleError("wrong_kind", f"kind {h.kind}")
        if h.village_code != village_code or opened.meta.get("village_code") != village_code:
            raise BundleError("wrong_village", f"{h.village_code} != {village_code}")
        if h.device_id != device_id:
            raise BundleError("other_laptop", f"for device {h.device_id}")
    except BaseException:
        opened.close()
        raise
    return opened
