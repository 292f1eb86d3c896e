"""The viewer puts a wrong automatic decision right (issue 12): "Kartu" / "Halaman" /
"Ukuran asli" re-make the page at that size, "Simpan berwarna" in colour; the choice is kept
through a later rotation and shown under the thumbnail."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from desa_capil.services import pages as processing
from desa_capil.store import migrations, repo
from desa_capil.store import pages as sp
from desa_capil.store.db import Database
from desa_capil.ui.context import AppContext

NIK = "3201015512900001"


def _page(db: Database, make_png: Callable[[str], Path]) -> tuple[str, str]:
    app_id = repo.save_application(db, service_code="kk_hilang", applicant=repo.ApplicantData(NIK, "Siti"))
    (pid,) = sp.add_pages(db, app_id, "ktp_el", processing.pages_from_file(make_png("p")))
    return app_id, pid


def test_choices_remake_the_page_and_survive_rotation(db: Database, make_png: Callable[[str], Path]) -> None:
    app_id, pid = _page(db, make_png)
    before = sp.list_pages(db, app_id)["ktp_el"][0]
    assert (before.size_choice, before.keep_color) == ("", False)
    assert before.mode == "bilevel" and max(before.width, before.height) / before.dpi > 10  # a sheet

    card = sp.reprocess_page(db, pid, processing.reprocess, size_choice="card")
    long_in = max(card.width, card.height) / card.dpi
    assert long_in == pytest.approx(85.6 / 25.4, rel=0.02)
    assert card.size_choice == "card"

    coloured = sp.reprocess_page(db, pid, processing.reprocess, keep_color=True)
    assert coloured.mode == "color" and coloured.mime == "image/jpeg"
    assert (coloured.size_choice, coloured.keep_color) == ("card", True)  # both kept

    turned = sp.rotate_page(db, pid, 90, processing.reprocess)
    assert (turned.rotation, turned.size_choice, turned.keep_color, turned.mode) == (
        90,
        "card",
        True,
        "color",
    )
    assert turned.width > turned.height

    back = sp.reprocess_page(db, pid, processing.reprocess, size_choice="", keep_color=False)
    assert back.mode == "bilevel" and back.rotation == 90
    assert sp.page_choices(db, pid) == ("", False, True)


def test_original_size_keeps_the_whole_picture(db: Database, make_png: Callable[[str], Path]) -> None:
    _app, pid = _page(db, make_png)
    out = sp.reprocess_page(db, pid, processing.reprocess, size_choice="original")
    assert (out.width / out.dpi, out.height / out.dpi) == pytest.approx(
        (8.5, 11.0), rel=0.01
    )  # 850x1100 @ 100 dpi


def test_schema_6_adds_the_choice_columns(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "old.db")
    migrations.upgrade(conn, 5)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(
        "INSERT INTO page (id, document_id, position, processed_sha256, mime, width, height, dpi, mode,"
        " size_bytes, rotation, source, created_at)"
        " VALUES ('p', 'd', 0, 'x', 'image/tiff', 1, 1, 300, 'bilevel', 1, 0, 'file', '2025-01-01')"
    )
    conn.commit()
    migrations.upgrade(conn)
    row = conn.execute("SELECT size_choice, keep_color FROM page WHERE id = 'p'").fetchone()
    assert row == ("", 0)


def test_viewer_buttons_remake_the_page(
    qtbot: QtBot, ctx: AppContext, make_png: Callable[[str], Path]
) -> None:
    from desa_capil.ui.intake.page_viewer import PageViewer

    app_id, pid = _page(ctx.db, make_png)
    viewer = PageViewer(ctx, pid, "t")
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.pixmap is not None, timeout=10000)
    assert viewer.size_buttons[""].isChecked() and not viewer.color.isChecked()
    assert viewer.size_buttons["card"].isEnabled()
    with qtbot.waitSignal(viewer.changed, timeout=20000) as sig:
        viewer.size_buttons["card"].click()
    assert sig.args == [pid]
    info = sp.list_pages(ctx.db, app_id)["ktp_el"][0]
    assert info.size_choice == "card" and max(info.width, info.height) / info.dpi < 3.5
    assert viewer.size_buttons["card"].isChecked()
    with qtbot.waitSignal(viewer.changed, timeout=20000):
        viewer.color.click()
    info = sp.list_pages(ctx.db, app_id)["ktp_el"][0]
    assert info.mode == "color"
    im = Image.open(io.BytesIO(sp.processed_of(ctx.db, pid).data))
    assert im.mode == "RGB"
    viewer.close()
