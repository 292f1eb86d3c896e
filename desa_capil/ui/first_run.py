"""First run: a short setup wizard, and who works at each start.

    ok = prepare_session(ctx)      # before the main window is shown

With no village or no operator in the database, ``FirstRunWizard`` asks for the village
(picked by name from the official 2025 list as the operator types, or name and kode wilayah
typed by hand for a village newer than the list), the operator's name and, if the office already gave them, the server
address and enrollment code; "Nanti saja" skips the server so the office can work offline
first and enroll later in Pengaturan. Enrollment uses the sync engine's ``enroll`` (token to
the credential store, village identity from the server).

Keyboard: every page can be done without a mouse; Tab goes through the fields in reading
order, Enter moves to the next page (and finishes on the last).
"""

from __future__ import annotations

import logging
import platform
import re
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QRegularExpression, Qt, Slot
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desa_capil.domain import regions
from desa_capil.domain.nik import PROVINCES
from desa_capil.errors import UserError
from desa_capil.store import operators as ops
from desa_capil.ui.context import AppContext
from desa_capil.ui.errors import handle_exception
from desa_capil.ui.i18n import lang
from desa_capil.ui.operators import OperatorDialog
from desa_capil.ui.tasks import Progress, run_op

log = logging.getLogger(__name__)

VILLAGE_CODE_RE = re.compile(r"(\d{2})\.(\d{2})\.(\d{2})\.(\d{4})")


def village_code_problem(code: str) -> tuple[str, str] | None:
    """Why a kode wilayah of a desa/kelurahan is wrong, as (Indonesian, English); None if fine."""
    m = VILLAGE_CODE_RE.fullmatch(code.strip())
    if m is None:
        return (
            "Kode wilayah ditulis PP.KK.CC.NNNN, mis. 32.04.05.2001.",
            "The area code is written PP.KK.CC.NNNN, e.g. 32.04.05.2001.",
        )
    prov, kab, kec, desa = m.groups()
    if prov not in PROVINCES:
        return (f"{prov} bukan kode provinsi yang ada.", f"{prov} is not a province code.")
    if kab == "00" or kec == "00":
        return (
            "Kode kabupaten/kota dan kecamatan tidak boleh 00.",
            "Regency and district codes cannot be 00.",
        )
    if desa[0] not in "123" or desa[1:] == "000":
        return (
            "Empat angka terakhir: 1xxx untuk kelurahan, 2xxx untuk desa, 3xxx untuk desa adat.",
            "The last four digits: 1xxx for a kelurahan, 2xxx for a desa, 3xxx for a desa adat.",
        )
    return None


class _PageNote(QLabel):
    """The page's error/progress line: hidden while empty, so an empty line takes no height
    (at 100 % it alone made the fields scroll)."""

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        super().clear()
        self.hide()


