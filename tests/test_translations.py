"""Translations: the English catalogue is complete, compiles and loads, and switches the UI;
Qt's own buttons speak Indonesian by default."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QWizard
from pytestqt.qtbot import QtBot

from desa_capil.paths import AppPaths
from desa_capil.store.db import Database
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext
from desa_capil.ui.translations import i18n_dir, install_translations, remove_translations

I18N = Path(__file__).resolve().parents[1] / "resources" / "i18n"
TS = I18N / "desa_capil_en.ts"


@pytest.fixture
def translations(qapp: QApplication) -> Iterator[None]:
    yield
    tasks.wait_idle()
    qapp.processEvents()
    remove_translations(qapp)


def _messages(path: Path) -> list[tuple[str, ET.Element]]:
    root = ET.parse(path).getroot()
    return [(c.findtext("name") or "", m) for c in root.iter("context") for m in c.iter("message")]


def test_english_catalogue_is_complete() -> None:
    messages = _messages(TS)
    assert len(messages) > 300
    unfinished = [
        (ctx, m.findtext("source"))
        for ctx, m in messages
        if (m.find("translation") is not None and m.find("translation").get("type") == "unfinished")  # type: ignore[union-attr]
    ]
    assert not unfinished, f"untranslated: {unfinished[:10]}"
    for ctx, m in messages:
        tr = m.find("translation")
        assert tr is not None
        forms = [f.text for f in tr.findall("numerusform")] if m.get("numerus") == "yes" else [tr.text]
        assert all(f and f.strip() for f in forms), (ctx, m.findtext("source"))
        # Placeholders survive translation ({0}, %1, %n ...).
        src = m.findtext("source") or ""
        for ph in ("{0}", "{1}", "{2}", "%1", "%2", "%3", "%n", "{name}", "{service}"):
            if ph in src:
                assert all(ph in (f or "") for f in forms), (ctx, src, forms)


def test_qm_files_load_and_translate(qapp: QApplication) -> None:
    en = QTranslator()
    assert en.load("desa_capil_en", str(i18n_dir()))
    assert en.translate("MainWindow", "Beranda") == "Home"
    qt_id = QTranslator()
    assert qt_id.load("qtbase_id", str(i18n_dir()))
    assert qt_id.translate("QPlatformTheme", "Cancel") == "Batal"


def test_qm_files_are_compiled_from_the_ts_files(tmp_path: Path) -> None:
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    for ts in sorted(I18N.glob("*.ts")):
        out = tmp_path / ts.with_suffix(".qm").name
        subprocess.run([str(lrelease), str(ts), "-qm", str(out)], check=True, capture_output=True)
        assert out.read_bytes() == ts.with_suffix(".qm").read_bytes(), f"re-run lrelease for {ts.name}"


def test_catalogue_covers_every_string_in_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user-facing string added to the code without English fails here: run
    `.venv/bin/python resources/i18n/update.py --list` and translate what it lists."""
    work = tmp_path / "i18n"
    shutil.copytree(I18N, work)
    spec = importlib.util.spec_from_file_location("i18n_update", work / "update.py")
    assert spec is not None and spec.loader is not None
    update = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(update)
    # The copy reads the real package but writes only into tmp.
    monkeypatch.setattr(update, "ROOT", I18N.parents[1])
    monkeypatch.setattr(update, "PACKAGE", I18N.parents[1] / "desa_capil")
    monkeypatch.setattr(update, "TS", work / "desa_capil_en.ts")
    monkeypatch.setattr(update, "HERE", work)
    assert update.main([]) == 0
    left = update.unfinished(ET.parse(work / "desa_capil_en.ts"))
    assert not left, f"strings without English (run resources/i18n/update.py): {left[:10]}"


def test_sidebar_switches_to_english(
    qapp: QApplication, db: Database, paths: AppPaths, translations: None
) -> None:
    from desa_capil.ui.main_window import MainWindow

    ctx = AppContext(db, paths)
    install_translations("id", qapp)
    win = MainWindow(ctx)
    assert win.sidebar.button("dashboard").text() == "Beranda"
    assert win.sidebar.button("settings").text() == "Pengaturan"
    win.deleteLater()

    install_translations("en", qapp)
    win = MainWindow(ctx)
    texts = {k: win.sidebar.button(k).text() for k in ("dashboard", "queue", "batches", "settings")}
    assert texts == {
        "dashboard": "Home",
        "queue": "Applications",
        "batches": "Batches",
        "settings": "Settings",
    }
    win.deleteLater()


