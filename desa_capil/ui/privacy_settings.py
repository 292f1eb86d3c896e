"""Privacy settings the settings page embeds (``PrivacySettingsWidget``) and the daily
retention run (``RetentionScheduler``).

The widget says in plain words what the laptop keeps and for how long, lets the office change
the two periods, set or remove the lock-screen PIN and the idle time, and shows the recovery
code of the data key (to write down or print for the kepala desa; each showing is audited).

Usage::

    settings_page.layout().addWidget(PrivacySettingsWidget(ctx))   # in the settings page
    self.retention = RetentionScheduler(ctx); self.retention.start()  # in the shell, at start

and at start-up, when ``open_database`` raises ``MissingKeyError`` or ``WrongKeyError``::

    if ask_recovery_code(None, paths, exc.message(lang())): db = open_database(paths)  # retry
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desa_capil.errors import UserError
from desa_capil.paths import AppPaths
from desa_capil.security import audit
from desa_capil.security.keys import KeyStore, recovery_code, restore_from_code
from desa_capil.security.pin import (
    check_pin_format,
    clear_pin,
    lock_minutes,
    pin_enabled,
    set_lock_minutes,
    set_pin,
)
from desa_capil.security.retention import (
    RetentionReport,
    archive_days,
    last_run,
    retention_days,
    run_retention,
    set_periods,
)
from desa_capil.services.changes import Changes, some
from desa_capil.ui.context import AppContext
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Progress, run_op

log = logging.getLogger(__name__)

DAY_MS = 24 * 60 * 60 * 1000


class RetentionScheduler(QObject):
    """Runs ``run_retention`` in the background at start and then once a day.

    Signals:
        ran(object): the RetentionReport of a finished run.
    """

    ran = Signal(object)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.timer = QTimer(self)
        self.timer.setInterval(DAY_MS)
        self.timer.timeout.connect(self.run_now)

    def start(self) -> None:
        self.run_now()
        self.timer.start()

    def run_now(self) -> None:
        db = self.ctx.db
        run_op(None, lambda _p: run_retention(db), on_success=self._done, db=True)

    def _done(self, report: RetentionReport) -> None:
        # Archived applications leave the lists; purged scans leave the papers and hand-overs.
        self.ctx.notify(
            Changes(
                applications=some(report.applications_archived),
                pages=some(report.documents_purged),
                handovers=some(report.documents_purged),
            )
        )
        self.ran.emit(report)


@dataclass(frozen=True)
class _State:
    retention: int
    archive: int
    pin: bool
    minutes: int
    key_location: str
    last: RetentionReport | None


class PrivacySettingsWidget(QWidget):
    """Retention periods, lock-screen PIN, recovery code: a block for the settings page.

    Signals:
        changed(): a privacy setting was saved (the shell calls LockController.refresh()).
        loaded(): the current values were read and shown.
    """

    changed = Signal()
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("privacySettings")
        self.ctx = ctx
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(12)

        # --- what is kept, for how long
        keep = QGroupBox(self.tr("Perlindungan data pribadi"), self)
        keep_form = QFormLayout(keep)
        self.summary = QLabel("", keep)
        self.summary.setObjectName("privacySummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        keep_form.addRow(self.summary)
        self.retention = QSpinBox(keep)
        self.retention.setObjectName("retentionDays")
        self.retention.setRange(1, 365)
        self.retention.setSuffix(self.tr(" hari"))
        self.archive = QSpinBox(keep)
        self.archive.setObjectName("archiveDays")
        self.archive.setRange(1, 3650)
        self.archive.setSuffix(self.tr(" hari"))
        keep_form.addRow(self.tr("Hapus pindaian setelah diterima Disdukcapil"), self.retention)
        keep_form.addRow(self.tr("Arsipkan data setelah diserahkan/ditolak"), self.archive)
        self.last_run = QLabel("", keep)
        self.last_run.setWordWrap(True)
        keep_form.addRow(self.last_run)
        self.save_periods = QPushButton(self.tr("Simpan masa simpan"), keep)
        self.save_periods.setObjectName("savePeriods")
        keep_form.addRow(self.save_periods)
        self.audit_button = QPushButton(self.tr("Lihat catatan akses data warga\u2026"), keep)
        self.audit_button.setObjectName("auditLogButton")
        self.audit_button.setToolTip(
            self.tr("Siapa membuka, mencetak, atau mengekspor data dan berkas warga, dan kapan")
        )
        keep_form.addRow(self.audit_button)
        self.audit_dialog: QDialog | None = None
        root.addWidget(keep)

        # --- lock screen
        lock = QGroupBox(self.tr("Kunci layar"), self)
        lock_form = QFormLayout(lock)
        self.pin_state = QLabel("", lock)
        self.pin_state.setObjectName("pinState")
        lock_form.addRow(self.pin_state)
        self.new_pin = QLineEdit(lock)
        self.new_pin.setObjectName("newPin")
        self.new_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_pin.setMaxLength(12)
        self.repeat_pin = QLineEdit(lock)
        self.repeat_pin.setObjectName("repeatPin")
        self.repeat_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_pin.setMaxLength(12)
        lock_form.addRow(self.tr("PIN baru (4-12 angka)"), self.new_pin)
        lock_form.addRow(self.tr("Ulangi PIN"), self.repeat_pin)
        self.minutes = QSpinBox(lock)
        self.minutes.setObjectName("lockMinutes")
        self.minutes.setRange(1, 240)
        self.minutes.setSuffix(self.tr(" menit"))
        lock_form.addRow(self.tr("Kunci setelah tidak dipakai"), self.minutes)
        buttons = QHBoxLayout()
        self.save_pin = QPushButton(self.tr("Simpan PIN"), lock)
        self.save_pin.setObjectName("savePin")
        self.remove_pin = QPushButton(self.tr("Hapus PIN"), lock)
        self.remove_pin.setObjectName("removePin")
        buttons.addWidget(self.save_pin)
        buttons.addWidget(self.remove_pin)
        buttons.addStretch(1)
        lock_form.addRow(buttons)
        self.pin_message = QLabel("", lock)
        self.pin_message.setObjectName("pinMessage")
        self.pin_message.setWordWrap(True)
        lock_form.addRow(self.pin_message)
        root.addWidget(lock)

        # --- key and recovery
        key = QGroupBox(self.tr("Kunci enkripsi dan pemulihan"), self)
        key_box = QVBoxLayout(key)
        self.key_info = QLabel("", key)
        self.key_info.setObjectName("keyInfo")
        self.key_info.setWordWrap(True)
        key_box.addWidget(self.key_info)
        self.show_code = QPushButton(self.tr("Tampilkan kode pemulihan"), key)
        self.show_code.setObjectName("showRecoveryCode")
        key_box.addWidget(self.show_code, 0, Qt.AlignmentFlag.AlignLeft)
        root.addWidget(key)

        self.save_periods.clicked.connect(self._save_periods)
        self.save_pin.clicked.connect(self._save_pin)
        self.remove_pin.clicked.connect(self._remove_pin)
        self.show_code.clicked.connect(self._ask_show_code)
        self.audit_button.clicked.connect(self.open_audit_log)
        self.reload()

    def open_audit_log(self) -> None:
        from desa_capil.ui.audit_dialog import AuditDialog

        dialog = AuditDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.audit_dialog = dialog
        dialog.open()

    # --- reading ------------------------------------------------------------------------------

    def reload(self) -> None:
        db, paths = self.ctx.db, self.ctx.paths

        def op(_p: Progress) -> _State:
            return _State(
                retention=retention_days(db),
                archive=archive_days(db),
                pin=pin_enabled(db),
                minutes=lock_minutes(db),
                key_location=KeyStore(paths).location,
                last=last_run(db),
            )

        run_op(self, op, on_success=self._show, db=True)

    def _show(self, st: _State) -> None:
        self.retention.setValue(st.retention)
        self.archive.setValue(st.archive)
        self.minutes.setValue(max(1, st.minutes))
        self.summary.setText(
            self.tr(
                "Semua data di laptop ini tersimpan terenkripsi. Pindaian berkas disimpan sampai "
                "Disdukcapil mengonfirmasi penerimaannya, lalu dihapus permanen %1 hari kemudian; "
                "data permohonan (layanan, status, jumlah halaman) tetap ada. %2 hari setelah dokumen "
                "diserahkan atau permohonan ditolak, data diarsipkan: hanya nama dan 4 angka "
                "terakhir NIK yang disimpan; nomor HP, alamat, nomor KK, catatan, tanda tangan dan "
                "dokumen PDF dari Disdukcapil dihapus. Tanda terima penyerahan tetap disimpan."
            )
            .replace("%1", str(st.retention))
            .replace("%2", str(st.archive))
        )
        if st.last is None:
            self.last_run.setText(self.tr("Pembersihan data belum pernah berjalan."))
        else:
            self.last_run.setText(
                self.tr("Pembersihan terakhir: %1 (%2 berkas dihapus, %3 permohonan diarsipkan).")
                .replace("%1", st.last.ran_at[:16].replace("T", " "))
                .replace("%2", str(st.last.documents_purged))
                .replace("%3", str(st.last.applications_archived))
            )
        self.pin_state.setText(
            self.tr("PIN aktif: aplikasi terkunci bila tidak dipakai.")
            if st.pin
            else self.tr("Belum ada PIN: aplikasi tidak pernah terkunci.")
        )
        self.remove_pin.setEnabled(st.pin)
        if st.key_location == "keyring":
            where = self.tr("Kunci enkripsi tersimpan di pengelola kredensial Windows/sistem.")
        else:
            where = self.tr("Kunci enkripsi tersimpan di berkas yang hanya bisa dibaca akun ini: %1").replace(
                "%1", str(KeyStore(self.ctx.paths).file)
            )
        self.key_info.setText(
            where
            + " "
            + self.tr(
                "Jika Windows dipasang ulang atau laptop diganti, data hanya bisa dibuka dengan kode "
                "pemulihan. Catat atau cetak kode itu dan simpan di tempat aman oleh kepala desa."
            )
        )
        self.loaded.emit()

    # --- writing ------------------------------------------------------------------------------

    def _save_periods(self) -> None:
        db = self.ctx.db
        retention, archive = self.retention.value(), self.archive.value()
        run_op(
            self,
            lambda _p: set_periods(db, retention=retention, archive=archive),
            on_success=lambda _r: self._saved(),
            db=True,
        )

    def _save_pin(self) -> None:
        pin, again = self.new_pin.text(), self.repeat_pin.text()
        if pin != again:
            self.pin_message.setText(self.tr("Kedua PIN tidak sama. Ketik ulang."))
            return
        try:
            check_pin_format(pin)
        except Exception:  # noqa: BLE001 - only the format check's BadInputError can come here
            self.pin_message.setText(self.tr("PIN harus 4 sampai 12 angka."))
            return
        db, minutes, op_id = self.ctx.db, self.minutes.value(), self.ctx.operator_id

        def op(_p: Progress) -> None:
            set_pin(db, pin)
            set_lock_minutes(db, minutes)
            audit.record(db, audit.PIN_CHANGED, operator_id=op_id, detail="set")

        self.new_pin.clear()
        self.repeat_pin.clear()
        run_op(self, op, on_success=lambda _r: self._pin_saved(self.tr("PIN disimpan.")), db=True)

    def _remove_pin(self) -> None:
        db, op_id = self.ctx.db, self.ctx.operator_id

        def op(_p: Progress) -> None:
            clear_pin(db)
            audit.record(db, audit.PIN_CHANGED, operator_id=op_id, detail="removed")

        run_op(self, op, on_success=lambda _r: self._pin_saved(self.tr("PIN dihapus.")), db=True)

    def _pin_saved(self, text: str) -> None:
        self.pin_message.setText(text)
        self._saved()

    def _saved(self) -> None:
        self.changed.emit()
        self.reload()

    def _ask_show_code(self) -> None:
        answer = QMessageBox.question(
            self,
            self.tr("Kode pemulihan"),
            self.tr(
                "Siapa pun yang memegang kode pemulihan bisa membuka semua data warga di laptop ini. "
                "Tampilkan hanya untuk dicatat atau dicetak oleh kepala desa. Lanjutkan?"
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.reveal_code()

    def reveal_code(self) -> RecoveryCodeDialog | None:
        """Show the code (after the question above); returns the dialog (tests close it)."""
        keys = self.ctx.db.keys
        if keys is None:
            return None
        db, op_id = self.ctx.db, self.ctx.operator_id
        run_op(self, lambda _p: audit.record(db, audit.SHOW_RECOVERY_CODE, operator_id=op_id), db=True)
        dialog = RecoveryCodeDialog(recovery_code(keys.master), self)
        dialog.open()
        return dialog


class RecoveryCodeDialog(QDialog):
    """The recovery code, large and selectable, with what to do with it."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Kode pemulihan"))
        box = QVBoxLayout(self)
        info = QLabel(
            self.tr(
                "Tulis atau cetak kode ini dan simpan di tempat terkunci (misalnya bersama stempel "
                "desa). Kode ini dibutuhkan bila laptop diganti atau Windows dipasang ulang, dan "
                "untuk membuka aplikasi bila PIN lupa. Jangan kirim lewat WhatsApp atau foto."
            ),
            self,
        )
        info.setWordWrap(True)
        box.addWidget(info)
        self.text = QPlainTextEdit(code, self)
        self.text.setObjectName("recoveryCode")
        self.text.setReadOnly(True)
        font = self.text.font()
        font.setFamily("monospace")
        font.setPointSize(font.pointSize() + 4)
        self.text.setFont(font)
        self.text.setMaximumHeight(90)
        box.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)


