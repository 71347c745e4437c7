"""Camera coverage on a ground grid: vectorised wedge rasterisation, building occlusion, uncertainty bands.

Pure numpy, no Qt. The grid and rasterised buildings are ``app.core.coverage_grid``; cameras, scenarios and
the counting pass (ray casting included) are ``app.core.coverage_views``; this module turns counts into figures
and the public coarse cells. The model:
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
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.core.coverage_grid import Grid, Rings, rasterise_rings
from app.core.coverage_views import (
    DEFAULT_HEADING_TOL_DEG,
    DEFAULT_RANGE_TOL,
    DEFAULT_SAMPLES,
    Progress,
    Wedges,
    count_views,
    scenarios_for,
)

PUBLIC_CELL_M = 250.0
PUBLIC_K = 5
PUBLIC_SHARE_STEP = 0.01


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
