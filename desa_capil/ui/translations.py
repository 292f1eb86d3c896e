"""Loading the UI translations (.qm files) for the chosen language.

Bahasa Indonesia is the source language of every string in the app, so Indonesian needs no
catalogue of ours; English comes from ``resources/i18n/desa_capil_en.qm``.

Qt's own texts (the OK/Cancel buttons of message boxes, "Show Details...", the wizard's
Back/Next, the Cut/Copy/Paste menu of text fields, the file dialog and its columns, the print
dialog with its page setup and preview) come from Qt's
``qtbase_<lang>.qm`` in PySide6's translations folder. PySide6 6.12 ships no Indonesian
catalogue there (it has 30-odd languages, ``id`` is not one of them), so an Indonesian
``qtbase_id.qm`` made for this app, covering the texts our users meet, lives in
``resources/i18n/``. A Qt catalogue in PySide6's folder wins when a later Qt adds one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from desa_capil.ui.theme import resources_dir

log = logging.getLogger(__name__)

LANGUAGES: tuple[tuple[str, str], ...] = (("id", "Bahasa Indonesia"), ("en", "English"))
APP_CATALOGUE = "desa_capil"

# Installed translators, kept referenced (Qt does not own them) and removable on a switch.
_installed: list[QTranslator] = []


def i18n_dir() -> Path:
    return resources_dir() / "i18n"


def qt_translations_dir() -> Path:
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


def _load(name: str, folders: list[Path]) -> QTranslator | None:
    for folder in folders:
        tr = QTranslator()
        if tr.load(name, str(folder)):
            log.info("translation %s loaded from %s", name, folder)
            return tr
    log.info("translation %s not found in %s", name, ", ".join(map(str, folders)))
    return None


def catalogues_for(code: str) -> list[tuple[str, list[Path]]]:
    """(catalogue name, folders to look in, first match wins) for a language."""
    if code == "en":
        # Qt's source texts are English already: only our own catalogue is needed.
        return [(f"{APP_CATALOGUE}_en", [i18n_dir()])]
    return [(f"qtbase_{code}", [qt_translations_dir(), i18n_dir()])]


def install_translations(code: str, app: QCoreApplication | None = None) -> list[QTranslator]:
    """Install the catalogues of ``code`` ("id" or "en"), replacing any installed before.

    Returns the translators that loaded (an empty list for a language whose files are
    missing: the app then shows its Indonesian source texts, which is never wrong).
    """
    app = app or QCoreApplication.instance()
    if app is None:
        raise RuntimeError("create the QApplication first")
    remove_translations(app)
    for name, folders in catalogues_for("en" if code.startswith("en") else "id"):
        tr = _load(name, folders)
        if tr is not None and app.installTranslator(tr):
            _installed.append(tr)
    return list(_installed)


def remove_translations(app: QCoreApplication | None = None) -> None:
    app = app or QCoreApplication.instance()
    while _installed:
        tr = _installed.pop()
        if app is not None:
            app.removeTranslator(tr)