class RecoveryCodeEntryDialog(QDialog):
    """Asks for the recovery code when the data key is missing or does not fit (at start).

    On accept the code was well-formed and is installed as the key (the old key, if any, is set
    aside); the caller then opens the database again, which tells whether it fits.
    """

    def __init__(self, paths: AppPaths, reason: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self.setWindowTitle(self.tr("Masukkan kode pemulihan"))
        box = QVBoxLayout(self)
        info = QLabel(
            (reason + "\n\n" if reason else "")
            + self.tr(
                "Ketik kode pemulihan yang disimpan kepala desa (huruf besar/kecil dan tanda hubung "
                "tidak penting)."
            ),
            self,
        )
        info.setWordWrap(True)
        box.addWidget(info)
        self.code = QLineEdit(self)
        self.code.setObjectName("recoveryCodeEntry")
        box.addWidget(self.code)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        box.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)

    def try_accept(self) -> None:
        try:
            restore_from_code(self.paths, self.code.text())
        except UserError as exc:
            self.message.setText(exc.message(lang()))
            return
        self.accept()


def ask_recovery_code(parent: QWidget | None, paths: AppPaths, reason: str = "") -> bool:
    """Modal: True when a well-formed recovery code was installed (then open the DB again)."""
    return RecoveryCodeEntryDialog(paths, reason, parent).exec() == QDialog.DialogCode.Accepted
