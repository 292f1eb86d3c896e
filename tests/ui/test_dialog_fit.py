"""Every dialog fits the screen at 100/125/150 % scaling and at the app's minimum size.

The available area of a 1366x768 screen with a 40 px taskbar is 1366x728 physical pixels; at
125 % and 150 % display scaling Qt lays out in 1093x582 and 910x485 logical pixels. The
offscreen platform has one fixed screen, so the area is simulated (screen_fit reads it from one
place). A dialog passes when, after it is shown, its frame lies on the area, every button
outside a scroll area (its actions: Simpan, Batal, ...) is inside it, every push button shows
its whole text and no wrapped label is shorter than its text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desa_capil.domain.catalog import Urgency
from desa_capil.domain.status import Status
from desa_capil.paths import AppPaths
from desa_capil.store import distribution as dist
from desa_capil.ui.context import AppContext
from desa_capil.ui.widgets import screen_fit

# The camera dialog loads Qt Multimedia, which reports the optional libraries it cannot find.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints|Couldn't (load|resolve) ")

# name -> available area in logical pixels
AREAS = {
    "100%": QRect(0, 0, 1366, 728),
    "125%": QRect(0, 0, 1093, 582),
    "150%": QRect(0, 0, 910, 485),
    "800x440": QRect(0, 0, 800, 440),
}


@pytest.fixture(params=list(AREAS))
def area(request: pytest.FixtureRequest) -> Iterator[QRect]:
    rect = AREAS[request.param]
    screen_fit.simulate_available_area(rect)
    yield rect
    screen_fit.simulate_available_area(None)


def _in_scroll_area(w: QWidget, top: QWidget) -> bool:
    p = w.parentWidget()
    while p is not None and p is not top:
        if isinstance(p, QAbstractScrollArea):
            return True
        p = p.parentWidget()
    return False


def assert_text_shown(dialog: QWidget) -> None:
    """Every visible push button's text fits its contents rect (the style's, padding taken off);
    every visible wrapped label is as high as its text needs at its width."""
    for b in dialog.findChildren(QPushButton):
        if not b.isVisibleTo(dialog) or b.window() is not dialog or not b.text():
            continue
        opt = QStyleOptionButton()
        b.initStyleOption(opt)
        contents = b.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, opt, b)
        shown = re.sub(r"&(.)", r"\1", b.text())  # mnemonics: "&&" is one "&"
        if len(shown.strip()) <= 1:
            continue  # a glyph button (the viewer's "−") may draw into its padding
        need = b.fontMetrics().horizontalAdvance(shown)
        if not b.icon().isNull():
            need += b.iconSize().width() + 4
        assert need <= contents.width(), (
            f"button {shown!r} needs {need} px for its text, it has {contents.width()} ({b.width()} wide)"
        )
    for label in dialog.findChildren(QLabel):
        if not label.isVisibleTo(dialog) or not label.wordWrap() or not label.text():
            continue
        need = label.heightForWidth(label.width())
        assert label.height() >= need, (
            f"label {label.text()[:40]!r} is {label.height()} px high, its text needs {need}"
        )


def assert_fits(dialog: QWidget, area: QRect) -> list[str]:
    """Asserts the dialog's frame and its action buttons lie on `area`; returns the buttons' texts."""
    geo = dialog.geometry()
    frame = geo.adjusted(
        -screen_fit.FRAME.width() // 2,
        -(screen_fit.FRAME.height() - screen_fit.FRAME.width() // 2),
        screen_fit.FRAME.width() // 2,
        screen_fit.FRAME.width() // 2,
    )
    assert area.contains(frame), f"{dialog.objectName()} {geo} (frame {frame}) is not inside {area}"
    texts = []
    for b in dialog.findChildren(QAbstractButton):
        if not b.isVisibleTo(dialog) or _in_scroll_area(b, dialog) or b.window() is not dialog:
            continue
        rect = QRect(b.mapTo(dialog, QPoint(0, 0)) + geo.topLeft(), b.size())
        assert area.contains(rect), f"button {b.text()!r} at {rect} is outside {area}"
        assert rect.bottom() <= geo.bottom() and rect.right() <= geo.right(), (
            f"button {b.text()!r} at {rect} is clipped by the dialog {geo}"
        )
        texts.append(b.text())
    assert_text_shown(dialog)
    return texts


def _waiting_row() -> dist.WaitingRow:
    return dist.WaitingRow(
        application_id="a1",
        applicant_name="Siti Rahmawati Binti Abdul Rahman",
        nik="3201014101900002",
        phone="081234567890",
        address="Dusun Sukamaju RT 03 RW 02",
        service_code="kk_ubah",
        status=Status.ARRIVED,
        urgency=Urgency.NORMAL,
        dispatch_id="KRM-1",
        dispatched_at=datetime.now(UTC),
        arrived_at=datetime.now(UTC),
        days_waiting=2,
        overdue=False,
        documents=(),
    )


def _handover(ctx: AppContext, family: bool) -> QDialog:
    from desa_capil.ui.handover_dialog import HandOverDialog

    d = HandOverDialog(ctx, _waiting_row())
    if family:
        d.family_radio.setChecked(True)
    return d


def _wizard(ctx: AppContext, step: int) -> QDialog:
    from desa_capil.ui.intake.wizard import IntakeWizard

    w = IntakeWizard(ctx)
    if step:
        w.service_step.set_code("kk_ubah")
        w.go_to(step)
    return w


def _message_box(_ctx: AppContext) -> QDialog:
    box = QMessageBox()
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Penyerahan tersimpan")
    box.setText("Penyerahan sudah dicatat dan akan dikirim ke Disdukcapil. Cetak tanda terima sekarang?")
    box.addButton("Cetak Tanda Terima", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Nanti saja", QMessageBox.ButtonRole.RejectRole)
    return box


def _camera() -> QDialog:
    from desa_capil.ui.camera import CameraDialog

    return CameraDialog(None, "Kartu Keluarga lama")


def _first_run(ctx: AppContext, page: int = 0) -> QDialog:
    from desa_capil.ui.first_run import FirstRunWizard

    wizard = FirstRunWizard(ctx)
    wizard.setStartId(wizard.pageIds()[page])
    return wizard


def _notice(ctx: AppContext) -> QDialog:
    from desa_capil.services.notices import Notice, NoticeKind, notice_text
    from desa_capil.ui.notice_dialog import NoticeDialog

    message = "Akta kelahiran anak kedua tidak terbaca; bawa aslinya dan fotokopi KK yang baru. " * 3
    text = notice_text(NoticeKind.NEEDS_FIX, "Siti Rahmawati", "kk_ubah", "Sukamaju", message)
    notice = Notice(
        "a1", NoticeKind.NEEDS_FIX, "Siti Rahmawati", "3201014101900002", "081234567890", "kk_ubah",
        "Sukamaju", message, datetime.now(UTC), text,
    )  # fmt: skip
    return NoticeDialog(ctx, notice)


def _detail(ctx: AppContext) -> QDialog:
    from desa_capil.services.detail import application_detail
    from desa_capil.store.repo import ApplicantData, refresh_readiness, save_application
    from desa_capil.ui.detail_dialog import ApplicationDetailDialog

    app_id = save_application(
        ctx.db,
        service_code="kk_ubah",
        applicant=ApplicantData(
            nik="3201014101900002", name="Siti Rahmawati", kk_number="3201010101200001",
            phone="081234567890", address="Dusun Sukamaju RT 03 RW 02",
        ),
        notes="Anak kedua lahir di rumah; surat keterangan lahir dari bidan desa.",
    )  # fmt: skip
    refresh_readiness(ctx.db, app_id, None)
    return ApplicationDetailDialog(ctx, application_detail(ctx.db, app_id))


def _viewer(ctx: AppContext, paths: AppPaths) -> QDialog:
    from desa_capil.services import pages as processing
    from desa_capil.store import pages as sp
    from desa_capil.store.repo import ApplicantData, save_application
    from desa_capil.ui.intake.page_viewer import PageViewer
    from tests.intake.conftest import page_image

    app_id = save_application(
        ctx.db, service_code="kk_ubah", applicant=ApplicantData(nik="3201014101900002", name="Siti Rahmawati")
    )
    file = paths.data / "hal.png"
    page_image("hal").save(file, dpi=(100, 100))
    ids = [
        p for _ in range(2) for p in sp.add_pages(ctx.db, app_id, "kk_lama", processing.pages_from_file(file))
    ]
    pages = [(pid, f"KK lama · Hal. {i + 1}") for i, pid in enumerate(ids)]
    return PageViewer(ctx, ids[0], pages[0][1], pages=pages)


def _factories(paths: AppPaths) -> dict[str, Callable[[AppContext], QDialog]]:
    from desa_capil.ui.audit_dialog import AuditDialog
    from desa_capil.ui.intake.scanner_dialog import ScannerDialog
    from desa_capil.ui.operators import OperatorDialog
    from desa_capil.ui.privacy_settings import RecoveryCodeDialog, RecoveryCodeEntryDialog

    return {
        "handover_self": lambda c: _handover(c, False),
        "handover_family": lambda c: _handover(c, True),
        "wizard_service": lambda c: _wizard(c, 0),
        "wizard_applicant": lambda c: _wizard(c, 1),
        "scanner": lambda _c: ScannerDialog(None, "Kartu Keluarga lama", backends=[]),
        "audit": lambda c: AuditDialog(c),
        "operator": lambda c: OperatorDialog(c, at_start=True),
        "recovery_code": lambda _c: RecoveryCodeDialog("ABCD-" * 10 + "ABCD"),
        "recovery_entry": lambda _c: RecoveryCodeEntryDialog(paths, "Kunci enkripsi tidak ditemukan."),
        "message_box": _message_box,
        "camera": lambda _c: _camera(),
        "first_run": lambda c: _first_run(c),
        # The server page: QWizard's own header cut the last words of its long subtitle.
        "first_run_server": lambda c: _first_run(c, 2),
        "notice": _notice,
        "detail": _detail,
        "page_viewer": lambda c: _viewer(c, paths),
    }


DIALOGS = [
    "handover_self",
    "handover_family",
    "wizard_service",
    "wizard_applicant",
    "scanner",
    "audit",
    "operator",
    "recovery_code",
    "recovery_entry",
    "message_box",
    "camera",
    "first_run",
    "first_run_server",
    "notice",
    "detail",
    "page_viewer",
]


@pytest.mark.parametrize("name", DIALOGS)
def test_dialog_fits_the_screen(
    qtbot: QtBot, ctx: AppContext, paths: AppPaths, themed: None, area: QRect, name: str
) -> None:
    dialog = _factories(paths)[name](ctx)
    closes_itself = name.startswith("wizard")  # the wizard saves, then deletes itself
    if not closes_itself:
        qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    texts = assert_fits(dialog, area)
    assert texts, "a dialog without a visible button cannot be finished"
    if name.startswith("handover"):
        # Switching who receives it does not grow the dialog past the screen.
        dialog.family_radio.setChecked(name == "handover_self")  # type: ignore[attr-defined]
        QApplication.processEvents()
        assert "Simpan Penyerahan" in assert_fits(dialog, area)
    if name.startswith("first_run"):
        # At its minimum size (what a 1366x768 screen at 150 % leaves it) the hints under the
        # fields keep their whole text (the one under "Kode wilayah" lost its first line).
        dialog.resize(dialog.minimumSize())
        QApplication.processEvents()
        assert_text_shown(dialog)
    if name.startswith("wizard"):
        # After a save the footer holds the note and all four buttons: the note wraps, the
        # buttons ("Cetak tanda terima", "Simpan & tutup") keep their whole text.
        wizard = dialog
        wizard.save_note.setText("Tersimpan sebagai belum lengkap \u00b7 12:34:56")  # type: ignore[attr-defined]
        wizard.btn_receipt.show()  # type: ignore[attr-defined]
        wizard.btn_close.show()  # type: ignore[attr-defined]
        QApplication.processEvents()
        texts = assert_fits(dialog, area)
        assert {"Cetak tanda &terima", "Simpan && &tutup"} <= set(texts)
        # No step is wider than the window: nothing hides past its right edge (the service
        # step's variants in one row made it 1038 px wide at 150 %).
        scroll = dialog.step_scroll  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: scroll.widget().width() <= scroll.viewport().width(), timeout=3000)
    if closes_itself:
        with qtbot.waitSignal(dialog.destroyed):
            dialog.close()
    else:
        dialog.close()


def test_print_dialog_and_its_properties_fit(qtbot: QtBot, themed: None, area: QRect) -> None:
    """Qt's print dialog under our style sheet: "Properti" shows its whole text, and the
    dialog it opens (paper, orientation, margins: 667 px high, more than a 1366x768 screen
    leaves at 125 % or 150 %) scrolls with OK and Batal in view."""
    from PySide6.QtCore import QTimer
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter()
    dialog = QPrintDialog(printer)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    properties = dialog.findChild(QPushButton, "properties")
    assert properties is not None and properties.isVisible()
    assert properties.text() in assert_fits(dialog, area)
    seen: list[object] = []

    def inspect() -> None:
        shown = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not dialog]
        props = next(w for w in shown if w.metaObject().className() == "QPrintPropertiesDialog")
        try:
            seen.append(assert_fits(props, area))
        except AssertionError as exc:  # reported below, outside Qt's event loop
            seen.append(exc)
        props.reject()  # type: ignore[attr-defined]

    QTimer.singleShot(0, inspect)
    properties.click()  # runs the properties dialog's own event loop until `inspect` closes it
    assert len(seen) == 1 and not isinstance(seen[0], AssertionError), seen
    assert "OK" in seen[0]  # type: ignore[operator]
    dialog.close()
