"""Server address, office CA file and enrollment, placed in the Settings page's server group.

    install_server_settings(settings_page, ctx)   # called by the shell once

Enrollment trades the office's one-time code for a device token (POST /api/v1/enroll); the
token goes to the OS credential store (or a 0600 file where there is none), never into the
database. TLS is always verified; the CA file only adds the office's own authority.
"""

from __future__ import annotations

import platform

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desa_capil.services.changes import Changes
from desa_capil.store import setting_keys
from desa_capil.store.repo import get_setting
from desa_capil.sync.config import (
    ALLOW_HTTP,
    CA_FILE,
    DEVICE_ID,
    SERVER_URL,
    VILLAGE_CODE,
    VILLAGE_NAME,
    credential_store,
    enroll,
    save_server,
)
from desa_capil.ui.context import AppContext
from desa_capil.ui.tasks import run_op
from desa_capil.ui.widgets.responsive import FlowLayout

# What saving the address and enrolling write (sync.config), reported to the pages.
ADDRESS_KEYS = frozenset({SERVER_URL, CA_FILE, ALLOW_HTTP})
ENROLLMENT_KEYS = ADDRESS_KEYS | {
    VILLAGE_CODE,
    VILLAGE_NAME,
    DEVICE_ID,
    setting_keys.DEVICE_REVOKED_AT,
}
# What an enrollment from a stick writes (sync.usb_identity.enroll_from_file).
STICK_ENROLLMENT_KEYS = ENROLLMENT_KEYS | {
    setting_keys.OFFICE_SIGN_PUBLIC,
    setting_keys.OFFICE_BOX_PUBLIC,
    setting_keys.OFFICE_NAME,
    setting_keys.USB_ENROLLMENT_ID,
    setting_keys.USB_ENROLL_PROOF,
}


class _ClickLabel(QLabel):
    """A label that says when it is clicked (the text of a check box that wraps)."""

    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()


