"""The map tab's contents (built after the first paint): canvas, fence tools, layers and camera docks."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCursor, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QToolBar, QToolTip, QWidget

from app import settings
from app.core import geo, timefmt
from app.core.coverage import CoverageResult
from app.core.fence import Fence, select_ids, select_positions
from app.core.permissions import Permission
from app.map.camera_layer import CameraData, CameraLayer, build_camera_data
from app.map.canvas import MapCanvas
from app.map.coverage_layer import CoverageLayer
from app.map.fence_tool import FenceController, FenceItem
from app.map.geojson_lines import GeoJSONError, read_geojson_lines
from app.map.layer_base import MapLayer
from app.map.layers import AgencyLayer, IncidentLayer, OverlayLayer
from app.map.marker import MarkerItem
from app.map.tiles import TileLayer
from app.services.registry.service import RegistryService
from app.store.map_features import incident_tip, load_agencies, load_incidents
from app.views.map.address_box import AddressBox
from app.views.map.base_layers import BaseLayers
from app.views.map.camera_dock import MapCameraDock, camera_details
from app.views.map.layers_dock import MapLayersDock
from app.views.widgets import files
from app.views.widgets.state import PreservedState
from app.workers.jobs import run_task

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

log = logging.getLogger(__name__)
GROUP = "map"
PICK_PX = 6.0
TOOLS = [("navigate", "&Navigate", "N", "Drag to pan, wheel to zoom, click a camera for its details"),
         ("circle", "&Circle Fence", "C", "Press at the centre and drag out the radius (true ground distance)"),
         ("rectangle", "&Rectangle Fence", "R", "Drag from one corner to the opposite one"),
         ("polygon", "&Polygon Fence", "P", "Click the corners; double-click or Enter closes, Backspace removes "
          "the last corner, Esc cancels")]
# The map toolbar's other keyed actions: (text, key, tip). Help ▸ Keyboard Shortcuts lists these and TOOLS.
MAP_ACTIONS = {"clear": ("C&lear Fence", "Shift+Esc", "Remove the fence and its selection"),
               "fit": ("&Fit All", "Home", "Show all the data")}


class MapPanel(QMainWindow):
    fence_changed = Signal(object)  # Fence or None
    incident_selected = Signal(object)  # incident id, or None

    def __init__(self, window: MainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlags(Qt.WindowType.Widget)
        self.setObjectName("map_panel")
        self.window_ = window
        self.canvas = MapCanvas(self)
        self.canvas.setObjectName("map_canvas")
        self.setCentralWidget(self.canvas)
        self.camera_data: CameraData | None = None
        self._view_restored = False
        self._loading = False
        self._opacity_saved: dict[str, float] = {}
        self._order_saved: list[str] = []

        self.tiles = TileLayer(window.ctx.paths.tile_cache_dir, settings.get("map/tile_url"))
        self.agencies = AgencyLayer()
        self.incidents = IncidentLayer()
        self.cameras = CameraLayer()
        self.overlays: list[OverlayLayer] = []
        self.coverage: CoverageLayer | None = None   # made by the first coverage analysis shown on the map
        for layer in (self.tiles, self.agencies, self.incidents, self.cameras):
            self.canvas.add_layer(layer)
        self.base = BaseLayers(self)
        self.marker = MarkerItem()
        self.canvas.vb.addItem(self.marker, ignoreBounds=True)
        self.fence_item = FenceItem()
        self.canvas.vb.addItem(self.fence_item, ignoreBounds=True)
        self.fence = FenceController(self.canvas.vb, self.fence_item)
        self.canvas.vb.controller = self.fence

        self._build_toolbar()
        self.layers_dock = MapLayersDock(self)
        self.camera_dock = MapCameraDock(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.layers_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.camera_dock)
        self.tabifyDockWidget(self.layers_dock, self.camera_dock)  # tabbed: the map keeps a small minimum size
        self.layers_dock.raise_()

        self.fence.fence_changed.connect(self._fence_committed)
        self.fence.fence_previewed.connect(self._fence_previewed)
        self.fence.mode_changed.connect(self._mode_changed)
        self.canvas.vb.camera_clicked.connect(self._clicked)
        self.canvas.cursor_moved.connect(self._cursor_moved)
        self._hover_shown = ""
        self.layers_dock.visibility_changed.connect(self.set_layer_visible)
        self.layers_dock.order_changed.connect(self.set_order)
        self.layers_dock.opacity_changed.connect(self.set_layer_opacity)
        self.base.changed.connect(self._base_changed)
        self.base.vector_loaded.connect(self._base_changed)
        window.registry.reloaded.connect(self.reload_cameras)
        window.camera_selection.selection_changed.connect(self._selection_changed)
        window.on_close(self.save_state)

        self._load_store_layers()
        self.restore_state()
        self.apply_preferences()
        if len(window.registry.arrays):
            self.reload_cameras()

    # --- toolbar -------------------------------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        bar = QToolBar("Map tools", self)
        bar.setObjectName("map_toolbar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.tool_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for mode, text, key, tip in TOOLS:
            act = QAction(text, self)
            act.setObjectName(f"map_tool_{mode}")
            act.setCheckable(True)
            act.setShortcut(QKeySequence(key))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.setToolTip(f"{tip} ({key})")
            act.triggered.connect(lambda _=False, m=mode: self.fence.set_mode(m))
            group.addAction(act)
            bar.addAction(act)
            self.addAction(act)
            self.tool_actions[mode] = act
        self.tool_actions["navigate"].setChecked(True)
        bar.addSeparator()
        text, key, tip = MAP_ACTIONS["clear"]
        self.clear_action = self._action(bar, text, key, tip, self.fence.clear, "map_clear_fence")
        text, key, tip = MAP_ACTIONS["fit"]
        self.fit_action = self._action(bar, text, key, tip, self.canvas.fit_all, "map_fit_all")
        bar.addSeparator()
        self.address_box = AddressBox(self, bar)
        bar.addWidget(self.address_box)
        bar.addSeparator()
        self.info = QLabel("No fence. Draw one with the circle, rectangle or polygon tool.", bar)
        self.info.setObjectName("map_fence_info")
        self.info.setToolTip("Area of the fence on the ground, and the cameras inside it")
        self.info.setMinimumWidth(40)  # long texts are cut rather than widening the window
        bar.addWidget(self.info)
        self.addToolBar(bar)

    def _action(self, bar: QToolBar, text: str, key: str, tip: str, slot: object, name: str) -> QAction:
        act = QAction(text, self)
        act.setObjectName(name)
        act.setShortcut(QKeySequence(key))
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        act.setToolTip(f"{tip} ({key})")
        act.triggered.connect(slot)
        bar.addAction(act)
        self.addAction(act)
        return act

    def _mode_changed(self, mode: str) -> None:
        self.tool_actions[mode].setChecked(True)
        cursor = Qt.CursorShape.ArrowCursor if mode == "navigate" else Qt.CursorShape.CrossCursor
        self.canvas.viewport().setCursor(cursor)

    # --- layers --------------------------------------------------------------------------------------------------
    def all_layers(self) -> list[MapLayer]:
        extra = [self.coverage] if self.coverage is not None else []
        return [self.cameras, *extra, self.incidents, self.agencies, *self.overlays, *self.base.layers()]

    def layer(self, key: str) -> MapLayer | None:
        return next((la for la in self.all_layers() if la.key == key), None)

    def _refresh_layer_list(self) -> None:
        order = sorted(self.all_layers(), key=lambda la: -la.zValue())
        self.layers_dock.set_layers([(la.key, la.title, la.tip, la.isVisible()) for la in order])

    def set_order(self, keys: list[str]) -> None:
        """Layer keys, top first; unknown keys are ignored and layers not named keep their place below."""
        layers = [la for k in keys if (la := self.layer(k)) is not None]
        layers += [la for la in sorted(self.all_layers(), key=lambda la: -la.zValue()) if la not in layers]
        data = [la for la in layers if not self.base.is_base(la)]
        base = [la for la in layers if self.base.is_base(la)]
        layers = data + base  # base layers always draw below every data layer
        for i, layer in enumerate(data):
            layer.setZValue(10 * (len(data) - i))
        for i, layer in enumerate(base):
            layer.setZValue(-100 - 10 * i)
        if self.layers_dock.keys() != [la.key for la in layers]:
            self._refresh_layer_list()

    def set_layer_visible(self, key: str, on: bool) -> None:
        layer = self.layer(key)
        if layer is None:
            return
        layer.setVisible(on)
        if layer is self.tiles and on != settings.get("map/tiles_enabled"):
            settings.set("map/tiles_enabled", on)
            self.apply_preferences()
        self.layers_dock.set_checked(key, on)
        if self.base.is_base(layer):
            self._show_attribution()

    def set_layer_opacity(self, key: str, opacity: float) -> None:
        layer = self.layer(key)
        if layer is not None:
            layer.setOpacity(max(0.0, min(1.0, float(opacity))))
            self.layers_dock.opacities[key] = layer.opacity()

    def _base_changed(self) -> None:
        for layer in self.base.layers():
            if layer.key in self._opacity_saved:
                layer.setOpacity(self._opacity_saved[layer.key])
                self.layers_dock.opacities[layer.key] = layer.opacity()
        self.set_order(self.layers_dock.keys() or self._order_saved)
        self._refresh_layer_list()
        self._show_attribution()
        if not self._view_restored and self.base.vector.basemap is not None and not len(self.window_.registry.arrays):
            self._view_restored = True
            self.canvas.fit_all()

    def _show_attribution(self) -> None:
        text = self.base.attribution()
        self.canvas.attribution.setText(text)
        self.canvas.attribution.setVisible(bool(text))  # always shown while a base layer that needs it is
        self.canvas.place_attribution()

    def add_overlay_file(self, path: Path, quiet: bool = False) -> OverlayLayer | None:
        if any(o.source_path == Path(path) for o in self.overlays):
            return None
        try:
            lines = read_geojson_lines(Path(path))
        except GeoJSONError as exc:
            if not quiet:
                QMessageBox.warning(self, "Map layer not added",
                                    f"{Path(path).name} could not be added as a map layer.\n\n{exc}")
            log.warning("map layer %s not added: %s", path, exc)
            return None
        layer = OverlayLayer(Path(path), lines)
        self.overlays.append(layer)
        self.canvas.add_layer(layer)
        layer.setZValue(self.agencies.zValue() - 1)  # new overlays go under the data layers
        self.set_order([la.key for la in sorted(self.all_layers(), key=lambda la: -la.zValue())])
        self._refresh_layer_list()
        return layer

    def set_coverage(self, result: CoverageResult | None) -> None:
        """Show a coverage analysis as a layer under the cameras (made on first use)."""
        if self.coverage is None:
            self.coverage = CoverageLayer()
            self.canvas.add_layer(self.coverage)
            self.coverage.setZValue(self.cameras.zValue() - 1)
            self.set_order([la.key for la in sorted(self.all_layers(), key=lambda la: -la.zValue())])
            self._refresh_layer_list()
        self.coverage.set_result(result)
        self.set_layer_visible("coverage", result is not None)

    def choose_overlay(self) -> None:
        path = files.choose_open_file(self, "Add Map Layer", "GeoJSON (*.geojson *.json);;All files (*)", "map_layer")
        if path is None:
            return
        layer = self.add_overlay_file(path)
        if layer is not None and layer.data_bounds() is not None and self.canvas.data_rect() is not None:
            bounds = layer.data_bounds()
            if not self.canvas.vb.viewRect().intersects(bounds):
                self.canvas.vb.setRange(bounds, padding=0.05)  # show the new layer if it is off screen

    def reload_store_layers(self) -> None:
        self._load_store_layers()

    def _load_store_layers(self) -> None:
        conn = self.window_.ctx.conn
        try:
            self.incidents.set_points(load_incidents(conn))
            self.agencies.set_agencies(load_agencies(conn))
        except Exception:  # noqa: BLE001 - an unreadable table must not stop the map
            log.exception("incidents/agencies not loaded for the map")
        try:
            self.base.load()
        except Exception:  # noqa: BLE001 - an unreadable base map must not stop the map
            log.exception("base layers not loaded for the map")

    # --- cameras -------------------------------------------------------------------------------------------------
    def reload_cameras(self) -> None:
        arrays = self.window_.registry.arrays
        self._loading = True
        run_task(lambda: build_camera_data(arrays), self._cameras_built,
                 lambda msg, _tb: log.error("map camera layer not built: %s", msg))

    def _cameras_built(self, data: CameraData) -> None:
        if data.arrays is not self.window_.registry.arrays:
            return  # a newer reload is on its way
        self._loading = False
        self.camera_data = data
        self.cameras.set_data(data)
        self.cameras.set_selected_ids(self.window_.camera_selection.ids)
        if not self._view_restored:
            self._view_restored = True
            self.canvas.fit_all()
        if self.fence.fence is not None:
            self._fence_committed(self.fence.fence, log=False)  # the same fence over new data: not a new search

    @property
    def ready(self) -> bool:
        return self.camera_data is not None and not self._loading

    def select_in_fence(self, fence: Fence) -> np.ndarray:
        if self.camera_data is None:
            return np.empty(0, np.int64)
        return select_ids(self.camera_data.index, fence)

    def _fence_previewed(self, fence: Fence) -> None:
        n = len(select_positions(self.camera_data.index, fence)) if self.camera_data else 0
        self.info.setText(self._describe(fence, n))

    def _fence_committed(self, fence: Fence | None, log: bool = True) -> None:
        if fence is None:
            self.info.setText("No fence. Draw one with the circle, rectangle or polygon tool.")
            self.window_.camera_selection.clear(source=self)
            self.cameras.set_selected_ids(np.empty(0, np.int64))
        else:
            ids = self.select_in_fence(fence)
            self.info.setText(self._describe(fence, len(ids)))
            self.cameras.set_selected_ids(ids)
            self.window_.camera_selection.set_ids(ids, source=self)
            if log and self.window_.ctx.session.can(Permission.SEARCH_REGISTRY):
                RegistryService(self.window_.ctx.session).log_fence_search(fence.to_json(), len(ids))
        self.fence_changed.emit(fence)

    @staticmethod
    def _describe(fence: Fence, count: int) -> str:
        area = fence.area_m2()
        shape = {"circle": f"Circle, radius {fence.radius_m:,.0f} m" if fence.kind == "circle" else "",
                 "rectangle": "Rectangle", "polygon": "Polygon"}[fence.kind]
        return (f"{shape} · {geo.m2_to_km2(area):.3f} km² · {geo.m2_to_sq_mi(area):.3f} sq mi · "
                f"{count:,} camera{'s' if count != 1 else ''} inside")

    def _selection_changed(self, source: object) -> None:
        if source is self:
            return
        ids = self.window_.camera_selection.ids
        self.cameras.set_selected_ids(ids)
        if self.fence.fence is not None:
            self.fence.set_fence(None, announce=False)  # the selection no longer is "what is in the fence"
            self.fence_changed.emit(None)
        self.info.setText(f"{len(ids):,} camera{'s' if len(ids) != 1 else ''} selected elsewhere" if len(ids)
                          else "No fence. Draw one with the circle, rectangle or polygon tool.")

    def _pick_radius(self) -> float:
        (x0, x1), _ = self.canvas.vb.viewRange()
        return PICK_PX * (x1 - x0) / max(self.canvas.vb.width(), 1.0)

    def _incident_at(self, x: float, y: float) -> int | None:
        return self.incidents.incident_at(x, y, self._pick_radius()) if self.incidents.isVisible() else None

    def _camera_at(self, x: float, y: float) -> int | None:
        if self.camera_data is None or not self.cameras.isVisible():
            return None
        return self.cameras.camera_at(x, y, self._pick_radius())

    def _clicked(self, x: float, y: float) -> None:
        incident_id = self._incident_at(x, y)
        if incident_id is not None:
            self.select_incident(incident_id)
            return
        camera_id = self._camera_at(x, y)
        if camera_id is None or self.camera_data is None:
            return
        self.cameras.highlight_id = camera_id
        self.cameras.update()
        self.camera_dock.show_details(camera_details(self.camera_data.arrays, camera_id, self.window_.ctx.conn))
        self.camera_dock.show()
        self.camera_dock.raise_()
        # The shared selection: the registry's row and its Owner details dock follow, as a click in the table does.
        self.window_.camera_selection.set_ids(np.array([camera_id], dtype=np.int64), source=self)
        self.cameras.set_selected_ids(self.window_.camera_selection.ids)

    def select_incident(self, incident_id: int | None) -> None:
        """The incident clicked on the map: ringed, named in the status bar, announced (incident_selected)."""
        self.incidents.selected_id = incident_id
        self.incidents.update()
        if incident_id is not None:
            self.window_.statusBar().showMessage(f"Selected: {self.incident_text(incident_id)}".replace("\n", " · "),
                                                 8000)
        self.incident_selected.emit(incident_id)

    def incident_text(self, incident_id: int) -> str:
        tip = incident_tip(self.window_.ctx.conn, incident_id)
        if tip is None:
            return f"Incident {incident_id}"
        what = "Resident's post" if tip["source"] == "resident_post" else "Incident"
        lines = [f"{what} {incident_id}: {tip['category'] or 'no category'}", timefmt.readable(tip["occurred_at"])]
        if tip["case_number"]:
            lines.append(f"Case {tip['case_number']}")
        return "\n".join(lines)

    def hover_text(self, x: float, y: float) -> str:
        """The tooltip for what is under the mouse: an incident or post (kind, time, category, case number), a
        camera (kind, what it sees) or an agency. Never owner data: no name, no number, no contact."""
        incident_id = self._incident_at(x, y)
        if incident_id is not None:
            return self.incident_text(incident_id)
        camera_id = self._camera_at(x, y)
        if camera_id is not None and self.camera_data is not None:
            d = camera_details(self.camera_data.arrays, camera_id, None)
            return (f"{d['title']}: {d['kind']}\nHeading {d['heading']} · field of view {d['fov']} · range "
                    f"{d['range']}\nKeeps footage {d['retention']} · {d['active']}")
        return ""

    def _cursor_moved(self, lat: float, lon: float) -> None:
        self.window_.cursor_label.setText(f"{lat:.5f}°, {lon:.5f}°")
        x, y = geo.lonlat_to_xy(lon, lat)
        text = self.hover_text(float(x), float(y))
        if text != self._hover_shown:
            self._hover_shown = text
            self.canvas.viewport().setToolTip(text)  # Qt shows it on hover
            if QGuiApplication.platformName() == "offscreen":
                return  # no tooltip windows there (and a warning on raise)
            if text:
                QToolTip.showText(QCursor.pos(), text, self.canvas)  # follow the mouse from item to item at once
            else:
                QToolTip.hideText()

    # --- preferences and state -----------------------------------------------------------------------------------
    def apply_preferences(self) -> None:
        on = bool(settings.get("map/tiles_enabled"))
        url = str(settings.get("map/tile_url"))
        if url != self.tiles.template:
            self.tiles.set_template(url)
        self.tiles.max_age_s = max(0, int(settings.get("map/tile_max_age_days"))) * 86_400.0
        self.tiles.set_enabled(on)
        self.tiles.setVisible(on)
        self.layers_dock.set_checked("tiles", on)
        self._show_attribution()

    def settings_group(self) -> str:
        """The map's view, layers and docks are this store's own (the demo's are not an own store's)."""
        return settings.store_group(self.window_.ctx.paths.data_dir, GROUP)

    def restore_state(self) -> None:
        s = QSettings()
        s.beginGroup(self.settings_group())
        overlays = s.value("overlays", []) or []
        hidden = s.value("hidden", []) or []
        order = s.value("order", []) or []
        view = s.value("view", []) or []
        opacity = s.value("opacity", "{}")
        s.endGroup()
        try:
            saved = json.loads(opacity) if isinstance(opacity, str) else {}
            self._opacity_saved = {str(k): float(v) for k, v in saved.items()}
        except (ValueError, TypeError, AttributeError):
            self._opacity_saved = {}
        self._order_saved = [order] if isinstance(order, str) else list(order)
        for key, value in self._opacity_saved.items():
            self.set_layer_opacity(key, value)
        for p in ([overlays] if isinstance(overlays, str) else overlays):
            if Path(p).is_file():
                self.add_overlay_file(Path(p), quiet=True)
        self.set_order([order] if isinstance(order, str) else list(order))
        for key in [hidden] if isinstance(hidden, str) else hidden:
            if key != "tiles" and (layer := self.layer(key)) is not None:
                layer.setVisible(False)
        self._refresh_layer_list()
        PreservedState(self.settings_group(), dock_state=self).restore()
        try:
            x0, y0, x1, y1 = (float(v) for v in view)
            if x1 > x0 and y1 > y0:
                self.canvas.vb.setRange(QRectF(x0, y0, x1 - x0, y1 - y0), padding=0)
                self._view_restored = True
        except (TypeError, ValueError):
            pass

    def save_state(self) -> None:
        PreservedState(self.settings_group(), dock_state=self).save()
        s = QSettings()
        s.beginGroup(self.settings_group())
        (x0, x1), (y0, y1) = self.canvas.vb.viewRange()
        s.setValue("view", [float(x0), float(y0), float(x1), float(y1)])
        s.setValue("order", self.layers_dock.keys())
        s.setValue("hidden", [la.key for la in self.all_layers() if not la.isVisible() and la is not self.tiles])
        s.setValue("overlays", [str(o.source_path) for o in self.overlays])
        s.setValue("opacity", json.dumps({la.key: round(la.opacity(), 3) for la in self.all_layers()
                                          if la.opacity() < 1.0}))
        s.endGroup()
        self.tiles.shutdown()
