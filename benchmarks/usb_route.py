"""The USB route ("Kirim lewat flashdisk") for 200 applications: bundle size per page against
the bytes the online route puts on the wire for the same batches, and the time of each step.

One laptop, enrolled from the office's enrollment file, makes ``--apps`` applications (each
with the akta_lahir papers, ``--page-kb`` KB of random bytes per page: nothing compresses, like
the already-compressed page files) sealed in batches of 20, then:

1. export: ``services.usb_export.export`` writes the trip's bundle (signed, encrypted, verified);
2. import: the office imports it over its admin API (``POST /admin/usb/import``, real HTTP);
3. a copy of the laptop (its data folder and key, before the office's answer) enrolls online
   with a second reference server and sends the same batches through the test suite's proxy
   (tests/sync/proxy.py), which counts every byte each way: the online route's wire bytes;
4. the office moves every application to in review and finished, attaches a signed PDF
   (``--pdf-kb`` KB) and dispatches them; ``return``: the office's return bundle is made
   (``POST /admin/usb/return/{village}``); ``apply``: the laptop applies it
   (``sync.usb_return.apply_return_bundle``).

Times are wall-clock on this machine (reported, never asserted by a test).

    .venv/bin/python benchmarks/usb_route.py [--apps 200] [--page-kb 30] [--pdf-kb 60]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "sync"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import keyring  # noqa: E402
from keyring.backends import fail  # noqa: E402
from proxy import FaultProxy  # noqa: E402
from usb_export_memory import measure  # noqa: E402

from desa_capil.paths import HOME_ENV, AppPaths, app_paths  # noqa: E402
from desa_capil.server.config import Settings  # noqa: E402
from desa_capil.server.embedded import EmbeddedServer  # noqa: E402
from desa_capil.services import usb_export  # noqa: E402
from desa_capil.store.db import open_database  # noqa: E402
from desa_capil.store.models import Page  # noqa: E402
from desa_capil.sync.config import credential_store, enroll  # noqa: E402
from desa_capil.sync.usb_identity import enroll_from_file  # noqa: E402
from desa_capil.sync.usb_return import apply_return_bundle  # noqa: E402
from desa_capil.sync.worker import SyncWorker  # noqa: E402
from tests.sync.helpers import make_ready, seal  # noqa: E402
from tests.usbroute.loop import Office  # noqa: E402

VILLAGE = "32.04.05.2001"
PER_BATCH = 20


def server(folder: Path) -> EmbeddedServer:
    settings = Settings(data_dir=folder, rate_burst=100_000.0, rate_per_second=100_000.0)
    s = EmbeddedServer(folder, settings=settings)
    s.start()
    s.create_village(VILLAGE, "Desa Sukamaju")
    return s


def paths_under(home: Path) -> AppPaths:
    return AppPaths(home / "data", home / "config", home / "cache", home / "logs").ensure()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--apps", type=int, default=200)
    ap.add_argument("--page-kb", type=int, default=30)
    ap.add_argument("--pdf-kb", type=int, default=60)
    args = ap.parse_args()
    keyring.set_keyring(fail.Keyring())
    with tempfile.TemporaryDirectory() as tmp_text:
        tmp = Path(tmp_text)
        os.environ[HOME_ENV] = str(tmp / "laptop")
        paths = app_paths().ensure()
        db = open_database(paths)
        office_server, online_server = server(tmp / "office"), server(tmp / "online")
        proxy = FaultProxy(online_server.port, seed=1).start()
        try:
            office = Office(office_server)
            stick = tmp / "flashdisk"
            stick.mkdir()
            enroll_file, code = office.enrollment(VILLAGE, stick)
            enroll_from_file(db, paths, enroll_file, code)
            ids: list[str] = []
            for start in range(0, args.apps, PER_BATCH):
                batch = [
                    make_ready(db, page_bytes=args.page_kb * 1024)
                    for _ in range(min(PER_BATCH, args.apps - start))
                ]
                seal(db, batch)
                ids += batch
            with db.session() as s:
                pages = len(s.exec(Page.__table__.select()).all())  # type: ignore[attr-defined]
                page_bytes = sum(r.size_bytes for r in s.exec(Page.__table__.select()).all())  # type: ignore[attr-defined]

            trip, export_mem = measure(lambda: usb_export.export(db, paths, stick), trace_python=False)
            t_export = export_mem.seconds
            t0 = time.perf_counter()
            r = office.s.post(
                office.base + "/usb/import",
                data=trip.path.read_bytes(),
                headers={"Content-Type": "application/octet-stream"},
                timeout=3600,  # a bundle of 200 applications on a loaded machine takes minutes
            )
            r.raise_for_status()
            report = r.json()
            t_import = time.perf_counter() - t0
            assert all(b["status"] == 201 for b in report["batches"]), report["batches"][:2]

            # The same laptop, copied before the office's answer, sends the same batches online.
            db.close()
            shutil.copytree(tmp / "laptop", tmp / "laptop2")
            db = open_database(paths)
            paths2 = paths_under(tmp / "laptop2")
            db2 = open_database(paths2)
            creds2 = credential_store(paths2)
            enroll(db2, creds2, proxy.url, online_server.new_enrollment_code(VILLAGE), allow_http=True)
            token = creds2.get_token()
            from desa_capil.sync.client import ApiClient

            worker = SyncWorker(db2, lambda: ApiClient(proxy.url, token))
            t0 = time.perf_counter()
            sent = worker.run_until_idle()
            t_online = time.perf_counter() - t0
            worker.close()
            db2.close()
            assert len(sent.batches_sent) == len(report["batches"])
            online_bytes = proxy.stats.bytes_up + proxy.stats.bytes_down

            # The office finishes everything with a signed PDF; the way back.
            server_ids = office.applications()
            pdf = b"%PDF-1.7\n" + os.urandom(args.pdf_kb * 1024) + b"\n%%EOF\n"
            for cid in ids:
                sid = server_ids[cid]["id"]
                office.status(sid, "in_review")
                office.status(sid, "finished")
                office._req(
                    "POST",
                    f"/applications/{sid}/finished-documents",
                    params={"title": "Akta"},
                    data=pdf + cid.encode(),
                )
            office._req(
                "POST",
                "/dispatches",
                json={"village_code": VILLAGE, "application_ids": [server_ids[c]["id"] for c in ids]},
            )
            t0 = time.perf_counter()
            back = stick / "kembali.dcb"
            r = office.s.post(f"{office.base}/usb/return/{VILLAGE}", timeout=3600)
            r.raise_for_status()
            back.write_bytes(r.content)
            t_return = time.perf_counter() - t0
            back_size = back.stat().st_size
            t0 = time.perf_counter()
            result = apply_return_bundle(db, back, paths=paths)
            t_apply = time.perf_counter() - t0
            assert result.documents == len(ids) and result.batches_acknowledged == len(report["batches"])
        finally:
            proxy.stop()
            office_server.stop()
            online_server.stop()
            db.close()

    size = trip.size
    print(
        f"applications {len(ids)}, batches {len(report['batches'])}, pages {pages}, page bytes {page_bytes / 1e6:.2f} MB"
    )  # noqa: T201
    print(
        f"bundle        {size / 1e6:.2f} MB = {size / pages / 1024:.1f} KB/page, overhead over the page bytes {100 * (size - page_bytes) / page_bytes:+.2f} %"
    )  # noqa: T201
    print(
        f"online wire   {online_bytes / 1e6:.2f} MB = {online_bytes / pages / 1024:.1f} KB/page (up {proxy.stats.bytes_up / 1e6:.2f} MB, down {proxy.stats.bytes_down / 1e6:.2f} MB), bundle/online {size / online_bytes:.3f}"
    )  # noqa: T201
    print(f"export peak RSS growth {export_mem.rss_growth / 1e6:.1f} MB (pages streamed one at a time)")  # noqa: T201
    print(f"export {t_export:.1f} s, office import {t_import:.1f} s, online send (loopback) {t_online:.1f} s")  # noqa: T201
    print(
        f"return bundle {back_size / 1e6:.2f} MB ({len(ids)} apps, {result.status_changes} status changes, {result.documents} PDFs): office export {t_return:.1f} s, laptop apply {t_apply:.1f} s"
    )  # noqa: T201


if __name__ == "__main__":
    main()
