"""The three stick dialogs share one skeleton (ui.usb_dialog.StickFileDialog) and keep their
translations; "Daftarkan dari flashdisk" is offered in Pengaturan while the laptop has no
working enrollment (never enrolled, or revoked) and enrolls from there."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QGroupBox, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from desa_capil.errors import UserError
from desa_capil.paths import AppPaths
from desa_capil.server.testing import write_office_enrollment
from desa_capil.services.changes import Changes
from desa_capil.store import setting_keys as keys
from desa_capil.store.db import Database
from desa_capil.store.repo import get_setting, set_setting
from desa_capil.sync.config import DEVICE_ID, credential_store
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext
from desa_capil.ui.translations import install_translations, remove_translations
from desa_capil.ui.usb_dialog import StickFileDialog
from desa_capil.usbroute import KeySet, make_code

pytestmark = [
    pytest.mark.qt_log_ignore("does not support propagateSizeHints"),
    pytest.mark.usefixtures("no_keyring"),
]

OFFICE = KeySet.generate()


@pytest.fixture
def english(qapp: QApplication) -> Iterator[None]:
    install_translations("en", qapp)
    yield
    tasks.wait_idle()
    qapp.processEvents()
    remove_translations(qapp)


def _dialogs(ctx: AppContext) -> dict[str, StickFileDialog]:
    from desa_capil.ui.usb_enroll_dialog import EnrollFromStickDialog
    from desa_capil.ui.usb_receive_dialog import ReceiveDialog
    from desa_capil.ui.usb_relay_dialog import RelayDialog

    return {"receive": ReceiveDialog(ctx), "relay": RelayDialog(ctx), "enroll": EnrollFromStickDialog(ctx)}


def _texts(dialog: StickFileDialog) -> tuple[str, str, str, str]:
    intro = dialog.findChildren(QLabel)[0].text()
    return dialog.windowTitle(), intro, dialog.action_button.text(), dialog.close_button.text()


INDONESIAN = {
    "receive": ("Terima dari flashdisk", "Masukkan flashdisk yang dibawa", "Terima", "Tutup"),
    "relay": ("Titip kirim", "Kirimkan berkas flashdisk desa lain", "Kirim ke kantor", "Tutup"),
    "enroll": ("Daftarkan dari flashdisk", "Untuk desa tanpa sinyal", "Daftarkan", "Batal"),
}
ENGLISH = {
    "receive": ("Receive from a USB stick", "Insert the stick brought from", "Receive", "Close"),
    "relay": (
        "Relay for another village",
        "Send another village's stick file",
        "Send to the office",
        "Close",
    ),
    "enroll": ("Enroll from a USB stick", "For villages without signal", "Enroll", "Cancel"),
}


def _check(
    qtbot: QtBot, dialogs: dict[str, StickFileDialog], want: dict[str, tuple[str, str, str, str]]
) -> None:
    for name, dialog in dialogs.items():
        # Deleted by qtbot before the next test (a dialog left alive crashed a later
        # setStyleSheet in another test, see tests/test_translations.py).
        qtbot.addWidget(dialog)
        title, intro, action, close = _texts(dialog)
        w_title, w_intro, w_action, w_close = want[name]
        assert (title, action, close) == (w_title, w_action, w_close), name
        assert intro.startswith(w_intro), (name, intro)


def test_stick_dialogs_speak_indonesian(qtbot: QtBot, ctx: AppContext) -> None:
    _check(qtbot, _dialogs(ctx), INDONESIAN)


def test_stick_dialogs_keep_their_english(qtbot: QtBot, ctx: AppContext, english: None) -> None:
    """Each subclass's texts are looked up in its own context, the base's buttons in the base's."""
    _check(qtbot, _dialogs(ctx), ENGLISH)


def test_the_skeleton_keeps_the_action_off_while_busy(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    from desa_capil.ui.usb_relay_dialog import RelayDialog

    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "desa.dcb").write_bytes(b"not a bundle")
    dialog = RelayDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.action_button.isEnabled()  # nothing chosen yet
    dialog.picker.show_folder(stick)
    qtbot.waitUntil(lambda: dialog.picker.files.count() == 1, timeout=10_000)
    dialog.picker.files.setCurrentRow(0)
    assert dialog.action_button.isEnabled() and dialog.send_button is dialog.action_button
    dialog.begin("Mengirim ke kantor…")
    assert dialog.busy and not dialog.action_button.isEnabled()
    assert dialog.result_label.text() == "Mengirim ke kantor…"
    dialog.failed(UserError("Kantor menolak berkas ini.", "The office refused this file."))
    assert not dialog.busy and dialog.action_button.isEnabled()
    assert dialog.error.text() == "Kantor menolak berkas ini." and dialog.result_label.text() == ""
    dialog.begin("…")
    dialog.succeeded("Diterima kantor.")
    assert dialog.error.text() == "" and dialog.result_label.text() == "Diterima kantor."


