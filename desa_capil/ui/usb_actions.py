"""The USB-route entry points of the Kiriman page: one "Flashdisk" button with a menu.

    header.add_action(usb_menu_button(page, ctx))

"Terima dari flashdisk…" opens ``ReceiveDialog`` (the office's return bundle); "Titip kirim…"
opens ``RelayDialog`` (another village's bundle, uploaded over this laptop's link). Other USB
actions (the export, "Kirim lewat flashdisk") join the same menu through ``menu()``.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QMenu, QToolButton, QWidget

from desa_capil.ui.context import AppContext


def open_receive(parent: QWidget, ctx: AppContext) -> QDialog:
    from desa_capil.ui.usb_receive_dialog import ReceiveDialog

    dialog = ReceiveDialog(ctx, parent)
    dialog.open()
    return dialog


def open_relay(parent: QWidget, ctx: AppContext) -> QDialog:
    from desa_capil.ui.usb_relay_dialog import RelayDialog

    dialog = RelayDialog(ctx, parent)
    dialog.open()
    return dialog


def usb_menu_button(parent: QWidget, ctx: AppContext) -> QToolButton:
    """A "Flashdisk" button whose menu holds the USB actions."""
    t = QCoreApplication.translate
    button = QToolButton(parent)
    button.setObjectName("usbMenuButton")
    button.setText(t("usb", "Flashdisk"))
    button.setToolTip(t("usb", "Kiriman lewat flashdisk untuk desa tanpa sinyal"))
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    menu.setObjectName("usbMenu")
    receive = menu.addAction(t("usb", "Terima dari flashdisk…"))
    receive.setObjectName("usbReceiveAction")
    receive.triggered.connect(lambda: open_receive(parent, ctx))
    relay = menu.addAction(t("usb", "Titip kirim (berkas desa lain)…"))
    relay.setObjectName("usbRelayAction")
    relay.triggered.connect(lambda: open_relay(parent, ctx))
    button.setMenu(menu)
    return button
