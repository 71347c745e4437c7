"""The smaller map layers: GeoJSON overlays, incidents/posts, agencies with their jurisdictions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen

from app.core import geo
from app.map import painting
from app.map.geojson_lines import Polylines, geometries_of, polylines
from app.map.layer_base import MapLayer
from app.store.map_features import INCIDENT_SOURCES, AgencyShape, IncidentPoints


def _local_path(lines: Polylines, origin: tuple[float, float]) -> QPainterPath:
    """A path relative to a local origin, so Qt's arithmetic never sees 7-digit Mercator coordinates plus detail."""
    return painting.path(lines.x - origin[0], lines.y - origin[1], "finite")


def _rect(bounds: tuple[float, float, float, float] | None) -> QRectF | None:
    if bounds is None:
        return None
    x0, y0, x1, y1 = bounds
    return QRectF(x0, y0, x1 - x0, y1 - y0)


class OverlayLayer(MapLayer):
    """A GeoJSON file's lines and polygon outlines, as one path (one item for the whole street network)."""

    def __init__(self, path: Path, lines: Polylines, colour: str = "#6b6b6b") -> None:
        super().__init__()
        self.source_path = Path(path)
        self.key = f"overlay:{self.source_path}"
        self.title = self.source_path.stem
        self.tip = f"GeoJSON layer from {self.source_path} ({lines.parts} lines)"
        self.lines = lines
        b = lines.bounds()
        self._origin = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) if b else (0.0, 0.0)
        self._path = _local_path(lines, self._origin)
        self._pen = painting.pen(colour, 1.3, "flat")

    def data_bounds(self) -> QRectF | None:
        return _rect(self.lines.bounds())

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)  # few thousand segments: worth it
        painter.translate(*self._origin)
        painter.setPen(self._pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)


class IncidentLayer(MapLayer):
    key = "incidents"
    title = "Incidents and posts"
    tip = "Incidents reported by the agency (squares) and residents' safety posts"

    def __init__(self) -> None:
        super().__init__()
        self.points: IncidentPoints | None = None
        self.x = self.y = np.empty(0)
        self.selected_id: int | None = None  # the incident clicked on the map, drawn with a ring

    def incident_at(self, x: float, y: float, radius_m: float) -> int | None:
        """Id of the incident or post nearest to a Mercator point within radius_m (map metres), or None."""
        if self.points is None or self.x.size == 0:
            return None
        d2 = (self.x - x) ** 2 + (self.y - y) ** 2
        i = int(np.argmin(d2))
        return int(self.points.ids[i]) if d2[i] <= radius_m * radius_m else None

    def set_points(self, points: IncidentPoints) -> None:
        self.points = points
        self.x, self.y = geo.lonlat_to_xy(points.lon, points.lat)
        self.update()

    def data_bounds(self) -> QRectF | None:
        if self.x.size == 0:
            return None
        return _rect((float(self.x.min()), float(self.y.min()), float(self.x.max()), float(self.y.max())))

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        vs = self.view_state()
        if self.points is None or vs is None or self.x.size == 0:
            return
        t = painter.transform()
        painter.resetTransform()
        inview = (self.x >= vs.x0) & (self.x <= vs.x1) & (self.y >= vs.y0) & (self.y <= vs.y1)
        size = 5.0 if inview.sum() < 1000 else 3.0
        for code, name in enumerate(INCIDENT_SOURCES):
            m = inview & (self.points.source == code)
            if not m.any():
                continue
            px, py = painting.to_device(t, self.x[m], self.y[m])
            painter.setPen(painting.pen("#ffffff", size + 2, "square"))
            painter.drawPoints(painting.polygon(px, py))
            painter.setPen(painting.pen(painting.INCIDENT_COLOURS[name], size, "square"))
            painter.drawPoints(painting.polygon(px, py))
        if self.selected_id is not None:
            hit = np.flatnonzero(self.points.ids == self.selected_id)
            if hit.size:
                px, py = painting.to_device(t, self.x[hit], self.y[hit])
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                for colour, width in (("#ffffff", 5.0), ("#d62728", 2.5)):
                    painter.setPen(painting.pen(colour, width, "round"))
                    painter.drawEllipse(QPointF(float(px[0]), float(py[0])), 9.0, 9.0)


class AgencyLayer(MapLayer):
    key = "agencies"
    title = "Agencies and jurisdictions"
    tip = "Partner agencies and their jurisdiction boundaries"

    def __init__(self) -> None:
        super().__init__()
        self.agencies: list[AgencyShape] = []
        self._lines = Polylines(np.empty(0), np.empty(0), 0, False)
        self._origin = (0.0, 0.0)
        self._path = QPainterPath()
        self._hq = (np.empty(0), np.empty(0))
        self._pen = painting.pen("#2166AC", 2.0, "flat")
        self._brush = QBrush(QColor(33, 102, 172, 18))

    def set_agencies(self, agencies: list[AgencyShape]) -> None:
        self.agencies = agencies
        self._lines = polylines(g for a in agencies if a.jurisdiction for g in geometries_of(a.jurisdiction))
        b = self._lines.bounds()
        self._origin = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) if b else (0.0, 0.0)
        self._path = _local_path(self._lines, self._origin)
        self._path.setFillRule(Qt.FillRule.OddEvenFill)  # holes stay holes
        located = [a for a in agencies if a.lat is not None and a.lon is not None]
        self._hq = geo.lonlat_to_xy([a.lon for a in located], [a.lat for a in located])
        self._hq_names = [a.name for a in located]
        self.update()

    def data_bounds(self) -> QRectF | None:
        return _rect(self._lines.bounds())

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        if not self.agencies:
            return
        t = painter.transform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.translate(*self._origin)
        painter.setPen(self._pen)
        painter.setBrush(self._brush)
        painter.drawPath(self._path)
        painter.resetTransform()
        if self._hq[0].size:
            px, py = painting.to_device(t, np.asarray(self._hq[0]), np.asarray(self._hq[1]))
            painter.setPen(painting.pen("#2166AC", 10.0, "square"))
            painter.drawPoints(painting.polygon(px, py))
            font = QFont(painter.font())
            font.setBold(True)
            halo_text(painter, font, [(x + 8, y - 6, name) for x, y, name in
                                      zip(px.tolist(), py.tolist(), self._hq_names, strict=True)], "#08306B")


def halo_text(painter: QPainter, font: QFont, labels: list[tuple[float, float, str]], colour: str,
              halo: str = "#ffffff", halo_px: float = 3.0) -> None:
    """Labels with a halo: a wide light outline under the letters keeps them readable over dense points."""
    path = QPainterPath()
    for x, y, text in labels:
        path.addText(QPointF(x, y), font, text)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    outline = QPen(QColor(halo), halo_px * 2)
    outline.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.strokePath(path, outline)
    painter.fillPath(path, QColor(colour))
