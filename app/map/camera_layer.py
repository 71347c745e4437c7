"""The camera layer at 1,000,000-camera scale.

Per frame it decides, from the density pyramid, how many cameras are in view:
- many → a density image (a pyramid level cut to the view, or the visible points binned at screen resolution
  when zoomed in past the pyramid's base) drawn with one drawImage;
- few (≤ POINTS_MAX) → the points themselves, coloured by kind, hollow when the owner opted out, one
  drawPoints call per kind;
- very few and close (street zoom) → field-of-view wedges under the points, all in one path.
Selected cameras are highlighted in every mode. What to draw is recomputed only when the view or the data
changes; repaints of an unchanged view reuse it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter

from app.core.camera_arrays import CameraArrays
from app.core.fence import PointIndex
from app.map import painting
from app.map.layer_base import MapLayer, ViewState
from app.map.lod import DensityPyramid, bin_points, colour_index, colour_table

POINTS_MAX = 40_000           # above this many cameras in view, draw the density image
WEDGES_MAX = 3_000            # field-of-view wedges only when at most this many are in view…
WEDGES_FILLED_MAX = 250       # …and filled only when fewer than this (filling is what costs: ~20 ms for 600)
WEDGE_GROUND_M_PER_PX = 1.5   # …and at street zoom (≤ 1.5 ground metres per pixel)
SELECTION_DRAW_MAX = 200_000  # more selected cameras in view than this: draw every n-th (density zoom only)


@dataclass
class CameraData:
    """Everything the layer draws from, built off the GUI thread (build_camera_data).

    The map keeps no copy of the registry's columns: kind, consent, ids and coordinates are read from `arrays`
    through the index's x order when needed (only ever for the few points in view or in a fence).
    """

    arrays: CameraArrays
    index: PointIndex
    pyramid: DensityPyramid


def camera_data_nbytes(data: CameraData) -> int:
    """Memory of the map's own data (index, pyramid), not the arrays it reads from."""
    return data.index.nbytes() + data.pyramid.nbytes()


def build_camera_data(arrays: CameraArrays) -> CameraData:
    index = PointIndex.build(arrays.ids, arrays.lat, arrays.lon)
    return CameraData(arrays, index, DensityPyramid(index.x, index.y, offset=(index.origin_x, index.origin_y)))


