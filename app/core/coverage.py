"""Camera coverage on a ground grid: vectorised wedge rasterisation, building occlusion, uncertainty bands.

Pure numpy, no Qt. The model:
- The area is a grid of square cells (``cell_m``, default 10 m) in a local equirectangular projection around
  the area's centre (metres east/north; over 20 km the scale error is below 0.01 %).
- A camera sees a cell when the cell's *centre* lies in its field-of-view wedge: within ``range_m`` of the
  camera and within ``fov_deg / 2`` of its heading (degrees clockwise from north). A 360° camera sees the disk.
- Buildings (plain arrays of outline rings, so this works with or without a base map) are rasterised onto the
  same grid. A building cell is not open ground: it is neither counted in the area nor seen. A ray from the
  camera to a cell centre is walked in half-cell steps; it stops at the first building cell it meets after it
  has left the building the camera is mounted on (a doorbell sits on its own house's outline), as raster
  viewshed tools do.
- Headings and ranges are not known exactly (a resident's "faces the street"). Every figure is a band:
  *best* — each camera's view as wide as the uncertainty allows (heading ± tolerance widens the wedge, range
  × (1 + tolerance)); *worst* — only what it sees under every heading and range in the uncertainty (the
  wedge narrowed by the heading tolerance on both sides, range × (1 − tolerance)); *mean* — the average over
  seeded random draws of a heading offset and a range factor per camera. An unknown heading is "any
  direction" (best: the whole disk; worst: nothing unless the camera sees 360°).
- Public outputs never show the fine grid. ``public_cells`` aggregates to coarse cells (250 m) and merges any
  cell holding fewer than ``k`` cameras (but some) into its 2×2 parent block, up to ``max_merge`` levels;
  blocks still under ``k`` are withheld. Shares are rounded to 1 %, so no single camera can be located.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from app.core.geo import MEAN_EARTH_RADIUS_M

DEFAULT_CELL_M = 10.0
DEFAULT_HEADING_TOL_DEG = 15.0
DEFAULT_RANGE_TOL = 0.2
DEFAULT_FOV_DEG = 90.0        # used when a camera's field of view is not recorded
DEFAULT_RANGE_M = 15.0        # used when a camera's range is not recorded
DEFAULT_SAMPLES = 4
PUBLIC_CELL_M = 250.0
PUBLIC_K = 5
PUBLIC_SHARE_STEP = 0.01

_M_PER_DEG = math.pi * MEAN_EARTH_RADIUS_M / 180.0
_CHUNK_ELEMENTS = 1 << 21     # candidate (camera, cell) pairs per vectorised block (~16 MB per float64 array)
_FLUSH = 1 << 23              # seen-cell indices gathered before one bincount (64 MB)

Progress = Callable[[int, int], None]


class CoverageCancelled(Exception):
    pass


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


# --- cameras -------------------------------------------------------------------------------------------------
@dataclass
class Wedges:
    """Cameras as plain arrays in the grid's local metres. NaN heading = unknown (any direction)."""

    x: np.ndarray
    y: np.ndarray
    heading_deg: np.ndarray
    fov_deg: np.ndarray
    range_m: np.ndarray

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @classmethod
    def from_latlon(cls, grid: Grid, lat: np.ndarray, lon: np.ndarray, heading_deg: np.ndarray,
                    fov_deg: np.ndarray, range_m: np.ndarray, default_fov_deg: float = DEFAULT_FOV_DEG,
                    default_range_m: float = DEFAULT_RANGE_M) -> Wedges:
        x, y = grid.to_local(lat, lon)
        fov = np.asarray(fov_deg, dtype=np.float64)
        rng = np.asarray(range_m, dtype=np.float64)
        return cls(x, y, np.asarray(heading_deg, dtype=np.float64), np.where(np.isfinite(fov), fov, default_fov_deg),
                   np.where(np.isfinite(rng) & (rng > 0), rng, default_range_m))

    def take(self, mask: np.ndarray) -> Wedges:
        return Wedges(self.x[mask], self.y[mask], self.heading_deg[mask], self.fov_deg[mask], self.range_m[mask])


@dataclass(frozen=True)
class Scenario:
    """Per-camera view for one pass: range (m), half-angle (deg, 180 = all round) and heading offset (deg)."""

    name: str
    range_m: np.ndarray
    half_deg: np.ndarray
    heading_offset_deg: np.ndarray | None = None


