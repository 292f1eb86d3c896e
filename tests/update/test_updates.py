"""Signed updates: a TUF repository of two releases, fetched from the real server over HTTP or
from a folder; a cut download resumes; tampering is refused; the previous version stays."""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from desa_capil.errors import BadInputError, NetworkError
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import running_server
from desa_capil.update import publish
from desa_capil.update.client import (
    LAUNCHED_ENV,
    Source,
    Updater,
    below_minimum,
    busy_reason,
    minimum_message,
    version_to_start,
)


def _bundle(folder: Path, code: str, lib_seed: int = 1, self_test_exit: int = 0) -> Path:
    """A stand-in for dist/desa-capil: a 'library' (incompressible, like Qt), app code, and a
    launcher whose --self-test exits with `self_test_exit`."""
    folder.mkdir(parents=True)
    rnd = random.Random(lib_seed)
    (folder / "_internal").mkdir()
    (folder / "_internal" / "libQt6Core.so.6").write_bytes(rnd.randbytes(3_000_000))
    (folder / "_internal" / "base_library.zip").write_bytes(code.encode() * 2000)
    exe = folder / "desa-capil"
    exe.write_text(f"#!/bin/sh\n# {code}\nexit {self_test_exit}\n")
    exe.chmod(0o755)
    return folder


@dataclass
class Releases:
    repo: Path
    root_json: Path
    first: publish.Published
    second: publish.Published


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    base = tmp_path_factory.mktemp("releases")
    repo, keys = base / "repo", base / "keys"
    root_json = publish.init_repository(repo, keys)
    first = publish.publish_bundle(repo, keys, _bundle(base / "b1", "versi 0.1.0"), "0.1.0")
    second = publish.publish_bundle(repo, keys, _bundle(base / "b2", "versi 0.1.1 perbaikan"), "0.1.1")
    return Releases(repo, root_json, first, second)


def _laptop(tmp_path: Path, releases: Releases, source: Source) -> Updater:
    """A laptop running 0.1.0, with the 0.1.0 archive kept (so a patch can apply)."""
    root = tmp_path / "laptop-updates"
    (root / "targets").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(releases.first.archive, root / "targets" / releases.first.archive.name)
    return Updater(root, "0.1.0", source, trusted_root=releases.root_json)


@pytest.fixture
def server(tmp_path: Path, releases: Releases) -> Iterator[EmbeddedServer]:
    with running_server(tmp_path / "server") as srv:
        shutil.copytree(releases.repo, tmp_path / "server" / "updates")
        yield srv


posix_only = pytest.mark.skipif(sys.platform == "win32", reason="stand-in launcher is a shell script")


def _installed(up: Updater, version: str) -> str:
    return (up.root / "versions" / version / "desa-capil").read_text()


@posix_only
def test_code_only_change_comes_as_a_small_patch_from_the_server(
    tmp_path: Path, releases: Releases, server: EmbeddedServer
) -> None:
    assert releases.second.patch is not None
    # A code-only change: the patch is a small part of the archive.
    assert releases.second.patch_bytes is not None
    assert releases.second.patch_bytes < releases.second.archive_bytes / 10
    up = _laptop(tmp_path, releases, Source.server(server.base_url))
    offer = up.check()
    assert offer is not None and offer.version == "0.1.1" and offer.is_patch
    assert offer.download_bytes == releases.second.patch_bytes
    assert up.download_and_install() == "0.1.1"
    assert "versi 0.1.1" in _installed(up, "0.1.1")
    assert up.state() == {"current": "0.1.1", "previous": "0.1.0"}
    # The installed 0.1.0 starts 0.1.1 from now on (its launcher passed its self-test).
    assert version_to_start(up.root, "0.1.0") == up.root / "versions" / "0.1.1" / "desa-capil"
    assert version_to_start(up.root, "0.1.1") is None
    # Rollback: the previous version starts again.
    assert up.rollback() == "0.1.0"
    assert up.state()["current"] == "0.1.0"
    assert version_to_start(up.root, "0.1.0") is None


