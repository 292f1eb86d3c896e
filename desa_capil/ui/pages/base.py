"""What the pages over local data share: reload when that data changes, but only on screen."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget


class LazyPage(QWidget):
    """A page over local data. It reloads on ``ctx.data_changed`` while on screen; while hidden
    (another page, or the window not shown yet) it only notes that it is stale and reloads when
    shown, so a sync that touches many records costs no queries for pages nobody looks at.

    A subclass implements `refresh()`, which sets `_dirty` to False when it starts loading, and
    connects `_on_data_changed` to the signals that change its data at the end of `__init__`.
    """

    _dirty = False

    def refresh(self) -> None:
        raise NotImplementedError

    @Slot()
    def _on_data_changed(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()
