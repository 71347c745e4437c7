"""The registry table over CameraArrays: no per-row Python objects, sort and filter as numpy index arrays.

The model shows rows through `order`, an int64 array of positions into the arrays (a permutation for the sort,
narrowed by the filter mask). Numbers come straight from the arrays; the few text values (external id, label,
owner's anonymity number) are fetched from SQLite for the visible page only, by id, and cached. So the first
paint and a jump to the last row cost a page, not the registry. QSortFilterProxyModel is not used: it keeps a
mapping object per row and is far too slow at a million rows.

Owner contact details never appear here; the owner column shows the anonymity number ("Neighbor #n").
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.core.camera_arrays import CameraArrays
from app.core.records import CAMERA_KIND_LABELS, KIND_CODES, SOURCE_CODES, CameraKind, CameraSource
from app.store import cameras as camera_store

(COL_ID, COL_EXTERNAL_ID, COL_LABEL, COL_KIND, COL_SOURCE, COL_OWNER, COL_CONSENT, COL_LAT, COL_LON, COL_HEADING,
 COL_FOV, COL_RANGE, COL_RETENTION, COL_ACTIVE) = range(14)
COLUMN_COUNT = 14

SortRole = Qt.ItemDataRole.UserRole
IdRole = Qt.ItemDataRole.UserRole + 1

HEADERS = {
    COL_ID: ("ID", "Camera id in this registry"),
    COL_EXTERNAL_ID: ("External ID", "The camera's id in the file it was imported from"),
    COL_LABEL: ("Label", "Address or name of the camera"),
    COL_KIND: ("Kind", "Doorbell, floodlight, spotlight, indoor, business or city CCTV"),
    COL_SOURCE: ("Source", "Self-registered, program-distributed or imported"),
    COL_OWNER: ("Owner", "The owner's anonymity number; name and contact are in the Owner details pane"),
    COL_CONSENT: ("Consent", "Whether the owner agreed to receive footage requests"),
    COL_LAT: ("Latitude", "WGS84 latitude, degrees"),
    COL_LON: ("Longitude", "WGS84 longitude, degrees"),
    COL_HEADING: ("Heading °", "Direction the camera faces, degrees clockwise from north"),
    COL_FOV: ("FOV °", "Horizontal field of view, degrees"),
    COL_RANGE: ("Range m", "How far the camera sees usefully, metres"),
    COL_RETENTION: ("Retention d", "Days the camera keeps footage before overwriting it"),
    COL_ACTIVE: ("Active", "Whether the camera is in service"),
}

KIND_LABELS = [CAMERA_KIND_LABELS[CameraKind(code)] for code in KIND_CODES]
SOURCE_LABELS_BY_CODE = {
    CameraSource.SELF_REGISTERED.value: "Self-registered",
    CameraSource.PROGRAM_DISTRIBUTED.value: "Program",
    CameraSource.IMPORTED.value: "Imported",
}
SOURCE_LABELS = [SOURCE_LABELS_BY_CODE[code] for code in SOURCE_CODES]

CONSENT_ANY, CONSENT_OPT_IN, CONSENT_OPT_OUT, CONSENT_NO_OWNER = "any", "opt_in", "opt_out", "no_owner"
_TEXT_COLUMNS = {COL_EXTERNAL_ID: "external_id", COL_LABEL: "label"}
_NUMERIC_RIGHT = {COL_ID, COL_LAT, COL_LON, COL_HEADING, COL_FOV, COL_RANGE, COL_RETENTION}
_PAGE_ROWS = 256
KEEP: Any = object()
_DISPLAY, _ALIGN, _TOOLTIP = (int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.TextAlignmentRole),
                              int(Qt.ItemDataRole.ToolTipRole))
_SORT, _ID = int(SortRole), int(IdRole)
_ROLES = frozenset({_DISPLAY, _ALIGN, _TOOLTIP, _SORT, _ID})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_NO_FLAGS = Qt.ItemFlag.NoItemFlags  # set_filter: leave this part of the filter as it is
_CACHE_LIMIT = 20_000


def _rank(labels: list[str]) -> np.ndarray:
    """code -> position of its label in alphabetical order (so Kind sorts by what the user reads)."""
    order = sorted(range(len(labels)), key=lambda i: labels[i].lower())
    rank = np.empty(len(labels), dtype=np.int16)
    rank[order] = np.arange(len(labels))
    return rank


_KIND_RANK = _rank(KIND_LABELS)
_SOURCE_RANK = _rank(SOURCE_LABELS)


def _num(value: float, fmt: str) -> str:
    return "" if math.isnan(value) else format(value, fmt)


class CameraTableModel(QAbstractTableModel):
    def __init__(self, conn: sqlite3.Connection | None = None, arrays: CameraArrays | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._conn = conn
        self._arrays = arrays if arrays is not None else CameraArrays.empty()
        self._sort_column = COL_ID
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._permutation: np.ndarray | None = None  # None = id order
        self._text_sort_cache: dict[str, np.ndarray] = {}
        self._filter: dict[str, Any] = {"text": "", "kinds": None, "source": None, "consent": CONSENT_ANY}
        self._text_ids: np.ndarray | None = None
        self._mask: np.ndarray | None = None  # None = every row
        self._order = np.arange(len(self._arrays), dtype=np.int64)
        self._inverse: np.ndarray | None = None
        self._text: dict[int, tuple[str, str, int | None]] = {}

    # --- data in ------------------------------------------------------------------------------------------------
    @property
    def arrays(self) -> CameraArrays:
        return self._arrays

    @property
    def order(self) -> np.ndarray:
        """Array positions of the visible rows, in view order."""
        return self._order

    def set_arrays(self, arrays: CameraArrays, changed_ids: Iterable[int] | None = None) -> None:
        """New arrays: a reset keeping sort and filter. The same arrays patched in place with changed_ids given:
        a targeted dataChanged for those rows only (they keep their place until the next sort or filter)."""
        if arrays is self._arrays and changed_ids is not None:
            ids = np.asarray(list(changed_ids), dtype=np.int64)
            for cid in ids.tolist():
                self._text.pop(int(cid), None)
            # A label or external id may have changed: the next text sort or text filter asks the store again.
            self._text_sort_cache.clear()
            self._text_ids = None
            self._emit_changed(self.rows_of_ids(ids))
            return
        self.beginResetModel()
        self._arrays = arrays
        self._text.clear()
        self._text_sort_cache.clear()
        self._permutation = self._compute_permutation(self._sort_column, self._sort_order)
        self._mask = self._compute_mask(recompute_text=True)
        self._rebuild_order()
        self.endResetModel()

    def _emit_changed(self, rows: np.ndarray) -> None:
        if rows.size == 0:
            return
        rows = np.sort(rows)
        if rows.size > 1000:  # a view repaints only what it shows, so one wide signal is cheaper than many
            self.dataChanged.emit(self.index(int(rows[0]), 0), self.index(int(rows[-1]), COLUMN_COUNT - 1))
            return
        for r in rows.tolist():
            self.dataChanged.emit(self.index(r, 0), self.index(r, COLUMN_COUNT - 1))

    # --- Qt model interface -------------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else int(self._order.shape[0])

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or section not in HEADERS:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADERS[section][1]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else _NO_FLAGS

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The view asks ~7 roles per visible cell on every paint; plain-int role checks first keep that cheap.
        role = int(role)
        if role not in _ROLES or not index.isValid():
            return None
        row, col = index.row(), index.column()
        if row >= self._order.shape[0]:
            return None
        if role == _ALIGN:
            return _RIGHT if col in _NUMERIC_RIGHT else None
        pos = int(self._order[row])
        if role == _DISPLAY:
            return self._display(pos, row, col)
        if role == _SORT:
            return self._sort_value(pos, row, col)
        if role == _ID:
            return int(self._arrays.ids[pos])
        if role == _TOOLTIP and col == COL_OWNER:
            return "Select the camera to see its owner in the Owner details pane"
        return None

    def _display(self, pos: int, row: int, col: int) -> str:
        a = self._arrays
        if col == COL_ID:
            return str(int(a.ids[pos]))
        if col in (COL_EXTERNAL_ID, COL_LABEL):
            ext, label, _ = self._text_of(pos, row)
            return ext if col == COL_EXTERNAL_ID else label
        if col == COL_KIND:
            k = int(a.kind[pos])
            return KIND_LABELS[k] if 0 <= k < len(KIND_LABELS) else "?"
        if col == COL_SOURCE:
            s = int(a.source[pos])
            return SOURCE_LABELS[s] if 0 <= s < len(SOURCE_LABELS) else "?"
        if col == COL_OWNER:
            if a.owner_id[pos] < 0:
                return "—"
            anon = self._text_of(pos, row)[2]
            return f"Neighbor #{anon}" if anon is not None else ""
        if col == COL_CONSENT:
            if a.owner_id[pos] < 0:
                return "No owner"
            return "Opted out" if a.opted_out[pos] else "Opted in"
        if col == COL_LAT:
            return _num(float(a.lat[pos]), ".6f")
        if col == COL_LON:
            return _num(float(a.lon[pos]), ".6f")
        if col == COL_HEADING:
            return _num(float(a.heading_deg[pos]), "g")
        if col == COL_FOV:
            return _num(float(a.fov_deg[pos]), "g")
        if col == COL_RANGE:
            return _num(float(a.range_m[pos]), "g")
        if col == COL_RETENTION:
            return _num(float(a.retention_days[pos]), ".0f")
        if col == COL_ACTIVE:
            return "Yes" if a.active[pos] else "No"
        return ""

    def _sort_value(self, pos: int, row: int, col: int) -> Any:
        a = self._arrays
        if col in (COL_EXTERNAL_ID, COL_LABEL):
            return self._display(pos, row, col).lower()
        key = self._sort_key(col)
        value = key[pos].item() if key is not None else int(a.ids[pos])
        return value

    def _text_of(self, pos: int, row: int) -> tuple[str, str, int | None]:
        cid = int(self._arrays.ids[pos])
        hit = self._text.get(cid)
        if hit is not None:
            return hit
        if self._conn is None:
            return ("", "", None)
        if len(self._text) > _CACHE_LIMIT:
            self._text.clear()
        # One query for the page around the row: the view asks for its neighbours next.
        start = max(0, row - _PAGE_ROWS // 4)
        ids = self._arrays.ids[self._order[start:start + _PAGE_ROWS]]
        self._text.update(camera_store.page_rows(self._conn, ids.tolist()))
        return self._text.setdefault(cid, ("", "", None))

    # --- sorting ------------------------------------------------------------------------------------------------
    def _sort_key(self, col: int) -> np.ndarray | None:
        a = self._arrays
        keys = {
            COL_ID: None,
            COL_KIND: lambda: _KIND_RANK[a.kind.clip(0, len(_KIND_RANK) - 1)],
            COL_SOURCE: lambda: _SOURCE_RANK[a.source.clip(0, len(_SOURCE_RANK) - 1)],
            COL_OWNER: lambda: a.owner_id,
            COL_CONSENT: lambda: np.where(a.owner_id < 0, 2, a.opted_out.astype(np.int8)),
            COL_LAT: lambda: a.lat,
            COL_LON: lambda: a.lon,
            COL_HEADING: lambda: a.heading_deg,
            COL_FOV: lambda: a.fov_deg,
            COL_RANGE: lambda: a.range_m,
            COL_RETENTION: lambda: a.retention_days,
            COL_ACTIVE: lambda: a.active.astype(np.int8),
        }
        make = keys.get(col)
        return make() if make is not None else None

    def _compute_permutation(self, col: int, order: Qt.SortOrder) -> np.ndarray | None:
        descending = order == Qt.SortOrder.DescendingOrder
        n = len(self._arrays)
        if col in _TEXT_COLUMNS:
            name = _TEXT_COLUMNS[col]
            if name not in self._text_sort_cache:
                ids = camera_store.text_sort_ids(self._conn, name) if self._conn is not None else self._arrays.ids
                self._text_sort_cache[name] = self._arrays.positions_of(ids)
            perm = self._text_sort_cache[name]
            if perm.shape[0] != n:  # the store and the arrays disagree (a reload is on its way): id order
                perm = np.arange(n, dtype=np.int64)
            return perm[::-1].copy() if descending else perm
        key = self._sort_key(col)
        if key is None:
            return np.arange(n - 1, -1, -1, dtype=np.int64) if descending else None
        if key.dtype.kind == "f":
            # NaN (unknown) last in both directions; ties keep id order (stable sort).
            k = np.where(np.isnan(key), np.inf, -key if descending else key)
            return np.argsort(k, kind="stable")
        return np.argsort(-key.astype(np.int64) if descending else key, kind="stable")

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column < 0 or column >= COLUMN_COUNT:
            return
        # A reset, not a layout change: persistent indexes would cost a mapping per row. The view's owner keeps
        # the selection by camera id and puts it back after the reset.
        self.beginResetModel()
        self._sort_column, self._sort_order = column, order
        self._permutation = self._compute_permutation(column, order)
        self._rebuild_order()
        self.endResetModel()

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    # --- filtering ----------------------------------------------------------------------------------------------
    @property
    def filter(self) -> dict[str, Any]:
        return dict(self._filter)

    def set_filter(self, text: str | None = None, kinds: Any = KEEP, source: Any = KEEP, consent: str | None = None,
                   text_ids: np.ndarray | None = None) -> None:
        """Change any part of the filter (arguments left out keep their value).

        text: substring of id, external id or label (case-insensitive), matched in SQLite; text_ids: the ids
        that match `text`, when the caller already computed them off the GUI thread. kinds: kind codes to show
        (None = all); source: a source code (None = all); consent: CONSENT_ANY/OPT_IN/OPT_OUT/NO_OWNER.
        """
        recompute_text = False
        if text is not None and text.strip().lower() != self._filter["text"]:
            self._filter["text"] = text.strip().lower()
            recompute_text = text_ids is None
            self._text_ids = text_ids
        elif text_ids is not None:
            self._text_ids = text_ids
        if kinds is not KEEP:
            self._filter["kinds"] = None if kinds is None else sorted({int(k) for k in kinds})
        if source is not KEEP:
            self._filter["source"] = None if source is None else int(source)
        if consent is not None:
            self._filter["consent"] = consent
        self.beginResetModel()
        self._mask = self._compute_mask(recompute_text)
        self._rebuild_order()
        self.endResetModel()

    def _compute_mask(self, recompute_text: bool) -> np.ndarray | None:
        a, f = self._arrays, self._filter
        mask: np.ndarray | None = None

        def narrow(m: np.ndarray) -> None:
            nonlocal mask
            mask = m if mask is None else (mask & m)

        if f["text"]:
            if recompute_text or self._text_ids is None:
                self._text_ids = (camera_store.ids_matching(self._conn, f["text"]) if self._conn is not None
                                  else np.empty(0, np.int64))
            m = np.zeros(len(a), dtype=bool)
            m[a.positions_of(self._text_ids)] = True
            narrow(m)
        else:
            self._text_ids = None
        if f["kinds"] is not None:
            narrow(np.isin(a.kind, np.asarray(f["kinds"], dtype=np.int8)))
        if f["source"] is not None:
            narrow(a.source == f["source"])
        consent = f["consent"]
        if consent == CONSENT_OPT_IN:
            narrow((a.owner_id >= 0) & ~a.opted_out)
        elif consent == CONSENT_OPT_OUT:
            narrow((a.owner_id >= 0) & a.opted_out)
        elif consent == CONSENT_NO_OWNER:
            narrow(a.owner_id < 0)
        return mask

    def _rebuild_order(self) -> None:
        n = len(self._arrays)
        perm = self._permutation if self._permutation is not None and self._permutation.shape[0] == n else None
        if self._mask is None:
            self._order = perm if perm is not None else np.arange(n, dtype=np.int64)
        elif perm is None:
            self._order = np.flatnonzero(self._mask)
        else:
            self._order = perm[self._mask[perm]]
        self._inverse = None

    # --- selection mapping --------------------------------------------------------------------------------------
    def ids_of_rows(self, rows: np.ndarray | list[int]) -> np.ndarray:
        r = np.asarray(rows, dtype=np.int64)
        return self._arrays.ids[self._order[r]] if r.size else np.empty(0, np.int64)

    def id_of_row(self, row: int) -> int:
        return int(self._arrays.ids[self._order[row]])

    def rows_of_ids(self, camera_ids: np.ndarray | list[int]) -> np.ndarray:
        """View rows (sorted) of those ids that are visible."""
        pos = self._arrays.positions_of(camera_ids)
        if pos.size == 0:
            return np.empty(0, np.int64)
        if self._inverse is None:
            inv = np.full(len(self._arrays), -1, dtype=np.int64)
            inv[self._order] = np.arange(self._order.shape[0], dtype=np.int64)
            self._inverse = inv
        rows = self._inverse[pos]
        return np.sort(rows[rows >= 0])

    def row_of_id(self, camera_id: int) -> int:
        rows = self.rows_of_ids([camera_id])
        return int(rows[0]) if rows.size else -1
