"""Taking in a request: the new-application wizard and the ways pages get into it.

``open_intake(ctx, parent)`` opens "Permohonan Baru"; with an ``application_id`` it reopens a
draft, a ready application or one the office sent back (needs_fix) for editing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from desa_capil.ui.context import AppContext
from desa_capil.ui.intake.wizard import IntakeWizard

# One window per application: asking to edit an application already open brings that window
# forward instead of opening a second editor on the same records.
_open: dict[str, IntakeWizard] = {}


def open_intake(ctx: AppContext, parent: QWidget | None, application_id: str | None = None) -> None:
    """Open the intake wizard (window-modal to `parent`); returns at once, saving is automatic."""
    if application_id and application_id in _open:
        w = _open[application_id]
        w.raise_()
        w.activateWindow()
        return
    wizard = IntakeWizard(ctx, parent, application_id)
    wizard.setWindowModality(Qt.WindowModality.WindowModal)
    key = application_id or f"new-{id(wizard)}"
    _open[key] = wizard
    wizard.finished.connect(lambda _r, k=key: _open.pop(k, None))
    wizard.show()


__all__ = ["IntakeWizard", "open_intake"]
