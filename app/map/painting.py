"""Drawing helpers shared by the map layers: numpy → device pixels → one QPainter call per batch.

Layers paint in device (pixel) coordinates: the numpy arrays are transformed once per frame and handed to Qt as
a single QPolygonF / QPainterPath, so no per-point Python object ever exists, and huge Mercator coordinates never
go through Qt's fixed-point rasteriser.
"""

from __future__ import annotations

import numpy as np
from pyqtgraph import functions as fn
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainterPath, QPen, QPolygonF, QTransform

from app.core.records import KIND_CODES

MAP_BACKGROUND = "#f2efe9"  # OpenStreetMap's land colour: familiar, and light enough for coloured points

# Okabe–Ito colours (distinguishable with colour-vision deficiencies), in KIND_CODES order.
KIND_COLOURS: dict[str, str] = {
    "doorbell": "#0072B2",
    "floodlight": "#E69F00",
    "spotlight": "#CC79A7",
    "indoor": "#009E73",
    "business_cctv": "#D55E00",
    "city_cctv": "#000000",
}
KIND_QCOLOURS = [QColor(KIND_COLOURS[k]) for k in KIND_CODES]
INCIDENT_COLOURS = {"resident_post": "#7B3294", "agency_report": "#C51B7D"}
SELECTION_COLOUR = "#FFD400"
FENCE_COLOUR = "#D7301F"


def to_device(t: QTransform, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Apply an affine QTransform to numpy arrays (what QTransform.map does, vectorised)."""
    px = t.m11() * x + t.m21() * y + t.m31()
    py = t.m12() * x + t.m22() * y + t.m32()
    return px, py


def polygon(px: np.ndarray, py: np.ndarray) -> QPolygonF:
    poly = fn.create_qpolygonf(int(px.size))
    if px.size:
        buf = fn.ndarray_from_qpolygonf(poly)
        buf[:, 0] = px
        buf[:, 1] = py
    return poly


def path(px: np.ndarray, py: np.ndarray, connect: str | np.ndarray = "finite") -> QPainterPath:
    if px.size == 0:
        return QPainterPath()
    return fn.arrayToQPath(px, py, connect=connect, finiteCheck=False)


def density_colour_table() -> list[int]:
    """256 ARGB entries: 0 transparent, then light to dark blue, more opaque where denser."""
    table = [0]
    lo = np.array([198, 219, 239, 120], float)
    hi = np.array([8, 48, 107, 235], float)
    for i in range(1, 256):
        t = (i - 1) / 254
        r, g, b, a = (lo + (hi - lo) * t).astype(int)
        table.append((a << 24) | (r << 16) | (g << 8) | b)
    return table


_CAPS = {"round": Qt.PenCapStyle.RoundCap, "square": Qt.PenCapStyle.SquareCap, "flat": Qt.PenCapStyle.FlatCap}


def density_lut() -> np.ndarray:
    """The density colour table as premultiplied ARGB32 (uint32), for a numpy lookup."""
    out = np.zeros(256, np.uint32)
    for i, argb in enumerate(density_colour_table()):
        a, r, g, b = (argb >> 24) & 255, (argb >> 16) & 255, (argb >> 8) & 255, argb & 255
        out[i] = (a << 24) | ((r * a // 255) << 16) | ((g * a // 255) << 8) | (b * a // 255)
    return out


def pen(colour: str | QColor, width: float, cap: str = "round") -> QPen:
    """A cosmetic pen (width in pixels); with drawPoints a round cap draws a disc, a square cap a square."""
    p = QPen(QColor(colour))
    p.setWidthF(width)
    p.setCosmetic(True)
    p.setCapStyle(_CAPS[cap])
    return p
