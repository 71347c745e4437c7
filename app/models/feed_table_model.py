"""The community feed as a table over FeedArrays (newest first) and a filter: the rows shown are positions into the
arrays (numpy), so a filter change over 200,000 posts is one vectorised mask; texts are read from the store only for
the rows on screen, a page at a time."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.core import timefmt
from app.core.posts import MODERATION_LABELS, SOURCE_LABELS
from app.store.feed import MODERATION, SOURCES, FeedArrays, post_texts

Index = QModelIndex | QPersistentModelIndex
IdRole = Qt.ItemDataRole.UserRole + 1
PAGE = 200

_HEADERS = (("When", "When it happened, in this computer's local time (zone shown)"),
            ("Category", "What kind of post"), ("Source", "A resident's post or an agency alert"),
            ("Status", "Moderation: nothing is published before a moderator approves it"),
            ("Where", "Block address, or 'unmapped' when the post has no point on the map"), ("Text", "The post"))


def local_time(epoch_s: int) -> str:
    return timefmt.short(datetime.fromtimestamp(int(epoch_s), timezone.utc))


class FeedTableModel(QAbstractTableModel):
    COL_WHEN, COL_CATEGORY, COL_SOURCE, COL_STATUS, COL_WHERE, COL_TEXT = range(6)

    def __init__(self, conn: sqlite3.Connection, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.conn = conn
        self.arrays: FeedArrays | None = None
        self.positions = np.empty(0, dtype=np.int64)
        self._texts: dict[int, tuple[str, str, str, str, str]] = {}

    def set_arrays(self, arrays: FeedArrays, positions: np.ndarray) -> None:
        self.beginResetModel()
        self.arrays = arrays
        self.positions = positions
        self._texts = {}
        self.endResetModel()

    def set_positions(self, positions: np.ndarray) -> None:
        self.beginResetModel()
        self.positions = positions
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else int(self.positions.shape[0])

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(_HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return _HEADERS[section][0]
            if role == Qt.ItemDataRole.ToolTipRole:
                return _HEADERS[section][1]
        return None

    def post_id(self, row: int) -> int:
        assert self.arrays is not None
        return int(self.arrays.ids[self.positions[row]])

    def _text(self, row: int) -> tuple[str, str, str, str, str]:
        pid = self.post_id(row)
        hit = self._texts.get(pid)
        if hit is None:
            start = max(0, row - PAGE // 4)
            ids = [self.post_id(r) for r in range(start, min(self.rowCount(), start + PAGE))]
            if len(self._texts) > 20 * PAGE:
                self._texts = {}
            self._texts.update(post_texts(self.conn, ids))
            hit = self._texts.get(pid, ("", "", "", "", ""))
        return hit

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.arrays is None:
            return None
        a, p, col = self.arrays, int(self.positions[index.row()]), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_WHEN:
                return local_time(a.occurred_s[p])
            if col == self.COL_CATEGORY:
                return a.categories[a.category[p]]
            if col == self.COL_SOURCE:
                return SOURCE_LABELS[SOURCES[a.source[p]]]
            if col == self.COL_STATUS:
                return MODERATION_LABELS[MODERATION[a.moderation[p]]]
            if col == self.COL_WHERE:
                block = self._text(index.row())[2]
                if np.isnan(a.lat[p]):
                    return f"{block} (unmapped)" if block else "unmapped"
                return block or f"{a.lat[p]:.5f}, {a.lon[p]:.5f}"
            if col == self.COL_TEXT:
                return " ".join(self._text(index.row())[1].split())[:200]
        if role == Qt.ItemDataRole.ToolTipRole and col in (self.COL_TEXT, self.COL_STATUS):
            _occ, text, _b, by, reason = self._text(index.row())
            tip = text + (f"\n— {by}" if by else "")
            return tip + (f"\n\nModeration: {reason}" if reason else "")
        if role == Qt.ItemDataRole.ForegroundRole and col == self.COL_STATUS:
            code = MODERATION[a.moderation[p]]
            return QColor({"pending": "#b35806", "held": "#b2182b", "rejected": "#777777"}.get(code, "#1a9850"))
        if role == IdRole:
            return int(a.ids[p])
        return None
