"""ExportDialog ("Kirim lewat flashdisk"): sealed batches written to a stick for the office.

The user ticks the batches to carry (every batch the office has not acknowledged is listed and
ticked; one already carried on a stick says so and can be carried again), picks a removable
drive (``usb_files.removable_drives``, QStorageInfo) or any folder, and presses "Tulis ke
flashdisk". The work runs in the background (``services.usb_export.export``): the file is
written under a hidden temporary name, read back and verified, then renamed, and only then the
batches are marked "dibawa flashdisk". A full, write-protected or pulled stick gets a plain
Indonesian message and nothing is marked.

The same dialog with ``purpose="backup"`` is "Cadangkan kiriman yang belum terkirim" (pindah
laptop, a broken laptop): every unacknowledged batch and every unsent event, imported at the
office like any stick trip.

Signals:
    exported(object): the ``ExportResult`` after a bundle was written and verified.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desa_capil.errors import UserError
from desa_capil.services import usb_export
from desa_capil.services.changes import Changes, some
from desa_capil.services.sealing import can_seal, seal
from desa_capil.store import batches, repo
from desa_capil.ui.context import AppContext
from desa_capil.ui.errors import handle_exception
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.usb_files import removable_drives
from desa_capil.ui.widgets.format import format_bytes, format_datetime
from desa_capil.ui.widgets.screen_fit import fit_window

log = logging.getLogger(__name__)


class ExportDialog(QDialog):
    """Kirim lewat flashdisk (see the module docstring)."""

    exported = Signal(object)
    loaded = Signal()

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        preselect: list[str] | None = None,
        purpose: str = "send",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("usbExportDialog")
        self.ctx = ctx
        self.purpose = purpose
        self.preselect = set(preselect or [])
        self._sealed_first: frozenset[str] = frozenset()  # sealed by the export under way
        self.busy = False
        self.folder: Path | None = None
        backup = purpose == "backup"
        self.setWindowTitle(
            self.tr("Cadangkan kiriman yang belum terkirim") if backup else self.tr("Kirim lewat flashdisk")
        )
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Semua kiriman dan catatan yang belum diterima kantor ditulis ke satu berkas di "
                "flashdisk, terkunci untuk kantor Disdukcapil. Bawa ke kantor bila laptop ini dipindah, "
                "rusak, atau dicabut: tidak ada yang hilang dan kantor tidak mencatatnya dua kali."
            )
            if backup
            else self.tr(
                "Pilih kiriman yang dibawa, lalu flashdisk tujuannya. Berkasnya terkunci untuk kantor "
                "Disdukcapil (flashdisk yang hilang tidak membocorkan data) dan diperiksa ulang setelah "
                "ditulis. Kiriman bisa dibawa lagi selama kantor belum menerimanya."
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.list = QListWidget(self)
        self.list.setObjectName("usbExportBatches")
        self.list.setMinimumHeight(70)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.list, 1)
        self.summary = QLabel(self)
        self.summary.setObjectName("fieldHint")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        # Backup: applications ready but not sealed have no manifest yet; sealed first on request.
        self.seal_ready = QCheckBox(self)
        self.seal_ready.setObjectName("usbSealReady")
        self.seal_ready.setChecked(True)
        self.seal_ready.hide()
        self.ready_ids: list[str] = []
        layout.addWidget(self.seal_ready)

        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Flashdisk"), self))
        self.drives = QComboBox(self)
        self.drives.setObjectName("usbDrives")
        self.drives.setMinimumWidth(180)
        row.addWidget(self.drives, 1)
        self.folder_button = QPushButton(self.tr("Pilih folder…"), self)
        self.folder_button.setObjectName("usbPickFolder")
        row.addWidget(self.folder_button)
        self.refresh_button = QPushButton(self.tr("Muat ulang"), self)
        self.refresh_button.setToolTip(self.tr("Baca lagi daftar flashdisk yang tercolok"))
        row.addWidget(self.refresh_button)
        layout.addLayout(row)
        self.where = QLabel(self)
        self.where.setObjectName("fieldHint")
        self.where.setWordWrap(True)
        layout.addWidget(self.where)

        self.progress = QProgressBar(self)
        self.progress.setObjectName("usbExportProgress")
        self.progress.setTextVisible(True)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("usbExportResult")
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)

        self.buttons = QDialogButtonBox(self)
        self.write_button = QPushButton(self.tr("Tulis ke flashdisk"), self)
        self.write_button.setObjectName("usbWriteButton")
        self.write_button.setProperty("primary", True)
        self.write_button.setDefault(True)
        self.write_button.setEnabled(False)
        self.buttons.addButton(self.write_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = self.buttons.addButton(self.tr("Tutup"), QDialogButtonBox.ButtonRole.RejectRole)
        close.setObjectName("usbCloseButton")
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.write_button.clicked.connect(self.write)
        self.seal_ready.toggled.connect(lambda _on: self._update())
        self.folder_button.clicked.connect(self._pick_folder)
        self.refresh_button.clicked.connect(self.refresh_drives)
        self.drives.currentIndexChanged.connect(self._drive_chosen)
        self.list.itemChanged.connect(lambda _it: self._update())
        self.setMinimumSize(QSize(480, 320))
        fit_window(self, QSize(720, 520))
        self.refresh_drives()
        self.load()

    # --- the batches ----------------------------------------------------------------------------

    def load(self) -> None:
        db = self.ctx.db

        def op(_p: Progress) -> tuple[list[batches.BatchRow], usb_export.Plan, list[str]]:
            ids = set(batches.exportable(db))
            rows = [r for r in batches.batch_rows(db, limit=100_000) if r.id in ids]
            return rows, usb_export.plan(db), [a for a in repo.ready_application_ids(db) if can_seal(db, a)]

        run_op(self, op, on_success=self._loaded, db=True)

    def _loaded(self, data: tuple[list[batches.BatchRow], usb_export.Plan, list[str]]) -> None:
        rows, plan, ready = data
        self.ready_ids = ready if self.purpose == "backup" else []
        self.seal_ready.setText(
            self.tr("Segel dulu %1 permohonan yang siap dikirim, supaya ikut dicadangkan").replace(
                "%1", str(len(self.ready_ids))
            )
        )
        self.seal_ready.setVisible(bool(self.ready_ids))
        self.list.blockSignals(True)
        self.list.clear()
        for r in sorted(rows, key=lambda r: r.sealed_at):
            text = (
                self.tr("Disegel %1 — %2 permohonan, %3 halaman, %4")
                .replace("%1", format_datetime(r.sealed_at))
                .replace("%2", str(r.application_count))
                .replace("%3", str(r.page_count))
                .replace("%4", format_bytes(r.total_bytes))
            )
            if r.last_stick_at is not None:
                text += "\n" + self.tr("(sudah dibawa flashdisk %1, belum ada konfirmasi kantor)").replace(
                    "%1", format_datetime(r.last_stick_at)
                )
            item = QListWidgetItem(text, self.list)
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, r.total_bytes)
            if self.purpose == "backup":
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
            else:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                ticked = not self.preselect or r.id in self.preselect
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self.events = plan.events
        self._update()
        self.loaded.emit()

    def chosen_ids(self) -> list[str]:
        return [
            str(self.list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _chosen_bytes(self) -> int:
        return sum(
            int(self.list.item(i).data(Qt.ItemDataRole.UserRole + 1) or 0)
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        )

    def _update(self) -> None:
        ids = self.chosen_ids()
        events = getattr(self, "events", 0)
        if self.list.count() == 0:
            self.summary.setText(
                self.tr("Tidak ada kiriman yang menunggu kantor.")
                + (
                    " " + self.tr("%1 catatan (diterima/diserahkan) ikut ditulis.").replace("%1", str(events))
                    if events
                    else ""
                )
            )
        else:
            text = (
                self.tr("Dipilih %1 dari %2 kiriman, sekitar %3.")
                .replace("%1", str(len(ids)))
                .replace("%2", str(self.list.count()))
                .replace("%3", format_bytes(self._chosen_bytes()))
            )
            if events:
                text += " " + self.tr("%1 catatan (diterima/diserahkan) ikut ditulis.").replace(
                    "%1", str(events)
                )
            self.summary.setText(text)
        sealing = bool(self.ready_ids) and self.seal_ready.isChecked()
        can = (bool(ids) or bool(events) or sealing) and self.folder is not None and not self.busy
        self.write_button.setEnabled(can)

    # --- the destination --------------------------------------------------------------------------

    @Slot()
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
        self.set_folder(Path(str(root)) if root else None)

    @Slot()
    def _pick_folder(self) -> None:
        start = str(self.folder) if self.folder else ""
        folder = QFileDialog.getExistingDirectory(self, self.tr("Pilih folder tujuan"), start)
        if folder:
            self.set_folder(Path(folder))

    def set_folder(self, folder: Path | None) -> None:
        self.folder = folder
        if folder is None:
            self.where.setText(self.tr("Colokkan flashdisk, atau pilih folder tujuan."))
        else:
            try:
                free = format_bytes(shutil.disk_usage(folder).free)
            except OSError:
                free = "?"
            self.where.setText(
                self.tr("Ditulis ke: %1 (ruang kosong %2)").replace("%1", str(folder)).replace("%2", free)
            )
        self._update()

    # --- writing ----------------------------------------------------------------------------------

    STEPS = ("seal", "check", "collect", "write", "record")

    def _step_text(self, step: str) -> str:
        return {
            "seal": self.tr("Menyegel permohonan yang siap…"),
            "check": self.tr("Memeriksa flashdisk…"),
            "collect": self.tr("Mengumpulkan berkas kiriman…"),
            "write": self.tr("Menulis dan memeriksa ulang berkas… jangan cabut flashdisk"),
            "record": self.tr("Mencatat kiriman…"),
        }.get(step, step)

    def write(self) -> None:
        """Write the bundle in the background."""
        folder = self.folder
        if folder is None or self.busy:
            return
        ids: list[str] | None = self.chosen_ids()
        db, paths, purpose, operator = self.ctx.db, self.ctx.paths, self.purpose, self.ctx.operator_id
        seal_first = list(self.ready_ids) if self.ready_ids and self.seal_ready.isChecked() else []
        if purpose == "backup":
            ids = None  # every unacknowledged batch, including the ones sealed now
        self.busy = True
        self._update()
        self.error.clear()
        self.result_label.clear()
        self.progress.setRange(0, len(self.STEPS))
        self.progress.setValue(0)
        self.progress.show()
        steps = self.STEPS
        self._sealed_first = frozenset(seal_first)

        def op(p: Progress) -> usb_export.ExportResult:
            def say(step: str) -> None:
                p.report(steps.index(step) if step in steps else 0, len(steps), step)

            if seal_first:
                say("seal")
                seal(db, seal_first, operator)
            return usb_export.export(db, paths, folder, ids, purpose=purpose, progress=say)

        run_op(self, op, on_success=self._done, on_failure=self._failed, on_progress=self._progress, db=True)

    def _progress(self, done: int, total: int, step: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.setFormat(self._step_text(step))

    def _done(self, result: usb_export.ExportResult) -> None:
        self.busy = False
        self.progress.setValue(self.progress.maximum())
        self.progress.setFormat(self.tr("Selesai"))
        self.result_label.setText(
            self.tr(
                "Berkas %1 (%2) sudah ditulis dan diperiksa: %3 kiriman, %4 permohonan, %5 catatan. "
                "Cabut flashdisk dengan aman (Safely Remove / Eject), lalu bawa ke kantor Disdukcapil."
            )
            .replace("%1", result.path.name)
            .replace("%2", format_bytes(result.size))
            .replace("%3", str(len(result.batch_ids)))
            .replace("%4", str(result.applications))
            .replace("%5", str(result.events))
            + ("\n\n" + result.skipped_text(lang()) if result.skipped else "")
        )
        # The batches now show their trip by stick; events that went along leave the outbox.
        self.ctx.notify(
            Changes(
                applications=self._sealed_first,
                batches=frozenset(result.batch_ids),
                events=some(result.events),
            )
        )
        self.exported.emit(result)
        self.load()
        self.set_folder(self.folder)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.progress.hide()
        self._update()
        # The applications sealed before the export failed are in a batch now (kept).
        self.ctx.notify(Changes(applications=self._sealed_first))
        if isinstance(exc, UserError):
            log.info("usb export refused: %s", exc.detail or exc.message_en)
            self.error.setText(exc.message(lang()))
        else:
            handle_exception(self, exc)
