"""The map tab through qtbot: fences drawn with simulated mouse events, keyboard navigation, layers, selection
sync with the registry table, overlays through the file-dialog seam, state remembered, real OSM cameras."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtTest import QTest

from app.core import geo
from app.core.camera_arrays import CameraArrays
from app.core.fence import CircleFence, PolygonFence, RectFence


def _arrays(lat: np.ndarray, lon: np.ndarray, seed: int = 5) -> CameraArrays:
    n = lat.size
    rng = np.random.default_rng(seed)
    a = CameraArrays.allocate(n)
    a.ids[:] = np.arange(1, n + 1) * 7
    a.lat[:] = lat
    a.lon[:] = lon
    a.kind[:] = rng.integers(0, 6, n)
    a.source[:] = 0
    a.owner_id[:] = -1
    a.opted_out[:] = rng.random(n) < 0.2
    a.heading_deg[:] = rng.uniform(0, 360, n)
    a.fov_deg[:] = 120
    a.range_m[:] = 20
    a.retention_days[:] = 30
    a.active[:] = True
    return a


def _osm_points(shared_data: Path, city: str) -> tuple[np.ndarray, np.ndarray]:
    features = json.loads((shared_data / "osm-surveillance" / f"{city}_osm_surveillance.geojson").read_text())
    coords = np.array([f["geometry"]["coordinates"][:2] for f in features["features"]
                       if f["geometry"]["type"] == "Point"])
    return coords[:, 1], coords[:, 0]


@pytest.fixture
def map_window(make_window, qtbot):  # noqa: ANN001, ANN201 - pytest fixture
    def build(arrays: CameraArrays):  # noqa: ANN202
        window = make_window()
        window.resize(1200, 800)
        window.show()
        qtbot.waitExposed(window)
        window.show_tab("map")
        panel = window.features["map"].ensure_built()
        registry = window.features["registry"]
        qtbot.waitUntil(lambda: registry.loaded, timeout=10_000)  # its own first load lands before ours replaces it
        window.registry.set_arrays(arrays)
        qtbot.waitUntil(lambda: panel.ready and panel.camera_data.arrays is arrays, timeout=10_000)
        panel.canvas.fit_all()
        QTest.qWait(20)
        return window, panel
    return build


def _view_pos(panel, lat: float, lon: float) -> QPoint:  # noqa: ANN001
    x, y = geo.lonlat_to_xy(lon, lat)
    scene = panel.canvas.vb.mapViewToScene(QPointF(float(x), float(y)))
    return panel.canvas.mapFromScene(scene)


def _drag(panel, start: QPoint, end: QPoint) -> None:  # noqa: ANN001
    vp = panel.canvas.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, 9):
        p = start + (end - start) * (i / 8)
        QTest.mouseMove(vp, p)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def _reference(fence, arrays: CameraArrays) -> np.ndarray:  # noqa: ANN001
    return np.sort(arrays.ids[fence.contains(arrays.lat, arrays.lon)])


def test_circle_drawn_with_the_mouse_selects_what_core_selects(map_window, qtbot, shared_data) -> None:  # noqa: ANN001
    lat, lon = _osm_points(shared_data, "seattle")
    arrays = _arrays(lat, lon)
    window, panel = map_window(arrays)
    centre = (47.6097, -122.3331)
    # Zoom so that a 1.5 km radius is a comfortable drag.
    x, y = geo.lonlat_to_xy(centre[1], centre[0])
    panel.canvas.vb.setRange(xRange=(float(x) - 6000, float(x) + 6000), yRange=(float(y) - 6000, float(y) + 6000),
                             padding=0)
    QTest.qWait(20)
    seen = []
    window.features["map"].fence_changed.connect(seen.append)
    panel.canvas.setFocus()
    QTest.keyClick(panel.canvas, Qt.Key.Key_C)  # circle tool shortcut
    assert panel.fence.mode == "circle"
    edge_lat, edge_lon = geo.destination(centre[0], centre[1], 90.0, 1500.0)
    _drag(panel, _view_pos(panel, *centre), _view_pos(panel, float(edge_lat), float(edge_lon)))
    fence = window.features["map"].current_fence()
    assert isinstance(fence, CircleFence)
    assert seen and seen[-1] == fence
    assert fence.radius_m == pytest.approx(1500.0, rel=0.05)  # within a few pixels of the drag
    assert panel.fence.mode == "navigate"
    expected = _reference(fence, arrays)
    assert expected.size > 10
    assert np.array_equal(window.camera_selection.ids, expected)
    assert f"{expected.size:,} cameras inside" in panel.info.text()
    assert "km²" in panel.info.text() and "sq mi" in panel.info.text()
    # The selection is highlighted on the map too.
    assert panel.cameras.selected_pos.size == expected.size
    # The fence query is in the audit log with its parameters.
    row = window.ctx.conn.execute(
        "SELECT details FROM audit_log WHERE action = 'fence_search' ORDER BY seq DESC LIMIT 1").fetchone()
    details = json.loads(row[0])
    assert details["matches"] == expected.size and details["fence"]["kind"] == "circle"
    # New registry data under the same fence re-selects, but is not a new search in the audit log.
    again = _arrays(lat, lon)
    window.registry.set_arrays(again)
    qtbot.waitUntil(lambda: panel.camera_data.arrays is again, timeout=10_000)
    assert window.ctx.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'fence_search'").fetchone()[0] == 1


def test_polygon_by_clicks_and_enter_and_escape(map_window, qtbot, shared_data) -> None:  # noqa: ANN001
    lat, lon = _osm_points(shared_data, "denver")
    arrays = _arrays(lat, lon)
    window, panel = map_window(arrays)
    c = (39.7392, -104.9903)
    x, y = geo.lonlat_to_xy(c[1], c[0])
    panel.canvas.vb.setRange(xRange=(float(x) - 9000, float(x) + 9000), yRange=(float(y) - 9000, float(y) + 9000),
                             padding=0)
    QTest.qWait(20)
    vp = panel.canvas.viewport()
    panel.canvas.setFocus()
    # Esc cancels a half-drawn polygon.
    panel.tool_actions["polygon"].trigger()
    QTest.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _view_pos(panel, *c))
    QTest.keyClick(panel.canvas, Qt.Key.Key_Escape)
    assert panel.fence.mode == "navigate" and window.features["map"].current_fence() is None
    # A concave polygon (an arrow head) by clicks, closed with Enter.
    corners = [(39.70, -105.04), (39.78, -104.99), (39.70, -104.94), (39.73, -104.99)]
    panel.tool_actions["polygon"].trigger()
    for la, lo in corners:
        QTest.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _view_pos(panel, la, lo))
    QTest.keyClick(panel.canvas, Qt.Key.Key_Return)
    fence = window.features["map"].current_fence()
    assert isinstance(fence, PolygonFence) and len(fence.ring) == 4
    for (la, lo), (fa, fo) in zip(corners, fence.ring, strict=True):
        assert abs(la - fa) < 0.001 and abs(lo - fo) < 0.001  # a pixel or two
    expected = _reference(fence, arrays)
    assert expected.size > 10
    assert np.array_equal(window.camera_selection.ids, expected)
    # Drag a vertex handle: the fence and the selection follow.
    tip = fence.ring[1]
    _drag(panel, _view_pos(panel, *tip), _view_pos(panel, tip[0] + 0.02, tip[1]))
    moved = window.features["map"].current_fence()
    assert moved.ring[1][0] == pytest.approx(tip[0] + 0.02, abs=0.001)
    assert np.array_equal(window.camera_selection.ids, _reference(moved, arrays))
    # Clear.
    panel.clear_action.trigger()
    assert window.features["map"].current_fence() is None and len(window.camera_selection) == 0


def test_rectangle_and_double_click_polygon(map_window, qtbot) -> None:  # noqa: ANN001
    rng = np.random.default_rng(2)
    arrays = _arrays(rng.uniform(44.60, 44.66, 4000), rng.uniform(-124.06, -124.00, 4000))
    window, panel = map_window(arrays)
    panel.tool_actions["rectangle"].trigger()
    _drag(panel, _view_pos(panel, 44.62, -124.05), _view_pos(panel, 44.64, -124.02))
    fence = window.features["map"].current_fence()
    assert isinstance(fence, RectFence)
    assert np.array_equal(window.camera_selection.ids, _reference(fence, arrays))
    vp = panel.canvas.viewport()
    panel.tool_actions["polygon"].trigger()
    pts = [(44.61, -124.05), (44.65, -124.05), (44.63, -124.01)]
    for la, lo in pts[:-1]:
        QTest.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _view_pos(panel, la, lo))
    QTest.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _view_pos(panel, *pts[-1]))
    QTest.mouseDClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _view_pos(panel, *pts[-1]))
    fence = window.features["map"].current_fence()
    assert isinstance(fence, PolygonFence) and len(fence.ring) == 3
    assert np.array_equal(window.camera_selection.ids, _reference(fence, arrays))


def test_keyboard_pan_zoom_home(map_window) -> None:  # noqa: ANN001
    rng = np.random.default_rng(3)
    arrays = _arrays(rng.uniform(44.60, 44.66, 2000), rng.uniform(-124.06, -124.00, 2000))
    window, panel = map_window(arrays)
    canvas = panel.canvas
    canvas.setFocus()
    home = canvas.vb.viewRange()
    QTest.keyClick(canvas, Qt.Key.Key_Right)
    (x0, x1), (y0, y1) = canvas.vb.viewRange()
    assert x0 > home[0][0] and x1 > home[0][1]
    assert (y0, y1) == pytest.approx(home[1])
    QTest.keyClick(canvas, Qt.Key.Key_Up)
    assert canvas.vb.viewRange()[1][0] > y0
    width = x1 - x0
    QTest.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.vb.viewRange()[0][1] - canvas.vb.viewRange()[0][0] < width * 0.9
    QTest.keyClick(canvas, Qt.Key.Key_Minus)
    QTest.keyClick(canvas, Qt.Key.Key_Minus)
    assert canvas.vb.viewRange()[0][1] - canvas.vb.viewRange()[0][0] > width * 1.1
    QTest.keyClick(canvas, Qt.Key.Key_Home)
    assert canvas.vb.viewRange()[0] == pytest.approx(home[0], rel=1e-6)
    # The scale bar measures ground distance, the cursor goes to the status bar.
    assert canvas.scale_bar.metric_bar[0].endswith(("m", "km"))
    QTest.mouseMove(canvas.viewport(), _view_pos(panel, 44.63, -124.03))
    shown_lat, shown_lon = (float(v) for v in window.cursor_label.text().replace("°", "").split(","))
    assert shown_lat == pytest.approx(44.63, abs=1e-3) and shown_lon == pytest.approx(-124.03, abs=1e-3)


def test_layers_toggle_reorder_and_state_remembered(map_window, make_window, shared_data) -> None:  # noqa: ANN001
    rng = np.random.default_rng(4)
    arrays = _arrays(rng.uniform(43.72, 43.75, 500), rng.uniform(7.40, 7.44, 500))
    window, panel = map_window(arrays)
    dock = panel.layers_dock
    item = dock.item_for("cameras")
    item.setCheckState(Qt.CheckState.Unchecked)
    assert not panel.cameras.isVisible()
    item.setCheckState(Qt.CheckState.Checked)
    assert panel.cameras.isVisible()
    dock.list.setCurrentRow(dock.keys().index("incidents"))
    z_before = panel.incidents.zValue()
    dock.up.click()
    assert dock.keys()[0] == "incidents" and panel.incidents.zValue() > panel.cameras.zValue() > 0
    assert panel.incidents.zValue() > z_before
    dock.item_for("agencies").setCheckState(Qt.CheckState.Unchecked)
    window.close()
    s = QSettings()
    s.beginGroup(panel.settings_group())
    assert "agencies" in s.value("hidden") and s.value("order")[0] == "incidents"
    assert len(s.value("view")) == 4


def test_add_map_layer_through_the_file_seam(map_window, monkeypatch, shared_data, tmp_path) -> None:  # noqa: ANN001
    from app.views.actions import Action
    from app.views.widgets import files

    rng = np.random.default_rng(4)
    window, panel = map_window(_arrays(rng.uniform(43.72, 43.75, 500), rng.uniform(7.40, 7.44, 500)))
    streets = shared_data / "monaco-osm" / "monaco_streets.geojson"
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: streets)
    window.actions[Action.ADD_MAP_LAYER].trigger()
    assert len(panel.overlays) == 1 and panel.overlays[0].lines.parts > 100
    assert f"overlay:{streets}" in panel.layers_dock.keys()
    assert np.isnan(panel.overlays[0].lines.x).sum() == panel.overlays[0].lines.parts  # one path, NaN-separated
    # A bad file: a warning that says why, nothing added.
    bad = tmp_path / "points.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [7.4, 43.7]}, "properties": {}}]}))
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: bad)
    warned = []
    from PySide6.QtWidgets import QMessageBox
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]))
    window.actions[Action.ADD_MAP_LAYER].trigger()
    assert len(panel.overlays) == 1 and "no lines or polygons" in warned[0]


def test_selection_sync_with_registry_table(map_window, qtbot) -> None:  # noqa: ANN001
    rng = np.random.default_rng(6)
    arrays = _arrays(rng.uniform(44.60, 44.66, 3000), rng.uniform(-124.06, -124.00, 3000))
    window, panel = map_window(arrays)
    # Selected elsewhere (e.g. rows in the registry) → highlighted on the map, any fence dropped.
    panel.fence.set_fence(CircleFence(44.63, -124.03, 500.0))
    picked = arrays.ids[[3, 10, 2999]]
    window.camera_selection.set_ids(picked, source=object())
    assert panel.cameras.selected_pos.size == 3
    assert np.array_equal(np.sort(panel.camera_data.index.ids_at(panel.cameras.selected_pos)), np.sort(picked))
    assert window.features["map"].current_fence() is None
    registry = window.features["registry"]  # a missing registry tab fails here
    qtbot.waitUntil(lambda: registry.loaded, timeout=10_000)
    # Fence on the map → rows selected in the registry table.
    fence = CircleFence(44.63, -124.03, 600.0)
    panel.fence.set_fence(fence)
    expected = _reference(fence, arrays)
    qtbot.waitUntil(lambda: len(registry.table.selectionModel().selectedRows()) == expected.size, timeout=5_000)


def test_clicking_a_camera_shows_details_without_contact(map_window, qtbot) -> None:  # noqa: ANN001
    arrays = _arrays(np.array([44.63, 44.64]), np.array([-124.03, -124.02]))
    window, panel = map_window(arrays)
    x, y = geo.lonlat_to_xy(-124.03, 44.63)
    panel.canvas.vb.setRange(xRange=(float(x) - 100, float(x) + 100), yRange=(float(y) - 100, float(y) + 100),
                             padding=0)
    QTest.qWait(20)
    panel.canvas.grab()  # street zoom: points and wedges drawn
    assert panel.cameras.mode == "points"
    QTest.mouseClick(panel.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     _view_pos(panel, 44.63, -124.03))
    d = panel.camera_dock.details
    assert d["title"] == f"Camera {arrays.ids[0]}"
    assert d["owner"] == "no owner on record"
    assert "@" not in " ".join(d.values())


def test_map_built_only_after_first_paint(make_window) -> None:  # noqa: ANN001
    window = make_window()
    assert window.features["map"].panel is None  # installing the tab does not build pyqtgraph
    window.show()
    window.first_shown.emit()
    assert window.features["map"].panel is not None