class _Page(QWizardPage):
    def __init__(self, title: str, subtitle: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(title)
        self.setSubTitle(subtitle)
        # The page's fields scroll: at 150 % on 1366x768 (the wizard is ~340 px high) a squeezed
        # form clipped the wrapped hints (the one under "Kode wilayah" lost its first line).
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("setupPageScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # focus goes to the first field
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget(self.scroll)
        content.setObjectName("setupPageContent")
        content.setAutoFillBackground(False)
        self.scroll.viewport().setAutoFillBackground(False)
        self.scroll.setWidget(content)
        outer.addWidget(self.scroll)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(16)
        self.form.setVerticalSpacing(10)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(self.form)
        self.error = _PageNote(self)
        self.error.hide()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def field_row(self, widget: QWidget) -> None:
        """A row under a field with no label of its own: an empty label would keep the row's
        height while its widget is hidden (the search results, the place of a code)."""
        self.form.setWidget(self.form.rowCount(), QFormLayout.ItemRole.FieldRole, widget)

    @staticmethod
    def hint(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("fieldHint")
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return label


class VillagePage(_Page):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Selamat datang"),
            self.tr(
                "Aplikasi ini mencatat permohonan adminduk warga, menyimpan berkasnya di laptop, dan "
                "mengirimnya ke Disdukcapil. Mulai dengan identitas kantor desa."
            ),
            parent,
        )
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("setupVillageName")
        self.name_edit.setPlaceholderText(self.tr("Ketik nama desa, mis. Cileunyi Kulon, lalu pilih"))
        self.name_edit.setMaxLength(200)
        # Search as you type over the official list (domain.regions); arrows + Enter pick.
        self.results = QListWidget(self)
        self.results.setObjectName("setupVillageResults")
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results.setMaximumHeight(190)
        self.results.hide()
        self.results.itemClicked.connect(self._pick)
        self.index: regions.VillageIndex | None = None
        self.code_edit = QLineEdit(self)
        self.code_edit.setObjectName("setupVillageCode")
        self.code_edit.setPlaceholderText("32.04.05.2001")
        self.code_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"[0-9.]{0,13}"), self.code_edit)
        )
        self.place = self.hint("")
        self.place.setObjectName("setupVillagePlace")
        self.place.hide()  # shown with the place of a complete code
        self.form.addRow(self.tr("Nama desa/kelurahan"), self.name_edit)
        self.field_row(self.results)
        self.form.addRow(self.tr("Kode wilayah"), self.code_edit)
        self.field_row(self.place)
        self.field_row(
            self.hint(
                self.tr(
                    "Pilih desa dari daftar Kemendagri 2025 dan kodenya terisi sendiri. Kode: "
                    "provinsi.kabupaten.kecamatan.desa; desa 2xxx, kelurahan 1xxx, desa adat 3xxx."
                )
            ),
        )
        self.registerField("village_name*", self.name_edit)
        self.registerField("village_code*", self.code_edit)
        self.code_edit.textChanged.connect(self._check)
        self.name_edit.textEdited.connect(self._search)
        self.name_edit.installEventFilter(self)
        self.setTabOrder(self.name_edit, self.code_edit)

    def load_index(self) -> None:
        """Read the region list in the background (about a second on a slow laptop)."""
        if self.index is None:
            run_op(self, lambda _p: regions.village_index(), on_success=self._index_ready)

    def _index_ready(self, index: regions.VillageIndex) -> None:
        self.index = index
        if self.name_edit.hasFocus() and self.name_edit.text().strip():
            self._search(self.name_edit.text())

    @Slot(str)
    def _search(self, text: str) -> None:
        self.results.clear()
        query = " ".join(regions.query_words(text))
        if self.index is None or len(query) < 2:
            self.results.hide()
            return
        for v in self.index.search(query, limit=30):
            it = QListWidgetItem(f"{v.full_name}  \u2014  {v.place()}")
            it.setData(Qt.ItemDataRole.UserRole, v.code)
            self.results.addItem(it)
        self.results.setVisible(self.results.count() > 0)
        self.results.setCurrentRow(-1)

    def _pick(self, item: QListWidgetItem) -> None:
        assert self.index is not None
        v = self.index.village(str(item.data(Qt.ItemDataRole.UserRole)))
        if v is None:
            return
        self.name_edit.setText(v.full_name)
        self.code_edit.setText(v.code)
        self.results.hide()
        self.code_edit.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.name_edit and event.type() == QEvent.Type.KeyPress and self.results.isVisible():
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                row = self.results.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                self.results.setCurrentRow(max(0, min(row, self.results.count() - 1)))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.results.currentItem() is not None:
                self._pick(self.results.currentItem())
                return True
            if key == Qt.Key.Key_Escape:
                self.results.hide()
                return True
        return super().eventFilter(watched, event)

    @Slot()
    def _check(self) -> None:
        code = self.code_edit.text()
        problem = village_code_problem(code) if len(code) >= 13 else None
        self.error.setText(problem[0 if lang() == "id" else 1] if problem else "")
        self.place.setText("")
        if len(code) >= 13 and problem is None:
            found = regions.path_of(code.strip())
            if found.village:
                self.place.setText(found.text())
            else:
                # A warning only: a village made after the 2025 list is still a village.
                self.place.setText(
                    self.tr(
                        "Kode ini tidak ada di daftar Kemendagri 2025. Periksa lagi; bila desanya baru, lanjutkan."
                    )
                )
        self.place.setVisible(bool(self.place.text()))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return bool(self.name_edit.text().strip()) and village_code_problem(self.code_edit.text()) is None

    def initializePage(self) -> None:
        self.name_edit.setFocus()
        self.load_index()


class OperatorPage(_Page):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Operator"),
            self.tr(
                "Siapa yang memakai laptop ini? Setiap permohonan dan penyerahan dicatat atas nama operator."
            ),
            parent,
        )
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("setupOperatorName")
        self.name_edit.setPlaceholderText(self.tr("Nama lengkap"))
        self.name_edit.setMaxLength(ops.MAX_NAME)
        self.form.addRow(self.tr("Nama operator"), self.name_edit)
        self.form.addRow(
            "",
            self.hint(
                self.tr(
                    "Operator lain bisa ditambahkan kapan saja lewat nama operator di bilah status bawah."
                )
            ),
        )
        self.registerField("operator_name*", self.name_edit)

    def initializePage(self) -> None:
        self.name_edit.setFocus()


