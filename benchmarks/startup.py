"""App start time and queue-view memory/latency (section "App start and queue view" of BENCHMARKS.md).

    .venv/bin/python benchmarks/startup.py            # measure and print
    .venv/bin/python benchmarks/startup.py --write    # also update BENCHMARKS.md

Start time: wall clock from spawning `python -m desa_capil --quit-when-shown` (offscreen) to the
"shown" line on its stdout (main window on screen) and to "ready" (dashboard figures loaded).
Includes interpreter start and all imports; the data key and database exist already (second
and later starts, what an operator sees every morning).

Queue view: a child process opens a database with N applications, shows the main window on the
Permohonan page, waits for the id list, then scrolls through the whole table in 200 steps
(waiting for each page of rows) and reports resident memory (VmRSS, VmHWM) and latencies.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "ui"))
SECTION = "## App start and queue view"


def rss_kib() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in KiB (Linux)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


def make_home(rows: int) -> Path:
    home = Path(tempfile.mkdtemp(prefix=f"dc_bench_{rows}_"))
    env = dict(os.environ, DESA_CAPIL_HOME=str(home))
    code = (
        "from desa_capil.paths import app_paths\n"
        "from desa_capil.store.db import open_database\n"
        "from ui_seed import bulk_insert, seed_sample\n"
        "db = open_database(app_paths())\n"
        f"bulk_insert(db, {rows}, start=100) if {rows} else None\n"
        "seed_sample(db)\n"
        "db.close()\n"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        env=dict(env, PYTHONPATH=str(REPO / "tests" / "ui")),
        check=True,
        cwd=REPO,
    )
    return home


def time_start(home: Path, runs: int) -> dict[str, float]:
    env = dict(os.environ, DESA_CAPIL_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    shown: list[float] = []
    ready: list[float] = []
    for n in range(runs + 1):
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "desa_capil", "--quit-when-shown"],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        t_shown = t_ready = None
        for line in proc.stdout:
            if "desa_capil: shown" in line:
                t_shown = time.perf_counter() - t0
            elif "desa_capil: ready" in line:
                t_ready = time.perf_counter() - t0
        if proc.wait() != 0 or t_shown is None or t_ready is None:
            raise SystemExit(f"app start failed (exit {proc.returncode})")
        if n == 0:
            continue  # warm-up: file-system cache, .pyc files
        shown.append(t_shown)
        ready.append(t_ready)
    opened = [
        float(line.rsplit("database opened in ", 1)[1].split()[0])
        for line in (home / "logs" / "desa_capil.log").read_text(encoding="utf-8").splitlines()
        if "database opened in" in line
    ][-runs:]
    return {
        "db_open_median": statistics.median(opened),
        "load": os.getloadavg()[0],
        "shown_median": statistics.median(shown),
        "shown_max": max(shown),
        "ready_median": statistics.median(ready),
        "ready_max": max(ready),
    }


def child_queue(steps: int) -> None:
    """Runs in a fresh process: measure the queue view over the database in DESA_CAPIL_HOME."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    base_rss, _ = rss_kib()
    from PySide6.QtWidgets import QApplication

    from desa_capil.paths import app_paths
    from desa_capil.store.db import open_database
    from desa_capil.store.queries import QueueFilter
    from desa_capil.ui.context import AppContext
    from desa_capil.ui.main_window import MainWindow
    from desa_capil.ui.pages.queue_page import QueuePage
    from desa_capil.ui.theme import apply_theme

    app = QApplication([])
    apply_theme(app)
    paths = app_paths()
    db = open_database(paths)
    ctx = AppContext(db, paths)
    imported_rss, _ = rss_kib()
    win = MainWindow(ctx)
    win.resize(1366, 740)
    win.show()

    def wait(cond, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
        end = time.perf_counter() + timeout
        while not cond():
            app.processEvents()
            if time.perf_counter() > end:
                raise TimeoutError
            time.sleep(0.0005)

    t0 = time.perf_counter()
    page = win.show_page("queue")
    assert isinstance(page, QueuePage)
    model = page.model
    wait(lambda: not model.loading and model.rowCount() > 0)
    first_load = time.perf_counter() - t0
    rows = model.rowCount()
    wait(lambda: model.is_loaded(0))
    first_rows = time.perf_counter() - t0
    loaded_rss, _ = rss_kib()

    page_waits = []
    for k in range(steps):
        row = min(rows - 1, k * rows // steps)
        t = time.perf_counter()
        page.view.scrollTo(model.index(row, 0))
        app.processEvents()
        wait(lambda row=row: model.is_loaded(row))
        page_waits.append(time.perf_counter() - t)
    scrolled_rss, peak = rss_kib()
    materialised = model.materialised_rows()

    def timed_filter(f: QueueFilter) -> float:
        t = time.perf_counter()
        model.set_filter(f)
        wait(lambda: not model.loading)
        return time.perf_counter() - t

    from desa_capil.domain.status import Status

    search_name = timed_filter(QueueFilter(text="Siti"))
    search_nik = timed_filter(QueueFilter(text="320100000004321"))
    status_filter = timed_filter(QueueFilter(statuses=frozenset({Status.NEEDS_FIX})))
    reload_all = timed_filter(QueueFilter())
    win.close()
    db.close()
    print(
        json.dumps(
            {
                "rows": rows,
                "materialised": materialised,
                "base_mib": base_rss / 1024,
                "imported_mib": imported_rss / 1024,
                "loaded_mib": loaded_rss / 1024,
                "scrolled_mib": scrolled_rss / 1024,
                "peak_mib": peak / 1024,
                "ids_s": first_load,
                "first_rows_s": first_rows,
                "page_p50_ms": statistics.median(page_waits) * 1000,
                "page_max_ms": max(page_waits) * 1000,
                "search_name_s": search_name,
                "search_nik_s": search_nik,
                "status_filter_s": status_filter,
                "reload_all_s": reload_all,
            }
        )
    )


def measure_queue(home: Path, steps: int) -> dict[str, float]:
    env = dict(os.environ, DESA_CAPIL_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, __file__, "--child-queue", str(steps)],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def render(start: dict[str, dict[str, float]], queue: dict[int, dict[str, float]], runs: int) -> str:
    lines = [
        SECTION,
        "",
        "`benchmarks/startup.py` (offscreen Qt platform, encrypted database, 2-core dev machine). Start",
        f"time is the wall clock from spawning `python -m desa_capil` to the window on screen (median of {runs}",
        "runs after one warm-up; includes the interpreter and every import) and to the dashboard's",
        "figures loaded (counts and the attention list). Goal: start <= 2 s. The machine is shared",
        "with other builds: the 1-minute load average at the end of each series is in the table.",
        "",
        "| applications | window shown (median / max) | of which: database open | dashboard ready (median / max) | load avg |",
        "|---:|---:|---:|---:|---:|",
    ]
    for label, r in start.items():
        lines.append(
            f"| {label} | {r['shown_median']:.2f} s / {r['shown_max']:.2f} s | {r['db_open_median']:.2f} s"
            f" | {r['ready_median']:.2f} s / {r['ready_max']:.2f} s | {r['load']:.1f} |"
        )
    lines += [
        "",
        "Queue view (Permohonan page) in a fresh process: the model keeps only the ordered ids and",
        "at most 20 pages x 100 rows; the table was scrolled top to bottom in 200 jumps, waiting",
        "for each page of rows. RSS from /proc (VmRSS; peak is VmHWM). Goal: <= 300 MB with 50k.",
        "",
        "| applications | RSS after imports | RSS ids loaded | RSS after full scroll | peak RSS |"
        " rows in memory after scroll | id list load | first rows | page fetch p50 / max |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, q in queue.items():
        lines.append(
            f"| {n:,} | {q['imported_mib']:.0f} MiB | {q['loaded_mib']:.0f} MiB | {q['scrolled_mib']:.0f} MiB"
            f" | {q['peak_mib']:.0f} MiB | {q['materialised']} | {q['ids_s'] * 1000:.0f} ms"
            f" | {q['first_rows_s'] * 1000:.0f} ms | {q['page_p50_ms']:.0f} / {q['page_max_ms']:.0f} ms |"
        )
    lines += [
        "",
        "Search and filter (SQL, whole queue; the id list is re-read in the background, the UI",
        "stays responsive meanwhile):",
        "",
        "| applications | name 'Siti' | NIK part | status Perlu perbaikan | all again |",
        "|---:|---:|---:|---:|---:|",
    ]
    for n, q in queue.items():
        lines.append(
            f"| {n:,} | {q['search_name_s'] * 1000:.0f} ms | {q['search_nik_s'] * 1000:.0f} ms"
            f" | {q['status_filter_s'] * 1000:.0f} ms | {q['reload_all_s'] * 1000:.0f} ms |"
        )
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    path = REPO / "BENCHMARKS.md"
    doc = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if SECTION in doc:
        head, _, rest = doc.partition(SECTION)
        nxt = rest.find("\n## ")
        tail = rest[nxt + 1 :] if nxt >= 0 else ""
        doc = head + text + ("\n" + tail if tail else "")
    else:
        doc = doc.rstrip("\n") + "\n\n\n" + text
    path.write_text(doc, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--child-queue", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_queue:
        child_queue(args.child_queue)
        return 0
    homes: dict[int, Path] = {}
    try:
        for n in (0, 50_000, 100_000):
            homes[n] = make_home(n)
        start = {
            "16 (sample)": time_start(homes[0], args.runs),
            "100,000": time_start(homes[100_000], args.runs),
        }
        for label, r in start.items():
            print(f"start {label}: {r}")
        queue = {}
        for n in (50_000, 100_000):
            queue[n] = measure_queue(homes[n], args.steps)
            print(f"queue {n}: {queue[n]}")
        text = render(start, queue, args.runs)
        print(text)
        if args.write:
            write_section(text)
    finally:
        for home in homes.values():
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