def scenarios_for(w: Wedges, heading_tol_deg: float = DEFAULT_HEADING_TOL_DEG, range_tol: float = DEFAULT_RANGE_TOL,
                  samples: int = DEFAULT_SAMPLES, seed: int = 0) -> list[Scenario]:
    """nominal, best, worst, then ``samples`` random draws (seeded: the same inputs give the same figures)."""
    half = np.clip(w.fov_deg / 2, 0.0, 180.0)
    unknown = ~np.isfinite(w.heading_deg)
    all_round = half >= 180.0
    tol = np.where(unknown, 180.0, heading_tol_deg)
    best_half = np.where(all_round, 180.0, np.minimum(half + tol, 180.0))
    worst_half = np.where(all_round, 180.0, half - tol)      # negative: sees nothing for sure
    out = [
        Scenario("nominal", w.range_m, np.where(unknown & ~all_round, -1.0, half)),
        Scenario("best", w.range_m * (1 + range_tol), best_half),
        Scenario("worst", w.range_m * max(0.0, 1 - range_tol), worst_half),
    ]
    rng = np.random.default_rng(seed)
    for i in range(samples):
        offset = np.where(unknown, rng.uniform(-180.0, 180.0, len(w)), rng.uniform(-heading_tol_deg,
                                                                                   heading_tol_deg, len(w)))
        factor = rng.uniform(1 - range_tol, 1 + range_tol, len(w))
        out.append(Scenario(f"sample {i + 1}", w.range_m * factor, half, offset))
    return out


def _box_sum(sat: np.ndarray, r0: np.ndarray, r1: np.ndarray, c0: np.ndarray, c1: np.ndarray) -> np.ndarray:
    """Sum over rows r0..r1-1, cols c0..c1-1 from a summed-area table with a zero first row/column."""
    return sat[r1, c1] - sat[r0, c1] - sat[r1, c0] + sat[r0, c0]


