"""Audit entries matching a filter, newest first, fetched a page at a time by seq (never OFFSET): the log grows
without bound. Reads go through app.services.accountability.audit_service (role check, personal data masked)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.core import audit_actions, timefmt
from app.services.accountability import audit_service
from app.services.session import PermissionDenied, Session

Index = QModelIndex | QPersistentModelIndex


class AuditTableModel(QAbstractTableModel):
    """Audit entries matching a filter, newest first, fetched a page at a time."""

    COL_SEQ, COL_AT, COL_ACTOR, COL_ACTION, COL_OBJECT, COL_DETAILS = range(6)
    HEADERS = ["#", "Time", "Who", "Act", "About", "Details"]
    SeqRole = Qt.ItemDataRole.UserRole
    StoredRole = Qt.ItemDataRole.UserRole + 1  # the stored text of the cell (action name, object reference, JSON)

    def __init__(self, session: Session, page_size: int = 500, parent: Any = None) -> None:
        super().__init__(parent)
        self.session = session
        self.page_size = page_size
        self.flt = audit_service.AuditFilter()
        self.rows: list[audit_service.AuditRow] = []
        self.total = 0
        self.exhausted = True
        self.denied = ""
        self.resolve: audit_actions.Resolver | None = None

    # --- loading --------------------------------------------------------------------------------------------------
    def set_filter(self, flt: audit_service.AuditFilter) -> None:
        self.beginResetModel()
        self.flt = flt
        self.rows = []
        self.denied = ""
        try:
            first = audit_service.read_page(self.session, flt, None, self.page_size)
            self.resolve = audit_service.reference_resolver(self.session)
            self.total = audit_service.count(self.session, flt)
        except PermissionDenied as exc:
            first, self.total, self.denied = [], 0, str(exc)
        self.rows = first
        self.exhausted = len(first) < self.page_size
        self.endResetModel()

    def refresh(self) -> None:
        self.set_filter(self.flt)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008 - Qt override
        return not parent.isValid() and not self.exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802, B008 - Qt override
        if parent.isValid() or self.exhausted or not self.rows:
            return
        try:
            more = audit_service.read_page(self.session, self.flt, self.rows[-1].seq, self.page_size)
        except PermissionDenied as exc:
            self.denied, self.exhausted = str(exc), True
            return
        self.exhausted = len(more) < self.page_size
        if more:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
            self.rows.extend(more)
            self.endInsertRows()

    def fetch_all(self) -> None:
        while self.canFetchMore():
            self.fetchMore()

    # --- Qt model API ---------------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return [("Entry number in the hash chain"), f"Local time, {timefmt.zone_name()}", "The user who acted",
                    "What was done", "The record it was done to: requests by number, owners by their anonymous "
                    "number", "The entry's details, by name (the pane on the right shows them all)"][section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_SEQ:
                return row.seq
            if col == self.COL_AT:
                return timefmt.short(row.at, seconds=True)
            if col == self.COL_ACTOR:
                return row.actor
            if col == self.COL_ACTION:
                return audit_actions.label(row.action)
            if col == self.COL_OBJECT:
                return audit_actions.object_text(row.object, self.resolve)
            return audit_actions.details_summary(row.details, self.resolve)
        if role == self.StoredRole:
            return [row.seq, row.at, row.actor, row.action, row.object, row.details][col]
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.COL_DETAILS:
                text = "\n".join(f"{k}: {v}" for k, v in audit_actions.detail_fields(row.details, self.resolve))
                return (text or "No details") + ("\n\n(personal data hidden for your role)" if row.masked else "")
            if col == self.COL_ACTION:
                return f"Stored as {row.action}"
            if col == self.COL_AT:
                return f"{timefmt.readable(row.at)} — stored in UTC as {row.at}"
            if col == self.COL_SEQ:
                return f"Entry {row.seq}, SHA-256 {row.hash}"
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.COL_SEQ:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == self.SeqRole:
            return row.seq
        return None
