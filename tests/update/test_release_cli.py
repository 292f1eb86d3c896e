"""The release signer's commands (python -m desa_capil.update): init, publish with the root key
offline, the monthly re-signing, the minimum version; a laptop takes what they make."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from desa_capil.update.__main__ import main
from desa_capil.update.client import Source, Updater


def _meta(repo: Path, role: str) -> dict[str, object]:
    signed = json.loads((repo / "metadata" / f"{role}.json").read_text(encoding="utf-8"))["signed"]
    assert isinstance(signed, dict)
    return signed


def _bundle(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "desa-capil").write_text(text, encoding="utf-8")
    return folder


def test_release_commands_with_the_root_key_offline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, keys = tmp_path / "repo", tmp_path / "keys"
    assert main(["init", "--repo", str(repo), "--keys", str(keys)]) == 0
    assert "--update-root" in capsys.readouterr().out
    root_json = repo / "metadata" / "root.json"
    trusted = tmp_path / "shipped-root.json"
    shutil.copyfile(root_json, trusted)
    # The root private key goes to the safe: releases and re-signing do without it.
    shutil.move(str(keys / "root"), str(tmp_path / "safe-root"))

    b = tmp_path / "b"
    assert main(["publish", "--repo", str(repo), "--keys", str(keys), "--bundle", str(_bundle(b, "0.1.0")), "--version", "0.1.0"]) == 0  # fmt: skip
    args = ["--repo", str(repo), "--keys", str(keys), "--bundle", str(_bundle(b, "0.1.1 perbaikan"))]
    assert main(["publish", *args, "--version", "0.1.1", "--no-patch"]) == 0
    assert not (repo / "targets" / "desa-capil-0.1.1.patch").exists()
    before = _meta(repo, "timestamp")
    assert main(["refresh", "--repo", str(repo), "--keys", str(keys)]) == 0
    after = _meta(repo, "timestamp")
    assert int(str(after["version"])) == int(str(before["version"])) + 1
    assert str(after["expires"]) >= str(before["expires"])
    assert _meta(repo, "root")["version"] == 1  # root untouched

    up = Updater(
        tmp_path / "laptop", "0.1.0", Source.folder(repo), trusted_root=trusted, verify=lambda _b: True
    )
    offer = up.check()
    assert offer is not None and offer.version == "0.1.1" and not offer.is_patch
    assert up.download_and_install() == "0.1.1"
    assert (up.root / "versions" / "0.1.1" / "desa-capil").read_text(encoding="utf-8") == "0.1.1 perbaikan"

    assert main(["minimum", "--repo", str(repo), "--version", "0.1.1"]) == 0
    assert json.loads((repo / "announcement.json").read_text(encoding="utf-8"))["minimum_version"] == "0.1.1"
