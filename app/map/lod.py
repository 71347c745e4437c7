"""Level of detail for 1,000,000 points: a density pyramid built with numpy. No Qt here.

The base level bins every point into a square grid over the data's extent (BASE_CELLS per side) with one
np.bincount on precomputed cell indices; each coarser level sums 2×2 blocks of the finer one. The map shows the
level whose cells are about one screen pixel or larger, cut to the visible window, as an image; when the view
is finer than the base level, the visible points are binned at screen resolution instead (bin_points).
Colours come from a per-level table indexed by the count (colour_table), so no colour copy of the pyramid is kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

BASE_CELLS = 2048      # 2048² uint16 = 8 MB at the base level; the whole pyramid is 4/3 of that
MIN_CELLS = 16


@dataclass
class DensityWindow:
    """Counts (rows = south→north, columns = west→east) covering the Mercator rect x0..x1, y0..y1."""

    counts: np.ndarray
    x0: float
    y0: float
    x1: float
    y1: float
    max_count: int  # the level's maximum, so colours stay put while panning


class DensityPyramid:
    """Counts per cell at every level. `offset` is added to x and y to get Mercator metres (the camera index keeps
    float32 offsets from an origin); every method takes and returns Mercator metres."""

    def __init__(self, x: np.ndarray, y: np.ndarray, base_cells: int = BASE_CELLS,
                 offset: tuple[float, float] = (0.0, 0.0)) -> None:
        n = int(base_cells)
        if n & (n - 1):
            raise ValueError("base_cells must be a power of two")
        xmin, xmax, ymin, ymax = _extent(x, y)
        size = max(xmax - xmin, ymax - ymin, 1.0) * 1.001  # margin so the max lands inside the last cell
        self.x0 = (xmin + xmax) / 2 - size / 2 + offset[0]
        self.y0 = (ymin + ymax) / 2 - size / 2 + offset[1]
        self.size = size
        base = self._bin(x, y, n, self.x0 - offset[0], self.y0 - offset[1])
        self.levels: list[np.ndarray] = [base]
        self.level_max = [int(base.max()) if base.size else 0]
        while n > MIN_CELLS:
            n //= 2
            finer = self.levels[-1]
            # Each cell sums 4 finer ones: stay in uint16 (half the memory of int32, the usual case even at 1M
            # points) while the sum cannot overflow it, without an int32 temporary.
            wide = finer.dtype != np.uint16 or 4 * self.level_max[-1] > np.iinfo(np.uint16).max
            counts = finer.reshape(n, 2, n, 2).sum(axis=(1, 3), dtype=np.int32 if wide else np.uint16)
            self.level_max.append(int(counts.max()) if counts.size else 0)
            self.levels.append(self._narrow(counts, self.level_max[-1]) if wide else counts)

    @staticmethod
    def _narrow(counts: np.ndarray, max_count: int) -> np.ndarray:
        return counts.astype(np.uint16) if max_count <= np.iinfo(np.uint16).max else counts.astype(np.int32)

    def _bin(self, x: np.ndarray, y: np.ndarray, n: int, x0: float, y0: float) -> np.ndarray:
        cell = self.size / n
        outside = n * n  # an extra bin for points without coordinates, dropped below
        flat = np.empty(x.shape[0], np.int32)  # cell per point (n² < 2^31), filled in steps: small temporaries
        step = 262_144
        for a in range(0, x.shape[0], step):
            fx = (x[a:a + step] - x0) / cell
            fy = (y[a:a + step] - y0) / cell
            bad = ~(np.isfinite(fx) & np.isfinite(fy))
            if bad.any():
                fx[bad] = 0.0
                fy[bad] = 0.0
            np.clip(fx, 0, n - 1, out=fx)
            np.clip(fy, 0, n - 1, out=fy)
            cells = fy.astype(np.int32) * n + fx.astype(np.int32)
            cells[bad] = outside
            flat[a:a + step] = cells
        counts = np.bincount(flat, minlength=outside + 1)[:outside]
        del flat
        return self._narrow(counts, int(counts.max()) if counts.size else 0).reshape(n, n)

    def nbytes(self) -> int:
        return sum(c.nbytes for c in self.levels)

    @property
    def total(self) -> int:
        return int(self.levels[-1].sum())

    def cells(self, level: int) -> int:
        return int(self.levels[level].shape[0])

    def cell_m(self, level: int) -> float:
        return self.size / self.cells(level)

    def level_for(self, m_per_px: float) -> int | None:
        """The finest level whose cells are at least a pixel wide; None when even the base is coarser than needed
        by a factor of 4 or more (then bin the visible points at screen resolution)."""
        for level, counts in enumerate(self.levels):
            if self.size / counts.shape[0] >= m_per_px:
                if level == 0 and self.size / counts.shape[0] >= 4 * m_per_px:
                    return None
                return level
        return len(self.levels) - 1

    def window(self, level: int, x0: float, y0: float, x1: float, y1: float) -> DensityWindow:
        counts = self.levels[level]
        n = counts.shape[0]
        cell = self.size / n
        i0 = max(0, int(math.floor((x0 - self.x0) / cell)))
        i1 = min(n, int(math.ceil((x1 - self.x0) / cell)))
        j0 = max(0, int(math.floor((y0 - self.y0) / cell)))
        j1 = min(n, int(math.ceil((y1 - self.y0) / cell)))
        if i1 <= i0 or j1 <= j0:
            return DensityWindow(np.zeros((0, 0), np.int32), x0, y0, x0, y0, self.level_max[level])
        return DensityWindow(counts[j0:j1, i0:i1], self.x0 + i0 * cell, self.y0 + j0 * cell, self.x0 + i1 * cell,
                             self.y0 + j1 * cell, self.level_max[level])

    def count_in(self, x0: float, y0: float, x1: float, y1: float) -> int:
        """Upper bound of the points in a rect (whole cells overlapping it), at a level with cells ≈ rect/64."""
        target = max(x1 - x0, y1 - y0) / 64
        level = self.level_for(target)
        return int(self.window(0 if level is None else level, x0, y0, x1, y1).counts.sum())


def _extent(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """xmin, xmax, ymin, ymax of the points with both coordinates (zeros when there are none)."""
    if x.size:
        box = (float(np.min(x)), float(np.max(x)), float(np.min(y)), float(np.max(y)))
        if all(math.isfinite(v) for v in box):
            return box
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.any():
            return float(np.min(x[ok])), float(np.max(x[ok])), float(np.min(y[ok])), float(np.max(y[ok]))
    return 0.0, 0.0, 0.0, 0.0


def bin_points(x: np.ndarray, y: np.ndarray, x0: float, y0: float, x1: float, y1: float, nx: int,
               ny: int) -> np.ndarray:
    """Counts of the points in an nx × ny grid over a rect (rows south→north); points outside are ignored."""
    if nx <= 0 or ny <= 0:
        return np.zeros((max(ny, 0), max(nx, 0)), np.int32)
    fx = (x - x0) * (nx / (x1 - x0))
    fy = (y - y0) * (ny / (y1 - y0))
    keep = (fx >= 0) & (fx < nx) & (fy >= 0) & (fy < ny)
    flat = np.bincount(fy[keep].astype(np.int64) * nx + fx[keep].astype(np.int64), minlength=nx * ny)
    return flat.astype(np.int32).reshape(ny, nx)


def colour_index(counts: np.ndarray, max_count: int) -> np.ndarray:
    """uint8 palette index per cell: 0 = empty (transparent), 1..255 on a log scale up to max_count."""
    out = np.zeros(counts.shape, np.uint8)
    nz = counts > 0
    if max_count <= 0 or not nz.any():
        return out
    scale = 254.0 / math.log1p(max(max_count, 1))
    out[nz] = np.minimum(1 + np.log1p(counts[nz]) * scale, 255).astype(np.uint8)
    return out


def colour_table(max_count: int) -> np.ndarray:
    """colour_index of every count 0..max_count, as a table: table[counts] == colour_index(counts, max_count)."""
    return colour_index(np.arange(max(max_count, 0) + 1), max_count)
