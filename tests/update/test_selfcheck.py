"""The bundle's self-test runs the page pipeline on a real scan, reaching every OpenCV function
the pipeline calls; the build's OpenCV slimming (build_slim.py) keeps results identical."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import cv2
import pytest

from desa_capil.update import selfcheck

ROOT = Path(__file__).resolve().parents[2]
PICTURE = ROOT / "resources" / "selftest" / "phototest.tif"


def pipeline_cv2_functions() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "desa_capil" / "scan").glob("*.py"):
        names |= set(re.findall(r"\bcv2\.([A-Za-z_]\w*)\(", path.read_text(encoding="utf-8")))
    # Called when the pipeline is imported (one OpenCV thread), which the self-test does first.
    return names - {"setNumThreads"}


def test_scan_check_calls_every_opencv_function_the_pipeline_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    names = pipeline_cv2_functions()
    assert len(names) > 20  # the pipeline's calls were found
    calls: Counter[str] = Counter()
    for name in names:
        original = getattr(cv2, name)

        def counted(*a: Any, _f: Any = original, _n: str = name, **k: Any) -> Any:
            calls[_n] += 1
            return _f(*a, **k)

        monkeypatch.setattr(cv2, name, counted)
    assert selfcheck.scan_check(PICTURE) == []
    assert sorted(names - set(calls)) == []


def test_scan_check_reports_a_pipeline_that_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_a: Any, **_k: Any) -> Any:
        raise OSError("libopenblas: cannot open shared object file")

    monkeypatch.setattr(cv2, "warpPerspective", broken)
    problems = selfcheck.scan_check(PICTURE)
    assert problems and "libopenblas" in problems[0]


# --- build_slim: OpenCV's unused libraries stubbed, its OpenBLAS served by numpy's -------------

PROBE = r"""
import hashlib, sys
from pathlib import Path
import numpy as np, cv2
from PIL import Image
from desa_capil.scan.pipeline import process
from desa_capil.scan.sources import RawPage, import_file
from desa_capil.update import selfcheck

assert selfcheck.scan_check(Path(sys.argv[1])) == []
raw = import_file(sys.argv[1])[0]
for page in (raw, RawPage(selfcheck._on_bed(raw.image), "scanner", "b", is_photo=False, dpi=raw.dpi),
             RawPage(selfcheck._as_photo(raw.image), "camera", "p", is_photo=True)):
    print("page", hashlib.sha256(process(page, auto_orient=True).data).hexdigest())
rng = np.random.default_rng(7)
for dt in (np.float32, np.float64):
    a = rng.standard_normal((160, 160)).astype(dt) + 160 * np.eye(160, dtype=dt)
    b = rng.standard_normal((160, 2)).astype(dt)
    for flag in (cv2.DECOMP_LU, cv2.DECOMP_CHOLESKY, cv2.DECOMP_QR, cv2.DECOMP_SVD):
        m = a @ a.T if flag == cv2.DECOMP_CHOLESKY else a
        ok, x = cv2.solve(m, b, flags=flag)
        assert ok and np.allclose(m @ x, b, atol=1e-1 if dt == np.float32 else 1e-6), (dt, flag)
    w = cv2.SVDecomp(rng.standard_normal((200, 120)).astype(dt))[0]
    g = cv2.gemm(a, a, 1, None, 0)
    assert np.allclose(g, a.astype(np.float64) @ a, rtol=1e-3), dt
