"""Several files imported at once: which file is which paper.

The operator scans the resident's papers in one go (a scanner that saves one file per paper, or
photos) and picks them all in the file dialog. Each file is suggested for the next paper that
has no pages yet, in the order of the checklist (the order papers are usually scanned in); a
combo box per file changes it, and one button puts them all into the paper selected now (the
pages of one paper scanned as separate files).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desa_capil.ui.widgets.screen_fit import ScrollBody, fit_window


@dataclass(frozen=True)
class PaperChoice:
    code: str
    name: str
    has_pages: bool


def suggest(files: list[str], papers: list[PaperChoice], current: str) -> list[str]:
    """A paper code for each file: the papers without pages in checklist order, starting at the
    selected one; files beyond them go to the last paper suggested (or the selected one)."""
    start = next((i for i, p in enumerate(papers) if p.code == current), 0)
    ordered = papers[start:] + papers[:start]
    empty = [p.code for p in ordered if not p.has_pages]
    out: list[str] = []
    for i in range(len(files)):
        if i < len(empty):
            out.append(empty[i])
        else:
            out.append(out[-1] if out else current)
    return out


class AssignFilesDialog(QDialog):
    """One row per file with the paper it goes to. `assignment()` after accept."""

    def __init__(
        self, files: list[str], papers: list[PaperChoice], current: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("assignFilesDialog")
        self.setWindowTitle(self.tr("Berkas untuk kertas yang mana?"))
        self.files = list(files)
        self.papers = papers
        self.current = current

        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 18, 20, 16)
        outer.setSpacing(10)
        intro = QLabel(
            self.tr(
                "{0} berkas dipilih. Tiap berkas diusulkan untuk kertas berikutnya yang belum ada "
                "halamannya, sesuai urutan daftar. Ubah bila perlu, lalu tekan Masukkan."
            ).replace("{0}", str(len(files))),
            self,
        )
        intro.setWordWrap(True)
        outer.addWidget(intro)

        body = QWidget(self)
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 0, 6, 0)
        grid.setHorizontalSpacing(12)
        grid.setColumnStretch(1, 1)
        self.combos: list[QComboBox] = []
        for row, (path, code) in enumerate(zip(files, suggest(files, papers, current), strict=True)):
            name = QLabel(Path(path).name, body)
            name.setToolTip(path)
            combo = QComboBox(body)
            combo.setObjectName(f"paperFor{row}")
            for p in papers:
                combo.addItem(p.name, p.code)
            combo.setCurrentIndex(combo.findData(code))
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(18)
            grid.addWidget(name, row, 0)
            grid.addWidget(combo, row, 1)
            self.combos.append(combo)
        outer.addWidget(ScrollBody(body, self), 1)

        buttons = QHBoxLayout()
        current_name = next((p.name for p in papers if p.code == current), "")
        self.all_here = QPushButton(self.tr("Semua ke kertas terpilih"), self)
        self.all_here.setObjectName("allToCurrent")
        self.all_here.setToolTip(
            self.tr("Semua berkas menjadi halaman \u201c{0}\u201d").replace("{0}", current_name)
        )
        self.all_here.setAutoDefault(False)
        self.all_here.clicked.connect(self.all_to_current)
        cancel = QPushButton(self.tr("Batal"), self)
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        self.ok = QPushButton(self.tr("Masukkan"), self)
        self.ok.setObjectName("assignOk")
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.accept)
        buttons.addWidget(self.all_here)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok)
        outer.addLayout(buttons)
        self.ok.setFocus(Qt.FocusReason.OtherFocusReason)
        fit_window(self, self.sizeHint().expandedTo(self.minimumSizeHint()))

    def all_to_current(self) -> None:
        for combo in self.combos:
            combo.setCurrentIndex(combo.findData(self.current))

    def assignment(self) -> list[tuple[str, str]]:
        """(paper code, file path) in the order the files were chosen."""
        return [(c.currentData(), f) for c, f in zip(self.combos, self.files, strict=True)]
