"""Screenshots of every page with sample data, for looking at the design.

Xvfb :99 -screen 0 1366x768x24 &
DISPLAY=:99 .venv/bin/python tests/ui/make_screenshots.py /tmp/shots [--rows 100000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ui_seed import bulk_insert, seed_sample  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--rows", type=int, default=0, help="extra bulk applications")
    ap.add_argument("--lang", default="id")
    ap.add_argument("--size", default="1366x768", help="window size in logical pixels")
    ap.add_argument("--suffix", default="", help="added to every file name (e.g. -scale150)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="dc_shots_"))
    os.environ["DESA_CAPIL_HOME"] = str(home)

    from PySide6.QtWidgets import QApplication

    from desa_capil.app import load_translations
    from desa_capil.paths import app_paths
    from desa_capil.store.db import open_database
    from desa_capil.ui import tasks
    from desa_capil.ui.context import AppContext, ConnectionState
    from desa_capil.ui.i18n import set_lang
    from desa_capil.ui.main_window import PAGE_KEYS, MainWindow
    from desa_capil.ui.theme import apply_theme

    paths = app_paths().ensure()
    db = open_database(paths)
    if args.rows:
        bulk_insert(db, args.rows, start=1000)
    seed_sample(db)
    app = QApplication(sys.argv[:1])
    apply_theme(app)
    set_lang(args.lang)
    load_translations(app, args.lang)
    ctx = AppContext(db, paths)
    from datetime import UTC, datetime, timedelta

    win = MainWindow(ctx)
    w, h = (int(v) for v in args.size.split("x"))
    win.setGeometry(0, 0, w, h)
    win.show()
    ctx.set_connection(ConnectionState.OFFLINE, datetime.now(UTC) - timedelta(hours=3))
    ctx.pending_bytes_changed.emit(1_348_000)

    def settle() -> None:
        for _ in range(5):
            tasks.wait_idle()
            app.processEvents()

    for key in PAGE_KEYS:
        page = win.show_page(key)
        settle()
        if key == "queue":
            page.view.selectRow(2)  # type: ignore[attr-defined]
            settle()
        win.grab().save(str(args.out / f"{key}{args.suffix}.png"))
    q = win.show_page("queue")
    q.show_group("needs_fix")  # type: ignore[attr-defined]
    settle()
    win.grab().save(str(args.out / f"queue_needs_fix{args.suffix}.png"))
    win.close()
    settle()
    db.close()
    print(f"screenshots in {args.out}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
