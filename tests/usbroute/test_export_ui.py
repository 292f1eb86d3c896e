"""'Kirim lewat flashdisk' in the UI: the dialog fits the screen, writes a bundle the office key
opens, says in Indonesian why a stick cannot be used, and the Kiriman page shows the route of
each batch and offers the stick when the server has not answered for a day."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from pytestqt.qtbot import QtBot

from desa_capil.services import usb_export
from desa_capil.store import batches, repo
from desa_capil.store.db import Database
from desa_capil.store.models import BatchRoute, utcnow
from desa_capil.sync import apply, usb_identity
from desa_capil.sync.worker import LAST_CONTACT_KEY
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext
from desa_capil.ui.pages.batches_page import COLUMNS, BatchesPage
from desa_capil.ui.usb_export_dialog import ExportDialog
from desa_capil.ui.widgets import screen_fit
from desa_capil.ui.widgets.format import format_datetime
from desa_capil.usbroute import KeySet, open_bundle
from tests.sync.helpers import make_batch
from tests.ui.test_dialog_fit import AREAS, assert_fits

WAIT = 30_000
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def office_keys(db: Database) -> KeySet:
    """The laptop knows its village, its device id and the office's public keys (as after an
    enrollment); the test keeps the office's private keys to open what was written."""
    office = KeySet.generate()
    repo.set_setting(db, "village_code", "53.14.01.2001")
    repo.set_setting(db, "device_id", "ab" * 16)
    usb_identity.save_office_keys(
        db, usb_identity.OfficeKeys(office.sign_public, office.box_public, "Disdukcapil")
    )
    return office


@pytest.fixture(autouse=True)
def _settle(qapp: object) -> Iterator[None]:
    yield
    tasks.wait_idle()


@pytest.fixture(params=list(AREAS))
def area(request: pytest.FixtureRequest) -> Iterator[QRect]:
    rect = AREAS[request.param]
    screen_fit.simulate_available_area(rect)
    yield rect
    screen_fit.simulate_available_area(None)


@pytest.mark.parametrize("purpose", ["send", "backup"])
def test_export_dialog_fits(qtbot: QtBot, ctx: AppContext, themed: None, area: QRect, purpose: str) -> None:
    make_batch(ctx.db, 1)
    dialog = ExportDialog(ctx, purpose=purpose)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        dialog.show()
    qtbot.waitExposed(dialog)
    texts = assert_fits(dialog, area)
    assert {"Tulis ke flashdisk", "Pilih folder…", "Tutup"} <= set(texts)
    dialog.close()


def _open(qtbot: QtBot, ctx: AppContext, **kw: Any) -> ExportDialog:
    dialog = ExportDialog(ctx, **kw)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        dialog.show()
    return dialog


def test_dialog_writes_the_ticked_batches(
    qtbot: QtBot, ctx: AppContext, office_keys: KeySet, tmp_path: Path
) -> None:
    (b1, _), (b2, _) = make_batch(ctx.db, 1), make_batch(ctx.db, 2)
    dialog = _open(qtbot, ctx)
    assert dialog.list.count() == 2 and dialog.chosen_ids() == [b1, b2]
    assert not dialog.write_button.isEnabled() or dialog.folder is not None
    dialog.set_folder(tmp_path)
    dialog.list.item(0).setCheckState(Qt.CheckState.Unchecked)  # only the second batch goes
    assert dialog.chosen_ids() == [b2] and dialog.write_button.isEnabled()
    assert "Dipilih 1 dari 2 kiriman" in dialog.summary.text()
    with qtbot.waitSignal(dialog.exported, timeout=WAIT) as sig:
        qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    result = sig.args[0]
    assert result.batch_ids == [b2] and result.path.parent == tmp_path
    assert "sudah ditulis dan diperiksa" in dialog.result_label.text() and not dialog.error.text()
    with open_bundle(result.path, box_private=office_keys.box, verify_key=None) as opened:
        assert [b["batch_id"] for b in opened.meta["batches"]] == [b2]
    # Listed again with the trip, still exportable until the office acknowledges it.
    qtbot.waitUntil(lambda: "sudah dibawa flashdisk" in dialog.list.item(1).text(), timeout=WAIT)
    dialog.close()


