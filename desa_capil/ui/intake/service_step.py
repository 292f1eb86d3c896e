"""Step 1 of the intake wizard: choose the service, see which papers it needs."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desa_capil.domain.catalog import Service, get_service, search_services
from desa_capil.ui.i18n import lang

CODE_ROLE = Qt.ItemDataRole.UserRole + 1


class ServiceStep(QWidget):
    """Searchable service list and the chosen service's papers.

    Signals:
        chosen(str): the service code the operator picked (also on keyboard selection).
        activated(str): a service was confirmed with Enter or a double click (go on).
    """

    chosen = Signal(str)
    activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._code = ""

        self.search = QLineEdit()
        self.search.setObjectName("bigSearch")
        self.search.setPlaceholderText(self.tr("Cari layanan, misalnya: akta lahir, KK, pindah"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._fill)
        self.search.installEventFilter(self)

        self.list = QListWidget()
        self.list.setObjectName("serviceList")
        self.list.setAccessibleName(self.tr("Daftar layanan"))
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.itemActivated.connect(lambda it: self.activated.emit(it.data(CODE_ROLE)))

        left = QVBoxLayout()
        left.setSpacing(8)
        title = QLabel(self.tr("Layanan apa yang diminta warga?"))
        title.setObjectName("stepTitle")
        left.addWidget(title)
        left.addWidget(self.search)
        left.addWidget(self.list, 1)

        self.detail_title = QLabel()
        self.detail_title.setObjectName("detailTitle")
        self.detail_title.setWordWrap(True)
        self.in_person = QLabel()
        self.in_person.setObjectName("inPersonNote")
        self.in_person.setWordWrap(True)
        self.in_person.hide()
        self.papers = QLabel()
        self.papers.setObjectName("papersList")
        self.papers.setWordWrap(True)
        self.papers.setTextFormat(Qt.TextFormat.RichText)
        self.papers.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        card = QFrame()
        card.setObjectName("card")
        right = QVBoxLayout(card)
        right.setContentsMargins(20, 18, 20, 18)
        right.setSpacing(12)
        right.addWidget(self.detail_title)
        right.addWidget(self.in_person)
        right.addWidget(self.papers, 1)

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(20)
        row.addLayout(left, 5)
        row.addWidget(card, 6)
        self._fill("")
        self._show(None)

    # --- public ---------------------------------------------------------------------------

    def code(self) -> str:
        return self._code

    def set_code(self, code: str) -> None:
        self.search.clear()
        for i in range(self.list.count()):
            if self.list.item(i).data(CODE_ROLE) == code:
                self.list.setCurrentRow(i)
                return

    # --- internals ------------------------------------------------------------------------

    def _fill(self, text: str) -> None:
        keep = self._code
        self.list.blockSignals(True)
        self.list.clear()
        for s in search_services(text, lang()):
            label = s.name(lang())
            if s.in_person:
                label += "  " + self.tr("(harus datang sendiri)")
            it = QListWidgetItem(label)
            it.setData(CODE_ROLE, s.code)
            it.setToolTip(s.name(lang()))
            self.list.addItem(it)
            if s.code == keep:
                self.list.setCurrentItem(it)
        self.list.blockSignals(False)
        if self.list.currentItem() is None and text and self.list.count():
            # While searching, the best match is picked so Enter goes straight on.
            self.list.setCurrentRow(0)
        if self.list.count() == 0:
            empty = QListWidgetItem(
                self.tr("Tidak ada layanan yang cocok dengan \u201c{0}\u201d").format(text)
            )
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(empty)

    def _current_changed(self, item: QListWidgetItem | None, _prev: QListWidgetItem | None) -> None:
        code = item.data(CODE_ROLE) if item is not None else None
        if not code:
            return
        self._code = code
        self._show(get_service(code))
        self.chosen.emit(code)

    def _show(self, service: Service | None) -> None:
        if service is None:
            self.detail_title.setText(self.tr("Pilih layanan di sebelah kiri"))
            self.in_person.hide()
            self.papers.setText(self.tr("Daftar kertas yang harus dibawa warga akan tampil di sini."))
            return
        self.detail_title.setText(service.name(lang()))
        if service.in_person:
            self.in_person.setText(
                self.tr("Warga harus datang sendiri ke Disdukcapil.") + " " + service.in_person_note(lang())
            )
            self.in_person.show()
        else:
            self.in_person.hide()
        mandatory = self.tr("Wajib")
        optional = self.tr("Bila ada")
        rows = []
        for r in service.requirements:
            tag = (
                f"<span style='color:#b91c1c;font-weight:600'>{mandatory}</span>"
                if r.mandatory
                else f"<span style='color:#64748b'>{optional}</span>"
            )
            rows.append(
                f"<tr><td style='padding:4px 10px 4px 0'>\u2022 {r.name(lang())}</td><td>{tag}</td></tr>"
            )
        head = self.tr("Kertas yang diperlukan:")
        self.papers.setText(f"<p style='margin-bottom:6px'><b>{head}</b></p><table>{''.join(rows)}</table>")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # Arrow keys in the search field move through the list, so the keyboard never has to
        # leave the field: type, arrow to the service, Enter.
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                row = self.list.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                if 0 <= row < self.list.count():
                    self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                it = self.list.currentItem()
                if it is not None and it.data(CODE_ROLE):
                    self.activated.emit(it.data(CODE_ROLE))
                return True
        return super().eventFilter(watched, event)
