"""Peak memory of "Kirim lewat flashdisk" for a trip of 200 applications.

The exporter streams: each page file is read from the blob store (decrypted) only when the
bundle writer reaches it, and age encrypts in 64 KiB chunks, so memory stays about one page
file whatever the trip's size. Measured two ways around ``services.usb_export.export`` alone:

* ``python peak``: tracemalloc's peak of Python allocations during the export (bytes objects:
  page files, manifests);
* ``RSS growth``: the process's peak resident size during the export (VmHWM, reset just before
  through /proc/self/clear_refs) minus its resident size before: everything, Rust's age
  buffers and SQLite's pages included. Linux only.

``measure`` is also used by benchmarks/usb_route.py around its export step.

    .venv/bin/python benchmarks/usb_export_memory.py [--apps 200] [--page-kb 30]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

T = TypeVar("T")


def _status_kb(field: str) -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass(frozen=True)
class Memory:
    python_peak: int  # bytes, tracemalloc
    rss_growth: int  # bytes, VmHWM during the call minus VmRSS before (0 where unknown)
    seconds: float


def measure(fn: Callable[[], T], *, trace_python: bool = True) -> tuple[T, Memory]:
    """Run ``fn`` and report its peak memory (see the module docstring). ``trace_python=False``
    skips tracemalloc (which slows the call down), for a timing taken at the same time."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")  # resets VmHWM to the current RSS
        resettable = True
    except OSError:
        resettable = False
    rss0 = _status_kb("VmRSS")
    if trace_python:
        tracemalloc.start()
    t0 = time.perf_counter()
    try:
        result = fn()
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] if trace_python else 0
    finally:
        if trace_python:
            tracemalloc.stop()
    growth = (_status_kb("VmHWM") - rss0) * 1024 if resettable else 0
    return result, Memory(peak, max(growth, 0), seconds)


def main() -> None:
    import keyring
    from keyring.backends import fail

    from desa_capil.paths import HOME_ENV, app_paths
    from desa_capil.server.config import Settings
    from desa_capil.server.embedded import EmbeddedServer
    from desa_capil.services import usb_export
    from desa_capil.store.db import open_database
    from desa_capil.sync.usb_identity import enroll_from_file
    from tests.sync.helpers import make_ready, seal
    from tests.usbroute.loop import Office

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--apps", type=int, default=200)
    ap.add_argument("--page-kb", type=int, default=30)
    args = ap.parse_args()
    keyring.set_keyring(fail.Keyring())
    village = "32.04.05.2001"
    with tempfile.TemporaryDirectory() as tmp_text:
        tmp = Path(tmp_text)
        os.environ[HOME_ENV] = str(tmp / "laptop")
        paths = app_paths().ensure()
        db = open_database(paths)
        office_server = EmbeddedServer(tmp / "office", settings=Settings(data_dir=tmp / "office"))
        office_server.start()
        try:
            office_server.create_village(village, "Desa Sukamaju")
            stick = tmp / "flashdisk"
            stick.mkdir()
            enroll_file, code = Office(office_server).enrollment(village, stick)
            enroll_from_file(db, paths, enroll_file, code)
            for start in range(0, args.apps, 20):
                seal(
                    db,
                    [
                        make_ready(db, page_bytes=args.page_kb * 1024)
                        for _ in range(min(20, args.apps - start))
                    ],
                )
            plan = usb_export.plan(db)
            trip, mem = measure(lambda: usb_export.export(db, paths, stick))
        finally:
            office_server.stop()
            db.close()
    print(  # noqa: T201
        f"{plan.applications} applications, {plan.files} document files, {plan.file_bytes / 1e6:.1f} MB; "
        f"bundle {trip.size / 1e6:.1f} MB in {mem.seconds:.1f} s (under tracemalloc)"
    )
    print(  # noqa: T201
        f"python peak {mem.python_peak / 1e6:.1f} MB, RSS growth {mem.rss_growth / 1e6:.1f} MB during the export"
    )


if __name__ == "__main__":
    main()
