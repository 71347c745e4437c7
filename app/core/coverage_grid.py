"""The ground grid of the coverage model (``app.core.coverage``): a local equirectangular projection around the
area's centre, and polygon rings (buildings, an area's boundary) rasterised onto it by vectorised scanlines.

Pure numpy, no Qt.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.core.geo import MEAN_EARTH_RADIUS_M

DEFAULT_CELL_M = 10.0

_M_PER_DEG = math.pi * MEAN_EARTH_RADIUS_M / 180.0


# --- the grid ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Grid:
    """A north-up grid of ``ny`` rows × ``nx`` columns of ``cell_m`` cells; row 0 is the southern edge."""

    lat0: float          # projection centre
    lon0: float
    x0: float            # south-west corner, local metres
    y0: float
    cell_m: float
    nx: int
    ny: int

    @property
    def shape(self) -> tuple[int, int]:
        return self.ny, self.nx

    @property
    def cells(self) -> int:
        return self.nx * self.ny

    def to_local(self, lat: np.ndarray | float, lon: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        lat_a = np.asarray(lat, dtype=np.float64)
        lon_a = np.asarray(lon, dtype=np.float64)
        x = (lon_a - self.lon0) * (_M_PER_DEG * math.cos(math.radians(self.lat0)))
        y = (lat_a - self.lat0) * _M_PER_DEG
        return x, y

    def to_latlon(self, x: np.ndarray | float, y: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        x_a = np.asarray(x, dtype=np.float64)
        y_a = np.asarray(y, dtype=np.float64)
        lat = self.lat0 + y_a / _M_PER_DEG
        lon = self.lon0 + x_a / (_M_PER_DEG * math.cos(math.radians(self.lat0)))
        return lat, lon

    def bounds_latlon(self) -> tuple[float, float, float, float]:
        """(south, west, north, east) of the whole grid."""
        s, w = self.to_latlon(self.x0, self.y0)
        n, e = self.to_latlon(self.x0 + self.nx * self.cell_m, self.y0 + self.ny * self.cell_m)
        return float(s), float(w), float(n), float(e)

    def flat_index(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Flat cell index (row * nx + col) of each point; -1 outside the grid."""
        col = np.floor((np.asarray(x) - self.x0) / self.cell_m).astype(np.int64)
        row = np.floor((np.asarray(y) - self.y0) / self.cell_m).astype(np.int64)
        inside = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        return np.where(inside, row * self.nx + col, -1)


def grid_for_box(south: float, west: float, north: float, east: float, cell_m: float = DEFAULT_CELL_M) -> Grid:
    """The grid covering a latitude/longitude box, projected around its centre."""
    if not (north > south and east > west):
        raise ValueError("the area is empty: north must be above south and east right of west")
    if not cell_m > 0:
        raise ValueError("the cell size must be positive")
    lat0, lon0 = (south + north) / 2, (west + east) / 2
    width = (east - west) * _M_PER_DEG * math.cos(math.radians(lat0))
    height = (north - south) * _M_PER_DEG
    nx, ny = max(1, math.ceil(width / cell_m - 1e-9)), max(1, math.ceil(height / cell_m - 1e-9))
    if nx * ny > 400_000_000:
        raise ValueError(f"{nx} × {ny} cells is too many; choose a larger cell size or a smaller area")
    return Grid(lat0, lon0, -width / 2, -height / 2, float(cell_m), nx, ny)


def grid_for_extent(width_m: float, height_m: float, cell_m: float = DEFAULT_CELL_M,
                    lat0: float = 0.0, lon0: float = 0.0) -> Grid:
    """A grid of the given size in metres with its south-west corner at local (0, 0) (tests, benchmarks)."""
    return Grid(lat0, lon0, 0.0, 0.0, float(cell_m), max(1, math.ceil(width_m / cell_m - 1e-9)),
                max(1, math.ceil(height_m / cell_m - 1e-9)))


