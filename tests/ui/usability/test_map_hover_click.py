"""Issue 10, point 8 through the real window (the part not about tiles): hover tooltips for incidents and cameras
(kind, time, category, case number — never owner data), a click on an incident selects it, a click on a camera
moves the shared selection so the registry's Owner details dock follows, and labels drawn with a halo."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.core import geo, timefmt
from app.map.layers import halo_text

LAT, LON = 39.2904, -76.6122


def _pos(panel, lat: float, lon: float) -> QPoint:  # noqa: ANN001
    x, y = geo.lonlat_to_xy(lon, lat)
    return panel.canvas.mapFromScene(panel.canvas.vb.mapViewToScene(QPointF(float(x), float(y))))


def test_hover_tooltips_click_incident_and_owner_dock_follows(make_window, qtbot) -> None:  # noqa: ANN001
    window = make_window(role="analyst", name="ana")
    conn = window.ctx.conn
    owner = conn.execute("INSERT INTO owners (display_name, email, contact_preference, consent, consent_changed_on, "
                         "anonymity_no, created_at) VALUES ('Kim Lee', 'kim@example.org', 'email', 'opt_in', "
                         "'2026-01-01', 41, '2026-01-01T00:00:00Z') RETURNING id").fetchone()[0]
    camera = conn.execute("INSERT INTO cameras (owner_id, lat, lon, kind, heading_deg, fov_deg, range_m, "
                          "retention_days, source, registered_on) VALUES (?, ?, ?, 'doorbell', 90, 100, 30, 14, "
                          "'self_registered', '2026-01-01') RETURNING id", (owner, LAT, LON + 0.0008)).fetchone()[0]
    incident = conn.execute("INSERT INTO incidents (occurred_at, lat, lon, category, source, case_number, created_at) "
                            "VALUES ('2026-03-01T02:30:00Z', ?, ?, 'robbery', 'agency_report', 'BPD-14-000777', "
                            "'2026-03-01T03:00:00Z') RETURNING id", (LAT, LON)).fetchone()[0]
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    registry = window.features["registry"]
    qtbot.waitUntil(lambda: getattr(registry, "loaded", True), timeout=10_000)
    panel = window.features["map"].ensure_built()
    qtbot.waitUntil(lambda: panel.ready and panel.camera_data is not None and panel.camera_data.arrays.ids.size == 1,
                    timeout=10_000)
    x, y = geo.lonlat_to_xy(LON + 0.0004, LAT)
    panel.canvas.vb.setRange(xRange=(float(x) - 150, float(x) + 150), yRange=(float(y) - 100, float(y) + 100),
                             padding=0)
    QTest.qWait(20)
    panel.canvas.grab()

    ix, iy = geo.lonlat_to_xy(LON, LAT)
    tip = panel.hover_text(float(ix), float(iy))
    assert "robbery" in tip and "Case BPD-14-000777" in tip and timefmt.readable("2026-03-01T02:30:00Z") in tip
    cx, cy = geo.lonlat_to_xy(LON + 0.0008, LAT)
    tip = panel.hover_text(float(cx), float(cy))
    assert f"Camera {camera}" in tip and "Doorbell" in tip and "14 days" in tip
    assert "Kim" not in tip and "Neighbor" not in tip and "@" not in tip  # never owner data
    # The real mouse: moving over the incident shows its tooltip.
    QTest.mouseMove(panel.canvas.viewport(), _pos(panel, LAT, LON))
    qtbot.waitUntil(lambda: "BPD-14-000777" in panel.canvas.viewport().toolTip(), timeout=2000)

    # A click on the incident selects it; a click on the camera moves the shared selection.
    QTest.mouseClick(panel.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     _pos(panel, LAT, LON))
    assert panel.incidents.selected_id == incident
    assert "BPD-14-000777" in window.statusBar().currentMessage()
    QTest.mouseClick(panel.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     _pos(panel, LAT, LON + 0.0008))
    assert window.camera_selection.ids.tolist() == [camera]
    assert registry.owner_dock.fields["display_name"].text() == "Kim Lee"  # the registry's dock followed
    assert panel.camera_dock.details["title"] == f"Camera {camera}"
    QApplication.processEvents()


def test_labels_are_drawn_with_a_halo(qapp) -> None:  # noqa: ANN001
    image = QImage(160, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("#1f3b73"))  # dense dark points under the label
    painter = QPainter(image)
    font = QFont()
    font.setPixelSize(16)
    font.setBold(True)
    halo_text(painter, font, [(6.0, 26.0, "Harbor PD")], "#08306B")
    painter.end()
    colours = {image.pixelColor(px, py).name() for px in range(160) for py in range(40)}
    assert "#ffffff" in colours  # the halo
    assert "#08306b" in colours  # the letters
