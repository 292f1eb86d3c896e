"""Step 1 of the intake wizard: choose the service, see which papers it needs.

The list shows one line per catalog entry; an entry with variants ("hilang" / "rusak") shows
them as choices in the detail card, each with its own papers. What happens to each original
(scan only, shown, handed over and kept) and the alternatives ("atau SPTJM ...") are listed
with the papers, so the resident brings the right things the first time.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desa_capil.domain.catalog import (
    Original,
    Service,
    family_services,
    get_service,
    search_families,
    search_services,
)
from desa_capil.ui.i18n import lang
from desa_capil.ui.widgets.responsive import FlowLayout

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
FAMILY_ROLE = Qt.ItemDataRole.UserRole + 2


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
        self.variant_box = QWidget()
        self.variant_box.setObjectName("variantBox")
        # Variants wrap (kk_ubah has four long ones): in one row they made the whole intake
        # window 1038 px wide at 150 %, wider than the 910 px screen.
        self.variant_lay = FlowLayout(self.variant_box, spacing=14)
        self.variant_lay.setContentsMargins(0, 0, 0, 0)
        self.variant_group = QButtonGroup(self)
        self.variant_group.setExclusive(True)
        self.variant_buttons: dict[str, QRadioButton] = {}
        self.variant_box.hide()
        self.note = QLabel()
        self.note.setObjectName("infoNote")
        self.note.setWordWrap(True)
        self.note.hide()
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
        right.addWidget(self.variant_box)
        right.addWidget(self.in_person)
        right.addWidget(self.note)
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
        family = get_service(code).family
        for i in range(self.list.count()):
            if self.list.item(i).data(FAMILY_ROLE) == family:
                self.list.item(i).setData(CODE_ROLE, code)
                if self.list.currentRow() == i:
                    self._choose(code)
                else:
                    self.list.setCurrentRow(i)
                return
        # A service the catalog in use no longer offers (an application made before the
        # office changed its catalog): shown so the application keeps working.
        service = get_service(code)
        it = QListWidgetItem(service.family_name(lang()) + "  " + self.tr("(tidak ditawarkan lagi)"))
        it.setData(CODE_ROLE, code)
        it.setData(FAMILY_ROLE, family)
        self.list.addItem(it)
        self.list.setCurrentItem(it)

    # --- internals ------------------------------------------------------------------------

    def _fill(self, text: str) -> None:
        keep = self._code
        self.list.blockSignals(True)
        self.list.clear()
        keep_family = get_service(keep).family if keep else ""
        matched = {s.code for s in search_services(text, lang())}
        for s in search_families(text, lang()):
            label = s.family_name(lang())
            if s.in_person:
                label += "  " + self.tr("(harus datang sendiri)")
            it = QListWidgetItem(label)
            # The variant the search matched best; the one already chosen when it is this family.
            it.setData(CODE_ROLE, keep if s.family == keep_family and keep in matched else s.code)
            it.setData(FAMILY_ROLE, s.family)
            it.setToolTip(s.family_name(lang()))
            self.list.addItem(it)
            if s.family == keep_family:
                self.list.setCurrentItem(it)
        self.list.blockSignals(False)
        current = self.list.currentItem()
        if current is not None and current.data(CODE_ROLE) != self._code:
            self._choose(current.data(CODE_ROLE))  # the search named another variant
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
        self._choose(code)

    def _choose(self, code: str) -> None:
        self._code = code
        item = self.list.currentItem()
        if item is not None and item.data(FAMILY_ROLE) == get_service(code).family:
            item.setData(CODE_ROLE, code)
        self._show(get_service(code))
        self.chosen.emit(code)

    def _fill_variants(self, service: Service) -> None:
        variants = family_services(service.family)
        if [b.property("code") for b in self.variant_group.buttons()] != [v.code for v in variants]:
            for b in self.variant_group.buttons():
                self.variant_group.removeButton(b)
                b.deleteLater()
            self.variant_buttons = {}
            while self.variant_lay.count():
                item = self.variant_lay.takeAt(0)
                gone = item.widget() if item is not None else None
                if gone is not None:
                    gone.deleteLater()  # the "Jenis:" label too, not only the buttons
            if len(variants) > 1:
                head = QLabel(self.tr("Jenis:"))
                head.setObjectName("formLabel")
                self.variant_lay.addWidget(head)
                for v in variants:
                    b = QRadioButton(v.variant_label(lang()))
                    b.setProperty("code", v.code)
                    b.toggled.connect(lambda on, c=v.code: on and c != self._code and self._choose(c))
                    self.variant_group.addButton(b)
                    self.variant_lay.addWidget(b)
                    self.variant_buttons[v.code] = b
        self.variant_box.setVisible(len(variants) > 1)
        b = self.variant_buttons.get(service.code)
        if b is not None and not b.isChecked():
            b.blockSignals(True)
            b.setChecked(True)
            b.blockSignals(False)

    def _show(self, service: Service | None) -> None:
        if service is None:
            self.detail_title.setText(self.tr("Pilih layanan di sebelah kiri"))
            self.in_person.hide()
            self.note.hide()
            self.variant_box.hide()
            self.papers.setText(self.tr("Daftar kertas yang harus dibawa warga akan tampil di sini."))
            return
        self.detail_title.setText(service.family_name(lang()))
        self._fill_variants(service)
        if service.in_person:
            self.in_person.setText(
                self.tr("Warga harus datang sendiri ke Disdukcapil.") + " " + service.in_person_note(lang())
            )
            self.in_person.show()
        else:
            self.in_person.hide()
        notes = [service.note(lang())] if service.note(lang()) else []
        if service.deadline_days:
            notes.append(
                self.tr(
                    "Batas lapor: {0} hari sejak {1}. Lewat dari itu tetap dilayani, dengan catatan terlambat."
                ).format(service.deadline_days, service.event_label(lang()).lower())
            )
        bundle = [o.name(lang()) for o in service.outputs if o.bundle]
        if bundle:
            notes.append(
                self.tr("Bisa sekaligus ({0}): {1}, dengan kertas yang sama.").format(
                    service.bundle_name(lang()), ", ".join(bundle)
                )
            )
        self.note.setText("\n".join(notes))
        self.note.setVisible(bool(notes))
        self.papers.setText(self.papers_html(service))

    def papers_html(self, service: Service) -> str:
        """The checklist: each paper, whether it is needed, what happens to the original, and the
        alternatives that replace it."""
        mandatory = self.tr("Wajib")
        optional = self.tr("Bila ada")
        kept = self.tr("asli diserahkan")
        shown = self.tr("asli ditunjukkan")
        alt_only = service.alternative_codes
        rows = []
        for r in service.requirements:
            if r.code in alt_only and not r.mandatory:
                continue  # shown as the "atau" line of the paper it replaces
            tag = (
                f"<span style='color:#b91c1c;font-weight:600'>{mandatory}</span>"
                if r.mandatory
                else f"<span style='color:#64748b'>{optional}</span>"
            )
            if r.original is Original.HAND_OVER:
                tag += f" <span style='color:#92400e;font-weight:600'>\u00b7 {kept}</span>"
            elif r.original is Original.SHOW:
                tag += f" <span style='color:#1d4ed8'>\u00b7 {shown}</span>"
            rows.append(
                f"<tr><td style='padding:4px 10px 0 0'>\u2022 {r.name(lang())}</td><td>{tag}</td></tr>"
            )
            for alt in r.alternatives:
                names = " + ".join(service.requirement(c).name(lang()) for c in alt)
                rows.append(
                    f"<tr><td style='padding:0 10px 4px 16px;color:#475569'>{self.tr('atau')}: {names}</td>"
                    "<td></td></tr>"
                )
        head = self.tr("Kertas yang diperlukan:")
        return f"<p style='margin-bottom:6px'><b>{head}</b></p><table>{''.join(rows)}</table>"

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