def count_views(grid: Grid, w: Wedges, scenarios: Sequence[Scenario], blocked: np.ndarray | None = None,
                progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> list[np.ndarray]:
    """For each scenario, how many cameras see each cell (ny, nx uint16), in one geometric pass.

    Cameras are grouped by the half-width (in cells) of the box around their widest view, so each group is one
    broadcast of cameras × box offsets; chunks keep every temporary array under ~16 MB."""
    n_cells = grid.cells
    counts = [np.zeros(n_cells, dtype=np.uint16) for _ in scenarios]
    if len(w) == 0:
        return [c.reshape(grid.shape) for c in counts]
    max_range = np.max(np.stack([s.range_m for s in scenarios]), axis=0)
    seen_any = np.max(np.stack([s.half_deg for s in scenarios]), axis=0) >= 0
    col = np.floor((w.x - grid.x0) / grid.cell_m).astype(np.int64)
    row = np.floor((w.y - grid.y0) / grid.cell_m).astype(np.int64)
    k_all = np.ceil(max_range / grid.cell_m).astype(np.int64) + 1
    # A camera whose widest box misses the grid contributes nothing.
    useful = (seen_any & (col + k_all >= 0) & (col - k_all < grid.nx) & (row + k_all >= 0) & (row - k_all < grid.ny)
              & np.isfinite(w.x) & np.isfinite(w.y))
    sat = None
    if blocked is not None and blocked.any():
        sat = np.zeros((grid.ny + 1, grid.nx + 1), dtype=np.int32)
        sat[1:, 1:] = np.cumsum(np.cumsum(blocked, axis=0, dtype=np.int32), axis=1, dtype=np.int32)
        blocked_flat = blocked.ravel()
    heading = np.where(np.isfinite(w.heading_deg), w.heading_deg, 0.0).astype(np.float32)
    # Each camera's place inside its own cell (0..1), so a candidate cell's offset is (o + 0.5 - f) cells.
    fx = ((w.x - grid.x0) / grid.cell_m - col).astype(np.float32)
    fy = ((w.y - grid.y0) / grid.cell_m - row).astype(np.float32)
    cell32 = np.float32(grid.cell_m)
    max_range = max_range.astype(np.float32)
    halves = [np.where(s.half_deg >= 180.0, 1e9, s.half_deg).astype(np.float32) for s in scenarios]  # 1e9: any
    ranges = [s.range_m.astype(np.float32) for s in scenarios]
    offsets = [None if s.heading_offset_deg is None else s.heading_offset_deg.astype(np.float32) for s in scenarios]
    pending: list[list[np.ndarray]] = [[] for _ in scenarios]
    pending_n = [0] * len(scenarios)

    def flush(i: int) -> None:
        # One bincount over many chunks' indices: a per-chunk bincount of the whole grid cost more than the geometry.
        if pending[i]:
            counts[i] += np.bincount(np.concatenate(pending[i]), minlength=n_cells).astype(np.uint16)
            pending[i].clear()
            pending_n[i] = 0

    ks = np.unique(k_all[useful])
    done, total = 0, int(useful.sum())
    for k in ks.tolist():
        members = np.flatnonzero(useful & (k_all == k))
        oy, ox = np.mgrid[-k:k + 1, -k:k + 1]
        disk = (np.maximum(np.abs(ox) - 1, 0) ** 2 + np.maximum(np.abs(oy) - 1, 0) ** 2) <= k * k
        ox, oy = ox[disk].astype(np.int64), oy[disk].astype(np.int64)
        oxf, oyf = ox.astype(np.float32), oy.astype(np.float32)
        per = max(1, _CHUNK_ELEMENTS // ox.size)
        for start in range(0, members.size, per):
            if cancelled is not None and cancelled():
                raise CoverageCancelled
            cams = members[start:start + per]
            cc = col[cams][:, None] + ox[None, :]
            rr = row[cams][:, None] + oy[None, :]
            inside = (cc >= 0) & (cc < grid.nx) & (rr >= 0) & (rr < grid.ny)
            # float32 from here on: offsets within a few hundred metres, so 1e-7 relative is micrometres, and the
            # geometry (the bulk of the time) moves half the bytes.
            dx = (oxf[None, :] + (0.5 - fx[cams])[:, None]) * cell32
            dy = (oyf[None, :] + (0.5 - fy[cams])[:, None]) * cell32
            dist = np.hypot(dx, dy)
            bearing = np.degrees(np.arctan2(dx, dy))
            rel = bearing - heading[cams][:, None]          # degrees, wrapped per scenario
            reach = inside & (dist <= max_range[cams][:, None])
            flat = rr * grid.nx + cc
            if sat is not None:
                reach &= _visible(grid, w, cams, cc, rr, dx, dy, reach, k, sat, blocked_flat)
            off0 = None
            for i in range(len(scenarios)):
                if offsets[i] is None:
                    if off0 is None:
                        off0 = np.abs((rel + np.float32(180.0)) % np.float32(360.0) - np.float32(180.0))
                    off = off0
                else:
                    off = np.abs((rel - offsets[i][cams][:, None] + np.float32(180.0)) % np.float32(360.0)
                                 - np.float32(180.0))
                seen = reach & (dist <= ranges[i][cams][:, None]) & (off <= halves[i][cams][:, None])
                idx = flat[seen]
                if idx.size:
                    pending[i].append(idx)
                    pending_n[i] += idx.size
                    if pending_n[i] >= _FLUSH:
                        flush(i)
            done += cams.size
            if progress is not None:
                progress(done, total)
    for i in range(len(scenarios)):
        flush(i)
    return [c.reshape(grid.shape) for c in counts]


def _visible(grid: Grid, w: Wedges, cams: np.ndarray, cc: np.ndarray, rr: np.ndarray, dx: np.ndarray,
             dy: np.ndarray, reach: np.ndarray, k: int, sat: np.ndarray,
             blocked_flat: np.ndarray) -> np.ndarray:
    """Which candidate cells a ray from the camera reaches without crossing a building (after leaving its own)."""
    ok = np.ones(reach.shape, dtype=bool)
    r0 = np.clip(rr[:, 0], 0, grid.ny)
    r1 = np.clip(rr[:, -1] + 1, 0, grid.ny)
    c0 = np.clip(cc[:, 0], 0, grid.nx)
    c1 = np.clip(cc[:, -1] + 1, 0, grid.nx)
    near = _box_sum(sat, r0, r1, c0, c1) > 0
    if not near.any():
        return ok
    sub = np.flatnonzero(near)
    pair_r, pair_c = np.nonzero(reach[sub])
    if pair_r.size == 0:
        return ok
    cam_rows = sub[pair_r]
    steps = 2 * k + 2                                    # half-cell steps cover the longest ray in the box
    per = max(1, _CHUNK_ELEMENTS // steps)
    t = (np.arange(steps + 1, dtype=np.float64) / steps)[None, :]
    for start in range(0, cam_rows.size, per):
        pr, pc = cam_rows[start:start + per], pair_c[start:start + per]
        cam = cams[pr]
        # Sample the segment camera → cell centre; the target cell itself is the last sample.
        px = w.x[cam][:, None] + dx[pr, pc][:, None] * t
        py = w.y[cam][:, None] + dy[pr, pc][:, None] * t
        sc = np.floor((px - grid.x0) / grid.cell_m).astype(np.int64)
        sr = np.floor((py - grid.y0) / grid.cell_m).astype(np.int64)
        in_grid = (sc >= 0) & (sc < grid.nx) & (sr >= 0) & (sr < grid.ny)
        hit = np.zeros(sc.shape, dtype=bool)
        hit[in_grid] = blocked_flat[(sr * grid.nx + sc)[in_grid]]
        left_own = np.cumsum(~hit, axis=1) > 0            # the ray has been on open ground at or before this sample
        ok[pr, pc] = ~np.any(hit & left_own, axis=1) & ~hit[:, -1]
    return ok


# --- figures -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Band:
    best: float
    mean: float
    worst: float

    def as_text(self, percent: bool = True) -> str:
        if percent:
            return f"{self.worst * 100:.1f} % – {self.best * 100:.1f} % (mean {self.mean * 100:.1f} %)"
        return f"{self.worst:g} – {self.best:g} (mean {self.mean:g})"


@dataclass
class CoverageResult:
    grid: Grid
    counts: np.ndarray              # nominal views per cell (ny, nx uint16): the map layer (staff only)
    area: np.ndarray                # (ny, nx bool): cells of the analysed open ground
    cameras: int
    area_cells: int
    building_cells: int
    seen1: Band                     # share of the open ground seen by at least 1 camera
    seen3: Band                     # ... by at least 3
    incidents: Band | None          # share of incidents (in the area) inside some camera's view
    incidents_counted: int
    nominal_seen1: float
    nominal_seen3: float
    heading_tol_deg: float
    range_tol: float
    samples: int
    best_counts: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0), np.uint16))

    @property
    def area_km2(self) -> float:
        return self.area_cells * self.grid.cell_m ** 2 / 1e6


