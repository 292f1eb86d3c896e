"""CPU per page of two checkouts of the page pipeline, interleaved under the same load.

    .venv/bin/python benchmarks/pages_cpu_ab.py OLD_ROOT NEW_ROOT [--rounds 3]

Each checkout runs in its own worker process (its own ``desa_capil`` and
``benchmarks/page_classes.py`` on sys.path). For every page of ``page_classes.cases()`` the two
workers take turns, ``--rounds`` times each (old, new, old, new, ...), so both see the same
load at nearly the same moment; a worker times ``pipeline.process(raw, auto_orient=True)`` with
``time.process_time`` (its own CPU, not the wall clock). Reported: the minimum of the rounds
per page, then the mean and max per class, and the load average before and after.
Also prints each worker's page size, so a size change comes with its CPU cost.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

WORKER = r"""
import json, sys, time
root = sys.argv[1]
sys.path[:0] = [root, root + "/benchmarks"]
import page_classes
from desa_capil.scan import pipeline
cases = {c.name: c for c in page_classes.cases()}
print(json.dumps(list(cases)), flush=True)
for line in sys.stdin:
    c = cases[line.strip()]
    t = time.process_time()
    out = pipeline.process(c.raw, auto_orient=True)
    ms = (time.process_time() - t) * 1000
    print(json.dumps([c.cls, ms, len(out.data)]), flush=True)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    workers = {}
    names: list[str] = []
    for key, root in (("old", args.old), ("new", args.new)):
        p = subprocess.Popen(
            [sys.executable, "-c", WORKER, os.path.abspath(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=root,
            env={**env, "PYTHONPATH": os.path.abspath(root)},
        )
        assert p.stdout is not None
        names = json.loads(p.stdout.readline())
        workers[key] = p
    load_before = os.getloadavg()
    best: dict[str, dict[str, tuple[str, float, int]]] = {"old": {}, "new": {}}
    for name in names:
        for _ in range(args.rounds):
            for key, p in workers.items():
                assert p.stdin is not None and p.stdout is not None
                p.stdin.write(name + "\n")
                p.stdin.flush()
                cls, ms, size = json.loads(p.stdout.readline())
                prev = best[key].get(name)
                if prev is None or ms < prev[1]:
                    best[key][name] = (cls, ms, size)
        o, n = best["old"][name], best["new"][name]
        print(
            f"{name}: {o[0]} old {o[1]:.0f} ms {o[2] / 1024:.1f} KB | new {n[1]:.0f} ms {n[2] / 1024:.1f} KB",
            flush=True,
        )
    for p in workers.values():
        assert p.stdin is not None
        p.stdin.close()
        p.wait()
    print(f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}")
    print("| class | pages | old CPU ms mean / max | new CPU ms mean / max | old KB mean | new KB mean |")
    print("|---|---:|---|---|---:|---:|")
    for cls in dict.fromkeys(v[0] for v in best["old"].values()):
        rows = [(best["old"][k], best["new"][k]) for k in names if best["old"][k][0] == cls]
        om = [r[0][1] for r in rows]
        nm = [r[1][1] for r in rows]
        print(
            f"| {cls} | {len(rows)} | {statistics.mean(om):.0f} / {max(om):.0f} | {statistics.mean(nm):.0f} / {max(nm):.0f} | "
            f"{statistics.mean(r[0][2] for r in rows) / 1024:.1f} | {statistics.mean(r[1][2] for r in rows) / 1024:.1f} |"
        )


if __name__ == "__main__":
    main()