def test_dialog_names_the_batch_that_could_not_go(
    qtbot: QtBot, ctx: AppContext, office_keys: KeySet, tmp_path: Path
) -> None:
    """One batch with a lost page file: the others are written, the result text lists it."""
    (good, _), (lost, _) = make_batch(ctx.db, 2), make_batch(ctx.db, 1)
    ctx.db.blobs.delete(batches.documents(ctx.db, lost)[0].file_sha256 or "")
    dialog = _open(qtbot, ctx)
    dialog.set_folder(tmp_path)
    with qtbot.waitSignal(dialog.exported, timeout=WAIT) as sig:
        qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    assert sig.args[0].batch_ids == [good]
    text = dialog.result_label.text()
    assert "sudah ditulis dan diperiksa: 1 kiriman, 2 permohonan" in text
    assert "1 kiriman TIDAK ikut ke flashdisk" in text and "pindai ulang" in text
    assert not dialog.error.text()
    dialog.close()


@pytest.mark.parametrize(
    ("failure", "words"),
    [("read_only", "write-protect"), ("full", "Flashdisk penuh"), ("gone", "tidak ditemukan")],
)
def test_dialog_says_why_the_stick_cannot_be_used(
    qtbot: QtBot,
    ctx: AppContext,
    office_keys: KeySet,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
    words: str,
) -> None:
    bid, _ = make_batch(ctx.db, 1)
    stick = tmp_path / "FLASHDISK"
    stick.mkdir()
    if failure == "read_only":

        def refuse(*_a: Any, **_k: Any) -> Any:
            raise OSError(errno.EROFS, "Read-only file system")

        monkeypatch.setattr(usb_export, "open", refuse, raising=False)
    elif failure == "full":
        real = usb_export.shutil.disk_usage
        monkeypatch.setattr(usb_export.shutil, "disk_usage", lambda p: real(p)._replace(free=10))
    dialog = _open(qtbot, ctx)
    dialog.set_folder(stick)
    if failure == "gone":
        stick.rmdir()  # pulled after it was chosen
    dialog.write()
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=WAIT)
    assert words in dialog.error.text() and not dialog.busy
    assert dialog.write_button.isEnabled() is (failure != "gone" or dialog.folder is not None)
    assert all(r.stick_trips == [] for r in batches.batch_rows(ctx.db) if r.id == bid)
    dialog.close()


def _route_item(page: BatchesPage, batch_id: str) -> Any:
    for i in range(page.table.rowCount()):
        item = page.table.item(i, COLUMNS.index("route"))
        if item is not None and item.data(Qt.ItemDataRole.UserRole) == batch_id:
            return item
    raise AssertionError(batch_id)


def _route(page: BatchesPage, batch_id: str) -> str:
    return str(_route_item(page, batch_id).text())


def _state(page: BatchesPage, batch_id: str) -> str:
    row = _route_item(page, batch_id).row()
    return str(page.table.item(row, COLUMNS.index("state")).text())


def _route_tip(page: BatchesPage, batch_id: str) -> str:
    return str(_route_item(page, batch_id).toolTip())


