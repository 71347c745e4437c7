"""app.map.lod: the density pyramid counts every point once at every level, windows and level choice."""

from __future__ import annotations

import numpy as np
import pytest

from app.map.lod import DensityPyramid, bin_points, colour_index


def _points(n: int = 50_000, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(-1.38e7, 8_000, n), rng.normal(5.56e6, 6_000, n)


def test_every_level_counts_every_point() -> None:
    x, y = _points()
    p = DensityPyramid(x, y, base_cells=512)
    assert [c.shape[0] for c in p.levels] == [512, 256, 128, 64, 32, 16]
    for counts in p.levels:
        assert int(counts.sum()) == x.size
    assert p.total == x.size


def test_crowded_cells_and_missing_coordinates() -> None:
    # 70,000 points in one spot overflow uint16 cells: those levels stay int32; NaN points are left out.
    x = np.concatenate([np.full(70_000, 5.0), np.linspace(0, 1000, 500), [np.nan, 3.0]])
    y = np.concatenate([np.full(70_000, 5.0), np.linspace(0, 1000, 500), [4.0, np.nan]])
    p = DensityPyramid(x, y, base_cells=64)
    assert p.levels[0].dtype == np.int32 and p.level_max[0] >= 70_000
    for counts in p.levels:
        assert int(counts.sum()) == 70_500
    small = DensityPyramid(x[70_000:], y[70_000:], base_cells=64)
    assert all(c.dtype == np.uint16 for c in small.levels) and small.total == 500


def test_base_level_matches_histogram2d() -> None:
    x, y = _points(20_000)
    p = DensityPyramid(x, y, base_cells=128)
    edges_x = p.x0 + np.arange(129) * p.cell_m(0)
    edges_y = p.y0 + np.arange(129) * p.cell_m(0)
    ref, _, _ = np.histogram2d(y, x, bins=[edges_y, edges_x])
    assert np.array_equal(p.levels[0], ref.astype(np.int32))


def test_window_and_count_in() -> None:
    x, y = _points()
    p = DensityPyramid(x, y, base_cells=256)
    x0, x1 = np.percentile(x, [30, 70])
    y0, y1 = np.percentile(y, [30, 70])
    exact = int(((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)).sum())
    # Whole cells overlapping the rect: an upper bound, close to the truth at a fine level.
    assert exact <= p.count_in(x0, y0, x1, y1) <= exact * 1.5
    win = p.window(0, x0, y0, x1, y1)
    assert win.x0 <= x0 and win.x1 >= x1 and win.y0 <= y0 and win.y1 >= y1
    assert win.counts.sum() >= exact
    assert p.window(0, x.max() + 1e6, 0, x.max() + 2e6, 1).counts.size == 0  # off the data


def test_level_for_pixel_size() -> None:
    x, y = _points()
    p = DensityPyramid(x, y, base_cells=256)
    assert p.level_for(p.cell_m(0)) == 0
    assert p.level_for(p.cell_m(2) * 0.99) == 2
    assert p.level_for(p.size * 10) == len(p.levels) - 1
    assert p.level_for(p.cell_m(0) / 8) is None  # finer than the base: bin the visible points instead


def test_bin_points_and_colours() -> None:
    x = np.array([0.5, 1.5, 1.6, 3.9, 5.0, -0.1])
    y = np.array([0.5, 0.5, 0.6, 1.9, 0.5, 0.5])
    counts = bin_points(x, y, 0, 0, 4, 2, 4, 2)
    assert counts.tolist() == [[1, 2, 0, 0], [0, 0, 0, 1]]  # row 0 is the southern row; outside points dropped
    idx = colour_index(counts, 2)
    assert idx[0, 2] == 0 and idx[0, 1] == 255 and 1 <= idx[0, 0] < 255


def test_empty_and_bad_input() -> None:
    p = DensityPyramid(np.empty(0), np.empty(0), base_cells=64)
    assert p.total == 0 and p.count_in(0, 0, 1, 1) == 0
    with pytest.raises(ValueError):
        DensityPyramid(np.zeros(3), np.zeros(3), base_cells=100)