@posix_only
def test_a_release_failing_its_self_test_here_is_not_started(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    base = tmp_path_factory.mktemp("broken")
    repo, keys = base / "repo", base / "keys"
    root_json = publish.init_repository(repo, keys)
    publish.publish_bundle(repo, keys, _bundle(base / "b1", "0.1.0"), "0.1.0")
    publish.publish_bundle(repo, keys, _bundle(base / "b2", "0.1.1 rusak", self_test_exit=4), "0.1.1")
    up = Updater(tmp_path / "l", "0.1.0", Source.folder(repo), trusted_root=root_json)
    assert up.check() is not None
    with pytest.raises(BadInputError, match="self-test"):
        up.download_and_install()
    assert up.state() == {} and not (up.root / "versions" / "0.1.1").exists()


def test_a_started_update_never_starts_another(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "versions" / "0.2.0").mkdir(parents=True)
    exe = tmp_path / "versions" / "0.2.0" / ("desa-capil.exe" if os.name == "nt" else "desa-capil")
    exe.write_text("x")
    (tmp_path / "current.json").write_text(json.dumps({"current": "0.2.0", "previous": "0.1.0"}))
    assert version_to_start(tmp_path, "0.1.0") == exe
    monkeypatch.setenv(LAUNCHED_ENV, "1")
    assert version_to_start(tmp_path, "0.1.0") is None


@posix_only
def test_update_from_a_folder_on_a_stick(tmp_path: Path, releases: Releases) -> None:
    stick = tmp_path / "usb" / "pembaruan"
    shutil.copytree(releases.repo, stick)
    up = _laptop(tmp_path, releases, Source.folder(stick))
    offer = up.check()
    assert offer is not None and offer.version == "0.1.1"
    up.download_and_install()
    assert "versi 0.1.1" in _installed(up, "0.1.1")


@posix_only
def test_without_the_old_archive_the_whole_new_one_comes(tmp_path: Path, releases: Releases) -> None:
    root = tmp_path / "fresh"
    up = Updater(root, "0.1.0", Source.folder(releases.repo), trusted_root=releases.root_json)
    offer = up.check()
    assert offer is not None and not offer.is_patch and offer.download_bytes == releases.second.archive_bytes
    up.download_and_install()
    assert "versi 0.1.1" in _installed(up, "0.1.1")


@posix_only
def test_a_download_cut_halfway_resumes_where_it_stopped(
    tmp_path: Path, releases: Releases, server: EmbeddedServer
) -> None:
    source = Source.server(server.base_url)
    # Full archive (no old archive on this laptop), so there is something worth cutting.
    root = tmp_path / "cut"
    up = Updater(root, "0.1.0", source, trusted_root=releases.root_json)
    offer = up.check()
    assert offer is not None
    half = offer.download_bytes // 2
    up.fetcher.cut_after = half
    with pytest.raises(NetworkError):
        up.download_and_install()
    assert [p.stat().st_size for p in (root / "partial").glob("*.part")] == [half]
    assert not (root / "versions" / "0.1.1").exists()

    # Later (a new start of the app): the rest only.
    again = Updater(root, "0.1.0", source, trusted_root=releases.root_json)
    assert again.check() is not None
    assert again.download_and_install() == "0.1.1"
    assert list(again.fetcher.resumed_from.values()) == [half]
    assert "versi 0.1.1" in _installed(again, "0.1.1")
    assert not list((root / "partial").glob("*.part"))


@pytest.mark.parametrize("what", ["patch", "archive"])
def test_a_tampered_target_is_refused_and_nothing_installed(
    tmp_path: Path, releases: Releases, what: str
) -> None:
    repo = tmp_path / "evil"
    shutil.copytree(releases.repo, repo)
    target = releases.second.patch if what == "patch" else releases.second.archive
    assert target is not None
    evil = repo / "targets" / target.name
    data = bytearray(evil.read_bytes())
    data[len(data) // 2] ^= 0xFF
    evil.write_bytes(bytes(data))
    up = (
        _laptop(tmp_path, releases, Source.folder(repo))
        if what == "patch"
        else Updater(tmp_path / "l", "0.1.0", Source.folder(repo), trusted_root=releases.root_json)
    )
    assert up.check() is not None
    with pytest.raises(BadInputError, match="refused"):
        up.download_and_install()
    assert not (up.root / "versions" / "0.1.1").exists() and up.state() == {}


def test_metadata_with_a_bad_signature_offers_nothing(tmp_path: Path, releases: Releases) -> None:
    repo = tmp_path / "evil"
    shutil.copytree(releases.repo, repo)
    targets = json.loads((repo / "metadata" / "targets.json").read_text())
    name = next(iter(targets["signed"]["targets"]))
    targets["signed"]["targets"][name]["length"] += 1  # an edit without the key
    text = json.dumps(targets)
    (repo / "metadata" / "targets.json").write_text(text)
    for versioned in (repo / "metadata").glob("*.targets.json"):
        versioned.write_text(text)
    up = _laptop(tmp_path, releases, Source.folder(repo))
    assert up.check() is None
    assert up.state() == {}


def test_minimum_version_announcement(tmp_path: Path, releases: Releases, server: EmbeddedServer) -> None:
    publish.announce_minimum(tmp_path / "server" / "updates", "0.1.1")
    got = requests.get(Source.server(server.base_url).announcement_url, timeout=10).json()
    assert below_minimum("0.1.0", got) == "0.1.1"
    assert below_minimum("0.1.1", got) is None
    assert "0.1.1" in minimum_message("0.1.1") and "tidak hilang" in minimum_message("0.1.1")
    # A range request on a target answers 206 with the rest (what the resume relies on).
    url = Source.server(server.base_url).targets_url + releases.second.archive.name
    r = requests.get(url, headers={"Range": "bytes=10-"}, timeout=10)
    assert r.status_code == 206 and r.content == releases.second.archive.read_bytes()[10:]
    assert (
        requests.get(Source.server(server.base_url).targets_url + "..%2Fsecret", timeout=10).status_code
        == 404
    )


def test_update_waits_for_uploads_and_unsaved_work() -> None:
    assert busy_reason(uploading=True, unsaved=False) == "upload"
    assert busy_reason(uploading=False, unsaved=True) == "unsaved"
    assert busy_reason(uploading=False, unsaved=False) is None
