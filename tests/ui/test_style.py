"""The style sheet: a disabled button must look disabled, whatever its variant."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def _fill(button: QPushButton) -> QColor:
    # A pixel inside the rounded border, away from the text.
    image = button.grab().toImage()
    return image.pixelColor(6, image.height() // 2)


@pytest.mark.parametrize("variant", ["primary", "danger", "chip"])
def test_disabled_variant_looks_like_a_disabled_button(qtbot: QtBot, themed: None, variant: str) -> None:
    plain = QPushButton("Simpan")
    plain.setEnabled(False)
    button = QPushButton("Simpan")
    button.setProperty(variant, True)
    enabled = QPushButton("Simpan")
    enabled.setProperty(variant, True)
    for b in (plain, button, enabled):
        qtbot.addWidget(b)
        b.resize(140, 40)
        b.show()
    button.setEnabled(False)
    assert _fill(button) == _fill(plain)
    if variant == "primary":
        assert _fill(enabled) != _fill(button)
