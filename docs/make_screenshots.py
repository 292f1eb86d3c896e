#!/usr/bin/env python3
"""Screenshots for the README, taken from the demo (sample village, server, office).

    apt-get install xvfb
    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/make_screenshots.py docs/screenshots \\
        --wizard
    for s in 125 150; do QT_SCALE_FACTOR=${s:0:1}.${s:1} xvfb-run -a -s "-screen 0 1366x768x24" \\
        .venv/bin/python docs/make_screenshots.py docs/screenshots --suffix=-scale$s \\
        --pages dashboard,queue,distribution; done

The window is sized to the screen (1366x768 minus nothing: the screenshot is of the window),
so the 125 % / 150 % runs show what a laptop with display scaling gets.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--suffix", default="")
    ap.add_argument("--lang", default="id")
    ap.add_argument("--pages", default="dashboard,queue,batches,distribution,reports,settings")
    ap.add_argument("--wizard", action="store_true", help="also the first-run wizard")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from desa_capil import demo

    demo.prepare_home()
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from desa_capil.paths import app_paths
    from desa_capil.store.db import open_database
    from desa_capil.ui import tasks
    from desa_capil.ui.context import AppContext, ConnectionState
    from desa_capil.ui.demo_mode import mark_demo_window
    from desa_capil.ui.i18n import set_lang
    from desa_capil.ui.main_window import MainWindow
    from desa_capil.ui.operators import install_operator_badge
    from desa_capil.ui.theme import apply_theme
    from desa_capil.ui.translations import install_translations

    QCoreApplication.setApplicationName("desa_capil")
    app = QApplication(sys.argv[:1])
    apply_theme(app)
    set_lang(args.lang)
    install_translations(args.lang, app)
    session = demo.DemoSession.start(office_interval=None)
    db = open_database(app_paths())
    ctx = AppContext(db, app_paths(), demo=True)
    ctx.operator_id = session.operator_ids[0]

    def settle(ms: int = 400) -> None:
        for _ in range(4):
            tasks.wait_idle()
            app.processEvents()
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        app.processEvents()

    try:
        if args.wizard:
            from desa_capil.ui.first_run import FirstRunWizard

            wizard = FirstRunWizard(ctx)
            wizard.show()
            wizard.village_page.name_edit.setText("Desa Cileunyi Kulon")
            wizard.village_page.code_edit.setText("32.04.05.2001")
            settle()
            wizard.grab().save(str(args.out / f"first-run{args.suffix}.png"))
            wizard.next()
            wizard.operator_page.name_edit.setText("Siti Rahmawati")
            wizard.next()
            settle()
            wizard.grab().save(str(args.out / f"first-run-server{args.suffix}.png"))
            wizard.close()

        window = MainWindow(ctx)
        install_operator_badge(window, ctx)
        mark_demo_window(window)
        screen = app.primaryScreen().availableGeometry()
        window.setGeometry(screen)
        window.show()
        from desa_capil.sync.worker import last_contact

        ctx.set_connection(ConnectionState.ONLINE, last_contact(db))
        settle(800)
        for key in args.pages.split(","):
            window.show_page(key)
            settle(800)
            path = args.out / f"{key}{args.suffix}.png"
            window.grab().save(str(path))
            print(path, window.width(), window.height())  # noqa: T201 - a tool reports by printing
        window.close()
    finally:
        tasks.wait_idle()
        db.close()
        session.close()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    sys.exit(main())