class ServerPage(_Page):
    """Server address and enrollment code, or "Nanti saja"."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Server Disdukcapil"),
            # Short: QWizard's header (ClassicStyle) gives the subtitle a fixed few lines and
            # cut the last words of a longer one; the rest is a hint on the page, which wraps.
            self.tr("Isi alamat server dan kode pendaftaran dari Disdukcapil."),
            parent,
        )
        self.ctx = ctx
        self.enrolled = False
        self._busy = False
        self.later_check = QCheckBox(self.tr("Nanti saja, kerja luring dulu"), self)
        self.later_check.setObjectName("setupLater")
        self.url_edit = QLineEdit(self)
        self.url_edit.setObjectName("setupServerUrl")
        self.url_edit.setPlaceholderText("https://capil.bandungkab.go.id")
        self.code_edit = QLineEdit(self)
        self.code_edit.setObjectName("setupEnrollmentCode")
        self.code_edit.setPlaceholderText(self.tr("mis. 7KQ2-M9XD"))
        self.form.addRow(self.tr("Alamat server"), self.url_edit)
        self.form.addRow(self.tr("Kode pendaftaran"), self.code_edit)
        self.field_row(self.later_check)
        self.later_hint = self.hint(
            self.tr(
                "Belum punya? Pilih 'Nanti saja': semua bisa dikerjakan tanpa internet dan dikirim "
                "setelah laptop didaftarkan. Laptop bisa didaftarkan nanti di Pengaturan."
            )
        )
        self.later_hint.setObjectName("setupLaterHint")
        self.field_row(self.later_hint)
        for w in (self.url_edit, self.code_edit):
            w.textChanged.connect(self.completeChanged)
        self.later_check.toggled.connect(self._later_toggled)
        self.setTabOrder(self.url_edit, self.code_edit)
        self.setTabOrder(self.code_edit, self.later_check)

    @Slot(bool)
    def _later_toggled(self, later: bool) -> None:
        self.url_edit.setEnabled(not later)
        self.code_edit.setEnabled(not later)
        self.error.clear()
        self.completeChanged.emit()

    def initializePage(self) -> None:
        self.url_edit.setFocus()

    def isComplete(self) -> bool:
        if self._busy:
            return False
        if self.enrolled:  # online, or from a stick (FirstRunWizard.enroll_from_stick)
            return True
        return self.later_check.isChecked() or bool(
            self.url_edit.text().strip() and self.code_edit.text().strip()
        )

    def validatePage(self) -> bool:
        if self.later_check.isChecked() or self.enrolled:
            return True
        # Enrollment is network work: run it in the background and finish the wizard when
        # it succeeds; the page stays open (with the reason) when it does not.
        if not self._busy:
            self._enroll()
        return False

    def _enroll(self) -> None:
        from desa_capil.sync.config import credential_store, enroll

        db, paths = self.ctx.db, self.ctx.paths
        url, code = self.url_edit.text().strip(), self.code_edit.text().strip()
        name = f"{self.field('village_name')} ({platform.node()})"[:100]
        self._busy = True
        self.error.setText(self.tr("Mendaftarkan laptop ke server..."))
        self.completeChanged.emit()

        def op(_p: Progress) -> tuple[str, str]:
            return enroll(db, credential_store(paths), url, code, device_name=name)

        run_op(self, op, on_success=self._enrolled, on_failure=self._enroll_failed)

    def _enrolled(self, village: tuple[str, str]) -> None:
        log.info("enrolled for village %s", village[0])
        self._busy = False
        self.enrolled = True
        self.error.setText(self.tr("Terdaftar untuk %1.").replace("%1", village[1]))
        self.completeChanged.emit()
        wizard = self.wizard()
        if wizard.nextId() != -1:
            wizard.next()
        else:
            wizard.accept()

    def _enroll_failed(self, exc: BaseException) -> None:
        self._busy = False
        self.completeChanged.emit()
        if isinstance(exc, UserError):
            self.error.setText(
                exc.message(lang()) + " " + self.tr("Periksa alamat dan kode, atau pilih 'Nanti saja'.")
            )
        else:
            self.error.clear()
            handle_exception(self, exc)


@dataclass(frozen=True)
class SetupResult:
    operator_id: int
    enrolled: bool


class FirstRunWizard(QWizard):
    """The first-run setup. ``result`` holds the operator and whether the laptop enrolled."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunWizard")
        self.ctx = ctx
        self.result: SetupResult | None = None
        self.setWindowTitle(self.tr("Pengaturan awal"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("Lanjut >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< Kembali"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Selesai"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("Batal"))
        self.village_page = VillagePage(self)
        self.operator_page = OperatorPage(self)
        self.server_page = ServerPage(ctx, self)
        for page in (self.village_page, self.operator_page, self.server_page):
            self.addPage(page)
        # A village with no signal: the office's enrollment file on a stick fills the village
        # and the server page. A button of the wizard's own row: it takes no height from the
        # pages (they must fit 1366x768 at 150 %).
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setButtonText(QWizard.WizardButton.CustomButton1, self.tr("Daftarkan dari flashdisk…"))
        self.stick_button = self.button(QWizard.WizardButton.CustomButton1)
        self.stick_button.setObjectName("setupFromStick")
        self.stick_button.setToolTip(
            self.tr("Berkas pendaftaran (.dcenroll) dan kode di kertas dari kantor Disdukcapil")
        )
        self.customButtonClicked.connect(self._custom_button)
        # Fits a 1366x768 screen at 150 % and the 800x440 minimum (screen_fit shrinks it).
        self.setMinimumSize(560, 340)
        self._saving = False

    @Slot()
    def _custom_button(self, _which: int) -> None:
        self.enroll_from_stick()

    def enroll_from_stick(self) -> QDialog:
        """ "Daftarkan dari flashdisk": on success the village comes from the office's file and
        the server page is done (the stick route works without a link)."""
        from desa_capil.ui.usb_enroll_dialog import EnrollFromStickDialog

        dialog = EnrollFromStickDialog(self.ctx, self)
        dialog.enrolled.connect(self._enrolled_by_stick)
        dialog.open()
        return dialog

    def _enrolled_by_stick(self, enrollment: object) -> None:
        name, code = getattr(enrollment, "village_name", ""), getattr(enrollment, "village_code", "")
        self.village_page.name_edit.setText(name)
        self.village_page.code_edit.setText(code)
        page = self.server_page
        page.enrolled = True
        page.url_edit.setText(getattr(enrollment, "server_url", ""))
        for w in (page.url_edit, page.code_edit, page.later_check):
            w.setEnabled(False)
        page.error.setText(
            self.tr(
                "Terdaftar lewat flashdisk untuk %1. Kiriman lewat flashdisk bisa langsung dipakai."
            ).replace("%1", name)
        )
        page.completeChanged.emit()
        self.stick_button.hide()
        self.setOption(QWizard.WizardOption.HaveCustomButton1, False)

    def accept(self) -> None:
        if self.result is not None:
            super().accept()
            return
        # The Finish button lands here before QWizard validates the page: enroll first.
        if self._saving or not self.server_page.validatePage():
            return
        self._saving = True
        answers = ops.SetupAnswers(
            village_name=str(self.field("village_name")),
            village_code=str(self.field("village_code")),
            operator_name=str(self.field("operator_name")),
        )
        db = self.ctx.db
        enrolled = self.server_page.enrolled

        def op(_p: Progress) -> ops.OperatorInfo:
            if enrolled:
                # The server's village identity (already saved by enroll) wins over the typed one.
                from desa_capil.store.repo import get_setting

                answers_ = ops.SetupAnswers(
                    get_setting(db, ops.VILLAGE_NAME) or answers.village_name,
                    get_setting(db, ops.VILLAGE_CODE) or answers.village_code,
                    answers.operator_name,
                )
                return ops.save_setup(db, answers_)
            return ops.save_setup(db, answers)

        def done(info: ops.OperatorInfo) -> None:
            self.ctx.operator_id = info.id
            self.result = SetupResult(info.id, enrolled)
            self._saving = False
            super(FirstRunWizard, self).accept()

        def failed(exc: BaseException) -> None:
            self._saving = False
            handle_exception(self, exc)

        run_op(self, op, on_success=done, on_failure=failed, db=True)


def prepare_session(ctx: AppContext, parent: QWidget | None = None) -> bool:
    """Run first-run setup or pick the operator; False when the user closed the setup.

    Called once at start, before the event loop and the main window: the quick reads here
    run on the UI thread on purpose (nothing else can be shown until they are answered).
    """
    state = ops.start_state(ctx.db)
    if state.needs_setup:
        wizard = FirstRunWizard(ctx, parent)
        if wizard.exec() != QDialog.DialogCode.Accepted or wizard.result is None:
            log.info("first-run setup closed without finishing")
            return False
        return True
    if len(state.operators) == 1:
        ctx.operator_id = state.operators[0].id
        return True
    dlg = OperatorDialog(ctx, parent, at_start=True)
    dlg.set_operators(state.operators, state.last_operator_id)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return False
    return ctx.operator_id is not None
