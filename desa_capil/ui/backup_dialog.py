"""Backup to a USB stick and restore, in the UI: small widgets over ``desa_capil.backup``.

* ``BackupBanner`` (Beranda): the date of the last good backup; once a week has passed, a
  reminder with the "Cadangkan ke flashdisk" button.
* ``BackupSettingsGroup`` (Pengaturan): the same button, and "Pulihkan dari cadangan".
* ``RestoreDialog``: pick the stick, the backup (by date) and type the recovery code. It runs
  at start, before the database is opened (``restore_at_start``): on the first start of a new
  or reinstalled laptop, or on the next start after "Pulihkan" was asked for in Pengaturan.
  Restoring under an open database would pull the data from under every page.

The work runs in the background through ``ui.tasks.run_op``; the widgets only show it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desa_capil.backup import stick
from desa_capil.paths import AppPaths
from desa_capil.ui.context import AppContext
from desa_capil.ui.errors import handle_exception, known_error
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Op, Progress, run_op
from desa_capil.ui.theme import TONES

log = logging.getLogger(__name__)

RESTORE_REQUEST = "pulihkan-saat-mulai"  # a file in the data folder: restore at next start


class _Notifier(QObject):
    """changed(): a backup was made (the banner and the settings group reload)."""

    changed = Signal()


_notifier: _Notifier | None = None


def notifier() -> _Notifier:
    global _notifier
    if _notifier is None:
        _notifier = _Notifier()
    return _notifier


def _date_text(when: datetime) -> str:
    locale = QLocale(QLocale.Language.English if lang() == "en" else QLocale.Language.Indonesian)
    local = when.astimezone()
    return locale.toString(QDate(local.year, local.month, local.day), "dddd, d MMMM yyyy")


def start_backup(parent: QWidget, ctx: AppContext, folder: str | None = None) -> Op | None:
    """Ask for the stick (unless `folder` is given) and write a verified backup onto it."""
    if folder is None:
        folder = QFileDialog.getExistingDirectory(
            parent,
            QCoreApplication.translate("backup", "Pilih flashdisk (atau folder di flashdisk) untuk cadangan"),
        )
        if not folder:
            return None
    bar = QProgressBar(parent)
    bar.setWindowFlag(Qt.WindowType.Dialog)
    bar.setWindowModality(Qt.WindowModality.WindowModal)
    bar.setWindowTitle(QCoreApplication.translate("backup", "Mencadangkan ke flashdisk…"))
    bar.setMinimumWidth(360)
    bar.setRange(0, 0)
    bar.show()
    db, operator = ctx.db, ctx.operator_id

    def op(p: Progress) -> stick.BackupResult:
        return stick.create_backup(db, Path(folder), progress=p.report, operator_id=operator)

    def progress(done: int, total: int, _what: str) -> None:
        bar.setRange(0, total)
        bar.setValue(done)

    def finished() -> None:
        bar.close()
        bar.deleteLater()

    def ok(result: stick.BackupResult) -> None:
        finished()
        snap = result.snapshot
        assert snap is not None
        box = QMessageBox(
            QMessageBox.Icon.Information,
            QCoreApplication.translate("backup", "Cadangan selesai"),
            QCoreApplication.translate(
                "backup",
                "Cadangan sudah ditulis ke flashdisk dan sudah diperiksa: %1 permohonan, %2 berkas "
                "halaman. Simpan flashdisk itu di tempat lain dari laptop, terpisah dari kode "
                "pemulihan.",
            )
            .replace("%1", str(snap.counts.applications))
            .replace("%2", str(result.blobs_total)),
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setObjectName("backupDoneBox")
        box.open()
        notifier().changed.emit()

    def failed(exc: BaseException) -> None:
        finished()
        handle_exception(parent, exc)

    return run_op(parent, op, on_success=ok, on_failure=failed, on_progress=progress)


class BackupBanner(QFrame):
    """Beranda: when the last good backup was made; a reminder after a week without one.

    Signals:
        loaded(bool): the banner shows fresh facts; True when the reminder is on.
    """

    loaded = Signal(bool)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupBanner")
        self.ctx = ctx
        self.due = False
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 8, 14, 8)
        row.setSpacing(12)
        self.text = QLabel(self)
        self.text.setObjectName("backupText")
        self.text.setWordWrap(True)
        row.addWidget(self.text, 1)
        self.button = QPushButton(self.tr("Cadangkan ke flashdisk…"), self)
        self.button.setObjectName("backupNow")
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.clicked.connect(lambda: start_backup(self.window(), self.ctx))
        row.addWidget(self.button)
        notifier().changed.connect(self.refresh)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        db = self.ctx.db

        def op(_p: Progress) -> tuple[datetime | None, bool]:
            return stick.last_backup_at(db), stick.backup_due(db)

        run_op(self, op, on_success=self._show)

    def _show(self, result: tuple[datetime | None, bool]) -> None:
        last, due = result
        self.due = due
        if last is None:
            text = self.tr(
                "Data laptop ini belum pernah dicadangkan. Cadangkan ke flashdisk seminggu sekali."
            )
        elif due:
            text = self.tr(
                "Cadangan terakhir: %1, lebih dari seminggu lalu. Cadangkan ke flashdisk sekarang."
            ).replace("%1", _date_text(last))
        else:
            text = self.tr("Cadangan terakhir: %1.").replace("%1", _date_text(last))
        self.text.setText(text)
        tone = TONES["amber"] if due else TONES["slate"]
        border = "#f59e0b" if due else "#e2e8f0"
        self.setStyleSheet(
            f"QFrame#backupBanner {{ background: {tone.bg if due else 'transparent'}; border: 1px solid "
            f"{border}; border-radius: 10px; }} QFrame#backupBanner QLabel {{ color: {tone.fg}; "
            "background: transparent; }"
        )
        self.button.setProperty("primary", due)
        self.button.style().unpolish(self.button)
        self.button.style().polish(self.button)
        self.loaded.emit(due)


class BackupSettingsGroup(QGroupBox):
    """Pengaturan: back up now, or restore a backup (at the next start)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Cadangan ke flashdisk"), parent)
        self.setObjectName("backupGroup")
        self.ctx = ctx
        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 18)
        box.setSpacing(10)
        self.banner = BackupBanner(ctx, self)
        self.banner.button.hide()
        box.addWidget(self.banner)
        hint = QLabel(
            self.tr(
                "Cadangan terenkripsi: tanpa kode pemulihan isinya tidak bisa dibaca. Di laptop baru "
                "atau setelah Windows dipasang ulang, pulihkan dengan flashdisk itu dan kode pemulihan, "
                "lalu daftarkan laptop lagi ke Disdukcapil dengan kode pendaftaran baru."
            ),
            self,
        )
        hint.setObjectName("fieldHint")
        hint.setWordWrap(True)
        box.addWidget(hint)
        buttons = QHBoxLayout()
        self.backup_button = QPushButton(self.tr("Cadangkan ke flashdisk…"), self)
        self.backup_button.setObjectName("backupButton")
        self.backup_button.clicked.connect(lambda: start_backup(self.window(), self.ctx))
        self.restore_button = QPushButton(self.tr("Pulihkan dari cadangan…"), self)
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.clicked.connect(self.request_restore)
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        box.addLayout(buttons)

    @Slot()
    def request_restore(self) -> None:
        answer = QMessageBox.question(
            self,
            self.tr("Pulihkan dari cadangan"),
            self.tr(
                "Pemulihan dilakukan saat aplikasi dibuka, sebelum data dibuka. Data yang ada sekarang "
                "tidak dihapus: disisihkan ke folder 'sebelum-pulihkan'. Tutup aplikasi, pasang "
                "flashdisk cadangan, lalu buka aplikasi lagi. Lanjutkan?"
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            (self.ctx.paths.data / RESTORE_REQUEST).write_text("1\n", encoding="ascii")


class RestoreDialog(QDialog):
    """Pick a backup on a stick and bring it back with the recovery code.

    Signals:
        restored(object): the RestoreResult, after the data is in place (then the dialog closes).
    """

    restored = Signal(object)

    def __init__(self, paths: AppPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.paths = paths
        self.setWindowTitle(self.tr("Pulihkan dari cadangan flashdisk"))
        self.setMinimumWidth(520)
        box = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Pasang flashdisk cadangan, pilih foldernya, pilih cadangan menurut tanggal, lalu ketik "
                "kode pemulihan yang disimpan kepala desa."
            ),
            self,
        )
        intro.setWordWrap(True)
        box.addWidget(intro)
        pick = QHBoxLayout()
        self.folder_label = QLabel(self.tr("Belum ada folder dipilih."), self)
        self.folder_label.setWordWrap(True)
        choose = QPushButton(self.tr("Pilih flashdisk…"), self)
        choose.clicked.connect(self._choose)
        pick.addWidget(self.folder_label, 1)
        pick.addWidget(choose)
        box.addLayout(pick)
        self.snapshots = QComboBox(self)
        self.snapshots.setObjectName("restoreSnapshots")
        # Empty until a folder is chosen: say what will be listed (an empty box said nothing).
        self.snapshots.setPlaceholderText(self.tr("Cadangan menurut tanggal (pilih flashdisk dulu)"))
        box.addWidget(self.snapshots)
        self.code = QLineEdit(self)
        self.code.setObjectName("restoreCode")
        self.code.setPlaceholderText(self.tr("Kode pemulihan, mis. ABCDE-FGHIJ-…"))
        box.addWidget(self.code)
        self.progress = QProgressBar(self)
        self.progress.hide()
        box.addWidget(self.progress)
        self.message = QLabel("", self)
        self.message.setObjectName("restoreMessage")
        self.message.setWordWrap(True)
        box.addWidget(self.message)
        self.buttons = QDialogButtonBox(self)
        self.restore_button = self.buttons.addButton(
            self.tr("Pulihkan"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.setObjectName("restoreGo")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        box.addWidget(self.buttons)
        self._busy = False

    def _choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Pilih flashdisk cadangan"))
        if folder:
            self.set_folder(Path(folder))

    def set_folder(self, folder: Path) -> None:
        self.snapshots.clear()
        found = stick.list_snapshots(folder)
        self.folder_label.setText(str(folder))
        for snap in found:
            label = self.tr("%1 · %2 · %3 permohonan").replace("%1", _date_text(snap.created_at))
            label = label.replace("%2", snap.village_name or snap.village_code or "-")
            label = label.replace("%3", str(snap.counts.applications))
            self.snapshots.addItem(label, str(snap.folder))
        if not found:
            self.message.setText(self.tr("Tidak ada cadangan desa_capil di folder itu. Pilih folder lain."))
        else:
            # With a placeholder set, Qt leaves the list on "nothing chosen": take the newest.
            self.snapshots.setCurrentIndex(0)
            self.message.setText("")

    @Slot()
    def start(self) -> None:
        if self._busy:
            return
        folder = self.snapshots.currentData()
        if not folder:
            self.message.setText(self.tr("Pilih dulu flashdisk yang berisi cadangan."))
            return
        self._busy = True
        self.restore_button.setEnabled(False)
        self.progress.show()
        self.message.setText(self.tr("Memeriksa dan memulihkan cadangan…"))
        code, paths = self.code.text(), self.paths

        def op(p: Progress) -> stick.RestoreResult:
            return stick.restore_backup(Path(folder), code, paths, progress=p.report)

        run_op(self, op, on_success=self._done, on_failure=self._failed, on_progress=self._progress)

    def _progress(self, done: int, total: int, _what: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _done(self, result: stick.RestoreResult) -> None:
        self._busy = False
        log.info("restored %d applications", result.counts.applications)
        self.restored.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.restore_button.setEnabled(True)
        self.progress.hide()
        known = known_error(exc)
        if known is None:
            handle_exception(self, exc)
            self.message.setText("")
            return
        self.message.setText(known.message(lang()))


def restore_at_start(paths: AppPaths) -> bool:
    """Before the database opens: offer the restore on a fresh install, or when it was asked
    for in Pengaturan. True when a backup was restored."""
    request = paths.data / RESTORE_REQUEST
    asked = request.exists()
    if asked:
        request.unlink()
    elif paths.database.exists():
        return False
    else:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            QCoreApplication.translate("backup", "Selamat datang"),
            QCoreApplication.translate(
                "backup",
                "Laptop ini belum berisi data desa_capil. Bila data lama ada di cadangan flashdisk "
                "(laptop baru atau Windows dipasang ulang), pulihkan sekarang dengan kode pemulihan.",
            ),
        )
        box.setObjectName("restoreOffer")
        fresh = box.addButton(
            QCoreApplication.translate("backup", "Mulai dengan data kosong"),
            QMessageBox.ButtonRole.RejectRole,
        )
        box.addButton(
            QCoreApplication.translate("backup", "Pulihkan dari cadangan…"), QMessageBox.ButtonRole.AcceptRole
        )
        box.exec()
        if box.clickedButton() is fresh:
            return False
    dialog = RestoreDialog(paths)
    return dialog.exec() == QDialog.DialogCode.Accepted
