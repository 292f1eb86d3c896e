"""A watched folder: files a scanner (or a phone over USB) drops there become pages.

Many office scanners have a "scan to folder" button and write the file slowly; a file is
taken only when it has stopped growing, so a half-written JPEG is never imported. Files that
were already in the folder when watching started are left alone.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

log = logging.getLogger(__name__)

#: Extensions worth looking at; the scan package decides by content, this only skips the
#: temporary and sidecar files scanner software writes next to its pages.
EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".gif", ".pdf"})


class FolderWatch(QObject):
    """Watches one folder for new page files.

    Signals:
        file_ready(str): path of a new file whose size has stopped changing.
        stopped(): the folder disappeared or watching was stopped.
    """

    file_ready = Signal(str)
    stopped = Signal()

    def __init__(self, parent: QObject | None = None, *, settle_ms: int = 600) -> None:
        super().__init__(parent)
        self.folder: Path | None = None
        self._seen: set[str] = set()
        self._pending: dict[str, tuple[int, int]] = {}  # path -> (last size, unchanged checks)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._scan)
        self._timer = QTimer(self)
        self._timer.setInterval(settle_ms)
        self._timer.timeout.connect(self._tick)

    @property
    def active(self) -> bool:
        return self.folder is not None

    def start(self, folder: str | Path) -> None:
        self.stop(emit=False)
        path = Path(folder)
        self.folder = path
        self._seen = {str(p) for p in self._candidates()}
        self._pending.clear()
        if not self._watcher.addPath(str(path)):
            log.warning("cannot watch %s; polling only", path)
        # The timer also rescans: some file systems (network shares, some USB phones) send no
        # change notifications at all.
        self._timer.start()

    def stop(self, *, emit: bool = True) -> None:
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        self._timer.stop()
        was = self.folder is not None
        self.folder = None
        self._pending.clear()
        if was and emit:
            self.stopped.emit()

    def _candidates(self) -> list[Path]:
        if self.folder is None:
            return []
        try:
            return [
                p
                for p in self.folder.iterdir()
                if p.suffix.lower() in EXTENSIONS and not p.name.startswith(".") and p.is_file()
            ]
        except OSError:
            return []

    def _scan(self, *_args: object) -> None:
        if self.folder is None:
            return
        if not self.folder.is_dir():
            self.stop()
            return
        for p in self._candidates():
            key = str(p)
            if key not in self._seen and key not in self._pending:
                self._pending[key] = (-1, 0)

    def _tick(self) -> None:
        self._scan()
        for key, (last, same) in list(self._pending.items()):
            try:
                size = Path(key).stat().st_size
            except OSError:
                self._pending.pop(key, None)  # renamed or deleted while being written
                continue
            if size == last and size > 0:
                same += 1
            else:
                same = 0
            if same >= 1:
                self._pending.pop(key, None)
                self._seen.add(key)
                self.file_ready.emit(key)
            else:
                self._pending[key] = (size, same)
