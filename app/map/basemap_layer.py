"""The vector base map on the map: roads by class, railways, waterways, water, parks, buildings, street names.

Fast at any size: features are grouped into square chunks (by the centre of their bounding box); every (family,
class, level of detail, chunk) becomes one QPainterPath in chunk-local metres, built on first need and kept. A
frame draws only the chunks in view, of the classes shown at that zoom, at the coarsest level of detail that
still looks exact (vertices snapped to a grid finer than a pixel), so a country's 200,000 street segments cost a
few milliseconds per frame at every zoom. Road widths follow the ground width of the road, within per-class
minimum and maximum pixel widths. Street names are drawn along the longest segment of each named way at street
zoom, upright, without overlapping one another.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen

from app.core.basemap import AREA_KINDS, LINE_KINDS, ROAD_CLASSES, BaseMap, Features
from app.map import painting
from app.map.layer_base import MapLayer, ViewState


@dataclass(frozen=True)
class RoadStyle:
    fill: str
    casing: str
    width_m: float       # ground width of the carriageway
    min_px: float
    max_px: float
    max_m_per_px: float  # shown while the view is finer than this (ground metres per pixel)


ROAD_STYLES: dict[str, RoadStyle] = {
    "path": RoadStyle("#fa8072", "#fa8072", 2.0, 0.8, 3.0, 4.0),
    "service": RoadStyle("#ffffff", "#bbbbbb", 5.0, 0.8, 10.0, 6.0),
    "residential": RoadStyle("#ffffff", "#aaaaaa", 9.0, 1.0, 18.0, 25.0),
    "tertiary": RoadStyle("#ffffff", "#8f8f8f", 11.0, 1.0, 20.0, 60.0),
    "secondary": RoadStyle("#f7fabf", "#8d9a1a", 12.0, 1.2, 22.0, 150.0),
    "primary": RoadStyle("#fcd6a4", "#a06b00", 14.0, 1.4, 24.0, 600.0),
    "trunk": RoadStyle("#f9b29c", "#c84e2f", 16.0, 1.6, 26.0, 3000.0),
    "motorway": RoadStyle("#e892a2", "#dc2a67", 18.0, 1.8, 28.0, 1e9),
}
AREA_STYLES: dict[str, tuple[str, str, float]] = {  # fill, outline, max ground m/px
    "water": ("#aad3df", "#aad3df", 1e9),
    "park": ("#c8facc", "#a8d8a8", 120.0),
    "building": ("#d9d0c9", "#c4b6ab", 3.0),
}
LINE_STYLES: dict[str, tuple[str, float, float, float]] = {  # colour, width m, min px, max ground m/px
    "railway": ("#707070", 3.0, 1.2, 200.0),
    "waterway": ("#aad3df", 8.0, 1.0, 120.0),
}
NAMES_MAX_M_PER_PX = 4.0
CASING_MAX_M_PER_PX = 1.0   # casings and antialiasing below this (street zoom)
UNCASED_WHITE = "#d3cec6"
MAX_LABELS = 160
REPEAT_M = 300.0
# Levels of detail: vertices snapped to a grid of LOD_TOLERANCES_M (level 0 keeps them all). A level is used
# while its grid is under half a pixel, so the view spans ~2,400-9,600 grids; chunks of 2,400 grids keep the
# chunks in view to a dozen or so at every zoom.
LOD_TOLERANCES_M = [0.0, 1.0, 4.0, 16.0, 64.0, 256.0, 1024.0, 4096.0, 16384.0]
PIECE_SEGMENTS = 16   # long lines are cut into pieces, so a chunk holds only what is near it
# Paths of the coarse levels (few, large chunks: country to city zoom) are all built in the background and kept;
# those of the fine levels (street and district zoom, where a view holds a dozen small chunks) are built when first
# seen and kept up to FINE_PATH_BUDGET vertices in all, least recently drawn dropped first (a country's full-detail
# paths at every fine level would cost ~250 bytes per segment).
PREBUILD_FROM_LEVEL = 3
PREBUILD_SLICE_S = 0.004
FINE_PATH_BUDGET = 1_000_000
BASE_Z = -100.0


def _level_for(m_per_px: float) -> int:
    """The coarsest level whose grid is under half a pixel."""
    level = 0
    for k, tol in enumerate(LOD_TOLERANCES_M):
        if tol <= 0.5 * m_per_px:
            level = k
    return level


def chunk_m(level: int) -> float:
    return 2400.0 * max(LOD_TOLERANCES_M[level], 0.25)


def pen_width(px: float) -> float:
    """Widths under 1.5 px become Qt's 1-px cosmetic line (its fast path: 1.2-px strokes cost 5x as much and look
    the same); wider ones are rounded to whole pixels."""
    return 0.0 if px < 1.5 else float(round(px))


def split_lines(f: Features, max_segments: int = PIECE_SEGMENTS) -> Features:
    """The same lines cut into pieces of at most max_segments segments (pieces share their end vertices)."""
    n = len(f)
    if n == 0:
        return f
    segs = np.diff(f.start) - 1
    pieces = np.maximum(1, -(-segs // max_segments))
    if int(pieces.max()) == 1:
        return f
    feat = np.repeat(np.arange(n), pieces)
    k = np.arange(feat.size) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    a = f.start[feat] + k * max_segments
    b = np.minimum(a + max_segments, f.start[feat + 1] - 1)
    lengths = b - a + 1
    starts = np.zeros(feat.size + 1, np.int64)
    np.cumsum(lengths, out=starts[1:])
    idx = np.repeat(a - starts[:-1], lengths) + np.arange(int(starts[-1]))
    return Features(f.x[idx], f.y[idx], starts, f.code[feat], f.name[feat])


class _Family:
    """One Features family; per level of detail, its features cut into square chunks per class (by the centre of
    their bounding box). Paths are built lazily per (class, level, chunk)."""

    def __init__(self, f: Features, closed: bool) -> None:
        self.f = f if closed else split_lines(f)
        self.closed = closed
        f = self.f
        if len(f):
            starts = f.start[:-1]
            self.bx0 = np.minimum.reduceat(f.x, starts)
            self.bx1 = np.maximum.reduceat(f.x, starts)
            self.by0 = np.minimum.reduceat(f.y, starts)
            self.by1 = np.maximum.reduceat(f.y, starts)
        else:
            self.bx0 = self.bx1 = self.by0 = self.by1 = np.empty(0)
        self._chunks: dict[int, dict[int, list[tuple[np.ndarray, tuple[float, float, float, float]]]]] = {}
        self.paths: dict[tuple[int, int, int], tuple[QPainterPath, float, float]] = {}
        self.fine: OrderedDict[tuple[int, int, int], tuple[QPainterPath, float, float]] = OrderedDict()
        self.fine_vertices = 0

    def chunks(self, level: int) -> dict[int, list[tuple[np.ndarray, tuple[float, float, float, float]]]]:
        hit = self._chunks.get(level)
        if hit is not None:
            return hit
        n = len(self.f)
        size = chunk_m(level)
        tol = LOD_TOLERANCES_M[level]
        keep = np.arange(n)
        if tol > 0 and n:  # features smaller than the grid vanish at this level
            extent = np.maximum(self.bx1 - self.bx0, self.by1 - self.by0)
            keep = keep[extent >= tol] if self.closed else keep
        cx = np.floor((self.bx0[keep] + self.bx1[keep]) / 2 / size).astype(np.int64)
        cy = np.floor((self.by0[keep] + self.by1[keep]) / 2 / size).astype(np.int64)
        key = (self.f.code[keep].astype(np.int64) << 48) + ((cx + (1 << 23)) << 24) + (cy + (1 << 23))
        order = np.argsort(key, kind="stable")
        uniq, first = np.unique(key[order], return_index=True)
        bounds = np.append(first, keep.size)
        out: dict[int, list[tuple[np.ndarray, tuple[float, float, float, float]]]] = {}
        for k, u in enumerate(uniq.tolist()):
            members = keep[order[bounds[k]:bounds[k + 1]]]
            box = (float(self.bx0[members].min()), float(self.by0[members].min()), float(self.bx1[members].max()),
                   float(self.by1[members].max()))
            out.setdefault(int(u >> 48), []).append((members, box))
        self._chunks[level] = out
        return out

    def path(self, code: int, level: int, k: int) -> tuple[QPainterPath, float, float]:
        key = (code, level, k)
        if level >= PREBUILD_FROM_LEVEL:
            hit = self.paths.get(key)
            if hit is None:
                members, box = self.chunks(level)[code][k]
                hit = self.paths[key] = self._build(members, box, level)
            return hit
        hit = self.fine.get(key)
        if hit is not None:
            self.fine.move_to_end(key)
            return hit
        members, box = self.chunks(level)[code][k]
        hit = self.fine[key] = self._build(members, box, level)
        self.fine_vertices += hit[0].elementCount()
        while self.fine_vertices > FINE_PATH_BUDGET and len(self.fine) > 1:
            _, old = self.fine.popitem(last=False)
            self.fine_vertices -= old[0].elementCount()
        return hit

    def _build(self, members: np.ndarray, box: tuple[float, float, float, float],
               level: int) -> tuple[QPainterPath, float, float]:
        f = self.f
        ox, oy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        tol = LOD_TOLERANCES_M[level]
        if members.size == 0:
            return QPainterPath(), ox, oy
        a, b = f.start[members], f.start[members + 1]
        lengths = b - a
        offsets = np.cumsum(lengths) - lengths
        idx = np.repeat(a - offsets, lengths) + np.arange(int(lengths.sum()))
        x, y = f.x[idx] - ox, f.y[idx] - oy
        first = np.zeros(idx.size, bool)
        first[offsets] = True
        if tol > 0:
            last = np.roll(first, -1)
            qx, qy = np.round(x / tol), np.round(y / tol)
            moved = np.ones(idx.size, bool)
            moved[1:] = (qx[1:] != qx[:-1]) | (qy[1:] != qy[:-1])
            keep = first | last | moved
            ends = (first | last)[keep]
            x = np.where(ends, x[keep], qx[keep] * tol)
            y = np.where(ends, y[keep], qy[keep] * tol)
            first = first[keep]
        connect = np.ones(x.size, np.int32)
        connect[np.flatnonzero(first)[1:] - 1] = 0  # no line from one feature's last vertex to the next's first
        connect[-1] = 0
        p = painting.path(x, y, connect)
        if self.closed:
            p.setFillRule(Qt.FillRule.OddEvenFill)
        return p, ox, oy

    def visible(self, code: int, level: int, vs: ViewState) -> list[int]:
        out = []
        for k, (_, (x0, y0, x1, y1)) in enumerate(self.chunks(level).get(code, ())):
            if x1 >= vs.x0 and x0 <= vs.x1 and y1 >= vs.y0 and y0 <= vs.y1:
                out.append(k)
        return out


class BaseMapLayer(MapLayer):
    key = "basemap"
    title = "Base map (streets)"
    tip = "Streets, water, parks and buildings of the store's base map (File ▸ Add Base Map…)"

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(BASE_Z)
        self.basemap: BaseMap | None = None
        self._roads = self._lines = self._areas = None
        self._labels = np.empty((0, 5))
        self._label_paths: dict[int, tuple[QPainterPath, float]] = {}
        self._pending: Iterator[None] | None = None
        self._prebuild_timer = QTimer(self)
        self._prebuild_timer.setSingleShot(True)
        self._prebuild_timer.setInterval(0)
        self._prebuild_timer.timeout.connect(self._prebuild_slice)
        self.frame_stats: dict[str, int] = {}
        self._font = QFont()
        self._font.setPointSizeF(8.0)
        self._metrics = QFontMetricsF(self._font)

    def set_basemap(self, bm: BaseMap | None, prebuild: bool = True) -> None:
        """Show a base map (None: none). With prebuild, the coarse levels' paths (coarsest first) are built in
        slices of PREBUILD_SLICE_S between frames, so zooming out over a new area does not stall a frame; a path the
        painter needs before then is built on the spot, as without it."""
        self.shutdown()
        self.basemap = bm
        if bm is None:
            self._roads = self._lines = self._areas = None
            self._labels = np.empty((0, 5))
        else:
            self._roads = _Family(bm.roads, False)
            self._lines = _Family(bm.lines, False)
            self._areas = _Family(bm.areas, True)
            self._labels = _label_anchors(bm.roads)
            if prebuild:
                self._pending = self._prebuild_steps()
                self._prebuild_timer.start()
        self._label_paths = {}
        self.update()

    def _prebuild_steps(self) -> Iterator[None]:
        families = [f for f in (self._areas, self._lines, self._roads) if f is not None]
        for level in range(len(LOD_TOLERANCES_M) - 1, PREBUILD_FROM_LEVEL - 1, -1):
            for family in families:
                for code, chunks in list(family.chunks(level).items()):
                    if self._shown_limit(family, code) < LOD_TOLERANCES_M[level]:
                        continue  # never drawn at this level (residential streets at country zoom)
                    for k in range(len(chunks)):
                        family.path(code, level, k)
                        yield

    def _shown_limit(self, family: _Family, code: int) -> float:
        """The coarsest ground m/px at which a class is drawn (a level's grid is at least half its m/px, and
        ground m/px is at least half the Mercator one up to 60° of latitude)."""
        if family is self._roads:
            return ROAD_STYLES[ROAD_CLASSES[code]].max_m_per_px
        if family is self._lines:
            return LINE_STYLES[LINE_KINDS[code]][3]
        return AREA_STYLES[AREA_KINDS[code]][2]

    def _prebuild_slice(self) -> None:
        if self._pending is None:
            return
        until = time.perf_counter() + PREBUILD_SLICE_S
        for _ in self._pending:
            if time.perf_counter() > until:
                self._prebuild_timer.start()
                return
        self._pending = None

    @property
    def prebuilding(self) -> bool:
        return self._pending is not None

    def finish_prebuild(self) -> None:
        """Build what is left at once (benchmarks and tests)."""
        if self._pending is not None:
            for _ in self._pending:
                pass
            self._pending = None

    def shutdown(self) -> None:
        self._prebuild_timer.stop()
        self._pending = None

    def data_bounds(self) -> QRectF | None:
        """The streets' extent (the sea or a lake around them does not widen Home)."""
        if self.basemap is None:
            return None
        b = self.basemap.roads.bounds() or self.basemap.bounds()
        if b is None:
            return None
        return QRectF(b[0], b[1], b[2] - b[0], b[3] - b[1])

    # --- painting ------------------------------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        vs = self.view_state()
        if self.basemap is None or vs is None or vs.width_px <= 0:
            return
        ground = vs.ground_m_per_px
        level = _level_for(vs.m_per_px)

        t = painter.transform()
        stats = {"paths": 0}
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, ground < CASING_MAX_M_PER_PX)

        def draw(family: _Family, code: int, pen: QPen | None, brush: QBrush | None) -> None:
            for k in family.visible(code, level, vs):
                path, ox, oy = family.path(code, level, k)
                if path.isEmpty():
                    continue
                painter.setTransform(t)
                painter.translate(ox, oy)
                painter.setPen(pen if pen is not None else Qt.PenStyle.NoPen)
                painter.setBrush(brush if brush is not None else Qt.BrushStyle.NoBrush)
                painter.drawPath(path)
                stats["paths"] += 1

        for i, kind in enumerate(AREA_KINDS):
            fill, outline, limit = AREA_STYLES[kind]
            if ground <= limit:
                draw(self._areas, i, painting.pen(outline, 1.0, "flat") if ground < 2.0 else None,
                     QBrush(QColor(fill)))
        for i, kind in enumerate(LINE_KINDS):
            colour, width_m, min_px, limit = LINE_STYLES[kind]
            if ground <= limit:
                draw(self._lines, i, painting.pen(colour, pen_width(max(min_px, min(width_m / ground, 12.0)))), None)
        shown = [(i, ROAD_STYLES[c]) for i, c in enumerate(ROAD_CLASSES) if ground <= ROAD_STYLES[c].max_m_per_px]
        widths = {i: max(s.min_px, min(s.width_m / ground, s.max_px)) for i, s in shown}
        # Casings (a second, wider stroke) only at street zoom: at district zoom they doubled the frame's cost.
        cased = [(i, s) for i, s in shown
                 if widths[i] >= 3.0 and s.casing != s.fill and ground < CASING_MAX_M_PER_PX]
        for i, s in cased:
            draw(self._roads, i, painting.pen(s.casing, pen_width(widths[i] + 2.0)), None)
        for i, s in shown:
            if (i, s) in cased or s.fill != "#ffffff":
                colour = s.fill
            else:  # a white road without its casing would vanish on the land colour
                colour = UNCASED_WHITE if widths[i] >= 3.0 else s.casing
            draw(self._roads, i, painting.pen(colour, pen_width(widths[i])), None)
        painter.setTransform(t)
        if ground <= NAMES_MAX_M_PER_PX and self._labels.size:
            stats["labels"] = self._draw_labels(painter, t, vs)
        self.frame_stats = stats


    def _label_path(self, nid: int) -> tuple[QPainterPath, float]:
        hit = self._label_paths.get(nid)
        if hit is None:
            text = self.basemap.names[nid] if self.basemap is not None else ""
            width = self._metrics.horizontalAdvance(text)
            path = QPainterPath()
            path.addText(QPointF(-width / 2, self._metrics.ascent() / 2 - 1), self._font, text)
            hit = self._label_paths[nid] = (path, width)
        return hit

    def _draw_labels(self, painter: QPainter, t: object, vs: ViewState) -> int:
        lab = self._labels
        inview = (lab[:, 0] >= vs.x0) & (lab[:, 0] <= vs.x1) & (lab[:, 1] >= vs.y0) & (lab[:, 1] <= vs.y1)
        idx = np.flatnonzero(inview)
        if idx.size == 0:
            return 0
        idx = idx[np.argsort(-lab[idx, 3], kind="stable")][: MAX_LABELS * 8]  # longest segments first
        px, py = painting.to_device(t, lab[idx, 0], lab[idx, 1])
        ex, ey = painting.to_device(t, lab[idx, 0] + np.cos(lab[idx, 2]), lab[idx, 1] + np.sin(lab[idx, 2]))
        angles = np.degrees(np.arctan2(ey - py, ex - px))
        angles = np.where(angles > 90, angles - 180, np.where(angles < -90, angles + 180, angles))
        seg_px = lab[idx, 3] / vs.m_per_px
        painter.resetTransform()
        halo = QPen(QColor(255, 255, 255, 220), 3.0)
        halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        text_colour = QColor("#333333")
        taken: list[QRectF] = []
        last_of_name: dict[int, list[tuple[float, float]]] = {}
        drawn = 0
        for k in range(idx.size):
            nid = int(lab[idx[k], 4])
            path, width = self._label_path(nid)
            if width + 8 > seg_px[k]:
                continue
            x, y = float(px[k]), float(py[k])
            if any((x - ox) ** 2 + (y - oy) ** 2 < 350.0 ** 2 for ox, oy in last_of_name.get(nid, ())):
                continue  # the same name again, too close to where it is written already
            half = width / 2 + 2
            c, s = abs(math.cos(math.radians(angles[k]))), abs(math.sin(math.radians(angles[k])))
            w, h = half * c + 7 * s, half * s + 7 * c
            box = QRectF(x - w, y - h, 2 * w, 2 * h)
            if any(box.intersects(o) for o in taken):
                continue
            taken.append(box)
            last_of_name.setdefault(nid, []).append((x, y))
            painter.save()
            painter.translate(x, y)
            painter.rotate(float(angles[k]))
            painter.strokePath(path, halo)
            painter.fillPath(path, text_colour)
            painter.restore()
            drawn += 1
            if drawn >= MAX_LABELS:
                break
        return drawn


