#!/usr/bin/env python3
"""Screenshots for the README, taken from the demo (sample village, server, office).

    apt-get install xvfb
    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/make_screenshots.py docs/screenshots \\
        --wizard --dialogs --all-dialogs
    for s in 125 150; do QT_SCALE_FACTOR=${s:0:1}.${s:1} xvfb-run -a -s "-screen 0 1366x768x24" \\
        .venv/bin/python docs/make_screenshots.py docs/screenshots --suffix=-scale$s \\
        --wizard --dialogs --all-dialogs; done
    # the app's smallest window: an 800x480 screen less the 40 px taskbar
    xvfb-run -a -s "-screen 0 800x480x24" .venv/bin/python docs/make_screenshots.py docs/screenshots \\
        --suffix=-800x440

The window is sized to the screen less the taskbar (``--taskbar``, 40 physical pixels), so the
125 % / 150 % runs show what a laptop with display scaling gets.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
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
    ap.add_argument("--dialogs", action="store_true", help="also the desk's dialogs (hand-over, notice, ...)")
    ap.add_argument(
        "--all-dialogs",
        action="store_true",
        help="with --dialogs: every other dialog too (USB stick, print properties, audit, operators, ...)",
    )
    ap.add_argument("--taskbar", type=int, default=40, help="physical pixels the taskbar takes at the bottom")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.time() - 1

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
            settle()
            wizard.grab().save(str(args.out / f"first-run-operator{args.suffix}.png"))
            wizard.next()
            settle()
            wizard.grab().save(str(args.out / f"first-run-server{args.suffix}.png"))
            wizard.close()
            from desa_capil.ui.privacy_settings import RecoveryCodeDialog

            recovery = RecoveryCodeDialog("7K3Q-" * 10 + "M2XD")
            recovery.show()
            settle()
            recovery.grab().save(str(args.out / f"first-run-recovery{args.suffix}.png"))
            recovery.close()

        from PySide6.QtCore import QRect

        from desa_capil.ui.widgets import screen_fit

        # The screen less the taskbar (Xvfb has none), in logical pixels; the window less its
        # title bar (Xvfb has no window manager to draw one).
        screen = app.primaryScreen().geometry()
        ratio = app.primaryScreen().devicePixelRatio()
        area = QRect(0, 0, screen.width(), screen.height() - round(args.taskbar / ratio))
        screen_fit.simulate_available_area(area)
        window = MainWindow(ctx)
        install_operator_badge(window, ctx)
        mark_demo_window(window)
        window.setGeometry(area.adjusted(0, 0, 0, -screen_fit.FRAME.height()))
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
        if args.dialogs:
            shoot_dialogs(window, ctx, args, settle)
        window.close()
    finally:
        tasks.wait_idle()
        db.close()
        session.close()
    shrink_pngs([p for p in args.out.glob("*.png") if p.stat().st_mtime >= started])
    return 0


def shrink_pngs(paths: list[Path], colors: int = 192) -> None:
    """Palette PNGs: a UI screenshot has few colours, so 192 of them look the same at a third
    of the size (the README's pictures stay small in the repository)."""
    from PIL import Image

    for path in paths:
        with Image.open(path) as im:
            small = im.convert("RGB").quantize(
                colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
            )
        small.save(path, optimize=True)


def shoot_dialogs(window: object, ctx: object, args: argparse.Namespace, settle: object) -> None:
    """The desk's dialogs as the operator meets them, fitted to the (simulated) screen."""
    from PySide6.QtWidgets import QDialog

    from desa_capil.domain.status import Status
    from desa_capil.services.detail import application_detail
    from desa_capil.services.notices import make_notice
    from desa_capil.store import distribution as dist
    from desa_capil.store import queries
    from desa_capil.ui.detail_dialog import ApplicationDetailDialog
    from desa_capil.ui.handover_dialog import HandOverDialog
    from desa_capil.ui.intake.wizard import IntakeWizard
    from desa_capil.ui.notice_dialog import NoticeDialog

    db = ctx.db  # type: ignore[attr-defined]

    def shot(dialog: QDialog, name: str) -> None:
        dialog.show()
        settle()  # type: ignore[operator]
        path = args.out / f"dialog-{name}{args.suffix}.png"
        dialog.grab().save(str(path))
        print(path, dialog.width(), dialog.height())  # noqa: T201 - a tool reports by printing
        dialog.close()
        settle()  # type: ignore[operator]

    rows = [r for g in dist.waiting_documents(db, dist.WaitingFilter()) for r in g.rows]
    if rows:
        arrived = [r for r in rows if r.status is Status.ARRIVED] or rows
        d = HandOverDialog(ctx, arrived[0], window)  # type: ignore[arg-type]
        d.family_radio.setChecked(True)
        shot(d, "handover")
        if any(r.status is Status.ARRIVED for r in rows):
            shot(NoticeDialog(ctx, make_notice(db, arrived[0].application_id), window), "notice-ready")  # type: ignore[arg-type]
    fixes = queries.queue_ids(db, queries.QueueFilter(statuses=frozenset({Status.NEEDS_FIX})), limit=1)
    if fixes:
        shot(NoticeDialog(ctx, make_notice(db, fixes[0]), window), "notice-fix")  # type: ignore[arg-type]
    sent = queries.queue_ids(
        db,
        queries.QueueFilter(statuses=frozenset({Status.IN_REVIEW, Status.PROCESSING, Status.FINISHED})),
        limit=1,
    )
    if sent:
        shot(ApplicationDetailDialog(ctx, application_detail(db, sent[0]), window), "detail")  # type: ignore[arg-type]
    wizard = IntakeWizard(ctx, window)  # type: ignore[arg-type]
    shot(wizard, "wizard-service")
    wizard = IntakeWizard(ctx, window)  # type: ignore[arg-type]
    wizard.service_step.set_code("kk_ubah")
    wizard.next()
    shot(wizard, "wizard-applicant")
    shoot_papers(window, ctx, shot, settle)
    if args.all_dialogs:
        shoot_other_dialogs(window, ctx, args, shot, settle)


def shoot_other_dialogs(
    window: object, ctx: object, args: argparse.Namespace, shot: object, settle: object
) -> None:
    """The dialogs an operator meets less often: the USB stick ones, Qt's print "Properti",
    audit log, operators, recovery code entry, scanner, batch contents, file assignment."""
    import tempfile

    from PySide6.QtCore import QTimer
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

    from desa_capil.server.testing import write_office_enrollment
    from desa_capil.services.detail import batch_members
    from desa_capil.store.batches import batch_rows
    from desa_capil.ui.audit_dialog import AuditDialog
    from desa_capil.ui.backup_dialog import RestoreDialog
    from desa_capil.ui.batch_contents import BatchContentsDialog
    from desa_capil.ui.intake.assign_dialog import AssignFilesDialog, PaperChoice
    from desa_capil.ui.intake.scanner_dialog import ScannerDialog
    from desa_capil.ui.operators import OperatorDialog
    from desa_capil.ui.privacy_settings import RecoveryCodeEntryDialog
    from desa_capil.ui.usb_enroll_dialog import EnrollFromStickDialog
    from desa_capil.ui.usb_export_dialog import ExportDialog
    from desa_capil.ui.usb_receive_dialog import ReceiveDialog
    from desa_capil.ui.usb_relay_dialog import RelayDialog
    from desa_capil.usbroute import KeySet

    db = ctx.db  # type: ignore[attr-defined]
    stick = Path(tempfile.mkdtemp(prefix="dc_stick_"))
    office = KeySet.generate()
    write_office_enrollment(
        stick / "cileunyi_kulon.dcenroll",
        office,
        village_code="32.04.05.2001",
        village_name="Desa Cileunyi Kulon",
        office_name="Disdukcapil Kabupaten Bandung",
        server_url="https://capil.bandungkab.go.id",
    )
    (stick / "kembali_2026-11-28.dcb").write_bytes(b"DCB1 cut short")  # a stick pulled mid-copy

    def stick_dialog(dialog: object, name: str) -> None:
        dialog.picker.show_folder(stick)  # type: ignore[attr-defined]
        settle()  # type: ignore[operator]
        files = dialog.picker.files  # type: ignore[attr-defined]
        if files.count():
            files.setCurrentRow(0)
        shot(dialog, name)  # type: ignore[operator]

    export = ExportDialog(ctx, window)  # type: ignore[arg-type]
    export.set_folder(stick)
    shot(export, "usb-export")  # type: ignore[operator]
    stick_dialog(ReceiveDialog(ctx, window), "usb-receive")  # type: ignore[arg-type]
    stick_dialog(RelayDialog(ctx, window), "usb-relay")  # type: ignore[arg-type]
    stick_dialog(EnrollFromStickDialog(ctx, window), "usb-enroll")  # type: ignore[arg-type]
    shot(RestoreDialog(ctx.paths, window), "restore")  # type: ignore[attr-defined, operator]

    rows = batch_rows(db)
    if rows:
        members = batch_members(db, rows[0].id)
        shot(BatchContentsDialog(ctx, rows[0].id, members, window), "batch-contents")  # type: ignore[arg-type, operator]
    papers = [
        PaperChoice("kk_lama", "Kartu Keluarga lama", False),
        PaperChoice("bukti_perubahan", "Bukti perubahan data", False),
        PaperChoice("ktp_el", "KTP-el pemohon", True),
    ]
    files = ["/home/operator/Pindaian/kk_siti_1.jpg", "/home/operator/Pindaian/akta_cerai.pdf"]
    shot(AssignFilesDialog(files, papers, "kk_lama", window), "assign-files")  # type: ignore[arg-type, operator]
    shot(ScannerDialog(window, "Kartu Keluarga lama", backends=[]), "scanner")  # type: ignore[arg-type, operator]
    shot(AuditDialog(ctx, window), "audit")  # type: ignore[arg-type, operator]
    from desa_capil.store import operators as ops

    operators = OperatorDialog(ctx, window)  # type: ignore[arg-type]
    state = ops.start_state(db)
    operators.set_operators(state.operators, state.last_operator_id)
    shot(operators, "operators")  # type: ignore[operator]
    shot(RecoveryCodeEntryDialog(ctx.paths, "Kunci enkripsi tidak ditemukan.", window), "recovery-entry")  # type: ignore[attr-defined, arg-type, operator]
    box = QMessageBox(window)  # type: ignore[arg-type]
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Buka segel")
    box.setText(
        "Buka segel kiriman ini? 3 permohonan di dalamnya kembali ke daftar 'Siap disegel' dan bisa "
        "diubah lagi. Catatan kiriman ini tetap disimpan sebagai dibatalkan."
    )
    box.addButton("Buka segel", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Jangan", QMessageBox.ButtonRole.RejectRole)
    shot(box, "confirm")  # type: ignore[operator]

    # Qt's print dialog's "Properti": a modal dialog of its own, caught while it runs.
    printer = QPrinter()
    dialog = QPrintDialog(printer, window)  # type: ignore[arg-type]
    dialog.show()
    settle()  # type: ignore[operator]

    def grab_properties() -> None:
        for w in QApplication.topLevelWidgets():
            if w.isVisible() and w.metaObject().className() == "QPrintPropertiesDialog":
                path = args.out / f"dialog-print-properties{args.suffix}.png"
                w.grab().save(str(path))
                print(path, w.width(), w.height())  # noqa: T201 - a tool reports by printing
                w.reject()  # type: ignore[attr-defined]

    QTimer.singleShot(600, grab_properties)
    button = dialog.findChild(QPushButton, "properties")
    if button is not None:
        button.click()
    dialog.close()


def shoot_papers(window: object, ctx: object, shot: object, settle: object) -> None:
    """The papers step with the "Kertas lain" slot, the page viewer zoomed on page 2 of 3, and
    Qt's own print dialog (in Indonesian through qtbase_id)."""
    import io

    from PIL import Image, ImageDraw
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    from desa_capil.domain.catalog import OTHER_PAPER_CODE
    from desa_capil.services import pages as processing
    from desa_capil.store import pages as sp
    from desa_capil.store import repo
    from desa_capil.ui.intake.page_viewer import PageViewer
    from desa_capil.ui.intake.wizard import PAPERS, IntakeWizard

    db = ctx.db  # type: ignore[attr-defined]
    app_id = repo.save_application(
        db, service_code="kk_ubah", applicant=repo.ApplicantData("3204055512900001", "Siti Aminah")
    )
    repo.set_other_paper(db, app_id, "Surat keterangan domisili dari RT")
    for i in range(3):
        im = Image.new("RGB", (850, 1100), (250, 250, 245))
        d = ImageDraw.Draw(im)
        d.text((300, 60), f"KARTU KELUARGA - halaman {i + 1}", fill="black")
        for n, y in enumerate(range(140, 980, 36)):
            d.text((90, y), f"{n + 1}. Nama / NIK / hubungan keluarga ........ {n * 37}", fill="black")
        buf = io.BytesIO()
        im.save(buf, "PNG", dpi=(100, 100))
        path = Path(os.environ.get("TMPDIR", "/tmp")) / f"dc_shot_kk{i}.png"
        path.write_bytes(buf.getvalue())
        sp.add_pages(db, app_id, "kk_lama", processing.pages_from_file(path))
    wizard = IntakeWizard(ctx, window, app_id)  # type: ignore[arg-type]
    wizard.show()
    settle()  # type: ignore[operator]
    wizard.go_to(PAPERS)
    wizard.papers_step.select_requirement(OTHER_PAPER_CODE)
    shot(wizard, "wizard-papers-other")  # type: ignore[operator]
    ids = [p.id for p in sp.list_pages(db, app_id)["kk_lama"]]
    pages = [(pid, f"KK lama \u00b7 Hal. {i + 1}") for i, pid in enumerate(ids)]
    viewer = PageViewer(ctx, ids[1], pages[1][1], window, pages=pages)  # type: ignore[arg-type]
    viewer.show()
    settle()  # type: ignore[operator]
    viewer.set_zoom(0.5)
    shot(viewer, "page-viewer")  # type: ignore[operator]
    printer = QPrinter()  # kept referenced: the dialog does not own it
    shot(QPrintDialog(printer, window), "print")  # type: ignore[operator]


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    sys.exit(main())
