"""The requests list and its text filter. Rows are RequestSummary records from app.store.requests."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt

from app.core.records import RequestState
from app.core.request_records import RequestSummary
from app.models.row_list_model import Index, RowListTableModel, short_local

SortRole = Qt.ItemDataRole.UserRole
IdRole = Qt.ItemDataRole.UserRole + 1

STATE_LABELS = {
    RequestState.DRAFT: "Draft",
    RequestState.AWAITING_APPROVAL: "Awaiting approval",
    RequestState.SENT: "Sent",
    RequestState.RESOLVED: "Resolved",
    RequestState.EXPIRED: "Expired",
    RequestState.WITHDRAWN: "Withdrawn",
}

(COL_ID, COL_PUBLIC, COL_STATE, COL_CASE, COL_AGENCY, COL_CATEGORY, COL_CREATED, COL_SENT, COL_EXPIRES, COL_AUTHOR,
 COL_NOTIFIED, COL_SHARED, COL_DECLINED, COL_PENDING) = range(14)

HEADERS = [
    ("ID", "Request id in this store"),
    ("Public no.", "Number in the public request log (given when sent)"),
    ("State", "Draft, awaiting approval, sent, resolved, expired or withdrawn"),
    ("Case", "Case number"),
    ("Agency", "Requesting agency"),
    ("Category", "Offense category"),
    ("Created", "When the draft was written (local time)"),
    ("Sent", "When the notices went out (local time)"),
    ("Expires", "A sent request expires by itself at this time (local time)"),
    ("Author", "Who wrote the request"),
    ("Notified", "Owners sent a notice"),
    ("Shared", "Owners who shared footage"),
    ("Declined", "Owners who declined"),
    ("Pending", "Owners who have not answered yet"),
]
APPROVED_LABEL = "Approved — ready to send"


def state_label(state: RequestState, approved: bool) -> str:
    """The state as the user needs it: an approved request waiting to be sent says so at once."""
    return APPROVED_LABEL if state == RequestState.AWAITING_APPROVAL and approved else STATE_LABELS[state]


_NUMERIC = {COL_ID, COL_PUBLIC, COL_NOTIFIED, COL_SHARED, COL_DECLINED, COL_PENDING}


class RequestTableModel(RowListTableModel[RequestSummary]):
    headers = HEADERS

    def value(self, r: RequestSummary, col: int) -> Any:
        return [r.id, r.public_no, state_label(r.state, bool(r.approved_by)), r.case_number, r.agency, r.category,
                short_local(r.created_at), short_local(r.sent_at), short_local(r.expires_at), r.author, r.notified,
                r.shared, r.declined, r.pending][col]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            v = self.value(r, col)
            return "" if v is None else str(v)
        if role == SortRole:
            v = self.value(r, col)
            return -1 if v is None else v
        if role == IdRole:
            return r.id
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_STATE and r.approved_by:
            return f"Approved by {r.approved_by}"
        if role == Qt.ItemDataRole.TextAlignmentRole and col in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def row_of(self, request_id: int) -> int:
        for i, r in enumerate(self.rows):
            if r.id == request_id:
                return i
        return -1


class RequestProxyModel(QSortFilterProxyModel):
    """Sorts on SortRole; the filter text matches case, agency, category, author or state."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SortRole)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
