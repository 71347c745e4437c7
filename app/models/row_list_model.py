"""A read-only table over a Python list of row records, with (title, tooltip) column headers.

The request, recipient and public-log tables are all this shape; each subclass only says how a row shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.core import timefmt

Index = QModelIndex | QPersistentModelIndex
Row = TypeVar("Row")


def short_local(iso: str | None) -> str:
    """'2026-11-29T06:40:00Z' → '2026-11-28 22:40 PST' for table cells: the user's zone, named."""
    return timefmt.short(iso)


class RowListTableModel(QAbstractTableModel, Generic[Row]):
    headers: Sequence[tuple[str, str]] = ()  # (title, tooltip) per column

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def replace_row(self, row: int, value: Row) -> None:
        self.rows[row] = value
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.headers) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.headers):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.headers[section][0]
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.headers[section][1]
        return None