class CameraLayer(MapLayer):
    key = "cameras"
    title = "Cameras"
    tip = "Registered cameras: density when zoomed out, points by kind when zoomed in, view wedges at street zoom"

    def __init__(self) -> None:
        super().__init__()
        self.data: CameraData | None = None
        self.selected_pos = np.empty(0, np.int64)  # index positions of the selected cameras, ascending
        self._frame_key: tuple | None = None
        self.mode = "empty"                          # last frame: empty | density | points
        self.visible = np.empty(0, np.int64)         # points mode: index positions in view
        self._image: QImage | None = None
        self._image_rect = (0.0, 0.0, 0.0, 0.0)
        self._lut = painting.density_lut()
        self._level_luts: dict[tuple[int, int], np.ndarray] = {}  # (id(pyramid), level) → count → ARGB
        self.highlight_id: int | None = None         # the camera whose details are shown
        self._highlight_pos: tuple[tuple[int, int], np.ndarray] | None = None

    # --- data --------------------------------------------------------------------------------------------------
    def set_data(self, data: CameraData | None) -> None:
        self.data = data
        self.selected_pos = np.empty(0, np.int64)
        self._level_luts.clear()
        self._highlight_pos = None
        self._frame_key = None
        self.update()

    def set_selected_ids(self, ids: np.ndarray) -> None:
        if self.data is None or len(ids) == 0:
            self.selected_pos = np.empty(0, np.int64)
        else:
            rows = self.data.arrays.positions_of(ids)
            self.selected_pos = self.data.index.positions_of_rows(rows)
        self._frame_key = None
        self.update()

    def data_bounds(self) -> QRectF | None:
        if self.data is None or len(self.data.index) == 0:
            return None
        extent = self.data.index.extent
        if extent is None:
            return None
        x0, y0, x1, y1 = extent
        return QRectF(x0, y0, x1 - x0, y1 - y0)

    def camera_at(self, x: float, y: float, radius_m: float) -> int | None:
        """Id of the camera nearest to a Mercator point within radius_m (map metres), or None."""
        if self.data is None:
            return None
        idx = self.data.index
        pos = idx.in_rect_xy(x - radius_m, y - radius_m, x + radius_m, y + radius_m)
        if pos.size == 0:
            return None
        px, py = idx.xy(pos)
        d2 = (px - x) ** 2 + (py - y) ** 2
        best = int(np.argmin(d2))
        return int(idx.ids_at(pos[best])) if d2[best] <= radius_m * radius_m else None

    # --- deciding what to draw -----------------------------------------------------------------------------------
    def _prepare(self, vs: ViewState) -> None:
        key = (vs, id(self.data))
        if key == self._frame_key:
            return
        self._frame_key = key
        self._image = None
        self.visible = np.empty(0, np.int64)
        data = self.data
        if data is None or len(data.index) == 0:
            self.mode = "empty"
            return
        estimate = data.pyramid.count_in(vs.x0, vs.y0, vs.x1, vs.y1)
        pos = None
        if estimate <= POINTS_MAX * 4:
            pos = data.index.in_rect_xy(vs.x0, vs.y0, vs.x1, vs.y1)
            if pos.size <= POINTS_MAX:
                self.mode = "points"
                self.visible = pos
                return
        self.mode = "density"
        level = data.pyramid.level_for(vs.m_per_px)
        if level is not None:
            win = data.pyramid.window(level, vs.x0, vs.y0, vs.x1, vs.y1)
            if win.counts.size == 0:
                return
            lut = self._level_lut(level)
            # count → premultiplied ARGB in one lookup (a table per level); image rows run north → south.
            counts = win.counts[::-1]
            argb = lut[counts] if lut is not None else self._lut[colour_index(counts, win.max_count)]
            self._set_image(argb, (win.x0, win.y0, win.x1, win.y1))
            return
        # Zoomed in past the pyramid's base: bin what is visible at half screen resolution.
        if pos is None:
            pos = data.index.in_rect_xy(vs.x0, vs.y0, vs.x1, vs.y1)
        nx, ny = max(vs.width_px // 2, 1), max(vs.height_px // 2, 1)
        px, py = data.index.xy(pos)
        counts = bin_points(px, py, vs.x0, vs.y0, vs.x1, vs.y1, nx, ny)
        rect = (vs.x0, vs.y0, vs.x1, vs.y1)
        # Keep colours comparable with the pyramid: scale the base level's max to the finer cells.
        base_cell = data.pyramid.cell_m(0)
        max_count = max(1, int(data.pyramid.level_max[0] * ((rect[2] - rect[0]) / nx / base_cell) ** 2))
        colours = colour_index(counts, max_count)
        if colours.size == 0:
            return
        # Palette lookup in numpy straight to premultiplied ARGB: the format QPainter draws fastest.
        self._set_image(self._lut[colours[::-1]], rect)  # image rows run north → south

    def _set_image(self, argb: np.ndarray, rect: tuple[float, float, float, float]) -> None:
        argb = np.ascontiguousarray(argb)
        h, w = argb.shape
        image = QImage(argb.data, w, h, 4 * w, QImage.Format.Format_ARGB32_Premultiplied)
        self._image = image.copy()  # own the pixels: the numpy buffer goes away
        self._image_rect = rect

    def _level_lut(self, level: int) -> np.ndarray | None:
        """count → ARGB for a pyramid level (at most 65,536 entries); None for a level with larger counts."""
        data = self.data
        assert data is not None
        key = (id(data.pyramid), level)
        if key not in self._level_luts:
            top = data.pyramid.level_max[level]
            if top > np.iinfo(np.uint16).max:
                return None
            self._level_luts[key] = self._lut[colour_table(top)]
        return self._level_luts[key]

    # --- painting ------------------------------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        vs = self.view_state()
        if vs is None or vs.width_px <= 0:
            return
        self._prepare(vs)
        t = painter.transform()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        if self.mode == "density" and self._image is not None:
            x0, y0, x1, y1 = self._image_rect
            (px0, px1), (py0, py1) = painting.to_device(t, np.array([x0, x1]), np.array([y0, y1]))
            target = QRectF(min(px0, px1), min(py0, py1), abs(px1 - px0), abs(py1 - py0))
            painter.drawImage(target, self._image)
            self._paint_selection(painter, t, vs, sparse=True)
        elif self.mode == "points":
            self._paint_points(painter, t, vs)

    def _paint_points(self, painter: QPainter, t: object, vs: ViewState) -> None:
        data = self.data
        assert data is not None
        pos = self.visible
        if pos.size == 0:
            return
        px, py = painting.to_device(t, *data.index.xy(pos))
        size = 7.0 if pos.size <= 2_000 else 5.0 if pos.size <= 10_000 else 3.0
        if pos.size <= WEDGES_MAX and vs.ground_m_per_px <= WEDGE_GROUND_M_PER_PX:
            self._paint_wedges(painter, t, pos)
        self._paint_selection(painter, t, vs, sparse=False, size=size)
        rows = data.index.rows(pos)
        kinds = data.arrays.kind[rows]
        hollow = data.arrays.opted_out[rows]
        for code, colour in enumerate(painting.KIND_QCOLOURS):
            m = kinds == code
            if not m.any():
                continue
            painter.setPen(painting.pen(colour, size))
            painter.drawPoints(painting.polygon(px[m], py[m]))
            mh = m & hollow
            if mh.any() and size >= 5:
                painter.setPen(painting.pen(painting.MAP_BACKGROUND, size - 3))
                painter.drawPoints(painting.polygon(px[mh], py[mh]))
        if self.highlight_id is not None:
            p = self._highlight_positions()
            if p.size:
                hx, hy = painting.to_device(t, *data.index.xy(p))
                painter.setPen(painting.pen("#202020", 1.5))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                r = size / 2 + 4
                painter.drawEllipse(QRectF(float(hx[0]) - r, float(hy[0]) - r, 2 * r, 2 * r))

    def _highlight_positions(self) -> np.ndarray:
        """Index position of the highlighted camera (cached: finding it scans the index once)."""
        data = self.data
        assert data is not None and self.highlight_id is not None
        key = (self.highlight_id, id(data))
        if self._highlight_pos is None or self._highlight_pos[0] != key:
            row = data.arrays.positions_of([self.highlight_id])
            self._highlight_pos = (key, np.flatnonzero(data.index.order == row[0]) if row.size else row)
        return self._highlight_pos[1]

    def _paint_selection(self, painter: QPainter, t: object, vs: ViewState, sparse: bool,
                         size: float = 3.0) -> None:
        data = self.data
        sel = self.selected_pos
        if data is None or sel.size == 0:
            return
        cand = data.index.within_rect(sel, vs.x0, vs.y0, vs.x1, vs.y1)  # sel ascending = in x order
        if cand.size == 0:
            return
        if sparse and cand.size > SELECTION_DRAW_MAX:
            cand = cand[:: math.ceil(cand.size / SELECTION_DRAW_MAX)]
        px, py = painting.to_device(t, *data.index.xy(cand))
        poly = painting.polygon(px, py)
        painter.setPen(painting.pen("#202020", size + 6))
        painter.drawPoints(poly)
        painter.setPen(painting.pen(painting.SELECTION_COLOUR, size + 4))
        painter.drawPoints(poly)

    def _paint_wedges(self, painter: QPainter, t: object, pos: np.ndarray) -> None:
        data = self.data
        assert data is not None
        rows = data.index.rows(pos)
        a = data.arrays
        heading = a.heading_deg[rows].astype(np.float64)
        fov = np.minimum(a.fov_deg[rows].astype(np.float64), 360.0)
        rng = a.range_m[rows].astype(np.float64)
        ok = np.isfinite(heading) & np.isfinite(fov) & np.isfinite(rng)
        if not ok.any():
            return
        pos, heading, fov, rng = pos[ok], heading[ok], fov[ok], rng[ok]
        steps = 24  # arc points per wedge (a 360° city camera becomes a 24-gon)
        frac = np.linspace(0.0, 1.0, steps)
        ang = np.radians(heading[:, None] - fov[:, None] / 2 + fov[:, None] * frac[None, :])
        # Ground metres → Mercator metres at each camera's latitude (scale 1/cos φ).
        k = 1.0 / np.cos(np.radians(data.index.lat_lon(pos)[0]))
        r = (rng * k)[:, None]
        cx, cy = data.index.xy(pos)
        cx, cy = cx[:, None], cy[:, None]
        gap = np.full_like(cx, np.nan)  # NaN between wedges: each is its own closed figure in the one path
        xs = np.concatenate([cx, cx + r * np.sin(ang), cx, gap], axis=1)
        ys = np.concatenate([cy, cy + r * np.cos(ang), cy, gap], axis=1)
        px, py = painting.to_device(t, xs.ravel(), ys.ravel())
        wedge_path = painting.path(px, py, "finite")
        wedge_path.setFillRule(Qt.FillRule.WindingFill)  # overlapping wedges stay filled
        if pos.size <= WEDGES_FILLED_MAX:
            painter.fillPath(wedge_path, QBrush(QColor(255, 140, 0, 45)))
        painter.strokePath(wedge_path, painting.pen(QColor(90, 60, 20, 130), 1.0))
