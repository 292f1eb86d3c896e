"""What a per-device rate bucket costs per request: in process memory (``MemoryBucket``, what a
SQLite server uses) or in the server's database (``DatabaseBucket``, what PostgreSQL uses, and
what SQLite would use if every worker had to share it).

    python benchmarks/rate_bucket.py [--calls 5000] [--devices 500] [--threads 1 4]

Reports the median and p95 time of one ``take`` (the call every village request makes) and the
calls per second, for each kind; SQLite in WAL mode on a temporary file, as the server opens it.
With threads > 1, the calls run concurrently (as uvicorn's thread pool does).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from desa_capil.server.config import Settings
from desa_capil.server.limits import DatabaseBucket, Limiter, MemoryBucket
from desa_capil.server.service import CentralService


def run(bucket: Limiter, calls: int, devices: int, threads: int) -> tuple[float, float, float]:
    times: list[float] = []
    lock = threading.Lock()
    per_thread = calls // threads

    def work(seed: int) -> None:
        mine = []
        for i in range(per_thread):
            t0 = time.perf_counter()
            bucket.take(f"device-{(seed * 7919 + i) % devices}")
            mine.append(time.perf_counter() - t0)
        with lock:
            times.extend(mine)

    t0 = time.perf_counter()
    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - t0
    times.sort()
    return statistics.median(times) * 1e6, times[int(len(times) * 0.95)] * 1e6, len(times) / wall


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--calls", type=int, default=5000)
    p.add_argument("--devices", type=int, default=500)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 4])
    args = p.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        svc = CentralService(Settings(data_dir=Path(tmp)))
        kinds: list[tuple[str, Limiter]] = [
            ("memory", MemoryBucket(1e9, 1e9)),
            ("SQLite (server database)", DatabaseBucket(svc.db, "device", 1e9, 1e9)),
        ]
        print("| bucket | threads | median us | p95 us | takes/s |")
        print("|---|---|---|---|---|")
        for name, bucket in kinds:
            for threads in args.threads:
                med, p95, rate = run(bucket, args.calls, args.devices, threads)
                print(f"| {name} | {threads} | {med:.1f} | {p95:.1f} | {rate:,.0f} |")
        svc.close()
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
