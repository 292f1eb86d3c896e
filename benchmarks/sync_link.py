"""Sync over a slow village link: goodput and bytes re-sent after cuts.

A batch of 20 applications (~100 pages of 20-40 KB, random bytes so nothing compresses) is
sent through the fault proxy of the test suite (tests/sync/proxy.py) to the reference server
on 127.0.0.1: 64 kbit/s each way, 300 ms added one way in each direction (600 ms round trip),
once on a clean link and once with the connection cut after every ~200 KB sent.

Goodput = document bytes / (time from the first request to the manifest's answer) / link rate.
Re-sent = bytes the HTTP stack handed to the socket that the server did not keep (measured
by the client: offered minus the server's offset gain), per cut.

Scenarios (``--scenarios``): clean, cut200 / cut50 (the connection cut after every 200 / 50 KB
sent), stall (after every 100 KB the link goes silent without closing, both ways, and the
server's side of that connection stays open for ``--stall-hold`` seconds: the server is told
nothing, as on a real dead link; the client's stall watch or its read timeout must notice),
perconn (one connection gets at most half the link: each forwarded
piece of a connection waits 0.25 s before the next, whatever the link's rate; perconn3: 0.4 s,
a third of the link), each once with the worker and once with a naive uploader beside it
(``--naive``): one tus creation and one PATCH of the whole file, restarting from zero on any
failure, the way a plain "upload the file" client behaves. A naive run that has not finished
after ``--give-up`` times the clean run's duration is reported as not finished.

    .venv/bin/python benchmarks/sync_link.py [--rate 8000] [--latency 0.3] [--pages 100]
        [--scenarios clean,cut200,cut50,stall,perconn] [--naive] [--parallel 4]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "sync"))

import keyring  # noqa: E402
from keyring.backends import fail  # noqa: E402
from proxy import FaultProxy  # noqa: E402

from desa_capil.domain.catalog import get_service  # noqa: E402
from desa_capil.paths import HOME_ENV, app_paths  # noqa: E402
from desa_capil.server.config import Settings  # noqa: E402
from desa_capil.server.embedded import EmbeddedServer  # noqa: E402
from desa_capil.store.db import open_database  # noqa: E402
from desa_capil.store.models import Page  # noqa: E402
from desa_capil.store.repo import (  # noqa: E402
    ApplicantData,
    document_for,
    refresh_readiness,
    save_application,
    seal_batch,
)
from desa_capil.sync import apply  # noqa: E402
from desa_capil.sync.client import (  # noqa: E402
    ApiClient,
    SyncError,
    normalize_base_url,
)
from desa_capil.sync.config import credential_store, enroll  # noqa: E402
from desa_capil.sync.worker import STREAMS_KEY_PREFIX, Backoff, SyncWorker, has_pending_work  # noqa: E402

NIK = "3204051708900001"
KK = "3204051708150001"


def build_batch(db, n_apps: int, pages: int, rng: random.Random) -> tuple[str, int, int]:  # type: ignore[no-untyped-def]
    reqs = [r.code for r in get_service("akta_lahir").mandatory]
    per_app = [pages // n_apps + (1 if i < pages % n_apps else 0) for i in range(n_apps)]
    ids = []
    for n_pages in per_app:
        app_id = save_application(
            db, service_code="akta_lahir", applicant=ApplicantData(nik=NIK, name="Budi Santoso", kk_number=KK)
        )
        with db.session() as s:
            for p in range(n_pages):
                doc = document_for(s, app_id, reqs[p % len(reqs)])
                data = rng.randbytes(rng.randint(20_000, 40_000))
                sha = db.blobs.put(data)
                s.add(
                    Page(
                        document_id=doc.id,
                        position=p,
                        processed_sha256=sha,
                        mime="image/tiff",
                        size_bytes=len(data),
                    )
                )
            s.commit()
        refresh_readiness(db, app_id)
        ids.append(app_id)
    sealed = seal_batch(
        db, ids, lambda pgs: b"%PDF-1.4\n" + b"".join(db.blobs.get(p.processed_sha256) for p in pgs)
    )
    return sealed.id, sealed.total_bytes, sealed.page_count


SCENARIOS: dict[str, dict[str, float | None]] = {
    "clean": {"cut_every": None, "stall_every": None},
    "cut200": {"cut_every": 200_000, "stall_every": None},
    "cut50": {"cut_every": 50_000, "stall_every": None},
    "stall": {"cut_every": None, "stall_every": 100_000},
    # One connection gets at most 1 KB per 0.25 s = 4 KB/s, half the link (per-connection
    # shaping, or a window that the long round trip keeps small).
    "perconn": {"cut_every": None, "stall_every": None, "piece_delay": 0.25},
    # ... at most 1 KB per 0.4 s = 2.5 KB/s, under a third of the link: two streams cannot fill it.
    "perconn3": {"cut_every": None, "stall_every": None, "piece_delay": 0.4},
}


def naive_upload(db, url: str, token: str, give_up_at: float) -> tuple[bool, int]:  # type: ignore[no-untyped-def]
    """Every pending file as one creation + one whole-file PATCH; any failure restarts it from
    zero (a new upload). Marks the outbox rows done so that the worker then sends the manifest."""
    import json

    from sqlmodel import select

    from desa_capil.api.models import TUS_VERSION
    from desa_capil.store.models import Outbox, OutboxState

    with db.session() as s:
        rows = list(
            s.exec(select(Outbox).where(Outbox.kind == "upload", Outbox.state == OutboxState.PENDING))
        )
    restarts = 0
    for row in rows:
        data = db.blobs.get(json.loads(row.payload)["sha256"])
        while True:
            if time.monotonic() > give_up_at:
                return False, restarts
            client = ApiClient(url, token, timeout=(10.0, 30.0), deadline=3600.0)
            try:
                resp = client.request(
                    "POST",
                    "/uploads/",
                    headers={"Tus-Resumable": TUS_VERSION, "Upload-Length": str(len(data))},
                    ok=(201,),
                )
                upload_id = resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
                client.request(
                    "PATCH",
                    f"/uploads/{upload_id}",
                    data=data,
                    headers={
                        "Tus-Resumable": TUS_VERSION,
                        "Upload-Offset": "0",
                        "Content-Type": "application/offset+octet-stream",
                    },
                    ok=(204,),
                )
            except SyncError:
                restarts += 1
                time.sleep(2.0)
                continue
            finally:
                client.close()
            with db.session() as s:
                fresh = s.get(Outbox, row.id)
                fresh.upload_url = upload_id
                fresh.upload_offset = fresh.upload_length
                fresh.state = OutboxState.DONE
                s.add(fresh)
                s.commit()
            break
    return True, restarts


def run(
    rate: int,
    latency: float,
    pages: int,
    cut_every: int | None,
    seed: int,
    *,
    stall_every: int | None = None,
    naive: bool = False,
    give_up_after: float = 3600.0,
    apps: int = 20,
    piece_delay: float = 0.0,
    parallel: int = 4,
    stall_hold: float = 600.0,
    remembered: int | None = None,
) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="sync-bench-") as tmp:
        os.environ[HOME_ENV] = str(Path(tmp) / "home")
        paths = app_paths().ensure()
        db = open_database(paths)
        settings = Settings(data_dir=Path(tmp) / "server", rate_burst=10_000.0, rate_per_second=10_000.0)
        server = EmbeddedServer(Path(tmp) / "server", settings=settings)
        server.start()
        proxy = FaultProxy(server.port, seed=seed).start()
        try:
            code = server.create_village("32.04.05.2001", "Desa Sukamaju")
            creds = credential_store(paths)
            enroll(db, creds, server.base_url, code)
            token = creds.get_token()
            _batch, total, npages = build_batch(db, apps, pages, random.Random(seed))
            proxy.rate = rate
            proxy.latency = latency
            proxy.cut_every = cut_every
            proxy.stall_every = stall_every
            proxy.stall_hold = stall_hold
            proxy.piece_delay = piece_delay
            done_at: list[float] = []

            class Clock:
                """Stops the clock at the manifest's answer (what follows in the pass, the
                change pull, is not part of sending the batch)."""

                def progress(self, p: object) -> None:
                    pass

                def contact(self, at: object) -> None:
                    pass

                def status(self, st: object) -> None:
                    pass

                def batch_done(self, batch_id: str, state: str) -> None:
                    done_at.append(time.monotonic())

            if remembered:
                # What an earlier run on this link settled on (the worker keeps it per address).
                apply.write_state(db, STREAMS_KEY_PREFIX + normalize_base_url(proxy.url), str(remembered))
            worker = SyncWorker(
                db,
                lambda: ApiClient(proxy.url, token),
                backoff=Backoff(),
                listener=Clock(),
                parallel=parallel,
            )
            started = time.monotonic()
            failures = 0
            finished = True
            if naive:
                assert token
                finished, failures = naive_upload(db, proxy.url, token, started + give_up_after)
            while finished and has_pending_work(db):
                if time.monotonic() - started > give_up_after:
                    finished = False
                    break
                result = worker.collect_pass()
                if result.failure is None:
                    worker.backoff.reset()
                    continue
                if isinstance(result.failure, SyncError) and not result.failure.retryable:
                    raise result.failure
                failures += 1
                delay, _probing = worker.delay_after(result)  # the worker's own policy
                time.sleep(delay)
            elapsed = (done_at[-1] if done_at and finished else time.monotonic()) - started
            worker.close()
            return {
                "finished": float(finished),
                "bytes": total,
                "pages": npages,
                "seconds": elapsed,
                "goodput_share": total / elapsed / rate,
                "cuts": proxy.stats.cuts,
                "stalls": proxy.stats.stalls,
                "watch_cuts": worker.meter.stalls,
                "probes": worker.meter.probes,
                "failures": failures,
                "resent": worker.meter.bytes_lost,
                "resent_per_cut": worker.meter.bytes_lost / proxy.stats.cuts if proxy.stats.cuts else 0.0,
                "bytes_up": proxy.stats.bytes_up,
                "chunk": worker.meter.chunk_size(),
                "rtt": worker.meter.rtt or 0.0,
                "streams": worker.meter.streams.streams,
                "history": "/".join(str(n) for n in worker.meter.streams.history) or "-",
            }
        finally:
            proxy.stop()
            server.stop()
            db.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rate", type=int, default=8000, help="link rate in bytes/s (8000 = 64 kbit/s)")
    ap.add_argument("--latency", type=float, default=0.3, help="seconds added one way")
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--apps", type=int, default=20, help="applications the pages are spread over")
    ap.add_argument("--cut-every", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scenarios", default="clean,cut200", help="comma-separated: " + ",".join(SCENARIOS))
    ap.add_argument("--naive", action="store_true", help="also run the naive whole-file uploader")
    ap.add_argument("--give-up", type=float, default=4.0, help="naive: give up after N x the clean time")
    ap.add_argument(
        "--remembered", type=int, default=0, help="worker: start from this remembered stream count"
    )
    ap.add_argument(
        "--stall-hold", type=float, default=600.0, help="stall: seconds the server side stays open"
    )
    ap.add_argument(
        "--parallel", type=int, default=4, help="worker: most files at once (1: one, 2: always two)"
    )
    args = ap.parse_args()
    keyring.set_keyring(fail.Keyring())  # never the real credential store
    print(
        f"link {args.rate * 8 / 1000:.0f} kbit/s, +{args.latency * 1000:.0f} ms each way, {args.pages} pages"
    )
    ideal = None
    for name in args.scenarios.split(","):
        sc = SCENARIOS[name]
        for naive in (False, True) if args.naive else (False,):
            limit = 3600.0 if ideal is None else ideal * args.give_up
            cut, stall = sc["cut_every"], sc["stall_every"]
            r = run(
                args.rate,
                args.latency,
                args.pages,
                int(cut) if cut else None,
                args.seed,
                stall_every=int(stall) if stall else None,
                naive=naive,
                give_up_after=limit,
                apps=args.apps,
                piece_delay=float(sc.get("piece_delay") or 0.0),
                parallel=args.parallel,
                stall_hold=args.stall_hold,
                remembered=args.remembered or None,
            )
            if ideal is None:
                ideal = r["bytes"] / args.rate  # the time a perfect link would take
            label = f"{name} {'naive' if naive else 'worker'}"
            if not r["finished"]:
                print(f"{label:>20}: NOT FINISHED after {r['seconds']:.0f} s, restarts {r['failures']:.0f}")
                continue
            print(
                f"{label:>20}: {r['bytes'] / 1e6:.2f} MB, {r['pages']:.0f} pages in {r['seconds']:.0f} s, "
                f"goodput {r['goodput_share'] * 100:.1f}% of link, cuts {r['cuts']:.0f}, "
                f"stalls {r['stalls']:.0f} (cut by the watch {r['watch_cuts']:.0f}, HEAD looks {r['probes']:.0f}), "
                f"re-sent {r['resent'] / 1000:.1f} KB ({r['resent_per_cut'] / 1000:.1f} KB/cut), "
                f"last chunk {r['chunk'] / 1000:.0f} KB, streams {r['streams']:.0f} (decisions {r['history']}), round trip {r['rtt'] * 1000:.0f} ms, bytes up incl. headers {r['bytes_up'] / 1e6:.2f} MB, "
                f"failures/restarts {r['failures']:.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
