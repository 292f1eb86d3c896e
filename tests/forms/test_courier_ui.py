"""The Kiriman page prints the courier list of originals for the selected batch."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desa_capil.paths import AppPaths
from desa_capil.store import repo
from desa_capil.store.db import Database
from desa_capil.ui import printing, tasks
from desa_capil.ui.context import AppContext
from desa_capil.ui.pages.batches_page import BatchesPage
from tests.forms.render import pdf_text
from tests.forms.test_originals import _app
from tests.sync.helpers import seal


@pytest.fixture
def ctx(db: Database, paths: AppPaths, qapp: object) -> Iterator[AppContext]:
    repo.set_setting(db, "village_name", "Desa Cileunyi Kulon")
    yield AppContext(db, paths)
    tasks.wait_idle()
    qapp.processEvents()  # type: ignore[attr-defined]


def test_courier_list_printed_for_the_selected_batch(
    ctx: AppContext, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    cerai = _app(ctx.db, "akta_cerai", ["putusan_pengadilan", "akta_kawin", "ktp_el", "kk", "f201"])
    seal(ctx.db, [cerai])
    printed: list[bytes] = []
    monkeypatch.setattr(printing, "print_pdf", lambda _parent, pdf, _title: printed.append(pdf) or True)
    page = BatchesPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=10_000)
    assert not page.courier_button.isEnabled()
    page.table.selectRow(0)
    assert page.courier_button.isEnabled()
    page.courier_button.click()
    qtbot.waitUntil(lambda: len(printed) == 1, timeout=10_000)
    text = pdf_text(printed[0])
    assert "DAFTAR DOKUMEN ASLI" in text and "Kutipan akta perkawinan ASLI" in text
