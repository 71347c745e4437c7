"""Which cameras see which cells of a coverage grid (``app.core.coverage``): cameras as wedges, the uncertainty
scenarios (nominal, best, worst, seeded draws) and one vectorised pass counting views per cell for all of them,
with rays walked in half-cell steps so that buildings occlude (see the model in ``app.core.coverage``).

Pure numpy, no Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from app.core.coverage_grid import Grid

DEFAULT_HEADING_TOL_DEG = 15.0
DEFAULT_RANGE_TOL = 0.2
DEFAULT_FOV_DEG = 90.0        # used when a camera's field of view is not recorded
DEFAULT_RANGE_M = 15.0        # used when a camera's range is not recorded
DEFAULT_SAMPLES = 4

_CHUNK_ELEMENTS = 1 << 21     # candidate (camera, cell) pairs per vectorised block (~16 MB per float64 array)
_FLUSH = 1 << 23              # seen-cell indices gathered before one bincount (64 MB)

Progress = Callable[[int, int], None]


class CoverageCancelled(Exception):
    pass


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
