"""The recipients of one request, one row per owner (one notice), as an agency user may see them: an owner who
did not share appears only as "Neighbor #n" (app.services.requests.recipient_view decides)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.core.records import RecipientState
from app.services.requests import RecipientView

Index = QModelIndex | QPersistentModelIndex
OwnerIdRole = Qt.ItemDataRole.UserRole + 1

ANSWER_LABELS = {
    RecipientState.PENDING: "Pending",
    RecipientState.SHARED: "Shared",
    RecipientState.DECLINED: "Declined",
    RecipientState.NO_FOOTAGE: "No footage",
    RecipientState.NO_RESPONSE: "No response",
}

COL_RANK, COL_OWNER, COL_CAMERAS, COL_COVERS, COL_OVERWRITTEN, COL_ANSWER, COL_ANSWERED = range(7)
HEADERS = [
    ("Rank", "Cameras that see the incident come first, then those whose footage is likely kept, then the nearest"),
    ("Owner", "Anonymous (Neighbor #n) unless the owner shared footage"),
    ("Cameras", "The owner's cameras in the area (one notice per owner)"),
    ("Sees incident", "A camera of this owner faces the incident point and is within its range"),
    ("Likely overwritten", "Every camera of this owner keeps footage for less time than has passed since the window"),
    ("Answer", "S shared · D declined · N no footage · R no response"),
    ("Answered (UTC)", "When the answer was recorded"),
]


class RecipientTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[RecipientView] = []

    def set_rows(self, rows: list[RecipientView]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def replace_row(self, row: int, view: RecipientView) -> None:
        self.rows[row] = view
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[section][0]
            if role == Qt.ItemDataRole.ToolTipRole:
                return HEADERS[section][1]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return [str(r.best_rank), r.name, str(r.cameras), "Yes" if r.covers_incident else "",
                    "Likely" if r.likely_overwritten else "", ANSWER_LABELS[r.state],
                    (r.responded_at or "").replace("T", " ").rstrip("Z")[:16]][col]
        if role == OwnerIdRole:
            return r.owner_id
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_OWNER:
            return ("The owner shared footage, so their name is shown." if r.identified else
                    "Anonymous: the name is revealed only if the owner shares footage.")
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_RANK, COL_CAMERAS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
