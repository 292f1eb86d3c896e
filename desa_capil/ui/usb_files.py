"""Picking a file on a USB stick: the drives that look removable, the route files on them.

``StickFilePicker`` lists the mounted volumes that look like a stick (``removable_drives``),
finds the USB-route files on the chosen one (its top folder and one level down, hidden and
half-written ``.part`` files skipped), and describes each through a ``describe`` function given
by the dialog (a return bundle, another village's bundle, an enrollment file). "Pilih folder…"
and "Pilih berkas…" cover a stick the list does not show, or a file copied elsewhere.

Signals:
    selection_changed(str): the chosen file's path ("" when none can be used).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QStorageInfo, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desa_capil.ui.tasks import Progress, run_op

# Where desktops mount sticks: udisks (/media/<user>, /run/media/<user>), macOS (/Volumes).
# Not /mnt: fixed disks live there too (WSL's /mnt/c); such a stick is reached by "Pilih folder".
_STICK_ROOTS = ("/media/", "/run/media/", "/Volumes/")
MAX_FILES = 200  # a stick full of other things: the list stays short


# Short words for why a file cannot be read, shown in the list (the full message comes on "Terima").
REASON_WORDS = {
    "truncated": QT_TRANSLATE_NOOP("usb", "terpotong"),
    "bad_signature": QT_TRANSLATE_NOOP("usb", "rusak atau diubah"),
    "format": QT_TRANSLATE_NOOP("usb", "bukan berkas kiriman"),
}


def reason_word(reason: str) -> str:
    """The short Indonesian (or English) word for a refusal reason code."""
    from PySide6.QtCore import QCoreApplication

    word = REASON_WORDS.get(reason)
    return QCoreApplication.translate("usb", word) if word else reason


@dataclass(frozen=True)
class FileChoice:
    """One file on the stick as the dialog sees it."""

    path: Path
    text: str  # what the list shows
    usable: bool = True  # False: shown greyed with ``text`` saying why


def removable_drives() -> list[tuple[str, str]]:
    """(label, root path) of mounted volumes that look like USB sticks, system disk excluded."""
    out = []
    system = (os.environ.get("SystemDrive", "C:") + "\\").upper()
    for vol in QStorageInfo.mountedVolumes():
        if not vol.isValid() or not vol.isReady():
            continue
        root = vol.rootPath()
        if sys.platform == "win32":
            looks = root.upper().replace("/", "\\") != system
        else:
            looks = any(root.startswith(p) for p in _STICK_ROOTS)
        if looks:
            name = vol.displayName() or root
            out.append((f"{name} ({root})" if name != root else root, root))
    return out


def find_files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Route files in ``folder`` and its sub-folders one level down, newest first."""
    found: list[Path] = []
    try:
        candidates = [folder, *[p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]]
    except OSError:
        return []
    for d in candidates:
        try:
            for p in d.iterdir():
                if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in suffixes:
                    found.append(p)
        except OSError:
            continue
        if len(found) >= MAX_FILES:
            break

    def mtime(p: Path) -> float:
        try:
            return p.stat().st_mtime
        except OSError:
            return 0.0

    return sorted(found, key=mtime, reverse=True)[:MAX_FILES]


