"""The USB dialogs at work: Terima dari flashdisk with a real return bundle (and a cut one),
Daftarkan dari flashdisk in the first-run wizard (wrong code, then the right one), and Titip
kirim of another village's bundle to the real server over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desa_capil.domain import catalog
from desa_capil.paths import AppPaths
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import running_server, write_office_enrollment
from desa_capil.store import setting_keys as keys
from desa_capil.store.db import Database
from desa_capil.store.repo import get_setting
from desa_capil.sync.config import credential_store, enroll
from desa_capil.ui.context import AppContext
from desa_capil.usbroute import KeySet, make_code, read_enrollment
from desa_capil.usbroute.payloads import write_village_bundle
from tests.sync.helpers import make_batch

from .loop import Office, manifest_for_stick
from .test_return_bundle import OFFICE, change, enroll_here, office_bundle


def _wait_listed(qtbot: QtBot, picker: object, n: int) -> None:
    qtbot.waitUntil(lambda: picker.files.count() == n, timeout=10_000)  # type: ignore[attr-defined]


def _select(picker: object, name: str) -> None:
    files = picker.files  # type: ignore[attr-defined]
    for i in range(files.count()):
        if files.item(i).data(Qt.ItemDataRole.UserRole).endswith(name):
            files.setCurrentRow(i)
            return
    raise AssertionError(f"{name} not listed")


def test_receive_dialog_applies_a_bundle_and_explains_a_cut_one(
    qtbot: QtBot, ctx: AppContext, db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    from desa_capil.ui.usb_receive_dialog import ReceiveDialog

    device = enroll_here(db, paths)
    _batch, (a, b) = make_batch(db, n_apps=2)
    stick = tmp_path / "stick"
    (stick / "desa_capil").mkdir(parents=True)
    good = office_bundle(
        stick / "desa_capil" / "kembali.dcb",
        device,
        after=0,
        changes=[change(1, a, "sent"), change(2, b, "sent"), change(3, a, "needs_fix", "KK buram")],
        next_after=3,
    )
    (stick / "terpotong.dcb").write_bytes(good.read_bytes()[:-100])
    (stick / ".setengah.dcb.part").write_bytes(b"half")  # a half-written file: never listed
    dialog = ReceiveDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.picker.show_folder(stick)
    _wait_listed(qtbot, dialog.picker, 2)
    _select(dialog.picker, "kembali.dcb")
    assert dialog.receive_button.isEnabled()
    with qtbot.waitSignal(ctx.office_changes) as changed, qtbot.waitSignal(dialog.applied, timeout=20_000):
        dialog.receive_button.click()
    # "sent" only confirms what the laptop did (as online); the office's decision is on a.
    assert changed.args[0] == [a]
    text = dialog.result_label.text()
    assert "1 perubahan status" in text and "0 dokumen" in text
    # The same file again: nothing new, said plainly.
    with qtbot.waitSignal(dialog.applied, timeout=20_000):
        dialog.receive_button.click()
    assert "tidak ada yang baru" in dialog.result_label.text()
    _select(dialog.picker, "terpotong.dcb")
    dialog.receive()
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=20_000)
    assert "terpotong" in dialog.error.text() and "Tidak ada yang disimpan" in dialog.error.text()
    assert dialog.result_label.text() == ""


def test_first_run_enrolls_from_a_stick(qtbot: QtBot, ctx: AppContext, db: Database, tmp_path: Path) -> None:
    from desa_capil.ui.first_run import FirstRunWizard

    stick = tmp_path / "stick"
    stick.mkdir()
    code = make_code()
    enrollment = write_office_enrollment(stick / "oelaba.dcenroll", OFFICE)
    wizard = FirstRunWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.stick_button.isVisible() and wizard.stick_button.text() == "Daftarkan dari flashdisk…"
    dialog = wizard.enroll_from_stick()
    dialog.picker.show_folder(stick)  # type: ignore[attr-defined]
    _wait_listed(qtbot, dialog.picker, 1)  # type: ignore[attr-defined]
    assert "Desa Oelaba" in dialog.picker.files.item(0).text()  # type: ignore[attr-defined]
    assert enrollment.office_key_id in dialog.details.text()  # type: ignore[attr-defined]
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    dialog.code_edit.setText(wrong)  # type: ignore[attr-defined]
    dialog.enroll_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "tidak cocok" in dialog.error.text(), timeout=20_000)  # type: ignore[attr-defined]
    assert get_setting(db, keys.VILLAGE_CODE) == ""
    dialog.code_edit.setText(code.lower())  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.enrolled, timeout=20_000):  # type: ignore[attr-defined]
        dialog.enroll_button.click()  # type: ignore[attr-defined]
    assert wizard.village_page.name_edit.text() == "Desa Oelaba"
    assert wizard.village_page.code_edit.text() == "53.14.01.2001"
    assert wizard.server_page.enrolled and wizard.server_page.isComplete()
    assert not wizard.stick_button.isVisible()
    assert get_setting(db, keys.OFFICE_SIGN_PUBLIC) == OFFICE.sign_public
    assert read_enrollment(stick / "oelaba.dcenroll") == enrollment  # the stick is left as it was


@pytest.fixture
def central(tmp_path: Path) -> Iterator[EmbeddedServer]:
    catalog.use_bundled()
    with running_server(tmp_path / "server") as server:
        yield server
    catalog.use_bundled()


def test_relay_dialog_uploads_another_villages_bundle(
    qtbot: QtBot, ctx: AppContext, central: EmbeddedServer, db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    from desa_capil.ui.usb_relay_dialog import RelayDialog

    office = Office(central)
    central.create_village("32.04.05.2001", "Desa Kecamatan")
    central.create_village("32.04.05.2009", "Desa Tanpa Sinyal")
    # This laptop (the kecamatan's) has a link.
    enroll(db, credential_store(paths), central.base_url, central.new_enrollment_code("32.04.05.2001"))
    # The village without signal made a bundle on its own laptop (another database, here only
    # its keys and one batch's manifest matter).
    stick = tmp_path / "stick"
    stick.mkdir()
    enroll_path, code = office.enrollment("32.04.05.2009", stick)
    other = read_enrollment(enroll_path)
    their_keys = KeySet.generate()
    batch_id, _ids = make_batch(db, n_apps=1)  # made here only to have a real manifest and files
    bundle = stick / "desa-tanpa-sinyal.dcb"
    write_village_bundle(
        bundle,
        keys=their_keys,
        device_id=other.device_id,
        village_code=other.village_code,
        seq=1,
        office_box_public=other.office_box_public,
        batches=[manifest_for_stick(db, batch_id)],
        enrollment=other,
        code=code,
    )
    dialog = RelayDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.picker.show_folder(stick)
    _wait_listed(qtbot, dialog.picker, 1)
    assert "32.04.05.2009" in dialog.picker.files.item(0).text()
    with qtbot.waitSignal(dialog.relayed, timeout=30_000) as got:
        dialog.send_button.click()
    assert got.args[0].duplicate is False and got.args[0].batches == 1
    assert "Diterima kantor" in dialog.result_label.text()
    server = office.applications()
    assert len(server) == 1 and next(iter(server.values()))["village_code"] == "32.04.05.2009"
    # Relayed twice (two couriers): the office already has it, nothing changes.
    with qtbot.waitSignal(dialog.relayed, timeout=30_000) as again:
        dialog.send_button.click()
    assert again.args[0].duplicate is True
    assert len(office.applications()) == 1
