"""The main window: every page shows, the status bar follows the context, settings save."""

from __future__ import annotations

import sys
import types
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QMessageBox
from pytestqt.qtbot import QtBot
from ui_seed import bulk_insert, status_for

from desa_capil.domain.catalog import Urgency
from desa_capil.domain.status import Status
from desa_capil.services.changes import Changes
from desa_capil.store import repo
from desa_capil.store.db import Database
from desa_capil.store.models import Outbox
from desa_capil.ui.context import AppContext, ConnectionState
from desa_capil.ui.main_window import PAGE_KEYS, MainWindow, page_titles
from desa_capil.ui.pages.dashboard_page import DashboardPage
from desa_capil.ui.pages.queue_page import QueuePage
from desa_capil.ui.pages.settings_page import SettingsPage
from desa_capil.ui.widgets.format import format_bytes, format_datetime
from desa_capil.ui.widgets.status import GROUPS_BY_KEY, STATUS_GROUPS, count_for

# The offscreen platform says so whenever a top-level widget with a layout is shown; harmless.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    # The first status load was started by the constructor; its result arrives by a queued
    # signal, so it cannot slip past this wait.
    with qtbot.waitSignal(win.status_refreshed, timeout=10000):
        win.show()
    return win


def test_every_sidebar_page_can_be_shown(qtbot: QtBot, window: MainWindow) -> None:
    titles = page_titles()
    assert set(titles) == set(PAGE_KEYS)
    assert window.current_page_key() == "dashboard"
    # The dashboard is shown first; visit it last so that every click changes the page.
    for key in PAGE_KEYS[1:] + PAGE_KEYS[:1]:
        button = window.sidebar.button(key)
        assert button.text() == titles[key]
        with qtbot.waitSignal(window.page_changed, check_params_cb=lambda k, key=key: k == key):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        page = window.stack.currentWidget()
        assert page is window.page(key)
        assert page.objectName() != "brokenPage"
        assert page.isVisible()
        assert button.isChecked()
        assert titles[key] in window.windowTitle()
    assert isinstance(window.page("dashboard"), DashboardPage)
    assert isinstance(window.page("queue"), QueuePage)
    assert isinstance(window.page("settings"), SettingsPage)


def test_status_bar_shows_connection_and_last_contact(window: MainWindow, ctx: AppContext) -> None:
    assert "Belum terhubung" in window.connection_label.text()
    when = datetime(2025, 3, 4, 5, 6)
    ctx.set_connection(ConnectionState.ONLINE, when)
    assert "Terhubung" in window.connection_label.text()
    assert format_datetime(when) in window.connection_label.text()
    ctx.set_connection(ConnectionState.OFFLINE, None)
    text = window.connection_label.text()
    assert "Luring" in text and format_datetime(when) in text  # the last contact is kept


def test_status_bar_pending_upload_follows_data_changes(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, db: Database
) -> None:
    assert "Tidak ada data" in window.pending_label.text()
    with db.session() as s:
        s.add(Outbox(kind="upload", ref_id="d1", upload_length=3 * 1024 * 1024, upload_offset=1024 * 1024))
        s.add(Outbox(kind="upload", ref_id="d2", upload_length=512 * 1024, state="done"))
        s.commit()
    with qtbot.waitSignal(window.status_refreshed):
        ctx.notify(Changes(batches=frozenset({"b1"})))
    assert format_bytes(2 * 1024 * 1024) == "2,0 MB"
    assert "2,0 MB" in window.pending_label.text()
    ctx.pending_bytes_changed.emit(1536)
    assert "1,5 KB" in window.pending_label.text()


def test_dashboard_counts_follow_data_changes(qtbot: QtBot, ctx: AppContext, db: Database) -> None:
    n = 240
    bulk_insert(db, n)
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=10000):
        page.show()
    counts = {s: sum(1 for i in range(n) if status_for(i) is s) for s in Status}
    for group in STATUS_GROUPS:
        assert page.cards[group.key].count_text() == str(count_for(group, counts))
    # A new draft and an urgent one: counts and the attention list follow.
    repo.save_application(
        db, service_code="kia", applicant=repo.ApplicantData(nik="3201010101010001", name="Anak Baru")
    )
    repo.save_application(
        db,
        service_code="akta_lahir",
        applicant=repo.ApplicantData(nik="3201010101010002", name="Bayi Mendesak"),
        urgency=Urgency.HOSPITAL,
    )
    with qtbot.waitSignal(page.loaded, timeout=10000):
        ctx.notify(Changes(applications=frozenset({"new"})))
    assert page.cards["draft"].count_text() == str(count_for(GROUPS_BY_KEY["draft"], counts) + 2)
    assert page.data is not None
    assert page.data.attention[0].row.applicant_name == "Bayi Mendesak"
    assert page.data.attention[0].row.urgency is Urgency.HOSPITAL


