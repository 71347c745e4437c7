"""The recipients of one request, one row per owner (one notice), as an agency user may see them: an owner who
did not share appears only as "Neighbor #n" (app.services.requests.recipients.recipient_view decides)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.core.records import RecipientState
from app.models.row_list_model import Index, RowListTableModel, short_local
from app.services.requests.recipients import RecipientView

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
    ("Answered", "When the answer was recorded (local time)"),
]


class RecipientTableModel(RowListTableModel[RecipientView]):
    headers = HEADERS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return [str(r.best_rank), r.name, str(r.cameras), "Yes" if r.covers_incident else "",
                    "Likely" if r.likely_overwritten else "", ANSWER_LABELS[r.state],
                    short_local(r.responded_at)][col]
        if role == OwnerIdRole:
            return r.owner_id
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_OWNER:
            return ("The owner shared footage, so their name is shown." if r.identified else
                    "Anonymous: the name is revealed only if the owner shares footage.")
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_RANK, COL_CAMERAS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
