"""The Kiriman page, the server settings and the sync controller, with the real server."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator

import pytest
from PIL import Image
from PySide6.QtWidgets import QGroupBox, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from sqlmodel import select

from desa_capil.domain.catalog import get_service
from desa_capil.paths import AppPaths
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.services.changes import Changes
from desa_capil.store.db import Database
from desa_capil.store.models import Application, BatchState, Page
from desa_capil.store.repo import ApplicantData, document_for, refresh_readiness, save_application
from desa_capil.sync.config import credential_store
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext, ConnectionState
from desa_capil.ui.pages.batches_page import BatchesPage
from desa_capil.ui.sync_controller import SyncController
from desa_capil.ui.sync_settings import install_server_settings

from .conftest import VILLAGE, Enrolled
from .helpers import KK, NIK, SERVICE, Admin

WAIT = 30_000


@pytest.fixture(autouse=True)
def _settle(qapp: object) -> Iterator[None]:
    yield
    tasks.wait_idle()


def png_page() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (200, 280), 255).save(buf, format="PNG")
    return buf.getvalue()


def ready_with_real_pages(db: Database) -> str:
    app_id = save_application(
        db, service_code=SERVICE, applicant=ApplicantData(nik=NIK, name="Siti", kk_number=KK)
    )
    data = png_page()
    sha = db.blobs.put(data)
    with db.session() as s:
        for req in get_service(SERVICE).mandatory:
            doc = document_for(s, app_id, req.code)
            s.add(Page(document_id=doc.id, processed_sha256=sha, mime="image/png", size_bytes=len(data)))
        s.commit()
    refresh_readiness(db, app_id)
    return app_id


@pytest.fixture
def controller(enrolled: Enrolled, qtbot: QtBot) -> Iterator[tuple[AppContext, SyncController]]:
    ctx = AppContext(enrolled.db, enrolled.paths)
    sync = SyncController(ctx)
    yield ctx, sync
    sync.stop()


def test_seal_all_then_send_then_office_news(
    enrolled: Enrolled, admin: Admin, controller: tuple[AppContext, SyncController], qtbot: QtBot
) -> None:
    ctx, sync = controller
    ids = [ready_with_real_pages(enrolled.db) for _ in range(2)]
    page = BatchesPage(ctx)
    qtbot.addWidget(page)
    if page.ready_list.count() == 0:
        with qtbot.waitSignal(page.loaded, timeout=WAIT):
            pass
    assert page.ready_list.count() == 2
    said: list[Changes] = []  # every operation says what it changed (services.Changes)
    ctx.changed.connect(said.append)
    # Sealing starts the sync at once ("Kirim sekarang" after a seal).
    with qtbot.waitSignal(sync.batch_finished, timeout=WAIT) as done:
        with qtbot.waitSignal(page.sealed, timeout=WAIT) as sealed:
            page.seal_all_button.click()
    batch = sealed.args[0]
    assert batch.application_count == 2 and batch.page_count == 2 * len(get_service(SERVICE).mandatory)
    assert done.args == [batch.id, BatchState.SENT]
    assert set(admin.by_client_id()) == set(ids)
    assert said[0] == Changes(applications=frozenset(ids), batches=frozenset({batch.id}))  # the seal
    assert Changes.of_batch(batch.id, ids) in said  # sent: the batch and its applications moved
    # The page shows the batch as received, with its size and pages.
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.refresh()
    assert page.table.rowCount() == 1
    assert page.table.item(0, 2).text() == str(batch.page_count)
    assert page.table.item(0, 4).text() == "Diterima Disdukcapil"
    assert page.ready_list.count() == 0
    assert ctx.last_contact is not None
    # The office asks for a fix: a pull brings it, with a notification.
    remote = admin.by_client_id()[ids[0]]
    admin.set_status(remote["id"], "needs_fix", "KK tidak terbaca")
    with (
        qtbot.waitSignal(sync.notification, timeout=WAIT) as note,
        qtbot.waitSignal(ctx.office_changes, timeout=WAIT) as changed,
    ):
        sync.send_now()
    assert changed.args == [[ids[0]]]
    qtbot.waitUntil(lambda: any(ids[0] in c.applications for c in said[2:]), timeout=WAIT)
    pulled = next(c for c in said[2:] if ids[0] in c.applications)
    assert pulled.applications == {ids[0]} and ids[0] in pulled.handovers and not pulled.settings
    assert "1 permohonan" in note.args[1] and "perlu perbaikan" in note.args[1]
    with enrolled.db.session() as s:
        assert s.get(Application, ids[0]).office_message == "KK tidak terbaca"  # type: ignore[union-attr]


def test_revoked_laptop_is_told_to_enroll_again(
    enrolled: Enrolled, admin: Admin, controller: tuple[AppContext, SyncController], qtbot: QtBot
) -> None:
    ctx, sync = controller
    from desa_capil.store.repo import get_setting
    from desa_capil.sync.config import DEVICE_ID

    admin.revoke(get_setting(enrolled.db, DEVICE_ID))
    page = BatchesPage(ctx)
    qtbot.addWidget(page)
    with qtbot.waitSignal(sync.error, timeout=WAIT) as err:
        sync.start()
    assert err.args[0].status == 401
    qtbot.waitUntil(lambda: ctx.connection_state == ConnectionState.NEEDS_ENROLLMENT, timeout=WAIT)
    assert "daftarkan ulang" in page.error_label.text()
    # Pengaturan no longer says "Terdaftar": the revocation is remembered and shown.
    settings_page = QWidget()
    qtbot.addWidget(settings_page)
    settings_page.server_group = QGroupBox(settings_page)  # type: ignore[attr-defined]
    settings_page.server_group.setObjectName("serverGroup")  # type: ignore[attr-defined]
    QVBoxLayout(settings_page.server_group)  # type: ignore[attr-defined]
    widget = install_server_settings(settings_page, ctx)
    qtbot.waitUntil(lambda: "dicabut" in widget.status_label.text(), timeout=WAIT)
    assert "Terdaftar" not in widget.status_label.text()


def test_enroll_from_settings(db: Database, paths: AppPaths, central: EmbeddedServer, qtbot: QtBot) -> None:
    ctx = AppContext(db, paths)
    settings_page = QWidget()
    qtbot.addWidget(settings_page)
    settings_page.server_group = QGroupBox(settings_page)  # type: ignore[attr-defined]
    settings_page.server_group.setObjectName("serverGroup")  # type: ignore[attr-defined]
    QVBoxLayout(settings_page.server_group)  # type: ignore[attr-defined]
    widget = install_server_settings(settings_page, ctx)
    assert "Belum terdaftar" in widget.status_label.text()
    code = central.create_village(VILLAGE, "Desa Sukamaju")
    widget.url_edit.setText(central.base_url)
    widget.code_edit.setText(code)
    with qtbot.waitSignal(ctx.changed, timeout=WAIT) as said:
        widget.enroll_button.click()
    assert {"village_name", "server_url", "device_id"} <= said.args[0].settings
    assert "Desa Sukamaju" in widget.status_label.text()
    store = credential_store(paths)
    assert store.get_token()
    if os.name == "posix":
        assert stat.S_IMODE(store.fallback_path.stat().st_mode) == 0o600
    with db.session() as s:
        from desa_capil.store.models import Setting

        assert not [r for r in s.exec(select(Setting)).all() if r.value == store.get_token()]
