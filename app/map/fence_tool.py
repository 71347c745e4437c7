"""Geo-fence drawing and editing on the map: circle (centre + ground radius), rectangle, polygon; handles.

The controller turns mouse/keyboard input (in Mercator metres, from the view box) into app.core.fence shapes.
It emits `fence_previewed` while a shape is being drawn or edited (for the live area label) and
`fence_changed` when one is committed (or cleared: None). The cameras inside are computed by the map tab.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter

from app.core import geo
from app.core.fence import CircleFence, Fence, PolygonFence, RectFence
from app.map import painting
from app.map.layer_base import MapLayer

HANDLE_PX = 8.0
# Keys while drawing; key() reads these and Help ▸ Keyboard Shortcuts lists KEY_HELP.
CANCEL_KEYS = (Qt.Key.Key_Escape,)
CLOSE_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
UNDO_VERTEX_KEYS = (Qt.Key.Key_Backspace,)
KEY_HELP: tuple[tuple[str, tuple[Qt.Key, ...]], ...] = (
    ("Close the polygon", CLOSE_KEYS[:1]), ("Remove the polygon's last corner", UNDO_VERTEX_KEYS),
    ("Cancel drawing", CANCEL_KEYS))
MODES = ("navigate", "circle", "rectangle", "polygon")


def _latlon(x: float, y: float) -> tuple[float, float]:
    lon, lat = geo.xy_to_lonlat(x, y)
    return float(lat), float(np.clip(lon, -180.0, 180.0))


def _xy(lat: float, lon: float) -> tuple[float, float]:
    x, y = geo.lonlat_to_xy(lon, lat)
    return float(x), float(y)


def _ring(fence: Fence) -> tuple[tuple[float, float], ...]:
    if isinstance(fence, CircleFence):
        return fence.ring(128)
    return fence.ring() if isinstance(fence, RectFence) else fence.ring


def fence_outline_xy(fence: Fence) -> tuple[np.ndarray, np.ndarray]:
    """The fence's outline in Mercator metres (a circle as a 128-gon on the ground)."""
    ring = _ring(fence)
    lat = np.array([p[0] for p in ring])
    lon = np.array([p[1] for p in ring])
    return geo.lonlat_to_xy(lon, lat)


def fence_handles(fence: Fence) -> list[tuple[float, float]]:
    if isinstance(fence, CircleFence):
        lat, lon = geo.destination(fence.center_lat, fence.center_lon, 90.0, fence.radius_m)
        return [_xy(fence.center_lat, fence.center_lon), _xy(float(lat), float(lon))]
    return [_xy(lat, lon) for lat, lon in _ring(fence)]


class FenceItem(MapLayer):
    """Draws the current fence (or the one being drawn) and its handles, above every other layer."""

    key = "fence"
    title = "Geo-fence"

    def __init__(self) -> None:
        super().__init__()
        self.outline: tuple[np.ndarray, np.ndarray] | None = None
        self.closed = True
        self.handles: list[tuple[float, float]] = []
        self.setZValue(1_000_000)

    def show_shape(self, outline: tuple[np.ndarray, np.ndarray] | None, closed: bool,
                   handles: list[tuple[float, float]]) -> None:
        self.outline, self.closed, self.handles = outline, closed, handles
        self.update()

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        t = painter.transform()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self.outline is not None and self.outline[0].size:
            px, py = painting.to_device(t, *self.outline)
            poly = painting.polygon(px, py)
            painter.setPen(painting.pen(painting.FENCE_COLOUR, 2.0, "flat"))
            if self.closed and px.size >= 3:
                painter.setBrush(QBrush(QColor(215, 48, 31, 40)))
                painter.drawPolygon(poly)
            else:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPolyline(poly)
        if self.handles:
            hx, hy = painting.to_device(t, np.array([h[0] for h in self.handles]),
                                        np.array([h[1] for h in self.handles]))
            painter.setPen(painting.pen("#202020", 1.0))
            painter.setBrush(QBrush(QColor("#ffffff")))
            s = HANDLE_PX
            for x, y in zip(hx.tolist(), hy.tolist(), strict=True):
                painter.drawRect(QRectF(x - s / 2, y - s / 2, s, s))


