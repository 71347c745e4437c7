"""The map's Layers dock: show/hide and reorder layers (top of the list draws on top), and the legend."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDockWidget,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.records import CAMERA_KIND_LABELS, CameraKind
from app.map import painting

KEY_ROLE = Qt.ItemDataRole.UserRole


def _swatch(colour: str, hollow: bool = False, square: bool = False) -> QPixmap:
    pm = QPixmap(14, 14)
    pm.fill(QColor(0, 0, 0, 0))
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(painting.pen(colour, 2.0))
    p.setBrush(QColor(painting.MAP_BACKGROUND) if hollow else QColor(colour))
    if square:
        p.drawRect(2, 2, 10, 10)
    else:
        p.drawEllipse(2, 2, 10, 10)
    p.end()
    return pm


class MapLayersDock(QDockWidget):
    visibility_changed = Signal(str, bool)   # layer key, visible
    order_changed = Signal(list)             # layer keys, top first

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Layers", parent)
        self.setObjectName("map_layers_dock")
        self.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        self.list = QListWidget(body)
        self.list.setObjectName("map_layer_list")
        self.list.setToolTip("Tick to show a layer; the top of the list is drawn on top")
        self.list.itemChanged.connect(self._item_changed)
        layout.addWidget(self.list)
        buttons = QHBoxLayout()
        self.up = QPushButton("Move &Up", body)
        self.up.setToolTip("Draw the selected layer above the one over it")
        self.down = QPushButton("Move &Down", body)
        self.down.setToolTip("Draw the selected layer below the one under it")
        self.up.clicked.connect(lambda: self.move_selected(-1))
        self.down.clicked.connect(lambda: self.move_selected(1))
        buttons.addWidget(self.up)
        buttons.addWidget(self.down)
        layout.addLayout(buttons)
        layout.addWidget(self._legend(body))
        self.setWidget(body)

    def _legend(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("Legend", parent)
        grid = QGridLayout(box)
        rows = [(_swatch(painting.KIND_COLOURS[k.value]), CAMERA_KIND_LABELS[k]) for k in CameraKind]
        rows += [(_swatch("#555555", hollow=True), "Hollow: the owner opted out of requests"),
                 (_swatch(painting.SELECTION_COLOUR), "Selected camera"),
                 (_swatch(painting.INCIDENT_COLOURS["agency_report"], square=True), "Incident (agency report)"),
                 (_swatch(painting.INCIDENT_COLOURS["resident_post"], square=True), "Resident post"),
                 (_swatch("#08306B"), "Zoomed out: camera density (darker = more)")]
        for i, (pm, text) in enumerate(rows):
            icon = QLabel(box)
            icon.setPixmap(pm)
            grid.addWidget(icon, i, 0)
            label = QLabel(text, box)
            label.setWordWrap(True)
            grid.addWidget(label, i, 1)
        grid.setColumnStretch(1, 1)
        return box

    # --- model ---------------------------------------------------------------------------------------------------
    def set_layers(self, layers: list[tuple[str, str, str, bool]]) -> None:
        """(key, title, tip, visible) for each layer, top first."""
        self.list.blockSignals(True)
        self.list.clear()
        for key, title, tip, visible in layers:
            item = QListWidgetItem(title, self.list)
            item.setData(KEY_ROLE, key)
            item.setToolTip(tip)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)

    def keys(self) -> list[str]:
        return [self.list.item(i).data(KEY_ROLE) for i in range(self.list.count())]

    def item_for(self, key: str) -> QListWidgetItem | None:
        for i in range(self.list.count()):
            if self.list.item(i).data(KEY_ROLE) == key:
                return self.list.item(i)
        return None

    def set_checked(self, key: str, on: bool) -> None:
        item = self.item_for(key)
        if item is not None:
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _item_changed(self, item: QListWidgetItem) -> None:
        self.visibility_changed.emit(item.data(KEY_ROLE), item.checkState() == Qt.CheckState.Checked)

    def move_selected(self, step: int) -> None:
        row = self.list.currentRow()
        new = row + step
        if row < 0 or not 0 <= new < self.list.count():
            return
        self.list.blockSignals(True)
        item = self.list.takeItem(row)
        self.list.insertItem(new, item)
        self.list.setCurrentRow(new)
        self.list.blockSignals(False)
        self.order_changed.emit(self.keys())