vals = cv2.eigenNonSymmetric(rng.standard_normal((130, 130)))[0]
print("linalg ok", float(np.sum(w)) > 0, len(vals))
"""


@pytest.fixture(scope="module")
def slim_cv2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import numpy

    if sys.platform != "linux" or not (shutil.which("cc") or shutil.which("gcc")) or not shutil.which("nm"):
        pytest.skip("build_slim needs Linux, a C compiler and nm")
    sys.path.insert(0, str(ROOT))
    import build_slim

    site = Path(cv2.__file__).resolve().parents[1]
    libs = site / "opencv_python_headless.libs"
    if not libs.is_dir() or not (site / "numpy.libs").is_dir():
        pytest.skip("not the opencv-python-headless / numpy wheels' layout")
    base = tmp_path_factory.mktemp("bundle")
    for name in ("cv2", "opencv_python_headless.libs", "numpy", "numpy.libs"):
        shutil.copytree(site / name, base / name, symlinks=True)
    assert Path(numpy.__file__).resolve().parents[1] == site
    report = build_slim.slim_opencv(base)
    assert report.skipped is None
    assert report.shimmed and report.shimmed.startswith("libopenblas")
    assert {n.split("-")[0] for n in report.stubbed} >= {
        "libavcodec",
        "libavformat",
        "libavutil",
        "libswscale",
    }
    assert report.bytes_after < report.bytes_before / 100
    # As the build does next: symbols and debug information out (the pages below prove the
    # stripped libraries still load and compute the same).
    stripped, _kept, before, after = build_slim.strip_binaries(base)
    assert stripped and after < before
    return base


def run_probe(pythonpath: list[Path], *code: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": ":".join(str(p) for p in pythonpath), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-c", *code, str(PICTURE)], env=env, capture_output=True, text=True, timeout=300
    )


def test_slimmed_opencv_gives_the_same_pages_and_linear_algebra(slim_cv2: Path) -> None:
    slim = run_probe([slim_cv2, ROOT], PROBE)
    assert slim.returncode == 0, slim.stderr[-3000:]
    assert f"{slim_cv2}/cv2" in run_probe([slim_cv2, ROOT], "import cv2; print(cv2.__file__)").stdout
    whole = run_probe([ROOT], PROBE)
    assert whole.returncode == 0, whole.stderr[-3000:]
    pages = [line for line in slim.stdout.splitlines() if line.startswith("page ")]
    assert len(pages) == 3
    assert slim.stdout == whole.stdout


def test_a_stubbed_opencv_function_fails_loudly(slim_cv2: Path) -> None:
    proc = run_probe([slim_cv2, ROOT], "import cv2; cv2.VideoCapture('/nonexistent.mp4')")
    assert proc.returncode != 0
    assert "is not in this bundle" in proc.stderr


# --- Symbols and debug information stripped (build_slim.strip_binaries) ------------------------

LIB_C = "int desa_add(int a, int b) { return a + b; }\nint desa_table[4096] = {1};\n"


def test_strip_keeps_what_the_loader_reads_and_segments_of_patchelf_rewritten_files(tmp_path: Path) -> None:
    import ctypes

    import numpy

    cc = shutil.which("cc") or shutil.which("gcc")
    if sys.platform != "linux" or not cc or not shutil.which("strip"):
        pytest.skip("needs Linux, a C compiler and strip (binutils)")
    sys.path.insert(0, str(ROOT))
    import build_slim

    (tmp_path / "lib.c").write_text(LIB_C, encoding="utf-8")
    lib = tmp_path / "libdesa.so"
    subprocess.run([cc, "-shared", "-fPIC", "-g", "-O1", "-o", str(lib), str(tmp_path / "lib.c")], check=True)
    launcher = tmp_path / "launcher"
    shutil.copy2(lib, launcher)
    # numpy's OpenBLAS as its wheel ships it: auditwheel rewrote it with patchelf, and strip
    # would move its segments where the loader refuses them.
    blas = sorted((Path(numpy.__file__).resolve().parents[1] / "numpy.libs").glob("libscipy_openblas*.so"))
    if blas:
        shutil.copy2(blas[0], tmp_path / blas[0].name)
    blas_bytes = (tmp_path / blas[0].name).read_bytes() if blas else b""
    assert build_slim.needs_strip(lib) and build_slim.needs_strip(launcher)
    size = lib.stat().st_size

    stripped, kept, before, after = build_slim.strip_binaries(tmp_path, skip=(launcher,))

    assert [p for p in stripped if not p.startswith("libscipy")] == ["libdesa.so"]
    blas_trimmed = bool(blas) and blas[0].name in stripped
    blas_now = (tmp_path / blas[0].name).stat().st_size if blas_trimmed else 0
    assert before == size + (len(blas_bytes) if blas_trimmed else 0)
    assert after == lib.stat().st_size + blas_now and lib.stat().st_size < size
    assert not build_slim.needs_strip(lib) and build_slim.needs_strip(launcher)
    loaded = ctypes.CDLL(str(lib))
    assert loaded.desa_add(40, 2) == 42
    assert ctypes.c_int.in_dll(loaded, "desa_table").value == 1
    if blas and blas[0].name in kept:
        assert (tmp_path / blas[0].name).read_bytes() == blas_bytes
    elif blas:  # binutils 2.40 moves its segments: trimmed by the section-table edit instead
        assert not build_slim.needs_strip(tmp_path / blas[0].name) and blas_now < len(blas_bytes)
        (tmp_path / "orig.so").write_bytes(blas_bytes)
        assert build_slim._load_segments(tmp_path / blas[0].name) == build_slim._load_segments(
            tmp_path / "orig.so"
        )
        (tmp_path / "orig.so").unlink()
        ctypes.CDLL(str(tmp_path / blas[0].name))
    # The guard itself: a loadable segment whose offset and address disagree is refused.
    data = bytearray(lib.read_bytes())
    phoff = int.from_bytes(data[0x20:0x28], "little")
    entry, count = int.from_bytes(data[0x36:0x38], "little"), int.from_bytes(data[0x38:0x3A], "little")
    loads = [phoff + i * entry for i in range(count) if data[phoff + i * entry] == 1]
    assert build_slim._load_segments(lib) is not None
    off = loads[-1] + 8
    data[off : off + 8] = (int.from_bytes(data[off : off + 8], "little") + 8).to_bytes(8, "little")
    (tmp_path / "broken.so").write_bytes(bytes(data))
    assert build_slim._load_segments(tmp_path / "broken.so") is None
    # Not ELF, or already stripped: left alone.
    (tmp_path / "broken.so").unlink()
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert build_slim.strip_binaries(tmp_path, skip=(launcher,))[0] == []


WEBP_PROBE = r"""
import io, sys
import PIL, PIL.features
from PIL import Image, ImageDraw
assert PIL.__file__.startswith(sys.argv[1]), PIL.__file__
im = Image.new("RGB", (64, 32), "white")
ImageDraw.Draw(im).rectangle((4, 4, 40, 20), fill="navy")
out = io.BytesIO()
im.save(out, "WEBP", lossless=True)
back = Image.open(io.BytesIO(out.getvalue()))
print(back.convert("RGB").tobytes() == im.tobytes(), PIL.features.check("webp"))
"""


def test_patchelf_rewritten_files_lose_symbols_with_their_segments_unchanged(tmp_path: Path) -> None:
    """Pillow's wheel: auditwheel rewrote its modules with patchelf (segments appended after the
    debug sections), which binutils' strip relayouts wrongly; the section-table edit drops the
    symbols and debug information, and the modules still load and work."""
    import PIL

    if sys.platform != "linux":
        pytest.skip("ELF only")
    sys.path.insert(0, str(ROOT))
    import build_slim

    pil = Path(PIL.__file__).resolve().parent
    if not (pil.parent / "pillow.libs").is_dir():
        pytest.skip("Pillow not from its manylinux wheel")
    site = tmp_path / "site"
    shutil.copytree(pil, site / "PIL")
    shutil.copytree(pil.parent / "pillow.libs", site / "pillow.libs")
    targets = [p for p in sorted(site.rglob("*.so*")) if build_slim.needs_strip(p)]
    webp = next(p for p in targets if p.name.startswith("_webp."))
    out = tmp_path / "trimmed.so"
    assert build_slim.trim_sections(webp, out)
    assert out.stat().st_size < webp.stat().st_size
    assert build_slim._load_segments(out) == build_slim._load_segments(webp) is not None
    assert not build_slim.needs_strip(out)
    assert not build_slim.trim_sections(out, tmp_path / "again.so")  # nothing left to remove
    assert not build_slim.trim_sections(site / "PIL" / "__init__.py", tmp_path / "x.so")  # not ELF

    stripped, kept, before, after = build_slim.strip_binaries(site)
    assert kept == [] and "PIL/" + webp.name in stripped and after < before
    assert not any(build_slim.needs_strip(p) for p in targets)
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [sys.executable, "-c", WEBP_PROBE, str(site)], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["True", "True"]


# --- ICU data trimmed to Indonesian and English -------------------------------------------------

ICU_PROBE = r"""
from PySide6.QtCore import QCollator, QDate, QDateTime, QLocale, QTime, QTimeZone
names = ["Ásep", "asep", "Budi", "Çahya", "dewi", "Dédé", "Éka", "zainal", "Zaenal", "10 Gang", "9 Gang", "Ni Luh"]
for loc in ("id_ID", "en_US", "en_GB"):
    c = QCollator(QLocale(loc))
    print(loc, sorted(names, key=c.sortKey))
    c.setNumericMode(True)
    print(loc, sorted(names, key=c.sortKey))
    L = QLocale(loc)
    print(L.toUpper("istimewa ß"), L.toLower("ÀÉ"), L.toCurrencyString(15000))
    dt = QDateTime(QDate(2026, 8, 17), QTime(10, 0), QTimeZone(b"Asia/Jakarta"))
    print(QTimeZone(b"Asia/Makassar").displayName(dt, QTimeZone.NameType.LongName, L))
