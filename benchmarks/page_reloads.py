"""Page reloads caused by the intake's own operations (section "Page reloads per change" of
BENCHMARKS.md).

    .venv/bin/python benchmarks/page_reloads.py [--rows 5000] [--write]

The common job seen from the main window: while the intake wizard is open over the Permohonan
page, one application gets 1 save of the applicant, 4 pages added (each a job), 2 turned, 1
moved, 1 deleted, the "Kertas lain" named, then 1 more save. Before this change every one of
those emitted the payload-less ``data_changed`` and every visible page, the status bar and the
overdue strip reloaded; now each operation says what it changed (services.Changes) and only
what shows it reloads. The payload-less signal is gone from the app (tests/ui/test_changes.py
keeps it gone), so the "before" row replays what its listeners did (every page, the status
bar, the overdue strip) and the "after" row goes through ``AppContext.notify``; each is counted: reloads asked for, the database queries they run (SQLAlchemy cursor executions)
and the wall time until the background work is done. Offscreen Qt, a real SQLite database with
`--rows` applications (tests/ui/ui_seed.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "ui"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
SECTION = "## Page reloads per change"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="dc_reloads_"))
    os.environ["DESA_CAPIL_HOME"] = str(home)
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import event
    from ui_seed import bulk_insert, seed_sample

    from desa_capil.paths import app_paths
    from desa_capil.services.changes import Changes
    from desa_capil.store import repo
    from desa_capil.store.db import open_database
    from desa_capil.ui import tasks
    from desa_capil.ui.context import AppContext
    from desa_capil.ui.main_window import MainWindow

    app = QApplication([])
    paths = app_paths()
    db = open_database(paths)
    bulk_insert(db, args.rows, start=100)
    seed_sample(db)
    app_id = repo.save_application(
        db, service_code="kk_ubah", applicant=repo.ApplicantData("3201015512900001", "Siti Aminah")
    )
    ctx = AppContext(db, paths)
    win = MainWindow(ctx)
    win.show()
    win.show_page("queue")
    tasks.wait_idle()
    app.processEvents()

    queries = 0

    def count(*_a: object) -> None:
        nonlocal queries
        queries += 1

    event.listen(db.engine, "before_cursor_execute", count)
    papers = Changes.of_papers(app_id, status_moved=False)
    saved = Changes(applications=frozenset({app_id}))
    # (what the old code emitted, what the operation now says), in the order of the job.
    job = [saved] + [papers] * 4 + [papers] * 2 + [papers] + [papers] + [papers] + [saved]
    results = {}

    def everything(_changes: Changes) -> None:
        """What the old payload-less signal's listeners did, whatever the operation changed."""
        for key in ("dashboard", "queue", "distribution", "reports"):
            win.page(key)._reload()  # type: ignore[attr-defined]
        win.refresh_status()
        overdue = getattr(win.page("dashboard"), "overdue", None)
        if overdue is not None:
            overdue.refresh()

    for name, fire in (
        ("payload-less data_changed (before)", everything),
        ("Changes through notify (after)", ctx.notify),
    ):
        pages = [win.page(k) for k in ("dashboard", "queue", "distribution", "reports")]
        before_reloads = sum(getattr(p, "reloads", 0) for p in pages)
        queries = 0
        t0 = time.perf_counter()
        for changes in job:
            fire(changes)
            app.processEvents()
        tasks.wait_idle()
        app.processEvents()
        tasks.wait_idle()
        elapsed = time.perf_counter() - t0
        reloads = sum(getattr(p, "reloads", 0) for p in pages) - before_reloads
        results[name] = (reloads, queries, elapsed)
    win.close()
    db.close()

    lines = [
        SECTION,
        "",
        f"`benchmarks/page_reloads.py --rows {args.rows}`: one intake (2 saves + 9 page operations) "
        "replayed over the Permohonan page, offscreen, on this machine's 2 shared cores.",
        "",
        "| signal | page reloads asked | DB queries run | wall time |",
        "|---|---:|---:|---:|",
    ]
    for name, (reloads, q, secs) in results.items():
        lines.append(f"| {name} | {reloads} | {q} | {secs * 1000:.0f} ms |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        bench = REPO / "BENCHMARKS.md"
        old = bench.read_text(encoding="utf-8")
        if SECTION in old:
            head, _, rest = old.partition(SECTION)
            tail = rest.split("\n## ", 1)
            old = head + (("## " + tail[1]) if len(tail) > 1 else "")
        bench.write_text(old.rstrip("\n") + "\n\n" + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
