"""The coverage layer: the analysed grid as one image over the map (cells seen by 1, 2, 3+ cameras).

The image is drawn into the Web Mercator rectangle of the analysis grid. The grid is a local equirectangular
projection, so over a city (tens of km) its rows are straight in Mercator to well under a cell. Staff only: the
fine grid shows where cameras look (public outputs use app.core.coverage.public_cells instead).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from app.core import geo
from app.core.coverage import CoverageResult, coverage_rgba
from app.map.layer_base import MapLayer


class CoverageLayer(MapLayer):
    key = "coverage"
    title = "Coverage"
    tip = "Ground seen by 1, 2 and 3 or more cameras (nominal headings and ranges), from the last coverage analysis"

    def __init__(self) -> None:
        super().__init__()
        self.image: QImage | None = None
        self.rect: QRectF | None = None
        self._rgba = np.empty((0, 0, 4), np.uint8)

    def set_result(self, result: CoverageResult | None) -> None:
        if result is None:
            self.image, self.rect = None, None
            self.update()
            return
        # QImage rows run top-down; the grid's row 0 is the southern edge, and the view's y axis points north.
        self._rgba = np.ascontiguousarray(coverage_rgba(result.counts, result.area))
        h, w = self._rgba.shape[:2]
        self.image = QImage(self._rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
        s, west, n, e = result.grid.bounds_latlon()
        x0, y0 = geo.lonlat_to_xy(west, s)
        x1, y1 = geo.lonlat_to_xy(e, n)
        self.rect = QRectF(float(x0), float(y0), float(x1 - x0), float(y1 - y0))
        self.update()

    def data_bounds(self) -> QRectF | None:
        return self.rect

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        if self.image is None or self.rect is None:
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(self.rect, self.image)
