"""Pengaturan: language, the village's identity, the operator; room for the server settings."""

from __future__ import annotations

import re

from PySide6.QtCore import QRegularExpression, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QRegularExpressionValidator, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desa_capil.services.changes import Changes
from desa_capil.store import operators as ops
from desa_capil.store import repo, setting_keys
from desa_capil.ui.context import AppContext
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.theme import ICON_SIZE, icon

# Keys in the setting table (store.models.Setting), from their one home.
KEY_LANGUAGE = setting_keys.LANGUAGE
KEY_VILLAGE_NAME = setting_keys.VILLAGE_NAME
KEY_VILLAGE_CODE = setting_keys.VILLAGE_CODE
KEY_HEAD_NAME = setting_keys.HEAD_NAME
KEY_HEAD_NIP = setting_keys.HEAD_NIP
KEY_AUTO_SEAL = setting_keys.AUTO_SEAL
KEYS = (KEY_LANGUAGE, KEY_VILLAGE_NAME, KEY_VILLAGE_CODE, KEY_HEAD_NAME, KEY_HEAD_NIP, KEY_AUTO_SEAL)

# Kode wilayah of a desa/kelurahan (Kemendagri): PP.KK.CC.NNNN.
VILLAGE_CODE_RE = r"\d{2}\.\d{2}\.\d{2}\.\d{4}"


def valid_village_code(code: str) -> bool:
    return re.fullmatch(VILLAGE_CODE_RE, code) is not None


ONE_COLUMN_BELOW = 1000  # page width in logical pixels: two columns of forms need about that


