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
    QSlider,
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


def _line_swatch(colour: str, width: float) -> QPixmap:
    pm = QPixmap(22, 14)
    pm.fill(QColor(0, 0, 0, 0))
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(painting.pen(colour, width, "flat"))
    p.drawLine(2, 7, 20, 7)
    p.end()
    return pm


class MapLayersDock(QDockWidget):
    visibility_changed = Signal(str, bool)   # layer key, visible
    order_changed = Signal(list)             # layer keys, top first
    opacity_changed = Signal(str, float)     # layer key, 0..1

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
        self.list.currentItemChanged.connect(self._current_changed)
        layout.addWidget(self.list)
        opacity_row = QHBoxLayout()
        opacity_label = QLabel("&Opacity", body)
        self.opacity = QSlider(Qt.Orientation.Horizontal, body)
        self.opacity.setObjectName("map_layer_opacity")
        self.opacity.setRange(0, 100)
        self.opacity.setValue(100)
        self.opacity.setToolTip("Opacity of the selected layer")
        self.opacity.valueChanged.connect(self._opacity_moved)
        opacity_label.setBuddy(self.opacity)
        opacity_row.addWidget(opacity_label)
        opacity_row.addWidget(self.opacity)
        layout.addLayout(opacity_row)
        self.opacities: dict[str, float] = {}
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
        from app.map.basemap_layer import legend_entries

        rows += [(_line_swatch(colour, width), label) for label, colour, width in legend_entries()]
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

    def _current_changed(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        key = item.data(KEY_ROLE) if item is not None else None
        self.opacity.blockSignals(True)
        self.opacity.setValue(round(100 * self.opacities.get(key, 1.0)) if key else 100)
        self.opacity.setEnabled(key is not None)
        self.opacity.blockSignals(False)

    def _opacity_moved(self, value: int) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        key = item.data(KEY_ROLE)
        self.opacities[key] = value / 100
        self.opacity_changed.emit(key, value / 100)

    def current_key(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else item.data(KEY_ROLE)

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
