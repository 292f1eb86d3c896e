"""What the pages over local data share: reload when that data changes, but only on screen."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from desa_capil.services.changes import Changes
from desa_capil.ui.context import AppContext


class LazyPage(QWidget):
    """A page over local data. It reloads on the ``ctx.changed`` that concern it while on screen; while hidden
    (another page, or the window not shown yet) it only notes that it is stale and reloads when
    shown, so a sync that touches many records costs no queries for pages nobody looks at.

    A subclass implements `refresh()`, which sets `_dirty` to False when it starts loading,
    `concerns(changes)` saying which operations change what it shows, and calls `watch(ctx)` at
    the end of `__init__`: it then reloads on the ``ctx.changed`` that concern it (every
    operation, a sync pass included, says what it changed) and ignores the others.
    """

    _dirty = False
    # Reloads asked for (visible or marked stale) and operations ignored, for benchmarks/tests.
    reloads = 0
    ignored = 0

    def refresh(self) -> None:
        raise NotImplementedError

    def concerns(self, changes: Changes) -> bool:
        """Whether an operation's changes alter what this page shows (default: any does)."""
        return True

    def watch(self, ctx: AppContext) -> None:
        ctx.changed.connect(self._on_changes)

    @Slot(object)
    def _on_changes(self, changes: Changes) -> None:
        if self.concerns(changes):
            self._reload()
        else:
            self.ignored += 1

    def _reload(self) -> None:
        self.reloads += 1
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()
