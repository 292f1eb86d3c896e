"""Step 3 of the intake wizard: the checklist of papers and each paper's pages.

Left, the service's papers (mandatory ones marked, a tick when a paper has pages). Right,
the selected paper: where pages come from (files/PDF, drag and drop, watched folder, scanner,
camera), a progress bar while pages are processed, and the pages as thumbnails to rotate,
delete and reorder (drag, or the buttons/keys).

Pages are processed one job at a time off the UI thread (image work on the pool, then one
short DB write), so a long PDF never freezes the window and the order of pages is the order
the operator added them.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QHideEvent,
    QIcon,
    QImage,
    QKeyEvent,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desa_capil.domain.catalog import OTHER_PAPER_CODE, Original, Service, get_service
from desa_capil.domain.intake import OTHER_PAPER_MAX
from desa_capil.domain.status import EDITABLE, Status
from desa_capil.scan.watch import FolderWatcher, ledger_path
from desa_capil.services import pages as processing
from desa_capil.services.changes import Changes
from desa_capil.store import pages as store_pages
from desa_capil.store import repo, setting_keys
from desa_capil.store.pages import NewPage, PageInfo
from desa_capil.ui.context import AppContext
from desa_capil.ui.errors import handle_exception, known_error
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.widgets.responsive import FlowLayout

if TYPE_CHECKING:
    from desa_capil.ui.intake.phone_dialog import PhoneDialog

log = logging.getLogger(__name__)

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
PAGE_ROLE = Qt.ItemDataRole.UserRole + 2
THUMB = QSize(110, 150)

FILE_FILTER = "Gambar atau PDF (*.jpg *.jpeg *.png *.tif *.tiff *.webp *.bmp *.gif *.pdf);;Semua berkas (*)"


def local_files(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> list[str]:
    md = event.mimeData()
    if not md.hasUrls():
        return []
    return [u.toLocalFile() for u in md.urls() if u.isLocalFile() and Path(u.toLocalFile()).is_file()]


class RequirementList(QListWidget):
    """The papers of the service. Files dropped on a paper go into that paper.

    Signals:
        files_dropped(str, list): requirement code, local file paths.
    """

    files_dropped = Signal(str, list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requirementList")
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setIconSize(QSize(22, 22))
        self.setWordWrap(True)
        self.setSpacing(2)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if local_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt override
        item = self.itemAt(event.position().toPoint())
        if item is not None and local_files(event):
            self.setCurrentItem(item)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        item = self.itemAt(event.position().toPoint())
        files = local_files(event)
        if item is None or not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped.emit(item.data(CODE_ROLE), files)


class PageStrip(QListWidget):
    """Thumbnails of one paper's pages.

    Signals:
        files_dropped(list): local file paths dropped from outside.
        order_changed(list): page ids in their new order after a drag inside the strip.
        delete_requested(): Delete key on a selected page.
        move_requested(int): Ctrl+Left (-1) / Ctrl+Right (+1) on a selected page.
    """

    files_dropped = Signal(list)
    order_changed = Signal(list)
    delete_requested = Signal()
    move_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageStrip")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(THUMB)
        self.setGridSize(QSize(THUMB.width() + 34, THUMB.height() + 44))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Snap)
        self.setWrapping(True)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)

    def page_ids(self) -> list[str]:
        return [self.item(i).data(PAGE_ROLE) for i in range(self.count())]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.source() is self or local_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt override
        if event.source() is self or local_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        if event.source() is self:
            # In icon mode Qt would only move the picture on screen; the order is ours to keep.
            moving = self.currentItem()
            target = self.itemAt(event.position().toPoint())
            event.setDropAction(Qt.DropAction.IgnoreAction)
            event.accept()
            if moving is None:
                return
            ids = self.page_ids()
            src = ids.index(moving.data(PAGE_ROLE))
            dst = self.count() - 1 if target is None else self.row(target)
            if src != dst:
                ids.insert(dst, ids.pop(src))
                self.order_changed.emit(ids)
            return
        files = local_files(event)
        if files:
            event.acceptProposedAction()
            self.files_dropped.emit(files)
        else:
            event.ignore()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Delete and self.currentItem() is not None:
            self.delete_requested.emit()
            return
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier and event.key() in (
            Qt.Key.Key_Left,
            Qt.Key.Key_Right,
        ):
            self.move_requested.emit(-1 if event.key() == Qt.Key.Key_Left else 1)
            return
        super().keyPressEvent(event)


class _WatchBridge(QObject):
    """Carries the watched folder's results from its polling thread to the UI thread.

    Signals:
        arrived(str, str, object): requirement code, file name, list of NewPage.
        failed(str): the user-facing message for a file that could not be used.
    """

    arrived = Signal(str, str, object)
    failed = Signal(str)


@dataclass
class Job:
    """Pages to make for a paper: `produce(progress)` runs on a worker and returns NewPages."""

    code: str
    label: str
    produce: Callable[[Progress], list[NewPage]]
    #: Told the stored pages, or the user-facing message of a failure (the phone page shows both).
    on_done: Callable[[list[NewPage]], None] | None = None
    on_failed: Callable[[str], None] | None = None


@dataclass(frozen=True)
class PapersState:
    application_id: str
    service_code: str
    pages: dict[str, list[PageInfo]]
    missing: list[str]
    status: Status
    sent: dict[str, int]
    other_paper: str = ""  # what the "Kertas lain" slot holds, as the operator named it


class PapersStep(QWidget):
    """The paper checklist with page sources.

    Signals:
        state_changed(object): a PapersState after each reload (status, missing papers).
        busy_changed(bool): True while pages are being processed or stored.
        job_failed(str): the user-facing message of a page job that failed (file, scanner).
        job_done(int): pages added by a finished job.
    """

    state_changed = Signal(object)
    busy_changed = Signal(bool)
    job_failed = Signal(str)
    job_done = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.application_id: str | None = None
        self.service: Service | None = None
        self.state: PapersState | None = None
        self._jobs: deque[Job] = deque()
        self._busy_job: Job | None = None
        self._page_ops = 0
        # The scan package's watcher polls on its own thread, processes each complete file
        # there and moves it to "selesai" (or "gagal"), so a restart never imports it twice.
        self.watcher: FolderWatcher | None = None
        self._watch_code = ""
        self._bridge = _WatchBridge(self)
        self._bridge.arrived.connect(self._watched_pages)
        self._bridge.failed.connect(self._watch_failed)
        self._select_after: str | None = None
        # Scanner backends to offer; None: whatever scan.scanner finds on this machine.
        self.scanner_backends: list[Any] | None = None
        self.scanner_dialog: QWidget | None = None
        self.assign_dialog: QWidget | None = None
        self._import_folder = ""
        self._load_folder()
        # "Pakai HP": the open dialog (it owns the phone listener) and, for tests only, where the
        # listener binds instead of the LAN address (ui.intake.phone_dialog.PhoneDialog).
        self.phone_dialog: PhoneDialog | None = None
        self.phone_options: dict[str, Any] = {}

        title = QLabel(self.tr("Kertas yang dibawa warga"))
        title.setObjectName("stepTitle")
        self.in_person = QLabel()
        self.in_person.setObjectName("inPersonNote")
        self.in_person.setWordWrap(True)
        self.in_person.hide()
        self.reqs = RequirementList()
        self.reqs.setAccessibleName(self.tr("Daftar kertas"))
        self.reqs.currentItemChanged.connect(lambda *_: self._show_selected())
        self.reqs.files_dropped.connect(self._dropped_on_requirement)
        self.summary = QLabel()
        self.summary.setObjectName("mutedNote")
        self.summary.setWordWrap(True)
        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(title)
        left.addWidget(self.reqs, 1)
        left.addWidget(self.summary)

        # Right: the selected paper.
        self.paper_title = QLabel()
        self.paper_title.setObjectName("detailTitle")
        self.paper_title.setWordWrap(True)
        self.paper_tag = QLabel()
        self.paper_tag.setObjectName("tag")
        head = QHBoxLayout()
        head.addWidget(self.paper_title, 1)
        head.addWidget(self.paper_tag, 0, Qt.AlignmentFlag.AlignTop)
        # "Kertas lain": what the office asked for beyond the list, named by the operator
        # (it travels to the office with the application's notes).
        self.other_name = QLineEdit()
        self.other_name.setMaxLength(OTHER_PAPER_MAX)
        self.other_name.setPlaceholderText(
            self.tr("Kertas apa? mis. surat keterangan domisili dari RT (diminta kantor)")
        )
        self.other_name.setAccessibleName(self.tr("Nama kertas lain"))
        self.other_name.editingFinished.connect(self._save_other_name)
        self.other_name.hide()

        self.btn_file = QPushButton(self.tr("&Impor berkas / PDF\u2026"))
        self.btn_scan = QPushButton(self.tr("&Pindai\u2026"))
        self.btn_camera = QPushButton(self.tr("Ka&mera\u2026"))
        self.btn_watch = QPushButton(self.tr("&Folder pantau\u2026"))
        self.btn_watch.setCheckable(True)
        self.btn_phone = QPushButton(self.tr("Pakai &HP\u2026"))
        self.btn_phone.setToolTip(
            self.tr("Foto kertas dengan HP mana pun lewat Wi-Fi atau hotspot: pindai kode QR, tanpa aplikasi")
        )
        self.btn_file.setObjectName("primarySource")
        for b in (self.btn_file, self.btn_scan, self.btn_camera, self.btn_phone, self.btn_watch):
            b.setMinimumHeight(40)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.btn_file.clicked.connect(self.choose_files)
        self.btn_scan.clicked.connect(self.open_scanner)
        self.btn_camera.clicked.connect(self.open_camera)
        self.btn_watch.clicked.connect(self._toggle_watch)
        self.btn_phone.clicked.connect(self.open_phone)
        # Five sources do not fit one row at 150 % scaling (910 px): they wrap instead of
        # pushing the last ones out of the window.
        sources = FlowLayout(spacing=8)
        for b in (self.btn_file, self.btn_scan, self.btn_camera, self.btn_phone, self.btn_watch):
            sources.addWidget(b)

        self.watch_note = QLabel()
        self.watch_note.setObjectName("infoNote")
        self.watch_note.setWordWrap(True)
        self.watch_note.hide()

        self.progress = QProgressBar()
        self.progress.setObjectName("pageProgress")
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.error = QLabel()
        self.error.setObjectName("errorNote")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()

        self.strip = PageStrip()
        self.strip.setAccessibleName(self.tr("Halaman kertas ini"))
        self.strip.files_dropped.connect(lambda files: self.add_files(self.current_code(), files))
        self.strip.order_changed.connect(self._reorder)
        self.strip.delete_requested.connect(self.delete_selected)
        self.strip.move_requested.connect(self.move_selected)
        self.strip.currentItemChanged.connect(lambda *_: self._update_page_buttons())
        self.strip.itemDoubleClicked.connect(lambda it: self.view_page(it.data(PAGE_ROLE)))
        self.viewer: QWidget | None = None
        self.empty_hint = QLabel(
            self.tr(
                "Belum ada halaman. Impor berkas, pindai, ambil foto dengan kamera, "
                "atau seret berkas gambar/PDF ke sini."
            )
        )
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)

        self.btn_left = QPushButton(self.tr("\u27f2 Putar kiri"))
        self.btn_right = QPushButton(self.tr("Putar kanan \u27f3"))
        self.btn_back = QPushButton(self.tr("\u25c0 Geser"))
        self.btn_fwd = QPushButton(self.tr("Geser \u25b6"))
        self.btn_delete = QPushButton(self.tr("Hapus halaman"))
        self.btn_delete.setObjectName("dangerButton")
        self.btn_left.clicked.connect(lambda: self.rotate_selected(-90))
        self.btn_right.clicked.connect(lambda: self.rotate_selected(90))
        self.btn_back.clicked.connect(lambda: self.move_selected(-1))
        self.btn_fwd.clicked.connect(lambda: self.move_selected(1))
        self.btn_delete.clicked.connect(self.delete_selected)
        # Five buttons are wider than the card at 150 % (887 px window): they wrap, like the
        # sources above, instead of widening the card past the window's edge.
        page_actions = FlowLayout(spacing=8)
        for b in (self.btn_left, self.btn_right, self.btn_back, self.btn_fwd, self.btn_delete):
            b.setMinimumHeight(36)
            page_actions.addWidget(b)

        card = QFrame()
        card.setObjectName("card")
        right = QVBoxLayout(card)
        right.setContentsMargins(18, 16, 18, 16)
        right.setSpacing(10)
        right.addLayout(head)
        right.addWidget(self.other_name)
        right.addLayout(sources)
        right.addWidget(self.watch_note)
        right.addWidget(self.progress)
        right.addWidget(self.error)
        right.addWidget(self.empty_hint, 1)
        right.addWidget(self.strip, 1)
        right.addLayout(page_actions)

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(20)
        col = QVBoxLayout()
        col.addWidget(self.in_person)
        col.addLayout(left)
        row.addLayout(col, 4)
        row.addWidget(card, 7)
        self._update_page_buttons()

    # --- public ---------------------------------------------------------------------------

    def set_application(self, application_id: str, service_code: str) -> None:
        changed = service_code != (self.service.code if self.service else None)
        self.application_id = application_id
        self.service = get_service(service_code)
        if changed:
            self._fill_requirements()
        self.reload()

    def current_code(self) -> str:
        it = self.reqs.currentItem()
        return it.data(CODE_ROLE) if it is not None else ""

    def select_requirement(self, code: str) -> None:
        for i in range(self.reqs.count()):
            if self.reqs.item(i).data(CODE_ROLE) == code:
                self.reqs.setCurrentRow(i)
                return

    @property
    def busy(self) -> bool:
        return self._busy_job is not None or bool(self._jobs) or self._page_ops > 0

    def reload(self) -> None:
        app_id = self.application_id
        if app_id is None:
            return

        def op(_p: Progress) -> PapersState:
            app = store_pages.load_application(self.ctx.db, app_id)
            return PapersState(
                application_id=app_id,
                service_code=app.service_code,
                pages=store_pages.list_pages(self.ctx.db, app_id),
                missing=repo.missing_mandatory(self.ctx.db, app_id),
                status=app.status,
                sent=store_pages.sent_page_counts(self.ctx.db, app_id),
                other_paper=app.details.other_paper,
            )

        run_op(self, op, on_success=self._loaded, db=True)

    def add_files(self, code: str, files: list[str]) -> None:
        """Queue image/PDF files as pages of paper `code` (each file is one job)."""
        if not code:
            return
        for f in files:
            name = Path(f).name
            self.enqueue(
                Job(code, name, lambda p, path=f: processing.pages_from_file(path, p.report)),
            )

    def add_raw(self, code: str, label: str, produce: Callable[[Progress], list[NewPage]]) -> None:
        """Queue pages from another source (scanner, camera): `produce` runs on a worker."""
        self.enqueue(Job(code, label, produce))

    def enqueue(self, job: Job) -> None:
        if self.application_id is None:
            return
        self._jobs.append(job)
        self.error.hide()
        self._next_job()

    # --- sources --------------------------------------------------------------------------

    def choose_files(self) -> None:
        code = self.current_code()
        if not code:
            return
        files, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Pilih gambar atau PDF untuk \u201c{0}\u201d (boleh beberapa sekaligus)").format(
                self._req_name(code)
            ),
            self.import_folder,
            FILE_FILTER,
        )
        if not files:
            return
        self._remember_folder(str(Path(files[0]).parent))
        if len(files) == 1 or self.service is None or len(self.service.checklist) < 2:
            self.add_files(code, files)
            return
        self.assign_files(files)

    def assign_files(self, files: list[str]) -> None:
        """Several files: ask which paper each is (suggested by order), then import them."""
        from desa_capil.ui.intake.assign_dialog import AssignFilesDialog, PaperChoice

        assert self.service is not None
        pages = self.state.pages if self.state is not None else {}
        sent = self.state.sent if self.state is not None else {}
        papers = [
            PaperChoice(r.code, r.name(lang()), bool(pages.get(r.code)) or bool(sent.get(r.code)))
            for r in self.service.checklist
        ]
        dialog = AssignFilesDialog(files, papers, self.current_code(), self)
        self.assign_dialog = dialog

        def accepted() -> None:
            for code, path in dialog.assignment():
                self.add_files(code, [path])

        dialog.accepted.connect(accepted)
        dialog.open()

    @property
    def import_folder(self) -> str:
        """Where the file dialog opens: the folder used last (kept in the settings)."""
        return self._import_folder

    def _remember_folder(self, folder: str) -> None:
        if folder == self._import_folder:
            return
        self._import_folder = folder
        db = self.ctx.db
        run_op(self, lambda _p: repo.set_setting(db, setting_keys.IMPORT_FOLDER, folder), db=True)

    def _load_folder(self) -> None:
        db = self.ctx.db

        def loaded(folder: str) -> None:
            if not self._import_folder:
                self._import_folder = folder

        run_op(self, lambda _p: repo.get_setting(db, setting_keys.IMPORT_FOLDER), on_success=loaded, db=True)

    def open_scanner(self) -> None:
        from desa_capil.ui.intake.scanner_dialog import ScannerDialog

        code = self.current_code()
        if not code:
            return
        dlg = ScannerDialog(self, self._req_name(code), backends=self.scanner_backends)
        dlg.pages_scanned.connect(
            lambda raws, c=code: self.add_raw(
                c, self.tr("hasil pindai"), lambda p, r=raws: processing.pages_from_raw(r, p.report)
            )
        )
        self.scanner_dialog = dlg
        dlg.open()

    def open_camera(self) -> None:
        from desa_capil.ui.camera import CameraDialog, camera_available, show_no_camera

        code = self.current_code()
        if not code:
            return
        if not camera_available():
            show_no_camera(self)
            return
        dlg = CameraDialog(self, self._req_name(code))
        dlg.photo_taken.connect(
            lambda image, c=code: self.add_raw(
                c, self.tr("foto kamera"), lambda p, im=image: _camera_pages(im, p)
            )
        )
        dlg.open()

    def open_phone(self) -> None:
        """Show the QR code phones scan to send photos into this application's papers."""
        from desa_capil.ui.intake.phone_dialog import PhoneDialog

        if self.service is None or self.application_id is None:
            return
        if self.phone_dialog is not None:
            self.phone_dialog.raise_()
            self.phone_dialog.activateWindow()
            return
        dlg = PhoneDialog(self, **self.phone_options)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.finished.connect(lambda _r: self._phone_closed(dlg))
        self.phone_dialog = dlg
        dlg.show()

    def _phone_closed(self, dlg: PhoneDialog) -> None:
        if self.phone_dialog is dlg:
            self.phone_dialog = None

    def stop_phone(self) -> None:
        """End the phone session: the listener stops and the QR code stops working."""
        dlg, self.phone_dialog = self.phone_dialog, None
        if dlg is not None:
            dlg.stop()
            dlg.close()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        # Leaving the papers step or closing the wizard ends the phone session (a minimised
        # window is a spontaneous hide and keeps it).
        if not event.spontaneous():
            self.stop_phone()
        super().hideEvent(event)

    def _toggle_watch(self, checked: bool) -> None:
        if not checked:
            self.stop_watch()
            return
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Pilih folder tempat pemindai menyimpan hasil pindaian")
        )
        if not folder:
            self.btn_watch.setChecked(False)
            return
        self.start_watch(folder)

    @property
    def watching(self) -> bool:
        return self.watcher is not None

    def start_watch(self, folder: str, *, interval: float = 1.0) -> None:
        """Pages saved into `folder` go to the paper selected when they arrive."""
        self.stop_watch()
        self._watch_code = self.current_code()
        watcher = FolderWatcher(
            folder,
            self._on_watched_file,
            interval=interval,
            on_error=self._on_watch_error,
            # In the app's data folder: a scanner folder may be read-only, and then only
            # this ledger keeps old scans out of the next application.
            ledger=ledger_path(self.ctx.paths.data, folder),
        )
        try:
            watcher.start()
        except Exception as exc:  # noqa: BLE001 - a missing folder is a StorageError: shown, not raised
            self.btn_watch.setChecked(False)
            handle_exception(self, exc)
            return
        self.watcher = watcher
        self.btn_watch.setChecked(True)
        self.btn_watch.setText(self.tr("Berhenti memantau &folder"))
        self._update_watch_note()

    def stop_watch(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        self.btn_watch.setChecked(False)
        self.btn_watch.setText(self.tr("&Folder pantau\u2026"))
        self.watch_note.hide()

    def _update_watch_note(self) -> None:
        self._watch_code = self.current_code()
        if self.watcher is None:
            self.watch_note.hide()
            return
        self.watch_note.setText(
            self.tr(
                "Memantau folder {0}: berkas baru masuk ke \u201c{1}\u201d, lalu dipindah ke subfolder \u201cselesai\u201d."
            ).format(str(self.watcher.folder), self._req_name(self.current_code()))
        )
        self.watch_note.show()

    def _on_watched_file(self, path: Path) -> None:
        # Runs on the watcher's thread: no widgets here. The code was copied from the UI
        # thread when the selection last changed (a str read is atomic).
        code = self._watch_code
        pages = processing.pages_from_file(path, source="folder")
        self._bridge.arrived.emit(code, path.name, pages)

    def _on_watch_error(self, _path: Path, exc: BaseException) -> None:
        known = known_error(exc)
        if known is not None:
            self._bridge.failed.emit(known.message(lang()))
        else:
            log.error("watched file failed", exc_info=exc)

    def _watched_pages(self, code: str, name: str, pages: list[NewPage]) -> None:
        if code:
            self.enqueue(Job(code, name, lambda _p, done=pages: done))

    def _watch_failed(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self.job_failed.emit(text)

    def _dropped_on_requirement(self, code: str, files: list[str]) -> None:
        self.select_requirement(code)
        self.add_files(code, files)

    # --- the job queue --------------------------------------------------------------------

    def _next_job(self) -> None:
        if self._busy_job is not None or not self._jobs:
            return
        job = self._jobs.popleft()
        self._busy_job = job
        self.busy_changed.emit(True)
        self._progress(0, 0, "")
        run_op(
            self,
            job.produce,
            on_success=lambda pages, j=job: self._store(j, pages),
            on_failure=lambda exc, j=job: self._job_failed(j, exc),
            on_progress=self._progress,
        )

    def _progress(self, done: int, total: int, _text: str) -> None:
        job = self._busy_job
        if job is None:
            return
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)
        where = self._req_name(job.code)
        if total:
            self.progress.setFormat(
                self.tr("{0} \u2192 {1}: halaman {2} dari {3}").format(job.label, where, done, total)
            )
        else:
            self.progress.setFormat(self.tr("Memproses {0} \u2192 {1}\u2026").format(job.label, where))
        self.progress.show()

    def _store(self, job: Job, new_pages: list[NewPage]) -> None:
        app_id = self.application_id
        assert app_id is not None

        db, operator = self.ctx.db, self.ctx.operator_id

        def op(_p: Progress) -> tuple[int, Changes]:
            ids, changes = processing.add_to_paper(db, app_id, job.code, new_pages, operator)
            return len(ids), changes

        run_op(
            self,
            op,
            on_success=lambda r, j=job, done=new_pages: self._job_finished(r[0], j, done, r[1]),
            on_failure=lambda exc, j=job: self._job_failed(j, exc),
            db=True,
        )

    def _job_finished(
        self,
        added: int,
        job: Job | None = None,
        pages: list[NewPage] | None = None,
        changes: Changes | None = None,
    ) -> None:
        self._busy_job = None
        if job is not None and job.on_done is not None:
            job.on_done(pages or [])
        if changes is not None:
            self.ctx.notify(changes)
        self.job_done.emit(added)
        self._after_job()

    def _job_failed(self, job: Job, exc: BaseException) -> None:
        self._busy_job = None
        known = known_error(exc)
        if known is None:
            if job.on_failed is not None:
                job.on_failed(self.tr("Foto tidak dapat diproses di laptop. Coba kirim lagi."))
            handle_exception(self, exc)
        else:
            text = known.message(lang())
            if job.on_failed is not None:
                job.on_failed(text)
            self.error.setText(text)
            self.error.show()
            self.job_failed.emit(text)
        self._after_job()

    def _after_job(self) -> None:
        if self._jobs:
            self._next_job()
            return
        self.progress.hide()
        self.busy_changed.emit(self.busy)
        self.reload()

    # --- page actions ---------------------------------------------------------------------

    def selected_page(self) -> str | None:
        it = self.strip.currentItem()
        return it.data(PAGE_ROLE) if it is not None else None

    def _page_op(self, fn: Callable[[], Any], select: str | None = None) -> None:
        self._page_ops += 1
        self.busy_changed.emit(True)
        self._update_page_buttons()

        db, app_id, operator = self.ctx.db, self.application_id, self.ctx.operator_id

        def op(_p: Progress) -> Changes:
            if app_id is None:
                fn()
                return Changes()
            return processing.change_papers(db, app_id, fn, operator)

        def done(changes: Changes | None = None) -> None:
            self._page_ops -= 1
            self._select_after = select
            # An operation that failed half-way may still have changed the papers.
            self.ctx.notify(changes or Changes.of_papers(app_id, True) if app_id else Changes())
            self.busy_changed.emit(self.busy)
            self.reload()

        def failed(exc: BaseException) -> None:
            done()
            handle_exception(self, exc)

        run_op(self, op, on_success=done, on_failure=failed, db=True)

    def rotate_selected(self, degrees: int) -> None:
        pid = self.selected_page()
        if pid is None:
            return
        db = self.ctx.db
        self._page_op(lambda: store_pages.rotate_page(db, pid, degrees, processing.reprocess), select=pid)

    def delete_selected(self) -> None:
        pid = self.selected_page()
        if pid is None:
            return
        db = self.ctx.db
        row = self.strip.currentRow()
        neighbour = None
        ids = self.strip.page_ids()
        if len(ids) > 1:
            neighbour = ids[row + 1] if row + 1 < len(ids) else ids[row - 1]

        self._page_op(lambda: store_pages.delete_page(db, pid), select=neighbour)

    def move_selected(self, steps: int) -> None:
        pid = self.selected_page()
        if pid is None:
            return
        db = self.ctx.db
        self._page_op(lambda: store_pages.move_page(db, pid, steps), select=pid)

    def view_page(self, page_id: str | None = None) -> None:
        """Show a page full size (the selected one by default); the viewing is audited."""
        from desa_capil.ui.intake.page_viewer import PageViewer

        page_id = page_id or self.selected_page()
        if not page_id:
            return
        paper = self._req_name(self.current_code())
        ids = self.strip.page_ids() if page_id in self.strip.page_ids() else [page_id]
        pages = [(pid, f"{paper} · " + self.tr("Hal. {0}").format(i + 1)) for i, pid in enumerate(ids)]
        viewer = PageViewer(self.ctx, page_id, dict(pages)[page_id], self, pages=pages)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.changed.connect(self._page_remade)
        self.viewer = viewer
        viewer.open()

    def _page_remade(self, page_id: str) -> None:
        """The viewer re-made a page (size or colour choice): show its new thumbnail."""
        self._select_after = page_id
        if self.application_id is not None:
            self.ctx.notify(Changes.of_papers(self.application_id, False))
        self.reload()

    def _save_other_name(self) -> None:
        """Store the name typed for "Kertas lain" (on Enter or leaving the field)."""
        app_id = self.application_id
        text = self.other_name.text()
        if app_id is None or self.state is None or " ".join(text.split()) == self.state.other_paper:
            return
        if self.state.status not in EDITABLE:
            return
        db = self.ctx.db
        self._page_op(lambda: repo.set_other_paper(db, app_id, text))

    def _reorder(self, ids: list[str]) -> None:
        db = self.ctx.db
        moved = self.selected_page()
        self._page_op(lambda: store_pages.set_page_order(db, ids), select=moved)

    # --- display --------------------------------------------------------------------------

    def _req_name(self, code: str) -> str:
        if self.service is None or not code:
            return ""
        return self.service.requirement(code).name(lang())

    def _fill_requirements(self) -> None:
        assert self.service is not None
        keep = self.current_code()
        self.reqs.blockSignals(True)
        self.reqs.clear()
        for r in self.service.checklist:
            it = QListWidgetItem(r.name(lang()))
            it.setData(CODE_ROLE, r.code)
            it.setSizeHint(self._req_size(it.text()))
            self.reqs.addItem(it)
        self.reqs.blockSignals(False)
        if self.service.in_person:
            self.in_person.setText(
                self.tr("Warga harus datang sendiri ke Disdukcapil.")
                + " "
                + self.service.in_person_note(lang())
            )
            self.in_person.show()
        else:
            self.in_person.hide()
        if keep:
            self.select_requirement(keep)
        if self.reqs.currentItem() is None and self.reqs.count():
            self.reqs.setCurrentRow(0)

    def _req_size(self, text: str) -> QSize:
        # Long paper names wrap onto several lines; Qt does not size wrapped items by itself.
        width = max(120, self.reqs.viewport().width() - self.reqs.iconSize().width() - 40)
        fm = self.reqs.fontMetrics()
        rect = fm.boundingRect(0, 0, width, 10_000, int(Qt.TextFlag.TextWordWrap), text)
        return QSize(width, rect.height() + 22)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        for i in range(self.reqs.count()):
            it = self.reqs.item(i)
            it.setSizeHint(self._req_size(it.text()))

    def _loaded(self, state: PapersState) -> None:
        if (
            self.service is None
            or state.application_id != self.application_id
            or state.service_code != self.service.code
        ):
            # Read before the service (or the application) changed; the change reloads again.
            return
        self.state = state
        # i15: alternatives (SPTJM + witnesses) and what happens to each original.
        have = {c for c, p in state.pages.items() if p} | {c for c, n in state.sent.items() if n}
        replaced = self.service.satisfied_by_alternative(have)
        alternative_only = self.service.alternative_codes
        for i in range(self.reqs.count()):
            it = self.reqs.item(i)
            code = it.data(CODE_ROLE)
            req = self.service.requirement(code)
            n = len(state.pages.get(code, []))
            sent = state.sent.get(code, 0)
            tag = self.tr("Wajib") if req.mandatory else self.tr("Bila ada")
            if code == OTHER_PAPER_CODE:
                tag = self.tr("Bila kantor meminta")
            if code in alternative_only and not req.mandatory:
                tag = self.tr("Pengganti bila kertas aslinya tidak ada")
            if req.original is Original.HAND_OVER:
                tag += " \u00b7 " + self.tr("asli diserahkan")
            elif req.original is Original.SHOW:
                tag += " \u00b7 " + self.tr("asli ditunjukkan")
            pages = self.tr("{0} halaman").format(n) if n else self.tr("belum ada halaman")
            if sent:
                pages += " \u00b7 " + self.tr("{0} terkirim").format(sent)
            if code in replaced and not (n or sent):
                pages = self.tr("diganti SPTJM dan saksi")
            name = req.name(lang())
            if code == OTHER_PAPER_CODE and state.other_paper:
                name = self.tr("Kertas lain: {0}").format(state.other_paper)
            it.setText(f"{name}\n{tag} \u00b7 {pages}")
            it.setSizeHint(self._req_size(it.text()))
            if n or sent or code in replaced:
                it.setIcon(_dot("#15803d", "\u2713"))
            elif req.mandatory:
                it.setIcon(_dot("#b45309", "!"))
            else:
                it.setIcon(_dot("#94a3b8", ""))
        missing = [self.service.requirement(c).name(lang()) for c in state.missing]
        if missing:
            self.summary.setText(
                self.tr("Belum ada halaman untuk kertas wajib: {0}.").format(", ".join(missing))
            )
        else:
            self.summary.setText(self.tr("Semua kertas wajib sudah ada halamannya."))
        self._show_selected()
        self.state_changed.emit(state)

    def _show_selected(self) -> None:
        code = self.current_code()
        self._update_watch_note()
        if not code or self.service is None:
            return
        req = self.service.requirement(code)
        self.paper_title.setText(req.name(lang()))
        other = code == OTHER_PAPER_CODE
        if other and not self.other_name.hasFocus():
            self.other_name.setText(self.state.other_paper if self.state else "")
        self.other_name.setVisible(other)
        self.other_name.setEnabled(self.state is not None and self.state.status in EDITABLE)
        self.paper_tag.setText(
            self.tr("Bila kantor meminta")
            if other
            else self.tr("Wajib")
            if req.mandatory
            else self.tr("Bila ada")
        )
        self.paper_tag.setProperty("tone", "mandatory" if req.mandatory else "optional")
        self.paper_tag.style().unpolish(self.paper_tag)
        self.paper_tag.style().polish(self.paper_tag)
        select = self._select_after or self.selected_page()
        self._select_after = None
        pages = self.state.pages.get(code, []) if self.state else []
        self.strip.clear()
        for i, p in enumerate(pages):
            pm = QPixmap()
            if p.thumb:
                pm.loadFromData(p.thumb)
            mode = self._mode_label(p.mode)
            # What the pipeline (or the user) decided shows under the thumbnail: a wrong
            # decision must be visible without opening the page.
            it = QListWidgetItem(
                QIcon(pm), self.tr("Hal. {0}").format(i + 1) + "\n" + self._kind_label(p, mode)
            )
            it.setData(PAGE_ROLE, p.id)
            it.setToolTip(
                self.tr("Halaman {0} \u00b7 {1} \u00b7 {2} KB").format(
                    i + 1, mode, max(1, round(p.size_bytes / 1024))
                )
                + "\n"
                + self.tr("Klik dua kali untuk melihat ukuran penuh")
            )
            self.strip.addItem(it)
            if p.id == select:
                self.strip.setCurrentItem(it)
        if self.strip.currentItem() is None and self.strip.count():
            self.strip.setCurrentRow(self.strip.count() - 1)
        self.empty_hint.setVisible(not pages)
        self.strip.setVisible(bool(pages))
        self._update_page_buttons()

    def _kind_label(self, p: store_pages.PageInfo, mode: str) -> str:
        small = p.dpi > 0 and max(p.width, p.height) / p.dpi < 5.0
        kinds = {"original": self.tr("asli"), "card": self.tr("kartu"), "page": self.tr("halaman")}
        kind = kinds.get(p.size_choice) or (self.tr("kartu/foto") if small else "")
        return " \u00b7 ".join(x for x in (mode, kind) if x)

    def _mode_label(self, mode: str) -> str:
        labels = {"bilevel": self.tr("hitam-putih"), "gray": self.tr("abu-abu"), "color": self.tr("warna")}
        return labels.get(mode, mode)

    def _update_page_buttons(self) -> None:
        has = self.strip.currentItem() is not None and self._page_ops == 0
        row = self.strip.currentRow()
        self.btn_left.setEnabled(has)
        self.btn_right.setEnabled(has)
        self.btn_delete.setEnabled(has)
        self.btn_back.setEnabled(has and row > 0)
        self.btn_fwd.setEnabled(has and row < self.strip.count() - 1)


def _camera_pages(image: QImage, progress: Progress) -> list[NewPage]:
    from desa_capil.scan.sources import from_camera
    from desa_capil.ui.camera import qimage_to_jpeg

    raw = from_camera(qimage_to_jpeg(image))
    return processing.pages_from_raw([raw], progress.report)


def _dot(color: str, mark: str) -> QIcon:
    """A round marker for the checklist: a tick, an exclamation mark or an empty circle."""
    from PySide6.QtGui import QColor, QFont, QPainter

    pm = QPixmap(44, 44)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(color))
    p.drawEllipse(2, 2, 40, 40)
    if mark:
        f = QFont()
        f.setPixelSize(26)
        f.setBold(True)
        p.setFont(f)
        p.setPen(QColor("white"))
        p.drawText(pm.rect(), Qt.AlignmentFlag.AlignCenter, mark)
    p.end()
    pm.setDevicePixelRatio(2.0)
    return QIcon(pm)


__all__ = ["PapersState", "PapersStep"]
