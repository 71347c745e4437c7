"""Geo-fences (the area of a canvass): circle, rectangle, polygon. Pure Python + numpy + shapely, no Qt.

Semantics, decided once here:
- A circle holds the points whose haversine ground distance to its centre is <= radius_m (app.core.geo).
- A rectangle is bounded by two parallels and two meridians (south <= lat <= north, west <= lon <= east);
  it may not cross the antimeridian.
- A polygon's edges are straight lines *on the map* (Web Mercator), exactly as the user drew and sees them;
  containment is tested in Mercator metres with shapely's vectorised predicates.
- Points exactly on a boundary count as inside ("covers"), for all three shapes.
- Areas are true ground areas (app.core.geo: ellipsoidal equal-area for polygons/rectangles, the spherical cap
  of the haversine model for circles).

For 1,000,000 cameras use PointIndex + select_ids: the points are kept sorted by Mercator x, so a fence only
looks at the slice of points between its west and east edges (two binary searches), then filters that slice
by latitude, and runs the exact test on what is left.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon, shape

from app.core import geo

CIRCLE_SEGMENTS = 64  # the circle as a polygon (jurisdiction checks, drawing): a 64-gon on the ground


def _mask_in_box(lat: np.ndarray, lon: np.ndarray, south: float, west: float, north: float,
                 east: float) -> np.ndarray:
    return (lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)


@dataclass(frozen=True)
class CircleFence:
    center_lat: float
    center_lon: float
    radius_m: float

    kind = "circle"

    def __post_init__(self) -> None:
        if not (-90.0 <= self.center_lat <= 90.0 and -180.0 <= self.center_lon <= 180.0):
            raise ValueError(f"circle centre out of range: {self.center_lat}, {self.center_lon}")
        if not (self.radius_m > 0 and math.isfinite(self.radius_m)):
            raise ValueError(f"circle radius must be a positive number of metres, not {self.radius_m}")

    def area_m2(self) -> float:
        return geo.cap_area_m2(self.radius_m)

    def area_sq_mi(self) -> float:
        return geo.m2_to_sq_mi(self.area_m2())

    def bounds(self) -> tuple[float, float, float, float]:
        """(south, west, north, east) degrees, a box holding the whole circle."""
        return geo.degree_box(self.center_lat, self.center_lon, self.radius_m)

    def centroid(self) -> tuple[float, float]:
        return self.center_lat, self.center_lon

    def contains(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        lat = np.asarray(lat, dtype=np.float64)
        lon = np.asarray(lon, dtype=np.float64)
        mask = _mask_in_box(lat, lon, *self.bounds())
        idx = np.flatnonzero(mask)
        if idx.size:
            d = geo.haversine_m(self.center_lat, self.center_lon, lat[idx], lon[idx])
            mask[idx[d > self.radius_m]] = False
        return mask

    def ring(self, segments: int = CIRCLE_SEGMENTS) -> tuple[tuple[float, float], ...]:
        """Vertices (lat, lon) at the radius on the ground, clockwise from north."""
        bearings = np.arange(segments) * (360.0 / segments)
        lat, lon = geo.destination(self.center_lat, self.center_lon, bearings, self.radius_m)
        return tuple(zip(lat.tolist(), lon.tolist(), strict=True))

    def to_json(self) -> dict[str, Any]:
        return {"kind": "circle", "center": [self.center_lat, self.center_lon], "radius_m": self.radius_m}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CircleFence:
        lat, lon = data["center"]
        return cls(float(lat), float(lon), float(data["radius_m"]))

    @cached_property
    def geometry(self) -> Polygon:
        """The fence as a shapely polygon in lon/lat (the circle as a 64-gon on the ground)."""
        return Polygon([(lon, lat) for lat, lon in self.ring()])


@dataclass(frozen=True)
class RectFence:
    south: float
    west: float
    north: float
    east: float

    kind = "rectangle"

    def __post_init__(self) -> None:
        if not (-90.0 <= self.south < self.north <= 90.0):
            raise ValueError(f"rectangle needs -90 <= south < north <= 90, got {self.south}, {self.north}")
        if not (-180.0 <= self.west < self.east <= 180.0):
            raise ValueError(f"rectangle needs -180 <= west < east <= 180, got {self.west}, {self.east}")

    def area_m2(self) -> float:
        return geo.lat_lon_box_area_m2(self.south, self.west, self.north, self.east)

    def area_sq_mi(self) -> float:
        return geo.m2_to_sq_mi(self.area_m2())

    def bounds(self) -> tuple[float, float, float, float]:
        return self.south, self.west, self.north, self.east

    def centroid(self) -> tuple[float, float]:
        # Centre on the map (Mercator), which is what the user sees as the middle.
        x, y = geo.lonlat_to_xy([self.west, self.east], [self.south, self.north])
        lon, lat = geo.xy_to_lonlat(x.mean(), y.mean())
        return float(lat), float(lon)

    def contains(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        return _mask_in_box(np.asarray(lat, np.float64), np.asarray(lon, np.float64), *self.bounds())

    def ring(self) -> tuple[tuple[float, float], ...]:
        s, w, n, e = self.bounds()
        return (s, w), (s, e), (n, e), (n, w)

    def to_json(self) -> dict[str, Any]:
        return {"kind": "rectangle", "bounds": [self.south, self.west, self.north, self.east],
                "ring": [list(p) for p in self.ring()]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RectFence:
        s, w, n, e = data["bounds"]
        return cls(float(s), float(w), float(n), float(e))

    @cached_property
    def geometry(self) -> Polygon:
        return shapely.box(self.west, self.south, self.east, self.north)


@dataclass(frozen=True)
class PolygonFence:
    ring: tuple[tuple[float, float], ...]  # (lat, lon) vertices, not closed (first != last)

    kind = "polygon"

    def __post_init__(self) -> None:
        pts = [(float(a), float(b)) for a, b in self.ring]
        if len(pts) > 1 and pts[0] == pts[-1]:
            pts = pts[:-1]
        if len(set(pts)) < 3:
            raise ValueError("a polygon needs at least three distinct vertices")
        for lat, lon in pts:
            if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
                raise ValueError(f"polygon vertex out of range: {lat}, {lon}")
        object.__setattr__(self, "ring", tuple(pts))

    @property
    def lat(self) -> np.ndarray:
        return np.array([p[0] for p in self.ring])

    @property
    def lon(self) -> np.ndarray:
        return np.array([p[1] for p in self.ring])

    def area_m2(self) -> float:
        return geo.polygon_area_m2(self.lat, self.lon)

    def area_sq_mi(self) -> float:
        return geo.m2_to_sq_mi(self.area_m2())

    def bounds(self) -> tuple[float, float, float, float]:
        lat, lon = self.lat, self.lon
        return float(lat.min()), float(lon.min()), float(lat.max()), float(lon.max())

    def centroid(self) -> tuple[float, float]:
        c = self.mercator_geometry.centroid
        lon, lat = geo.xy_to_lonlat(c.x, c.y)
        return float(lat), float(lon)

    def is_simple(self) -> bool:
        """False when edges cross each other (a bow tie): area and containment are then meaningless."""
        return bool(self.mercator_geometry.is_valid)

    @cached_property
    def mercator_geometry(self) -> Polygon:
        x, y = geo.lonlat_to_xy(self.lon, self.lat)
        poly = Polygon(np.column_stack([x, y]))
        shapely.prepare(poly)
        return poly

    def contains(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        lat = np.asarray(lat, dtype=np.float64)
        lon = np.asarray(lon, dtype=np.float64)
        mask = _mask_in_box(lat, lon, *self.bounds())
        idx = np.flatnonzero(mask)
        if idx.size:
            x, y = geo.lonlat_to_xy(lon[idx], lat[idx])
            mask[idx] = self.contains_xy(x, y)
        return mask

    def contains_xy(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Containment of Web Mercator points (boundary counts as inside)."""
        return shapely.intersects_xy(self.mercator_geometry, x, y)

    def to_json(self) -> dict[str, Any]:
        return {"kind": "polygon", "ring": [list(p) for p in self.ring]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PolygonFence:
        return cls(tuple((float(a), float(b)) for a, b in data["ring"]))

    @cached_property
    def geometry(self) -> Polygon:
        return Polygon([(lon, lat) for lat, lon in self.ring])


Fence = CircleFence | RectFence | PolygonFence


def fence_from_json(data: dict[str, Any]) -> Fence:
    """Any fence from its to_json() dict ("rect" is accepted for "rectangle")."""
    kind = data.get("kind")
    if kind == "circle":
        return CircleFence.from_json(data)
    if kind in ("rectangle", "rect"):
        return RectFence.from_json(data)
    if kind == "polygon":
        return PolygonFence.from_json(data)
    raise ValueError(f"unknown fence kind: {kind!r}")


def fence_within(fence: Fence, geojson_polygon: dict[str, Any] | str) -> bool:
    """True when the whole fence lies inside a GeoJSON Polygon/MultiPolygon (lon/lat), e.g. a jurisdiction.

    Touching the boundary from inside counts as within (shapely 'covers').
    """
    if isinstance(geojson_polygon, str):
        import json
        geojson_polygon = json.loads(geojson_polygon)
    if geojson_polygon.get("type") == "Feature":
        geojson_polygon = geojson_polygon["geometry"]
    area = shape(geojson_polygon)
    if not area.is_valid:
        area = shapely.make_valid(area)
    return bool(area.covers(fence.geometry))


# --- fast selection over many points ---------------------------------------------------------------------------
_BUILD_CHUNK = 65_536  # points converted per step while building: keeps the build's temporaries small
_FAST_POLYGON_CANDIDATES_PER_EDGE = 250  # numpy edge loop beats shapely once candidates/edges exceed this


@dataclass
class PointIndex:
    """Points sorted by Web Mercator x (= by longitude), for fence queries and for drawing what is visible.

    Memory at 1M points is 12 MB: the x order (int32) and float32 Mercator x/y *relative to an origin* (the
    centre of the data), which places points to within `err_m` (a few mm for a city, cm for a country) — plenty
    for drawing and for a conservative prefilter. Exact answers never use them alone: the caller's own
    id/latitude/longitude arrays are kept (as references, not copies) and every point a fence could decide
    differently is tested exactly on those, with the same computation as the fence's contains().
    """

    source_ids: np.ndarray  # the caller's arrays, unsorted (references, not copies)
    source_lat: np.ndarray
    source_lon: np.ndarray
    order: np.ndarray       # int32 rows of the source arrays, in x order
    x: np.ndarray           # float32 Mercator metres minus origin_x, ascending (NaN last)
    y: np.ndarray           # float32 Mercator metres minus origin_y
    origin_x: float = 0.0
    origin_y: float = 0.0
    err_m: float = 1e-6     # |stored - true| < err_m for every point (float32 rounding of the offsets)
    extent: tuple[float, float, float, float] | None = None  # x0, y0, x1, y1 Mercator metres; None when empty
    ids_ascending: bool = False  # the source ids are strictly ascending (CameraArrays are): rows sort like ids

    @classmethod
    def build(cls, ids: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> PointIndex:
        lat = np.asarray(lat, dtype=np.float64)
        lon = np.asarray(lon, dtype=np.float64)
        ids = np.asarray(ids, dtype=np.int64)
        n = int(lon.shape[0])
        # The arrays kept are allocated before any temporary, so freeing the temporaries leaves no holes between
        # them (memory the process would keep but never use again).
        order = np.empty(n, np.int32 if n < 2**31 else np.int64)  # 4 MB instead of 8 at 1M points
        x = np.empty(n, np.float32)
        y = np.empty(n, np.float32)
        order[:] = np.argsort(lon, kind="stable")
        ascending = bool(np.all(ids[1:] > ids[:-1]))
        lon_range = (float(lon.min()), float(lon.max())) if n else (math.nan, math.nan)
        lat_range = (float(lat.min()), float(lat.max())) if n else (math.nan, math.nan)
        if n and not np.isfinite(lon_range + lat_range).all():  # cameras without coordinates: leave them out
            ok = np.isfinite(lon) & np.isfinite(lat)
            if ok.any():
                lon_range = (float(lon[ok].min()), float(lon[ok].max()))
                lat_range = (float(lat[ok].min()), float(lat[ok].max()))
        if not np.isfinite(lon_range + lat_range).all():
            x.fill(np.nan)
            y.fill(np.nan)
            return cls(ids, lat, lon, order, x, y, ids_ascending=ascending)
        ex, ey = geo.lonlat_to_xy(lon_range, lat_range)
        ox, oy = float(ex.mean()), float(ey.mean())
        for a in range(0, n, _BUILD_CHUNK):
            rows = order[a:a + _BUILD_CHUNK]
            cx, cy = geo.lonlat_to_xy(lon[rows], lat[rows])
            x[a:a + _BUILD_CHUNK] = cx - ox
            y[a:a + _BUILD_CHUNK] = cy - oy
        # Float32 keeps 24 bits: rounding moves a point by at most half an ulp of the largest offset; bound it by
        # a whole ulp (and a micrometre for the float64 steps before).
        largest = max(float(ex[1] - ex[0]), float(ey[1] - ey[0])) / 2
        err = largest * 2.0**-23 + 1e-6
        return cls(ids, lat, lon, order, x, y, ox, oy, err, (float(ex[0]), float(ey[0]), float(ex[1]), float(ey[1])),
                   ascending)

    @classmethod
    def empty(cls) -> PointIndex:
        e = np.empty(0)
        return cls(np.empty(0, np.int64), e, e.copy(), np.empty(0, np.int32), np.empty(0, np.float32),
                   np.empty(0, np.float32))

    def __len__(self) -> int:
        return int(self.order.shape[0])

    def nbytes(self) -> int:
        """The index's own memory (the source arrays are the caller's)."""
        return self.order.nbytes + self.x.nbytes + self.y.nbytes

    def rows(self, pos: np.ndarray) -> np.ndarray:
        """Rows of the source arrays at index positions."""
        return self.order[pos]

    def ids_at(self, pos: np.ndarray) -> np.ndarray:
        return self.source_ids[self.order[pos]]

    def lat_lon(self, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = self.order[pos]
        return self.source_lat[rows], self.source_lon[rows]

    def xy(self, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mercator metres (float64, to within err_m) of index positions: for drawing."""
        return (self.x[pos].astype(np.float64) + self.origin_x, self.y[pos].astype(np.float64) + self.origin_y)

    def positions_of_rows(self, rows: np.ndarray) -> np.ndarray:
        """Index positions (ascending) of rows of the source arrays."""
        mask = np.zeros(len(self), bool)
        mask[rows] = True
        return np.flatnonzero(mask[self.order])

    def _low(self, v: float, origin: float) -> np.float32:
        """A float32 bound at or below every stored offset of a point whose true coordinate is >= v."""
        return np.nextafter(np.float32(v - origin - self.err_m), np.float32(-np.inf))

    def _high(self, v: float, origin: float) -> np.float32:
        return np.nextafter(np.float32(v - origin + self.err_m), np.float32(np.inf))

    def slice_x(self, x0: float, x1: float) -> slice:
        """The positions whose x may lie in [x0, x1] (a superset by at most err_m on each side)."""
        lo, hi = self._low(x0, self.origin_x), self._high(x1, self.origin_x)
        return slice(int(np.searchsorted(self.x, lo, side="left")), int(np.searchsorted(self.x, hi, side="right")))

    def in_rect_xy(self, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        """Ascending index positions of the points in a Mercator rectangle, to within err_m (for drawing, and as
        the conservative first step of a fence query)."""
        sl = self.slice_x(x0, x1)
        ys = self.y[sl]
        lo, hi = self._low(y0, self.origin_y), self._high(y1, self.origin_y)
        return sl.start + np.flatnonzero((ys >= lo) & (ys <= hi))

    def within_rect(self, pos: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        """Those of the ascending index positions `pos` whose point lies in the rectangle (to within err_m)."""
        xs = self.x[pos]
        a = int(np.searchsorted(xs, self._low(x0, self.origin_x), side="left"))
        b = int(np.searchsorted(xs, self._high(x1, self.origin_x), side="right"))
        cand = pos[a:b]
        ys = self.y[cand]
        return cand[(ys >= self._low(y0, self.origin_y)) & (ys <= self._high(y1, self.origin_y))]


def _polygon_inside(index: PointIndex, fence: PolygonFence, pos: np.ndarray, tol: float) -> tuple[np.ndarray,
                                                                                                  np.ndarray]:
    """(inside, unsure) for candidate positions (ascending, so x ascending), from the float32 positions.

    Crossing number with a vertical ray, vectorised per edge: the points under an edge are one contiguous run
    of the x-sorted candidates (two binary searches), so the work is about twice the candidates, not candidates
    times edges. Points within tol of an edge (and so any point on the boundary) are unsure.
    """
    ring = shapely.get_coordinates(fence.mercator_geometry.exterior)
    vx = ring[:, 0] - index.origin_x
    vy = ring[:, 1] - index.origin_y
    px = index.x[pos].astype(np.float64)
    py = index.y[pos].astype(np.float64)
    inside = np.zeros(pos.shape[0], bool)
    unsure = np.zeros(pos.shape[0], bool)
    for ax, ay, bx, by in zip(vx[:-1].tolist(), vy[:-1].tolist(), vx[1:].tolist(), vy[1:].tolist(), strict=True):
        lo, hi = (ax, bx) if ax <= bx else (bx, ax)
        dx, dy = bx - ax, by - ay
        # Points within tol of the edge's x span: all the points within tol of the edge are among them.
        i = int(np.searchsorted(px, lo - tol, side="left"))
        j = int(np.searchsorted(px, hi + tol, side="right"))
        if j <= i:
            continue
        det = dx * (py[i:j] - ay) - dy * (px[i:j] - ax)  # signed distance to the edge's line × its length
        unsure[i:j] |= np.abs(det) <= tol * math.hypot(dx, dy)
        if dx != 0.0:
            # The ray from a point up crosses this edge when x is in [lo, hi) and the point is below the edge.
            k = int(np.searchsorted(px, lo, side="left"))
            m = int(np.searchsorted(px, hi, side="left"))
            below = det[k - i:m - i] < 0 if dx > 0 else det[k - i:m - i] > 0
            inside[k:m] ^= below
    return inside, unsure


def _circle_inside(index: PointIndex, fence: CircleFence, pos: np.ndarray, tol: float) -> tuple[np.ndarray,
                                                                                                np.ndarray]:
    lon, lat = geo.xy_to_lonlat(*index.xy(pos))
    # A ground metre is at most a map metre (Mercator scale >= 1), so tol in map metres bounds the ground error.
    d = geo.haversine_m(fence.center_lat, fence.center_lon, lat, lon)
    return d <= fence.radius_m, np.abs(d - fence.radius_m) <= tol


def _rect_inside(index: PointIndex, fence: RectFence, pos: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    (x0, x1), (y0, y1) = geo.lonlat_to_xy([fence.west, fence.east], [fence.south, fence.north])
    x0, x1 = float(x0) - index.origin_x, float(x1) - index.origin_x
    y0, y1 = float(y0) - index.origin_y, float(y1) - index.origin_y
    px = index.x[pos].astype(np.float64)
    py = index.y[pos].astype(np.float64)
    inside = (px >= x0) & (px <= x1) & (py >= y0) & (py <= y1)
    unsure = ((np.abs(px - x0) <= tol) | (np.abs(px - x1) <= tol)) & (py >= y0 - tol) & (py <= y1 + tol)
    unsure |= ((np.abs(py - y0) <= tol) | (np.abs(py - y1) <= tol)) & (px >= x0 - tol) & (px <= x1 + tol)
    return inside, unsure


def select_positions(index: PointIndex, fence: Fence) -> np.ndarray:
    """Ascending positions (into the index's x order) of the points inside the fence.

    The answer is exactly `fence.contains` on the source latitudes/longitudes. The float32 index narrows down
    the candidates (conservatively: a box err_m larger than the fence's) and decides every candidate farther than
    2·err_m from the fence's boundary, where its float32 position is surely on the same side as its true one;
    the few closer ones (any point on the boundary among them) go through fence.contains on their own
    latitude/longitude, so the result never depends on float32 rounding.
    """
    if len(index) == 0:
        return np.empty(0, np.int64)
    south, west, north, east = fence.bounds()
    (x0, x1), (y0, y1) = (np.asarray(v, dtype=np.float64) for v in geo.lonlat_to_xy([west, east], [south, north]))
    if west <= -180.0 and east >= 180.0:
        x0, x1 = -np.inf, np.inf
    pos = index.in_rect_xy(float(x0), float(y0), float(x1), float(y1))
    if pos.size == 0:
        return pos
    tol = 2 * index.err_m + 1e-6  # beyond this from the boundary, the float32 point is on its true side
    if isinstance(fence, PolygonFence):
        if pos.size <= _FAST_POLYGON_CANDIDATES_PER_EDGE * len(fence.ring):
            lat, lon = index.lat_lon(pos)  # few candidates, many edges: shapely on them all is quicker
            return pos[fence.contains(lat, lon)]
        inside, unsure = _polygon_inside(index, fence, pos, tol)
    elif isinstance(fence, CircleFence):
        inside, unsure = _circle_inside(index, fence, pos, tol)
    else:
        inside, unsure = _rect_inside(index, fence, pos, tol)
    inside &= ~unsure
    check = np.flatnonzero(unsure)
    if check.size:
        lat, lon = index.lat_lon(pos[check])
        inside[check[fence.contains(lat, lon)]] = True
    return pos[inside]


def select_ids(index: PointIndex, fence: Fence) -> np.ndarray:
    """Sorted camera ids inside the fence."""
    rows = index.rows(select_positions(index, fence))
    if index.ids_ascending:
        return index.source_ids[np.sort(rows)]  # sorting the int32 rows is twice as fast as sorting int64 ids
    return np.sort(index.source_ids[rows])