def test_qt_dialog_buttons_in_indonesian(qapp: QApplication, translations: None) -> None:
    install_translations("id", qapp)
    box = QMessageBox(
        QMessageBox.Icon.Question, "x", "y", QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel
    )
    assert box.button(QMessageBox.StandardButton.Cancel).text() == "Batal"
    bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Yes | QDialogButtonBox.StandardButton.No)
    assert bb.button(QDialogButtonBox.StandardButton.Yes).text().replace("&", "") == "Ya"
    wizard = QWizard()
    assert wizard.buttonText(QWizard.WizardButton.CancelButton) == "Batal"
    install_translations("en", qapp)
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"


def test_qt_catalogue_sources_are_qts_own(qapp: QApplication) -> None:
    """A source text Qt does not use would never be looked up: every entry of qtbase_id.ts must
    be one Qt's own German catalogue (shipped with PySide6) translates in the same context."""
    from desa_capil.ui.translations import qt_translations_dir

    de = QTranslator()
    if not de.load("qtbase_de", str(qt_translations_dir())):
        pytest.skip("PySide6 without its qtbase_de.qm")
    unknown = [(ctx, m.findtext("source")) for ctx, m in _messages(I18N / "qtbase_id.ts")]
    unknown = [(ctx, src) for ctx, src in unknown if not de.translate(ctx, src or "")]
    assert not unknown, f"not Qt's own texts: {unknown[:10]}"
    assert len(_messages(I18N / "qtbase_id.ts")) >= 240


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")
def test_print_and_file_dialogs_in_indonesian(qapp: QApplication, translations: None) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QFileDialog, QGroupBox, QLabel, QTreeView

    install_translations("id", qapp)
    printer = QPrinter()
    dialog = QPrintDialog(printer)
    dialog.show()
    qapp.processEvents()
    texts = {dialog.windowTitle()}
    texts |= {w.text() for w in dialog.findChildren(QLabel) if w.text()}
    texts |= {w.text() for w in dialog.findChildren(QAbstractButton) if w.text()}
    texts |= {w.title() for w in dialog.findChildren(QGroupBox)}
    for combo in dialog.findChildren(QComboBox):
        texts |= {combo.itemText(i) for i in range(combo.count())}
    dialog.close()
    for want in ("Cetak", "&Cetak", "Batal", "Jumlah rangkap:", "Cetak semua", "Halaman yang dicetak",
                 "Semua Halaman", "Halaman Genap", "Berwarna"):  # fmt: skip
        assert want in texts, (want, sorted(texts))
    for english in ("Print", "&Print", "Copies:", "Print all", "All Pages", "Color", "Cancel", "Collate"):
        assert english not in texts, english

    files = QFileDialog()
    files.setOption(QFileDialog.Option.DontUseNativeDialog)
    files.setViewMode(QFileDialog.ViewMode.Detail)
    files.show()
    qapp.processEvents()
    tree = files.findChild(QTreeView)
    assert tree is not None
    model = tree.model()
    heads = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    files.close()
    assert heads == ["Nama", "Ukuran", "Jenis", "Tanggal Diubah"]


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")
def test_first_run_server_page_in_english(
    qapp: QApplication, qtbot: QtBot, db: Database, paths: AppPaths, translations: None
) -> None:
    """The server page's subtitle is one short sentence QWizard's header shows whole; the
    "Belum punya?" advice is a hint on the page, translated like the rest."""
    from PySide6.QtWidgets import QLabel

    from desa_capil.ui.first_run import FirstRunWizard

    install_translations("en", qapp)
    wizard = FirstRunWizard(AppContext(db, paths))
    # Deleted by qtbot before the next test: a wizard left for a later setStyleSheet to
    # repolish crashed the interpreter (tests/ui/test_app_start.py after this file).
    qtbot.addWidget(wizard)
    wizard.setStartId(wizard.pageIds()[2])
    wizard.resize(wizard.minimumSize())  # what a 1366x768 screen at 150 % leaves it
    wizard.show()
    qapp.processEvents()
    page = wizard.server_page
    assert (
        page.subTitle() == "Enter the server address and enrollment code from the civil registration office."
    )
    assert page.later_hint.text().startswith("Don't have them yet? Choose 'Later'")
    assert page.later_hint.isVisible()
    shown = [w for w in wizard.findChildren(QLabel) if w.isVisible() and w.text() == page.subTitle()]
    assert len(shown) == 1 and shown[0].height() >= shown[0].heightForWidth(shown[0].width())
    wizard.close()
