"""An update applied by a real PyInstaller bundle (CI's bundle step; skipped without one).

``DESA_CAPIL_BUNDLE_DIR``: the built ``dist/desa-capil`` (the installed 0.1.0). The newer
release is ``DESA_CAPIL_BUNDLE2_DIR`` when given (a second real build, e.g. with a bumped
version); otherwise the same build with a changed style sheet, published as 0.1.1: a
resource-only release, which spares CI a second four-minute build and still moves every real
file through the real path. The release is published (full archive: bsdiff over a real
bundle needs GBs, see BENCHMARKS.md), served by the real server's update endpoint over HTTP,
installed by the bundle itself (``desa-capil --update URL``: signatures, hashes, the new
version's own ``--self-test``), then the installed launcher starts the new version, and
``--rollback`` makes it start itself again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desa_capil.server.testing import running_server
from desa_capil.update import publish
from desa_capil.update.client import Updater

BUNDLE = os.environ.get("DESA_CAPIL_BUNDLE_DIR")
BUNDLE2 = os.environ.get("DESA_CAPIL_BUNDLE2_DIR")
EXE = "desa-capil.exe" if sys.platform == "win32" else "desa-capil"

pytestmark = pytest.mark.skipif(not BUNDLE, reason="set DESA_CAPIL_BUNDLE_DIR to a built bundle")


def run(exe: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DESA_CAPIL_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)  # the bundle stands on its own
    return subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=600)


def log_text(home: Path) -> str:
    return (home / "logs" / "desa_capil.log").read_text(encoding="utf-8")


def tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            h.update(p.relative_to(folder).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def newer_release(tmp_path: Path, installed: Path) -> Path:
    if BUNDLE2:
        return Path(BUNDLE2)
    new = tmp_path / "release-0.1.1"
    shutil.copytree(installed, new, symlinks=True)
    style = new / "_internal" / "resources" / "style.qss"
    style.write_text(style.read_text(encoding="utf-8") + "\n/* rilis 0.1.1 */\n", encoding="utf-8")
    return new


# A real bundle: archiving ~400 MB (tufup's gzip) and three starts of the app take minutes on a
# loaded machine, over the suite's 300 s default.
@pytest.mark.timeout(1200)
def test_the_installed_bundle_updates_from_the_server_and_starts_the_new_version(tmp_path: Path) -> None:
    installed = Path(str(BUNDLE)).resolve()
    exe = installed / EXE
    assert exe.exists()
    release = newer_release(tmp_path, installed)
    server_dir = tmp_path / "server"
    repo, keys = server_dir / "updates", tmp_path / "keys-offline"
    root_json = publish.init_repository(repo, keys)
    published = publish.publish_bundle(repo, keys, release, "0.1.1", patch=False)
    assert published.patch is None and published.archive_bytes > 10_000_000
    home = tmp_path / "home"
    # The laptop trusts this repository's root (an installer ships it in resources/update/).
    (home / "pembaruan" / "metadata").mkdir(parents=True)
    shutil.copyfile(root_json, home / "pembaruan" / "metadata" / "root.json")

    with running_server(server_dir) as server:
        done = run(exe, home, "--update", server.base_url)
    assert done.returncode == 0, done.stdout + done.stderr + log_text(home)[-3000:]
    assert "Versi 0.1.1 sudah terpasang dan lolos uji" in done.stdout
    root = home / "pembaruan"
    new_dir = root / "versions" / "0.1.1"
    assert Updater.read_state(root) == {"current": "0.1.1", "previous": "0.1.0"}
    assert tree_digest(new_dir) == tree_digest(release)

    # Opened again, the installed launcher starts the new version, which passes its self-test.
    started = run(exe, home, "--self-test")
    assert started.returncode == 0, started.stderr + log_text(home)[-3000:]
    # A second real build says its own version; the resource-only release is the same code.
    assert f"starting {'0.1.1' if BUNDLE2 else '0.1.0'} from {new_dir / EXE}" in log_text(home)

    if BUNDLE2:
        # Nothing newer: the installed version (a real 0.1.1 build) says so. (The
        # resource-only release still carries 0.1.0's code, which would see 0.1.1 as new.)
        with running_server(server_dir) as server:
            again = run(new_dir / EXE, home, "--update", server.base_url)
        assert "Tidak ada versi yang lebih baru" in again.stdout, again.stdout + again.stderr

    # Rollback, as a technician does it with the app closed: the installed launcher hands
    # --rollback to the current version, which steps the database back if it must.
    rolled = run(exe, home, "--rollback")
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr + log_text(home)[-3000:]
    assert "Versi 0.1.0 dipakai lagi" in rolled.stdout
    assert Updater.read_state(root) == {"current": "0.1.0", "previous": "0.1.1"}
    (home / "logs" / "desa_capil.log").unlink()
    back = run(exe, home, "--self-test")
    assert back.returncode == 0
    assert f"starting 0.1.0 from {exe}" in log_text(home) and str(new_dir) not in log_text(home)


@pytest.mark.timeout(600)
def test_a_tampered_release_is_refused_by_the_bundle(tmp_path: Path) -> None:
    installed = Path(str(BUNDLE)).resolve()
    # A small signed release (the launcher only): tampering is caught before anything runs.
    small = tmp_path / "release"
    small.mkdir()
    shutil.copy2(installed / EXE, small / EXE)
    repo, keys = tmp_path / "stick" / "pembaruan", tmp_path / "keys"
    root_json = publish.init_repository(repo, keys)
    published = publish.publish_bundle(repo, keys, small, "0.1.1", patch=False)
    data = bytearray(published.archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    published.archive.write_bytes(bytes(data))
    home = tmp_path / "home"
    (home / "pembaruan" / "metadata").mkdir(parents=True)
    shutil.copyfile(root_json, home / "pembaruan" / "metadata" / "root.json")
    proc = run(installed / EXE, home, "--update", str(repo))
    assert proc.returncode == 7, proc.stdout + proc.stderr
    assert "ditolak" in proc.stdout
    assert not (home / "pembaruan" / "versions" / "0.1.1").exists()