def test_coming_back_to_a_page_changed_while_hidden_loads_it_once(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = window.show_page("queue")
    assert isinstance(queue, QueuePage)
    window.show_page("dashboard")
    loads: list[None] = []
    load = queue.refresh
    monkeypatch.setattr(queue, "refresh", lambda: loads.append(load()))
    ctx.notify(Changes(applications=frozenset({"a1"})))  # while the queue is hidden: only noted
    assert loads == []
    window.show_page("queue")
    assert len(loads) == 1  # not once by show_page and again by the page's showEvent


def test_dashboard_card_opens_filtered_queue(qtbot: QtBot, window: MainWindow, db: Database) -> None:
    bulk_insert(db, 60)
    dashboard = window.page("dashboard")
    assert isinstance(dashboard, DashboardPage)
    queue = window.page("queue")
    assert isinstance(queue, QueuePage)
    with qtbot.waitSignal(queue.model.reloaded, timeout=10000):
        qtbot.mouseClick(dashboard.cards["needs_fix"], Qt.MouseButton.LeftButton)
    assert window.current_page_key() == "queue"
    assert queue.chips["needs_fix"].isChecked()
    assert queue.model.filter.statuses == GROUPS_BY_KEY["needs_fix"].statuses
    assert queue.model.rowCount() == sum(1 for i in range(60) if status_for(i) is Status.NEEDS_FIX)


def test_settings_save_and_validate(qtbot: QtBot, ctx: AppContext, db: Database) -> None:
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    group = page.findChild(QGroupBox, "serverGroup")
    assert group is page.server_group and group.title() == "Server Disdukcapil"
    page.village_name_edit.setText("Desa Sukamaju")
    page.village_code_edit.setText("32.01.01")  # too short
    page.head_name_edit.setText("Ibu  Yanti")
    page.head_nip_edit.setText("1975 0101 2000 0320 01")
    page.save()
    assert page.status_label.property("error") is True
    assert repo.get_setting(db, "village_name") == ""  # nothing written
    page.village_code_edit.setText("32.01.01.2001")
    page.head_nip_edit.setText("12345")  # not a NIP
    page.save()
    assert page.status_label.property("error") is True and "18 angka" in page.status_label.text()
    page.head_nip_edit.setText("1975 0101 2000 0320 01")
    page.language_combo.setCurrentIndex(page.language_combo.findData("en"))
    with qtbot.waitSignal(page.saved), qtbot.waitSignal(ctx.changed):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert repo.get_setting(db, "village_name") == "Desa Sukamaju"
    assert repo.get_setting(db, "village_code") == "32.01.01.2001"
    assert repo.get_setting(db, "village_head_name") == "Ibu Yanti"
    assert repo.get_setting(db, "village_head_nip") == "197501012000032001"
    assert repo.get_setting(db, "language") == "en"
    assert "buka lagi" in page.status_label.text()  # a language change needs a restart


def test_intake_is_opened_for_new_edit_and_double_click(
    qtbot: QtBot, ctx: AppContext, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str | None] = []
    fake = types.ModuleType("desa_capil.ui.intake")
    fake.open_intake = lambda _ctx, _parent, application_id=None: calls.append(application_id)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "desa_capil.ui.intake", fake)
    ids = bulk_insert(db, 5)
    page = QueuePage(ctx)
    qtbot.addWidget(page)
    with qtbot.waitExposed(page):
        page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 5)
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert calls == [None]
    assert status_for(1) is Status.READY and status_for(0) is Status.DRAFT
    assert page.select_id(ids[1])
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: calls[-1] == ids[1])

    def double_click(app_id: str) -> None:
        row = page.model.row_of(app_id)
        rect = page.view.visualRect(page.model.index(row, 1))
        # QTest's double click carries no press of its own; the view wants the press first.
        qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    double_click(ids[0])
    qtbot.waitUntil(lambda: calls[-1] == ids[0])
    # A sent application opens read-only: its detail and history, not the editor.
    assert status_for(4) is Status.IN_REVIEW
    assert page.select_id(ids[4])
    qtbot.keyClick(page.view, Qt.Key.Key_Return)  # Enter opens like a double click
    qtbot.waitUntil(lambda: getattr(page, "detail_dialog", None) is not None)
    assert calls[-1] == ids[0]
    detail = page.detail_dialog
    assert detail.detail.id == ids[4] and not detail.edit_button.isVisibleTo(detail)
    detail.close()


