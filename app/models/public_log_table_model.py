"""The public request log as a table (nothing personal: generalised areas and counts)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.core.public_log import PublicLogEntry
from app.io.public_log_export import HEADERS, cells
from app.models.row_list_model import Index, RowListTableModel


class PublicLogTableModel(RowListTableModel[PublicLogEntry]):
    headers = [(title, "") for title in HEADERS]

    @property
    def entries(self) -> list[PublicLogEntry]:
        return self.rows

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.DisplayRole:
            return cells(self.rows[index.row()])[index.column()]
        return None
