"""A small map of one request's area: the fence, the recipient cameras and the incident point (QPainter).

Drawn in Web Mercator so shapes look as they do on the main map; no tiles, no pyqtgraph (it is a thumbnail).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.core import geo
from app.core.fence import CircleFence, Fence

COVERS = QColor("#1b7f3b")
OTHER = QColor("#3366aa")
SHARED = QColor("#d08000")


class RequestAreaView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("request_area_view")
        self.setMinimumSize(220, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip("The request's area (outline), recipient cameras (green: sees the incident; orange: shared) "
                        "and the incident (red cross)")
        self.ring: np.ndarray = np.empty((0, 2))
        self.points: list[tuple[float, float, bool, str]] = []
        self.incident: tuple[float, float] | None = None

    def set_area(self, fence: Fence | None, points: list[tuple[float, float, bool, str]],
                 incident: tuple[float, float] | None) -> None:
        if fence is None:
            self.ring = np.empty((0, 2))
        elif isinstance(fence, CircleFence) or callable(getattr(fence, "ring", None)):
            self.ring = np.asarray(fence.ring(), dtype=np.float64)
        else:
            self.ring = np.asarray(fence.ring, dtype=np.float64)
        self.points = points
        self.incident = incident
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        if self.ring.shape[0] < 3:
            p.setPen(self.palette().text().color())
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No request selected")
            return
        x, y = geo.lonlat_to_xy(self.ring[:, 1], self.ring[:, 0])
        x0, x1, y0, y1 = x.min(), x.max(), y.min(), y.max()
        span = max(x1 - x0, y1 - y0, 1.0) * 1.15
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        box = QRectF(self.rect()).adjusted(8, 8, -8, -8)
        scale = min(box.width(), box.height()) / span

        def to_px(lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
            mx, my = geo.lonlat_to_xy(lon, lat)
            return box.center().x() + (mx - cx) * scale, box.center().y() - (my - cy) * scale

        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        px, py = to_px(self.ring[:, 1], self.ring[:, 0])
        p.setPen(QPen(QColor("#444444"), 1.5))
        p.setBrush(QBrush(QColor(60, 120, 200, 30)))
        p.drawPolygon(QPolygonF([QPointF(a, b) for a, b in zip(px.tolist(), py.tolist(), strict=True)]))
        if self.points:
            pts = np.asarray([(a, b) for a, b, _, _ in self.points], dtype=np.float64)
            qx, qy = to_px(pts[:, 1], pts[:, 0])
            p.setPen(Qt.PenStyle.NoPen)
            for (_, _, covers, state), u, v in zip(self.points, qx.tolist(), qy.tolist(), strict=True):
                p.setBrush(SHARED if state == "shared" else COVERS if covers else OTHER)
                r = 3.5 if covers or state == "shared" else 2.5
                p.drawEllipse(QPointF(u, v), r, r)
        if self.incident is not None:
            ix, iy = to_px(self.incident[1], self.incident[0])
            p.setPen(QPen(QColor("#cc0000"), 2.5))
            p.drawLine(QPointF(float(ix) - 6, float(iy) - 6), QPointF(float(ix) + 6, float(iy) + 6))
            p.drawLine(QPointF(float(ix) - 6, float(iy) + 6), QPointF(float(ix) + 6, float(iy) - 6))
        metres = 100.0 if span < 1500 else 500.0
        p.setPen(QPen(self.palette().text().color(), 1))
        bar = metres * scale / geo.ground_m_per_map_m(float(self.ring[:, 0].mean()))
        base = QPointF(box.left() + 4, box.bottom() - 4)
        p.drawLine(base, base + QPointF(bar, 0))
        p.drawText(base + QPointF(0, -4), f"{metres:.0f} m")
