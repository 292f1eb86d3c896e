"""What the short expiry of unclaimed tus uploads costs and what it frees (issue 11).

A new upload lives ``upload_unclaimed_expiry_seconds`` (a day) until a request shows that its
client knows it; a HEAD then writes the full expiry, but only while less than half of it is
left (see desa_capil/server/services/uploads.py). Two measurements:

``head``: the reference server on 127.0.0.1 (SQLite in a temp folder, or ``--database-url``);
N uploads are made, then each gets ``--looks`` HEADs. The first HEAD of an upload writes its
expiry (one UPDATE), the later ones write nothing: their times side by side, and the number
of writes counted on the server.

``sync``: the worker sends a batch through the test suite's fault proxy (benchmarks/sync_link.py,
64 kbit/s, 600 ms round trip) with its connections cut every 50 KB (``cut50``), the link going
silent every 100 KB (``stall``), or a clean link that loses the answer of one creation every
10 s (``lost``); counted on the server: HEADs, expiry writes they made, uploads made, and
those no manifest used (orphans: a creation whose answer the cut lost, one cut mid-body). Then
the server's clock for uploads moves 25 hours and the purge runs: what it removes, and whether
every delivered document is still there.

    .venv/bin/python benchmarks/upload_claim.py [--uploads 200] [--looks 5] [--pages 30]
        [--scenarios cut50,stall,lost] [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sqlmodel import select  # noqa: E402

from desa_capil.server import service as service_module  # noqa: E402
from desa_capil.server.db import Upload  # noqa: E402
from desa_capil.server.db import utcnow as real_utcnow  # noqa: E402
from desa_capil.server.services import uploads as upload_service  # noqa: E402
from desa_capil.server.testing import enroll_device, running_server  # noqa: E402

TUS = {"Tus-Resumable": "1.0.0"}
LOSE_EVERY = 10.0  # scenario "lost": seconds between two creations whose answer is lost


class Counts:
    """HEADs the server answered (``claim_upload`` runs once per HEAD, and once per PATCH
    with ``patch=True``) and expiry writes."""

    def __init__(self) -> None:
        self.heads = 0
        self.writes = 0
        self._claim = service_module.CentralService.claim_upload
        self._write = upload_service.UploadService._claim_ids

    def install(self) -> None:
        counts = self
        claim, write = self._claim, self._write

        def counted_claim(svc: Any, up: Upload, *, patch: bool = False) -> Upload:
            counts.heads += not patch  # a PATCH claims as it begins too
            return claim(svc, up, patch=patch)

        def counted_write(svc: Any, ids: Any, now: Any) -> None:
            counts.writes += 1
            write(svc, ids, now)

        service_module.CentralService.claim_upload = counted_claim  # type: ignore[method-assign]
        upload_service.UploadService._claim_ids = counted_write  # type: ignore[method-assign]

    def uninstall(self) -> None:
        service_module.CentralService.claim_upload = self._claim  # type: ignore[method-assign]
        upload_service.UploadService._claim_ids = self._write  # type: ignore[method-assign]


def _ms(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=10)
    return f"median {statistics.median(samples) * 1000:.2f} ms, p90 {q[8] * 1000:.2f} ms"


def bench_head(n: int, looks: int, database_url: str | None) -> None:
    counts = Counts()
    with tempfile.TemporaryDirectory(prefix="claim-bench-") as tmp:
        settings: dict[str, Any] = {"rate_burst": 1e9, "rate_per_second": 1e9}
        backend = "sqlite"
        if database_url:
            import os

            os.environ["TEST_DATABASE_URL"] = database_url
            backend = "postgres"
        with running_server(Path(tmp) / "server", backend=backend, **settings) as server:
            device = enroll_device(server)
            ids = [device.create_upload(100_000) for _ in range(n)]
            counts.install()
            first: list[float] = []
            later: list[float] = []
            try:
                for upload_id in ids:
                    for k in range(looks):
                        t0 = time.perf_counter()
                        r = device.request("HEAD", f"/uploads/{upload_id}", headers=TUS)
                        (first if k == 0 else later).append(time.perf_counter() - t0)
                        assert r.status_code == 200
            finally:
                counts.uninstall()
    print(
        f"head [{backend}]: {n} uploads x {looks} HEADs = {counts.heads} HEADs, {counts.writes} expiry writes"
    )
    print(f"  first HEAD (writes the full expiry): {_ms(first)}")
    print(f"  later HEADs (write nothing):         {_ms(later)}")


def bench_sync(scenario: str, pages: int, seed: int) -> None:
    import sync_link

    counts = Counts()
    found: dict[str, int] = {}

    class Inspected(sync_link.EmbeddedServer):  # type: ignore[misc,name-defined]
        """Counts the server's uploads before it stops, moves its clock and purges."""

        def stop(self, timeout: float = 10.0) -> None:
            svc = self.service
            if svc is not None:
                with svc.db.session() as s:
                    rows = list(s.exec(select(Upload)))
                found["uploads"] = len(rows)
                found["orphans"] = sum(1 for u in rows if u.document_id is None)
                found["orphan_bytes"] = sum(u.length for u in rows if u.document_id is None)
                moved = upload_service.utcnow
                upload_service.utcnow = lambda: real_utcnow() + timedelta(hours=25)  # type: ignore[assignment]
                try:
                    found["purged"] = svc.purge_expired_uploads()
                finally:
                    upload_service.utcnow = moved  # type: ignore[assignment]
                with svc.db.session() as s:
                    left = list(s.exec(select(Upload)))
                found["left_unused"] = sum(1 for u in left if u.document_id is None)
                found["left_documents"] = sum(1 for u in left if u.document_id is not None)
            super().stop(timeout)

    sync_link.keyring.set_keyring(sync_link.fail.Keyring())  # the token in a file, as sync_link does
    base_proxy = sync_link.FaultProxy

    class LosingProxy(base_proxy):  # type: ignore[misc,valid-type]
        """A clean link that loses the answer of one creation every ``LOSE_EVERY`` seconds."""

        def start(self) -> Any:
            started = super().start()
            self._losing = threading.Event()

            def lose() -> None:
                while not self._losing.wait(LOSE_EVERY):
                    if not self._lose_answers:
                        self.lose_answer(b"POST /api/v1/uploads")

            threading.Thread(target=lose, daemon=True).start()
            return started

        def stop(self) -> None:
            self._losing.set()
            super().stop()

    kind = sync_link.SCENARIOS["clean" if scenario == "lost" else scenario]
    sync_link.EmbeddedServer = Inspected  # type: ignore[misc]
    if scenario == "lost":
        sync_link.FaultProxy = LosingProxy
    counts.install()
    try:
        result = sync_link.run(
            8000,
            0.3,
            pages,
            kind["cut_every"],  # type: ignore[arg-type]
            seed,
            stall_every=kind["stall_every"],  # type: ignore[arg-type]
            stall_hold=30.0,
            apps=max(1, pages // 5),
        )
    finally:
        counts.uninstall()
        sync_link.FaultProxy = base_proxy
    print(
        f"sync [{scenario}]: {result['pages']:.0f} pages in {result['seconds']:.0f} s; "
        f"server answered {counts.heads} HEADs with {counts.writes} expiry writes; "
        f"{found['uploads']} uploads made, {found['orphans']} orphans ({found['orphan_bytes']} bytes declared); "
        f"25 h later the purge removed {found['purged']}, left {found['left_unused']} unused and "
        f"{found['left_documents']} documents' uploads"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--uploads", type=int, default=200)
    p.add_argument("--looks", type=int, default=5)
    p.add_argument("--pages", type=int, default=30)
    p.add_argument("--scenarios", default="cut50,stall,lost")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--database-url", default=None)
    p.add_argument("--skip-head", action="store_true")
    args = p.parse_args()
    if not args.skip_head:
        bench_head(args.uploads, args.looks, args.database_url)
    for scenario in [s for s in args.scenarios.split(",") if s]:
        bench_sync(scenario, args.pages, args.seed)


if __name__ == "__main__":
    main()
