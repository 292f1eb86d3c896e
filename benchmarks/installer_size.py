"""Where the size of the PyInstaller bundle goes, by component: folder bytes and compressed bytes.

    python benchmarks/installer_size.py dist/desa-capil [--top 30] [--json out.json] [--xz]

"Compressed" is each file deflated at level 6 (what the tar.gz uses), summed per component:
within a few per cent of each component's share of the tarball (the tar.gz compresses files
one after another, so cross-file redundancy is not counted here). Read only; builds nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zlib
from collections import defaultdict
from pathlib import Path

# (component, pattern on the path relative to the bundle's _internal/ folder), first match wins.
RULES: list[tuple[str, str]] = [
    ("Qt translations", r"^PySide6/Qt/translations/"),
    ("Qt QML modules", r"^PySide6/Qt/qml/"),
    ("Qt plugins: multimedia (FFmpeg backend)", r"^PySide6/Qt/plugins/multimedia/"),
    ("Qt plugins: platforms", r"^PySide6/Qt/plugins/platforms/"),
    ("Qt plugins: other", r"^PySide6/Qt/plugins/"),
    (
        "FFmpeg libraries (Qt Multimedia)",
        r"^PySide6/Qt/lib/lib(av|sw)[a-z]+\.so|^PySide6/(av|sw)[a-z]+-\d+\.dll",
    ),
    ("Qt Quick / QML libraries", r"Qt6(Quick|Qml|LabsQml|QmlModels|QmlMeta|QmlWorkerScript|ShaderTools)"),
    ("Qt WebEngine / WebChannel / WebSockets", r"Qt6Web"),
    ("Qt 3D / Charts / DataVis / Graphs", r"Qt63D|Qt6Charts|Qt6DataVis|Qt6Graphs"),
    ("Qt PDF", r"Qt6Pdf"),
    ("Qt Multimedia", r"Qt6Multimedia|Qt6SpatialAudio"),
    ("Qt OpenGL", r"Qt6OpenGL"),
    ("Qt Wayland / XCB / EGL integration", r"Qt6(Wayland|XcbQpa|EglFs)|libxcb|libxkb|libX"),
    ("Qt Network", r"Qt6Network"),
    ("Qt Core / Gui / Widgets / Svg / PrintSupport / DBus", r"Qt6(Core|Gui|Widgets|Svg|PrintSupport|DBus)"),
    ("Qt other libraries", r"Qt6[A-Za-z]+"),
    ("ICU (Qt text)", r"libicu|icu[a-z]*\d+\.dll"),
    ("PySide6 / shiboken6 bindings", r"^(PySide6|shiboken6)/"),
    ("OpenCV (cv2 + bundled libraries)", r"^cv2/|^opencv_python[^/]*\.libs/|opencv"),
    ("numpy (+ OpenBLAS)", r"^numpy|openblas|gfortran|quadmath"),
    ("Pillow", r"^PIL/|^pillow[^/]*\.libs/"),
    ("SQLCipher (+ OpenSSL)", r"sqlcipher|libssl|libcrypto"),
    ("cryptography", r"^cryptography"),
    ("pydantic core", r"^pydantic_core"),
    (
        "Python runtime (libpython, stdlib extensions)",
        r"^libpython|^lib-dynload/|^base_library\.zip|python3\d*\.dll",
    ),
    ("app resources", r"^resources/|^desa_capil/"),
]


def component(rel: str) -> str:
    for name, pattern in RULES:
        if re.search(pattern, rel):
            return name
    return "other"


def measure(app_dir: Path) -> dict[str, dict[str, int]]:
    base = app_dir / "_internal" if (app_dir / "_internal").is_dir() else app_dir
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"files": 0, "bytes": 0, "deflated": 0})
    for path in sorted(app_dir.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        rel = path.relative_to(base).as_posix() if path.is_relative_to(base) else "launcher/" + path.name
        data = path.read_bytes()
        c = out[component(rel)]
        c["files"] += 1
        c["bytes"] += len(data)
        c["deflated"] += len(zlib.compress(data, 6))
    return dict(out)


def top_files(app_dir: Path, n: int) -> list[tuple[int, str]]:
    files = [(p.stat().st_size, str(p.relative_to(app_dir))) for p in app_dir.rglob("*") if p.is_file()]
    return sorted(files, reverse=True)[:n]


def xz_size(app_dir: Path) -> int:
    """Bytes of ``tar | xz -6`` of the folder: the Linux release package (build_installer.py's
    default format), measured without writing it."""
    import shutil
    import subprocess
    import tarfile
    import threading

    xz = shutil.which("xz")
    if xz is None:
        raise SystemExit("--xz needs the xz program")
    proc = subprocess.Popen([xz, "-6", "-T0", "-c"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    counted = [0]

    def count() -> None:
        while block := proc.stdout.read(1 << 20):  # type: ignore[union-attr]
            counted[0] += len(block)

    reader = threading.Thread(target=count)
    reader.start()
    with tarfile.open(fileobj=proc.stdin, mode="w|") as tar:
        tar.add(app_dir, arcname=app_dir.name)
    proc.stdin.close()
    reader.join()
    if proc.wait() != 0:
        raise SystemExit(f"xz failed (exit {proc.returncode})")
    return counted[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("app_dir", type=Path)
    ap.add_argument("--top", type=int, default=0, help="also list the N biggest files")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--xz", action="store_true", help="also measure the folder as tar | xz -6 (slow)")
    args = ap.parse_args(argv)
    parts = measure(args.app_dir)
    total = {k: sum(p[k] for p in parts.values()) for k in ("files", "bytes", "deflated")}
    if args.xz:
        total["tar_xz"] = xz_size(args.app_dir)
    print("| component | files | folder MB | compressed MB |")  # noqa: T201 - a report
    print("|---|---:|---:|---:|")  # noqa: T201
    for name, p in sorted(parts.items(), key=lambda kv: -kv[1]["bytes"]):
        print(f"| {name} | {p['files']} | {p['bytes'] / 1e6:.1f} | {p['deflated'] / 1e6:.1f} |")  # noqa: T201
    print(f"| **total** | {total['files']} | {total['bytes'] / 1e6:.1f} | {total['deflated'] / 1e6:.1f} |")  # noqa: T201
    if "tar_xz" in total:
        print(f"tar.xz (xz -6): {total['tar_xz'] / 1e6:.1f} MB")  # noqa: T201
    for size, name in top_files(args.app_dir, args.top):
        print(f"{size / 1e6:8.1f} MB  {name}")  # noqa: T201
    if args.json:
        args.json.write_text(json.dumps({"components": parts, "total": total}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
