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
@dataclass
class PointIndex:
    """Points sorted by Web Mercator x (= by longitude), with their Mercator y alongside.

    Also what the map draws from: the visible points are a searchsorted slice plus a y filter. Latitude and
    longitude are not kept (16 MB at 1M points): both map monotonically to y and x, and the few candidates a
    circle needs them for are converted back on the fly.
    """

    ids: np.ndarray      # int64 camera ids, in x order
    order: np.ndarray    # int32 positions in the source arrays, in x order
    x: np.ndarray        # float64 Mercator metres, ascending
    y: np.ndarray        # float64 Mercator metres

    @classmethod
    def build(cls, ids: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> PointIndex:
        lon = np.asarray(lon, dtype=np.float64)
        order = np.argsort(lon, kind="stable")
        x, y = geo.lonlat_to_xy(lon[order], np.asarray(lat, dtype=np.float64)[order])
        small = np.int32 if lon.size < 2**31 else np.int64  # 4 MB instead of 8 at 1M points
        return cls(np.asarray(ids, dtype=np.int64)[order], order.astype(small), x, y)

    @classmethod
    def empty(cls) -> PointIndex:
        e = np.empty(0)
        return cls(np.empty(0, np.int64), np.empty(0, np.int64), e, e.copy())

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def lat_lon(self, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = geo.xy_to_lonlat(self.x[pos], self.y[pos])
        return lat, lon

    def slice_x(self, x0: float, x1: float) -> slice:
        return slice(int(np.searchsorted(self.x, x0, side="left")), int(np.searchsorted(self.x, x1, side="right")))

    def in_rect_xy(self, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        """Sorted-index positions of points in a Mercator rectangle (for drawing what is visible)."""
        sl = self.slice_x(x0, x1)
        ys = self.y[sl]
        return sl.start + np.flatnonzero((ys >= y0) & (ys <= y1))


def select_positions(index: PointIndex, fence: Fence) -> np.ndarray:
    """Positions (into the index's x order) of the points inside the fence."""
    south, west, north, east = fence.bounds()
    (x0, x1), (y0, y1) = (np.asarray(v, dtype=np.float64) for v in geo.lonlat_to_xy([west, east], [south, north]))
    if west <= -180.0 and east >= 180.0:
        x0, x1 = -np.inf, np.inf
    pos = index.in_rect_xy(float(x0), float(y0), float(x1), float(y1))
    if pos.size == 0 or isinstance(fence, RectFence):
        return pos
    if isinstance(fence, CircleFence):
        lat, lon = index.lat_lon(pos)
        return pos[geo.haversine_m(fence.center_lat, fence.center_lon, lat, lon) <= fence.radius_m]
    return pos[fence.contains_xy(index.x[pos], index.y[pos])]


def select_ids(index: PointIndex, fence: Fence) -> np.ndarray:
    """Sorted camera ids inside the fence."""
    return np.sort(index.ids[select_positions(index, fence)])