def test_missing_intake_gives_a_message(
    qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "desa_capil.ui.intake", None)  # import raises ImportError
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a, **k: shown.append(text))
    page = QueuePage(ctx)
    qtbot.addWidget(page)
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert shown and "belum bisa dibuka" in shown[0]


def test_delete_asks_first_and_keeps_others_selected(
    qtbot: QtBot, ctx: AppContext, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = bulk_insert(db, 30)
    page = QueuePage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 30)
    draft = next(ids[i] for i in range(30) if status_for(i) is Status.DRAFT)
    sent = next(ids[i] for i in range(30) if status_for(i) is Status.SENT)
    answers: list[bool] = [False]
    asked: list[str] = []

    def fake_confirm(_parent: object, _title: str, text: str, *_a: object, **_k: object) -> bool:
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr("desa_capil.ui.pages.queue_page.confirm", fake_confirm)
    # An application the office already has cannot be deleted.
    page.select_id(sent)
    qtbot.waitUntil(lambda: page.model.cached_row(page.model.row_of(sent)) is not None)
    assert not page.delete_button.isEnabled()
    # Declined: nothing happens.
    page.select_id(draft)
    qtbot.waitUntil(page.delete_button.isEnabled)
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and page.model.row_of(draft) >= 0
    # Confirmed: gone from the database and the view; the selection moves to nothing stale.
    answers.append(True)
    keep = sent
    with qtbot.waitSignal(page.model.reloaded, timeout=10000):
        qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert page.model.row_of(draft) == -1
    assert page.model.rowCount() == 29
    assert (
        repo.status_counts(db)[Status.DRAFT] == sum(1 for i in range(30) if status_for(i) is Status.DRAFT) - 1
    )
    # A reload after another change keeps the operator's selection.
    page.select_id(keep)
    with qtbot.waitSignal(page.model.reloaded, timeout=10000):
        ctx.notify(Changes(applications=frozenset({keep})))
    assert page.selected_id() == keep


def test_search_box_is_debounced_and_searches_in_sql(qtbot: QtBot, ctx: AppContext, db: Database) -> None:
    bulk_insert(db, 300)
    page = QueuePage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 300)
    reloads: list[int] = []
    page.model.reloaded.connect(reloads.append)
    with qtbot.waitSignal(page.model.reloaded, timeout=10000):
        qtbot.keyClicks(page.search_edit, "3201000000000123")
    qtbot.waitUntil(lambda: not page._search_timer.isActive() and not page.model.loading)
    assert reloads == [1]  # one query for the whole typed word
    assert "1 permohonan" in page.count_label.text()


def test_dashboard_lists_documents_waiting_too_long(qtbot: QtBot, ctx: AppContext, db: Database) -> None:
    from datetime import UTC, timedelta

    from desa_capil.store import distribution
    from desa_capil.store.models import Application, OfficeDocument

    app_id = repo.save_application(
        db, service_code="kk_baru", applicant=repo.ApplicantData(nik="3201010101010003", name="Lama Menunggu")
    )
    limit = distribution.waiting_days(db)
    long_ago = datetime.now(UTC) - timedelta(days=limit + 5)
    with db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        app.status = Status.ARRIVED
        s.add(app)
        s.add(
            OfficeDocument(
                id="doc-1", application_id=app_id, title="KK", dispatched_at=long_ago, arrived_at=long_ago
            )
        )
        s.commit()
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=10000):
        page.show()
    assert page.data is not None
    late = [it for it in page.data.attention if it.overdue_days is not None]
    assert [it.row.id for it in late] == [app_id]
    assert late[0].overdue_days is not None and late[0].overdue_days > limit
    assert "menunggu diambil" in page.attention.item(0, 2).text()


def test_settings_show_the_operator_and_change_it(qtbot: QtBot, ctx: AppContext, db: Database) -> None:
    from desa_capil.store import operators as ops

    ctx.operator_id = ops.add_operator(db, "Bu Rini").id
    other = ops.add_operator(db, "Pak Dedi").id
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.operator_label.text() == "Bu Rini")
    page.operator_button.click()
    dialog = page.operator_dialog
    qtbot.waitUntil(lambda: dialog.list.count() == 2)
    row = next(i for i in range(dialog.list.count()) if dialog.list.item(i).text() == "Pak Dedi")
    dialog.list.setCurrentRow(row)
    with qtbot.waitSignal(dialog.chosen, timeout=10000):
        dialog.ok_button.click()
    assert ctx.operator_id == other
    qtbot.waitUntil(lambda: page.operator_label.text() == "Pak Dedi")
