"""Updating a village laptop: check, download (resumable), verify, install beside the current
version, roll back; the minimum version the server still talks to; when not to update.

Layout under ``root`` (the app's update folder, outside the data folder)::

    metadata/      trusted TUF metadata (starts from the root.json shipped with the app)
    targets/       downloaded archives and patches (the current archive makes the next patch)
    partial/       what arrived of a download cut short (resumed next time)
    versions/<v>/  unpacked bundles, the new one beside the previous one
    current.json   {"current": v, "previous": v-1}: what the launcher starts

Every file is checked by python-tuf against signed metadata (length and SHA-256 of targets,
signatures and versions of metadata): a bad signature, a tampered archive or patch, a
rollback to an older metadata version, all raise and install nothing.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from tuf.api.exceptions import RepositoryError
from tufup.client import Client

from desa_capil.errors import BadInputError, NetworkError
from desa_capil.paths import HOME_ENV
from desa_capil.update.fetch import ResumableFetcher
from desa_capil.update.minimum import below_minimum as below_minimum  # re-exported
from desa_capil.update.minimum import minimum_message as minimum_message  # re-exported
from desa_capil.update.publish import ANNOUNCEMENT, APP_NAME

log = logging.getLogger(__name__)

CURRENT = "current.json"


@dataclass(frozen=True)
class Source:
    """Where updates come from: the central server (``base_url``) or a folder on a stick."""

    metadata_url: str
    targets_url: str
    announcement_url: str

    @classmethod
    def server(cls, base_url: str) -> Source:
        base = base_url.rstrip("/") + "/api/v1/updates/"
        return cls(base + "metadata/", base + "targets/", base + "announcement")

    @classmethod
    def folder(cls, folder: Path) -> Source:
        uri = folder.resolve().as_uri().rstrip("/") + "/"
        return cls(uri + "metadata/", uri + "targets/", uri + ANNOUNCEMENT)


def _bad_update(detail: str) -> BadInputError:
    return BadInputError(
        "Pembaruan ini ditolak karena tanda tangan atau isinya tidak cocok (rusak atau diubah "
        "orang). Aplikasi tidak diubah. Coba lagi nanti atau minta flashdisk pembaruan yang baru "
        "dari Disdukcapil.",
        "This update was refused: its signature or content does not match (damaged or tampered "
        "with). The app was not changed. Try again later or ask the office for a new update stick.",
        detail=detail,
    )


def _offline(detail: str) -> NetworkError:
    return NetworkError(
        "Pembaruan belum bisa diunduh (sambungan putus). Bagian yang sudah terunduh disimpan; "
        "unduhan dilanjutkan saat sambungan ada lagi.",
        "The update could not be downloaded (the link dropped). What arrived is kept; the "
        "download continues when the link is back.",
        detail=detail,
    )


@dataclass(frozen=True)
class Offer:
    version: str
    download_bytes: int
    is_patch: bool


EXE = "desa-capil.exe" if sys.platform == "win32" else "desa-capil"
LAUNCHED_ENV = "DESA_CAPIL_LAUNCHED"  # set by the installed app when it starts an update


def bundle_self_test(bundle: Path) -> bool:
    """Start the new bundle with ``--self-test`` in a throw-away home: True when it passes.

    A bundle that cannot open its database and show every page never becomes the version the
    laptop starts.
    """
    exe = bundle / EXE
    if not exe.exists():
        return False
    with tempfile.TemporaryDirectory(prefix="desa_capil-update-test-") as home:
        env = {**os.environ, "DESA_CAPIL_HOME": home, "QT_QPA_PLATFORM": "offscreen", LAUNCHED_ENV: "1"}
        env.pop("PYTHONPATH", None)
        try:
            proc = subprocess.run([str(exe), "--self-test"], env=env, capture_output=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("self-test of %s could not run: %s", bundle.name, exc)
            return False
    if proc.returncode != 0:
        log.warning("self-test of %s failed (exit %s)", bundle.name, proc.returncode)
    return proc.returncode == 0


class Updater:
    """One laptop's updates. ``current_version`` is the running app's version.

    ``verify(bundle_dir)``: run on the unpacked new version before it becomes current
    (default: its own ``--self-test``).
    """

    def __init__(
        self,
        root: Path,
        current_version: str,
        source: Source,
        *,
        trusted_root: Path,
        ca_file: str | None = None,
        verify: Callable[[Path], bool] = bundle_self_test,
    ) -> None:
        self.root = root
        self.verify = verify
        self.current_version = current_version
        self.source = source
        for d in ("metadata", "targets", "partial", "versions"):
            (root / d).mkdir(parents=True, exist_ok=True)
        if not (root / "metadata" / "root.json").exists():
            shutil.copyfile(trusted_root, root / "metadata" / "root.json")
        self.fetcher = ResumableFetcher(root / "partial", source.targets_url, ca_file=ca_file)
        self._client: Client | None = None

    def _new_client(self) -> Client:
        client = Client(
            app_name=APP_NAME,
            app_install_dir=self.root / "versions",
            current_version=self.current_version,
            metadata_dir=self.root / "metadata",
            metadata_base_url=self.source.metadata_url,
            target_dir=self.root / "targets",
            target_base_url=self.source.targets_url,
            refresh_required=False,
        )
        client._fetcher = self.fetcher  # resumable, and file: folders
        return client

    def check(self) -> Offer | None:
        """A newer signed version, or None (also None when the source cannot be reached)."""
        self._client = self._new_client()
        try:
            meta = self._client.check_for_updates()
        except RepositoryError as exc:
            raise _bad_update(f"{type(exc).__name__}: {exc}") from exc
        if meta is None:
            return None
        targets = self._client.new_targets or {}
        size = sum(int(t.length) for t in targets.values())
        return Offer(str(meta.version), size, all(m.is_patch for m in targets))

    def download_and_install(self) -> str:
        """Download what ``check`` offered (resuming), verify, unpack into versions/<v>.

        Returns the installed version. The running version stays where it is: ``current.json``
        points at the new one for the next start, and ``previous`` keeps the old one.
        """
        client = self._client
        if client is None or not client.new_targets:
            raise RuntimeError("check() first")
        try:
            if not client._download_updates(progress_hook=None):
                raise _offline("not every file arrived")
        except RepositoryError as exc:
            self.fetcher.drop_partials()  # a partial file of a bad target must not come back
            raise _bad_update(f"{type(exc).__name__}: {exc}") from exc
        except Exception as exc:
            if "DownloadError" in type(exc).__name__ or "HTTPError" in type(exc).__name__:
                raise _offline(str(exc)) from exc
            raise
        new_version = str(next(iter(client.new_targets)).version)
        staging = self.root / "versions" / f".staging-{new_version}"
        shutil.rmtree(staging, ignore_errors=True)
        installed: list[Path] = []

        def install(src_dir: Path, dst_dir: Path, **_kw: Any) -> None:
            target = dst_dir / new_version
            shutil.rmtree(target, ignore_errors=True)
            shutil.move(str(src_dir), str(target))
            installed.append(target)

        client.extract_dir = staging
        staging.mkdir(parents=True)
        client._apply_updates(install=install, skip_confirmation=True)
        if not installed:
            raise _bad_update("the patched archive did not match its signed hash")
        if not self.verify(installed[0]):
            shutil.rmtree(installed[0], ignore_errors=True)
            raise BadInputError(
                "Versi baru tidak lolos uji mandiri di laptop ini, jadi tidak dipasang. Aplikasi "
                "tetap memakai versi sekarang. Laporkan ke Disdukcapil.",
                "The new version failed its self-test on this laptop and was not installed. The app "
                "keeps the current version. Tell the office.",
                detail=f"self-test of {new_version} failed",
            )
        self._set_current(new_version, previous=self.current_version)
        log.info("update %s installed beside %s", new_version, self.current_version)
        return new_version

    # --- which version starts ---------------------------------------------------------------

    @staticmethod
    def read_state(root: Path) -> dict[str, str]:
        """``current.json``: {"current": v, "previous": v-1}, or {} before any update."""
        try:
            data = json.loads((root / CURRENT).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def state(self) -> dict[str, str]:
        return self.read_state(self.root)

    def _set_current(self, version: str, previous: str) -> None:
        _set_current(self.root, version, previous)

    def rollback(self) -> str:
        return rollback(self.root)


def _set_current(root: Path, version: str, previous: str) -> None:
    tmp = root / (CURRENT + ".tmp")
    tmp.write_text(json.dumps({"current": version, "previous": previous}) + "\n", encoding="utf-8")
    tmp.replace(root / CURRENT)


def rollback(root: Path) -> str:
    """Start the previous version again (kept beside the new one). Returns it."""
    st = Updater.read_state(root)
    previous = st.get("previous")
    if not previous:
        raise BadInputError(
            "Tidak ada versi sebelumnya untuk dikembalikan.",
            "There is no previous version to go back to.",
        )
    _set_current(root, previous, previous=st.get("current", ""))
    return previous


def update_root() -> Path:
    """Where updates live: beside the data, never in it (people copy the data folder to sticks;
    on Windows platformdirs puts the cache folder inside it)."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home) / "pembaruan"
    return Path(platformdirs.user_data_dir("desa_capil-pembaruan", "desa_capil-pembaruan"))


def version_to_start(root: Path, running_version: str) -> Path | None:
    """The installed app's first question at start: the executable of the version
    ``current.json`` names, when that is not the running one (and the bundle is there);
    None: go on with the running app. Never when this process was itself started that way."""
    if os.environ.get(LAUNCHED_ENV):
        return None
    try:
        current = str(json.loads((root / CURRENT).read_text(encoding="utf-8")).get("current", ""))
    except (OSError, ValueError, AttributeError):
        return None
    if not current or current == running_version:
        return None
    exe = root / "versions" / current / EXE
    return exe if exe.exists() else None


def start_version(exe: Path, argv: Sequence[str]) -> int:
    """Run another installed version in place of this process; returns its exit code."""
    env = {**os.environ, LAUNCHED_ENV: "1"}
    return subprocess.call([str(exe), *argv], env=env)


# --- the server's announcement and when not to update -----------------------------------------


def busy_reason(uploading: bool, unsaved: bool) -> str | None:
    """Why an update must wait (an upload under way, unsaved work), or None."""
    if uploading:
        return "upload"
    if unsaved:
        return "unsaved"
    return None