def _band(values: list[float], best: float, worst: float) -> Band:
    return Band(best, float(np.mean(values)) if values else (best + worst) / 2, worst)


def analyse(grid: Grid, w: Wedges, buildings: Rings | None = None, area_mask: np.ndarray | None = None,
            incidents_xy: tuple[np.ndarray, np.ndarray] | None = None,
            heading_tol_deg: float = DEFAULT_HEADING_TOL_DEG, range_tol: float = DEFAULT_RANGE_TOL,
            samples: int = DEFAULT_SAMPLES, seed: int = 0, progress: Progress | None = None,
            cancelled: Callable[[], bool] | None = None) -> CoverageResult:
    """Coverage figures as bands. ``area_mask`` (ny, nx bool) restricts the area (e.g. to a jurisdiction)."""
    blocked = rasterise_rings(grid, buildings) if buildings is not None and len(buildings) else None
    area = np.ones(grid.shape, dtype=bool) if area_mask is None else area_mask.astype(bool, copy=True)
    if blocked is not None:
        area &= ~blocked
    scen = scenarios_for(w, heading_tol_deg, range_tol, samples, seed)
    counts = count_views(grid, w, scen, blocked, progress, cancelled)
    n_area = int(area.sum())

    def share(c: np.ndarray, at_least: int) -> float:
        return float(np.count_nonzero((c >= at_least) & area)) / n_area if n_area else 0.0

    s1 = [share(c, 1) for c in counts]
    s3 = [share(c, 3) for c in counts]
    inc_band, inc_n = None, 0
    if incidents_xy is not None:
        idx = grid.flat_index(*incidents_xy)
        idx = idx[idx >= 0]
        idx = idx[area.ravel()[idx]]
        inc_n = int(idx.size)
        if inc_n:
            f = [float(np.count_nonzero(c.ravel()[idx] >= 1)) / inc_n for c in counts]
            inc_band = _band(f[3:], f[1], f[2])
        else:
            inc_band = Band(0.0, 0.0, 0.0)
    return CoverageResult(grid, counts[0], area, len(w), n_area, int(blocked.sum()) if blocked is not None else 0,
                          _band(s1[3:], s1[1], s1[2]), _band(s3[3:], s3[1], s3[2]), inc_band, inc_n,
                          s1[0], s3[0], heading_tol_deg, range_tol, samples, counts[1])


# --- the public, coarse version ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublicCell:
    """A coarse block of the public coverage map. No block with cameras holds fewer than k of them."""

    south: float
    west: float
    north: float
    east: float
    size_m: float
    cameras: int            # cameras located in the block (0, or at least k)
    seen_share: float       # share of the block's open ground seen by ≥ 1 camera (nominal), rounded to 1 %

    COLUMNS = ("south", "west", "north", "east", "size_m", "cameras", "seen_share")

    def values(self) -> list[object]:
        return [f"{self.south:.5f}", f"{self.west:.5f}", f"{self.north:.5f}", f"{self.east:.5f}",
                f"{self.size_m:.0f}", self.cameras, f"{self.seen_share:.2f}"]


