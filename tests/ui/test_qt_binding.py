"""The Qt binding must not drop references to None.

PySide6 6.12.0 on Python 3.11 decrements None's reference count every time a binding returns None
(QModelIndex.data(), QTreeWidgetItem.parent(), a Python model's data() read back, ...). A village
office keeps the app open all day, so the count reaches zero and the interpreter aborts with
"deallocating None". pyproject excludes that release; this test catches the next one like it.
"""

import sys

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QTreeWidgetItem


class _NoneModel(QAbstractTableModel):
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        return None


def test_bindings_returning_none_keep_its_reference_count() -> None:
    item = QTreeWidgetItem(["a"])
    model = _NoneModel()
    calls = [
        lambda: item.data(0, Qt.ItemDataRole.UserRole),
        item.parent,
        lambda: QModelIndex().data(),
        lambda: model.index(0, 0).data(Qt.ItemDataRole.UserRole),
        QObject().parent,
    ]
    for call in calls:
        before = sys.getrefcount(None)
        for _ in range(200):
            call()
        # Other threads may take or drop a few references meanwhile; a leak here is -200.
        assert sys.getrefcount(None) - before > -50, call
