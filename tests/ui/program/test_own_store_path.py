"""The own-store path through the real window: no agency → the guidance → add the agency (validated as you type) →
draw its jurisdiction with the map's polygon tool → a footage request inside it."""

from __future__ import annotations

import json

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from app.core import geo
from app.core.fence import PolygonFence
from app.store import requests as request_store
from app.views.actions import Action

CENTER = (39.2904, -76.6122)


def view_pos(panel, lat: float, lon: float) -> QPoint:  # noqa: ANN001
    x, y = geo.lonlat_to_xy(lon, lat)
    return panel.canvas.mapFromScene(panel.canvas.vb.mapViewToScene(QPointF(float(x), float(y))))


def draw_polygon(qtbot, panel, corners: list[tuple[float, float]]) -> None:  # noqa: ANN001
    vp = panel.canvas.viewport()
    panel.canvas.setFocus()
    panel.tool_actions["polygon"].trigger()
    for la, lo in corners:
        QTest.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, view_pos(panel, la, lo))
    QTest.keyClick(panel.canvas, Qt.Key.Key_Return)


def test_no_agency_add_agency_draw_fence_create_request(make_window, qtbot, monkeypatch) -> None:  # noqa: ANN001
    warnings: list[str] = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning", lambda _p, _t, text, *a, **k: warnings.append(text))
    window = make_window(role="supervisor", name="sue")
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    program = window.features["program"]
    # First run of an own store: the status bar says what to do first; the Agencies view shows the guidance.
    assert "add your agency" in window.statusBar().currentMessage()
    window.show_tab("program")
    assert program.views.currentWidget() is program.agencies
    assert program.agencies.guide_box.isVisible()

    # Draw the jurisdiction on the map with the polygon tool (clicks + Enter).
    window.show_tab("map")
    panel = window.features["map"].ensure_built()
    x, y = geo.lonlat_to_xy(CENTER[1], CENTER[0])
    panel.canvas.vb.setRange(xRange=(float(x) - 6000, float(x) + 6000), yRange=(float(y) - 6000, float(y) + 6000),
                             padding=0)
    QTest.qWait(20)
    ring = [(39.27, -76.64), (39.31, -76.64), (39.31, -76.58), (39.27, -76.58)]
    draw_polygon(qtbot, panel, ring)
    drawn = window.features["map"].current_fence()
    assert isinstance(drawn, PolygonFence) and len(drawn.ring) == 4

    # A request is attempted first (Ctrl+N): with no agency, the user is offered the agency dialog instead.
    asked: list[str] = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.question",
                        lambda _p, _t, text, *a, **k: asked.append(text) or QMessageBox.StandardButton.Yes)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert asked and "no partner agency" in asked[0]
    assert window.features["requests"].steps.request_dialog is None
    qtbot.waitUntil(lambda: program.agencies.dialog is not None)
    assert window.tabs.currentWidget() is program
    dialog = program.agencies.dialog
    assert not dialog.save_button.isEnabled()
    assert dialog.errors["name"].text() == "an agency needs a name"
    qtbot.keyClicks(dialog.name, "Baltimore Police Department")
    dialog.case_pattern.setText("(")
    assert not dialog.save_button.isEnabled() and "not a valid pattern" in dialog.errors["case_number_pattern"].text()
    dialog.case_pattern.setText(r"^BPD-\d{2}-\d{6}$")
    dialog.city.setText("Baltimore")
    dialog.state.setText("MD")
    assert dialog.from_map.isEnabled()
    qtbot.mouseClick(dialog.from_map, Qt.MouseButton.LeftButton)
    assert dialog.jurisdiction_label.text().startswith("✔ Polygon set")
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: program.agencies.dialog is None)
    conn = window.ctx.conn
    name, jurisdiction, pattern = conn.execute("SELECT name, jurisdiction_geojson, case_number_pattern "
                                               "FROM agencies").fetchone()
    assert name == "Baltimore Police Department" and pattern == r"^BPD-\d{2}-\d{6}$"
    coords = json.loads(jurisdiction)["coordinates"][0]
    assert len(coords) == 5 and all(abs(a - b) < 0.001 for (lo, la), (ra, ro) in zip(coords, ring, strict=False)
                                    for a, b in ((lo, ro), (la, ra)))
    assert not program.agencies.guide_box.isVisible()
    assert program.agencies.model.rowCount() == 1
    assert conn.execute("SELECT action FROM audit_log WHERE action = 'agency_added'").fetchone()

    # Draw the request's area inside the jurisdiction, then create the request.
    window.show_tab("map")
    area = [(39.287, -76.615), (39.293, -76.615), (39.293, -76.608), (39.287, -76.608)]
    draw_polygon(qtbot, panel, area)
    window.actions[Action.NEW_REQUEST].trigger()
    requests = window.features["requests"]
    qtbot.waitUntil(lambda: requests.steps.request_dialog is not None)
    rd = requests.steps.request_dialog
    assert rd.agency.currentText() == "Baltimore Police Department"
    assert rd.area_source.currentText().startswith("Fence drawn on the map (polygon")
    rd.case_number.setText("BPD-26-000123")
    rd.category.setCurrentText("robbery")
    qtbot.mouseClick(rd.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: requests.steps.request_dialog is None)
    rec = request_store.get_request(conn, requests.current.id)
    assert rec.case_number == "BPD-26-000123" and rec.area_kind == "polygon"
    assert rec.agency_id == conn.execute("SELECT id FROM agencies").fetchone()[0]
    assert warnings == []


def test_agency_shortcut_cancel_and_invalid_jurisdiction_file(make_window, qtbot, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    from app.views.widgets import files

    window = make_window(role="admin", name="admin")
    window.show()
    qtbot.waitExposed(window)
    program = window.features["program"]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: program.agencies.dialog is not None)
    dialog = program.agencies.dialog
    assert not dialog.from_map.isEnabled()  # nothing drawn yet
    point = tmp_path / "point.geojson"
    point.write_text('{"type": "Point", "coordinates": [1, 2]}', encoding="utf-8")
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: point)
    monkeypatch.setattr("app.views.program.agency_dialog.choose_open_file", lambda *a, **k: point)
    qtbot.keyClicks(dialog.name, "Metro PD")
    qtbot.mouseClick(dialog.from_file, Qt.MouseButton.LeftButton)
    assert "must be a GeoJSON Polygon or MultiPolygon (this is Point)" in dialog.errors["jurisdiction_geojson"].text()
    assert not dialog.save_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: program.agencies.dialog is None)
    assert window.ctx.conn.execute("SELECT count(*) FROM agencies").fetchone()[0] == 0