import sys
maps = open("/proc/self/maps").read().splitlines()
print(sorted({m.split()[-1] for m in maps if "libicudata" in m}), file=sys.stderr)
"""


def test_trimmed_icu_data_sorts_and_names_as_the_whole(tmp_path: Path) -> None:
    import PySide6

    if (
        sys.platform != "linux"
        or not shutil.which("icupkg")
        or not (shutil.which("cc") or shutil.which("gcc"))
    ):
        pytest.skip("slim_icu needs Linux, icupkg (icu-devtools) and a C compiler")
    sys.path.insert(0, str(ROOT))
    import build_slim

    libs = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    if not libs:
        pytest.skip("this PySide6 uses the system's ICU")
    shutil.copy2(libs[0], tmp_path / libs[0].name)
    sizes = build_slim.slim_icu(tmp_path)
    assert sizes is not None and sizes[1] < sizes[0] / 4

    def probe(env_extra: dict[str, str]) -> str:
        env = {**os.environ, **env_extra}
        proc = subprocess.run(
            [sys.executable, "-c", ICU_PROBE], env=env, capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
        assert "Could not create collator" not in proc.stderr
        return proc.stdout

    whole = probe({})
    slim = probe({"LD_LIBRARY_PATH": str(tmp_path)})  # searched before Qt's own RUNPATH
    assert "Waktu Indonesia Tengah" in whole and "['9 Gang', '10 Gang', 'asep'" in whole
    assert slim == whole


# --- Qt Quick / QML stubbed for the FFmpeg camera plugin (build_slim.slim_qt_quick) ------------

CAMERA_PROBE = r"""
import sys
from PySide6.QtWidgets import QApplication
from PySide6.QtMultimedia import QMediaDevices, QMediaFormat
app = QApplication([])
from desa_capil.ui.camera import backend_check
print("camera backend problems", backend_check())
print("decode formats", len(QMediaFormat().supportedFileFormats(QMediaFormat.ConversionMode.Decode)))
print("cameras listed", isinstance(QMediaDevices.videoInputs(), list))
maps = open("/proc/self/maps").read().splitlines()
print(sorted({m.split()[-1] for m in maps if "libQt6Q" in m}), file=sys.stderr)
"""


def _quick_layout(tmp_path: Path) -> Path:
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    plugin = qt / "plugins" / "multimedia" / "libffmpegmediaplugin.so"
    if sys.platform != "linux" or not (shutil.which("cc") or shutil.which("gcc")) or not plugin.exists():
        pytest.skip("needs Linux, a C compiler and PySide6's FFmpeg multimedia plugin")
    base = tmp_path / "bundle"
    (base / "PySide6" / "Qt" / "lib").mkdir(parents=True)
    (base / "PySide6" / "Qt" / "plugins" / "multimedia").mkdir(parents=True)
    for name in ("libQt6Quick.so.6", "libQt6Qml.so.6", "libQt6QmlModels.so.6"):
        shutil.copy2(qt / "lib" / name, base / "PySide6" / "Qt" / "lib" / name)
    shutil.copy2(plugin, base / "PySide6" / "Qt" / "plugins" / "multimedia" / plugin.name)
    return base


def test_the_camera_works_with_qt_quick_stubbed(tmp_path: Path) -> None:
    base = _quick_layout(tmp_path)
    sys.path.insert(0, str(ROOT))
    import build_slim

    report = build_slim.slim_qt_quick(base)
    assert report.skipped is None, report.skipped
    assert report.stubbed == ["libQt6Quick.so.6", "libQt6Qml.so.6"]
    assert report.removed == ["libQt6QmlModels.so.6"]  # only the real Quick/Qml linked it
    assert report.bytes_after < report.bytes_before / 100
    stubs = base / "PySide6" / "Qt" / "lib"

    def probe(env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT), **env_extra}
        return subprocess.run(
            [sys.executable, "-c", CAMERA_PROBE], env=env, capture_output=True, text=True, timeout=120
        )

    whole = probe({})
    slim = probe({"LD_LIBRARY_PATH": str(stubs)})  # searched before Qt's own RUNPATH
    assert whole.returncode == 0, whole.stderr[-3000:]
    assert slim.returncode == 0, slim.stderr[-3000:]
    assert "camera backend problems []" in slim.stdout
    assert slim.stdout == whole.stdout
    assert f"{stubs}/libQt6Quick.so.6" in slim.stderr  # the plugin loaded the stub...
    assert "libQt6QmlModels" not in slim.stderr and "libQt6QmlModels" in whole.stderr  # ...alone

    # Called anyway (capturing a Qt Quick window): it says what is missing and stops.
    grab = "import ctypes, sys; ctypes.CDLL(sys.argv[1])._ZN12QQuickWindow10grabWindowEv()"
    proc = subprocess.run(
        [sys.executable, "-c", grab, str(stubs / "libQt6Quick.so.6")], capture_output=True, text=True
    )
    assert proc.returncode != 0 and "is not in this bundle: Qt Quick was left out" in proc.stderr


def test_qt_quick_is_kept_when_something_else_links_it(tmp_path: Path) -> None:
    base = _quick_layout(tmp_path)
    sys.path.insert(0, str(ROOT))
    import build_slim

    cc = shutil.which("cc") or shutil.which("gcc")
    assert cc is not None
    (tmp_path / "user.c").write_text("int user(void) { return 1; }\n", encoding="utf-8")
    lib = base / "PySide6" / "Qt" / "lib"
    user = base / "PySide6" / "QtQuick.abi3.so"
    cmd = [cc, "-shared", "-fPIC", "-o", str(user), str(tmp_path / "user.c"), "-Wl,--no-as-needed"]
    subprocess.run([*cmd, f"-L{lib}", "-l:libQt6Quick.so.6", "-Wl,--allow-shlib-undefined"], check=True)
    before = (lib / "libQt6Quick.so.6").read_bytes()

    report = build_slim.slim_qt_quick(base)

    assert report.skipped and "QtQuick.abi3.so" in report.skipped
    assert not report.stubbed and not report.removed
    assert (lib / "libQt6Quick.so.6").read_bytes() == before


def test_the_camera_check_fails_without_a_multimedia_backend() -> None:
    code = (
        "from PySide6.QtWidgets import QApplication\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "app = QApplication([])\n"
        "QCoreApplication.setLibraryPaths(['/nonexistent'])  # no plugin: no backend\n"
        "from desa_capil.ui.camera import backend_check\n"
        "print(backend_check())\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "the camera backend made no image capture" in proc.stdout
