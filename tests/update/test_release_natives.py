"""The release build's own numpy and OpenCV (build_native_wheels.py's cache, used by
``build_installer.py --release``): a cache that does not fit the venv is refused, one that fits
is laid out first on PyInstaller's import path, and a bundle without them is refused."""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import build_installer  # noqa: E402
import build_native_wheels  # noqa: E402


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fake_wheel(folder: Path, version: str) -> Path:
    """A tiny wheel named like numpy's (its contents are not numpy: only the layout is tested)."""
    wheel = folder / f"numpy-{version}-py3-none-any.whl"
    info = f"numpy-{version}.dist-info"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("numpy/__init__.py", "NOBLAS = True\n")
        z.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: numpy\nVersion: {version}\n")
        z.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        z.writestr(f"{info}/RECORD", "")
    return wheel


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(build_installer, "BUILD", tmp_path / "build")
    root = tmp_path / "native"
    folder = root / build_native_wheels.platform_tag()
    folder.mkdir(parents=True)
    versions = build_native_wheels.installed_versions()
    wheel = _fake_wheel(folder, versions["numpy"])
    cv2_so = folder / "cv2.abi3.so"
    cv2_so.write_bytes(b"\x7fELF minimal cv2")
    manifest = {
        "numpy": {"version": versions["numpy"], "output": wheel.name, "sha256": _digest(wheel)},
        "opencv": {
            "version": versions["opencv-python-headless"],
            "output": cv2_so.name,
            "sha256": _digest(cv2_so),
            "modules": build_native_wheels.OPENCV_MODULES,
        },
    }
    (folder / build_native_wheels.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return root


def test_a_fitting_cache_is_laid_out_first_on_the_import_path(cache: Path) -> None:
    overlay, manifest = build_installer.release_natives(cache)

    assert (overlay / "numpy" / "__init__.py").read_text(encoding="utf-8") == "NOBLAS = True\n"
    assert (overlay / f"numpy-{manifest['numpy']['version']}.dist-info").is_dir()
    # OpenCV: the wheel's own loader, around the minimal module (and no other native module).
    assert (overlay / "cv2" / "__init__.py").exists() and (overlay / "cv2" / "config-3.py").exists()
    assert (overlay / "cv2" / "cv2.abi3.so").read_bytes() == b"\x7fELF minimal cv2"
    assert [p.name for p in (overlay / "cv2").rglob("*.so")] == ["cv2.abi3.so"]


def test_missing_or_stale_native_packages_are_refused(cache: Path) -> None:
    folder = cache / build_native_wheels.platform_tag()
    manifest_path = folder / build_native_wheels.MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))

    with pytest.raises(SystemExit, match="run build_native_wheels.py first"):
        build_installer.release_natives(cache.parent / "elsewhere")

    stale = {**manifest, "numpy": {**manifest["numpy"], "version": "1.0.0"}}
    manifest_path.write_text(json.dumps(stale), encoding="utf-8")
    with pytest.raises(SystemExit, match=r"numpy 1\.0\.0 was built"):
        build_installer.release_natives(cache)

    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "cv2.abi3.so").write_bytes(b"\x7fELF something else")
    with pytest.raises(SystemExit, match="cv2.abi3.so is missing or not the file that was built"):
        build_installer.release_natives(cache)

    del manifest["opencv"]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(SystemExit, match="opencv was not built"):
        build_installer.release_natives(cache)


def test_a_release_bundle_must_carry_the_release_natives(tmp_path: Path) -> None:
    app = tmp_path / "desa-capil"
    (app / "_internal" / "cv2").mkdir(parents=True)
    cv2_so = app / "_internal" / "cv2" / "cv2.abi3.so"
    cv2_so.write_bytes(b"minimal")
    manifest = {"opencv": {"sha256": _digest(cv2_so)}}
    build_installer.check_release_bundle(app, manifest)  # fits

    (app / "_internal" / "numpy.libs").mkdir()
    (app / "_internal" / "numpy.libs" / "libscipy_openblas64_-x.so").write_bytes(b"blas")
    with pytest.raises(SystemExit, match="PyPI wheels' libraries"):
        build_installer.check_release_bundle(app, manifest)

    cv2_so.write_bytes(b"the wheel's cv2")
    with pytest.raises(SystemExit, match="not the minimal OpenCV"):
        build_installer.check_release_bundle(app, manifest)