def test_kiriman_page_shows_the_route_and_offers_the_stick_after_a_day(
    qtbot: QtBot, ctx: AppContext, office_keys: KeySet
) -> None:
    db = ctx.db
    (online, _), (stick, _), (by_stick, _), (waiting, _) = (make_batch(db, 1) for _ in range(4))
    now = utcnow()
    batches.acknowledge(db, online, via=BatchRoute.ONLINE, received_at=now)
    batches.record_stick_trip(db, [stick, by_stick], bundle_id="b1", file_name="k.dcb", at=now)
    batches.acknowledge(db, by_stick, via=BatchRoute.STICK, received_at=now)
    # In contact an hour ago: no offer.
    apply.write_state(db, LAST_CONTACT_KEY, (now - timedelta(hours=1)).isoformat())
    page = BatchesPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    qtbot.waitUntil(lambda: page.table.rowCount() == 4, timeout=WAIT)
    today = "-".join(format_datetime(now).split(" ")[0].split("-")[:2])
    assert _route(page, online) == f"Internet {today}" and _state(page, online) == "Diterima Disdukcapil"
    assert _route(page, by_stick) == f"Flashdisk {today}" and _state(page, by_stick) == "Diterima Disdukcapil"
    assert _route(page, stick) == f"Flashdisk {today}" and _state(page, stick) == "Menunggu konfirmasi"
    assert _route(page, waiting) == "Internet" and _state(page, waiting) == "Menunggu dikirim"
    tip = _route_tip(page, by_stick)
    assert "Dibawa flashdisk" in tip and "konfirmasi lewat flashdisk" in tip
    assert not page.offer_box.isVisibleTo(page)
    # The server has not answered for more than a day: the stick is offered.
    apply.write_state(db, LAST_CONTACT_KEY, (now - timedelta(hours=25)).isoformat())
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.refresh()
    assert page.offer_box.isVisibleTo(page)
    assert (
        "Server tidak terjangkau sejak" in page.offer_label.text()
        and "2 kiriman menunggu" in page.offer_label.text()
    )
    # Once nothing waits, no offer even without a link.
    for bid in (stick, waiting):
        batches.acknowledge(db, bid, via=BatchRoute.STICK, received_at=now)
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.refresh()
    assert not page.offer_box.isVisibleTo(page)


def test_stick_offer_rules(db: Database) -> None:
    assert usb_export.stick_offer(db) is None  # nothing waits
    bid, _ = make_batch(db, 1)
    now = utcnow()
    # Never in contact: offered a day after the oldest waiting batch was sealed.
    assert usb_export.stick_offer(db, now) is None
    offer = usb_export.stick_offer(db, now + timedelta(days=1, minutes=1))
    assert offer is not None and offer.since is None and offer.waiting == 1
    apply.write_state(db, LAST_CONTACT_KEY, now.isoformat())
    assert usb_export.stick_offer(db, now + timedelta(hours=23)) is None
    offer = usb_export.stick_offer(db, now + timedelta(hours=24, minutes=1))
    assert offer is not None and offer.since is not None
    batches.acknowledge(db, bid, via=BatchRoute.ONLINE, received_at=now)
    assert usb_export.stick_offer(db, now + timedelta(days=5)) is None


def test_flashdisk_menu_opens_the_export_and_the_backup(qtbot: QtBot, ctx: AppContext) -> None:
    bid, _ = make_batch(ctx.db, 1)
    page = BatchesPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT)
    names = [a.objectName() for a in page.usb_button.menu().actions()]
    assert names[:2] == ["usbExportAction", "usbBackupAction"] and "usbReceiveAction" in names
    page.table.selectRow(0)
    page.stick_action.trigger()
    dialog = page.findChild(ExportDialog)
    assert dialog is not None and dialog.windowTitle() == "Kirim lewat flashdisk"
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=WAIT)
    assert dialog.chosen_ids() == [bid]
    dialog.close()
    page.backup_action.trigger()
    backups = [d for d in page.findChildren(ExportDialog) if d.purpose == "backup"]
    assert backups and backups[0].windowTitle() == "Cadangkan kiriman yang belum terkirim"
    backups[0].close()


def test_backup_seals_the_ready_applications_first(
    qtbot: QtBot, ctx: AppContext, office_keys: KeySet, tmp_path: Path
) -> None:
    from tests.sync.test_ui import ready_with_real_pages

    sealed, _ = make_batch(ctx.db, 1)
    ready = ready_with_real_pages(ctx.db)
    dialog = _open(qtbot, ctx, purpose="backup")
    assert dialog.seal_ready.isVisibleTo(dialog) and "Segel dulu 1 permohonan" in dialog.seal_ready.text()
    dialog.set_folder(tmp_path)
    with qtbot.waitSignal(dialog.exported, timeout=WAIT) as sig:
        qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    result = sig.args[0]
    assert (
        result.path.name.startswith("cadangan-") and len(result.batch_ids) == 2 and sealed in result.batch_ids
    )
    with open_bundle(result.path, box_private=office_keys.box, verify_key=None) as opened:
        carried = {str(a["id"]) for b in opened.meta["batches"] for a in b["manifest"]["applications"]}
        assert ready in carried and opened.meta["purpose"] == "backup"
    dialog.close()
