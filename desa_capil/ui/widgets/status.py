"""Status display: the groups the dashboard counts and the queue filters by, and the badge.

Twelve statuses are too many for a village operator to scan; the dashboard cards and the
queue's filter chips use these eight groups instead. The badge shows the exact status.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QLabel, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desa_capil.domain.status import Status
from desa_capil.domain.status import label as status_label
from desa_capil.ui.i18n import lang
from desa_capil.ui.theme import TONES, Tone, status_tone


@dataclass(frozen=True)
class StatusGroup:
    key: str
    statuses: frozenset[Status]
    tone: str

    @property
    def colors(self) -> Tone:
        return TONES[self.tone]

    def label(self) -> str:
        return group_labels()[self.key]

    def hint(self) -> str:
        return group_hints()[self.key]


S = Status
STATUS_GROUPS: tuple[StatusGroup, ...] = (
    StatusGroup("draft", frozenset({S.DRAFT}), "gray"),
    StatusGroup("ready", frozenset({S.READY}), "blue"),
    StatusGroup("waiting", frozenset({S.SENDING, S.SENT, S.IN_REVIEW, S.PROCESSING}), "violet"),
    StatusGroup("needs_fix", frozenset({S.NEEDS_FIX}), "amber"),
    StatusGroup("finished", frozenset({S.FINISHED, S.DISPATCHED}), "teal"),
    StatusGroup("arrived", frozenset({S.ARRIVED}), "green"),
    StatusGroup("handed_over", frozenset({S.HANDED_OVER}), "slate"),
    StatusGroup("rejected", frozenset({S.REJECTED}), "red"),
)
del S
GROUPS_BY_KEY: dict[str, StatusGroup] = {g.key: g for g in STATUS_GROUPS}


def group_labels() -> dict[str, str]:
    t = QCoreApplication.translate
    return {
        "draft": t("StatusGroup", "Draf"),
        "ready": t("StatusGroup", "Siap dikirim"),
        "waiting": t("StatusGroup", "Terkirim / menunggu"),
        "needs_fix": t("StatusGroup", "Perlu perbaikan"),
        "finished": t("StatusGroup", "Selesai / dikirim ke desa"),
        "arrived": t("StatusGroup", "Siap dibagikan"),
        "handed_over": t("StatusGroup", "Sudah diserahkan"),
        "rejected": t("StatusGroup", "Ditolak"),
    }


def chip_labels() -> dict[str, str]:
    """Short names for the queue's filter chips (they must fit one row at 1366 px)."""
    t = QCoreApplication.translate
    return {
        "draft": t("StatusGroup", "Draf"),
        "ready": t("StatusGroup", "Siap dikirim"),
        "waiting": t("StatusGroup", "Di Disdukcapil"),
        "needs_fix": t("StatusGroup", "Perlu perbaikan"),
        "finished": t("StatusGroup", "Selesai"),
        "arrived": t("StatusGroup", "Siap dibagikan"),
        "handed_over": t("StatusGroup", "Diserahkan"),
        "rejected": t("StatusGroup", "Ditolak"),
    }


def group_hints() -> dict[str, str]:
    t = QCoreApplication.translate
    return {
        "draft": t("StatusGroup", "Berkas belum lengkap"),
        "ready": t("StatusGroup", "Lengkap, belum dikirim"),
        "waiting": t("StatusGroup", "Di Disdukcapil"),
        "needs_fix": t("StatusGroup", "Diminta kantor"),
        "finished": t("StatusGroup", "Dokumen dalam perjalanan"),
        "arrived": t("StatusGroup", "Sudah di kantor desa"),
        "handed_over": t("StatusGroup", "Diterima warga"),
        "rejected": t("StatusGroup", "Tidak dapat diproses"),
    }


def as_status(value: object) -> Status | None:
    """A Status from model data: Qt hands a StrEnum back as a plain str."""
    if isinstance(value, Status):
        return value
    try:
        return Status(str(value)) if value is not None else None
    except ValueError:
        return None


def count_for(group: StatusGroup, counts: dict[Status, int]) -> int:
    return sum(counts.get(s, 0) for s in group.statuses)


BADGE_PAD_X = 10
BADGE_HEIGHT = 22


def badge_font(base: QFont) -> QFont:
    f = QFont(base)
    f.setWeight(QFont.Weight.DemiBold)
    f.setPointSizeF(max(7.5, base.pointSizeF() - 1))
    return f


def paint_badge(painter: QPainter, rect: QRect, text: str, tone: Tone, font: QFont) -> None:
    """A rounded pill with the text, vertically centred and left-aligned in `rect`."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setFont(font)
    # The painter's metrics, not QFontMetrics(font): the device's DPI decides the text width.
    fm = painter.fontMetrics()
    width = min(rect.width(), fm.horizontalAdvance(text) + 2 * BADGE_PAD_X + 2)
    height = min(rect.height() - 4, BADGE_HEIGHT)
    pill = QRect(rect.x(), rect.y() + (rect.height() - height) // 2, width, height)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(tone.bg))
    painter.drawRoundedRect(pill, height / 2, height / 2)
    painter.setPen(QColor(tone.fg))
    elided = fm.elidedText(text, Qt.TextElideMode.ElideRight, width - 2 * BADGE_PAD_X)
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, elided)
    painter.restore()


class StatusBadgeDelegate(QStyledItemDelegate):
    """Paints a model's status column as a coloured pill.

    The model gives the Status under `status_role` and the label under DisplayRole.
    """

    def __init__(self, status_role: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status_role = status_role

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        status = as_status(index.data(self.status_role))
        if status is None:
            super().paint(painter, option, index)
            return
        # Let the style draw selection/hover background, then the pill over it without text.
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        inner = option.rect.adjusted(8, 0, -6, 0)
        # The model's own words when it has them ("Perbaikan siap dikirim"), else the status name.
        text = index.data(Qt.ItemDataRole.DisplayRole)
        label = text if isinstance(text, str) and text else status_label(status, lang())
        paint_badge(painter, inner, label, status_tone(status), badge_font(option.font))

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        base = super().sizeHint(option, index)
        return QSize(base.width() + 2 * BADGE_PAD_X + 14, max(base.height(), BADGE_HEIGHT + 8))


class StatusBadge(QLabel):
    """A small coloured label showing one status (for detail panes and dialogs)."""

    def __init__(self, status: Status | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBadge")
        self.status: Status | None = None
        if status is not None:
            self.set_status(status)

    def set_status(self, status: Status) -> None:
        self.status = status
        tone = status_tone(status)
        self.setText(status_label(status, lang()))
        self.setStyleSheet(
            f"QLabel#statusBadge {{ color: {tone.fg}; background: {tone.bg}; border-radius: 10px;"
            f" padding: 2px 10px; font-weight: 600; }}"
        )
