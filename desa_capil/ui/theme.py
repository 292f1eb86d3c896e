"""The look of the app: the light style sheet, the palette, icons and status colours.

Every colour a widget paints itself (status badges, count cards, the connection dot) comes
from here so that the style sheet and the painted parts agree.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from desa_capil.domain.status import Status

log = logging.getLogger(__name__)

ACCENT = "#1d5fd1"
ACCENT_DARK = "#174ea9"
TEXT = "#1e293b"
TEXT_MUTED = "#64748b"
ICON_MUTED = "#475569"
BORDER = "#e2e8f0"
WINDOW_BG = "#f6f8fb"
SURFACE = "#ffffff"
DANGER = "#b91c1c"
URGENT = "#dc2626"

# Font families tried in order: the Windows UI font first, then common Linux ones.
FONT_FAMILIES = ["Segoe UI", "Noto Sans", "Cantarell", "Ubuntu", "DejaVu Sans"]
BASE_POINT_SIZE = 10


@dataclass(frozen=True)
class Tone:
    """A pair of colours for a pill or card: text/marker colour on a pale background."""

    fg: str
    bg: str


TONES: dict[str, Tone] = {
    "gray": Tone("#475569", "#e9eef4"),
    "blue": Tone("#1d4ed8", "#dbeafe"),
    "violet": Tone("#6d28d9", "#ede9fe"),
    "amber": Tone("#b45309", "#fef3c7"),
    "red": Tone("#b91c1c", "#fee2e2"),
    "teal": Tone("#0f766e", "#ccfbf1"),
    "green": Tone("#15803d", "#dcfce7"),
    "slate": Tone("#334155", "#e2e8f0"),
}

STATUS_TONE: dict[Status, str] = {
    Status.DRAFT: "gray",
    Status.READY: "blue",
    Status.SENDING: "violet",
    Status.SENT: "violet",
    Status.IN_REVIEW: "violet",
    Status.PROCESSING: "violet",
    Status.NEEDS_FIX: "amber",
    Status.REJECTED: "red",
    Status.FINISHED: "teal",
    Status.DISPATCHED: "teal",
    Status.ARRIVED: "green",
    Status.HANDED_OVER: "slate",
}


def status_tone(status: Status) -> Tone:
    return TONES[STATUS_TONE[status]]


def resources_dir() -> Path:
    """The resources/ folder: beside the package in a checkout, at the bundle root when frozen."""
    candidates = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    candidates.append(Path(__file__).resolve().parents[2] / "resources")
    for c in candidates:
        if c.is_dir():
            return c
    return candidates[-1]


@cache
def _svg_source(name: str) -> bytes | None:
    path = resources_dir() / "icons" / f"{name}.svg"
    try:
        return path.read_bytes()
    except OSError:
        log.warning("icon %s missing at %s", name, path)
        return None


def icon_pixmap(name: str, color: str, size: int = 24, ratio: float = 2.0) -> QPixmap:
    """An icon drawn in one colour (the SVGs use currentColor for their strokes)."""
    pm = QPixmap(int(size * ratio), int(size * ratio))
    pm.fill(Qt.GlobalColor.transparent)
    src = _svg_source(name)
    if src is not None:
        renderer = QSvgRenderer(QByteArray(src.replace(b"currentColor", color.encode())))
        painter = QPainter(pm)
        renderer.render(painter, QRectF(0, 0, pm.width(), pm.height()))
        painter.end()
    pm.setDevicePixelRatio(ratio)
    return pm


def icon(name: str, color: str = ICON_MUTED, checked_color: str | None = None) -> QIcon:
    """A QIcon from resources/icons/<name>.svg; `checked_color` for the On state of toggles."""
    ic = QIcon()
    for size in (16, 20, 24, 32):
        ic.addPixmap(icon_pixmap(name, color, size), QIcon.Mode.Normal, QIcon.State.Off)
        ic.addPixmap(icon_pixmap(name, "#94a3b8", size), QIcon.Mode.Disabled, QIcon.State.Off)
        if checked_color:
            ic.addPixmap(icon_pixmap(name, checked_color, size), QIcon.Mode.Normal, QIcon.State.On)
    return ic


ICON_SIZE = QSize(20, 20)


def style_sheet() -> str:
    path = resources_dir() / "style.qss"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        log.warning("style sheet missing at %s; using the plain platform style", path)
        return ""
    # Qt resolves a relative url() against the current directory, not the style sheet's.
    return text.replace("url(icons/", f"url({(resources_dir() / 'icons').as_posix()}/")


def apply_theme(app: QApplication) -> None:
    """Fusion style, a light palette whatever the OS theme, the UI font and resources/style.qss."""
    app.setStyle("Fusion")
    pal = QPalette()
    pal.setColor(QPalette.ColorRole.Window, QColor(WINDOW_BG))
    pal.setColor(QPalette.ColorRole.WindowText, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.Base, QColor(SURFACE))
    pal.setColor(QPalette.ColorRole.AlternateBase, QColor("#f8fafc"))
    pal.setColor(QPalette.ColorRole.Text, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.Button, QColor(SURFACE))
    pal.setColor(QPalette.ColorRole.ButtonText, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.Highlight, QColor("#dbe7fb"))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.ToolTipBase, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.ToolTipText, QColor(SURFACE))
    pal.setColor(QPalette.ColorRole.PlaceholderText, QColor("#94a3b8"))
    pal.setColor(QPalette.ColorRole.Link, QColor(ACCENT))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#94a3b8"))
    app.setPalette(pal)
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(style_sheet())
    from desa_capil.ui.widgets.screen_fit import install_screen_fit

    install_screen_fit(app)