class SettingsPage(QWidget):
    """Local settings of this office.

    `server_group` (objectName "serverGroup") is left empty for the sync part of the app,
    which adds the server address and enrollment widgets into it.

    Signals:
        saved(): the settings were written to the database.
    """

    saved = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsPage")
        self.ctx = ctx
        self._loaded_lang = lang()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        self._scroll = scroll
        # Whenever the content comes to need sideways scrolling (texts loaded later, fonts),
        # the two columns stack (see _stack_if_overflowing).
        scroll.horizontalScrollBar().rangeChanged.connect(self._stack_if_overflowing)
        scroll.setObjectName("pageScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget(scroll)
        body.setObjectName("pageBody")
        scroll.setWidget(body)

        root = QVBoxLayout(body)
        root.setContentsMargins(28, 24, 28, 20)
        root.setSpacing(16)
        title = QLabel(self.tr("Pengaturan"), body)
        title.setObjectName("pageTitle")
        subtitle = QLabel(self.tr("Identitas kantor desa dan cara aplikasi bekerja di laptop ini."), body)
        subtitle.setObjectName("pageSubtitle")
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(title)
        titles.addWidget(subtitle)
        root.addLayout(titles)

        # Two columns side by side; one above the other on a narrow window (see resizeEvent).
        self.columns = columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        columns.setSpacing(16)
        left = QVBoxLayout()
        left.setSpacing(16)

        village = QGroupBox(self.tr("Kantor desa"), body)
        vf = self._form(village)
        self.village_name_edit = QLineEdit(village)
        self.village_name_edit.setObjectName("villageNameEdit")
        self.village_name_edit.setPlaceholderText(self.tr("mis. Desa Sukamaju"))
        self.village_code_edit = QLineEdit(village)
        self.village_code_edit.setObjectName("villageCodeEdit")
        self.village_code_edit.setPlaceholderText("32.01.01.2001")
        self.village_code_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"[0-9.]{0,13}"), self.village_code_edit)
        )
        # The operator who works now (every intake and hand-over is recorded in their name) is
        # chosen from the operators; a free "Nama operator" field here changed nothing.
        self.operator_label = QLabel(village)
        self.operator_label.setObjectName("operatorName")
        self.operator_button = QPushButton(self.tr("Ganti / tambah operator\u2026"), village)
        self.operator_button.setObjectName("operatorButton")
        self.operator_button.clicked.connect(self.choose_operator)
        operator_row = QHBoxLayout()
        operator_row.addWidget(self.operator_label, 1)
        operator_row.addWidget(self.operator_button)
        self.head_name_edit = QLineEdit(village)
        self.head_name_edit.setObjectName("headNameEdit")
        self.head_name_edit.setPlaceholderText(self.tr("mis. H. Ahmad Fauzi, S.Sos."))
        self.head_nip_edit = QLineEdit(village)
        self.head_nip_edit.setObjectName("headNipEdit")
        self.head_nip_edit.setPlaceholderText(self.tr("18 angka, bila pegawai negeri"))
        self.head_nip_edit.setMaxLength(24)
        vf.addRow(self.tr("Nama desa/kelurahan"), self.village_name_edit)
        vf.addRow(self.tr("Kode wilayah"), self.village_code_edit)
        code_hint = QLabel(
            self.tr("Format Kemendagri: provinsi.kabupaten.kecamatan.desa, mis. 32.01.01.2001")
        )
        code_hint.setObjectName("fieldHint")
        code_hint.setWordWrap(True)
        vf.addRow("", code_hint)
        vf.addRow(self.tr("Operator sekarang"), operator_row)
        vf.addRow(self.tr("Kepala desa / lurah"), self.head_name_edit)
        vf.addRow(self.tr("NIP kepala desa / lurah"), self.head_nip_edit)
        head_hint = QLabel(self.tr("Dicetak di bawah tanda tangan rekap bulanan untuk camat."), village)
        head_hint.setObjectName("fieldHint")
        head_hint.setWordWrap(True)
        vf.addRow("", head_hint)
        left.addWidget(village)

        language = QGroupBox(self.tr("Bahasa"), body)
        lf = self._form(language)
        self.language_combo = QComboBox(language)
        self.language_combo.setObjectName("languageCombo")
        self.language_combo.addItem("Bahasa Indonesia", "id")
        self.language_combo.addItem("English", "en")
        lf.addRow(self.tr("Bahasa tampilan"), self.language_combo)
        lang_hint = QLabel(self.tr("Bahasa baru dipakai setelah aplikasi dibuka ulang."))
        lang_hint.setObjectName("fieldHint")
        lf.addRow("", lang_hint)
        left.addWidget(language)

        sending = QGroupBox(self.tr("Pengiriman"), body)
        sf = QVBoxLayout(sending)
        sf.setContentsMargins(18, 14, 18, 18)
        self.auto_seal_check = QCheckBox(self.tr("Segel dan kirim otomatis permohonan yang lengkap"), sending)
        self.auto_seal_check.setObjectName("autoSealCheck")
        auto_hint = QLabel(
            self.tr(
                "Saat jendela permohonan ditutup, permohonan yang kertas wajibnya lengkap langsung "
                'masuk kiriman, tanpa menekan "Kirim". Segel masih bisa dibuka di halaman Kiriman '
                "sampai pengunggahan dimulai."
            ),
            sending,
        )
        auto_hint.setObjectName("fieldHint")
        auto_hint.setWordWrap(True)
        sf.addWidget(self.auto_seal_check)
        sf.addWidget(auto_hint)
        left.addWidget(sending)

        actions = QHBoxLayout()
        self.status_label = QLabel(body)
        self.status_label.setObjectName("saveStatus")
        self.status_label.setWordWrap(True)
        self.save_button = QPushButton(icon("save", "#ffffff"), self.tr("Simpan pengaturan"), body)
        self.save_button.setObjectName("saveButton")
        self.save_button.setProperty("primary", True)
        self.save_button.setIconSize(ICON_SIZE)
        self.save_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.save_button.clicked.connect(self.save)
        actions.addWidget(self.status_label, 1)
        actions.addWidget(self.save_button)
        left.addLayout(actions)
        left.addStretch(1)

        # Filled by the sync part of the app (server address, enrollment).
        self.server_group = QGroupBox(self.tr("Server Disdukcapil"), body)
        self.server_group.setObjectName("serverGroup")
        self.server_group.setMinimumWidth(380)
        QVBoxLayout(self.server_group).setContentsMargins(18, 14, 18, 18)

        # PIN lock, retention periods, recovery code (desa_capil.ui.privacy_settings).
        from desa_capil.ui.privacy_settings import PrivacySettingsWidget

        # The widget brings its own group boxes (retention, PIN, recovery code).
        self.privacy = PrivacySettingsWidget(ctx, body)
        self.privacy.changed.connect(self._privacy_changed)

        right = QVBoxLayout()
        right.setSpacing(16)
        right.addWidget(self.server_group)
        right.addWidget(self.privacy)
        # Backup to a stick and restore (desa_capil.ui.backup_dialog).
        from desa_capil.ui.backup_dialog import BackupSettingsGroup

        self.backup_group = BackupSettingsGroup(ctx, body)
        right.addWidget(self.backup_group)
        from desa_capil.ui.update_settings import UpdateGroup

        self.update_group = UpdateGroup(ctx, body)
        right.addWidget(self.update_group)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self._column_layouts = (left, right)
        self._root_layout = root
        root.addLayout(columns)
        root.addStretch(1)

        from desa_capil.ui.sync_settings import install_server_settings

        self.server_settings = install_server_settings(self, ctx)
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        # One column below ONE_COLUMN_BELOW, and also whenever the two columns' forms need more
        # than the page has (long texts at 125 %, English), so the page never scrolls sideways.
        left, right = self._column_layouts
        m = self._root_layout.contentsMargins()
        need = (
            left.minimumSize().width()
            + right.minimumSize().width()
            + self.columns.spacing()
            + m.left()
            + m.right()
            + self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        )
        narrow = event.size().width() < max(ONE_COLUMN_BELOW, need)
        self.columns.setDirection(
            QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        )
        super().resizeEvent(event)
        if not narrow:
            # The forms' minimum widths are only final once laid out in the page's style: if
            # the two columns still overflow then, stack them.
            QTimer.singleShot(0, self._stack_if_overflowing)

    @Slot()
    def _stack_if_overflowing(self, *_range: int) -> None:
        if (
            self.columns.direction() == QBoxLayout.Direction.LeftToRight
            and self._scroll.horizontalScrollBar().maximum() > 0
        ):
            self.columns.setDirection(QBoxLayout.Direction.TopToBottom)

    def _privacy_changed(self) -> None:
        # A new PIN or idle time takes effect at once.
        refresh = getattr(self.ctx.lock, "refresh", None)
        if refresh is not None:
            refresh()

    @staticmethod
    def _form(group: QGroupBox) -> QFormLayout:
        form = QFormLayout(group)
        form.setContentsMargins(18, 14, 18, 18)
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(12)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return form

    @Slot()
    def refresh(self) -> None:
        db = self.ctx.db

        current = self.ctx.operator_id

        def op(_p: Progress) -> dict[str, str]:
            values = {k: repo.get_setting(db, k) for k in KEYS}
            values["_operator"] = next((o.name for o in ops.list_operators(db) if o.id == current), "")
            return values

        run_op(self, op, on_success=self._show, db=True)

    def _show(self, values: dict[str, str]) -> None:
        self.village_name_edit.setText(values.get(KEY_VILLAGE_NAME, ""))
        self.village_code_edit.setText(values.get(KEY_VILLAGE_CODE, ""))
        self.head_name_edit.setText(values.get(KEY_HEAD_NAME, ""))
        self.head_nip_edit.setText(values.get(KEY_HEAD_NIP, ""))
        self.auto_seal_check.setChecked(values.get(KEY_AUTO_SEAL) == "1")
        self.operator_label.setText(values.get("_operator") or self.tr("(belum dipilih)"))
        code = values.get(KEY_LANGUAGE) or lang()
        self._loaded_lang = code
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(code)))
        self.status_label.clear()

    def values(self) -> dict[str, str]:
        return {
            KEY_LANGUAGE: str(self.language_combo.currentData()),
            KEY_VILLAGE_NAME: self.village_name_edit.text().strip(),
            KEY_VILLAGE_CODE: self.village_code_edit.text().strip(),
            KEY_HEAD_NAME: " ".join(self.head_name_edit.text().split()),
            KEY_HEAD_NIP: "".join(self.head_nip_edit.text().split()),
            KEY_AUTO_SEAL: "1" if self.auto_seal_check.isChecked() else "",
        }

    @Slot()
    def choose_operator(self) -> None:
        """The operator dialog; the name shown here and in the status bar follow the choice."""
        from desa_capil.ui.operators import OperatorBadge, OperatorDialog

        dialog = OperatorDialog(self.ctx, self.window())
        self.operator_dialog = dialog

        def chosen(_id: int) -> None:
            self.refresh()
            badge = self.window().findChild(OperatorBadge)
            if badge is not None:
                badge.refresh()

        dialog.chosen.connect(chosen)
        dialog.load(self.ctx.operator_id)
        dialog.open()

    @Slot()
    def save(self) -> None:
        values = self.values()
        nip = values[KEY_HEAD_NIP]
        if nip and not (nip.isdigit() and len(nip) == 18):
            self._say(
                self.tr("NIP harus 18 angka (kosongkan bila kepala desa bukan pegawai negeri)."), error=True
            )
            self.head_nip_edit.setFocus()
            return
        code = values[KEY_VILLAGE_CODE]
        if code and not valid_village_code(code):
            self._say(self.tr("Kode wilayah belum benar. Contoh yang benar: 32.01.01.2001"), error=True)
            self.village_code_edit.setFocus()
            return
        db = self.ctx.db

        def op(_p: Progress) -> None:
            for key, value in values.items():
                repo.set_setting(db, key, value)

        run_op(self, op, on_success=lambda _r: self._saved(values), db=True)

    def _saved(self, values: dict[str, str]) -> None:
        if values[KEY_LANGUAGE] != self._loaded_lang:
            self._say(self.tr("Tersimpan. Tutup dan buka lagi aplikasi untuk mengganti bahasa."))
        else:
            self._say(self.tr("Pengaturan tersimpan."))
        self.saved.emit()
        self.ctx.notify(Changes(settings=frozenset(values)))

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status_label.setProperty("error", error)
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)
        self.status_label.setText(text)
