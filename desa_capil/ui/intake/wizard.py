"""The intake wizard (Permohonan Baru / Ubah Permohonan): service, applicant, papers.

Saving: the application is written as a draft as soon as the applicant step holds a valid
NIK and a name, then again after every change (debounced while typing), at every step change
and when the window closes. Pages are stored the moment they are processed. Closing the app
mid-way therefore loses at most the last second of typing; reopening the draft restores it.
Saves are serialised: while one is running a newer request waits, so the first save (which
creates the application) can never run twice and make two drafts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desa_capil.domain.catalog import get_service
from desa_capil.domain.status import EDITABLE, Status
from desa_capil.domain.status import label as status_label
from desa_capil.security import audit
from desa_capil.services import sealing
from desa_capil.services.changes import Changes
from desa_capil.services.duplicates import OpenRequest, open_requests
from desa_capil.services.sealing import SealOutcome, seal
from desa_capil.store import pages as store_pages
from desa_capil.store import repo
from desa_capil.store.pages import ApplicationDraft
from desa_capil.ui import receipt_actions
from desa_capil.ui.context import AppContext
from desa_capil.ui.i18n import lang
from desa_capil.ui.intake.applicant_step import ApplicantStep
from desa_capil.ui.intake.papers_step import PapersState, PapersStep
from desa_capil.ui.intake.service_step import ServiceStep
from desa_capil.ui.intake.style import INTAKE_QSS
from desa_capil.ui.tasks import Progress, run_op
from desa_capil.ui.theme import status_tone
from desa_capil.ui.widgets.dialogs import confirm
from desa_capil.ui.widgets.format import format_datetime
from desa_capil.ui.widgets.responsive import fit_to_screen

log = logging.getLogger(__name__)

SERVICE, APPLICANT, PAPERS = range(3)
AUTOSAVE_MS = 800


def seal_when_complete(ctx: AppContext, application_id: str) -> None:
    """The "seal complete applications automatically" setting (services.sealing.auto_seal),
    run as the intake window closes; the sealed batch starts uploading at once."""
    db, operator = ctx.db, ctx.operator_id

    def sealed(outcome: SealOutcome | None) -> None:
        if outcome is None:
            return
        log.info("application %s sealed automatically into batch %s", application_id, outcome.batch_id)
        ctx.notify(outcome.changes)
        wake = getattr(ctx.sync, "send_now", None)
        if callable(wake):
            wake()

    run_op(None, lambda _p: sealing.auto_seal(db, application_id, operator), on_success=sealed, db=True)


class IntakeWizard(QDialog):
    """New or edited application, in three steps.

    Signals:
        saved(str): the application id after each successful save.
        loaded(): an existing application was read back into the form.
        status_shown(str): the status value now shown in the header (after saves/page changes).
        duplicate_found(str): id of an open application of the same NIK and service (warned).
        sealed(str): the batch id, after "Kirim" sealed the application.
    """

    saved = Signal(str)
    loaded = Signal()
    status_shown = Signal(str)
    duplicate_found = Signal(str)
    sealed = Signal(str)

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, application_id: str | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.application_id = application_id
        # A new application is offered its intake receipt once, at "Selesai".
        self._offer_receipt = application_id is None
        # Made in this window: Esc asks whether to keep it (an edit of an existing one is kept).
        self._new = application_id is None
        self._keep_on_close = False
        self._discard = False
        self.status = Status.DRAFT
        self._saving = False
        self._save_again = False
        self._after_save: list = []
        self._closing = False
        self.setObjectName("intakeWizard")
        self.setWindowTitle(self.tr("Ubah Permohonan") if application_id else self.tr("Permohonan Baru"))
        self.setStyleSheet(INTAKE_QSS)
        self.setSizeGripEnabled(True)

        # Header: title, the three steps, the status.
        self.title = QLabel(self.windowTitle())
        self.title.setObjectName("wizardTitle")
        # The window title says the same: on a narrow screen (800 px) the steps keep the room.
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.step_buttons: list[QPushButton] = []
        steps = QHBoxLayout()
        steps.setSpacing(6)
        for i, text in enumerate(
            (self.tr("1  Layanan"), self.tr("2  Data pemohon"), self.tr("3  Kertas && halaman"))
        ):
            b = QPushButton(text)
            b.setObjectName("stepButton")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keyboard goes through Lanjut/Kembali
            b.clicked.connect(lambda _c=False, n=i: self.go_to(n))
            self.step_buttons.append(b)
            steps.addWidget(b)
        self.status_badge = QLabel()
        self.status_badge.setObjectName("statusBadge")
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addSpacing(12)
        header.addLayout(steps)
        header.addWidget(self.status_badge)

        self.office_note = QLabel()
        self.office_note.setObjectName("officeNote")
        self.office_note.setWordWrap(True)
        self.office_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.office_note.hide()
        # Same NIK, same service, still open: probably typed twice (warn, never block).
        self.duplicate_note = QLabel()
        self.duplicate_note.setObjectName("officeNote")
        self.duplicate_note.setWordWrap(True)
        self.duplicate_note.hide()
        self._nik = ""

        self.service_step = ServiceStep()
        self.applicant_step = ApplicantStep()
        self.papers_step = PapersStep(ctx)
        self.stack = QStackedWidget()
        for w in (self.service_step, self.applicant_step, self.papers_step):
            self.stack.addWidget(w)

        self.save_note = QLabel()
        self.save_note.setObjectName("mutedNote")
        # It wraps rather than pushing the footer's buttons out of a narrow window (150 %).
        self.save_note.setWordWrap(True)
        self.save_note.setMinimumWidth(80)
        self.btn_back = QPushButton(self.tr("\u2190 &Kembali"))
        self.btn_next = QPushButton(self.tr("&Lanjut \u2192"))
        self.btn_next.setObjectName("primaryButton")
        self.btn_next.setDefault(True)
        self.btn_close = QPushButton(self.tr("Simpan && &tutup"))
        self.btn_receipt = QPushButton(self.tr("Cetak tanda &terima"))
        self.btn_receipt.setObjectName("receiptButton")
        self.btn_receipt.setToolTip(
            self.tr("Cetak tanda terima berkas untuk warga (disimpan untuk dicetak ulang)")
        )
        self.btn_receipt.clicked.connect(lambda: self.print_receipt())
        for b in (self.btn_back, self.btn_next, self.btn_close, self.btn_receipt):
            b.setMinimumHeight(42)
            b.setMinimumWidth(130)
        self.btn_back.clicked.connect(self.back)
        self.btn_next.clicked.connect(self.next)
        self.btn_close.clicked.connect(self.keep_and_close)
        footer = QHBoxLayout()
        footer.addWidget(self.save_note, 1)
        footer.addWidget(self.btn_receipt)
        footer.addWidget(self.btn_close)
        footer.addWidget(self.btn_back)
        footer.addWidget(self.btn_next)

        body = QFrame()
        body.setObjectName("wizardBody")
        body_lay = QVBoxLayout(body)
        body_lay.setContentsMargins(24, 20, 24, 20)
        # On a short screen (1366x768 at 150 % scaling) the step scrolls instead of pushing
        # the buttons below the screen's edge.
        self.step_scroll = QScrollArea(body)
        self.step_scroll.setObjectName("stepScroll")
        self.step_scroll.setWidgetResizable(True)
        self.step_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.step_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.step_scroll.setStyleSheet("QScrollArea#stepScroll { background: transparent; }")
        self.step_scroll.viewport().setAutoFillBackground(False)
        self.step_scroll.setWidget(self.stack)
        self.stack.setAutoFillBackground(False)
        body_lay.addWidget(self.step_scroll)

        top = QFrame()
        top.setObjectName("wizardHeader")
        top_lay = QVBoxLayout(top)
        top_lay.setContentsMargins(24, 14, 24, 14)
        top_lay.addLayout(header)

        bottom = QFrame()
        bottom.setObjectName("wizardFooter")
        bottom.setLayout(footer)
        footer.setContentsMargins(24, 12, 24, 12)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(top)
        lay.addWidget(self.office_note)
        lay.addWidget(self.duplicate_note)
        lay.addWidget(body, 1)
        lay.addWidget(bottom)

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.save)

        self.service_step.chosen.connect(self._service_chosen)
        self.service_step.activated.connect(lambda _c: self.next())
        self.applicant_step.changed.connect(self._schedule_save)
        self.applicant_step.nik_valid.connect(self._lookup_nik)
        self.applicant_step.print_requested.connect(self.print_form)
        self.papers_step.state_changed.connect(self._papers_state)
        self.papers_step.busy_changed.connect(lambda _b: self._update_buttons())

        QShortcut(QKeySequence("Ctrl+PgDown"), self, activated=self.next)
        QShortcut(QKeySequence("Ctrl+PgUp"), self, activated=self.back)

        fit_to_screen(self, 1240, 700)
        self._show_status(Status.DRAFT)
        self.go_to(SERVICE)
        if application_id:
            self._load(application_id)

    # --- navigation -----------------------------------------------------------------------

    def step(self) -> int:
        return self.stack.currentIndex()

    def go_to(self, index: int) -> None:
        current = self.step()
        if index > SERVICE and not self.service_step.code():
            index = SERVICE
        if index > APPLICANT and self.application_id is None:
            # Papers need a saved application: validate and save first.
            if current != APPLICANT:
                index = APPLICANT
            else:
                self.next()
                return
        self.stack.setCurrentIndex(index)
        for i, b in enumerate(self.step_buttons):
            b.setChecked(i == index)
        self._update_buttons()
        if index == SERVICE:
            self.service_step.search.setFocus()
        elif index == APPLICANT:
            self.applicant_step.nik.setFocus()
        elif index == PAPERS:
            self.papers_step.reqs.setFocus()

    def next(self) -> None:
        step = self.step()
        if step == SERVICE:
            if not self.service_step.code():
                return
            if self.application_id:
                self.save(then=lambda: self.go_to(APPLICANT))
            else:
                self.go_to(APPLICANT)
        elif step == APPLICANT:
            bad = self.applicant_step.show_problems()
            if bad is not None:
                bad.setFocus()
                return
            self.save(then=self._open_papers)
        else:
            if self.can_send():
                self.send()
                return
            if self._offer_receipt and self.application_id is not None:
                self._offer_receipt = False
                if confirm(
                    self,
                    self.tr("Permohonan tersimpan"),
                    self.tr("Cetak tanda terima berkas untuk warga sekarang?"),
                    self.tr("Cetak tanda terima"),
                    self.tr("Nanti saja"),
                ):
                    self.print_receipt(then=self.accept)
                    return
            self.accept()

    def print_receipt(self, then: Callable[[], None] | None = None) -> None:
        """Save, then make the intake receipt from the records as they are now, keep it, print it."""
        if self.application_id is None:
            return
        ctx = self.ctx

        def go() -> None:
            if self.application_id is None:
                return
            receipt_actions.print_intake_receipt(
                self, ctx, self.application_id, fresh=True, done=lambda _ok: then() if then else None
            )

        self.save(then=go)

    # --- sending ---------------------------------------------------------------------------

    def can_send(self) -> bool:
        """Complete (ready), or a needs-fix application with new papers: "Kirim" seals it."""
        state = self.papers_step.state
        if self.application_id is None or state is None or state.application_id != self.application_id:
            return False
        if state.status is Status.READY:
            return True
        return state.status is Status.NEEDS_FIX and any(state.pages.values())

    def send(self) -> None:
        """Seal this application into a batch of its own and wake the sender, after asking.

        Sealed, the application cannot be changed; until its upload starts the operator can
        still take it back (Kiriman -> Buka segel). The intake receipt can be printed with it."""
        if self.papers_step.busy or self.application_id is None:
            return
        box = QMessageBox(self)
        box.setObjectName("sendConfirm")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Kirim ke Disdukcapil"))
        box.setText(
            self.tr(
                "Segel permohonan ini dan kirim ke Disdukcapil? Setelah disegel, permohonan tidak bisa "
                "diubah. Selama pengiriman belum dimulai, segel masih bisa dibuka di halaman Kiriman "
                "(Buka segel)."
            )
        )
        with_receipt = None
        if self._offer_receipt:
            with_receipt = box.addButton(
                self.tr("Kirim && cetak tanda terima"), QMessageBox.ButtonRole.AcceptRole
            )
            with_receipt.setObjectName("sendWithReceipt")
        only = box.addButton(self.tr("Kirim"), QMessageBox.ButtonRole.AcceptRole)
        only.setObjectName("sendOnly")
        cancel = box.addButton(self.tr("Belum"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(with_receipt or only)
        box.setEscapeButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        if clicked is cancel or clicked is None:
            return
        receipt = clicked is with_receipt
        self._offer_receipt = False
        self.save(then=lambda: self._seal(receipt))

    def _seal(self, receipt: bool) -> None:
        app_id = self.application_id
        if app_id is None:
            return
        db, operator = self.ctx.db, self.ctx.operator_id
        self.btn_next.setEnabled(False)
        self.save_note.setText(self.tr("Menyegel\u2026"))

        def sealed(outcome: SealOutcome) -> None:
            log.info("application %s sealed into batch %s at the wizard", app_id, outcome.batch_id)
            self.ctx.notify(outcome.changes)
            wake = getattr(self.ctx.sync, "send_now", None)
            if callable(wake):
                wake()
            self.sealed.emit(outcome.batch_id)
            if receipt:
                self.print_receipt(then=self.accept)
            else:
                self.accept()

        def failed(exc: BaseException) -> None:
            from desa_capil.ui.errors import handle_exception

            self._update_buttons()
            self.save_note.setText("")
            handle_exception(self, exc)

        run_op(self, lambda _p: seal(db, [app_id], operator), on_success=sealed, on_failure=failed, db=True)

    def print_form(self, code: str) -> None:
        """Save, then print a pre-filled form (reports.forms) or the originals receipt (i15)."""
        from desa_capil.ui.intake.forms_print import print_application_form

        def go() -> None:
            if self.application_id is not None:
                print_application_form(self, self.ctx, self.application_id, code)

        if self.applicant_step.is_valid():
            self.save(then=go)
        else:
            bad = self.applicant_step.show_problems()
            if bad is not None:
                bad.setFocus()

    def back(self) -> None:
        if self.step() > SERVICE:
            if self.step() == APPLICANT and self.applicant_step.is_valid():
                self.save()
            self.go_to(self.step() - 1)

    def _open_papers(self) -> None:
        assert self.application_id is not None
        self.papers_step.set_application(self.application_id, self.service_step.code())
        self.go_to(PAPERS)

    def _update_buttons(self) -> None:
        step = self.step()
        self.btn_back.setEnabled(step > SERVICE)
        if step == PAPERS and self.can_send():
            self.btn_next.setText(self.tr("&Kirim \u2713"))
            self.btn_next.setToolTip(self.tr("Segel dan kirim ke Disdukcapil (Enter)"))
        elif step == PAPERS:
            self.btn_next.setText(self.tr("&Selesai \u2713"))
            self.btn_next.setToolTip(
                self.tr("Simpan dan tutup; kirim setelah semua kertas wajib ada halamannya")
            )
        else:
            self.btn_next.setText(self.tr("&Lanjut \u2192"))
        self.btn_next.setEnabled(step != SERVICE or bool(self.service_step.code()))
        self.step_buttons[APPLICANT].setEnabled(bool(self.service_step.code()))
        self.step_buttons[PAPERS].setEnabled(self.application_id is not None)
        self.btn_receipt.setEnabled(self.application_id is not None)

    # --- service --------------------------------------------------------------------------

    def _service_chosen(self, code: str) -> None:
        self.applicant_step.set_service(get_service(code))
        self._update_buttons()
        self._check_duplicates()
        if self.application_id is None:
            return
        state = self.papers_step.state
        previous = self.papers_step.service
        if previous is not None and previous.code != code and state is not None:
            new_codes = {r.code for r in get_service(code).checklist}
            lost = [c for c, pages in state.pages.items() if pages and c not in new_codes]
            if lost:
                names = ", ".join(previous.requirement(c).name(lang()) for c in lost)
                answer = QMessageBox.question(
                    self,
                    self.tr("Ganti layanan?"),
                    self.tr(
                        "Layanan baru tidak memerlukan kertas berikut, dan halamannya akan dihapus: {0}. Lanjutkan?"
                    ).format(names),
                )
                if answer != QMessageBox.StandardButton.Yes:
                    self.service_step.set_code(previous.code)
                    return
        self.save(then=lambda: self.papers_step.set_application(self.application_id or "", code))

    # --- applicant ------------------------------------------------------------------------

    def _lookup_nik(self, nik: str) -> None:
        db = self.ctx.db
        self._nik = nik
        run_op(
            self,
            lambda _p: store_pages.applicant_by_nik(db, nik),
            on_success=lambda found: found is not None and self.applicant_step.offer_known(found),
            db=True,
        )
        self._check_duplicates()

    def _check_duplicates(self) -> None:
        nik, code, own = self._nik, self.service_step.code(), self.application_id
        if not nik or not code:
            self.duplicate_note.hide()
            return
        db = self.ctx.db

        def shown(found: list[OpenRequest]) -> None:
            if nik != self._nik or code != self.service_step.code():
                return  # the form changed meanwhile; its own check follows
            if not found:
                self.duplicate_note.hide()
                return
            first = found[0]
            self.duplicate_note.setText(
                self.tr(
                    "Perhatian: warga dengan NIK ini sudah punya permohonan {0} yang masih berjalan "
                    "(status {1}, dicatat {2}). Pastikan ini bukan permohonan ganda; bila memang "
                    "permohonan baru, lanjutkan saja."
                )
                .replace("{0}", get_service(code).name(lang()))
                .replace("{1}", status_label(first.status, lang()).lower())
                .replace("{2}", format_datetime(first.created_at))
            )
            self.duplicate_note.show()
            self.duplicate_found.emit(first.application_id)

        run_op(self, lambda _p: open_requests(db, nik, code, exclude_id=own), on_success=shown, db=True)

    def _schedule_save(self) -> None:
        if self.applicant_step.is_valid():
            self._autosave.start()

    # --- saving ---------------------------------------------------------------------------

    def save(self, then: object = None) -> None:
        """Save the form as it is now (if the applicant data is valid), then call `then`."""
        self._autosave.stop()
        if then is not None:
            self._after_save.append(then)
        if self._saving:
            self._save_again = True
            return
        code = self.service_step.code()
        if not code or not self.applicant_step.is_valid():
            self._run_after_save()
            return
        self._saving = True
        self.save_note.setText(self.tr("Menyimpan\u2026"))
        db, operator = self.ctx.db, self.ctx.operator_id
        app_id = self.application_id
        data = self.applicant_step.data()
        urgency = self.applicant_step.urgency_value()
        notes = self.applicant_step.notes_text()
        details = self.applicant_step.details()

        def op(_p: Progress) -> tuple[str, Status]:
            new_id = repo.save_application(
                db,
                service_code=code,
                applicant=data,
                urgency=urgency,
                notes=notes,
                application_id=app_id,
                operator_id=operator,
                details=details,
            )
            return new_id, repo.refresh_readiness(db, new_id, operator)

        run_op(self, op, on_success=self._saved, on_failure=self._save_failed, db=True)

    def _saved(self, result: tuple[str, Status]) -> None:
        self._saving = False
        self.application_id, status = result
        self.ctx.notify(Changes(applications=frozenset({self.application_id})))
        self.saved.emit(self.application_id)
        if self._save_again:
            self._save_again = False
            self.save()
            return
        if self._closing:
            self._run_after_save()
            return
        self._show_status(status)
        from datetime import datetime

        self.save_note.setText(
            self.tr("Tersimpan sebagai {0} \u00b7 {1}").format(
                status_label(status, lang()).lower(), datetime.now().strftime("%H:%M:%S")
            )
        )
        self._update_buttons()
        self._run_after_save()

    def _save_failed(self, exc: BaseException) -> None:
        self._saving = False
        self._after_save.clear()
        self._save_again = False
        if not self._closing:
            self.save_note.setText(self.tr("Belum tersimpan"))
        from desa_capil.ui.errors import handle_exception

        handle_exception(self, exc)

    def _run_after_save(self) -> None:
        todo, self._after_save = self._after_save, []
        for fn in todo:
            fn()  # type: ignore[operator]

    # --- loading an existing application --------------------------------------------------

    def _load(self, application_id: str) -> None:
        db = self.ctx.db
        operator = self.ctx.operator_id

        def op(_p: Progress) -> ApplicationDraft:
            draft = store_pages.load_application(db, application_id)
            if draft.status in EDITABLE:  # shown in the form (a sent one is refused unseen)
                audit.record(db, audit.VIEW_APPLICATION, application_id, operator_id=operator)
            return draft

        run_op(self, op, on_success=self._loaded, db=True)

    def _loaded(self, draft: ApplicationDraft) -> None:
        if draft.status not in EDITABLE:
            # Sent meanwhile: nothing to edit, so show what there is to see instead of a refusal.
            from desa_capil.ui.detail_dialog import open_detail

            parent = self.parentWidget()
            if parent is not None:
                open_detail(self.ctx, parent, draft.id)
            else:
                QMessageBox.information(
                    self,
                    self.tr("Tidak bisa diubah"),
                    self.tr("Permohonan ini sudah dikirim ke Disdukcapil dan tidak bisa diubah lagi."),
                )
            self._keep_on_close = True
            self.reject()
            return
        self.service_step.set_code(draft.service_code)
        self.applicant_step.load(draft.applicant, draft.urgency, draft.notes)
        self.applicant_step.load_details(draft.details)
        self._show_status(draft.status)
        if draft.status is Status.NEEDS_FIX:
            message = draft.office_message or self.tr("(tanpa pesan)")
            self.office_note.setText(
                self.tr(
                    "Pesan dari Disdukcapil: {0}\nTambahkan kertas perbaikan yang diminta, lalu kirim ulang."
                ).format(message)
            )
            self.office_note.show()
        self.papers_step.set_application(draft.id, draft.service_code)
        self.go_to(PAPERS)
        self.loaded.emit()

    # --- status ---------------------------------------------------------------------------

    def _papers_state(self, state: PapersState) -> None:
        self._show_status(state.status)
        self._update_buttons()

    def _show_status(self, status: Status) -> None:
        self.status = status
        tone = status_tone(status)
        self.status_badge.setText(status_label(status, lang()))
        self.status_badge.setStyleSheet(
            f"QLabel#statusBadge {{ color: {tone.fg}; background: {tone.bg}; border-radius: 13px;"
            f" padding: 4px 14px; font-weight: 600; }}"
        )
        self.status_shown.emit(status.value)

    # --- closing --------------------------------------------------------------------------

    def keep_and_close(self) -> None:
        """ "Simpan & tutup": keep what is there (as a draft if papers are missing), no question."""
        self._keep_on_close = True
        self.close()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            event.accept()
            self.escape()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            # Enter advances every step, from any field. QDialog would press its "default" button,
            # but that moves to whichever auto-default button had the focus last (a step button,
            # "Cetak tanda terima"), so Enter in the applicant form did nothing useful.
            focus = self.focusWidget()
            if isinstance(focus, QAbstractButton) and focus is not self.btn_next:
                focus.click()
            elif self.btn_next.isEnabled():
                self.next()
            event.accept()
            return
        super().keyPressEvent(event)

    def escape(self) -> None:
        """Esc. A new application made in this window is not kept silently: the operator says
        whether to keep it as a draft, delete it, or go back to the form. (The window's X and
        "Simpan & tutup" keep it: those say so themselves.)"""
        if (
            self._closing
            or not self._new
            or (self.application_id is None and not self.applicant_step.is_valid())
        ):
            self.reject()
            return
        box = QMessageBox(self)
        box.setObjectName("keepDraftQuestion")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Tutup permohonan ini?"))
        box.setText(
            self.tr(
                "Permohonan {0} belum dikirim. Simpan sebagai draf untuk dilanjutkan nanti, atau hapus?"
            ).replace("{0}", self.applicant_step.data().name or self.tr("baru"))
        )
        keep = box.addButton(self.tr("Simpan sebagai draf"), QMessageBox.ButtonRole.AcceptRole)
        keep.setObjectName("keepDraft")
        drop = box.addButton(self.tr("Hapus"), QMessageBox.ButtonRole.DestructiveRole)
        drop.setObjectName("deleteDraft")
        back = box.addButton(self.tr("Kembali ke formulir"), QMessageBox.ButtonRole.RejectRole)
        back.setObjectName("backToForm")
        box.setDefaultButton(keep)
        box.setEscapeButton(back)
        box.exec()
        clicked = box.clickedButton()
        if clicked is keep:
            self._keep_on_close = True
            self.reject()
        elif clicked is drop:
            self._discard = True
            self.reject()

    def done(self, result: int) -> None:
        """Every way out (Selesai, Esc, the window's X) ends here: the form is saved, never lost
        (unless the operator chose to delete a new application at Esc)."""
        if self._closing:
            return
        if self._discard:
            self._closing = True
            self._autosave.stop()
            self.papers_step.stop_watch()
            db = self.ctx.db

            def delete() -> None:
                # Runs after any save still queued on the DB worker (jobs run in order).
                app_id = self.application_id
                if app_id is not None:
                    repo.delete_application(db, app_id)

            def deleted(_r: object) -> None:
                if self.application_id is not None:
                    self.ctx.notify(Changes(applications=frozenset({self.application_id})))
                self._dispose()

            run_op(self, lambda _p: delete(), on_success=deleted, db=True)
            super().done(result)
            return
        if self.papers_step.busy:
            answer = QMessageBox.question(
                self,
                self.tr("Halaman sedang diproses"),
                self.tr("Halaman masih diproses. Tutup sekarang? Halaman yang belum selesai tidak disimpan."),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._closing = True
        self.papers_step.stop_watch()
        self.save()
        if self.application_id is not None:
            # After the final save (the DB worker runs jobs in order): seal a complete application
            # when the setting says so. Its result outlives this window.
            seal_when_complete(self.ctx, self.application_id)
        # The DB worker runs jobs in order: once this no-op is through, the final save and every
        # reload queued before it have delivered their results, and the window can go.
        run_op(self, lambda _p: None, on_success=lambda _r: self._dispose(), db=True)
        super().done(result)

    def _dispose(self) -> None:
        if not self.papers_step.busy:
            self.deleteLater()