class StickFilePicker(QWidget):
    """Drive list, "Pilih folder…", the files found, "Pilih berkas…" (see the module docstring)."""

    selection_changed = Signal(str)

    def __init__(
        self,
        suffixes: tuple[str, ...],
        describe: Callable[[Path], FileChoice],
        file_filter: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.suffixes = suffixes
        self.describe = describe
        self.file_filter = file_filter
        self.folder: Path | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.drives = QComboBox(self)
        self.drives.setObjectName("usbDrives")
        self.drives.setMinimumWidth(200)
        row.addWidget(QLabel(self.tr("Flashdisk"), self))
        row.addWidget(self.drives, 1)
        self.folder_button = QPushButton(self.tr("Pilih folder…"), self)
        self.folder_button.setObjectName("usbPickFolder")
        self.file_button = QPushButton(self.tr("Pilih berkas…"), self)
        self.file_button.setObjectName("usbPickFile")
        row.addWidget(self.folder_button)
        row.addWidget(self.file_button)
        layout.addLayout(row)
        self.files = QListWidget(self)
        self.files.setObjectName("usbFiles")
        self.files.setMinimumHeight(90)
        layout.addWidget(self.files, 1)
        self.empty = QLabel(self)
        self.empty.setObjectName("fieldHint")
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)
        self.drives.currentIndexChanged.connect(self._drive_chosen)
        self.folder_button.clicked.connect(self._pick_folder)
        self.file_button.clicked.connect(self._pick_file)
        self.files.currentItemChanged.connect(self._item_changed)
        self.refresh_drives()

    # --- drives and folders ----------------------------------------------------------------------

    def refresh_drives(self) -> None:
        self.drives.blockSignals(True)
        self.drives.clear()
        for label, root in removable_drives():
            self.drives.addItem(label, root)
        if self.drives.count() == 0:
            self.drives.addItem(self.tr("(tidak ada flashdisk terbaca; pakai Pilih folder…)"), "")
        self.drives.blockSignals(False)
        self._drive_chosen(0)

    @Slot(int)
    def _drive_chosen(self, index: int) -> None:
        root = self.drives.itemData(index)
        if root:
            self.show_folder(Path(str(root)))
        else:
            self._set_items([])

    @Slot()
    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Pilih folder di flashdisk"))
        if folder:
            self.show_folder(Path(folder))

    @Slot()
    def _pick_file(self) -> None:
        start = str(self.folder) if self.folder else ""
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Pilih berkas"), start, self.file_filter)
        if name:
            self.show_files([Path(name)])

    def show_folder(self, folder: Path) -> None:
        """List the route files in ``folder`` (read in the background: sticks can be slow)."""
        self.folder = folder
        self.empty.setText(self.tr("Membaca flashdisk…"))
        suffixes, describe = self.suffixes, self.describe

        def op(_p: Progress) -> list[FileChoice]:
            return [describe(p) for p in find_files(folder, suffixes)]

        run_op(self, op, on_success=self._set_items)

    def show_files(self, files: list[Path]) -> None:
        describe = self.describe
        run_op(self, lambda _p: [describe(p) for p in files], on_success=self._set_items)

    # --- the list -------------------------------------------------------------------------------

    def _set_items(self, choices: list[FileChoice]) -> None:
        self.files.clear()
        first_usable = -1
        for c in choices:
            it = QListWidgetItem(c.text)
            it.setData(Qt.ItemDataRole.UserRole, str(c.path))
            it.setToolTip(str(c.path))
            if not c.usable:
                it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEnabled & ~Qt.ItemFlag.ItemIsSelectable)
            elif first_usable < 0:
                first_usable = self.files.count()
            self.files.addItem(it)
        if not choices:
            self.empty.setText(
                self.tr("Tidak ada berkas yang cocok di sini. Pilih flashdisk atau folder lain.")
                if self.folder is not None
                else self.tr("Masukkan flashdisk, lalu pilih di atas.")
            )
        else:
            self.empty.setText("")
        if first_usable >= 0:
            self.files.setCurrentRow(first_usable)
        else:
            self.selection_changed.emit("")

    @Slot(QListWidgetItem, QListWidgetItem)
    def _item_changed(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        usable = current is not None and bool(current.flags() & Qt.ItemFlag.ItemIsEnabled)
        self.selection_changed.emit(str(current.data(Qt.ItemDataRole.UserRole)) if usable and current else "")

    def selected(self) -> Path | None:
        it = self.files.currentItem()
        if it is None or not it.flags() & Qt.ItemFlag.ItemIsEnabled:
            return None
        return Path(str(it.data(Qt.ItemDataRole.UserRole)))
