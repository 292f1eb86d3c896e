#!/usr/bin/env python3
"""Set up and run desa_capil from a fresh checkout, with nothing but Python 3.11+.

    python3 dev.py demo     # the app in demo mode, with the embedded server and sample data
    python3 dev.py test     # the whole test suite (what CI runs)

It makes a virtual environment in .venv, installs the project with its extras (again only
when pyproject.toml changed), and on Debian/Ubuntu as root installs the system libraries Qt
needs. For the tests it also starts a throw-away PostgreSQL on loopback when the server binaries
are there, so the server suite runs against both SQLite and PostgreSQL.

Standard library only: this script runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".desa_capil-installed"

# Debian packages: Qt's xcb/offscreen needs (EGL, xkbcommon, fontconfig, dbus), QtMultimedia
# (pulse), fonts; tests use SANE's test backend, poppler and PostgreSQL.
APT_RUNTIME = [
    "libegl1", "libgl1", "libxkbcommon0", "libxkbcommon-x11-0", "libfontconfig1", "libdbus-1-3",
    "libpulse0", "libglib2.0-0", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-shape0",
    "libxcb-randr0", "libxcb-render-util0", "libxcb-xinerama0", "libxcb-image0", "fonts-dejavu-core",
]  # fmt: skip
# chromium: browser tests through Playwright (office console, phone-camera page);
# tesseract-ocr: the scan tests read faint print back (they fall back to pixel checks without it)
# gcc (with binutils' nm) and icu-devtools (icupkg): build_slim.py trims the bundle's OpenCV
# libraries and ICU data (build_installer.py, CI's bundle step; skipped without them); gcc
# also compiles the JBIG2 coder (desa_capil/scan/_jbig2.c) at `pip install -e .`;
# jbig2dec: an independent JBIG2 decoder the coder's tests check it against (tests/scan)
APT_TEST = [
    "sane-utils",
    "postgresql",
    "poppler-utils",
    "chromium",
    "tesseract-ocr",
    "gcc",
    "icu-devtools",
    "jbig2dec",
]


def say(msg: str) -> None:
    print(f"[dev.py] {msg}", flush=True)


def run(cmd: list[str], **kw: object) -> None:
    subprocess.run(cmd, check=True, **kw)  # type: ignore[call-overload]


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def apt_install(packages: list[str]) -> None:
    if not sys.platform.startswith("linux") or not shutil.which("apt-get") or os.geteuid() != 0:
        return
    missing = []
    for p in packages:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True)
        if "install ok installed" not in r.stdout:
            missing.append(p)
    if not missing:
        return
    say(f"installing system packages: {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)


def bundle_wanted() -> bool:
    """CI (and DESA_CAPIL_BUNDLE=1) builds the PyInstaller bundle after the tests (.ci/run)."""
    return os.environ.get("CI") == "true" or os.environ.get("DESA_CAPIL_BUNDLE") == "1"


def ensure_venv(extras: str = "server,dev") -> Path:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs before we know the Python
        sys.exit("desa_capil needs Python 3.11 or newer")
    if not venv_python().exists():
        say("creating .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    have = STAMP.read_text().split() if STAMP.exists() else []
    if not have or have[0] != digest or not set(extras.split(",")) <= set(have[1:]):
        say("installing desa_capil and its dependencies into .venv")
        py = str(venv_python())
        run([py, "-m", "pip", "install", "-q", "--upgrade", "pip"])
        # One pip run for every extra (the editable install builds the JBIG2 coder once), and
        # --no-compile: pip would byte-compile every file of every package (about 70 s of a
        # 160 s install on 2 cores); Python compiles what is imported, once, on first import.
        run([py, "-m", "pip", "install", "-q", "--no-compile", "-e", f"{ROOT}[{extras}]"])
        STAMP.write_text(" ".join([digest, *extras.split(",")]))
    return venv_python()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_postgres() -> tuple[str, list[str], Path] | None:
    """A throw-away PostgreSQL cluster on loopback; (url, stop command, folder) or None."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not bins:
        return None
    bindir = bins[-1].parent
    data = Path(tempfile.mkdtemp(prefix="desa_capil-pg-"))
    sock = data / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root.
        shutil.chown(data, "postgres")
        shutil.chown(sock, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    run([*prefix, str(bindir / "initdb"), "-A", "trust", "-U", "postgres", "-D", str(data / "db")],
        stdout=subprocess.DEVNULL)  # fmt: skip
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    run([*prefix, str(bindir / "pg_ctl"), "-D", str(data / "db"), "-o", opts, "-w", "-l", str(data / "log"), "start"],
        stdout=subprocess.DEVNULL)  # fmt: skip
    stop = [*prefix, str(bindir / "pg_ctl"), "-D", str(data / "db"), "-m", "fast", "stop"]
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", stop, data


def cmd_demo(args: list[str]) -> int:
    apt_install(APT_RUNTIME)
    py = ensure_venv()
    return subprocess.call([str(py), "-m", "desa_capil", "--demo", *args])


def cmd_test(args: list[str]) -> int:
    apt_install(APT_RUNTIME + APT_TEST)
    py = ensure_venv("server,dev,build" if bundle_wanted() else "server,dev")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    # Byte-code caches are written (.venv is installed --no-compile): each module is compiled
    # once, not again in every one of the suite's many Python subprocesses.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    stop: list[str] | None = None
    pg_dir: Path | None = None
    if "TEST_DATABASE_URL" not in env:
        try:
            pg = start_postgres()
        except (subprocess.CalledProcessError, OSError) as exc:
            say(f"PostgreSQL could not start ({exc}); its tests will be skipped")
            pg = None
        if pg:
            env["TEST_DATABASE_URL"], stop, pg_dir = pg
            say("PostgreSQL started on loopback for the server tests")
    try:
        return subprocess.call([str(py), "-m", "pytest", *args], env=env, cwd=ROOT)
    finally:
        if stop:
            subprocess.call(stop, stdout=subprocess.DEVNULL)
        if pg_dir:
            shutil.rmtree(pg_dir, ignore_errors=True)


def main(argv: list[str]) -> int:
    commands = {"demo": cmd_demo, "test": cmd_test}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