def _label_anchors(roads: Features, min_m: float = 30.0) -> np.ndarray:
    """(x, y, angle rad, length m, name id) at the middle of every named segment of at least min_m, and of the
    longest segment of each named road (so short ways get a place too); the painter picks among them."""
    n = len(roads)
    if n == 0 or roads.x.size < 2:
        return np.empty((0, 5))
    dx, dy = np.diff(roads.x), np.diff(roads.y)
    length = np.hypot(dx, dy)
    length[roads.start[1:-1] - 1] = -1.0  # pairs that join two features are no segments
    fov = roads.feature_of_vertex()[:-1]
    length = np.where(roads.name[fov] >= 0, length, -1.0)
    order = np.lexsort((-length, fov))
    _, first = np.unique(fov[order], return_index=True)
    longest = np.zeros(length.shape[0], bool)
    longest[order[first]] = True
    best = np.flatnonzero((length > 0) & (longest | (length >= min_m)))
    # A long segment (a straight avenue) gets a place every REPEAT_M, so its name shows wherever one looks at it.
    reps = np.maximum(1, (length[best] // REPEAT_M).astype(np.int64))
    seg = np.repeat(best, reps)
    k = np.arange(seg.size) - np.repeat(np.cumsum(reps) - reps, reps)
    t = (k + 0.5) / np.repeat(reps, reps)
    piece = length[seg] / np.repeat(reps, reps)
    return np.column_stack([roads.x[seg] + t * dx[seg], roads.y[seg] + t * dy[seg], np.arctan2(dy[seg], dx[seg]),
                            piece, roads.name[fov[seg]]])


def legend_entries() -> list[tuple[str, str, float]]:
    """(road class label, colour, legend line width px) for the layer panel's legend, major roads first."""
    from app.core.basemap import ROAD_CLASS_LABELS

    out = []
    for c in reversed(ROAD_CLASSES):
        s = ROAD_STYLES[c]
        out.append((ROAD_CLASS_LABELS[c], s.fill if s.fill != "#ffffff" else s.casing, max(2.0, s.min_px * 2)))
    return out


