"""The vendor side: a TUF repository of desa_capil bundles, made with tufup.

    init_repository(repo, keys)                        # once: keys + root metadata
    publish_bundle(repo, keys, "dist/desa-capil", "0.2.0")   # per release: archive + patch
    announce_minimum(repo, "0.2.0")                    # when the wire contract changes

The repository folder (``metadata/`` + ``targets/``) is what the central server serves under
``/api/v1/updates/`` and what goes onto a stick for villages without a link. The private keys
stay with whoever signs releases, never on the server. ``metadata/root.json`` is the root of
trust the app is shipped with.

Expiry: a village may update from a stick weeks after it was made, so timestamp and snapshot
metadata live 30 days (python-tuf refuses expired metadata), targets 90, root 2 years. The
cost: a withheld update ("freeze") goes unnoticed up to 30 days, a fair trade for offline
villages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tufup.repo import Repository

APP_NAME = "desa-capil"
EXPIRATION_DAYS: Any = {"root": 730, "targets": 90, "snapshot": 30, "timestamp": 30}
ANNOUNCEMENT = "announcement.json"


class _Repository(Repository):  # type: ignore[misc]
    """tufup's repository without its config file in the current directory."""

    def save_config(self) -> None:
        return None

    @classmethod
    def load_config(cls) -> dict[str, Any]:
        return {}


def _repo(repo_dir: Path, keys_dir: Path, encrypted: list[str] | None = None) -> _Repository:
    return _Repository(
        app_name=APP_NAME,
        repo_dir=repo_dir,
        keys_dir=keys_dir,
        expiration_days=dict(EXPIRATION_DAYS),
        encrypted_keys=encrypted or [],
    )


def init_repository(repo_dir: Path, keys_dir: Path, *, encrypt_root: bool = False) -> Path:
    """Make the keys (if missing) and the root metadata; returns the trusted root.json.

    ``encrypt_root``: the root private key is written encrypted with a passphrase asked on the
    terminal (docs/updates.md: the root key then goes offline)."""
    repo = _repo(repo_dir, keys_dir, ["root"] if encrypt_root else None)
    repo.initialize()
    return repo_dir / "metadata" / "root.json"


def refresh_expiry(repo_dir: Path, keys_dir: Path) -> None:
    """Re-sign snapshot and timestamp with fresh expiry dates (they live 30 days: laptops refuse
    expired metadata, so this runs at least monthly even without a release)."""
    repo = _repo(repo_dir, keys_dir)
    repo._load_keys_and_roles(create_keys=False)
    for role in ("snapshot", "timestamp"):
        repo.refresh_expiration_date(role)
        getattr(repo.roles, role).signed.version += 1  # signed again even within the same second
    repo.publish_changes(private_key_dirs=[keys_dir])


@dataclass(frozen=True)
class Published:
    version: str
    archive: Path
    patch: Path | None

    @property
    def archive_bytes(self) -> int:
        return self.archive.stat().st_size

    @property
    def patch_bytes(self) -> int | None:
        return self.patch.stat().st_size if self.patch else None


def publish_bundle(
    repo_dir: Path, keys_dir: Path, bundle_dir: Path, version: str, *, patch: bool = True
) -> Published:
    """Add a bundle folder as a new version (full archive + bsdiff patch from the last), signed.

    ``patch=False``: the full archive only. bsdiff over a whole real bundle's tar needs many
    GB of memory on the signing machine (BENCHMARKS.md, "Updates: delta size"); laptops then
    download the full archive."""
    repo = _repo(repo_dir, keys_dir)
    repo._load_keys_and_roles(create_keys=False)  # initialize() would ask on stdin
    repo.add_bundle(new_bundle_dir=bundle_dir, new_version=version, skip_patch=not patch)
    repo.publish_changes(private_key_dirs=[keys_dir])
    targets = repo_dir / "targets"
    archive = targets / f"{APP_NAME}-{version}.tar.gz"
    patch_file = targets / f"{APP_NAME}-{version}.patch"
    return Published(version, archive, patch_file if patch_file.exists() else None)


def announce_minimum(repo_dir: Path, version: str, note_id: str = "", note_en: str = "") -> None:
    """The oldest version that still speaks the server's wire contract (served as JSON)."""
    data = {"minimum_version": version, "note_id": note_id, "note_en": note_en}
    (repo_dir / ANNOUNCEMENT).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
