"""Who is working: choosing the operator at start, adding and deactivating operators.

Every action records the operator in ``AppContext.operator_id``. With one operator the app
just uses them; with several it asks at start (the last one preselected). The status bar
shows the current operator; clicking it opens the same dialog to switch or add someone.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desa_capil.errors import UserError
from desa_capil.store import operators as ops
from desa_capil.ui.context import AppContext
from desa_capil.ui.errors import handle_exception
from desa_capil.ui.i18n import lang
from desa_capil.ui.tasks import Progress, run_op

log = logging.getLogger(__name__)


class OperatorDialog(QDialog):
    """Pick the operator who works now; add a new one or deactivate one.

    Signals:
        chosen(int): the operator id picked (also set on ``ctx.operator_id`` and remembered).
    """

    chosen = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, at_start: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("operatorDialog")
        self.ctx = ctx
        self.setWindowTitle(self.tr("Operator"))
        self.setMinimumWidth(420)
        root = QVBoxLayout(self)
        root.setSpacing(10)
        intro = QLabel(
            self.tr(
                "Siapa yang bekerja sekarang? Setiap permohonan dan penyerahan dicatat atas nama operator ini."
            )
            if at_start
            else self.tr("Pilih operator yang bekerja sekarang, atau tambahkan operator baru.")
        )
        intro.setWordWrap(True)
        root.addWidget(intro)

        self.list = QListWidget(self)
        self.list.setObjectName("operatorList")
        self.list.setMinimumHeight(160)
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())
        self.list.currentItemChanged.connect(lambda *_a: self._update_buttons())
        root.addWidget(self.list, 1)

        add_row = QHBoxLayout()
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("newOperatorEdit")
        self.name_edit.setPlaceholderText(self.tr("Nama operator baru"))
        self.name_edit.setMaxLength(ops.MAX_NAME)
        self.name_edit.returnPressed.connect(self._add)
        self.name_edit.textChanged.connect(lambda *_a: self._update_buttons())
        self.add_button = QPushButton(self.tr("Tambah"), self)
        self.add_button.setObjectName("addOperatorButton")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self._add)
        add_row.addWidget(self.name_edit, 1)
        add_row.addWidget(self.add_button)
        root.addLayout(add_row)

        self.deactivate_button = QPushButton(self.tr("Nonaktifkan operator terpilih"), self)
        self.deactivate_button.setObjectName("deactivateOperatorButton")
        self.deactivate_button.setAutoDefault(False)
        self.deactivate_button.clicked.connect(self._deactivate)
        root.addWidget(self.deactivate_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.message = QLabel(self)
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        root.addWidget(self.message)

        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(
            self.tr("Mulai bekerja") if at_start else self.tr("Pakai operator ini"),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.ok_button.setObjectName("chooseOperatorButton")
        self.ok_button.setDefault(True)
        if not at_start:
            self.buttons.addButton(self.tr("Batal"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        root.addWidget(self.buttons)
        self.setTabOrder(self.list, self.name_edit)
        self.setTabOrder(self.name_edit, self.add_button)
        self._update_buttons()

    # -- data -----------------------------------------------------------------------------------

    def set_operators(self, operators: list[ops.OperatorInfo], current: int | None) -> None:
        self.list.clear()
        for op in operators:
            item = QListWidgetItem(op.name, self.list)
            item.setData(Qt.ItemDataRole.UserRole, op.id)
            if op.id == current:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self.list.setFocus()
        self._update_buttons()

    def load(self, current: int | None = None) -> None:
        db = self.ctx.db
        run_op(
            self,
            lambda _p: ops.list_operators(db),
            on_success=lambda rows: self.set_operators(rows, current),
            db=True,
        )

    def selected_id(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _update_buttons(self) -> None:
        self.ok_button.setEnabled(self.selected_id() is not None)
        self.add_button.setEnabled(bool(self.name_edit.text().strip()))
        self.deactivate_button.setEnabled(self.selected_id() is not None and self.list.count() > 1)

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.message.setText(exc.message(lang()))
        else:
            handle_exception(self, exc)

    @Slot()
    def _add(self) -> None:
        name = self.name_edit.text()
        if not name.strip():
            return
        db = self.ctx.db

        def op(_p: Progress) -> tuple[list[ops.OperatorInfo], int]:
            added = ops.add_operator(db, name)
            return ops.list_operators(db), added.id

        def done(result: tuple[list[ops.OperatorInfo], int]) -> None:
            self.name_edit.clear()
            self.message.clear()
            self.set_operators(*result)

        run_op(self, op, on_success=done, on_failure=self._fail, db=True)

    @Slot()
    def _deactivate(self) -> None:
        op_id = self.selected_id()
        if op_id is None:
            return
        db = self.ctx.db

        def op(_p: Progress) -> list[ops.OperatorInfo]:
            ops.set_active(db, op_id, False)
            return ops.list_operators(db)

        def done(rows: list[ops.OperatorInfo]) -> None:
            self.message.clear()
            self.set_operators(rows, self.ctx.operator_id)

        run_op(self, op, on_success=done, on_failure=self._fail, db=True)

    def accept(self) -> None:
        op_id = self.selected_id()
        if op_id is None:
            return
        db = self.ctx.db

        def done(info: ops.OperatorInfo) -> None:
            self.ctx.operator_id = info.id
            log.info("operator %s chosen", info.id)
            self.chosen.emit(info.id)
            super(OperatorDialog, self).accept()

        run_op(
            self, lambda _p: ops.remember_operator(db, op_id), on_success=done, on_failure=self._fail, db=True
        )


class OperatorBadge(QToolButton):
    """The current operator in the status bar; a click opens the operator dialog."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("operatorBadge")
        self.ctx = ctx
        self.setAutoRaise(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(self.tr("Ganti atau tambah operator"))
        self.clicked.connect(self.open_dialog)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        db = self.ctx.db
        current = self.ctx.operator_id

        def op(_p: Progress) -> str:
            return next((o.name for o in ops.list_operators(db) if o.id == current), "")

        run_op(self, op, on_success=self._show, db=True)

    def _show(self, name: str) -> None:
        self.setText(self.tr("Operator: %1").replace("%1", name) if name else self.tr("Pilih operator"))

    @Slot()
    def open_dialog(self) -> None:
        dlg = OperatorDialog(self.ctx, self.window())
        dlg.chosen.connect(lambda _id: self.refresh())
        dlg.load(self.ctx.operator_id)
        dlg.open()


def install_operator_badge(window: QMainWindow, ctx: AppContext) -> OperatorBadge:
    badge = OperatorBadge(ctx, window.statusBar())
    window.statusBar().addPermanentWidget(badge)
    return badge
