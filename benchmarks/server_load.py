"""Load on the central server: N villages at once, each uploading a batch and pulling changes.

Each simulated village (one thread, its own HTTP connection, its own device token) does:
tus POST (create) -> tus PATCH (the file) -> PUT /batches/{id} -> GET /changes, all villages
released together by a barrier. The server runs as a real `desa-capil-server serve` process
on 127.0.0.1 (uvicorn, --workers W). Villages and device tokens are made beforehand, straight
on the database (not timed).

    python benchmarks/server_load.py --villages 50 500 --backend sqlite
    python benchmarks/server_load.py --villages 50 500 --backend postgres --workers 2 \
        --database-url postgresql+psycopg://user:pass@127.0.0.1/db      # or TEST_DATABASE_URL

Reports requests/s (all requests / wall time of the timed phase), p50/p95/max latency per
request and the number of failed requests (any non-2xx or connection error).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import requests

from desa_capil.server.config import Settings
from desa_capil.server.service import CentralService
from desa_capil.server.testing import (
    document_for,
    encode_metadata,
    fresh_postgres_schema,
    sample_application,
    sha256_hex,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    data: Path, db_url: str | None, workers: int, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cmd = [sys.executable, "-m", "desa_capil.server.cli", "--data", str(data)]
    if db_url:
        cmd += ["--database-url", db_url]
    cmd += [
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return proc, base
        except requests.ConnectionError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def make_devices(data: Path, db_url: str | None, n: int, tag: str) -> list[str]:
    svc = CentralService(Settings(data_dir=data, database_url=db_url))
    tokens = []
    for i in range(n):
        code = f"32.{tag}.{i // 9000 + 10:02d}.{2001 + i % 9000:04d}"
        enrollment = svc.create_village(code, f"Desa {i}", actor="benchmark")
        tokens.append(svc.enroll(enrollment.enrollment_code, f"bench-{i}", "bench").token)
    svc.close()
    return tokens


def make_devices_bulk(data: Path, db_url: str | None, n: int) -> list[str]:
    """Villages with one enrolled device each, written in one transaction (setup, not timed):
    thousands of enrollments one by one would take longer than the run."""
    import secrets

    from desa_capil.server.db import Device, Village, utcnow

    svc = CentralService(Settings(data_dir=data, database_url=db_url))
    tokens = [f"dcd_{secrets.token_urlsafe(32)}" for _ in range(n)]
    now = utcnow()
    with svc.db.session() as s:
        villages = [Village(code=f"99.{i // 9000 + 10:02d}.{i // 100 % 90 + 10:02d}.{1 + i % 9000:04d}", name=f"Desa {i}") for i in range(n)]  # fmt: skip
        s.add_all(villages)
        s.flush()
        s.add_all(
            Device(
                id=uuid.uuid4().hex,
                village_id=v.id or 0,
                name="bench",
                token_hash=sha256_hex(t),
                enrolled_at=now,
                last_seen_at=now,
            )  # fmt: skip
            for v, t in zip(villages, tokens, strict=True)
        )
        s.commit()
    svc.close()
    return tokens


def village_run(
    base: str, token: str, payload: bytes, barrier: threading.Barrier, lat: list[float], errors: list[str]
) -> None:
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    tus = {"Tus-Resumable": "1.0.0"}

    def call(method: str, url: str, **kw: object) -> requests.Response | None:
        t0 = time.perf_counter()
        try:
            r = s.request(method, url, timeout=120, **kw)  # type: ignore[arg-type]
        except requests.RequestException as exc:
            errors.append(type(exc).__name__)
            return None
        lat.append(time.perf_counter() - t0)
        if r.status_code >= 300:
            errors.append(f"{method} {r.status_code}")
        return r

    barrier.wait()
    r = call(
        "POST",
        f"{base}/api/v1/uploads/",
        headers={
            **tus,
            "Upload-Length": str(len(payload)),
            "Upload-Metadata": encode_metadata({"sha256": sha256_hex(payload)}),
        },
    )
    if r is None or r.status_code != 201:
        return
    loc = r.headers["Location"]
    upload_id = loc.rsplit("/", 1)[1]
    headers = {**tus, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
    if call("PATCH", base + loc, data=payload, headers=headers) is None:
        return
    manifest = {"applications": [sample_application([document_for(upload_id, payload)])]}
    call("PUT", f"{base}/api/v1/batches/{uuid.uuid4()}", json=manifest)
    call("GET", f"{base}/api/v1/changes", params={"after": 0})
    s.close()


def run_once(n: int, backend: str, db_url: str | None, workers: int, size: int) -> dict[str, float]:
    with ExitStack() as stack:
        data = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dc-bench-")))
        url = stack.enter_context(fresh_postgres_schema(db_url)) if backend == "postgres" and db_url else None
        tokens = make_devices(data, url, n, tag=f"{n % 90 + 10:02d}")
        proc, base = start_server(data, url, workers)
        stack.callback(proc.wait, 30)
        stack.callback(proc.terminate)
        payload = b"%PDF-1.4\n" + os.urandom(size)
        barrier = threading.Barrier(n + 1)
        lat: list[float] = []
        errors: list[str] = []
        threads = [
            threading.Thread(target=village_run, args=(base, t, payload, barrier, lat, errors), daemon=True)
            for t in tokens
        ]
        for t in threads:
            t.start()
        barrier.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        lat.sort()
        return {
            "villages": n,
            "ok_requests": len(lat),
            "errors": len(errors),
            "wall_s": wall,
            "rps": len(lat) / wall,
            "p50_ms": statistics.median(lat) * 1000 if lat else float("nan"),
            "p95_ms": lat[int(len(lat) * 0.95) - 1] * 1000 if lat else float("nan"),
            "max_ms": lat[-1] * 1000 if lat else float("nan"),
        }


# --- steady load ------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.lat: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.late: list[float] = []  # how far behind schedule the generator started a job

    def call(
        self, s: requests.Session, kind: str, method: str, url: str, ok: tuple[int, ...] = (), **kw: object
    ) -> requests.Response | None:
        t0 = time.perf_counter()
        try:
            r = s.request(method, url, timeout=60, **kw)  # type: ignore[arg-type]
        except requests.RequestException as exc:
            with self.lock:
                self.errors.append(f"{kind} {type(exc).__name__}")
            return None
        dt = time.perf_counter() - t0
        with self.lock:
            self.lat.setdefault(kind, []).append(dt)
            if r.status_code >= 300 and r.status_code not in ok:
                self.errors.append(f"{kind} {r.status_code}")
        return r


def _p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[max(0, int(len(xs) * 0.95) - 1)] if xs else float("nan")


def steady_once(
    n: int,
    bases: list[str],
    tokens: list[str],
    admin_token: str,
    duration: float,
    compression: float,
    staff: int,
    size: int,
    threads: int,
) -> dict[str, float]:
    """N villages polling GET /changes every 60 s (real time), each sending 3 batches per
    8-hour office day (time compressed by ``compression``), and ``staff`` office users each
    listing new applications and moving one on every 10 s. Requests go round-robin over
    ``bases`` (several server processes behind a balancer)."""
    import heapq
    import random
    from concurrent.futures import ThreadPoolExecutor

    rec = Recorder()
    local = threading.local()
    payload = b"%PDF-1.4\n" + os.urandom(size)
    digest = sha256_hex(payload)
    rr = iter(range(10**12))

    def session() -> requests.Session:
        if not hasattr(local, "s"):
            local.s = requests.Session()
        return local.s  # type: ignore[no-any-return]

    def base() -> str:
        return bases[next(rr) % len(bases)]

    def poll(i: int) -> None:
        rec.call(session(), "poll", "GET", f"{base()}/api/v1/changes", params={"after": 0, "limit": 100},
                 headers={"Authorization": f"Bearer {tokens[i]}", "Accept-Encoding": "gzip"})  # fmt: skip

    def batch(i: int) -> None:
        s, auth = session(), {"Authorization": f"Bearer {tokens[i]}"}
        tus = {**auth, "Tus-Resumable": "1.0.0"}
        r = rec.call(s, "upload", "POST", f"{base()}/api/v1/uploads/",
                     headers={**tus, "Upload-Length": str(len(payload)),
                              "Upload-Metadata": encode_metadata({"sha256": digest})})  # fmt: skip
        if r is None or r.status_code != 201:
            return
        loc = r.headers["Location"]
        r = rec.call(s, "upload", "PATCH", base() + loc, data=payload,
                     headers={**tus, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})  # fmt: skip
        if r is None or r.status_code != 204:
            return
        manifest = {"applications": [sample_application([document_for(loc.rsplit("/", 1)[1], payload)])]}
        rec.call(s, "batch", "PUT", f"{base()}/api/v1/batches/{uuid.uuid4()}", json=manifest, headers=auth)

    def office(_i: int) -> None:
        s, auth = session(), {"Authorization": f"Bearer {admin_token}", "Accept-Encoding": "gzip"}
        r = rec.call(s, "office", "GET", f"{base()}/api/v1/admin/applications",
                     params={"status": "sent", "limit": 50}, headers=auth)  # fmt: skip
        if r is not None and r.status_code == 200 and r.json()["items"]:
            app_id = random.choice(r.json()["items"])["id"]
            rec.call(
                s,
                "office",
                "POST",
                f"{base()}/api/v1/admin/applications/{app_id}/status",
                json={"status": "in_review", "message": ""},
                headers=auth,
                ok=(409,),
            )  # fmt: skip  (409: another office user moved it first)

    # The schedule: (time, job, arg). Polls spread evenly over each 60 s period.
    rnd = random.Random(7)
    events: list[tuple[float, int, object, int]] = []
    seq = iter(range(10**12))
    for i in range(n):
        t = rnd.uniform(0, 60)
        while t < duration:
            events.append((t, next(seq), poll, i))
            t += 60
    batch_rate = n * 3 / (8 * 3600) * compression  # batches per second, all villages
    t = rnd.expovariate(batch_rate) if batch_rate else duration
    while t < duration:
        events.append((t, next(seq), batch, rnd.randrange(n)))
        t += rnd.expovariate(batch_rate)
    for k in range(staff):
        t = rnd.uniform(0, 10)
        while t < duration:
            events.append((t, next(seq), office, k))
            t += 10
    heapq.heapify(events)
    pool = ThreadPoolExecutor(threads)
    start = time.perf_counter()

    def run(job: object, arg: int, due: float) -> None:
        rec.late.append(time.perf_counter() - start - due)
        job(arg)  # type: ignore[operator]

    tick = threading.Event()
    while events:
        due, _, job, arg = heapq.heappop(events)
        wait = start + due - time.perf_counter()
        if wait > 0:
            tick.wait(wait)
        pool.submit(run, job, arg, due)
    pool.shutdown(wait=True)
    wall = time.perf_counter() - start
    every = [x for xs in rec.lat.values() for x in xs]
    out: dict[str, float] = {
        "villages": n,
        "requests": len(every),
        "errors": len(rec.errors),
        "rps": len(every) / wall,
        "p50_ms": statistics.median(every) * 1000 if every else float("nan"),
        "p95_ms": _p95(every) * 1000,
        "max_ms": max(every) * 1000 if every else float("nan"),
        "late_p95_ms": _p95(rec.late) * 1000,
    }
    for kind in ("poll", "upload", "batch", "office"):
        out[f"p95_{kind}_ms"] = _p95(rec.lat.get(kind, [])) * 1000
    if rec.errors:
        print("  errors:", sorted(set(rec.errors))[:5], file=sys.stderr)
    return out


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("moto did not start")


def steady(args: argparse.Namespace) -> int:
    print(
        f"steady: backend={args.backend} workers={args.workers} processes={args.processes} "
        f"store={'s3 (moto)' if args.s3 else 'folder'} duration={args.duration:.0f}s "
        f"compression={args.compression:g} staff={args.staff} cpus={os.cpu_count()}"
    )
    print("villages requests errors  req/s  p50_ms  p95_ms  max_ms  poll95 upload95 batch95 office95 late95")
    for n in args.villages:
        with ExitStack() as stack:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dc-steady-")))
            url = (
                stack.enter_context(fresh_postgres_schema(args.database_url))
                if args.backend == "postgres"
                else None
            )
            env: dict[str, str] = {}
            if args.s3:
                import boto3

                moto, endpoint = start_moto()
                stack.callback(moto.wait, 10)
                stack.callback(moto.terminate)
                env = {"DESA_CAPIL_S3_BUCKET": "bench", "DESA_CAPIL_S3_ENDPOINT_URL": endpoint,
                       "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}  # fmt: skip
                os.environ.update(env)
                boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(
                    Bucket="bench"
                )
            if url is None and args.processes > 1:
                url = f"sqlite:///{root / 'shared.sqlite3'}"
            first = root / "p0"
            tokens = make_devices_bulk(first, url, n)
            svc = CentralService(Settings.from_env(data_dir=first, database_url=url))
            admin_token = svc.admin_token()
            svc.close()
            bases = []
            for k in range(args.processes):
                proc, b = start_server(root / f"p{k}", url, args.workers, env)
                stack.callback(proc.wait, 30)
                stack.callback(proc.terminate)
                bases.append(b)
            r = steady_once(n, bases, tokens, admin_token, args.duration, args.compression, args.staff,
                            args.size, args.threads)  # fmt: skip
            print(
                f"{n:>8} {r['requests']:>8.0f} {r['errors']:>6.0f} {r['rps']:>6.1f} {r['p50_ms']:>7.1f}"
                f" {r['p95_ms']:>7.1f} {r['max_ms']:>7.1f} {r['p95_poll_ms']:>7.1f} {r['p95_upload_ms']:>8.1f}"
                f" {r['p95_batch_ms']:>7.1f} {r['p95_office_ms']:>8.1f} {r['late_p95_ms']:>6.1f}",
                flush=True,
            )
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--villages", type=int, nargs="+", default=[50, 500])
    p.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    p.add_argument("--workers", type=int, default=1)
    p.add_argument(
        "--size", type=int, default=40_000, help="bytes per uploaded file (default ~ one compressed page)"
    )
    p.add_argument("--steady", action="store_true", help="steady load instead of one burst (see steady_once)")
    p.add_argument("--duration", type=float, default=60.0, help="steady: seconds of load per N")
    p.add_argument("--compression", type=float, default=60.0, help="steady: time compression of the day")
    p.add_argument("--staff", type=int, default=10, help="steady: office users")
    p.add_argument("--processes", type=int, default=1, help="steady: server processes, round-robin")
    p.add_argument("--s3", action="store_true", help="steady: files in object storage (moto's S3 server)")
    p.add_argument("--threads", type=int, default=48, help="steady: load generator threads")
    args = p.parse_args()
    if args.backend == "postgres" and not args.database_url:
        p.error("postgres needs --database-url or TEST_DATABASE_URL")
    if args.steady:
        return steady(args)
    print(f"backend={args.backend} workers={args.workers} file={args.size} bytes, cpus={os.cpu_count()}")
    print("villages  requests  errors  wall_s   req/s   p50_ms   p95_ms   max_ms")
    for n in args.villages:
        r = run_once(n, args.backend, args.database_url, args.workers, args.size)
        print(
            f"{r['villages']:>8}  {r['ok_requests']:>8}  {r['errors']:>6}  {r['wall_s']:>6.2f}  {r['rps']:>6.1f}"
            f"  {r['p50_ms']:>7.1f}  {r['p95_ms']:>7.1f}  {r['max_ms']:>7.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
