"""First-run wizard (keyboard only), enrollment against the real server, operators."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desa_capil.paths import AppPaths
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import running_server
from desa_capil.store import operators as ops
from desa_capil.store import repo
from desa_capil.store.db import Database
from desa_capil.sync.config import credential_store
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext
from desa_capil.ui.first_run import FirstRunWizard, village_code_problem
from desa_capil.ui.operators import OperatorBadge, OperatorDialog


@pytest.fixture(autouse=True)
def _keyring_off_until_idle(no_keyring: None, qapp: QApplication) -> Iterator[None]:
    """No credential store (tests/conftest.py); background work ends before it comes back."""
    yield
    tasks.wait_idle()
    qapp.processEvents()


@pytest.fixture
def ctx(db: Database, paths: AppPaths) -> AppContext:
    return AppContext(db, paths)


@pytest.fixture
def central(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with running_server(tmp_path / "server") as server:
        yield server


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("32.04.05.2001", True),
        ("32.73.01.1001", True),
        ("3204052001", False),
        ("99.04.05.2001", False),  # no province 99
        ("32.00.05.2001", False),
        ("91.03.01.3007", True),  # desa adat (3xxx), Kab. Jayapura
        ("32.04.05.4001", False),  # neither kelurahan (1xxx), desa (2xxx) nor desa adat (3xxx)
        ("32.04.05.2000", False),
        ("32.04.05.200", False),
    ],
)
def test_village_code(code: str, ok: bool) -> None:
    assert (village_code_problem(code) is None) == ok


def _type(qtbot: QtBot, wizard: FirstRunWizard, text: str) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None and wizard.isAncestorOf(widget)
    qtbot.keyClicks(widget, text)


def _key(qtbot: QtBot, key: Qt.Key) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, key)


def _start(qtbot: QtBot, ctx: AppContext) -> FirstRunWizard:
    wizard = FirstRunWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is wizard.village_page.name_edit)
    return wizard


def _fill_first_pages(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    _type(qtbot, wizard, "Desa Cileunyi Kulon")
    _key(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is wizard.village_page.code_edit
    _type(qtbot, wizard, "32.04.05.2001")
    _key(qtbot, Qt.Key.Key_Return)  # Enter = next
    assert wizard.currentPage() is wizard.operator_page
    qtbot.waitUntil(lambda: QApplication.focusWidget() is wizard.operator_page.name_edit)
    _type(qtbot, wizard, "Siti Rahmawati")
    _key(qtbot, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.server_page
    qtbot.waitUntil(lambda: QApplication.focusWidget() is wizard.server_page.url_edit)


def test_wizard_by_keyboard_offline_first(qtbot: QtBot, ctx: AppContext, db: Database) -> None:
    assert ops.start_state(db).needs_setup
    wizard = _start(qtbot, ctx)
    # An incomplete code keeps "Lanjut" off: Enter does nothing.
    _type(qtbot, wizard, "Desa Cileunyi Kulon")
    _key(qtbot, Qt.Key.Key_Tab)
    _type(qtbot, wizard, "32.04.05")
    _key(qtbot, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.village_page
    wizard.village_page.code_edit.clear()
    wizard.village_page.name_edit.clear()
    wizard.village_page.name_edit.setFocus()
    _fill_first_pages(qtbot, wizard)
    # Tab to "Nanti saja", Space ticks it, Enter finishes.
    _key(qtbot, Qt.Key.Key_Tab)
    _key(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is wizard.server_page.later_check
    _key(qtbot, Qt.Key.Key_Space)
    assert wizard.server_page.later_check.isChecked()
    with qtbot.waitSignal(wizard.accepted, timeout=10000):
        _key(qtbot, Qt.Key.Key_Return)
    assert wizard.result is not None and not wizard.result.enrolled
    assert ctx.operator_id == wizard.result.operator_id
    assert repo.get_setting(db, "village_name") == "Desa Cileunyi Kulon"
    assert repo.get_setting(db, "village_code") == "32.04.05.2001"
    assert repo.get_setting(db, "server_url") == ""
    state = ops.start_state(db)
    assert not state.needs_setup
    assert [o.name for o in state.operators] == ["Siti Rahmawati"]
    assert state.last_operator_id == ctx.operator_id


def test_wizard_enrolls_with_the_server(
    qtbot: QtBot, ctx: AppContext, db: Database, paths: AppPaths, central: EmbeddedServer
) -> None:
    code = central.create_village("32.04.05.2001", "Desa Cileunyi Kulon")
    wizard = _start(qtbot, ctx)
    _fill_first_pages(qtbot, wizard)
    page = wizard.server_page
    # A wrong code: the office's answer is shown on the page, nothing is saved.
    _type(qtbot, wizard, central.base_url)
    _key(qtbot, Qt.Key.Key_Tab)
    _type(qtbot, wizard, "SALAH-123")
    _key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.isComplete() and "Nanti saja" in page.error.text(), timeout=10000)
    assert wizard.isVisible() and not page.enrolled
    assert credential_store(paths).get_token() is None
    page.code_edit.clear()
    page.code_edit.setFocus()
    _type(qtbot, wizard, code)
    with qtbot.waitSignal(wizard.accepted, timeout=15000):
        _key(qtbot, Qt.Key.Key_Return)
    assert wizard.result is not None and wizard.result.enrolled
    assert repo.get_setting(db, "server_url") == central.base_url
    assert credential_store(paths).get_token()
    assert not ops.start_state(db).needs_setup


def test_legacy_operator_name_counts_as_set_up(db: Database) -> None:
    repo.set_setting(db, "village_name", "Desa Sukamaju")
    repo.set_setting(db, "operator_name", "Budi")
    state = ops.start_state(db)
    assert not state.needs_setup and [o.name for o in state.operators] == ["Budi"]


def test_operators_add_choose_deactivate(qtbot: QtBot, ctx: AppContext, db: Database) -> None:
    first = ops.add_operator(db, "Siti Rahmawati")
    ops.add_operator(db, "Agus  Setiawan ")
    assert ops.add_operator(db, "siti rahmawati").id == first.id  # same person, not a copy
    dlg = OperatorDialog(ctx, at_start=True)
    qtbot.addWidget(dlg)
    dlg.set_operators(ops.list_operators(db), first.id)
    assert dlg.selected_id() == first.id
    dlg.name_edit.setText("Dewi Lestari")
    dlg._add()
    qtbot.waitUntil(lambda: dlg.list.count() == 3, timeout=5000)
    assert dlg.list.currentItem().text() == "Dewi Lestari"
    with qtbot.waitSignal(dlg.chosen, timeout=5000) as blocker:
        dlg.accept()
    dewi = blocker.args[0]
    assert ctx.operator_id == dewi and ops.last_operator_id(db) == dewi
    assert repo.get_setting(db, "operator_name") == "Dewi Lestari"
    # The last active operator cannot be deactivated.
    for o in ops.list_operators(db):
        if o.id != dewi:
            ops.set_active(db, o.id, False)
    with pytest.raises(Exception, match="operator"):
        ops.set_active(db, dewi, False)
    badge = OperatorBadge(ctx)
    qtbot.addWidget(badge)
    qtbot.waitUntil(lambda: "Dewi Lestari" in badge.text(), timeout=5000)


def test_village_picked_by_name_from_the_official_list(qtbot: QtBot, ctx: AppContext) -> None:
    wizard = _start(qtbot, ctx)
    page = wizard.village_page
    qtbot.waitUntil(lambda: page.index is not None, timeout=30000)
    _type(qtbot, wizard, "Desa Adat Yobo")  # the kind word is not needed, nor harmful
    assert page.results.isVisible()
    assert page.results.item(0).text().startswith("Desa Adat Yoboi")  # own name first
    assert "Kabupaten Jayapura" in page.results.item(0).text()
    _key(qtbot, Qt.Key.Key_Down)
    _key(qtbot, Qt.Key.Key_Return)  # picks; does not leave the page
    assert wizard.currentPage() is page
    assert page.name_edit.text() == "Desa Adat Yoboi"
    assert page.code_edit.text() == "91.03.01.3007"
    assert "Kec. Sentani" in page.place.text() and page.isComplete()
    # A code typed by hand that the list does not know is warned about, not refused.
    page.code_edit.setText("32.04.05.2999")
    assert "tidak ada di daftar" in page.place.text() and page.isComplete()
    _key(qtbot, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.operator_page
