"""Pengaturan -> Pembaruan: check for a signed update (server or stick), install it beside the
running version, go back to the previous one. Work runs through ``ui.tasks.run_op``.

The new version starts the next time the app is opened (``desa_capil.update.client``): the
running app is never swapped under an upload or a half-typed application. The download waits
while a batch is being sent, so an update never competes with residents' papers for a thin link.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QGroupBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desa_capil import __version__
from desa_capil.store import batches
from desa_capil.store.models import BatchState
from desa_capil.store.repo import get_setting
from desa_capil.sync.config import SERVER_URL
from desa_capil.ui.context import AppContext
from desa_capil.ui.errors import handle_exception
from desa_capil.ui.tasks import Progress, run_op, wait_idle
from desa_capil.ui.theme import resources_dir
from desa_capil.ui.widgets.responsive import FlowLayout
from desa_capil.update.client import Offer, Source, Updater, busy_reason, update_root
from desa_capil.update.rollback import rollback_with_database

log = logging.getLogger(__name__)


def trusted_root() -> Path:
    """The TUF root metadata this build trusts (made with the release keys, shipped with it)."""
    return resources_dir() / "update" / "root.json"


def uploads_under_way(ctx: AppContext) -> bool:
    with ctx.db.session() as s:
        return batches.count_in_state(s, BatchState.SENDING) > 0


class UpdateGroup(QGroupBox):
    """Signals:
    checked(object): the Offer found, or None (no newer version).
    installed(str): the version installed beside the running one.
    rolled_back(str, bool): the version that starts next, and whether the database schema went
    back (then the app quits at once).
    """

    checked = Signal(object)
    installed = Signal(str)
    rolled_back = Signal(str, bool)

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        root: Path | None = None,
        trusted: Path | None = None,
        version: str = __version__,
    ) -> None:
        super().__init__(self.tr("Pembaruan aplikasi"), parent)
        self.setObjectName("updateGroup")
        self.ctx = ctx
        self.root = root or update_root()
        self.trusted = trusted or trusted_root()
        self.version = version
        self.updater: Updater | None = None
        self.offer: Offer | None = None
        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 18)
        self.status = QLabel(self)
        self.status.setObjectName("updateStatus")
        self.status.setWordWrap(True)
        box.addWidget(self.status)
        # The four buttons wrap onto a second line on a narrow window (800 px, 150 %).
        row = FlowLayout(spacing=8)
        self.check_server = QPushButton(self.tr("Periksa di server"), self)
        self.check_folder = QPushButton(self.tr("Dari flashdisk…"), self)
        self.install_button = QPushButton(self.tr("Unduh dan pasang"), self)
        self.install_button.setObjectName("updateInstall")
        self.rollback_button = QPushButton(self.tr("Kembali ke versi sebelumnya"), self)
        self.rollback_button.setObjectName("updateRollback")
        for b in (self.check_server, self.check_folder, self.install_button, self.rollback_button):
            row.addWidget(b)
        box.addLayout(row)
        self.check_server.clicked.connect(self._check_server)
        self.check_folder.clicked.connect(self._check_folder)
        self.install_button.clicked.connect(self.install)
        self.rollback_button.clicked.connect(self.rollback)
        self._idle_text()

    def _idle_text(self) -> None:
        ready = self.trusted.exists()
        for b in (self.check_server, self.check_folder):
            b.setEnabled(ready)
        self.install_button.setEnabled(False)
        previous = Updater.read_state(self.root).get("previous")
        self.rollback_button.setEnabled(bool(previous))
        if not ready:
            self.status.setText(
                self.tr("Versi %1. Pembaruan otomatis belum disiapkan untuk instalasi ini.").replace(
                    "%1", self.version
                )
            )
        else:
            self.status.setText(self.tr("Versi %1.").replace("%1", self.version))

    @Slot()
    def _check_server(self) -> None:
        url = get_setting(self.ctx.db, SERVER_URL)
        if not url:
            self.status.setText(self.tr("Alamat server belum diisi. Isi dulu di bagian Server Disdukcapil."))
            return
        self.check(Source.server(url))

    @Slot()
    def _check_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Pilih folder pembaruan di flashdisk"))
        if folder:
            self.check(Source.folder(Path(folder)))

    def check(self, source: Source) -> None:
        updater = Updater(self.root, self.version, source, trusted_root=self.trusted)
        self.updater = updater
        self.status.setText(self.tr("Memeriksa pembaruan…"))

        def done(offer: Offer | None) -> None:
            self.offer = offer
            if offer is None:
                self.status.setText(
                    self.tr("Tidak ada versi yang lebih baru (versi %1).").replace("%1", self.version)
                )
            else:
                mb = f"{offer.download_bytes / 1e6:.1f}"
                self.status.setText(
                    self.tr("Versi %1 tersedia: unduhan %2 MB.")
                    .replace("%1", offer.version)
                    .replace("%2", mb)
                )
            self.install_button.setEnabled(offer is not None)
            self.checked.emit(offer)

        run_op(self, lambda _p: updater.check(), on_success=done, on_failure=self._failed)

    @Slot()
    def install(self) -> None:
        updater = self.updater
        if updater is None or self.offer is None:
            return
        if busy_reason(uploading=uploads_under_way(self.ctx), unsaved=False) == "upload":
            self.status.setText(
                self.tr(
                    "Kiriman sedang diunggah. Pembaruan diunduh setelah kiriman selesai; coba lagi nanti."
                )
            )
            return
        self.install_button.setEnabled(False)
        self.status.setText(self.tr("Mengunduh dan memeriksa pembaruan…"))

        def op(_p: Progress) -> str:
            return updater.download_and_install()

        def done(version: str) -> None:
            self._idle_text()
            self.status.setText(
                self.tr(
                    "Versi %1 sudah terpasang dan lolos uji. Versi itu dipakai saat aplikasi dibuka lagi."
                ).replace("%1", version)
            )
            self.installed.emit(version)

        run_op(self, op, on_success=done, on_failure=self._failed)

    @Slot()
    def rollback(self) -> None:
        if busy_reason(uploading=uploads_under_way(self.ctx), unsaved=False) == "upload":
            self.status.setText(
                self.tr("Kiriman sedang diunggah. Kembali ke versi sebelumnya setelah kiriman selesai.")
            )
            return
        # The newer version steps the database schema back when the previous one needs that
        # (update.rollback). Nothing of this version may write meanwhile: the sync worker and
        # the retention timer are stopped and background work is waited for, then the pool is
        # closed; when the schema went back the app closes right after, so this version never
        # writes into the older schema.
        services = self.ctx.services
        stop = getattr(services, "stop", None)
        if callable(stop) and not stop():
            # A request still in flight (it ends at its timeout): same advice as for an upload.
            self._restart(services)
            self.status.setText(
                self.tr("Kiriman sedang diunggah. Kembali ke versi sebelumnya setelah kiriman selesai.")
            )
            return
        wait_idle()
        self.ctx.db.close()
        try:
            done = rollback_with_database(self.root, self.ctx.paths, self.version)
        except Exception as exc:  # noqa: BLE001 - a known error is shown, a bug goes to the crash dialog
            self._restart(services)
            handle_exception(self, exc)
            return
        if not done.database_changed:
            self._restart(services)  # same schema: this version works on until it is closed
        self._idle_text()
        if done.database_changed:
            self.status.setText(
                self.tr(
                    "Versi %1 dipakai lagi. Basis data sudah disesuaikan (data tetap utuh); aplikasi "
                    "ditutup sekarang. Buka lagi aplikasinya."
                ).replace("%1", done.version)
            )
        else:
            self.status.setText(
                self.tr("Versi %1 dipakai lagi saat aplikasi dibuka lagi.").replace("%1", done.version)
            )
        self.rolled_back.emit(done.version, done.database_changed)
        if done.database_changed:
            QMessageBox.information(self.window(), self.tr("Kembali ke versi sebelumnya"), self.status.text())
            app = QApplication.instance()
            if app is not None:
                app.quit()

    @staticmethod
    def _restart(services: object | None) -> None:
        start = getattr(services, "start", None)
        if callable(start):
            start()

    def _failed(self, exc: BaseException) -> None:
        self._idle_text()
        handle_exception(self, exc)