def _enrollment_file(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "oelaba.dcenroll"
    write_office_enrollment(path, OFFICE)
    return path


def _server_settings(qtbot: QtBot, ctx: AppContext) -> object:
    from desa_capil.ui.sync_settings import install_server_settings

    page = QWidget()
    qtbot.addWidget(page)
    page.server_group = QGroupBox(page)  # type: ignore[attr-defined]
    page.server_group.setObjectName("serverGroup")  # type: ignore[attr-defined]
    QVBoxLayout(page.server_group)  # type: ignore[attr-defined]
    widget = install_server_settings(page, ctx)
    widget.test_page = page  # type: ignore[attr-defined] # kept alive with the widget
    page.show()
    return widget


def _enroll_by_stick(qtbot: QtBot, ctx: AppContext, widget: object, stick: Path) -> list[Changes]:
    said: list[Changes] = []
    ctx.changed.connect(said.append)
    _enrollment_file(stick)
    dialog = widget.enroll_from_stick()  # type: ignore[attr-defined]
    dialog.picker.show_folder(stick)
    qtbot.waitUntil(lambda: dialog.picker.files.count() == 1, timeout=10_000)
    dialog.picker.files.setCurrentRow(0)
    dialog.code_edit.setText(make_code())
    with qtbot.waitSignal(dialog.enrolled, timeout=20_000):
        dialog.enroll_button.click()
    return said


def test_pengaturan_enrolls_from_a_stick_when_not_enrolled(
    qtbot: QtBot, ctx: AppContext, db: Database, tmp_path: Path
) -> None:
    set_setting(db, keys.VILLAGE_CODE, "53.14.01.2001")  # typed at first run, "Nanti saja"
    widget = _server_settings(qtbot, ctx)
    assert widget.stick_button.isVisible()  # type: ignore[attr-defined]
    assert widget.stick_button.text() == "Daftarkan dari flashdisk…"  # type: ignore[attr-defined]
    said = _enroll_by_stick(qtbot, ctx, widget, tmp_path / "stick")
    assert get_setting(db, keys.OFFICE_SIGN_PUBLIC) == OFFICE.sign_public
    assert "Terdaftar lewat flashdisk untuk Desa Oelaba" in widget.status_label.text()  # type: ignore[attr-defined]
    assert not widget.stick_button.isVisible()  # type: ignore[attr-defined]
    assert said and {keys.VILLAGE_NAME, keys.USB_ENROLLMENT_ID} <= said[-1].settings


def test_pengaturan_offers_the_stick_to_a_revoked_laptop(
    qtbot: QtBot, ctx: AppContext, db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    """Enrolled online, then revoked by the office: the dead token does not block the office's
    new file; the stick enrollment replaces the device and the revocation notice goes."""
    set_setting(db, keys.VILLAGE_CODE, "53.14.01.2001")
    set_setting(db, keys.VILLAGE_NAME, "Desa Oelaba")
    set_setting(db, DEVICE_ID, uuid.uuid4().hex)
    credential_store(paths).set_token("dead-token")
    set_setting(db, keys.DEVICE_REVOKED_AT, datetime.now(UTC).isoformat())
    widget = _server_settings(qtbot, ctx)
    assert "dicabut" in widget.status_label.text()  # type: ignore[attr-defined]
    assert widget.stick_button.isVisible()  # type: ignore[attr-defined]
    _enroll_by_stick(qtbot, ctx, widget, tmp_path / "stick")
    assert get_setting(db, keys.DEVICE_REVOKED_AT) == ""
    assert credential_store(paths).get_token() is None
    assert "Terdaftar lewat flashdisk" in widget.status_label.text()  # type: ignore[attr-defined]
    assert not widget.stick_button.isVisible()  # type: ignore[attr-defined]


def test_an_enrolled_laptop_is_not_offered_the_stick(
    qtbot: QtBot, ctx: AppContext, db: Database, paths: AppPaths
) -> None:
    set_setting(db, keys.VILLAGE_CODE, "53.14.01.2001")
    credential_store(paths).set_token("good-token")
    widget = _server_settings(qtbot, ctx)
    assert "Terdaftar untuk" in widget.status_label.text()  # type: ignore[attr-defined]
    assert not widget.stick_button.isVisible()  # type: ignore[attr-defined]