# --- polygons onto the grid (buildings, the area's own boundary) ---------------------------------------------
@dataclass(frozen=True)
class Rings:
    """Polygon rings as plain arrays: vertices (N, 2) as (x, y) local metres, ring i is offsets[i]:offsets[i+1]."""

    xy: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return max(0, int(self.offsets.shape[0]) - 1)

    @classmethod
    def from_list(cls, rings: Sequence[np.ndarray | Sequence[Sequence[float]]]) -> Rings:
        arrays = [np.asarray(r, dtype=np.float64).reshape(-1, 2) for r in rings]
        lengths = np.array([len(a) for a in arrays], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        xy = np.concatenate(arrays) if arrays else np.empty((0, 2), np.float64)
        return cls(xy, offsets)

    @classmethod
    def from_latlon(cls, grid: Grid, latlon: np.ndarray, offsets: np.ndarray) -> Rings:
        """Rings given as (lat, lon) vertex rows (a base map's building outlines), projected onto the grid."""
        latlon = np.asarray(latlon, dtype=np.float64).reshape(-1, 2)
        x, y = grid.to_local(latlon[:, 0], latlon[:, 1])
        return cls(np.column_stack([x, y]), np.asarray(offsets, dtype=np.int64))


def rasterise_rings(grid: Grid, rings: Rings) -> np.ndarray:
    """Cells (ny, nx bool) whose centre lies inside any ring (even-odd rule per ring), by vectorised scanlines."""
    out = np.zeros(grid.shape, dtype=bool)
    if len(rings) == 0 or rings.xy.shape[0] < 3:
        return out
    xy, off = rings.xy, rings.offsets
    n_vert = off[1:] - off[:-1]
    ring_of = np.repeat(np.arange(len(rings), dtype=np.int64), n_vert)
    nxt = np.arange(xy.shape[0], dtype=np.int64) + 1
    ends = off[1:] - 1
    nxt[ends[n_vert > 0]] = off[:-1][n_vert > 0]          # each ring's closing edge
    x1, y1 = xy[:, 0], xy[:, 1]
    x2, y2 = xy[nxt, 0], xy[nxt, 1]
    # Row r has its centre at y0 + (r + 0.5) * cell; an edge crosses the rows whose centre is in [ylo, yhi).
    ylo, yhi = np.minimum(y1, y2), np.maximum(y1, y2)
    r0 = np.ceil((ylo - grid.y0) / grid.cell_m - 0.5).astype(np.int64)
    r1 = np.ceil((yhi - grid.y0) / grid.cell_m - 0.5).astype(np.int64)   # exclusive
    r0c, r1c = np.maximum(r0, 0), np.minimum(r1, grid.ny)
    count = np.maximum(r1c - r0c, 0)
    # Rows below the grid still matter for parity only within a row, so clipping rows is exact.
    keep = count > 0
    if not keep.any():
        return out
    e_idx = np.repeat(np.flatnonzero(keep), count[keep])
    starts = np.repeat(np.cumsum(count[keep]) - count[keep], count[keep])
    rows = r0c[e_idx] + (np.arange(e_idx.size) - starts)
    yc = grid.y0 + (rows + 0.5) * grid.cell_m
    t = (yc - y1[e_idx]) / (y2[e_idx] - y1[e_idx])
    xc = x1[e_idx] + t * (x2[e_idx] - x1[e_idx])
    ring = ring_of[e_idx]
    order = np.lexsort((xc, rows, ring))
    ring, rows, xc = ring[order], rows[order], xc[order]
    # Every (ring, row) holds an even number of crossings (a closed ring), so global even/odd positions pair up.
    xa, xb, rr = xc[0::2], xc[1::2], rows[0::2]
    c0 = np.clip(np.ceil((xa - grid.x0) / grid.cell_m - 0.5).astype(np.int64), 0, grid.nx)
    c1 = np.clip(np.ceil((xb - grid.x0) / grid.cell_m - 0.5).astype(np.int64), 0, grid.nx)
    span = c1 > c0
    diff = np.zeros((grid.ny, grid.nx + 1), dtype=np.int32)
    np.add.at(diff, (rr[span], c0[span]), 1)
    np.add.at(diff, (rr[span], c1[span]), -1)
    out[:] = np.cumsum(diff, axis=1)[:, : grid.nx] > 0
    return out
