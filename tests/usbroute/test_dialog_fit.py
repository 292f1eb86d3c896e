"""The USB dialogs fit a 1366x768 screen at 100/125/150 % and the 800x440 minimum."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from desa_capil.ui.context import AppContext
from desa_capil.ui.widgets import screen_fit
from tests.ui.test_dialog_fit import AREAS, assert_fits


@pytest.fixture(params=list(AREAS))
def area(request: pytest.FixtureRequest) -> Iterator[QRect]:
    rect = AREAS[request.param]
    screen_fit.simulate_available_area(rect)
    yield rect
    screen_fit.simulate_available_area(None)


def _make(name: str, ctx: AppContext) -> QDialog:
    if name == "receive":
        from desa_capil.ui.usb_receive_dialog import ReceiveDialog

        return ReceiveDialog(ctx)
    if name == "relay":
        from desa_capil.ui.usb_relay_dialog import RelayDialog

        return RelayDialog(ctx)
    from desa_capil.ui.usb_enroll_dialog import EnrollFromStickDialog

    return EnrollFromStickDialog(ctx)


@pytest.mark.parametrize("name", ["receive", "relay", "enroll"])
def test_usb_dialog_fits(
    qtbot: QtBot, ctx: AppContext, themed: None, area: QRect, name: str, tmp_path: Path
) -> None:
    dialog = _make(name, ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    texts = assert_fits(dialog, area)
    assert {"Pilih folder…", "Pilih berkas…"} <= set(texts)
    assert any(t in texts for t in ("Terima", "Kirim ke kantor", "Daftarkan"))
    dialog.close()