class ServerSettings(QWidget):
    """The server part of Settings.

    Signals: none of its own; after enrolling it restarts the sync controller (ctx.sync) and
    reports the setting keys it wrote (``ctx.notify``).
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("serverSettings")
        self.url_edit = QLineEdit(self)
        self.url_edit.setObjectName("serverUrl")
        self.url_edit.setPlaceholderText("https://capil.kabupaten.go.id")
        self.ca_edit = QLineEdit(self)
        self.ca_edit.setObjectName("caFile")
        self.ca_edit.setPlaceholderText(self.tr("(tidak perlu, kecuali diminta Disdukcapil)"))
        browse = QPushButton(self.tr("Pilih..."), self)
        browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(browse)
        self.code_edit = QLineEdit(self)
        self.code_edit.setObjectName("enrollmentCode")
        self.code_edit.setPlaceholderText("XXXX-XXXX-XXXX")
        # http:// sends residents' data unencrypted: only on an explicit "I understand".
        # The box and its long text side by side, the text wrapping (a QCheckBox's own text
        # never wraps and widened the page at 800 px and 125 %); a click on the text ticks it.
        http_text = self.tr(
            "Saya mengerti: alamat http:// tidak terenkripsi (hanya bila diminta Disdukcapil)"
        )
        self.allow_http = QCheckBox(self)
        self.allow_http.setObjectName("allowHttp")
        self.allow_http.setAccessibleName(http_text)
        self.allow_http_label = _ClickLabel(http_text, self)
        self.allow_http_label.setWordWrap(True)
        self.allow_http_label.clicked.connect(self.allow_http.toggle)
        http_row = QHBoxLayout()
        http_row.setSpacing(6)
        http_row.addWidget(self.allow_http, 0, Qt.AlignmentFlag.AlignTop)
        http_row.addWidget(self.allow_http_label, 1)
        self.name_edit = QLineEdit(self)
        self.name_edit.setText(f"Laptop {platform.node()}"[:100])
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setObjectName("enrollStatus")
        self.enroll_button = QPushButton(self.tr("Daftarkan laptop ini"), self)
        self.enroll_button.setObjectName("primaryButton")
        self.enroll_button.clicked.connect(self.enroll)
        self.save_button = QPushButton(self.tr("Simpan alamat"), self)
        self.save_button.clicked.connect(self.save_address)
        # A village with no signal, or a laptop whose access was revoked: the office's
        # enrollment file on a stick (not only at first run). Shown only then (see load()).
        self.stick_button = QPushButton(self.tr("Daftarkan dari flashdisk…"), self)
        self.stick_button.setObjectName("settingsEnrollFromStick")
        self.stick_button.setToolTip(
            self.tr("Berkas pendaftaran (.dcenroll) dan kode di kertas dari kantor Disdukcapil")
        )
        self.stick_button.clicked.connect(self.enroll_from_stick)
        self.stick_dialog: QDialog | None = None

        form = QFormLayout()
        form.addRow(self.tr("Alamat server"), self.url_edit)
        form.addRow("", http_row)
        form.addRow(self.tr("Berkas CA kantor"), ca_row)
        form.addRow(self.tr("Kode pendaftaran"), self.code_edit)
        form.addRow(self.tr("Nama laptop"), self.name_edit)
        # Wraps onto a second line on a narrow window (800 px, 150 %) instead of widening the page.
        buttons = FlowLayout(spacing=8)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.stick_button)
        buttons.addWidget(self.enroll_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)
        self.load()

    def connection_changed(self, _state: str, _contact: object) -> None:
        self.load()

    def load(self) -> None:
        db = self.ctx.db
        self.status_label.setProperty("error", False)
        self.url_edit.setText(get_setting(db, SERVER_URL))
        self.ca_edit.setText(get_setting(db, CA_FILE))
        self.allow_http.setChecked(get_setting(db, ALLOW_HTTP) == "1")
        code, name = get_setting(db, VILLAGE_CODE), get_setting(db, VILLAGE_NAME)
        token = credential_store(self.ctx.paths).get_token()
        revoked = get_setting(db, setting_keys.DEVICE_REVOKED_AT)
        by_stick = bool(get_setting(db, setting_keys.USB_ENROLLMENT_ID))
        # Enrolling from a stick is offered while the laptop has no working enrollment.
        self.stick_button.setVisible(bool(revoked) or not (code and (token or by_stick)))
        if code and token and revoked:
            self.status_label.setText(
                self.tr(
                    "Izin laptop ini di server Disdukcapil sudah dicabut (sejak %1). Data di laptop "
                    "tetap aman. Minta kode pendaftaran baru ke Disdukcapil, lalu daftarkan ulang di sini."
                ).replace("%1", _local(revoked))
            )
            self.status_label.setProperty("error", True)
        elif code and token:
            self.status_label.setText(
                self.tr("Terdaftar untuk %1 (%2).").replace("%1", name).replace("%2", code)
            )
        elif code and by_stick:
            self.status_label.setText(
                self.tr(
                    "Terdaftar lewat flashdisk untuk %1 (%2): kiriman lewat flashdisk bisa dipakai. Untuk "
                    "kirim lewat internet, masukkan alamat server dan kode pendaftaran dari Disdukcapil."
                )
                .replace("%1", name)
                .replace("%2", code)
            )
        else:
            self.status_label.setText(
                self.tr("Belum terdaftar. Masukkan alamat server dan kode pendaftaran dari Disdukcapil.")
            )

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Pilih berkas CA"), "", self.tr("Sertifikat (*.pem *.crt *.cer);;Semua berkas (*)")
        )
        if path:
            self.ca_edit.setText(path)

    def save_address(self) -> None:
        db = self.ctx.db
        url, ca = self.url_edit.text(), self.ca_edit.text().strip() or None
        allow = self.allow_http.isChecked()
        run_op(
            self,
            lambda _p: save_server(db, url, ca, allow_http=allow),
            on_success=self._address_saved,
            db=True,
        )

    def enroll(self) -> None:
        db, paths = self.ctx.db, self.ctx.paths
        url, code = self.url_edit.text(), self.code_edit.text()
        ca = self.ca_edit.text().strip() or None
        name = self.name_edit.text().strip() or None
        allow = self.allow_http.isChecked()
        self.enroll_button.setEnabled(False)
        self.status_label.setText(self.tr("Menghubungi server..."))

        def op(_p: object) -> tuple[str, str]:
            return enroll(
                db, credential_store(paths), url, code, ca_file=ca, device_name=name, allow_http=allow
            )

        task = run_op(self, op, on_success=self._enrolled)
        task.finished.connect(lambda: self.enroll_button.setEnabled(True))
        task.failed.connect(lambda _e: self.load())

    def enroll_from_stick(self) -> QDialog:
        """ "Daftarkan dari flashdisk" (sync.usb_identity.enroll_from_file through the dialog)."""
        from desa_capil.ui.usb_enroll_dialog import EnrollFromStickDialog

        dialog = EnrollFromStickDialog(self.ctx, self)
        dialog.enrolled.connect(self._enrolled_by_stick)
        self.stick_dialog = dialog
        dialog.open()
        return dialog

    def _enrolled_by_stick(self, _enrollment: object = None) -> None:
        self._changed(STICK_ENROLLMENT_KEYS)

    def _address_saved(self, _result: object = None) -> None:
        self._changed(ADDRESS_KEYS)

    def _enrolled(self, _result: object = None) -> None:
        self.code_edit.clear()
        self._changed(ENROLLMENT_KEYS)

    def _changed(self, keys: frozenset[str]) -> None:
        self.load()
        sync = self.ctx.sync
        if sync is not None and hasattr(sync, "reconfigure"):
            sync.reconfigure()  # type: ignore[attr-defined]
        self.ctx.notify(Changes(settings=keys))


def install_server_settings(settings_page: QWidget, ctx: AppContext) -> ServerSettings:
    """Put the server settings into the Settings page's `server_group` (objectName "serverGroup")."""
    group = getattr(settings_page, "server_group", None)
    if not isinstance(group, QGroupBox):
        group = settings_page.findChild(QGroupBox, "serverGroup")
    if group is None:
        raise LookupError("the settings page has no server group")
    widget = ServerSettings(ctx, group)
    # A revocation found by the sync shows at once (the controller sets the connection to ERROR).
    ctx.connection_changed.connect(widget.connection_changed)
    layout = group.layout()
    if layout is None:
        layout = QVBoxLayout(group)
    layout.addWidget(widget)
    return widget


def _local(iso: str) -> str:
    """An ISO UTC time as local 'dd-mm-yyyy HH:MM' (the text as given when it is not one)."""
    from datetime import datetime

    from desa_capil.ui.widgets.format import format_datetime

    try:
        return format_datetime(datetime.fromisoformat(iso))
    except ValueError:
        return iso
