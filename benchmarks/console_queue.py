"""Office console: how long the server takes to render the workqueue with 10,000 open applications.

A throw-away server (SQLite, or PostgreSQL with --database-url / TEST_DATABASE_URL) gets V
villages in K kecamatan and N applications spread over the office's open statuses (sent,
in_review, processing with and without a hold, needs_fix, finished; ~15 % urgent; each with two
documents), written straight to the database (not timed). A staff member signs in; each variant
of the queue page is then fetched R times over HTTP on 127.0.0.1 and the wall time of each
request measured (so the figure includes loopback and HTTP parsing: an upper bound of the
server's render time).

    python benchmarks/console_queue.py [--applications 10000] [--villages 200] [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import requests
from sqlalchemy import insert

from desa_capil.domain.catalog import SERVICES
from desa_capil.server.console import auth
from desa_capil.server.console.models import Hold, Role
from desa_capil.server.db import AppDocument, Application, Village, utcnow
from desa_capil.server.testing import SAMPLE_KK, SAMPLE_NIK, running_server

STATUSES = [
    ("sent", 30),
    ("in_review", 20),
    ("processing", 20),
    ("needs_fix", 10),
    ("finished", 10),
    ("held", 10),
]
URGENT = ["hospital", "bpjs", "school", "tni_polri"]


def fill(db_write: object, n_apps: int, n_villages: int, seed: int = 17) -> None:
    rng = random.Random(seed)
    now = utcnow()
    villages = [
        {"code": f"32.04.{10 + i % 30:02d}.{2001 + i:04d}", "name": f"Desa Contoh {i + 1}", "created_at": now}
        for i in range(n_villages)
    ]
    services = list(SERVICES)
    weights = [w for _, w in STATUSES]
    with db_write.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(insert(Village), villages)
        vids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM village").fetchall()]
        apps = []
        held: list[int] = []
        for i in range(n_apps):
            status = rng.choices([s for s, _ in STATUSES], weights)[0]
            received = now - timedelta(hours=rng.uniform(0, 24 * 10))
            apps.append(
                {
                    "village_id": rng.choice(vids),
                    "client_id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "batch_client_id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "service_code": rng.choice(services),
                    "nik": SAMPLE_NIK,
                    "name": f"Warga Contoh {i + 1}",
                    "kk_number": SAMPLE_KK,
                    "phone": "081234567890",
                    "address": "Jl. Contoh No. 1",
                    "urgency": rng.choice(URGENT) if rng.random() < 0.15 else "normal",
                    "notes": "",
                    "status": "processing" if status == "held" else status,
                    "message": "",
                    "received_at": received,
                    "updated_at": received + timedelta(hours=1),
                }
            )
            if status == "held":
                held.append(i + 1)
        conn.execute(insert(Application), apps)
        docs = [
            {
                "application_id": a,
                "client_id": str(uuid.UUID(int=rng.getrandbits(128))),
                "batch_client_id": str(uuid.uuid4()),
                "requirement_code": f"req{k}",
                "upload_id": uuid.uuid4().hex,
                "sha256": "0" * 64,
                "size": 30_000,
                "page_count": 1,
                "mime": "application/pdf",
                "received_at": now,
            }
            for a in range(1, n_apps + 1)
            for k in range(2)
        ]
        conn.execute(insert(AppDocument), docs)
        conn.execute(
            insert(Hold),
            [
                {
                    "application_id": a,
                    "kind": "blanko",
                    "note": "",
                    "suket_number": "",
                    "actor": "bench",
                    "created_at": now,
                }
                for a in held
            ],
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--applications", type=int, default=10_000)
    p.add_argument("--villages", type=int, default=200)
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    args = p.parse_args(argv)
    backend = "postgres" if args.database_url else "sqlite"
    if args.database_url:
        os.environ["TEST_DATABASE_URL"] = args.database_url
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_server(Path(tmp) / "server", backend=backend) as server,
    ):
        svc = server.service
        assert svc is not None
        t0 = time.perf_counter()
        fill(svc.db.write, args.applications, args.villages)
        print(
            f"{backend}: {args.applications} applications in {args.villages} villages written in {time.perf_counter() - t0:.1f} s"
        )
        auth.create_staff(svc.db, "bench", "Bench", Role.VERIFIKATOR, "kata-sandi-uji-17", "bench")
        s = requests.Session()
        page = s.get(server.base_url + "/console/masuk", timeout=30)
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token
        r = s.post(
            server.base_url + "/console/masuk",
            data={"csrf": token.group(1), "username": "bench", "password": "kata-sandi-uji-17"},
            allow_redirects=False,
            timeout=30,
        )
        assert r.status_code == 303, r.text
        variants = [
            ("Masuk (first tab, default sort: urgent first, oldest first)", "/console/antrean"),
            ("Diproses (processing without a hold)", "/console/antrean?tab=diproses"),
            ("Menunggu blanko (processing with a hold)", "/console/antrean?tab=menunggu"),
            (
                "Masuk, kecamatan + urgent + older than 3x24 h",
                "/console/antrean?tab=masuk&kecamatan=32.04.11&priority=urgent&age=3",
            ),
            ("Perlu diperiksa, page 40 (offset 1950)", "/console/antrean?tab=periksa&page=40"),
        ]
        print("| queue page | rows shown | median | p95 | max |\n|---|---:|---:|---:|---:|")
        for label, path in variants:
            s.get(server.base_url + path, timeout=30)  # warm the statement cache
            times = []
            for _ in range(args.runs):
                t = time.perf_counter()
                r = s.get(server.base_url + path, timeout=30)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200
            rows = r.text.count('<tr class="')
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(
                f"| {label} | {rows} | {statistics.median(times):.0f} ms | {p95:.0f} ms | {times[-1]:.0f} ms |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
