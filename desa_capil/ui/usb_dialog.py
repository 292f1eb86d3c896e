"""StickFileDialog: the skeleton the USB stick dialogs share.

"Terima dari flashdisk" (``ReceiveDialog``), "Titip kirim" (``RelayDialog``) and "Daftarkan
dari flashdisk" (``EnrollFromStickDialog``) are the same dialog around one file on a stick: an
intro, the file picker, room for the dialog's own fields, a result line and an error line, the
action button and a close button, and a busy flag that keeps the action off while the work
runs in the background. A subclass gives its texts and implements `act()`:

    class RelayDialog(StickFileDialog):
        def __init__(self, ctx, parent=None):
            super().__init__(ctx, parent, StickTexts(
                title=self.tr("Titip kirim"), intro=self.tr("..."), filter=self.tr("... (*.dcb)"),
                action=self.tr("Kirim ke kantor")), suffixes=(".dcb",), describe=describe_relay,
                name="usbRelay")

Translations: every text a subclass shows is passed in, translated with the subclass's own
``self.tr`` (context ``RelayDialog``, ...), exactly as before this base existed. The base's own
words ("Tutup", "Batal") use ``QCoreApplication.translate`` with the fixed context
``StickFileDialog``, the context lupdate files them under: the lookup then does not depend on
how the binding picks the context of a ``self.tr`` written in a base class (this PySide6 walks
the class hierarchy; a binding using the run-time class name would miss them). Checked in both
languages by tests/ui/test_usb_dialogs.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSize, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from desa_capil.errors import UserError
from desa_capil.ui.context import AppContext
from desa_capil.ui.errors import handle_exception
from desa_capil.ui.i18n import lang
from desa_capil.ui.usb_files import FileChoice, StickFilePicker
from desa_capil.ui.widgets.screen_fit import fit_window

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StickTexts:
    """A stick dialog's words, already translated by the subclass."""

    title: str
    intro: str
    filter: str  # the file dialog's filter, e.g. "Berkas dari kantor (*.dcb)"
    action: str  # the action button: "Terima", "Kirim ke kantor", "Daftarkan"


class StickFileDialog(QDialog):
    """One file on a stick, one action (see the module docstring).

    Attributes for subclasses and tests: ``picker``, ``body`` (a layout between the picker and
    the result line for the dialog's own fields), ``result_label``, ``error``, ``buttons``,
    ``action_button``, ``close_button``, ``busy``.

    `name` prefixes the object names ("usbReceive" gives usbReceiveDialog, usbReceiveButton,
    usbReceiveResult); the close button is ``usbCloseButton`` ("Tutup") or, for a dialog that
    closes by itself once done (``closes_when_done``), ``usbCancelButton`` ("Batal").
    """

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None,
        texts: StickTexts,
        *,
        suffixes: tuple[str, ...],
        describe: Callable[[Path], FileChoice],
        name: str,
        closes_when_done: bool = False,
        minimum: tuple[int, int] = (480, 300),
        preferred: tuple[int, int] = (720, 440),
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}Dialog")
        self.ctx = ctx
        self.busy = False
        self.setWindowTitle(texts.title)
        layout = QVBoxLayout(self)
        intro = QLabel(texts.intro, self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.picker = StickFilePicker(suffixes, describe, texts.filter, self)
        layout.addWidget(self.picker, 1)
        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.body)
        self.result_label = QLabel(self)
        self.result_label.setObjectName(f"{name}Result")
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(self)
        self.action_button = QPushButton(texts.action, self)
        self.action_button.setObjectName(f"{name}Button")
        self.action_button.setDefault(True)
        self.action_button.setEnabled(False)
        role = QDialogButtonBox.ButtonRole
        self.buttons.addButton(self.action_button, role.AcceptRole if closes_when_done else role.ActionRole)
        close_text = (
            QCoreApplication.translate("StickFileDialog", "Batal")
            if closes_when_done
            else QCoreApplication.translate("StickFileDialog", "Tutup")
        )
        self.close_button = self.buttons.addButton(close_text, role.RejectRole)
        self.close_button.setObjectName("usbCancelButton" if closes_when_done else "usbCloseButton")
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        # Bound methods only: a lambda holding the dialog, connected to its own child's signal,
        # once let the cyclic GC delete a wizard mid-call (see ui/first_run.py).
        self.action_button.clicked.connect(self._action_clicked)
        self.picker.selection_changed.connect(self._selection)
        self.setMinimumSize(QSize(*minimum))
        fit_window(self, QSize(*preferred))

    # --- for subclasses -----------------------------------------------------------------------

    def act(self) -> None:
        """The action on the chosen file (in the background, through `begin`/`succeeded`/`failed`)."""
        raise NotImplementedError

    def can_act(self) -> bool:
        """Whether the action button is on (a file chosen and nothing running, by default)."""
        return not self.busy and self.picker.selected() is not None

    def begin(self, running_text: str) -> None:
        """The work starts: the action is off, the last error cleared, `running_text` shown."""
        self.busy = True
        self.update_action()
        self.error.clear()
        self.result_label.setText(running_text)

    def succeeded(self, text: str) -> None:
        """The work is done: `text` as the result."""
        self.busy = False
        self.update_action()
        self.error.clear()
        self.result_label.setText(text)

    def failed(self, exc: BaseException) -> None:
        """The work failed: a known reason (UserError) on the error line, a bug to the crash dialog."""
        self.busy = False
        self.update_action()
        self.result_label.clear()
        if isinstance(exc, UserError):
            log.info("%s refused: %s", self.objectName(), exc.detail or exc.message_en)
            self.error.setText(exc.message(lang()))
        else:
            self.error.clear()
            handle_exception(self, exc)

    @Slot()
    def update_action(self) -> None:
        self.action_button.setEnabled(self.can_act())

    # --- wiring -------------------------------------------------------------------------------

    @Slot()
    def _action_clicked(self) -> None:
        self.act()

    @Slot(str)
    def _selection(self, _path: str) -> None:
        self.selection_changed()
        self.update_action()

    def selection_changed(self) -> None:
        """Called when another file is chosen (before the action button is updated)."""
