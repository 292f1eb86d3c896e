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
perconn (one connection gets at most half the link: each forwarded piece of a connection
waits 0.25 s before the next, whatever the link's rate; perconn3: 0.4 s, a third of the link;
perconn83: 0.15 s, 83 % of it), each once with the worker and once with a naive uploader
beside it (``--naive``): one tus creation and one PATCH of the whole file, restarting from zero on any
failure, the way a plain "upload the file" client behaves. A naive run that has not finished
after ``--give-up`` times the clean run's duration is reported as not finished.

    .venv/bin/python benchmarks/sync_link.py [--rate 8000] [--latency 0.3] [--pages 100]
        [--scenarios clean,cut200,cut50,stall,perconn] [--naive] [--parallel 4] [--trace /tmp/sync]

``--trace PREFIX`` writes a per-request timeline of each run to ``PREFIX.<scenario>.jsonl`` and
prints where the up link was idle (see ``Trace``).
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
    # ... at most 1 KB per 0.15 s = 6.7 KB/s, 83 % of the link: issue 11's "seen" case 11, where a
    # naive whole-file upload reached ~75 % while the worker of that time got 67.7 %.
    "perconn83": {"cut_every": None, "stall_every": None, "piece_delay": 0.15},
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


class Trace:
    """A per-request timeline of one run (``--trace``): every ``ApiClient.request`` (thread,
    method, path, start, end, outcome, body bytes), every stream-count decision, the tus log,
    and the up link's busy time and pieces from the proxy. ``summary`` says where the up link
    was idle: by how many connections were sending pieces around that moment, and by what the
    upload threads were doing."""

    def __init__(self) -> None:
        import logging
        import threading

        self.events: list[dict[str, object]] = []
        self.lock = threading.Lock()
        self._undo: list[tuple[object, str, object]] = []

        trace = self

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                trace.add(kind="log", thread=record.threadName, msg=record.getMessage())

        self.handler = Handler(logging.INFO)
        self.logger = logging.getLogger("desa_capil.sync")

    def add(self, **ev: object) -> None:
        ev.setdefault("t", time.monotonic())
        with self.lock:
            self.events.append(ev)

    def install(self) -> None:
        import functools
        import gzip
        import json
        import logging
        import threading

        from desa_capil.sync import tus
        from desa_capil.sync.client import GZIP_MIN_BODY, _request_coding

        original = ApiClient.request
        trace = self

        @functools.wraps(original)
        def request(client, method, path, **kw):  # type: ignore[no-untyped-def]
            start = time.monotonic()
            data = kw.get("data")
            size = len(data) if data is not None and hasattr(data, "__len__") else 0
            coded = 0
            if kw.get("json_body") is not None:
                raw = json.dumps(kw["json_body"]).encode()  # as requests sends it
                size = len(raw)
                if len(raw) > GZIP_MIN_BODY and _request_coding.allowed(client.api_url):
                    coded = len(gzip.compress(raw, compresslevel=6, mtime=0))  # as sent (RFC 7694)
            outcome = "?"
            try:
                resp = original(client, method, path, **kw)
                outcome = str(resp.status_code)
                return resp
            except Exception as exc:
                outcome = type(exc).__name__
                raise
            finally:
                trace.add(
                    kind="req",
                    thread=threading.current_thread().name,
                    method=method,
                    path=path.rsplit("/", 1)[-1][:8],
                    t0=start,
                    t=time.monotonic(),
                    outcome=outcome,
                    size=size,
                    coded=coded,
                )

        original_set = tus.StreamGovernor._set

        def set_streams(gov, n):  # type: ignore[no-untyped-def]
            trace.add(kind="streams", n=n, goodputs=dict(gov.goodputs))
            return original_set(gov, n)

        self._undo = [(ApiClient, "request", original), (tus.StreamGovernor, "_set", original_set)]
        ApiClient.request = request  # type: ignore[method-assign]
        tus.StreamGovernor._set = set_streams  # type: ignore[method-assign]
        self.logger.addHandler(self.handler)
        self.logger.setLevel(logging.INFO)

    def uninstall(self) -> None:
        for owner, name, value in self._undo:
            setattr(owner, name, value)
        self.logger.removeHandler(self.handler)

    def summary(self, started: float, ended: float, busy, pieces, piece_delay: float) -> str:  # type: ignore[no-untyped-def]
        step = 0.05
        n = int((ended - started) / step) + 1
        used = [0.0] * n
        for a, b in busy:
            a, b = max(a, started), min(b, ended)
            i = int((a - started) / step)
            while a < b and i < n:
                edge = started + (i + 1) * step
                used[i] += min(b, edge) - a
                a = edge
                i += 1
        # Connections sending up around each bin: one that forwarded a piece within its own
        # spacing (piece_delay, or 0.3 s on a link without a per-connection limit).
        window = max(piece_delay, 0.3) + 0.1
        active: list[set[int]] = [set() for _ in range(n)]
        for at, conn, _nbytes in pieces:
            i0 = int((at - started) / step)
            for i in range(max(0, i0), min(n, i0 + int(window / step) + 1)):
                active[i].add(conn)
        # What the upload threads were doing: PATCH in flight, a creation/HEAD, nothing.
        reqs = [e for e in self.events if e["kind"] == "req" and str(e["thread"]).startswith("tus")]
        doing = [{"PATCH": 0, "other": 0} for _ in range(n)]
        for e in reqs:
            i0 = max(0, int((float(e["t0"]) - started) / step))  # type: ignore[arg-type]
            i1 = min(n, int((float(e["t"]) - started) / step) + 1)  # type: ignore[arg-type]
            key = "PATCH" if e["method"] == "PATCH" else "other"
            for i in range(i0, i1):
                doing[i][key] += 1
        by_active: dict[int, float] = {}
        by_doing: dict[str, float] = {}
        for i in range(n):
            idle = step - used[i]
            if idle <= 1e-9:
                continue
            k = len(active[i])
            by_active[k] = by_active.get(k, 0.0) + idle
            d = f"{doing[i]['PATCH']} PATCH + {doing[i]['other']} other"
            by_doing[d] = by_doing.get(d, 0.0) + idle
        total_idle = sum(step - u for u in used if step - u > 1e-9)
        lines = [f"  up link idle {total_idle:.1f} s of {ended - started:.1f} s"]
        lines.append(
            "  idle by connections sending: "
            + ", ".join(f"{k}: {v:.1f} s" for k, v in sorted(by_active.items()))
        )
        lines.append(
            "  idle by requests in flight (upload threads): "
            + ", ".join(f"{k}: {v:.1f} s" for k, v in sorted(by_doing.items(), key=lambda kv: -kv[1])[:8])
        )
        counts: dict[str, int] = {}
        for e in reqs:
            key = f"{e['method']} {e['outcome']}"
            counts[key] = counts.get(key, 0) + 1
        lines.append("  requests: " + ", ".join(f"{k} x{v}" for k, v in sorted(counts.items())))
        decisions = [e for e in self.events if e["kind"] == "streams"]
        lines.append(
            "  stream decisions: " + ", ".join(f"{float(e['t']) - started:.0f}s->{e['n']}" for e in decisions)  # type: ignore[arg-type]
        )
        return "\n".join(lines)

    def dump(self, path: Path, started: float) -> None:
        import json

        with path.open("w") as f:
            for e in sorted(self.events, key=lambda e: float(e["t"])):  # type: ignore[arg-type]
                out = {k: (round(float(v) - started, 3) if k in ("t", "t0") else v) for k, v in e.items()}  # type: ignore[arg-type]
                f.write(json.dumps(out, default=str) + "\n")


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
    trace: Path | None = None,
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
            tracer: Trace | None = None
            if trace is not None:
                tracer = Trace()
                tracer.install()
                proxy.trace = True
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
            if tracer is not None and trace is not None:
                tracer.uninstall()
                print(tracer.summary(started, started + elapsed, proxy.up_busy, proxy.pieces, piece_delay))
                for a, b in proxy.up_busy:
                    tracer.add(kind="busy", t0=a, t=b)
                for at in proxy.stall_times:
                    tracer.add(kind="stall", t=at)
                tracer.dump(trace, started)
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
    ap.add_argument(
        "--trace",
        type=Path,
        default=None,
        help="write a per-request timeline of each run here (.jsonl, one per scenario)",
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
                trace=(
                    args.trace.with_suffix(f".{name}{'.naive' if naive else ''}.jsonl")
                    if args.trace
                    else None
                ),
            )
            if ideal is None:
                ideal = r["bytes"] / args.rate  # the time a perfect link would take
            label = f"{name} {'naive' if naive else 'worker'}"
            if not r["finished"]:
                print(
                    f"{label:>20}: NOT FINISHED after {r['seconds']:.0f} s, restarts {r['failures']:.0f}, "
                    f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
                )
                continue
            print(
                f"{label:>20}: {r['bytes'] / 1e6:.2f} MB, {r['pages']:.0f} pages in {r['seconds']:.0f} s, "
                f"goodput {r['goodput_share'] * 100:.1f}% of link, cuts {r['cuts']:.0f}, "
                f"stalls {r['stalls']:.0f} (cut by the watch {r['watch_cuts']:.0f}, HEAD looks {r['probes']:.0f}), "
                f"re-sent {r['resent'] / 1000:.1f} KB ({r['resent_per_cut'] / 1000:.1f} KB/cut), "
                f"last chunk {r['chunk'] / 1000:.0f} KB, streams {r['streams']:.0f} (decisions {r['history']}), round trip {r['rtt'] * 1000:.0f} ms, bytes up incl. headers {r['bytes_up'] / 1e6:.2f} MB, "
                f"failures/restarts {r['failures']:.0f}, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}",
                flush=True,
            )


if __name__ == "__main__":
    main()
