"""Relay ("titip kirim"): upload another village's bundle to the office over this laptop's link.

The relay cannot read the bundle (it is encrypted to the office) and needs no key of it: the
office checks the signature of the village laptop that made it (``POST /api/v1/usb/relay``,
this laptop's device token for the connection only). Before uploading, the file's length is
checked locally (a cut copy is refused here, no bytes spent), and only village bundles go.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desa_capil.errors import BadInputError
from desa_capil.paths import AppPaths
from desa_capil.store.db import Database
from desa_capil.sync.client import DEFAULT_DEADLINE, BadAnswer
from desa_capil.sync.config import credential_store, load_config
from desa_capil.usbroute import BundleError, read_header

log = logging.getLogger(__name__)

# A slow link carries a few KB/s; a bundle of hundreds of pages must not hit the usual deadline.
SLOWEST_RATE = 4_000  # bytes per second assumed for the upload deadline


class NoLinkForRelay(BadInputError):
    def __init__(self) -> None:
        super().__init__(
            "Titip kirim butuh laptop yang sudah terdaftar ke server Disdukcapil lewat internet. "
            "Daftarkan laptop ini di Pengaturan, atau bawa flashdisk ke kantor.",
            "Relaying needs a laptop enrolled with the Disdukcapil server over the internet. Enroll "
            "this laptop in Settings, or take the stick to the office.",
        )


@dataclass(frozen=True)
class RelayResult:
    bundle_id: str
    village_code: str
    duplicate: bool  # the office had it already: nothing changed
    batches: int
    batches_refused: int

    def message(self, lang: str = "id") -> str:
        if self.duplicate:
            return (
                f"The office already had this bundle of village {self.village_code}; nothing changed."
                if lang.startswith("en")
                else f"Kantor sudah pernah menerima berkas desa {self.village_code} ini; tidak ada yang berubah."
            )
        if lang.startswith("en"):
            text = f"Received by the office: bundle of village {self.village_code}, {self.batches} batches."
            if self.batches_refused:
                text += (
                    f" {self.batches_refused} were refused: the village sees why in its next return bundle."
                )
            return text
        text = f"Diterima kantor: berkas desa {self.village_code}, {self.batches} kiriman."
        if self.batches_refused:
            text += f" {self.batches_refused} kiriman ditolak; alasannya sampai ke desa itu di berkas balasan kantor."
        return text


def relay_bundle(db: Database, paths: AppPaths, path: Path) -> RelayResult:
    """Upload the village bundle at ``path`` for the office to import; the office's answer."""
    header = read_header(path)  # a cut copy is refused before any byte is sent
    if header.kind != "village":
        raise BundleError("wrong_kind", header.kind)
    cfg = load_config(db, credential_store(paths))
    if cfg is None:
        raise NoLinkForRelay()
    size = path.stat().st_size
    client = cfg.client()
    try:
        with path.open("rb") as body:
            resp = client.request(
                "POST",
                "/usb/relay",
                data=body,
                headers={"Content-Type": "application/octet-stream"},
                deadline=max(DEFAULT_DEADLINE, size / SLOWEST_RATE + 60),
                ok=(200, 201),
            )
        report: dict[str, Any] = resp.json()
    except ValueError as exc:
        raise BadAnswer(f"/usb/relay: {exc}") from exc
    finally:
        client.close()
    batches = report.get("batches") or []
    refused = [b for b in batches if int(b.get("status", 0)) not in (200, 201)]
    log.info("relayed bundle %s of village %s", header.bundle_id, header.village_code)
    return RelayResult(
        str(report.get("bundle_id", header.bundle_id)),
        str(report.get("village_code", header.village_code)),
        bool(report.get("duplicate", False)),
        len(batches),
        len(refused),
    )
