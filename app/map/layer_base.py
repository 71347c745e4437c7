"""Base of every map layer: a pyqtgraph GraphicsObject in Web Mercator metres that paints in device pixels."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QRectF

from app.core import geo

WORLD = QRectF(-geo.MERCATOR_HALF_WORLD_M, -geo.MERCATOR_HALF_WORLD_M, 2 * geo.MERCATOR_HALF_WORLD_M,
               2 * geo.MERCATOR_HALF_WORLD_M)


@dataclass(frozen=True)
class ViewState:
    """What a layer needs to know about the frame: the visible Mercator rect and its size in pixels."""

    x0: float
    y0: float
    x1: float
    y1: float
    width_px: int
    height_px: int

    @property
    def m_per_px(self) -> float:
        """Mercator metres per pixel (the aspect ratio is locked, so x and y agree)."""
        return (self.x1 - self.x0) / max(self.width_px, 1)

    @property
    def centre_lat(self) -> float:
        _, lat = geo.xy_to_lonlat(0.0, (self.y0 + self.y1) / 2)
        return float(lat)

    @property
    def ground_m_per_px(self) -> float:
        return self.m_per_px * math.cos(math.radians(self.centre_lat))


class MapLayer(pg.GraphicsObject):
    """A layer: key and title for the layer panel; paints whatever of itself is in view."""

    key = "layer"
    title = "Layer"
    tip = ""

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(self.GraphicsItemFlag.ItemUsesExtendedStyleOption, False)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return WORLD

    def view_state(self) -> ViewState | None:
        vb = self.getViewBox()
        if vb is None:
            return None
        (x0, x1), (y0, y1) = vb.viewRange()
        size = vb.size()
        return ViewState(float(x0), float(y0), float(x1), float(y1), int(size.width()), int(size.height()))

    def data_bounds(self) -> QRectF | None:
        """Mercator bounds of the layer's data, for Home (fit all); None when empty."""
        return None