class FenceController(QObject):
    fence_changed = Signal(object)     # the committed fence, or None when cleared
    fence_previewed = Signal(object)   # live while drawing/editing
    mode_changed = Signal(str)

    def __init__(self, viewbox: object, item: FenceItem) -> None:
        super().__init__()
        self.vb = viewbox
        self.item = item
        self.mode = "navigate"
        self.fence: Fence | None = None
        self._draft: Fence | None = None           # shape while dragging (circle/rect/handle edit)
        self._vertices: list[tuple[float, float]] = []   # polygon being drawn, Mercator
        self._hover: tuple[float, float] | None = None
        self._edit_handle: int | None = None

    # --- public ------------------------------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(mode)
        self._vertices = []
        self._draft = None
        self.mode = mode
        self._refresh()
        self.mode_changed.emit(mode)

    def set_fence(self, fence: Fence | None, announce: bool = True) -> None:
        self.fence = fence
        self._draft = None
        self._refresh()
        if announce:
            self.fence_changed.emit(fence)

    def clear(self) -> None:
        self._vertices = []
        self.set_fence(None)

    @property
    def drawing(self) -> bool:
        return bool(self._vertices) or self._draft is not None

    # --- input from the view box -----------------------------------------------------------------------------
    def _view_xy(self, pos: QPointF) -> tuple[float, float]:
        p = self.vb.mapToView(pos)
        return float(p.x()), float(p.y())

    def _handle_at(self, pos: QPointF) -> int | None:
        if self.fence is None:
            return None
        for i, (hx, hy) in enumerate(fence_handles(self.fence)):
            hp = self.vb.mapFromView(QPointF(hx, hy))
            if abs(hp.x() - pos.x()) <= HANDLE_PX and abs(hp.y() - pos.y()) <= HANDLE_PX:
                return i
        return None

    def drag(self, ev: object) -> bool:
        """A mouse drag on the map; True when the fence tool used it (else the view pans)."""
        if ev.button() != Qt.MouseButton.LeftButton:
            return False
        if ev.isStart():
            self._edit_handle = self._handle_at(ev.buttonDownPos())
            if self._edit_handle is None and self.mode not in ("circle", "rectangle"):
                return False
        elif self._edit_handle is None and self._draft is None:
            return False
        ev.accept()
        start = self._view_xy(ev.buttonDownPos())
        here = self._view_xy(ev.pos())
        if self._edit_handle is not None:
            self._draft = self._edited(self._edit_handle, here)
        elif self.mode == "circle":
            c_lat, c_lon = _latlon(*start)
            lat, lon = _latlon(*here)
            r = float(geo.haversine_m(c_lat, c_lon, lat, lon))
            self._draft = CircleFence(c_lat, c_lon, r) if r >= 1.0 else None
        else:
            (lat0, lon0), (lat1, lon1) = _latlon(*start), _latlon(*here)
            ok = abs(lat1 - lat0) > 1e-7 and abs(lon1 - lon0) > 1e-7
            self._draft = RectFence(min(lat0, lat1), min(lon0, lon1), max(lat0, lat1), max(lon0, lon1)) if ok else None
        self._refresh()
        if self._draft is not None:
            self.fence_previewed.emit(self._draft)
        if ev.isFinish():
            draft, self._draft, self._edit_handle = self._draft, None, None
            if draft is not None:
                if self.mode in ("circle", "rectangle"):
                    self.mode = "navigate"
                    self.mode_changed.emit(self.mode)
                self.set_fence(draft)
            else:
                self._refresh()
        return True

    def _edited(self, handle: int, here: tuple[float, float]) -> Fence | None:
        f = self.fence
        lat, lon = _latlon(*here)
        try:
            if isinstance(f, CircleFence):
                if handle == 0:
                    return CircleFence(lat, lon, f.radius_m)
                return CircleFence(f.center_lat, f.center_lon,
                                   max(1.0, float(geo.haversine_m(f.center_lat, f.center_lon, lat, lon))))
            if isinstance(f, RectFence):
                opposite = f.ring()[(handle + 2) % 4]
                return RectFence(min(lat, opposite[0]), min(lon, opposite[1]), max(lat, opposite[0]),
                                 max(lon, opposite[1]))
            if isinstance(f, PolygonFence):
                ring = list(f.ring)
                ring[handle] = (lat, lon)
                return PolygonFence(tuple(ring))
        except ValueError:
            return self._draft  # a degenerate shape mid-drag: keep the last good one
        return None

    def click(self, ev: object) -> bool:
        """A click on the map; True when the polygon tool used it."""
        if self.mode != "polygon" or ev.button() != Qt.MouseButton.LeftButton:
            return False
        ev.accept()
        xy = self._view_xy(ev.pos())
        if ev.double():
            self.finish_polygon()
            return True
        if self._vertices:
            last = self.vb.mapFromView(QPointF(*self._vertices[-1]))
            if math.hypot(last.x() - ev.pos().x(), last.y() - ev.pos().y()) < 3:
                return True  # the same spot again: not a new vertex
        self._vertices.append(xy)
        self._refresh()
        return True

    def hover(self, x: float, y: float) -> None:
        if self.mode == "polygon" and self._vertices:
            self._hover = (x, y)
            self._refresh()

    def key(self, key: int) -> bool:
        if key in CANCEL_KEYS:
            if self.drawing or self.mode != "navigate":
                self._draft = None
                self.set_mode("navigate")
                return True
            return False
        if key in CLOSE_KEYS and self.mode == "polygon":
            self.finish_polygon()
            return True
        if key in UNDO_VERTEX_KEYS and self.mode == "polygon" and self._vertices:
            self._vertices.pop()
            self._refresh()
            return True
        return False

    def finish_polygon(self) -> None:
        vertices, self._vertices, self._hover = self._vertices, [], None
        try:
            fence = PolygonFence(tuple(_latlon(x, y) for x, y in vertices))
        except ValueError:
            fence = None  # fewer than three distinct vertices: nothing to close
        self.mode = "navigate"
        self.mode_changed.emit(self.mode)
        if fence is not None:
            self.set_fence(fence)
        else:
            self._refresh()

    # --- drawing -------------------------------------------------------------------------------------------------
    def _refresh(self) -> None:
        if self._vertices:
            pts = list(self._vertices) + ([self._hover] if self._hover else [])
            outline = (np.array([p[0] for p in pts]), np.array([p[1] for p in pts]))
            self.item.show_shape(outline, False, list(self._vertices))
            return
        shown = self._draft or self.fence
        if shown is None:
            self.item.show_shape(None, True, [])
        else:
            self.item.show_shape(fence_outline_xy(shown), True, fence_handles(shown))
