"""The map's "Go to address" box (Ctrl+G): results as you type from the offline address search, ranked exact
before partial; Up/Down choose, Enter centres the map on the result and drops a marker, Esc closes the list;
"Fence Here" starts a circle fence at the result."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QListWidget, QListWidgetItem, QPushButton, QWidget

from app.core import geo
from app.core.address_index import Match
from app.core.fence import CircleFence
from app.services.map.address_search import search

if TYPE_CHECKING:
    from app.views.map.panel import MapPanel

log = logging.getLogger(__name__)
KIND_WORDS = {"address": "address", "intersection": "intersection", "street": "street", "case": "case",
              "incident": "incident"}
RESULT_SPAN_M = 500.0      # ground metres shown across the view around a result
FENCE_RADIUS_M = 100.0
MAX_RESULTS = 10


class AddressBox(QWidget):
    result_chosen = Signal(object)  # Match

    def __init__(self, panel: MapPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel = panel
        self.results: list[Match] = []
        self.current: Match | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("map_address_search")
        self.edit.setPlaceholderText("Go to address… (Ctrl+G)")
        self.edit.setToolTip("A street, “412 Main St”, “Main St & 4th Ave”, a case number or “incident 42”; "
                             "found offline in the base map and the store. Enter goes there.")
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(220)
        self.edit.textEdited.connect(self.update_results)
        self.edit.installEventFilter(self)
        layout.addWidget(self.edit)
        self.fence_button = QPushButton("Fence &Here", self)
        self.fence_button.setObjectName("map_fence_here")
        self.fence_button.setToolTip("Start a circle fence at the search result (drag its edge to resize)")
        self.fence_button.setEnabled(False)
        self.fence_button.clicked.connect(self.fence_here)
        layout.addWidget(self.fence_button)
        # The result list floats over the map, under the box; it never takes the focus from the box.
        self.list = QListWidget(panel.canvas)
        self.list.setObjectName("map_address_results")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setToolTip("Exact matches first; Enter or a click goes there")
        self.list.itemClicked.connect(lambda item: self.go(self.list.row(item)))
        self.list.hide()

    def focus(self) -> None:
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()
        if self.edit.text():
            self.update_results(self.edit.text())

    def update_results(self, text: str) -> None:
        try:
            self.results = search(self.panel.window_.ctx.conn, text, MAX_RESULTS) if text.strip() else []
        except Exception:  # noqa: BLE001 - a broken base map must not break typing
            log.exception("address search failed for %r", text)
            self.results = []
        self.list.clear()
        for m in self.results:
            item = QListWidgetItem(f"{m.label}  —  {KIND_WORDS[m.kind]}", self.list)
            item.setToolTip(f"{m.lat:.5f}°, {m.lon:.5f}°")
        if not self.results:
            if text.strip():
                QListWidgetItem("No match in the base map or the store", self.list).setFlags(Qt.ItemFlag.NoItemFlags)
            else:
                self.list.hide()
                return
        self.list.setCurrentRow(0 if self.results else -1)
        self._place_list()
        self.list.show()
        self.list.raise_()

    def _place_list(self) -> None:
        rows = max(1, self.list.count())
        height = min(rows, MAX_RESULTS) * (self.list.sizeHintForRow(0) or 18) + 6
        self.list.setGeometry(8, 4, min(460, max(300, self.panel.canvas.width() - 16)), height)

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:  # noqa: N802 - Qt override
        if obj is self.edit and ev.type() == QEvent.Type.KeyPress and isinstance(ev, QKeyEvent):
            key = ev.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.results:
                row = self.list.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                self.list.setCurrentRow(max(0, min(len(self.results) - 1, row)))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if not self.results and self.edit.text().strip():
                    self.update_results(self.edit.text())
                if self.results:
                    self.go(max(0, self.list.currentRow()))
                return True
            if key == Qt.Key.Key_Escape:
                self.list.hide()
                self.panel.canvas.setFocus()
                return True
        return super().eventFilter(obj, ev)

    def go(self, row: int) -> None:
        """Centre the map on a result and drop the marker there."""
        if not 0 <= row < len(self.results):
            return
        m = self.results[row]
        self.current = m
        span = RESULT_SPAN_M * geo.mercator_scale(m.lat)  # Mercator metres for RESULT_SPAN_M on the ground
        canvas = self.panel.canvas
        aspect = max(canvas.vb.height(), 1.0) / max(canvas.vb.width(), 1.0)
        canvas.vb.setRange(QRectF(m.x - span / 2, m.y - span * aspect / 2, span, span * aspect), padding=0)
        self.panel.marker.set_point(m.x, m.y, m.label)
        self.list.hide()
        self.fence_button.setEnabled(True)
        self.panel.window_.statusBar().showMessage(f"{m.label} ({m.lat:.5f}°, {m.lon:.5f}°)", 10_000)
        self.result_chosen.emit(m)

    def fence_here(self) -> None:
        if self.current is None:
            return
        m = self.current
        self.panel.fence.set_fence(CircleFence(m.lat, m.lon, FENCE_RADIUS_M))
        self.panel.canvas.setFocus()
