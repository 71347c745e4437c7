"""The map canvas: a pyqtgraph view in Web Mercator metres (aspect locked, north up), with keyboard navigation,
a scale bar in true ground distance, the cursor position, and the fence tool's mouse input."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from app.core import geo
from app.map import painting
from app.map.layer_base import MapLayer

PAN_FRACTION = 0.2
ZOOM_STEP = 1.25
# The map's own keys; keyPressEvent reads these and Help ▸ Keyboard Shortcuts lists KEY_HELP.
PAN_KEYS = {Qt.Key.Key_Left: (-PAN_FRACTION, 0), Qt.Key.Key_Right: (PAN_FRACTION, 0),
            Qt.Key.Key_Up: (0, PAN_FRACTION), Qt.Key.Key_Down: (0, -PAN_FRACTION)}
ZOOM_IN_KEYS = (Qt.Key.Key_Plus, Qt.Key.Key_Equal)
ZOOM_OUT_KEYS = (Qt.Key.Key_Minus, Qt.Key.Key_Underscore)
FIT_KEYS = (Qt.Key.Key_Home,)
KEY_HELP: tuple[tuple[str, tuple[Qt.Key, ...]], ...] = (
    ("Pan", tuple(PAN_KEYS)), ("Zoom in", ZOOM_IN_KEYS[:1]), ("Zoom out", ZOOM_OUT_KEYS[:1]),
    ("Fit all the data", FIT_KEYS))
MIN_SPAN_M = 40.0          # closest zoom: about 40 m across
DEFAULT_RECT = QRectF(-geo.MERCATOR_HALF_WORLD_M, -geo.MERCATOR_HALF_WORLD_M * 0.6,
                      2 * geo.MERCATOR_HALF_WORLD_M, 1.6 * geo.MERCATOR_HALF_WORLD_M)


class MapViewBox(pg.ViewBox):
    """A ViewBox whose drags and clicks go to the fence tool first (pan and wheel zoom otherwise)."""

    camera_clicked = Signal(float, float)  # Mercator x, y of a plain left click

    def __init__(self) -> None:
        super().__init__(lockAspect=True, enableMenu=False, invertY=False, defaultPadding=0.02)
        self.controller = None
        self.setLimits(minXRange=MIN_SPAN_M, minYRange=MIN_SPAN_M, xMin=-geo.MERCATOR_HALF_WORLD_M * 1.5,
                       xMax=geo.MERCATOR_HALF_WORLD_M * 1.5, yMin=-geo.MERCATOR_HALF_WORLD_M * 1.5,
                       yMax=geo.MERCATOR_HALF_WORLD_M * 1.5)
        self.disableAutoRange()

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802, ANN001 - pyqtgraph override
        if self.controller is not None and self.controller.drag(ev):
            return
        if ev.button() == Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)
        else:
            ev.ignore()

    def mouseClickEvent(self, ev) -> None:  # noqa: N802, ANN001 - pyqtgraph override
        if self.controller is not None and self.controller.click(ev):
            return
        if ev.button() == Qt.MouseButton.LeftButton and not ev.double():
            ev.accept()
            p = self.mapToView(ev.pos())
            self.camera_clicked.emit(float(p.x()), float(p.y()))


class ScaleBar(QWidget):
    """Metres above, feet/miles below; lengths are true ground distance at the view's centre latitude."""

    def __init__(self, canvas: MapCanvas) -> None:
        super().__init__(canvas)
        self.canvas = canvas
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setToolTip("Scale: ground distance at the centre of the view")
        self.resize(170, 42)
        self.metric_bar = self.imperial_bar = ("", 0.0)

    @staticmethod
    def nice(length: float) -> float:
        """The largest 1, 2 or 5 × 10ⁿ not above length."""
        if length <= 0:
            return 0.0
        e = math.floor(math.log10(length))
        for m in (5, 2, 1):
            if m * 10 ** e <= length:
                return m * 10 ** e
        return 10 ** e

    def recompute(self) -> None:
        m_per_px = self.canvas.ground_m_per_px()
        if not m_per_px or not math.isfinite(m_per_px):
            return
        max_px = 140
        m = self.nice(max_px * m_per_px)
        self.metric_bar = (f"{m / 1000:g} km" if m >= 1000 else f"{m:g} m", m / m_per_px)
        ft = max_px * m_per_px / geo.M_PER_FT
        if ft >= 5280:
            mi = self.nice(ft / 5280)
            self.imperial_bar = (f"{mi:g} mi", mi * geo.M_PER_MI / m_per_px)
        else:
            f = self.nice(ft)
            self.imperial_bar = (f"{f:g} ft", f * geo.M_PER_FT / m_per_px)
        self.resize(int(max(self.metric_bar[1], self.imperial_bar[1])) + 70, 42)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setPen(QColor("#202020"))
        p.fillRect(QRectF(0, 0, self.width(), self.height()), QColor(255, 255, 255, 170))
        for i, (label, px) in enumerate((self.metric_bar, self.imperial_bar)):
            y = 14 + i * 20
            p.drawLine(QPointF(4, y), QPointF(4 + px, y))
            p.drawLine(QPointF(4, y - 4), QPointF(4, y + 4))
            p.drawLine(QPointF(4 + px, y - 4), QPointF(4 + px, y + 4))
            p.drawText(QPointF(8 + px, y + 4), label)
        p.end()


