"""The agencies table: one row per agency (app.core.agencies.Agency)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from app.core.agencies import KIND_LABELS, STATUS_LABELS, Agency
from app.models.row_list_model import RowListTableModel

SortRole = Qt.ItemDataRole.UserRole


class AgencyTableModel(RowListTableModel[Agency]):
    COL_NAME, COL_KIND, COL_PLACE, COL_STATUS, COL_PARTNERED, COL_JURISDICTION, COL_CASE, COL_TERMS = range(8)
    headers = (("Name", "The agency's name"), ("Kind", "Police, sheriff, fire or other"),
               ("City, state", "Where the agency is"), ("Status", "Partnership status"),
               ("Partnered on", "When the partnership began"),
               ("Jurisdiction", "Whether a boundary is recorded (requests must lie inside it)"),
               ("Case-number format", "The pattern every case number must match"),
               ("Program terms", "The program agreement and how downloads earn cameras"))

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        a = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, SortRole):
            if col == self.COL_NAME:
                return a.name
            if col == self.COL_KIND:
                return KIND_LABELS.get(a.kind, a.kind)
            if col == self.COL_PLACE:
                return ", ".join(p for p in (a.city, a.state) if p)
            if col == self.COL_STATUS:
                return STATUS_LABELS.get(a.status, a.status)
            if col == self.COL_PARTNERED:
                return (a.partnered_on or "")[:10]
            if col == self.COL_JURISDICTION:
                return "recorded" if a.jurisdiction_geojson else "none"
            if col == self.COL_CASE:
                return a.case_number_pattern or "any"
            if col == self.COL_TERMS:
                per = f" · {a.downloads_per_unit} downloads = 1 camera" if a.downloads_per_unit else ""
                return (a.terms[:80] + ("…" if len(a.terms) > 80 else "")) + per
        if role == Qt.ItemDataRole.ToolTipRole and col == self.COL_TERMS:
            return a.terms or None
        if role == Qt.ItemDataRole.UserRole + 1:
            return a.id
        return None
