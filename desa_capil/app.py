"""Entry point of the desktop app (`desa-capil`, `python -m desa_capil`).

Start-up order matters: logging first (so a failure later is on disk), then the Qt app and
the crash hook, then the single-instance lock, then the database. A database that cannot be
opened (locked, damaged, disk full, made by a newer version) is explained in a message box
and the app exits with a non-zero code without writing to the file.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from desa_capil.errors import StorageError, UserError
from desa_capil.logging_setup import setup_logging
from desa_capil.paths import AppPaths, app_paths

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_DB_FAILED = 1
EXIT_ALREADY_RUNNING = 3
EXIT_SELF_TEST_FAILED = 4
EXIT_DEMO_FAILED = 5
EXIT_SETUP_CANCELLED = 6

LOCK_FILE_NAME = "desa_capil.lock"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="desa-capil", description="Layanan adminduk kantor desa")
    p.add_argument("--demo", action="store_true", help="mode demo dengan data contoh")
    p.add_argument(
        "--self-test", action="store_true", help="buka basis data dan jendela tanpa layar, lalu keluar"
    )
    p.add_argument("--lang", choices=("id", "en"), help="bahasa tampilan (id atau en)")
    p.add_argument(
        "--update",
        metavar="SUMBER",
        help="pasang pembaruan bertanda tangan dari alamat server atau folder flashdisk, tanpa jendela",
    )
    p.add_argument(
        "--rollback",
        action="store_true",
        help="kembali ke versi sebelum pembaruan terakhir (basis data ikut disesuaikan), tanpa jendela",
    )
    # For benchmarks/startup.py: print a line and quit once the main window is on screen.
    p.add_argument("--quit-when-shown", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(list(argv) if argv is not None else None)


# Set by main() for --self-test / --quit-when-shown: nobody can click a box, so the error boxes
# below are logged instead of shown (a blocking box would hang the build's or an update's
# self-test, e.g. on a database made by a newer version).
_headless = False


def _message(title: str, text: str, detail: str = "") -> None:
    """A blocking error box before (or without) the main window."""
    if _headless:
        log.error("%s: %s (%s)", title, text, detail)
        return
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    if detail:
        box.setDetailedText(detail)
    box.exec()


def _offer_recovery(title: str, text: str, detail: str) -> bool:
    """The error box with a "recovery code" button; True when the operator chose it."""
    if _headless:
        _message(title, text, detail)
        return False
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    if detail:
        box.setDetailedText(detail)
    recover = box.addButton(
        QCoreApplication.translate("app", "Masukkan kode pemulihan…"), QMessageBox.ButtonRole.AcceptRole
    )
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    return box.clickedButton() is recover


def acquire_instance_lock(paths: AppPaths) -> object | None:
    """A held QLockFile in the data folder, or None (after telling the user) if one is held.

    Two copies of the app on one database would fight over the outbox and the queue.
    """
    from PySide6.QtCore import QCoreApplication, QLockFile

    lock = QLockFile(str(paths.data / LOCK_FILE_NAME))
    # The app runs for hours: never treat a live lock as stale because of its age. A lock
    # left by a crashed process is still recognised (its PID is gone) and taken over.
    lock.setStaleLockTime(0)
    if lock.tryLock(100):
        return lock
    # PySide6 returns (pid, hostname, appname); the C++ bool result is dropped.
    info = lock.getLockInfo()
    log.warning("another instance holds the lock (%s)", info)
    _message(
        QCoreApplication.translate("app", "Aplikasi sudah terbuka"),
        QCoreApplication.translate(
            "app",
            "Aplikasi desa_capil sudah terbuka di jendela lain di laptop ini. "
            "Pakai jendela itu (lihat di taskbar), atau tutup dulu sebelum membuka lagi.",
        ),
    )
    return None


def open_database_or_explain(paths: AppPaths, *, offer_recovery: bool = True) -> object | None:
    """Open the local database; on failure show why, write nothing, and return None."""
    from PySide6.QtCore import QCoreApplication

    from desa_capil.security.keys import MissingKeyError, WrongKeyError
    from desa_capil.store.db import open_database, translate_error
    from desa_capil.ui.errors import show_crash
    from desa_capil.ui.i18n import lang

    title = QCoreApplication.translate("app", "Basis data tidak bisa dibuka")
    try:
        return open_database(paths)
    except (MissingKeyError, WrongKeyError) as exc:
        # The data is encrypted and this laptop lacks its key (new Windows account, restored
        # backup...), or the file is damaged: the two look the same without the key. The
        # recovery code the village keeps on paper settles it; ask once, never in a loop.
        log.error("database could not be opened (data key unusable): %s", exc)
        if offer_recovery and _offer_recovery(title, exc.message(lang()), exc.detail):
            from desa_capil.ui.privacy_settings import ask_recovery_code

            if ask_recovery_code(None, paths, exc.message(lang())):
                return open_database_or_explain(paths, offer_recovery=False)
        elif not offer_recovery:
            _message(title, exc.message(lang()), exc.detail)
    except UserError as exc:
        log.error("database could not be opened: %s", exc)
        _message(title, exc.message(lang()), exc.detail)
    except OSError as exc:
        log.error("data folder not usable: %s", exc)
        known = translate_error(exc)
        if known is not None:
            _message(title, known.message(lang()), known.detail)
        else:
            err = StorageError(
                f"Folder data {paths.data} tidak bisa dipakai. Periksa izin folder dan ruang disk, lalu coba lagi.",
                f"The data folder {paths.data} cannot be used. Check its permissions and free space.",
                detail=str(exc),
            )
            _message(title, err.message(lang()), err.detail)
    except Exception as exc:  # noqa: BLE001 - a bug in an upgrade step: crash dialog, then exit
        known = translate_error(exc)
        if known is not None:
            _message(title, known.message(lang()), known.detail)
        else:
            show_crash(None, exc)
    return None


def load_translations(app: object, code: str) -> list[object]:
    """Install the .qm catalogues for ``code`` (ours for English, Qt's own texts for both)."""
    from desa_capil.ui.translations import install_translations

    return list(install_translations(code, app))  # type: ignore[arg-type]


def _install_qt_log_handler() -> None:
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def _quiet_dialogs(failures: list[BaseException]) -> None:
    """Self-test mode: record problems instead of showing dialogs nobody can click."""
    import desa_capil.ui.errors as ui_errors

    def record(_parent: object, exc: BaseException, *_a: object) -> None:
        log.error("self-test: %r", exc)
        failures.append(exc)

    ui_errors.show_user_error = record  # type: ignore[assignment]
    ui_errors.show_crash = record  # type: ignore[assignment]

    def hook(etype: type[BaseException], value: BaseException, tb: object) -> None:
        log.error("self-test: uncaught", exc_info=(etype, value, tb))  # type: ignore[arg-type]
        failures.append(value)

    sys.excepthook = hook


def bundle_checks() -> list[str]:
    """What the self-test checks beyond the pages: every module of the app imports (a bundle
    that left out a library the code needs fails here, not at a village), the page pipeline
    runs on a real scan, and Qt Multimedia finds its backend plugin (the camera). Returns the
    problems found."""
    import importlib
    import pkgutil

    import desa_capil

    problems: list[str] = []
    seen = 0
    for info in pkgutil.walk_packages(desa_capil.__path__, "desa_capil."):
        if info.name.endswith("__main__") or ".migrations." in info.name:
            continue  # entry points, and alembic's scripts (run by alembic, not importable)
        seen += 1
        try:
            importlib.import_module(info.name)
        except Exception as exc:  # noqa: BLE001 - each failure is reported, then the test fails
            problems.append(f"{info.name}: {exc!r}")
    if seen < 20:  # a frozen importer that lists nothing would make this check empty
        problems.append(f"only {seen} modules of the app found")
    from desa_capil.ui.theme import resources_dir
    from desa_capil.update.selfcheck import scan_check

    # The page pipeline on a real scan: the build slims OpenCV's native libraries.
    problems += scan_check(resources_dir() / "selftest" / "phototest.tif")
    from PySide6.QtMultimedia import QMediaFormat

    if not QMediaFormat().supportedFileFormats(QMediaFormat.ConversionMode.Decode):
        problems.append("Qt Multimedia: no backend plugin (the camera would not work)")
    from desa_capil.ui.camera import backend_check

    problems += backend_check()
    return problems


def _update_from(source: str, paths: AppPaths) -> int:
    """``--update SOURCE``: never while the app runs (it may be uploading or holding unsaved work)."""
    from PySide6.QtCore import QLockFile

    from desa_capil import __version__
    from desa_capil.update.cli import EXIT_FAILED, run_update

    lock = QLockFile(str(paths.data / LOCK_FILE_NAME))
    lock.setStaleLockTime(0)
    if not lock.tryLock(100):
        print(  # noqa: T201 - a command-line run reports by printing
            "Aplikasi sedang dibuka. Tutup aplikasinya dulu (pastikan tidak ada kiriman yang sedang "
            "diunggah), lalu jalankan pembaruan lagi.",
            flush=True,
        )
        return EXIT_FAILED
    try:
        trusted = _resources() / "update" / "root.json"
        return run_update(source, __version__, trusted)
    finally:
        lock.unlock()


def _rollback(paths: AppPaths) -> int:
    """``--rollback``: the previous version starts again, its database schema included (run by
    the newer version, which knows how to step its own schema back)."""
    from PySide6.QtCore import QLockFile

    from desa_capil import __version__
    from desa_capil.update.cli import EXIT_FAILED, EXIT_UPDATED
    from desa_capil.update.client import update_root
    from desa_capil.update.rollback import rollback_with_database

    lock = QLockFile(str(paths.data / LOCK_FILE_NAME))
    lock.setStaleLockTime(0)
    if not lock.tryLock(100):
        print("Aplikasi sedang dibuka. Tutup aplikasinya dulu, lalu jalankan lagi.", flush=True)  # noqa: T201
        return EXIT_FAILED
    try:
        done = rollback_with_database(update_root(), paths, __version__)
    except UserError as exc:
        log.error("rollback refused: %s", exc.detail)
        print(exc.message("id"), flush=True)  # noqa: T201 - a command-line run reports by printing
        return EXIT_FAILED
    finally:
        lock.unlock()
    if done.database_changed:
        print(f"Basis data dikembalikan ke bentuk untuk versi {done.version} (data tetap utuh).", flush=True)  # noqa: T201
    print(f"Versi {done.version} dipakai lagi mulai aplikasi dibuka berikutnya.", flush=True)  # noqa: T201
    return EXIT_UPDATED


def _note_schema(db: object) -> None:
    """Which database schema this version uses (and found), for a later rollback."""
    from desa_capil import __version__
    from desa_capil.store.migrations import LATEST
    from desa_capil.update.client import update_root
    from desa_capil.update.rollback import note_schema

    try:
        note_schema(update_root(), __version__, LATEST, int(getattr(db, "schema_before", 0)))
    except OSError as exc:
        log.warning("update folder not writable: %s", exc)


def _resources() -> Path:
    from desa_capil.ui.theme import resources_dir

    return resources_dir()


def main(argv: Sequence[str] | None = None) -> int:
    started = time.perf_counter()
    # Page files modified from now on belong to this session: the orphan collector never
    # touches them (a page's file is written before the row naming it is committed).
    session_started = time.time()
    args = parse_args(argv)
    headless = args.self_test or args.quit_when_shown
    global _headless
    _headless = headless
    if args.self_test and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if args.demo:
        # Before anything asks for a path: logs, database, keys and token all go to a
        # throw-away folder, never the real one.
        from desa_capil.demo import prepare_home

        prepare_home()

    if getattr(sys, "frozen", False) and not args.demo:
        # The installed app starts the version an update installed beside it (or the one a
        # rollback chose); the update itself never replaces the running files.
        from desa_capil import __version__
        from desa_capil.update.client import start_version, update_root, version_to_start

        newer = version_to_start(update_root(), __version__)
        if newer is not None:
            return start_version(newer, list(argv) if argv is not None else sys.argv[1:])
    paths = app_paths()
    try:
        paths.ensure()
        log_file = setup_logging(paths.logs)
    except OSError as exc:
        log_file = None
        print(f"desa_capil: cannot write logs: {exc}", file=sys.stderr)  # noqa: T201 - no GUI yet
    from desa_capil import __version__ as running_version

    log.info(
        "starting %s from %s (log %s, demo=%s, self_test=%s)",
        running_version,
        sys.executable if getattr(sys, "frozen", False) else "source",
        log_file,
        args.demo,
        args.self_test,
    )
    if args.update:
        return _update_from(args.update, paths)
    if args.rollback:
        return _rollback(paths)

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from desa_capil.store import repo, setting_keys
    from desa_capil.ui import gc_guard, tasks
    from desa_capil.ui.errors import install_excepthook
    from desa_capil.ui.i18n import lang, set_lang
    from desa_capil.ui.theme import apply_theme

    QCoreApplication.setApplicationName("desa_capil")
    QCoreApplication.setOrganizationName("desa_capil")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    gc_guard.install()  # before any worker thread starts
    _install_qt_log_handler()
    apply_theme(app)
    failures: list[BaseException] = []
    if args.self_test:
        _quiet_dialogs(failures)
    else:
        install_excepthook()
    set_lang(args.lang or "id")

    demo_session = None
    if args.demo:
        from desa_capil.ui.demo_mode import start_demo_with_progress

        demo_session = start_demo_with_progress(show=not headless)
        if demo_session is None:
            return EXIT_DEMO_FAILED

    lock = acquire_instance_lock(paths)
    if lock is None:
        return EXIT_ALREADY_RUNNING
    if not headless and demo_session is None:
        from desa_capil.ui.backup_dialog import restore_at_start

        # A new or reinstalled laptop (no database yet), or "Pulihkan" asked for in Pengaturan:
        # the backup comes back before the database is opened.
        restore_at_start(paths)
    t_db = time.perf_counter()
    db = open_database_or_explain(paths)
    log.info("database opened in %.2f s", time.perf_counter() - t_db)
    if db is None:
        lock.unlock()  # type: ignore[attr-defined]
        return EXIT_DB_FAILED

    from desa_capil.store.db import Database, collect_orphan_blobs, daily_backup
    from desa_capil.ui.context import AppContext
    from desa_capil.ui.main_window import PAGE_KEYS, MainWindow

    assert isinstance(db, Database)
    if demo_session is None:
        _note_schema(db)
    try:
        set_lang(args.lang or repo.get_setting(db, setting_keys.LANGUAGE) or "id")
    except Exception as exc:  # noqa: BLE001 - a setting must not stop the app; Indonesian it is
        log.warning("language setting unreadable: %s", exc)
    translators = load_translations(app, lang())
    try:
        from desa_capil.sync.catalog_update import install_stored

        install_stored(db)  # the office's own catalog version, received by an earlier sync
    except Exception as exc:  # noqa: BLE001 - the bundled catalog still works
        log.warning("office catalog not loaded: %s", exc)
    ctx = AppContext(db, paths, demo=args.demo)
    if demo_session is not None:
        ctx.operator_id = demo_session.operator_ids[0]
    elif not headless:
        from desa_capil.ui.first_run import prepare_session

        # First run: the setup wizard; later: who is working (when there are several).
        if not prepare_session(ctx):
            tasks.wait_idle()
            db.close()
            lock.unlock()  # type: ignore[attr-defined]
            return EXIT_SETUP_CANCELLED
    t_win = time.perf_counter()
    window = MainWindow(ctx)
    from desa_capil.ui.operators import install_operator_badge

    install_operator_badge(window, ctx)
    if demo_session is not None:
        from desa_capil.ui.demo_mode import mark_demo_window

        mark_demo_window(window)
    log.info("main window built in %.2f s", time.perf_counter() - t_win)
    window.resize(1366, 740)
    rc = EXIT_OK
    services = None
    try:
        if args.self_test:
            window.show()
            for key in PAGE_KEYS:
                window.show_page(key)
                app.processEvents()
            tasks.wait_idle()
            app.processEvents()
            broken = [k for k in PAGE_KEYS if window.page(k).objectName() == "brokenPage"]
            for problem in bundle_checks():
                log.error("self-test: %s", problem)
                failures.append(RuntimeError(problem))
            if broken or failures:
                log.error("self-test failed: broken pages %s, %d errors", broken, len(failures))
                rc = EXIT_SELF_TEST_FAILED
            else:
                log.info("self-test passed in %.2f s", time.perf_counter() - started)
            window.close()
        else:
            if not headless:
                window.showMaximized()
            else:
                window.show()
            app.processEvents()
            log.info("main window shown after %.2f s", time.perf_counter() - started)
            if args.quit_when_shown:
                # Read by benchmarks/startup.py: "shown" when the window is up, "ready" once the
                # dashboard's figures (loaded in the background) are on screen.
                print("desa_capil: shown", flush=True)  # noqa: T201
                tasks.wait_idle()
                app.processEvents()
                print("desa_capil: ready", flush=True)  # noqa: T201
                window.close()
            else:
                from desa_capil.ui.services import RuntimeServices
                from desa_capil.ui.tasks import run_op

                services = RuntimeServices(ctx, window)
                services.start()
                run_op(
                    window,
                    lambda _p: daily_backup(db, paths.backups),
                    on_failure=lambda exc: log.warning("daily backup failed: %s", exc),
                    db=True,
                )
                run_op(
                    window,
                    lambda _p: collect_orphan_blobs(db, session_started=session_started),
                    on_failure=lambda exc: log.warning("orphan page files not collected: %s", exc),
                )
                rc = app.exec()
    finally:
        if services is not None:
            services.stop()
        tasks.wait_idle()
        db.close()
        lock.unlock()  # type: ignore[attr-defined]
        del translators
        if demo_session is not None:
            demo_session.close()
    log.info("exit %s", rc)
    return rc


if __name__ == "__main__":
    sys.exit(main())