@dataclass(frozen=True)
class PublicCoverage:
    cells: list[PublicCell]
    withheld_blocks: int    # blocks with 1..k-1 cameras even after merging: not shown
    k: int
    cell_m: float


def public_cells(result: CoverageResult, w: Wedges, cell_m: float = PUBLIC_CELL_M, k: int = PUBLIC_K,
                 max_merge: int = 3, share_step: float = PUBLIC_SHARE_STEP) -> PublicCoverage:
    """Coarse, k-anonymous blocks from a coverage result (see the module notes)."""
    g = result.grid
    f = max(1, int(round(cell_m / g.cell_m)))
    seen = (result.counts >= 1) & result.area
    ground = result.area
    base = f
    levels: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
    for level in range(max_merge + 1):
        b = base * (2 ** level)
        nby, nbx = math.ceil(g.ny / b), math.ceil(g.nx / b)
        seen_b = _block_sum(seen, b, nby, nbx)
        ground_b = _block_sum(ground, b, nby, nbx)
        cams = np.zeros((nby, nbx), dtype=np.int64)
        col = np.floor((w.x - g.x0) / g.cell_m).astype(np.int64)
        row = np.floor((w.y - g.y0) / g.cell_m).astype(np.int64)
        ok = (col >= 0) & (col < g.nx) & (row >= 0) & (row < g.ny)
        np.add.at(cams, (row[ok] // b, col[ok] // b), 1)
        levels.append((b, seen_b, ground_b, cams))
    cells: list[PublicCell] = []
    withheld = 0
    # Walk from the coarsest level down: a block is emitted at the finest level where all its parts are safe.
    top_b, _, _, top_cams = levels[-1]

    def emit(level: int, by: int, bx: int) -> None:
        nonlocal withheld
        b, seen_b, ground_b, cams = levels[level]
        n = int(cams[by, bx])
        if level > 0:
            # Split into the four children if every child with cameras has at least k.
            child = levels[level - 1]
            kids = [(2 * by + j, 2 * bx + i) for j in (0, 1) for i in (0, 1)
                    if 2 * by + j < child[3].shape[0] and 2 * bx + i < child[3].shape[1]]
            if all(child[3][y, x] == 0 or child[3][y, x] >= k for y, x in kids):
                for y, x in kids:
                    emit(level - 1, y, x)
                return
        if 0 < n < k:
            withheld += 1
            return
        gr = int(ground_b[by, bx])
        if gr == 0:
            return
        share = round(round(float(seen_b[by, bx]) / gr / share_step) * share_step, 6)
        x0, y0 = g.x0 + bx * b * g.cell_m, g.y0 + by * b * g.cell_m
        x1 = min(x0 + b * g.cell_m, g.x0 + g.nx * g.cell_m)
        y1 = min(y0 + b * g.cell_m, g.y0 + g.ny * g.cell_m)
        s, wst = g.to_latlon(x0, y0)
        nn, e = g.to_latlon(x1, y1)
        cells.append(PublicCell(float(s), float(wst), float(nn), float(e), b * g.cell_m, n, min(share, 1.0)))

    for by in range(top_cams.shape[0]):
        for bx in range(top_cams.shape[1]):
            emit(len(levels) - 1, by, bx)
    cells.sort(key=lambda c: (c.south, c.west, c.size_m))
    return PublicCoverage(cells, withheld, k, base * g.cell_m)


def _block_sum(a: np.ndarray, b: int, nby: int, nbx: int) -> np.ndarray:
    padded = np.zeros((nby * b, nbx * b), dtype=np.int64)
    padded[: a.shape[0], : a.shape[1]] = a
    return padded.reshape(nby, b, nbx, b).sum(axis=(1, 3))


def coverage_rgba(counts: np.ndarray, area: np.ndarray | None = None) -> np.ndarray:
    """(ny, nx, 4) uint8 image of the counts for a map layer: transparent where unseen, 1 / 2 / 3+ cameras in
    three strengths of one colour. Row 0 is the southern edge (flip for a top-down image)."""
    lut = np.array([[0, 0, 0, 0], [255, 170, 0, 110], [255, 110, 0, 150], [220, 40, 0, 190]], dtype=np.uint8)
    img = lut[np.minimum(counts, 3)]
    if area is not None:
        img[~area] = 0
    return img
