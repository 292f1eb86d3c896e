"""The queue model over 100k applications: counts, lazy bounded rows, SQL search and filters."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot
from ui_seed import (
    BIG,
    URGENT_EVERY,
    kk_for,
    name_for,
    nik_for,
    service_for,
    status_for,
    urgency_for,
)

from desa_capil.domain.catalog import Urgency, search_services
from desa_capil.domain.status import Status
from desa_capil.store.db import Database
from desa_capil.store.queries import QueueFilter
from desa_capil.ui.queue_model import CACHE_PAGES, PAGE_SIZE, QueueModel, mask_nik


def expected_order() -> list[int]:
    """Row numbers of the seeded applications in queue order: urgent first, newest first."""
    return sorted(range(BIG), key=lambda i: (urgency_for(i) is Urgency.NORMAL, -i))


def load(qtbot: QtBot, model: QueueModel, f: QueueFilter | None = None) -> None:
    with qtbot.waitSignal(model.reloaded, timeout=20000):
        if f is None:
            model.reload()
        else:
            model.set_filter(f)


def wait_row(qtbot: QtBot, model: QueueModel, row: int) -> None:
    model.data(model.index(row, QueueModel.COL_NAME))  # asks for the page
    qtbot.waitUntil(lambda: model.is_loaded(row), timeout=10000)


def test_mask_nik_keeps_region_and_serial_only() -> None:
    assert mask_nik("3201014507920003") == "3201********0003"
    assert mask_nik("1234") == "1234"


def test_row_count_and_order_with_100k(qtbot: QtBot, big_db: Database) -> None:
    model = QueueModel(big_db)
    load(qtbot, model)
    assert model.rowCount() == BIG
    assert model.columnCount() == QueueModel.COLUMN_COUNT
    order = expected_order()
    for row in (0, BIG // URGENT_EVERY - 1, BIG // URGENT_EVERY, 54_321, BIG - 1):
        wait_row(qtbot, model, row)
        i = order[row]
        assert model.data(model.index(row, QueueModel.COL_NAME)) == name_for(i)
        assert model.data(model.index(row, QueueModel.COL_NIK)) == mask_nik(nik_for(i))
        assert model.data(model.index(row, QueueModel.COL_STATUS), QueueModel.StatusRole) == status_for(i)
        has_marker = model.data(model.index(row, QueueModel.COL_URGENCY), 1) is not None  # DecorationRole
        assert has_marker == (urgency_for(i) is not Urgency.NORMAL)


def test_scrolling_keeps_a_bounded_number_of_rows(qtbot: QtBot, big_db: Database) -> None:
    model = QueueModel(big_db)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(900, 600)
    view.show()
    load(qtbot, model)
    assert model.materialised_rows() <= PAGE_SIZE * 2  # only what the first screen shows
    rows = list(range(0, BIG, BIG // (CACHE_PAGES * 3)))
    for row in rows:
        view.scrollTo(model.index(row, 0))
        wait_row(qtbot, model, row)
        assert model.materialised_rows() <= PAGE_SIZE * CACHE_PAGES
    # We visited more pages than the cache holds, so eviction really happened.
    assert len(rows) > CACHE_PAGES
    assert model.is_loaded(rows[-1]) and not model.is_loaded(rows[0])
    # An evicted page comes back on demand.
    view.scrollTo(model.index(0, 0))
    wait_row(qtbot, model, 0)
    assert model.data(model.index(0, QueueModel.COL_NAME)) == name_for(expected_order()[0])


@pytest.mark.parametrize("kind", ["name", "nik", "kk"])
def test_search_finds_one_resident(qtbot: QtBot, big_db: Database, kind: str) -> None:
    i = 73_219
    text = {"name": name_for(i), "nik": nik_for(i), "kk": kk_for(i)}[kind]
    model = QueueModel(big_db)
    load(qtbot, model, QueueFilter(text=text))
    assert model.rowCount() == 1
    wait_row(qtbot, model, 0)
    assert model.data(model.index(0, QueueModel.COL_NAME)) == name_for(i)


def test_search_by_service_name(qtbot: QtBot, big_db: Database) -> None:
    codes = {s.code for s in search_services("kematian")}
    assert codes
    model = QueueModel(big_db)
    load(qtbot, model, QueueFilter(text="kematian"))
    assert model.rowCount() == sum(1 for i in range(BIG) if service_for(i) in codes)


def test_status_filter_and_search_combined(qtbot: QtBot, big_db: Database) -> None:
    statuses = frozenset({Status.NEEDS_FIX, Status.REJECTED})
    model = QueueModel(big_db)
    load(qtbot, model, QueueFilter(statuses=statuses))
    assert model.rowCount() == sum(1 for i in range(BIG) if status_for(i) in statuses)
    first = name_for(7).split()[0]
    load(qtbot, model, QueueFilter(statuses=statuses, text=first))
    expected = sum(
        1 for i in range(BIG) if status_for(i) in statuses and first.lower() in name_for(i).lower()
    )
    assert model.rowCount() == expected > 0


def test_a_stale_reload_does_not_win(qtbot: QtBot, big_db: Database) -> None:
    model = QueueModel(big_db)
    model.set_filter(QueueFilter(statuses=frozenset({Status.DRAFT})))
    load(qtbot, model, QueueFilter(text=nik_for(5)))
    qtbot.waitUntil(lambda: not model.loading)
    assert model.rowCount() == 1
