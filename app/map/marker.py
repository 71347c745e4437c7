"""A search result's marker: a pin at a Mercator point with its label, drawn in device pixels above every layer."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen

from app.map import painting
from app.map.layer_base import MapLayer

MARKER_COLOUR = "#D7301F"


class MarkerItem(MapLayer):
    key = "marker"
    title = "Search result"
    tip = "Where the last address search took you"

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(10_000)
        self.point: tuple[float, float] | None = None
        self.label = ""

    def set_point(self, x: float | None, y: float | None, label: str = "") -> None:
        self.point = None if x is None or y is None else (float(x), float(y))
        self.label = label
        self.update()

    def data_bounds(self) -> QRectF | None:
        return None  # a marker never widens Home (fit all)

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        if self.point is None:
            return
        t = painter.transform()
        (px,), (py,) = painting.to_device(t, np.array([self.point[0]]), np.array([self.point[1]]))
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pin = QPainterPath()
        pin.moveTo(px, py)
        pin.cubicTo(px - 3, py - 10, px - 10, py - 14, px - 10, py - 22)
        pin.arcTo(QRectF(px - 10, py - 32, 20, 20), 180, -180)
        pin.cubicTo(px + 10, py - 14, px + 3, py - 10, px, py)
        painter.setPen(QPen(QColor("#ffffff"), 2.0))
        painter.setBrush(QBrush(QColor(MARKER_COLOUR)))
        painter.drawPath(pin)
        painter.setBrush(QBrush(QColor("#ffffff")))
        painter.drawEllipse(QPointF(px, py - 22), 3.5, 3.5)
        if self.label:
            painter.setPen(QColor("#ffffff"))
            text = QPainterPath()
            text.addText(QPointF(px + 14, py - 18), painter.font(), self.label)
            painter.strokePath(text, QPen(QColor(255, 255, 255, 230), 3.0))
            painter.fillPath(text, QColor("#202020"))
