"""Backup to a stick and restore, for a laptop with N applications: time and size.

    python benchmarks/backup.py [--apps 1000] [--pages 2] [--json out.json]

Each application gets `pages` pages: a processed page (36 KB, the size DESIGN.md measures for
a text page), its thumbnail (4 KB) and the original scan kept until the office confirms
(80 KB); random bytes, incompressible like the JPEG/TIFF-G4 files they stand for. Every third
application has a hand-over receipt (12 KB). The "stick" is a folder on the same disk, so
the times are the app's own cost (hashing, encryption checks, SQLite), not a USB stick's
speed: a USB 2.0 stick writes 5-15 MB/s, add size / that speed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desa_capil.paths import HOME_ENV, AppPaths  # noqa: E402


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--apps", type=int, default=1000)
    ap.add_argument("--pages", type=int, default=2)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="desa_capil-backup-bench-"))
    os.environ[HOME_ENV] = str(root / "home")
    from desa_capil.backup import stick
    from desa_capil.security.keys import KeyStore, recovery_code
    from desa_capil.store import pages as store_pages
    from desa_capil.store import repo
    from desa_capil.store.db import open_database
    from desa_capil.store.models import HandOver

    paths = AppPaths(
        root / "home" / "data", root / "home" / "config", root / "home" / "cache", root / "home" / "logs"
    )
    figures: dict[str, object] = {"applications": args.apps, "pages_per_application": args.pages}
    try:
        db = open_database(paths.ensure())
        t = time.perf_counter()
        for i in range(args.apps):
            app_id = repo.save_application(
                db,
                service_code="akta_lahir",
                applicant=repo.ApplicantData(nik=f"3201014509{i:06d}", name=f"Warga {i}"),
            )
            new = [
                store_pages.NewPage(
                    data=os.urandom(36_000),
                    mime="image/tiff",
                    width=2480,
                    height=3508,
                    dpi=300,
                    mode="bilevel",
                    thumb=os.urandom(4_000),
                    original=os.urandom(80_000),
                )
                for _ in range(args.pages)
            ]
            store_pages.add_pages(db, app_id, "sk_lahir", new)
            if i % 3 == 0:
                with db.session() as s:
                    s.add(
                        HandOver(
                            application_id=app_id,
                            recipient_name="x",
                            receipt_sha256=db.blobs.put(os.urandom(12_000)),
                        )
                    )
                    s.commit()
        figures["fill_s"] = round(time.perf_counter() - t, 1)
        figures["laptop_data_bytes"] = folder_bytes(paths.data)
        usb = root / "usb"
        t = time.perf_counter()
        first = stick.create_backup(db, usb)
        figures["first_backup_s"] = round(time.perf_counter() - t, 1)
        figures["stick_bytes"] = folder_bytes(usb)
        figures["first_backup_files"] = first.blobs_copied
        for i in range(args.apps, args.apps + 10):
            app_id = repo.save_application(
                db,
                service_code="akta_lahir",
                applicant=repo.ApplicantData(nik=f"3201014509{i:06d}", name="x"),
            )
        t = time.perf_counter()
        second = stick.create_backup(db, usb)
        figures["second_backup_s"] = round(time.perf_counter() - t, 1)
        figures["second_backup_new_files"] = second.blobs_copied
        master = KeyStore(paths).load()
        assert master is not None
        db.close()
        new_home = root / "new"
        target = AppPaths(new_home / "data", new_home / "config", new_home / "cache", new_home / "logs")
        snap = stick.list_snapshots(usb)[0]
        t = time.perf_counter()
        restored = stick.restore_backup(snap.folder, recovery_code(master), target)
        figures["restore_s"] = round(time.perf_counter() - t, 1)
        figures["restored_applications"] = restored.counts.applications
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(figures, indent=1))  # noqa: T201 - a benchmark reports by printing
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