class MapCanvas(pg.GraphicsView):
    cursor_moved = Signal(float, float)  # lat, lon
    view_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, useOpenGL=False, background=painting.MAP_BACKGROUND)
        self.setAntialiasing(False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("")
        self.vb = MapViewBox()
        self.setCentralItem(self.vb)
        self.layers: list[MapLayer] = []
        self.scale_bar = ScaleBar(self)
        self.attribution = QLabel(self)
        self.attribution.setObjectName("map_attribution")
        self.attribution.setStyleSheet("background: rgba(255,255,255,190); color: #333; padding: 1px 4px;")
        self.attribution.setOpenExternalLinks(True)
        self.attribution.hide()
        self.vb.sigRangeChanged.connect(self._range_changed)
        self.scene().sigMouseMoved.connect(self._mouse_moved)
        self.vb.setRange(DEFAULT_RECT, padding=0)

    # --- layers -------------------------------------------------------------------------------------------------
    def add_layer(self, layer: MapLayer) -> None:
        self.layers.append(layer)
        self.vb.addItem(layer, ignoreBounds=True)

    def data_rect(self) -> QRectF | None:
        rect = None
        for layer in self.layers:
            b = layer.data_bounds() if layer.isVisible() else None
            if b is not None:
                rect = b if rect is None else rect.united(b)
        return rect

    def close(self) -> bool:
        # pyqtgraph's close() clears the scene and drops the viewport while Qt may still deliver events to them
        # (it crashed here under pytest-qt); a plain close is enough, Qt deletes the items with the view.
        for layer in self.layers:
            if hasattr(layer, "shutdown"):
                layer.shutdown()
        return QWidget.close(self)

    # --- navigation ----------------------------------------------------------------------------------------------
    def fit_all(self) -> None:
        rect = self.data_rect()
        if rect is None:
            self.vb.setRange(DEFAULT_RECT, padding=0)
            return
        if rect.width() < MIN_SPAN_M or rect.height() < MIN_SPAN_M:
            c = rect.center()
            rect = QRectF(c.x() - 250, c.y() - 250, 500, 500)
        self.vb.setRange(rect, padding=0.05)

    def pan(self, fx: float, fy: float) -> None:
        (x0, x1), (y0, y1) = self.vb.viewRange()
        self.vb.translateBy(x=fx * (x1 - x0), y=fy * (y1 - y0))

    def zoom(self, factor: float) -> None:
        """factor > 1 zooms in, about the centre of the view."""
        self.vb.scaleBy((1 / factor, 1 / factor), center=self.vb.viewRect().center())

    def mouseDoubleClickEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt override
        ctrl = self.vb.controller
        if ctrl is not None and ctrl.mode == "polygon" and ev.button() == Qt.MouseButton.LeftButton:
            ctrl.finish_polygon()  # double-click closes the polygon
            ev.accept()
            return
        super().mouseDoubleClickEvent(ev)

    def keyPressEvent(self, ev: QKeyEvent) -> None:  # noqa: N802 - Qt override
        k = ev.key()
        ctrl = self.vb.controller
        if ctrl is not None and ctrl.key(k):
            ev.accept()
            return
        if k in PAN_KEYS:
            self.pan(*PAN_KEYS[k])
        elif k in ZOOM_IN_KEYS:
            self.zoom(ZOOM_STEP)
        elif k in ZOOM_OUT_KEYS:
            self.zoom(1 / ZOOM_STEP)
        elif k in FIT_KEYS:
            self.fit_all()
        else:
            super().keyPressEvent(ev)
            return
        ev.accept()

    # --- feedback ------------------------------------------------------------------------------------------------
    def ground_m_per_px(self) -> float:
        (x0, x1), (y0, y1) = self.vb.viewRange()
        w = max(self.vb.width(), 1.0)
        _, lat = geo.xy_to_lonlat(0.0, (y0 + y1) / 2)
        return (x1 - x0) / w * math.cos(math.radians(float(lat)))

    def _range_changed(self, *_: object) -> None:
        self.scale_bar.recompute()
        self.view_changed.emit()

    def _mouse_moved(self, scene_pos: QPointF) -> None:
        p = self.vb.mapSceneToView(scene_pos)
        lon, lat = geo.xy_to_lonlat(p.x(), p.y())
        if self.vb.controller is not None:
            self.vb.controller.hover(float(p.x()), float(p.y()))
        self.cursor_moved.emit(float(lat), float(lon))

    def resizeEvent(self, ev: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(ev)
        if not hasattr(self, "scale_bar"):
            return  # pyqtgraph resizes once inside its own __init__
        self.scale_bar.move(8, self.height() - self.scale_bar.height() - 8)
        self.place_attribution()
        self.scale_bar.recompute()

    def place_attribution(self) -> None:
        self.attribution.adjustSize()
        self.attribution.move(self.width() - self.attribution.width() - 2,
                              self.height() - self.attribution.height() - 2)
