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


def start_server(data: Path, db_url: str | None, workers: int) -> tuple[subprocess.Popen[bytes], str]:
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
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
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


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--villages", type=int, nargs="+", default=[50, 500])
    p.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    p.add_argument("--workers", type=int, default=1)
    p.add_argument(
        "--size", type=int, default=40_000, help="bytes per uploaded file (default ~ one compressed page)"
    )
    args = p.parse_args()
    if args.backend == "postgres" and not args.database_url:
        p.error("postgres needs --database-url or TEST_DATABASE_URL")
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
